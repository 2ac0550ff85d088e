"""Embedded reference: codes, CRS, geography (COG 2025), points, population, specialties. No user file.

The submodules are imported here so that ``ess_geo.reference.codes.parse_territory`` resolves after
a plain ``import ess_geo``.
"""

from ess_geo.reference import codes, crs, geography, points, population, specialties

__all__ = ["codes", "crs", "geography", "points", "population", "specialties"]
