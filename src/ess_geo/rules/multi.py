"""Several specialties in one ESS (« ESS pluri-spécialités »): the list, the totals, and the combined criteria.

The ARS Île-de-France writes that an ESS « peut regrouper une ou plusieurs spécialités si cela
s'inscrit dans le cadre d'une logique médicale » (ESS Cardiologie extended to néphrologie; see
``ess/RULES_SOURCES.md``). :func:`ess_geo.rules.territory.check_territory` checks every rule for
each specialty with the single-specialty rules, then:

- :func:`rule_total_threshold` and :func:`rule_total_adherents` check the whole ESS on the sum
  of the ranges of every specialty (all modes for the threshold, libéral for the adherents);
- :func:`combine_specialties` merges the per-specialty criteria into one criterion per id (the
  ids stay those of :mod:`ess_geo.rules.criteria`): the worst status wins (``fail`` beats all,
  ``unknown`` beats ``warn`` and ``pass``), the message names each specialty, and
  ``evidence["by_specialty"]`` holds each specialty's status, message and evidence; the
  ``specialty`` criterion gains the « logique médicale à justifier » warning
  (:data:`MEDICAL_LOGIC_FR`). Derogations are applied after combining.

The single-specialty check never goes through this module's combination: its output is that of
the rules themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ess_geo.errors import InputDataError, NotEssSpecialtyError
from ess_geo.inputs.bounds import SupplyRange
from ess_geo.inputs.supply import SupplyCount
from ess_geo.reference.population import density_per_100k
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.rules.adherents import adherents_needed, liberal_range
from ess_geo.rules.criteria import (
    FAIL,
    MIN_ADHERENT_SHARE,
    MIN_SPECIALISTS,
    PASS,
    TARGET_ADHERENT_SHARE_5Y,
    UNKNOWN,
    WARN,
    Criterion,
)
from ess_geo.rules.threshold import all_modes_range, missing_counts_fr

__all__ = [
    "MEDICAL_LOGIC_FR",
    "MEDICAL_LOGIC_SOURCE_FR",
    "PLURI_FR",
    "STATUS_RANK",
    "ResolvedSpecialty",
    "combine_specialties",
    "pluri_label_fr",
    "resolve_specialties",
    "rule_total_adherents",
    "rule_total_threshold",
    "settle_derogations",
    "split_adherents",
    "sum_counts",
    "unsplit_adherents",
    "worst_status",
]

#: What an ESS of several specialties is called in every output.
PLURI_FR = "pluri-spécialités"
#: The sentence of the ARS Île-de-France allowing several specialties, with its example.
MEDICAL_LOGIC_SOURCE_FR = (
    "« Elle peut regrouper une ou plusieurs spécialités si cela s'inscrit dans le cadre d'une logique médicale » "
    "(ARS Île-de-France ; exemple : l'ESS Cardiologie étendue à la néphrologie)"
)
#: The warning of the ``specialty`` criterion of an ESS of several specialties.
MEDICAL_LOGIC_FR = "Plusieurs spécialités : logique médicale à justifier auprès de l'ARS"
#: Severity of each status: the highest wins when criteria are combined.
STATUS_RANK = {PASS: 0, WARN: 1, UNKNOWN: 2, FAIL: 3}
#: Criteria that do not depend on the specialty: the first specialty's is kept as is.
_SPECIALTY_FREE = ("perimeter", "contiguity")
#: Criteria about the ESS as a whole: the total is kept as is.
_TOTAL_ONLY = ("funding",)
_HEADLINE_FR = {FAIL: "Non conforme pour", UNKNOWN: "Indéterminé pour", WARN: "À vérifier pour"}

#: (what the user typed, the specialty or None when refused, the French reason of a refusal)
ResolvedSpecialty = tuple[str, Specialty | None, str | None]


def resolve_specialties(specialty: str | Specialty | Iterable[str | Specialty]) -> list[ResolvedSpecialty]:
    """The specialties asked (a name, a comma-separated string or a list), duplicates removed, in order.

    A pathology or general practice is kept with its French refusal (it fails the ``specialty``
    criterion); a name matching nothing raises.

    Raises
    ------
    UnknownSpecialtyError
        For a name matching no specialty (with suggestions).
    InputDataError
        If no specialty is given (an empty list, ``","``).
    """
    items = [specialty] if isinstance(specialty, (str, Specialty)) else list(specialty)
    names: list[str | Specialty] = []
    for item in items:
        if isinstance(item, Specialty) or "," not in str(item):
            names.append(item if isinstance(item, Specialty) else str(item))  # kept as typed: the single check is unchanged
        else:
            names += [part.strip() for part in str(item).split(",") if part.strip()]
    if not names:
        raise InputDataError(f"no specialty given: {specialty!r}", fr=f"aucune spécialité indiquée : {specialty!r}")
    out: dict[str, ResolvedSpecialty] = {}
    for name in names:
        try:
            spec: Specialty | None = get_specialty(name)
            refusal = None
        except NotEssSpecialtyError as exc:
            spec, refusal = None, exc.fr
        key = spec.id if spec is not None else str(name).strip().lower()
        out.setdefault(key, (str(name), spec, refusal))
    return list(out.values())


def _key(resolved: ResolvedSpecialty) -> str:
    """Key of a specialty in ``by_specialty``: its id, else what the user typed."""
    raw, spec, _ = resolved
    return spec.id if spec is not None else raw


def split_adherents(
    adherents: object, specialties: Sequence[ResolvedSpecialty]
) -> tuple[int | None, dict[str, int | None] | None]:
    """The adherents of the whole ESS and, when given per specialty, those of each.

    Parameters
    ----------
    adherents : int, sequence of int, mapping of str to int, or None
        One number (the whole ESS), one per specialty in the order given, or ``{specialty: n}``
        (keys resolved like specialties).
    specialties : sequence of ResolvedSpecialty
        From :func:`resolve_specialties`.

    Returns
    -------
    tuple
        ``(total, by_specialty)``: ``by_specialty`` is None unless given per specialty; the total
        is None when a specialty's number is missing.

    Raises
    ------
    InputDataError
        For a negative or non-integer number, a list of another length than the specialties, or
        a key naming none of them.
    """
    keys = [_key(s) for s in specialties]
    if adherents is None or (isinstance(adherents, int) and not isinstance(adherents, bool)):
        _check_number(adherents)
        return adherents, None
    if isinstance(adherents, Mapping):
        by_spec: dict[str, int | None] = dict.fromkeys(keys)
        for name, n in adherents.items():
            key = name if name in by_spec else _key(resolve_specialties(name)[0])
            if key not in by_spec:
                raise InputDataError(f"adherents given for {name!r}, not one of the specialties {keys}",
                                     fr=f"adhérents donnés pour « {name} », qui n'est pas l'une des spécialités "
                                     f"({', '.join(keys)})")
            by_spec[key] = _check_number(n)
    elif isinstance(adherents, (list, tuple)):
        if len(adherents) != len(keys):
            raise InputDataError(
                f"{len(adherents)} adherent numbers {list(adherents)} for {len(keys)} specialties {keys}",
                fr=f"{len(adherents)} nombres d'adhérents ({', '.join(map(str, adherents))}) pour {len(keys)} "
                f"spécialités ({', '.join(keys)}) : un nombre par spécialité, dans le même ordre, ou un total",
            )
        by_spec = {k: _check_number(n) for k, n in zip(keys, adherents, strict=True)}
    else:
        raise InputDataError(
            f"adherents must be a non-negative integer, one per specialty or a mapping, got {adherents!r}",
            fr=f"nombre d'adhérents invalide : {adherents!r} (entier positif ou nul attendu)",
        )
    values = list(by_spec.values())
    total = None if any(v is None for v in values) else sum(v or 0 for v in values)
    return total, by_spec


def _check_number(n: object) -> int | None:
    """``n`` when None or a non-negative integer; else :class:`InputDataError` naming it."""
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
        raise InputDataError(
            f"adherents must be a non-negative integer, got {n!r}",
            fr=f"nombre d'adhérents invalide : {n!r} (entier positif ou nul attendu)",
        )
    return n


def pluri_label_fr(labels: Sequence[str]) -> str:
    """``pluri-spécialités (cardiologie et maladies vasculaires, néphrologie)``."""
    return f"{PLURI_FR} ({', '.join(label[:1].lower() + label[1:] for label in labels)})"


def worst_status(statuses: Iterable[str]) -> str:
    """The most severe status (:data:`STATUS_RANK`): ``fail`` > ``unknown`` > ``warn`` > ``pass``."""
    return max(statuses, key=STATUS_RANK.__getitem__, default=PASS)


def _bounds(ranges: Iterable[SupplyRange]) -> tuple[int, int | None, bool]:
    """Sum of the ranges: (low, high or None when one is unbounded, whether a range is contradictory).

    A contradictory range (``low > high``: sources of different vintages) counts with both readings.
    """
    low, high, conflict = 0, 0, False
    unbounded = False
    for r in ranges:
        readings = [r.low] if r.high is None else [r.low, r.high]
        low += min(readings)
        conflict |= r.conflict
        if r.high is None:
            unbounded = True
        else:
            high += max(readings)
    return low, None if unbounded else high, conflict


def _range_fr(low: int, high: int | None) -> str:
    if high is None:
        return f"au moins {low}"
    return str(low) if low == high else f"entre {low} et {high}"


def _missing_total(cid: str, counts: Mapping[str, SupplyCount | None], base: Mapping[str, object]) -> Criterion | None:
    """The total left ``unknown`` by départements without a readable figure for a specialty; None when none is."""
    lacking = {k: c for k, c in counts.items() if c is not None and c.missing}
    if not lacking:
        return None
    parts = []
    for key, c in lacking.items():
        text = missing_counts_fr(c)
        parts.append(f"{key} : {text[:1].lower()}{text[1:]}")
    evidence = {**base, "missing": sorted({d for c in lacking.values() for d in c.missing}),
                "missing_reasons": {k: dict(c.missing_reasons) for k, c in lacking.items()}}
    return Criterion(cid, UNKNOWN, f"Total non calculable ({' ; '.join(parts)}).", evidence)


def rule_total_threshold(counts: Mapping[str, SupplyCount | None]) -> Criterion:
    """The threshold on the whole ESS: the sum of the all-modes ranges of every specialty.

    ``pass`` when the summed lower bound reaches :data:`~ess_geo.rules.criteria.MIN_SPECIALISTS`,
    ``fail`` when the summed upper bound is below it, ``unknown`` otherwise or when a specialty
    has no count. Each specialty is still checked on its own (:func:`combine_specialties`).
    """
    if not counts or any(c is None or not c.available for c in counts.values()):
        return Criterion("threshold", UNKNOWN, "Total non calculable : effectifs absents pour au moins une spécialité.",
                         {"total": None, "minimum": MIN_SPECIALISTS, "mode": "tous"})
    lacking = _missing_total("threshold", counts, {"total": None, "minimum": MIN_SPECIALISTS, "mode": "tous"})
    if lacking is not None:
        return lacking
    present = [c for c in counts.values() if c is not None]
    low, high, conflict = _bounds(all_modes_range(c) for c in present)
    what = f"{_range_fr(low, high)} médecins des {len(present)} spécialités (tous modes d'exercice, somme par spécialité)"
    if low >= MIN_SPECIALISTS:
        status, message = PASS, f"{what} ≥ {MIN_SPECIALISTS}."
    elif high is not None and high < MIN_SPECIALISTS:
        status, message = FAIL, f"{what} < {MIN_SPECIALISTS}."
    else:
        status, message = UNKNOWN, f"{what} : le seuil de {MIN_SPECIALISTS} ne peut être tranché."
    evidence = {"total": sum(c.total for c in present), "minimum": MIN_SPECIALISTS, "mode": "tous", "low": low,
                "high": high, "exact": low == high, "conflict": conflict, "missing": sorted({d for c in present for d in c.missing})}
    return Criterion("threshold", status, message, evidence)


def rule_total_adherents(adherents: int | None, counts: Mapping[str, SupplyCount | None]) -> Criterion:
    """The adherents of the whole ESS against 10 % of the sum of the libéral ranges of every specialty.

    ``pass`` when the adherents reach 10 % of the summed upper bound, ``fail`` below 10 % of the
    summed lower bound, ``unknown`` otherwise (or without adherents, or a count). Each specialty's
    own 10 % is checked by :func:`~ess_geo.rules.adherents.rule_adherents` when adherents are given
    per specialty.
    """
    base = {"adherents": adherents, "minimum_share": MIN_ADHERENT_SHARE, "target_share_5y": TARGET_ADHERENT_SHARE_5Y,
            "base": "liberal"}
    if not counts or any(c is None or not c.available for c in counts.values()):
        return Criterion("adherents", UNKNOWN, "Total non calculable : effectifs absents pour au moins une spécialité.", base)
    lacking = _missing_total("adherents", counts, base)
    if lacking is not None:
        return lacking
    low, high, conflict = _bounds(liberal_range(c) for c in counts.values() if c is not None)
    now = [adherents_needed(low, MIN_ADHERENT_SHARE), None if high is None else adherents_needed(high, MIN_ADHERENT_SHARE)]
    later = [adherents_needed(low, TARGET_ADHERENT_SHARE_5Y),
             None if high is None else adherents_needed(high, TARGET_ADHERENT_SHARE_5Y)]
    evidence = {**base, "low": low, "high": high, "conflict": conflict, "needed_now_range": now, "needed_5y_range": later}
    libs = f"{_range_fr(low, high)} médecins libéraux des {len(counts)} spécialités (somme par spécialité)"
    needed = _needed_fr(now)
    if adherents is None:
        return Criterion("adherents", UNKNOWN, f"Nombre d'adhérents non fourni ; il en faut {needed} en tout pour {libs}.",
                         evidence)
    if high is not None and adherents > high:
        return Criterion("adherents", UNKNOWN, f"Impossible : {adherents} adhérents pour {libs}.", evidence)
    if now[1] is not None and adherents >= now[1]:
        return Criterion("adherents", PASS, f"{adherents} adhérents ≥ 10 % des {libs}.", evidence)
    if adherents < adherents_needed(low, MIN_ADHERENT_SHARE):
        return Criterion("adherents", FAIL, f"{adherents} adhérents < 10 % des {libs} : il en faut {needed}.", evidence)
    return Criterion("adherents", UNKNOWN, f"{adherents} adhérents : part de 10 % des {libs} non vérifiable (il en faut "
                     f"{needed}).", evidence)


def _sum_range(ranges: Sequence[SupplyRange | None], target: str) -> SupplyRange | None:
    """Sum of ranges (bounds and per-département bounds); None when one is None."""
    if not ranges or any(r is None for r in ranges):
        return None
    present = [r for r in ranges if r is not None]
    low, high, _ = _bounds(present)
    deps = list(dict.fromkeys(d for r in present for d in r.low_by_departement))
    low_dep = {d: sum(r.low_by_departement.get(d, 0) for r in present) for d in deps}
    high_dep: dict[str, int | None] = {}
    for d in deps:
        highs = [r.high_by_departement.get(d) for r in present]
        high_dep[d] = None if any(h is None for h in highs) else sum(h or 0 for h in highs)
    return SupplyRange(target, low, high, low_dep, high_dep, tuple(c for r in present for c in r.counts))


def sum_counts(counts: Sequence[SupplyCount]) -> SupplyCount:
    """One count for the whole ESS: totals, départements and ranges summed over the specialties."""
    first = counts[0]
    if len(counts) == 1:
        return first
    by_dep = {d: sum(c.by_departement.get(d, 0) for c in counts) for d in dict.fromkeys(d for c in counts for d in c.by_departement)}
    total = sum(c.total for c in counts)
    return SupplyCount(
        total=total,
        by_departement=by_dep,
        exact=all(c.exact for c in counts),
        basis=" + ".join(dict.fromkeys(c.basis for c in counts)),
        missing=sorted({d for c in counts for d in c.missing}),
        mode=first.mode if all(c.mode == first.mode for c in counts) else "tous",
        population=" + ".join(dict.fromkeys(c.population for c in counts if c.population)),
        inhabitants=first.inhabitants,
        density_per_100k=None if any(c.missing for c in counts) else density_per_100k(total, first.inhabitants),
        multi_departement=sum(c.multi_departement for c in counts),
        available=all(c.available for c in counts),
        all_modes=_sum_range([c.all_modes for c in counts], "tous"),
        liberal=_sum_range([c.liberal for c in counts], "liberal"),
        planning=_sum_range([c.planning for c in counts], "tous"),
    )


def _label(key: str, criteria: Sequence[Criterion]) -> str:
    """French name of a specialty, from its ``specialty`` criterion (else its key)."""
    for c in criteria:
        if c.id == "specialty":
            return str(c.evidence.get("label") or c.evidence.get("input") or key)
    return key


def _base_evidence(cid: str, parts: Mapping[str, Criterion], total: Criterion | None) -> dict[str, object]:
    """Top-level evidence of a combined criterion: the total's, or for the overlap every ESS found."""
    if total is not None:
        return dict(total.evidence)
    if cid != "overlap":
        return {}
    first = next(iter(parts.values())).evidence
    ess = [{**fact, "specialty": key} for key, c in parts.items() for fact in c.evidence.get("ess", []) or []]  # type: ignore[attr-defined]
    unregistered = list(dict.fromkeys(u for c in parts.values() for u in c.evidence.get("unregistered", []) or []))  # type: ignore[attr-defined]
    return {"ess": ess, "specialty": ",".join(parts), "unregistered": unregistered, "as_of": first.get("as_of")}


