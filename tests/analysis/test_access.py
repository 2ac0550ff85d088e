"""Tests of the E2SFCA access index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synthetic
from ess_geo.analysis.access import DEFAULT_BANDS, access_index, band_weights, e2sfca
from ess_geo.cli import main
from ess_geo.errors import InputDataError
from ess_geo.inputs.supply import Supply
from ess_geo.reference.points import commune_points
from ess_geo.rules.territory import check_territory
from ess_geo.sources import Source


@pytest.fixture
def commune_supply_synthetic() -> Supply:
    """Synthetic commune-level supply placing cardiologists in REAL communes (Corse and Bretagne)."""
    return synthetic.commune_supply_synthetic()


def test_band_weights_right_closed():
    d = np.array([0, 5, 10, 10.0001, 20, 25, 30, 30.5])
    assert band_weights(d).tolist() == [1, 1, 1, 0.68, 0.68, 0.22, 0.22, 0]


def test_e2sfca_hand_computed_synthetic():
    # three points on a line, 0 / 15 / 40 km: A (pop 1000, 2 doctors), B (pop 3000), C (pop 500, 1 doctor)
    xy = np.array([[0, 0], [15_000, 0], [40_000, 0]], dtype=float)
    pop = np.array([1000, 3000, 500], dtype=float)
    doc = np.array([2, 0, 1], dtype=float)
    acc, info = e2sfca(xy, pop, doc, DEFAULT_BANDS)
    r_a = 2 / (1000 * 1 + 3000 * 0.68)  # C is 40 km away: out of reach
    r_c = 1 / (500 * 1 + 3000 * 0.22)  # B is 25 km from C
    expected = [r_a, r_a * 0.68 + r_c * 0.22, r_c]
    assert acc == pytest.approx(expected, abs=1e-15)
    assert info["pairs_within_reach"] == 4


def test_access_index_real_communes(commune_supply_synthetic):
    res = access_index("cardiologie", commune_supply_synthetic, departements="2A,2B")
    t = res.table.set_index("code_insee")
    assert set(t["code_dep"]) == {"2A", "2B"}
    assert t.at["2A004", "access"] > 0 and t.at["2A004", "specialists"] == 12
    assert (t["access"] >= 0).all()
    assert res.dropped.count >= 1 and "99999" in str(res.dropped.to_dict())
    # supply conservation: sum over communes of P_i A_i equals the supply (all catchments have people)
    assert (t["population"] * t["access"]).sum() == pytest.approx(12 + 9 + 2, rel=1e-9)
    dep = access_index("cardiologie", commune_supply_synthetic, "departement", region="94")
    assert sorted(dep.table["code_dep"]) == ["2A", "2B"]


def test_access_index_bad_inputs(commune_supply_synthetic):
    with pytest.raises(InputDataError, match="'canton'"):
        access_index("cardiologie", commune_supply_synthetic, level="canton")
    with pytest.raises(InputDataError, match="increasing"):
        access_index("cardiologie", commune_supply_synthetic, bands=[(20, 1), (10, 0.5)])
    dep_level = Supply(
        table=commune_supply_synthetic.table.drop(columns="code_insee"), source=Source("synthetic", "test")
    )
    with pytest.raises(InputDataError, match="code_insee"):
        access_index("cardiologie", dep_level)


def test_access_territory_read_by_the_one_parser(commune_supply_synthetic):
    """Regression (issue 10): the access territory is read as check_territory reads it.

    A bare code (35 or "35") is a département; text, lists and region= give the same codes;
    commune codes are refused instead of being read as unknown départements.
    """
    ref = access_index("cardiologie", commune_supply_synthetic, "departement", departements=["35"]).table
    for form in (35, "35", ("35",)):
        table = access_index("cardiologie", commune_supply_synthetic, "departement", departements=form).table
        pd.testing.assert_frame_equal(table, ref)
    assert list(ref["code_dep"]) == check_territory("cardiologie", 35).departements == ["35"]
    both = access_index("cardiologie", commune_supply_synthetic, "departement", departements="2A", region="53")
    assert sorted(both.table["code_dep"]) == sorted(check_territory("cardiologie", "2A", region="53").departements)
    blank = access_index("cardiologie", commune_supply_synthetic, "departement", departements="2A", region=" ")
    assert list(blank.table["code_dep"]) == ["2A"]  # an empty --region is no région
    with pytest.raises(InputDataError, match="commune codes: 35238"):
        access_index("cardiologie", commune_supply_synthetic, departements=["35238"])


def test_access_index_matches_pysal_access(commune_supply_synthetic):
    import access  # PySAL access: the reference implementation, a test-only dependency

    res = access_index("cardiologie", commune_supply_synthetic, departements=["2A", "2B"])
    pts = commune_points().dropna(subset=["x", "y"])
    pts = pts[pts["code_dep"].isin(["2A", "2B"])].reset_index(drop=True)
    xy = pts[["x", "y"]].to_numpy()
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)) / 1000.0
    o, j = np.nonzero(d <= 30.0)
    cost = pd.DataFrame({"origin": pts["code_insee"].to_numpy()[o], "dest": pts["code_insee"].to_numpy()[j], "cost": d[o, j]})
    demand = pts[["code_insee", "population"]].rename(columns={"code_insee": "geoid"})
    sup = commune_supply_synthetic.table
    sup = sup[sup["code_dep"].isin(["2A", "2B"])][["code_insee", "n_specialists"]].rename(columns={"code_insee": "geoid"})
    model = access.Access(
        demand_df=demand, demand_index="geoid", demand_value="population",
        supply_df=sup, supply_index="geoid", supply_value="n_specialists",
        cost_df=cost, cost_origin="origin", cost_dest="dest", cost_name="cost",
    )
    out = model.enhanced_two_stage_fca(
        name="e2sfca", max_cost=30.0, weight_fn=access.weights.step_fn(dict(DEFAULT_BANDS))
    )
    theirs = out.iloc[:, 0].reindex(res.table["code_insee"]).fillna(0.0).to_numpy()
    np.testing.assert_allclose(res.table["access"].to_numpy(), theirs, rtol=0, atol=1e-9)
    assert res.table["access"].max() > 1e-5  # the comparison is not trivially zero


@pytest.fixture
def mayotte_supply_synthetic() -> Supply:
    """Synthetic commune-level supply with cardiologists in Mamoudzou (976) and Ajaccio."""
    rows = [("97611", "976", 3), ("2A004", "2A", 12)]
    tab = pd.DataFrame(rows, columns=["code_insee", "code_dep", "n_specialists"])
    tab = tab.assign(specialty="cardiologie", drees_group="07-Cardiologie", mode="liberal", source="synthetic")
    return Supply(table=tab, source=Source("synthetic commune supply", "test"))


def test_unknown_population_mayotte_is_nan_not_zero(mayotte_supply_synthetic):
    res = access_index("cardiologie", mayotte_supply_synthetic, departements="976,2A")
    t = res.table.set_index("code_insee")
    may = t[t["code_dep"] == "976"]
    assert len(may) == 17 and may["population"].isna().all() and may["access"].isna().all()
    assert t.loc[t["code_dep"] == "2A", "access"].notna().all()
    assert res.stats["unknown_population"] == 17
    assert sum(n for r, n in res.dropped.by_reason.items() if "population municipale inconnue" in r) == 17
    text = res.summary_fr()
    assert "Population municipale inconnue pour 17 communes" in text and "nan" not in text
    dep = access_index("cardiologie", mayotte_supply_synthetic, "departement", departements="976")
    assert dep.table["population"].isna().all() and dep.table["access"].isna().all()
    text = dep.summary_fr()
    assert "non calculable (population inconnue)" in text and " nan " not in text.lower()
    assert "1 unité," in text and "niveau département" in text
    frame = dep.to_frame_fr()
    assert frame["Remarque"].tolist() == ["population inconnue"]
    assert frame["Accessibilité pour 100 000 habitants"].tolist() == [""]


@pytest.mark.parametrize(
    ("bands", "match"),
    [
        (((10, 2.0),), "in \\(0, 1\\]"),
        (((10, 0.0), (20, 0.0)), "in \\(0, 1\\]"),
        (((10, 0.5), (20, 0.8)), "must not increase"),
        (((20, 1.0), (10, 0.5)), "increasing"),
    ],
)
def test_custom_bands_validated(commune_supply_synthetic, bands, match):
    with pytest.raises(InputDataError, match=match):
        access_index("cardiologie", commune_supply_synthetic, departements="2A", bands=bands)


def test_custom_bands_not_labelled_luo_qi(commune_supply_synthetic):
    default = access_index("cardiologie", commune_supply_synthetic, departements="2A")
    assert "(Luo et Qi, 2009)" in default.summary_fr()
    custom = access_index("cardiologie", commune_supply_synthetic, departements="2A", bands=((10, 1), (25, 0.5)))
    assert "Luo et Qi" not in custom.summary_fr() and "bandes personnalisées" in custom.summary_fr()


def test_cli_access_output_paths(commune_supply_synthetic, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("ess_geo.analysis.access.as_supply", lambda _s: commune_supply_synthetic)
    monkeypatch.setattr("ess_geo.cli.access.load_supply", lambda _s: commune_supply_synthetic)  # the CLI loads it once
    base = ["access", "-s", "cardiologie", "-d", "2A", "--supply", "synthetic.csv"]

    def run(extra):
        code = main([*base, *extra])
        cap = capsys.readouterr()
        return code, cap.out + cap.err

    code, text = run(["--out", str(tmp_path / "x.xlsx")])
    assert code == 2 and ".xlsx" in text and not (tmp_path / "x.xlsx").exists()
    code, text = run(["--out", str(tmp_path / "a" / "b" / "x.csv")])
    assert code == 0, text
    assert (tmp_path / "a" / "b" / "x.csv").is_file() and "Luo et Qi, 2009" in text
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, text = run(["--out", str(blocker / "x.csv")])
    assert code == 2 and "Erreur" in text and "Traceback" not in text
    code, text = run(["--bands", "10:2", "--out", str(tmp_path / "y.csv")])
    assert code == 2 and "poids 2" in text


def test_drops_reported_only_when_they_concern_the_territory(commune_supply_synthetic):
    """The 4 Cantal communes without geometry say nothing about Corsica or Mayotte."""
    corse = access_index("cardiologie", commune_supply_synthetic, departements="2A,2B")
    assert "commune sans géométrie" not in corse.summary_fr()
    assert corse.stats["dropped_outside_territory"] == 4
    assert corse.dropped.count == 1  # the unknown supply commune 99999 (département unknown: kept)
    mayotte = access_index("cardiologie", commune_supply_synthetic, departements="976")
    assert "commune sans géométrie" not in mayotte.summary_fr()
    # the Cantal itself, or a bordering département (catchments cross borders): reported
    for deps in ("15", "63"):
        res = access_index("cardiologie", commune_supply_synthetic, departements=deps)
        assert res.dropped.by_reason["commune sans géométrie dans le référentiel embarqué"] == 4
        assert "commune sans géométrie" in res.summary_fr()
    # no territory: everything is reported
    whole = access_index("cardiologie", commune_supply_synthetic, "region")
    assert whole.dropped.by_reason["commune sans géométrie dans le référentiel embarqué"] == 4


def test_cli_access_prints_sources(commune_supply_synthetic, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("ess_geo.analysis.access.as_supply", lambda _s: commune_supply_synthetic)
    monkeypatch.setattr("ess_geo.cli.access.load_supply", lambda _s: commune_supply_synthetic)  # the CLI loads it once
    code = main(["access", "-s", "cardiologie", "-d", "2A,2B", "--supply", "synthetic.csv",
                 "--out", str(tmp_path / "a.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "commune sans géométrie" not in out
    lines = out.rstrip().splitlines()
    assert lines[-3] == "Sources :"
    assert "Référentiel géographique" in lines[-2] and "synthetic commune supply" in lines[-1]
