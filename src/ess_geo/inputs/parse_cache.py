"""Parse once: a content-addressed cache of parsed input files (RPPS, zonage, FINESS) as Parquet.

A 2-million-line RPPS extraction takes seconds to read and a national zonage seconds to match;
every command and notebook would pay that again. :func:`cached_parse` stores what a loader
returned in the dataset cache folder (:func:`ess_geo.inputs.datasets.cache_dir`, under
``parsed/``) and returns it on later calls, indistinguishable from a fresh read.

* **Content-addressed**: an entry's key is the SHA-256 of the file's bytes, the reader's version
  (:data:`FORMAT`, the loader's own version and a digest of the reader modules' source, so any
  change to a reader invalidates its entries) and the reader options that change the result
  (mode, encoding, vintage, and the file's base name, from which readers take a vintage and a
  source name). Hashing a large file costs time, so the SHA-256 of a file whose path, size,
  modification time (ns) and inode are unchanged is taken from a small stat record written with
  it (``parsed/stat/``; ``benchmarks/bench_parse_cache.py`` measures both). The change time cannot be
  set back by a program (unlike the modification time, restored by ``cp -p`` or ``unzip``), so any
  rewrite of the file is seen, as git's index sees it. A file of :data:`HASH_WHILE_READING` (64 MiB)
  or more whose digest is not recorded is hashed by a thread while it is read, so that its first
  read does not wait for the hash (a third of a 2 M-line extraction's first check); a copy of a
  file already parsed elsewhere, or the same file once its stat changed (``touch``, ``cp -p``,
  ``mv`` across file systems), is then read once more instead of reused. Nothing is stored when the
  file changed while it was read.
* **Never trusted blindly**: an entry is a folder of Parquet tables and a ``meta.json`` sidecar
  written last; a missing or unreadable sidecar, another format or reader version, a missing,
  resized or unreadable Parquet table is deleted and rebuilt.
* **Atomic**: an entry is written into a temporary folder and renamed into place in one step, so
  a reader never sees half an entry (two processes building the same entry: the first rename wins);
  temporary folders older than an hour (a killed process) are deleted by the next write.
* **Tidy**: when a file changes, the entries of its former content are deleted.
* **Opt-out**: ``ESS_GEO_NO_PARSE_CACHE=1`` (or ``cache=False`` on the loader) reads afresh and
  writes nothing; a cache folder that cannot be written only costs the speed-up.

The library never prints: it says « mis en cache » (once the first read succeeded) / « reprise du
cache » through the
``ess_geo.cache`` logger (French messages, level INFO) and an optional ``notice`` callback; the CLI
shows them on stderr.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ess_geo._output import atomic_write_bytes
from ess_geo.errors import EssGeoError
from ess_geo.inputs._limits import LIMITS, check_size
from ess_geo.inputs._parse_cache_codec import (
    NotCacheable,
    encode,
    field_value,
    from_json,
    is_arrow_table,
    is_frame_field,
    object_columns,
    read_frame,
)
from ess_geo.inputs.dataset_cache import cache_dir, sha256_of  # not datasets: no urllib/http on every RPPS read
from ess_geo.sources import Source

if TYPE_CHECKING:  # annotations only: pandas is imported when a parsed file is stored or read back
    import pandas as pd

__all__ = ["FORMAT", "LOGGER_NAME", "cache_enabled", "cached_parse", "file_sha256", "parse_cache_dir", "reader_version"]

#: A file at least this large whose digest is not recorded is hashed while it is read (see
#: :func:`_build_while_hashing`); a smaller one is hashed first, so that a copy reuses its entry.
HASH_WHILE_READING = 64 << 20
#: Layout version of an entry (bump when the entry format changes): 2 stores Arrow-held tables as Arrow.
FORMAT = 2
#: Name of the logger the cache reports to (French messages, INFO).
LOGGER_NAME = "ess_geo.cache"
_ENV_OFF = "ESS_GEO_NO_PARSE_CACHE"
_META = "meta.json"
_STALE_SECONDS = 3600  # a temporary entry this old belongs to no running process

_SMALL_FILE = 1 << 20
_REFERENCE_DATA = Path(__file__).resolve().parents[1] / "reference" / "data"

_log = logging.getLogger(LOGGER_NAME)
T = TypeVar("T")


def parse_cache_dir() -> Path:
    """Folder of the parsed entries: ``<cache_dir()>/parsed``."""
    return cache_dir() / "parsed"


def cache_enabled(cache: bool | None = None) -> bool:
    """Whether to use the cache: ``cache`` when given, else unless ``ESS_GEO_NO_PARSE_CACHE`` is set (not 0)."""
    if cache is not None:
        return bool(cache)
    return os.environ.get(_ENV_OFF, "") in ("", "0")


@lru_cache(maxsize=32)
def reader_version(own: str, modules: tuple[str, ...]) -> str:
    """Version of a reader: its own version, its modules' source and the embedded reference data.

    The SHA-256 (first 16 digits) of the modules' source, of the embedded code tables and of the
    sizes of the embedded geography files: editing a reader, a code table or the geography
    invalidates its entries.

    Parameters
    ----------
    own : str
        The loader's version constant (bump it when its output changes for the same code).
    modules : tuple of str
        Names of the imported modules whose code decides the result (read once per process).
    """
    digest = hashlib.sha256(f"{FORMAT}:{own}".encode())
    for name in sorted(modules):
        file = getattr(sys.modules.get(name), "__file__", None)
        digest.update(name.encode())
        if file and os.path.isfile(file):
            with open(file, "rb") as fh:
                digest.update(fh.read())
    for data in sorted(_REFERENCE_DATA.glob("*")):  # the embedded geography and code tables the readers use
        size = data.stat().st_size
        digest.update(f"{data.name}:{size}".encode())
        if size < _SMALL_FILE:  # code tables (savoir-faire, specialties): their content; geography: its size
            with open(data, "rb") as fh:
                digest.update(fh.read())
    return f"{own}-{digest.hexdigest()[:16]}"


# --- hashing ------------------------------------------------------------------------------------


def _stat_record(path: Path) -> Path:
    return parse_cache_dir() / "stat" / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32] + ".json")


def _stamp(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns, "ino": st.st_ino}


def file_sha256(path: str | Path, *, fast: bool = True) -> str:
    """SHA-256 of a file's bytes (hex).

    Parameters
    ----------
    path : str or pathlib.Path
        File to hash.
    fast : bool, default True
        Take the digest from the stat record of an unchanged file (same path, size, modification
        and change times in ns, inode) instead of reading it; the record is written after a full hash.
    """
    path = Path(path)
    stamp = _stamp(path)
    known = _stat_known(path)
    if fast and (recorded := _recorded(known, stamp)):
        return recorded
    sha = sha256_of(path)
    if _stamp(path) == stamp:  # not modified while hashed
        _write_json(_stat_record(path), {**stamp, "sha256": sha, "path": str(path.resolve())})
    old = known.get("sha256")
    if isinstance(old, str) and old != sha and len(old) == 64 and old.isalnum():
        _prune(old)  # the file changed: the entries of its former content go
    return sha


def _stat_known(path: Path) -> dict:
    """The stat record of ``path`` (empty when absent or unreadable)."""
    known: dict = {}
    with contextlib.suppress(OSError, ValueError):
        known = json.loads(_stat_record(path).read_text(encoding="utf-8"))
    return known if isinstance(known, dict) else {}


def _recorded(known: dict, stamp: dict[str, int]) -> str | None:
    """The digest a stat record gives for a file of this stamp, or None."""
    if {k: known.get(k) for k in stamp} == stamp and isinstance(known.get("sha256"), str):
        return str(known["sha256"])
    return None


class _Hashing(threading.Thread):
    """:func:`file_sha256` of a file in a thread (hashlib leaves the GIL free), while the file is parsed."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="ess-geo-hash", daemon=True)
        self.path = path
        self.sha: str | None = None

    def run(self) -> None:
        """Hash the file (an unreadable file leaves ``sha`` None: nothing is stored)."""
        with contextlib.suppress(OSError):
            self.sha = file_sha256(self.path)


