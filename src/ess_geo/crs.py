"""Coordinate reference systems: where to measure, where to display.

Geometries are stored and displayed in WGS84 (EPSG:4326). Areas, distances and adjacency are
computed in a projected CRS chosen per département: Lambert-93 (EPSG:2154) for metropolitan
France (Corsica included) and a local projected CRS for each overseas département.
"""

from __future__ import annotations

import geopandas as gpd

from ess_geo.errors import CrsError

#: Storage and display CRS.
WGS84 = "EPSG:4326"
#: Lambert-93, metric CRS for metropolitan France (Corsica included).
LAMBERT93 = "EPSG:2154"

#: Metric CRS of each overseas département (code INSEE -> EPSG code).
OVERSEAS_CRS: dict[str, str] = {
    "971": "EPSG:5490",  # Guadeloupe: RGAF09 / UTM 20N
    "972": "EPSG:5490",  # Martinique: RGAF09 / UTM 20N
    "973": "EPSG:2972",  # Guyane: RGFG95 / UTM 22N
    "974": "EPSG:2975",  # La Réunion: RGR92 / UTM 40S
    "976": "EPSG:4471",  # Mayotte: RGM04 / UTM 38S
}


def metric_crs_for(code_dep: str) -> str:
    """Return the projected CRS in which to measure a département.

    Parameters
    ----------
    code_dep : str
        Zero-padded département code (``"01"``, ``"2A"``, ``"971"``).

    Returns
    -------
    str
        ``"EPSG:2154"`` for metropolitan France, the local CRS for an overseas département.
    """
    return OVERSEAS_CRS.get(code_dep, LAMBERT93)


def metric_crs_for_many(codes_dep) -> str:
    """Return the single metric CRS valid for all the given départements.

    Parameters
    ----------
    codes_dep : iterable of str
        Département codes.

    Returns
    -------
    str
        The common metric CRS. Départements in different CRS zones (mainland and an overseas
        département, or two overseas départements far apart) have no meaningful common plane;
        Lambert-93 is returned then, and callers measuring distances should split by zone
        (see :func:`split_by_metric_crs`).
    """
    crss = {metric_crs_for(c) for c in codes_dep}
    if len(crss) == 1:
        return crss.pop()
    return LAMBERT93


def split_by_metric_crs(gdf: gpd.GeoDataFrame, dep_column: str = "code_dep") -> dict[str, gpd.GeoDataFrame]:
    """Split a frame by metric CRS zone and project each part to its CRS.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Frame in any declared CRS, with a département column.
    dep_column : str, default "code_dep"
        Column holding the département code of each row.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        One projected copy per metric CRS present (the input is not modified).

    Raises
    ------
    CrsError
        If ``gdf`` has no CRS.
    """
    require_crs(gdf, "gdf")
    zones = gdf[dep_column].map(metric_crs_for)
    return {crs: gdf[zones == crs].to_crs(crs) for crs in zones.unique()}


def require_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, name: str) -> None:
    """Raise :class:`CrsError` if a frame has no CRS (we never guess one).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or geopandas.GeoSeries
        The frame to check.
    name : str
        Parameter name used in the message.

    Raises
    ------
    CrsError
        If ``gdf.crs`` is None.
    """
    if gdf.crs is None:
        msg = (
            f"{name} has no CRS: set it explicitly (for example gdf.set_crs('EPSG:4326')); "
            "ess_geo never guesses a CRS"
        )
        raise CrsError(msg)


def to_metric(gdf: gpd.GeoDataFrame, code_dep: str | None = None, crs: str | None = None) -> gpd.GeoDataFrame:
    """Project a frame to a metric CRS for measuring (returns a copy).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Frame with a declared CRS.
    code_dep : str, optional
        Département whose metric CRS to use.
    crs : str, optional
        Explicit target CRS; wins over ``code_dep``. Default Lambert-93.

    Returns
    -------
    geopandas.GeoDataFrame
        Projected copy.

    Raises
    ------
    CrsError
        If ``gdf`` has no CRS.
    """
    require_crs(gdf, "gdf")
    target = crs or (metric_crs_for(code_dep) if code_dep else LAMBERT93)
    return gdf.to_crs(target)


def to_web(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Project a frame to WGS84 for display (returns a copy).

    Raises
    ------
    CrsError
        If ``gdf`` has no CRS.
    """
    require_crs(gdf, "gdf")
    return gdf.to_crs(WGS84)
