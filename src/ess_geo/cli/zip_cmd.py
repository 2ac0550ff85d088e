"""``ess-geo zip``: priority zones (ZIP) lacking a specialty, and ranked outreach sites."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import geopandas as gpd
import pandas as pd

from ess_geo._format import nombre, plural
from ess_geo._output import prepare_output_dir, write_error
from ess_geo.analysis.outreach import UNLOCATED_FR, flag_zip, rank_outreach_sites
from ess_geo.cli._app import EXIT_OK, EssGeoCommand
from ess_geo.cli._options import departements_option, echo_sources, region_option, require_territory, specialty_option
from ess_geo.inputs.zonage import load_zonage, postal_code_departements
from ess_geo.reference.codes import resolve_departements

__all__ = ["COMMUNE_LABELS", "INTEGER_COLUMNS", "REJECTED_LABELS", "SITE_LABELS", "zip_cmd"]

#: French CSV headers for planners.
COMMUNE_LABELS = {
    "code_insee": "Code commune",
    "nom": "Commune",
    "code_dep": "Département",
    "population": "Population",
    "zonage": "Zonage",
    "zonage_label": "Zonage (libellé)",
    "zonage_classes": "Classes du fichier de zonage",
    "n_specialists": "Spécialistes dans la commune",
    "distance_km": "Distance au spécialiste le plus proche (km)",
    "nearest_specialist_insee": "Commune du spécialiste le plus proche",
    "underserved": "ZIP sans spécialiste dans le rayon",
    "site_rank": "Desservie par le site n°",
    "host_score_population": "Population ZIP non desservie dans le rayon (commune hôte)",
}
SITE_LABELS = {
    "rank": "Rang",
    "code_insee": "Code commune",
    "nom": "Commune hôte",
    "code_dep": "Département",
    "zonage": "Zonage",
    "population": "Population",
    "distance_km": "Distance au spécialiste le plus proche (km)",
    "score_population": "Population ZIP desservie (nouvelle)",
    "n_communes_served": "Communes desservies",
    "served": "Codes des communes desservies",
    "served_noms": "Communes desservies (noms)",
}
#: French CSV headers of zonage_lignes_non_rattachees.csv.
REJECTED_LABELS = {
    "line": "Ligne du fichier",
    "code_postal": "Code postal",
    "nom_commune": "Nom de commune",
    "code_insee_brut": "Code commune (fichier)",
    "zonage_brut": "Zonage (fichier)",
    "reason": "Motif",
    "statut": "Statut",
    "candidates": "Communes candidates",
}
#: Counts written as integers in the CSV (never « 0.0 »).
INTEGER_COLUMNS = ("n_specialists", "host_score_population", "population", "site_rank", "score_population")


def _hab(population: int | None) -> str:
    """``"32 599 hab."`` or ``"population inconnue"`` (Mayotte), never 0."""
    return "population inconnue" if population is None else f"{nombre(population)} hab."


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists → ';'-joined strings (CSV and GeoJSON have no list type)."""
    out = frame.copy()
    for col in out.columns:
        if col != "geometry" and out[col].map(lambda v: isinstance(v, list)).any():
            out[col] = out[col].map(lambda v: ";".join(map(str, v)) if isinstance(v, list) else v)
    return out


