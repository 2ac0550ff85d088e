"""The threshold rule: « au moins 10 médecins de la spécialité » on the territory (:func:`rule_threshold`).

The rule counts the doctors of the specialty in **all modes of practice** (libéraux and salariés):
it is decided on :attr:`SupplyCount.all_modes <ess_geo.inputs.supply.SupplyCount.all_modes>`,
the range combined from every source (:mod:`ess_geo.inputs.bounds`):

- ``pass`` when the lower bound reaches :data:`~ess_geo.rules.criteria.MIN_SPECIALISTS`;
- ``fail`` when the upper bound is below it;
- ``unknown`` otherwise, saying « entre A et B » with the source and vintage of each figure, or
  when the sources disagree (a libéral count of one vintage above an all-modes count of another);
- ``unknown`` whenever a département of the territory has no readable figure
  (:attr:`SupplyCount.missing <ess_geo.inputs.supply.SupplyCount.missing>`: line absent, cell
  empty, negative, fractional...), naming each such département and its reason, even when the
  others already reach 10: a missing count is never counted as 0 (:func:`missing_counts_fr`).

A libéral count alone (an RPPS extraction of libéral doctors, the CNAM table) is only a lower
bound: it can pass the threshold, never fail it.
"""

from __future__ import annotations

from ess_geo._format import agreed, nombre, plural
from ess_geo.inputs.bounds import ContributingCount, SupplyRange
from ess_geo.inputs.supply import SupplyCount
from ess_geo.reference.specialties import Specialty
from ess_geo.rules.criteria import FAIL, MIN_SPECIALISTS, PASS, UNKNOWN, Criterion
from ess_geo.rules.evidence import ThresholdEvidence

__all__ = ["all_modes_range", "legacy_range", "missing_counts_fr", "range_sources_fr", "rule_threshold"]


def legacy_range(count: SupplyCount, target: str) -> SupplyRange:
    """The ``target`` range of a count built without ranges (one source: its mode, exact or upper)."""
    bound = "exact" if count.exact else "upper"
    contribution = ContributingCount("fichier", "fichier d'effectifs", "millésime non précisé", count.mode, bound,
                                     count.total, dict(count.by_departement), list(count.missing))
    return SupplyRange.build(target, [contribution], list(count.by_departement))


def all_modes_range(count: SupplyCount) -> SupplyRange:
    """``count.all_modes``, or the range of its single figure when it was built without ranges."""
    return count.all_modes if count.all_modes is not None else legacy_range(count, "tous")


def missing_counts_fr(count: SupplyCount) -> str:
    """``Effectif inconnu pour 77 (ligne absente du fichier d'effectifs), jamais compté 0`` (``""`` when none is missing).

    The one French account of the départements without a readable figure, shared by the threshold,
    the adherents and the several-specialty totals.
    """
    if not count.missing:
        return ""
    many = len(count.missing) > 1
    head = "Effectifs inconnus pour" if many else "Effectif inconnu pour"
    return f"{head} {count.missing_fr()}, jamais compté{'s' if many else ''} 0"


def _who(c: ContributingCount) -> str:
    """``Assurance Maladie (CNAM), libéraux, au 2018-12-31``."""
    mode = {"tous": "tous modes", "liberal": "libéraux"}.get(c.mode, c.mode)
    return f"{c.label}, {mode}, {c.vintage}"


def range_sources_fr(rng: SupplyRange) -> str:
    """French account of a range with the source and vintage of each bound (for messages)."""
    lows = [c for c in rng.counts if c.role in ("exact", "lower") and c.total == rng.low]
    highs = [c for c in rng.counts if c.role in ("exact", "upper") and rng.high is not None and c.total == rng.high]
    if rng.exact:
        return f"{nombre(rng.low)} ({'; '.join(_who(c) for c in (lows or highs))})"
    low = f"{nombre(rng.low)} ({_who(lows[0])})" if lows else "0"
    if rng.high is None:
        return f"au moins {low}, sans majorant"
    high = f"{nombre(rng.high)} ({_who(highs[0])})" if highs else nombre(rng.high)
    if rng.conflict:
        return f"{low} contre {high} : sources discordantes (millésimes différents)"
    return f"entre {low} et {high}"


def _per_dep(count: SupplyCount, rng: SupplyRange) -> str:
    """``77 : 101, 91 : 137`` (each département's figure or range)."""
    if count.all_modes is None:
        text = ", ".join(f"{d} : {nombre(n)}" for d, n in count.by_departement.items())
    else:
        text = ", ".join(f"{d} : {rng.departement_label_fr(d)}" for d in rng.low_by_departement)
    if count.multi_departement:
        text += (
            f" ; {plural(count.multi_departement, 'médecin exerçant', 'médecins exerçant')} dans plusieurs "
            f"départements, {agreed(count.multi_departement, 'compté')} une fois au total"
        )
    return text


def _source_fr(count: SupplyCount, rng: SupplyRange, supply_label: str) -> str:
    """French note on what was counted and where from (ends every counted threshold message).

    Without ``supply_label`` (a supply of several sources), every count used is named with its
    mode, bound, source and vintage.
    """
    if count.mode == "tous":
        src = (" Effectif tous modes d'exercice (libéraux et salariés) ; une extraction RPPS donne les seuls "
               "libéraux.")
    else:
        src = f" Population comptée : {count.population}." if count.population else ""
    if supply_label:
        return src + f" Source : {supply_label}."
    return src + (f" Décomptes utilisés : {rng.sources_fr()}." if count.all_modes is not None and rng.counts else "")


