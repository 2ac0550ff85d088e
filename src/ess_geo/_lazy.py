"""Submodules of a layer imported on first access (PEP 562), so ``import ess_geo`` stays light.

Every layer's ``__init__`` lists its public submodules in ``__all__`` (a test checks the list is
complete) and takes its module ``__getattr__`` and ``__dir__`` from :func:`submodule_loader`:
``ess_geo.inputs.zonage`` then resolves after a plain ``import ess_geo`` without loading pandas,
geopandas or folium before a command needs them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from types import ModuleType

__all__ = ["submodule_loader"]


def submodule_loader(package: str, names: Iterable[str]) -> tuple[Callable[[str], ModuleType], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of a layer whose public submodules are ``names``.

    Parameters
    ----------
    package : str
        The layer's ``__name__`` (``"ess_geo.inputs"``).
    names : iterable of str
        Its public submodules (its ``__all__``).

    Returns
    -------
    tuple of callables
        ``__getattr__(name)``: imports ``package.name`` for a listed name, else AttributeError;
        ``__dir__()``: the package's attributes and the listed names.
    """
    known = frozenset(names)

    def __getattr__(name: str) -> ModuleType:
        if name in known:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *known})

    return __getattr__, __dir__
