"""Tests of the funding rule: the published points, the tool's interpolation marked, year 0 alone."""

from __future__ import annotations

import pandas as pd
import pytest

from ess_geo.inputs.registry import Registry
from ess_geo.inputs.supply import Supply
from ess_geo.rules.funding import (
    FUNDING_SOURCE_URL,
    INTERPOLATED_FR,
    NO_PUBLISHED_VALUE_FR,
    STARTUP_CREDIT_EUR,
    FundingRule,
    rule_funding,
)
from ess_geo.rules.territory import check_territory
from ess_geo.rules.trajectory import FALL_FR, simulate_adherents
from ess_geo.sources import Source


def _supply_synthetic(counts: dict[str, int]) -> Supply:
    tab = pd.DataFrame({"code_dep": list(counts), "specialty": "cardiologie", "drees_group": "07-Cardiologie",
                        "n_specialists": list(counts.values()), "mode": "tous", "source": "synthetic"})
    return Supply(table=tab, source=Source("synthetic supply", "test"))


@pytest.fixture
def check_synthetic_200():
    sup = _supply_synthetic({"15": 80, "43": 120})  # 200 specialists, synthetic
    return check_territory("cardiologie", ["15", "43"], supply=sup, registry=Registry(), adherents=20)


@pytest.mark.parametrize(("size", "eur"), [(10, 50_000), (100, 100_000), (150, 100_000)])
def test_published_points(size, eur):
    alloc = FundingRule().allocation(size)
    assert alloc.eur == eur and alloc.published and not alloc.interpolated
    assert "valeur publiée" in alloc.text_fr() and "interpolation" not in alloc.text_fr()


def test_in_between_is_interpolated_and_marked():
    alloc = FundingRule().allocation(55)
    assert alloc.eur == 75_000 and alloc.interpolated and not alloc.published
    assert INTERPOLATED_FR in alloc.text_fr()
    c = rule_funding(55, None)
    assert c.evidence["interpolated"] is True and c.evidence["yearly_eur"] == 75_000
    assert c.evidence["published_points"] == [[10, 50_000], [100, 100_000]]
    assert c.evidence["source"] == FUNDING_SOURCE_URL and FUNDING_SOURCE_URL in c.message
    assert "interpolation linéaire de l'outil" in c.message


def test_below_ten_has_no_published_value():
    assert FundingRule().allocation(9).eur is None
    c = rule_funding(9, None)
    assert c.evidence["yearly_eur"] is None and c.evidence["interpolated"] is False
    assert NO_PUBLISHED_VALUE_FR in c.message and "aucune valeur publiée en dessous de 10 médecins" in c.message


def test_published_point_is_not_marked_interpolated():
    c = rule_funding(10, None)
    assert c.evidence["interpolated"] is False and "interpolation linéaire de l'outil" not in c.message.split("(montants")[0]
    assert c.message.startswith("Crédit d'amorçage 80\u202f000 € après la lettre d'intention")


def test_without_size_only_the_published_points():
    c = rule_funding(None, None)
    assert "yearly_eur" not in c.evidence and c.evidence["startup_credit_eur"] == STARTUP_CREDIT_EUR
    assert "aucune valeur publiée" in c.message and c.status == "warn"


def test_describe_names_what_is_published():
    text = FundingRule().describe_fr()
    assert "valeurs publiées (CSMF)" in text and "interpolation linéaire de l'outil (non publiée)" in text


def test_year_zero_is_the_startup_credit_alone(check_synthetic_200):
    path = simulate_adherents(check_synthetic_200, [20, 40, 55, 70, 100, 120])
    t = path.table
    assert t.loc[0, "startup_credit_eur"] == 80_000
    assert t.loc[0, "yearly_allocation_eur"] == 0 and t.loc[0, "total_eur"] == 80_000  # was 80,000 + 56,000
    assert t.loc[1, "startup_credit_eur"] == 0 and t.loc[1, "yearly_allocation_eur"] == 67_000
    assert t["yearly_interpolated"].tolist() == [False, True, True, True, False, False]
    assert path.interpolated_years == [1, 2, 3]
    assert t.loc[4, "yearly_allocation_eur"] == 100_000 and t.loc[4, "note"] == ""
    assert INTERPOLATED_FR in t.loc[1, "note"]
    assert path.total_funding_eur == 80_000 + 67_000 + 75_000 + 83_000 + 100_000 + 100_000
    d = path.to_dict()
    assert d["years"][0]["total_eur"] == 80_000 and d["interpolated_years"] == [1, 2, 3]
    assert d["funding_published_points"] == [[10, 50_000], [100, 100_000]] and d["funding_source"] == FUNDING_SOURCE_URL
    assert "Dotation des années 1, 2, 3 : interpolation linéaire de l'outil" in path.summary_fr()
    assert "Dotation interpolée par l'outil" in path.to_frame_fr().columns


def test_year_below_ten_members_has_no_published_allocation(check_synthetic_200):
    path = simulate_adherents(check_synthetic_200, {0: 20, 1: 9})
    assert pd.isna(path.table.loc[1, "yearly_allocation_eur"]) and path.table.loc[1, "total_eur"] == 0
    assert path.unpublished_years == [1]
    assert "aucune valeur publiée en dessous de 10 médecins" in path.summary_fr()
    assert path.to_dict()["years"][1]["yearly_allocation_eur"] is None


def test_falling_adherents_are_flagged(check_synthetic_200):
    path = simulate_adherents(check_synthetic_200, [20, 40, 35, 70, 100, 100])
    assert path.falling_years == [2]
    assert path.table["adherents_fall"].tolist() == [False, False, True, False, False, False]
    assert FALL_FR in path.table.loc[2, "note"]
    assert "Attention : adhérents en baisse en année 2 (40 → 35)." in path.summary_fr()
    d = path.to_dict()
    assert d["falling_years"] == [2] and d["years"][2]["adherents_fall"] is True
    assert "Baisse des adhérents" in path._repr_html_()
