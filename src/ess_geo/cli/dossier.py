"""``ess-geo dossier``: one file (PDF or HTML) for the committee, with the verdict, the figures and the map."""

from __future__ import annotations

import click

from ess_geo._output import atomic_write_bytes, prepare_output_file
from ess_geo.analysis.outreach import flag_zip
from ess_geo.analysis.territory_figures import territory_figures
from ess_geo.cli._app import EssGeoCommand
from ess_geo.cli._options import check_from_options, check_options, echo_input_notes
from ess_geo.cli._progress import progress_fr
from ess_geo.inputs.zonage import load_zonage
from ess_geo.render.dossier_content import dossier_blocks, dossier_title
from ess_geo.render.dossier_html import render_dossier_html
from ess_geo.render.dossier_pdf import render_dossier_pdf
from ess_geo.render.territory_spec import territory_map_spec

__all__ = ["dossier_cmd"]


@click.command("dossier", cls=EssGeoCommand)
@check_options
@click.option("--zonage", "-z", type=click.Path(dir_okay=False), default=None,
              help="Zonage des médecins : communes ZIP et leur population (dessinées sur la carte).")
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False),
              help="Fichier de sortie : .pdf (2 à 4 pages) ou .html (page autonome).")
def dossier_cmd(  # noqa: PLR0913 - click passes one keyword per option
    *, specialty, departements, region, supply, registry, registry_only, as_of, no_embedded_supply, adherents, zonage,
    finess, derogations, out
):
    """Dossier pour le comité : verdict, effectifs, adhérents, financement, zonage, ESS voisines et carte.

    Un seul fichier en français (PDF ou HTML) : chaque verdict et chaque chiffre est celui que
    donne « ess-geo check » avec les mêmes options.
    Code de sortie : 0 dossier écrit, 2 erreur de saisie.
    """
    path = prepare_output_file(out, (".pdf", ".html"))
    with progress_fr("Dossier : vérification du territoire") as step:  # 3 to 6 s: stderr, terminals only
        result = check_from_options(click.get_current_context().params)
        zip_result = None
        zon = load_zonage(zonage) if zonage else None  # loaded here so its ignored lines are reported
        if zon is not None and result.specialty is not None:
            step("Dossier : zonage et communes ZIP")
            zip_result = flag_zip(result, result.specialty, result.supply, zon)  # the first specialty
        figures = territory_figures(result, zip_result=zip_result)
        step("Dossier : carte")
        spec = territory_map_spec(result, zip_result=zip_result)
        blocks = dossier_blocks(figures, zip_result.sources if zip_result is not None else [])
        title = dossier_title(figures)
        step("Dossier : mise en page")
        if path.suffix.lower() == ".pdf":
            data = render_dossier_pdf(blocks, spec, produced_on=figures.produced_on, footer=title)
        else:
            data = render_dossier_html(blocks, spec, produced_on=figures.produced_on, title=title)
    atomic_write_bytes(path, data)  # an OS error is already one French line naming the path
    click.echo(f"Dossier écrit : {path} — verdict : {result.verdict_fr}")
    echo_input_notes(result.supply, result.finess, zon)
