"""The adherents rule: ≥ 10 % of the libéral doctors of the specialty at start, 50 % at 5 years (:func:`rule_adherents`).

The rule speaks of libéral specialists (« 10 % des médecins libéraux de la spécialité »): it is
decided on :attr:`SupplyCount.liberal <ess_geo.inputs.supply.SupplyCount.liberal>`, the libéral
range combined from every source (:mod:`ess_geo.inputs.bounds`). With a range ``[low, high]``
the adherents needed are a range too:

- ``pass`` when the adherents reach 10 % of ``high`` (whatever the true count, the share is met);
- ``fail`` when they are below 10 % of ``low``;
- ``unknown`` in between, when ``high`` is unbounded, or when the sources disagree;
- ``unknown`` whenever a département of the territory has no readable figure
  (:func:`~ess_geo.rules.threshold.missing_counts_fr` names each and its reason): a missing count
  is never counted as 0, so no share is computed.

The practice of the CPAM (egora, September 2025: « maintenant les CPAM exigent 10 médecins
libéraux de la spécialité adhérents dès le départ », see ``ess/RULES_SOURCES.md``) is reported
as ``warn`` (« à vérifier ») when the 10 % rule passes with fewer than 10 adherents.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ess_geo._format import agreed, nombre, plural
from ess_geo.inputs.bounds import SupplyRange
from ess_geo.inputs.supply import SupplyCount
from ess_geo.rules.criteria import (
    FAIL,
    MIN_ADHERENT_SHARE,
    PASS,
    TARGET_ADHERENT_SHARE_5Y,
    UNKNOWN,
    WARN,
    Criterion,
)
from ess_geo.rules.evidence import AdherentsEvidence
from ess_geo.rules.threshold import legacy_range, missing_counts_fr, range_sources_fr

__all__ = [
    "CPAM_MIN_ADHERENTS",
    "CPAM_PRACTICE_SOURCE",
    "adherents_needed",
    "liberal_range",
    "needed_figure",
    "rule_adherents",
    "share_base",
]

#: Adherents the CPAM require from the start in practice (not in the texts).
CPAM_MIN_ADHERENTS = 10
#: Where the CPAM practice is reported.
CPAM_PRACTICE_SOURCE = (
    "egora, septembre 2025, « Équipes de soins spécialisés : pourquoi ça coince » "
    "(https://www.egora.fr/actus-pro/conditions-dexercice/equipes-de-soins-specialises-pourquoi-ca-coince)"
)


def adherents_needed(n_specialists: int, share: float) -> int:
    """Smallest number of adherents reaching ``share`` of ``n_specialists``."""
    return math.ceil(round(n_specialists * share, 9))


def liberal_range(count: SupplyCount) -> SupplyRange:
    """``count.liberal``, or the range of its single figure when it was built without ranges."""
    return count.liberal if count.liberal is not None else legacy_range(count, "liberal")


def _needed_fr(rng: SupplyRange, share: float) -> str:
    """Adherents needed for ``share`` of the range: one figure, « de A à B », or « au moins A »."""
    lo = adherents_needed(rng.low, share)
    if rng.high is None:
        return f"au moins {nombre(lo)}"
    hi = adherents_needed(rng.high, share)
    lo, hi = min(lo, hi), max(lo, hi)
    return nombre(lo) if lo == hi else f"de {nombre(lo)} à {nombre(hi)}"


def _pct(adherents: int, total: int) -> str:
    return f"{adherents / total:.1%}".replace(".", ",").replace("%", " %")


def _case(adherents: int | None, rng: SupplyRange) -> str:
    """``not_given``, ``no_specialist``, ``impossible``, ``reached``, ``below`` or ``unverifiable``."""
    if adherents is None:
        return "not_given"
    if rng.high == 0 and rng.low == 0:
        return "no_specialist"
    if rng.high is not None and adherents > max(rng.high, rng.low):
        return "impossible"  # more adherents than libéral doctors, whichever source is right
    top = max(rng.low, rng.high) if rng.high is not None else None
    if top is not None and adherents >= adherents_needed(top, MIN_ADHERENT_SHARE):
        return "reached"
    if not rng.conflict and adherents < adherents_needed(rng.low, MIN_ADHERENT_SHARE):
        return "below"
    return "unverifiable"


_STATUS = {"missing": UNKNOWN, "not_given": UNKNOWN, "no_specialist": UNKNOWN, "impossible": UNKNOWN, "reached": PASS, "below": FAIL,
           "unverifiable": UNKNOWN}


def share_base(rng: SupplyRange) -> int:
    """The figure shares are shown against: the exact count, else the upper bound, else the lower one."""
    return rng.high if rng.high is not None and not rng.conflict else rng.low


def _message(case: str, adherents: int | None, rng: SupplyRange) -> str:
    """French message of a decided case; it ends with the libéral count used, its source and vintage."""
    who = f" Médecins libéraux de la spécialité : {range_sources_fr(rng)}."
    now, later = _needed_fr(rng, MIN_ADHERENT_SHARE), _needed_fr(rng, TARGET_ADHERENT_SHARE_5Y)
    target = f"objectif à 5 ans : {later} adhérents (50 %)"
    if rng.high is None and rng.low == 0 and case not in ("not_given", "no_specialist"):
        # nothing bounds the libéral doctors: no needed count can be stated
        return (f"{plural(adherents or 0, 'adhérent')} : effectif libéral de la spécialité inconnu, part de 10 % "
                f"et objectif à 5 ans non calculables.{who}")
    if case == "not_given" or adherents is None:
        return f"Nombre d'adhérents non fourni (--adherents N). Il en faut {now} au départ et {later} à 5 ans.{who}"
    if case == "no_specialist":
        return f"Aucun médecin libéral de la spécialité compté : part d'adhérents non calculable.{who}"
    n_adh = plural(adherents, "adhérent")
    figure = share_base(rng)
    n_lib = f"{plural(figure, 'spécialiste')} {agreed(figure, 'libéral', 'libéraux')}"
    if case == "impossible":
        counted = f"{plural(figure, 'spécialiste')} {agreed(figure, 'compté')}"
        return (f"Impossible : {n_adh} pour {counted} (plus d'adhérents que de médecins libéraux, au plus {nombre(figure)}) ; "
                f"vérifier le fichier d'effectifs (source ancienne ?) ou la liste des adhérents.{who}")
    if case == "reached" and rng.exact:
        return f"{n_adh} = {_pct(adherents, figure)} des {n_lib} (≥ 10 %) ; {target}.{who}"
    if case == "reached":
        return f"{n_adh} ≥ 10 % des médecins libéraux de la spécialité, quel que soit leur nombre ; {target}.{who}"
    if case == "below":
        at_most = "" if rng.exact else "au plus "
        low = f"{plural(rng.low, 'spécialiste')} {agreed(rng.low, 'libéral', 'libéraux')}"
        return f"{n_adh} = {at_most}{_pct(adherents, rng.low)} des {low} < 10 % : il en faut {now} ; {target}.{who}"
    return f"{n_adh} : part de 10 % des médecins libéraux non vérifiable (il en faut {now}) ; {target}.{who}"


def _missing_message(adherents: int | None, count: SupplyCount, rng: SupplyRange) -> str:
    """The share left undetermined by départements without a readable figure, naming them and why."""
    given = plural(adherents, "adhérent") if adherents is not None else "Nombre d'adhérents non fourni"
    elsewhere = ""
    if rng.low:
        elsewhere = (f" ; au moins {plural(rng.low, 'médecin libéral', 'médecins libéraux')} sur le reste du territoire : "
                     f"il en faut au moins {nombre(adherents_needed(rng.low, MIN_ADHERENT_SHARE))}")
    missing = missing_counts_fr(count)
    return (f"{given} : {missing[:1].lower()}{missing[1:]} : part de 10 % des médecins libéraux et objectif à 5 ans non "
            f"calculables{elsewhere}. Corriger le fichier d'effectifs (--supply).")


def _evidence(adherents: int | None, rng: SupplyRange, case: str) -> AdherentsEvidence:
    """Facts of the adherents counted against the libéral range, in the order of the JSON output."""
    figure = share_base(rng)
    evidence: AdherentsEvidence = {
        "adherents": adherents,
        "minimum_share": MIN_ADHERENT_SHARE,
        "target_share_5y": TARGET_ADHERENT_SHARE_5Y,
        "specialists": figure,
        "exact": rng.exact,
        "needed_now": adherents_needed(figure, MIN_ADHERENT_SHARE),
        "needed_5y": adherents_needed(figure, TARGET_ADHERENT_SHARE_5Y),
        "base": "liberal",
        "low": rng.low,
        "high": rng.high,
        "conflict": rng.conflict,
        "needed_now_range": [adherents_needed(rng.low, MIN_ADHERENT_SHARE),
                             None if rng.high is None else adherents_needed(rng.high, MIN_ADHERENT_SHARE)],
        "needed_5y_range": [adherents_needed(rng.low, TARGET_ADHERENT_SHARE_5Y),
                            None if rng.high is None else adherents_needed(rng.high, TARGET_ADHERENT_SHARE_5Y)],
        "counts": [c.to_dict() for c in rng.counts],
    }
    if case == "missing":  # a département's count is unknown: nothing is needed « 0 » (never 0, issue 15.1)
        evidence["specialists"] = evidence["needed_now"] = evidence["needed_5y"] = None
        evidence["needed_now_range"], evidence["needed_5y_range"] = [None, None], [None, None]
    if case in ("no_specialist", "missing"):
        evidence["share"] = None
    elif adherents is not None and figure:
        evidence["share"] = round(adherents / figure, 4)
    if case == "impossible":
        evidence["impossible"] = True
    return evidence


def _unavailable(adherents: int | None, count: SupplyCount | None, specialty_refused: bool) -> Criterion:
    """The criterion when no count is possible (refused specialty, no supply, specialty absent)."""
    given: AdherentsEvidence = {"adherents": adherents, "minimum_share": MIN_ADHERENT_SHARE,
                                "target_share_5y": TARGET_ADHERENT_SHARE_5Y}
    if specialty_refused:
        message = "Sans spécialité valide, la part d'adhérents ne peut être calculée."
    elif count is None:
        message = "Effectifs non utilisés : la part d'adhérents ne peut être calculée (voir le critère de seuil)."
    else:
        message = ("Le fichier d'effectifs ne contient aucune donnée pour cette spécialité : la part d'adhérents "
                   "ne peut être calculée (voir le critère de seuil).")
    return Criterion("adherents", UNKNOWN, message, given)


def rule_adherents(adherents: int | None, count: SupplyCount | None, *, specialty_refused: bool = False) -> Criterion:
    """Adherents must be at least 10 % of the libéral doctors of the specialty (50 % targeted at 5 years).

    Parameters
    ----------
    adherents : int or None
        Number of specialists who signed up; None when not given.
    count : SupplyCount or None
        Specialists on the territory; its libéral range is the denominator.
    specialty_refused : bool, default False
        True when the specialty was refused: no count is possible, whatever the supply.
    """
    if specialty_refused or count is None or not count.available:
        return _unavailable(adherents, count, specialty_refused)
    rng = liberal_range(count)
    case = "missing" if count.missing else _case(adherents, rng)
    status = _STATUS[case]
    message = _missing_message(adherents, count, rng) if case == "missing" else _message(case, adherents, rng)
    evidence = _evidence(adherents, rng, case)
    if count.missing:
        evidence["missing"], evidence["missing_reasons"] = list(count.missing), dict(count.missing_reasons)
    if case == "reached" and adherents is not None and adherents < CPAM_MIN_ADHERENTS:
        status = WARN
        message += (f" À vérifier : les CPAM exigent en pratique {CPAM_MIN_ADHERENTS} médecins libéraux de la "
                    f"spécialité adhérents dès le départ ({plural(adherents, 'adhérent')} ici ; source : "
                    f"{CPAM_PRACTICE_SOURCE}).")
        evidence["cpam_practice"] = {"minimum": CPAM_MIN_ADHERENTS, "met": False, "source": CPAM_PRACTICE_SOURCE}
    return Criterion("adherents", status, message, evidence)


def needed_figure(evidence: Mapping[str, Any], key: str) -> int | None:
    """Adherents needed at start (``key="needed_now"``) or at 5 years (``"needed_5y"``) from an adherents evidence.

    The one reading of that figure: the evidence's own figure (one specialty), else, for several
    specialties, the ends of its ``*_range`` when they agree; None when unknown or a range.
    """
    if key in evidence:
        return evidence[key]
    span = evidence.get(f"{key}_range")
    return span[0] if isinstance(span, list | tuple) and len(span) == 2 and span[0] == span[1] else None
