"""``ess-geo compare``: candidate territories side by side (terminal table, HTML, XLSX, JSON)."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from ess_geo._output import atomic_write_bytes, prepare_output_file
from ess_geo.analysis.compare import compare_figures
from ess_geo.cli._app import EssGeoCommand
from ess_geo.cli._options import (
    cli_registry,
    derogation_option,
    echo_input_notes,
    echo_sources,
    no_embedded_supply_option,
    registry_options,
    specialties_option,
    supply_option,
)
from ess_geo.cli._progress import progress_fr
from ess_geo.inputs.zonage import load_zonage
from ess_geo.render.comparison import cell_status, comparison_rows, render_comparison_html, render_comparison_xlsx
from ess_geo.render.mapspec import STATUS_COLOUR

__all__ = ["compare_cmd"]


def _print_table(frame, title: str) -> None:
    """One column per candidate, one row per figure (French labels), statuses coloured."""
    table = Table(title=title, show_lines=False, header_style="bold")
    table.add_column("Candidat", style="bold")
    for candidate in frame["candidate"]:
        table.add_column(str(candidate), overflow="fold")
    for col, label, cells in comparison_rows(frame):
        styled = []
        for raw, text in zip(frame[col], cells, strict=True):
            colour = STATUS_COLOUR.get(cell_status(col, raw) or "")
            styled.append(f"[{colour}]{text}[/]" if colour else text.replace("[", r"\["))
        table.add_row(label, *styled)
    Console(width=max(100, 28 + 30 * len(frame))).print(table)


@click.command("compare", cls=EssGeoCommand)
@specialties_option
@click.option("--candidat", "candidates", multiple=True, required=True, metavar="TERRITOIRE",
              help="Territoire candidat (répétable) : départements (53,72), région entière (r:52) ou les deux (r:52,49).")
@supply_option
@registry_options
@no_embedded_supply_option
@click.option("--adherents", "-a", "adherents", multiple=True, type=click.IntRange(min=0),
              help="Adhérents au départ : une fois pour tous les candidats, ou une fois par candidat dans l'ordre.")
@click.option("--zonage", "-z", type=click.Path(dir_okay=False), default=None,
              help="Zonage des médecins : nombre de communes ZIP et leur population.")
@click.option("--finess", type=click.Path(dir_okay=False), default=None,
              help="Extraction FINESS : ESS inconnues du registre à vérifier, CPTS, DAC et hôpitaux.")
@derogation_option
@click.option("--out", "-o", "out", default=None, type=click.Path(dir_okay=False),
              help="Écrire aussi la comparaison : .html (page autonome) ou .xlsx.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON : une ligne par candidat (identifiants stables).")
def compare_cmd(  # noqa: PLR0913 - click passes one keyword per option
    *, specialty, candidates, supply, registry, registry_only, as_of, no_embedded_supply, adherents, zonage, finess,
    derogations, out, as_json
):
    """Compare des territoires candidats côte à côte : verdict, effectifs, adhérents, population, ZIP, financement.

    Chaque colonne est ce que donne « ess-geo check » pour ce territoire avec les mêmes options.
    Code de sortie : 0 comparaison faite, 2 erreur de saisie.
    """
    path = prepare_output_file(out, (".html", ".xlsx")) if out else None
    with progress_fr("Comparaison : vérification des candidats"):  # 1 to 5 s (zonage): stderr, terminals only
        zon = load_zonage(zonage) if zonage else None  # loaded here so its ignored lines are reported
        comparison = compare_figures(
            specialty, candidates, adherents=list(adherents) or None, supply=supply,
            registry=cli_registry(registry, registry_only), zonage=zon, finess=finess, derogations=derogations,
            as_of=as_of, embedded_supply=not no_embedded_supply,
        )
    frame = comparison.to_frame()
    title = f"Territoires candidats — ESS {comparison.figures[0].check.specialty_label}"
    if as_json:
        click.echo(json.dumps(json.loads(frame.to_json(orient="records", force_ascii=False)), ensure_ascii=False, indent=2))
    else:
        _print_table(frame, title)
        admissible = list(frame.loc[frame["admissible"].fillna(False).astype(bool), "candidate"])
        click.echo("Admissibles : " + (", ".join(admissible) if admissible else "aucun"))
    if path is not None:
        data = (render_comparison_html(frame, title, comparison.sources) if path.suffix.lower() == ".html"
                else render_comparison_xlsx(frame, comparison.sources))
        atomic_write_bytes(path, data)  # an OS error is already one French line naming the path
        click.echo(f"Comparaison écrite : {path}", err=as_json)  # stdout stays pure JSON with --json
    if not as_json:
        first = comparison.figures[0].check  # one supply and one FINESS file for every candidate
        echo_input_notes(first.supply, first.finess, zon)
        echo_sources(comparison.sources)
