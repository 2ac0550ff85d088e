"""Map specs, HTML/PNG/PDF maps, reports and table writers: drawing only.

The submodules load folium, matplotlib or openpyxl, so ``import ess_geo`` does not import them:
``ess_geo.render.html_map`` (any public submodule) is imported on first attribute access (PEP 562).
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

__all__ = ["html_map", "mapspec", "reports", "simplify", "static_map"]


def __getattr__(name: str) -> ModuleType:
    """Import the public submodule ``name`` on first access; any other name is an AttributeError."""
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
