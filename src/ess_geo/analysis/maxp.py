"""The generic exact max-p solver on a small graph: :func:`max_p_exact`.

Max-p regionalisation (Duque, Anselin and Rey, 2012): partition the nodes of a graph into the
largest number of connected blocks whose weight reaches a floor, then minimise an additive
tie-break cost among those partitions. Nothing here knows about ESS or départements:
:func:`ess_geo.analysis.proposals.propose_territories` calls it with départements, specialist
counts and border lengths.

Method (exact)
--------------
Each connected piece of the graph is solved on its own (blocks cannot span two pieces).

1. **Enumeration.** Every connected subset of a piece is enumerated exactly once (reverse
   search: a subset grows from its smallest-index node by adding frontier nodes in index order,
   banning those already branched on), and its weight is computed. Subsets reaching the floor
   are *feasible blocks*.
2. **Set-partition DP over bitmasks.** ``best(mask)`` is the best partition of the nodes in
   ``mask``. Every partition of ``mask`` has exactly one block containing the lowest-index node
   of ``mask``; trying every feasible block containing it and recursing on the rest examines
   **every** partition into feasible blocks (memoised, each sub-mask solved once). Sub-masks
   with a connected piece under the floor are cut at once; the cut is valid because weights are
   **monotone** (adding a node never lowers a weight: true of sums and of distinct counts).

The result is a proven optimum; the search is exponential in the size of a piece, hence the
caps :data:`MAX_PIECE_SIZE` and :data:`MAX_CONNECTED_SUBSETS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ess_geo.errors import ProposalSearchTooLarge
from ess_geo.rules.criteria import MIN_SPECIALISTS, connected_pieces

__all__ = [
    "MAX_CONNECTED_SUBSETS",
    "MAX_PIECE_SIZE",
    "BlockFunction",
    "MaxPSolution",
    "ProposalSearchTooLarge",
    "max_p_exact",
]

#: Largest connected piece of nodes solved exactly (pieces of départements inside a région have ≤ 13).
MAX_PIECE_SIZE = 22
#: Safety cap on the number of connected subsets enumerated in one piece.
MAX_CONNECTED_SUBSETS = 2_000_000

#: Weight or cost of a block, given the frozenset of its nodes.
BlockFunction = Callable[[frozenset[Any]], float]


@dataclass
class MaxPSolution:
    """Exact max-p partition of a small graph.

    Attributes
    ----------
    blocks : list of list
        The blocks (each a sorted list of node ids), in a deterministic order.
    unplaced : list
        Nodes whose connected piece is under the floor (no feasible block contains them).
    cost : float
        Sum of the tie-break costs of the blocks.
    n_connected_subsets : int
        Connected subsets enumerated.
    n_feasible_blocks : int
        Connected subsets reaching the floor.
    n_states : int
        Sub-masks solved by the dynamic programme.
    """

    blocks: list[list[Any]]
    unplaced: list[Any]
    cost: float
    n_connected_subsets: int = 0
    n_feasible_blocks: int = 0
    n_states: int = 0

    def stats(self) -> dict[str, float]:
        """Search statistics: connected subsets, feasible blocks, DP states, tie-break cost (rounded)."""
        return {
            "connected_subsets": self.n_connected_subsets,
            "feasible_blocks": self.n_feasible_blocks,
            "dp_states": self.n_states,
            "tie_break_cost": round(self.cost, 3),
        }

    def add(self, part: MaxPSolution) -> None:
        """Append the solution of another connected piece (blocks, unplaced nodes, cost, counters)."""
        self.blocks.extend(part.blocks)
        self.unplaced.extend(part.unplaced)
        self.cost += part.cost
        self.n_connected_subsets += part.n_connected_subsets
        self.n_feasible_blocks += part.n_feasible_blocks
        self.n_states += part.n_states


def _enumerate_connected(n: int, nbr: list[int]) -> list[int]:
    """All connected subsets (bitmasks) of a graph on nodes ``0..n-1``, each exactly once."""
    out: list[int] = []
    for v in range(n):
        allowed = ((1 << n) - 1) & ~((1 << (v + 1)) - 1)  # nodes of index > v
        stack = [(1 << v, nbr[v] & allowed, 0)]
        while stack:
            sub, ext, banned = stack.pop()
            out.append(sub)
            if len(out) > MAX_CONNECTED_SUBSETS:
                raise ProposalSearchTooLarge(
                    f"more than {MAX_CONNECTED_SUBSETS} connected subsets: the piece is too large for the exact search",
                    fr="recherche exacte trop grande : réduire le périmètre (une région à la fois)",
                )
            while ext:
                u = ext & -ext
                ext ^= u
                ui = u.bit_length() - 1
                new_ext = (ext | nbr[ui]) & allowed & ~banned & ~sub & ~u
                stack.append((sub | u, new_ext, banned))
                banned |= u
    return out


def _as_weight_function(weight: BlockFunction | Mapping[Any, float]) -> BlockFunction:
    """A block → weight function: ``weight`` itself, or the sum of a mapping node → weight."""
    if isinstance(weight, Mapping):
        wmap = weight
        return lambda s: sum(wmap.get(v, 0) for v in s)
    return weight


def max_p_exact(
    nodes: Sequence[Any],
    neighbours: Mapping[Any, Iterable[Any]],
    weight: BlockFunction | Mapping[Any, float],
    floor: float = MIN_SPECIALISTS,
    cost: BlockFunction | None = None,
) -> MaxPSolution:
    """Exact max-p regionalisation of a small graph (enumeration + bitmask DP).

    Parameters
    ----------
    nodes : sequence
        Node ids (hashable, sortable). At most :data:`MAX_PIECE_SIZE` in one connected piece.
    neighbours : mapping of node to iterable of nodes
        Adjacency (symmetric); neighbours outside ``nodes`` are ignored.
    weight : callable or mapping
        Weight of a block: a mapping node → weight (summed) or a callable taking a frozenset of
        nodes (for non-additive counts such as distinct doctors).
    floor : float, default 10
        Minimum weight of a block.
    cost : callable, optional
        Tie-break cost of a block (minimised in sum among partitions with the most blocks).

    Returns
    -------
    MaxPSolution
        The optimal blocks and the nodes that cannot be placed.

    Raises
    ------
    ProposalSearchTooLarge
        If a connected piece has more than :data:`MAX_PIECE_SIZE` nodes.
    """
    order = sorted(nodes)
    node_set = set(order)
    graph = {v: frozenset(u for u in neighbours.get(v, ()) if u in node_set and u != v) for v in order}
    weight_fn = _as_weight_function(weight)
    sol = MaxPSolution(blocks=[], unplaced=[], cost=0.0)
    for piece in connected_pieces(order, graph):
        if len(piece) > MAX_PIECE_SIZE:
            raise ProposalSearchTooLarge(
                f"connected piece of {len(piece)} départements ({', '.join(map(str, piece))}) exceeds "
                f"max_piece_size={MAX_PIECE_SIZE} for the exact search; solve one région at a time",
                fr=f"morceau de {len(piece)} départements trop grand pour la recherche exacte "
                f"(maximum {MAX_PIECE_SIZE}) : proposer région par région",
            )
        sol.add(_PieceSolver(piece, graph, weight_fn, floor, cost).solve())
    sol.blocks.sort(key=lambda b: (b[0], len(b)))
    return sol


#: Best partition of a sub-mask: (number of blocks, total cost, block holding its lowest node).
_Step = tuple[int, float, int]


class _PieceSolver:
    """Exact max-p on one connected piece: enumeration of its connected subsets, then the DP."""

    def __init__(
        self,
        piece: list[Any],
        graph: Mapping[Any, frozenset[Any]],
        weight_fn: BlockFunction,
        floor: float,
        cost: BlockFunction | None,
    ) -> None:
        self.piece, self.n, self.floor = piece, len(piece), floor
        index = {v: i for i, v in enumerate(piece)}
        self.nbr = [sum(1 << index[u] for u in graph[v]) for v in piece]
        self.connected = _enumerate_connected(self.n, self.nbr)
        self.weights = {m: weight_fn(self.members(m)) for m in self.connected}
        self.cost = cost
        self.by_low: list[list[tuple[int, float]]] = []
        self.memo: dict[int, _Step | None] = {0: (0, 0.0, 0)}

    def members(self, mask: int) -> frozenset[Any]:
        """Nodes of a bitmask."""
        return frozenset(self.piece[i] for i in range(self.n) if mask >> i & 1)

    def feasible_blocks(self) -> tuple[list[list[tuple[int, float]]], int]:
        """Feasible blocks with their cost, grouped by lowest node (singletons first), and their number."""
        by_low: list[list[tuple[int, float]]] = [[] for _ in range(self.n)]
        n_feasible = 0
        for m in self.connected:
            if self.weights[m] >= self.floor:
                c = float(self.cost(self.members(m))) if self.cost else 0.0
                by_low[(m & -m).bit_length() - 1].append((m, c))
                n_feasible += 1
        for lst in by_low:  # larger blocks last: deterministic, singletons first
            lst.sort(key=lambda mc: (mc[0].bit_count(), mc[0]))
        return by_low, n_feasible

    def component(self, start: int, mask: int) -> int:
        """The connected component of ``mask`` holding the nodes of ``start`` (bitmasks)."""
        comp = frontier = start
        while frontier:
            grow = 0
            f = frontier
            while f:
                b = f & -f
                f ^= b
                grow |= self.nbr[b.bit_length() - 1]
            frontier = grow & mask & ~comp
            comp |= frontier
        return comp

    def pieces_ok(self, mask: int) -> bool:
        """Whether every connected piece of ``mask`` reaches the floor (else no partition exists)."""
        rest = mask
        while rest:
            comp = self.component(rest & -rest, mask)
            if self.weights[comp] < self.floor:
                return False
            rest &= ~comp
        return True

    def best(self, mask: int) -> _Step | None:
        """Most blocks, then least cost, over the partitions of ``mask`` into feasible blocks (memoised)."""
        if mask in self.memo:
            return self.memo[mask]
        result: _Step | None = None
        if self.pieces_ok(mask):
            low = (mask & -mask).bit_length() - 1
            for block, c in self.by_low[low]:
                if block & ~mask:
                    continue
                sub = self.best(mask & ~block)
                if sub is None:
                    continue
                cand = (sub[0] + 1, sub[1] + c, block)
                if result is None or cand[0] > result[0] or (cand[0] == result[0] and cand[1] < result[1] - 1e-9):
                    result = cand
        self.memo[mask] = result
        return result

    def solve(self) -> MaxPSolution:
        """The optimal partition of the piece, or the whole piece unplaced when it is under the floor."""
        full = (1 << self.n) - 1
        if self.weights[full] < self.floor:
            return MaxPSolution(blocks=[], unplaced=list(self.piece), cost=0.0, n_connected_subsets=len(self.connected))
        self.by_low, n_feasible = self.feasible_blocks()
        top = self.best(full)
        if top is None:  # pragma: no cover - the whole piece is a feasible block
            raise AssertionError("no partition of a piece reaching the floor")
        blocks, mask = [], full
        while mask:
            step = self.memo[mask]
            if step is None:  # pragma: no cover - every sub-mask on the optimal path is solved
                raise AssertionError("broken optimal path in the max-p DP")
            blocks.append(sorted(self.members(step[2])))
            mask &= ~step[2]
        return MaxPSolution(
            blocks=blocks, unplaced=[], cost=top[1], n_connected_subsets=len(self.connected),
            n_feasible_blocks=n_feasible, n_states=len(self.memo),
        )
