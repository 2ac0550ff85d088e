"""Embedded reference geography (INSEE COG 2025): communes, départements, régions, adjacency.

Loaders return fresh copies of cached frames, so callers may modify what they get. Codes and
their names live in :mod:`ess_geo.reference.codes`; commune points in
:mod:`ess_geo.reference.points`.

Geometries are stored in EPSG:4326; see :mod:`ess_geo.reference.crs` for the metric CRS of each
département. The files are rebuilt by ``scripts/build_reference_data.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ess_geo.reference._store import (
    DATA,
    read_attributes,
    read_columns,
    read_csv,
    read_geo,
    read_geo_rows,
    read_index,
    read_table,
)
from ess_geo.reference.codes import departement_names, normalize_dep_code, normalize_dep_codes
from ess_geo.sources import Source

if TYPE_CHECKING:  # annotations only: geopandas and pandas are loaded by the functions returning frames
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "adjacency_graph",
    "load_adjacency",
    "load_commune_attributes",
    "load_communes",
    "load_communes_deleguees",
    "load_departements",
    "load_postal_codes",
    "load_regions",
    "load_simplified_layer",
    "neighbours",
    "provenance",
    "reference_columns",
    "reference_source",
    "simplified_layer_name",
]

@lru_cache(maxsize=1)
def provenance() -> dict:
    """Return the build record of the embedded data (source, version, sha256, vintage, report).

    Returns
    -------
    dict
        Content of ``provenance.json``.
    """
    return json.loads((DATA / "provenance.json").read_text(encoding="utf-8"))


def reference_source() -> Source:
    """Return the :class:`~ess_geo.sources.Source` of the embedded geography."""
    prov = provenance()
    return Source(
        name="Référentiel géographique (communes, départements, régions, codes postaux)",
        vintage=prov["vintage"],
        licence=prov["licence"],
        origin=prov["source"],
    )


def load_communes(departements: str | Iterable[str] | None = None) -> gpd.GeoDataFrame:
    """Load the 34,875 communes (``COM``) of COG 2025, or those of some départements.

    Parameters
    ----------
    departements : str or iterable of str, optional
        Département codes (``"01"``, ``1``, ``"2a"``, ``"971"``; one code alone too): only their
        communes are read, their polygons alone decoded. Default: every commune.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code_insee``, ``nom``, ``code_dep``, ``code_region``, ``population``
        (population municipale), ``geometry`` (EPSG:4326; four Cantal communes restored in 2025
        have no geometry in the source, see :func:`provenance`), in code order; a new frame.

    Raises
    ------
    ess_geo.errors.UnknownCodeError
        If ``departements`` holds a code that is not a département (every one named).
    """
    if isinstance(departements, (str, int)):  # one code, not its characters
        departements = [departements]
    if departements is not None:
        return read_geo_rows("communes", "code_dep", tuple(normalize_dep_codes(departements)))
    return read_geo("communes").copy()


def load_commune_attributes() -> pd.DataFrame:
    """Load the columns of :func:`load_communes` but the geometry, without decoding a polygon nor importing geopandas.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_insee``, ``nom``, ``code_dep``, ``code_region``, ``population``, in the
        order of :func:`load_communes`.
    """
    return read_attributes("communes").copy()


def reference_columns(name: str, columns: tuple[str, ...]) -> Any:
    """Columns of an embedded table (``"communes"``, ``"postal_codes"``...) as a pyarrow Table, without pandas.

    For the RPPS reader, which places lines in communes without any DataFrame (issue 14). The
    table is cached (pyarrow tables are immutable).

    Parameters
    ----------
    name : str
        Embedded table, without extension (read from its Arrow copy when the build made one).
    columns : tuple of str
        Columns read.

    Returns
    -------
    pyarrow.Table
        The columns, in file order.
    """
    return read_columns(name, columns)


def load_departements() -> gpd.GeoDataFrame:
    """Load the 101 départements, dissolved from the communes.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code_dep``, ``nom``, ``code_region``, ``population``, ``geometry`` (EPSG:4326).
    """
    return read_geo("departements").copy()


def simplified_layer_name(layer: str, tolerance_m: float) -> str:
    """Name of the embedded file of ``layer`` simplified for display at ``tolerance_m`` metres (no suffix)."""
    return f"{layer}_simplified_{tolerance_m:g}m"


def load_simplified_layer(layer: str, tolerance_m: float) -> gpd.GeoDataFrame | None:
    """A display layer simplified at build time (``scripts/build_reference_data.py``), or None if not embedded.

    The build script stores the départements simplified as a coverage at the maps' default
    tolerance (``ess_geo.render.mapspec.compute_simplified_departements``), so that no map process
    simplifies them again; a test recomputes them and compares.

    Parameters
    ----------
    layer : str
        ``"departements"``.
    tolerance_m : float
        Tolerance in metres the layer was simplified with.

    Returns
    -------
    geopandas.GeoDataFrame or None
        A fresh copy, or None when no layer was stored for that tolerance.
    """
    name = simplified_layer_name(layer, tolerance_m)
    if not (DATA / f"{name}.parquet").is_file():
        return None
    return read_geo(name).copy()


def load_regions() -> gpd.GeoDataFrame:
    """Load the 18 régions, dissolved from the communes.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code_region``, ``nom``, ``population``, ``geometry`` (EPSG:4326).
    """
    return read_geo("regions").copy()


def load_adjacency() -> pd.DataFrame:
    """Load the pre-computed adjacency of départements.

    Returns
    -------
    pandas.DataFrame
        One row per pair sharing a land border (each pair once, ``code_dep_a < code_dep_b``),
        with ``border_km`` measured in the metric CRS. Overseas départements have no neighbour.
    """
    return read_table("adjacency").copy()


def load_postal_codes() -> pd.DataFrame:
    """Load the postal code ↔ commune table.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_postal`` (5 characters), ``code_insee`` (the commune, ``COM``), ``nom``
        (name of the entity the postal code serves: the commune itself or, for Paris, Lyon and
        Marseille, an arrondissement), ``type`` (``COM`` or ``ARM``). The source links postal codes
        to no commune déléguée; those names are in :func:`load_communes_deleguees`.
    """
    return read_table("postal_codes").copy()


def load_communes_deleguees() -> pd.DataFrame:
    """Load the communes déléguées / associées of COG 2025 with their commune nouvelle.

    Files older than COG 2025 (the doctors' zonage, for instance) still name communes merged
    since; this table maps those names to the commune that absorbed them.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (INSEE code of the delegated entity; a chef-lieu shares its parent's
        code), ``type`` (``COMD`` or ``COMA``), ``nom``, ``code_insee`` (the commune, ``COM``).
    """
    return read_csv("communes_deleguees").copy()


@lru_cache(maxsize=1)
def _neighbours() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {code: set() for code in departement_names()}
    for a, b in read_index()["adjacency"]:
        out[a].add(b)
        out[b].add(a)
    return {k: frozenset(v) for k, v in out.items()}


def neighbours(code_dep: object) -> list[str]:
    """Sorted codes of the départements sharing a land border with ``code_dep``."""
    return sorted(_neighbours()[normalize_dep_code(code_dep)])


def adjacency_graph() -> dict[str, frozenset[str]]:
    """Adjacency of all 101 départements as a mapping code → neighbour codes."""
    return dict(_neighbours())


