"""Read the embedded reference files (``reference/data/``) once per process.

Private to :mod:`ess_geo.reference`: other layers go through :mod:`~ess_geo.reference.geography`,
:mod:`~ess_geo.reference.codes` and :mod:`~ess_geo.reference.points`, which return copies.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["DATA", "read_attributes", "read_csv", "read_geo", "read_table"]

#: Folder of the embedded reference files (rebuilt by ``scripts/build_reference_data.py``).
DATA = resources.files("ess_geo.reference") / "data"


@cache
def read_geo(name: str) -> gpd.GeoDataFrame:
    """The cached GeoParquet ``data/{name}.parquet`` (do not modify: copy first)."""
    import geopandas as gpd  # deferred: heavy library, only commands drawing or measuring geometry load it

    with resources.as_file(DATA / f"{name}.parquet") as path:
        return gpd.read_parquet(path)


@cache
def read_attributes(name: str) -> pd.DataFrame:
    """The cached columns of the GeoParquet ``data/{name}.parquet`` but its geometry (do not modify: copy first).

    Codes, names and populations without decoding a polygon nor importing geopandas: what the
    checks need (``communes.parquet`` is 7.8 MB of polygons around 34,875 short rows).
    """
    import pyarrow.parquet as pq  # deferred: pandas' own Parquet engine, loaded with it anyway

    with resources.as_file(DATA / f"{name}.parquet") as path:
        # ParquetFile.read, not pandas.read_parquet: the latter loads pyarrow.dataset (~60 ms) first
        parquet = pq.ParquetFile(path)
        columns = [c for c in parquet.schema_arrow.names if c != "geometry"]
        return parquet.read(columns=columns, use_pandas_metadata=True).to_pandas()


@cache
def read_table(name: str) -> pd.DataFrame:
    """The cached Parquet table ``data/{name}.parquet`` (do not modify: copy first)."""
    import pyarrow.parquet as pq  # deferred: pandas' own Parquet engine, loaded with it anyway

    with resources.as_file(DATA / f"{name}.parquet") as path:
        return pq.ParquetFile(path).read(use_pandas_metadata=True).to_pandas()  # no pyarrow.dataset (see above)


@cache
def read_csv(name: str) -> pd.DataFrame:
    """The cached CSV ``data/{name}.csv``, every column as text (do not modify: copy first)."""
    with resources.as_file(DATA / f"{name}.csv") as path:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
