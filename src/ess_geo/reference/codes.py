"""Codes of the embedded geography: normalisation, names, and the one parser of territories.

Codes are always zero-padded strings: département ``"01"``, ``"2A"``, ``"971"``; région ``"11"``,
``"01"``; commune ``"01001"``, ``"2A004"``. Nothing here casts a code to int. Every command and
function that takes a territory goes through :func:`parse_territory` (or
:func:`resolve_departements`), so ``"77"``, ``77``, ``"75,94"`` and ``["75", 94]`` mean the same
everywhere.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from ess_geo.errors import InputDataError, UnknownCodeError
from ess_geo.reference._store import read_attributes, read_index

__all__ = [
    "TerritoryCodes",
    "canonical_dep_code",
    "departement_name",
    "departement_names",
    "departement_region",
    "departements_of_region",
    "normalize_dep_code",
    "normalize_dep_codes",
    "normalize_region_code",
    "parse_candidate",
    "parse_territory",
    "region_name",
    "region_names",
    "region_of",
    "resolve_departements",
    "resolve_regions",
]


@lru_cache(maxsize=1)
def _dep_names() -> dict[str, str]:
    return {code: dep["nom"] for code, dep in read_index()["departements"].items()}


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    return {code: reg["nom"] for code, reg in read_index()["regions"].items()}


@lru_cache(maxsize=1)
def _dep_region() -> dict[str, str]:
    return {code: dep["code_region"] for code, dep in read_index()["departements"].items()}


@lru_cache(maxsize=1)
def _commune_codes() -> frozenset[str]:
    return frozenset(read_attributes("communes")["code_insee"])


def departement_names() -> dict[str, str]:
    """Code → French name of the 101 départements (a fresh dict)."""
    return dict(_dep_names())


def region_names() -> dict[str, str]:
    """Code → French name of the 18 régions (a fresh dict)."""
    return dict(_region_names())


def departement_region() -> dict[str, str]:
    """Département code → région code, for the 101 départements (a fresh dict)."""
    return dict(_dep_region())


def departement_name(code_dep: object) -> str:
    """French name of a département code, e.g. ``"2A"`` → ``"Corse-du-Sud"``."""
    return _dep_names()[normalize_dep_code(code_dep)]


def region_name(code_region: object) -> str:
    """French name of a région code, e.g. ``"11"`` → ``"Île-de-France"``."""
    return _region_names()[normalize_region_code(code_region)]


def region_of(code_dep: object) -> str:
    """Région code of a département."""
    return _dep_region()[normalize_dep_code(code_dep)]


def departements_of_region(code_region: object) -> list[str]:
    """Sorted département codes of a région.

    Raises
    ------
    UnknownCodeError
        If the région code does not exist.
    """
    reg = normalize_region_code(code_region)
    return sorted(dep for dep, r in _dep_region().items() if r == reg)


_DEP_RE = re.compile(r"^(?:0*)(\d{1,3}|[12][AB])$", re.IGNORECASE)


def canonical_dep_code(value: object) -> str | None:
    """Canonical shape of a département code (``1`` → ``"01"``, ``"02A"`` → ``"2A"``), unchecked.

    Returns None when the value does not have the shape of a département code. Whether the code
    exists is checked by :func:`normalize_dep_codes`.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value).strip()
    m = _DEP_RE.match(text)
    if not m:
        return None
    core = m.group(1).upper()
    if core.isdigit():
        return core.zfill(2) if len(core) <= 2 else core
    return core  # 2A / 2B


def normalize_dep_code(value: object) -> str:
    """Normalise one département code and check that it exists.

    Accepts ``1``, ``"1"``, ``"01"``, ``"2a"``, ``"02A"`` (DREES style), ``971``.

    Parameters
    ----------
    value : str or int
        Raw code.

    Returns
    -------
    str
        The zero-padded code (``"01"``, ``"2A"``, ``"971"``).

    Raises
    ------
    UnknownCodeError
        If the value is not one of the 101 départements (``"20"`` is refused: Corsica is
        ``2A`` and ``2B``).
    """
    return normalize_dep_codes([value])[0]


