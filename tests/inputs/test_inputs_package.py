"""The inputs package: its submodules are reachable as attributes after ``import ess_geo``."""

from __future__ import annotations

import subprocess
import sys


def test_submodules_resolve_after_import_ess_geo():
    # regression (issue 10): ``ess_geo.zonage.load_zonage`` raised AttributeError after ``import ess_geo``
    code = (
        "import ess_geo\n"
        "for name in ('zonage', 'registry', 'datasets', 'supply', 'load', 'drees', 'rpps', 'rpps_file', "
        "'zonage_match'):\n"
        "    getattr(ess_geo.inputs, name)\n"
        "assert callable(ess_geo.inputs.zonage.load_zonage)\n"
        "assert callable(ess_geo.inputs.load.load_supply)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_flat_api_still_exports_the_supply_names():
    import ess_geo
    from ess_geo.inputs.load import load_supply
    from ess_geo.inputs.supply import Supply, SupplyCount

    assert ess_geo.load_supply is load_supply and ess_geo.Supply is Supply and ess_geo.SupplyCount is SupplyCount
