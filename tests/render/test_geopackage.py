"""GeoPackage export: French layers, read back with geopandas (pyogrio), written atomically (issue 13.5)."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

from ess_geo.errors import InputDataError
from ess_geo.render.geopackage import LAYERS_FR, check_layers, write_geopackage
from ess_geo.rules.territory import check_territory


def test_check_layers_round_trip(tmp_path):
    check = check_territory("pediatrie", "14,50,61", adherents=20)
    path = write_geopackage(check_layers(check), tmp_path / "sous" / "territoire.gpkg")
    assert [name for name, _ in pyogrio.list_layers(path)] == ["territoire", "departements"]
    assert set(LAYERS_FR) >= {"territoire", "departements", "communes_zip", "sites", "propositions"}
    territory = gpd.read_file(path, layer="territoire", engine="pyogrio")
    assert territory.crs.to_epsg() == 4326
    assert territory.iloc[0]["verdict"] == "admissible" and territory.iloc[0]["adherents"] == 20
    deps = gpd.read_file(path, layer="departements", engine="pyogrio")
    assert list(deps["code_dep"]) == ["14", "50", "61"]
    assert [p.name for p in path.parent.iterdir()] == ["territoire.gpkg"]  # no temporary file left


def test_lists_become_text_and_bad_paths_are_refused(tmp_path):
    frame = gpd.GeoDataFrame({"served": [["48095", "48080"]]}, geometry=[Point(3.5, 44.5)], crs=4326)
    path = write_geopackage({"sites": frame, "communes_zip": None}, tmp_path / "s.gpkg")
    assert gpd.read_file(path, layer="sites").iloc[0]["served"] == "48095;48080"
    with pytest.raises(InputDataError, match=r"must end with \.gpkg, got '.*s\.shp'"):
        write_geopackage({"sites": frame}, tmp_path / "s.shp")
    with pytest.raises(InputDataError, match="every layer is empty"):
        write_geopackage({"sites": frame.iloc[0:0]}, tmp_path / "vide.gpkg")
