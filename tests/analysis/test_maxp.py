"""Tests of the generic exact max-p solver (enumeration + bitmask DP) on synthetic graphs."""

from __future__ import annotations

import itertools
import random

import pytest
import shapely

from ess_geo.analysis.maxp import MaxPSolution, ProposalSearchTooLarge, max_p_exact
from ess_geo.analysis.proposals import ProposalSearchTooLarge as ProposalsSearchTooLarge
from ess_geo.rules.criteria import connected_pieces


def _grid_synthetic(nx: int, ny: int) -> tuple[list[str], dict[str, set[str]]]:
    """Rook adjacency of a grid of shapely boxes (cells share an edge)."""
    cells = {f"c{x}{y}": shapely.box(x, y, x + 1, y + 1) for x in range(nx) for y in range(ny)}
    nb: dict[str, set[str]] = {k: set() for k in cells}
    for a, b in itertools.combinations(cells, 2):
        if cells[a].intersection(cells[b]).length > 0:
            nb[a].add(b)
            nb[b].add(a)
    return sorted(cells), nb


def _brute_force_max_p(nodes, nb, w, floor):
    """Max number of blocks over all set partitions (Bell numbers: tiny graphs only)."""

    def partitions(items):
        if not items:
            yield []
            return
        first, rest = items[0], items[1:]
        for part in partitions(rest):
            for i in range(len(part)):
                yield [*part[:i], [first, *part[i]], *part[i + 1 :]]
            yield [[first], *part]

    best = 0
    for part in partitions(list(nodes)):
        if all(sum(w[v] for v in b) >= floor and len(connected_pieces(b, nb)) == 1 for b in part):
            best = max(best, len(part))
    return best


def test_max_p_exact_line_synthetic():
    nodes = ["a", "b", "c", "d"]
    nb = {"a": {"b"}, "b": {"a", "c"}, "c": {"b", "d"}, "d": {"c"}}
    w = {"a": 6, "b": 6, "c": 6, "d": 6}
    sol = max_p_exact(nodes, nb, w, 10)
    assert sol.blocks == [["a", "b"], ["c", "d"]]
    assert sol.unplaced == []


def test_max_p_exact_unplaceable_piece_synthetic():
    nodes = ["a", "b", "x"]
    nb = {"a": {"b"}, "b": {"a"}, "x": set()}
    sol = max_p_exact(nodes, nb, {"a": 12, "b": 0, "x": 4}, 10)
    assert sol.blocks == [["a", "b"]]  # b (0) absorbed, never dropped
    assert sol.unplaced == ["x"]


@pytest.mark.parametrize("seed", range(6))
def test_max_p_exact_matches_brute_force_on_grid_synthetic(seed):
    rnd = random.Random(seed)
    nodes, nb = _grid_synthetic(3, 3)
    w = {v: rnd.randint(0, 9) for v in nodes}
    sol = max_p_exact(nodes, nb, w, 10)
    assert len(sol.blocks) == _brute_force_max_p(nodes, nb, w, 10)
    placed = [v for b in sol.blocks for v in b]
    assert sorted(placed + sol.unplaced) == nodes
    for b in sol.blocks:
        assert sum(w[v] for v in b) >= 10
        assert len(connected_pieces(b, nb)) == 1


def test_max_p_tie_break_compact_synthetic():
    # 2x2 grid, weights 5 each: two blocks of 2, either vertical or horizontal pairs; the cost picks one
    nodes, nb = _grid_synthetic(2, 2)
    w = dict.fromkeys(nodes, 5)
    pref = {frozenset({"c00", "c01"}): -2.0, frozenset({"c10", "c11"}): -2.0}
    sol = max_p_exact(nodes, nb, w, 10, cost=lambda s: pref.get(s, 0.0))
    assert sol.blocks == [["c00", "c01"], ["c10", "c11"]]
    assert sol.cost == -4.0


def test_max_p_piece_too_large_synthetic():
    nodes, nb = _grid_synthetic(5, 5)
    with pytest.raises(ProposalSearchTooLarge, match="25 départements"):
        max_p_exact(nodes, nb, dict.fromkeys(nodes, 1), 10)


def test_solver_error_is_the_one_propose_territories_raises():
    assert ProposalsSearchTooLarge is ProposalSearchTooLarge


def test_stats_name_the_search_figures():
    sol = MaxPSolution(blocks=[], unplaced=[], cost=-1.23456, n_connected_subsets=3, n_feasible_blocks=2, n_states=4)
    assert sol.stats() == {"connected_subsets": 3, "feasible_blocks": 2, "dp_states": 4, "tie_break_cost": -1.235}
