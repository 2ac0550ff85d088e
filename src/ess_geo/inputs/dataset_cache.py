"""The dataset cache's safety: one lock per dataset, content checks, and entries that are never trusted blindly.

Used by :func:`ess_geo.inputs.datasets.fetch`:

* :func:`dataset_lock` — one lock file per dataset (``.<name>.lock``, ``fcntl.flock``): two
  processes or threads fetching the same dataset download it once; the kernel releases the lock
  of a killed process, so a stale lock never blocks (no pid files to clean);
* :func:`check_download` — a complete download is checked before it is renamed into place:
  SHA-256 when the registry pins it, otherwise size against the server's ``Content-Length`` and a
  format sniff (a zip is a readable zip, a CSV starts with the expected header and ends with a full
  line; an HTML page is refused for every dataset);
* :func:`check_entry` — a cached file is returned only when its sidecar (written last) exists and
  agrees with it and the same format sniff passes; otherwise :func:`discard_entry` deletes it and
  the caller downloads again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ess_geo.errors import DatasetError
from ess_geo.inputs.dataset_catalogue import Dataset

try:
    import fcntl
except ImportError:  # Windows: no advisory lock; concurrent fetches of one dataset are then not serialised
    fcntl = None  # type: ignore[assignment]

__all__ = ["cache_dir", "check_download", "check_entry", "dataset_lock", "discard_entry", "meta_path", "sha256_of"]

_CHUNK = 1 << 20
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<?xml")


def cache_dir() -> Path:
    """The cache directory: ``ESS_GEO_CACHE``, else ``$XDG_CACHE_HOME/ess_geo``, else ``~/.cache/ess_geo``."""
    env = os.environ.get("ESS_GEO_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "ess_geo"


def meta_path(path: Path) -> Path:
    """The ``<name>.json`` sidecar of a cached file."""
    return path.with_name(path.name + ".json")


def sha256_of(path: Path) -> str:
    """SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


@contextlib.contextmanager
def dataset_lock(folder: Path, ds: Dataset, *, wait: float = 3600.0) -> Iterator[None]:
    """Hold the cache lock of dataset ``ds`` (``<folder>/.<filename>.lock``) for the block.

    Raises
    ------
    DatasetError
        When another fetch of the same dataset holds the lock for more than ``wait`` seconds.
    """
    if fcntl is None:
        yield
        return
    fd = os.open(folder / f".{ds.filename}.lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DatasetError(
                        f"another fetch of {ds.name!r} has held the cache lock for over {wait:.0f} s",
                        fr=f"un autre téléchargement de « {ds.name} » est en cours depuis plus de {wait:.0f} s ; réessayer "
                        "plus tard",
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _refused(ds: Dataset, reason: str, reason_fr: str) -> DatasetError:
    return DatasetError(
        f"download of {ds.name!r} refused: {reason} ({ds.url}); nothing kept in the cache",
        fr=f"fichier téléchargé pour « {ds.name} » refusé : {reason_fr} ; rien n'est gardé en cache",
    )


def _sniff(ds: Dataset, path: Path) -> tuple[str, str] | None:
    """Why the file is not what ``ds`` announces (English, French), or None when it looks right."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(_HTML_STARTS):
        return ("the server sent an HTML page instead of the file",
                "le serveur a renvoyé une page HTML (page d'erreur ou de connexion ?) au lieu du fichier")
    if ds.kind == "zip":
        try:
            with zipfile.ZipFile(path) as zf:
                if not zf.namelist():
                    return "empty zip archive", "archive zip vide"
        except (zipfile.BadZipFile, OSError, ValueError):
            return "not a complete zip archive", "ce n'est pas une archive zip complète (fichier tronqué ou autre format)"
    if ds.kind == "csv":
        first = head.split(b"\n", 1)[0].decode("latin-1").lstrip("\ufeffï»¿")
        if ds.header and not first.lower().startswith(ds.header.lower()):
            return (f"first line {first[:60]!r} does not start with {ds.header!r}",
                    f"ligne 1 « {first[:60]} » au lieu de « {ds.header}… »")
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - 1))
            if fh.read(1) not in (b"\n", b""):
                return "the CSV file ends in the middle of a line (truncated)", "le CSV s'arrête au milieu d'une ligne (tronqué)"
    return None


def check_download(ds: Dataset, part: Path, *, content_type: str | None, announced: int | None) -> tuple[int, str]:
    """Size and SHA-256 of a complete download, checked before it takes the final name.

    Parameters
    ----------
    ds : Dataset
        Registry entry (pinned size/SHA-256, kind and header).
    part : pathlib.Path
        The downloaded file.
    content_type : str or None
        The server's ``Content-Type``.
    announced : int or None
        Total size the server announced (``Content-Length``, or the ``Content-Range`` total).

    Returns
    -------
    tuple of (int, str)

    Raises
    ------
    DatasetError
        Size or checksum mismatch, an HTML page, a file that is not of the announced format (the
        caller deletes it).
    """
    size = part.stat().st_size
    if ds.size is not None and size != ds.size:
        raise DatasetError(
            f"downloaded {ds.name!r} has {size} bytes, expected {ds.size} ({ds.url}); download deleted",
            fr=f"taille inattendue pour « {ds.name} » : {size} octets au lieu de {ds.size} ; fichier supprimé",
        )
    if announced is not None and size != announced:
        raise _refused(ds, f"{size} bytes received, {announced} announced", f"{size} octets reçus, {announced} annoncés")
    digest = sha256_of(part)
    if ds.sha256 is not None:
        if digest != ds.sha256.lower():
            raise DatasetError(
                f"checksum mismatch for {ds.name!r}: SHA-256 {digest}, expected {ds.sha256} ({ds.url}); download deleted",
                fr=f"empreinte SHA-256 incorrecte pour « {ds.name} » : fichier supprimé",
            )
        return size, digest
    if content_type and content_type.split(";")[0].strip().lower() == "text/html" and ds.kind != "html":
        raise _refused(ds, "the server sent an HTML page (Content-Type text/html)",
                       "le serveur a renvoyé une page HTML au lieu du fichier")
    why = _sniff(ds, part)
    if why is not None:
        raise _refused(ds, *why)
    return size, digest


def check_entry(ds: Dataset, path: Path) -> bool:
    """Whether a cached file can be returned: sidecar present and agreeing, pinned checksum, format sniff."""
    try:
        meta = json.loads(meta_path(path).read_text(encoding="utf-8"))
        size = path.stat().st_size
    except (OSError, ValueError):
        return False  # no sidecar: the download never completed (the sidecar is written last)
    if not isinstance(meta, dict) or meta.get("size") != size:
        return False
    if ds.size is not None and size != ds.size:
        return False
    if ds.sha256 is not None:
        return sha256_of(path) == ds.sha256.lower()
    try:
        return _sniff(ds, path) is None
    except OSError:
        return False


def discard_entry(path: Path) -> None:
    """Delete a cached file and its sidecar (a failed check)."""
    for p in (path, meta_path(path)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
