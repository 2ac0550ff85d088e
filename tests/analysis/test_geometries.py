"""Geometries out of the analyses: proposals, coverage table, supply_by (issue 13.5)."""

from __future__ import annotations

import geopandas as gpd

from ess_geo.analysis.coverage import coverage_table
from ess_geo.analysis.density import supply_by
from ess_geo.analysis.proposal_results import PROPOSAL_COLUMNS
from ess_geo.analysis.proposals import propose_territories
from ess_geo.inputs.embedded import load_embedded_supply


def test_proposals_to_geodataframe():
    result = propose_territories("cardiologie", "53", load_embedded_supply())
    frame = result.to_geodataframe()
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs.to_epsg() == 4326
    assert list(frame.columns) == [*PROPOSAL_COLUMNS, "geometry"]
    assert len(frame) == result.n_territories >= 1
    assert list(frame["departements"]) == [",".join(p.departements) for p in result.proposals]
    assert list(frame["n_specialistes"]) == [p.total for p in result.proposals]
    assert frame.geometry.notna().all() and frame.is_valid.all()
    assert repr(result) == f"<Proposals cardiologie, région(s) 53 : {result.n_territories} territoires proposés>"


def test_coverage_table_and_supply_by_with_geometry():
    sup = load_embedded_supply()
    table = coverage_table("28", ["pediatrie"], sup, geometry=True).table
    assert isinstance(table, gpd.GeoDataFrame) and table.crs.to_epsg() == 4326
    assert sorted(table["code_dep"]) == ["14", "27", "50", "61", "76"] and table.geometry.notna().all()
    plain = coverage_table("28", ["pediatrie"], sup).table
    assert not isinstance(plain, gpd.GeoDataFrame)
    for level, n in (("departement", 101), ("region", 18), (["14", "50"], 1)):
        frame = supply_by(sup, level, specialty="pediatrie", geometry=True)
        assert isinstance(frame, gpd.GeoDataFrame) and frame.crs.to_epsg() == 4326
        assert len(frame) == n and frame.geometry.notna().all()
        assert frame.attrs["mode"] == sup.mode
