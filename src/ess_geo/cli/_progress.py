"""Progress of the long commands (map, zip, report, propose, access, dossier, data fetch): rich, on stderr, terminals only.

Progress never reaches standard output: ``--json`` and piped output stay exactly what the command
prints. It is drawn only when standard error is a terminal (rich's own detection, which
``FORCE_COLOR``/``TERM`` steer), so logs and CI runs get no spinner frames; ``ESS_GEO_PROGRESS=0``
turns it off everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

__all__ = ["progress_console", "progress_fr", "progress_shown"]


def progress_console() -> Console:
    """The console progress is drawn on: standard error."""
    return Console(stderr=True)


def progress_shown(console: Console, quiet: bool = False) -> bool:
    """Whether to draw progress: not ``quiet``, not ``ESS_GEO_PROGRESS=0``, and stderr is a terminal."""
    return not quiet and os.environ.get("ESS_GEO_PROGRESS", "1") != "0" and console.is_terminal


@contextmanager
def progress_fr(label: str, *, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr showing the current step; yields ``step(label)`` to announce the next one.

    Parameters
    ----------
    label : str
        French label of the first step (« Carte : vérification du territoire »).
    quiet : bool, default False
        Draw nothing.

    Yields
    ------
    callable
        ``step(label)``: show the next step's French label (does nothing when progress is hidden).
    """
    console = progress_console()
    if not progress_shown(console, quiet):
        yield lambda _label: None
        return
    with console.status(label, spinner="dots") as status:
        yield lambda text: status.update(text)
