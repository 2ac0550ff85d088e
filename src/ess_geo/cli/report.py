"""``ess-geo report``: coverage reports (HTML, XLSX, CSV) for one région or all of them."""

from __future__ import annotations

import sys
import time

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ess_geo._format import agreed, plural
from ess_geo.analysis.coverage import default_specialties
from ess_geo.cli._app import EXIT_OK, EssGeoCommand
from ess_geo.cli._options import (
    cli_registry,
    echo_input_notes,
    echo_sources,
    no_embedded_supply_option,
    registry_options,
    resolve_supply,
    sep_option,
    supply_option,
)
from ess_geo.cli._progress import progress_console, progress_shown
from ess_geo.inputs.registry import as_registry
from ess_geo.reference.codes import resolve_regions
from ess_geo.reference.specialties import get_specialty
from ess_geo.render.reports import check_formats, write_coverage_report

__all__ = ["report_cmd"]


@click.command("report", cls=EssGeoCommand)
@click.option("--region", "-r", default="all", show_default=True, help="Code région (11 = Île-de-France) ou « all » pour toutes.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Dossier de sortie.")
@click.option("--specialties", "-s", default=None, help="Spécialités séparées par des virgules, chacune traitée séparément (pas d'ESS pluri-spécialités : voir check) ; défaut : celles du fichier d'effectifs.")
@supply_option
@no_embedded_supply_option
@registry_options
@click.option("--zonage", type=click.Path(dir_okay=False), default=None, help="Zonage des médecins (ajoute la part de la population en ZIP par département).")
@click.option("--formats", "-f", default="html,xlsx,csv", show_default=True, help="Formats : html, xlsx, csv ; plus gpkg : GeoPackage couverture.gpkg (couche couverture, un département × spécialité par ligne).")
@click.option("--maps/--no-maps", default=None, help="Inclure les cartes (défaut : oui pour une région, non pour « all »).")
@click.option("--lumped", is_flag=True, help="Inclure les spécialités des groupes DREES agrégés (effectifs majorants).")
@click.option("--quiet", "-q", is_flag=True, help="Sans barre de progression.")
@sep_option
def report_cmd(  # noqa: PLR0913 - click passes one keyword per option
    *, region, out_dir, specialties, supply, no_embedded_supply, registry, registry_only, as_of, zonage, formats, maps, lumped,
    quiet, sep
):
    """Rapport de couverture par les ESS : toutes les spécialités × départements d'une région (ou de toutes)."""
    started = time.perf_counter()
    asked = [f.strip().lower() for f in formats.split(",") if f.strip()]
    if asked and set(asked) == {"gpkg"}:
        raise click.UsageError(f"--formats {formats!r} : gpkg s'ajoute à un format de rapport (html, xlsx, csv), ex. csv,gpkg")
    fmts = check_formats(asked)
    regions = resolve_regions(region)
    sup = resolve_supply(supply, no_embedded_supply)
    reg = (cli_registry(registry, registry_only) or as_registry(None)).at(as_of)
    specs = [get_specialty(s) for s in specialties.split(",") if s.strip()] if specialties else default_specialties(sup, lumped)
    if maps is None:
        maps = len(regions) == 1
    console = progress_console()  # stderr: stdout keeps only the command's own lines
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        disable=not progress_shown(console, quiet), transient=False, console=console,
    ) as bar:
        task = bar.add_task("Régions × spécialités", total=len(regions) * len(specs))

        def tick(code_region: str, spec_id: str) -> None:
            bar.update(task, advance=1, description=f"Région {code_region} · {spec_id}")

        files = write_coverage_report(
            out_dir, regions, fmts, specialties=specs, supply=sup, registry=reg, maps=maps,
            include_lumped=lumped, progress=tick, zonage=zonage, csv_sep=sep,
        )
    elapsed = time.perf_counter() - started
    n = len(files.paths)
    click.echo(f"{plural(n, 'fichier')} {agreed(n, 'écrit')} dans {files.out_dir} en {elapsed:.1f} s.")
    for msg in files.map_errors:
        click.echo(f"Attention : {msg}", err=True)
    echo_input_notes(sup)
    echo_sources(files.result.sources)
    sys.exit(EXIT_OK)
