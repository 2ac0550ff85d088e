"""Coverage of the territory by ESS, for every specialty × département: :func:`coverage_table`.

For each specialty and each département the table says which ESS covers it (registry), how many
specialists practise there (supply), the density per 100,000 inhabitants, whether the
département could host an ESS alone (≥ :data:`~ess_geo.rules.criteria.MIN_SPECIALISTS` specialists) and,
for an uncovered département, the **smallest contiguous group of uncovered départements**
containing it that reaches the threshold.

Group search
------------
Exact: connected subsets of the uncovered départements (of the same région by default) that
contain the département are enumerated by increasing size, growing each subset by one adjacent
département (:func:`ess_geo.reference.geography.adjacency_graph`). The first size at which a subset
reaches the threshold wins; among subsets of that size, ties are broken by the **largest count
of specialists**, then the **smallest population**, then the codes (so the result is
deterministic). A région has at most 13 départements, so enumeration is cheap.

Counts of a group are those of :meth:`ess_geo.inputs.supply.Supply.count`: with a person-level RPPS
supply (``supply.persons``) a doctor practising in several départements of the group counts
**once** (the same total as :func:`ess_geo.rules.territory.check_territory`); with a DREES table
(département totals) the per-département counts are added.

New ESS possible (at most)
--------------------------
``potential_new_ess`` (« Nouvelles ESS possibles (au plus) », meaning in :data:`POTENTIAL_NEW_ESS_FR`)
is the number of territories of the **exact** max-p partition of the
région's uncovered départements, computed by :func:`ess_geo.analysis.proposals.propose_territories`
(the same figure as ``ess-geo propose SPÉCIALITÉ --region R``). With a DREES group lumping
several specialties it is only known when even the upper bounds give 0 (otherwise <NA>); without
a supply it is <NA>. With ``cross_region=True`` territories may span régions, which the exact
search cannot take nationally: the figure is then a greedy **lower bound** (:func:`~ess_geo.analysis.coverage_groups.potential_territories`).
It is a ceiling, not a target: ``regional_ess_possible`` says whether the whole région could
instead be one ESS (:func:`ess_geo.analysis.regional.regional_territory`: True, False or <NA>).
The yearly allocation of those ESS (at their 5-year target of members) sums the values of
:meth:`ess_geo.rules.funding.FundingRule.total`: ``yearly_allocation_interpolated`` says a part is
the tool's interpolation, ``n_yearly_unpublished`` counts the ESS left out (no published value).

Honesty about upper bounds
--------------------------
A DREES group lumping several specialties (``drees_group_exact`` False) only gives an upper
bound: ``exact`` is False, ``could_host_alone`` is False when even the bound is below the
threshold and None (« indéterminé ») otherwise, and no group is proposed (``group_status``
``"indetermine"``) unless even the whole connected uncovered area stays below the threshold.

Coverage class
--------------
``group_status`` (covered / alone / group / none / indetermine, French labels in
:data:`GROUP_STATUS_FR`) is decided here only (:func:`group_status`); the reports and the maps of
:mod:`ess_geo.render` draw it from :attr:`CoverageResult.table`, never recompute it. The group
search itself is in :mod:`ess_geo.analysis.coverage_groups`.

This module is pure: it reads no file (paths are loaded through :func:`ess_geo.inputs.supply.as_supply`,
:func:`ess_geo.inputs.registry.as_registry` and :func:`ess_geo.inputs.zonage.load_zonage`) and
draws nothing; :mod:`ess_geo.render.reports` renders it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ess_geo.analysis.coverage_columns import (
    GROUP_STATUS_FR,
    LABELS_FR,
    POTENTIAL_NEW_ESS_FR,
    SUMMARY_COLUMNS,
    TABLE_COLUMNS,
)
from ess_geo.analysis.coverage_groups import (
    GroupCount,
    RowContext,
    group_counter,
    new_territory_counts,
    potential_territories,
    region_rows,
    row_context,
    smallest_group,
    specialty_counts,
)
from ess_geo.analysis.regional import regional_territory
from ess_geo.errors import InputDataError
from ess_geo.inputs.bounds import decided
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.registry import Registry, as_registry
from ess_geo.inputs.supply import Supply
from ess_geo.inputs.zonage import Zonage, load_zonage
from ess_geo.reference import codes, geography
from ess_geo.reference.specialties import Specialty, all_specialties, get_specialty
from ess_geo.rules.adherents import adherents_needed
from ess_geo.rules.criteria import MIN_SPECIALISTS, TARGET_ADHERENT_SHARE_5Y
from ess_geo.rules.derogations import (
    PERIMETER_DEROGATION_FR,
    UNREACHABLE_FR,
    parse_derogations,
    require_perimeter_derogation,
)
from ess_geo.rules.funding import STARTUP_CREDIT_EUR, FundingRule
from ess_geo.rules.territory_geo import with_departement_outlines
from ess_geo.sources import Source

__all__ = [
    "GROUP_STATUS_FR",
    "LABELS_FR",
    "POTENTIAL_NEW_ESS_FR",
    "SUMMARY_COLUMNS",
    "TABLE_COLUMNS",
    "CoverageResult",
    "coverage_table",
    "default_specialties",
    "group_counter",
    "potential_territories",
    "smallest_group",
]

@dataclass
class CoverageResult:
    """Outcome of :func:`coverage_table`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per specialty × département (:data:`TABLE_COLUMNS`). ``group`` is a list of
        codes (None when not applicable); ``could_host_alone`` is True, False or None.
    summary : pandas.DataFrame
        One row per région × specialty (:data:`SUMMARY_COLUMNS`), with indicative funding.
    specialties : list of Specialty
        Specialties reported, in order.
    regions : list of str
        Région codes reported, in order.
    sources : list of Source
        Geography, registry and supply sources (with vintages).
    basis : dict of str to str
        French description of what was counted, per specialty id.
    funding_rule : FundingRule
        Scale used for the indicative yearly allocations.
    notes : list of str
        French remarks for the report (methods, caveats).
    cross_region : bool
        Whether groups could cross région borders.
    supply_given : bool
        Whether a supply was given (else every count is unknown).
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    specialties: list[Specialty]
    regions: list[str]
    sources: list[Source]
    basis: dict[str, str] = field(default_factory=dict)
    funding_rule: FundingRule = field(default_factory=FundingRule)
    notes: list[str] = field(default_factory=list)
    cross_region: bool = False
    supply_given: bool = True

    def for_specialty(self, specialty: str | Specialty) -> pd.DataFrame:
        """Rows of one specialty (a copy)."""
        spec = get_specialty(specialty)
        return self.table[self.table["specialty"] == spec.id].copy()


