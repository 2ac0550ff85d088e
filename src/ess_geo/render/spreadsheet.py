"""Cells for spreadsheets: the one CSV convention and the guard against formula injection.

Every CSV file ess_geo writes (report, access index, ``zip`` outputs) comes from :func:`csv_bytes`
(or :func:`frame_csv_bytes`), and every XLSX text cell is written as a string cell (see
:mod:`ess_geo.render.xlsx`), so a registry name such as ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0``
is shown as text by Excel and LibreOffice, never run:

* **CSV**: UTF-8 with a byte order mark (Excel recognises the accents), a header row, ``,`` as
  separator by default or ``;`` (``--sep ';'``, French Excel's list separator, then with a decimal
  comma); a text value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  prefixed with ``'`` (OWASP, CSV injection); numbers stay numbers (``-3`` is written ``-3``);
* **XLSX**: text cells are string cells, never formulas (:func:`is_formula_like` tells which
  texts would otherwise be read as one).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ess_geo.errors import InputDataError

__all__ = [
    "CSV_SEPARATORS",
    "FORMULA_PREFIXES",
    "check_sep",
    "csv_bytes",
    "csv_cell",
    "frame_csv_bytes",
    "is_formula_like",
    "is_missing",
]

#: Separators a CSV export can use (the first is the default).
CSV_SEPARATORS = (",", ";")
#: First characters that make a spreadsheet read a text as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """True for a text a spreadsheet would read as a formula (see :data:`FORMULA_PREFIXES`)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def check_sep(sep: str) -> str:
    """``sep`` when it is one of :data:`CSV_SEPARATORS`.

    Raises
    ------
    InputDataError
        Naming the separator and the allowed ones.
    """
    if sep not in CSV_SEPARATORS:
        raise InputDataError(
            f"CSV separator {sep!r} not supported; use one of {list(CSV_SEPARATORS)}",
            fr=f"séparateur CSV non pris en charge : {sep!r} (attendu : « , » ou « ; »)",
        )
    return sep


def is_missing(value: object) -> bool:
    """True for None, NaN, NA and NaT (and False for lists and other non-scalar values): an empty cell."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def csv_cell(value: object, *, decimal: str = ".") -> str:
    """Text of one CSV cell: empty for missing values, numbers as numbers, formula-like text quoted with ``'``.

    Parameters
    ----------
    value : object
        Cell value (numpy scalars are unwrapped; booleans must already be words or ``true``/``false``).
    decimal : str, default "."
        Decimal mark of floats (``","`` with the ``;`` separator).

    Returns
    -------
    str
    """
    if isinstance(value, np.generic):
        value = value.item()
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value).replace(".", decimal) if decimal != "." else repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def csv_bytes(header: Sequence[object], rows: Iterable[Sequence[object]], *, sep: str = ",") -> bytes:
    """The one CSV convention: UTF-8 with BOM, ``sep`` (``,`` or ``;``), ``\\n`` line ends, safe cells.

    Parameters
    ----------
    header : sequence
        Column names.
    rows : iterable of sequences
        Values (see :func:`csv_cell`).
    sep : {",", ";"}, default ","
        Separator; with ``;`` floats get a decimal comma (French Excel).

    Returns
    -------
    bytes

    Raises
    ------
    InputDataError
        For another separator.
    """
    decimal = "," if check_sep(sep) == ";" else "."
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v, decimal=decimal) for v in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def frame_csv_bytes(frame: pd.DataFrame, *, sep: str = ",") -> bytes:
    """A DataFrame as CSV bytes under the convention of :func:`csv_bytes` (no index)."""
    return csv_bytes(list(frame.columns), frame.itertuples(index=False, name=None), sep=sep)
