"""Resident population (« population municipale », COG 2025) and the one density formula.

Every density per 100,000 inhabitants shown by ess_geo (check, coverage, maps, ``supply_by``) is
computed by :func:`density_per_100k`; an unknown or zero population (Mayotte's is unknown in the
source) gives no density, never a division by zero or a made-up 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from ess_geo.reference._store import read_index

if TYPE_CHECKING:  # annotations only: the per-row figures need no pandas, the Series version imports it
    import pandas as pd

__all__ = ["density_per_100k", "density_per_100k_series", "departement_population", "inhabitants"]


@lru_cache(maxsize=1)
def _departement_population() -> dict[str, int]:
    deps = read_index()["departements"]
    return {code: int(dep["population"]) for code, dep in deps.items() if dep["population"] is not None}


def _unknown(value: object) -> bool:
    """Whether a figure is missing: None, or a value unequal to itself (NaN of any float type, NaT), or
    pandas' NA (whose comparisons are NA, hence the TypeError) — without importing pandas."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pd.NA != pd.NA is pd.NA, which has no truth value
        return True


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
    if _unknown(count) or _unknown(population):
        return None
    pop = float(population)  # type: ignore[arg-type]
    if pop <= 0:
        return None
    value = float(count) * 100_000 / pop  # type: ignore[arg-type]
    return value if decimals is None else round(value, decimals)


def density_per_100k_series(count: pd.Series, population: pd.Series) -> pd.Series:
    """:func:`density_per_100k` on aligned Series, vectorised (for tables of 35,000 communes).

    Gives exactly the values of :func:`density_per_100k` row by row (NaN where it gives None):
    the same float operations, numpy's rounding except for values within 1e-6 of a rounding tie,
    which are rounded by Python's :func:`round`.

    Parameters
    ----------
    count : pandas.Series
        Numbers of doctors.
    population : pandas.Series
        Resident populations, aligned with ``count``; zero, negative or missing gives NaN.

    Returns
    -------
    pandas.Series
        float64, index of ``count``.
    """
    import numpy as np  # deferred: heavy library, only the vectorised version needs it
    import pandas as pd  # deferred: heavy library, only the vectorised version needs it

    n = pd.to_numeric(count, errors="coerce").astype("float64").to_numpy()
    pop = pd.to_numeric(population, errors="coerce").astype("float64").to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(pop > 0, n * 100_000 / pop, np.nan)
    out = np.round(raw, 2)
    scaled = raw * 100
    near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    out[near_tie] = [round(float(v), 2) for v in raw[near_tie]]
    return pd.Series(out, index=count.index, dtype="float64")
