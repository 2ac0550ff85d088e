"""``ess-geo map``: committee map of a proposed ESS territory, or an ESS coverage map."""

from __future__ import annotations

from pathlib import Path

import click

from ess_geo._output import prepare_output_file
from ess_geo.analysis.coverage import coverage_table
from ess_geo.analysis.outreach import flag_zip, rank_outreach_sites
from ess_geo.cli._app import EssGeoCommand
from ess_geo.cli._options import (
    check_from_options,
    check_options,
    cli_registry,
    echo_input_notes,
    echo_sources,
    resolve_supply,
)
from ess_geo.cli._progress import progress_fr
from ess_geo.inputs._limits import size_fr
from ess_geo.inputs.zonage import load_zonage
from ess_geo.reference.specialties import get_specialty
from ess_geo.render.geopackage import GPKG_SUFFIX, check_layers, write_geopackage
from ess_geo.render.html_map import SPEC_ATTRIBUTE, make_coverage_map, make_territory_map, save_map

__all__ = ["map_cmd"]


@click.command("map", cls=EssGeoCommand)
@check_options
@click.option("--zonage", "-z", type=click.Path(dir_okay=False), default=None, help="Zonage des médecins : communes ZIP/ZAC et sites de consultations avancées.")
@click.option("--sites", type=click.IntRange(min=0), default=5, show_default=True, help="Nombre de sites de consultations avancées (avec --zonage ; classés seulement avec une extraction RPPS par commune).")
@click.option("--coverage", is_flag=True, help="Carte de couverture en ESS de la spécialité (France entière, ou la région de --region).")
@click.option("--tiles", is_flag=True, help="Ajouter un fond de carte OpenStreetMap (nécessite Internet ; sans fond par défaut).")
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False), help="Fichier de sortie : .html, .png ou .pdf ; .gpkg : les couches du territoire (territoire, departements, communes_zip, sites) pour un SIG.")
def map_cmd(  # noqa: PLR0913 - click passes one keyword per option
    *, specialty, departements, region, supply, registry, registry_only, as_of, no_embedded_supply, adherents, finess,
    derogations, zonage, sites, coverage, tiles, out
):
    """Carte d'un projet d'ESS (ou de la couverture en ESS) pour un comité.

    -s cardiologie,nephrologie : carte d'une ESS pluri-spécialités (sans --coverage). La carte d'un territoire
    reprend le verdict de « ess-geo check » avec les mêmes options (--adherents, --finess, --derogation...).
    Le fichier HTML s'ouvre hors ligne ; PNG et PDF sont prêts à imprimer ; .gpkg donne les couches pour un SIG.
    Code de sortie : 0 carte écrite, 2 erreur de saisie.
    """
    params = click.get_current_context().params
    suffix = _checked_arguments(params)
    prepare_output_file(out)  # missing folders created, unwritable path refused before any computation
    if tiles and suffix != ".html":
        click.echo(
            f"Note : --tiles ignoré pour {suffix} : le fond de carte OpenStreetMap ne s'ajoute qu'aux cartes HTML.",
            err=True,
        )
    with progress_fr("Carte : vérification du territoire") as step:
        if coverage:
            step("Carte : couverture en ESS")
            table = coverage_table(
                region or None, [specialty], resolve_supply(supply, no_embedded_supply),
                cli_registry(registry, registry_only), as_of=as_of,
            )
            step("Carte : dessin")
            fmap = make_coverage_map(table, specialty, tiles=tiles)
        else:
            result = check_from_options(params)  # exactly what ess-geo check decides
            zon = load_zonage(zonage) if zonage else None  # loaded here so its ignored lines are reported
            zip_result = None
            if zon is not None:
                step("Carte : communes ZIP")
                zip_result = flag_zip(result, result.specialty or specialty, result.supply, zon)  # the first specialty
                if sites:
                    zip_result = rank_outreach_sites(zip_result, k=sites)
            if suffix == GPKG_SUFFIX:
                step("GeoPackage : écriture")
                layers = check_layers(result, zip_result)
                path = write_geopackage(layers, out)
                names = ", ".join(name for name, frame in layers.items() if frame is not None and len(frame))
                click.echo(f"GeoPackage écrit : {path} (couches : {names})")
                echo_input_notes(result.supply, result.finess, zon)
                return
            step("Carte : dessin")
            fmap = make_territory_map(result, zip_result=zip_result, registry=result.registry, tiles=tiles)
        step(f"Carte : écriture {suffix}")
        path = save_map(fmap, out)
    click.echo(f"Carte écrite : {path} ({size_fr(path.stat().st_size)})")
    if not coverage:
        echo_input_notes(result.supply, result.finess, zon)
    spec = getattr(fmap, SPEC_ATTRIBUTE, None)
    echo_sources(getattr(spec, "sources", None) or [])


def _checked_arguments(params: dict) -> str:
    """Usage errors (exit 2) before any computation; the output suffix."""
    specialty, out, coverage, zonage = params["specialty"], params["out"], params["coverage"], params["zonage"]
    # a refused specialty (pathology, general practice...) gets no map: NotEssSpecialtyError, exit 2
    names = [s for s in specialty.split(",") if s.strip()] or [specialty]
    for name in names:
        get_specialty(name.strip() if len(names) > 1 else name)
    if coverage and len(names) > 1:
        raise click.UsageError(
            f"--coverage : une seule spécialité (« {specialty} ») ; la couverture se lit spécialité par spécialité"
        )
    suffix = Path(out).suffix.lower()
    if suffix not in (".html", ".png", ".pdf", GPKG_SUFFIX):
        raise click.UsageError(f"--out {out!r} : extension .html, .png, .pdf ou .gpkg attendue")
    if coverage and suffix == GPKG_SUFFIX:
        raise click.UsageError(f"--out {out!r} : le GeoPackage s'écrit pour un territoire (sans --coverage)")
    if coverage and zonage:
        raise click.UsageError(
            f"--zonage {zonage!r} : le zonage n'est pas dessiné sur une carte de couverture (--coverage) ; "
            "retirer --zonage, ou retirer --coverage pour la carte d'un territoire avec ses communes ZIP"
        )
    if coverage and (params["adherents"] is not None or params["finess"]):
        raise click.UsageError(
            "--adherents et --finess décident des critères d'un territoire : ils ne s'appliquent pas à une carte de "
            "couverture (--coverage)"
        )
    if coverage and params["departements"]:
        raise click.UsageError("--coverage se combine avec --region (ou rien : France entière), pas --departements")
    return suffix
