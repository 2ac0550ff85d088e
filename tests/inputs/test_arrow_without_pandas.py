"""pyarrow without pandas (inputs/_arrow.py), the Arrow-held persons counted like the pandas ones, and
an RPPS read, cached or not, with a check on it, that never imports pandas (issue 14)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from tests.synthetic import doctor_line, generate_synthetic_rpps, rpps_line, write_rpps

import ess_geo
from ess_geo.inputs._arrow import (
    dictionary_codes,
    empty_text_table,
    int_array,
    numpy_bools,
    numpy_ints,
    text_array,
    text_scalar,
)
from ess_geo.inputs.persons_index import PersonsIndex
from ess_geo.inputs.rpps import load_rpps
from ess_geo.inputs.supply_index import DeferredFrame, TableIndex, held
from ess_geo.reference.codes import departement_names
from ess_geo.reference.specialties import all_specialties

SRC = str(Path(ess_geo.__file__).resolve().parents[1])
NAME = "PS_LibreAcces_Personne_activite_202401020304.txt"


def test_text_array_keeps_nulls_accents_and_empty_text():
    values = ["75056", None, "Saint-Étienne", ""]
    array = text_array(values)
    assert array.type == pa.string() and array.null_count == 1
    assert array.to_pylist() == values
    assert text_scalar("é").as_py() == "é" and text_scalar(None).as_py() is None
    assert empty_text_table(["a", "b"]).num_rows == 0


def test_numpy_views_follow_offsets_nulls_and_chunks():
    ints = int_array(np.array([5, 7, 9, 11]))
    assert numpy_ints(ints).tolist() == [5, 7, 9, 11]
    assert numpy_ints(ints.slice(1, 2)).tolist() == [7, 9]  # an offset into the buffer
    with_null = pc.index_in(text_array(["b", "x", "a"]), value_set=text_array(["a", "b"]))  # int32, one null
    assert numpy_ints(with_null, fill=-1).tolist() == [1, -1, 0]
    chunked = pa.chunked_array([int_array(np.array([1, 2])), int_array(np.array([3]))])
    assert numpy_ints(chunked).tolist() == [1, 2, 3]
    mask = pc.equal(text_array(["a", None, "b", "a"]), text_scalar("a"))
    assert numpy_bools(mask).tolist() == [True, False, False, True]
    assert numpy_bools(mask.slice(2)).tolist() == [False, True]
    codes, values = dictionary_codes(text_array(["x", None, "y", "x"]))
    assert codes.tolist() == [0, -1, 1, 0] and values.to_pylist() == ["x", "y"]


def _persons(rows: list[tuple[str, str, str | None]]) -> pa.Table:
    ids, specs, deps = zip(*rows, strict=True)
    return pa.table({"rpps_id": text_array(ids), "specialty": text_array(specs), "code_insee": text_array(ids),
                     "code_dep": text_array(deps)})


def test_persons_index_counts_each_doctor_once_in_a_total_and_once_per_departement():
    # a doctor in 77 and 91 (twice in 77: two communes), one in 91, one without département
    index = PersonsIndex.of_table(_persons([("1", "cardiologie", "77"), ("1", "cardiologie", "77"), ("1", "cardiologie", "91"),
                                   ("2", "cardiologie", "91"), ("3", "cardiologie", None), ("4", "orl", "77")]))
    assert index.count("cardiologie", ["77", "91"]) == (2, {"77": 1, "91": 2}, 1)
    assert index.count("cardiologie", ["77"]) == (1, {"77": 1}, 0)
    assert index.count("cardiologie", ["2A"]) == (0, {"2A": 0}, 0)
    assert index.count("pediatrie", ["77"]) == (0, {"77": 0}, 0)
    assert index.specialties == {"cardiologie", "orl"} and index.departements == {"77", "91"}


@pytest.fixture(scope="module")
def synthetic_extraction(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rpps") / "PS_LibreAcces_Personne_activite_202401020304.txt"
    generate_synthetic_rpps(path, 30_000, seed=11)
    return path


def _territories() -> list[list[str]]:
    deps = list(departement_names())
    return [[d] for d in deps] + [["77", "91"], ["2A", "2B"], ["75", "92", "93", "94"], list(deps)]


def test_arrow_counts_equal_the_pandas_counts_for_every_specialty_and_territory(synthetic_extraction):
    """The same figures from the Arrow index (a check) and from the frame (a notebook that read ``persons``)."""
    arrow = load_rpps(synthetic_extraction, cache=False)
    frame = load_rpps(synthetic_extraction, cache=False)
    frame.persons = frame.persons  # the frame itself held: counted with pandas
    frame.table = frame.table
    assert isinstance(held(arrow, "persons"), DeferredFrame) and isinstance(held(frame, "persons"), pd.DataFrame)
    reader, computed = arrow._table_index(), TableIndex.of(frame.table)  # the reader's index, and the frame's
    assert reader.departements == computed.departements
    for mine, theirs in ((reader.by_specialty, computed.by_specialty), (reader.by_group, computed.by_group)):
        assert {k: (v.counts, v.modes) for k, v in mine.items()} == {k: (v.counts, v.modes) for k, v in theirs.items()}
    compared = 0
    for spec in all_specialties():
        assert arrow.has_specialty(spec.id) == frame.has_specialty(spec.id)
        for deps in _territories():
            a, f = arrow.count(spec.id, deps), frame.count(spec.id, deps)
            assert (a.total, a.by_departement, a.multi_departement, a.missing, a.exact) == \
                   (f.total, f.by_departement, f.multi_departement, f.missing, f.exact), (spec.id, deps)
            compared += a.total
    assert compared > 1000  # the comparison counted doctors, not only zeros


def test_doctors_by_departement_and_group_counts_need_no_frame(synthetic_extraction):
    """The doctors of each département (proposals) and the counts of département sets (coverage) come from the
    Arrow index without building the persons frame, and agree with the frame's."""
    from ess_geo.analysis.coverage_groups import group_counter
    from ess_geo.reference.specialties import get_specialty

    arrow = load_rpps(synthetic_extraction, cache=False)
    deps = ["13", "83", "84", "04", "05", "06"]
    mine = arrow.doctors_by_departement("cardiologie", deps)
    count = group_counter(arrow, get_specialty("cardiologie"), {})
    assert count(frozenset(deps)) == arrow.count("cardiologie", deps).total
    assert arrow.person_level and held(arrow, "persons").built is None  # no frame built
    frame = load_rpps(synthetic_extraction, cache=False)
    theirs = frame.doctors_by_departement("cardiologie", deps) if frame.persons is not None else {}
    assert {d: len(v) for d, v in mine.items()} == {d: len(v) for d, v in theirs.items()}
    shared = [len(mine[a] & mine[b]) for a in deps for b in deps if a < b]
    assert shared == [len(theirs[a] & theirs[b]) for a in deps for b in deps if a < b]


