"""Distinct doctors of an RPPS read, counted on its Arrow table with numpy (no pandas group-by).

:func:`ess_geo.inputs.rpps.load_rpps` keeps one row per doctor × specialty × commune
(:func:`persons_table`); since those rows are distinct, the doctors of a commune × specialty are
its rows (:func:`commune_counts`). These are :func:`ess_geo.inputs.supply.distinct_doctors`'s
counts, same values and same order (groups sorted by code, a missing département left out, as
pandas' ``groupby`` does), computed on integer codes of the text columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ess_geo.inputs._arrow import dictionary_codes, int_array, numpy_bools, numpy_ints, one_array
from ess_geo.inputs._rpps_place import COMMUNE_CODE, departement_codes, departement_of_communes
from ess_geo.inputs.persons_index import PersonsIndex, run_starts, sorted_distinct
from ess_geo.inputs.rpps_file import COL_ID
from ess_geo.inputs.supply_index import DeferredFrame, TableIndex
from ess_geo.reference.specialties import get_specialty

if TYPE_CHECKING:  # annotations only: numpy only to read an RPPS extraction
    import numpy as np

__all__ = ["ID_NUMBER", "SPECIALTY_CODE", "PersonCodes", "commune_counts", "count_indexes", "numeric_ids", "person_counts",
           "persons_table"]


def _order(values: Any, already_sorted: bool) -> tuple[np.ndarray, np.ndarray]:
    """The codes of ``values`` in sorted order (code point order, as Python and pandas sort text), and the rank
    of each code."""
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    if already_sorted:  # a code is its rank
        identity = np.arange(len(values), dtype=np.int64)
        return identity, identity
    order = numpy_ints(pc.sort_indices(values))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order), dtype=np.int64)
    return order, ranks


#: Column of an RPPS read's lines: :func:`numeric_ids` of its ``Identifiant PP``.
ID_NUMBER = "id_number"
#: Column of an RPPS read's lines: the position of its ``specialty`` in the specialties given to :func:`persons_table`.
SPECIALTY_CODE = "specialty_code"


def numeric_ids(ids: Any) -> Any:
    """The identifiers as integers when each is 1 to 15 digits (RPPS: 11, ADELI: 9), else -1 for every line.

    ``value × 16 + length``: distinct texts give distinct numbers (``"0123"`` and ``"123"`` too).
    Computed by the parsing threads on each piece, so that counting the doctors needs no hashing of
    150,000 identifiers after the parse (10-40 ms); :func:`persons_table` hashes the text when a
    piece has another identifier.

    Parameters
    ----------
    ids : pyarrow.Array or ChunkedArray
        ``Identifiant PP`` (trimmed, none empty).

    Returns
    -------
    pyarrow.Array
        int64, one per line.
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    ids = one_array(ids)
    if not numpy_bools(pc.match_substring_regex(ids, pattern="^[0-9]{1,15}$")).all():
        return int_array(np.full(len(ids), -1, dtype=np.int64))
    return int_array(numpy_ints(ids.cast(pa.int64())) * 16 + numpy_ints(pc.utf8_length(ids)))


def _id_codes(doctors: Any, per_id: int) -> tuple[np.ndarray, Any]:
    """An integer per line, equal for equal identifiers, below ``2**63 / per_id``; and the distinct identifiers
    (None when the numbers of :func:`numeric_ids` are the codes)."""
    if ID_NUMBER in doctors.column_names:
        numbers = numpy_ints(one_array(doctors.column(ID_NUMBER)))
        if not len(numbers) or (numbers.min() >= 0 and (int(numbers.max()) + 2) * per_id < 1 << 62):
            return numbers, None
    return dictionary_codes(doctors.column(COL_ID))


#: Lines apart at which keys are compared to tell an extraction in order of identifier.
_SPAN = 64


