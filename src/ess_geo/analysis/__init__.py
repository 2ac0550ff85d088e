"""Coverage, proposals, outreach, access, density: result objects built on the rules.

Each submodule is imported on first attribute access (PEP 562), so that
``ess_geo.analysis.coverage.X`` resolves after a plain ``import ess_geo`` without loading the
layer's libraries before they are needed.
"""

from __future__ import annotations

from ess_geo._lazy import submodule_loader

__all__ = [
    "access",
    "access_e2sfca",
    "access_supply",
    "compare",
    "coverage",
    "coverage_columns",
    "coverage_groups",
    "density",
    "maxp",
    "outreach",
    "outreach_distances",
    "outreach_result",
    "outreach_sites",
    "proposal_results",
    "proposals",
    "regional",
    "territory_figures",
]


__getattr__, __dir__ = submodule_loader(__name__, __all__)
