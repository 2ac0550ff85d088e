"""Rows of :func:`ess_geo.analysis.coverage.coverage_table`: the coverage class and the group search.

- :func:`classify_departement`: the coverage class (``group_status``) of a département, decided
  here only (:func:`departement_row` and :func:`region_rows` build the table rows around it);
- :func:`smallest_group`: the smallest contiguous group of allowed (uncovered) départements
  containing a département and reaching the threshold (exact, by increasing size; ties broken by
  the largest count, then the smallest population, then the codes);
- :func:`group_counter`: the count of a set of départements, consistent with
  :meth:`ess_geo.inputs.supply.Supply.count` (distinct doctors for person-level RPPS supplies);
- :func:`new_territory_counts`: the counts of the new ESS territories possible in one région
  (exact max-p of :func:`ess_geo.analysis.proposals.propose_territories`, or the greedy lower
  bound :func:`potential_territories` across régions).

The reports and maps of :mod:`ess_geo.render` draw the class from
:attr:`ess_geo.analysis.coverage.CoverageResult.table`, never recompute it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ess_geo.analysis.proposals import propose_territories
from ess_geo.inputs.bounds import decided
from ess_geo.inputs.registry import Registry
from ess_geo.inputs.supply import Supply
from ess_geo.inputs.zonage import Zonage
from ess_geo.reference import codes, geography
from ess_geo.reference.population import density_per_100k, departement_population
from ess_geo.reference.specialties import Specialty
from ess_geo.rules.criteria import MIN_SPECIALISTS

__all__ = [
    "GroupCount",
    "RowContext",
    "SpecialtyCounts",
    "classify_departement",
    "could_host_alone",
    "departement_row",
    "group_counter",
    "host_alone",
    "new_territory_counts",
    "potential_territories",
    "region_rows",
    "row_context",
    "smallest_group",
    "specialty_counts",
    "zip_population_share",
]

#: Count of specialists of a set of départements.
GroupCount = Callable[[frozenset[str]], int]


def smallest_group(
    start: str,
    allowed: set[str],
    counts: Mapping[str, int],
    population: Mapping[str, int],
    graph: Mapping[str, frozenset[str]],
    threshold: int = MIN_SPECIALISTS,
    total: GroupCount | None = None,
) -> list[str] | None:
    """Smallest connected set of ``allowed`` départements containing ``start`` reaching ``threshold``.

    Parameters
    ----------
    start : str
        Département the group must contain (must be in ``allowed``).
    allowed : set of str
        Départements that may join (typically: uncovered, same région).
    counts : mapping of str to int
        Specialists per département.
    population : mapping of str to int
        Inhabitants per département (tie-break).
    graph : mapping of str to frozenset of str
        Adjacency graph.
    threshold : int
        Minimum total count.
    total : callable, optional
        Count of a set of départements. Default: the sum of ``counts`` (additive DREES tables).
        Pass a distinct-doctor count for person-level supplies (see :func:`group_counter`).

    Returns
    -------
    list of str or None
        Sorted codes of the group; None when even the whole connected area stays below.
        Ties at equal size: largest count, then smallest population, then codes.
    """
    if total is None:
        def total(s: frozenset[str]) -> int:
            return sum(counts.get(d, 0) for d in s)
    level = {frozenset([start])}
    while level:
        hits = [s for s in level if total(s) >= threshold]
        if hits:
            best = min(
                hits,
                key=lambda s: (-total(s), sum(population.get(d, 0) for d in s), sorted(s)),
            )
            return sorted(best)
        nxt = set()
        for s in level:
            for d in s:
                for nb in graph.get(d, ()):
                    if nb in allowed and nb not in s:
                        nxt.add(s | {nb})
        level = nxt
    return None


def group_counter(supply: Supply | None, spec: Specialty, counts: Mapping[str, int]) -> GroupCount:
    """Count of a set of départements, consistent with :meth:`Supply.count`.

    Parameters
    ----------
    supply : Supply or None
        The supply. With person-level rows (RPPS, ``supply.persons``) the count of a set is
        ``supply.count(spec, set).total`` (distinct doctors; cached by frozenset).
    spec : Specialty
        Specialty counted.
    counts : mapping of str to int
        Per-département counts, summed for aggregated tables (DREES).

    Returns
    -------
    callable
        frozenset of codes → int.
    """
    if supply is None or not supply.person_level:
        def additive(s: frozenset[str]) -> int:
            return sum(counts.get(d, 0) for d in s)

        return additive
    cache: dict[frozenset[str], int] = {}
    person_supply = supply

    def distinct(s: frozenset[str]) -> int:
        if s not in cache:
            cache[s] = int(person_supply.count(spec, sorted(s)).total)
        return cache[s]

    return distinct


def potential_territories(rows: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """Disjoint feasible territories found greedily: a lower bound of how many ESS could be created.

    Each département able to host alone is one territory; then the smallest groups are taken,
    shortest first (then by codes), when none of their départements is already used. Used only
    for ``cross_region=True`` coverage tables; otherwise the exact count of
    :func:`ess_geo.analysis.proposals.propose_territories` is reported.

    Parameters
    ----------
    rows : list of dict
        Rows of one région × specialty (``code_dep``, ``group_status``, ``group``).

    Returns
    -------
    list of list of str
    """
    used: set[str] = set()
    out: list[list[str]] = []
    for r in rows:
        if r["group_status"] == "alone":
            used.add(r["code_dep"])
            out.append([r["code_dep"]])
    groups = sorted({tuple(r["group"]) for r in rows if r["group_status"] == "group" and r["group"]}, key=lambda g: (len(g), g))
    for g in groups:
        if not used.intersection(g):
            used.update(g)
            out.append(list(g))
    return out


def new_territory_counts(
    spec: Specialty,
    code_region: str,
    sup: Supply | None,
    reg: Registry,
    rows: Sequence[Mapping[str, Any]],
    group_total: GroupCount,
    *,
    exact: bool,
    cross_region: bool,
) -> list[int] | None:
    """Counts of the potential new ESS territories of one région × specialty; None if unknown.

    Within a région: the exact max-p partition of :func:`ess_geo.analysis.proposals.propose_territories`
    (None when its counts are upper bounds and it finds territories). Across régions: the greedy
    lower bound :func:`potential_territories`. Without a supply: None.
    """
    if sup is None:
        return None
    if cross_region:
        return [group_total(frozenset(t)) for t in potential_territories(rows)]
    found = propose_territories(spec, code_region, sup, reg, check=False)
    if not exact and found.n_territories:
        return None  # territories on upper bounds: not a count of feasible ESS
    return [p.total for p in found.proposals]


@dataclass(frozen=True)
class RowContext:
    """What every row reads, whatever the specialty: geography, ESS names, ZIP shares."""

    names: dict[str, str]
    population: dict[str, int]
    region_names: dict[str, str]
    graph: Mapping[str, frozenset[str]]
    ess_names: dict[str, str]
    zip_share: dict[str, float]
    cross_region: bool

    @property
    def all_deps(self) -> list[str]:
        """Every département code, sorted."""
        return sorted(self.names)


@dataclass(frozen=True)
class SpecialtyCounts:
    """What every row of one specialty reads: counts, exactness, coverage by ESS."""

    spec: Specialty
    counts: dict[str, int]
    exact: bool
    basis: str
    missing: set[str]
    covered: dict[str, str]
    group_total: GroupCount
    low: dict[str, int] = field(default_factory=dict)
    high: dict[str, int | None] = field(default_factory=dict)
    covered_certainty: dict[str, str] = field(default_factory=dict)

    def bounds(self, d: str, n: int) -> tuple[int, int | None]:
        """``(low, high)`` of a département: the planning range of the count, else ``n`` (exact) or ``[0, n]``."""
        if d in self.low:
            return self.low[d], self.high.get(d)
        return (n if self.exact else 0), n


def row_context(reg: Registry, zon: Zonage | None, cross_region: bool) -> RowContext:
    """Geography, ESS names and ZIP population shares read by every row.

    Mayotte has no population in COG 2025: it is absent from ``population``, so its density is unknown.
    """
    # Mayotte has no population in COG 2025: absent from the population, so its density is unknown
    return RowContext(
        names=codes.departement_names(),
        population=departement_population(),
        region_names=codes.region_names(),
        graph=geography.adjacency_graph(),
        ess_names={e.id: e.name for e in reg.entries},
        zip_share=zip_population_share(zon) if zon is not None else {},
        cross_region=cross_region,
    )


def specialty_counts(sup: Supply | None, spec: Specialty, reg: Registry, all_deps: list[str]) -> SpecialtyCounts:
    """Per-département counts of one specialty (all unknown without a supply) and its ESS coverage."""
    if sup is not None:
        c = sup.count(spec, all_deps)
        counts, exact, basis, missing = dict(c.by_departement), c.exact, c.basis, set(c.missing)
        low = dict(c.planning.low_by_departement) if c.planning is not None else {}
        high = dict(c.planning.high_by_departement) if c.planning is not None else {}
    else:
        counts, exact, basis, missing = {}, False, "effectifs non fournis", set(all_deps)
        low, high = {}, {}
    entries = reg.covering_entries(spec)
    return SpecialtyCounts(
        spec, counts, exact, basis, missing, {d: e.id for d, e in entries.items()}, group_counter(sup, spec, counts),
        low, high, covered_certainty={d: e.perimeter_certainty for d, e in entries.items()},
    )


def could_host_alone(n_specialists: int | None, exact: bool) -> bool | None:
    """Whether a département reaches the threshold alone: None when unknown or an upper bound ≥ 10.

    An upper bound below the threshold is conclusive (False).
    """
    if n_specialists is None:
        return None
    if n_specialists >= MIN_SPECIALISTS:
        return True if exact else None
    return False


def host_alone(low: int, high: int | None) -> bool | None:
    """Whether a département reaches the threshold alone, from its bounds (the rule of the threshold criterion).

    True when the lower bound reaches it, False when the upper bound is below it, None otherwise.
    When the sources disagree (``low > high``: two dated figures), it is decided only when both are
    on the same side of the threshold, as the threshold criterion decides.
    """
    if high is not None and low > high:
        return True if high >= MIN_SPECIALISTS else (False if low < MIN_SPECIALISTS else None)
    if low >= MIN_SPECIALISTS:
        return True
    if high is not None and high < MIN_SPECIALISTS:
        return False
    return None


def classify_departement(
    ctx: RowContext, sc: SpecialtyCounts, d: str, n: int | None, allowed: set[str]
) -> tuple[str, list[str] | None, int | None, int | None]:
    """Decide the coverage class of one département: ``group_status``, group, its count, its population.

    The one place where ``group_status`` is decided (labels:
    :data:`ess_geo.analysis.coverage.GROUP_STATUS_FR`): ``covered`` (an ESS of the specialty covers
    it), ``indetermine`` (count unknown, bounds straddling 10, or sources that disagree),
    ``alone`` (the lower bound reaches 10 alone: :func:`host_alone`, the threshold's rule),
    ``group`` (a smallest group of uncovered neighbours reaches 10, on exact counts), ``none``
    (even the upper bounds of the whole connected uncovered area stay below 10, e.g. an island
    without land neighbour).
    """
    if d in sc.covered:
        return "covered", None, None, None
    if n is None:
        return "indetermine", None, None, None
    low, high = sc.bounds(d, n)
    alone = host_alone(low, high)
    if alone is True:
        return "alone", [d], n, ctx.population.get(d) or None
    if high is None or (low > high and alone is None):
        return "indetermine", None, None, None  # only a lower bound below 10, or sources straddling 10
    known = {x for x in allowed if x not in sc.missing}
    group = smallest_group(d, known, sc.counts, ctx.population, ctx.graph, total=sc.group_total)
    if group is None:
        return "none", None, None, None  # even upper bounds of the whole area stay below
    if not all(decided(*sc.bounds(x, sc.counts.get(x, 0))) for x in group):
        return "indetermine", None, None, None
    group_population = sum(ctx.population[x] for x in group) if all(x in ctx.population for x in group) else None
    return "group", group, sc.group_total(frozenset(group)), group_population


def departement_row(ctx: RowContext, sc: SpecialtyCounts, code_region: str, d: str, allowed: set[str]) -> dict[str, Any]:
    """One row of :attr:`CoverageResult.table` (:data:`TABLE_COLUMNS`)."""
    n = None if d in sc.missing else sc.counts.get(d, 0)
    pop = ctx.population.get(d) or None
    status, group, group_n, group_pop = classify_departement(ctx, sc, d, n, allowed)
    low, high = sc.bounds(d, n) if n is not None else (None, None)
    return {
        "code_region": code_region,
        "region": ctx.region_names[code_region],
        "specialty": sc.spec.id,
        "specialty_label": sc.spec.label,
        "code_dep": d,
        "departement": ctx.names[d],
        "covered_by": sc.covered.get(d),
        "covered_by_name": ctx.ess_names.get(sc.covered[d]) if d in sc.covered else None,
        "covered_certainty": sc.covered_certainty.get(d),
        "n_specialists": n,
        "exact": (low == high) if n is not None else None,
        "n_specialists_low": low,
        "n_specialists_high": high,
        "population": pop,
        "density_per_100k": density_per_100k(n, pop),
        "could_host_alone": host_alone(low, high) if low is not None else None,
        "group_status": status,
        "group": group,
        "group_n_specialists": group_n,
        "group_population": group_pop,
        "zip_population_share": ctx.zip_share.get(d),
    }


def region_rows(ctx: RowContext, sc: SpecialtyCounts, code_region: str) -> list[dict[str, Any]]:
    """Rows of the départements of one région for one specialty."""
    deps = codes.departements_of_region(code_region)
    pool = ctx.all_deps if ctx.cross_region else deps
    allowed = {d for d in pool if d not in sc.covered}
    return [departement_row(ctx, sc, code_region, d, allowed) for d in deps]


def zip_population_share(zon: Zonage) -> dict[str, float]:
    """Percentage of each département's population living in a ZIP commune."""
    communes = geography.load_commune_attributes()[["code_insee", "code_dep", "population"]]
    classes = dict(zip(zon.by_commune()["code_insee"], zon.by_commune()["zonage"], strict=True))
    communes["zip_pop"] = communes["population"].where(communes["code_insee"].map(classes).eq("ZIP"), 0)
    per = communes.groupby("code_dep")[["population", "zip_pop"]].sum()
    return {d: round(100 * float(r.zip_pop) / float(r.population), 1) for d, r in per.iterrows() if r.population > 0}
