"""Geometry preparation for maps: coverage-preserving simplification, rounding, slimming.

Maps are shipped as single HTML files to committee members, so their weight matters. Polygons
that tile the territory (communes, départements) are simplified *as a coverage*
(:func:`shapely.coverage_simplify`): every shared border is simplified once and both neighbours
receive the same line, so no gaps or slivers appear between them. Simplification runs in the
metric CRS of each zone (Lambert-93, overseas local CRS, see :mod:`ess_geo.crs`) so the tolerance
is in metres; the result is returned in WGS84 with coordinates rounded.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ess_geo.crs import WGS84, require_crs, split_by_metric_crs
from ess_geo.errors import EssGeoError

#: Default tolerances (metres) by level of detail. GEOS' coverage simplification is
#: Visvalingam-Whyatt: the tolerance is the square root of the smallest triangle area kept, so
#: borders move much less than the tolerance (the embedded communes are already simplified
#: upstream and barely change below ~250 m).
TOLERANCE_M = {"departement": 800.0, "region": 1500.0, "commune": 300.0}
#: Decimal places kept in WGS84 (4 decimals ≈ 11 m, well below the tolerances above).
DEFAULT_DECIMALS = 4


def round_coordinates(geoms: np.ndarray | gpd.GeoSeries, decimals: int = DEFAULT_DECIMALS) -> np.ndarray:
    """Round every coordinate to ``decimals`` places.

    Rounding is applied vertex by vertex, so two neighbours sharing a vertex still share it
    afterwards (no snapping that could drop a small polygon).

    Parameters
    ----------
    geoms : numpy.ndarray or geopandas.GeoSeries
        Geometries.
    decimals : int, default 4
        Decimal places kept.

    Returns
    -------
    numpy.ndarray
        Rounded geometries.
    """
    values = geoms.values if isinstance(geoms, gpd.GeoSeries) else np.asarray(geoms)
    return shapely.transform(values, lambda xy: np.round(xy, decimals))


def simplify_for_map(
    gdf: gpd.GeoDataFrame,
    *,
    tolerance_m: float,
    keep: Sequence[str] | None = None,
    dep_column: str = "code_dep",
    decimals: int = DEFAULT_DECIMALS,
) -> gpd.GeoDataFrame:
    """Simplify a polygon coverage for display, keeping shared borders shared.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons tiling a territory (communes, départements...), any declared CRS. Not modified.
    tolerance_m : float
        Simplification tolerance in metres (roughly the largest distance a border may move).
        0 keeps the geometry as is (only rounding and slimming are applied).
    keep : sequence of str, optional
        Columns to keep besides the geometry; default all. Dropping unused columns keeps them
        out of the HTML.
    dep_column : str, default "code_dep"
        Column giving the département of each row, used to choose the metric CRS (overseas
        départements are simplified in their own CRS). When absent, Lambert-93 is used.
    decimals : int, default 4
        Decimal places kept in the WGS84 output.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame in WGS84, same rows and order, simplified and rounded.

    Raises
    ------
    EssGeoError
        If ``tolerance_m`` is negative or ``keep`` names a missing column.
    CrsError
        If ``gdf`` has no CRS.
    """
    require_crs(gdf, "gdf")
    if tolerance_m < 0:
        raise EssGeoError(
            f"tolerance_m must be >= 0, got {tolerance_m!r}",
            fr=f"tolérance de simplification négative : {tolerance_m!r}",
        )
    columns = list(gdf.columns.drop(gdf.geometry.name)) if keep is None else list(keep)
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise EssGeoError(
            f"keep names missing column(s) {missing}; available: {list(gdf.columns)}",
            fr=f"colonne(s) absente(s) : {', '.join(missing)}",
        )
    frame = gdf[[*columns, gdf.geometry.name]].copy()
    frame = frame.rename_geometry("geometry") if gdf.geometry.name != "geometry" else frame
    original_index = frame.index
    frame = frame.reset_index(drop=True)
    if len(frame) == 0:
        return frame.to_crs(WGS84).set_index(original_index)
    if dep_column in frame.columns:
        parts = split_by_metric_crs(frame, dep_column)
    else:
        parts = {"EPSG:2154": frame.to_crs("EPSG:2154")}
    out = []
    for part in parts.values():
        geoms = part.geometry.values
        polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
        if tolerance_m > 0 and polygonal.all():
            simplified = shapely.coverage_simplify(geoms, tolerance_m)
        elif tolerance_m > 0:
            simplified = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
        else:
            simplified = geoms
        part = part.copy()
        part["geometry"] = gpd.GeoSeries(simplified, index=part.index, crs=part.crs)
        out.append(part.to_crs(WGS84))
    result = gpd.GeoDataFrame(pd.concat(out), geometry="geometry", crs=WGS84).sort_index()
    result["geometry"] = gpd.GeoSeries(round_coordinates(result.geometry, decimals), index=result.index, crs=WGS84)
    result.index = original_index
    return result
