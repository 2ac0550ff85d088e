"""Specialty nomenclature: canonical ids, French labels, aliases, DREES groups, RPPS codes.

The table lives in ``data/specialties.csv`` (one row per canonical specialty). ``drees_group`` is
the DREES "15 groupes de spécialités" column that contains the specialty; ``drees_group_exact``
says whether that group *is* the specialty (cardiologie ↔ ``07-Cardiologie``) or lumps several
(neurologie inside ``15-Autre spécialité``): a lumped group's count is only an upper bound.

General practice cannot found an ESS (ESS are teams of specialists *other than* general
practice), and an ESS covers a whole specialty, never a single pathology: both are refused with
:class:`~ess_geo.errors.NotEssSpecialtyError`.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ess_geo.errors import NotEssSpecialtyError, UnknownSpecialtyError

__all__ = [
    "AMBIGUOUS_NAMES",
    "GENERAL_PRACTICE_GROUP",
    "NON_MEDICAL_PROFESSIONS",
    "PATHOLOGIES",
    "Specialty",
    "all_specialties",
    "get_specialty",
    "normalize_text",
    "rpps_savoir_faire_table",
    "specialties_of_drees_group",
    "specialty_for_rpps_code",
    "specialty_ids",
    "suggest",
]

#: DREES group of general practice (not an ESS specialty).
GENERAL_PRACTICE_GROUP = "01-Médecine générale"

_GENERAL_PRACTICE = {
    "medecine generale",
    "generaliste",
    "medecin generaliste",
    "mg",
    "medecine generale mg",
    "01 medecine generale",
    "specialiste en medecine generale",
}

#: Health professions that are not medical specialties (an ESS gathers doctors): normalised name
#: → French name of the profession.
NON_MEDICAL_PROFESSIONS: dict[str, str] = {
    "dentiste": "chirurgien-dentiste",
    "chirurgien dentiste": "chirurgien-dentiste",
    "chirurgiens dentistes": "chirurgien-dentiste",
    "chirurgie dentaire": "chirurgien-dentiste",
    "odontologie": "chirurgien-dentiste",
    "odontologiste": "chirurgien-dentiste",
    "orthodontiste": "chirurgien-dentiste (orthodontiste)",
    "orthodontie": "chirurgien-dentiste (orthodontiste)",
    "sage femme": "sage-femme",
    "sages femmes": "sage-femme",
    "maieuticien": "sage-femme",
    "maieutique": "sage-femme",
    "kine": "masseur-kinésithérapeute",
    "kinesitherapeute": "masseur-kinésithérapeute",
    "kinesitherapie": "masseur-kinésithérapeute",
    "masseur kinesitherapeute": "masseur-kinésithérapeute",
    "infirmier": "infirmier",
    "infirmiere": "infirmier",
    "ide": "infirmier",
    "pharmacien": "pharmacien",
    "pharmacie": "pharmacien",
    "orthophoniste": "orthophoniste",
    "orthoptiste": "orthoptiste",
    "psychologue": "psychologue",
    "podologue": "pédicure-podologue",
    "pedicure podologue": "pédicure-podologue",
    "osteopathe": "ostéopathe",
    "dieteticien": "diététicien",
    "dieteticienne": "diététicien",
    "ergotherapeute": "ergothérapeute",
    "psychomotricien": "psychomotricien",
    "audioprothesiste": "audioprothésiste",
    "opticien": "opticien-lunetier",
}

#: Short names covering several specialties: normalised name → canonical ids, all suggested.
AMBIGUOUS_NAMES: dict[str, tuple[str, ...]] = {
    "gyneco": ("gynecologie-medicale", "gynecologie-obstetrique"),
    "gynecologie": ("gynecologie-medicale", "gynecologie-obstetrique"),
    "gynecologue": ("gynecologie-medicale", "gynecologie-obstetrique"),
    "gynecologie 10": ("gynecologie-medicale", "gynecologie-obstetrique"),
}

#: Pathologies people type instead of a specialty → the specialty that would cover them.
PATHOLOGIES: dict[str, str] = {
    "diabete": "endocrinologie",
    "obesite": "endocrinologie",
    "thyroide": "endocrinologie",
    "glaucome": "ophtalmologie",
    "cataracte": "ophtalmologie",
    "dmla": "ophtalmologie",
    "retinopathie": "ophtalmologie",
    "insuffisance cardiaque": "cardiologie",
    "hypertension": "cardiologie",
    "hypertension arterielle": "cardiologie",
    "hta": "cardiologie",
    "infarctus": "cardiologie",
    "arythmie": "cardiologie",
    "psoriasis": "dermatologie",
    "eczema": "dermatologie",
    "melanome": "dermatologie",
    "acne": "dermatologie",
    "asthme": "pneumologie",
    "bpco": "pneumologie",
    "apnee du sommeil": "pneumologie",
    "depression": "psychiatrie",
    "schizophrenie": "psychiatrie",
    "autisme": "pedopsychiatrie",
    "alzheimer": "neurologie",
    "parkinson": "neurologie",
    "epilepsie": "neurologie",
    "migraine": "neurologie",
    "sclerose en plaques": "neurologie",
    "avc": "neurologie",
    "arthrose": "rhumatologie",
    "polyarthrite": "rhumatologie",
    "osteoporose": "rhumatologie",
    "cancer": "oncologie-medicale",
    "insuffisance renale": "nephrologie",
    "surdite": "orl",
    "hepatite": "gastro-enterologie",
    "endometriose": "gynecologie-medicale",
}


@dataclass(frozen=True)
class Specialty:
    """A canonical ESS specialty.

    Attributes
    ----------
    id : str
        Canonical slug (``"cardiologie"``).
    label : str
        French label (``"Cardiologie et maladies vasculaires"``).
    drees_group : str
        DREES 15-group column containing it (``"07-Cardiologie"``).
    drees_group_exact : bool
        True when the DREES group is exactly this specialty.
    aliases : tuple of str
        Other accepted names.
    rpps_codes : tuple of str
        RPPS savoir-faire codes (``"SM04"``), from ``data/rpps_savoir_faire.csv``.
    """

    id: str
    label: str
    drees_group: str
    drees_group_exact: bool
    aliases: tuple[str, ...] = ()
    rpps_codes: tuple[str, ...] = ()


#: ``str.translate`` table deleting the combining diacritical marks (U+0300–U+036F): the only combining
#: characters below U+0370, the ones NFKD splits off Latin letters.
_LATIN_COMBINING = {cp: None for cp in range(0x0300, 0x0370) if unicodedata.combining(chr(cp))}


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_text(text: str) -> str:
    """Lower-case, strip accents and punctuation: ``"Gastro-Entérologie"`` → ``"gastro enterologie"``.

    Called for every commune name an RPPS extraction or a zonage is matched against: ASCII text
    skips the decomposition, accents are deleted by one ``str.translate`` (same result as testing
    each character with :func:`unicodedata.combining`, 5–10× faster).
    """
    text = str(text)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        if max(decomposed) < "\u0370":  # Latin text: no other combining character can occur
            text = decomposed.translate(_LATIN_COMBINING)
        else:
            text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())


@lru_cache(maxsize=1)
def rpps_savoir_faire_table() -> tuple[dict[str, str], ...]:
    """Rows of ``data/rpps_savoir_faire.csv``: RPPS savoir-faire code → canonical specialty.

    The single table mapping the ``Code savoir-faire`` of the RPPS extraction (ANS nomenclature
    TRE_R38-SpecialiteOrdinale) to canonical ids; its header comment names the source. Each row is
    ``{"code", "label", "specialty", "status"}`` (``status``: ``ess``, ``general-practice``,
    ``non-ess`` or ``ambiguous``).
    """
    text = (resources.files("ess_geo.reference") / "data" / "rpps_savoir_faire.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return tuple(dict(r) for r in csv.DictReader(lines))


@lru_cache(maxsize=1)
def _table() -> tuple[Specialty, ...]:
    text = (resources.files("ess_geo.reference") / "data" / "specialties.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    codes: dict[str, list[str]] = {}
    for r in rpps_savoir_faire_table():
        if r["specialty"]:
            codes.setdefault(r["specialty"], []).append(r["code"])
    return tuple(
        Specialty(
            id=r["id"],
            label=r["label"],
            drees_group=r["drees_group"],
            drees_group_exact=r["drees_group_exact"].strip().lower() == "true",
            aliases=tuple(a for a in r["aliases"].split(";") if a),
            rpps_codes=tuple(codes.get(r["id"], [])),
        )
        for r in rows
    )


@lru_cache(maxsize=1)
def _index() -> dict[str, Specialty]:
    index: dict[str, Specialty] = {}
    for spec in _table():
        for name in (spec.id, spec.label, spec.drees_group, *spec.aliases):
            index.setdefault(normalize_text(name), spec)
    return index


def all_specialties() -> list[Specialty]:
    """Every canonical ESS specialty, in table order."""
    return list(_table())


def specialty_ids() -> list[str]:
    """Canonical ids of every ESS specialty."""
    return [s.id for s in _table()]


def get_specialty(name: str | Specialty) -> Specialty:
    """Resolve a specialty from its id, label, alias or DREES group name.

    Parameters
    ----------
    name : str or Specialty
        What the user typed (case, accents and punctuation are ignored).

    Returns
    -------
    Specialty
        The canonical specialty.

    Raises
    ------
    NotEssSpecialtyError
        For general practice, or a pathology (``"diabète"``, ``"glaucome"``).
    UnknownSpecialtyError
        For anything else, with the closest valid names in ``suggestions``.
    """
    if isinstance(name, Specialty):
        return name
    key = normalize_text(name)
    if key in _index():
        return _index()[key]
    if key in _GENERAL_PRACTICE or key.startswith("medecine generale"):
        msg = (
            f"specialty={name!r}: general practice is not an ESS specialty (ESS gather specialists "
            "other than general practitioners; GPs organise in CPTS)"
        )
        fr = f"« {name} » : la médecine générale n'est pas une spécialité d'ESS (les généralistes s'organisent en CPTS)"
        raise NotEssSpecialtyError(msg, fr=fr, value=str(name))
    if key in NON_MEDICAL_PROFESSIONS:
        profession = NON_MEDICAL_PROFESSIONS[key]
        msg = (
            f"specialty={name!r} is not a medical specialty ({profession}): an ESS gathers doctors "
            "of one medical specialty other than general practice"
        )
        fr = (
            f"« {name} » n'est pas une spécialité médicale ({profession}) : une ESS réunit des médecins "
            "d'une spécialité autre que la médecine générale (liste : ess-geo specialties)"
        )
        raise NotEssSpecialtyError(msg, fr=fr, value=str(name))
    if key in PATHOLOGIES:
        target = next(s for s in _table() if s.id == PATHOLOGIES[key])
        msg = (
            f"specialty={name!r} is a pathology, not a specialty: an ESS covers a whole specialty "
            f"(here probably {target.id!r})"
        )
        fr = (
            f"« {name} » est une pathologie, pas une spécialité : une ESS couvre toute une "
            f"spécialité (ici probablement « {target.id} » — {target.label})"
        )
        raise NotEssSpecialtyError(msg, fr=fr, value=str(name), suggestions=[target.id])
    suggestions = suggest(name)
    shown = ", ".join(repr(s) for s in suggestions) if suggestions else "none"
    msg = f"unknown specialty {name!r}; closest valid names: {shown} (see ess_geo.specialty_ids())"
    fr_sugg = ", ".join(suggestions) if suggestions else "aucun"
    fr = f"spécialité inconnue : « {name} » ; noms proches : {fr_sugg} (liste : ess-geo specialties)"
    raise UnknownSpecialtyError(msg, fr=fr, value=str(name), suggestions=suggestions)


def suggest(name: str, n: int = 3) -> list[str]:
    """Closest canonical ids to a misspelt name.

    Parameters
    ----------
    name : str
        Unknown input.
    n : int, default 3
        Maximum number of suggestions.

    Returns
    -------
    list of str
        Canonical specialty ids, closest first.
    """
    key = normalize_text(name)
    if key in AMBIGUOUS_NAMES:
        return list(AMBIGUOUS_NAMES[key])  # every candidate, whatever n
    matches = difflib.get_close_matches(key, list(_index()), n=n * 4, cutoff=0.6)
    out: list[str] = []
    for m in matches:
        sid = _index()[m].id
        if sid not in out:
            out.append(sid)
    if not out:  # prefix match: "cardi" → cardiologie
        out = [s.id for s in _table() if s.id.startswith(key[:4])] if len(key) >= 3 else []
    return out[:n]


def specialties_of_drees_group(group: str) -> list[Specialty]:
    """Canonical specialties inside one DREES group (``"15-Autre spécialité"`` → several)."""
    return [s for s in _table() if s.drees_group == group]


def specialty_for_rpps_code(code: str) -> Specialty | None:
    """Canonical specialty of an RPPS savoir-faire code, or None when it is not an ESS one."""
    code = str(code).strip().upper()
    return next((s for s in _table() if code in s.rpps_codes), None)