def default_specialties(supply: Supply | None, include_lumped: bool = False) -> list[Specialty]:
    """Specialties for which the supply has data.

    Parameters
    ----------
    supply : Supply or None
        The supply; None gives every canonical specialty.
    include_lumped : bool, default False
        With a DREES table, also report specialties inside a lumped group (upper bounds only).

    Returns
    -------
    list of Specialty
    """
    specs = list(all_specialties())
    if supply is None:
        return specs
    tab = supply.table
    ids = set(tab["specialty"])
    groups = set(tab["drees_group"])
    out = []
    for s in specs:
        if s.id in ids or (s.drees_group in groups and (s.drees_group_exact or include_lumped)):
            out.append(s)
    return out


def _specialties(
    specialties: Iterable[str | Specialty] | str | None, sup: Supply | None, include_lumped: bool
) -> list[Specialty]:
    """The specialties to report: those asked for, or those the supply has data for."""
    if specialties is None:
        specs = default_specialties(sup, include_lumped)
    else:
        specs = list(dict.fromkeys(get_specialty(s) for s in ([specialties] if isinstance(specialties, str) else specialties)))
    if not specs:
        raise InputDataError(
            "no specialty to report: the supply carries none of the ESS specialties",
            fr="aucune spécialité à traiter : le fichier d'effectifs n'en contient aucune",
        )
    return specs


