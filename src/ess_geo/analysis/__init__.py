"""Coverage, proposals, outreach, access, density: result objects built on the rules.

Each submodule is imported on first attribute access (PEP 562), so that
``ess_geo.analysis.coverage.X`` resolves after a plain ``import ess_geo`` without loading the
layer's libraries before they are needed.
"""

from __future__ import annotations

import importlib
from types import ModuleType

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


def __getattr__(name: str) -> ModuleType:
    """Import the public submodule ``name`` on first access (PEP 562); any other name is an AttributeError."""
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
