"""The ``ess-geo`` group: lazy command loading, French help, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

import ess_geo
from conftest import run_cli
from ess_geo.cli import COMMANDS, EXIT_BAD_INPUT, EXIT_OK, SUMMARIES, LazyGroup, cli
from ess_geo.cli._app import EssGeoCommand, EssGeoGroup

SRC = str(Path(ess_geo.__file__).resolve().parents[1])


def _loaded_after(args: list[str]) -> dict:
    """Run ``ess-geo ARGS`` in a fresh interpreter: its exit code and the modules it imported."""
    code = (
        "import json, sys\n"
        "from ess_geo.cli import main\n"
        f"code = main({args!r})\n"
        "mods = sorted(m for m in sys.modules if m.startswith('ess_geo.cli.') or m.split('.')[0] in "
        "('folium', 'matplotlib', 'openpyxl', 'rich'))\n"
        "print('\\n' + json.dumps({'code': code, 'modules': mods}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": SRC})
    return json.loads(out.stdout.splitlines()[-1])


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_loads_under_its_name_with_french_help(name):
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.name == name
    assert isinstance(command, EssGeoGroup if isinstance(command, click.Group) else EssGeoCommand)
    assert command.help and command.get_short_help_str()


def test_help_lists_every_command_with_its_french_short_help(capsys):
    code, out, _ = run_cli(["--help"], capsys)
    assert code == EXIT_OK
    assert out.startswith("Utilisation : ess-geo [OPTIONS] COMMANDE")
    assert "Commandes" in out and "Affiche cette aide et quitte." in out
    ctx = click.Context(cli)
    for name in COMMANDS:
        short = cli.get_command(ctx, name).get_short_help_str(limit=40)
        assert f"  {name} " in out and short.rstrip(".")[:30] in " ".join(out.split()), name


@pytest.mark.parametrize("width", [50, 80, 120])
def test_summaries_list_what_the_loaded_commands_would(width):
    assert set(SUMMARIES) == set(COMMANDS)
    ctx = click.Context(cli)
    for name in COMMANDS:
        assert SUMMARIES[name] == cli.get_command(ctx, name).help.split("\n\n")[0], name
    lazy, loaded = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    cli.format_commands(ctx, lazy)
    click.Group.format_commands(cli, ctx, loaded)  # click's own listing, every command imported
    assert lazy.getvalue() == loaded.getvalue()


def test_help_loads_no_command():
    assert _loaded_after(["--help"]) == {"code": EXIT_OK, "modules": ["ess_geo.cli._app"]}


def test_subcommand_help_is_french(capsys):
    code, out, _ = run_cli(["data", "fetch", "--help"], capsys)
    assert code == EXIT_OK
    assert out.startswith("Utilisation : ess-geo data fetch") and "Affiche cette aide et quitte." in out


def test_version_loads_no_command():
    result = _loaded_after(["--version"])
    assert result == {"code": EXIT_OK, "modules": ["ess_geo.cli._app"]}


def test_a_command_loads_only_its_own_module():
    result = _loaded_after(["specialties"])
    assert result["code"] == EXIT_OK
    assert result["modules"] == ["ess_geo.cli._app", "ess_geo.cli.specialties"]


def test_unknown_command_is_a_french_usage_error(capsys):
    code, _, err = run_cli(["chek"], capsys)
    assert code == EXIT_BAD_INPUT and "commande inconnue : chek" in err


def test_lazy_group_refuses_what_is_not_a_command():
    group = LazyGroup("g", lazy_commands={"x": "ess_geo.cli:COMMANDS"})
    with pytest.raises(TypeError, match="not a click command"):
        group.get_command(click.Context(group), "x")


@pytest.mark.parametrize(
    "args",
    [
        ["check", "-s", "x" * 100_000, "-d", "14"],  # EssGeoError (unknown specialty)
        ["check", "-s", "pediatrie", "-d", "14", "--as-of", "x" * 100_000],  # click usage error
        ["compare", "-s", "pediatrie", "--candidat", "x" * 100_000],
    ],
)
def test_a_huge_value_is_quoted_shortened_in_the_error_line(capsys, args):
    """Issue 15.5: long user strings are shortened in messages (a 100,000-character -s printed whole before)."""
    code, out, err = run_cli(args, capsys)
    assert code == EXIT_BAD_INPUT and out == ""
    assert err.startswith("Erreur : ") and err.count("\n") == 1
    assert len(err) < 1000 and "x" * 150 in err and "…" in err


def _python_m(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    """``python -m ess_geo ARGS`` in a fresh process (the console script's path: :func:`ess_geo.cli.run`)."""
    env = {**os.environ, "PYTHONPATH": str(Path(ess_geo.__file__).resolve().parents[1]), "ESS_GEO_CACHE": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "ess_geo", *args], capture_output=True, text=True, env=env,
                          check=False, cwd=tmp_path)


@pytest.mark.parametrize(("args", "code"), [
    (["check", "-s", "cardiologie", "-d", "77,91"], 1),  # overlaps the IDF ESS: not admissible
    (["check", "-s", "pediatrie", "-d", "14,50,61", "--adherents", "20"], 0),
    (["check", "-s", "cardiologie", "-d", "999"], 2),
])
def test_the_fast_exit_keeps_the_exit_code_and_every_line(capsys, tmp_path, args, code):
    """``run`` ends the process with os._exit after flushing: same code, same stdout and stderr as ``main``."""
    expected_code, expected_out, expected_err = run_cli(args, capsys)
    done = _python_m(args, tmp_path)
    assert (done.returncode, expected_code) == (code, code)
    assert done.stdout == expected_out
    assert done.stderr == expected_err


def test_the_fast_exit_leaves_a_complete_map(tmp_path):
    done = _python_m(["map", "-s", "orl", "-d", "76", "--out", "carte.html"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "carte.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert "Carte écrite" in done.stdout and done.stdout.rstrip().splitlines()[-1].startswith(" - ")  # sources last


def _allocator_setting(tmp_path: Path, *, run: bool = True, **env: str) -> str:
    """What pyarrow's allocator would read in a fresh process that imports the CLI (and goes through ``run``)."""
    code = ("import os, sys; import ess_geo.cli as c; assert 'pyarrow' not in sys.modules; "
            "c.main = lambda: print(os.environ.get('MIMALLOC_ALLOW_THP', '-')) or 0; "
            + ("c.run()" if run else "c.main()"))
    base = {k: v for k, v in os.environ.items() if k != "MIMALLOC_ALLOW_THP"}
    full = {**base, "PYTHONPATH": str(Path(ess_geo.__file__).resolve().parents[1]), **env}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, check=True,
                          cwd=tmp_path)
    return done.stdout.strip()


def test_the_command_line_turns_off_the_allocators_huge_pages_unless_the_user_chose(tmp_path):
    """The ``ess-geo`` process sets MIMALLOC_ALLOW_THP=0 before pyarrow is loaded (huge-page faults stalled RPPS
    reads); a value the user set is kept, and importing or calling the library (``main``) changes nothing."""
    assert _allocator_setting(tmp_path) == "0"
    assert _allocator_setting(tmp_path, MIMALLOC_ALLOW_THP="1") == "1"
    assert _allocator_setting(tmp_path, run=False) == "-"
