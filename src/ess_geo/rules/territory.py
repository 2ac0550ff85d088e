"""Check a proposed ESS territory against every rule: :func:`check_territory`.

This module gathers the inputs (territory parsed by :func:`ess_geo.reference.codes.parse_territory`,
geography, supply, registry) and calls the rules of :mod:`ess_geo.rules.criteria` and
:mod:`ess_geo.rules.funding`, each of which returns a :class:`~ess_geo.rules.criteria.Criterion`
with evidence. The verdict is :func:`ess_geo.rules.criteria.verdict`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ess_geo.errors import InputDataError, NotEssSpecialtyError
from ess_geo.inputs.embedded import load_embedded_supply
from ess_geo.inputs.finess import Finess, as_finess
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.registry import Registry, as_of_date, as_registry
from ess_geo.inputs.supply import Supply, SupplyCount
from ess_geo.reference import codes, geography
from ess_geo.reference.specialties import Specialty, get_specialty
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
from ess_geo.rules.threshold import rule_threshold
from ess_geo.sources import Source

__all__ = ["DECIDING", "VERDICT_FR", "TerritoryCheck", "check_territory"]

#: French word of each verdict.
VERDICT_FR = {True: "admissible", False: "non admissible", None: "indéterminé"}


@dataclass
class TerritoryCheck:
    """Outcome of :func:`check_territory`.

    Attributes
    ----------
    specialty : Specialty or None
        The specialty checked (None when the input was refused as not a specialty).
    specialty_input : str
        What the caller asked for.
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
        spec = self.specialty.id if self.specialty else repr(self.specialty_input)
        statuses = ", ".join(f"{c.id}={c.status}" for c in self.criteria)
        return f"<TerritoryCheck {spec} on {'+'.join(self.departements)}: {self.verdict_fr} ({statuses})>"

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

    @property
    def territory_label(self) -> str:
        """French label of the territory: ``"Paris (75), Val-de-Marne (94)"`` or the région."""
        if self.region and set(self.departements) == set(codes.departements_of_region(self.region)):
            return f"Région {codes.region_name(self.region)} ({self.region})"
        return ", ".join(f"{codes.departement_name(d)} ({d})" for d in self.departements)

    def to_dict(self) -> dict:
        """JSON-ready form (what ``ess-geo check --json`` prints)."""
        return {
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

    def summary_fr(self) -> str:
        """Plain-text French summary, one line per criterion (for terminals and logs)."""
        marks = {"pass": "✔", "fail": "✘", "unknown": "?", "warn": "!"}
        spec = self.specialty.label if self.specialty else self.specialty_input
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
        spec = self.specialty.label if self.specialty else self.specialty_input
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


def _resolve_specialty(specialty: str | Specialty) -> tuple[Specialty | None, str | None]:
    """The specialty, or None with the French reason when it is refused (general practice, pathology)."""
    try:
        return get_specialty(specialty), None
    except NotEssSpecialtyError as exc:
        return None, exc.fr


def _check_adherents(adherents: object) -> None:
    """Raise :class:`InputDataError` unless ``adherents`` is None or a non-negative integer."""
    if adherents is not None and (isinstance(adherents, bool) or not isinstance(adherents, int) or adherents < 0):
        raise InputDataError(
            f"adherents must be a non-negative integer, got {adherents!r}",
            fr=f"nombre d'adhérents invalide : {adherents!r} (entier positif ou nul attendu)",
        )


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
        commune_dep = geography.load_communes().set_index("code_insee")["code_dep"]
        for commune in territory.communes:
            dep = commune_dep.at[commune]
            if dep not in deps:
                deps.append(dep)
    return deps, list(territory.communes), territory.region


def _supply_count(
    spec: Specialty | None, deps: list[str], supply: Supply | str | Path | None, embedded_supply: bool
) -> tuple[Supply | None, SupplyCount | None, str]:
    """The supply used (the given one, else the embedded one unless refused), its count and its label.

    A supply of several sources (the embedded one) has no label: each count names its source,
    vintage, mode and bound in the threshold message instead.
    """
    sup = as_supply(supply)
    if sup is None and embedded_supply:
        sup = load_embedded_supply()
    count = sup.count(spec, deps) if spec is not None and sup is not None else None
    return sup, count, sup.source.label() if sup is not None and sup.bounds is None else ""


def check_territory(  # noqa: PLR0913 - the options after the territory are keyword-only
    specialty: str | Specialty,
    departements: Iterable[object] | str | None = None,
    region: str | int | None = None,
    adherents: int | None = None,
    supply: Supply | str | Path | None = None,
    registry: Registry | str | Path | None = None,
    *,
    funding_rule: FundingRule | None = None,
    finess: Finess | str | Path | None = None,
    derogations: Iterable[str] | str | None = None,
    as_of: date | str | None = None,
    embedded_supply: bool = True,
) -> TerritoryCheck:  # long: numpydoc documents every option; the body is 35 lines
    """Check a proposed ESS territory against every admissibility rule.

    Parameters
    ----------
    specialty : str or Specialty
        Canonical id, label or alias (``"cardiologie"``, ``"cardio"``).
    departements : iterable of str or int, or str or int, optional
        Département codes (``["75", "94"]``, ``"75,94"``, ``[1, "2A"]``) or one code (``77``, ``"77"``).
    region : str or int, optional
        A whole région (``"11"``); combined with ``departements`` if both are given.
    adherents : int, optional
        Specialists who signed up at start.
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
        If ``adherents`` is negative or not an integer, ``departements`` is of another type than
        those above, the territory is empty, a supply/registry file is unusable, or ``as_of`` is
        not a date.
    """
    asked = parse_derogations(derogations)
    spec, refusal = _resolve_specialty(specialty)
    _check_adherents(adherents)
    deps, communes, region_code = _territory_departements(departements, region)
    reg = as_registry(registry).at(as_of)
    day = reg.as_of or as_of_date(None)
    sup, count, supply_label = _supply_count(spec, deps, supply, embedded_supply)
    fin, unknown, context = finess_facts(as_finess(finess), reg, spec, deps)
    graph = geography.adjacency_graph()
    criteria = apply_derogations([
        rule_specialty(spec, str(specialty), refusal),
        rule_perimeter(deps, {d: codes.region_of(d) for d in deps}, communes, region_code),
        rule_contiguity(deps, graph),
        rule_overlap(spec, reg.covering(spec, deps) if spec else [], unregistered_fr=unknown, as_of=day.isoformat()),
        _threshold(spec, count, sup, supply_label, deps, graph),
        rule_adherents(adherents, count if spec else None, specialty_refused=spec is None),
        rule_funding(adherents, count, funding_rule),
    ], asked)
    sources = [geography.reference_source(), reg.source] + (sup.sources if sup is not None else [])
    sources += [fin.source] if fin is not None else []
    return TerritoryCheck(
        specialty=spec,
        specialty_input=str(specialty),
        departements=deps,
        region=region_code,
        criteria=criteria,
        sources=sources,
        supply=sup,
        registry=reg,
        adherents=adherents,
        count=count,
        context=context,
        finess=fin,
        as_of=day,
    )

