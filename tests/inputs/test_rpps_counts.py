"""Counting distinct doctors of an RPPS read: identifiers as numbers when they are digits, hashed otherwise.

Tiny hand-made tables (synthetic by construction): the numbers must keep distinct identifiers
distinct (leading zeros included), and a piece with any other identifier must send the count
back to hashing the text, with the same result.
"""

from __future__ import annotations

import itertools

import pyarrow as pa

from ess_geo.inputs._rpps_counts import ID_NUMBER, SPECIALTY_CODE, numeric_ids, person_counts, persons_table
from ess_geo.inputs._rpps_place import COMMUNE_CODE
from ess_geo.inputs.rpps_file import COL_ID


def test_digit_identifiers_become_distinct_numbers():
    numbers = numeric_ids(pa.array(["10106476764", "010001949", "10001949", "0", "10106476764"])).to_pylist()
    assert numbers == [10106476764 * 16 + 11, 10001949 * 16 + 9, 10001949 * 16 + 8, 0 * 16 + 1, 10106476764 * 16 + 11]
    assert len(set(numbers)) == 4


def test_any_other_identifier_marks_the_whole_piece():
    assert numeric_ids(pa.array(["10106476764", "2A1234567"])).to_pylist() == [-1, -1]
    assert numeric_ids(pa.array(["+1234"])).to_pylist() == [-1]
    assert numeric_ids(pa.array(["1" * 16])).to_pylist() == [-1]  # more than 15 digits
    assert numeric_ids(pa.array([], pa.string())).to_pylist() == []


def _lines(ids, numbered, communes=("77288", "77288", "91228", "91228", "91228")):
    table = pa.table({COL_ID: ids,
                      "specialty": ["cardiologie", "cardiologie", "pediatrie", "cardiologie", "cardiologie"],
                      "code_insee": list(communes)})
    numbers = numeric_ids(table.column(COL_ID)) if numbered else pa.array([-1] * table.num_rows, pa.int64())
    return table.append_column(ID_NUMBER, numbers)


def test_persons_are_the_same_with_numbers_or_hashed_text():
    # 10000000001: cardiology in 77 and 91 (one line twice), paediatrics in 91; 010000000001 is someone else
    ids = ["10000000001", "10000000001", "10000000001", "010000000001", "10000000001"]
    by_number, codes = persons_table(_lines(ids, numbered=True))
    by_text, text_codes = persons_table(_lines(ids, numbered=False))
    assert codes.id_values is None and text_codes.id_values is not None
    assert by_number.equals(by_text)
    assert by_number.column("rpps_id").to_pylist() == ["10000000001", "10000000001", "010000000001", "10000000001"]
    assert person_counts(codes) == person_counts(text_codes) == {"persons": 2, "persons_in_several_departements": 1}


def test_lines_of_a_mixed_read_are_counted_by_their_text():
    ids = ["10000000001", "2A0000001", "10000000001", "2A0000001", "10000000001"]
    lines = _lines(ids, numbered=False)
    pieces = [lines.slice(0, 1), lines.slice(1)]  # the first piece all digits, the second not
    mixed = pa.concat_tables([p.set_column(3, ID_NUMBER, numeric_ids(p.column(COL_ID))) for p in pieces])
    assert mixed.column(ID_NUMBER).to_pylist()[:2] == [10000000001 * 16 + 11, -1]
    persons, codes = persons_table(mixed)
    assert codes.id_values is not None  # hashed
    assert persons.equals(persons_table(lines)[0])
    assert persons.column("rpps_id").to_pylist() == ["10000000001", "2A0000001", "10000000001", "2A0000001",
                                                     "10000000001"]


def test_first_occurrences_in_file_order_or_not():
    """Nearly sorted keys (an extraction listing each doctor's lines together) are grouped by a stable sort,
    others hashed: both give np.unique's first positions."""
    import numpy as np

    from ess_geo.inputs._rpps_counts import _first_occurrences

    rng = np.random.default_rng(1)
    for n in (0, 1, 2, 5, 1_000, 50_000):
        shuffled = rng.integers(0, max(n // 3, 1), n)
        in_order = np.sort(shuffled)
        in_order[n // 2:n // 2 + 3] = in_order[n // 2:n // 2 + 3][::-1]  # a few descents
        by_doctor = np.sort(shuffled)
        by_doctor[: n - n % 3] = by_doctor[: n - n % 3].reshape(-1, 3)[:, ::-1].reshape(-1)  # each doctor's lines reversed
        for keys in (shuffled, in_order, by_doctor):
            assert _first_occurrences(keys).tolist() == np.sort(np.unique(keys, return_index=True)[1]).tolist()


def _coded(lines, specialties, communes=None):
    """``lines`` with the codes the parsing threads add: positions in ``specialties`` and in the communes."""
    from ess_geo.inputs._rpps_place import departement_of_communes

    ref = departement_of_communes()[0].to_pylist()
    spec = [specialties.index(s) for s in lines.column("specialty").to_pylist()]
    commune = communes if communes is not None else [ref.index(c) for c in lines.column("code_insee").to_pylist()]
    return lines.append_column(SPECIALTY_CODE, pa.array(spec, pa.int64())).append_column(
        COMMUNE_CODE, pa.array(commune, pa.int64()))


def test_codes_made_by_the_parsing_threads_count_as_the_hashed_text():
    """The specialty and commune codes of the lines (positions in sorted lists) give the persons, the counts per
    commune and the indexes that hashing the text gives; a line without a commune code sends the whole read
    back to hashing."""
    from ess_geo.inputs._rpps_counts import commune_counts, count_indexes

    ids = ["10000000001", "10000000001", "10000000001", "010000000001", "10000000001"]
    lines = _lines(ids, numbered=True, communes=("91228", "77288", "91228", "77288", "2A004"))
    specialties = ["cardiologie", "dermatologie", "pediatrie"]  # one without any line
    hashed, hashed_codes = persons_table(lines)
    coded, codes = persons_table(_coded(lines, specialties), pa.array(specialties))
    assert codes.sorted_values and not hashed_codes.sorted_values
    assert coded.equals(hashed)
    assert commune_counts(codes).equals(commune_counts(hashed_codes))
    assert commune_counts(codes).column("code_insee").to_pylist() == ["2A004", "77288", "91228", "91228"]
    assert commune_counts(codes).column("n_specialists").to_pylist() == [1, 2, 1, 1]
    assert person_counts(codes) == person_counts(hashed_codes) == {"persons": 2, "persons_in_several_departements": 1}
    (table_index, persons_index), (hashed_table, hashed_persons) = (count_indexes(c, "libéral")
                                                                    for c in (codes, hashed_codes))
    assert table_index == hashed_table
    assert persons_index.specialties == hashed_persons.specialties == {"cardiologie", "pediatrie"}
    for spec in specialties:
        assert persons_index.count(spec, ["77", "91", "2A"]) == hashed_persons.count(spec, ["77", "91", "2A"])
    unplaced = _coded(lines, specialties, communes=[0, 1, -1, 3, 4])
    assert not persons_table(unplaced, pa.array(specialties))[1].sorted_values


def test_commune_codes_are_ranks_of_the_embedded_communes():
    """A placed line's COMMUNE_CODE is its commune's position in the embedded table, taken as its rank when the
    communes are counted (``PersonCodes.sorted_values``): the table must stay strictly increasing."""
    from ess_geo.inputs._rpps_place import departement_of_communes

    codes = departement_of_communes()[0].to_pylist()
    assert len(codes) == 34_875 and all(a < b for a, b in itertools.pairwise(codes))
