"""GeoPackage export (``--out x.gpkg``): several named layers in one file, written atomically.

Layer names are French and stable (:data:`LAYERS_FR` documents them; the README lists which command
writes which). Every layer is in WGS84 (EPSG:4326, :data:`ess_geo.rules.territory_geo.GEO_CRS`).
Lists become ``;``-joined text (GeoPackage has no list type); an empty layer is not written.
The file is written next to its destination under a temporary name, then renamed: a reader never
sees half a GeoPackage, and a failure leaves the previous file untouched.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ess_geo._output import atomic_path, prepare_output_file, write_error
from ess_geo.errors import InputDataError
from ess_geo.rules.territory_geo import GEO_CRS, departements_frame, with_departement_outlines

if TYPE_CHECKING:  # annotations only: `check` without --out loads no geometry library nor the outreach module
    import geopandas as gpd
    import pandas as pd

    from ess_geo.analysis.outreach_result import ZipResult
    from ess_geo.rules.territory import TerritoryCheck

__all__ = ["GPKG_SUFFIX", "LAYERS_FR", "check_layers", "coverage_layer", "is_geopackage", "write_geopackage",
           "zip_layers"]

GPKG_SUFFIX = ".gpkg"

#: Every layer name ess_geo writes, and what one row is.
LAYERS_FR: dict[str, str] = {
    "territoire": "le territoire vérifié, dissous : verdict, chiffres clés, statut de chaque critère",
    "departements": "les départements du territoire : effectifs et population",
    "communes_zip": "les communes du territoire : classe de zonage, population, distance au spécialiste",
    "sites": "les sites de consultations avancées classés (points ; absent sans offre par commune)",
    "propositions": "les territoires d'ESS proposés, dissous : départements, effectifs, critères",
    "couverture": "un département × une spécialité du rapport de couverture (colonnes de couverture.csv)",
}


def is_geopackage(path: str | Path | None) -> bool:
    """Whether an ``--out`` path names a GeoPackage (``.gpkg``, any case)."""
    return path is not None and Path(path).suffix.lower() == GPKG_SUFFIX


def coverage_layer(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """The coverage table (:attr:`~ess_geo.analysis.coverage.CoverageResult.table`) with each département's outline."""
    import geopandas as gpd  # deferred heavy library: only GeoPackage exports need it

    return table if isinstance(table, gpd.GeoDataFrame) else with_departement_outlines(table)


def zip_layers(zip_result: ZipResult | None) -> dict[str, gpd.GeoDataFrame | None]:
    """``communes_zip`` and ``sites`` of an outreach result (``sites`` None when no site is ranked)."""
    if zip_result is None:
        return {}
    return {"communes_zip": zip_result.communes, "sites": zip_result.sites if len(zip_result.sites) else None}


def check_layers(check: TerritoryCheck, zip_result: ZipResult | None = None) -> dict[str, gpd.GeoDataFrame | None]:
    """The layers of a checked territory: ``territoire``, ``departements``, and with a ZIP result ``communes_zip``, ``sites``."""
    return {"territoire": check.to_geodataframe(), "departements": departements_frame(check), **zip_layers(zip_result)}


def _plain_layer(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy GeoPackage can store: EPSG:4326, lists as ``;`` text, other objects as text."""
    import pandas as pd  # deferred: heavy library, only to write a GeoPackage

    out = frame.to_crs(GEO_CRS) if frame.crs is not None else frame.set_crs(GEO_CRS)
    out = out.copy()
    for col in out.columns:
        if col == out.geometry.name or out[col].dtype != object:
            continue
        out[col] = out[col].map(
            lambda v: ";".join(map(str, v)) if isinstance(v, (list, tuple, set))
            else v if v is None or isinstance(v, (str, int, float, bool)) or pd.isna(v) else str(v)
        )
    return out


def write_geopackage(layers: Mapping[str, gpd.GeoDataFrame | None], path: str | Path) -> Path:
    """Write named layers into one GeoPackage, atomically (temporary file in the same folder, then rename).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame or None
        Layer name (:data:`LAYERS_FR`) → frame; None or empty frames are skipped.
    path : str or Path
        Destination ``.gpkg``; missing folders are created.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputDataError
        If ``path`` does not end with ``.gpkg``, no layer has a row, or the file cannot be written.
    """
    path = Path(path)
    if not is_geopackage(path):
        raise InputDataError(f"GeoPackage path must end with .gpkg, got {str(path)!r}",
                             fr=f"« {path} » : extension .gpkg attendue pour un GeoPackage")
    kept = {name: frame for name, frame in layers.items() if frame is not None and len(frame)}
    if not kept:
        raise InputDataError(f"nothing to write in {path}: every layer is empty",
                             fr=f"rien à écrire dans {path} : aucune couche non vide")
    prepare_output_file(path)
    with atomic_path(path) as tmp:  # a reader never sees half a GeoPackage; a failure keeps the old file
        tmp.unlink()  # GDAL creates the file itself
        try:
            with warnings.catch_warnings():  # GDAL notes the temporary name does not end with .gpkg
                warnings.filterwarnings("ignore", message=".*(non conformant file extension|filename extension should be)", category=RuntimeWarning)
                for name, frame in kept.items():
                    _plain_layer(frame).to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
        except OSError as exc:
            raise write_error(path, exc) from None
    return path
