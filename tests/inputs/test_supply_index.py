"""Counts from plain tuples (no pandas for a check) equal the counts from the frames, on the real tables."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pandas as pd

from ess_geo.inputs.embedded import load_embedded_supply
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.supply import Supply
from ess_geo.inputs.supply_index import DeferredFrame, TableIndex, held
from ess_geo.reference.codes import departement_names, departements_of_region
from ess_geo.reference.specialties import all_specialties
from ess_geo.sources import Source

TERRITORIES = [[d] for d in departement_names()] + [["77", "91"], ["2A", "2B"], departements_of_region("84")]


def _as_frames(sup: Supply) -> Supply:
    """The same supply holding built DataFrames (the indexes then come from the frames)."""
    return dataclasses.replace(sup, table=sup.table.copy(), bounds=None if sup.bounds is None else sup.bounds.copy(),
                               _frame_index={})


def _same_counts(deferred: Supply, frames: Supply) -> None:
    for spec in all_specialties():
        assert deferred.has_specialty(spec) == frames.has_specialty(spec), spec.id
        for deps in TERRITORIES:
            assert deferred.count(spec, deps) == frames.count(spec, deps), (spec.id, deps)


def test_embedded_counts_from_tuples_equal_the_counts_from_its_frames():
    sup = load_embedded_supply()
    assert isinstance(held(sup, "table"), DeferredFrame) and isinstance(held(sup, "bounds"), DeferredFrame)
    _same_counts(load_embedded_supply(), _as_frames(sup))


def test_counting_builds_no_frame_and_imports_no_pandas():
    code = (
        "import sys; from ess_geo.inputs.embedded import load_embedded_supply; sup = load_embedded_supply(); "
        "c = sup.count('cardiologie', ['77', '91']); assert sup.has_specialty('angiologie'); "
        "print(c.total, c.all_modes.high, 'pandas' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    assert out[2:] == ["False", "False"]
    count = load_embedded_supply().count("cardiologie", ["77", "91"])
    assert out[:2] == [str(count.total), str(count.all_modes.high)]


def test_the_frames_are_built_when_read():
    sup = load_embedded_supply()
    assert list(sup.table.columns) == ["code_dep", "specialty", "drees_group", "n_specialists", "mode", "source"]
    assert sup.table["n_specialists"].dtype == "int64" and sup.bounds["count"].dtype == "int64"
    assert sup.table is load_embedded_supply().table  # built once, shared (do not modify)


def test_real_drees_table_counts_from_tuples_equal_the_counts_from_its_frame(drees_effectifs):
    sup = load_supply(drees_effectifs)
    assert isinstance(held(sup, "table"), DeferredFrame) and not sup.several_sources
    _same_counts(sup, _as_frames(sup))
    rows, exact, basis = sup.rows_for("angiologie")  # lumped in « 15-Autre spécialité »: an upper bound
    assert not exact and "majorant" in basis and set(rows["drees_group"]) == {"15-Autre spécialité"}


def test_index_of_a_hand_made_table_without_group_nor_mode():
    synthetic_table = pd.DataFrame({"code_dep": ["77", "77", "91"], "specialty": ["cardiologie"] * 3,
                                    "n_specialists": [3, 4, 5]})
    index = TableIndex.of(synthetic_table)
    assert index.by_specialty["cardiologie"].counts == {"77": 7, "91": 5} and index.by_group == {}
    assert index.departements == {"77", "91"}
    sup = Supply(table=synthetic_table, source=Source("synthetic supply", "test"))
    assert sup.count("cardiologie", ["77", "91"]).total == 12 and not sup.has_specialty("dermatologie")
    deferred = Supply(table=DeferredFrame(["code_dep", "specialty", "n_specialists"], [("77", "cardiologie", 2)]),
                      source=Source("synthetic supply", "test"))
    assert deferred.count("cardiologie", ["77"]).total == 2  # missing columns read as None, not an error


def test_hand_made_codes_are_read_as_text_and_fractions_summed_first():
    synthetic_table = pd.DataFrame({"code_dep": [75, 75], "specialty": ["cardiologie"] * 2, "drees_group": ["07-Cardiologie"] * 2,
                                    "n_specialists": [1.5, 1.5], "mode": ["tous", "liberal"]})
    count = Supply(table=synthetic_table, source=Source("synthetic supply", "test")).count("cardiologie", ["75"])
    assert count.total == 3 and count.missing == []


def test_an_edited_frame_is_what_counts(drees_effectifs):
    sup = load_supply(drees_effectifs)
    assert sup.count("cardiologie", ["75"]).total > 0  # indexed from the tuples first
    table = sup.table  # built now: its reader may edit it in place
    table.loc[table["code_dep"] == "75", "n_specialists"] = 0
    assert sup.count("cardiologie", ["75"]).total == 0 == sup.rows_for("cardiologie")[0].query("code_dep == '75'")["n_specialists"].sum()
    sup.table = table[table["code_dep"] != "91"]  # a new object: indexed anew
    assert sup.count("cardiologie", ["91"]).missing == ["91"]


def test_a_replaced_table_is_indexed_anew():
    sup = load_embedded_supply()
    before = sup.count("cardiologie", ["77"]).by_departement["77"]
    table = sup.table.copy()
    table.loc[(table["code_dep"] == "77") & (table["specialty"] == "cardiologie"), "n_specialists"] += 1
    sup.table = table
    sup.bounds = None
    assert sup.count("cardiologie", ["77"]).by_departement["77"] == before + 1
    assert load_embedded_supply().count("cardiologie", ["77"]).by_departement["77"] == before  # the shared one is intact