def coverage_table(  # noqa: PLR0913 - keyword-only options (cross-région, lumped groups, funding, progress, zonage)
    region: str | int | Iterable[str | int] | None = None,
    specialties: Iterable[str | Specialty] | str | None = None,
    supply: Supply | str | Path | None = None,
    registry: Registry | str | Path | None = None,
    *,
    cross_region: bool = False,
    include_lumped: bool = False,
    funding_rule: FundingRule | None = None,
    progress: Callable[[str, str], None] | None = None,
    zonage: Zonage | str | Path | None = None,
    derogations: Iterable[str] | str | None = None,
    as_of: date | str | None = None,
    geometry: bool = False,
) -> CoverageResult:  # long: numpydoc documents every option; the body is 25 lines
    """ESS coverage of every département for every specialty.

    Parameters
    ----------
    region : str, int, iterable or None
        One région code (``"11"``), several, or None / ``"all"`` for all 18 régions.
    specialties : iterable of str or Specialty, optional
        Specialties to report; default those the supply has data for (with a DREES table: the
        specialties whose group is exact, see :func:`default_specialties`).
    supply : Supply or path, optional
        Specialist supply. Without it counts are None and feasibility is « indéterminé ».
    registry : Registry or path, optional
        Existing ESS; default the embedded registry.
    cross_region : bool, default False
        Let groups of uncovered départements cross région borders: needs
        ``derogations={"perimeter"}`` (the région is the maximum); the notes then say so.
    include_lumped : bool, default False
        By default, report specialties in lumped DREES groups only when asked in ``specialties``.
    funding_rule : FundingRule, optional
        Scale of the indicative yearly allocation.
    progress : callable, optional
        Called with ``(code_region, specialty_id)`` after each région × specialty (progress bars).
    zonage : Zonage or path, optional
        Doctors' zonage (:func:`ess_geo.inputs.zonage.load_zonage`): adds ``zip_population_share``, the
        percentage of the département's population living in a commune classed ZIP.
    derogations : iterable of str or str, optional
        Derogations assumed (:mod:`ess_geo.rules.derogations`); only ``perimeter`` changes the
        table (it allows ``cross_region``).
    as_of : datetime.date or str, optional
        Date whose ESS perimeters are used (ISO ``YYYY-MM-DD``); default today.
    geometry : bool, default False
        Make ``table`` a GeoDataFrame (EPSG:4326) with each département's outline in ``geometry``.

    Returns
    -------
    CoverageResult

    Raises
    ------
    UnknownCodeError
        For an unknown région code.
    UnknownSpecialtyError, NotEssSpecialtyError
        For a name that is not an ESS specialty.
    InputDataError
        When a supply or registry file is unusable, no specialty is left to report, a derogation
        is unknown, or ``cross_region`` is asked without the perimeter derogation.
    """
    if cross_region:
        require_perimeter_derogation(derogations, "cross_region=True", "des groupes entre régions (cross_region)")
    parse_derogations(derogations)  # an unknown derogation is an error even when it changes nothing here
    regions = codes.resolve_regions(region)
    sup = as_supply(supply)
    reg = as_registry(registry).at(as_of)
    rule = funding_rule or FundingRule()
    specs = _specialties(specialties, sup, include_lumped)
    zon = None if zonage is None else zonage if isinstance(zonage, Zonage) else load_zonage(zonage)
    ctx = row_context(reg, zon, cross_region)
    rows, summary, basis = _tables(ctx, specs, regions, sup, reg, rule, progress)
    sources = [geography.reference_source(), reg.source] + (sup.sources if sup is not None else [])
    sources += [zon.source] if zon is not None else []
    table = _typed(pd.DataFrame.from_records(rows, columns=TABLE_COLUMNS))
    if geometry:  # each row's département outline, EPSG:4326
        table = with_departement_outlines(table)
    return CoverageResult(
        table=table,
        summary=_typed(pd.DataFrame.from_records(summary, columns=SUMMARY_COLUMNS)),
        specialties=specs,
        regions=regions,
        sources=sources,
        basis=basis,
        funding_rule=rule,
        notes=_notes(zon, sup, rule, cross_region=cross_region),
        cross_region=cross_region,
        supply_given=sup is not None,
    )


