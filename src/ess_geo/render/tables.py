"""Table files: CSV, GeoJSON and JSON writers of the coverage report, the access index and ``ess-geo zip``.

Every file goes through the one atomic writer of :mod:`ess_geo._output` (a temporary file in the
same folder, fsync, rename; symbolic links refused), so an interrupted or failing run never leaves
a half-written file; write errors become one French line naming the path. Every CSV follows the
one convention of :func:`ess_geo.render.spreadsheet.csv_bytes` (UTF-8 with BOM, ``,`` or ``;``,
formula-like text quoted with ``'``).

=====================================  ==========================================================
writer                                 files
=====================================  ==========================================================
:func:`render_csv`                     coverage tables for machines (column ids as headers)
:func:`write_access_csv`               the E2SFCA access index, French headers
:func:`write_zip_outputs`              ``communes_zip.csv/.geojson``, ``sites_consultations_avancees
                                       .csv/.geojson``, ``zonage_lignes_non_rattachees.csv``,
                                       ``resultat.json``
=====================================  ==========================================================
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from ess_geo._output import atomic_path, atomic_write_bytes, prepare_output_dir, prepare_output_file, write_error
from ess_geo.render.spreadsheet import csv_bytes, frame_csv_bytes

if TYPE_CHECKING:
    from ess_geo.analysis.access import AccessIndex
    from ess_geo.analysis.outreach import ZipResult
    from ess_geo.inputs.zonage import Zonage

#: French CSV headers of communes_zip.csv, for planners.
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
#: French CSV headers of sites_consultations_avancees.csv.
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
#: Counts written as integers in the ZIP CSVs (never « 0.0 »).
INTEGER_COLUMNS = ("n_specialists", "host_score_population", "population", "site_rank", "score_population")


# ---------------------------------------------------------------------------------------------
# GeoJSON


def _atomic_geojson(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write a GeoJSON file (EPSG:4326) through the atomic writer of :mod:`ess_geo._output`."""
    with atomic_path(path) as tmp:
        tmp.unlink()  # the GeoJSON driver creates the file itself
        frame.to_crs("EPSG:4326").to_file(tmp, driver="GeoJSON", layer=path.stem)  # "name": the final file's
    return path


# ---------------------------------------------------------------------------------------------
# Coverage tables (machines)


def _csv_value(value: object) -> object:
    """A list joined with ``+`` (a group of départements); anything else as :func:`~ess_geo.render.spreadsheet.csv_cell` writes it."""
    return "+".join(map(str, value)) if isinstance(value, list | tuple) else value


def render_csv(frame: pd.DataFrame, columns: Sequence[str], *, sep: str = ",") -> bytes:
    """CSV bytes of coverage tables (header of column ids; lists joined with ``+``), under the one CSV convention.

    See :func:`ess_geo.render.spreadsheet.csv_bytes`: UTF-8 with BOM, ``sep``, formula-like text quoted.
    """
    rows = ([_csv_value(v) for v in rec] for rec in frame[list(columns)].itertuples(index=False, name=None))
    return csv_bytes(columns, rows, sep=sep)


# ---------------------------------------------------------------------------------------------
# Access index


def write_access_csv(result: AccessIndex, path: str | Path, *, sep: str = ",") -> Path:
    """Write an access index table (:meth:`~ess_geo.analysis.access.AccessIndex.to_frame_fr`, UTF-8 with BOM).

    Parameters
    ----------
    result : AccessIndex
        Output of :func:`ess_geo.analysis.access.access_index`.
    path : str or Path
        A ``.csv`` file; missing parent folders are created.
    sep : {",", ";"}, default ","
        CSV separator (see :func:`ess_geo.render.spreadsheet.csv_bytes`).

    Returns
    -------
    Path

    Raises
    ------
    InputDataError
        If the extension is not ``.csv`` or the file cannot be written (French message).
    """
    out = prepare_output_file(path, (".csv",))
    return atomic_write_bytes(out, frame_csv_bytes(result.to_frame_fr(), sep=sep))  # OS errors: French already


# ---------------------------------------------------------------------------------------------
# ess-geo zip


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


def zip_payload(result: ZipResult, zonage: Zonage) -> dict:
    """JSON-ready form of a ZIP result with its zonage summary (``resultat.json``, ``--json``)."""
    payload = result.to_dict()
    payload["zonage"] = zonage.to_dict()
    return payload


def _zip_files(result: ZipResult, zonage: Zonage, out: Path, sep: str) -> list[Path]:
    written = []
    communes = _flat(result.communes)
    csv_communes = _for_csv(communes.drop(columns="geometry")).rename(columns=COMMUNE_LABELS)
    written.append(atomic_write_bytes(out / "communes_zip.csv", frame_csv_bytes(csv_communes, sep=sep)))
    frame = gpd.GeoDataFrame(communes, geometry="geometry", crs=result.communes.crs)
    written.append(_atomic_geojson(frame, out / "communes_zip.geojson"))
    sites = _flat(result.sites)
    csv_sites = _for_csv(sites.drop(columns="geometry")).rename(columns=SITE_LABELS)
    written.append(atomic_write_bytes(out / "sites_consultations_avancees.csv", frame_csv_bytes(csv_sites, sep=sep)))
    if len(sites):
        frame = gpd.GeoDataFrame(sites, geometry="geometry", crs=result.sites.crs)
        written.append(_atomic_geojson(frame, out / "sites_consultations_avancees.geojson"))
    rejected = pd.concat(
        [zonage.unmatched.assign(statut="non rattachée"), _flat(zonage.ambiguous).assign(statut="ambiguë")],
        ignore_index=True,
    )
    path = out / "zonage_lignes_non_rattachees.csv"
    written.append(atomic_write_bytes(path, frame_csv_bytes(rejected.rename(columns=REJECTED_LABELS), sep=sep)))
    text = json.dumps(zip_payload(result, zonage), ensure_ascii=False, indent=2)
    written.append(atomic_write_bytes(out / "resultat.json", text.encode("utf-8")))
    return written


def write_zip_outputs(result: ZipResult, zonage: Zonage, out_dir: str | Path, *, sep: str = ",") -> list[Path]:
    """Write the files of ``ess-geo zip --out``: communes and sites (CSV with French headers, GeoJSON), rejected zonage lines, JSON.

    Parameters
    ----------
    result : ZipResult
        Output of :func:`ess_geo.analysis.outreach.rank_outreach_sites`.
    zonage : Zonage
        The zonage used (its unmatched and ambiguous lines are written too).
    out_dir : str or Path
        Output folder; missing folders are created.
    sep : {",", ";"}, default ","
        CSV separator (see :func:`ess_geo.render.spreadsheet.csv_bytes`).

    Returns
    -------
    list of Path
        The files written, in order.

    Raises
    ------
    InputDataError
        If the folder cannot be created or a file cannot be written (French message).
    """
    out = prepare_output_dir(out_dir)
    try:
        return _zip_files(result, zonage, out, sep)
    except OSError as exc:
        raise write_error(out, exc) from None


__all__ = [
    "COMMUNE_LABELS",
    "INTEGER_COLUMNS",
    "REJECTED_LABELS",
    "SITE_LABELS",
    "render_csv",
    "write_access_csv",
    "write_zip_outputs",
    "zip_payload",
]
