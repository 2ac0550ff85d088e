"""Geometry preparation for maps: coverage-preserving simplification, rounding, slimming.

Maps are shipped as single HTML files to committee members, so their weight matters. Polygons
that tile the territory (communes, départements) are simplified *as a coverage*
(:func:`shapely.coverage_simplify`): every shared border is simplified once and both neighbours
receive the same line, so no gaps or slivers appear between them. Simplification runs in the
metric CRS of each zone (Lambert-93, overseas local CRS, see :mod:`ess_geo.reference.crs`) so the tolerance
is in metres; the result is returned in WGS84 with coordinates rounded.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ess_geo.errors import GeometryError, InputDataError
from ess_geo.reference.crs import WGS84, require_crs, split_by_metric_crs
from ess_geo.render.simplify_cache import cached_geometries, geometry_key

#: Default tolerances (metres) by level of detail. GEOS' coverage simplification is
#: Visvalingam-Whyatt: the tolerance is the square root of the smallest triangle area kept, so
#: borders move much less than the tolerance (the embedded communes are already simplified
#: upstream and barely change below ~250 m).
TOLERANCE_M = {"departement": 800.0, "region": 1500.0, "commune": 300.0}
#: A zone's tolerance is at most its extent (largest side of its bounding box, metres) divided by
#: this: a small overseas territory (Mayotte, about 40 km across) keeps its islets and coastline
#: instead of being drawn with a tolerance suited to the mainland (about 1,000 km across).
EXTENT_RATIO = 200.0
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


def _check_tolerance(tolerance_m: object) -> float:
    """``tolerance_m`` as a float, or InputDataError naming the value (strings, NaN, inf, < 0)."""
    if isinstance(tolerance_m, bool) or not isinstance(tolerance_m, numbers.Real):
        raise InputDataError(
            f"tolerance_m must be a finite number of metres >= 0, got {tolerance_m!r} ({type(tolerance_m).__name__})",
            fr=f"tolérance de simplification invalide : {tolerance_m!r} (nombre de mètres ≥ 0 attendu)",
        )
    value = float(tolerance_m)
    if not math.isfinite(value) or value < 0:
        raise InputDataError(
            f"tolerance_m must be >= 0, got {tolerance_m!r} (a finite number of metres is expected)",
            fr=f"tolérance de simplification invalide : {tolerance_m!r} (nombre de mètres ≥ 0 et fini attendu)",
        )
    return value


def zone_tolerance(tolerance_m: float, geoms: np.ndarray) -> float:
    """Tolerance for one metric zone: ``tolerance_m`` capped at the zone's extent / EXTENT_RATIO.

    Parameters
    ----------
    tolerance_m : float
        Requested tolerance (metres).
    geoms : numpy.ndarray
        The zone's geometries, in its metric CRS.

    Returns
    -------
    float
        ``min(tolerance_m, extent / EXTENT_RATIO)`` where extent is the largest side of the
        zone's bounding box; ``tolerance_m`` when the zone is empty.
    """
    geoms = np.asarray(geoms, dtype=object)
    present = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    if len(present) == 0:
        return tolerance_m
    xmin, ymin, xmax, ymax = shapely.total_bounds(present)
    return min(tolerance_m, max(xmax - xmin, ymax - ymin) / EXTENT_RATIO)


def _check_geometries(frame: gpd.GeoDataFrame) -> None:
    """GeometryError naming the rows (index labels) whose geometry is invalid."""
    geoms = frame.geometry.values
    bad = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if bad.any():
        labels = [str(x) for x in frame.index[bad]]
        shown = ", ".join(labels[:10]) + (f" ... ({len(labels)} in all)" if len(labels) > 10 else "")
        reasons = {str(lbl): shapely.is_valid_reason(g) for lbl, g in zip(frame.index[bad][:3], geoms[bad][:3], strict=True)}
        raise GeometryError(
            f"invalid geometry in row(s) {shown} (index labels); e.g. {reasons}. "
            "Repair them first (shapely.make_valid or GeoSeries.make_valid) and check the result.",
            fr=f"géométrie invalide (ligne(s) {shown}) : la corriger avant de l'afficher (make_valid)",
        )


def repair_polygonal(geoms: np.ndarray) -> np.ndarray:
    """Make invalid geometries valid again, keeping only their polygonal parts.

    Rounding coordinates can collapse a zero-area hole or a thin spike into a self-touching ring;
    :func:`shapely.make_valid` (structure method) rebuilds the polygon and the lines or points
    it may leave are dropped. Valid geometries are returned unchanged.

    Parameters
    ----------
    geoms : numpy.ndarray
        Geometries (polygons or multipolygons).

    Returns
    -------
    numpy.ndarray
        Valid geometries; a geometry whose repair leaves no area becomes an empty polygon.
    """
    out = np.asarray(geoms, dtype=object).copy()
    bad = np.flatnonzero(~shapely.is_valid(out) & ~shapely.is_missing(out))
    for i in bad:
        fixed = shapely.make_valid(out[i], method="structure", keep_collapsed=False)
        parts = [p for p in shapely.get_parts(fixed) if shapely.get_type_id(p) in (3, 6) and not p.is_empty]
        polys = [q for p in parts for q in shapely.get_parts(p)]
        if not polys:
            out[i] = shapely.Polygon()
        elif len(polys) == 1:
            out[i] = polys[0]
        else:
            out[i] = shapely.MultiPolygon(polys)
    return out


def _kept_columns(gdf: gpd.GeoDataFrame, keep: Sequence[str] | None) -> list[str]:
    """Columns to keep besides the geometry; every one of ``keep`` must exist."""
    columns = list(gdf.columns.drop(gdf.geometry.name)) if keep is None else list(keep)
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise InputDataError(
            f"keep names missing column(s) {missing}; available: {list(gdf.columns)}",
            fr=f"colonne(s) absente(s) : {', '.join(missing)}",
        )
    return columns


def _simplify_part(part: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Simplify the rows of one metric zone (coverage-preserving when all are polygons), back in WGS84."""
    geoms = part.geometry.values
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    tol = zone_tolerance(tolerance_m, geoms)
    if tol > 0 and polygonal.all():
        simplified = shapely.coverage_simplify(geoms, tol)
    elif tol > 0:
        simplified = shapely.simplify(geoms, tol, preserve_topology=True)
    else:
        simplified = geoms
    part = part.copy()
    part["geometry"] = gpd.GeoSeries(simplified, index=part.index, crs=part.crs)
    return part.to_crs(WGS84)


