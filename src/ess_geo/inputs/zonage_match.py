"""Matching zonage rows to the communes of COG 2025: name keys, reference index, match steps.

Used by :func:`ess_geo.inputs.zonage.load_zonage`. A row keyed by postal code + commune name is
matched by :func:`match_postal`, trying in turn the steps of :data:`MATCH_STEPS` (first success
wins); a row keyed by INSEE code by :func:`match_insee` (a commune déléguée's code maps to its
commune nouvelle). Names are compared through :func:`normalize_name`. A step finding several
communes makes the row ambiguous (candidates kept); a row no step matches gets a French reason.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import pandas as pd

from ess_geo.inputs._files import gc_paused
from ess_geo.reference.geography import load_commune_attributes, load_communes_deleguees, load_postal_codes
from ess_geo.reference.specialties import normalize_text

__all__ = [
    "MATCH_STEPS",
    "Matches",
    "match_insee",
    "match_postal",
    "normalize_name",
    "padded_postal_code",
    "postal_code_departements",
]

MATCH_STEPS: tuple[str, ...] = (
    "code_postal+nom",
    "code_postal+commune_deleguee",
    "departement+nom",
    "departement+commune_deleguee",
    "code_postal+nom_approche",
)

_ARTICLES = {"le", "la", "les", "l", "aux", "las", "los"}
_FUZZY_CUTOFF = 0.88
# Collectivités d'outre-mer: outside the COG départements (no commune polygons).
_COM_POSTAL = {"97133": "Saint-Barthélemy", "97150": "Saint-Martin", "97500": "Saint-Pierre-et-Miquelon"}


@lru_cache(maxsize=1 << 17)
def normalize_name(name: str) -> str:
    """Comparison key of a commune name.

    Parameters
    ----------
    name : str
        Commune name as written in any source.

    Returns
    -------
    str
        Lower-case ASCII letters and digits only, ``st``/``ste`` expanded, leading article dropped:
        ``"L'Abergement-Clémenciat"`` and ``"Abergement Clemenciat"`` give ``"abergementclemenciat"``;
        ``"St-Ybard"`` and ``"Saint Ybard"`` give ``"saintybard"``.
    """
    words = normalize_text(name).split()
    words = ["saint" if w == "st" else "sainte" if w == "ste" else w for w in words]
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return "".join(words)


@lru_cache(maxsize=1)
def _delegated() -> pd.DataFrame:
    """Communes déléguées / associées of COG 2025 → parent commune (embedded table)."""
    return load_communes_deleguees()


@dataclass(frozen=True)
class _Index:
    com_cp: dict[tuple[str, str], frozenset[str]]
    deleg_cp: dict[tuple[str, str], frozenset[str]]
    com_dep: dict[tuple[str, str], frozenset[str]]
    deleg_dep: dict[tuple[str, str], frozenset[str]]
    keys_cp: dict[str, dict[str, frozenset[str]]]
    deps_of_cp: dict[str, frozenset[str]]
    dep_of: dict[str, str]
    nom_of: dict[str, str]
    deleg_code: dict[str, str]


def _group(pairs) -> dict:
    out: dict = {}
    for key, code in pairs:
        out.setdefault(key, set()).add(code)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _index() -> _Index:
    with gc_paused():
        return _build_index()


@lru_cache(maxsize=1)
def _deps_of_cp() -> dict[str, frozenset[str]]:
    """Postal code → départements of its communes (COG 2025), without building the whole match index."""
    dep_of = load_commune_attributes()[["code_insee", "code_dep"]]
    postal = load_postal_codes()[["code_postal", "code_insee"]].merge(dep_of, on="code_insee")
    pairs = postal[["code_postal", "code_dep"]].drop_duplicates().astype(str)
    return _group(zip(pairs["code_postal"].tolist(), pairs["code_dep"].tolist(), strict=True))


def _build_index() -> _Index:
    communes = load_commune_attributes()
    c_code, c_nom, c_dep = (communes[c].astype(str).tolist() for c in ("code_insee", "nom", "code_dep"))
    dep_of = dict(zip(c_code, c_dep, strict=True))
    nom_of = dict(zip(c_code, c_nom, strict=True))
    postal = load_postal_codes()
    p_cp, p_code, p_nom = (postal[c].astype(str).tolist() for c in ("code_postal", "code_insee", "nom"))
    keep = [code in dep_of for code in p_code]
    p_cp, p_code, p_nom = ([v for v, k in zip(col, keep, strict=True) if k] for col in (p_cp, p_code, p_nom))
    deleg = _delegated()
    d_code, d_parent, d_nom = (deleg[c].astype(str).tolist() for c in ("code", "code_insee", "nom"))
    keep = [parent in dep_of for parent in d_parent]
    d_code, d_parent, d_nom = ([v for v, k in zip(col, keep, strict=True) if k] for col in (d_code, d_parent, d_nom))

    pkey = [normalize_name(n) for n in p_nom]
    dkey = [normalize_name(n) for n in d_nom]
    ckey = [normalize_name(n) for n in c_nom]
    cps_of: dict[str, set[str]] = {}
    for cp, code in zip(p_cp, p_code, strict=True):
        cps_of.setdefault(code, set()).add(cp)
    com_cp = _group(zip(zip(p_cp, pkey, strict=True), p_code, strict=True))
    deleg_cp = _group(
        ((cp, k), parent) for k, parent in zip(dkey, d_parent, strict=True) for cp in sorted(cps_of.get(parent, ()))
    )
    com_dep = _group(zip(zip(c_dep, ckey, strict=True), c_code, strict=True))
    deleg_dep = _group(((dep_of[parent], k), parent) for k, parent in zip(dkey, d_parent, strict=True))
    keys_cp: dict[str, dict[str, set[str]]] = {}
    for cp, k, code in zip(p_cp, pkey, p_code, strict=True):
        keys_cp.setdefault(cp, {}).setdefault(k, set()).add(code)
    deleg_code = {c: p for c, p in zip(d_code, d_parent, strict=True) if c not in dep_of}
    return _Index(
        com_cp=com_cp,
        deleg_cp=deleg_cp,
        com_dep=com_dep,
        deleg_dep=deleg_dep,
        keys_cp={cp: {k: frozenset(v) for k, v in d.items()} for cp, d in keys_cp.items()},
        deps_of_cp=_deps_of_cp(),
        dep_of=dep_of,
        nom_of=nom_of,
        deleg_code=deleg_code,
    )


def postal_code_departements(code_postal: object) -> set[str]:
    """Départements a postal code may belong to (its communes', plus the code's own prefix).

    Parameters
    ----------
    code_postal : str or int
        A 5-digit postal code (``"20000"``, ``15170``).

    Returns
    -------
    set of str
        Département codes; ``{"2A", "2B"}`` for a Corsican code not in the embedded table.
    """
    cp = str(code_postal).strip().zfill(5)
    return _deps_for_postal(cp, _deps_of_cp())


def _deps_for_postal(cp: str, deps_of_cp: dict[str, frozenset[str]]) -> set[str]:
    deps = set(deps_of_cp.get(cp, ()))
    if cp.startswith("97"):
        deps.add(cp[:3])
    elif cp.startswith("20"):
        deps.update({"2A", "2B"})
    else:
        deps.add(cp[:2])
    return deps


def _match_one(cp: str, key: str, idx: _Index) -> tuple[str, frozenset[str]]:
    """Return (step, candidate codes) for one (postal code, name key); empty set when unmatched."""
    if not key:
        return "", frozenset()
    for step, table in (("code_postal+nom", idx.com_cp), ("code_postal+commune_deleguee", idx.deleg_cp)):
        found = table.get((cp, key))
        if found:
            return step, found
    deps = _deps_for_postal(cp, idx.deps_of_cp)
    for step, table in (("departement+nom", idx.com_dep), ("departement+commune_deleguee", idx.deleg_dep)):
        found = frozenset().union(*(table.get((d, key), frozenset()) for d in deps))
        if found:
            return step, found
    keys = idx.keys_cp.get(cp, {})
    if keys:
        near = {k for k in keys if len(key) >= 4 and len(k) >= 4 and (k.startswith(key) or key.startswith(k))}
        if not near:
            near = set(difflib.get_close_matches(key, list(keys), n=3, cutoff=_FUZZY_CUTOFF))
        if near:
            return "code_postal+nom_approche", frozenset().union(*(keys[k] for k in near))
    return "", frozenset()


class Matches(NamedTuple):
    """Outcome of matching rows, one item per row in each list.

    Attributes
    ----------
    codes : list of str or None
        ``code_insee`` of the commune, None when unmatched or ambiguous.
    steps : list of str
        Step that matched (one of :data:`MATCH_STEPS`, ``code_insee``, ``code_insee_deleguee``), or "".
    reasons : list of str
        French reason when not matched, else "".
    candidates : list of list of str
        Candidate communes of an ambiguous row, else empty.
    """

    codes: list[str | None]
    steps: list[str]
    reasons: list[str]
    candidates: list[list[str]]


def padded_postal_code(value: str) -> str:
    """A postal code that lost its leading zero(s) (``1000``) padded back to 5 digits; others unchanged."""
    return value.zfill(5) if value.isdigit() and 3 <= len(value) <= 5 else value


def match_postal(postal_codes: Iterable[str], names: Iterable[str]) -> Matches:
    """Match rows keyed by (padded) postal code and commune name to COG 2025 communes.

    Parameters
    ----------
    postal_codes : iterable of str
        Postal codes, padded (:func:`padded_postal_code`).
    names : iterable of str
        Commune names as written in the file.

    Returns
    -------
    Matches
    """
    idx = _index()
    cache: dict[tuple[str, str], tuple[str, str | None, str, list[str]]] = {}
    out = Matches([], [], [], [])
    for cp, nom in zip(postal_codes, names, strict=True):
        key = normalize_name(nom)
        res = cache.get((cp, key))
        if res is None:
            res = _resolve_postal(cp, key, nom, idx)
            cache[(cp, key)] = res
        out.steps.append(res[0])
        out.codes.append(res[1])
        out.reasons.append(res[2])
        out.candidates.append(res[3])
    return out


def _resolve_postal(cp: str, key: str, nom: str, idx: _Index) -> tuple[str, str | None, str, list[str]]:
    if not re.fullmatch(r"\d{5}", cp):
        return "", None, f"code postal invalide : {cp!r}", []
    if not key:
        return "", None, "nom de commune vide", []
    if cp in _COM_POSTAL:
        return "", None, f"collectivité d'outre-mer hors du référentiel des communes ({_COM_POSTAL[cp]})", []
    step, found = _match_one(cp, key, idx)
    if len(found) == 1:
        return step, next(iter(found)), "", []
    if len(found) > 1:
        names = ", ".join(f"{c} {idx.nom_of[c]}" for c in sorted(found))
        return step, None, f"plusieurs communes possibles ({step}) : {names}", sorted(found)
    if cp not in idx.keys_cp:
        return "", None, f"code postal inconnu du référentiel et nom {nom!r} absent du département", []
    return (
        "",
        None,
        f"nom {nom!r} introuvable pour le code postal {cp} ni dans son département : commune absente du "
        "COG 2025 (probablement fusionnée, scindée ou renommée sans commune déléguée depuis le fichier)",
        [],
    )


def match_insee(raw_codes: Iterable[str]) -> Matches:
    """Match rows keyed by INSEE code to COG 2025 communes (a commune déléguée → its commune nouvelle).

    Parameters
    ----------
    raw_codes : iterable of str
        INSEE codes as written in the file (a lost leading zero is restored).

    Returns
    -------
    Matches
    """
    idx = _index()
    out = Matches([], [], [], [])
    for raw in raw_codes:
        code = raw.upper().zfill(5) if raw.isdigit() and len(raw) == 4 else raw.upper()
        if code in idx.dep_of:
            found, step, reason = code, "code_insee", ""
        elif code in idx.deleg_code:
            found, step, reason = idx.deleg_code[code], "code_insee_deleguee", ""
        else:
            found, step, reason = None, "", f"code INSEE inconnu du COG 2025 : {raw!r}"
        out.codes.append(found)
        out.steps.append(step)
        out.reasons.append(reason)
        out.candidates.append([])
    return out
