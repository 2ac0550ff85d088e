"""Limits on user files, checked before (or while) they are read, so that no input exhausts the machine.

Every reader of a user file goes through these checks (via :mod:`ess_geo.inputs._files` for text
files, :func:`checked_zip_member` for the ANS zip), and each broken limit is an
:class:`~ess_geo.errors.InputDataError` naming the file, the figure found and the limit (French on
the CLI, exit code 2):

- file size per kind of input (:data:`LIMITS` ``"bytes"``), checked from the file system before a
  byte is read;
- line length in bytes, field length in characters, number of columns;
- the ANS zip: exactly one ``PS_LibreAcces_Personne_activite`` member, at most
  ``zip_members`` members, no encryption, a compression method Python reads (stored, deflate,
  bzip2, lzma: not Deflate64), an uncompressed size and a compression ratio within bounds (a zip
  bomb is refused from its directory, before it is inflated; Python's reader never inflates a
  member past its declared size);
- counts beyond the 64-bit integer range.

The figures are in :data:`LIMITS` (a dict, read at each call: tests lower them with
``monkeypatch.setitem``) and in the README (« Limits on input files »). User strings quoted in
messages are cut by :func:`shorten`.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from ess_geo._format import nombre
from ess_geo.errors import InputDataError

__all__ = [
    "INT64_MAX",
    "KIND_FR",
    "LIMITS",
    "ZIP_READ_ERRORS",
    "check_columns",
    "check_field",
    "check_int64",
    "check_lines",
    "check_size",
    "checked_zip_member",
    "is_zip",
    "shorten",
    "size_fr",
]

_MIB = 1 << 20
_GIB = 1 << 30

#: Largest count a table column can hold (int64).
INT64_MAX = (1 << 63) - 1

#: The limits, by name; the README's table states the same figures (a test checks it).
LIMITS: dict = {
    # maximum file size per kind of input; real files are far smaller, except the RPPS extraction
    # (2026: 819 MB, 2.3 M lines), read as a stream
    "bytes": {
        "supply": 64 * _MIB,  # DREES table: 6 KB; CNAM table: 0.4 MB
        "rpps": 4 * _GIB,  # the plain extraction, or the ANS zip holding it
        "zonage": 64 * _MIB,  # national zonage: 1 MB
        "registry": 16 * _MIB,  # embedded registry: a few KB
        "finess": 1 * _GIB,  # full etalab-cs1100507 extraction: about 100 MB, read in memory
    },
    "line_bytes": 100_000,  # one physical line (real lines: under 1 KB)
    "field_chars": 10_000,  # one CSV field, quoted multi-line fields included
    "columns": 256,  # fields on one line (DREES table: 17, FINESS: 37, RPPS: 57)
    "zip_members": 100,  # members of the ANS zip (3 in the real one)
    "zip_uncompressed": 4 * _GIB,  # uncompressed size of the RPPS member
    "zip_ratio": 100,  # uncompressed / compressed size of the RPPS member (text: about 10)
    "zip_ratio_from": 16 * _MIB,  # the ratio is checked only for members larger than this
}

#: French name of each kind of input, for messages.
KIND_FR = {
    "supply": "fichier d'effectifs",
    "rpps": "extraction RPPS",
    "zonage": "fichier de zonage",
    "registry": "registre",
    "finess": "extraction FINESS",
}

#: Exceptions a damaged or unsupported zip raises while its member is read (truncated, bad CRC,
#: encrypted, unknown compression method).
ZIP_READ_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError,
)

# compression methods the standard library decompresses (Deflate64 = 9, PPMd, AES... are not)
_READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_METHOD_NAMES = {9: "Deflate64", 98: "PPMd", 99: "AES", 93: "Zstandard", 95: "XZ"}


def shorten(value: object, limit: int = 80, *, mark: str = "…") -> str:
    """``str(value)`` cut to ``limit`` characters ending with ``mark``, for messages quoting what a user gave."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - len(mark)] + mark


def size_fr(n: int) -> str:
    """A size in bytes, in French: ``"64 Mo"``, ``"1,5 Go"``, ``"812 octets"``."""
    for unit, factor in (("Go", _GIB), ("Mo", _MIB), ("ko", 1024)):
        if n >= factor:
            value = n / factor
            shown = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{shown} {unit}"
    return f"{nombre(n)} octets"