def _region_decided(rows: list[dict[str, Any]]) -> bool:
    """Whether every count of a région can be planned on (:func:`ess_geo.inputs.bounds.decided`)."""
    return bool(rows) and all(
        r["n_specialists_low"] is not None and decided(r["n_specialists_low"], r["n_specialists_high"]) for r in rows
    )


def _tables(
    ctx: RowContext,
    specs: list[Specialty],
    regions: list[str],
    sup: Supply | None,
    reg: Registry,
    rule: FundingRule,
    progress: Callable[[str, str], None] | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """Rows of the table, rows of the summary and the basis of the counts, specialty by specialty."""
    rows: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    basis: dict[str, str] = {}
    for spec in specs:
        sc = specialty_counts(sup, spec, reg, ctx.all_deps)
        basis[spec.id] = sc.basis
        for code_region in regions:
            in_region = region_rows(ctx, sc, code_region)
            rows.extend(in_region)
            exact = _region_decided(in_region)  # the région's own counts, not the whole country's
            potential = new_territory_counts(
                spec, code_region, sup, reg, in_region, sc.group_total, exact=exact, cross_region=ctx.cross_region
            )
            row = _summarise(code_region, ctx.region_names[code_region], spec, exact, in_region, rule, potential,
                             sc.group_total)
            row["regional_ess_possible"] = regional_territory(spec, code_region, sup, reg).possible
            summary.append(row)
            if progress is not None:
                progress(code_region, spec.id)
    return rows, summary, basis


def _notes(zon: Zonage | None, sup: Supply | None, rule: FundingRule, *, cross_region: bool) -> list[str]:
    """French remarks of the report: zonage, unreadable supply rows, threshold, groups, funding."""
    notes = []
    if zon is not None:
        notes.append(
            f"Zonage des médecins généralistes : {zon.summary_fr()} ; part de la population des communes en ZIP "
            "(une commune à plusieurs classes prend la plus prioritaire)."
        )
    if sup is not None and sup.dropped:
        notes.append(f"Fichier d'effectifs : {sup.dropped.summary_fr()}")
    if sup is not None and sup.absent_reasons:
        notes.append(f"Fichier d'effectifs : {sup.absent_fr()}")
    notes += [
        f"Seuil : au moins {MIN_SPECIALISTS} médecins de la spécialité sur le territoire de l'ESS. "
        f"« {UNREACHABLE_FR[:1].upper()}{UNREACHABLE_FR[1:]} » : aucun groupe contigu de départements non couverts "
        + ("" if cross_region else "de la région ")
        + f"contenant le département n'atteint {MIN_SPECIALISTS} (département d'outre-mer sans voisin terrestre, "
        "région trop peu dotée, ou voisins déjà couverts : extension d'une ESS voisine à étudier) ; la convention "
        "permet d'y déroger « en raison de circonstances particulières sous réserve de validation ».",
        "Plus petit groupe : ensemble contigu (frontière terrestre commune) de départements non couverts"
        + (f", toutes régions confondues ({PERIMETER_DEROGATION_FR})" if cross_region else " de la même région")
        + " contenant le département et atteignant le seuil ; à taille égale, le plus fort effectif puis la plus "
        "petite population.",
        "Groupes DREES regroupant plusieurs spécialités : effectif majorant ; « seul ≥ 10 » et groupes "
        "indéterminés sauf si même le majorant reste sous le seuil.",
        f"Financement indicatif : crédit d'amorçage de {STARTUP_CREDIT_EUR:,} € par nouvelle ESS".replace(",", "\u202f")
        + f" (au plus : un par ESS possible) ; dotation annuelle : {rule.describe_fr()} (source : {rule.source_url}). "
        + (
            "Nouvelles ESS possibles (au plus) : partition gloutonne en territoires disjoints pouvant franchir les limites "
            "régionales (minorant ; le maximum exact par région est donné par « ess-geo propose »)."
            if cross_region
            else "Nouvelles ESS possibles (au plus) : nombre maximal exact de territoires disjoints, contigus et d'au moins "
            f"{MIN_SPECIALISTS} spécialistes sur les départements non couverts de la région (même calcul que "
            "« ess-geo propose »)."
        )
        + " Montants à confirmer par l'ARS.",
        POTENTIAL_NEW_ESS_FR,
        "ESS régionale possible : la région entière comme un seul territoire (contiguïté, seuil de "
        f"{MIN_SPECIALISTS} spécialistes, aucune ESS de la spécialité sur un de ses départements), vérifiée par les "
        "mêmes règles que « ess-geo check » ; « indéterminé » quand l'effectif est inconnu ou majorant.",
    ]
    return notes


_INT_COLUMNS = {
    "n_specialists", "n_specialists_low", "n_specialists_high", "population", "group_n_specialists", "group_population", "n_departements", "n_covered",
    "n_uncovered", "n_specialists_uncovered", "n_alone", "n_via_group", "n_not_feasible", "n_undetermined",
    "potential_new_ess", "startup_credit_eur", "yearly_allocation_eur", "n_yearly_unpublished",
}
_BOOL_COLUMNS = {"exact", "could_host_alone", "regional_ess_possible", "yearly_allocation_interpolated"}


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable dtypes: counts stay integers and flags stay True/False/<NA> despite missing values."""
    for col in frame.columns:
        if col in _INT_COLUMNS:
            frame[col] = frame[col].astype("Int64")
        elif col in _BOOL_COLUMNS:
            frame[col] = frame[col].astype("boolean")
        elif col in ("density_per_100k", "zip_population_share"):
            frame[col] = frame[col].astype("Float64")
    return frame


def _summarise(
    code_region: str, name: str, spec: Specialty, exact: bool, rows: list[dict[str, Any]], rule: FundingRule,
    territories: list[int] | None, total: GroupCount,
) -> dict[str, Any]:
    """One row of :attr:`CoverageResult.summary` (:data:`SUMMARY_COLUMNS`), with indicative funding.

    The région's specialists (all, and those of its départements without an ESS) are counted as a
    territory is (``total``, :func:`~ess_geo.analysis.coverage_groups.group_counter`): distinct doctors
    with an RPPS extraction, a doctor of two départements once; the départements' sum for a table.
    """
    known = [r for r in rows if r["n_specialists"] is not None]
    uncovered = [r for r in rows if r["group_status"] != "covered"]
    potential = None if territories is None else len(territories)
    # yearly allocation of each potential ESS at its 5-year target of members, summed (indicative)
    yearly = None if territories is None else rule.total(adherents_needed(n, TARGET_ADHERENT_SHARE_5Y) for n in territories)
    return {
        "code_region": code_region,
        "region": name,
        "specialty": spec.id,
        "specialty_label": spec.label,
        "exact": exact if known else None,
        "n_departements": len(rows),
        "n_covered": len(rows) - len(uncovered),
        "n_covered_unconfirmed": sum(r["group_status"] == "covered" and r["covered_certainty"] != "confirmed" for r in rows),
        "n_uncovered": len(uncovered),
        "n_specialists": total(frozenset(r["code_dep"] for r in known)) if known else None,
        "n_specialists_uncovered": total(frozenset(r["code_dep"] for r in known if r["group_status"] != "covered"))
        if known
        else None,
        "n_alone": sum(r["group_status"] == "alone" for r in rows),
        "n_via_group": sum(r["group_status"] == "group" for r in rows),
        "n_not_feasible": sum(r["group_status"] == "none" for r in rows),
        "n_undetermined": sum(r["group_status"] == "indetermine" for r in rows),
        "potential_new_ess": potential,
        "startup_credit_eur": None if potential is None else potential * STARTUP_CREDIT_EUR,
        "yearly_allocation_eur": None if yearly is None else yearly[0],
        "yearly_allocation_interpolated": None if yearly is None else yearly[1],
        "n_yearly_unpublished": None if yearly is None else yearly[2],
    }
