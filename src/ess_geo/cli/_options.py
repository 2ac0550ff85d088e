"""Options and output helpers shared by the commands (specialty, territory, supply, sources)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import click

from ess_geo.inputs.embedded import load_embedded_supply
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.supply import Supply
from ess_geo.sources import Source

__all__ = [
    "departements_option",
    "echo_sources",
    "no_embedded_supply_option",
    "region_option",
    "registry_option",
    "require_territory",
    "resolve_supply",
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
no_embedded_supply_option = click.option(
    "--no-embedded-supply",
    "no_embedded_supply",
    is_flag=True,
    help="Sans --supply, n'utiliser aucun effectif (ni les effectifs embarqués DREES 2022 et CNAM 2018) : "
    "seuil et adhérents indéterminés.",
)
registry_option = click.option(
    "--registry", type=click.Path(dir_okay=False), default=None, help="Registre des ESS existantes (CSV) ; défaut : registre embarqué."
)


def territory_options(func: F) -> F:
    """Decorate a command with --specialty, --departements, --region, --supply and --registry."""
    for option in reversed((specialty_option, departements_option, region_option, supply_option, registry_option)):
        func = option(func)
    return func


def resolve_supply(supply: str | None, no_embedded_supply: bool) -> Supply | None:
    """The supply a command uses: the file of --supply, else the embedded one unless --no-embedded-supply."""
    if supply:
        return as_supply(supply)
    return None if no_embedded_supply else load_embedded_supply()


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
