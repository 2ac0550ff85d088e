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

``"regional"`` is not a tie-break: it proposes each région **whole**, as one territory, when
:func:`ess_geo.analysis.regional.regional_territory` finds it admissible (the verdict of
:func:`~ess_geo.rules.territory.check_territory`, adherents left out), and otherwise gives the
reasons (:attr:`Proposals.refusals`). The sources allow an ESS up to « la totalité de la région ».

Both tie-breaks are additive over territories, so the lexicographic objective
(max count, then min cost) has optimal substructure and the dynamic programme below is exact.

Exact method and optimality
---------------------------
Each connected piece of uncovered départements (at most 13 inside a région) is solved by the
generic exact solver :func:`ess_geo.analysis.maxp.max_p_exact` (enumeration of the connected
subsets, then a set-partition DP over bitmasks): the result is a proven optimum, not a
heuristic. :attr:`Proposals.upper_bound` is reported for reference: per connected piece,
``min(number of départements, ⌊Σ per-département counts / 10⌋)``. Territories are disjoint in
départements, so the sum of their counts never exceeds the sum of per-département counts (a
doctor in two départements may count in two territories, never more often than in the
per-département counts): the bound holds for distinct-doctor counts too, where ``⌊distinct
doctors of the piece / 10⌋`` would not. The search is exponential in the size of a piece:
across régions, pieces above :data:`~ess_geo.analysis.maxp.MAX_PIECE_SIZE` départements are
refused with a clear error.

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
other deciding criterion passes (``perimeter`` is ``warn`` for a territory across régions, under the
perimeter derogation that ``across_regions`` requires).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import cast

from ess_geo._format import agreed, plural
from ess_geo.analysis.maxp import BlockFunction, MaxPSolution, ProposalSearchTooLarge, max_p_exact
from ess_geo.analysis.proposal_results import Proposal, Proposals, Unplaced
from ess_geo.analysis.regional import regional_territory
from ess_geo.errors import InputDataError
from ess_geo.inputs.bounds import decided
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.registry import Registry, as_registry
from ess_geo.inputs.supply import Supply, SupplyCount
from ess_geo.reference import codes, geography
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.rules.criteria import MIN_SPECIALISTS, connected_pieces
from ess_geo.rules.derogations import DEROGATIONS, UNREACHABLE_FR, parse_derogations, require_perimeter_derogation
from ess_geo.rules.territory import check_territory

__all__ = [
    "OBJECTIVES",
    "Proposal",
    "ProposalSearchTooLarge",
    "Proposals",
    "Unplaced",
    "propose_territories",
]

OBJECTIVES = ("compact", "balance", "max_count", "regional")


