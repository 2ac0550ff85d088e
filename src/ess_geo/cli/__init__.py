"""The ``ess-geo`` command line: a thin shell over the public API.

One module per command (``check``, ``map``, ``zip``...), each defining its click command at module
level. :data:`COMMANDS` names where each lives; the group imports a command's module only when that
command is called, so ``ess-geo --version`` and ``ess-geo --help`` load no command (``--help`` lists
the one-line :data:`SUMMARIES`, kept equal to the commands' docstrings by a test) and a command loads
only what it needs. Exit codes and French messages: :mod:`ess_geo.cli._app`.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

import click

from ess_geo.cli._app import (
    EXIT_BAD_INPUT,
    EXIT_NOT_ADMISSIBLE,
    EXIT_OK,
    EssGeoGroup,
    french_usage,
    shorten_long_values,
    show_cache_notices,
)

__all__ = ["COMMANDS", "EXIT_BAD_INPUT", "EXIT_NOT_ADMISSIBLE", "EXIT_OK", "PROCESS_ENVIRONMENT", "SUMMARIES", "LazyGroup", "cli",
           "main", "run"]

#: Command name → ``"module:attribute"`` of its click command.
COMMANDS: dict[str, str] = {
    "access": "ess_geo.cli.access:access_cmd",
    "check": "ess_geo.cli.check:check_cmd",
    "compare": "ess_geo.cli.compare:compare_cmd",
    "data": "ess_geo.cli.data:data_group",
    "dossier": "ess_geo.cli.dossier:dossier_cmd",
    "map": "ess_geo.cli.map_cmd:map_cmd",
    "propose": "ess_geo.cli.propose:propose_cmd",
    "report": "ess_geo.cli.report:report_cmd",
    "simulate": "ess_geo.cli.simulate:simulate_cmd",
    "specialties": "ess_geo.cli.specialties:specialties_cmd",
    "zip": "ess_geo.cli.zip_cmd:zip_cmd",
}
#: Command name → first paragraph of its docstring, listed by ``ess-geo --help`` without importing
#: every command (which would load folium, matplotlib and rich: ~2 s).
SUMMARIES: dict[str, str] = {
    "access": "Calcule l'indice d'accessibilité E2SFCA à une spécialité et l'écrit en CSV.",
    "check": "Vérifie qu'un territoire peut accueillir une ESS de la spécialité.",
    "compare": "Compare des territoires candidats côte à côte : verdict, effectifs, adhérents, population, ZIP, financement.",
    "data": "Jeux de données officiels : téléchargement et cache (ESS_GEO_CACHE).",
    "dossier": "Dossier pour le comité : verdict, effectifs, adhérents, financement, zonage, ESS voisines et carte.",
    "map": "Carte d'un projet d'ESS (ou de la couverture en ESS) pour un comité.",
    "propose": "Propose le plus grand nombre de territoires d'ESS admissibles (optimum exact).",
    "report": "Rapport de couverture par les ESS : toutes les spécialités × départements d'une région (ou de toutes).",
    "simulate": "Suit les adhérents sur 5 ans : trajectoire linéaire de 10 % à 50 % et financement indicatif.",
    "specialties": "Liste les spécialités d'ESS (identifiant, libellé, groupe DREES).",
    "zip": "Communes ZIP dépourvues d'une spécialité et sites de consultations avancées classés.",
}


class LazyGroup(EssGeoGroup):
    """A group importing each command's module on first use (click's documented "LazyGroup").

    Parameters
    ----------
    lazy_commands : mapping of str to str, optional
        Command name → ``"module:attribute"`` of a :class:`click.Command`.
    summaries : mapping of str to str, optional
        Command name → its help's first paragraph, shown by ``--help`` instead of importing it.
    """

    def __init__(
        self,
        *args: Any,
        lazy_commands: Mapping[str, str] | None = None,
        summaries: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})
        self.summaries = dict(summaries or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            return self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands as click does, taking a lazy command's short help from its summary."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._short_help(ctx, name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, ctx: click.Context, name: str, limit: int) -> str:
        if name in self.summaries and name not in self.commands:
            # click's own wording rules, without importing the command (make_default_short_help is deprecated)
            return click.Command(name, help=self.summaries[name]).get_short_help_str(limit)
        command = self.get_command(ctx, name)
        return command.get_short_help_str(limit) if command is not None else ""

    def _load(self, cmd_name: str) -> click.Command:
        module_name, attribute = self.lazy_commands[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy_commands[cmd_name]} is a {type(command).__name__}, not a click command")
        return command


@click.group(
    cls=LazyGroup, lazy_commands=COMMANDS, summaries=SUMMARIES, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="ess-geo", help="Affiche la version et quitte.")
def cli() -> None:
    """ess-geo : vérifier, cartographier et planifier les Équipes de Soins Spécialisés (ESS)."""


#: Environment the ``ess-geo`` process gives itself before pyarrow is loaded, unless the user set it.
#: pyarrow's allocator (mimalloc) asks the kernel for transparent huge pages; where THP "defrag" is
#: "madvise" (a common default), faulting one in may compact memory on the spot: 10-30 ms stalls of
#: an RPPS read, whose first read took x0.93-0.95 the time without them (benchmarks/bench_parse_cache.py).
#: Only the command line sets it, a process of its own: library code never changes the caller's process.
PROCESS_ENVIRONMENT = {"MIMALLOC_ALLOW_THP": "0"}


def run() -> None:
    """Console script ``ess-geo`` and ``python -m ess_geo``: :func:`main`, then a fast process exit.

    Once a command has returned, every file it wrote is complete and closed (atomic writes), so the
    process ends with :func:`os._exit` after flushing stdout, stderr and the logging handlers,
    instead of freeing a map's or an RPPS table's millions of objects one by one at interpreter
    shutdown (0.1-0.4 s of every ``map``, ``zip`` or RPPS ``check``: issue 14). Library code,
    notebooks and tests call :func:`main`, which returns the exit code and never ends the process.
    Before it, the process gets :data:`PROCESS_ENVIRONMENT` (a variable the user set is kept).
    """
    for name, value in PROCESS_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (``| head``) loses nothing more
            stream.flush()
    logging.shutdown()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ess-geo`` console script: run the command, return its exit code."""
    show_cache_notices()
    try:
        cli.main(args=argv, prog_name="ess-geo", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # ``ess-geo data`` alone: show its help
        click.echo(exc.ctx.get_help())
        return EXIT_OK
    except click.exceptions.UsageError as exc:  # wrong option: bad input too, one French line
        path = exc.ctx.command_path if exc.ctx is not None else "ess-geo"
        click.echo(f"Erreur : {shorten_long_values(french_usage(exc))} (aide : « {path} --help »)", err=True)
        return EXIT_BAD_INPUT
    except click.exceptions.Abort:
        click.echo("Interrompu.", err=True)
        return EXIT_BAD_INPUT
    except SystemExit as exc:
        return int(exc.code or 0)
    return EXIT_OK
