"""Doctors' zonage (ZIP / ZAC / ZAR / HZ): reading the national file and matching it to communes.

The national compilation of the ARS zonage arrêtés for general practitioners is keyed by
**postal code + commune name**, not by INSEE code (``Code_postal``, ``Nom_commune``, ``Zonage``;
postal codes lost their leading zero). :func:`load_zonage` reads it and matches every row to a
commune of the embedded COG 2025 geography, trying in turn (first success wins):

1. ``code_postal+nom``: the postal code and the normalised name of a commune (or of a Paris /
   Lyon / Marseille arrondissement, mapped to its commune);
2. ``code_postal+commune_deleguee``: the postal code of a commune nouvelle and the name of one of
   its communes déléguées / associées (the zonage may predate the merger);
3. ``departement+nom`` / ``departement+commune_deleguee``: the same names anywhere in the
   département of the postal code (the postal code changed or is shared across a border);
4. ``code_postal+nom_approche``: a unique commune of that postal code whose name extends the
   zonage name or differs by a typo (renamed communes: ``Oissel`` → ``Oissel-sur-Seine``).

Names are compared after :func:`normalize_name`: accents, case, hyphens, apostrophes and spaces
are ignored, ``St``/``Ste`` read as ``Saint``/``Sainte`` and leading articles (``Le``, ``La``,
``Les``, ``L'``, ``Aux``, ``Las``, ``Los``) are dropped (the embedded COG names carry no article).

A step that finds several communes makes the row **ambiguous** (candidates kept); a row no step
matches is **unmatched**, with a French reason. Nothing is dropped silently: both are listed in
:attr:`Zonage.unmatched` / :attr:`Zonage.ambiguous` and counted in :attr:`Zonage.dropped`.

A file keyed by INSEE code (a column ``code_insee``, ``CODGEO``, ``code_commune``...) is read
too; a code of a commune déléguée is mapped to its commune nouvelle.

**Several rows for one commune** (sub-commune zonage, several postal codes, communes déléguées of
a commune nouvelle): the commune takes the most priority class found, in the order
ZIP > ZAC > ZAR > HZ > NA (:data:`CLASS_PRIORITY`); :meth:`Zonage.by_commune` keeps the list of
classes, names and postal codes of its rows as evidence, and flags ``mixed`` communes.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ess_geo._format import decimal, nombre
from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.reference.geography import load_communes, load_communes_deleguees, load_postal_codes
from ess_geo.reference.specialties import normalize_text
from ess_geo.sources import Source

#: Zonage class code → French label.
ZONAGE_LABELS: dict[str, str] = {
    "ZIP": "Zone d'intervention prioritaire",
    "ZAC": "Zone d'action complémentaire",
    "ZAR": "Zone d'accompagnement régional",
    "HZ": "Hors zonage",
    "NA": "Zonage non disponible",
}
#: Classes from most to least priority: a commune with several rows takes the first one found.
CLASS_PRIORITY: tuple[str, ...] = ("ZIP", "ZAC", "ZAR", "HZ", "NA")

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


def parse_zonage_class(value: object) -> str | None:
    """Class code of a raw zonage value, or None when it is not recognised.

    Parameters
    ----------
    value : object
        ``"1_ZIP"``, ``"ZIP"``, ``"Zone d'intervention prioritaire"``, ``"3_HZ"``,
        ``"N/A - résultat non disponible"``...

    Returns
    -------
    str or None
        One of ``ZIP``, ``ZAC``, ``ZAR``, ``HZ``, ``NA``.
    """
    text = normalize_text("" if value is None else str(value))
    words = set(text.split())
    if "zip" in words or "intervention prioritaire" in text:
        return "ZIP"
    if "zac" in words or "action complementaire" in text:
        return "ZAC"
    if "zar" in words or "accompagnement regional" in text or "action regionale" in text:
        return "ZAR"
    if "hz" in words or "hors zonage" in text or "hors vivier" in text:
        return "HZ"
    if text in ("", "na", "n a") or text.startswith("n a ") or "non disponible" in text:
        return "NA"
    return None


@dataclass
class Zonage:
    """A zonage file matched to the communes of COG 2025.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per matched input row: ``line`` (line in the file), ``code_insee``, ``zonage``
        (class code), ``zonage_label``, ``matched_by`` (one of :data:`MATCH_STEPS`, or
        ``code_insee`` / ``code_insee_deleguee`` for INSEE-keyed files), and the original fields
        ``code_postal``, ``nom_commune``, ``zonage_brut``.
    unmatched : pandas.DataFrame
        Rows matched to no commune, same original fields plus ``reason`` (French).
    ambiguous : pandas.DataFrame
        Rows matching several communes: ``candidates`` (list of code_insee) and ``reason``.
    n_rows : int
        Data rows read in the file.
    source : Source
        Provenance of the file.
    dropped : DroppedRows
        Every row not in ``table``, by reason.
    path : str
        File read.
    keyed_by : str
        ``"code_postal+nom"`` or ``"code_insee"``.
    """

    table: pd.DataFrame
    unmatched: pd.DataFrame
    ambiguous: pd.DataFrame
    n_rows: int
    source: Source
    dropped: DroppedRows = field(default_factory=DroppedRows)
    path: str = ""
    keyed_by: str = "code_postal+nom"
    _by_commune_cache: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def match_rate(self) -> float:
        """Share of the file's rows matched to exactly one commune (0 for an empty file)."""
        return len(self.table) / self.n_rows if self.n_rows else 0.0

    def match_counts(self) -> dict[str, int]:
        """Number of rows per outcome: each matching step, ``ambiguous`` and ``unmatched``."""
        counts = {step: int(n) for step, n in self.table["matched_by"].value_counts().items()}
        counts["ambiguous"] = len(self.ambiguous)
        counts["unmatched"] = len(self.unmatched)
        return counts

    def by_commune(self) -> pd.DataFrame:
        """One row per matched commune, with the class that applies and its evidence.

        Returns
        -------
        pandas.DataFrame
            ``code_insee``, ``zonage`` (most priority class of its rows, see
            :data:`CLASS_PRIORITY`), ``zonage_label``, ``classes`` (sorted by priority),
            ``mixed`` (several distinct classes), ``n_rows``, ``noms`` and ``codes_postaux``
            (distinct values of its rows), ``matched_by`` (distinct steps).
        """
        if self._by_commune_cache is None or self._by_commune_cache[0] is not self.table:
            self._by_commune_cache = (self.table, _by_commune(self.table))
        return self._by_commune_cache[1].copy()

    def summary_fr(self) -> str:
        """One French line: match rate, unmatched and ambiguous rows."""
        return (
            f"{nombre(len(self.table))} lignes de zonage sur {nombre(self.n_rows)} rattachées à une commune "
            f"({decimal(self.match_rate * 100)} %) ; {nombre(len(self.unmatched))} non rattachées, "
            f"{nombre(len(self.ambiguous))} ambiguës"
        )

    def to_dict(self) -> dict:
        """JSON-ready summary (counts, rate, unmatched and ambiguous rows, source)."""
        return {
            "path": self.path,
            "keyed_by": self.keyed_by,
            "n_rows": self.n_rows,
            "matched": len(self.table),
            "match_rate": self.match_rate,
            "match_counts": self.match_counts(),
            "unmatched": _records(self.unmatched),
            "ambiguous": _records(self.ambiguous),
            "dropped": self.dropped.to_dict(),
            "source": self.source.to_dict(),
        }


