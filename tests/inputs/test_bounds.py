"""Combining counts of several sources into ranges (synthetic figures)."""

from __future__ import annotations

import pytest

from ess_geo.inputs.bounds import ContributingCount, SupplyRange, combine_range, role_of


@pytest.mark.parametrize(
    ("target", "mode", "bound", "role"),
    [
        ("tous", "tous", "exact", "exact"), ("tous", "tous", "upper", "upper"), ("tous", "liberal", "exact", "lower"),
        ("tous", "liberal", "lower", "lower"), ("tous", "liberal", "upper", None), ("liberal", "liberal", "exact", "exact"),
        ("liberal", "liberal", "lower", "lower"), ("liberal", "liberal", "upper", "upper"),
        ("liberal", "tous", "exact", "upper"), ("liberal", "tous", "upper", "upper"), ("liberal", "salarie", "exact", None),
    ],
)
def test_role_of_each_count(target, mode, bound, role):
    assert role_of(target, mode, bound) == role


def test_combine_range():
    assert combine_range([]) == (0, None)
    assert combine_range([("lower", 7), ("upper", 193), ("lower", 3)]) == (7, 193)
    assert combine_range(iter([("exact", 10), ("upper", 12)])) == (10, 10)


def _c(source, mode, bound, by_dep, missing=()):
    return ContributingCount(source, f"synthetic {source}", "2020-01-01", mode, bound, sum(by_dep.values()), by_dep,
                             list(missing))


def test_range_per_departement_and_a_partial_source():
    counts = [_c("a_synthetic", "tous", "exact", {"X": 12}, missing=["Y"]),
              _c("b_synthetic", "liberal", "exact", {"X": 5, "Y": 4})]
    rng = SupplyRange.build("tous", counts, ["X", "Y"])
    # a source missing Y gives a lower bound of the territory, and its exact figure for X
    assert (rng.low, rng.high) == (12, None) and rng.label_fr() == "au moins 12"
    assert rng.low_by_departement == {"X": 12, "Y": 4} and rng.high_by_departement == {"X": 12, "Y": None}
    lib = SupplyRange.build("liberal", counts, ["X", "Y"])
    assert (lib.low, lib.high) == (9, 9) and lib.high_by_departement == {"X": 5, "Y": 4}


def test_disagreement_is_kept_not_resolved():
    rng = SupplyRange.build("tous", [_c("a_synthetic", "tous", "exact", {"X": 8}),
                                     _c("b_synthetic", "liberal", "exact", {"X": 9})], ["X"])
    assert rng.conflict and not rng.exact and (rng.low, rng.high) == (9, 8)
    assert rng.to_dict()["conflict"] is True and len(rng.to_dict()["counts"]) == 2
