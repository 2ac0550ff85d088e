"""The ess-geo check command: exit codes and French output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ess_geo.cli import main


def run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_undetermined_without_supply_exits_1(capsys):
    code, out, _ = run(["check", "--specialty", "cardiologie", "--departements", "77,91"], capsys)
    assert code == 1
    assert "INDÉTERMINÉ" in out
    assert "COG 2025" in out


def test_unknown_departement_exits_2_naming_it(capsys):
    code, _, err = run(["check", "--specialty", "cardiologie", "--departements", "75,99"], capsys)
    assert code == 2
    assert "'99'" in err
    assert err.startswith("Erreur")
    assert "Traceback" not in err


def test_no_territory_exits_2(capsys):
    code, _, _ = run(["check", "--specialty", "cardiologie"], capsys)
    assert code == 2


@pytest.mark.shared
def test_admissible_exits_0_and_json(capsys, drees_effectifs):
    code, out, _ = run(
        ["check", "-s", "cardio", "-d", "77,91", "--supply", str(drees_effectifs), "--adherents", "40", "--json"], capsys
    )
    d = json.loads(out)
    assert d["admissible"] is True
    assert code == 0


def test_console_script_is_installed():
    proc = subprocess.run(
        [sys.executable, "-m", "ess_geo", "check", "-s", "cardio", "-d", "13,2A"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert "discontinu" in proc.stdout


def test_exit_zero_keeps_bad_input_at_2(capsys):
    code, out, _ = run(["check", "-s", "cardiologie", "-d", "77,91", "--exit-zero"], capsys)
    assert code == 0
    assert "INDÉTERMINÉ" in out
    code, _, err = run(["check", "-s", "cardiologie", "-d", "77,99", "--exit-zero"], capsys)
    assert code == 2
    assert "'99'" in err


def test_help_is_french(capsys):
    main(["check", "--help"])
    assert "Affiche cette aide" in capsys.readouterr().out