def _records(df: pd.DataFrame) -> list[dict]:
    out = []
    for rec in df.to_dict(orient="records"):
        out.append({k: (list(v) if isinstance(v, (list, tuple)) else (None if _isna(v) else v)) for k, v in rec.items()})
    return out


def _isna(v: object) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _sorted(values: set) -> list:
    return sorted(values) if len(values) > 1 else list(values)


def _by_commune(table: pd.DataFrame) -> pd.DataFrame:
    cols = ["code_insee", "zonage", "zonage_label", "classes", "mixed", "n_rows", "noms", "codes_postaux", "matched_by"]
    rank = {c: i for i, c in enumerate(CLASS_PRIORITY)}
    acc: dict[str, list] = {}
    columns = ("code_insee", "zonage", "nom_commune", "code_postal", "matched_by")
    for code, zon, nom, cp, step in zip(*(table[c].astype(str).tolist() for c in columns), strict=True):
        a = acc.get(code)
        if a is None:
            a = acc[code] = [set(), set(), set(), set(), 0]
        a[0].add(zon)
        a[1].add(str(nom))
        a[2].add(str(cp))
        a[3].add(step)
        a[4] += 1
    rows = []
    for code in sorted(acc):
        classes_set, noms, cps, steps, n = acc[code]
        classes = sorted(classes_set, key=rank.__getitem__) if len(classes_set) > 1 else list(classes_set)
        rows.append((code, classes[0], ZONAGE_LABELS[classes[0]], classes, len(classes) > 1, n, _sorted(noms),
                     _sorted(cps), _sorted(steps)))
    return pd.DataFrame(rows, columns=cols)