def check_size(path: Path, kind: str) -> int:
    """Size of ``path`` from the file system; InputDataError when it exceeds the limit of ``kind``.

    Parameters
    ----------
    path : pathlib.Path
        An existing file (see :func:`ess_geo.inputs._files.check_path`).
    kind : str
        Key of ``LIMITS["bytes"]``: ``"supply"``, ``"rpps"``, ``"zonage"``, ``"registry"``, ``"finess"``.

    Returns
    -------
    int
        The size in bytes.

    Raises
    ------
    InputDataError
        If the file is larger than the limit (naming both sizes); an ``OSError`` of ``stat`` is
        left to the caller.
    """
    size = path.stat().st_size
    limit = LIMITS["bytes"][kind]
    if size > limit:
        raise InputDataError(
            f"{kind} file {str(path)!r} is too large: {size} bytes, the limit is {limit} bytes",
            fr=f"{KIND_FR[kind]} trop volumineux : {path.name} ({size_fr(size)} ; limite {size_fr(limit)})",
            path=str(path),
        )
    return size


def check_lines(raw: bytes, path: Path, kind: str) -> None:
    """InputDataError naming the first line longer than ``LIMITS["line_bytes"]``.

    Runs on the bytes before they are decoded and parsed, without splitting them: each step looks
    for the last newline in the next ``limit + 1`` bytes (a window without one is a long line), so
    the cost is a few C-level scans of the file whatever its number of lines.
    """
    limit = LIMITS["line_bytes"]
    pos, size = 0, len(raw)
    while size - pos > limit:
        newline = raw.rfind(b"\n", pos, pos + limit + 1)
        if newline >= 0:
            pos = newline + 1
            continue
        end = raw.find(b"\n", pos)
        length = (size if end < 0 else end) - pos
        line = raw.count(b"\n", 0, pos) + 1
        raise InputDataError(
            f"{kind} file {str(path)!r}: line {line} is {length} bytes long, the limit is {limit}",
            fr=f"{KIND_FR[kind]} {path.name} : ligne {line} trop longue "
            f"({nombre(length)} octets ; limite {nombre(limit)})",
            path=str(path),
            line=line,
        )


def check_columns(n_fields: int, line: int, path: Path | str, kind: str) -> None:
    """InputDataError when a line has more fields than ``LIMITS["columns"]``."""
    limit = LIMITS["columns"]
    if n_fields > limit:
        raise InputDataError(
            f"{kind} file {str(path)!r}: line {line} has {n_fields} fields, the limit is {limit}",
            fr=f"{KIND_FR[kind]} {Path(path).name} : {nombre(n_fields)} colonnes à la ligne {line} "
            f"(limite {limit})",
            path=str(path),
            line=line,
        )


def check_field(value: str, line: int, path: Path | str, kind: str) -> None:
    """InputDataError when one field is longer than ``LIMITS["field_chars"]`` (its start is quoted, cut)."""
    limit = LIMITS["field_chars"]
    if len(value) > limit:
        raise InputDataError(
            f"{kind} file {str(path)!r}: a field of line {line} is {len(value)} characters long "
            f"(limit {limit}): {shorten(value, 40)!r}",
            fr=f"{KIND_FR[kind]} {Path(path).name} : champ trop long à la ligne {line} "
            f"({nombre(len(value))} caractères ; limite {nombre(limit)}) : « {shorten(value, 40)} »",
            path=str(path),
            line=line,
        )


def check_int64(value: int, line: int | None, where: str) -> int:
    """``value``, or InputDataError when it is beyond the 64-bit integer range (naming line and value).

    ``where`` names the cell in French (``"07-Cardiologie, dept_code 75"``).
    """
    if -INT64_MAX - 1 <= value <= INT64_MAX:
        return value
    shown = shorten(value, 30)
    at = f"line {line}, " if line is not None else ""
    at_fr = f"ligne {line}, " if line is not None else ""
    raise InputDataError(
        f"{at}{where}: count {shown} is beyond the 64-bit integer range",
        fr=f"{at_fr}{where} : effectif {shown} hors limites (au plus {nombre(INT64_MAX)})",
        line=line,
    )


