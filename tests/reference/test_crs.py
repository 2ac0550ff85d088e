"""Metric CRS and land units per département; cached commune representative points."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from ess_geo.errors import CrsError, UnknownCodeError
from ess_geo.reference.crs import (
    CORSICA,
    LAMBERT93,
    LAND_UNIT_LABELS,
    MAINLAND,
    OVERSEAS_CRS,
    distance_zone,
    metric_crs_for,
    metric_crs_for_many,
    split_by_distance_zone,
    split_by_metric_crs,
    zone_crs,
)
from ess_geo.reference.geography import load_communes
from ess_geo.reference.points import commune_points


@pytest.mark.parametrize(
    ("code", "crs"),
    [("75", LAMBERT93), (1, LAMBERT93), ("1", LAMBERT93), ("2a", LAMBERT93), ("2B", LAMBERT93),
     (971, "EPSG:5490"), ("972", "EPSG:5490"), (973, "EPSG:2972"), ("974", "EPSG:2975"), (976, "EPSG:4471")],
)
def test_metric_crs_for_normalises(code, crs):
    assert metric_crs_for(code) == crs


@pytest.mark.parametrize("bad", ["99", 99, "20", "975", "", None, "abc", 971.5])
def test_metric_crs_for_unknown_code_raises(bad):
    """Regression: '99' (or an int 971 before normalisation) silently gave Lambert-93."""
    with pytest.raises(UnknownCodeError, match="unknown departement code"):
        metric_crs_for(bad)


def test_distance_zone():
    assert distance_zone("75") == MAINLAND == distance_zone(6) == distance_zone("29")
    assert distance_zone("2a") == CORSICA == distance_zone("2B")
    for code in OVERSEAS_CRS:
        assert distance_zone(int(code)) == code
    # 971 and 972 share a CRS but not a land mass
    assert metric_crs_for("971") == metric_crs_for("972") and distance_zone("971") != distance_zone("972")
    assert set(LAND_UNIT_LABELS) == {MAINLAND, CORSICA, *OVERSEAS_CRS}
    with pytest.raises(UnknownCodeError, match=r"'20'.*Corsica is '2A' and '2B'"):
        distance_zone("20")


def test_zone_crs():
    assert zone_crs(MAINLAND) == zone_crs(CORSICA) == LAMBERT93
    assert zone_crs("976") == "EPSG:4471"
    with pytest.raises(CrsError, match="unknown land unit 'atlantide'"):
        zone_crs("atlantide")


def test_metric_crs_for_many():
    assert metric_crs_for_many(["971", 972]) == "EPSG:5490"
    assert metric_crs_for_many(["75", "974"]) == LAMBERT93
    with pytest.raises(UnknownCodeError, match="'99'"):
        metric_crs_for_many(["75", "99"])


@pytest.fixture
def synthetic_boxes() -> gpd.GeoDataFrame:
    """Synthetic: one tiny box per row, int and lower-case département codes."""
    return gpd.GeoDataFrame(
        {"code_dep": [971, 972, "2a", 75, 1]},
        geometry=[shapely.box(-61.6, 16.2, -61.5, 16.3), shapely.box(-61.1, 14.6, -61.0, 14.7),
                  shapely.box(8.7, 41.9, 8.8, 42.0), shapely.box(2.3, 48.8, 2.4, 48.9), shapely.box(5.2, 46.2, 5.3, 46.3)],
        crs="EPSG:4326",
    )


def test_split_by_metric_crs_int_codes(synthetic_boxes):
    """Regression: int 971 was projected into Lambert-93."""
    parts = split_by_metric_crs(synthetic_boxes)
    assert set(parts) == {"EPSG:5490", LAMBERT93}
    assert len(parts["EPSG:5490"]) == 2 and len(parts[LAMBERT93]) == 3
    assert parts["EPSG:5490"].crs.to_epsg() == 5490
    assert synthetic_boxes.crs.to_epsg() == 4326  # input untouched


def test_split_by_metric_crs_unknown_code(synthetic_boxes):
    frame = synthetic_boxes.assign(code_dep=["971", "99", "75", "98", "01"])
    with pytest.raises(UnknownCodeError, match="'99', '98'"):
        split_by_metric_crs(frame)


def test_split_by_distance_zone(synthetic_boxes):
    parts = split_by_distance_zone(synthetic_boxes)
    assert set(parts) == {"971", "972", CORSICA, MAINLAND}
    assert parts["972"].crs.to_epsg() == 5490
    assert parts[CORSICA].crs.to_epsg() == 2154
    assert len(parts[MAINLAND]) == 2
    with pytest.raises(CrsError, match="no CRS"):
        split_by_distance_zone(synthetic_boxes.set_crs(None, allow_override=True))


def test_commune_points_real_geography():
    pts = commune_points()
    com = load_communes()
    assert len(pts) == len(com)  # nothing dropped: communes without geometry have NaN x/y
    no_geom = com.geometry.isna() | com.geometry.is_empty
    assert set(pts.loc[pts["x"].isna(), "code_insee"]) == set(com.loc[no_geom, "code_insee"])
    assert list(pts.columns) == ["code_insee", "nom", "code_dep", "code_region", "population", "x", "y", "crs",
                                 "land_unit"]
    assert set(pts["land_unit"]) == set(LAND_UNIT_LABELS)
    # each point lies inside its commune (representative point, computed in the metric CRS)
    sample = pts.dropna(subset=["x"]).groupby("land_unit").head(20)
    geoms = com.set_index("code_insee").loc[sample["code_insee"]]
    for crs in sample["crs"].unique():
        sel = (sample["crs"] == crs).to_numpy()
        poly = gpd.GeoSeries(geoms.geometry.to_numpy()[sel], crs="EPSG:4326").to_crs(crs)
        inside = poly.contains(gpd.GeoSeries(gpd.points_from_xy(sample["x"][sel], sample["y"][sel]), crs=crs))
        assert inside.all()
    martinique = commune_points(land_unit="972")
    assert (martinique["code_dep"] == "972").all() and len(martinique) == int((com["code_dep"] == "972").sum())
    antilles = commune_points(crs="EPSG:5490")
    assert set(antilles["code_dep"]) == {"971", "972"}


def test_commune_points_returns_copies():
    a = commune_points()
    a.loc[0, "x"] = -1.0
    a["extra"] = 1
    b = commune_points()
    assert b.loc[0, "x"] != -1.0 and "extra" not in b.columns


def test_commune_points_bad_filters():
    with pytest.raises(CrsError, match="'EPSG:4326' is not a metric CRS"):
        commune_points(crs="EPSG:4326")
    with pytest.raises(CrsError, match="unknown land unit 'corsica'"):
        commune_points(land_unit="corsica")
