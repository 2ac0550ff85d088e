"""``ess-geo simulate``: year 0 is the start-up credit alone, interpolated allocations marked, falls flagged."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli


@pytest.mark.shared
def test_simulate_marks_interpolation_and_falling_adherents(capsys, drees_effectifs):
    args = ["simulate", "-s", "cardiologie", "-d", "77,91", "--supply", str(drees_effectifs),
            "--adherents-par-annee", "24,43,40,81,100,119"]
    code, out, _ = run_cli(args, capsys)
    assert code == 1  # year 2 is off the trajectory
    assert "80\u202f000 € (amorçage seul)" in out
    assert "(interpolé*)" in out and "* valeur interpolée par l'outil (non publiée)." in out
    assert "Attention : adhérents en baisse en année 2 (43 → 40)." in out
    code, out, _ = run_cli([*args, "--json"], capsys)
    data = json.loads(out)
    assert data["years"][0]["total_eur"] == 80_000 and data["years"][0]["yearly_allocation_eur"] == 0
    assert data["falling_years"] == [2] and data["years"][2]["adherents_fall"] is True
    assert data["interpolated_years"] == [1, 2, 3] and data["years"][4]["yearly_interpolated"] is False