# ---------------------------------------------------------------------------------------------
# Reference indexes


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
    communes = load_communes()
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
    deps_of_cp = _group((cp, dep_of[code]) for cp, code in zip(p_cp, p_code, strict=True))
    deleg_code = {c: p for c, p in zip(d_code, d_parent, strict=True) if c not in dep_of}
    return _Index(
        com_cp=com_cp,
        deleg_cp=deleg_cp,
        com_dep=com_dep,
        deleg_dep=deleg_dep,
        keys_cp={cp: {k: frozenset(v) for k, v in d.items()} for cp, d in keys_cp.items()},
        deps_of_cp=deps_of_cp,
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
    return _deps_for_postal(cp, _index())


def _deps_for_postal(cp: str, idx: _Index) -> set[str]:
    deps = set(idx.deps_of_cp.get(cp, ()))
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
    deps = _deps_for_postal(cp, idx)
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


# ---------------------------------------------------------------------------------------------
# Reading


_CP_COLS = {"code postal", "code_postal", "codepostal", "cp", "code postal commune"}
_NAME_COLS = {"nom commune", "nom_commune", "commune", "libelle commune", "libelle", "nom", "libgeo", "nom de la commune"}
_INSEE_COLS = {"code insee", "code_insee", "codgeo", "code commune", "code_commune", "insee", "depcom", "com", "code commune insee"}


def _norm_col(col: str) -> str:
    return normalize_text(col).replace("_", " ")


def _find_col(columns: list[str], wanted: set[str]) -> str | None:
    wanted_n = {_norm_col(w) for w in wanted}
    for col in columns:
        if _norm_col(col) in wanted_n:
            return col
    return None


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def load_zonage(path: str | Path, *, vintage: str = "non précisé", name: str | None = None) -> Zonage:
    """Read a doctors' zonage file and match every row to a COG 2025 commune.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV file (comma or semicolon separated, UTF-8 or Windows-1252). Either keyed by postal code
        and commune name (columns ``Code_postal``, ``Nom_commune``, ``Zonage`` as in the national
        compilation; postal codes may have lost their leading zero) or by INSEE code (a column
        ``code_insee`` / ``CODGEO`` / ``code_commune`` and a ``Zonage`` column).
    vintage : str, optional
        Vintage to record in the source (the national compilation does not state it).
    name : str, optional
        Source name; default names the file.

    Returns
    -------
    Zonage
        Matched rows, unmatched and ambiguous rows with reasons, match rate and source.

    Raises
    ------
    InputDataError
        If the file does not exist, is empty, or lacks a zonage column or the key columns
        (naming the header found).
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(
            f"zonage file not found: {str(path)!r}", fr=f"fichier de zonage introuvable : {path}", path=str(path)
        )
    text = _read_text(path)
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise InputDataError(f"zonage file {str(path)!r} is empty", fr=f"fichier de zonage vide : {path.name}", path=str(path))
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputDataError(
            f"cannot parse zonage file {str(path)!r}: {exc}", fr=f"fichier de zonage illisible : {path.name}", path=str(path)
        ) from None
    columns = [str(c) for c in df.columns]
    zcol = next((c for c in columns if "zonage" in _norm_col(c) or _norm_col(c) in {"zone", "classe"}), None)
    insee_col = _find_col(columns, _INSEE_COLS)
    cp_col = _find_col(columns, _CP_COLS)
    name_col = _find_col(columns, _NAME_COLS)
    if zcol is None or (insee_col is None and (cp_col is None or name_col is None)):
        msg = (
            f"zonage file {str(path)!r} has columns {columns}: expected a zonage column ('Zonage') and either "
            "'Code_postal' + 'Nom_commune' or an INSEE code column ('code_insee', 'CODGEO', 'code_commune')"
        )
        raise InputDataError(
            msg,
            fr=f"colonnes du fichier de zonage non reconnues ({', '.join(columns)}) : attendu Zonage et "
            "Code_postal + Nom_commune, ou code_insee",
            path=str(path),
            line=1,
        )
    source = Source(
        name=name or f"Zonage des médecins (ARS/DGOS), fichier {path.name}",
        vintage=vintage,
        licence="non précisée",
        origin=str(path),
    )
    frame = pd.DataFrame(
        {
            "line": range(2, len(df) + 2),
            "code_postal": df[cp_col].astype(str).str.strip() if cp_col else pd.Series("", index=df.index, dtype=str),
            "nom_commune": df[name_col].astype(str).str.strip() if name_col else pd.Series("", index=df.index, dtype=str),
            "zonage_brut": df[zcol].astype(str).str.strip(),
        }
    )
    if insee_col is not None:
        frame["code_insee_brut"] = df[insee_col].astype(str).str.strip()
        return _match_insee(frame, source, path)
    return _match_postal(frame, source, path)


def _finish(frame: pd.DataFrame, codes: list, steps: list, reasons: list, cands: list, source: Source, path: Path,
            keyed_by: str) -> Zonage:
    frame = frame.copy()
    frame["code_insee"] = codes
    frame["matched_by"] = steps
    frame["reason"] = reasons
    frame["candidates"] = cands
    frame["zonage"] = frame["zonage_brut"].map(parse_zonage_class)
    bad_class = frame["zonage"].isna()
    frame.loc[bad_class, "reason"] = "valeur de zonage non reconnue : " + frame.loc[bad_class, "zonage_brut"]
    frame.loc[bad_class, "code_insee"] = None
    frame["zonage_label"] = frame["zonage"].map(ZONAGE_LABELS)
    base = [c for c in ("line", "code_postal", "nom_commune", "code_insee_brut", "zonage_brut") if c in frame.columns]
    matched = frame["code_insee"].notna()
    is_amb = ~matched & frame["candidates"].map(len).gt(0) & ~bad_class
    table = frame.loc[matched, ["code_insee", "zonage", "zonage_label", "matched_by", *base]].reset_index(drop=True)
    ambiguous = frame.loc[is_amb, [*base, "candidates", "reason"]].reset_index(drop=True)
    unmatched = frame.loc[~matched & ~is_amb, [*base, "reason"]].reset_index(drop=True)
    dropped = DroppedRows()
    for rec in frame.loc[~matched, [*base, "reason"]].to_dict(orient="records"):
        reason = rec.pop("reason")
        dropped.add(reason.split(" : ")[0], line=int(rec["line"]), row=rec)
    return Zonage(
        table=table,
        unmatched=unmatched,
        ambiguous=ambiguous,
        n_rows=len(frame),
        source=source,
        dropped=dropped,
        path=str(path),
        keyed_by=keyed_by,
    )


def _match_postal(frame: pd.DataFrame, source: Source, path: Path) -> Zonage:
    idx = _index()
    cps = frame["code_postal"].map(lambda s: s.zfill(5) if s.isdigit() and 3 <= len(s) <= 5 else s)
    frame = frame.assign(code_postal=cps)
    keys = [normalize_name(n) for n in frame["nom_commune"].tolist()]
    cache: dict[tuple[str, str], tuple[str, str | None, str, list[str]]] = {}
    codes, steps, reasons, cands = [], [], [], []
    for cp, key, nom in zip(cps.tolist(), keys, frame["nom_commune"].tolist(), strict=True):
        res = cache.get((cp, key))
        if res is None:
            res = _resolve_postal(cp, key, nom, idx)
            cache[(cp, key)] = res
        steps.append(res[0])
        codes.append(res[1])
        reasons.append(res[2])
        cands.append(res[3])
    return _finish(frame, codes, steps, reasons, cands, source, path, "code_postal+nom")


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


def _match_insee(frame: pd.DataFrame, source: Source, path: Path) -> Zonage:
    idx = _index()
    codes, steps, reasons, cands = [], [], [], []
    for raw in frame["code_insee_brut"]:
        code = raw.upper().zfill(5) if raw.isdigit() and len(raw) == 4 else raw.upper()
        if code in idx.dep_of:
            codes.append(code)
            steps.append("code_insee")
            reasons.append("")
        elif code in idx.deleg_code:
            codes.append(idx.deleg_code[code])
            steps.append("code_insee_deleguee")
            reasons.append("")
        else:
            codes.append(None)
            steps.append("")
            reasons.append(f"code INSEE inconnu du COG 2025 : {raw!r}")
        cands.append([])
    return _finish(frame, codes, steps, reasons, cands, source, path, "code_insee")
