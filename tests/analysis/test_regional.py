"""A whole région as one ESS territory: analysis.regional, propose --objective regional, the coverage column."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import run_cli
from ess_geo.analysis.coverage import LABELS_FR, POTENTIAL_NEW_ESS_FR, SUMMARY_COLUMNS, coverage_table
from ess_geo.analysis.proposals import propose_territories
from ess_geo.analysis.regional import regional_territory
from ess_geo.errors import InputDataError
from ess_geo.inputs.registry import EssEntry, Registry
from ess_geo.inputs.supply import Supply
from ess_geo.rules.criteria import verdict
from ess_geo.rules.territory import check_territory
from ess_geo.sources import Source


def _supply_synthetic(counts: dict[str, int], spec: str = "cardiologie", group: str = "07-Cardiologie") -> Supply:
    tab = pd.DataFrame({"code_dep": list(counts), "specialty": spec, "drees_group": group,
                        "n_specialists": list(counts.values()), "mode": "tous", "source": "synthetic"})
    return Supply(table=tab, source=Source("synthetic supply", "test"))


BRETAGNE_SYNTHETIC = {"22": 4, "29": 7, "35": 30, "56": 12}
COVERED_35 = Registry([EssEntry("x", "ESS synthétique", ("cardiologie",), ("35",), "53", "active", "synthetic")])


def test_region_possible_is_the_checks_verdict_synthetic():
    sup = _supply_synthetic(BRETAGNE_SYNTHETIC)
    found = regional_territory("cardiologie", "53", sup, Registry())
    assert found.possible is True and found.possible_fr == "oui" and found.reasons_fr == []
    same = check_territory("cardiologie", region="53", supply=sup, registry=Registry())
    assert found.possible is verdict(same.criteria, ignore=("adherents",))
    assert found.check.departements == ["22", "29", "35", "56"]
    assert found.to_dict()["possible_fr"] == "oui"


def test_region_partly_covered_is_not_possible_synthetic():
    found = regional_territory("cardiologie", "53", _supply_synthetic(BRETAGNE_SYNTHETIC), COVERED_35)
    assert found.possible is False and found.possible_fr == "non"
    assert any("ESS synthétique" in m for m in found.reasons_fr)


def test_region_below_threshold_is_not_possible_synthetic():
    found = regional_territory("cardiologie", "53", _supply_synthetic({"22": 1, "29": 2, "35": 3, "56": 3}), Registry())
    assert found.possible is False and "9 spécialistes" in found.reasons_fr[0]


def test_region_on_upper_bound_or_without_supply_is_undetermined_synthetic():
    lumped = _supply_synthetic({"22": 40, "29": 40, "35": 40, "56": 40}, "15-Autre spécialité", "15-Autre spécialité")
    assert regional_territory("neurologie", "53", lumped, Registry()).possible_fr == "indéterminé"
    assert regional_territory("cardiologie", "53", None, Registry()).possible is None


def test_propose_regional_gives_the_whole_region_synthetic():
    res = propose_territories("cardiologie", "53", _supply_synthetic(BRETAGNE_SYNTHETIC), Registry(), objective="regional")
    assert res.objective == "regional" and res.n_territories == 1
    assert res.proposals[0].departements == ["22", "29", "35", "56"] and res.proposals[0].total == 53
    assert res.proposals[0].criteria_ok is True and res.refusals == {}
    assert "Objectif régional : la région entière comme territoire unique ; 1 territoire proposé." in res.summary_fr()
    assert json.loads(json.dumps(res.to_dict(), default=str))["objective"] == "regional"


def test_propose_regional_says_why_not_synthetic():
    res = propose_territories("cardiologie", "53", _supply_synthetic(BRETAGNE_SYNTHETIC), COVERED_35, objective="regional")
    assert res.n_territories == 0 and list(res.refusals) == ["53"]
    assert "ESS régionale impossible pour Bretagne (53) : " in res.summary_fr()
    assert "ESS synthétique" in res.summary_fr()


def test_propose_regional_refuses_across_regions():
    with pytest.raises(InputDataError, match="across_regions"):
        propose_territories("cardiologie", "53", _supply_synthetic(BRETAGNE_SYNTHETIC), Registry(),
                            objective="regional", across_regions=True)


def test_coverage_summary_has_regional_column_and_at_most_label_synthetic():
    res = coverage_table("53", "cardiologie", _supply_synthetic(BRETAGNE_SYNTHETIC), Registry())
    row = res.summary.iloc[0]
    assert bool(row["regional_ess_possible"]) is True
    assert "regional_ess_possible" in SUMMARY_COLUMNS and LABELS_FR["regional_ess_possible"] == "ESS régionale possible"
    assert LABELS_FR["potential_new_ess"] == "Nouvelles ESS possibles (au plus)"
    assert "au plus" in LABELS_FR["startup_credit_eur"]
    assert "pas un objectif" in POTENTIAL_NEW_ESS_FR and POTENTIAL_NEW_ESS_FR in res.notes
    covered = coverage_table("53", "cardiologie", _supply_synthetic(BRETAGNE_SYNTHETIC), COVERED_35)
    assert bool(covered.summary.iloc[0]["regional_ess_possible"]) is False
    unknown = coverage_table("53", "cardiologie", None, Registry())
    assert pd.isna(unknown.summary.iloc[0]["regional_ess_possible"])


def test_coverage_yearly_allocation_marks_interpolation_and_unpublished_synthetic():
    # 3 ESS possible: 22+29 (11 → 6 members at 50 %), 35 (30 → 15), 56 (12 → 6)
    res = coverage_table("53", "cardiologie", _supply_synthetic(BRETAGNE_SYNTHETIC), Registry())
    row = res.summary.iloc[0]
    assert row["potential_new_ess"] == 3
    assert row["n_yearly_unpublished"] == 2  # 6 members: no published value
    assert row["yearly_allocation_eur"] == 53_000 and bool(row["yearly_allocation_interpolated"]) is True


@pytest.mark.shared
def test_cli_propose_regional(capsys, drees_effectifs):
    base = ["propose", "-s", "cardiologie", "--supply", str(drees_effectifs), "--objective", "regional"]
    code, out, _ = run_cli([*base, "-r", "53"], capsys)
    assert code == 0 and "1 territoire proposé" in out and "Côtes-d'Armor (22), Finistère (29)" in out
    code, out, _ = run_cli([*base, "-r", "11"], capsys)
    assert code == 1 and "ESS régionale impossible pour Île-de-France (11)" in out and "déjà couvert" in out
    code, out, _ = run_cli([*base, "-r", "03"], capsys)  # Guyane: 9 cardiologists (DREES)
    assert code == 1 and "9 spécialistes" in out
    code, out, _ = run_cli([*base, "-r", "11", "--json"], capsys)
    assert code == 1 and json.loads(out)["refusals"]["11"]
    code, _, err = run_cli([*base, "-r", "53", "--across-regions"], capsys)
    assert code == 2 and "--across-regions" in err
