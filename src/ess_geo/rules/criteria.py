"""The ESS admissibility rules (art. L.1411-11-1 CSP and its guidance), one function per rule.

Each rule returns a :class:`Criterion` with a status, a French message and its evidence (the
counts, the offending codes, the overlapping ESS), never just a boolean. Rules are pure: they read
no file and draw nothing; :func:`ess_geo.rules.territory.check_territory` gathers the inputs.

=============  ===========================================================================
criterion id   rule
=============  ===========================================================================
specialty      the scope is one specialty (not general practice, not a single pathology)
perimeter      whole départements only, at least one; warn when several régions
contiguity     the départements form one connected piece (islands handled by adjacency)
overlap        no département already covered by an ESS of the same specialty
threshold      at least 10 doctors of the specialty practise on the territory
adherents      adherents ≥ 10 % of those doctors at start (target 50 % within 5 years)
funding        start-up credit and yearly allocation (indicative, informational)
=============  ===========================================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from ess_geo._format import euros, nombre, plural
from ess_geo.inputs.registry import EssEntry
from ess_geo.inputs.supply import SupplyCount
from ess_geo.reference.specialties import Specialty

PASS, FAIL, UNKNOWN, WARN = "pass", "fail", "unknown", "warn"
STATUSES = (PASS, FAIL, UNKNOWN, WARN)
STATUS_FR = {PASS: "conforme", FAIL: "non conforme", UNKNOWN: "indéterminé", WARN: "à vérifier"}

#: Minimum number of doctors of the specialty on the territory.
MIN_SPECIALISTS = 10
#: Minimum share of adherents at creation.
MIN_ADHERENT_SHARE = 0.10
#: Target share of adherents five years after creation.
TARGET_ADHERENT_SHARE_5Y = 0.50
#: Start-up credit paid after the letter of intent (€).
STARTUP_CREDIT_EUR = 80_000
#: Range of the yearly allocation (€), by size of the ESS.
YEARLY_ALLOCATION_EUR = (50_000, 100_000)

CRITERION_LABELS_FR = {
    "specialty": "Spécialité",
    "perimeter": "Périmètre",
    "contiguity": "Continuité territoriale",
    "overlap": "Absence de chevauchement",
    "threshold": f"Au moins {MIN_SPECIALISTS} spécialistes",
    "adherents": f"Adhérents ≥ {MIN_ADHERENT_SHARE:.0%}".replace("%", " %"),
    "funding": "Financement (indicatif)",
}


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
    evidence : dict
        JSON-ready facts behind the status.
    """

    id: str
    status: str
    message: str
    evidence: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """French name of the criterion."""
        return CRITERION_LABELS_FR.get(self.id, self.id)

    @property
    def status_fr(self) -> str:
        """French status word."""
        return STATUS_FR[self.status]

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


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
        return Criterion("specialty", FAIL, refusal or f"« {raw} » n'est pas une spécialité d'ESS.", {"input": raw})
    evidence = {"input": raw, "id": spec.id, "label": spec.label, "drees_group": spec.drees_group}
    return Criterion("specialty", PASS, f"Spécialité reconnue : {spec.label}.", evidence)