def _for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Planner-friendly CSV values: « oui »/« non » for booleans, distances to 0.1 km."""
    out = frame.copy()
    for col in out.columns:
        if col == "geometry":
            continue
        if out[col].dtype == bool or str(out[col].dtype) == "boolean":
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else ("oui" if v else "non"))
        elif col == "distance_km":
            out[col] = pd.to_numeric(out[col], errors="coerce").round(1)
        elif col in INTEGER_COLUMNS:
            out[col] = pd.to_numeric(out[col], errors="coerce").round().astype("Int64")
    return out


def _write(result, zonage, out: Path) -> list[Path]:
    """Write the outputs; missing folders are created, an unwritable folder is an InputDataError."""
    prepare_output_dir(out)
    try:
        return _write_files(result, zonage, out)
    except OSError as exc:
        raise write_error(out, exc) from None


def _write_files(result, zonage, out: Path) -> list[Path]:
    written = []
    communes = _flat(result.communes)
    path = out / "communes_zip.csv"
    _for_csv(communes.drop(columns="geometry")).rename(columns=COMMUNE_LABELS).to_csv(
        path, index=False, encoding="utf-8-sig"
    )
    written.append(path)
    path = out / "communes_zip.geojson"
    gpd.GeoDataFrame(communes, geometry="geometry", crs=result.communes.crs).to_crs("EPSG:4326").to_file(
        path, driver="GeoJSON"
    )
    written.append(path)
    sites = _flat(result.sites)
    path = out / "sites_consultations_avancees.csv"
    _for_csv(sites.drop(columns="geometry")).rename(columns=SITE_LABELS).to_csv(path, index=False, encoding="utf-8-sig")
    written.append(path)
    if len(sites):
        path = out / "sites_consultations_avancees.geojson"
        gpd.GeoDataFrame(sites, geometry="geometry", crs=result.sites.crs).to_crs("EPSG:4326").to_file(path, driver="GeoJSON")
        written.append(path)
    rejected = pd.concat(
        [zonage.unmatched.assign(statut="non rattachée"), _flat(zonage.ambiguous).assign(statut="ambiguë")],
        ignore_index=True,
    )
    path = out / "zonage_lignes_non_rattachees.csv"
    rejected.rename(columns=REJECTED_LABELS).to_csv(path, index=False, encoding="utf-8-sig")
    written.append(path)
    path = out / "resultat.json"
    payload = result.to_dict()
    payload["zonage"] = zonage.to_dict()
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    written.append(path)
    return written


@click.command("zip", cls=EssGeoCommand)
@specialty_option
@departements_option
@region_option
@click.option("--zonage", "zonage_path", required=True, type=click.Path(dir_okay=False), help="Fichier de zonage des médecins (CSV : Code_postal, Nom_commune, Zonage ; ou code_insee, Zonage).")
@click.option("--supply", type=click.Path(dir_okay=False), default=None, help="Fichier d'effectifs (extraction RPPS par commune pour les distances ; une table DREES par département ne donne pas de distance).")
@click.option("--sites", "k", type=click.IntRange(min=1), default=5, show_default=True, help="Nombre de sites de consultations avancées à proposer.")
@click.option("--radius-km", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True, help="Rayon desservi par un site (km).")
@click.option("--min-population", type=click.IntRange(min=0), default=2000, show_default=True, help="Population minimale d'une commune hôte.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None, help="Dossier de sortie (CSV, GeoJSON, JSON).")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (to_dict()).")
def zip_cmd(  # noqa: PLR0913 - click passes one keyword per option
    *, specialty, departements, region, zonage_path, supply, k, radius_km, min_population, out_dir, as_json
):
    """Communes ZIP dépourvues d'une spécialité et sites de consultations avancées classés.

    Code de sortie : 0 succès, 2 erreur de saisie.
    """
    require_territory(departements, region)
    # --departements and --region together are refused (exit 2), not silently reduced to one.
    listed = [d.strip() for d in departements.split(",") if d.strip()] if departements else None
    deps = resolve_departements(listed, region or None)
    zonage = load_zonage(zonage_path)
    flagged = flag_zip(deps, specialty, supply, zonage)
    result = rank_outreach_sites(flagged, k=k, radius_km=radius_km, min_population=min_population)
    written = _write(result, zonage, Path(out_dir)) if out_dir else []
    if as_json:
        payload = result.to_dict()
        payload["zonage"] = zonage.to_dict()
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        sys.exit(EXIT_OK)
    click.echo(f"Zonage : {zonage.summary_fr()}")
    _echo_rejected_lines(zonage, set(result.departements))
    click.echo(_headline(result, radius_km))
    for note in result.notes:
        click.echo(f"Note : {note}")
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
        f"{result.specialty.label} — {'département' if len(result.departements) < 2 else 'départements'} "
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
            click.echo(f"  ligne {rec.line} {kind} : {where} — {rec.reason}")
    if others:
        click.echo(
            f"  {plural(others, 'autre ligne', 'autres lignes')} du fichier hors du territoire (non rattachées ou "
            "ambiguës ; liste complète dans zonage_lignes_non_rattachees.csv avec --out)."
        )
