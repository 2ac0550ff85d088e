"""Distinct doctors of an RPPS supply counted on its Arrow table: no pandas for a check on an extraction.

``Supply.persons`` holds one row per doctor × specialty × commune (``rpps_id``, ``specialty``,
``code_insee``, ``code_dep``). An RPPS read keeps it as an Arrow table
(:class:`~ess_geo.inputs.supply_index.DeferredFrame`); :class:`PersonsIndex` gives
:meth:`ess_geo.inputs.supply.Supply.count` what its pandas path computes (distinct doctors per
département, in the territory total, and those practising in several of its départements) on
integer codes with numpy, so that ``ess-geo check --rpps`` never imports pandas (issue 14).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

from ess_geo.inputs._arrow import dictionary_codes

if TYPE_CHECKING:  # annotations only: numpy and pandas only where an RPPS supply is counted
    import numpy as np
    import pandas as pd

__all__ = ["FramePersons", "PersonCount", "PersonsIndex", "distinct_doctors", "run_starts", "sorted_distinct"]

#: ``(total, per département, doctors in several of the départements)``.
PersonCount = tuple[int, dict[str, int], int]


@overload
def distinct_doctors(persons: pd.DataFrame, by: None = None) -> int: ...


@overload
def distinct_doctors(persons: pd.DataFrame, by: str | list[str]) -> pd.Series: ...


def distinct_doctors(persons: pd.DataFrame, by: str | list[str] | None = None) -> int | pd.Series:
    """Number of distinct doctors (RPPS identifiers), in all or per group.

    The one distinct-doctor count of ess_geo: a doctor with several activity lines, communes or
    départements in a group counts once in it.

    Parameters
    ----------
    persons : pandas.DataFrame
        Person-level rows with an ``rpps_id`` column (``Supply.persons`` or a subset).
    by : str or list of str, optional
        Column(s) to group by; None counts over all rows.

    Returns
    -------
    int or pandas.Series
        The count, or one count per group (int64, indexed by ``by``).
    """
    if by is None:
        return int(persons["rpps_id"].nunique())
    return persons.groupby(by)["rpps_id"].nunique().astype("int64")


class FramePersons:
    """The persons frame (read by someone: counted with pandas, edits included), with :class:`PersonsIndex`'s interface.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``rpps_id``, ``specialty``, ``code_dep`` (a missing département: NaN).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    @cached_property
    def _by_specialty(self) -> dict[str, pd.DataFrame]:
        """The rows of each specialty (one groupby; each count then filters its specialty's rows only)."""
        return {str(k): part for k, part in self._frame.groupby("specialty", sort=False, observed=True)}

    def _of_specialty(self, spec_id: str) -> pd.DataFrame:
        return self._by_specialty.get(spec_id, self._frame.iloc[0:0])

    @cached_property
    def specialties(self) -> frozenset[str]:
        """Specialties with at least one row."""
        return frozenset(self._by_specialty)

    @cached_property
    def departements(self) -> frozenset[str]:
        """Départements with at least one row."""
        return frozenset(str(d) for d in self._frame["code_dep"].dropna().unique())

    def ids_by_departement(self, spec_id: str, departements: list[str]) -> dict[str, frozenset[object]]:
        """The RPPS identifiers of the doctors of ``spec_id`` in each of ``departements``."""
        rows = self._of_specialty(spec_id)
        return {d: frozenset(rows.loc[rows["code_dep"] == d, "rpps_id"]) for d in departements}

    def count(self, spec_id: str, departements: list[str]) -> PersonCount:
        """:meth:`PersonsIndex.count`, with pandas."""
        rows = self._of_specialty(spec_id)
        rows = rows[rows["code_dep"].isin(departements)]
        per_dep = distinct_doctors(rows, "code_dep")
        multi = int((rows.groupby("rpps_id")["code_dep"].nunique() > 1).sum())
        return distinct_doctors(rows), {d: int(per_dep.get(d, 0)) for d in departements}, multi


