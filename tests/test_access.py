"""Tests of the E2SFCA access index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ess_geo.access import DEFAULT_BANDS, access_index, band_weights, e2sfca
from ess_geo.errors import InputDataError
from ess_geo.sources import Source
from ess_geo.supply import Supply


@pytest.fixture
def commune_supply_synthetic() -> Supply:
    """Synthetic commune-level supply placing cardiologists in REAL communes (Corse and Bretagne)."""
    rows = [
        ("2A004", "2A", 12),  # Ajaccio
        ("2B033", "2B", 9),  # Bastia
        ("2B096", "2B", 2),  # Corte
        ("35238", "35", 40),  # Rennes
        ("29019", "29", 15),  # Brest
        ("99999", "99", 3),  # unknown commune: must be dropped and counted
    ]
    tab = pd.DataFrame(rows, columns=["code_insee", "code_dep", "n_specialists"])
    tab = tab.assign(specialty="cardiologie", drees_group="07-Cardiologie", mode="liberal", source="synthetic")
    tab = tab[["code_insee", "code_dep", "specialty", "drees_group", "n_specialists", "mode", "source"]]
    return Supply(table=tab, source=Source("synthetic commune supply", "test"))


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


def test_access_index_matches_pysal_access(commune_supply_synthetic):
    access = pytest.importorskip("access")
    from ess_geo.geography import commune_points

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
