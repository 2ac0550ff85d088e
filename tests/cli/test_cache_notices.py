"""The CLI shows the parse cache's notices on stderr, in French: built on the first run, reused after."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A fresh, empty cache folder for the test (the parse cache enabled)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ESS_GEO_CACHE", str(folder))
    monkeypatch.delenv("ESS_GEO_NO_PARSE_CACHE", raising=False)
    return folder


def test_cli_says_on_stderr_that_it_builds_then_reuses(zonage_file, cache, capsys):
    args = ["zip", "-s", "cardiologie", "-d", "48", "--zonage", str(zonage_file)]
    code, out, err = run_cli(args, capsys)
    assert code == 0 and "Cache : zonage_mg_code_postal_national.csv : première lecture" in err
    assert "Cache :" not in out
    code, out_again, err = run_cli(args, capsys)
    assert code == 0 and "reprise du cache" in err and out_again == out

