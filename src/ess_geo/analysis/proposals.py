"""Propose admissible ESS territories: exact max-p regionalisation at département scale.

Problem
-------
For one specialty, the départements **not yet covered** by an ESS of that specialty (registry
statuses ``active`` and ``projet``) are partitioned into territories that are each

* contiguous (one connected piece in the département adjacency graph), and
* above the floor of :data:`~ess_geo.rules.criteria.MIN_SPECIALISTS` (10) specialists,

maximising the **number of territories** (the *max-p regionalisation* problem of Duque, Anselin
and Rey, 2012). Every uncovered département goes into a territory whenever that is possible.

Reliquat
--------
A département whose connected piece of uncovered départements (itself plus every uncovered
département reachable through uncovered neighbours) holds fewer than 10 specialists in total
cannot belong to any admissible territory: it is listed in :attr:`Proposals.unplaced` with the
French reason (its count, the piece, and the neighbours already covered by an ESS, which it could
only join by extending that ESS). Every other uncovered département ends in exactly one proposed
territory: a département too small to stand alone is absorbed by a neighbouring territory (this is
what the partition does), never dropped.

Tie-break (``objective``)
-------------------------
Among the partitions with the maximal number of territories:

* ``"compact"`` (default; ``"max_count"`` is an alias): minimise the total length of the borders
  cut between proposed territories, i.e. maximise the border length (km, measured in the metric
  CRS, see :func:`ess_geo.reference.geography.load_adjacency`) shared *inside* territories;
* ``"balance"``: minimise the **sum of squared territory counts**. With additive counts
  (DREES tables) the number of territories and the total are fixed among the candidates, so
  this is exactly minimising the variance of the counts. With person-level RPPS counts a doctor
  practising in two territories counts in both, the total varies between partitions, and the
  sum of squares is only a proxy for balance (not the variance).

Both tie-breaks are additive over territories, so the lexicographic objective
(max count, then min cost) has optimal substructure and the dynamic programme below is exact.

Exact method and optimality
---------------------------
Each connected piece of uncovered départements is solved on its own (territories cannot span
two pieces). Within a piece of *n* départements (at most 13 inside a région):

1. **Enumeration.** Every connected subset is enumerated exactly once (reverse search: a subset
   grows from its smallest-index département by adding frontier départements in index order,
   banning those already branched on), and its specialist count is computed. Subsets reaching
   the floor are *feasible blocks*.
2. **Set-partition DP over bitmasks.** ``best(mask)`` is the best partition of the départements
   in ``mask``. Every partition of ``mask`` has exactly one block containing the lowest-index
   département of ``mask``; trying every feasible block containing it and recursing on the rest
   therefore examines **every** partition of ``mask`` into feasible blocks (memoised, so each
   sub-mask is solved once). Sub-masks with a connected piece under the floor are cut at once
   (no feasible partition). This cut is valid because counts are **monotone** (adding a
   département never lowers a count; true of sums and of distinct-doctor counts). The result is
   a proven optimum, not a heuristic; the certificate is the exhaustive search itself.
   :attr:`Proposals.upper_bound` is reported for reference: per connected piece,
   ``min(number of départements, ⌊Σ per-département counts / 10⌋)``. Territories are disjoint in départements, so the sum of
   their counts never exceeds the sum of per-département counts (a doctor in two départements
   may count in two territories, never more often than in the per-département counts): the
   bound holds for distinct-doctor counts too, where ``⌊distinct doctors of the piece / 10⌋``
   would not.

The search is exponential in the size of a piece, which is why it is restricted to département
scale: inside a région it takes milliseconds; across régions, pieces above
``max_piece_size`` départements are refused with a clear error.

Counts
------
Counts come from :meth:`ess_geo.inputs.supply.Supply.count`. For an RPPS supply with person-level rows,
a block's count is the number of *distinct* doctors of its départements (a doctor practising in
two départements of the block counts once). A doctor practising in two *proposed territories*
does practise in both and counts in both (the rule is « at least 10 doctors practise on the
territory »); such doctors are reported in :attr:`Proposals.warnings`. With the DREES table, a specialty sharing its group with others
(e.g. neurologie in « 15-Autre spécialité ») only has **upper bounds**: the proposals are then
computed on those bounds but flagged (``counts_exact`` False, a French warning, and every
``check_territory`` threshold criterion is ``unknown``).

Each proposal carries the full :func:`ess_geo.rules.territory.check_territory` result, re-checked
independently. Without adherents, the ``adherents`` criterion is ``unknown`` (the number of
signed-up doctors is not known at planning time), so a proposal's ``admissible`` is None; every
other deciding criterion passes (``perimeter`` is ``warn`` for a territory across régions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ess_geo._format import nombre, plural
from ess_geo.errors import InputDataError, ProposalSearchTooLarge
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.registry import Registry, as_registry
from ess_geo.inputs.supply import Supply
from ess_geo.reference import codes, geography
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.rules.criteria import MIN_SPECIALISTS, PASS, WARN, connected_pieces
from ess_geo.rules.territory import DECIDING, TerritoryCheck, check_territory
from ess_geo.sources import Source

OBJECTIVES = ("compact", "balance", "max_count")
#: Largest connected piece of départements solved exactly (pieces inside a région have ≤ 13).
MAX_PIECE_SIZE = 22
#: Safety cap on the number of connected subsets enumerated in one piece.
MAX_CONNECTED_SUBSETS = 2_000_000


# --------------------------------------------------------------------------------------------
# Generic exact max-p on a small graph
# --------------------------------------------------------------------------------------------


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

    blocks: list[list]
    unplaced: list
    cost: float
    n_connected_subsets: int = 0
    n_feasible_blocks: int = 0
    n_states: int = 0


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


def max_p_exact(
    nodes: Sequence,
    neighbours: Mapping[object, Iterable],
    weight: Callable[[frozenset], float] | Mapping[object, float],
    floor: float = MIN_SPECIALISTS,
    cost: Callable[[frozenset], float] | None = None,
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
    if isinstance(weight, Mapping):
        wmap = weight
        weight_fn: Callable[[frozenset], float] = lambda s: sum(wmap.get(v, 0) for v in s)  # noqa: E731
    else:
        weight_fn = weight
    sol = MaxPSolution(blocks=[], unplaced=[], cost=0.0)
    for piece in connected_pieces(order, graph):
        if len(piece) > MAX_PIECE_SIZE:
            raise ProposalSearchTooLarge(
                f"connected piece of {len(piece)} départements ({', '.join(map(str, piece))}) exceeds "
                f"max_piece_size={MAX_PIECE_SIZE} for the exact search; solve one région at a time",
                fr=f"morceau de {len(piece)} départements trop grand pour la recherche exacte "
                f"(maximum {MAX_PIECE_SIZE}) : proposer région par région",
            )
        part = _solve_piece(piece, graph, weight_fn, floor, cost)
        sol.blocks.extend(part.blocks)
        sol.unplaced.extend(part.unplaced)
        sol.cost += part.cost
        sol.n_connected_subsets += part.n_connected_subsets
        sol.n_feasible_blocks += part.n_feasible_blocks
        sol.n_states += part.n_states
    sol.blocks.sort(key=lambda b: (b[0], len(b)))
    return sol


def _solve_piece(piece: list, graph: Mapping, weight_fn: Callable, floor: float, cost: Callable | None) -> MaxPSolution:
    n = len(piece)
    index = {v: i for i, v in enumerate(piece)}
    nbr = [sum(1 << index[u] for u in graph[v]) for v in piece]

    def members(mask: int) -> frozenset:
        return frozenset(piece[i] for i in range(n) if mask >> i & 1)

    connected = _enumerate_connected(n, nbr)
    weights = {m: weight_fn(members(m)) for m in connected}
    full = (1 << n) - 1
    if weights[full] < floor:
        return MaxPSolution(blocks=[], unplaced=list(piece), cost=0.0, n_connected_subsets=len(connected))
    by_low: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    n_feasible = 0
    for m in connected:
        if weights[m] >= floor:
            c = float(cost(members(m))) if cost else 0.0
            by_low[(m & -m).bit_length() - 1].append((m, c))
            n_feasible += 1
    for lst in by_low:  # larger blocks last: deterministic, singletons first
        lst.sort(key=lambda mc: (mc[0].bit_count(), mc[0]))

    def pieces_ok(mask: int) -> bool:
        rest = mask
        while rest:
            comp = rest & -rest
            frontier = comp
            while frontier:
                grow = 0
                f = frontier
                while f:
                    b = f & -f
                    f ^= b
                    grow |= nbr[b.bit_length() - 1]
                frontier = grow & mask & ~comp
                comp |= frontier
            if weights[comp] < floor:
                return False
            rest &= ~comp
        return True

    memo: dict[int, tuple[int, float, int] | None] = {0: (0, 0.0, 0)}

    def best(mask: int) -> tuple[int, float, int] | None:
        if mask in memo:
            return memo[mask]
        result = None
        if pieces_ok(mask):
            low = (mask & -mask).bit_length() - 1
            for block, c in by_low[low]:
                if block & ~mask:
                    continue
                sub = best(mask & ~block)
                if sub is None:
                    continue
                cand = (sub[0] + 1, sub[1] + c, block)
                if result is None or cand[0] > result[0] or (cand[0] == result[0] and cand[1] < result[1] - 1e-9):
                    result = cand
        memo[mask] = result
        return result

    top = best(full)
    assert top is not None  # the whole piece is feasible
    blocks, mask, total_cost = [], full, top[1]
    while mask:
        step = memo[mask]
        assert step is not None
        blocks.append(sorted(members(step[2])))
        mask &= ~step[2]
    return MaxPSolution(
        blocks=blocks, unplaced=[], cost=total_cost, n_connected_subsets=len(connected),
        n_feasible_blocks=n_feasible, n_states=len(memo),
    )


# --------------------------------------------------------------------------------------------
# ESS proposals on real départements
# --------------------------------------------------------------------------------------------


@dataclass
class Proposal:
    """One proposed territory.

    Attributes
    ----------
    departements : list of str
        Département codes.
    total : int
        Specialists counted on the territory (upper bound when ``exact`` is False).
    exact : bool
        Whether ``total`` is an exact count.
    check : TerritoryCheck
        Full re-check by :func:`ess_geo.rules.territory.check_territory` (no adherents).
    internal_border_km : float
        Border length shared between its départements.
    """

    departements: list[str]
    total: int
    exact: bool
    check: TerritoryCheck
    internal_border_km: float = 0.0

    @property
    def label_fr(self) -> str:
        """``"Ain (01), Savoie (73)"``."""
        return ", ".join(f"{codes.departement_name(d)} ({d})" for d in self.departements)

    @property
    def criteria_ok(self) -> bool:
        """Every deciding criterion passes (or warns), except ``adherents`` (unknown at planning)."""
        return all(c.status in (PASS, WARN) for c in self.check.criteria if c.id in DECIDING and c.id != "adherents")

    def to_dict(self) -> dict:
        """JSON-ready form, with the full check."""
        return {
            "departements": list(self.departements),
            "label": self.label_fr,
            "total": self.total,
            "exact": self.exact,
            "internal_border_km": round(self.internal_border_km, 1),
            "criteria_ok_except_adherents": self.criteria_ok,
            "check": self.check.to_dict(),
        }


@dataclass
class Unplaced:
    """An uncovered département that cannot belong to any admissible territory.

    Attributes
    ----------
    departement : str
        Its code.
    count : int
        Its own count.
    piece : list of str
        The uncovered départements reachable from it (itself included).
    piece_total : int
        Count of the whole piece (< 10).
    covered_neighbours : dict of str to str
        Neighbouring départements already covered, with the id of the covering ESS.
    reason : str
        French explanation.
    """

    departement: str
    count: int
    piece: list[str]
    piece_total: int
    covered_neighbours: dict[str, str]
    reason: str

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return dict(self.__dict__)


@dataclass
class Proposals:
    """Result of :func:`propose_territories`.

    Attributes
    ----------
    specialty : Specialty
    regions : list of str
        Régions searched.
    across_regions : bool
        Whether territories may span régions.
    objective : str
        Tie-break used (``compact`` or ``balance``).
    universe : list of str
        Uncovered départements that were partitioned.
    covered : dict of str to str
        Départements of the régions already covered, with the covering ESS id.
    proposals : list of Proposal
    unplaced : list of Unplaced
    counts_exact : bool
        False when counts are upper bounds (DREES group lumping several specialties).
    missing : list of str
        Départements absent from the supply (counted 0).
    upper_bound : int
        ``min(départements, ⌊Σ per-département counts / 10⌋)`` summed over the connected pieces:
        no partition can do better, even with doctors counted in several territories.
    optimal : bool
        True when the exhaustive search proved the optimum (always, for this exact method; kept
        for comparison with heuristics). Never exceeds ``upper_bound`` (checked).
    stats : dict
        Search statistics (connected subsets, feasible blocks, DP states).
    warnings : list of str
        French warnings.
    sources : list of Source
    covered_names : dict of str to str
        Name of each covering ESS, by id.
    """

    specialty: Specialty
    regions: list[str]
    across_regions: bool
    objective: str
    universe: list[str]
    covered: dict[str, str]
    proposals: list[Proposal]
    unplaced: list[Unplaced]
    counts_exact: bool
    missing: list[str]
    upper_bound: int
    optimal: bool = True
    stats: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    covered_names: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.proposals)

    @property
    def n_territories(self) -> int:
        """Number of proposed territories."""
        return len(self.proposals)

    @property
    def determined(self) -> bool:
        """False when counts are only upper bounds (a DREES group lumping several specialties).

        The ≥ 10 rule cannot then be decided for any territory, so neither the partition nor
        the number of territories means anything: the result is *indéterminé*.
        """
        return bool(self.counts_exact)

    def to_dict(self) -> dict:
        """JSON-ready form (what ``ess-geo propose --json`` prints)."""
        return {
            "specialty": {"id": self.specialty.id, "label": self.specialty.label},
            "regions": list(self.regions),
            "across_regions": self.across_regions,
            "objective": self.objective,
            "universe": list(self.universe),
            "covered": dict(self.covered),
            "covered_names": dict(self.covered_names),
            "n_territories": self.n_territories,
            "determined": self.determined,
            "upper_bound": self.upper_bound,
            "optimal": self.optimal,
            "counts_exact": self.counts_exact,
            "missing": list(self.missing),
            "proposals": [p.to_dict() for p in self.proposals],
            "unplaced": [u.to_dict() for u in self.unplaced],
            "stats": dict(self.stats),
            "warnings": list(self.warnings),
            "sources": [s.to_dict() for s in self.sources],
        }

    def summary_fr(self) -> str:
        """French text summary for the CLI."""
        regs = ", ".join(f"{codes.region_name(r)} ({r})" for r in self.regions)
        obj = {"compact": "compacité", "balance": "équilibre des effectifs (somme des carrés minimale)"}[self.objective]

        def covering(d: str, e: str) -> str:
            name = self.covered_names.get(e)
            return f"{d} : {name} ({e})" if name else f"{d} : {e}"

        lines = [
            f"Propositions d'ESS de {self.specialty.label} — {regs}",
            f"Départements non couverts : {len(self.universe)} ; déjà couverts : {len(self.covered)}"
            + (f" ({' ; '.join(covering(d, e) for d, e in sorted(self.covered.items()))})" if self.covered else ""),
        ]
        if not self.determined:
            lines.append(
                f"Résultat indéterminé : les effectifs de {self.specialty.label} ne sont connus que par le groupe DREES "
                f"« {self.specialty.drees_group} », qui regroupe plusieurs spécialités ; ce sont des majorants, la règle "
                f"des {MIN_SPECIALISTS} spécialistes ne peut être vérifiée pour aucun territoire, ni donc le nombre de "
                "territoires possibles. Fournir une extraction RPPS (effectifs par spécialité exacte)."
            )
            lines.append(
                "À titre indicatif seulement (calculé sur les majorants, non garanti) : découpage en "
                f"{plural(self.n_territories, 'territoire')}."
            )
        else:
            lines.append(
                f"{plural(self.n_territories, 'territoire proposé', 'territoires proposés')} (optimum exact ; "
                f"borne supérieure {nombre(self.upper_bound)}) ; départage : {obj}."
            )
        bound = "" if self.counts_exact else "au plus "
        for i, p in enumerate(self.proposals, start=1):
            mark = ("✓" if p.criteria_ok else "✗") if self.determined else "?"
            lines.append(f"  {i}. {p.label_fr} : {bound}{plural(p.total, 'spécialiste')} {mark}")
        for u in self.unplaced:
            lines.append(f"  Non rattachable : {codes.departement_name(u.departement)} ({u.departement}) — {u.reason}")
        lines.extend(f"Attention : {w}" for w in self.warnings if self.determined or "majorants" not in w)
        lines.append("Le critère « adhérents » reste à vérifier pour chaque territoire (nombre d'adhérents inconnu).")
        lines.append("Sources : " + " ; ".join(s.label() for s in self.sources))
        return "\n".join(lines)


def propose_territories(
    specialty: str | Specialty,
    region: str | int | Sequence[str] | None = None,
    supply: Supply | str | Path | None = None,
    registry: Registry | str | Path | None = None,
    *,
    objective: str = "compact",
    across_regions: bool = False,
    check: bool = True,
) -> Proposals:
    """Propose the most ESS territories possible on the uncovered départements (exact max-p).

    Parameters
    ----------
    specialty : str or Specialty
        Specialty id, label or alias.
    region : str, int or sequence, optional
        One région code, several (``"84,27"`` or a list; needs ``across_regions=True`` for
        territories to mix them), or None / ``"all"`` for every région (see
        :func:`ess_geo.reference.codes.resolve_regions`) (each solved on its own unless
        ``across_regions``).
    supply : Supply or path
        Specialist counts (required).
    registry : Registry or path, optional
        Existing ESS; default the embedded registry.
    objective : {"compact", "balance", "max_count"}, default "compact"
        Tie-break among partitions with the most territories (``max_count`` = ``compact``).
    across_regions : bool, default False
        Let a territory span several of the given régions.
    check : bool, default True
        Re-check every proposal with :func:`~ess_geo.rules.territory.check_territory`.

    Returns
    -------
    Proposals
        The optimal territories with their checks, and the départements that cannot be placed.

    Raises
    ------
    InputDataError
        If no supply is given or ``objective`` is unknown.
    UnknownCodeError
        For an unknown région code.
    ProposalSearchTooLarge
        If ``across_regions`` joins a connected piece too large for the exact search.
    """
    if objective not in OBJECTIVES:
        raise InputDataError(
            f"objective must be one of {list(OBJECTIVES)}, got {objective!r}",
            fr=f"objectif inconnu : {objective!r} (compact, balance ou max_count)",
        )
    objective = "compact" if objective == "max_count" else objective
    spec = get_specialty(specialty)
    regions = codes.resolve_regions(region)
    sup = as_supply(supply)
    if sup is None:
        raise InputDataError(
            "propose_territories needs a supply (specialist counts): pass supply=Supply or a file path",
            fr="effectifs requis pour proposer des territoires : indiquer --supply FICHIER",
        )
    reg = as_registry(registry)
    covered_all = reg.covered_departements(spec)
    deps = [d for r in regions for d in codes.departements_of_region(r)]
    covered = {d: covered_all[d] for d in deps if d in covered_all}
    universe = sorted(d for d in deps if d not in covered_all)
    count = sup.count(spec, universe)
    per_dep = dict(count.by_departement)
    counts_exact = bool(count.exact)
    graph = geography.adjacency_graph()
    dep_region = {d: codes.region_of(d) for d in universe}
    if across_regions:
        nb = {d: frozenset(u for u in graph[d] if u in dep_region) for d in universe}
    else:
        nb = {d: frozenset(u for u in graph[d] if dep_region.get(u) == dep_region[d]) for d in universe}

    weight: Callable[[frozenset], float] | Mapping[str, float]
    if sup.persons is not None:
        persons = sup.persons[sup.persons["specialty"] == spec.id]
        ids_by_dep = {d: frozenset(persons.loc[persons["code_dep"] == d, "rpps_id"]) for d in universe}

        def weight(s: frozenset) -> int:
            return len(frozenset().union(*(ids_by_dep[d] for d in s)))
    else:
        weight = per_dep

    border = _border_lengths()

    def internal_border(s: frozenset) -> float:
        return sum(border.get((a, b), 0.0) for a in s for b in s if a < b)

    cost: Callable[[frozenset], float]
    if objective == "compact":
        def cost(s: frozenset) -> float:
            return -internal_border(s)
    else:
        def cost(s: frozenset) -> float:
            w = weight(s) if callable(weight) else sum(per_dep[d] for d in s)
            return float(w) ** 2

    sol = max_p_exact(universe, nb, weight, MIN_SPECIALISTS, cost)
    wsum = weight if callable(weight) else (lambda s: sum(per_dep[d] for d in s))
    # valid for non-additive counts too: disjoint territories' counts sum to at most the
    # per-département counts' sum (see module docstring)
    # and a territory holds at least one département
    upper = sum(
        min(len(p), int(sum(per_dep.get(d, 0) for d in p) // MIN_SPECIALISTS)) for p in connected_pieces(universe, nb)
    )
    if len(sol.blocks) > upper:  # pragma: no cover - would mean a counting bug, not a user error
        raise AssertionError(f"{len(sol.blocks)} territories found above the upper bound {upper}")

    proposals = []
    for block in sol.blocks:
        chk = check_territory(spec, departements=block, supply=sup, registry=reg) if check else None
        total = int(chk.count.total) if chk is not None and chk.count is not None else int(wsum(frozenset(block)))
        proposals.append(Proposal(block, total, counts_exact, chk, internal_border(frozenset(block))))

    unplaced = []
    pieces = {d: p for p in connected_pieces(sol.unplaced, nb) for d in p}
    for d in sorted(sol.unplaced):
        piece = pieces[d]
        piece_total = int(wsum(frozenset(piece)))
        cov = {u: covered_all[u] for u in sorted(graph[d]) if u in covered_all}
        bound = "" if counts_exact else "au plus "
        reason = (
            f"{bound}{plural(per_dep.get(d, 0), 'spécialiste')} ; avec tous ses voisins non couverts de la même "
            f"{'zone' if across_regions else 'région'} ({', '.join(piece)}) : {bound}{piece_total} < {MIN_SPECIALISTS}"
        )
        if cov:
            reason += " ; voisins déjà couverts : " + ", ".join(f"{u} ({e})" for u, e in cov.items()) + " (extension d'une ESS existante à étudier)"
        other = sorted(u for u in graph[d] if u not in covered_all and u not in dep_region)
        if not across_regions:
            other = sorted(u for u in graph[d] if u not in covered_all and codes.region_of(u) != codes.region_of(d))
        if other:
            reason += " ; voisins non couverts d'autres régions : " + ", ".join(other) + " (voir --across-regions)"
        elif not graph[d]:
            reason += " ; aucun voisin terrestre"
        unplaced.append(Unplaced(d, per_dep.get(d, 0), piece, piece_total, cov, reason))

    warnings = []
    if not counts_exact:
        warnings.append(
            f"effectifs du groupe DREES « {spec.drees_group} », qui regroupe plusieurs spécialités : ce sont des "
            "majorants ; les territoires proposés peuvent ne pas atteindre le seuil de 10. Fournir une extraction RPPS."
        )
    if count.missing:
        warnings.append("départements absents du fichier d'effectifs (comptés 0) : " + ", ".join(count.missing))
    if sup.persons is not None and len(sol.blocks) > 1:
        seen: dict[str, int] = {}
        for block in sol.blocks:
            for pid in frozenset().union(*(ids_by_dep[d] for d in block)):
                seen[pid] = seen.get(pid, 0) + 1
        shared = sum(1 for n in seen.values() if n > 1)
        if shared:
            warnings.append(
                f"{shared} médecin(s) exercent dans plusieurs territoires proposés et sont comptés dans chacun "
                "(ils exercent bien sur chacun de ces territoires)."
            )
    stats = {
        "connected_subsets": sol.n_connected_subsets,
        "feasible_blocks": sol.n_feasible_blocks,
        "dp_states": sol.n_states,
        "tie_break_cost": round(sol.cost, 3),
    }
    return Proposals(
        specialty=spec,
        regions=regions,
        across_regions=across_regions,
        objective=objective,
        universe=universe,
        covered=covered,
        proposals=proposals,
        unplaced=unplaced,
        counts_exact=counts_exact,
        missing=list(count.missing),
        upper_bound=upper,
        stats=stats,
        warnings=warnings,
        sources=[geography.reference_source(), reg.source, sup.source],
        covered_names={e.id: e.name for e in reg.for_specialty(spec)},
    )


def _border_lengths() -> dict[tuple[str, str], float]:
    adj = geography.load_adjacency()
    out = {}
    for a, b, km in zip(adj["code_dep_a"], adj["code_dep_b"], adj["border_km"], strict=True):
        out[(min(a, b), max(a, b))] = float(km)
    return out


__all__ = [
    "OBJECTIVES",
    "MaxPSolution",
    "Proposal",
    "ProposalSearchTooLarge",
    "Proposals",
    "Unplaced",
    "max_p_exact",
    "propose_territories",
]
