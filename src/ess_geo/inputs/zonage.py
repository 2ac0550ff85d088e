"""Doctors' zonage (ZIP / ZAC / ZAR / HZ): reading the national file and matching it to communes.

The national compilation of the ARS zonage arrêtés for general practitioners is keyed by
**postal code + commune name**, not by INSEE code (``Code_postal``, ``Nom_commune``, ``Zonage``;
postal codes lost their leading zero). :func:`load_zonage` reads it and matches every row to a
commune of the embedded COG 2025 geography (:mod:`ess_geo.inputs.zonage_match`), trying in turn
(first success wins):

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
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ess_geo._format import agreed, decimal, nombre, plural
from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.inputs._files import check_path, decode_text, gc_paused, read_limited
from ess_geo.inputs._limits import LIMITS, check_columns, check_field, shorten
from ess_geo.inputs.parse_cache import cached_parse, reader_version
from ess_geo.inputs.zonage_match import (
    MATCH_STEPS,
    Matches,
    match_insee,
    match_postal,
    normalize_name,
    padded_postal_code,
    postal_code_departements,
)
from ess_geo.reference.specialties import normalize_text
from ess_geo.sources import Source

__all__ = [
    "CLASS_PRIORITY",
    "MATCH_STEPS",
    "ZONAGE_LABELS",
    "Zonage",
    "load_zonage",
    "normalize_name",
    "parse_zonage_class",
    "postal_code_departements",
]

#: Zonage class code → French label.
ZONAGE_LABELS: dict[str, str] = {
    "ZIP": "Zone d'intervention prioritaire",
    "ZAC": "Zone d'action complémentaire",
    "ZAR": "Zone d'accompagnement régional",
    "HZ": "Hors zonage",
    "NA": "Zonage non disponible",
}
#: Version of the zonage reader's output: bump when it changes (cached matches are then rebuilt).
ZONAGE_READER_VERSION = "1"
#: Classes from most to least priority: a commune with several rows takes the first one found.
CLASS_PRIORITY: tuple[str, ...] = ("ZIP", "ZAC", "ZAR", "HZ", "NA")

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
            with gc_paused():
                self._by_commune_cache = (self.table, _by_commune(self.table))
        return self._by_commune_cache[1].copy()

    def summary_fr(self) -> str:
        """One French line: match rate, unmatched and ambiguous rows."""
        matched, unmatched, ambiguous = len(self.table), len(self.unmatched), len(self.ambiguous)
        return (
            f"{plural(matched, 'ligne')} de zonage sur {nombre(self.n_rows)} {agreed(matched, 'rattachée')} à une "
            f"commune ({decimal(self.match_rate * 100)} %) ; {nombre(unmatched)} non {agreed(unmatched, 'rattachée')}, "
            f"{nombre(ambiguous)} {agreed(ambiguous, 'ambiguë')}"
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
    """:meth:`Zonage.by_commune`: communes with one row built column-wise, the others row by row."""
    cols = ["code_insee", "zonage", "zonage_label", "classes", "mixed", "n_rows", "noms", "codes_postaux", "matched_by"]
    columns = ("code_insee", "zonage", "nom_commune", "code_postal", "matched_by")
    frame = pd.DataFrame({c: table[c].astype(str).tolist() for c in columns}, dtype=object)
    several = frame["code_insee"].duplicated(keep=False).to_numpy()
    one = {c: frame.loc[~several, c].tolist() for c in columns}
    single = pd.DataFrame(
        {
            "code_insee": one["code_insee"],
            "zonage": one["zonage"],
            "zonage_label": [ZONAGE_LABELS[z] for z in one["zonage"]],
            "classes": [[v] for v in one["zonage"]],
            "mixed": False,
            "n_rows": 1,
            "noms": [[v] for v in one["nom_commune"]],
            "codes_postaux": [[v] for v in one["code_postal"]],
            "matched_by": [[v] for v in one["matched_by"]],
        },
        columns=cols,
    )
    multi = _by_commune_rows(frame.loc[several], cols)
    out = pd.concat([single, multi], ignore_index=True) if len(multi) else single
    out = out.sort_values("code_insee", kind="stable", ignore_index=True)
    out["n_rows"] = out["n_rows"].astype("int64")
    out["mixed"] = out["mixed"].astype(bool)
    return out


def _by_commune_rows(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Rows of :meth:`Zonage.by_commune` for communes with several zonage rows (classes by priority)."""
    rank = {c: i for i, c in enumerate(CLASS_PRIORITY)}
    acc: dict[str, list] = {}
    columns = ("code_insee", "zonage", "nom_commune", "code_postal", "matched_by")
    for code, zon, nom, cp, step in zip(*(frame[c].tolist() for c in columns), strict=True):
        a = acc.get(code)
        if a is None:
            a = acc[code] = [set(), set(), set(), set(), 0]
        a[0].add(zon)
        a[1].add(nom)
        a[2].add(cp)
        a[3].add(step)
        a[4] += 1
    rows = []
    for code in sorted(acc):
        classes_set, noms, cps, steps, n = acc[code]
        classes = sorted(classes_set, key=rank.__getitem__) if len(classes_set) > 1 else list(classes_set)
        rows.append((code, classes[0], ZONAGE_LABELS[classes[0]], classes, len(classes) > 1, n, _sorted(noms),
                     _sorted(cps), _sorted(steps)))
    return pd.DataFrame(rows, columns=cols)


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


