"""ZIP flags and outreach-site ranking on real places (Lozère, Occitanie, La Réunion)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import ess_geo.analysis.outreach as outreach_mod
import synthetic
from ess_geo.analysis.outreach import ZipResult, flag_zip, rank_outreach_sites
from ess_geo.analysis.outreach_sites import greedy_sites
from ess_geo.cli import main
from ess_geo.errors import EssGeoError, InputDataError, UnknownCodeError
from ess_geo.inputs.supply import Supply
from ess_geo.inputs.zonage import load_zonage
from ess_geo.reference.codes import departements_of_region, resolve_departements
from ess_geo.reference.geography import load_communes
from ess_geo.rules.territory import check_territory
from ess_geo.sources import Source
from synthetic import write_all_zip_zonage_synthetic

MENDE = "48095"
LANGOGNE = "48080"


def _synthetic_supply(places: dict[str, int], specialty: str = "cardiologie") -> Supply:
    dep_of = load_communes().set_index("code_insee")["code_dep"]
    table = pd.DataFrame(
        {
            "code_insee": list(places),
            "code_dep": [dep_of[c] for c in places],
            "specialty": specialty,
            "drees_group": "07-Cardiologie",
            "n_specialists": list(places.values()),
            "mode": "synthetic",
            "source": "synthetic",
        }
    )
    return Supply(table=table, source=Source(name="synthetic commune-level supply", vintage="synthetic"))


@pytest.fixture(scope="module")
def synthetic_supply_mende() -> Supply:
    """Synthetic: two cardiologists in Mende (48), none elsewhere."""
    return _synthetic_supply({MENDE: 2})


def _all_zip_zonage_synthetic(tmp_path_factory, deps: list[str], value: str = "1_ZIP"):
    """The zonage of :func:`write_all_zip_zonage_synthetic`, loaded."""
    return load_zonage(write_all_zip_zonage_synthetic(tmp_path_factory.mktemp("zon"), deps, value))


@pytest.fixture(scope="module")
def synthetic_zonage_48_all_zip(tmp_path_factory):
    """Synthetic INSEE-keyed zonage: every commune of Lozère in ZIP (no shared data needed)."""
    return _all_zip_zonage_synthetic(tmp_path_factory, ["48"])


@pytest.fixture(scope="module")
def real_zonage(zonage_file):
    return load_zonage(zonage_file)


def _territory(territory: object = None, region: object = None) -> list[str]:
    """The départements flag_zip keeps: the one parser (resolve_departements), sorted."""
    return sorted(resolve_departements(territory, region))


def test_territory_forms():
    assert _territory(region="76")[:3] == ["09", "11", "12"]
    assert _territory(region=76) == _territory(region="76")
    assert _territory(["48", 12]) == ["12", "48"]
    assert _territory(("75",)) == ["75"]  # Paris, not Nouvelle-Aquitaine

    class Check:
        departements = ("2a", "2B")

    assert _territory(Check()) == ["2A", "2B"]
    with pytest.raises(UnknownCodeError, match="'99'"):
        _territory(["48", "99"])
    with pytest.raises(InputDataError, match="departements must be a département code"):
        _territory(3.5)


def test_bare_code_is_a_departement_like_check_territory(synthetic_zonage_48_all_zip):
    """Regression (issue 10): check_territory(s, "77") was accepted while outreach refused "77" as ambiguous.

    The one parser (ess_geo.reference.codes.resolve_departements) reads a bare code as a
    département everywhere; a région is given with region=.
    """
    assert _territory("75") == ["75"]  # Paris; Nouvelle-Aquitaine is region="75"
    assert _territory(76) == ["76"]
    assert _territory("2A") == ["2A"]
    assert _territory("77") == check_territory("cardiologie", "77").departements == ["77"]
    assert _territory("09,31") == ["09", "31"]
    # both: the union, as check_territory
    assert _territory(["75"], region="75") == sorted([*departements_of_region("75"), "75"])
    assert _territory(["75"], region="75") == sorted(check_territory("cardiologie", ["75"], region="75").departements)
    res = flag_zip("48", "cardiologie", None, synthetic_zonage_48_all_zip)
    assert res.departements == ["48"] and set(res.communes["code_dep"]) == {"48"}
    assert flag_zip(48, "cardiologie", None, synthetic_zonage_48_all_zip).departements == ["48"]
    with pytest.raises(InputDataError, match="no territory"):
        _territory()
    with pytest.raises(InputDataError, match="region must be one région code"):
        _territory(region=["75"])
    with pytest.raises(UnknownCodeError, match="'99'"):
        _territory(region="99")
    with pytest.raises(InputDataError, match="no territory"):
        _territory([])
    with pytest.raises(InputDataError, match="commune codes: 48095"):
        flag_zip(["48095"], "cardiologie", None, synthetic_zonage_48_all_zip)


def test_greedy_sites_hand_checked():
    """Tiny synthetic instance of the pure greedy selection, solved by hand.

    Weights 10, 5, 5, 8 on positions 0-3; candidate A serves {0, 1}, B {1, 2, 3}, C {0}, D {}.
    Round 1: A adds 15, B 18, C 10 → B. Round 2: A adds 10 (1 is served), C 10 → tie, A is
    listed first → A. Round 3: C adds 0 (0 is served), D nothing → stop, though k = 4.
    """
    catchments = [np.array([0, 1]), np.array([1, 2, 3]), np.array([0]), np.array([], dtype=int)]
    weights = np.array([10.0, 5.0, 5.0, 8.0])
    picks = greedy_sites(catchments, weights, k=4)
    assert [p.candidate for p in picks] == [1, 0]
    assert [p.new.tolist() for p in picks] == [[1, 2, 3], [0]]
    assert [p.gain for p in picks] == [18.0, 10.0]
    assert [p.candidate for p in greedy_sites(catchments, weights, k=1)] == [1]
    assert greedy_sites(catchments, np.zeros(4), k=3) == []  # nobody to serve: no site
    assert weights.tolist() == [10.0, 5.0, 5.0, 8.0]  # inputs not modified


def test_flag_synthetic_distances(synthetic_zonage_48_all_zip, synthetic_supply_mende):
    res = flag_zip(["48"], "cardiologie", synthetic_supply_mende, synthetic_zonage_48_all_zip)
    com = res.communes.set_index("code_insee")
    assert str(res.communes.crs) == "EPSG:4326"
    assert len(com) == int((load_communes()["code_dep"] == "48").sum())
    for col in ("nom", "code_dep", "population", "zonage", "zonage_label", "n_specialists", "distance_km", "geometry"):
        assert col in res.communes.columns
    assert com.at[MENDE, "distance_km"] == 0
    assert com.at[MENDE, "n_specialists"] == 2
    assert com.at[MENDE, "nearest_specialist_insee"] == MENDE
    # Langogne is some 35 km from Mende as the crow flies (representative points).
    assert 25 < com.at[LANGOGNE, "distance_km"] < 45
    assert com["distance_km"].ge(0).all()
    assert (com["zonage"] == "ZIP").all()
    assert res.distances_known
    assert res.sources[0].vintage.startswith("COG 2025")


def test_rank_far_zip_commune_beats_specialists_commune(synthetic_zonage_48_all_zip, synthetic_supply_mende):
    flagged = flag_zip(["48"], "cardiologie", synthetic_supply_mende, synthetic_zonage_48_all_zip)
    before = list(flagged.communes.columns)
    res = rank_outreach_sites(flagged, k=3, radius_km=30, min_population=1000)
    assert list(flagged.communes.columns) == before  # input not mutated
    com = res.communes.set_index("code_insee")
    # Mende has the specialist: hosting there serves nobody; Langogne (far, ZIP) serves people.
    assert com.at[MENDE, "host_score_population"] == 0
    assert com.at[LANGOGNE, "host_score_population"] > 0
    assert MENDE not in set(res.sites["code_insee"])
    assert list(res.sites["rank"]) == list(range(1, len(res.sites) + 1))
    assert res.sites["score_population"].is_monotonic_decreasing


def _check_sites_consistent(res: ZipResult, radius_km: float) -> None:
    com = res.communes.set_index("code_insee")
    seen: set[str] = set()
    for site in res.sites.itertuples(index=False):
        served = set(site.served)
        assert not served & seen, "two sites count the same people"
        seen |= served
        assert site.score_population == int(com.loc[list(served), "population"].sum())
        assert site.n_communes_served == len(served)
        assert (com.loc[list(served), "zonage"] == "ZIP").all()
        assert (com.loc[list(served), "distance_km"] > radius_km).all()
        assert (com.loc[list(served), "site_rank"] == site.rank).all()
    assert set(com.index[com["site_rank"].notna()]) == seen
    assert seen <= set(com.index[com["underserved"]])


@pytest.mark.shared
def test_real_zonage_lozere(real_zonage, synthetic_supply_mende):
    res = rank_outreach_sites(flag_zip(["48"], "cardiologie", synthetic_supply_mende, real_zonage), k=5, min_population=1000)
    com = res.communes.set_index("code_insee")
    assert set(com["zonage"]) <= {"ZIP", "ZAC", "ZAR", "HZ", "NA"}
    assert (com["zonage"] == "ZIP").sum() > 50  # rural Lozère: most communes in ZIP
    assert com.at[LANGOGNE, "zonage"] == "ZIP"
    assert len(res.sites) >= 1
    _check_sites_consistent(res, 30)
    assert com.at[MENDE, "host_score_population"] == 0
    json.dumps(res.to_dict())


@pytest.mark.shared
def test_real_zonage_occitanie_prefectures(real_zonage):
    """Synthetic supply: cardiologists only in the 13 préfectures of Occitanie."""
    prefs = ["09122", "11069", "12202", "30189", "31555", "32013", "34172", "46042", "48095", "65440", "66136", "81004", "82121"]
    supply = _synthetic_supply(dict.fromkeys(prefs, 3))
    res = rank_outreach_sites(flag_zip(None, "cardiologie", supply, real_zonage, region="76"), k=8, radius_km=30)
    com = res.communes.set_index("code_insee")
    assert len(com) > 4000
    assert (com.loc[prefs, "distance_km"] == 0).all()
    _check_sites_consistent(res, 30)
    assert len(res.sites) == 8
    # Sites sit away from the préfectures: every site is more than 30 km from a cardiologist
    # or serves only communes beyond 30 km.
    assert not set(res.sites["code_insee"]) & set(prefs)
    # Toulouse (préfecture, ZAR/ZAC) serves nobody; the first site serves more than 10,000 people.
    assert not com.at["31555", "host_score_population"] > 0  # 0, or NaN when not a candidate host
    assert res.sites["score_population"].iloc[0] > 10_000


def test_overseas_metric_crs(tmp_path):
    """La Réunion measured in its own CRS (EPSG:2975): Saint-Denis → Saint-Pierre 30-70 km."""
    path = write_all_zip_zonage_synthetic(tmp_path, ["974"], "ZIP")
    zon = load_zonage(path)
    res = flag_zip(["974"], "cardiologie", _synthetic_supply({"97411": 10}), zon)
    com = res.communes.set_index("code_insee")
    assert com.at["97411", "distance_km"] == 0
    assert 30 < com.at["97416", "distance_km"] < 70


def test_departement_level_supply_gives_unknown_distances(synthetic_zonage_48_all_zip):
    table = pd.DataFrame(
        {"code_dep": ["48"], "specialty": ["cardiologie"], "drees_group": ["07-Cardiologie"], "n_specialists": [5],
         "mode": ["synthetic"], "source": ["synthetic"]}
    )
    sup = Supply(table=table, source=Source(name="synthetic département supply", vintage="synthetic"))
    flagged = flag_zip(["48"], "cardiologie", sup, synthetic_zonage_48_all_zip)
    assert not flagged.distances_known
    assert flagged.communes["distance_km"].isna().all()
    assert any("distances" in n and "inconnues" in n for n in flagged.notes)
    res = rank_outreach_sites(flagged, k=2, min_population=1000)
    assert len(res.sites) == 0  # not ranked: the data cannot say where specialists practise (issue 13.4)
    assert res.unranked_fr.startswith("Sites de consultations avancées non classés : l'offre ne compte les "
                                      "spécialistes que par département")
    assert res.notes[-1] == res.unranked_fr
    assert "underserved" not in res.communes.columns


def test_no_supply(synthetic_zonage_48_all_zip):
    res = flag_zip(["48"], "cardiologie", None, synthetic_zonage_48_all_zip)
    assert res.communes["n_specialists"].isna().all()
    assert not res.distances_known


def test_bad_parameters(synthetic_zonage_48_all_zip, synthetic_supply_mende):
    flagged = flag_zip(["48"], "cardiologie", synthetic_supply_mende, synthetic_zonage_48_all_zip)
    with pytest.raises(InputDataError, match="k must be an integer >= 1, got 0"):
        rank_outreach_sites(flagged, k=0)
    with pytest.raises(InputDataError, match="radius_km must be a finite number of kilometres > 0, got -5"):
        rank_outreach_sites(flagged, radius_km=-5)
    with pytest.raises(InputDataError, match=r"unknown host class\(es\) \['XYZ'\].*'ZIP', 'ZAC'"):
        rank_outreach_sites(flagged, host_classes=("XYZ",))
    with pytest.raises(EssGeoError, match="ZipResult"):
        rank_outreach_sites("48")
    with pytest.raises(EssGeoError, match="zonage"):
        flag_zip(["48"], "cardiologie", None, 42)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"k": "abc"}, r"k must be an integer >= 1, got 'abc' \(str\)"),
        ({"k": 2.7}, r"k must be an integer >= 1, got 2.7 \(float\)"),  # refused, not truncated to 2
        ({"k": 3.0}, r"k must be an integer >= 1, got 3.0 \(float\)"),
        ({"k": True}, r"k must be an integer >= 1, got True \(bool\)"),
        ({"k": None}, r"k must be an integer >= 1, got None"),
        ({"radius_km": None}, r"radius_km must be a finite number of kilometres > 0, got None"),
        ({"radius_km": "30"}, r"radius_km .* got '30'"),
        ({"radius_km": float("nan")}, r"radius_km .* got nan"),
        ({"radius_km": float("inf")}, r"radius_km .* got inf"),
        ({"radius_km": 0}, r"radius_km .* got 0"),
        ({"radius_km": True}, r"radius_km .* got True"),
        ({"min_population": -1}, r"min_population must be an integer >= 0, got -1"),
        ({"min_population": 1500.5}, r"min_population must be an integer >= 0, got 1500.5 \(float\)"),
        ({"min_population": "2000"}, r"min_population must be an integer >= 0, got '2000' \(str\)"),
        ({"host_classes": ()}, r"host_classes is empty.*'ZIP'"),
        ({"host_classes": ("ZIP", 3)}, r"unknown host class\(es\) \[3\]"),
        ({"host_classes": 5}, r"host_classes must be a list of zonage classes .* got 5"),
    ],
)
def test_rank_parameters_validated(synthetic_zonage_48_all_zip, synthetic_supply_mende, kwargs, pattern):
    flagged = flag_zip(["48"], "cardiologie", synthetic_supply_mende, synthetic_zonage_48_all_zip)
    with pytest.raises(InputDataError, match=pattern) as exc:
        rank_outreach_sites(flagged, **kwargs)
    assert exc.value.fr  # a French one-liner for the CLI


def test_rank_accepts_numpy_and_single_class(synthetic_zonage_48_all_zip, synthetic_supply_mende):
    flagged = flag_zip(["48"], "cardiologie", synthetic_supply_mende, synthetic_zonage_48_all_zip)
    res = rank_outreach_sites(flagged, k=np.int64(2), radius_km=np.float32(25), min_population=np.int32(1000),
                              host_classes="ZIP")
    assert res.parameters["k"] == 2 and res.parameters["host_classes"] == ["ZIP"]
    assert isinstance(res.parameters["k"], int)
    assert len(res.sites) == 2


@pytest.fixture(scope="module")
def synthetic_zonage_islands(tmp_path_factory):
    """Synthetic INSEE-keyed zonage: every commune of Martinique and Corsica in ZIP."""
    return _all_zip_zonage_synthetic(tmp_path_factory, ["972", "2A", "2B"], "ZIP")


def test_distances_never_cross_the_sea(synthetic_zonage_islands):
    """Specialists only in Pointe-à-Pitre (971) and Nice (06): Martinique and Corsica have none.

    Regression: 971 and 972 share EPSG:5490 and Corsica shares Lambert-93 with the mainland; the
    nearest cardiologist of a Martinique commune used to be in Guadeloupe (~160 km over the sea).
    """
    supply = _synthetic_supply({"97120": 2, "06088": 3})
    res = flag_zip(["972", "2B"], "cardiologie", supply, synthetic_zonage_islands)
    com = res.communes
    assert set(com["code_dep"]) == {"972", "2B"}
    assert com["distance_km"].isna().all()
    assert com["nearest_specialist_insee"].isna().all()
    assert any("Martinique" in n and "par-delà la mer" in n for n in res.notes)
    assert any("Corse" in n and "par-delà la mer" in n for n in res.notes)
    ranked = rank_outreach_sites(res, k=4, radius_km=30, min_population=1000)
    com = ranked.communes.set_index("code_insee")
    for site in ranked.sites.itertuples(index=False):
        # a site serves communes of its own land unit only
        unit = {"972"} if site.code_dep == "972" else {"2A", "2B"}
        assert set(com.loc[list(site.served), "code_dep"]) <= unit


def test_distances_within_a_land_unit_cross_departements(synthetic_zonage_islands):
    """Corsica is one land unit: Ajaccio (2A) finds the Bastia (2B) cardiologist, ~100 km away."""
    supply = _synthetic_supply({"2B033": 1, "97209": 1, "06088": 3})
    res = flag_zip(["2A", "972"], "cardiologie", supply, synthetic_zonage_islands)
    com = res.communes.set_index("code_insee")
    assert com.at["2A004", "nearest_specialist_insee"] == "2B033"
    assert 90 < com.at["2A004", "distance_km"] < 120
    assert com.at["97209", "distance_km"] == 0  # Fort-de-France
    assert (com.loc[com["code_dep"] == "972", "nearest_specialist_insee"] == "97209").all()
    assert com["distance_km"].notna().all()


def test_high_floor_gives_no_site_with_a_note(synthetic_zonage_48_all_zip, synthetic_supply_mende):
    flagged = flag_zip(["48"], "cardiologie", synthetic_supply_mende, synthetic_zonage_48_all_zip)
    res = rank_outreach_sites(flagged, min_population=10**7)
    assert len(res.sites) == 0
    assert isinstance(res.sites, gpd.GeoDataFrame)
    assert any("Aucun site" in n for n in res.notes)


def test_cli_zip_writes_outputs(tmp_path):
    zon = write_all_zip_zonage_synthetic(tmp_path, ["48"], "1_ZIP")
    out = tmp_path / "out"
    rc = main(["zip", "--specialty", "cardiologie", "--departements", "48", "--zonage", str(zon), "--sites", "2",
               "--min-population", "1000", "--out", str(out)])
    assert rc == 0
    communes = gpd.read_file(out / "communes_zip.geojson")
    assert communes.crs.to_epsg() == 4326
    assert len(communes) == (load_communes()["code_dep"] == "48").sum()
    csv = pd.read_csv(out / "communes_zip.csv", dtype=str, encoding="utf-8-sig")
    assert "Zonage (libellé)" in csv.columns
    sites = pd.read_csv(out / "sites_consultations_avancees.csv", dtype=str, encoding="utf-8-sig")
    assert len(sites) == 0  # no supply: no site ranked (issue 13.4)
    payload = json.loads((out / "resultat.json").read_text(encoding="utf-8"))
    assert "aucune offre de spécialistes fournie" in payload["sites_non_classes"]
    assert payload["zonage"]["match_rate"] == 1.0
    assert np.isclose(payload["parameters"]["radius_km"], 30.0)


def test_cli_zip_region_and_departements_refused(tmp_path, capsys):
    zon = tmp_path / "zonage_synthetic.csv"
    zon.write_text("code_insee,Zonage\n48095,ZIP\n", encoding="utf-8")
    rc = main(["zip", "--specialty", "cardiologie", "--departements", "48", "--region", "76", "--zonage", str(zon)])
    assert rc == 2
    assert "pas les deux" in capsys.readouterr().err


def test_cli_zip_bad_specialty_exit_2(tmp_path, capsys):
    zon = tmp_path / "zonage_synthetic.csv"
    zon.write_text("code_insee,Zonage\n48095,ZIP\n", encoding="utf-8")
    rc = main(["zip", "--specialty", "plomberie", "--departements", "48", "--zonage", str(zon)])
    assert rc == 2
    assert "Erreur" in capsys.readouterr().err


@pytest.fixture(scope="module")
def synthetic_zonage_976_48_all_zip(tmp_path_factory):
    """Synthetic INSEE-keyed zonage: every commune of Mayotte and Lozère in ZIP."""
    return _all_zip_zonage_synthetic(tmp_path_factory, ["976", "48"])


def test_mayotte_population_unknown_never_zero(synthetic_zonage_976_48_all_zip, synthetic_supply_mende):
    flagged = flag_zip(["976"], "cardiologie", synthetic_supply_mende, synthetic_zonage_976_48_all_zip)
    counts = flagged.counts()
    assert counts["communes_ZIP"] == 17
    assert counts["population_ZIP"] is None and counts["population"] is None
    assert any("Population municipale inconnue pour 17 communes (Mayotte : absente du COG 2025" in n
               for n in flagged.notes)
    ranked = rank_outreach_sites(flagged)
    assert ranked.counts()["population_zip_sans_specialite"] is None
    assert len(ranked.sites) == 0
    assert any("population inconnue" in n for n in ranked.notes)
    assert json.dumps(ranked.to_dict())  # None, not NaN, in JSON
    # a mixed territory: Lozère's population stays known, the total is unknown
    mixed = flag_zip(["48", "976"], "cardiologie", synthetic_supply_mende, synthetic_zonage_976_48_all_zip)
    assert mixed.counts()["population"] is None
    assert rank_outreach_sites(mixed, k=1).sites["score_population"].iloc[0] > 0


def test_cli_zip_mayotte_and_unknown_distances_headline(synthetic_zonage_976_48_all_zip, tmp_path, capsys):
    zon = write_all_zip_zonage_synthetic(tmp_path, ["976"], "1_ZIP")
    rc = main(["zip", "--specialty", "cardiologie", "--departements", "976", "--zonage", str(zon)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "17 communes ZIP (population inconnue)" in out and "0 hab." not in out
    # no supply: distances unknown, never stated as facts
    assert "distances au spécialiste inconnues" in out and "sans spécialiste à moins de" not in out


def test_cli_zip_headline_known_distances_plurals(tmp_path, capsys, monkeypatch, synthetic_supply_mende):
    monkeypatch.setattr(outreach_mod, "as_supply", lambda _s: synthetic_supply_mende)
    monkeypatch.setattr("ess_geo.cli.zip_cmd.as_supply", lambda _s: synthetic_supply_mende)  # the CLI loads it once
    zon = write_all_zip_zonage_synthetic(tmp_path, ["48"], "1_ZIP")
    out_dir = tmp_path / "deep" / "missing" / "dir"  # missing folders are created
    rc = main(["zip", "-s", "cardiologie", "-d", "48", "--zonage", str(zon), "--supply", "synthetic.csv",
               "--sites", "1", "--radius-km", "10", "--out", str(out_dir)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "département 48 :" in out and "sans spécialiste à moins de 10 km" in out
    assert "\u202f" in out  # thousands separators
    csv = pd.read_csv(out_dir / "communes_zip.csv", dtype=str, encoding="utf-8-sig")
    assert set(csv["ZIP sans spécialiste dans le rayon"]) <= {"oui", "non"}
    dist = csv["Distance au spécialiste le plus proche (km)"].dropna()
    assert len(dist) and all(len(d.split(".")[1]) <= 1 for d in dist if "." in d)
    assert "True" not in (out_dir / "communes_zip.csv").read_text(encoding="utf-8-sig")


def test_cli_zip_unwritable_out_is_input_error(tmp_path, capsys):
    zon = tmp_path / "zonage_synthetic.csv"
    zon.write_text("code_insee,Zonage\n48095,ZIP\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    rc = main(["zip", "-s", "cardiologie", "-d", "48", "--zonage", str(zon), "--out", str(blocker / "sub")])
    err = capsys.readouterr().err
    assert rc == 2 and "Erreur : impossible de créer le dossier de sortie" in err and "Traceback" not in err


def test_cli_zip_lists_only_the_territory_unmatched_lines(zonage_file, capsys):
    rc = main(["zip", "-s", "cardiologie", "-d", "2A,2B", "--zonage", str(zonage_file)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "Neussargues" not in out and "Saint-Martin" not in out
    assert "9 autres lignes du fichier hors du territoire" in out
    rc = main(["zip", "-s", "cardiologie", "-d", "15", "--zonage", str(zonage_file)])
    out = capsys.readouterr().out
    assert "Neussargues" in out and "8 autres lignes" in out


# ----------------------------------------------------------------------------- acceptance findings


def _departement_supply_synthetic(n: int = 5) -> Supply:
    """Synthetic département-level supply (DREES-shaped): n cardiologists in Lozère, no commune."""
    table = pd.DataFrame(
        {"code_dep": ["48"], "specialty": ["cardiologie"], "drees_group": ["07-Cardiologie"], "n_specialists": [n],
         "mode": ["synthetic"], "source": ["synthetic"]}
    )
    return Supply(table=table, source=Source(name="synthetic département supply", vintage="synthetic"))


def test_unlocated_supply_ranks_no_site_and_says_why(synthetic_zonage_48_all_zip, synthetic_supply_mende):
    """Issue 13.4: sites are ranked only from a commune-level supply; otherwise none, and one line says why."""
    flagged = flag_zip(["48"], "cardiologie", _departement_supply_synthetic(5), synthetic_zonage_48_all_zip)
    assert flagged.ranking_basis_fr == "" and flagged.unranked_fr == ""  # before ranking
    assert any("5 spécialistes dans le territoire, non localisés" in n for n in flagged.notes)
    res = rank_outreach_sites(flagged, k=2, min_population=1000)
    assert not res.ranking_located and len(res.sites) == 0 and res.ranking_basis_fr == ""
    assert "extraction RPPS par commune" in res.unranked_fr and "\n" not in res.unranked_fr
    payload = res.to_dict()
    assert payload["sites"] == [] and payload["sites_non_classes"] == res.unranked_fr
    zip_communes = res.zip_communes()
    assert len(zip_communes) == len(res.communes) == len(payload["communes_zip"])  # every commune is ZIP here
    assert zip_communes["population"].iloc[0] == res.communes["population"].max()  # most populated first
    assert "underserved" not in res.counts() and res.counts()["communes_ZIP"] == len(zip_communes)
    assert repr(res).startswith("<ZipResult cardiologie sur 48 : ") and repr(res).endswith("ZIP, sites non classés>")
    # no supply at all: said as such
    none = rank_outreach_sites(flag_zip(["48"], "cardiologie", None, synthetic_zonage_48_all_zip), min_population=1000)
    assert len(none.sites) == 0 and "aucune offre de spécialistes fournie" in none.unranked_fr
    # located supply: the scores only count ZIP communes without a specialist nearby
    located = rank_outreach_sites(
        flag_zip(["48"], "cardiologie", synthetic_supply_mende, synthetic_zonage_48_all_zip), k=1, radius_km=12.5
    )
    assert located.ranking_located and len(located.sites) == 1 and located.unranked_fr == ""
    assert repr(located).endswith(", 1 site>")
    assert located.to_dict()["sites_non_classes"] is None
    assert located.ranking_basis_fr.startswith("population des communes ZIP sans spécialiste à moins de 12,5 km")
    assert "sans spécialiste à moins de 12,5 km" in located.site_label_fr(1234)
    assert "1\u202f234 hab." in located.site_label_fr(1234)


def test_cli_zip_departement_supply_real_files(drees_effectifs, zonage_file, tmp_path, capsys):
    """Acceptance: Seine-et-Marne has 101 cardiologists, not located: no site ranked, and one line says why."""
    rc = main(["zip", "-s", "cardiologie", "-d", "77", "--zonage", str(zonage_file), "--supply", str(drees_effectifs),
               "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert rc == 0
    assert "101 spécialistes dans le territoire, non localisés" in out
    assert "Note : Sites de consultations avancées non classés : l'offre ne compte les spécialistes que par " in out
    assert "Sites de consultations avancées (rayon" not in out and "Classement :" not in out
    assert "Communes ZIP (" in out and "hab." in out
    assert not (tmp_path / "out" / "sites_consultations_avancees.geojson").exists()
    assert "38\u202f898 lignes de zonage sur 38\u202f907" in out
    # sources at the end, one line per source
    tail = out[out.index("Sources :"):].splitlines()
    assert tail[0] == "Sources :" and len(tail) == 4
    assert any("DREES" in line for line in tail) and any("Zonage des médecins" in line for line in tail)
    # French headers for the rejected zonage lines
    rejected = pd.read_csv(tmp_path / "out" / "zonage_lignes_non_rattachees.csv", dtype=str, encoding="utf-8-sig")
    assert {"Ligne du fichier", "Code postal", "Nom de commune", "Motif", "Statut"} <= set(rejected.columns)
    assert not {"line", "reason", "candidates"} & set(rejected.columns)


def test_cli_zip_dermatologie_region_24_ranks_only_from_commune_supply(drees_effectifs, zonage_file, tmp_path, capsys):
    """Issue 13.4 done: with the DREES table, région 24 dermatologie ranks no site; with a synthetic
    commune-level RPPS extraction (dermatologists in Orléans, Tours and Bourges) it does."""
    args = ["zip", "-s", "dermatologie", "-r", "24", "--zonage", str(zonage_file), "--json"]
    assert main([*args, "--supply", str(drees_effectifs)]) == 0
    drees = json.loads(capsys.readouterr().out)
    assert drees["sites"] == [] and "extraction RPPS par commune" in drees["sites_non_classes"]
    assert drees["communes_zip"] and drees["communes_zip"][0]["population"] > 0
    lines = [synthetic.doctor_line(n, "SM15", commune=insee, cp=cp, commune_label=name)
             for n, (insee, cp, name) in enumerate([("45234", "45000", "ORLEANS"), ("37261", "37000", "TOURS"),
                                                    ("18033", "18000", "BOURGES")], start=1)]
    rpps = synthetic.write_rpps(tmp_path / "rpps_dermatologie_synthetic.txt", lines)
    assert main([*args, "--supply", str(rpps)]) == 0
    located = json.loads(capsys.readouterr().out)
    assert located["sites_non_classes"] is None and located["distances_known"]
    assert 1 <= len(located["sites"]) <= 5
    assert {s["code_insee"] for s in located["sites"]}.isdisjoint({"45234", "37261", "18033"})


def test_cli_zip_integer_columns_and_sources(tmp_path, capsys, monkeypatch, synthetic_supply_mende):
    monkeypatch.setattr(outreach_mod, "as_supply", lambda _s: synthetic_supply_mende)
    monkeypatch.setattr("ess_geo.cli.zip_cmd.as_supply", lambda _s: synthetic_supply_mende)  # the CLI loads it once
    zon = write_all_zip_zonage_synthetic(tmp_path, ["48"], "1_ZIP")
    out_dir = tmp_path / "out"
    rc = main(["zip", "-s", "cardiologie", "-d", "48", "--zonage", str(zon), "--supply", "synthetic.csv",
               "--sites", "2", "--min-population", "1000", "--out", str(out_dir)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "Classement : population des communes ZIP sans spécialiste à moins de 30 km" in out
    lines = out.rstrip().splitlines()
    assert lines[-4] == "Sources :"  # last: geography, zonage, supply
    assert "Référentiel géographique" in lines[-3] and "synthetic commune-level supply" in lines[-1]
    csv = pd.read_csv(out_dir / "communes_zip.csv", dtype=str, encoding="utf-8-sig")
    assert set(csv["Spécialistes dans la commune"]) == {"0", "2"}
    hosts = csv["Population ZIP non desservie dans le rayon (commune hôte)"].dropna()
    assert len(hosts) and all("." not in v for v in hosts)
    # --json: no « Sources : » text, the sources are in the JSON
    rc = main(["zip", "-s", "cardiologie", "-d", "48", "--zonage", str(zon), "--supply", "synthetic.csv", "--json"])
    out = capsys.readouterr().out
    assert rc == 0 and "Sources :" not in out and json.loads(out)["sources"]
