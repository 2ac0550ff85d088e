"""``ess-geo check``: is a proposed ESS territory admissible?"""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from ess_geo.cli._app import EXIT_NOT_ADMISSIBLE, EXIT_OK, EssGeoCommand
from ess_geo.cli._options import check_from_options, check_options, echo_input_notes
from ess_geo.render.geopackage import check_layers, is_geopackage, write_geopackage

__all__ = ["check_cmd"]


@click.command("check", cls=EssGeoCommand)
@check_options
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (to_dict()).")
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False), default=None,
              help="GeoPackage (.gpkg) du territoire : couches territoire (verdict, chiffres clés) et departements.")
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
    out: str | None,
    exit_zero: bool,
) -> None:
    """Vérifie qu'un territoire peut accueillir une ESS de la spécialité.

    Plusieurs spécialités séparées par des virgules (-s cardiologie,nephrologie) : chaque règle est
    vérifiée pour chacune et en tout (ESS pluri-spécialités, logique médicale à justifier).

    Code de sortie : 0 admissible, 1 non admissible ou indéterminé, 2 erreur de saisie
    (avec --exit-zero : 0 quel que soit le verdict).
    """
    if out is not None and not is_geopackage(out):
        raise click.UsageError(f"--out {out!r} : extension .gpkg attendue (GeoPackage du territoire)")
    result = check_from_options(click.get_current_context().params)
    path = write_geopackage(check_layers(result), out) if out is not None else None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(result.summary_fr())
        echo_input_notes(result.supply, result.finess)
    if path is not None:  # stdout stays pure JSON with --json
        click.echo(f"GeoPackage écrit : {path} (couches : territoire, departements)", err=as_json)
    sys.exit(EXIT_OK if result.admissible or exit_zero else EXIT_NOT_ADMISSIBLE)
