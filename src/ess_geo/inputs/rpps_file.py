"""The RPPS extraction file ``PS_LibreAcces_Personne_activite``: its columns, how it is recognised and read.

Pipe-separated text without quoting, one line per professional × activity (about 2 million
lines), each line ending with a ``|``; UTF-8, or Windows-1252 for older extractions; plain or in
the ANS zip. :func:`read_extraction_table` parses it with pyarrow's CSV reader on every core
(:mod:`ess_geo.inputs._rpps_chunks`, ``benchmarks/bench_parse_cache.py``; pyarrow is imported only
when an extraction is read) and keeps doctors' lines of the requested modes of practice. What those lines count is decided by
:mod:`ess_geo.inputs.rpps`.
"""

from __future__ import annotations

import contextlib
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.inputs._arrow import text_scalar
from ess_geo.inputs._files import decode_text, unreadable
from ess_geo.inputs._limits import ZIP_READ_ERRORS, check_size, checked_zip_member, is_zip, shorten
from ess_geo.inputs._rpps_chunks import PieceSpec, read_chunked

if TYPE_CHECKING:
    pass

__all__ = [
    "COL_CEDEX",
    "COL_COMMUNE",
    "COL_COMMUNE_LABEL",
    "COL_CP",
    "COL_ID",
    "COL_MODE",
    "COL_PAYS",
    "COL_PROFESSION",
    "COL_SF",
    "COL_SF_LABEL",
    "DOCTOR_PROFESSION",
    "RPPS_COLUMNS",
    "RPPS_COLUMNS_2023",
    "USED_COLUMNS",
    "ExtractionRead",
    "check_header",
    "is_rpps_header",
    "read_extraction_table",
]

#: Column names of ``PS_LibreAcces_Personne_activite``, in file order (the header line ends with a
#: ``|``, so a 53rd unnamed empty column follows).
RPPS_COLUMNS: tuple[str, ...] = (
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Code civilité d'exercice",
    "Libellé civilité d'exercice",
    "Code civilité",
    "Libellé civilité",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Code profession",
    "Libellé profession",
    "Code catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code type savoir-faire",
    "Libellé type savoir-faire",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Code mode exercice",
    "Libellé mode exercice",
    "Numéro SIRET site",
    "Numéro SIREN site",
    "Numéro FINESS site",
    "Numéro FINESS établissement juridique",
    "Identifiant technique de la structure",
    "Raison sociale site",
    "Enseigne commerciale site",
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)",
    "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)",
    "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)",
    "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)",
    "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)",
    "Code commune (coord. structure)",
    "Libellé commune (coord. structure)",
    "Code pays (coord. structure)",
    "Libellé pays (coord. structure)",
    "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)",
    "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)",
    "Code Département (structure)",
    "Libellé Département (structure)",
    "Ancien identifiant de la structure",
    "Autorité d'enregistrement",
    "Code secteur d'activité",
    "Libellé secteur d'activité",
    "Code section tableau pharmaciens",
    "Libellé section tableau pharmaciens",
)

#: The four columns newer extractions (2023 onwards) add after the 52 above.
RPPS_EXTRA_2023: tuple[str, ...] = ("Code rôle", "Libellé rôle", "Code genre activité", "Libellé genre activité")
#: Column names of the newer 56-column extractions, in file order.
RPPS_COLUMNS_2023: tuple[str, ...] = RPPS_COLUMNS + RPPS_EXTRA_2023

COL_ID = "Identifiant PP"
COL_PROFESSION = "Code profession"
COL_SF = "Code savoir-faire"
COL_SF_LABEL = "Libellé savoir-faire"
COL_MODE = "Code mode exercice"
COL_CEDEX = "Bureau cedex (coord. structure)"
COL_CP = "Code postal (coord. structure)"
COL_COMMUNE = "Code commune (coord. structure)"
COL_COMMUNE_LABEL = "Libellé commune (coord. structure)"
COL_PAYS = "Code pays (coord. structure)"
#: Columns read (the others are skipped by the reader).
USED_COLUMNS = (COL_ID, COL_PROFESSION, COL_SF, COL_SF_LABEL, COL_MODE, COL_CEDEX, COL_CP, COL_COMMUNE, COL_COMMUNE_LABEL, COL_PAYS)

#: Code profession of doctors in the RPPS (TRE_G15 ProfessionSante).
DOCTOR_PROFESSION = "10"


def is_rpps_header(first_line: str) -> bool:
    """Whether a header line is the one of ``PS_LibreAcces_Personne_activite``."""
    fields = [f.strip().lstrip("\ufeff") for f in first_line.rstrip("\r\n").split("|")]
    return COL_ID in fields and COL_SF in fields and COL_COMMUNE in fields


