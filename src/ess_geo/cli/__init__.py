"""The ``ess-geo`` command line: a thin shell over the public API.

Each subcommand lives in its own module of this package and is registered below. Exit codes:
0 admissible / success, 1 not admissible or undetermined, 2 bad input (an :class:`EssGeoError`,
printed as one French line on stderr).
"""

from __future__ import annotations

import re
import sys
from typing import ClassVar

import click

from ess_geo.errors import EssGeoError

EXIT_OK = 0
EXIT_NOT_ADMISSIBLE = 1
EXIT_BAD_INPUT = 2


class _FrenchFormatter(click.HelpFormatter):
    """Help formatter with French headings (« Utilisation : », « Commandes »)."""

    _SECTIONS: ClassVar[dict[str, str]] = {"Options": "Options", "Commands": "Commandes", "Arguments": "Arguments"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args.replace("COMMAND", "COMMANDE"),
                            prefix="Utilisation : ")

    def section(self, name: str):
        return super().section(self._SECTIONS.get(name, name))


class _FrenchContext(click.Context):
    formatter_class = _FrenchFormatter


class _FrenchHelp:
    """Mixin giving the --help option a French description."""

    def get_help_option(self, ctx: click.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Affiche cette aide et quitte."
        return option


class _Command(_FrenchHelp, click.Command):
    """Subcommand with French help."""

    context_class = _FrenchContext


class _Group(_FrenchHelp, click.Group):
    """Click group turning library errors into one French line and exit code 2."""

    command_class = _Command
    context_class = _FrenchContext
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
    from ess_geo.cli import simulate as _simulate  # noqa: F401
    from ess_geo.cli import specialties as _specialties  # noqa: F401
    from ess_geo.cli import zip_cmd as _zip_cmd  # noqa: F401


#: click's English messages → French (regex on the message, replacement); first match wins.
_CLICK_FR: tuple[tuple[str, str], ...] = (
    (r"^(.+?) is not in the range (.+?)\.?$", r"\1 hors de l'intervalle autorisé (\2)"),
    (r"^'?(.+?)'? is not a valid integer( range)?\.?$", r"« \1 » n'est pas un nombre entier"),
    (r"^'?(.+?)'? is not a valid float( range)?\.?$", r"« \1 » n'est pas un nombre"),
    (r"^'?(.+?)'? is not one of (.+?)\.?$", r"« \1 » n'est pas l'une des valeurs permises : \2"),
    (r"^'?(.+?)'? is not a valid boolean\.?$", r"« \1 » n'est pas une valeur oui/non"),
    (r"^(?:File|Path|Directory) '(.+?)' is a directory\.?$", r"« \1 » est un dossier, pas un fichier"),
    (r"^(?:File|Path|Directory) '(.+?)' is a file\.?$", r"« \1 » est un fichier, pas un dossier"),
    (r"^(?:File|Path|Directory) '(.+?)' does not exist\.?$", r"« \1 » n'existe pas"),
    (r"^(?:File|Path|Directory) '(.+?)' is not readable\.?$", r"« \1 » n'est pas lisible"),
    (r"^(?:File|Path|Directory) '(.+?)' is not writable\.?$", r"« \1 » n'est pas accessible en écriture"),
    (r"^No such option:? '?([^'\s]+?)'?\.?(?:\s.*)?$", r"option inconnue : \1"),
    (r"^Missing option '(.+?)'(?: / '(.+?)')?\.?$", r"option obligatoire manquante : \1 / \2"),
    (r"^Missing argument '(.+?)'\.?$", r"argument obligatoire manquant : \1"),
    (r"^Option '(.+?)' requires an argument\.?$", r"l'option \1 attend une valeur"),
    (r"^No such command '(.+?)'\.?(?:\s.*)?$", r"commande inconnue : \1"),
    (r"^Got unexpected extra arguments? \((.+?)\)$", r"argument(s) en trop : \1"),
    (r"^Option '(.+?)' does not take a value\.?$", r"l'option \1 ne prend pas de valeur"),
)


def _french_usage(exc: click.exceptions.UsageError) -> str:
    """One French line for a click usage error (falls back to « option invalide : <original> »)."""
    bad_value = isinstance(exc, click.exceptions.BadParameter) and not isinstance(exc, click.exceptions.MissingParameter)
    raw = exc.message if bad_value else exc.format_message()
    raw = " ".join(str(raw).split())
    for pattern, repl in _CLICK_FR:
        if re.match(pattern, raw):
            text = re.sub(pattern, repl, raw).replace("' / '", " / ").removesuffix(" / ")
            text = text.replace("(x>=", "(≥ ").replace("(x<=", "(≤ ")
            possibilities = getattr(exc, "possibilities", None)
            if isinstance(exc, click.exceptions.NoSuchOption) and possibilities:
                text += " (vouliez-vous dire " + " ou ".join(sorted(possibilities)) + " ?)"
            break
    else:
        text = raw if _looks_french(raw) else f"option invalide : {raw}"
    if bad_value:
        hint = None
        if exc.param is not None and exc.ctx is not None:
            hint = " / ".join(exc.param.get_error_hint(exc.ctx).replace("'", "").split(" / "))
        elif exc.param_hint:
            hint = exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(exc.param_hint)
        if hint:
            text = f"valeur invalide pour {hint} : {text}"
    return text


def _looks_french(text: str) -> bool:
    """Whether a usage message was written in French by ess_geo itself."""
    return any(w in text for w in ("indiquer", "choisir", "é", "è", "à ", "attendu"))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ess-geo`` console script."""
    _register()
    try:
        cli.main(args=argv, prog_name="ess-geo", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # ``ess-geo data`` alone: show its help
        click.echo(exc.ctx.get_help())
        return EXIT_OK
    except click.exceptions.UsageError as exc:  # wrong option: bad input too, one French line
        path = exc.ctx.command_path if exc.ctx is not None else "ess-geo"
        click.echo(f"Erreur : {_french_usage(exc)} (aide : « {path} --help »)", err=True)
        return EXIT_BAD_INPUT
    except click.exceptions.Abort:
        click.echo("Interrompu.", err=True)
        return EXIT_BAD_INPUT
    except SystemExit as exc:
        return int(exc.code or 0)
    return EXIT_OK
