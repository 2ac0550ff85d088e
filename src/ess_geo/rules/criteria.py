"""The ESS admissibility rules (art. L.1411-11-1 CSP and its guidance), one function per rule.

Each rule returns a :class:`Criterion` with a status, a French message and its evidence (the
counts, the offending codes, the overlapping ESS), never just a boolean. Rules are pure: they read
no file and draw nothing; :func:`ess_geo.rules.territory.check_territory` gathers the inputs.

=============  ===========================================================================
criterion id   rule
=============  ===========================================================================
specialty      the scope is one specialty (not general practice, not a single pathology)
perimeter      whole départements only, at least one, one région at most (fail across régions)
contiguity     the départements form one connected piece (islands handled by adjacency)
overlap        no département already covered by an ESS of the same specialty
threshold      at least 10 doctors of the specialty practise on the territory
adherents      adherents ≥ 10 % of those doctors at start (target 50 % within 5 years)
funding        start-up credit and yearly allocation (indicative, informational): in
               :mod:`ess_geo.rules.funding`
=============  ===========================================================================

This module is also the one home of the verdict drawn from criteria (:func:`verdict`, over the
:data:`DECIDING` ids), of the floor :data:`MIN_SPECIALISTS`, of the French status words
:data:`STATUS_FR` and of the French criterion labels :data:`CRITERION_LABELS_FR`: every other
module (territory check, trajectory, proposals, maps) imports them from here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from ess_geo._format import nombre, plural
from ess_geo.inputs.registry_entry import EssEntry
from ess_geo.inputs.supply import SupplyCount
from ess_geo.reference.codes import region_name
from ess_geo.reference.specialties import Specialty
from ess_geo.rules.evidence import (
    AdherentsEvidence,
    ContiguityEvidence,
    OverlapEvidence,
    PerimeterEvidence,
    SpecialtyEvidence,
    ThresholdEvidence,
)

__all__ = [
    "CRITERION_LABELS_FR", "DECIDING", "FAIL", "MIN_ADHERENT_SHARE", "MIN_SPECIALISTS", "PASS", "STATUSES",
    "STATUS_FR", "TARGET_ADHERENT_SHARE_5Y", "UNKNOWN", "WARN", "Criterion", "adherents_needed",
    "connected_pieces", "problems", "rule_adherents", "rule_contiguity", "rule_overlap", "rule_perimeter",
    "rule_specialty", "rule_threshold", "verdict",
]

PASS, FAIL, UNKNOWN, WARN = "pass", "fail", "unknown", "warn"
STATUSES = (PASS, FAIL, UNKNOWN, WARN)
#: French word of each status.
STATUS_FR = {PASS: "conforme", FAIL: "non conforme", UNKNOWN: "indéterminé", WARN: "à vérifier"}

#: Minimum number of doctors of the specialty on the territory.
MIN_SPECIALISTS = 10
#: Minimum share of adherents at creation.
MIN_ADHERENT_SHARE = 0.10
#: Target share of adherents five years after creation.
TARGET_ADHERENT_SHARE_5Y = 0.50

#: French label of each criterion id, as the check prints it.
CRITERION_LABELS_FR = {
    "specialty": "Spécialité",
    "perimeter": "Périmètre",
    "contiguity": "Continuité territoriale",
    "overlap": "Absence de chevauchement",
    "threshold": f"Au moins {MIN_SPECIALISTS} spécialistes",
    "adherents": f"Adhérents ≥ {MIN_ADHERENT_SHARE:.0%}".replace("%", " %"),
    "funding": "Financement (indicatif)",
}

#: Criteria that decide admissibility (``funding`` is informational).
DECIDING = ("specialty", "perimeter", "contiguity", "overlap", "threshold", "adherents")


@dataclass
class Criterion:
    """The outcome of one rule.

    Attributes
    ----------
    id : str
        Criterion id (see the module table).
    status : str
        ``pass``, ``fail``, ``unknown`` or ``warn``.
    message : str
        French explanation for committees.
    evidence : mapping of str to object
        JSON-ready facts behind the status; its keys are those of the criterion's TypedDict in
        :mod:`ess_geo.rules.evidence` (:class:`~ess_geo.rules.evidence.ThresholdEvidence`, ...).
    """

    id: str
    status: str
    message: str
    evidence: Mapping[str, object] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """French name of the criterion."""
        return CRITERION_LABELS_FR.get(self.id, self.id)

    @property
    def status_fr(self) -> str:
        """French status word."""
        return STATUS_FR[self.status]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return asdict(self)


def problems(criteria: Iterable[Criterion], *, ignore: Iterable[str] = ()) -> list[Criterion]:
    """The :data:`DECIDING` criteria that fail, then those that are unknown (each in the order given).

    Parameters
    ----------
    criteria : iterable of Criterion
        Criteria of a territory.
    ignore : iterable of str, optional
        Deciding criterion ids left out (e.g. ``("adherents",)`` at planning time).
    """
    skipped = set(ignore)
    deciding = [c for c in criteria if c.id in DECIDING and c.id not in skipped]
    return [c for c in deciding if c.status == FAIL] + [c for c in deciding if c.status == UNKNOWN]


def verdict(criteria: Iterable[Criterion], *, ignore: Iterable[str] = ()) -> bool | None:
    """The verdict drawn from criteria: the one rule used by every result that has criteria.

    Returns False if a :data:`DECIDING` criterion not in ``ignore`` fails, None if one is unknown,
    else True (``warn`` passes); the criteria behind it are :func:`problems`.
    """
    found = problems(criteria, ignore=ignore)
    if not found:
        return True
    return False if found[0].status == FAIL else None


def rule_specialty(spec: Specialty | None, raw: str, refusal: str | None = None) -> Criterion:
    """The scope must be one ESS specialty, not general practice nor a pathology.

    Parameters
    ----------
    spec : Specialty or None
        Resolved specialty, None when the input was refused.
    raw : str
        What the user asked for.
    refusal : str, optional
        French reason of the refusal.
    """
    if spec is None:
        refused: SpecialtyEvidence = {"input": raw}
        return Criterion("specialty", FAIL, refusal or f"« {raw} » n'est pas une spécialité d'ESS.", refused)
    evidence: SpecialtyEvidence = {"input": raw, "id": spec.id, "label": spec.label, "drees_group": spec.drees_group}
    return Criterion("specialty", PASS, f"Spécialité reconnue : {spec.label}.", evidence)


def rule_perimeter(
    departements: Sequence[str], regions: Mapping[str, str], communes: Sequence[str] = (), from_region: str | None = None
) -> Criterion:
    """Whole départements only, at least one, within one région (fails across régions, naming them).

    Parameters
    ----------
    departements : sequence of str
        Normalised département codes of the territory.
    regions : mapping of str to str
        Région code of each département.
    communes : sequence of str
        Commune codes the user gave instead of départements (not allowed).
    from_region : str, optional
        Région code when the territory was given as a whole région.
    """
    by_region: dict[str, list[str]] = {}
    for d in departements:
        by_region.setdefault(regions[d], []).append(d)
    evidence: PerimeterEvidence = {"departements": list(departements), "regions": by_region, "from_region": from_region}
    if communes:
        evidence["communes"] = list(communes)
        return Criterion(
            "perimeter",
            FAIL,
            "Le territoire d'une ESS se compose de départements entiers ; communes données : " + ", ".join(communes) + ".",
            evidence,
        )
    if not departements:
        return Criterion("perimeter", FAIL, "Aucun département : une ESS couvre au moins un département entier.", evidence)
    n = len(departements)
    if from_region:
        what = f"la région {region_name(from_region)} ({from_region}) entière ({plural(n, 'département')})"
    else:
        what = plural(n, "département entier", "départements entiers")
    if len(by_region) > 1:
        names = ", ".join(f"{region_name(r)} ({r})" for r in sorted(by_region))
        return Criterion(
            "perimeter",
            FAIL,
            f"Périmètre de {what}, sur {len(by_region)} régions : {names}. Une ESS est « a minima départemental (avec "
            "une cible régionale possible) » (convention médicale 2024) : la région en est le maximum.",
            evidence,
        )
    return Criterion("perimeter", PASS, f"Périmètre de {what}.", evidence)


def connected_pieces(departements: Sequence[str], graph: Mapping[str, frozenset[str]]) -> list[list[str]]:
    """Connected components of the départements in the adjacency graph, largest first."""
    todo = set(departements)
    pieces: list[list[str]] = []
    while todo:
        start = min(todo)
        stack, piece = [start], {start}
        while stack:
            for nb in graph.get(stack.pop(), ()):
                if nb in todo and nb not in piece:
                    piece.add(nb)
                    stack.append(nb)
        todo -= piece
        pieces.append(sorted(piece))
    return sorted(pieces, key=lambda p: (-len(p), p))


def rule_contiguity(departements: Sequence[str], graph: Mapping[str, frozenset[str]]) -> Criterion:
    """The territory must be geographically continuous: one connected piece.

    Two départements are connected when they share a land border (pre-computed adjacency).
    Hence 2A + 2B is continuous, Corsica + mainland is not, an overseas département alone is,
    and two overseas départements together are not.
    """
    pieces = connected_pieces(departements, graph)
    evidence: ContiguityEvidence = {"pieces": pieces, "n_pieces": len(pieces)}
    if not pieces:
        return Criterion("contiguity", UNKNOWN, "Aucun département à examiner.", evidence)
    if len(pieces) == 1:
        return Criterion("contiguity", PASS, "Territoire d'un seul tenant.", evidence)
    shown = " | ".join("+".join(p) for p in pieces)
    msg = f"Territoire discontinu : {len(pieces)} morceaux sans frontière terrestre commune ({shown})."
    return Criterion("contiguity", FAIL, msg, evidence)


def rule_overlap(spec: Specialty | None, covering: Sequence[tuple[EssEntry, list[str]]], *,
                 unregistered_fr: Sequence[str] = (), as_of: str | None = None) -> Criterion:  # fmt: skip
    """No département may already be covered by an ESS of the same specialty.

    A ``confirmed`` perimeter fails; only ``probable``/``uncertain`` ones or ``unregistered_fr``
    facts (ESS in FINESS unknown to the registry...) warn, « à vérifier »: never silently
    conforme. ``covering`` holds the ESS of the specialty (perimeters valid at ``as_of``, an ISO
    date stated in message and evidence) with the départements they share.
    """
    if spec is None:
        return Criterion("overlap", UNKNOWN, "Sans spécialité valide, le chevauchement ne peut être examiné.")
    ess = [e.overlap_fact(shared) for e, shared in covering]
    evidence: OverlapEvidence = {"ess": ess, "specialty": spec.id, "unregistered": list(unregistered_fr), "as_of": as_of}
    when = f" au {as_of}" if as_of else ""
    confirmed = [e.overlap_fr(s) for e, s in covering if e.perimeter_certainty == "confirmed"]
    to_check = [e.overlap_fr(s) for e, s in covering if e.perimeter_certainty != "confirmed"] + list(unregistered_fr)
    also = f" À vérifier : {' ; '.join(to_check)}." if to_check else ""
    if confirmed:
        return Criterion("overlap", FAIL, f"Territoire déjà couvert pour {spec.label}{when} : {' ; '.join(confirmed)}.{also}", evidence)
    if to_check:
        return Criterion("overlap", WARN, f"Chevauchement possible pour {spec.label}{when}, périmètre non confirmé.{also}", evidence)
    return Criterion("overlap", PASS, f"Aucune ESS de {spec.label} connue sur ce territoire{when}.", evidence)


#: Status of each case of a counted threshold (see :func:`_threshold_case`).
_THRESHOLD_STATUS = {"reached": PASS, "missing": UNKNOWN, "below": FAIL, "bound": UNKNOWN}


def _threshold_case(count: SupplyCount) -> str:
    """Decide the threshold on an available count: ``reached``, ``missing``, ``below`` or ``bound``."""
    if count.exact and count.total >= MIN_SPECIALISTS:
        return "reached"
    if count.missing and count.total < MIN_SPECIALISTS:
        return "missing"  # some départements unreadable: the count may be short
    if count.total < MIN_SPECIALISTS:
        return "below"  # an upper bound below the floor is conclusive too
    return "bound"  # an upper bound above the floor decides nothing


def _threshold_evidence(count: SupplyCount, supply_label: str) -> ThresholdEvidence:
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
    }


def _threshold_source_fr(count: SupplyCount, supply_label: str) -> str:
    """French note on what was counted and where from (ends every counted threshold message)."""
    if count.mode == "tous":
        src = (" Effectif tous modes d'exercice (libéraux et salariés) ; une extraction RPPS donne les seuls "
               "libéraux.")
    else:
        src = f" Population comptée : {count.population}." if count.population else ""
    return src + (f" Source : {supply_label}." if supply_label else "")


def _threshold_message(case: str, count: SupplyCount, supply_label: str) -> str:
    """Word the French message of a counted threshold whose ``case`` is decided."""
    per_dep = ", ".join(f"{d} : {nombre(n)}" for d, n in count.by_departement.items())
    if count.multi_departement:
        per_dep += (
            f" ; {plural(count.multi_departement, 'médecin exerçant', 'médecins exerçant')} dans plusieurs "
            f"départements, {'compté' if count.multi_departement < 2 else 'comptés'} une fois au total"
        )
    src = _threshold_source_fr(count, supply_label)
    total = plural(count.total, "spécialiste")
    if case == "reached":
        return f"{total} sur le territoire ({per_dep}) ≥ {MIN_SPECIALISTS} ; {count.basis}.{src}"
    if case == "missing":
        return (
            f"Effectifs absents ou illisibles dans la source pour : {', '.join(count.missing)} ; "
            f"{plural(count.total, 'compté', 'comptés')} ailleurs.{src}"
        )
    if case == "below":
        bound = "au plus " if not count.exact else ""
        return f"{bound}{total} sur le territoire ({per_dep}) < {MIN_SPECIALISTS} ; {count.basis}.{src}"
    return (
        f"La source ne donne qu'un groupe de spécialités : au plus {plural(count.total, 'médecin')} ({per_dep}) ; "
        f"le seuil de {MIN_SPECIALISTS} ne peut être vérifié. Fournir une extraction RPPS par spécialité.{src}"
    )


def rule_threshold(spec: Specialty | None, count: SupplyCount | None, supply_label: str = "") -> Criterion:
    """At least :data:`MIN_SPECIALISTS` doctors of the specialty practise on the territory.

    Parameters
    ----------
    spec : Specialty or None
        The specialty (None when refused).
    count : SupplyCount or None
        Specialists counted on the territory; None when no supply was given.
    supply_label : str
        French label of the supply source, for the message.
    """
    if spec is None:
        return Criterion("threshold", UNKNOWN, "Sans spécialité valide, le seuil ne peut être examiné.")
    if count is None:
        return Criterion(
            "threshold",
            UNKNOWN,
            "Effectifs non fournis : les données embarquées ne contiennent pas d'effectifs de médecins "
            "(ils vieillissent vite). Fournir un fichier avec --supply FICHIER (table DREES "
            "« effectifs par département × 15 groupes de spécialités » ou extraction RPPS) "
            "ou supply=... en Python.",
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
    case = _threshold_case(count)
    return Criterion(
        "threshold",
        _THRESHOLD_STATUS[case],
        _threshold_message(case, count, supply_label),
        _threshold_evidence(count, supply_label),
    )


def adherents_needed(n_specialists: int, share: float) -> int:
    """Smallest number of adherents reaching ``share`` of ``n_specialists``."""
    return math.ceil(round(n_specialists * share, 9))


#: Status of each case of adherents counted against specialists (see :func:`_adherents_case`).
_ADHERENTS_STATUS = {
    "not_given": UNKNOWN,
    "no_specialist": UNKNOWN,
    "impossible": UNKNOWN,
    "reached": PASS,
    "below": FAIL,
    "unverifiable": UNKNOWN,
}


def _adherents_case(adherents: int | None, count: SupplyCount) -> str:
    """Decide the adherents criterion on an available count (one of :data:`_ADHERENTS_STATUS`)."""
    if adherents is None:
        return "not_given"
    if count.total == 0:
        return "no_specialist"
    if adherents > count.total and not count.missing:
        # the count is exact or an upper bound: either way, more adherents than doctors is impossible
        return "impossible"
    if adherents >= adherents_needed(count.total, MIN_ADHERENT_SHARE):
        return "reached"
    return "below" if count.exact else "unverifiable"


def _adherents_evidence(adherents: int | None, count: SupplyCount, case: str) -> AdherentsEvidence:
    """Facts of adherents counted against specialists, in the order of the JSON output."""
    total = count.total
    evidence: AdherentsEvidence = {
        "adherents": adherents,
        "minimum_share": MIN_ADHERENT_SHARE,
        "target_share_5y": TARGET_ADHERENT_SHARE_5Y,
        "specialists": total,
        "exact": count.exact,
        "needed_now": adherents_needed(total, MIN_ADHERENT_SHARE),
        "needed_5y": adherents_needed(total, TARGET_ADHERENT_SHARE_5Y),
    }
    if case == "no_specialist":
        evidence["share"] = None
    elif adherents is not None:
        evidence["share"] = round(adherents / total, 4)
    if case == "impossible":
        evidence["impossible"] = True
    return evidence


def _adherents_message(case: str, adherents: int | None, count: SupplyCount) -> str:
    """Word the French message of adherents counted against specialists, whose ``case`` is decided."""
    total = count.total
    n_total = plural(total, "spécialiste")
    upper = "au plus " if not count.exact else ""
    needed_now = adherents_needed(total, MIN_ADHERENT_SHARE)
    needed_5y = adherents_needed(total, TARGET_ADHERENT_SHARE_5Y)
    if case == "not_given" or adherents is None:
        return (
            f"Nombre d'adhérents non fourni (--adherents N). Il en faut au moins {nombre(needed_now)} au "
            f"départ et {nombre(needed_5y)} à 5 ans, sur {upper}{n_total}."
        )
    if case == "no_specialist":
        return "Aucun spécialiste compté : part d'adhérents non calculable."
    pct = f"{adherents / total:.1%}".replace(".", ",").replace("%", " %")
    target = f"objectif à 5 ans : {plural(needed_5y, 'adhérent')} (50 %)"
    n_adh = plural(adherents, "adhérent")
    if case == "impossible":
        return (
            f"Impossible : {n_adh} pour {upper}{n_total} "
            f"{'compté' if total < 2 else 'comptés'} (plus d'adhérents que de spécialistes) ; vérifier le fichier "
            "d'effectifs (source ancienne ?) ou la liste des adhérents."
        )
    if case == "reached":
        lower = "au moins " if not count.exact else ""
        return f"{n_adh} = {lower}{pct} des {n_total} (≥ 10 %) ; {target}."
    if case == "below":
        return f"{n_adh} = {pct} des {n_total} < 10 % : il en faut au moins {nombre(needed_now)} ; {target}."
    return f"{n_adh}, pour au plus {n_total} (groupe DREES) : part non vérifiable."


def rule_adherents(adherents: int | None, count: SupplyCount | None, *, specialty_refused: bool = False) -> Criterion:
    """Adherents must be at least 10 % of the specialists at start (50 % targeted at 5 years).

    Parameters
    ----------
    adherents : int or None
        Number of specialists who signed up; None when not given.
    count : SupplyCount or None
        Specialists on the territory (the denominator).
    specialty_refused : bool, default False
        True when the specialty was refused: no count is possible, whatever the supply.
    """
    if specialty_refused or count is None or not count.available:
        given: AdherentsEvidence = {
            "adherents": adherents,
            "minimum_share": MIN_ADHERENT_SHARE,
            "target_share_5y": TARGET_ADHERENT_SHARE_5Y,
        }
        if specialty_refused:
            message = "Sans spécialité valide, la part d'adhérents ne peut être calculée."
        elif count is None:
            message = "Effectifs non fournis : la part d'adhérents ne peut être calculée (voir le critère de seuil)."
        else:
            message = ("Le fichier d'effectifs ne contient aucune donnée pour cette spécialité : la part d'adhérents "
                       "ne peut être calculée (voir le critère de seuil).")
        return Criterion("adherents", UNKNOWN, message, given)
    case = _adherents_case(adherents, count)
    return Criterion(
        "adherents",
        _ADHERENTS_STATUS[case],
        _adherents_message(case, adherents, count),
        _adherents_evidence(adherents, count, case),
    )