def normalize_dep_codes(values: Iterable[object]) -> list[str]:
    """Normalise several département codes, collecting every unknown one before raising.

    Parameters
    ----------
    values : iterable of str or int
        Raw codes.

    Returns
    -------
    list of str
        Normalised codes, in input order, duplicates removed.

    Raises
    ------
    UnknownCodeError
        Naming every value that is not a département code.
    """
    known = _dep_names()
    out: list[str] = []
    bad: list[str] = []
    for value in values:
        code = canonical_dep_code(value)
        if code is None or code not in known:
            bad.append(str(value))
        elif code not in out:
            out.append(code)
    if bad:
        hint = "Corsica is '2A' and '2B'" if "20" in {b.strip() for b in bad} else "valid codes: 01..95, 2A, 2B, 971..974, 976"
        raise UnknownCodeError("departement", bad, allowed_hint=hint)
    return out


def normalize_region_code(value: object) -> str:
    """Normalise a région code (``11``, ``"01"``, ``"1"`` → ``"01"``) and check it exists.

    Raises
    ------
    UnknownCodeError
        If the value is not one of the 18 régions.
    """
    text = str(value).strip()
    code = text.zfill(2) if text.isdigit() and len(text) <= 2 else text
    if code not in _region_names():
        known = ", ".join(sorted(_region_names()))
        raise UnknownCodeError("region", [text], allowed_hint=f"valid codes: {known}")
    return code


def resolve_regions(value: object = None) -> list[str]:
    """Région codes from a user value: one, several, or all 18.

    Parameters
    ----------
    value : None, str, int or iterable
        None, ``"all"``, ``"toutes"`` or ``""`` → all 18 régions (sorted); a code (``"84"``,
        ``84``); several codes as text (``"84,27"`` or ``"84;27"``) or as an iterable.
        Each code is checked with :func:`normalize_region_code`; duplicates are removed, the
        order given is kept.

    Returns
    -------
    list of str

    Raises
    ------
    UnknownCodeError
        If a code is not one of the 18 régions (every bad value is named).
    """
    if value is None or (isinstance(value, str) and value.strip().lower() in ("all", "toutes", "")):
        return sorted(_region_names())
    if isinstance(value, str | int):
        parts: list[object] = [p.strip() for p in str(value).replace(";", ",").split(",") if p.strip()]
    else:
        parts = list(value)  # type: ignore[call-overload]
    out: list[str] = []
    bad: list[str] = []
    for part in parts:
        try:
            code = normalize_region_code(part)
        except UnknownCodeError:
            bad.append(str(part).strip())
            continue
        if code not in out:
            out.append(code)
    if bad or not out:
        known = ", ".join(sorted(_region_names()))
        raise UnknownCodeError("region", bad or [repr(value)], allowed_hint=f"valid codes: {known}, or 'all'")
    return out


@dataclass(frozen=True)
class TerritoryCodes:
    """A territory as the user gave it, normalised.

    Attributes
    ----------
    departements : list of str
        Département codes: the région's first (sorted), then the listed ones in the order given,
        each once.
    communes : list of str
        Commune codes given where départements were expected (an ESS territory is made of whole
        départements: :func:`ess_geo.rules.criteria.rule_perimeter` refuses them).
    region : str or None
        The région given, if any.
    """

    departements: list[str]
    communes: list[str] = field(default_factory=list)
    region: str | None = None