#: First bytes of a zip archive (local file header).
_ZIP_MAGIC = b"PK\x03\x04"


def is_zip(path: Path) -> bool:
    """Whether ``path`` is a zip archive (the ANS RPPS download); one cut short is refused, not read as text.

    Raises
    ------
    InputDataError
        For a zip's local header without a readable central directory (a truncated download).
    OSError
        If the file cannot be read.
    """
    if zipfile.is_zipfile(path):
        return True
    with open(path, "rb") as fh:
        if fh.read(len(_ZIP_MAGIC)) != _ZIP_MAGIC:
            return False
    raise InputDataError(
        f"damaged zip archive {str(path)!r}: truncated or corrupt (no central directory)",
        fr=f"archive zip tronquée ou endommagée : {path.name} (télécharger à nouveau le fichier)",
        path=str(path),
    )


def checked_zip_member(zf: zipfile.ZipFile, path: Path, prefix: str) -> zipfile.ZipInfo:
    """The one member of ``zf`` whose name starts with ``prefix``, once the zip is judged safe to read.

    Parameters
    ----------
    zf : zipfile.ZipFile
        The open archive.
    path : pathlib.Path
        Its file, for messages.
    prefix : str
        Start of the wanted member's base name (``"PS_LibreAcces_Personne_activite"``).

    Returns
    -------
    zipfile.ZipInfo

    Raises
    ------
    InputDataError
        If the zip has too many members, no or several members named ``prefix*`` (naming them),
        or the member is encrypted, compressed by a method Python cannot read, or too large or too
        compressed once inflated (zip bomb).
    """
    infos = zf.infolist()
    name = path.name
    if len(infos) > LIMITS["zip_members"]:
        raise _zip_error(path, f"has {len(infos)} members, the limit is {LIMITS['zip_members']}",
                         f"l'archive {name} contient {nombre(len(infos))} fichiers (limite {LIMITS['zip_members']})")
    found = [i for i in infos if Path(i.filename).name.startswith(prefix)]
    if len(found) != 1:
        listed = ", ".join(shorten(i.filename, 60) for i in (found or infos)[:10]) or "aucun"
        what = "no" if not found else f"{len(found)}"
        raise _zip_error(path, f"holds {what} {prefix} file(s), exactly one is needed (members: {listed})",
                         f"l'archive {name} doit contenir exactement un fichier {prefix}, elle en contient "
                         f"{len(found)} ({'fichiers' if not found else 'lesquels'} : {listed})")
    info = found[0]
    _check_member(info, path)
    return info


def _check_member(info: zipfile.ZipInfo, path: Path) -> None:
    """InputDataError when a member is encrypted, unreadable by Python, too large or too compressed."""
    name, member = path.name, shorten(info.filename, 60)
    if info.flag_bits & 0x1:
        raise _zip_error(path, f"member {member!r} is encrypted", f"l'archive {name} est chiffrée ({member})")
    if info.compress_type not in _READABLE_METHODS:
        method = _METHOD_NAMES.get(info.compress_type, f"n° {info.compress_type}")
        raise _zip_error(path, f"member {member!r} uses the compression method {method}, which cannot be read",
                         f"l'archive {name} utilise une méthode de compression non prise en charge ({method}) ; "
                         "la recompresser en « deflate » (zip standard)")
    limit = LIMITS["zip_uncompressed"]
    if info.file_size > limit:
        raise _zip_error(path, f"member {member!r} inflates to {info.file_size} bytes, the limit is {limit}",
                         f"l'archive {name} se décompresse en {size_fr(info.file_size)} (limite {size_fr(limit)})")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > LIMITS["zip_ratio_from"] and ratio > LIMITS["zip_ratio"]:
        raise _zip_error(path, f"member {member!r} is compressed {ratio:.0f} times (limit {LIMITS['zip_ratio']}): "
                         "a zip bomb?",
                         f"l'archive {name} est anormalement compressée ({nombre(round(ratio))} fois, limite "
                         f"{LIMITS['zip_ratio']}) : bombe de décompression ?")


def _zip_error(path: Path, en: str, fr: str) -> InputDataError:
    return InputDataError(f"zip {str(path)!r} {en}", fr=fr, path=str(path))