def test_arrow_counts_follow_the_frame_once_it_is_read_and_edited(synthetic_extraction):
    supply = load_rpps(synthetic_extraction, cache=False)
    deps = list(departement_names())
    counts = supply.count("cardiologie", deps).by_departement
    dep = max(deps, key=lambda d: counts[d])
    assert counts[dep] > 0
    persons = supply.persons  # built now: later counts come from it, edits included
    persons.loc[persons["code_dep"] == dep, "code_dep"] = "99"  # edited in place: no longer in dep
    assert supply.count("cardiologie", [dep]).total == 0


def test_cached_rpps_read_is_held_in_arrow_and_counts_the_same(synthetic_extraction, parse_cache_home):
    fresh = load_rpps(synthetic_extraction)  # stored
    cached = load_rpps(synthetic_extraction)  # read back
    assert isinstance(held(cached, "persons"), DeferredFrame) and held(cached, "persons").arrow is not None
    assert isinstance(held(cached, "table"), DeferredFrame) and held(cached, "table").arrow is not None
    for deps in (["77", "91"], ["2A", "2B"], ["13"]):
        a, b = fresh.count("cardiologie", deps), cached.count("cardiologie", deps)
        assert (a.total, a.by_departement, a.multi_departement) == (b.total, b.by_departement, b.multi_departement)
    pd.testing.assert_frame_equal(cached.persons, fresh.persons)
    pd.testing.assert_frame_equal(cached.table, fresh.table)
    meta = json.loads(next(parse_cache_home.rglob("meta.json")).read_text(encoding="utf-8"))
    assert {name: table.get("arrow") for name, table in meta["frames"].items()} == {"table": True, "persons": True}


