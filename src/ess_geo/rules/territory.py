"""Check a proposed ESS territory against every rule: :func:`check_territory`.

This module gathers the inputs (territory parsed by :func:`ess_geo.reference.codes.parse_territory`,
geography, supply, registry) and calls the rules of :mod:`ess_geo.rules.criteria` and
:mod:`ess_geo.rules.funding`, each of which returns a :class:`~ess_geo.rules.criteria.Criterion`
with evidence. The verdict is :func:`ess_geo.rules.criteria.verdict`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ess_geo.errors import EssGeoError
from ess_geo.inputs.finess import Finess, as_finess
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.registry import Registry, as_of_date, as_registry
from ess_geo.inputs.supply import Supply, SupplyCount
from ess_geo.reference import codes, geography
from ess_geo.reference.specialties import Specialty
from ess_geo.rules.adherents import rule_adherents
from ess_geo.rules.criteria import (
    DECIDING,
    Criterion,
    rule_contiguity,
    rule_overlap,
    rule_perimeter,
    rule_specialty,
    verdict,
)
from ess_geo.rules.derogations import (
    DEROGATION_LABELS_FR,
    apply_derogations,
    assumed_derogations,
    derogation_prefix_fr,
    parse_derogations,
    unreachable_threshold,
)
from ess_geo.rules.finess_context import context_fr, finess_facts
from ess_geo.rules.funding import FundingRule, rule_funding
from ess_geo.rules.multi import (
    ResolvedSpecialty,
    combine_specialties,
    pluri_label_fr,
    resolve_specialties,
    rule_total_adherents,
    rule_total_threshold,
    settle_derogations,
    split_adherents,
    sum_counts,
    unsplit_adherents,
)
from ess_geo.rules.territory_geo import territory_frame
from ess_geo.rules.threshold import rule_threshold
from ess_geo.sources import Source

if TYPE_CHECKING:  # annotations only: geopandas is loaded by to_geodataframe()
    import geopandas as gpd

__all__ = ["DECIDING", "VERDICT_FR", "TerritoryCheck", "check_territory"]

#: French word of each verdict.
VERDICT_FR = {True: "admissible", False: "non admissible", None: "indéterminé"}


@dataclass
class TerritoryCheck:
    """Outcome of :func:`check_territory`.

    Attributes
    ----------
    specialty : Specialty or None
        The specialty checked, the first one of an ESS of several specialties (None when the
        input was refused as not a specialty).
    specialty_input : str
        What the caller asked for (the first name of a list).
    departements : list of str
        Normalised département codes of the territory.
    region : str or None
        Région code when the territory was given as a région.
    criteria : list of Criterion
        In order: specialty, perimeter, contiguity, overlap, threshold, adherents, funding.
    sources : list of Source
        Every data source used.
    supply : Supply or None
        The supply used, if any.
    registry : Registry
        The ESS registry used.
    adherents : int or None
        Adherents given.
    finess : Finess or None
        The FINESS extraction used, if any.
    context : dict
        Information that decides nothing (« À titre d'information »): with a FINESS extraction,
        the CPTS, DAC and hospitals of each département (:func:`~ess_geo.rules.finess_context.territory_context`).
    as_of : datetime.date or None
        Date whose registry perimeters were used.
    specialties : list of Specialty
        Every specialty recognised, in the order asked (``[specialty]`` for one).
    specialty_inputs : list of str
        Every name asked, duplicates removed (a refused pathology included).
    adherents_by_specialty : dict of str to int or None, optional
        Adherents of each specialty, when given per specialty (``adherents`` is then their sum).
    """

    specialty: Specialty | None
    specialty_input: str
    departements: list[str]
    region: str | None
    criteria: list[Criterion]
    sources: list[Source]
    supply: Supply | None = None
    registry: Registry | None = None
    adherents: int | None = None
    count: SupplyCount | None = field(default=None, repr=False)
    context: dict = field(default_factory=dict, repr=False)
    finess: Finess | None = field(default=None, repr=False)
    as_of: date | None = None
    specialties: list[Specialty] = field(default_factory=list)
    specialty_inputs: list[str] = field(default_factory=list)
    adherents_by_specialty: dict[str, int | None] | None = None

    def __post_init__(self) -> None:
        if not self.specialties and self.specialty is not None:
            self.specialties = [self.specialty]
        if not self.specialty_inputs:
            self.specialty_inputs = [self.specialty_input]

    @property
    def several(self) -> bool:
        """Whether the ESS groups several specialties (« pluri-spécialités »)."""
        return len(self.specialty_inputs) > 1

    @property
    def specialty_label(self) -> str:
        """French name of the scope: the specialty's label, or ``pluri-spécialités (a, b)``."""
        if self.several:
            return pluri_label_fr([_label_of(raw) for raw in self.specialty_inputs])
        return self.specialty.label if self.specialty else self.specialty_input

    @property
    def admissible(self) -> bool | None:
        """False if any deciding criterion fails, None if any is unknown, else True (:func:`verdict`)."""
        return verdict(self.criteria)

    @property
    def derogations(self) -> list[str]:
        """Ids of the derogations assumed (applied) on this territory (:mod:`ess_geo.rules.derogations`)."""
        return assumed_derogations(self.criteria)

    @property
    def verdict_fr(self) -> str:
        """``admissible``, ``non admissible`` or ``indéterminé``."""
        return VERDICT_FR[self.admissible]

    def __repr__(self) -> str:
        """French one-liner: ``<TerritoryCheck cardiologie sur 09+31 : indéterminé (specialty=conforme, ...)>``."""
        spec = self.specialty.id if self.specialty else repr(self.specialty_input)
        if self.several:
            spec = "+".join(s.id for s in self.specialties) or repr(self.specialty_inputs)
        statuses = ", ".join(f"{c.id}={c.status_fr}" for c in self.criteria)
        return f"<TerritoryCheck {spec} sur {'+'.join(self.departements)} : {self.verdict_fr} ({statuses})>"

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The dissolved territory, one row, with its verdict and key figures (EPSG:4326; :func:`territory_frame`)."""
        return territory_frame(self)

    def __str__(self) -> str:
        """The French summary (:meth:`summary_fr`): ``print(check)`` shows what ``ess-geo check`` prints."""
        return self.summary_fr()

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id.

        Raises
        ------
        KeyError
            If there is no such criterion.
        """
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(f"no criterion {criterion_id!r}; ids: {[c.id for c in self.criteria]}")

    def evidence(self, criterion_id: str) -> Mapping[str, Any]:
        """The evidence of a criterion, empty when the check has no such criterion (or it has none)."""
        return next((c.evidence or {} for c in self.criteria if c.id == criterion_id), {})

    @property
    def territory_label(self) -> str:
        """French label of the territory: ``"Paris (75), Val-de-Marne (94)"`` or the région."""
        if self.region and set(self.departements) == set(codes.departements_of_region(self.region)):
            return f"Région {codes.region_name(self.region)} ({self.region})"
        return ", ".join(f"{codes.departement_name(d)} ({d})" for d in self.departements)

    def to_dict(self) -> dict:
        """JSON-ready form (what ``ess-geo check --json`` prints).

        An ESS of several specialties adds ``specialties`` (input, id, label of each),
        ``label`` (« pluri-spécialités (…) ») and ``adherents_by_specialty``; ``specialty`` is the first.
        """
        out: dict[str, object] = {
            "specialty": {"input": self.specialty_input, "id": self.specialty.id, "label": self.specialty.label}
            if self.specialty
            else {"input": self.specialty_input, "id": None, "label": None},
            "departements": list(self.departements),
            "region": self.region,
            "adherents": self.adherents,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "admissible": self.admissible,
            "verdict": self.verdict_fr,
            "derogations": self.derogations,
            "criteria": [c.to_dict() for c in self.criteria],
            "sources": [s.to_dict() for s in self.sources],
            "context": self.context,
        }
        if self.several:
            out["label"] = self.specialty_label
            out["specialties"] = [
                {"input": raw, "id": s.id if s else None, "label": s.label if s else None}
                for raw, s in ((raw, _spec_of(raw)) for raw in self.specialty_inputs)
            ]
            out["adherents_by_specialty"] = self.adherents_by_specialty
        return out

    def summary_fr(self) -> str:
        """Plain-text French summary, one line per criterion (for terminals and logs)."""
        marks = {"pass": "✔", "fail": "✘", "unknown": "?", "warn": "!"}
        spec = self.specialty_label
        lines = [
            f"ESS {spec} — {self.territory_label}",
            f"Verdict : {self.verdict_fr.upper()}",
            "",
        ]
        if self.derogations:
            lines[2:2] = ["Sous réserve des dérogations supposées (à faire valider par l'ARS) : "
                          + " ; ".join(DEROGATION_LABELS_FR[d] for d in self.derogations) + "."]
        for c in self.criteria:
            lines.append(f" {marks[c.status]} {c.label} [{c.status_fr}] : {derogation_prefix_fr(c)}{c.message}")
        info = context_fr(self.context)
        lines += (["", *info] if info else []) + ["", "Sources :"] + [f" - {s.label()}" for s in self.sources]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        colours = {"pass": "#1a7f37", "fail": "#cf222e", "unknown": "#6e7781", "warn": "#9a6700"}
        spec = self.specialty_label
        rows = "".join(
            f"<tr><td>{esc(c.label)}</td><td style='color:{colours[c.status]};font-weight:bold'>"
            f"{esc(c.status_fr)}</td><td style='text-align:left'>{esc(derogation_prefix_fr(c) + c.message)}</td></tr>"
            for c in self.criteria
        )
        sources = "".join(f"<li>{esc(s.label())}</li>" for s in self.sources)
        return (
            f"<div><h4>ESS {esc(spec)} — {esc(self.territory_label)}</h4>"
            f"<p><b>Verdict : {esc(self.verdict_fr)}</b></p>"
            "<table><thead><tr><th>Critère</th><th>Statut</th><th>Détail</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            f"<p style='font-size:smaller'>Sources :</p><ul style='font-size:smaller'>{sources}</ul></div>"
        )


def _spec_of(raw: str) -> Specialty | None:
    """The specialty asked as ``raw``; None when it is refused."""
    try:
        return resolve_specialties(raw)[0][1]
    except EssGeoError:
        return None


def _label_of(raw: str) -> str:
    """Label of the specialty asked as ``raw`` (``raw`` itself when it is refused)."""
    spec = _spec_of(raw)
    return spec.label if spec is not None else raw


def _threshold(
    spec: Specialty | None,
    count: SupplyCount | None,
    sup: Supply | None,
    supply_label: str,
    deps: list[str],
    graph: Mapping[str, frozenset[str]],
) -> Criterion:
    """The threshold criterion, saying when it fails whether no territory of the région could reach it."""
    threshold = rule_threshold(spec, count, supply_label)
    if spec is None or sup is None or threshold.status != "fail":
        return threshold
    regions = dict.fromkeys(codes.region_of(d) for d in deps)
    # the whole région is the most an admissible territory can hold
    region_counts = {r: sup.count(spec, list(codes.departements_of_region(r))) for r in regions}
    return unreachable_threshold(threshold, region_counts, [d for d in deps if not graph.get(d)])


def _territory_departements(departements: object, region: object) -> tuple[list[str], list[str], str | None]:
    """Départements the rules run on, commune codes given, région code (see :func:`parse_territory`).

    The départements containing commune codes are added: the rules still run on them, while
    :func:`~ess_geo.rules.criteria.rule_perimeter` refuses the communes.
    """
    if region is not None and not str(region).strip():
        region = None  # an empty --region means no région
    territory = codes.parse_territory(departements, region)
    deps = list(territory.departements)
    if territory.communes:
        commune_dep = geography.load_commune_attributes().set_index("code_insee")["code_dep"]
        for commune in territory.communes:
            dep = commune_dep.at[commune]
            if dep not in deps:
                deps.append(dep)
    return deps, list(territory.communes), territory.region


def _load_supply(supply: Supply | str | Path | None, embedded_supply: bool) -> tuple[Supply | None, str]:
    """The supply used (the given one, else the embedded one unless refused) and its label.

    A supply of several sources (the embedded one) has no label: each count names its source,
    vintage, mode and bound in the threshold message instead.
    """
    sup = as_supply(supply, embedded=embedded_supply)
    return sup, sup.source.label() if sup is not None and not sup.several_sources else ""


@dataclass(frozen=True)
class _Inputs:
    """What every specialty of a check shares: the territory, registry, supply, FINESS, adjacency."""

    deps: list[str]
    communes: list[str]
    region: str | None
    registry: Registry
    day: date
    supply: Supply | None
    supply_label: str
    finess: Finess | None
    graph: Mapping[str, frozenset[str]]


def _specialty_criteria(
    inp: _Inputs, asked: ResolvedSpecialty, adherents: int | None, funding_rule: FundingRule | None
) -> tuple[list[Criterion], SupplyCount | None, dict]:
    """The criteria of one specialty (derogations not applied), its count and the FINESS context."""
    raw, spec, refusal = asked
    deps = inp.deps
    count = inp.supply.count(spec, deps) if spec is not None and inp.supply is not None else None
    _, unknown, context = finess_facts(inp.finess, inp.registry, spec, deps)
    covering = inp.registry.covering(spec, deps) if spec else []
    criteria = [
        rule_specialty(spec, raw, refusal),
        rule_perimeter(deps, {d: codes.region_of(d) for d in deps}, inp.communes, inp.region),
        rule_contiguity(deps, inp.graph),
        rule_overlap(spec, covering, unregistered_fr=unknown, as_of=inp.day.isoformat()),
        _threshold(spec, count, inp.supply, inp.supply_label, deps, inp.graph),
        rule_adherents(adherents, count if spec else None, specialty_refused=spec is None),
        rule_funding(adherents, count, funding_rule),
    ]
    return criteria, count, context


def _several_criteria(
    inp: _Inputs,
    specs: list[ResolvedSpecialty],
    adherents: tuple[int | None, dict[str, int | None] | None],
    funding_rule: FundingRule | None,
) -> tuple[list[Criterion], SupplyCount | None]:
    """Criteria of an ESS of several specialties (:func:`~ess_geo.rules.multi.combine_specialties`), and its count.

    ``adherents`` is ``(whole ESS, per specialty or None)`` (:func:`~ess_geo.rules.multi.split_adherents`);
    the count is summed over the specialties (None when one has none).
    """
    total_adherents, by_spec = adherents
    per: dict[str, list[Criterion]] = {}
    counts: dict[str, SupplyCount | None] = {}
    for asked in specs:
        key = asked[1].id if asked[1] is not None else asked[0]
        n = by_spec.get(key) if by_spec is not None else None
        criteria, counts[key], _ = _specialty_criteria(inp, asked, n, funding_rule)
        if by_spec is None and total_adherents is not None:
            criteria = [unsplit_adherents(c, total_adherents, len(specs)) for c in criteria]
        per[key] = criteria
    known = [c for c in counts.values() if c is not None]
    total_count = sum_counts(known) if known and len(known) == len(counts) else None
    totals = {
        "threshold": rule_total_threshold(counts),
        "adherents": rule_total_adherents(total_adherents, counts),
        "funding": rule_funding(total_adherents, total_count, funding_rule),
    }
    return combine_specialties(per, totals), total_count


def check_territory(  # noqa: PLR0913 - the options after the territory are keyword-only
    specialty: str | Specialty | Sequence[str | Specialty],
    departements: Iterable[object] | str | None = None,
    region: str | int | None = None,
    adherents: int | Sequence[int] | Mapping[str, int] | None = None,
    supply: Supply | str | Path | None = None,
    registry: Registry | str | Path | None = None,
    *,
    funding_rule: FundingRule | None = None,
    finess: Finess | str | Path | None = None,
    derogations: Iterable[str] | str | None = None,
    as_of: date | str | None = None,
    embedded_supply: bool = True,
) -> TerritoryCheck:  # long: numpydoc documents every option; the body is 40 lines
    """Check a proposed ESS territory against every admissibility rule.

    Parameters
    ----------
    specialty : str, Specialty, or a list of them
        Canonical id, label or alias (``"cardiologie"``, ``"cardio"``). Several specialties (a list,
        or a comma-separated string ``"cardiologie,nephrologie"``; duplicates removed) make an ESS
        « pluri-spécialités »: every rule is checked for each specialty and, for the threshold and
        the adherents, in total (:mod:`ess_geo.rules.multi`); ``specialty`` warns « logique médicale
        à justifier auprès de l'ARS ».
    departements : iterable of str or int, or str or int, optional
        Département codes (``["75", "94"]``, ``"75,94"``, ``[1, "2A"]``) or one code (``77``, ``"77"``).
    region : str or int, optional
        A whole région (``"11"``); combined with ``departements`` if both are given.
    adherents : int, sequence of int or mapping of str to int, optional
        Specialists who signed up at start; for several specialties, the whole ESS's number, one
        number per specialty in the order given, or ``{specialty: n}``.
    supply : Supply or path, optional
        Specialist supply (DREES table or RPPS extraction), used instead of the embedded one.
        Default: the embedded supply (:func:`ess_geo.inputs.embedded.load_embedded_supply`, DREES
        2022 all modes and CNAM 2018 libéral counts).
    registry : Registry or path, optional
        Existing ESS; default the embedded registry.
    funding_rule : FundingRule, optional
        Indicative yearly allocation scale.
    finess : Finess or path, optional
        FINESS extraction: its ESS unknown to the registry make the overlap « à vérifier »; CPTS, DAC, hospitals → ``context``.
    derogations : iterable of str or str, optional
        Derogations assumed (``{"perimeter", "threshold", "uniqueness"}``): each turns its
        criterion's ``fail`` into ``warn`` (:func:`~ess_geo.rules.derogations.apply_derogations`).
    as_of : datetime.date or str, optional
        Date of the registry perimeters used (``YYYY-MM-DD``); default the registry's, else today.
    embedded_supply : bool, default True
        With ``supply=None``, use the embedded supply; False uses none (the threshold and
        adherents criteria are then ``unknown``).

    Returns
    -------
    TerritoryCheck
        ``admissible`` is True, False or None (undetermined), with every criterion's evidence.

    Raises
    ------
    UnknownSpecialtyError
        For a name matching no specialty (with suggestions). General practice and pathologies
        are not errors: they fail the ``specialty`` criterion.
    UnknownCodeError
        Naming every unknown département or région code.
    InputDataError
        If ``adherents`` is negative or not an integer (or not one per specialty), ``departements`` is of another type than
        those above, the territory is empty, a supply/registry file is unusable, or ``as_of`` is
        not a date.
    """
    asked = parse_derogations(derogations)
    specs = resolve_specialties(specialty)
    total_adherents, by_spec = split_adherents(adherents, specs)
    deps, communes, region_code = _territory_departements(departements, region)
    reg = as_registry(registry).at(as_of)
    sup, supply_label = _load_supply(supply, embedded_supply)
    fin = as_finess(finess)
    inp = _Inputs(deps, communes, region_code, reg, reg.as_of or as_of_date(None), sup, supply_label, fin,
                  geography.adjacency_graph())
    if len(specs) == 1:
        by_spec = None
        criteria, count, context = _specialty_criteria(inp, specs[0], total_adherents, funding_rule)
    else:
        criteria, count = _several_criteria(inp, specs, (total_adherents, by_spec), funding_rule)
        context = finess_facts(fin, reg, None, deps)[2]
    sources = [geography.reference_source(), reg.source] + (sup.sources if sup is not None else [])
    sources += [fin.source] if fin is not None else []
    return TerritoryCheck(
        specialty=specs[0][1],
        specialty_input=specs[0][0],
        departements=deps,
        region=region_code,
        criteria=settle_derogations(apply_derogations(criteria, asked)),
        sources=sources,
        supply=sup,
        registry=reg,
        adherents=total_adherents,
        count=count,
        context=context,
        finess=fin,
        as_of=inp.day,
        specialties=[s for _, s, _ in specs if s is not None],
        specialty_inputs=[raw for raw, _, _ in specs],
        adherents_by_specialty=by_spec,
    )