class PersonsIndex:
    """The persons of an RPPS supply as integer codes, split by specialty once.

    Parameters
    ----------
    ids, specs, deps : numpy.ndarray
        Code of each row's ``rpps_id``, ``specialty`` and ``code_dep`` (``-1``: missing).
    spec_values, dep_values : list of str
        The values the specialty and département codes stand for.
    """

    def __init__(self, ids: np.ndarray, specs: np.ndarray, spec_values: list[str], deps: np.ndarray,
                 dep_values: list[str]) -> None:
        self._ids, self._specs, self._deps = ids, specs, deps
        self._spec_code = {str(v): i for i, v in enumerate(spec_values)}
        self._dep_code = {str(v): i for i, v in enumerate(dep_values)}
        self._rows: dict[str, np.ndarray] = {}

    @classmethod
    def of_table(cls, table: Any) -> PersonsIndex:
        """The index of a persons table (pyarrow: ``rpps_id``, ``specialty``, ``code_dep``, null when missing)."""
        specs, spec_values = dictionary_codes(table.column("specialty"))
        deps, dep_values = dictionary_codes(table.column("code_dep"))
        return cls(dictionary_codes(table.column("rpps_id"))[0], specs, spec_values.to_pylist(), deps,
                   dep_values.to_pylist())

    @cached_property
    def specialties(self) -> frozenset[str]:
        """Specialties with at least one row."""
        return _present(self._specs, self._spec_code)

    @cached_property
    def departements(self) -> frozenset[str]:
        """Départements with at least one row."""
        return _present(self._deps, self._dep_code)

    def _of_specialty(self, spec_id: str) -> np.ndarray:
        """Row numbers of one specialty (found once per specialty: the index is read by one thread)."""
        import numpy as np  # deferred: heavy library, only where an RPPS supply is counted

        if spec_id not in self._rows:
            code = self._spec_code.get(spec_id)
            self._rows[spec_id] = (np.zeros(0, dtype=np.int64) if code is None
                                   else np.flatnonzero(self._specs == code))
        return self._rows[spec_id]

    def ids_by_departement(self, spec_id: str, departements: list[str]) -> dict[str, frozenset[object]]:
        """The doctors (integer codes of their identifiers) of ``spec_id`` in each of ``departements``."""
        rows = self._of_specialty(spec_id)
        ids, deps = self._ids[rows], self._deps[rows]
        codes = {d: self._dep_code.get(d) for d in departements}
        return {d: frozenset(ids[deps == code].tolist()) if code is not None else frozenset() for d, code in codes.items()}

    def count(self, spec_id: str, departements: list[str]) -> PersonCount:
        """Distinct doctors of ``spec_id`` on ``departements``: in total, per département, and in several of them.

        Parameters
        ----------
        spec_id : str
            Canonical specialty id.
        departements : list of str
            Normalised département codes.

        Returns
        -------
        tuple
            ``(total, {code_dep: count}, multi)``: every département of ``departements`` is a key.
        """
        import numpy as np  # deferred: heavy library, only where an RPPS supply is counted

        wanted = [self._dep_code[d] for d in departements if d in self._dep_code]
        rows = self._of_specialty(spec_id)
        deps = self._deps[rows]
        kept = np.isin(deps, np.array(wanted, dtype=np.int64))
        n_deps = len(self._dep_code) + 1
        # one per doctor × département: the rows are doctor × specialty × commune
        pairs = sorted_distinct(self._ids[rows][kept] * n_deps + deps[kept])
        doctors, departements_per_doctor = np.unique(pairs // n_deps, return_counts=True)
        per_code = np.bincount(pairs % n_deps, minlength=n_deps)
        by_dep = {d: int(per_code[self._dep_code[d]]) if d in self._dep_code else 0 for d in departements}
        return len(doctors), by_dep, int((departements_per_doctor > 1).sum())


def _present(codes: np.ndarray, code_of: dict[str, int]) -> frozenset[str]:
    """The values of ``code_of`` whose code occurs in ``codes``."""
    present = set(sorted_distinct(codes[codes >= 0]).tolist())
    return frozenset(value for value, code in code_of.items() if code in present)


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array.

    ``np.unique`` without arguments hashes (5-10× slower on these codes) and, the first time,
    imports ``numpy.ma`` to test for a mask: 17 ms of a first count.

    Parameters
    ----------
    values : numpy.ndarray
        Integers.

    Returns
    -------
    numpy.ndarray
        Each value once, in increasing order.
    """
    import numpy as np  # deferred: heavy library, only where an RPPS supply is counted

    values = np.sort(values)
    return values[run_starts(values)]


def run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in ``values`` (sorted, or grouped): a boolean mask.

    Parameters
    ----------
    values : numpy.ndarray
        Values whose equal ones are next to each other.

    Returns
    -------
    numpy.ndarray
        True at the first position of each run (empty for no value).
    """
    import numpy as np  # deferred: heavy library, only where an RPPS supply is counted

    starts = np.ones(len(values), dtype=bool)
    np.not_equal(values[1:], values[:-1], out=starts[1:])
    return starts