def load_zonage(
    path: str | Path,
    *,
    vintage: str = "non précisé",
    name: str | None = None,
    cache: bool | None = None,
    notice: Callable[[str], None] | None = None,
) -> Zonage:
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
    cache : bool, optional
        Reuse a matched zonage of the same content from the parse cache
        (:mod:`ess_geo.inputs.parse_cache`); default: yes unless ``ESS_GEO_NO_PARSE_CACHE=1``.
    notice : callable, optional
        Called with a French line saying whether the cache is built or reused.

    Returns
    -------
    Zonage
        Matched rows, unmatched and ambiguous rows with reasons, match rate and source.

    Raises
    ------
    InputDataError
        If ``path`` is not a path, the file does not exist, is a directory, cannot be read or
        decoded, is empty, or lacks a zonage column or the key columns (naming the header found).
    """
    path = check_path(path, "zonage", "load_zonage", "fichier de zonage")
    version = reader_version(ZONAGE_READER_VERSION, (__name__, match_postal.__module__, normalize_text.__module__))
    return cached_parse("zonage", path, {"vintage": vintage, "source_name": name}, Zonage,
                        lambda: _read_zonage(path, vintage, name), version=version, cache=cache, notice=notice)


def _read_zonage(path: Path, vintage: str, name: str | None) -> Zonage:
    """The fresh read and match of :func:`load_zonage`."""
    df = _read_table(path)
    zcol, insee_col, cp_col, name_col = _key_columns(df, path)
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
        return _finish(frame, match_insee(frame["code_insee_brut"]), source, path, "code_insee")
    frame["code_postal"] = frame["code_postal"].map(padded_postal_code)
    return _finish(frame, match_postal(frame["code_postal"], frame["nom_commune"]), source, path, "code_postal+nom")


def _read_table(path: Path) -> pd.DataFrame:
    """The file as a frame of strings (separator ``;`` or ``,`` guessed from the header)."""
    raw = read_limited(path, "zonage")
    text, _ = decode_text(raw, path, "fichier de zonage")
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise InputDataError(f"zonage file {str(path)!r} is empty", fr=f"fichier de zonage vide : {path.name}", path=str(path))
    sep = ";" if first.count(";") > first.count(",") else ","
    check_columns(first.count(sep) + 1, 1, path, "zonage")
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputDataError(
            f"cannot parse zonage file {str(path)!r}: {shorten(exc, 300)}",
            fr=f"fichier de zonage illisible : {path.name}", path=str(path)
        ) from None
    _check_fields(df, path)
    return df


def _check_fields(df: pd.DataFrame, path: Path) -> None:
    """InputDataError when a cell (a quoted field may span lines) or a column name is over the field limit."""
    for col in df.columns:
        check_field(str(col), 1, path, "zonage")
        lengths = df[col].str.len()
        if len(lengths) and lengths.max() > LIMITS["field_chars"]:
            pos = int(lengths.to_numpy().argmax())
            check_field(df[col].iloc[pos], pos + 2, path, "zonage")


def _key_columns(df: pd.DataFrame, path: Path) -> tuple[str, str | None, str | None, str | None]:
    """Columns of the zonage class, INSEE code, postal code and commune name; InputDataError if unusable."""
    columns = [str(c) for c in df.columns]
    zcol = next((c for c in columns if "zonage" in _norm_col(c) or _norm_col(c) in {"zone", "classe"}), None)
    insee_col = _find_col(columns, _INSEE_COLS)
    cp_col = _find_col(columns, _CP_COLS)
    name_col = _find_col(columns, _NAME_COLS)
    if zcol is None or (insee_col is None and (cp_col is None or name_col is None)):
        msg = (
            f"zonage file {str(path)!r} has columns {shorten(columns)}: expected a zonage column ('Zonage') and either "
            "'Code_postal' + 'Nom_commune' or an INSEE code column ('code_insee', 'CODGEO', 'code_commune')"
        )
        raise InputDataError(
            msg,
            fr=f"colonnes du fichier de zonage non reconnues ({shorten(', '.join(columns))}) : attendu Zonage et "
            "Code_postal + Nom_commune, ou code_insee",
            path=str(path),
            line=1,
        )
    return zcol, insee_col, cp_col, name_col


def _finish(frame: pd.DataFrame, matches: Matches, source: Source, path: Path, keyed_by: str) -> Zonage:
    """The Zonage of matched rows; rows with an unknown class, unmatched or ambiguous go to ``dropped``."""
    frame = frame.copy()
    frame["code_insee"] = matches.codes
    frame["matched_by"] = matches.steps
    frame["reason"] = matches.reasons
    frame["candidates"] = matches.candidates
    frame["zonage"] = frame["zonage_brut"].map(parse_zonage_class)
    bad_class = frame["zonage"].isna()
    frame.loc[bad_class, "reason"] = "valeur de zonage non reconnue : " + frame.loc[bad_class, "zonage_brut"].map(shorten)
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