def _modules_after(code: str, env: dict[str, str]) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport json, sys\n"
                          "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'geopandas', "
                          "'shapely', 'pyproj'})))"],
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": SRC, **env})
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_rpps_read_and_check_import_no_pandas_fresh_or_cached(tmp_path):
    """The first read of an extraction, the parse cache's copy and a check on either: no pandas (0.3 s of
    import, 0.15 s of teardown), whatever the lines hold (no identifier, unknown code, postal code only,
    malformed line, another profession)."""
    lines = [doctor_line(1, "SM04", "L", commune="77288", cp="77000"),
             doctor_line(2, "SM04", "L", commune="", cp="91000", commune_label="EVRY-COURCOURONNES"),
             doctor_line(3, "SM99", "L", commune="91228", cp="91000"),
             doctor_line(4, "SM54", "L", commune="", cp=""),
             rpps_line(**{"Identifiant PP": "", "Code profession": "10", "Code savoir-faire": "SM04",
                          "Code mode exercice": "L", "Code commune (coord. structure)": "77288"}),
             rpps_line(**{"Identifiant PP": "99000000005", "Code profession": "60"}),
             "10|broken|line"]
    path = write_rpps(tmp_path / NAME, lines)
    check = ("import ess_geo.cli, contextlib, io\n"
             "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
             f"    ess_geo.cli.main(['check', '-s', 'cardiologie', '-d', '77,91', '--supply', {str(path)!r}, '--exit-zero'])")
    cache = {"ESS_GEO_CACHE": str(tmp_path / "cache")}
    assert _modules_after(check, {**cache, "ESS_GEO_NO_PARSE_CACHE": "1"}) == []  # fresh, nothing stored
    os.environ.pop("ESS_GEO_NO_PARSE_CACHE", None)
    assert _modules_after(check, cache) == []  # fresh, stored in the parse cache
    assert list((tmp_path / "cache").rglob("persons.parquet"))
    assert _modules_after(check, cache) == []  # read back from the parse cache
    counted = ("from ess_geo.inputs.rpps import load_rpps\n"
               f"s = load_rpps({str(path)!r}, cache=False)\n"
               "c = s.count('cardiologie', ['77', '91'])\n"
               "assert (c.total, c.by_departement) == (2, {'77': 1, '91': 1}), (c.total, c.by_departement)\n"
               "assert s.dropped.count == 3, s.dropped")
    assert _modules_after(counted, {}) == []


def test_pieces_keeping_no_line_import_no_pandas(tmp_path):
    """A piece without a doctor line of the mode (here: the last ones, nurses only) gives columns without
    chunks, whose combine_chunks imports pandas; a file of a header only too (review of issue 14)."""
    nurses = [rpps_line(**{"Identifiant PP": f"99{n:09d}", "Code profession": "60", "Code mode exercice": "L"})
              for n in range(400)]
    path = write_rpps(tmp_path / NAME, [doctor_line(n, "SM04", "L", commune="77288") for n in range(40)] + nurses)
    (tmp_path / "vide").mkdir()
    empty = write_rpps(tmp_path / "vide" / NAME, [])
    for file, total in ((path, 40), (empty, 0)):
        code = ("import ess_geo.inputs._rpps_chunks as chunks\n"
                "chunks.CHUNK_SIZE = 4096  # pieces of a few lines: the last ones hold nurses only\n"
                "from ess_geo.inputs.rpps import load_rpps\n"
                f"s = load_rpps({str(file)!r}, cache=False)\n"
                f"assert s.count('cardiologie', ['77']).total == {total}, s.count('cardiologie', ['77'])")
        assert _modules_after(code, {}) == [], file