def check_header(header: list[str], name: str) -> None:
    """Accept the 52-column header or the 56-column one of newer extractions, nothing else.

    ``header`` is the header line split on ``|`` (its trailing empty field is ignored).

    Raises
    ------
    InputDataError
        Naming the first column that differs from both layouts (or the first one missing).
    """
    fields = header[:-1] if header and header[-1] == "" else header
    if tuple(fields) in (RPPS_COLUMNS, RPPS_COLUMNS_2023):
        return
    layout = RPPS_COLUMNS_2023 if len(fields) > len(RPPS_COLUMNS) else RPPS_COLUMNS
    i = next((i for i, (got, want) in enumerate(zip(fields, layout, strict=False)) if got != want), len(fields))
    if i < len(fields):
        expected = f"expected {layout[i]!r}" if i < len(layout) else f"the layout has {len(layout)} columns"
        attendu = f"attendu : « {layout[i]} »" if i < len(layout) else f"le format a {len(layout)} colonnes"
        raise InputDataError(
            f"RPPS extraction {name!r}: unexpected column {i + 1} {shorten(fields[i])!r} in the header ({expected})",
            fr=f"en-tête de l'extraction RPPS {name} : colonne inattendue n° {i + 1} « {shorten(fields[i])} » ({attendu})",
            line=1,
        )
    raise InputDataError(
        f"RPPS extraction {name!r}: header stops at column {i}, column {layout[i]!r} is missing",
        fr=f"en-tête de l'extraction RPPS {name} : colonne absente n° {i + 1} « {layout[i]} »",
        line=1,
    )


def _open_source(path: Path) -> tuple[IO[bytes], str]:
    """Binary stream of the extraction (plain file or the member of an ANS zip) and its name."""
    if is_zip(path):
        zf = zipfile.ZipFile(path)
        try:
            info = checked_zip_member(zf, path, "PS_LibreAcces_Personne_activite")
            return zf.open(info), Path(info.filename).name
        except BaseException:
            zf.close()
            raise
    return open(path, "rb"), path.name


def _read_header(path: Path, encoding: str | None) -> tuple[list[str], str, str]:
    """Header fields, text encoding and member name of an extraction; InputDataError if it is not one."""
    raw, member = _open_source(path)
    with raw:
        head_line = raw.read(1 << 16).split(b"\n", 1)[0]
    # the header always has accents: UTF-8 when it decodes as such, else Windows-1252; it is
    # checked as detected even when the body is read in a forced encoding (UTF-8 header, cp1252 body)
    first, enc = decode_text(head_line, path, "extraction RPPS")
    enc = encoding or enc
    if not is_rpps_header(first):
        raise InputDataError(
            f"{str(path)!r} is not a PS_LibreAcces_Personne_activite extraction: header {first[:120]!r}",
            fr=f"{path.name} n'est pas une extraction RPPS PS_LibreAcces_Personne_activite",
            path=str(path),
            line=1,
        )
    header = [f.strip().lstrip("\ufeff") for f in first.rstrip("\r").split("|")]
    check_header(header, path.name)
    return header, enc, member  # the canonical names, whatever the body's encoding


def _read_doctor_lines(
    path: Path, encoding: str | None, modes: frozenset[str], dropped: DroppedRows, progress: Callable[[int], None] | None,
    refine: Callable[[Any], tuple[Any, Any]] | None, settle: Callable[[Any, Any], tuple[Any, Any]] | None = None,
) -> tuple[Any, Counter, str, str, list]:
    """Parse the file on every core (:mod:`ess_geo.inputs._rpps_chunks`); keep doctors' lines of the requested modes."""
    header, enc, member = _read_header(path, encoding)
    used = [c for c in USED_COLUMNS if c in header]
    # UTF-8 is parsed as is; any other encoding is transcoded to UTF-8 first (Windows-1252).
    arrow_enc = "utf8" if enc.replace("-", "").replace("_", "").lower() in ("utf8", "utf8sig") else enc
    def every_column(table: Any) -> tuple[Any, Any]:  # in the workers: each piece gets every column
        table = _with_every_column(table)
        return (table, None) if refine is None else refine(table)

    spec = PieceSpec(header=header, used=used, profession=COL_PROFESSION, mode=COL_MODE, doctor=DOCTOR_PROFESSION,
                     modes=tuple(sorted(modes)), identify=_identifier_only, refine=every_column, settle=settle)
    raw, _ = _open_source(path)
    with raw:
        read = read_chunked(raw, spec, arrow_enc, progress)
    for line, actual, expected, row in read.invalid:
        dropped.add(f"ligne mal formée ({actual} champs au lieu de {expected})", line=line, row=row)
    return read.table, read.stats, enc, member, read.extras


def _identifier_only(text: str) -> dict[str, str]:
    """What a malformed line's sample keeps: its identifier, never the professional's name."""
    fields = text.split("|")
    return {COL_ID: fields[1].strip() if len(fields) > 1 else ""}


def _with_every_column(table: Any) -> Any:
    """The kept lines with every column of :data:`USED_COLUMNS`, in that order (empty text when absent)."""
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction

    columns = {c: table.column(c) if c in table.column_names else pa.repeat(text_scalar(""), table.num_rows)
               for c in USED_COLUMNS}
    return pa.table(columns)


class ExtractionRead(NamedTuple):
    """What :func:`read_extraction_table` read (see there)."""

    table: Any
    stats: Counter
    encoding: str
    member: str
    dropped: DroppedRows
    extras: list


