"""The public FINESS extraction ``etalab-cs1100507`` (data.gouv.fr): ESS, CPTS, DAC and hospitals.

Layout (official notice ``etalab_cs1100507`` and its field list ``format_etalabcs1100507.csv``):
text separated by ``;`` (fields may be quoted with ``"``), Latin-1 (UTF-8 is accepted too); line 1
is a comment ``finess;etalab;<n° de flux>;<date>``; then two sections whose lines start with the
section name:

* ``structureet``: one establishment (ET) per line, 30 fields after the section name, in the
  order of :data:`STRUCTURE_FIELDS` (``nofinesset``, ``nofinessej``, ``rs``, ``rslongue``, ...,
  ``commune``, ``departement``, ..., ``categetab``, ``libcategetab``, ``categagretab``, ...);
  published lines end with a ``;`` (one empty trailing field, or the ``numuai`` of the schema);
* ``geolocalisation``: ``nofinesset``, ``coordxet``, ``coordyet``, ``sourcecoordet``,
  ``datemaj`` (the coordinates' projection is named in ``sourcecoordet``: ``EPSG:2154 ...`` or
  ``LAMBERT_93`` in older files).

The commune INSEE code is built from the two fields the notice gives: ``departement`` (2
characters) followed by ``commune`` (3 digits), e.g. ``01`` + ``451`` = ``01451``, ``2A`` +
``004``; overseas establishments carry FINESS département codes ``9A``–``9F`` (Guadeloupe,
Martinique, Guyane, La Réunion, Saint-Pierre-et-Miquelon, Mayotte), whose INSEE codes are ``97``
followed by the commune field (``9C`` + ``302`` = ``97302`` Cayenne), and ``9G``–``9Z`` for the
Pacific collectivities (``98`` + commune).

:func:`load_finess` keeps the establishments of the categories ess_geo uses (:data:`KINDS`): ESS
(category 647), CPTS (604), DAC (606) and hospitals (aggregates :data:`HOSPITAL_AGGREGATES`).
Other establishments are valid lines out of scope, counted in ``stats``; every line that cannot
be read is counted in ``dropped`` with its reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ess_geo._format import date_fr
from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.inputs._files import check_path, checked_rows, read_limited
from ess_geo.inputs.parse_cache import cached_parse, reader_version
from ess_geo.sources import Source

if TYPE_CHECKING:  # annotations only: pandas is imported when a FINESS file is read
    import pandas as pd

__all__ = [
    "CATEGORY_LABELS",
    "ESTABLISHMENT_COLUMNS",
    "GEO_FIELDS",
    "HOSPITAL_AGGREGATES",
    "KINDS",
    "KIND_LABELS_FR",
    "STRUCTURE_FIELDS",
    "Finess",
    "as_finess",
    "insee_code",
    "load_finess",
]

#: Fields of a ``structureet`` line after the section name (notice, ranks 2 to 31).
STRUCTURE_FIELDS: tuple[str, ...] = (
    "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib", "numvoie", "typvoie", "voie",
    "compvoie", "lieuditbp", "commune", "departement", "libdepartement", "ligneacheminement", "telephone",
    "telecopie", "categetab", "libcategetab", "categagretab", "libcategagretab", "siret", "codeape", "codemft",
    "libmft", "codesph", "libsph", "dateouv", "dateautor", "datemaj",
)
#: Fields of a ``geolocalisation`` line after the section name (notice, ranks 33 to 37).
GEO_FIELDS: tuple[str, ...] = ("nofinesset", "coordxet", "coordyet", "sourcecoordet", "datemaj")

#: FINESS categories kept by code (ANS TRE_R66 CategorieEtablissement) and their kind.
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "647": ("ess", "Equipe de Soins Spécialisés"),
    "604": ("cpts", "Communauté Professionnelle Territoriale de Santé (CPTS)"),
    "606": ("dac", "Dispositif d'appui à la coordination (DAC)"),
}
#: FINESS aggregate categories (``categagretab``) counted as hospitals.
HOSPITAL_AGGREGATES: dict[str, str] = {
    "1101": "Centres Hospitaliers Régionaux",
    "1102": "Centres Hospitaliers",
    "1110": "Etablissements de Soins de Courte Durée",
}
#: Kinds of establishments kept, in display order.
KINDS = ("ess", "cpts", "dac", "hopital")
#: French plural label of each kind.
KIND_LABELS_FR = {"ess": "ESS (catégorie 647)", "cpts": "CPTS (catégorie 604)", "dac": "DAC (catégorie 606)",
                  "hopital": "hôpitaux"}
#: Columns of :attr:`Finess.establishments`.
ESTABLISHMENT_COLUMNS = (
    "finess", "finess_ej", "name", "category", "category_label", "aggregate", "kind", "code_insee", "code_dep",
    "postal_line", "x", "y", "crs",
)

_FINESS_NO = re.compile(r"[0-9][0-9A-Z][0-9]{7}")
_DEP = re.compile(r"[0-9]{2}|2[AB]|9[A-Z]")
_COMMUNE = re.compile(r"[0-9]{3}")
_CATEGORY = re.compile(r"[0-9]{3}")
_COMMENT_DATE = re.compile(r"^finess;etalab;[^;]*;(\d{4})-(\d{2})-(\d{2})")
_NAME_STAMP = re.compile(r"(\d{4})(\d{2})(\d{2})-\d{4}")
_EPSG = re.compile(r"EPSG:(\d{4,5})")
#: Version of the FINESS reader's output: bump when it changes (cached reads are then rebuilt).
FINESS_READER_VERSION = "1"
_OVERSEAS = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9E": "975", "9F": "976"}


def insee_code(departement: str, commune: str) -> tuple[str, str] | None:
    """``(code_insee, code_dep)`` from FINESS ``departement`` and ``commune``; None if unreadable.

    ``("01", "451")`` → ``("01451", "01")``; ``("9C", "302")`` → ``("97302", "973")``;
    ``("9J", "613")`` → ``("98613", "986")``.
    """
    if not (_DEP.fullmatch(departement) and _COMMUNE.fullmatch(commune)):
        return None
    if departement in _OVERSEAS:
        code = "97" + commune
        return (code, code[:3]) if code[:3] == _OVERSEAS[departement] else None
    if departement.startswith("9") and not departement.isdigit():
        return "98" + commune, "98" + commune[0]
    return departement + commune, departement


@dataclass
class Finess:
    """Establishments read from a FINESS extraction.

    Attributes
    ----------
    establishments : pandas.DataFrame
        One row per establishment kept, columns :data:`ESTABLISHMENT_COLUMNS`: FINESS numbers,
        name (``rslongue``, else ``rs``), category code and label, aggregate, ``kind``
        (``ess``, ``cpts``, ``dac``, ``hopital``), commune INSEE code, département, postal line,
        coordinates ``x``/``y`` and their ``crs`` (``"EPSG:2154"``...) when present.
    source : Source
        The extraction and its vintage.
    dropped : DroppedRows
        Lines that could not be read, by reason.
    stats : dict
        Lines read per section and establishments out of scope.
    """

    establishments: pd.DataFrame
    source: Source
    dropped: DroppedRows = field(default_factory=DroppedRows)
    stats: dict = field(default_factory=dict)

    def in_departements(self, departements: Iterable[str], kinds: Iterable[str] = KINDS) -> pd.DataFrame:
        """Establishments of ``kinds`` seated in ``departements`` (a copy)."""
        frame = self.establishments
        mask = frame["code_dep"].isin(list(departements)) & frame["kind"].isin(list(kinds))
        return frame[mask].copy()


def _read_text(path: Path, encoding: str | None) -> tuple[str, str]:
    """Text of the file and the encoding used (forced; else UTF-8 when valid, else Latin-1)."""
    raw = read_limited(path, "finess")
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputDataError(f"cannot decode {str(path)!r} as {encoding!r}: {exc}",
                                 fr=f"encodage {encoding} illisible pour {path.name}", path=str(path)) from exc
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"  # the published encoding; never fails


def _vintage(first_line: str, name: str) -> str:
    """``"extraction FINESS du 12 mai 2026"`` from the comment line, else from the file name stamp."""
    for m in (_COMMENT_DATE.match(first_line), _NAME_STAMP.search(name)):
        if m:
            try:
                return f"extraction FINESS du {date_fr(dt.date(*(int(g) for g in m.groups())))}"
            except ValueError:
                continue
    return "non précisé"


def _structure_row(fields: list[str], line: int, dropped: DroppedRows) -> dict[str, str] | None:
    """One ``structureet`` line as a dict, or None (counted in ``dropped``)."""
    n = len(STRUCTURE_FIELDS)
    if len(fields) - 1 not in (n, n + 1):
        dropped.add(f"ligne structureet mal formée ({len(fields) - 1} champs au lieu de {n} ou {n + 1})", line=line,
                    row={"nofinesset": fields[1] if len(fields) > 1 else ""})
        return None
    row = dict(zip(STRUCTURE_FIELDS, (f.strip() for f in fields[1:n + 1]), strict=True))
    reason = None
    code = insee_code(row["departement"], row["commune"])
    if not _FINESS_NO.fullmatch(row["nofinesset"]):
        reason = "numéro FINESS ET illisible"
    elif code is None:
        reason = "code département ou commune illisible"
    elif not _CATEGORY.fullmatch(row["categetab"]):
        reason = "catégorie d'établissement illisible"
    if reason:
        dropped.add(reason, line=line, row={k: row[k] for k in ("nofinesset", "departement", "commune", "categetab")})
        return None
    row["code_insee"], row["code_dep"] = code or ("", "")
    return row


def _kind(row: Mapping[str, str], hospital_aggregates: Mapping[str, str]) -> str | None:
    if row["categetab"] in CATEGORY_LABELS:
        return CATEGORY_LABELS[row["categetab"]][0]
    return "hopital" if row["categagretab"] in hospital_aggregates else None


def _crs(source: str) -> str | None:
    """``"EPSG:2154"`` from ``sourcecoordet`` (``EPSG:nnnn`` or the older ``LAMBERT_93``); None if not named."""
    m = _EPSG.search(source)
    if m:
        return f"EPSG:{m.group(1)}"
    return "EPSG:2154" if "LAMBERT_93" in source.upper() else None


def _geo_row(fields: list[str], line: int, dropped: DroppedRows) -> tuple[str, float, float, str | None] | None:
    """``(nofinesset, x, y, crs)`` of a ``geolocalisation`` line, or None (counted in ``dropped``)."""
    n = len(GEO_FIELDS)
    if len(fields) - 1 not in (n, n + 1):
        dropped.add(f"ligne geolocalisation mal formée ({len(fields) - 1} champs au lieu de {n})", line=line,
                    row={"nofinesset": fields[1] if len(fields) > 1 else ""})
        return None
    number, x, y, source = (f.strip() for f in fields[1:5])
    if not x and not y:
        return None  # no coordinates: allowed by the notice (nillable)
    try:
        return number, float(x), float(y), _crs(source)
    except ValueError:
        dropped.add("coordonnées illisibles", line=line, row={"nofinesset": number, "coordxet": x, "coordyet": y})
        return None


def _parse(text: str, dropped: DroppedRows, hospital_aggregates: Mapping[str, str],
           path: Path | str = "") -> tuple[list[dict], dict, Counter]:
    """Kept structure rows, coordinates by FINESS number, and line counts."""
    counts: Counter = Counter()
    kept: list[dict] = []
    coords: dict[str, tuple[float, float, str | None]] = {}
    seen: set[str] = set()
    rows = checked_rows(csv.reader(io.StringIO(text), delimiter=";", quotechar='"'), path, "finess")
    for i, fields in enumerate(rows, start=1):
        if i == 1 or not fields or fields == [""]:
            continue
        section = fields[0].strip()
        counts[section] += 1
        if section == "structureet":
            row = _structure_row(fields, i, dropped)
            if row is None:
                continue
            if row["nofinesset"] in seen:
                dropped.add("numéro FINESS ET en double", line=i, row={"nofinesset": row["nofinesset"]})
                continue
            seen.add(row["nofinesset"])
            kind = _kind(row, hospital_aggregates)
            if kind is None:
                counts["out of scope"] += 1
                continue
            kept.append({**row, "kind": kind, "line": i})
        elif section == "geolocalisation":
            geo = _geo_row(fields, i, dropped)
            if geo is not None:
                coords[geo[0]] = geo[1:]
        else:
            dropped.add(f"section inconnue « {section[:40]} »", line=i)
    unmatched = sorted(set(coords) - seen)
    if unmatched:
        dropped.add("géolocalisation d'un établissement absent de la section structureet", n=len(unmatched),
                    row={"nofinesset": unmatched[0]})
    return kept, coords, counts


def _frame(kept: list[dict], coords: Mapping[str, tuple[float, float, str | None]]) -> pd.DataFrame:
    """The tidy establishments frame (columns :data:`ESTABLISHMENT_COLUMNS`)."""
    import pandas as pd  # deferred: heavy library, only when a FINESS file is read

    rows = []
    for r in kept:
        x, y, crs = coords.get(r["nofinesset"], (float("nan"), float("nan"), None))
        rows.append((r["nofinesset"], r["nofinessej"], r["rslongue"] or r["rs"], r["categetab"], r["libcategetab"],
                     r["categagretab"], r["kind"], r["code_insee"], r["code_dep"], r["ligneacheminement"], x, y, crs))
    frame = pd.DataFrame(rows, columns=list(ESTABLISHMENT_COLUMNS))
    for c in ESTABLISHMENT_COLUMNS:
        if c not in ("x", "y"):
            frame[c] = frame[c].astype("object")
    frame["x"] = frame["x"].astype("float64")
    frame["y"] = frame["y"].astype("float64")
    frame["crs"] = frame["crs"].where(frame["crs"].notna(), None)  # None, not NaN, when no projection is named
    return frame


def load_finess(
    path: str | Path,
    *,
    encoding: str | None = None,
    vintage: str | None = None,
    hospital_aggregates: Mapping[str, str] = HOSPITAL_AGGREGATES,
    cache: bool | None = None,
    notice: Callable[[str], None] | None = None,
) -> Finess:
    """Read a FINESS extraction ``etalab-cs1100507`` (structure and geolocation sections).

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.csv`` file (``ess-geo data fetch finess`` downloads it).
    encoding : str, optional
        Force the encoding; by default UTF-8 when the bytes are valid UTF-8, else Latin-1.
    vintage : str, optional
        Vintage recorded in the source; by default the date of the comment line (line 1), else
        the date stamp of the file name.
    hospital_aggregates : mapping, optional
        Aggregate categories counted as hospitals (default :data:`HOSPITAL_AGGREGATES`).
    cache : bool, optional
        Reuse the parsed file of the same content and options from the parse cache
        (:mod:`ess_geo.inputs.parse_cache`); default: yes unless ``ESS_GEO_NO_PARSE_CACHE=1``.
    notice : callable, optional
        Called with a French line saying whether the cache is built or reused.

    Returns
    -------
    Finess
        The establishments of the kinds :data:`KINDS`, with what was dropped and why.

    Raises
    ------
    InputDataError
        If the path is not a readable file, or the file is not a FINESS extraction (line 1 is not
        the ``finess;etalab;...`` comment and no ``structureet`` line is found).
    """
    path = check_path(path, "FINESS extraction", "load_finess", "extraction FINESS")
    options = {"encoding": encoding, "vintage": vintage, "hospital_aggregates": sorted(hospital_aggregates.items())}
    return cached_parse("finess", path, options, Finess, lambda: _read_finess(path, encoding, vintage, hospital_aggregates),
                        version=reader_version(FINESS_READER_VERSION, (__name__,)), cache=cache, notice=notice)


def _read_finess(path: Path, encoding: str | None, vintage: str | None, hospital_aggregates: Mapping[str, str]) -> Finess:
    """The fresh read of :func:`load_finess`."""
    text, enc = _read_text(path, encoding)
    first = text.split("\n", 1)[0].strip()
    if not first.startswith("finess;") or "\nstructureet;" not in text:
        raise InputDataError(
            f"{str(path)!r} is not a FINESS etalab-cs1100507 extraction: line 1 {first[:80]!r}",
            fr=f"{path.name} n'est pas une extraction FINESS etalab-cs1100507 (ligne 1 : « {first[:40]} »)",
            path=str(path),
            line=1,
        )
    dropped = DroppedRows()
    kept, coords, counts = _parse(text, dropped, hospital_aggregates, path)
    frame = _frame(kept, coords)
    stats = {
        "encoding": enc,
        "lines": {k: int(v) for k, v in counts.items() if k in ("structureet", "geolocalisation")},
        "out_of_scope": int(counts["out of scope"]),
        "kept": {k: int((frame["kind"] == k).sum()) for k in KINDS},
        "with_coordinates": int(frame["x"].notna().sum()),
    }
    source = Source(
        name="FINESS — extraction des établissements géolocalisés (etalab-cs1100507), ministère chargé de la santé",
        vintage=vintage or _vintage(first, path.name),
        licence="Licence Ouverte / Etalab (data.gouv.fr)",
        origin=str(path),
    )
    return Finess(establishments=frame, source=source, dropped=dropped, stats=stats)


def as_finess(finess: Finess | str | Path | None) -> Finess | None:
    """A :class:`Finess` from a loaded object or a path (None stays None)."""
    if finess is None or isinstance(finess, Finess):
        return finess
    return load_finess(finess)