def propose_territories(  # noqa: PLR0913 - the options after the specialty and région are keyword-only
    specialty: str | Specialty,
    region: str | int | Sequence[str] | None = None,
    supply: Supply | str | Path | None = None,
    registry: Registry | str | Path | None = None,
    *,
    objective: str = "compact",
    across_regions: bool = False,
    check: bool = True,
    derogations: Iterable[str] | str | None = None,
    as_of: date | str | None = None,
) -> Proposals:  # long: numpydoc documents every option; the body is 33 lines
    """Propose the most ESS territories possible on the uncovered départements (exact max-p).

    Parameters
    ----------
    specialty : str or Specialty
        Specialty id, label or alias.
    region : str, int or sequence, optional
        One région code, several (``"84,27"`` or a list; each solved on its own unless
        ``across_regions``), or None / ``"all"`` for every région (see
        :func:`ess_geo.reference.codes.resolve_regions`).
    supply : Supply or path, optional
        Specialist counts; default the embedded DREES 2022 / CNAM 2018 counts
        (:func:`ess_geo.inputs.embedded.load_embedded_supply`), as :func:`~ess_geo.rules.territory.check_territory`.
    registry : Registry or path, optional
        Existing ESS; default the embedded registry.
    objective : {"compact", "balance", "max_count", "regional"}, default "compact"
        Tie-break among partitions with the most territories (``max_count`` = ``compact``), or
        ``regional``: each whole région as one territory if admissible, else why (``refusals``).
    across_regions : bool, default False
        Let a territory span several of the given régions: needs ``derogations={"perimeter"}``
        (the région is the maximum), and every proposal then says the derogation is assumed.
    check : bool, default True
        Re-check every proposal with :func:`~ess_geo.rules.territory.check_territory`.
    derogations : iterable of str or str, optional
        Derogations assumed (:mod:`ess_geo.rules.derogations`), also in every re-check.
    as_of : datetime.date or str, optional
        Date of the ESS perimeters used (``YYYY-MM-DD``); default the registry's, else today.

    Returns
    -------
    Proposals
        The optimal territories with their checks, and the départements that cannot be placed.

    Raises
    ------
    InputDataError
        Unknown ``objective`` or derogation, ``regional`` with ``across_regions``, or
        ``across_regions`` without the ``perimeter`` derogation.
    UnknownCodeError
        For an unknown région code.
    ProposalSearchTooLarge
        If ``across_regions`` joins a connected piece too large for the exact search.
    """
    objective = _check_objective(objective, across_regions)
    asked = parse_derogations(derogations)
    if across_regions:
        require_perimeter_derogation(asked, "across_regions=True", "--across-regions")
    spec = get_specialty(specialty)
    regions = codes.resolve_regions(region)
    sup = cast(Supply, as_supply(supply, embedded=True))  # the embedded DREES/CNAM counts when none is given
    reg = as_registry(registry).at(as_of)
    search = _search(spec, regions, sup, reg, across_regions)
    if objective == "regional":
        return _regional_proposals(search, regions, check)
    sol = max_p_exact(search.universe, search.nb, search.weight(), MIN_SPECIALISTS, search.cost(objective))
    upper = _upper_bound(search)
    if len(sol.blocks) > upper:  # pragma: no cover - would mean a counting bug, not a user error
        raise AssertionError(f"{len(sol.blocks)} territories found above the upper bound {upper}")
    return Proposals(
        specialty=spec,
        regions=regions,
        across_regions=across_regions,
        objective=objective,
        universe=search.universe,
        covered=search.covered,
        proposals=_proposal_list(search, sol, check, asked),
        unplaced=_unplaced(search, sol),
        counts_exact=search.counts_exact,
        missing=list(search.count.missing),
        upper_bound=upper,
        stats=sol.stats(),
        warnings=_warnings(search, sol),
        sources=[geography.reference_source(), reg.source, *sup.sources],
        covered_names={e.id: e.name for e in reg.for_specialty(spec)},
        derogations=[d for d in DEROGATIONS if d in asked],
        supply=sup,
    )


@dataclass
class _Search:
    """What the search on one specialty works with: uncovered départements, counts, adjacency."""

    spec: Specialty
    sup: Supply
    reg: Registry
    across_regions: bool
    covered_all: dict[str, str]
    covered: dict[str, str]
    universe: list[str]
    count: SupplyCount
    graph: Mapping[str, frozenset[str]]
    nb: dict[str, frozenset[str]]
    border: Mapping[str, Mapping[str, float]]
    ids_by_dep: dict[str, frozenset[object]] | None = None

    @cached_property
    def per_dep(self) -> dict[str, int]:
        """Count of each uncovered département (copied once per search, not at every block summed)."""
        return dict(self.count.by_departement)

    @property
    def counts_exact(self) -> bool:
        """Whether every uncovered département's count can be planned on (else some are upper bounds).

        Two dated figures that disagree count as decided: the département's count is the smaller one,
        which holds under both sources (:func:`ess_geo.inputs.bounds.decided`).
        """
        plan = self.count.planning
        if plan is None:
            return bool(self.count.exact)
        known = [d for d in self.universe if d not in self.count.missing]  # the missing ones have their own warning
        return all(decided(plan.low_by_departement.get(d, 0), plan.high_by_departement.get(d)) for d in known)

    def distinct(self, s: frozenset[str]) -> int:
        """Distinct doctors of a set of départements (person-level supply)."""
        ids = self.ids_by_dep or {}
        return len(frozenset().union(*(ids[d] for d in s)))

    def weight(self) -> BlockFunction | Mapping[str, int]:
        """What :func:`max_p_exact` counts: distinct doctors (RPPS), else per-département counts summed."""
        return self.distinct if self.ids_by_dep is not None else self.per_dep

    def total(self, s: frozenset[str]) -> int:
        """Count of a set of départements."""
        if self.ids_by_dep is not None:
            return self.distinct(s)
        per_dep = self.per_dep
        return sum(per_dep[d] for d in s)

    def internal_border(self, s: frozenset[str]) -> float:
        """Border length (km) shared between the départements of ``s``.

        The lengths are added in the order of the pairs ``a < b`` of ``s`` (pairs without a shared
        border add nothing), so the float is the same as summing every pair; a single département
        gives the int 0.
        """
        total = sum(_shared_lengths(s, self.border))
        return float(total) if len(s) > 1 else total

    def cost(self, objective: str) -> BlockFunction:
        """Tie-break cost of a block: minus its internal border (compact) or its squared count (balance)."""
        if objective == "compact":
            return lambda s: -self.internal_border(s)
        return lambda s: float(self.total(s)) ** 2