def _evidence(count: SupplyCount, rng: SupplyRange, supply_label: str) -> ThresholdEvidence:
    """Facts of a counted threshold, in the order of the JSON output."""
    return {
        "total": count.total,
        "by_departement": count.by_departement,
        "exact": count.exact,
        "basis": count.basis,
        "missing": count.missing,
        "minimum": MIN_SPECIALISTS,
        "source": supply_label,
        "mode": count.mode,
        "population_counted": count.population,
        "inhabitants": count.inhabitants,
        "density_per_100k": count.density_per_100k,
        "multi_departement": count.multi_departement,
        "low": rng.low,
        "high": rng.high,
        "conflict": rng.conflict,
        "counts": [c.to_dict() for c in rng.counts],
    }


def _decide(count: SupplyCount, rng: SupplyRange, supply_label: str) -> tuple[str, str]:
    """Status and French message of a counted threshold."""
    per_dep = _per_dep(count, rng)
    src = _source_fr(count, rng, supply_label)
    if count.missing:
        return UNKNOWN, _missing_message(count, rng, src)
    if rng.conflict:
        # the figures differ (vintages), but when every reading is on the same side of the floor the rule is decided
        readings = [rng.low] + ([rng.high] if rng.high is not None else [])
        if min(readings) >= MIN_SPECIALISTS:
            return PASS, (f"Sources discordantes ({range_sources_fr(rng)} ; {per_dep}), mais chacune ≥ "
                          f"{MIN_SPECIALISTS}.{src}")
        if rng.high is not None and max(readings) < MIN_SPECIALISTS:
            return FAIL, (f"Sources discordantes ({range_sources_fr(rng)} ; {per_dep}), mais chacune < "
                          f"{MIN_SPECIALISTS}.{src}")
        return UNKNOWN, (
            f"Les sources se contredisent sur le territoire ({per_dep}) : {range_sources_fr(rng)} ; le seuil de "
            f"{MIN_SPECIALISTS} ne peut être tranché. Fournir une extraction RPPS récente (--supply).{src}"
        )
    if rng.low >= MIN_SPECIALISTS:
        if rng.exact:
            return PASS, f"{plural(rng.low, 'spécialiste')} sur le territoire ({per_dep}) ≥ {MIN_SPECIALISTS} ; {count.basis}.{src}"
        return PASS, (f"Au moins {plural(rng.low, 'spécialiste')} sur le territoire ({range_sources_fr(rng)} ; "
                      f"{per_dep}) ≥ {MIN_SPECIALISTS}.{src}")
    if rng.high is not None and rng.high < MIN_SPECIALISTS:
        bound = "" if rng.exact else "au plus "
        return FAIL, (f"{bound}{plural(rng.high, 'spécialiste')} sur le territoire ({per_dep}) < {MIN_SPECIALISTS} ; "
                      f"{count.basis}.{src}")
    return UNKNOWN, (
        f"Médecins de la spécialité sur le territoire : {range_sources_fr(rng)} ({per_dep}) ; le seuil de "
        f"{MIN_SPECIALISTS} ne peut être tranché ({count.basis}). Fournir une extraction RPPS par spécialité "
        f"(--supply).{src}"
    )


def _missing_message(count: SupplyCount, rng: SupplyRange, src: str) -> str:
    """The threshold left undetermined by départements without a readable figure, naming them and why."""
    known = [d for d in rng.low_by_departement if d not in count.missing]
    elsewhere = ""
    if known:
        per_dep = ", ".join(f"{d} : {rng.departement_label_fr(d)}" for d in known)
        elsewhere = f" ; sur le reste du territoire : {per_dep}"
    return (f"{missing_counts_fr(count)} : le seuil de {MIN_SPECIALISTS} ne peut être vérifié sur tout le territoire"
            f"{elsewhere}. Corriger le fichier d'effectifs ou en fournir un qui couvre chaque département (--supply)."
            f"{src}")


def rule_threshold(spec: Specialty | None, count: SupplyCount | None, supply_label: str = "") -> Criterion:
    """At least :data:`~ess_geo.rules.criteria.MIN_SPECIALISTS` doctors of the specialty, all modes, on the territory.

    Parameters
    ----------
    spec : Specialty or None
        The specialty (None when refused).
    count : SupplyCount or None
        Specialists counted on the territory; None when no supply is used.
    supply_label : str
        French label of the supply source, for the message.
    """
    if spec is None:
        return Criterion("threshold", UNKNOWN, "Sans spécialité valide, le seuil ne peut être examiné.")
    if count is None:
        return Criterion(
            "threshold",
            UNKNOWN,
            "Effectifs non utilisés (--no-embedded-supply) : le seuil ne peut être vérifié. Utiliser les effectifs "
            "embarqués, ou fournir un fichier avec --supply FICHIER (table DREES « effectifs par département × 15 "
            "groupes de spécialités » ou extraction RPPS) ou supply=... en Python.",
            ThresholdEvidence(minimum=MIN_SPECIALISTS),
        )
    if not count.available:
        absent: ThresholdEvidence = {"total": None, "available": False, "basis": count.basis, "missing": count.missing,
                                     "minimum": MIN_SPECIALISTS, "source": supply_label}
        return Criterion(
            "threshold",
            UNKNOWN,
            f"Le fichier d'effectifs ne contient aucune donnée pour {spec.label} (ni pour son groupe DREES "
            f"« {spec.drees_group} ») : le seuil de {MIN_SPECIALISTS} ne peut être vérifié. Fournir un fichier "
            f"qui couvre cette spécialité.{' Source : ' + supply_label + '.' if supply_label else ''}",
            absent,
        )
    rng = all_modes_range(count)
    status, message = _decide(count, rng, supply_label)
    evidence = _evidence(count, rng, supply_label)
    if count.missing:
        evidence["missing_reasons"] = dict(count.missing_reasons)
    return Criterion("threshold", status, message, evidence)
