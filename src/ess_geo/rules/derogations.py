"""Derogations to the ESS rules, in one place: ids, French labels, sources, and how they apply.

The convention médicale 2024 (quoted by the URPS ML PACA) allows exceptions to the minimum
thresholds and to the uniqueness of specialty: « À titre dérogatoire, il pourra être fait exception
à ces seuils minimaux ou au principe d'unicité de spécialité en raison de circonstances
particulières sous réserve de validation ». No public source found allows an ESS spanning two
régions (the région is the maximum); the ``perimeter`` derogation is therefore an assumption the
user makes explicitly, to be validated by the ARS like the others.

==============  ============  ==================  ============================================
derogation id   CLI spelling  criterion turned    when it applies
==============  ============  ==================  ============================================
perimeter       perimetre     perimeter           a territory across several régions
threshold       seuil         threshold           fewer than 10 specialists counted
uniqueness      unicite       overlap             a territory already covered by an ESS of the
                                                  same specialty
==============  ============  ==================  ============================================

:func:`apply_derogations` turns the matching criterion's ``fail`` into ``warn`` (« à vérifier :
dérogation à faire valider par l'ARS ») and records ``evidence["derogation"]``; ``pass``,
``warn`` and ``unknown`` criteria are left as they are, their evidence saying the derogation asked
was not used. :func:`unreachable_threshold` words a failed threshold that no admissible territory
of the région could reach (« seuil inatteignable dans la région : dérogation possible
(circonstances particulières) »); the coverage table uses the same words for its ``none`` class.
Both are called by :func:`ess_geo.rules.territory.check_territory`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypedDict

from ess_geo._format import plural
from ess_geo.errors import InputDataError
from ess_geo.inputs.supply import SupplyCount
from ess_geo.reference.codes import region_name
from ess_geo.rules.criteria import FAIL, MIN_SPECIALISTS, PASS, UNKNOWN, WARN, Criterion

__all__ = [
    "ASSUMED_FR",
    "DEROGATIONS",
    "DEROGATION_CLI",
    "DEROGATION_CRITERION",
    "DEROGATION_LABELS_FR",
    "DEROGATION_SOURCES_FR",
    "DEROGATION_SOURCE_FR",
    "PERIMETER_DEROGATION_FR",
    "UNREACHABLE_FR",
    "DerogationEvidence",
    "apply_derogations",
    "assumed_derogations",
    "derogation_prefix_fr",
    "parse_derogations",
    "require_perimeter_derogation",
    "unreachable_threshold",
]

#: Derogation ids, in the order of the module table.
DEROGATIONS = ("perimeter", "threshold", "uniqueness")
#: CLI spelling (``--derogation``) of each derogation id.
DEROGATION_CLI = {"perimeter": "perimetre", "threshold": "seuil", "uniqueness": "unicite"}
#: Criterion whose ``fail`` each derogation turns into ``warn``.
DEROGATION_CRITERION = {"perimeter": "perimeter", "threshold": "threshold", "uniqueness": "overlap"}
#: French label of each derogation.
DEROGATION_LABELS_FR = {
    "perimeter": "dérogation de périmètre (territoire sur plusieurs régions)",
    "threshold": f"dérogation au seuil minimal ({MIN_SPECIALISTS} médecins de la spécialité)",
    "uniqueness": "dérogation au principe d'unicité (territoire déjà couvert par une ESS de la spécialité)",
}
#: The sentence of the convention médicale 2024 allowing derogations, with where it is quoted.
DEROGATION_SOURCE_FR = (
    "« À titre dérogatoire, il pourra être fait exception à ces seuils minimaux ou au principe d'unicité de "
    "spécialité en raison de circonstances particulières sous réserve de validation » (convention médicale 2024, "
    "citée par l'URPS ML PACA, https://www.urps-ml-paca.org/exercice-coordonne-les-ess-pour-en-savoir-plus/)"
)
#: Source of each derogation: the convention's sentence, or the lack of any for the perimeter.
DEROGATION_SOURCES_FR = {
    "perimeter": (
        "Aucune source publique trouvée ne prévoit d'ESS sur plusieurs régions : le périmètre est « a minima "
        "départemental (avec une cible régionale possible) » (convention médicale 2024) et « peut cibler la totalité "
        "de la région » (ARS Nouvelle-Aquitaine) ; la dérogation sur ce point est une hypothèse de l'utilisateur. "
        "La convention ne prévoit d'exception qu'aux seuils et à l'unicité : " + DEROGATION_SOURCE_FR
    ),
    "threshold": DEROGATION_SOURCE_FR,
    "uniqueness": DEROGATION_SOURCE_FR,
}
#: What a criterion turned into ``warn`` by a derogation says.
ASSUMED_FR = "à vérifier : dérogation à faire valider par l'ARS"
#: What every output says of a threshold no admissible territory of the région can reach.
UNREACHABLE_FR = "seuil inatteignable dans la région : dérogation possible (circonstances particulières)"
#: What every proposal of a search across régions says.
PERIMETER_DEROGATION_FR = "dérogation de périmètre supposée (à faire valider par l'ARS)"

#: Accepted spellings of each derogation id (ids, CLI spellings, accented forms).
_SPELLINGS = {
    **{d: d for d in DEROGATIONS},
    **{cli: d for d, cli in DEROGATION_CLI.items()},
    "périmètre": "perimeter",
    "unicité": "uniqueness",
}


class DerogationEvidence(TypedDict, total=False):
    """``evidence["derogation"]`` of a criterion for which a derogation was asked."""

    assumed: bool
    id: str
    cli: str
    label: str
    source: str
    note: str


def parse_derogations(derogations: Iterable[str] | str | None) -> frozenset[str]:
    """The derogation ids asked: ids, CLI spellings or a comma-separated string.

    Parameters
    ----------
    derogations : iterable of str, str or None
        ``{"perimeter"}``, ``["seuil", "unicite"]``, ``"perimetre,seuil"``; None for none.

    Returns
    -------
    frozenset of str
        Derogation ids (:data:`DEROGATIONS`).

    Raises
    ------
    InputDataError
        Naming every unknown value and listing the allowed ones.
    """
    if derogations is None:
        return frozenset()
    items = [derogations] if isinstance(derogations, str) else list(derogations)
    values = [part.strip() for item in items for part in str(item).split(",") if part.strip()]
    unknown = [v for v in values if v.lower() not in _SPELLINGS]
    if unknown:
        raise InputDataError(
            f"unknown derogation(s) {unknown!r}; allowed: {list(DEROGATIONS)} (CLI: {list(DEROGATION_CLI.values())})",
            fr=f"dérogation inconnue : {', '.join(repr(v) for v in unknown)} ; valeurs permises : "
            + ", ".join(DEROGATION_CLI.values()),
        )
    return frozenset(_SPELLINGS[v.lower()] for v in values)


def require_perimeter_derogation(derogations: Iterable[str] | str | None, option: str, option_fr: str) -> frozenset[str]:
    """The derogation ids asked, once checked that they include ``perimeter`` (for a search across régions).

    Parameters
    ----------
    derogations : iterable of str, str or None
        Derogations asked (see :func:`parse_derogations`).
    option : str
        The option asking to cross régions, for the English message (``"across_regions=True"``).
    option_fr : str
        The same, for the French message (``"--across-regions"``).

    Raises
    ------
    InputDataError
        When ``perimeter`` is not asked (or a derogation is unknown).
    """
    asked = parse_derogations(derogations)
    if "perimeter" not in asked:
        raise InputDataError(
            f"{option} needs the perimeter derogation (derogations={{'perimeter'}}): the région is the maximum of an "
            "ESS territory",
            fr=f"{option_fr} suppose une dérogation de périmètre : le territoire d'une ESS est « a minima départemental "
            "(avec une cible régionale possible) », la région en est le maximum et aucune source ne prévoit d'ESS sur "
            "plusieurs régions ; ajouter la dérogation perimetre pour l'étudier quand même (à faire valider par l'ARS)",
        )
    return asked


def _derogable(criterion: Criterion) -> str | None:
    """Why a derogation cannot turn this criterion into ``warn`` (French), or None when it can."""
    if criterion.status in (PASS, WARN):
        return "dérogation demandée mais non utilisée : le critère est déjà satisfait"
    if criterion.status == UNKNOWN:
        return "dérogation demandée mais non utilisée : le critère est indéterminé (une dérogation ne remplace pas une donnée manquante)"
    ev = criterion.evidence
    regions = ev.get("regions")
    if criterion.id == "perimeter" and (ev.get("communes") or not isinstance(regions, Mapping) or len(regions) < 2):
        return "dérogation demandée mais non utilisée : ce refus ne porte pas sur le nombre de régions"
    if criterion.id == "threshold" and ev.get("total") is None:
        return "dérogation demandée mais non utilisée : aucun effectif compté"
    return None


def _apply_one(criterion: Criterion, derogation: str) -> Criterion:
    """The criterion with ``derogation`` applied (``fail`` → ``warn``) or recorded as not used."""
    evidence = dict(criterion.evidence)
    record: DerogationEvidence = {
        "assumed": False,
        "id": derogation,
        "cli": DEROGATION_CLI[derogation],
        "label": DEROGATION_LABELS_FR[derogation],
        "source": DEROGATION_SOURCES_FR[derogation],
    }
    refusal = _derogable(criterion)
    if refusal is not None:
        record["note"] = refusal
        evidence["derogation"] = record
        return Criterion(criterion.id, criterion.status, criterion.message, evidence)
    record["assumed"] = True
    if derogation == "threshold" and not evidence.get("unreachable"):
        record["note"] = ("le seuil reste atteignable dans la région en regroupant des départements : les "
                          "circonstances particulières sont à justifier")
    evidence["derogation"] = record
    message = f"{criterion.message.rstrip().rstrip('.')} ; {ASSUMED_FR}."
    return Criterion(criterion.id, WARN, message, evidence)


def apply_derogations(criteria: Iterable[Criterion], derogations: Iterable[str] | str | None) -> list[Criterion]:
    """Criteria with the derogations asked applied: a matching ``fail`` becomes ``warn``.

    Pure: the criteria given are not modified. A derogation asked for a criterion that passes,
    warns or is unknown leaves it as it is and says in its ``evidence["derogation"]`` that it was
    not used (``assumed`` False, with a French ``note``).

    Parameters
    ----------
    criteria : iterable of Criterion
        Criteria of a territory.
    derogations : iterable of str, str or None
        Derogation ids or CLI spellings (see :func:`parse_derogations`).

    Returns
    -------
    list of Criterion

    Raises
    ------
    InputDataError
        For an unknown derogation, naming it.
    """
    asked = parse_derogations(derogations)
    out = []
    for criterion in criteria:
        for derogation in DEROGATIONS:
            if derogation in asked and DEROGATION_CRITERION[derogation] == criterion.id:
                criterion = _apply_one(criterion, derogation)
        out.append(criterion)
    return out


def assumed_derogations(criteria: Iterable[Criterion]) -> list[str]:
    """Ids of the derogations actually assumed (applied) in these criteria, in :data:`DEROGATIONS` order."""
    found = set()
    for c in criteria:
        record = c.evidence.get("derogation")
        if isinstance(record, Mapping) and record.get("assumed"):
            found.add(str(record["id"]))
    return [d for d in DEROGATIONS if d in found]


def derogation_prefix_fr(criterion: Criterion) -> str:
    """« Dérogation supposée : <label>. » for a criterion turned into ``warn`` by a derogation, else ``""``.

    Put before the criterion's message wherever it is shown (check summary, maps).
    """
    record = criterion.evidence.get("derogation")
    if isinstance(record, Mapping) and record.get("assumed"):
        return f"Dérogation supposée : {record['label']}. "
    return ""


def unreachable_threshold(
    criterion: Criterion, region_counts: Mapping[str, SupplyCount], no_land_neighbour: Sequence[str] = ()
) -> Criterion:
    """A failed threshold that no admissible territory can reach: say so (« seuil inatteignable … »).

    An admissible territory lies within one région (the région is the maximum). When even the
    whole région counts fewer than :data:`~ess_geo.rules.criteria.MIN_SPECIALISTS` doctors (an
    upper bound counts as is: a bound below the floor is conclusive), no territory of it can reach
    the threshold: the message says :data:`UNREACHABLE_FR` and ``evidence["unreachable"]`` gives
    the région counts. The status stays ``fail`` (see :func:`apply_derogations` with
    ``"threshold"``).

    Parameters
    ----------
    criterion : Criterion
        The ``threshold`` criterion; any other, or one that does not fail, is returned unchanged.
    region_counts : mapping of str to SupplyCount
        Count of every département of each région of the territory.
    no_land_neighbour : sequence of str
        Départements of the territory without any land neighbour (overseas), for the message.

    Returns
    -------
    Criterion
    """
    if criterion.id != "threshold" or criterion.status != FAIL or not region_counts:
        return criterion
    if any(c.missing or not c.available for c in region_counts.values()):
        return criterion  # a région count may be short: nothing conclusive
    if max(c.total for c in region_counts.values()) >= MIN_SPECIALISTS:
        return criterion
    exact = all(c.exact for c in region_counts.values())
    bound = "" if exact else "au plus "
    detail = " ; ".join(
        f"région {region_name(r)} ({r}) : {bound}{plural(c.total, 'spécialiste')} en tout" for r, c in region_counts.items()
    )
    if no_land_neighbour:
        detail += f", {', '.join(no_land_neighbour)} sans voisin terrestre"
    evidence = dict(criterion.evidence)
    evidence["unreachable"] = {
        "regions": {r: c.total for r, c in region_counts.items()},
        "exact": exact,
        "no_land_neighbour": list(no_land_neighbour),
        "minimum": MIN_SPECIALISTS,
    }
    message = f"{UNREACHABLE_FR[:1].upper()}{UNREACHABLE_FR[1:]} — {detail}. {criterion.message}"
    return Criterion(criterion.id, criterion.status, message, evidence)
