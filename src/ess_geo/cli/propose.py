"""``ess-geo propose``: the most admissible ESS territories on the uncovered départements."""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from ess_geo.analysis.proposals import propose_territories
from ess_geo.cli._app import EXIT_NOT_ADMISSIBLE, EXIT_OK, EssGeoCommand
from ess_geo.cli._options import (
    cli_registry,
    derogation_option,
    echo_input_notes,
    no_embedded_supply_option,
    registry_options,
    specialty_option,
    supply_option,
)
from ess_geo.cli._progress import progress_fr
from ess_geo.render.geopackage import is_geopackage, write_geopackage

__all__ = ["propose_cmd"]


@click.command("propose", cls=EssGeoCommand)
@specialty_option
@click.option("--region", "-r", default=None, help="Code(s) région séparés par des virgules ; défaut : toutes les régions.")
@supply_option
@no_embedded_supply_option
@registry_options
@click.option("--objective", type=click.Choice(["compact", "balance", "max_count", "regional"]), default="compact",
              help="Départage entre partitions de même nombre : compacité (défaut) ou équilibre des effectifs ; "
              "« regional » : la région entière comme territoire unique, si elle est admissible.")
@click.option(
    "--across-regions",
    is_flag=True,
    help="Autoriser des territoires à cheval sur plusieurs régions (exige --derogation perimetre : la région est "
    "le maximum d'une ESS).",
)
@derogation_option
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (to_dict()).")
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False), default=None,
              help="GeoPackage (.gpkg) des territoires proposés : couche propositions.")
def propose_cmd(  # noqa: PLR0913 - click passes one keyword per option
    *,
    specialty: str,
    region: str | None,
    supply: str | None,
    no_embedded_supply: bool,
    registry: str | None,
    registry_only: str | None,
    as_of: date | None,
    objective: str,
    across_regions: bool,
    derogations: frozenset[str],
    as_json: bool,
    out: str | None,
) -> None:
    """Propose le plus grand nombre de territoires d'ESS admissibles (optimum exact).

    Code de sortie : 0 au moins un territoire proposé, 1 aucun ou indéterminé (effectifs majorants d'un
    groupe DREES regroupant plusieurs spécialités ; avec --objective regional : région non admissible,
    raisons affichées), 2 erreur de saisie.
    """
    if across_regions and "perimeter" not in derogations:
        raise click.UsageError(
            "--across-regions suppose une dérogation de périmètre : le territoire d'une ESS est « a minima "
            "départemental (avec une cible régionale possible) », la région en est le maximum ; ajouter "
            "--derogation perimetre pour l'étudier quand même (dérogation à faire valider par l'ARS)"
        )
    if out is not None and not is_geopackage(out):
        raise click.UsageError(f"--out {out!r} : extension .gpkg attendue (GeoPackage des territoires proposés)")
    if supply is None and no_embedded_supply:
        raise click.UsageError("--no-embedded-supply : effectifs requis pour proposer des territoires, indiquer --supply FICHIER")
    with progress_fr("Propositions : recherche de l'optimum"):
        result = propose_territories(
            # --supply (or the embedded counts) is loaded by propose_territories after the régions are checked
            specialty, region, supply, cli_registry(registry, registry_only),
            objective=objective, across_regions=across_regions, as_of=as_of, derogations=derogations,
        )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(result.summary_fr())
        echo_input_notes(result.supply)
    if out is not None:
        if result.n_territories:
            path = write_geopackage({"propositions": result.to_geodataframe()}, out)
            click.echo(f"GeoPackage écrit : {path} (couche : propositions)", err=as_json)
        else:
            click.echo(f"GeoPackage non écrit ({out}) : aucun territoire proposé.", err=True)
    sys.exit(EXIT_OK if result.n_territories and result.determined else EXIT_NOT_ADMISSIBLE)
