"""Coordinate reference systems: where to measure, where to display.

Geometries are stored and displayed in WGS84 (EPSG:4326). Areas, distances and adjacency are
computed in a projected CRS chosen per département: Lambert-93 (EPSG:2154) for metropolitan
France (Corsica included) and a local projected CRS for each overseas département.

A metric CRS is a *plane*, not a *land mass*: Guadeloupe and Martinique share EPSG:5490, Corsica
and the mainland share Lambert-93. Nearest-neighbour searches and catchments must not cross the
sea, so they are partitioned by *land unit* (:func:`distance_zone`): each overseas département
alone, Corsica (2A + 2B), and the mainland. Coastal islands of mainland départements (Belle-Île,
Yeu, Ouessant...) stay in the mainland unit: they belong to a mainland département's territory.

Département codes are normalised with :func:`ess_geo.reference.codes.normalize_dep_code` (``971`` →
``"971"``, ``"2a"`` → ``"2A"``); an unknown code raises :class:`~ess_geo.errors.UnknownCodeError`
instead of silently falling back to Lambert-93.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ess_geo.errors import CrsError
from ess_geo.reference.codes import normalize_dep_code, normalize_dep_codes

if TYPE_CHECKING:  # annotations only: geopandas and pandas are loaded by the functions reading geometry
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "CORSICA",
    "LAMBERT93",
    "LAND_UNIT_LABELS",
    "MAINLAND",
    "OVERSEAS_CRS",
    "WGS84",
    "distance_zone",
    "metric_crs_for",
    "metric_crs_for_many",
    "require_crs",
    "split_by_distance_zone",
    "split_by_metric_crs",
    "zone_crs",
]

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


#: Land unit of the mainland (metropolitan France without Corsica).
MAINLAND = "metropole"
#: Land unit of Corsica (2A and 2B).
CORSICA = "corse"
#: French label of each land unit (for notes shown to planners).
LAND_UNIT_LABELS: dict[str, str] = {
    MAINLAND: "France métropolitaine continentale",
    CORSICA: "Corse",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}


def metric_crs_for(code_dep: str | int) -> str:
    """Return the projected CRS in which to measure a département.

    Parameters
    ----------
    code_dep : str or int
        Département code, normalised first (``"01"``, ``1``, ``"2a"``, ``971``).

    Returns
    -------
    str
        ``"EPSG:2154"`` for metropolitan France, the local CRS for an overseas département.

    Raises
    ------
    UnknownCodeError
        If ``code_dep`` is not one of the 101 départements.
    """
    return OVERSEAS_CRS.get(normalize_dep_code(code_dep), LAMBERT93)


def distance_zone(code_dep: str | int) -> str:
    """Return the land unit of a département: the zone within which distances may be measured.

    Parameters
    ----------
    code_dep : str or int
        Département code, normalised first.

    Returns
    -------
    str
        The overseas département code itself (``"971"``...), :data:`CORSICA` (``"corse"``) for
        2A and 2B, :data:`MAINLAND` (``"metropole"``) otherwise. Two communes in different units
        are separated by the sea: no straight-line distance between them is meaningful.

    Raises
    ------
    UnknownCodeError
        If ``code_dep`` is not one of the 101 départements.
    """
    code = normalize_dep_code(code_dep)
    if code in OVERSEAS_CRS:
        return code
    if code in ("2A", "2B"):
        return CORSICA
    return MAINLAND


def zone_crs(zone: str) -> str:
    """Return the metric CRS of a land unit (:func:`distance_zone`).

    Parameters
    ----------
    zone : str
        A land unit: ``"metropole"``, ``"corse"`` or an overseas département code.

    Returns
    -------
    str
        Lambert-93 for the mainland and Corsica, the local CRS of an overseas département.

    Raises
    ------
    CrsError
        If ``zone`` is not a land unit.
    """
    if zone in (MAINLAND, CORSICA):
        return LAMBERT93
    if zone in OVERSEAS_CRS:
        return OVERSEAS_CRS[zone]
    msg = f"unknown land unit {zone!r}; allowed: {sorted(LAND_UNIT_LABELS)}"
    raise CrsError(msg, fr=f"zone de distance inconnue : {zone!r}")


def _map_codes(codes: pd.Series, func) -> pd.Series:
    """Apply ``func`` to each distinct code once; report every unknown code at once."""
    uniques = list(codes.unique())
    normalize_dep_codes(uniques)  # raises UnknownCodeError naming every unknown value
    return codes.map({u: func(u) for u in uniques})


def metric_crs_for_many(codes_dep) -> str:
    """Return the single metric CRS valid for all the given départements.

    Parameters
    ----------
    codes_dep : iterable of str or int
        Département codes (normalised first).

    Returns
    -------
    str
        The common metric CRS. Départements in different CRS zones (mainland and an overseas
        département, or two overseas départements far apart) have no meaningful common plane;
        Lambert-93 is returned then, and callers measuring distances should split by zone
        (see :func:`split_by_metric_crs`).

    Raises
    ------
    UnknownCodeError
        If a code is not one of the 101 départements.
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
        Column holding the département code of each row (str or int; normalised).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        One projected copy per metric CRS present (the input is not modified). A metric CRS may
        span several land units (971 and 972; Corsica and the mainland): split by
        :func:`distance_zone` before measuring distances.

    Raises
    ------
    CrsError
        If ``gdf`` has no CRS.
    UnknownCodeError
        If a value of ``dep_column`` is not a département code.
    """
    require_crs(gdf, "gdf")
    zones = _map_codes(gdf[dep_column], metric_crs_for)
    return {crs: gdf[zones == crs].to_crs(crs) for crs in zones.unique()}


def split_by_distance_zone(gdf: gpd.GeoDataFrame, dep_column: str = "code_dep") -> dict[str, gpd.GeoDataFrame]:
    """Split a frame by land unit (:func:`distance_zone`) and project each part to its metric CRS.

    Use this rather than :func:`split_by_metric_crs` before nearest-neighbour searches or
    catchments, so that no distance crosses the sea.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Frame in any declared CRS, with a département column.
    dep_column : str, default "code_dep"
        Column holding the département code of each row (str or int; normalised).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        One projected copy per land unit present, keyed by unit (the input is not modified).

    Raises
    ------
    CrsError
        If ``gdf`` has no CRS.
    UnknownCodeError
        If a value of ``dep_column`` is not a département code.
    """
    require_crs(gdf, "gdf")
    zones = _map_codes(gdf[dep_column], distance_zone)
    return {zone: gdf[zones == zone].to_crs(zone_crs(zone)) for zone in zones.unique()}


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