def _first_occurrences(values: np.ndarray) -> np.ndarray:
    """Position of the first occurrence of each distinct value, in increasing order.

    An extraction lists each professional's lines together, in order of identifier: the keys are
    then sorted but for the order of a doctor's own lines, and a stable sort (timsort, adaptive)
    groups them in 3 ms for 160,000. In any other order, Arrow hashes them (15 ms), its codes
    numbering the values in order of first occurrence: a position is a first occurrence when its
    code exceeds every code before it.
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction

    if len(values) < 2:
        return np.arange(len(values), dtype=np.int64)
    # ordered at the scale of a few lines (a doctor's lines are in any order): fewer than 1 % of descents 64 apart
    if np.count_nonzero(values[_SPAN:] < values[:-_SPAN]) * 100 < len(values):
        order = np.argsort(values, kind="stable")  # equal keys keep their order: the first comes first
        return np.sort(order[run_starts(values[order])], kind="stable")
    codes = numpy_ints(int_array(values).dictionary_encode().indices)
    return np.flatnonzero(np.concatenate(([True], codes[1:] > np.maximum.accumulate(codes)[:-1])))


@dataclass
class PersonCodes:
    """Integer codes of the persons' columns, computed once and shared by the counts.

    Attributes
    ----------
    ids, specialties, communes, deps : numpy.ndarray
        Code of each person row in ``id_values``... (-1: missing département). ``ids`` are the
        identifiers' numbers (:func:`numeric_ids`) when every identifier is digits: equal for equal
        identifiers, not positions.
    id_values, specialty_values, commune_values, dep_values : pyarrow.Array
        The distinct values the codes index (``id_values`` None when ``ids`` are numbers).
    dep_of_commune : numpy.ndarray
        The département code of each of ``commune_values`` (``deps`` is it taken per row).
    sorted_values : bool
        ``specialty_values`` and ``commune_values`` are in increasing order: a code is its value's rank.
    """

    ids: np.ndarray
    specialties: np.ndarray
    communes: np.ndarray
    deps: np.ndarray
    id_values: Any  # None: the ids are the identifiers' numbers (numeric_ids)
    specialty_values: Any
    commune_values: Any
    dep_values: Any
    dep_of_commune: np.ndarray
    sorted_values: bool = False


def persons_table(doctors: Any, specialties: Any = None) -> tuple[Any, PersonCodes]:
    """One row per doctor × specialty × commune: ``rpps_id``, ``specialty``, ``code_insee``, ``code_dep``.

    Parameters
    ----------
    doctors : pyarrow.Table
        Placed lines: ``Identifiant PP``, ``specialty``, ``code_insee`` (none missing), possibly their
        codes :data:`SPECIALTY_CODE` and :data:`~ess_geo.inputs._rpps_place.COMMUNE_CODE`, made by the
        parsing threads: then used as they are (when none is -1), instead of hashing the text of
        160,000 lines after the parse (20-40 ms).
    specialties : pyarrow.Array, optional
        The specialties :data:`SPECIALTY_CODE` indexes, in increasing order (without it, the codes are not used).

    Returns
    -------
    persons : pyarrow.Table
        Distinct rows in the order of their first line (what ``drop_duplicates`` keeps).
    codes : PersonCodes
        The codes of its columns, for :func:`person_counts` and :func:`commune_counts`.
    """
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    columns = [COL_ID, "specialty", "code_insee"]
    ref_codes, ref_deps = departement_of_communes()
    coded = _given_codes(doctors, specialties)
    if coded is not None:  # codes of every line: the communes' and specialties' positions, in increasing order
        (specs, communes), spec_values = coded, specialties
        commune_values = ref_codes.cast(doctors.schema.field("code_insee").type)  # the text's type, as hashed
        dep_of_value = ref_deps
        dep_codes, dep_values = departement_codes()
    else:
        (specs, spec_values), (communes, commune_values) = (dictionary_codes(doctors.column(c)) for c in columns[1:])
        dep_of_value = pc.take(ref_deps, pc.index_in(commune_values, value_set=ref_codes))  # per distinct commune
        dep_codes, dep_values = dictionary_codes(dep_of_value)
    ids, id_values = _id_codes(doctors, (len(spec_values) + 1) * (len(commune_values) + 1))
    key = (ids * (len(spec_values) + 1) + specs + 1) * (len(commune_values) + 1) + communes + 1  # < 2**63
    firsts = _first_occurrences(key)
    communes = communes[firsts]
    persons = doctors.select(columns).take(int_array(firsts)).rename_columns(["rpps_id", "specialty", "code_insee"])
    persons = persons.append_column("code_dep", pc.take(dep_of_value, int_array(communes)))
    return persons, PersonCodes(ids[firsts], specs[firsts], communes, dep_codes[communes], id_values, spec_values,
                                commune_values, dep_values, dep_codes, sorted_values=coded is not None)


def _given_codes(doctors: Any, specialties: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """The lines' :data:`SPECIALTY_CODE` and :data:`~ess_geo.inputs._rpps_place.COMMUNE_CODE` when every line has
    both (None otherwise: the text is hashed)."""
    if specialties is None or not {SPECIALTY_CODE, COMMUNE_CODE} <= set(doctors.column_names):
        return None
    specs, communes = (numpy_ints(one_array(doctors.column(c))) for c in (SPECIALTY_CODE, COMMUNE_CODE))
    if len(specs) and min(int(specs.min()), int(communes.min())) < 0:
        return None
    return specs, communes


def person_counts(codes: PersonCodes) -> dict[str, int]:
    """Distinct doctors, and doctors (per specialty) in more than one département (missing ones not counted).

    Parameters
    ----------
    codes : PersonCodes
        The codes of :func:`persons_table`.

    Returns
    -------
    dict
        ``persons`` and ``persons_in_several_departements``.
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction

    known = codes.deps >= 0
    pairs = codes.ids[known] * (len(codes.specialty_values) + 1) + codes.specialties[known]
    n_deps = len(codes.dep_values) + 1
    triples = sorted_distinct(pairs * n_deps + codes.deps[known])  # one per doctor × specialty × département
    per_pair = np.unique(triples // n_deps, return_counts=True)[1]
    return {"persons": len(sorted_distinct(codes.ids)),
            "persons_in_several_departements": int((per_pair > 1).sum())}


def commune_counts(codes: PersonCodes) -> Any:
    """Distinct doctors per commune × département × specialty, sorted by those codes.

    Since the persons rows are distinct, a group's rows are its doctors: they are counted as runs of
    equal keys, a key per commune × specialty numbered in the sorted order of their codes.

    Parameters
    ----------
    codes : PersonCodes
        The codes of :func:`persons_table`.

    Returns
    -------
    pyarrow.Table
        ``code_insee``, ``code_dep``, ``specialty``, ``n_specialists`` (int64); rows without a
        département left out.
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction

    known = codes.deps >= 0
    # the département follows from the commune: ordering by commune then specialty orders the three
    commune_of_rank, commune_rank = _order(codes.commune_values, codes.sorted_values)
    spec_of_rank, spec_rank = _order(codes.specialty_values, codes.sorted_values)
    n_spec = max(len(spec_of_rank), 1)
    key = commune_rank[codes.communes[known]] * n_spec + spec_rank[codes.specialties[known]]
    # sorted and counted in runs, not binned: one bin per commune × specialty is 6-10 MB, which numpy asks the
    # kernel to back with huge pages (arrays over 4 MiB), then compacted on the spot: 20-30 ms, against 2 for the sort
    key = np.sort(key)
    starts = np.flatnonzero(run_starts(key))
    present, counts = key[starts], np.diff(np.append(starts, len(key)))
    communes, specs = commune_of_rank[present // n_spec], spec_of_rank[present % n_spec]
    return pa.table({"code_insee": codes.commune_values.take(int_array(communes)),
                     "code_dep": codes.dep_values.take(int_array(codes.dep_of_commune[communes])),
                     "specialty": codes.specialty_values.take(int_array(specs)),
                     "n_specialists": int_array(counts)})


def count_indexes(codes: PersonCodes, mode_label: str) -> tuple[TableIndex, PersonsIndex]:
    """What :class:`~ess_geo.inputs.supply.Supply` counts an RPPS read from, from the codes at hand.

    The commune table's sums per département × specialty are its persons rows per département ×
    specialty (a row per doctor × commune); the persons index takes the codes as they are. Both
    would otherwise be computed again from the Arrow tables at the first count.

    Parameters
    ----------
    codes : PersonCodes
        The codes of :func:`persons_table`.
    mode_label : str
        The ``mode`` of every row of the commune table.

    Returns
    -------
    tuple
        ``(TableIndex, PersonsIndex)``.
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction

    specs, deps = codes.specialty_values.to_pylist(), codes.dep_values.to_pylist()
    known = codes.deps >= 0
    cells = np.bincount(codes.deps[known] * len(specs) + codes.specialties[known], minlength=len(deps) * len(specs))
    groups = {s: get_specialty(s).drees_group for s in specs}
    records = [(deps[k // len(specs)], specs[k % len(specs)], groups[specs[k % len(specs)]], int(cells[k]), mode_label)
               for k in np.flatnonzero(cells).tolist()]
    table_index = TableIndex.of(DeferredFrame(["code_dep", "specialty", "drees_group", "n_specialists", "mode"], records))
    return table_index, PersonsIndex(codes.ids, codes.specialties, specs, codes.deps, deps)
