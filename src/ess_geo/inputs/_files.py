"""Checks shared by the readers of the inputs layer: path given, file readable, text decoded.

Every reader of a user file (supply, registry, zonage, RPPS, FINESS) checks its path with
:func:`check_path`, reads it with :func:`read_limited` (size and line length checked against
:mod:`ess_geo.inputs._limits` before it is parsed; an ``OSError`` becomes :func:`unreadable`),
decodes text with :func:`decode_text` (UTF-8 with or without BOM, else Windows-1252 as saved by
Excel) and walks CSV rows through :func:`checked_rows` (column count, field length, ``csv.Error``
as input errors), so the errors a user sees say the same thing whatever the file.
"""

from __future__ import annotations

import csv
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ess_geo.errors import InputDataError
from ess_geo.inputs._limits import KIND_FR, LIMITS, check_columns, check_field, check_lines, check_size, shorten

__all__ = ["check_path", "checked_rows", "csv_error_fr", "decode_text", "gc_paused", "read_limited", "short_repr", "unreadable"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building many small containers.

    Building hundreds of thousands of tuples, sets and dicts (the zonage index, the per-commune
    evidence) with hundreds of thousands of objects alive triggers full collections that find
    nothing to free: they were most of the time of ``Zonage.by_commune`` and of the first match
    (``benchmarks/bench_parse_cache.py``). The builders create no reference cycle; reference
    counting still frees everything. The collector's previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def short_repr(value: object, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters (:func:`~ess_geo.inputs._limits.shorten`), for error messages
    naming what was given."""
    return shorten(repr(value), limit, mark="...")


def check_path(path: object, what: str, func: str, what_fr: str) -> Path:
    """``path`` as a Path to an existing regular file.

    Parameters
    ----------
    path : object
        What the caller passed.
    what : str
        English name of the file (``"supply"``, ``"registry"``...), for messages.
    func : str
        Public function the path was given to, for messages.
    what_fr : str
        French name of the file (``"fichier d'effectifs"``...), for messages.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputDataError
        If ``path`` is not a str or path-like, names a directory, or no file.
    """
    if isinstance(path, bool) or not isinstance(path, str | os.PathLike):
        raise InputDataError(
            f"{func}: path must be a file path (str or pathlib.Path), got {type(path).__name__}: {short_repr(path)}",
            fr=f"{what_fr} : chemin de fichier attendu (texte ou pathlib.Path), reçu {type(path).__name__}",
        )
    p = Path(path)
    if p.is_dir():
        raise InputDataError(
            f"{what} path {str(p)!r} is a directory, not a file",
            fr=f"{what_fr} : {p} est un dossier, pas un fichier",
            path=str(p),
        )
    if p.exists() and not p.is_file():  # a device, a FIFO, a socket: never read (/dev/zero would never end)
        raise InputDataError(
            f"{what} path {str(p)!r} is not a regular file",
            fr=f"{what_fr} : {p} n'est pas un fichier ordinaire (périphérique, tube…)",
            path=str(p),
        )
    if not p.is_file():
        raise InputDataError(f"{what} file not found: {str(p)!r}", fr=f"{what_fr} introuvable : {p}", path=str(p))
    return p


def read_limited(path: Path, kind: str) -> bytes:
    """Content of ``path`` once its size is within the limit of ``kind``; its lines are checked too.

    Parameters
    ----------
    path : pathlib.Path
        An existing file (see :func:`check_path`).
    kind : str
        Kind of input (``"supply"``, ``"zonage"``, ``"registry"``, ``"finess"``): its size limit and
        French name come from :mod:`ess_geo.inputs._limits`.

    Returns
    -------
    bytes

    Raises
    ------
    InputDataError
        If the file is larger than its limit (checked before reading), has a line longer than the
        limit, or cannot be read.
    """
    try:
        check_size(path, kind)
        raw = path.read_bytes()
    except OSError as exc:
        raise unreadable(path, exc, kind, KIND_FR[kind]) from exc
    check_lines(raw, path, kind)
    return raw


#: French wording of the errors of Python's csv module (their text is English).
_CSV_ERRORS_FR = {
    "field larger than field limit": "champ trop long (plus de {limit} caractères)",
    "new-line character seen in unquoted field": "saut de ligne dans un champ sans guillemets",
    "line contains NUL": "octet nul",
}


def csv_error_fr(exc: Exception) -> str:
    """The French text of a :class:`csv.Error` (``champ trop long (plus de 131072 caractères)``).

    The one translation of the csv module's errors, for every CSV reader of the package.
    """
    text = str(exc)
    for english, french in _CSV_ERRORS_FR.items():
        if text.startswith(english):
            return french.format(limit=csv.field_size_limit())
    return "format CSV invalide"


def checked_rows(reader: Iterator[list[str]], path: Path | str, kind: str) -> Iterator[list[str]]:
    """The rows of a ``csv.reader``, each checked for column count and field length.

    ``reader.line_num`` stays usable by the caller. A ``csv.Error`` (a field over the csv module's
    own limit, a NUL byte...) becomes an :class:`~ess_geo.errors.InputDataError` naming the line.

    Raises
    ------
    InputDataError
        If a row has more fields than the limit, a field is longer than the limit, or the csv
        module cannot parse a line.
    """
    line = 0
    try:
        for row in reader:
            line = getattr(reader, "line_num", line + 1)
            check_columns(len(row), line, path, kind)
            if row and max(map(len, row)) > LIMITS["field_chars"]:
                check_field(max(row, key=len), line, path, kind)
            yield row
    except csv.Error as exc:
        line = getattr(reader, "line_num", line + 1)
        raise InputDataError(
            f"{kind} file {str(path)!r}: CSV error at line {line}: {exc}",
            fr=f"{KIND_FR[kind]} {Path(path).name} : {csv_error_fr(exc)} à la ligne {line}",
            path=str(path),
            line=line,
        ) from None


def unreadable(path: Path, exc: OSError, what: str, what_fr: str) -> InputDataError:
    """The InputDataError to raise when reading ``path`` failed with ``exc`` (permission...)."""
    reason = exc.strerror or type(exc).__name__
    return InputDataError(f"cannot read {what} file {str(path)!r}: {reason}",
                          fr=f"{what_fr} illisible : {path} ({reason})", path=str(path))


def decode_text(raw: bytes, path: Path | str, what_fr: str) -> tuple[str, str]:
    """Decode a user file: UTF-8 (with or without BOM), else Windows-1252 (files saved by Excel).

    Parameters
    ----------
    raw : bytes
        Content of the file (or of its first line, to sniff a format).
    path : pathlib.Path or str
        File the bytes come from, for messages.
    what_fr : str
        French name of the file (``"registre"``...), for messages.

    Returns
    -------
    text : str
        Decoded text, without BOM.
    encoding : str
        ``"utf-8"`` or ``"cp1252"``.

    Raises
    ------
    InputDataError
        If the bytes are neither UTF-8 nor Windows-1252 (naming the first bad byte).
    """
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InputDataError(
            f"{str(path)!r} is neither UTF-8 nor Windows-1252 text (byte {raw[exc.start]:#04x} at offset {exc.start})",
            fr=f"{what_fr} illisible (encodage ni UTF-8 ni Windows-1252) : {path}",
            path=str(path),
        ) from exc