def _prune(sha: str) -> None:
    """Delete the entries built from content ``sha`` (a file that changed); another file with that content rebuilds."""
    for entry in parse_cache_dir().glob(f"*-{sha[:24]}-*"):
        shutil.rmtree(entry, ignore_errors=True)


def _write_json(target: Path, data: dict) -> None:
    """Write JSON with the package's one atomic writer (symbolic link refused); errors ignored (cache only)."""
    with contextlib.suppress(EssGeoError):
        atomic_write_bytes(target, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _clean_stale_temps(folder: Path) -> None:
    """Delete temporary folders and files left by a process killed while writing (older than an hour)."""
    now = time.time()
    for temp in folder.glob(".tmp-*"):
        try:
            if now - temp.stat().st_mtime > _STALE_SECONDS:
                if temp.is_dir():
                    shutil.rmtree(temp, ignore_errors=True)
                else:
                    temp.unlink()
        except OSError:
            continue


def _write_entry(final: Path, frames: dict[str, pd.DataFrame], meta: dict) -> None:
    """Write the tables then the sidecar into a temporary folder, and rename it into place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale_temps(final.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=final.parent))
    try:
        sizes: dict[str, dict[str, Any]] = {}
        for name, frame in frames.items():
            file = tmp / f"{name}.parquet"
            if is_arrow_table(frame):  # read back in Arrow (no pandas), as the reader held it
                import pyarrow.parquet as pq  # deferred: pyarrow only where a parsed file is stored

                pq.write_table(frame, file, compression="zstd")
                sizes[name] = {"bytes": file.stat().st_size, "arrow": True}
                continue
            frame.to_parquet(file, engine="pyarrow", compression="zstd")
            sizes[name] = {"bytes": file.stat().st_size, "object_columns": object_columns(frame)}
        with open(tmp / _META, "w", encoding="utf-8") as fh:
            json.dump({**meta, "frames": sizes}, fh, ensure_ascii=False)
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final / _META).is_file():  # not another process's complete entry: replace it
                shutil.rmtree(final, ignore_errors=True)
                os.rename(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _read_entry(entry: Path, expected: dict, cls: type[T]) -> tuple[T, str]:
    """The object stored in ``entry`` and the path it was read from; any inconsistency raises (the caller
    then rebuilds)."""
    meta = json.loads((entry / _META).read_text(encoding="utf-8"))
    for key, want in expected.items():
        if meta.get(key) != want:
            raise ValueError(f"{key}: {meta.get(key)!r} instead of {want!r}")
    values = {name: from_json(v) for name, v in meta["fields"].items()}
    for name, table in meta["frames"].items():
        file = entry / f"{name}.parquet"
        if file.stat().st_size != table["bytes"]:
            raise ValueError(f"{file.name}: size {file.stat().st_size} instead of {table['bytes']}")
        values[name] = read_frame(file, table)
    return cls(**values), str(meta.get("path", ""))


# --- the cache ----------------------------------------------------------------------------------


def _notify(message: str, notice: Callable[[str], None] | None) -> None:
    _log.info(message)
    if notice is not None:
        notice(message)


def _relocated(obj: T, path: Path, stored: str) -> T:
    """The object read from an entry built from the same content at ``stored``, now read at ``path``."""
    here = str(path)
    if stored == here:
        return obj
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        value = field_value(obj, f.name)
        if is_frame_field(obj, f.name):
            changes[f.name] = value  # as held: dataclasses.replace would make a deferred frame a pandas one
        elif f.init and f.name == "path" and value == stored:
            changes[f.name] = here
        elif f.init and isinstance(value, Source) and value.origin == stored:
            changes[f.name] = dataclasses.replace(value, origin=here)
    return dataclasses.replace(obj, **changes) if changes else obj  # type: ignore[type-var]


def cached_parse(
    kind: str,
    path: Path,
    options: dict[str, Any],
    cls: type[T],
    build: Callable[[], T],
    *,
    version: str | Callable[[], str],
    cache: bool | None = None,
    notice: Callable[[str], None] | None = None,
) -> T:
    """What ``build()`` returns for ``path``, read from the cache when an identical read was stored.

    Parameters
    ----------
    kind : str
        Reader name (``"rpps"``, ``"zonage"``, ``"finess"``): the entries' folder prefix.
    path : pathlib.Path
        The input file (checked by the loader).
    options : dict
        JSON-serialisable reader options that change the result.
    cls : type
        Dataclass of the result (its init fields are stored: frames as Parquet, the rest as JSON).
    build : callable
        The fresh read.
    version : str or callable
        Reader version (:func:`reader_version`), or what computes it (not called when the cache is off:
        hashing the reader's sources took 7 ms of a first read).
    cache : bool, optional
        False: always ``build()``, store nothing; default: unless ``ESS_GEO_NO_PARSE_CACHE`` is set.
    notice : callable, optional
        Called with the French message « mis en cache » / « reprise du cache » / « reconstruite » (also logged).

    Returns
    -------
    The result, equal to a fresh ``build()``.
    """
    if not cache_enabled(cache):
        return build()
    if callable(version):
        version = version()
    try:
        if kind in LIMITS["bytes"]:
            check_size(path, kind)  # a file its reader refuses for its size is not hashed first
        stamp = _stamp(path)  # what is stored must be what was read: the file unchanged till then
        sha = _recorded(_stat_known(path), stamp)
        if sha is None and path.stat().st_size < HASH_WHILE_READING:
            sha = file_sha256(path)
    except OSError:
        return build()  # the loader raises its own error on an unreadable file
    opts = {**options, "name": path.name}
    if sha is None:  # a large file met for the first time here: hashed while it is read
        return _build_while_hashing(kind, path, opts, build, version, stamp, notice)
    entry = _entry(kind, sha, version, opts)
    expected = _expected(kind, version, sha)
    if (entry / _META).is_file():
        try:
            obj, stored = _read_entry(entry, expected, cls)
            _notify(f"{path.name} : fichier déjà analysé, lecture reprise du cache ({entry.name[:len(kind) + 13]})", notice)
            return _relocated(obj, path, stored)
        except Exception as exc:  # corrupt, truncated or stale: never trusted
            _log.debug("parse cache entry %s rejected: %r", entry, exc)
            _notify(f"{path.name} : entrée du cache d'analyse illisible ou périmée, supprimée et reconstruite", notice)
    shutil.rmtree(entry, ignore_errors=True)
    started = time.perf_counter()
    obj = build()  # said after it succeeds: a file refused by its reader gets one French error line, nothing else
    _store(obj, entry, expected, opts, path, stamp, started, notice)
    return obj


def _entry(kind: str, sha: str, version: str, opts: dict[str, Any]) -> Path:
    opt_key = hashlib.sha256(json.dumps([version, opts], sort_keys=True, default=str).encode()).hexdigest()[:16]
    return parse_cache_dir() / f"{kind}-{sha[:24]}-{opt_key}"


def _expected(kind: str, version: str, sha: str) -> dict[str, Any]:
    return {"format": FORMAT, "kind": kind, "version": version, "sha256": sha}


def _build_while_hashing(kind: str, path: Path, opts: dict[str, Any], build: Callable[[], T], version: str,
                         stamp: dict[str, int],
                         notice: Callable[[str], None] | None) -> T:
    """The fresh read of a large file whose digest is not recorded, hashed meanwhile in a thread, then stored.

    Hashing first cost a third of a 2 M-line extraction's first check (0.35 s). The price: a copy of
    a file already parsed elsewhere is read once more instead of reused (its entry is kept).
    """
    hashing = _Hashing(path)
    hashing.start()
    started = time.perf_counter()
    try:
        obj = build()
    finally:
        hashing.join()
    if hashing.sha is not None:
        entry = _entry(kind, hashing.sha, version, opts)
        if not (entry / _META).is_file():
            _store(obj, entry, _expected(kind, version, hashing.sha), opts, path, stamp, started, notice)
    return obj


def _store(obj: Any, entry: Path, expected: dict[str, Any], opts: dict[str, Any], path: Path, stamp: dict[str, int],
           started: float, notice: Callable[[str], None] | None) -> None:
    """Write ``obj`` as the entry ``entry`` (nothing when it cannot be stored exactly, or when the file changed
    since ``stamp`` was taken: the result may not be that of the content hashed), and say so."""
    try:
        if _stamp(path) != stamp:
            _log.debug("parse cache entry %s not written: %s changed while it was read", entry, path)
            return
        frames, fields = encode(obj)
        meta = {**expected, "options": json.loads(json.dumps(opts, default=str)), "path": str(path), "fields": fields}
        _write_entry(entry, frames, meta)
    except (NotCacheable, OSError, ValueError, TypeError) as exc:
        _log.debug("parse cache entry %s not written: %r", entry, exc)
        return
    seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
    _notify(f"{path.name} : première lecture, fichier analysé en {seconds} s et mis en cache (lectures suivantes "
            "immédiates)", notice)
