"""``ess-geo map`` takes every criterion option of ``check`` and draws the verdict check gives (issue 13.3)."""

from __future__ import annotations

import json

from conftest import run_cli
from ess_geo.cli.check import check_cmd
from ess_geo.cli.map_cmd import map_cmd

run = run_cli


def test_map_accepts_every_option_of_check():
    check_only = {"as_json", "exit_zero"}  # terminal output of check, nothing to draw
    check_params = {p.name for p in check_cmd.params} - check_only
    map_params = {p.name for p in map_cmd.params}
    assert check_params <= map_params, check_params - map_params
    assert {"adherents", "finess", "derogations", "no_embedded_supply", "as_of", "registry_only"} <= map_params


def test_map_draws_the_verdict_check_gives_with_adherents(capsys, tmp_path):
    """Pédiatrie on 14,50,61 with 20 adherents (embedded supply): check says admissible, and so does the map."""
    args = ["-s", "pediatrie", "-d", "14,50,61", "--adherents", "20"]
    code, out, _ = run(["check", *args, "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "admissible"
    page = tmp_path / "carte.html"
    code, out, err = run(["map", *args, "--out", str(page)], capsys)
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert "Verdict : admissible" in html
    assert "Verdict : indéterminé" not in html
    assert "--adherents N" not in html  # the adherents criterion no longer asks for an option map refused


def test_map_coverage_refuses_territory_criteria(capsys, tmp_path):
    code, _, err = run(["map", "-s", "cardiologie", "--coverage", "-a", "20", "--out", str(tmp_path / "c.html")], capsys)
    assert code == 2
    assert "--adherents" in err and "--coverage" in err
