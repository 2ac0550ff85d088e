"""Representative points of the communes in the metric CRS of their land unit, computed once.

Distances (outreach, access) are measured between these points, within one land unit only
(:func:`ess_geo.reference.crs.distance_zone`): no distance crosses the sea.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ess_geo.errors import CrsError
from ess_geo.reference._store import read_geo
from ess_geo.reference.crs import LAMBERT93, LAND_UNIT_LABELS, OVERSEAS_CRS, distance_zone, metric_crs_for

__all__ = ["commune_points"]


@lru_cache(maxsize=1)
def _commune_points_table() -> pd.DataFrame:
    com = read_geo("communes")
    deps = com["code_dep"].unique()
    crs_of = com["code_dep"].map({d: metric_crs_for(d) for d in deps})
    unit_of = com["code_dep"].map({d: distance_zone(d) for d in deps})
    x = pd.Series(float("nan"), index=com.index)
    y = pd.Series(float("nan"), index=com.index)
    has_geom = com.geometry.notna() & ~com.geometry.is_empty
    for crs in crs_of.unique():
        sel = has_geom & (crs_of == crs)
        pts = com.loc[sel].to_crs(crs).geometry.representative_point()
        x[sel] = pts.x.to_numpy()
        y[sel] = pts.y.to_numpy()
    table = pd.DataFrame(
        {
            "code_insee": com["code_insee"].to_numpy(),
            "nom": com["nom"].to_numpy(),
            "code_dep": com["code_dep"].to_numpy(),
            "code_region": com["code_region"].to_numpy(),
            "population": com["population"].to_numpy(),
            "x": x.to_numpy(),
            "y": y.to_numpy(),
            "crs": crs_of.to_numpy(),
            "land_unit": unit_of.to_numpy(),
        }
    )
    return table


def commune_points(crs: str | None = None, land_unit: str | None = None) -> pd.DataFrame:
    """Representative points of the communes, in the metric CRS of their département (cached).

    Each point is :meth:`shapely.Geometry.representative_point` of the commune computed in its
    metric CRS (:func:`ess_geo.reference.crs.metric_crs_for`), so it lies inside the commune. Computed once
    per process; every call returns a fresh copy.

    Parameters
    ----------
    crs : str, optional
        Keep only the communes measured in this metric CRS (``"EPSG:2154"``, ``"EPSG:5490"``...).
    land_unit : str, optional
        Keep only the communes of this land unit (:func:`ess_geo.reference.crs.distance_zone`:
        ``"metropole"``, ``"corse"``, ``"971"``...). Distances are meaningful within one unit only.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_insee``, ``nom``, ``code_dep``, ``code_region``, ``population``, ``x``,
        ``y`` (metres, in ``crs``), ``crs`` (metric CRS of the coordinates), ``land_unit``. Every
        commune is listed: those without a geometry in the embedded data have NaN ``x``/``y``
        (filter them, and say so, rather than dropping them silently).

    Raises
    ------
    CrsError
        If ``crs`` or ``land_unit`` is not one used by the embedded geography.
    """
    table = _commune_points_table()
    if crs is not None:
        allowed = sorted({LAMBERT93, *OVERSEAS_CRS.values()})
        if crs not in allowed:
            raise CrsError(f"crs {crs!r} is not a metric CRS of the embedded geography; allowed: {allowed}",
                           fr=f"système de coordonnées non utilisé par le référentiel : {crs!r}")
        table = table[table["crs"] == crs]
    if land_unit is not None:
        if land_unit not in LAND_UNIT_LABELS:
            raise CrsError(f"unknown land unit {land_unit!r}; allowed: {sorted(LAND_UNIT_LABELS)}",
                           fr=f"zone de distance inconnue : {land_unit!r}")
        table = table[table["land_unit"] == land_unit]
    return table.reset_index(drop=True)