def _shared_lengths(s: frozenset[str], by_dep: Mapping[str, Mapping[str, float]]) -> Iterator[float]:
    """Border lengths of the pairs ``a < b`` of ``s`` sharing a border, in the order of ``s``."""
    for a in s:
        near = by_dep.get(a)
        if near:
            for b in s:
                km = near.get(b)
                if km is not None:
                    yield km


def _check_objective(objective: str, across_regions: bool = False) -> str:
    """The tie-break named by ``objective`` (``max_count`` is ``compact``); InputDataError if unknown."""
    if objective not in OBJECTIVES:
        raise InputDataError(
            f"objective must be one of {list(OBJECTIVES)}, got {objective!r}",
            fr=f"objectif inconnu : {objective!r} (compact, balance, max_count ou regional)",
        )
    if objective == "regional" and across_regions:
        raise InputDataError(
            "objective 'regional' proposes one région per territory: it cannot be combined with across_regions",
            fr="--objective regional propose une région entière par territoire : incompatible avec --across-regions",
        )
    return "compact" if objective == "max_count" else objective


def _regional_proposals(search: _Search, regions: list[str], check: bool) -> Proposals:
    """Each région whole as one territory when admissible (:func:`regional_territory`), else its reasons."""
    proposals, refusals = [], {}
    for code_region in regions:
        found = regional_territory(search.spec, code_region, search.sup, search.reg)
        if found.possible:
            deps = list(found.check.departements)
            total = int(found.check.count.total) if found.check.count is not None else int(search.total(frozenset(deps)))
            chk = found.check if check else None
            proposals.append(Proposal(deps, total, search.counts_exact, chk, search.internal_border(frozenset(deps))))
        else:
            refusals[code_region] = found.reasons_fr
    return Proposals(
        specialty=search.spec,
        regions=regions,
        across_regions=False,
        objective="regional",
        universe=search.universe,
        covered=search.covered,
        proposals=proposals,
        unplaced=[],
        counts_exact=search.counts_exact,
        missing=list(search.count.missing),
        upper_bound=len(regions),
        stats={},
        warnings=_warnings(search, None),
        sources=[geography.reference_source(), search.reg.source, search.sup.source],
        covered_names={e.id: e.name for e in search.reg.for_specialty(search.spec)},
        refusals=refusals,
        supply=search.sup,
    )


def _search(spec: Specialty, regions: list[str], sup: Supply, reg: Registry, across_regions: bool) -> _Search:
    """The uncovered départements of the régions, their counts and the adjacency the territories may use."""
    covered_all = reg.covered_departements(spec)
    deps = [d for r in regions for d in codes.departements_of_region(r)]
    universe = sorted(d for d in deps if d not in covered_all)
    graph = geography.adjacency_graph()
    dep_region = {d: codes.region_of(d) for d in universe}
    if across_regions:
        nb = {d: frozenset(u for u in graph[d] if u in dep_region) for d in universe}
    else:
        nb = {d: frozenset(u for u in graph[d] if dep_region.get(u) == dep_region[d]) for d in universe}
    ids_by_dep = sup.doctors_by_departement(spec, universe) if sup.person_level else None
    return _Search(
        spec=spec, sup=sup, reg=reg, across_regions=across_regions, covered_all=covered_all,
        covered={d: covered_all[d] for d in deps if d in covered_all}, universe=universe,
        count=sup.count(spec, universe), graph=graph, nb=nb, border=_border_lengths(), ids_by_dep=ids_by_dep,
    )


