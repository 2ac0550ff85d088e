"""What :class:`~ess_geo.inputs.supply.Supply` counts from, in plain Python: no pandas for a check.

A check on the embedded supply (or a DREES table) needs a few sums per département; importing
pandas for them took most of a cold ``ess-geo check`` (issue 14). This module holds:

- :class:`DeferredFrame`: the rows of a table as plain tuples, turned into a pandas DataFrame only
  when someone reads the frame (a notebook, a map, a report); :class:`FrameField` is the
  ``Supply`` field that holds a frame or a deferred one;
- :class:`TableIndex`: per specialty and per DREES group, the sum per département and the modes
  of practice of an aggregated table (``Supply.table``), and the départements it has a line for;
- :func:`bounds_index`: per specialty, the count per département of each (source, mode, bound,
  vintage) of ``Supply.bounds``.

Both indexes are built from records, whatever holds them: a deferred frame gives its tuples, a
DataFrame is first summed per département × specialty × group × mode (vectorised) so that a
commune-level table of 100,000 rows costs no Python loop over its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

from ess_geo.inputs._arrow import dictionary_codes, numpy_ints
from ess_geo.inputs.persons_index import run_starts

if TYPE_CHECKING:  # annotations only: pandas is imported when a deferred frame is first read
    import pandas as pd

__all__ = ["BoundKey", "DeferredFrame", "FrameField", "Sums", "TableIndex", "bounds_index", "current", "frame_records", "held"]

#: ``(source, mode, bound, vintage)`` of one count of ``Supply.bounds``.
BoundKey = tuple[str, str, str, str]
#: Columns of the records a :class:`TableIndex` is built from.
_INDEX_COLUMNS = ("code_dep", "specialty", "drees_group", "n_specialists", "mode")


class DeferredFrame:
    """A table held as plain tuples or as an Arrow table, made a pandas DataFrame on first :meth:`frame` (then kept).

    Parameters
    ----------
    columns : sequence of str
        Column names, in the order of each record.
    records : list of tuple
        The rows.
    int_columns : sequence of str, default ()
        Columns cast to int64 in the frame.
    """

    def __init__(self, columns: Sequence[str], records: list[tuple], int_columns: Sequence[str] = ()) -> None:
        self.columns = list(columns)
        self._records: list[tuple] | None = records
        self.int_columns = list(int_columns)
        self.arrow: Any = None
        self.index: Any = None
        self._frame: pd.DataFrame | None = None

    @classmethod
    def of_arrow(cls, table: Any, index: Any = None) -> DeferredFrame:
        """A pyarrow Table held as is (an RPPS read): counted without pandas, converted by ``to_pandas`` when read.

        ``index``: what the reader computed along the way for counting it (a :class:`TableIndex`, a
        :class:`~ess_geo.inputs.persons_index.PersonsIndex`), used until the frame is built.
        """
        deferred = cls(table.column_names, [])
        deferred._records = None
        deferred.arrow = table
        deferred.index = index
        return deferred

    @property
    def records(self) -> list[tuple]:
        """The rows as tuples (an Arrow table's are made on first use, then kept)."""
        if self._records is None:
            self._records = list(zip(*(column.to_pylist() for column in self.arrow.columns), strict=True))
        return self._records

    def frame(self) -> pd.DataFrame:
        """The DataFrame (built once; shared by every holder: do not modify it)."""
        if self._frame is None:
            if self.arrow is not None:
                self._frame = self.arrow.to_pandas()
                return self._frame
            import pandas as pd  # deferred: heavy library, only when a frame is actually read

            frame = pd.DataFrame.from_records(self.records, columns=self.columns)
            for column in self.int_columns:
                frame[column] = frame[column].astype("int64")
            self._frame = frame
        return self._frame

    @property
    def built(self) -> pd.DataFrame | None:
        """The DataFrame if :meth:`frame` has built it, else None."""
        return self._frame

    def __len__(self) -> int:
        return self.arrow.num_rows if self.arrow is not None else len(self.records)


class FrameField:
    """Dataclass field holding a DataFrame or a :class:`DeferredFrame`, read as a DataFrame.

    ``Supply(table=DeferredFrame(...))`` keeps the tuples; ``supply.table`` builds the frame the
    first time it is read. :func:`held` gives what it holds, :func:`frame_records` the tuples,
    without building it.

    Parameters
    ----------
    optional : bool, default False
        Whether the field defaults to None (``Supply.bounds``); a required field has no default.
    """

    def __init__(self, *, optional: bool = False) -> None:
        self.optional = optional
        self.slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = _slot(name)

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> None: ...

    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> Any: ...

    def __get__(self, obj: object, objtype: type | None = None) -> Any:
        if obj is None:  # the dataclass asks for the field's default
            if self.optional:
                return None
            raise AttributeError(self.slot)  # required: no default
        held = obj.__dict__[self.slot]
        return held.frame() if isinstance(held, DeferredFrame) else held

    def __set__(self, obj: object, value: pd.DataFrame | DeferredFrame | None) -> None:
        obj.__dict__[self.slot] = value



def _slot(name: str) -> str:
    """Where a :class:`FrameField` named ``name`` keeps what it holds, in the instance's ``__dict__``."""
    return f"_{name}_held"


def held(obj: object, name: str) -> pd.DataFrame | DeferredFrame | None:
    """What the :class:`FrameField` ``name`` of ``obj`` holds: the DataFrame, the deferred one (not built), or None."""
    return obj.__dict__[_slot(name)]


def current(obj: object, name: str) -> pd.DataFrame | DeferredFrame | None:
    """What counts are computed from: the held DataFrame, or a deferred one's tuples until its frame is
    built, then that frame (which its reader may have edited in place)."""
    value = held(obj, name)
    if isinstance(value, DeferredFrame) and value.built is not None:
        return value.built
    return value


def frame_records(held: pd.DataFrame | DeferredFrame, columns: Sequence[str]) -> Iterable[tuple]:
    """The rows of ``columns`` of a held table, as tuples (a deferred frame is not built); a column the
    deferred frame lacks reads as None."""
    if isinstance(held, DeferredFrame):
        positions = [held.columns.index(c) if c in held.columns else None for c in columns]
        return (tuple(None if i is None else r[i] for i in positions) for r in held.records)
    return zip(*(held[c].tolist() for c in columns), strict=True)


@dataclass
class Sums:
    """Sum per département and modes of practice of the rows of one specialty or group."""

    per_dep: dict[str, float] = field(default_factory=dict)
    modes: set[str] = field(default_factory=set)

    def add(self, dep: str, n: float, mode: object) -> None:
        self.per_dep[dep] = self.per_dep.get(dep, 0) + n
        if _given(mode):
            self.modes.add(str(mode))

    @cached_property
    def counts(self) -> dict[str, int]:
        """The sums as integers (summed first, then made int, as a pandas groupby sum would); computed once,
        after the index is built (do not modify)."""
        return {dep: int(n) for dep, n in self.per_dep.items()}


def _given(value: object) -> bool:
    """Whether a key is a value, not None nor NaN (a table without ``drees_group`` or ``mode``)."""
    return value is not None and value == value


@dataclass
class TableIndex:
    """Per-département sums of an aggregated supply table, by specialty and by DREES group.

    Which of the two counts for a specialty is decided by ``Supply._selection``, not here.

    Attributes
    ----------
    by_specialty : dict of str to Sums
        Rows whose ``specialty`` is the key.
    by_group : dict of str to Sums
        Rows whose ``drees_group`` is the key.
    departements : frozenset of str
        Départements the table has a line for.
    """

    by_specialty: dict[str, Sums]
    by_group: dict[str, Sums]
    departements: frozenset[str]

    @classmethod
    def of(cls, held: pd.DataFrame | DeferredFrame) -> TableIndex:
        """The index of a table (``code_dep``, ``specialty``, ``drees_group``, ``n_specialists``, ``mode``);
        codes are read as text (a hand-made table with ``code_dep`` 75 counts for ``"75"``)."""
        by_specialty: dict[str, Sums] = {}
        by_group: dict[str, Sums] = {}
        deps: set[str] = set()
        for dep, spec, group, n, mode in _summed_records(held):
            if not _given(dep):
                continue
            code = str(dep)
            deps.add(code)
            by_specialty.setdefault(str(spec), Sums()).add(code, n, mode)
            if _given(group):
                by_group.setdefault(str(group), Sums()).add(code, n, mode)
        return cls(by_specialty, by_group, frozenset(deps))


def _summed_records(held: pd.DataFrame | DeferredFrame) -> Iterable[tuple]:
    """Records of ``_INDEX_COLUMNS``; a DataFrame is summed per key first (vectorised), then iterated.

    A hand-made table without ``drees_group`` or ``mode`` gets them empty (no group, no mode).
    """
    if isinstance(held, DeferredFrame):
        if held.arrow is not None and held._records is None:
            return _arrow_summed_records(held.arrow)
        return frame_records(held, _INDEX_COLUMNS)
    missing = [c for c in ("drees_group", "mode") if c not in held.columns]
    table = held.assign(**dict.fromkeys(missing)) if missing else held
    if table.empty:
        return []
    keys = ["code_dep", "specialty", "drees_group", "mode"]
    summed = table.groupby(keys, sort=False, dropna=False, observed=True)["n_specialists"].sum().reset_index()
    return frame_records(summed, _INDEX_COLUMNS)


def _arrow_summed_records(table: Any) -> list[tuple]:
    """Records of ``_INDEX_COLUMNS`` of an Arrow table, summed per key with numpy (an RPPS read: no pandas)."""
    import numpy as np  # deferred: heavy library, only where an Arrow table is indexed

    keys = [c for c in _INDEX_COLUMNS if c != "n_specialists"]
    combined = np.zeros(table.num_rows, dtype=np.int64)
    decoded = []
    for key in keys:
        if key in table.column_names:
            codes, values = dictionary_codes(table.column(key))
            names: list = [*values.to_pylist(), None]  # code -1 (missing): the last
        else:
            codes, names = np.full(table.num_rows, -1, dtype=np.int64), [None]
        combined = combined * len(names) + np.where(codes < 0, len(names) - 1, codes)
        decoded.append(names)
    if not table.num_rows:
        return []
    counts = numpy_ints(table.column("n_specialists"), fill=0)
    order = np.argsort(combined, kind="stable")
    ordered = combined[order]
    starts = np.flatnonzero(run_starts(ordered))
    sums = np.add.reduceat(counts[order], starts)
    out = []
    for key, total in zip(ordered[starts].tolist(), sums.tolist(), strict=True):
        fields = []
        for names in reversed(decoded):
            key, code = divmod(key, len(names))
            fields.append(names[code])
        dep, spec, group, mode = reversed(fields)
        out.append((dep, spec, group, total, mode))
    return out


def bounds_index(held: pd.DataFrame | DeferredFrame) -> dict[str, list[tuple[BoundKey, dict[str, int]]]]:
    """Per specialty, each ``(source, mode, bound, vintage)`` of ``Supply.bounds`` (in order of first
    appearance) with its count per département."""
    out: dict[str, dict[BoundKey, dict[str, int]]] = {}
    columns = ("specialty", "source", "mode", "bound", "vintage", "code_dep", "count")
    for spec, source, mode, bound, vintage, dep, count in frame_records(held, columns):
        key = (str(source), str(mode), str(bound), str(vintage))
        per_dep = out.setdefault(str(spec), {}).setdefault(key, {})
        per_dep[str(dep)] = per_dep.get(str(dep), 0) + int(count)
    return {spec: list(groups.items()) for spec, groups in out.items()}

