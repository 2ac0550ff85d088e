"""The package as a notebook user meets it: ``import ess_geo``, the flat API, the subpackages, the errors."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import ess_geo
from ess_geo import errors
from ess_geo.errors import EssGeoError

SRC = str(Path(ess_geo.__file__).resolve().parents[1])  # the ess_geo these tests import


def _run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (this one has imported everything) and read its JSON."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": SRC})
    return json.loads(out.stdout)


def test_plain_import_loads_no_drawing_library_and_no_cli():
    loaded = _run(
        "import json, sys, ess_geo; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('folium', 'matplotlib', 'openpyxl', "
        "'click', 'rich') or m.startswith(('ess_geo.render.', 'ess_geo.cli')))))"
    )
    assert loaded == []


#: Libraries a plain ``import ess_geo``, ``ess-geo --version`` and ``ess-geo specialties`` must not load
#: (issue 14: they cost 0.2-2 s a process); nor may ``check`` on the embedded supply or a DREES table.
HEAVY = ("pandas", "numpy", "pyarrow", "geopandas", "shapely", "pyproj", "scipy", "sklearn", "mapclassify",
         "matplotlib", "folium", "openpyxl", "rich")


def _heavy_loaded_by(statement: str) -> list[str]:
    return _run(
        "import contextlib, io, json, sys\n"
        f"with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n    {statement}\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))"
    )


@pytest.mark.parametrize(
    "statement",
    ["import ess_geo", "import ess_geo.cli; ess_geo.cli.main(['--version'])",
     "import ess_geo.cli; ess_geo.cli.main(['specialties'])", "from ess_geo import EssGeoError, errors"],
)
def test_plain_import_version_and_specialties_load_no_heavy_library(statement):
    assert _heavy_loaded_by(statement) == []


@pytest.mark.parametrize(
    "args",
    [["-s", "orl", "-d", "77,91"], ["-s", "cardiologie,nephrologie", "-r", "52", "--adherents", "20", "--json"],
     ["-s", "pediatrie", "-d", "973"]],
)
def test_check_on_the_embedded_supply_loads_no_heavy_library(args):
    """A cold check is the planner's everyday command: no pandas, numpy nor pyarrow (0.4 s of imports, issue 14);
    counts and codes come from plain Python (inputs/supply_index.py, reference/data/attributes.json)."""
    assert _heavy_loaded_by(f"import ess_geo.cli; ess_geo.cli.main(['check', *{args!r}, '--exit-zero'])") == []


def test_check_on_a_drees_table_loads_no_heavy_library(drees_effectifs):
    args = ["check", "-s", "cardiologie", "-d", "77,91", "--supply", str(drees_effectifs), "--exit-zero"]
    assert _heavy_loaded_by(f"import ess_geo.cli; ess_geo.cli.main({args!r})") == []


def test_html_map_loads_no_matplotlib(tmp_path):
    """matplotlib (0.4 s) is for PNG/PDF maps only; an HTML map is folium alone (issue 14)."""
    out = tmp_path / "carte.html"
    loaded = _heavy_loaded_by(f"import ess_geo.cli; ess_geo.cli.main(['map', '-s', 'orl', '-d', '76', '--out', {str(out)!r}])")
    assert "folium" in loaded
    assert "matplotlib" not in loaded


def test_flat_names_load_on_first_use_and_stay():
    found = _run(
        "import json, sys, ess_geo\n"
        "before = 'ess_geo.rules.territory' in sys.modules\n"
        "from ess_geo import check_territory\n"
        "print(json.dumps([before, 'ess_geo.rules.territory' in sys.modules, check_territory is ess_geo.check_territory,"
        " ess_geo.__version__ != '', 'check_territory' in dir(ess_geo), ess_geo.sources.Source is ess_geo.Source]))"
    )
    assert found == [False, True, True, True, True, True]
    with pytest.raises(AttributeError, match="no attribute 'nowhere'"):
        _ = ess_geo.nowhere
    with pytest.raises(AttributeError, match="no attribute 'nowhere'"):
        _ = ess_geo.inputs.nowhere


def test_submodules_resolve_after_a_plain_import():
    # regression (issue 10): ``ess_geo.zonage.load_zonage`` raised AttributeError after ``import ess_geo``
    found = _run(
        "import json, ess_geo; "
        "names = [ess_geo.reference.codes.parse_territory, ess_geo.rules.criteria.Criterion, "
        "ess_geo.analysis.coverage.coverage_table, ess_geo.inputs.zonage.load_zonage, ess_geo.load_zonage, "
        "ess_geo.render.html_map.save_map]; "
        "print(json.dumps([n.__name__ for n in names]))"
    )
    assert found == ["parse_territory", "Criterion", "coverage_table", "load_zonage", "load_zonage", "save_map"]


def test_render_attribute_access_is_lazy_and_strict():
    from ess_geo import render

    assert render.simplify is importlib.import_module("ess_geo.render.simplify")
    assert set(render.__all__) <= set(dir(render))
    with pytest.raises(AttributeError, match="no attribute 'nowhere'"):
        _ = render.nowhere


@pytest.mark.parametrize("name", ["parse_territory", "resolve_departements", "departement_name", "region_name"])
def test_flat_api_reexports_the_territory_parser(name):
    from ess_geo.reference import codes

    assert getattr(ess_geo, name) is getattr(codes, name)
    assert name in ess_geo.__all__


def test_flat_api_names_all_exist():
    missing = [n for n in ess_geo.__all__ if not hasattr(ess_geo, n)]
    assert not missing


def test_essgeoerror_is_a_valueerror():
    assert issubclass(EssGeoError, ValueError)
    with pytest.raises(ValueError, match="'99'"):
        ess_geo.normalize_dep_code("99")


def _all_error_classes() -> set[type]:
    for info in pkgutil.walk_packages(ess_geo.__path__, "ess_geo."):
        if info.name not in ("ess_geo.__main__",):
            importlib.import_module(info.name)
    seen: set[type] = set()
    todo = [EssGeoError]
    while todo:
        cls = todo.pop()
        seen.add(cls)
        todo += [c for c in cls.__subclasses__() if c not in seen]
    return seen


def test_every_error_class_lives_in_errors_and_is_public():
    classes = _all_error_classes()
    assert {c.__module__ for c in classes} == {"ess_geo.errors"}
    assert {c.__name__ for c in classes} == set(errors.__all__)
    assert {c.__name__ for c in classes} <= set(ess_geo.__all__)
