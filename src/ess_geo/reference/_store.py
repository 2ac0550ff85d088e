"""Read the embedded reference files (``reference/data/``) once per process.

Private to :mod:`ess_geo.reference`: other layers go through :mod:`~ess_geo.reference.geography`,
:mod:`~ess_geo.reference.codes` and :mod:`~ess_geo.reference.points`, which return copies.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ess_geo.reference.specialties import normalize_text

if TYPE_CHECKING:  # annotations only: pandas is loaded by the readers of frames, never by the index
    import geopandas as gpd
    import pandas as pd

__all__ = ["COLUMNS_FILES", "DATA", "INDEX_FILE", "NORMALIZED_NAME", "compute_columns", "compute_index", "read_attributes", "read_columns", "read_csv", "read_geo", "read_geo_rows", "read_index", "read_table"]

#: Folder of the embedded reference files (rebuilt by ``scripts/build_reference_data.py``).
DATA = resources.files("ess_geo.reference") / "data"
#: The plain-JSON index of the département and région attributes and of the adjacency.
INDEX_FILE = "attributes.json"
#: Arrow IPC copies (zstd) of the attribute columns of Parquet files, derived at build time (:func:`compute_columns`).
COLUMNS_FILES = {"communes": "communes.columns.arrow", "postal_codes": "postal_codes.columns.arrow"}
#: Column the copies add to a table with names: ``nom`` normalised (:func:`ess_geo.reference.specialties.normalize_text`).
NORMALIZED_NAME = "nom_normalise"


@cache
def read_index() -> dict:
    """The cached index ``data/attributes.json`` (do not modify: copy first).

    ``{"departements": {code: {"nom", "code_region", "population"}}, "regions": {code: {"nom",
    "population"}}, "adjacency": [[a, b], ...]}``: what a check needs (codes, names, régions,
    populations, neighbours), read with the standard library in a millisecond, where the Parquet
    files need pandas and pyarrow (~0.4 s of imports). Derived from the Parquet files at build time
    (:func:`compute_index`); a test recomputes it.
    """
    return json.loads((DATA / INDEX_FILE).read_text(encoding="utf-8"))


def compute_index() -> dict:
    """The content of ``attributes.json``, computed from the Parquet files (build time and tests).

    Returns
    -------
    dict
        Départements and régions by code (name, région, population: None when unknown), and each
        adjacent pair once (``code_dep_a < code_dep_b``), in the order of the Parquet files.
    """
    import pandas as pd  # deferred: heavy library, only at build time and in tests

    def populations(frame: pd.DataFrame) -> list[int | None]:
        return [None if pd.isna(p) else int(p) for p in frame["population"]]

    deps = read_attributes("departements")
    regs = read_attributes("regions")
    adj = read_table("adjacency")
    return {
        "departements": {
            str(c): {"nom": str(n), "code_region": str(r), "population": p}
            for c, n, r, p in zip(deps["code_dep"], deps["nom"], deps["code_region"], populations(deps), strict=True)
        },
        "regions": {
            str(c): {"nom": str(n), "population": p}
            for c, n, p in zip(regs["code_region"], regs["nom"], populations(regs), strict=True)
        },
        "adjacency": [[str(a), str(b)] for a, b in zip(adj["code_dep_a"], adj["code_dep_b"], strict=True)],
    }


@cache
def read_geo(name: str) -> gpd.GeoDataFrame:
    """The cached GeoParquet ``data/{name}.parquet`` (do not modify: copy first)."""
    import geopandas as gpd  # deferred: heavy library, only commands drawing or measuring geometry load it

    with resources.as_file(DATA / f"{name}.parquet") as path:
        return gpd.read_parquet(path)


def read_geo_rows(name: str, column: str, values: tuple[str, ...]) -> gpd.GeoDataFrame:
    """The rows of the GeoParquet ``data/{name}.parquet`` whose ``column`` is one of ``values`` (a new frame).

    Filtered by pyarrow before any geometry is decoded (the polygons of a région are a tenth of the
    communes': 0.05 s against 0.13 s for all of them).
    """
    import geopandas as gpd  # deferred: heavy library, only commands drawing or measuring geometry load it

    with resources.as_file(DATA / f"{name}.parquet") as path:
        # no value: one that no row has ([] would be a set of nulls, whose type pyarrow refuses to compare)
        return gpd.read_parquet(path, filters=[(column, "in", list(values) or [""])]).reset_index(drop=True)


@cache
def read_attributes(name: str) -> pd.DataFrame:
    """The cached columns of the GeoParquet ``data/{name}.parquet`` but its geometry (do not modify: copy first).

    Codes, names and populations without decoding a polygon nor importing geopandas: what the
    checks need (``communes.parquet`` is 7.8 MB of polygons around 34,875 short rows).
    """
    return _attribute_table(name, pandas_metadata=True).to_pandas()


@cache
def read_columns(name: str, columns: tuple[str, ...]) -> Any:
    """Columns of ``data/{name}.parquet`` as a pyarrow Table, read by pyarrow alone (no pandas).

    From the Arrow IPC copy of its attribute columns when the build made one and it has the
    columns (:data:`COLUMNS_FILES`, :func:`compute_columns`): the RPPS reader places its lines with
    them, and an IPC file is read without ``pyarrow.parquet``, whose import (its file systems: S3,
    GCS, Azure, HDFS) held the GIL 20 ms while the extraction was parsed, and made the exit slower.
    """
    if name in COLUMNS_FILES:
        copy = _columns_copy(name)
        if all(c in copy.column_names for c in columns):
            return copy.select(list(columns))
    if NORMALIZED_NAME in columns:  # a copy older than the column: computed as the build does
        return compute_columns(name).select(list(columns))
    import pyarrow.parquet as pq  # deferred: pyarrow only where embedded tables are read

    with resources.as_file(DATA / f"{name}.parquet") as path:
        return pq.ParquetFile(path).read(columns=list(columns))


@cache
def _columns_copy(name: str) -> Any:
    """The Arrow IPC copy ``data/{COLUMNS_FILES[name]}``, read once per process."""
    import pyarrow as pa  # deferred: pyarrow only where embedded tables are read

    with resources.as_file(DATA / COLUMNS_FILES[name]) as path, pa.OSFile(str(path)) as source:
        return pa.ipc.open_file(source, options=pa.ipc.IpcReadOptions(use_threads=False)).read_all()


def compute_columns(name: str) -> Any:
    """The attribute columns of an embedded Parquet file: the content of its :data:`COLUMNS_FILES` copy.

    Used at build time (``scripts/build_reference_data.py``) and by the tests that check the copy.

    Parameters
    ----------
    name : str
        ``data/{name}.parquet``, without extension.

    Returns
    -------
    pyarrow.Table
        Every column but ``geometry``, in file order, without schema metadata; and, when it has a
        ``nom``, :data:`NORMALIZED_NAME`: the RPPS reader matches the commune names of a postal
        code with them (normalising them as each address is placed held the GIL 3 ms a piece).
    """
    table = _attribute_table(name, pandas_metadata=False).replace_schema_metadata(None)
    if "nom" not in table.column_names:
        return table
    import pyarrow as pa  # deferred: pyarrow only where embedded tables are read

    names = [None if n is None else normalize_text(n) for n in table.column("nom").to_pylist()]
    return table.append_column(NORMALIZED_NAME, pa.array(names, table.schema.field("nom").type))


def _attribute_table(name: str, *, pandas_metadata: bool) -> Any:
    """Every column but ``geometry`` of ``data/{name}.parquet``, as a pyarrow Table."""
    import pyarrow.parquet as pq  # deferred: pandas' own Parquet engine, loaded with it anyway

    with resources.as_file(DATA / f"{name}.parquet") as path:
        # ParquetFile.read, not pandas.read_parquet: the latter loads pyarrow.dataset (~60 ms) first
        parquet = pq.ParquetFile(path)
        columns = [c for c in parquet.schema_arrow.names if c != "geometry"]
        return parquet.read(columns=columns, use_pandas_metadata=pandas_metadata)


@cache
def read_table(name: str) -> pd.DataFrame:
    """The cached Parquet table ``data/{name}.parquet`` (do not modify: copy first)."""
    import pyarrow.parquet as pq  # deferred: pandas' own Parquet engine, loaded with it anyway

    with resources.as_file(DATA / f"{name}.parquet") as path:
        return pq.ParquetFile(path).read(use_pandas_metadata=True).to_pandas()  # no pyarrow.dataset (see above)


@cache
def read_csv(name: str) -> pd.DataFrame:
    """The cached CSV ``data/{name}.csv``, every column as text (do not modify: copy first)."""
    import pandas as pd  # deferred: heavy library, only the readers of frames load it

    with resources.as_file(DATA / f"{name}.csv") as path:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
