"""``ess-geo zip``: priority zones (ZIP) lacking a specialty, and ranked outreach sites."""

from __future__ import annotations

import json
import sys

import click
import pandas as pd

from ess_geo._format import agreed, nombre, plural
from ess_geo.analysis.outreach import UNLOCATED_FR, flag_zip, rank_outreach_sites
from ess_geo.cli._app import EXIT_OK, EssGeoCommand
from ess_geo.cli._options import (
    departements_option,
    echo_input_notes,
    echo_sources,
    region_option,
    require_territory,
    sep_option,
    specialty_option,
)
from ess_geo.cli._progress import progress_fr
from ess_geo.inputs._limits import shorten
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.zonage import load_zonage, postal_code_departements
from ess_geo.reference.codes import resolve_departements
from ess_geo.render.geopackage import is_geopackage, write_geopackage, zip_layers
from ess_geo.render.tables import write_zip_outputs, zip_payload


def _hab(population: int | None) -> str:
    """``"32 599 hab."`` or ``"population inconnue"`` (Mayotte), never 0."""
    return "population inconnue" if population is None else f"{nombre(population)} hab."


@click.command("zip", cls=EssGeoCommand)
@specialty_option
@departements_option
@region_option
@click.option("--zonage", "zonage_path", required=True, type=click.Path(dir_okay=False), help="Fichier de zonage des médecins (CSV : Code_postal, Nom_commune, Zonage ; ou code_insee, Zonage).")
@click.option("--supply", type=click.Path(dir_okay=False), default=None, help="Fichier d'effectifs : une extraction RPPS (par commune) donne les distances et classe les sites ; une table DREES par département ne donne ni distance ni classement (communes ZIP listées).")
@click.option("--sites", "k", type=click.IntRange(min=1), default=5, show_default=True, help="Nombre de sites de consultations avancées à proposer.")
@click.option("--radius-km", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True, help="Rayon desservi par un site (km).")
@click.option("--min-population", type=click.IntRange(min=0), default=2000, show_default=True, help="Population minimale d'une commune hôte.")
@click.option("--out", "out_dir", type=click.Path(), default=None, help="Dossier de sortie (CSV, GeoJSON, JSON) ; ou un fichier .gpkg : GeoPackage aux couches communes_zip et sites.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (to_dict()).")
@sep_option
def zip_cmd(  # noqa: PLR0913 - click passes one keyword per option
    *, specialty, departements, region, zonage_path, supply, k, radius_km, min_population, out_dir, as_json, sep
):
    """Communes ZIP dépourvues d'une spécialité et sites de consultations avancées classés.

    Code de sortie : 0 succès, 2 erreur de saisie.
    """
    require_territory(departements, region)
    # --departements and --region together are refused (exit 2), not silently reduced to one.
    listed = [d.strip() for d in departements.split(",") if d.strip()] if departements else None
    deps = resolve_departements(listed, region or None)
    with progress_fr("ZIP : lecture du zonage") as step:
        zonage = load_zonage(zonage_path)
        step("ZIP : communes et distances au spécialiste")
        sup = as_supply(supply)  # loaded here so its ignored lines are reported, as check does
        flagged = flag_zip(deps, specialty, sup, zonage)
        step("ZIP : classement des sites")
        result = rank_outreach_sites(flagged, k=k, radius_km=radius_km, min_population=min_population)
        step("ZIP : écriture")
        if is_geopackage(out_dir):
            written = [write_geopackage(zip_layers(result), out_dir)]
        else:
            written = write_zip_outputs(result, zonage, out_dir, sep=sep) if out_dir else []
    if as_json:
        click.echo(json.dumps(zip_payload(result, zonage), ensure_ascii=False, indent=2))
        sys.exit(EXIT_OK)
    click.echo(f"Zonage : {zonage.summary_fr()}")
    _echo_rejected_lines(zonage, set(result.departements))
    echo_input_notes(sup)
    click.echo(_headline(result, radius_km))
    for note in result.notes:
        click.echo(f"Note : {note}")
    if result.unranked_fr:
        _echo_zip_communes(result)
    if len(result.sites):
        radius = f"{radius_km:g}".replace(".", ",")
        click.echo(f"Sites de consultations avancées (rayon {radius} km, hôte ≥ {nombre(min_population)} hab.) :")
        click.echo(f"  Classement : {result.ranking_basis_fr}")
        for s in result.sites.itertuples(index=False):
            click.echo(
                f"  {s.rank}. {s.nom} ({s.code_insee}, {s.zonage}) : {result.site_label_fr(s.score_population)}, "
                f"{plural(s.n_communes_served, 'commune')}"
            )
    for path in written:
        click.echo(f"Écrit : {path}")
    echo_sources(result.sources)
    sys.exit(EXIT_OK)


def _headline(result, radius_km: float) -> str:
    """One French line: communes, ZIP communes and population; distances only when they are known."""
    counts = result.counts()
    radius = f"{radius_km:g}".replace(".", ",")
    head = (
        f"{result.specialty.label} — {agreed(len(result.departements), 'département')} "
        f"{', '.join(result.departements)} : {plural(counts['communes'], 'commune')}, "
        f"{plural(counts['communes_ZIP'], 'commune ZIP', 'communes ZIP')} ({_hab(counts['population_ZIP'])})"
    )
    if not result.distances_known:
        why = UNLOCATED_FR.get(str(result.parameters.get("supply_level")), UNLOCATED_FR["departement"])
        return head + f" ; distances au spécialiste inconnues ({why})"
    return (
        head + f", dont {nombre(counts['communes_zip_sans_specialite'])} sans spécialiste à moins de {radius} km "
        f"({_hab(counts['population_zip_sans_specialite'])})"
    )


#: ZIP communes listed in the terminal when no site is ranked (all of them in communes_zip.csv).
ZIP_LISTED = 30


def _echo_zip_communes(result) -> None:
    """The ZIP communes and their population, most populated first (no site ranked: nothing else to act on)."""
    zip_communes = result.zip_communes()
    click.echo(f"Communes ZIP ({nombre(len(zip_communes))}, les plus peuplées d'abord) :")
    for rec in zip_communes.head(ZIP_LISTED).itertuples(index=False):
        click.echo(f"  {rec.nom} ({rec.code_insee}) : {_hab(rec.population)}")
    if len(zip_communes) > ZIP_LISTED:
        click.echo(f"  ... et {plural(len(zip_communes) - ZIP_LISTED, 'autre commune ZIP', 'autres communes ZIP')} "
                   "(liste complète dans communes_zip.csv avec --out)")


def _echo_rejected_lines(zonage, departements: set[str]) -> None:
    """List the unmatched/ambiguous zonage lines of the territory's départements; count the others."""
    others = 0
    for kind, frame in (("non rattachée", zonage.unmatched), ("ambiguë", zonage.ambiguous)):
        for rec in frame.itertuples(index=False):
            cp = getattr(rec, "code_postal", None)
            deps = postal_code_departements(cp) if cp is not None and not pd.isna(cp) else set()
            if deps and not deps & departements:
                others += 1
                continue
            where = f"{rec.code_postal} {rec.nom_commune}" if cp is not None else str(getattr(rec, "code_insee_brut", ""))
            click.echo(f"  ligne {rec.line} {kind} : {shorten(where)} — {shorten(rec.reason, 120)}")
    if others:
        click.echo(
            f"  {plural(others, 'autre ligne', 'autres lignes')} du fichier hors du territoire (non rattachées ou "
            "ambiguës ; liste complète dans zonage_lignes_non_rattachees.csv avec --out)."
        )


__all__ = ["zip_cmd"]
