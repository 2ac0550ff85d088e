"""Representative points of the communes in the metric CRS of their land unit, computed at build time.

Distances (outreach, access) are measured between these points, within one land unit only
(:func:`ess_geo.reference.crs.distance_zone`): no distance crosses the sea.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from ess_geo.errors import CrsError, EssGeoError
from ess_geo.reference._store import read_attributes, read_table
from ess_geo.reference.crs import LAMBERT93, LAND_UNIT_LABELS, OVERSEAS_CRS, distance_zone, metric_crs_for

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["POINTS_TABLE", "commune_points", "compute_commune_points"]


#: Embedded table of the points (``data/commune_points.parquet``), written at build time by
#: ``scripts/build_reference_data.py`` with :func:`compute_commune_points`.
POINTS_TABLE = "commune_points"


def compute_commune_points(communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Representative point of each commune in the metric CRS of its département (the build step).

    Reprojecting 34,875 polygons takes 0.6-0.8 s: ``scripts/build_reference_data.py`` runs this
    once and stores the result in the embedded data, which :func:`commune_points` reads.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The embedded communes (``code_insee``, ``code_dep``, geometry in WGS84).

    Returns
    -------
    pandas.DataFrame
        ``code_insee``, ``x``, ``y`` (metres in the commune's metric CRS; NaN without geometry),
        in the order of ``communes``.
    """
    crs_of = communes["code_dep"].map({d: metric_crs_for(d) for d in communes["code_dep"].unique()})
    x = pd.Series(float("nan"), index=communes.index)
    y = pd.Series(float("nan"), index=communes.index)
    has_geom = communes.geometry.notna() & ~communes.geometry.is_empty
    for crs in crs_of.unique():
        sel = has_geom & (crs_of == crs)
        pts = communes.loc[sel].to_crs(crs).geometry.representative_point()
        x[sel] = pts.x.to_numpy()
        y[sel] = pts.y.to_numpy()
    return pd.DataFrame({"code_insee": communes["code_insee"].to_numpy(), "x": x.to_numpy(), "y": y.to_numpy()})


@lru_cache(maxsize=1)
def _commune_points_table() -> pd.DataFrame:
    com = read_attributes("communes")
    stored = read_table(POINTS_TABLE)
    if not com["code_insee"].reset_index(drop=True).equals(stored["code_insee"].reset_index(drop=True)):
        raise EssGeoError(f"embedded {POINTS_TABLE}.parquet does not list the embedded communes: rebuild it with "
                          "scripts/build_reference_data.py --points-only",
                          fr="référentiel embarqué incohérent (points des communes) : le reconstruire")
    deps = com["code_dep"].unique()
    return pd.DataFrame(
        {
            "code_insee": com["code_insee"].to_numpy(),
            "nom": com["nom"].to_numpy(),
            "code_dep": com["code_dep"].to_numpy(),
            "code_region": com["code_region"].to_numpy(),
            "population": com["population"].to_numpy(),
            "x": stored["x"].to_numpy(dtype="float64"),
            "y": stored["y"].to_numpy(dtype="float64"),
            "crs": com["code_dep"].map({d: metric_crs_for(d) for d in deps}).to_numpy(),
            "land_unit": com["code_dep"].map({d: distance_zone(d) for d in deps}).to_numpy(),
        }
    )


def commune_points(crs: str | None = None, land_unit: str | None = None) -> pd.DataFrame:
    """Representative points of the communes, in the metric CRS of their département (cached).

    Each point is :meth:`shapely.Geometry.representative_point` of the commune computed in its
    metric CRS (:func:`ess_geo.reference.crs.metric_crs_for`), so it lies inside the commune. Computed at
    build time (:func:`compute_commune_points`) and read from the embedded data once per process,
    without geopandas; every call returns a fresh copy.

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
