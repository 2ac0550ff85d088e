"""Output paths: create missing folders, refuse unwritable ones with one French line.

Every command that writes (maps, reports, access CSV, ZIP outputs) goes through these helpers, so
a planner gets the same behaviour everywhere: missing parent folders are created; a path that
cannot be written is an :class:`~ess_geo.errors.InputDataError` (CLI exit code 2), never a
traceback.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from pathlib import Path

from ess_geo.errors import InputDataError

__all__ = ["os_error_fr", "prepare_output_dir", "prepare_output_file", "write_error"]

_ERRNO_FR = {
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.ENOENT: "chemin inexistant ou non modifiable",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "disque plein",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EEXIST: "un fichier porte déjà ce nom",
    errno.EISDIR: "c'est un dossier",
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
        If the extension is not allowed, the path is a folder, or it cannot be written.
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
