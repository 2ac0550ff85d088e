"""``ess-geo propose``: the most admissible ESS territories on the uncovered départements."""

from __future__ import annotations

import json
import sys

import click

from ess_geo.analysis.proposals import propose_territories
from ess_geo.cli._app import EXIT_NOT_ADMISSIBLE, EXIT_OK, EssGeoCommand
from ess_geo.cli._options import (
    no_embedded_supply_option,
    registry_option,
    resolve_supply,
    specialty_option,
    supply_option,
)

__all__ = ["propose_cmd"]


@click.command("propose", cls=EssGeoCommand)
@specialty_option
@click.option("--region", "-r", default=None, help="Code(s) région séparés par des virgules ; défaut : toutes les régions.")
@supply_option
@no_embedded_supply_option
@registry_option
@click.option("--objective", type=click.Choice(["compact", "balance", "max_count"]), default="compact",
              help="Départage entre partitions de même nombre : compacité (défaut) ou équilibre des effectifs.")
@click.option("--across-regions", is_flag=True, help="Autoriser des territoires à cheval sur plusieurs régions.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (to_dict()).")
def propose_cmd(
    *,
    specialty: str,
    region: str | None,
    supply: str | None,
    no_embedded_supply: bool,
    registry: str | None,
    objective: str,
    across_regions: bool,
    as_json: bool,
) -> None:
    """Propose le plus grand nombre de territoires d'ESS admissibles (optimum exact).

    Code de sortie : 0 au moins un territoire proposé, 1 aucun ou indéterminé (effectifs majorants d'un
    groupe DREES regroupant plusieurs spécialités), 2 erreur de saisie.
    """
    result = propose_territories(
        specialty, region, supply or resolve_supply(None, no_embedded_supply), registry, objective=objective, across_regions=across_regions
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(result.summary_fr())
    sys.exit(EXIT_OK if result.n_territories and result.determined else EXIT_NOT_ADMISSIBLE)
