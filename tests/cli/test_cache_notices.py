"""The CLI shows the parse cache's notices on stderr, in French: built on the first run, reused after."""

from __future__ import annotations

from conftest import run_cli


def test_cli_says_on_stderr_that_it_builds_then_reuses(zonage_file, parse_cache_home, capsys):
    args = ["zip", "-s", "cardiologie", "-d", "48", "--zonage", str(zonage_file)]
    code, out, err = run_cli(args, capsys)
    assert code == 0 and "Cache : zonage_mg_code_postal_national.csv : première lecture" in err
    assert "Cache :" not in out
    code, out_again, err = run_cli(args, capsys)
    assert code == 0 and "reprise du cache" in err and out_again == out