def simplify_for_map(
    gdf: gpd.GeoDataFrame,
    *,
    tolerance_m: float,
    keep: Sequence[str] | None = None,
    dep_column: str = "code_dep",
    decimals: int = DEFAULT_DECIMALS,
    cache: bool = False,
) -> gpd.GeoDataFrame:
    """Simplify a polygon coverage for display, keeping shared borders shared.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons tiling a territory (communes, départements...), any declared CRS. Not modified.
    tolerance_m : float
        Simplification tolerance in metres (roughly the largest distance a border may move).
        0 keeps the geometry as is (only rounding and slimming are applied). In each metric
        zone it is capped at the zone's extent / ``EXTENT_RATIO`` (:func:`zone_tolerance`), so
        a small overseas territory is not drawn coarser than its communes.
    keep : sequence of str, optional
        Columns to keep besides the geometry; default all. Dropping unused columns keeps them
        out of the HTML.
    dep_column : str, default "code_dep"
        Column giving the département of each row, used to choose the metric CRS (overseas
        départements are simplified in their own CRS). When absent, Lambert-93 is used.
    decimals : int, default 4
        Decimal places kept in the WGS84 output.
    cache : bool, default False
        Keep the simplified geometries between processes
        (:mod:`ess_geo.render.simplify_cache`, content-addressed: same result as without it).

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame in WGS84, same rows and order, simplified and rounded. Every output
        geometry is valid: shapes that rounding made invalid (e.g. a zero-area hole collapsing
        onto its shell) are repaired with :func:`repair_polygonal`.

    Raises
    ------
    InputDataError
        If ``tolerance_m`` is not a finite number ≥ 0 (strings, NaN, infinity, negatives), or
        ``keep`` names a missing column.
    GeometryError
        If an input geometry is invalid (e.g. a self-intersecting polygon); the message names
        the offending index labels. Invalid input is refused rather than silently repaired:
        ``make_valid`` may split or drop parts, which the caller must check.
    CrsError
        If ``gdf`` has no CRS.
    """
    require_crs(gdf, "gdf")
    tolerance_m = _check_tolerance(tolerance_m)
    _check_geometries(gdf)
    frame = gdf[[*_kept_columns(gdf, keep), gdf.geometry.name]].copy()
    frame = frame.rename_geometry("geometry") if gdf.geometry.name != "geometry" else frame
    original_index = frame.index
    frame = frame.reset_index(drop=True)
    if len(frame) == 0:
        return frame.to_crs(WGS84).set_index(original_index)
    if cache:  # the same input gives the same geometries: read them back when another process stored them
        zones = [str(z) for z in frame[dep_column]] if dep_column in frame.columns else None
        key = geometry_key(frame.geometry.to_numpy(), frame.crs.to_wkt(), zones, tolerance_m, decimals)
        geoms = cached_geometries(key, len(frame), lambda: _simplified(frame, tolerance_m, dep_column, decimals).geometry.to_numpy())
        result = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=gpd.GeoSeries(geoms, index=frame.index, crs=WGS84))
    else:
        result = _simplified(frame, tolerance_m, dep_column, decimals)
    result.index = original_index
    return result


def _simplified(frame: gpd.GeoDataFrame, tolerance_m: float, dep_column: str, decimals: int) -> gpd.GeoDataFrame:
    """The simplification of :func:`simplify_for_map` on a frame with a default index (rows in order)."""
    if dep_column in frame.columns:
        parts = split_by_metric_crs(frame, dep_column)
    else:
        parts = {"EPSG:2154": frame.to_crs("EPSG:2154")}
    out = [_simplify_part(part, tolerance_m) for part in parts.values()]
    result = gpd.GeoDataFrame(pd.concat(out), geometry="geometry", crs=WGS84).sort_index()
    rounded = repair_polygonal(round_coordinates(result.geometry, decimals))
    result["geometry"] = gpd.GeoSeries(rounded, index=result.index, crs=WGS84)
    return result


__all__ = [
    "DEFAULT_DECIMALS",
    "EXTENT_RATIO",
    "TOLERANCE_M",
    "repair_polygonal",
    "round_coordinates",
    "simplify_for_map",
    "zone_tolerance",
]
