"""``ess-geo check``: is a proposed ESS territory admissible?"""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from ess_geo.cli._app import EXIT_NOT_ADMISSIBLE, EXIT_OK, EssGeoCommand
from ess_geo.cli._options import (
    cli_registry,
    derogation_option,
    no_embedded_supply_option,
    parse_adherents_option,
    require_territory,
    territory_options,
)
from ess_geo.rules.territory import check_territory

__all__ = ["check_cmd"]


@click.command("check", cls=EssGeoCommand)
@territory_options
@no_embedded_supply_option
@click.option(
    "--adherents",
    "-a",
    callback=parse_adherents_option,
    default=None,
    help="Nombre de spécialistes adhérents au départ ; pour une ESS pluri-spécialités, le total ou un nombre par "
    "spécialité dans l'ordre de --specialty (20,3).",
)
@click.option(
    "--finess",
    type=click.Path(dir_okay=False),
    default=None,
    help="Extraction FINESS etalab-cs1100507 (ess-geo data fetch finess) : ESS inconnues du registre à vérifier, "
    "CPTS, DAC et hôpitaux du territoire à titre d'information.",
)
@derogation_option
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (to_dict()).")
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Sortir avec le code 0 quel que soit le verdict (seules les erreurs de saisie donnent 2).",
)
def check_cmd(  # noqa: PLR0913 - click passes one keyword per option
    *,
    specialty: str,
    departements: str | None,
    region: str | None,
    supply: str | None,
    registry: str | None,
    registry_only: str | None,
    as_of: date | None,
    no_embedded_supply: bool,
    adherents: int | tuple[int, ...] | None,
    finess: str | None,
    derogations: frozenset[str],
    as_json: bool,
    exit_zero: bool,
) -> None:
    """Vérifie qu'un territoire peut accueillir une ESS de la spécialité.

    Plusieurs spécialités séparées par des virgules (-s cardiologie,nephrologie) : chaque règle est
    vérifiée pour chacune et en tout (ESS pluri-spécialités, logique médicale à justifier).

    Code de sortie : 0 admissible, 1 non admissible ou indéterminé, 2 erreur de saisie
    (avec --exit-zero : 0 quel que soit le verdict).
    """
    require_territory(departements, region)
    result = check_territory(
        specialty, departements=departements, region=region, adherents=adherents, supply=supply,
        registry=cli_registry(registry, registry_only), as_of=as_of, finess=finess, derogations=derogations,
        embedded_supply=not no_embedded_supply,
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(result.summary_fr())
        if result.supply is not None and result.supply.dropped:
            click.echo(f"Fichier d'effectifs : {result.supply.dropped.summary_fr()}")
        if result.supply is not None and result.supply.absent_reasons:
            click.echo(f"Fichier d'effectifs : {result.supply.absent_fr()}")
        if result.finess is not None and result.finess.dropped:
            click.echo(f"Fichier FINESS : {result.finess.dropped.summary_fr()}")
    sys.exit(EXIT_OK if result.admissible or exit_zero else EXIT_NOT_ADMISSIBLE)