def _bad_departements(value: object) -> InputDataError:
    kind = type(value).__name__
    shown = repr(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return InputDataError(
        f"departements must be a département code (str or int), a comma-separated str or an iterable of codes; "
        f"got {kind}: {shown}",
        fr=f"départements : code (texte ou entier), liste de codes ou texte « 75,94 » attendu, reçu {kind} : {shown}",
    )


def _listed_values(departements: object) -> list[object]:
    """The raw codes of ``departements``: one code, ``"75,94"``, an iterable, or ``.departements``."""
    if departements is None:
        return []
    if hasattr(departements, "departements") and not isinstance(departements, str | bytes):
        departements = departements.departements
    if isinstance(departements, numbers.Integral) and not isinstance(departements, bool):
        return [departements]
    if isinstance(departements, str):
        return [p for p in departements.replace(";", ",").split(",") if p.strip()]
    if isinstance(departements, bytes | Mapping) or not isinstance(departements, Iterable):
        raise _bad_departements(departements)
    return list(departements)


def parse_territory(departements: object = None, region: object = None) -> TerritoryCodes:
    """The one parser of territories: département codes and/or a whole région.

    Parameters
    ----------
    departements : str, int, iterable, or object with ``.departements``, optional
        One code (``77``, ``"77"``, ``"2A"``), several as text (``"75,94"``, ``"75;94"``), an
        iterable of codes (``["75", 94]``), or a result carrying ``.departements``
        (:class:`~ess_geo.rules.territory.TerritoryCheck`). A code is a département code: a
        région is given with ``region``. Five-character codes of existing communes are kept apart
        in ``communes``.
    region : str or int, optional
        One région code: all its départements. With ``departements`` too, the union.

    Returns
    -------
    TerritoryCodes

    Raises
    ------
    UnknownCodeError
        Naming every unknown département code, or the unknown région.
    InputDataError
        If ``departements`` or ``region`` is of an unsupported type, or the territory is empty.
    """
    values = _listed_values(departements)
    communes = [str(v).strip().upper() for v in values if len(str(v).strip()) == 5]
    communes = [c for c in communes if c in _commune_codes()]
    deps = normalize_dep_codes([v for v in values if str(v).strip().upper() not in communes])
    region_code = None
    if region is not None:
        if isinstance(region, bool) or not isinstance(region, str | numbers.Integral):
            raise InputDataError(
                f"region must be one région code (str or int), got {region!r}",
                fr=f"code région invalide : {region!r} (un seul code région attendu, ex. « 76 »)",
            )
        region_code = normalize_region_code(region)
        deps = departements_of_region(region_code) + [d for d in deps if region_of(d) != region_code]
    if not deps and not communes:
        raise InputDataError(
            "no territory: give departements (['09', '31'] or '09,31') or region ('76')",
            fr="aucun territoire : indiquer des départements (ex. 09,31) ou une région (ex. 76)",
        )
    return TerritoryCodes(deps, communes, region_code)


def parse_candidate(text: str) -> TerritoryCodes:
    """A candidate territory written as one string: ``"53,72"``, ``"r:52"`` (a whole région) or ``"r:52,49"``.

    A token ``r:CODE`` (or ``region:CODE``) names a whole région; the other tokens are département
    codes, read by :func:`parse_territory` (the union when both are given).

    Parameters
    ----------
    text : str
        The candidate, as ``ess-geo compare --candidat`` takes it.

    Returns
    -------
    TerritoryCodes

    Raises
    ------
    UnknownCodeError
        Naming an unknown département or région code.
    InputDataError
        If the text is not a string, is empty or names more than one région.
    """
    if not isinstance(text, str):
        raise InputDataError(
            f"a candidate territory is a string such as '53,72' or 'r:52', got {text!r}",
            fr=f"territoire candidat invalide : {text!r} (attendu : 53,72 ou r:52)",
        )
    tokens = [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]
    regions = [t.split(":", 1)[1].strip() for t in tokens if t.lower().startswith(("r:", "region:", "région:"))]
    deps = [t for t in tokens if ":" not in t]
    if len(regions) > 1 or len(regions) + len(deps) < len(tokens):
        raise InputDataError(
            f"candidate {text!r}: at most one 'r:CODE' région token, other tokens are département codes",
            fr=f"territoire candidat « {text} » : une seule région (r:52) au plus, les autres codes sont des "
            "départements (ex. r:52,49)",
        )
    return parse_territory(deps or None, regions[0] if regions else None)


def resolve_departements(departements: object = None, region: object = None) -> list[str]:
    """Département codes of a territory given as in :func:`parse_territory`, communes refused.

    Returns
    -------
    list of str
        Normalised codes, in the order of :attr:`TerritoryCodes.departements`.

    Raises
    ------
    UnknownCodeError, InputDataError
        As :func:`parse_territory`; also :class:`InputDataError` naming commune codes.
    """
    territory = parse_territory(departements, region)
    if territory.communes:
        shown = ", ".join(territory.communes)
        raise InputDataError(
            f"departements must be département codes, got commune codes: {shown}",
            fr=f"codes commune au lieu de départements : {shown}",
        )
    return territory.departements