def _upper_bound(search: _Search) -> int:
    """``min(départements, ⌊Σ per-département counts / 10⌋)`` summed over the connected pieces.

    Valid for non-additive counts too: disjoint territories' counts sum to at most the
    per-département counts' sum (see the module docstring), and a territory holds at least one
    département.
    """
    per_dep = search.per_dep
    return sum(
        min(len(p), int(sum(per_dep.get(d, 0) for d in p) // MIN_SPECIALISTS))
        for p in connected_pieces(search.universe, search.nb)
    )


def _proposal_list(search: _Search, sol: MaxPSolution, check: bool, derogations: frozenset[str]) -> list[Proposal]:
    """One :class:`Proposal` per block, re-checked by :func:`check_territory` (with the derogations) when ``check``."""
    proposals = []
    for block in sol.blocks:
        chk = (
            check_territory(search.spec, departements=block, supply=search.sup, registry=search.reg, derogations=derogations)
            if check
            else None
        )
        total = int(chk.count.total) if chk is not None and chk.count is not None else int(search.total(frozenset(block)))
        proposals.append(Proposal(
            block, total, search.counts_exact, chk, search.internal_border(frozenset(block)),
            perimeter_derogation=search.across_regions,
        ))
    return proposals


def _unplaced_reason(search: _Search, d: str, piece: list[str], piece_total: int) -> str:
    """French reason why département ``d`` belongs to no admissible territory."""
    graph, covered_all = search.graph, search.covered_all
    bound = "" if search.counts_exact else "au plus "
    reason = (
        f"{bound}{plural(search.per_dep.get(d, 0), 'spécialiste')} ; avec tous ses voisins non couverts de la même "
        f"{'zone' if search.across_regions else 'région'} ({', '.join(piece)}) : {bound}{piece_total} < {MIN_SPECIALISTS}"
    )
    cov = {u: covered_all[u] for u in sorted(graph[d]) if u in covered_all}
    if cov:
        reason += " ; voisins déjà couverts : " + ", ".join(f"{u} ({e})" for u, e in cov.items()) + " (extension d'une ESS existante à étudier)"
    if search.across_regions:
        other = sorted(u for u in graph[d] if u not in covered_all and u not in search.universe)
    else:
        other = sorted(u for u in graph[d] if u not in covered_all and codes.region_of(u) != codes.region_of(d))
    if other:
        reason += (" ; voisins non couverts d'autres régions : " + ", ".join(other)
                   + " (hors région : seulement avec une dérogation de périmètre, --derogation perimetre --across-regions)")
    elif not graph[d]:
        reason += " ; aucun voisin terrestre"
    return reason if search.across_regions else reason + f" ; {UNREACHABLE_FR}"


def _unplaced(search: _Search, sol: MaxPSolution) -> list[Unplaced]:
    """The uncovered départements whose connected piece stays under the floor, with their reason."""
    out = []
    pieces = {d: p for p in connected_pieces(sol.unplaced, search.nb) for d in p}
    for d in sorted(sol.unplaced):
        piece = pieces[d]
        piece_total = int(search.total(frozenset(piece)))
        cov = {u: search.covered_all[u] for u in sorted(search.graph[d]) if u in search.covered_all}
        reason = _unplaced_reason(search, d, piece, piece_total)
        out.append(Unplaced(d, search.per_dep.get(d, 0), piece, piece_total, cov, reason))
    return out


def _warnings(search: _Search, sol: MaxPSolution | None) -> list[str]:
    """French warnings: upper-bound counts, départements absent from the supply, doctors in several territories."""
    warnings = []
    if not search.counts_exact:
        warnings.append(
            f"effectifs du groupe DREES « {search.spec.drees_group} », qui regroupe plusieurs spécialités : ce sont des "
            "majorants ; les territoires proposés peuvent ne pas atteindre le seuil de 10. Fournir une extraction RPPS."
        )
    if search.count.missing:
        warnings.append("départements sans effectif lisible, comptés 0 dans la recherche seulement (tout territoire qui "
                        "les contient est indéterminé) : " + search.count.missing_fr())
    if sol is not None and search.ids_by_dep is not None and len(sol.blocks) > 1:
        seen: dict[object, int] = {}
        for block in sol.blocks:
            for pid in frozenset().union(*(search.ids_by_dep[d] for d in block)):
                seen[pid] = seen.get(pid, 0) + 1
        shared = sum(1 for n in seen.values() if n > 1)
        if shared:
            warnings.append(
                f"{plural(shared, 'médecin')} {agreed(shared, 'exerce', 'exercent')} dans plusieurs territoires "
                f"proposés et {agreed(shared, 'est compté', 'sont comptés')} dans chacun "
                f"({agreed(shared, 'il exerce', 'ils exercent')} bien sur chacun de ces territoires)."
            )
    return warnings


@lru_cache(maxsize=1)
def _border_lengths() -> Mapping[str, Mapping[str, float]]:
    """``a → {b: km}`` for each pair of départements sharing a border, ``a < b`` (read once per process)."""
    adj = geography.load_adjacency()
    out: dict[str, dict[str, float]] = {}
    for a, b, km in zip(adj["code_dep_a"], adj["code_dep_b"], adj["border_km"], strict=True):
        out.setdefault(min(a, b), {})[max(a, b)] = float(km)
    return out
