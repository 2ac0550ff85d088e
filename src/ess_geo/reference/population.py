"""Resident population (« population municipale », COG 2025) and the one density formula.

Every density per 100,000 inhabitants shown by ess_geo (check, coverage, maps, ``supply_by``) is
computed by :func:`density_per_100k`; an unknown or zero population (Mayotte's is unknown in the
source) gives no density, never a division by zero or a made-up 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

from ess_geo.reference._store import read_geo

__all__ = ["departement_population", "density_per_100k", "inhabitants"]


@lru_cache(maxsize=1)
def _departement_population() -> dict[str, int]:
    deps = read_geo("departements")
    return {c: int(p) for c, p in zip(deps["code_dep"], deps["population"], strict=True) if pd.notna(p)}


def departement_population() -> dict[str, int]:
    """Resident population per département code; départements with an unknown population are absent."""
    return dict(_departement_population())


def inhabitants(departements: Iterable[str]) -> int | None:
    """Resident population of a set of (normalised) départements, or None if one is unknown."""
    pops = _departement_population()
    deps = list(departements)
    if not deps or any(d not in pops for d in deps):
        return None
    return int(sum(pops[d] for d in deps))


def density_per_100k(count: object, population: object, *, decimals: int | None = 2) -> float | None:
    """Doctors per 100,000 inhabitants, rounded to 2 decimals; None when either figure is unknown.

    Parameters
    ----------
    count : int or None
        Number of doctors.
    population : int or None
        Resident population; zero, negative, missing or NaN gives None.
    decimals : int or None, default 2
        Decimals kept; None for the unrounded value (maps round it once more for display).

    Returns
    -------
    float or None
    """
    if count is None or population is None or pd.isna(count) or pd.isna(population):
        return None
    pop = float(population)  # type: ignore[arg-type]
    if pop <= 0:
        return None
    value = float(count) * 100_000 / pop  # type: ignore[arg-type]
    return value if decimals is None else round(value, decimals)
