"""Distinct doctors of an RPPS read, counted on its Arrow table with numpy (no pandas group-by).

:func:`ess_geo.inputs.rpps.load_rpps` keeps one row per doctor × specialty × commune
(:func:`persons_table`); since those rows are distinct, the doctors of a commune × specialty are
its rows (:func:`commune_counts`). These are :func:`ess_geo.inputs.supply.distinct_doctors`'s
counts, same values and same order (groups sorted by code, a missing département left out, as
pandas' ``groupby`` does), computed on integer codes of the text columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ess_geo.inputs._rpps_place import combined_ids, departement_of_communes
from ess_geo.inputs.rpps_file import COL_ID

if TYPE_CHECKING:  # annotations only: numpy only to read an RPPS extraction
    import numpy as np

__all__ = ["commune_counts", "person_counts", "persons_table"]


def _codes(column: Any) -> tuple[np.ndarray, Any]:
    """Integer code of each value of a text column (-1 when missing) and the distinct values they index."""
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = column.dictionary_encode()
    return encoded.indices.fill_null(-1).to_numpy().astype(np.int64), encoded.dictionary


def _ranks(values: Any) -> np.ndarray:
    """Rank of each value in sorted order (code point order, as Python and pandas sort text)."""
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    order = pc.sort_indices(values).to_numpy()
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order), dtype=np.int64)
    return ranks


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (``np.unique`` without arguments hashes: 5-10× slower on these codes)."""
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction

    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def persons_table(doctors: Any) -> Any:
    """One row per doctor × specialty × commune: ``rpps_id``, ``specialty``, ``code_insee``, ``code_dep``.

    Parameters
    ----------
    doctors : pyarrow.Table
        Placed lines: ``Identifiant PP``, ``specialty``, ``code_insee``.

    Returns
    -------
    pyarrow.Table
        Distinct rows in the order of their first line (what ``drop_duplicates`` keeps).
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    columns = [COL_ID, "specialty", "code_insee"]
    firsts = np.sort(combined_ids([doctors.column(c) for c in columns])[1])
    persons = doctors.select(columns).take(pa.array(firsts))
    codes, deps = departement_of_communes()
    code_dep = pc.take(deps, pc.index_in(persons.column("code_insee"), value_set=codes))
    return persons.rename_columns(["rpps_id", "specialty", "code_insee"]).append_column("code_dep", code_dep)


def person_counts(persons: Any) -> dict[str, int]:
    """Distinct doctors, and doctors (per specialty) in more than one département (missing ones not counted).

    Parameters
    ----------
    persons : pyarrow.Table
        :func:`persons_table`.

    Returns
    -------
    dict
        ``persons`` and ``persons_in_several_departements``.
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction

    ids, distinct = _codes(persons.column("rpps_id"))
    specialties, spec_values = _codes(persons.column("specialty"))
    deps, dep_values = _codes(persons.column("code_dep"))
    known = deps >= 0
    pairs = ids[known] * (len(spec_values) + 1) + specialties[known]
    triples = _distinct(pairs * (len(dep_values) + 1) + deps[known])  # one per doctor × specialty × département
    per_pair = np.unique(triples // (len(dep_values) + 1), return_counts=True)[1]
    return {"persons": len(distinct),  # the values encoded: missing ones are not
            "persons_in_several_departements": int((per_pair > 1).sum())}


def commune_counts(persons: Any) -> Any:
    """Distinct doctors per commune × département × specialty, sorted by those codes.

    Parameters
    ----------
    persons : pyarrow.Table
        :func:`persons_table` (distinct rows: a group's rows are its doctors).

    Returns
    -------
    pyarrow.Table
        ``code_insee``, ``code_dep``, ``specialty``, ``n_specialists`` (int64); rows without a
        département left out.
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction

    known = np.flatnonzero(_codes(persons.column("code_dep"))[0] >= 0)
    communes, commune_values = _codes(persons.column("code_insee"))
    specialties, spec_values = _codes(persons.column("specialty"))
    # the département follows from the commune: ordering by commune then specialty orders the three
    key = _ranks(commune_values)[communes[known]] * len(spec_values) + _ranks(spec_values)[specialties[known]]
    _, firsts, counts = np.unique(key, return_index=True, return_counts=True)
    table = persons.select(["code_insee", "code_dep", "specialty"]).take(pa.array(known[firsts]))
    return table.append_column("n_specialists", pa.array(counts.astype(np.int64)))
