"""The figures of a territory for a committee: :class:`TerritoryFigures`, read off a territory check.

``ess-geo dossier`` lays these figures out and ``ess-geo compare`` puts those of several candidate
territories side by side. Nothing here decides anything: every verdict, count, share, target and
amount is read from the :class:`~ess_geo.rules.territory.TerritoryCheck` (the criteria's evidence,
exactly what ``ess-geo check --json`` prints), never recomputed. Only facts the check does not hold
are added: the resident population when no count carried it, the ZIP communes of a zonage
(:meth:`~ess_geo.analysis.outreach_result.ZipResult.counts`) and the ESS of the specialty on the
départements bordering the territory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ess_geo.analysis.outreach_result import ZipResult
from ess_geo.reference import codes
from ess_geo.reference.geography import neighbours
from ess_geo.reference.population import inhabitants
from ess_geo.rules.adherents import needed_figure
from ess_geo.rules.criteria import DECIDING
from ess_geo.rules.territory import TerritoryCheck

__all__ = ["FIGURE_COLUMNS", "FIGURE_LABELS_FR", "TerritoryFigures", "departement_labels", "territory_figures"]

#: Stable ids of the flat figures (:meth:`TerritoryFigures.to_row`), in display order.
FIGURE_COLUMNS = (
    "territory", "departements", "admissible", "verdict",
    *(f"status_{c}" for c in (*DECIDING, "funding")),
    "specialists_low", "specialists_high", "liberal_low", "liberal_high",
    "adherents", "adherents_share", "needed_now", "needed_5y",
    "population", "density_per_100k", "zip_communes", "zip_population",
    "startup_credit_eur", "yearly_eur", "yearly_eur_at_5y_target",
    "ess_on_territory", "ess_nearby",
)
#: French label of each flat figure, for display (tables, HTML, XLSX).
FIGURE_LABELS_FR: dict[str, str] = {
    "candidate": "Candidat",
    "territory": "Territoire",
    "departements": "Départements",
    "admissible": "Admissible",
    "verdict": "Verdict",
    "status_specialty": "Spécialité",
    "status_perimeter": "Périmètre",
    "status_contiguity": "Continuité territoriale",
    "status_overlap": "Absence de chevauchement",
    "status_threshold": "Au moins 10 spécialistes",
    "status_adherents": "Adhérents ≥ 10 %",
    "status_funding": "Financement (indicatif)",
    "specialists_low": "Spécialistes tous modes (min.)",
    "specialists_high": "Spécialistes tous modes (max.)",
    "liberal_low": "Spécialistes libéraux (min.)",
    "liberal_high": "Spécialistes libéraux (max.)",
    "adherents": "Adhérents",
    "adherents_share": "Part des libéraux adhérents",
    "needed_now": "Adhérents nécessaires au départ (10 %)",
    "needed_5y": "Adhérents nécessaires à 5 ans (50 %)",
    "population": "Population",
    "density_per_100k": "Spécialistes pour 100 000 hab.",
    "zip_communes": "Communes ZIP",
    "zip_population": "Population en ZIP",
    "startup_credit_eur": "Crédit d'amorçage (€, indicatif)",
    "yearly_eur": "Dotation annuelle (€/an, indicatif)",
    "yearly_eur_at_5y_target": "Dotation à l'objectif 5 ans (€/an, indicatif)",
    "ess_on_territory": "ESS déjà sur le territoire",
    "ess_nearby": "ESS voisines",
}


@dataclass
class TerritoryFigures:
    """A territory check's figures for a committee (built by :func:`territory_figures`).

    Attributes
    ----------
    check : TerritoryCheck
        The check every figure is read from.
    produced_on : datetime.date
        Date of production of the document.
    counts : list of dict
        Every count the threshold and adherents rules used (source, label, vintage, mode, bound,
        role, total, by_departement, missing), each once, all modes first.
    population : int or None
        Resident population of the territory (the threshold's ``inhabitants``, else the embedded
        geography's).
    zip_counts : dict or None
        Communes and population per zonage class (:meth:`ZipResult.counts`), when a zonage was given.
    ess_nearby : list of dict
        ESS of the specialty covering a bordering département but none of the territory's
        (``id``, ``name``, ``departements``, ``status``, ``certainty``, ``source``).
    zip_result : ZipResult or None
        The zonage analysis the ZIP figures come from (drawn on the dossier's map).
    """

    check: TerritoryCheck
    produced_on: date
    counts: list[dict[str, Any]]
    population: int | None
    zip_counts: dict[str, int | None] | None = None
    ess_nearby: list[dict[str, Any]] = field(default_factory=list)
    zip_result: ZipResult | None = field(default=None, repr=False)

    def evidence(self, criterion_id: str) -> Mapping[str, Any]:
        """Evidence of one criterion of the check (empty when the check has no such criterion)."""
        return self.check.evidence(criterion_id)

    @property
    def ess_on_territory(self) -> list[dict[str, Any]]:
        """The ESS the overlap rule found on the territory (its evidence, as ``check --json`` prints it)."""
        return list(self.evidence("overlap").get("ess", []))

    @property
    def funding(self) -> dict[str, Any]:
        """Start-up credit and yearly allocations of the funding criterion (indicative)."""
        ev = self.evidence("funding")
        keys = ("startup_credit_eur", "yearly_eur", "interpolated", "size", "size_at_5y_target",
                "yearly_eur_at_5y_target", "interpolated_at_5y_target", "yearly_range_eur", "source")
        return {"indicative": True, **{k: ev.get(k) for k in keys}}

    def to_row(self) -> dict[str, Any]:
        """The flat figures, keyed by :data:`FIGURE_COLUMNS` (one row of ``compare``)."""
        check = self.check
        thr, adh, fund = self.evidence("threshold"), self.evidence("adherents"), self.funding
        statuses = {f"status_{c.id}": c.status for c in check.criteria}
        zip_counts = self.zip_counts or {}
        row: dict[str, Any] = {
            "territory": check.territory_label,
            "departements": ",".join(check.departements),
            "admissible": check.admissible,
            "verdict": check.verdict_fr,
            **{f"status_{c}": statuses.get(f"status_{c}") for c in (*DECIDING, "funding")},
            "specialists_low": thr.get("low"),
            "specialists_high": thr.get("high"),
            "liberal_low": adh.get("low"),
            "liberal_high": adh.get("high"),
            "adherents": check.adherents,
            "adherents_share": adh.get("share"),
            "needed_now": needed_figure(adh, "needed_now"),
            "needed_5y": needed_figure(adh, "needed_5y"),
            "population": self.population,
            "density_per_100k": thr.get("density_per_100k"),
            "zip_communes": zip_counts.get("communes_ZIP"),
            "zip_population": zip_counts.get("population_ZIP"),
            "startup_credit_eur": fund["startup_credit_eur"],
            "yearly_eur": fund["yearly_eur"],
            "yearly_eur_at_5y_target": fund["yearly_eur_at_5y_target"],
            "ess_on_territory": ", ".join(str(e.get("name", "")) for e in self.ess_on_territory),
            "ess_nearby": ", ".join(str(e["name"]) for e in self.ess_nearby),
        }
        return row

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the check's own ``to_dict()`` plus the dossier's figures."""
        return {
            "produced_on": self.produced_on.isoformat(),
            "figures": self.to_row(),
            "counts": self.counts,
            "funding": self.funding,
            "zip": self.zip_counts,
            "ess_on_territory": self.ess_on_territory,
            "ess_nearby": self.ess_nearby,
            "check": self.check.to_dict(),
        }


def _evidence_counts(evidence: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The counts of one criterion's evidence; for several specialties, each specialty's (with ``specialty``)."""
    counts = evidence.get("counts")
    found = [dict(c) for c in counts] if isinstance(counts, list) else []
    by_spec = evidence.get("by_specialty")
    for spec_id, part in (by_spec.items() if isinstance(by_spec, Mapping) else []):
        inner = part.get("evidence", {}).get("counts") if isinstance(part, Mapping) else None
        found += [{**c, "specialty": spec_id} for c in (inner if isinstance(inner, list) else [])]
    return found


def _used_counts(check: TerritoryCheck) -> list[dict[str, Any]]:
    """Counts of the threshold then the adherents evidence, each (specialty, source, mode, vintage) once."""
    seen: dict[tuple[object, ...], dict[str, Any]] = {}
    for criterion_id in ("threshold", "adherents"):
        for count in _evidence_counts(check.evidence(criterion_id)):
            key = (count.get("specialty"), count.get("source"), count.get("mode"), count.get("vintage"))
            seen.setdefault(key, count)
    return sorted(seen.values(), key=lambda c: (str(c.get("specialty", "")), c.get("mode") != "tous"))


def _nearby_ess(check: TerritoryCheck) -> list[dict[str, Any]]:
    """ESS of the check's specialties covering a bordering département and none of the territory."""
    territory = set(check.departements)
    border = sorted({n for d in check.departements for n in neighbours(d)} - territory)
    if check.registry is None or not border:
        return []
    found: dict[str, dict[str, Any]] = {}
    for spec in check.specialties:
        for entry, shared in check.registry.covering(spec, border):
            if entry.id in found or set(entry.departements) & territory:
                continue
            found[entry.id] = {
                "id": entry.id, "name": entry.name, "specialty": spec.id, "departements": list(shared),
                "perimeter": list(entry.departements), "status": entry.status,
                "certainty": entry.perimeter_certainty, "source": entry.source_ref,
            }
    return list(found.values())


def territory_figures(
    check: TerritoryCheck, *, zip_result: ZipResult | None = None, produced_on: date | None = None
) -> TerritoryFigures:
    """The committee figures of a territory check.

    Parameters
    ----------
    check : TerritoryCheck
        From :func:`ess_geo.rules.territory.check_territory`: every verdict and figure is read from it.
    zip_result : ZipResult, optional
        From :func:`ess_geo.analysis.outreach.flag_zip` on the same territory: the ZIP communes
        and their population.
    produced_on : datetime.date, optional
        Date of production (default today).

    Returns
    -------
    TerritoryFigures
    """
    thr = check.evidence("threshold")
    population = thr.get("inhabitants")
    if population is None:
        population = inhabitants(check.departements)
    return TerritoryFigures(
        check=check,
        produced_on=produced_on or date.today(),
        counts=_used_counts(check),
        population=int(population) if isinstance(population, int | float) else None,
        zip_counts=zip_result.counts() if zip_result is not None else None,
        ess_nearby=_nearby_ess(check),
        zip_result=zip_result,
    )


def departement_labels(departements: Sequence[str]) -> dict[str, str]:
    """``{"14": "Calvados (14)", ...}`` for display."""
    return {d: f"{codes.departement_name(d)} ({d})" for d in departements}

