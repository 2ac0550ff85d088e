"""The README's example output must be what the command really prints (no invented figures)."""

from __future__ import annotations

import re
import shlex

import pytest

from conftest import ROOT
from ess_geo.cli import main


@pytest.mark.shared
def test_readme_console_example_matches_real_output(capsys, shared_data):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ (.+?)\n(.*?)```", text, flags=re.S)
    assert block, "README has no console example"
    command = block.group(1).rstrip(" \\")
    lines = block.group(2).splitlines()
    command += " " + lines[0].strip() if lines and lines[0].startswith("      --") else ""
    args = shlex.split(command)[1:]  # drop "ess-geo"
    args = [str(shared_data / a.split("shared/data/", 1)[1]) if "shared/data/" in a else a for a in args]
    main(args)
    out = capsys.readouterr().out.replace("\u202f", " ")  # README shows plain spaces
    expected = [ln.split("…")[0].rstrip() for ln in lines if ln.startswith((" ✔", " ✘", " ?", " !", "Verdict", "ESS "))]
    assert expected
    for line in expected:
        assert line in out, f"README line not in real output: {line!r}"
