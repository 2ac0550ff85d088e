"""The vectorised GeoJSON features equal geopandas' ``to_geo_dict`` on real geography."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from ess_geo.reference import geography
from ess_geo.render.geojson import feature_collection, geometry_mappings
from ess_geo.render.simplify import simplify_for_map


def _expected(properties: dict, geoms: np.ndarray) -> dict:
    return gpd.GeoDataFrame(properties, geometry=geoms, crs="EPSG:4326").to_geo_dict(show_bbox=False, drop_id=False)


def test_communes_of_a_region_equal_to_geo_dict() -> None:
    com = geography.load_communes()
    com = com[com["code_dep"].isin(["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"])]
    frame = simplify_for_map(com, tolerance_m=300.0, keep=["code_insee", "nom", "code_dep"])
    geoms = frame.geometry.to_numpy()
    types = set(shapely.get_type_id(geoms).tolist())
    assert types == {3, 6}  # polygons and multipolygons, some with holes
    assert (shapely.get_num_interior_rings(shapely.get_parts(geoms)) > 0).any()
    props = {"titre": [f"{n} ({c})" for n, c in zip(frame["nom"], frame["code_insee"], strict=True)], "s": list(range(len(frame)))}
    assert feature_collection(props, geoms) == _expected(props, geoms)


def test_overseas_points_empty_and_missing_equal_to_geo_dict() -> None:
    deps = geography.load_departements()
    deps = deps[deps["code_dep"].isin(["971", "974", "976", "2A"])].to_crs("EPSG:4326")
    geoms = np.array(
        [*deps.geometry.to_numpy(), shapely.Point(2.35, 48.85), shapely.Point(1, 2, 3), shapely.Polygon(), None,
         shapely.LineString([(0, 0), (1, 1)])],
        dtype=object,
    )
    props = {"s": list(range(len(geoms))), "t": ["a&amp;b"] * len(geoms)}
    assert feature_collection(props, geoms) == _expected(props, geoms)
    assert geometry_mappings(np.array([shapely.Polygon()], dtype=object)) == [None]
