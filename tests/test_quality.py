"""Code gates run with the tests: ruff (style, complexity) and mypy (types) on the package."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_clean():
    res = _run("ruff", "check", "src", "tests", "benchmarks", "scripts")
    assert res.returncode == 0, res.stdout + res.stderr


def test_mypy_clean():
    res = _run("mypy")
    assert res.returncode == 0, res.stdout + res.stderr
