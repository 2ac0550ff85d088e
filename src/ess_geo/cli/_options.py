"""Options and output helpers shared by the commands (specialty, territory, supply, sources)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import click

from ess_geo.errors import InputDataError
from ess_geo.rules.derogations import DEROGATION_CLI, parse_derogations
from ess_geo.sources import Source

__all__ = [
    "departements_option",
    "derogation_option",
    "echo_sources",
    "region_option",
    "registry_option",
    "require_territory",
    "specialty_option",
    "supply_option",
    "territory_options",
]

F = TypeVar("F", bound=Callable[..., object])

specialty_option = click.option(
    "--specialty", "-s", required=True, help="Spécialité (identifiant, libellé ou alias : cardiologie, cardio, ORL...)."
)
departements_option = click.option(
    "--departements", "-d", default=None, help="Codes département séparés par des virgules (75,94 ; 2A,2B ; 971)."
)
region_option = click.option("--region", "-r", default=None, help="Code région : la région entière (11 = Île-de-France).")
supply_option = click.option(
    "--supply",
    type=click.Path(dir_okay=False),
    default=None,
    help="Fichier d'effectifs (table DREES par département × spécialité, ou extraction RPPS).",
)
registry_option = click.option(
    "--registry", type=click.Path(dir_okay=False), default=None, help="Registre des ESS existantes (CSV) ; défaut : registre embarqué."
)



def _derogations(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> frozenset[str]:
    """``--derogation`` values (repeated or comma lists) → derogation ids; a bad value is a usage error."""
    try:
        return parse_derogations(values)
    except InputDataError as exc:
        raise click.BadParameter(exc.fr, ctx=ctx, param=param) from None


derogation_option = click.option(
    "--derogation",
    "derogations",
    multiple=True,
    callback=_derogations,
    metavar="|".join(DEROGATION_CLI.values()),
    help="Dérogation supposée, à faire valider par l'ARS : " + ", ".join(DEROGATION_CLI.values())
    + " (répétable, ou liste séparée par des virgules) ; le critère non conforme devient « à vérifier ».",
)


def territory_options(func: F) -> F:
    """Decorate a command with --specialty, --departements, --region, --supply and --registry."""
    for option in reversed((specialty_option, departements_option, region_option, supply_option, registry_option)):
        func = option(func)
    return func


def require_territory(departements: str | None, region: str | None) -> None:
    """Fail as a usage error (exit 2) unless exactly one of --departements and --region is given."""
    if not departements and not region:
        raise click.UsageError("indiquer --departements (ex. 75,94) ou --region (ex. 11)")
    if departements and region:
        raise click.UsageError(
            f"choisir --departements ({departements}) ou --region ({region}), pas les deux : "
            "une région entière s'indique seule avec --region"
        )


def echo_sources(sources: Iterable[Source]) -> None:
    """« Sources : » then one line per source (its label: name, vintage, licence), duplicates once."""
    seen: list[str] = []
    for source in sources:
        label = source.label()
        if label not in seen:
            seen.append(label)
    if seen:
        click.echo("Sources :")
        for label in seen:
            click.echo(f" - {label}")