def _combine_one(cid: str, parts: Mapping[str, Criterion], labels: Mapping[str, str], total: Criterion | None) -> Criterion:
    """One criterion from each specialty's (and the total's): worst status, each message named."""
    status = worst_status([c.status for c in parts.values()] + ([total.status] if total else []))
    named = [labels[k] for k, c in parts.items() if c.status == status] or ["l'ensemble des spécialités"]
    head = f"{_HEADLINE_FR[status]} {', '.join(named)}." if status in _HEADLINE_FR else "Conforme pour chaque spécialité."
    lines = [f"{labels[k]} : {c.message}" for k, c in parts.items()]
    if total is not None:
        lines.append(f"En tout ({len(parts)} spécialités) : {total.message}")
    evidence = _base_evidence(cid, parts, total)
    unreachable = {k: c.evidence["unreachable"] for k, c in parts.items() if c.evidence.get("unreachable")}
    if unreachable:
        evidence["unreachable"] = unreachable
    if total is not None:
        evidence["total_status"] = total.status
    evidence["specialties"] = list(parts)
    evidence["by_specialty"] = {k: {"status": c.status, "message": c.message, "evidence": dict(c.evidence)}
                                for k, c in parts.items()}
    return Criterion(cid, status, f"{head} {' — '.join(lines)}", evidence)