def rule_perimeter(
    departements: Sequence[str], regions: Mapping[str, str], communes: Sequence[str] = (), from_region: str | None = None
) -> Criterion:
    """Whole départements only, at least one; several régions is allowed but flagged.

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
    evidence = {"departements": list(departements), "regions": by_region, "from_region": from_region}
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
    from ess_geo.reference.codes import region_name

    n = len(departements)
    if from_region:
        what = f"la région {region_name(from_region)} ({from_region}) entière ({plural(n, 'département')})"
    else:
        what = plural(n, "département entier", "départements entiers")
    if len(by_region) > 1:
        names = ", ".join(f"{region_name(r)} ({r})" for r in sorted(by_region))
        return Criterion(
            "perimeter",
            WARN,
            f"Périmètre de {what}, sur {len(by_region)} régions : {names} : possible, mais à coordonner entre ARS.",
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
    evidence = {"pieces": pieces, "n_pieces": len(pieces)}
    if not pieces:
        return Criterion("contiguity", UNKNOWN, "Aucun département à examiner.", evidence)
    if len(pieces) == 1:
        return Criterion("contiguity", PASS, "Territoire d'un seul tenant.", evidence)
    shown = " | ".join("+".join(p) for p in pieces)
    return Criterion(
        "contiguity",
        FAIL,
        f"Territoire discontinu : {len(pieces)} morceaux sans frontière terrestre commune ({shown}).",
        evidence,
    )


def rule_overlap(spec: Specialty | None, covering: Sequence[tuple[EssEntry, list[str]]]) -> Criterion:
    """No département may already be covered by an ESS of the same specialty.

    Parameters
    ----------
    spec : Specialty or None
        The specialty (None when refused).
    covering : sequence of (EssEntry, list of str)
        Existing ESS of that specialty and the départements they share with the territory.
    """
    if spec is None:
        return Criterion("overlap", UNKNOWN, "Sans spécialité valide, le chevauchement ne peut être examiné.")
    ess = [{"id": e.id, "name": e.name, "departements": shared, "status": e.status} for e, shared in covering]
    evidence = {"ess": ess, "specialty": spec.id}
    if not ess:
        return Criterion("overlap", PASS, f"Aucune ESS de {spec.label} connue sur ce territoire.", evidence)
    detail = "; ".join(f"{e['name']} ({', '.join(e['departements'])})" for e in ess)
    return Criterion("overlap", FAIL, f"Territoire déjà couvert pour {spec.label} : {detail}.", evidence)


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
            {"minimum": MIN_SPECIALISTS},
        )
    if not count.available:
        return Criterion(
            "threshold",
            UNKNOWN,
            f"Le fichier d'effectifs ne contient aucune donnée pour {spec.label} (ni pour son groupe DREES "
            f"« {spec.drees_group} ») : le seuil de {MIN_SPECIALISTS} ne peut être vérifié. Fournir un fichier "
            f"qui couvre cette spécialité.{' Source : ' + supply_label + '.' if supply_label else ''}",
            {"total": None, "available": False, "basis": count.basis, "missing": count.missing,
             "minimum": MIN_SPECIALISTS, "source": supply_label},
        )
    evidence = {
        "total": count.total,
        "by_departement": count.by_departement,
        "exact": count.exact,
        "basis": count.basis,
        "missing": count.missing,
        "minimum": MIN_SPECIALISTS,
        "source": supply_label,
    }
    evidence.update(
        mode=count.mode,
        population_counted=count.population,
        inhabitants=count.inhabitants,
        density_per_100k=count.density_per_100k,
        multi_departement=count.multi_departement,
    )
    per_dep = ", ".join(f"{d} : {nombre(n)}" for d, n in count.by_departement.items())
    if count.multi_departement:
        per_dep += (
            f" ; {plural(count.multi_departement, 'médecin exerçant', 'médecins exerçant')} dans plusieurs "
            f"départements, {'compté' if count.multi_departement < 2 else 'comptés'} une fois au total"
        )
    if count.mode == "tous":
        src = (" Effectif tous modes d'exercice (libéraux et salariés) ; une extraction RPPS donne les seuls "
               "libéraux.")
    else:
        src = f" Population comptée : {count.population}." if count.population else ""
    src += f" Source : {supply_label}." if supply_label else ""
    total = plural(count.total, "spécialiste")
    if count.exact and count.total >= MIN_SPECIALISTS:
        return Criterion(
            "threshold", PASS, f"{total} sur le territoire ({per_dep}) ≥ {MIN_SPECIALISTS} ; {count.basis}.{src}", evidence
        )
    if count.missing and count.total < MIN_SPECIALISTS:
        return Criterion(
            "threshold",
            UNKNOWN,
            f"Effectifs absents ou illisibles dans la source pour : {', '.join(count.missing)} ; "
            f"{plural(count.total, 'compté', 'comptés')} ailleurs.{src}",
            evidence,
        )
    if count.total < MIN_SPECIALISTS:
        bound = "au plus " if not count.exact else ""
        return Criterion(
            "threshold",
            FAIL,
            f"{bound}{total} sur le territoire ({per_dep}) < {MIN_SPECIALISTS} ; {count.basis}.{src}",
            evidence,
        )
    return Criterion(
        "threshold",
        UNKNOWN,
        f"La source ne donne qu'un groupe de spécialités : au plus {plural(count.total, 'médecin')} ({per_dep}) ; "
        f"le seuil de {MIN_SPECIALISTS} ne peut être vérifié. Fournir une extraction RPPS par spécialité.{src}",
        evidence,
    )


def adherents_needed(n_specialists: int, share: float) -> int:
    """Smallest number of adherents reaching ``share`` of ``n_specialists``."""
    return math.ceil(round(n_specialists * share, 9))


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
    evidence: dict = {"adherents": adherents, "minimum_share": MIN_ADHERENT_SHARE, "target_share_5y": TARGET_ADHERENT_SHARE_5Y}
    if specialty_refused:
        return Criterion(
            "adherents", UNKNOWN, "Sans spécialité valide, la part d'adhérents ne peut être calculée.", evidence
        )
    if count is None:
        return Criterion(
            "adherents",
            UNKNOWN,
            "Effectifs non fournis : la part d'adhérents ne peut être calculée (voir le critère de seuil).",
            evidence,
        )
    if not count.available:
        return Criterion(
            "adherents",
            UNKNOWN,
            "Le fichier d'effectifs ne contient aucune donnée pour cette spécialité : la part d'adhérents "
            "ne peut être calculée (voir le critère de seuil).",
            evidence,
        )
    total = count.total
    n_total = plural(total, "spécialiste")
    evidence.update(
        specialists=total,
        exact=count.exact,
        needed_now=adherents_needed(total, MIN_ADHERENT_SHARE),
        needed_5y=adherents_needed(total, TARGET_ADHERENT_SHARE_5Y),
    )
    if adherents is None:
        return Criterion(
            "adherents",
            UNKNOWN,
            f"Nombre d'adhérents non fourni (--adherents N). Il en faut au moins {nombre(evidence['needed_now'])} au "
            f"départ et {nombre(evidence['needed_5y'])} à 5 ans, sur {'au plus ' if not count.exact else ''}{n_total}.",
            evidence,
        )
    if total == 0:
        evidence["share"] = None
        return Criterion("adherents", UNKNOWN, "Aucun spécialiste compté : part d'adhérents non calculable.", evidence)
    share = adherents / total
    evidence["share"] = round(share, 4)
    pct = f"{share:.1%}".replace(".", ",").replace("%", " %")
    target = f"objectif à 5 ans : {plural(evidence['needed_5y'], 'adhérent')} (50 %)"
    n_adh = plural(adherents, "adhérent")
    if adherents > total and not count.missing:
        # the count is exact or an upper bound: either way, more adherents than doctors is impossible
        evidence["impossible"] = True
        return Criterion(
            "adherents",
            UNKNOWN,
            f"Impossible : {n_adh} pour {'au plus ' if not count.exact else ''}{n_total} "
            f"{'compté' if total < 2 else 'comptés'} (plus d'adhérents que de spécialistes) ; vérifier le fichier "
            "d'effectifs (source ancienne ?) ou la liste des adhérents.",
            evidence,
        )
    if adherents >= evidence["needed_now"]:
        lower = "au moins " if not count.exact else ""
        return Criterion(
            "adherents", PASS, f"{n_adh} = {lower}{pct} des {n_total} (≥ 10 %) ; {target}.", evidence
        )
    if count.exact:
        return Criterion(
            "adherents",
            FAIL,
            f"{n_adh} = {pct} des {n_total} < 10 % : il en faut au moins "
            f"{nombre(evidence['needed_now'])} ; {target}.",
            evidence,
        )
    return Criterion(
        "adherents",
        UNKNOWN,
        f"{n_adh}, pour au plus {n_total} (groupe DREES) : part non vérifiable.",
        evidence,
    )


@dataclass(frozen=True)
class FundingRule:
    """Indicative yearly allocation by size: linear between two sizes, clamped to the range.

    This is *not* an official scale: the guidance only says 50,000–100,000 € a year by size.
    The breakpoints are parameters so that an ARS can plug in its own scale.
    """

    min_eur: int = YEARLY_ALLOCATION_EUR[0]
    max_eur: int = YEARLY_ALLOCATION_EUR[1]
    size_at_min: int = MIN_SPECIALISTS
    size_at_max: int = 100

    def yearly(self, size: int) -> int:
        """Indicative yearly allocation (€) for an ESS of ``size`` member doctors, rounded to 1,000 €."""
        span = max(1, self.size_at_max - self.size_at_min)
        t = min(1.0, max(0.0, (size - self.size_at_min) / span))
        return int(round((self.min_eur + t * (self.max_eur - self.min_eur)) / 1000) * 1000)

    def describe_fr(self) -> str:
        """French statement of the rule."""
        return (
            f"règle indicative ess_geo : {euros(self.min_eur)} jusqu'à {self.size_at_min} médecins membres, "
            f"{euros(self.max_eur)} à partir de {self.size_at_max}, linéaire entre les deux"
        )


def rule_funding(adherents: int | None, count: SupplyCount | None, rule: FundingRule | None = None) -> Criterion:
    """Start-up credit and yearly allocation implied by the size of the ESS (indicative).

    The size is the number of member doctors (adherents) when given, else the range only.
    """
    rule = rule or FundingRule()
    evidence: dict = {
        "startup_credit_eur": STARTUP_CREDIT_EUR,
        "yearly_range_eur": list(YEARLY_ALLOCATION_EUR),
        "rule": rule.describe_fr(),
        "indicative": True,
    }
    lo, hi = (euros(v) for v in YEARLY_ALLOCATION_EUR)
    base = f"Crédit d'amorçage {euros(STARTUP_CREDIT_EUR)} après la lettre d'intention ; dotation annuelle de {lo} à {hi} selon la taille"
    if adherents is not None:
        yearly = rule.yearly(adherents)
        evidence.update(size=adherents, yearly_eur=yearly)
        msg = f"{base} ; pour {plural(adherents, 'médecin membre', 'médecins membres')} : environ {euros(yearly)}/an"
        if count is not None and count.exact and count.available:
            # members never decrease towards the target: the 5-year size is at least today's
            full = rule.yearly(max(adherents, adherents_needed(count.total, TARGET_ADHERENT_SHARE_5Y)))
            evidence["yearly_eur_at_5y_target"] = full
            msg += f" ; à l'objectif de 50 % à 5 ans : environ {euros(full)}/an"
        return Criterion("funding", WARN, msg + f" ({rule.describe_fr()}, à confirmer par l'ARS).", evidence)
    return Criterion("funding", WARN, base + " (montants indicatifs, à confirmer par l'ARS).", evidence)
