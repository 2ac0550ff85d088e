"""Output paths and the one atomic writer: folders created, symlinks refused, never a partial file.

Every command that writes (maps, reports, access CSV, ZIP outputs, the dataset cache's sidecars)
goes through these helpers, so a planner gets the same behaviour everywhere:

* missing parent folders are created; a path that cannot be written is an
  :class:`~ess_geo.errors.InputDataError` (CLI exit code 2) naming it, never a traceback;
* :func:`atomic_file` / :func:`atomic_path` / :func:`atomic_write_bytes` write to a temporary file
  ``.<name>.<random>.tmp`` in the target folder, flush and fsync it, then rename it onto the final
  name: on any failure (disk full, file size limit, exception while rendering) the temporary file is
  removed and the previous final file, if any, stays untouched;
* the file written must not be a symbolic link (:func:`refuse_symlink`): ``--out lien.html`` where
  ``lien.html`` points elsewhere is refused; a *folder* reached through a link is fine;
* temporary files left by a killed run (our own name pattern only) are removed by the next write in
  the same folder (:func:`clean_stale_temps`), once no process holds their lock and they are older
  than :data:`STALE_TEMP_SECONDS`.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ess_geo.errors import InputDataError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; stale temporary files are then removed by age only
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "STALE_TEMP_SECONDS",
    "TEMP_NAME",
    "atomic_file",
    "atomic_path",
    "atomic_write_bytes",
    "clean_stale_temps",
    "os_error_fr",
    "prepare_output_dir",
    "prepare_output_file",
    "refuse_symlink",
    "write_error",
]

#: Name pattern of our temporary files (``tempfile.mkstemp(prefix=".<name>.", suffix=".tmp")``).
TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
#: A temporary file nobody holds a lock on is removed once older than this (seconds).
STALE_TEMP_SECONDS = 120.0

_ERRNO_FR = {
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.ENOENT: "chemin inexistant ou non modifiable",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "disque plein",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EEXIST: "un fichier porte déjà ce nom",
    errno.EISDIR: "c'est un dossier",
    errno.EFBIG: "fichier trop gros pour la limite de taille",
    errno.EDQUOT: "quota disque dépassé",
    errno.ELOOP: "lien symbolique",
}


def os_error_fr(exc: OSError) -> str:
    """French reason of an OS error (« accès refusé », « disque plein »...)."""
    return _ERRNO_FR.get(exc.errno or -1, "erreur système")


def write_error(path: str | Path, exc: OSError) -> InputDataError:
    """The InputDataError to raise when ``path`` cannot be written."""
    return InputDataError(
        f"cannot write {str(path)!r}: {exc.strerror or exc}",
        fr=f"impossible d'écrire {path} ({os_error_fr(exc)})",
        path=str(path),
    )


def prepare_output_file(path: str | Path, suffixes: Iterable[str] | None = None) -> Path:
    """Check an output file path, creating its missing parent folders.

    Parameters
    ----------
    path : str or pathlib.Path
        Output file.
    suffixes : iterable of str, optional
        Allowed extensions (``(".csv",)``); any when None.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputDataError
        If the extension is not allowed, the path is a folder or a symbolic link, or it cannot be written.
    """
    out = Path(path)
    if suffixes is not None:
        allowed = tuple(suffixes)
        if out.suffix.lower() not in allowed:
            shown = out.suffix or "(aucune)"
            raise InputDataError(
                f"output file {str(out)!r}: extension {shown!r} not supported, use {' or '.join(allowed)}",
                fr=f"fichier de sortie {out} : extension {shown} non prise en charge (attendu : {', '.join(allowed)})",
                path=str(out),
            )
    if out.is_dir():
        raise InputDataError(
            f"output path {str(out)!r} is a directory; give a file name",
            fr=f"{out} est un dossier : donner un nom de fichier",
            path=str(out),
        )
    refuse_symlink(out)
    prepare_output_dir(out.parent)
    if out.exists() and not os.access(out, os.W_OK):
        raise write_error(out, PermissionError(errno.EACCES, "Permission denied"))
    return out


def prepare_output_dir(path: str | Path) -> Path:
    """Create an output folder (and its parents) and check it is writable.

    Raises
    ------
    InputDataError
        If it cannot be created or written.
    """
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputDataError(
            f"cannot create the output folder {str(out)!r}: {exc.strerror or exc}",
            fr=f"impossible de créer le dossier de sortie {out} ({os_error_fr(exc)})",
            path=str(out),
        ) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise write_error(out, PermissionError(errno.EACCES, "Permission denied"))
    return out


def refuse_symlink(path: str | Path) -> Path:
    """``path`` as a Path, unless it is a symbolic link (even a dangling one).

    Raises
    ------
    InputDataError
        Naming the link and where it points: ess_geo never writes through a link.
    """
    out = Path(path)
    if out.is_symlink():
        try:
            target = os.readlink(out)
        except OSError:
            target = "?"
        raise InputDataError(
            f"refusing to write {str(out)!r}: it is a symbolic link (to {target!r}); give another file name",
            fr=f"écriture refusée : {out} est un lien symbolique (vers {target}) ; donner un autre nom de fichier",
            path=str(out),
        )
    return out


@functools.cache
def _umask() -> int:
    """The process umask, read once (os.umask can only be read by setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _is_locked(path: str) -> bool:
    """True when another open file description holds a lock on ``path`` (a writer still running)."""
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return True  # unreadable or vanished: leave it alone
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases our probe lock
    return False


def clean_stale_temps(folder: str | Path, *, max_age: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove the temporary files of killed runs in ``folder`` (our name pattern only).

    Parameters
    ----------
    folder : str or pathlib.Path
        Folder about to be written to.
    max_age : float, default :data:`STALE_TEMP_SECONDS`
        Only files older than this many seconds (modification time) that no process holds a lock on
        are removed; other files of the folder are never touched.

    Returns
    -------
    list of pathlib.Path
        The files removed.
    """
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not TEMP_NAME.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or now - entry.stat(follow_symlinks=False).st_mtime < max_age:
                continue
            if _is_locked(entry.path):
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (best effort: some file systems refuse fsync on a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``, renamed onto it when the block succeeds.

    For libraries that want a file name (GDAL drivers); they may delete and recreate it. The
    temporary file is locked while it exists under its first inode, fsynced before the rename,
    and removed if the block raises.

    Parameters
    ----------
    path : str or pathlib.Path
        Final file; missing parent folders are created; a symbolic link is refused.

    Yields
    ------
    pathlib.Path
        The temporary file (``.<name>.<random>.tmp`` in the same folder).

    Raises
    ------
    InputDataError
        If ``path`` is a symbolic link, or on an OS error (French message naming ``path``); the
        previous final file is then left as it was.
    """
    final = refuse_symlink(path)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(final.parent)
        fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    except OSError as exc:
        raise write_error(final, exc) from None
    tmp = Path(name)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.chmod(fd, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual permissions
        yield tmp
        _fsync_file(tmp)
        refuse_symlink(final)  # a link planted while we were writing is refused too
        os.replace(tmp, final)
        _fsync_dir(final.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise write_error(final, exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[BinaryIO]:
    """Yield a binary file whose content replaces ``path`` only when the block succeeds.

    Same guarantees as :func:`atomic_path` (temporary file in the same folder, flush + fsync,
    rename; removed on failure, old file kept; symbolic link refused).

    Yields
    ------
    BinaryIO
    """
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        yield fh
        fh.flush()


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_file`).

    Parameters
    ----------
    path : str or pathlib.Path
        Destination (missing folders are created).
    data : bytes
        Content.

    Returns
    -------
    pathlib.Path
        The destination path.

    Raises
    ------
    InputDataError
        If ``path`` is a symbolic link or cannot be written (the old file, if any, stays).
    """
    with atomic_file(path) as fh:
        fh.write(data)
    return Path(path)
