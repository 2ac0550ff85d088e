"""``--derogation`` on check, map, simulate and propose; the région as the maximum (issue 12)."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli

run = run_cli


@pytest.mark.shared
def test_two_regions_exit_1_naming_both(capsys, drees_effectifs):
    code, out, _ = run(["check", "-s", "cardiologie", "-d", "53,35", "--supply", str(drees_effectifs)], capsys)
    assert code == 1
    line = next(line for line in out.splitlines() if "Périmètre" in line)
    assert "[non conforme]" in line and "Pays de la Loire (52)" in line and "Bretagne (53)" in line
    assert "la région en est le maximum" in line


@pytest.mark.shared
def test_perimeter_derogation_is_warn_and_said_assumed(capsys, drees_effectifs):
    args = ["check", "-s", "cardiologie", "-d", "53,35", "--supply", str(drees_effectifs), "--derogation", "perimetre"]
    code, out, _ = run([*args, "-a", "20"], capsys)
    assert code == 0  # warn passes: admissible, under the derogation
    line = next(line for line in out.splitlines() if "Périmètre" in line)
    assert "[à vérifier]" in line and "Dérogation supposée" in line and "à faire valider par l'ARS" in line
    assert "Sous réserve des dérogations supposées" in out
    code, out, _ = run([*args, "--json"], capsys)
    data = json.loads(out)
    assert data["derogations"] == ["perimeter"]
    perimeter = next(c for c in data["criteria"] if c["id"] == "perimeter")
    assert perimeter["status"] == "warn" and perimeter["evidence"]["derogation"]["assumed"] is True


@pytest.mark.shared
def test_threshold_derogation_repeatable_and_comma_list(capsys, drees_effectifs):
    base = ["check", "-s", "cardiologie", "-d", "973", "--supply", str(drees_effectifs), "--json"]
    code, out, _ = run(base, capsys)
    threshold = next(c for c in json.loads(out)["criteria"] if c["id"] == "threshold")
    assert code == 1 and threshold["status"] == "fail" and "Seuil inatteignable dans la région" in threshold["message"]
    for extra in (["--derogation", "seuil", "--derogation", "unicite"], ["--derogation", "seuil,unicite"]):
        code, out, _ = run([*base, *extra], capsys)
        data = json.loads(out)
        assert data["derogations"] == ["threshold"]  # uniqueness asked but not used: overlap passes
        overlap = next(c for c in data["criteria"] if c["id"] == "overlap")
        assert overlap["status"] == "pass" and overlap["evidence"]["derogation"]["assumed"] is False


@pytest.mark.parametrize("command", ["check", "map", "simulate", "propose"])
def test_unknown_derogation_exits_2_naming_it_and_the_allowed_values(capsys, tmp_path, command):
    args = [command, "-s", "cardiologie", "--derogation", "frontiere"]
    if command != "propose":
        args += ["-d", "53"]
    if command == "map":
        args += ["--out", str(tmp_path / "carte.html")]
    if command == "simulate":
        args += ["--adherents-par-annee", "1,2,3,4,5,6"]
    code, _, err = run(args, capsys)
    assert code == 2
    assert "'frontiere'" in err and "perimetre, seuil, unicite" in err and "--derogation" in err
    assert "Traceback" not in err


@pytest.mark.shared
def test_propose_across_regions_needs_the_perimeter_derogation(capsys, drees_effectifs):
    args = ["propose", "-s", "cardiologie", "-r", "52,53", "--supply", str(drees_effectifs), "--across-regions"]
    code, _, err = run(args, capsys)
    assert code == 2
    assert "--across-regions suppose une dérogation de périmètre" in err and "--derogation perimetre" in err
    code, out, _ = run([*args, "--derogation", "perimetre"], capsys)
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("  ") and "spécialiste" in line]
    assert lines and all("dérogation de périmètre supposée (à faire valider par l'ARS)" in line for line in lines)
    code, out, _ = run([*args, "--derogation", "perimetre", "--json"], capsys)
    data = json.loads(out)
    assert data["derogations"] == ["perimeter"]
    assert all(p["perimeter_derogation"] and p["check"]["derogations"] in ([], ["perimeter"]) for p in data["proposals"])


@pytest.mark.shared
def test_simulate_and_map_take_the_derogation(capsys, tmp_path, drees_effectifs):
    sup = ["--supply", str(drees_effectifs)]
    code, out, _ = run(["simulate", "-s", "cardiologie", "-d", "53,35", *sup, "--derogation", "perimetre",
                        "--adherents-par-annee", "13,23,33,43,53,64"], capsys)
    assert "Dérogation supposée (à faire valider par l'ARS) : dérogation de périmètre" in out
    assert "NON ADMISSIBLE" not in out
    out_file = tmp_path / "carte.html"
    code, _, _ = run(["map", "-s", "cardiologie", "-d", "53,35", *sup, "--derogation", "perimetre", "--out",
                      str(out_file)], capsys)
    assert code == 0
    text = out_file.read_text(encoding="utf-8")
    assert "Dérogation supposée" in text or "D\\u00e9rogation suppos\\u00e9e" in text  # inlined as JSON