def read_extraction_table(
    path: Path, encoding: str | None, modes: frozenset[str], progress: Callable[[int], None] | None,
    refine: Callable[[Any], tuple[Any, Any]] | None = None,
    settle: Callable[[Any, Any], tuple[Any, Any]] | None = None,
) -> ExtractionRead:
    """Doctors' lines of the requested modes, and what was left out.

    Read with the detected encoding (UTF-8, else Windows-1252), again in Windows-1252 when UTF-8
    bytes turn out invalid further down.

    Parameters
    ----------
    path : pathlib.Path
        The ``.txt`` extraction or the ANS zip holding it.
    encoding : str or None
        Forced text encoding; None detects it from the header line.
    modes : frozenset of str
        ``Code mode exercice`` values kept (empty: all).
    progress : callable or None
        Called with the number of lines read after each piece (:data:`~ess_geo.inputs._rpps_chunks.CHUNK_SIZE`).
    refine : callable, optional
        Run by the worker threads on each piece's lines (every column of :data:`USED_COLUMNS`):
        returns ``(table, extra)``; the tables are concatenated in file order, the extras listed.
    settle : callable, optional
        Run by the reading thread on each piece's ``(table, extra)`` from ``refine``, in file order:
        returns them finished (:attr:`~ess_geo.inputs._rpps_chunks.PieceSpec.settle`).

    Returns
    -------
    ExtractionRead
        A named tuple:
    table : pyarrow.Table
        Doctors' lines, every column of :data:`USED_COLUMNS` as text, each field trimmed (or
        the refined tables).
    stats : collections.Counter
        ``lines`` read and lines left out by reason.
    encoding : str
        Encoding used.
    member : str
        Name of the file read (the zip member for an ANS zip).
    dropped : DroppedRows
        Malformed lines.
    extras : list
        What ``refine`` returned besides each piece's table, in file order (None without it).

    Raises
    ------
    InputDataError
        If the file cannot be read or decoded, or is not an RPPS extraction.
    """
    try:
        return _read_guarded(path, encoding, modes, progress, refine, settle)
    except _NotUtf8:
        return _read_guarded(path, "cp1252", modes, progress, refine, settle)


class _NotUtf8(Exception):
    """UTF-8 detected from the header turned out wrong further down: read again in Windows-1252."""


@contextlib.contextmanager
def _decode_errors_caught(caught: list[BaseException]) -> Iterator[None]:
    """Collect the UnicodeDecodeError pyarrow meets on a malformed line instead of printing them.

    pyarrow decodes a malformed line as UTF-8 before calling the invalid-row handler; on other
    bytes the decoding fails inside pyarrow, which prints « Exception ignored in on_invalid » on
    stderr and stops with ArrowInvalid. The error is kept here, and the file is read again in
    Windows-1252.
    """
    previous = sys.unraisablehook

    def hook(args: sys.UnraisableHookArgs) -> None:
        if args.exc_type is UnicodeDecodeError and args.exc_value is not None:
            caught.append(args.exc_value)
        else:
            previous(args)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _read_guarded(
    path: Path, encoding: str | None, modes: frozenset[str], progress: Callable[[int], None] | None,
    refine: Callable[[Any], tuple[Any, Any]] | None, settle: Callable[[Any, Any], tuple[Any, Any]] | None,
) -> ExtractionRead:
    """One reading of the extraction in ``encoding``; every failure an InputDataError, or _NotUtf8."""
    dropped = DroppedRows()
    caught: list[BaseException] = []
    try:
        check_size(path, "rpps")
        with _decode_errors_caught(caught):
            table, stats, enc, member, extras = _read_doctor_lines(path, encoding, modes, dropped, progress, refine,
                                                                        settle)
    except UnicodeDecodeError as exc:
        raise InputDataError(f"cannot decode {str(path)!r} ({exc}); pass encoding='cp1252' or 'utf-8'",
                             fr=f"encodage illisible pour {path.name} : préciser encoding", path=str(path)) from exc
    except OSError as exc:
        raise unreadable(path, exc, "RPPS extraction", "extraction RPPS") from exc
    except ZIP_READ_ERRORS as exc:  # truncated member, bad CRC; encrypted or unknown method are refused before
        if not zipfile.is_zipfile(path):
            raise
        raise InputDataError(f"cannot read the zip {str(path)!r}: {type(exc).__name__}: {shorten(exc, 200)}",
                             fr=f"archive zip endommagée ou illisible : {path.name} ({shorten(exc, 120)})",
                             path=str(path)) from exc
    except Exception as exc:  # pyarrow.ArrowInvalid: bytes invalid in the detected encoding, a line over 1 MiB...
        if type(exc).__name__ != "ArrowInvalid":
            raise
        if encoding is None and (caught or "UTF8" in str(exc).upper()):
            raise _NotUtf8 from exc
        why = " (une ligne dépasse 1 Mo)" if "straddl" in str(exc) else ""
        raise InputDataError(f"cannot read RPPS extraction {str(path)!r}: {shorten(exc, 300)}",
                             fr=f"extraction RPPS illisible : {path.name}{why}", path=str(path)) from exc
    return ExtractionRead(table, stats, enc, member, dropped, extras)
