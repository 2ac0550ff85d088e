"""The README's examples run as written: commands, Python blocks, and every ``ess_geo.x.y`` it names."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import ess_geo
from conftest import ROOT
from ess_geo.cli import EXIT_OK, main

README = (ROOT / "README.md").read_text(encoding="utf-8")
SRC = str(Path(ess_geo.__file__).resolve().parents[1])  # the ess_geo these tests import


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def _commands() -> list[str]:
    """Every ``ess-geo ...`` command of the bash and console blocks (continuation lines joined)."""
    found = []
    for language in ("bash", "console"):
        for block in _blocks(language):
            text = re.sub(r"\\\n\s*", " ", block)  # "... \<newline>      --supply F" → one line
            for line in text.splitlines():
                if language == "console" and not line.startswith("$ "):
                    continue  # printed output
                for part in line.removeprefix("$ ").split("&&"):
                    if part.strip().startswith("ess-geo "):
                        found.append(part.strip())
    return found


def _args(command: str, shared_data: Path) -> list[str]:
    """The command's arguments, ``../shared/data/...`` pointing at the real reference files."""
    args = shlex.split(command)[1:]  # drop "ess-geo"
    return [str(shared_data / a.split("shared/data/", 1)[1]) if "shared/data/" in a else a for a in args]


@pytest.mark.shared
def test_readme_console_example_matches_real_output(capsys, shared_data):
    block = re.search(r"```console\n\$ (.+?)\n(.*?)```", README, flags=re.S)
    assert block, "README has no console example"
    command = block.group(1).rstrip(" \\")
    lines = block.group(2).splitlines()
    command += " " + lines[0].strip() if lines and lines[0].startswith("      --") else ""
    main(_args(command, shared_data))
    out = capsys.readouterr().out.replace("\u202f", " ")  # README shows plain spaces
    expected = [ln.split("…")[0].rstrip() for ln in lines if ln.startswith((" ✔", " ✘", " ?", " !", "Verdict", "ESS "))]
    assert expected
    for line in expected:
        assert line in out, f"README line not in real output: {line!r}"


def test_readme_has_commands_and_python():
    assert _commands() and _blocks("python")


@pytest.mark.shared
@pytest.mark.parametrize("command", _commands())
def test_readme_command_runs(command, shared_data, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # a command writing a file writes it here
    code = main(_args(command, shared_data))
    err = capsys.readouterr().err
    assert code == EXIT_OK, f"{command!r} exited with {code}: {err}"


@pytest.mark.shared
@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_readme_python_block_runs(index, shared_data, tmp_path, monkeypatch):
    code = _blocks("python")[index]
    for name in set(re.findall(r"""["']([\w.-]+\.(?:csv|txt|zip))["']""", code)):
        real = sorted(shared_data.rglob(name))
        if real:  # a reference file of ../shared/data named by its file name only
            code = code.replace(f'"{name}"', repr(str(real[0]))).replace(f"'{name}'", repr(str(real[0])))
    monkeypatch.chdir(tmp_path)  # files the example writes (carte.pdf...) land here
    exec(compile(code, f"README.md python block {index + 1}", "exec"), {"__name__": "readme_example"})


def test_readme_dotted_names_resolve_after_a_plain_import():
    # regression (issue 10): the README's ``ess_geo.zonage.load_zonage(...)`` raised AttributeError
    names = sorted(set(re.findall(r"`(ess_geo(?:\.\w+)+)", README)))
    assert names
    script = (
        "import functools, json, sys, ess_geo\n"
        "missing = []\n"
        "for name in json.loads(sys.argv[1]):\n"
        "    try:\n"
        "        functools.reduce(getattr, name.split('.')[1:], ess_geo)\n"
        "    except AttributeError:\n"
        "        missing.append(name)\n"
        "print(json.dumps(missing))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, json.dumps(names)], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": SRC})
    assert json.loads(out.stdout) == [], "README names that a plain 'import ess_geo' does not reach"
