"""What every command shares: exit codes, French help and French errors.

A command module defines its click command at module level with ``cls=EssGeoCommand`` (a
subgroup with ``cls=EssGeoGroup``) and imports what it needs at its top; ``ess_geo.cli`` loads the
module only when the command is called, so this module imports no command (no import cycle).
Exit codes: 0 admissible / success, 1 not admissible or undetermined, 2 bad input (an
:class:`~ess_geo.errors.EssGeoError` or a click usage error, printed as one French line on stderr).
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, ClassVar

import click

from ess_geo.errors import EssGeoError
from ess_geo.inputs._limits import shorten

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_NOT_ADMISSIBLE",
    "EXIT_OK",
    "EssGeoCommand",
    "EssGeoGroup",
    "FrenchContext",
    "FrenchFormatter",
    "french_help_text",
    "french_usage",
    "shorten_long_values",
    "show_cache_notices",
]

EXIT_OK = 0
EXIT_NOT_ADMISSIBLE = 1
EXIT_BAD_INPUT = 2

#: Help text of ``-h/--help`` on every command.
_HELP_FR = "Affiche cette aide et quitte."


#: click's metavars and usage words → French (whole words).
_METAVARS_FR: tuple[tuple[str, str], ...] = (
    ("INTEGER RANGE", "ENTIER"), ("FLOAT RANGE", "NOMBRE"), ("INTEGER", "ENTIER"), ("FLOAT", "NOMBRE"),
    ("TEXT", "TEXTE"), ("FILE", "FICHIER"), ("DIRECTORY", "DOSSIER"), ("PATH", "CHEMIN"), ("BOOLEAN", "OUI/NON"),
    ("COMMAND", "COMMANDE"), ("ARGS", "ARGUMENTS"),
)
#: Inside click's « [default: 5; x>=0; required] » brackets.
_EXTRA_FR: tuple[tuple[str, str], ...] = (
    (r"\bdefault: ", "défaut : "),
    (r"\brequired\b", "obligatoire"),
    (r"\benv var: ", "variable d'environnement : "),
    (r"(\d)(<=|<)x(<=|<)(\d)", r"\1 \2 x \3 \4"),
    (r"(?<![\w.])x(>=|<=|>|<)", r"\1 "),
    (r">=", "≥"),
    (r"<=", "≤"),
    (r"\s*;\s*", " ; "),
)


def _extra_fr(match: re.Match[str]) -> str:
    text = match.group(1)
    for pattern, repl in _EXTRA_FR:
        text = re.sub(pattern, repl, text)
    return f"[{text}]"


def french_help_text(text: str) -> str:
    """click's English help words (``[required]``, ``[default: 5; x>=0]``, ``TEXT``, ``FILE``...) in French."""
    for word, fr in _METAVARS_FR:
        text = re.sub(rf"\b{word}\b", fr, text)
    return re.sub(r"\[((?:default: |required|env var: |x[<>]=?|\d+<=?x)[^\]]*)\]", _extra_fr, text)


class FrenchFormatter(click.HelpFormatter):
    """Help formatter in French: « Utilisation : », « Options : », « [obligatoire] », « [défaut : …] »."""

    _SECTIONS: ClassVar[dict[str, str]] = {"Options": "Options", "Commands": "Commandes", "Arguments": "Arguments"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, french_help_text(args), prefix="Utilisation : ")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading} :\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(french_help_text(term), french_help_text(text)) for term, text in rows]
        super().write_dl(rows, col_max=col_max, col_spacing=col_spacing)

    def section(self, name: str) -> Any:
        return super().section(self._SECTIONS.get(name, name))


class FrenchContext(click.Context):
    """Context formatting help with :class:`FrenchFormatter`."""

    formatter_class = FrenchFormatter


def _french_help(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = _HELP_FR
    return option


class EssGeoCommand(click.Command):
    """A command with French help (``@click.command("name", cls=EssGeoCommand)``)."""

    context_class = FrenchContext

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _french_help(super().get_help_option(ctx))


class EssGeoGroup(click.Group):
    """A group with French help, turning library errors into one French line and exit code 2."""

    command_class = EssGeoCommand
    context_class = FrenchContext
    group_class = type  # subgroups (``ess-geo data``) behave the same

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _french_help(super().get_help_option(ctx))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EssGeoError as exc:
            click.echo(f"Erreur : {shorten_long_values(exc.fr)}", err=True)
            sys.exit(EXIT_BAD_INPUT)


#: Logger of the parse cache (:data:`ess_geo.inputs.parse_cache.LOGGER_NAME`; named here so that the CLI
#: start-up does not import pandas).
CACHE_LOGGER = "ess_geo.cache"


class _NoticeHandler(logging.Handler):
    """Shows the parse cache's French notices on stderr (« Cache : ... »), as the command runs."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"Cache : {record.getMessage()}", err=True)


def show_cache_notices() -> None:
    """Print the parse cache's INFO notices (built / reused / rebuilt) on stderr; idempotent."""
    logger = logging.getLogger(CACHE_LOGGER)
    if not any(isinstance(h, _NoticeHandler) for h in logger.handlers):
        logger.addHandler(_NoticeHandler(logging.INFO))
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)


#: Longest run of non-blank characters an error line quotes whole (a code, a file path, a URL fit).
_LONGEST_VALUE = 200


def shorten_long_values(text: str) -> str:
    """``text`` with every run of more than 200 non-blank characters cut with « … ».

    A value typed by a user (``-s`` of 100,000 characters) is quoted by the error line once,
    shortened by :func:`ess_geo.inputs._limits.shorten` (the one helper): one readable line on stderr,
    never the whole value (issue 15.5).
    """
    return re.sub(rf"\S{{{_LONGEST_VALUE + 1},}}", lambda m: shorten(m.group(0), _LONGEST_VALUE), text)


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


def french_usage(exc: click.exceptions.UsageError) -> str:
    """One French line for a click usage error (falls back to « option invalide : <original> »)."""
    bad_value = exc if isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter) else None
    raw = " ".join(str(exc.message if bad_value is not None else exc.format_message()).split())
    for pattern, repl in _CLICK_FR:
        if re.match(pattern, raw):
            text = re.sub(pattern, repl, raw).replace("' / '", " / ").removesuffix(" / ")
            text = text.replace("(x>=", "(≥ ").replace("(x<=", "(≤ ")
            if isinstance(exc, click.NoSuchOption) and exc.possibilities:
                text += " (vouliez-vous dire " + " ou ".join(sorted(exc.possibilities)) + " ?)"
            break
    else:
        text = raw if _looks_french(raw) else f"option invalide : {raw}"
    hint = _param_hint(bad_value) if bad_value is not None else None
    return f"valeur invalide pour {hint} : {text}" if hint else text


def _param_hint(exc: click.BadParameter) -> str | None:
    """The option a bad value was given to (``--adherents / -a``), without quotes."""
    if exc.param is not None and exc.ctx is not None:
        return " / ".join(exc.param.get_error_hint(exc.ctx).replace("'", "").split(" / "))
    if exc.param_hint:
        return exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(exc.param_hint)
    return None


def _looks_french(text: str) -> bool:
    """Whether a usage message was written in French by ess_geo itself."""
    return any(w in text for w in ("indiquer", "choisir", "é", "è", "à ", "attendu"))
