"""pyarrow without pandas: arrays, scalars and numpy views built from buffers.

pyarrow imports pandas (0.3 s, and about 0.15 s of teardown at exit) the first time a Python
value or a numpy array becomes an Arrow one, or an Arrow array a numpy one: ``pa.array``,
``pa.scalar``, a Python value given to a compute function, ``Array.to_numpy``,
``Schema.empty_table``, ``Table.group_by``. An RPPS read and a check on it need no DataFrame
(issue 14: the first read of an extraction within DuckDB's time), so what they hand to pyarrow or
take from it goes through these helpers, which work on buffers. ``tests/inputs/test_arrow_without_pandas.py``
proves in fresh processes that no pandas is imported.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: numpy and pyarrow only where Arrow tables are read
    import numpy as np

__all__ = ["bool_array", "bool_scalar", "dictionary_codes", "empty_text_table", "int_array", "numpy_bools", "numpy_ints",
           "one_array", "text_array", "text_scalar"]


def text_array(values: Sequence[str | None]) -> Any:
    """A pyarrow ``string`` array of ``values`` (None: null), built from buffers."""
    import pyarrow as pa  # deferred: pyarrow only where Arrow tables are read

    data = [b"" if v is None else v.encode("utf-8") for v in values]
    ends = [0]
    for d in data:
        ends.append(ends[-1] + len(d))
    offsets = pa.py_buffer(struct.pack(f"<{len(ends)}i", *ends))
    validity = None
    nulls = sum(v is None for v in values)
    if nulls:
        bits = bytearray((len(values) + 7) // 8)
        for i, v in enumerate(values):
            if v is not None:
                bits[i // 8] |= 1 << (i % 8)
        validity = pa.py_buffer(bytes(bits))
    return pa.Array.from_buffers(pa.string(), len(values), [validity, offsets, pa.py_buffer(b"".join(data))],
                                 null_count=nulls)


def text_scalar(value: str | None) -> Any:
    """A pyarrow ``string`` scalar (None: the null one), for compute functions."""
    return text_array([value])[0]


def bool_scalar(value: bool) -> Any:
    """A pyarrow ``bool`` scalar, for compute functions."""
    import pyarrow as pa  # deferred: pyarrow only where Arrow tables are read

    return pa.Array.from_buffers(pa.bool_(), 1, [None, pa.py_buffer(b"\x01" if value else b"\x00")])[0]


def int_array(values: np.ndarray) -> Any:
    """A pyarrow ``int64`` array of a numpy integer array (copied), built from its buffer."""
    import numpy as np  # deferred: heavy library, only where Arrow tables are read
    import pyarrow as pa  # deferred: pyarrow only where Arrow tables are read

    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data.tobytes())])


def one_array(column: Any) -> Any:
    """A column as one Arrow array: a chunked array's chunks combined.

    Parameters
    ----------
    column : pyarrow.Array or pyarrow.ChunkedArray
        The column.

    Returns
    -------
    pyarrow.Array
        An empty array of its type when it has no chunk (``combine_chunks`` then calls
        ``pa.array``, which imports pandas: a filter that keeps no line gives such columns).
    """
    import pyarrow as pa  # deferred: pyarrow only where Arrow tables are read

    if not isinstance(column, pa.ChunkedArray):
        return column
    if column.num_chunks == 0:
        return pa.nulls(0, column.type)
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def bool_array(values: np.ndarray) -> Any:
    """A pyarrow ``bool`` array of a numpy boolean array, built from its packed bits."""
    import numpy as np  # deferred: heavy library, only where Arrow tables are read
    import pyarrow as pa  # deferred: pyarrow only where Arrow tables are read

    bits = np.packbits(np.asarray(values, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits.tobytes())])


def numpy_ints(array: Any, fill: int = -1) -> np.ndarray:
    """An integer Arrow array (or chunked array) as a numpy int64 array, nulls as ``fill``."""
    import numpy as np  # deferred: heavy library, only where Arrow tables are read
    import pyarrow as pa  # deferred: pyarrow only where Arrow tables are read
    import pyarrow.compute as pc  # deferred: pyarrow.compute only where Arrow tables are read

    array = one_array(array)
    if not pa.types.is_integer(array.type):
        msg = f"numpy_ints: an integer array is expected, got {array.type}"
        raise TypeError(msg)
    if array.null_count:
        array = pc.fill_null(array, pc.cast(int_array(np.array([fill])), array.type)[0])
    if not len(array):
        return np.zeros(0, dtype=np.int64)
    dtype = np.dtype(f"{'int' if pa.types.is_signed_integer(array.type) else 'uint'}{array.type.bit_width}")
    view = np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)
    return view.astype(np.int64)


def numpy_bools(array: Any) -> np.ndarray:
    """A boolean Arrow array (or chunked array) as a numpy bool array, nulls as False."""
    import pyarrow as pa  # deferred: pyarrow only where Arrow tables are read
    import pyarrow.compute as pc  # deferred: pyarrow.compute only where Arrow tables are read

    return numpy_ints(pc.fill_null(array, bool_scalar(False)).cast(pa.int8())) != 0


def dictionary_codes(column: Any) -> tuple[np.ndarray, Any]:
    """Integer code of each value of a text column (-1 when missing) and the distinct values they index."""
    encoded = one_array(column).dictionary_encode()
    return numpy_ints(encoded.indices, fill=-1), encoded.dictionary


def empty_text_table(columns: Sequence[str]) -> Any:
    """A table of ``columns``, all text, without rows."""
    import pyarrow as pa  # deferred: pyarrow only where Arrow tables are read

    return pa.table({c: text_array([]) for c in columns})
