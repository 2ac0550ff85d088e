"""DREES supply loader on the real table and on broken synthetic copies."""

from __future__ import annotations

import csv

import pytest

from ess_geo.errors import InputDataError
from ess_geo.supply import load_supply


@pytest.mark.shared
def test_real_drees_table(drees_effectifs):
    s = load_supply(drees_effectifs)
    assert not s.dropped
    assert s.table["code_dep"].nunique() == 101
    assert {"01", "2A", "2B", "976"} <= set(s.table["code_dep"])
    with open(drees_effectifs, encoding="utf-8") as f:
        total_row = next(r for r in csv.DictReader(f) if r["dept_code"] == "Total général")
    assert s.table.loc[s.table.specialty == "cardiologie", "n_specialists"].sum() == int(total_row["07-Cardiologie"])
    assert s.table["n_specialists"].sum() == int(total_row["Total général"])


@pytest.mark.shared
def test_bad_lines_are_counted_not_lost(drees_effectifs, tmp_path):
    lines = drees_effectifs.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "synthetic_broken_drees.csv"
    bad.write_text("\n".join([*lines[:3], "99" + lines[3][lines[3].index(","):], "5,1,2", lines[6].replace(",", ",x", 1)]) + "\n")
    s = load_supply(bad)
    assert s.dropped.count == 3
    assert s.dropped.by_reason["code département inconnu"] == 1
    assert s.dropped.sample[0]["line"] == 4


def test_unrecognised_file(tmp_path):
    p = tmp_path / "synthetic.csv"
    p.write_text("foo,bar\n1,2\n")
    with pytest.raises(InputDataError, match="foo,bar"):
        load_supply(p)
    with pytest.raises(InputDataError, match="not found"):
        load_supply(tmp_path / "absent.csv")
