"""``ess-geo access``: E2SFCA access index to a specialty per commune, written to CSV."""

from __future__ import annotations

import click

from ess_geo._format import plural
from ess_geo._output import prepare_output_file
from ess_geo.analysis.access import access_index
from ess_geo.cli._app import EssGeoCommand
from ess_geo.cli._options import echo_input_notes, echo_sources, sep_option, specialty_option
from ess_geo.cli._progress import progress_fr
from ess_geo.inputs.load import load_supply
from ess_geo.render.tables import write_access_csv

__all__ = ["access_cmd"]


def _bands(text: str | None):
    if not text:
        return None
    try:
        return [tuple(float(x) for x in part.split(":")) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise click.BadParameter(f"bandes invalides : {text!r} (ex. 10:1,20:0.68,30:0.22)") from exc


@click.command("access", cls=EssGeoCommand)
@specialty_option
@click.option("--supply", type=click.Path(dir_okay=False), required=True,
              help="Effectifs par commune (extraction RPPS PS_LibreAcces_Personne_activite).")
@click.option("--departements", "-d", default=None, help="Limiter la sortie à ces départements (75,94).")
@click.option("--region", "-r", default=None, help="Limiter la sortie à une région (11).")
@click.option("--level", type=click.Choice(["commune", "departement", "region"]), default="commune",
              help="Niveau de sortie (au-dessus de la commune : moyenne pondérée par la population).")
@click.option("--bands", default=None,
              help="Bandes km:poids, ex. 10:1,20:0.68,30:0.22 (défaut Luo et Qi 2009) ; poids entre 0 exclu et 1, "
              "décroissants avec la distance.")
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True,
              help="Fichier CSV de sortie (.csv ; dossiers manquants créés).")
@sep_option
def access_cmd(*, specialty, supply, departements, region, level, bands, out, sep):
    """Calcule l'indice d'accessibilité E2SFCA à une spécialité et l'écrit en CSV.

    Code de sortie : 0 succès, 2 erreur de saisie (dont un fichier de sortie non .csv ou non inscriptible).
    """
    prepare_output_file(out, (".csv",))  # before the computation: a wrong extension fails at once
    kwargs = {}
    parsed = _bands(bands)
    if parsed is not None:
        kwargs["bands"] = parsed
    with progress_fr("Accessibilité : calcul E2SFCA") as step:
        sup = load_supply(supply)  # loaded here so its ignored lines are reported, as check does
        result = access_index(specialty, sup, level, departements=departements, region=region, **kwargs)
        step("Accessibilité : écriture")
        path = write_access_csv(result, out, sep=sep)
    click.echo(result.summary_fr())
    echo_input_notes(sup)
    n = len(result.table)
    click.echo(f"Écrit : {path} ({plural(n, 'ligne')})")
    echo_sources(result.sources)
