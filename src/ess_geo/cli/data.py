"""``ess-geo data fetch NOM`` and ``ess-geo data list``: the cache of official open datasets."""

from __future__ import annotations

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from ess_geo.cli._app import EssGeoGroup
from ess_geo.cli._progress import progress_console, progress_shown
from ess_geo.inputs._limits import size_fr
from ess_geo.inputs.datasets import cache_dir, cached, fetch, get_dataset

__all__ = ["data_group", "fetch_cmd", "list_cmd"]


def _size(n_bytes: int | None) -> str:
    """The French size of :func:`ess_geo.inputs._limits.size_fr` (``"1,5 Mo"``), « — » when unknown."""
    return "—" if n_bytes is None else size_fr(n_bytes)


@click.group("data", cls=EssGeoGroup)
def data_group() -> None:
    """Jeux de données officiels : téléchargement et cache (ESS_GEO_CACHE)."""


@data_group.command("fetch")
@click.argument("name", metavar="NOM")
@click.option("--refresh", is_flag=True, help="Télécharger à nouveau même si le fichier est en cache.")
@click.option("--offline", is_flag=True, help="Ne pas utiliser le réseau (cache seulement).")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True, help="Nouveaux essais.")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=30.0, show_default=True,
              help="Secondes sans réponse du serveur (connexion ou données) avant d'abandonner.")
def fetch_cmd(name: str, refresh: bool, offline: bool, retries: int, timeout: float) -> None:
    """Télécharge le jeu NOM (rpps, finess ; liste : ess-geo data list) depuis son éditeur officiel dans le cache."""
    ds = get_dataset(name)
    console = progress_console()  # stderr, terminals only, ESS_GEO_PROGRESS=0: as every command's progress
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=console,
        disable=not progress_shown(console),
    ) as bar:
        task = bar.add_task(f"Téléchargement {name}", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        path = fetch(name, refresh=refresh, offline=offline or None, progress=progress, retries=retries,
                     timeout=timeout)
    entry = next(e for e in cached() if e.name == name)
    click.echo(f"{ds.title}")
    click.echo(f"  fichier   : {path} ({_size(entry.size)})")
    click.echo(f"  millésime : {entry.vintage}")
    click.echo(f"  éditeur   : {ds.publisher}")
    click.echo(f"  source    : {ds.source_page}")
    click.echo(f"  adresse   : {ds.url}")
    if entry.sha256:
        click.echo(f"  SHA-256   : {entry.sha256}{' (vérifiée)' if ds.sha256 else ''}")


@data_group.command("list")
def list_cmd() -> None:
    """Liste les jeux de données connus, ce qui est en cache, le millésime et l'éditeur officiel."""
    table = Table(title=f"Cache : {cache_dir()}")
    for col in ("jeu", "en cache", "taille", "millésime", "téléchargé le", "éditeur officiel et page"):
        table.add_column(col, overflow="fold")
    for e in cached():
        table.add_row(e.name, "oui" if e.cached else ("non" if e.url else "non (à télécharger depuis la page)"),
                      _size(e.size), e.vintage if e.cached else "—", (e.downloaded_at or "—")[:10], e.source)
    Console(width=200).print(table)
