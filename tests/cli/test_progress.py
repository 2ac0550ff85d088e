"""Progress goes to stderr, on terminals only: piped stdout and --json stay clean (issue 13.6)."""

from __future__ import annotations

import json

from rich.console import Console

import synthetic
from conftest import run_cli
from ess_geo.cli._progress import progress_fr, progress_shown


def test_progress_shown_only_on_a_terminal(monkeypatch):
    monkeypatch.delenv("ESS_GEO_PROGRESS", raising=False)
    assert progress_shown(Console(force_terminal=True, stderr=True))
    assert not progress_shown(Console(force_terminal=True, stderr=True), quiet=True)
    assert not progress_shown(Console(force_terminal=False, stderr=True))
    monkeypatch.setenv("ESS_GEO_PROGRESS", "0")
    assert not progress_shown(Console(force_terminal=True, stderr=True))


def test_forced_progress_never_reaches_stdout(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then treats stderr as a terminal
    monkeypatch.delenv("ESS_GEO_PROGRESS", raising=False)
    with progress_fr("Étape 1") as step:
        step("Étape 2")
    captured = capsys.readouterr()
    assert captured.out == "" and "Étape" in captured.err
    zonage = synthetic.write_all_zip_zonage_synthetic(tmp_path, ["48"])
    code, out, err = run_cli(["zip", "-s", "cardiologie", "-d", "48", "--zonage", str(zonage), "--json"], capsys)
    assert code == 0 and json.loads(out)["departements"] == ["48"]
    assert "ZIP :" in err


def test_dossier_shows_progress_on_stderr_only(capsys, monkeypatch, tmp_path):
    """The dossier takes 3 to 6 s: it shows its steps on stderr like map and zip (issue 13.6)."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("ESS_GEO_PROGRESS", raising=False)
    out_file = tmp_path / "dossier.html"
    code, out, err = run_cli(["dossier", "-s", "cardiologie", "-d", "48", "-a", "3", "--out", str(out_file)], capsys)
    assert code == 0 and out_file.exists()
    assert "Dossier :" in err and out.startswith("Dossier écrit")


def test_compare_json_with_out_keeps_stdout_pure_json(capsys, tmp_path):
    """« Comparaison écrite » went to stdout after the JSON: a script could not parse it."""
    out_file = tmp_path / "candidats.html"
    code, out, err = run_cli(["compare", "-s", "pediatrie", "--candidat", "14", "--json", "--out", str(out_file)], capsys)
    assert code == 0 and out_file.exists()
    assert json.loads(out)[0]["candidate"] == "14"
    assert "Comparaison écrite" in err


def test_data_fetch_progress_on_stderr_and_switched_off_like_the_others(capsys, monkeypatch, tmp_path):
    """``data fetch`` drew its download bar on stdout, even with ESS_GEO_PROGRESS=0."""
    monkeypatch.setenv("ESS_GEO_CACHE", str(tmp_path))
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("ESS_GEO_PROGRESS", raising=False)
    code, out, err = run_cli(["data", "fetch", "rpps", "--offline"], capsys)
    assert code == 2 and "Téléchargement" not in out
    monkeypatch.setenv("ESS_GEO_PROGRESS", "0")
    code, out, err = run_cli(["data", "fetch", "rpps", "--offline"], capsys)
    assert code == 2 and "Téléchargement" not in out + err