def _medical_logic(criterion: Criterion) -> Criterion:
    """The combined ``specialty`` criterion with the « logique médicale à justifier » warning."""
    status = worst_status([criterion.status, WARN])
    evidence = {**criterion.evidence, "medical_logic": {"to_justify": True, "source": MEDICAL_LOGIC_SOURCE_FR}}
    logic = f"{MEDICAL_LOGIC_FR} : {MEDICAL_LOGIC_SOURCE_FR}."
    if status == WARN:  # the warning is the news: first
        return Criterion("specialty", status, f"{logic} {criterion.message}", evidence)
    return Criterion("specialty", status, f"{criterion.message} {logic}", evidence)


def unsplit_adherents(criterion: Criterion, total: int, n_specialties: int) -> Criterion:
    """A specialty's ``adherents`` criterion when only the adherents of the whole ESS are given.

    The rule is checked for each specialty: without the split, the criterion stays ``unknown``
    and says what to give (one number per specialty, in the order of the specialties).
    """
    if criterion.id != "adherents" or criterion.evidence.get("adherents") is not None:
        return criterion
    now, later = criterion.evidence.get("needed_now_range"), criterion.evidence.get("needed_5y_range")
    if not isinstance(now, list) or not isinstance(later, list):
        return criterion
    example = ",".join(f"N{i + 1}" for i in range(n_specialties))
    who = criterion.message.partition(" Médecins libéraux")[1:]
    message = (f"Répartition des {total} adhérents par spécialité non fournie (--adherents {example}, un nombre par "
               f"spécialité dans l'ordre donné) : il en faut {_needed_fr(now)} au départ et {_needed_fr(later)} à 5 ans."
               f"{''.join(who)}")
    return Criterion("adherents", UNKNOWN, message, {**criterion.evidence, "whole_ess_adherents": total})


