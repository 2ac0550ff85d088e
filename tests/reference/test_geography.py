"""Real-geography tests on the embedded COG 2025 data."""

from __future__ import annotations

import pytest

import ess_geo
from ess_geo.errors import UnknownCodeError
from ess_geo.reference import codes, geography


def test_counts_and_code_formats():
    communes = geography.load_communes()
    deps = geography.load_departements()
    regs = geography.load_regions()
    assert len(communes) == 34875
    assert len(deps) == 101
    assert len(regs) == 18
    for frame, col, width in ((communes, "code_insee", 5), (deps, "code_dep", 2)):
        assert frame[col].map(type).eq(str).all()
        assert frame[col].str.len().ge(width).all()
    assert {"01", "2A", "2B", "971", "976"} <= set(deps["code_dep"])
    assert {"01001", "2A004", "97101"} <= set(communes["code_insee"])
    assert deps.crs.to_epsg() == 4326


def test_departement_population_sums_communes():
    communes = geography.load_communes()
    deps = geography.load_departements()
    assert deps["population"].sum() == communes["population"].sum()
    paris = deps.set_index("code_dep").loc["75"]
    assert paris["nom"] == "Paris"
    assert 2_000_000 < paris["population"] < 2_300_000


@pytest.mark.parametrize(
    ("dep", "expected"),
    [
        ("75", ["92", "93", "94"]),
        ("2A", ["2B"]),
        ("2B", ["2A"]),
        ("13", ["30", "83", "84"]),
        ("29", ["22", "56"]),
        ("971", []),
        ("974", []),
    ],
)
def test_known_neighbours(dep, expected):
    assert geography.neighbours(dep) == expected


def test_region_departements():
    assert codes.departements_of_region("11") == ["75", "77", "78", "91", "92", "93", "94", "95"]
    assert codes.departements_of_region("94") == ["2A", "2B"]
    assert codes.departements_of_region("1") == ["971"]


@pytest.mark.parametrize(("raw", "code"), [(1, "01"), ("1", "01"), ("01", "01"), ("02A", "2A"), ("2b", "2B"), (971, "971")])
def test_normalize_dep_code(raw, code):
    assert codes.normalize_dep_code(raw) == code


def test_unknown_codes_are_all_named():
    with pytest.raises(UnknownCodeError, match=r"'99'.*'xx'") as exc:
        codes.normalize_dep_codes(["75", "99", "xx"])
    assert exc.value.values == ["99", "xx"]
    with pytest.raises(UnknownCodeError, match="2A"):
        codes.normalize_dep_code("20")


def test_loaders_return_copies():
    deps = geography.load_departements()
    deps["nom"] = "changed"
    assert geography.load_departements()["nom"].iloc[0] == "Ain"


def test_provenance_recorded():
    prov = ess_geo.provenance()
    assert prov["sha256"] == "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"
    assert prov["vintage"].startswith("COG 2025")
    assert prov["report"]["communes"] == 34875


def test_postal_codes_cover_paris_arrondissements():
    cp = geography.load_postal_codes()
    assert set(cp.loc[cp["code_postal"] == "75001", "code_insee"]) == {"75056"}
    assert cp["code_postal"].str.len().eq(5).all()


@pytest.mark.shared
def test_adjacency_matches_independent_ign_2018_boundaries(shared_data):
    """Département neighbours from the embedded COG 2025 data equal those computed independently
    from the IGN Admin Express 2018 boundaries of ../shared/data (codes unchanged since), with a
    200 m snapping tolerance for that file's simplified borders."""
    import geopandas as gpd
    import shapely

    ign = gpd.read_file(shared_data / "geo" / "departements-avec-outre-mer.geojson").to_crs("EPSG:2154")
    geoms, codes = ign.geometry.values, ign["code"].to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=200)
    pairs = {
        (codes[i], codes[j])
        for i, j in zip(left, right, strict=True)
        if codes[i] < codes[j] and shapely.length(geoms[i].boundary.intersection(geoms[j].buffer(200))) > 500
    }
    adj = geography.load_adjacency()
    ours = set(zip(adj["code_dep_a"], adj["code_dep_b"], strict=True))
    assert ours == pairs
    assert ("83", "84") in ours  # Var and Vaucluse share under 1 km of border: still neighbours


def test_resolve_regions_all_one_several():
    from ess_geo.reference.codes import resolve_regions

    assert resolve_regions(None) == resolve_regions("all") == resolve_regions("toutes") == sorted(
        geography.load_regions()["code_region"]
    )
    assert len(resolve_regions(None)) == 18
    assert resolve_regions("84,27") == resolve_regions(["84", 27]) == resolve_regions(" 84 ; 27 ; 84") == ["84", "27"]
    assert resolve_regions(1) == ["01"]
    with pytest.raises(UnknownCodeError, match="'99'"):
        resolve_regions("84,99")
    with pytest.raises(UnknownCodeError, match="'12'"):
        resolve_regions(["12"])


def test_former_pierrefitte_gap_belongs_to_saint_denis():
    """The 2025 gap left by Pierrefitte-sur-Seine (93/95 border) is attached to Saint-Denis."""
    import shapely

    point = shapely.Point(2.36, 48.96)
    communes = geography.load_communes()
    deps = geography.load_departements()
    assert communes.loc[communes.contains(point), "code_insee"].tolist() == ["93066"]
    assert deps.loc[deps.contains(point), "code_dep"].tolist() == ["93"]


def test_regions_union_has_no_gap_in_ile_de_france():
    import shapely

    regs = geography.load_regions()
    union = shapely.union_all(regs.geometry.values)
    idf = regs.set_index("code_region").loc["11", "geometry"]
    holes = [
        shapely.Polygon(ring)
        for poly in shapely.get_parts(union)
        for ring in poly.interiors
        if shapely.Polygon(ring).intersects(idf) and shapely.Polygon(ring).area > 1e-10
    ]
    assert holes == []
    assert sum(len(p.interiors) for p in shapely.get_parts(idf)) == 0


def test_provenance_reports_gaps_attached_to_communes():
    gaps = geography.provenance()["report"]["source_gaps_attached_to_communes"]
    assert any(g["code_insee"] == "93066" and 3 < g["area_km2"] < 4 for g in gaps)


def test_communes_of_some_departements_are_the_rows_of_the_whole_table():
    """Corsica (2A, 2B), an overseas département and a mainland one, given as users type them: the rows,
    geometries and order of the whole table's, read without decoding the other polygons."""
    import geopandas as gpd

    whole = geography.load_communes()
    some = geography.load_communes(["2a", "2B", 971, "1"])
    expected = whole[whole["code_dep"].isin(["2A", "2B", "971", "01"])].reset_index(drop=True)
    assert isinstance(some, gpd.GeoDataFrame) and some.crs == whole.crs
    assert some.equals(expected)
    assert set(some["code_dep"]) == {"2A", "2B", "971", "01"}
    some.loc[0, "nom"] = "modifié"  # a new frame: the next read is untouched
    assert geography.load_communes(["01"])["nom"].iloc[0] != "modifié"
    assert geography.load_communes([]).empty
    assert geography.load_communes("2A").equals(geography.load_communes(["2A"]))  # one code, not "2" and "A"
    assert set(geography.load_communes("75")["code_dep"]) == {"75"}


def test_communes_of_unknown_departements_name_them():
    with pytest.raises(UnknownCodeError, match=r"'20'.*'999'|'999'.*'20'"):
        geography.load_communes(["20", "77", "999"])
