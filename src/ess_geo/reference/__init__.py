"""Embedded reference: codes, CRS, geography (COG 2025), points, population, specialties. No user file.

Each submodule is imported on first attribute access (PEP 562), so that
``ess_geo.reference.codes.parse_territory`` resolves after a plain ``import ess_geo`` without
loading the layer's libraries before they are needed.
"""

from __future__ import annotations

from ess_geo._lazy import submodule_loader

__all__ = ["codes", "crs", "geography", "points", "population", "specialties"]


__getattr__, __dir__ = submodule_loader(__name__, __all__)
