"""The ``ess-geo`` command line: a thin shell over the public API.

Each subcommand lives in its own module of this package and is registered below. Exit codes:
0 admissible / success, 1 not admissible or undetermined, 2 bad input (an :class:`EssGeoError`,
printed as one French line on stderr).
"""

from __future__ import annotations

import sys

import click

from ess_geo.errors import EssGeoError

EXIT_OK = 0
EXIT_NOT_ADMISSIBLE = 1
EXIT_BAD_INPUT = 2


class _FrenchHelp:
    """Mixin giving the --help option a French description."""

    def get_help_option(self, ctx: click.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Affiche cette aide et quitte."
        return option


class _Command(_FrenchHelp, click.Command):
    """Subcommand with French help."""


class _Group(_FrenchHelp, click.Group):
    """Click group turning library errors into one French line and exit code 2."""

    command_class = _Command
    group_class = type  # subgroups (``ess-geo data``) behave the same

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except EssGeoError as exc:
            click.echo(f"Erreur : {exc.fr}", err=True)
            sys.exit(EXIT_BAD_INPUT)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ess-geo", help="Affiche la version et quitte.")
def cli() -> None:
    """ess-geo : vérifier, cartographier et planifier les Équipes de Soins Spécialisés (ESS)."""


def _register() -> None:
    # Each module adds its command to ``cli`` when imported.
    from ess_geo.cli import access as _access  # noqa: F401
    from ess_geo.cli import check as _check  # noqa: F401
    from ess_geo.cli import data as _data  # noqa: F401
    from ess_geo.cli import map_cmd as _map_cmd  # noqa: F401
    from ess_geo.cli import propose as _propose  # noqa: F401
    from ess_geo.cli import report as _report  # noqa: F401
    from ess_geo.cli import specialties as _specialties  # noqa: F401
    from ess_geo.cli import zip_cmd as _zip_cmd  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ess-geo`` console script."""
    _register()
    try:
        cli.main(args=argv, prog_name="ess-geo", standalone_mode=False)
    except click.exceptions.UsageError as exc:  # wrong option: bad input too
        exc.show()
        return EXIT_BAD_INPUT
    except click.exceptions.Abort:
        click.echo("Interrompu.", err=True)
        return EXIT_BAD_INPUT
    except SystemExit as exc:
        return int(exc.code or 0)
    return EXIT_OK
