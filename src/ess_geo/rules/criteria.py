"""The ESS admissibility rules (art. L.1411-11-1 CSP and its guidance), one function per rule.

Each rule returns a :class:`Criterion` with a status, a French message and its evidence (the
counts, the offending codes, the overlapping ESS), never just a boolean. Rules are pure: they read
no file and draw nothing; :func:`ess_geo.rules.territory.check_territory` gathers the inputs.

=============  ===========================================================================
criterion id   rule
=============  ===========================================================================
specialty      the scope is one specialty (not general practice, not a single pathology); an
               ESS of several specialties: :mod:`ess_geo.rules.multi`
perimeter      whole départements only, at least one, one région at most (fail across régions)
contiguity     the départements form one connected piece (islands handled by adjacency)
overlap        no département already covered by an ESS of the same specialty
threshold      at least 10 doctors of the specialty (all modes) practise on the territory:
               in :mod:`ess_geo.rules.threshold`
adherents      adherents ≥ 10 % of the libéral doctors of the specialty at start (target
               50 % within 5 years): in :mod:`ess_geo.rules.adherents`
funding        start-up credit and yearly allocation (indicative, informational): in
               :mod:`ess_geo.rules.funding`
=============  ===========================================================================

This module is also the one home of the verdict drawn from criteria (:func:`verdict`, over the
:data:`DECIDING` ids), of the floor :data:`MIN_SPECIALISTS`, of the French status words
:data:`STATUS_FR` and of the French criterion labels :data:`CRITERION_LABELS_FR`: every other
module (territory check, trajectory, proposals, maps) imports them from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from ess_geo._format import de_fr, plural
from ess_geo.inputs.registry_entry import EssEntry
from ess_geo.reference.codes import region_name
from ess_geo.reference.specialties import Specialty
from ess_geo.rules.evidence import (
    ContiguityEvidence,
    OverlapEvidence,
    PerimeterEvidence,
    SpecialtyEvidence,
)

__all__ = [
    "CRITERION_LABELS_FR", "DECIDING", "FAIL", "MIN_ADHERENT_SHARE", "MIN_SPECIALISTS", "PASS", "STATUSES",
    "STATUS_FR", "TARGET_ADHERENT_SHARE_5Y", "UNKNOWN", "WARN", "Criterion", "connected_pieces", "problems",
    "rule_contiguity", "rule_overlap", "rule_perimeter", "rule_specialty", "verdict",
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
    return Criterion("overlap", PASS, f"Aucune ESS {de_fr(spec.label)} connue sur ce territoire{when}.", evidence)

