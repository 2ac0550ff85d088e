"""GeoJSON features of a map layer, built with a few vectorised shapely calls.

:func:`feature_collection` returns the same dict as ``GeoDataFrame.to_geo_dict(show_bbox=False,
drop_id=False)`` for the frames the HTML maps embed (string and int properties, a default index),
without geopandas' row-by-row ``mapping``: the rings of every polygon are read in one
:func:`shapely.get_coordinates` call. Geometries the fast path does not cover (points, lines, 3D,
empty parts) go through :func:`shapely.geometry.mapping`, as geopandas does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping

#: shapely type ids of Polygon and MultiPolygon.
_POLYGON, _MULTIPOLYGON = 3, 6


def _rings(geoms: np.ndarray) -> tuple[list[list[tuple]], np.ndarray]:
    """Rings of every part of polygonal ``geoms`` as tuples of ``(x, y)`` tuples, and each part's geometry index."""
    parts, part_geom = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords = shapely.get_coordinates(rings).tolist()
    ends = np.cumsum(shapely.get_num_coordinates(rings)).tolist()
    by_part: list[list[tuple]] = [[] for _ in range(len(parts))]
    start = 0
    for p, end in zip(ring_part.tolist(), ends, strict=True):
        by_part[p].append(tuple(map(tuple, coords[start:end])))
        start = end
    return by_part, part_geom


def geometry_mappings(geoms: np.ndarray) -> list[dict[str, Any] | None]:
    """``mapping(g) if g else None`` for every geometry (what ``GeoDataFrame.iterfeatures`` writes).

    Parameters
    ----------
    geoms : numpy.ndarray
        shapely geometries (None allowed).

    Returns
    -------
    list of dict or None
        GeoJSON-like mappings: Polygon coordinates a tuple of rings, MultiPolygon coordinates a
        list of polygons, as :mod:`shapely` writes them; None for a missing or empty geometry.
    """
    geoms = np.asarray(geoms, dtype=object)
    out: list[dict[str, Any] | None] = [None] * len(geoms)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    types = shapely.get_type_id(geoms)
    fast = present & np.isin(types, (_POLYGON, _MULTIPOLYGON)) & ~shapely.has_z(geoms)
    idx = np.flatnonzero(fast)
    if len(idx):
        sub = geoms[idx]
        parts = shapely.get_parts(sub)
        if shapely.is_empty(parts).any():  # an empty part: shapely's own mapping for all of them
            fast[:] = False
        else:
            by_part, part_geom = _rings(sub)
            polys: list[list[tuple]] = [[] for _ in range(len(idx))]
            for rings, g in zip(by_part, part_geom.tolist(), strict=True):
                polys[g].append(tuple(rings))
            for k, i in enumerate(idx.tolist()):
                if types[i] == _POLYGON:
                    out[i] = {"type": "Polygon", "coordinates": polys[k][0]}
                else:
                    out[i] = {"type": "MultiPolygon", "coordinates": list(polys[k])}
    for i in np.flatnonzero(present & ~fast).tolist():
        out[i] = mapping(geoms[i])
    return out


def feature_collection(properties: Mapping[str, Sequence[Any]], geoms: np.ndarray) -> dict[str, Any]:
    """A GeoJSON FeatureCollection dict: feature ``i`` has id ``str(i)``, the ``i``-th value of each property.

    Parameters
    ----------
    properties : mapping of str to sequence
        Property name → one value per geometry (Python str, int, float or None: written as is).
    geoms : numpy.ndarray
        shapely geometries.

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...]}``, equal to geopandas' ``to_geo_dict``
        of a frame with a default index and these (non-missing, Python-typed) columns.
    """
    names = list(properties)
    rows = zip(*(properties[n] for n in names), strict=True) if names else iter([()] * len(geoms))
    features = [
        {"id": str(i), "type": "Feature", "properties": dict(zip(names, row, strict=True)), "geometry": geom}
        for i, (row, geom) in enumerate(zip(rows, geometry_mappings(geoms), strict=True))
    ]
    return {"type": "FeatureCollection", "features": features}


__all__ = ["feature_collection", "geometry_mappings"]
