"""How :mod:`ess_geo.inputs.parse_cache` turns a reader's result into Parquet tables and JSON, and back.

Frames are stored as Parquet (text columns restored as they were); a table an RPPS read holds in
Arrow (a :class:`~ess_geo.inputs.supply_index.DeferredFrame`) is stored and read back in Arrow,
without pandas; every other field is tagged JSON that restores an equal object of the same type.
"""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ess_geo.dropped import DroppedRows
from ess_geo.inputs.supply_index import DeferredFrame, FrameField, held
from ess_geo.sources import Source

if TYPE_CHECKING:  # annotations only: pandas is imported when a stored frame is written or read back
    import pandas as pd

__all__ = ["NotCacheable", "encode", "field_value", "from_json", "is_arrow_table", "is_frame_field", "object_columns",
           "read_frame"]


class NotCacheable(Exception):
    """A value the entry format cannot restore exactly: the result is returned, not cached."""


def to_json(value: Any) -> Any:
    """A JSON form of ``value`` that :func:`from_json` restores to an equal object of the same type."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float) and type(value) in (int, float):
        return value
    if isinstance(value, Source):
        return {"__t": "source", "v": value.to_dict()}
    if isinstance(value, DroppedRows):  # every field, whatever DroppedRows grows (hidden fields...)
        return {"__t": "dropped", "v": {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, Counter):
        return {"__t": "counter", "v": [[to_json(k), to_json(v)] for k, v in value.items()]}
    if isinstance(value, dict):
        return {"__t": "dict", "v": [[to_json(k), to_json(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return {"__t": type(value).__name__, "v": [to_json(v) for v in items]}
    raise NotCacheable(type(value).__name__)


def from_json(value: Any) -> Any:
    """The object :func:`to_json` wrote (an equal object of the same type)."""
    if not isinstance(value, dict):
        return value
    tag, raw = value["__t"], value["v"]
    if tag == "source":
        return Source(**raw)
    if tag == "dropped":
        return DroppedRows(**{name: from_json(v) for name, v in raw.items()})
    if tag in ("counter", "dict"):
        pairs = [(from_json(k), from_json(v)) for k, v in raw]
        return Counter(dict(pairs)) if tag == "counter" else dict(pairs)
    kinds: dict[str, Callable[[Iterable], Any]] = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}
    return kinds[tag](from_json(v) for v in raw)


def encode(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The init fields of a dataclass instance: frames apart, everything else as tagged JSON.

    A frame held in Arrow (a :class:`~ess_geo.inputs.supply_index.DeferredFrame` of an RPPS read)
    is stored as that Arrow table, without making it a pandas frame.
    """
    frames: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if not f.init:
            continue
        value = field_value(obj, f.name)
        if isinstance(value, DeferredFrame):
            value = value.arrow if value.arrow is not None and value.built is None else value.frame()
        if is_arrow_table(value):
            frames[f.name] = value
        elif _is_frame(value):
            if type(value) is not sys.modules["pandas"].DataFrame:  # a GeoDataFrame would come back plain
                raise NotCacheable(type(value).__name__)
            for col in object_columns(value):
                if any(v is not None and not isinstance(v, str | list) for v in value[col]):
                    raise NotCacheable(f"column {col!r} holds values other than text, lists and None")
            frames[f.name] = value
        else:
            fields[f.name] = to_json(value)
    return frames, fields


def is_frame_field(obj: Any, name: str) -> bool:
    """Whether the field ``name`` of ``obj`` is a :class:`FrameField` (it may hold a deferred frame)."""
    return isinstance(vars(type(obj)).get(name), FrameField)


def field_value(obj: Any, name: str) -> Any:
    """A field's value as held: a :class:`FrameField`'s deferred frame is not built."""
    return held(obj, name) if is_frame_field(obj, name) else getattr(obj, name)


def _is_frame(value: Any) -> bool:
    """Whether ``value`` is a pandas DataFrame (pandas is not imported to answer: without it, none is)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(value, pd.DataFrame)


def is_arrow_table(value: Any) -> bool:
    """Whether ``value`` is a pyarrow Table (pyarrow is not imported to answer)."""
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(value, pa.Table)


def object_columns(frame: pd.DataFrame) -> list[str]:
    """Columns of ``frame`` holding Python objects (text, lists, None): restored as such when read back."""
    import numpy as np  # deferred: heavy library, only when a parsed file is stored

    return [str(c) for c, dtype in frame.dtypes.items() if dtype is np.dtype(object)]


def restored(frame: pd.DataFrame, object_columns: list[str]) -> pd.DataFrame:
    """Object columns as they were: Parquet gives text columns back as strings with NaN, lists as arrays."""
    import pandas as pd  # deferred: heavy library, only when a parsed file is read back

    for col in object_columns:
        values = [v.tolist() if hasattr(v, "tolist") else (v if isinstance(v, str) else None) for v in frame[col]]
        frame[col] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def read_frame(file: Path, table: dict) -> Any:
    """A stored table: an Arrow one held as a :class:`DeferredFrame` (no pandas), else the pandas frame."""
    import pyarrow.parquet as pq  # deferred: pyarrow only where a parsed file is read back

    if table.get("arrow"):
        return DeferredFrame.of_arrow(pq.ParquetFile(file).read())  # ParquetFile: pq.read_table imports pandas
    import pandas as pd  # deferred: heavy library, only when a stored frame is read back

    return restored(pd.read_parquet(file, engine="pyarrow"), table["object_columns"])
