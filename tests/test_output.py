"""The one atomic writer of ``ess_geo._output``: no partial final file, symlinks refused, stale temps removed."""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import run_cli
from ess_geo import _output
from ess_geo._output import atomic_file, atomic_write_bytes, clean_stale_temps, prepare_output_file
from ess_geo.errors import InputDataError


def test_write_creates_the_file_with_usual_permissions(tmp_path):
    path = atomic_write_bytes(tmp_path / "sub" / "a.csv", b"abc")
    assert path.read_bytes() == b"abc"
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_output._umask())
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.csv"]


def test_failing_fsync_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "carte.html"
    target.write_bytes(b"ancienne carte")

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(InputDataError, match=r"carte\.html") as info:
        atomic_write_bytes(target, b"x" * 100_000)
    assert "disque plein" in info.value.fr and "carte.html" in info.value.fr
    assert target.read_bytes() == b"ancienne carte"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carte.html"]


def test_exception_while_writing_keeps_the_old_file(tmp_path):
    target = tmp_path / "region_93.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="synthetic"), atomic_file(target) as fh:
        fh.write(b"half")
        raise RuntimeError("synthetic failure in the middle of a write")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["region_93.xlsx"]


def test_file_size_limit_leaves_no_partial_final_file(tmp_path):
    # RLIMIT_FSIZE in a child process: the write fails with EFBIG (Python ignores SIGXFSZ)
    target = tmp_path / "a.csv"
    target.write_bytes(b"ancien contenu")
    code = textwrap.dedent(f"""
        import resource, sys
        from ess_geo._output import atomic_write_bytes
        from ess_geo.errors import InputDataError
        resource.setrlimit(resource.RLIMIT_FSIZE, (51_200, 51_200))
        try:
            atomic_write_bytes({str(target)!r}, b"y" * 500_000)
        except InputDataError as exc:
            print(exc.fr)
            sys.exit(2)
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert res.returncode == 2, res.stderr
    assert "impossible d'écrire" in res.stdout and "a.csv" in res.stdout
    assert target.read_bytes() == b"ancien contenu"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_symlink_is_refused_and_its_target_untouched(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"precious")
    folder = tmp_path / "out"
    folder.mkdir()
    link = folder / "m.html"
    link.symlink_to(outside)
    with pytest.raises(InputDataError, match=r"m\.html.*symbolic link") as info:
        atomic_write_bytes(link, b"<html>")
    assert "lien symbolique" in info.value.fr and "m.html" in info.value.fr
    with pytest.raises(InputDataError, match="symbolic link"):
        prepare_output_file(link, (".html",))
    dangling = folder / "a.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    with pytest.raises(InputDataError, match=r"a\.csv"):
        atomic_write_bytes(dangling, b"x")
    assert outside.read_bytes() == b"precious" and not (tmp_path / "nowhere.csv").exists()


def test_cli_out_through_a_symlink_exits_2(tmp_path, capsys):
    outside = tmp_path / "outside.csv"
    outside.write_bytes(b"precious")
    link = tmp_path / "a.csv"
    link.symlink_to(outside)
    code, _, err = run_cli(["access", "-s", "cardiologie", "--supply", str(outside), "--out", str(link)], capsys)
    assert code == 2
    assert "lien symbolique" in err and "a.csv" in err
    assert outside.read_bytes() == b"precious"


def test_stale_temps_of_killed_runs_are_removed_by_the_next_write(tmp_path):
    old = time.time() - 3600
    stale = tmp_path / ".region_93.xlsx.k2j4_x9a.tmp"
    fresh = tmp_path / ".region_94.xlsx.abcdefgh.tmp"  # a run still writing (recent)
    locked = tmp_path / ".region_11.xlsx.zzzzzzzz.tmp"  # an old file another process still holds
    other = tmp_path / ".notes.tmp"  # not our pattern
    for p in (stale, fresh, locked, other):
        p.write_bytes(b"partial")
    for p in (stale, locked, other):
        os.utime(p, (old, old))
    fd = os.open(locked, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        atomic_write_bytes(tmp_path / "region_93.xlsx", b"new")
        names = sorted(p.name for p in tmp_path.iterdir())
    finally:
        os.close(fd)
    assert names == sorted(["region_93.xlsx", fresh.name, locked.name, other.name])
    assert clean_stale_temps(tmp_path) == [locked]  # once released, it goes too


def test_cli_map_under_a_file_size_limit_exits_2_and_keeps_the_old_map(tmp_path):
    # issue 15 item 3: `map --out m.html` left a 51,200-byte file under the final name
    target = tmp_path / "m.html"
    target.write_bytes(b"ancienne carte")
    code = textwrap.dedent(f"""
        import resource, sys
        from ess_geo.cli import main
        resource.setrlimit(resource.RLIMIT_FSIZE, (51_200, 51_200))
        sys.exit(main(["map", "-s", "cardiologie", "-d", "2A", "--out", {str(target)!r}]))
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert res.returncode == 2, res.stderr[-2000:]
    assert "impossible d'écrire" in res.stderr and "m.html" in res.stderr and "Traceback" not in res.stderr
    assert target.read_bytes() == b"ancienne carte"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.html"]
