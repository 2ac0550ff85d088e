"""Exact cases of each ESS rule on tiny synthetic inputs."""

from __future__ import annotations

import pytest
import shapely

from ess_geo._format import nombre, plural
from ess_geo.inputs.registry import EssEntry
from ess_geo.inputs.supply import SupplyCount
from ess_geo.reference.specialties import get_specialty
from ess_geo.rules.adherents import adherents_needed, rule_adherents
from ess_geo.rules.criteria import (
    CRITERION_LABELS_FR,
    DECIDING,
    MIN_SPECIALISTS,
    STATUS_FR,
    Criterion,
    connected_pieces,
    problems,
    rule_contiguity,
    rule_overlap,
    rule_perimeter,
    verdict,
)
from ess_geo.rules.funding import FundingRule, rule_funding
from ess_geo.rules.threshold import rule_threshold


@pytest.fixture
def synthetic_grid_graph():
    """A 3×1 row of unit boxes A-B-C plus an island D, adjacency from shared edges."""
    boxes = {"A": shapely.box(0, 0, 1, 1), "B": shapely.box(1, 0, 2, 1), "C": shapely.box(2, 0, 3, 1), "D": shapely.box(5, 5, 6, 6)}
    graph = {k: frozenset(o for o, g in boxes.items() if o != k and shapely.length(boxes[k].intersection(g)) > 0) for k in boxes}
    return graph


def test_synthetic_contiguity(synthetic_grid_graph):
    g = synthetic_grid_graph
    assert rule_contiguity(["A", "B", "C"], g).status == "pass"
    broken = rule_contiguity(["A", "C", "D"], g)
    assert broken.status == "fail"
    assert broken.evidence["pieces"] == [["A"], ["C"], ["D"]]
    assert connected_pieces(["A", "B", "D"], g) == [["A", "B"], ["D"]]


def test_perimeter_fails_on_several_regions():
    # issue 12: the région is the maximum of an ESS territory (was a warn)
    c = rule_perimeter(["13", "30"], {"13": "93", "30": "76"})
    assert c.status == "fail"
    assert "Occitanie (76)" in c.message and "Provence-Alpes-Côte d'Azur (93)" in c.message
    assert "« a minima départemental (avec une cible régionale possible) »" in c.message
    assert "la région en est le maximum" in c.message
    assert c.evidence["regions"] == {"93": ["13"], "76": ["30"]}
    assert rule_perimeter([], {}).status == "fail"
    assert rule_perimeter(["75"], {"75": "11"}, communes=["75056"]).status == "fail"


def _count(total, exact=True, missing=(), mode="tous"):
    return SupplyCount(total=total, by_departement={"X": total}, exact=exact, basis="synthetic", missing=list(missing),
                       mode=mode)


@pytest.mark.parametrize(
    ("total", "exact", "status"),
    [(10, True, "pass"), (9, True, "fail"), (9, False, "fail"), (10, False, "unknown"), (50, False, "unknown")],
)
def test_threshold(total, exact, status):
    spec = get_specialty("cardiologie")
    assert rule_threshold(spec, _count(total, exact)).status == status


def test_threshold_without_supply_says_how_to_provide_it():
    c = rule_threshold(get_specialty("cardiologie"), None)
    assert c.status == "unknown"
    assert "--supply" in c.message


def test_adherents_boundaries():
    assert adherents_needed(846, 0.10) == 85
    assert adherents_needed(100, 0.10) == 10
    assert adherents_needed(846, 0.5) == 423
    assert rule_adherents(10, _count(100)).status == "pass"
    # issue 11: the base is the libéral doctors; an all-modes count alone only bounds them from above
    # (libéral range [0, 100]): 9 adherents may still be 10 % of them, so the rule cannot fail on it
    assert rule_adherents(9, _count(100)).status == "unknown"
    fail = rule_adherents(9, _count(100, mode="liberal"))
    assert fail.status == "fail"
    assert fail.evidence["needed_now"] == 10
    assert fail.evidence["needed_5y"] == 50
    assert rule_adherents(None, _count(100)).status == "unknown"
    assert rule_adherents(5, None).status == "unknown"
    impossible = rule_adherents(150, _count(100))
    assert impossible.status == "unknown" and impossible.evidence["impossible"]
    assert "Impossible : 150 adhérents pour 100 spécialistes" in impossible.message


def test_overlap_names_the_ess():
    entry = EssEntry("x", "ESS synthétique", ("cardiologie",), ("75", "94"), "11", "active", "synthetic")
    c = rule_overlap(get_specialty("cardiologie"), [(entry, ["94"])])
    assert c.status == "fail"
    assert c.evidence["ess"] == [{
        "id": "x", "name": "ESS synthétique", "departements": ["94"], "perimeter": ["75", "94"], "status": "active",
        "certainty": "confirmed", "valid_from": None, "valid_to": None, "source": "synthetic", "source_url": "",
    }]  # fmt: skip


