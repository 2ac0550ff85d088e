"""Exact cases of each ESS rule on tiny synthetic inputs."""

from __future__ import annotations

import pytest
import shapely

from ess_geo.registry import EssEntry
from ess_geo.rules import (
    FundingRule,
    adherents_needed,
    connected_pieces,
    rule_adherents,
    rule_contiguity,
    rule_overlap,
    rule_perimeter,
    rule_threshold,
)
from ess_geo.specialties import get_specialty
from ess_geo.supply import SupplyCount


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


def test_perimeter_warns_on_several_regions():
    c = rule_perimeter(["13", "30"], {"13": "93", "30": "76"})
    assert c.status == "warn"
    assert c.evidence["regions"] == {"93": ["13"], "76": ["30"]}
    assert rule_perimeter([], {}).status == "fail"
    assert rule_perimeter(["75"], {"75": "11"}, communes=["75056"]).status == "fail"


def _count(total, exact=True, missing=()):
    return SupplyCount(total=total, by_departement={"X": total}, exact=exact, basis="synthetic", missing=list(missing))


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
    fail = rule_adherents(9, _count(100))
    assert fail.status == "fail"
    assert fail.evidence["needed_now"] == 10
    assert fail.evidence["needed_5y"] == 50
    assert rule_adherents(None, _count(100)).status == "unknown"
    assert rule_adherents(5, None).status == "unknown"
    assert rule_adherents(150, _count(100)).status == "warn"


def test_overlap_names_the_ess():
    entry = EssEntry("x", "ESS synthétique", ("cardiologie",), ("75", "94"), "11", "active", "synthetic")
    c = rule_overlap(get_specialty("cardiologie"), [(entry, ["94"])])
    assert c.status == "fail"
    assert c.evidence["ess"] == [{"id": "x", "name": "ESS synthétique", "departements": ["94"], "status": "active"}]


def test_funding_rule_is_clamped():
    rule = FundingRule()
    assert rule.yearly(5) == 50_000
    assert rule.yearly(10) == 50_000
    assert rule.yearly(55) == 75_000
    assert rule.yearly(500) == 100_000
