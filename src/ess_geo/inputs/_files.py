"""Checks shared by the readers of the inputs layer: path given, file readable, text decoded.

Every reader of a user file (supply, registry, zonage, RPPS) checks its path with
:func:`check_path`, turns an ``OSError`` into :func:`unreadable`, and decodes text with
:func:`decode_text` (UTF-8 with or without BOM, else Windows-1252 as saved by Excel), so the
errors a user sees say the same thing whatever the file.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ess_geo.errors import InputDataError

__all__ = ["check_path", "decode_text", "gc_paused", "short_repr", "unreadable"]


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
    """``repr(value)`` cut to ``limit`` characters, for error messages naming what was given."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    if not p.is_file():
        raise InputDataError(f"{what} file not found: {str(p)!r}", fr=f"{what_fr} introuvable : {p}", path=str(p))
    return p


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
