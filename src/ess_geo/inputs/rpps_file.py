"""The RPPS extraction file ``PS_LibreAcces_Personne_activite``: its columns, how it is recognised and read.

Pipe-separated text without quoting, one line per professional × activity (about 2 million
lines), each line ending with a ``|``; UTF-8, or Windows-1252 for older extractions; plain or in
the ANS zip. :func:`read_extraction` streams it with pyarrow's CSV reader in 1 MiB blocks
(``benchmarks/bench_rpps.py``; pyarrow is imported only here, only when an extraction is read) and
keeps doctors' lines of the requested modes of practice. What those lines count is decided by
:mod:`ess_geo.inputs.rpps`.
"""

from __future__ import annotations

import contextlib
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pandas as pd

from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.inputs._files import decode_text, unreadable
from ess_geo.inputs._limits import ZIP_READ_ERRORS, check_size, checked_zip_member, shorten

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
    "check_header",
    "is_rpps_header",
    "read_extraction",
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
_BLOCK_SIZE = 1 << 20  # measured: 1 MiB blocks read fastest with the least memory


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
    if zipfile.is_zipfile(path):
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
    path: Path, encoding: str | None, modes: frozenset[str], dropped: DroppedRows, progress: Callable[[int], None] | None
) -> tuple[pd.DataFrame, Counter, str, str]:
    """Stream the file with pyarrow; keep doctors' lines of the requested modes (all columns used)."""
    header, enc, member = _read_header(path, encoding)
    used = [c for c in USED_COLUMNS if c in header]
    # pyarrow reads UTF-8 natively only when told "utf8"; any other name goes through a slower
    # Python transcoding stream (needed for Windows-1252).
    arrow_enc = "utf8" if enc.replace("-", "").replace("_", "").lower() in ("utf8", "utf8sig") else enc
    # A plain file is read by pyarrow itself (fastest); a zip member through its Python stream.
    raw, _ = _open_source(path)
    try:
        source: IO[bytes] | str = raw
        if not isinstance(raw, zipfile.ZipExtFile):
            raw.close()
            source = str(path)
        reader = _arrow_reader(source, header, used, arrow_enc, dropped)
        parts, stats = _doctor_batches(reader, modes, progress)
    finally:
        raw.close()
    return _as_frame(parts, used), stats, enc, member


def _arrow_reader(source: IO[bytes] | str, header: list[str], used: list[str], encoding: str, dropped: DroppedRows):
    """pyarrow's streaming reader of the extraction; malformed lines are counted in ``dropped``."""
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction
    import pyarrow.csv as pacsv  # deferred: pyarrow.csv only to read an RPPS extraction

    def on_invalid(row) -> str:
        dropped.add(
            f"ligne mal formée ({row.actual_columns} champs au lieu de {row.expected_columns})",
            line=row.number,
            row=_identifier_only(row.text),
        )
        return "skip"

    return pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(block_size=_BLOCK_SIZE, encoding=encoding, use_threads=False,
                                       column_names=header, skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter="|", quote_char=False, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(include_columns=used, column_types=dict.fromkeys(used, pa.string())),
    )


def _identifier_only(text: str) -> dict[str, str]:
    """What a malformed line's sample keeps: its identifier, never the professional's name."""
    fields = text.split("|")
    return {COL_ID: fields[1].strip() if len(fields) > 1 else ""}


def _doctor_batches(reader, modes: frozenset[str], progress: Callable[[int], None] | None) -> tuple[list, Counter]:
    """Record batches of doctors' lines of the requested modes, and the count of lines left out."""
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    stats: Counter = Counter()
    parts: list = []
    for batch in reader:
        n = batch.num_rows
        stats["lines"] += n
        prof = pc.utf8_trim_whitespace(batch.column(COL_PROFESSION))
        is_doc = pc.equal(prof, DOCTOR_PROFESSION)
        n_doc = pc.sum(is_doc).as_py() or 0
        stats["other professions"] += n - n_doc
        keep = is_doc
        if modes:
            mode_col = pc.utf8_trim_whitespace(batch.column(COL_MODE))
            in_mode = pc.and_(is_doc, pc.is_in(mode_col, value_set=pa.array(sorted(modes))))
            stats["doctors, other modes of practice"] += n_doc - (pc.sum(in_mode).as_py() or 0)
            keep = in_mode
        sub = batch.filter(keep)
        if sub.num_rows:
            parts.append(sub)
        if progress is not None:
            progress(n)
    return parts, stats


def _as_frame(parts: list, used: list[str]) -> pd.DataFrame:
    """The kept batches as one string frame with every column of :data:`USED_COLUMNS` (empty when absent)."""
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction

    if parts:
        frame = pa.Table.from_batches(parts).to_pandas()
    else:
        frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in used})
    for c in USED_COLUMNS:
        if c not in frame.columns:
            frame[c] = ""
    return frame


def read_extraction(
    path: Path, encoding: str | None, modes: frozenset[str], progress: Callable[[int], None] | None
) -> tuple[pd.DataFrame, Counter, str, str, DroppedRows]:
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
        Called with the number of lines read after each block.

    Returns
    -------
    frame : pandas.DataFrame
        Doctors' lines, every column of :data:`USED_COLUMNS` as text.
    stats : collections.Counter
        ``lines`` read and lines left out by reason.
    encoding : str
        Encoding used.
    member : str
        Name of the file read (the zip member for an ANS zip).
    dropped : DroppedRows
        Malformed lines.

    Raises
    ------
    InputDataError
        If the file cannot be read or decoded, or is not an RPPS extraction.
    """
    try:
        return _read_guarded(path, encoding, modes, progress)
    except _NotUtf8:
        return _read_guarded(path, "cp1252", modes, progress)


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
    path: Path, encoding: str | None, modes: frozenset[str], progress: Callable[[int], None] | None
) -> tuple[pd.DataFrame, Counter, str, str, DroppedRows]:
    """One reading of the extraction in ``encoding``; every failure an InputDataError, or _NotUtf8."""
    dropped = DroppedRows()
    caught: list[BaseException] = []
    try:
        check_size(path, "rpps")
        with _decode_errors_caught(caught):
            frame, stats, enc, member = _read_doctor_lines(path, encoding, modes, dropped, progress)
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
    return frame, stats, enc, member, dropped