def _needed_fr(bounds: list) -> str:
    """``19`` or ``de 3 à 69`` or ``au moins 3`` from ``[low, high]``."""
    low, high = bounds
    if high is None:
        return f"au moins {low}"
    return str(low) if low == high else f"de {min(low, high)} à {max(low, high)}"


def settle_derogations(criteria: Iterable[Criterion]) -> list[Criterion]:
    """Combined criteria after :func:`~ess_geo.rules.derogations.apply_derogations`: a derogation lifts only the fails.

    A derogation turns the combined ``fail`` into ``warn``; a specialty (or the total) that was
    ``unknown`` stays so: the criterion is then ``unknown``. Criteria without ``by_specialty`` or
    without an assumed derogation are returned as they are.
    """
    out = []
    for c in criteria:
        record, parts = c.evidence.get("derogation"), c.evidence.get("by_specialty")
        if isinstance(record, Mapping) and record.get("assumed") and isinstance(parts, Mapping):
            statuses = [str(p["status"]) for p in parts.values()] + [str(c.evidence.get("total_status", PASS))]
            status = worst_status([WARN] + [s for s in statuses if s != FAIL])
            c = Criterion(c.id, status, c.message, c.evidence)
        out.append(c)
    return out


def combine_specialties(
    per_specialty: Mapping[str, Sequence[Criterion]], totals: Mapping[str, Criterion] | None = None
) -> list[Criterion]:
    """One list of criteria for an ESS of several specialties, from each specialty's criteria.

    Pure: nothing given is modified. The ids and their order are those of the first specialty's
    list. ``perimeter`` and ``contiguity`` (independent of the specialty) are the first
    specialty's; ``funding`` is the total's (the ESS is funded as a whole). Every other criterion
    gets the worst status (:func:`worst_status`) of the specialties and of its total, a message
    naming the specialties at that status then each specialty's message (and the total's), and
    an evidence made of the total's (or, for ``overlap``, every ESS found, each with its
    ``specialty``) plus ``specialties`` and ``by_specialty`` (status, message, evidence of each).
    The ``specialty`` criterion is at least ``warn``: :data:`MEDICAL_LOGIC_FR`.

    Parameters
    ----------
    per_specialty : mapping of str to sequence of Criterion
        Criteria of each specialty (key: specialty id, or the input refused), in the order asked.
    totals : mapping of str to Criterion, optional
        Criteria of the whole ESS by id (:func:`rule_total_threshold`, :func:`rule_total_adherents`,
        the funding of the total adherents).

    Returns
    -------
    list of Criterion
    """
    totals = totals or {}
    if not per_specialty:
        return list(totals.values())
    labels = {k: _label(k, crits) for k, crits in per_specialty.items()}
    first = next(iter(per_specialty.values()))
    out = []
    for criterion in first:
        cid = criterion.id
        if cid in _SPECIALTY_FREE or (cid in _TOTAL_ONLY and cid not in totals):
            out.append(criterion)
        elif cid in _TOTAL_ONLY:
            out.append(totals[cid])
        else:
            parts = {k: c for k, crits in per_specialty.items() for c in crits if c.id == cid}
            combined = _combine_one(cid, parts, labels, totals.get(cid))
            out.append(_medical_logic(combined) if cid == "specialty" else combined)
    return out
