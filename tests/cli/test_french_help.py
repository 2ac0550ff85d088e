"""``--help`` of every command is French: no click English left (issue 13.6)."""

from __future__ import annotations

import re

import pytest

from conftest import run_cli
from ess_geo.cli import COMMANDS
from ess_geo.cli._app import french_help_text

#: click's English help strings that must never reach a planner.
ENGLISH = (r"\[required\]", r"\[default:", r"default:", r"Options:", r"Usage:", r"Commands:", r"Show this message",
           r"Show the version", r"\bTEXT\b", r"\bFILE\b", r"\bINTEGER\b", r"\bFLOAT\b", r"\bRANGE\b", r"x>=", r"x<=",
           r"\bCOMMAND\b", r"\brequired\b")


@pytest.mark.parametrize("command", [[], ["data"], ["data", "fetch"], *([name] for name in sorted(COMMANDS))])
def test_help_has_no_english_click_strings(capsys, command):
    code, out, err = run_cli([*command, "--help"], capsys)
    assert code == 0, err
    found = [word for word in ENGLISH if re.search(word, out)]
    assert not found, f"ess-geo {' '.join(command)} --help: {found}"
    assert out.startswith("Utilisation : ess-geo")
    assert "Options :" in out


def test_map_help_is_french(capsys):
    _, out, _ = run_cli(["map", "--help"], capsys)
    assert re.search(r"-o, --out FICHIER\s+Fichier de sortie[^\[]*\[obligatoire\]", out)
    assert "[défaut : 5 ; ≥ 0]" in " ".join(out.split())
    assert "-a, --adherents N" in out


def test_french_help_text():
    assert french_help_text("[default: 30.0; x>0]") == "[défaut : 30.0 ; > 0]"
    assert french_help_text("INTEGER RANGE  [default: 5; 1<=x<=10; required]") == (
        "ENTIER  [défaut : 5 ; 1 ≤ x ≤ 10 ; obligatoire]"
    )


def test_data_fetch_argument_is_named_in_french(capsys):
    """« ess-geo data fetch [OPTIONS] NOM », and the missing argument named NOM (was click's NAME)."""
    code, out, err = run_cli(["data", "fetch", "--help"], capsys)
    assert code == 0 and "fetch [OPTIONS] NOM" in out and "NAME" not in out
    code, _, err = run_cli(["data", "fetch"], capsys)
    assert code == 2 and "argument obligatoire manquant : NOM" in err