def test_funding_rule_keeps_to_the_published_points():
    # issue 12: only 10 → 50,000 and 100+ → 100,000 are published; nothing below 10 (was clamped to 50,000)
    rule = FundingRule()
    assert rule.yearly(5) is None
    assert rule.yearly(10) == 50_000
    assert rule.yearly(55) == 75_000 and rule.allocation(55).interpolated
    assert rule.yearly(500) == 100_000 and not rule.allocation(500).interpolated


def test_perimeter_names_regions_and_agrees_plurals():
    c = rule_perimeter(["84", "2A"], {"84": "93", "2A": "94"})
    assert "sur 2 régions : Provence-Alpes-Côte d'Azur (93), Corse (94)" in c.message
    assert "Périmètre de 2 départements entiers" in c.message
    assert "Périmètre de 1 département entier." in rule_perimeter(["77"], {"77": "11"}).message
    whole = rule_perimeter(["75", "77"], {"75": "11", "77": "11"}, from_region="11")
    assert "la région Île-de-France (11) entière (2 départements)" in whole.message


def test_impossible_adherents_are_undetermined_upper_bound_too():
    c = rule_adherents(500, _count(101))
    assert c.status == "unknown" and "Impossible : 500 adhérents pour 101 spécialistes comptés" in c.message
    assert rule_adherents(500, _count(101, exact=False)).status == "unknown"
    # a partial count (missing départements) is not proof of impossibility
    assert "Impossible" not in rule_adherents(500, _count(101, missing=["Y"])).message


def test_adherents_of_a_refused_specialty_do_not_blame_the_supply():
    c = rule_adherents(12, None, specialty_refused=True)
    assert c.status == "unknown"
    assert "Sans spécialité valide" in c.message and "non fournis" not in c.message


def test_plurals_and_thousands_separators():
    one = rule_adherents(1, _count(72, mode="liberal"))
    assert one.message.startswith("1 adhérent = 1,4 % des 72 spécialistes")
    big = rule_adherents(1250, _count(12500, mode="liberal"))
    assert "1\u202f250 adhérents" in big.message and "12\u202f500 spécialistes" in big.message
    assert nombre(1250) == "1\u202f250" and plural(0, "adhérent") == "0 adhérent" and plural(2, "adhérent") == "2 adhérents"
    assert "pour 1 médecin membre :" in rule_funding(1, _count(72)).message


def test_funding_at_target_never_below_today():
    rule = FundingRule()
    # the 5-year target is 50 % of the libéral doctors (issue 11): 50 % of 101 = 51 < 80 members already
    c = rule_funding(80, _count(101, mode="liberal"), rule)
    assert c.evidence["yearly_eur_at_5y_target"] == rule.yearly(80) >= c.evidence["yearly_eur"]
    # an all-modes count alone does not give the libéral base: no 5-year figure is made up
    assert "yearly_eur_at_5y_target" not in rule_funding(80, _count(101), rule).evidence


def test_threshold_says_all_modes_and_cites_source_once():
    spec = get_specialty("cardiologie")
    count = SupplyCount(101, {"77": 101}, True, "spécialité Cardiologie", mode="tous", population="médecins inscrits au RPPS")
    label = "DREES — médecins inscrits au RPPS — millésime non précisé — Licence Ouverte"
    c = rule_threshold(spec, count, label)
    assert c.status == "pass"
    assert "tous modes d'exercice (libéraux et salariés) ; une extraction RPPS donne les seuls libéraux" in c.message
    assert c.message.count("DREES — médecins inscrits au RPPS") == 1
    liberal = SupplyCount(12, {"77": 12}, True, "RPPS", mode="liberal", population="médecins libéraux inscrits au RPPS")
    assert "libéraux et salariés" not in rule_threshold(spec, liberal, "RPPS").message


def _criteria(**statuses: str) -> list[Criterion]:
    return [Criterion(cid, status, "") for cid, status in statuses.items()]


def test_verdict_from_criteria():
    assert verdict(_criteria(specialty="pass", perimeter="warn", funding="fail")) is True  # funding informs only
    assert verdict(_criteria(specialty="pass", threshold="unknown", overlap="fail")) is False
    assert verdict(_criteria(specialty="pass", threshold="unknown")) is None
    assert verdict(_criteria(specialty="pass", adherents="unknown"), ignore=("adherents",)) is True
    assert verdict(_criteria(adherents="fail"), ignore=["adherents"]) is True
    assert verdict([]) is True
    assert "funding" not in DECIDING
    mixed = _criteria(threshold="unknown", specialty="pass", overlap="fail", funding="fail", adherents="unknown")
    assert [c.id for c in problems(mixed)] == ["overlap", "threshold", "adherents"]  # failing first
    assert [c.id for c in problems(mixed, ignore=("adherents",))] == ["overlap", "threshold"]


def test_public_names_shared_with_the_maps():
    assert MIN_SPECIALISTS == 10
    assert STATUS_FR == {"pass": "conforme", "fail": "non conforme", "unknown": "indéterminé", "warn": "à vérifier"}
    assert set(CRITERION_LABELS_FR) == {*DECIDING, "funding"}
    assert Criterion("threshold", "pass", "").label == CRITERION_LABELS_FR["threshold"]
