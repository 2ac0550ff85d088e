"""The parse cache: a cached load equals a fresh one; corrupt, truncated or stale entries are rebuilt."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ess_geo.cli._app import CACHE_LOGGER
from ess_geo.inputs import parse_cache
from ess_geo.inputs.finess import Finess, load_finess
from ess_geo.inputs.rpps import load_rpps
from ess_geo.inputs.zonage import load_zonage
from synthetic import doctor_line, generate_synthetic_rpps, write_finess_synthetic, write_rpps


def assert_same(fresh: object, cached: object) -> None:
    """Every field of two loader results equal: frames (values, dtypes, index), dropped, sources, stats."""
    assert type(fresh) is type(cached)
    for f in dataclasses.fields(fresh):
        a, b = getattr(fresh, f.name), getattr(cached, f.name)
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_exact=True)
            # lists stay lists, None stays None (json.dumps writes NaN as NaN, None as null, a tuple as a list)
            records = [json.dumps(x.to_dict(orient="records"), default=repr) for x in (a, b)]
            assert records[0] == records[1], f.name
        elif f.init:
            assert a == b, f.name


def entries(parse_cache_home: Path, kind: str) -> list[Path]:
    return sorted((parse_cache_home / "parsed").glob(f"{kind}-*"))


def test_cached_zonage_equals_a_fresh_match_and_says_so(zonage_file, parse_cache_home):
    said: list[str] = []
    fresh = load_zonage(zonage_file, cache=False)
    assert not (parse_cache_home / "parsed").exists()  # cache=False writes nothing
    built = load_zonage(zonage_file, notice=said.append)
    reused = load_zonage(zonage_file, notice=said.append)
    assert_same(fresh, built)
    assert_same(fresh, reused)
    pd.testing.assert_frame_equal(fresh.by_commune(), reused.by_commune())
    assert fresh.to_dict() == reused.to_dict()  # JSON form too: candidates are lists, missing values None
    assert "première lecture" in said[0] and "zonage_mg_code_postal_national.csv" in said[0]
    assert "déjà analysé" in said[1] and "reprise du cache" in said[1]
    assert len(entries(parse_cache_home, "zonage")) == 1
    assert not list((parse_cache_home / "parsed").glob(".tmp-*"))  # written atomically, no temporary left


def test_cached_rpps_equals_a_fresh_read(tmp_path, parse_cache_home, rpps_extract):
    path = tmp_path / "PS_LibreAcces_Personne_activite_202504040839.txt"
    generate_synthetic_rpps(path, 3000)
    for p, mode, raw in ((path, "liberal", False), (path, "tous", False), (path, "liberal", True),
                         (rpps_extract, "liberal", False)):
        fresh = load_rpps(p, mode=mode, sample_raw=raw, cache=False)
        load_rpps(p, mode=mode, sample_raw=raw)
        reused = load_rpps(p, mode=mode, sample_raw=raw)
        assert_same(fresh, reused)
        assert reused.dropped.to_dict() == fresh.dropped.to_dict()  # samples, and the fields they hide
    assert len(entries(parse_cache_home, "rpps")) == 4  # one entry per file and options


def test_cached_finess_equals_a_fresh_read(tmp_path, parse_cache_home):
    path = write_finess_synthetic(tmp_path)
    fresh = load_finess(path, cache=False)
    load_finess(path)
    reused = load_finess(path)
    assert_same(fresh, reused)
    assert reused.establishments["crs"].map(type).eq(fresh.establishments["crs"].map(type)).all()  # None, not NaN
    assert load_finess(path, vintage="2025").source.vintage == "2025"  # another option, another entry
    assert len(entries(parse_cache_home, "finess")) == 2


def test_same_content_elsewhere_names_its_own_path(tmp_path, parse_cache_home):
    first = write_finess_synthetic(tmp_path)
    other = tmp_path / "copie" / first.name
    other.parent.mkdir()
    shutil.copyfile(first, other)
    load_finess(first)
    said: list[str] = []
    moved = load_finess(other, notice=said.append)
    assert "reprise du cache" in said[0]  # content-addressed: the copy reuses the entry
    assert moved.source.origin == str(other)
    assert_same(load_finess(other, cache=False), moved)


def test_a_large_file_met_first_is_hashed_while_it_is_read(tmp_path, parse_cache_home, monkeypatch):
    """From HASH_WHILE_READING on (here: any size), a file whose digest is not recorded is hashed while it
    is parsed, stored under its digest and reused; a copy elsewhere is read afresh once, then reused."""
    monkeypatch.setattr(parse_cache, "HASH_WHILE_READING", 0)
    path = tmp_path / "PS_LibreAcces_Personne_activite_202504040839.txt"
    generate_synthetic_rpps(path, 2000)
    said: list[str] = []
    fresh = load_rpps(path, cache=False)
    built = load_rpps(path, notice=said.append)
    reused = load_rpps(path, notice=said.append)
    assert "première lecture" in said[0] and "reprise du cache" in said[1]
    assert_same(fresh, built)
    assert_same(fresh, reused)
    [entry] = entries(parse_cache_home, "rpps")
    assert parse_cache.file_sha256(path, fast=False)[:24] in entry.name  # stored under the content's digest
    copy = tmp_path / "copie" / path.name
    copy.parent.mkdir()
    shutil.copyfile(path, copy)
    said.clear()
    again = load_rpps(copy, notice=said.append)
    assert said == []  # read afresh: the entry of that content was there already, kept as is
    assert_same(load_rpps(copy, cache=False), again)
    moved = load_rpps(copy, notice=said.append)  # its digest is recorded now: the entry is reused
    assert "reprise du cache" in said[0] and moved.source.origin == str(copy)
    assert entries(parse_cache_home, "rpps") == [entry]


@pytest.mark.parametrize("while_reading", [False, True])
def test_a_file_replaced_while_it_is_read_is_not_stored(tmp_path, parse_cache_home, monkeypatch, while_reading):
    """The result read must be that of the content hashed: a file changed after it was hashed is returned as
    read, and nothing is stored under the former content's digest (review of issue 14)."""
    import ess_geo.inputs.rpps as rpps_module

    if while_reading:
        monkeypatch.setattr(parse_cache, "HASH_WHILE_READING", 0)
    path = write_rpps(tmp_path / "PS_LibreAcces_Personne_activite_202501010000.txt",
                      [doctor_line(1, "SM04", commune="75056")])
    (tmp_path / "autre").mkdir()
    other = write_rpps(tmp_path / "autre" / path.name,
                       [doctor_line(1, "SM04", commune="75056"), doctor_line(2, "SM04", commune="69123")])
    first = path.read_bytes()
    real = rpps_module._read_rpps

    def replaced_then_read(*args, **kwargs):
        parse_cache.file_sha256(path)  # the hash of the first content is over (the thread's, or the first)
        shutil.copyfile(other, path)
        return real(*args, **kwargs)

    monkeypatch.setattr(rpps_module, "_read_rpps", replaced_then_read)
    assert load_rpps(path).stats["doctor_lines_kept"] == 2  # what was read
    monkeypatch.setattr(rpps_module, "_read_rpps", real)
    assert entries(parse_cache_home, "rpps") == []
    path.write_bytes(first)
    assert load_rpps(path).stats["doctor_lines_kept"] == 1  # the first content is never given the second's result


def test_changed_content_is_read_again(tmp_path, parse_cache_home):
    path = write_rpps(tmp_path / "PS_LibreAcces_Personne_activite_202501010000.txt",
                      [doctor_line(1, "SM04", commune="75056")])
    assert load_rpps(path).stats["doctor_lines_kept"] == 1
    write_rpps(path, [doctor_line(1, "SM04", commune="75056"), doctor_line(2, "SM04", commune="69123")])
    os.utime(path, ns=(1, 1))  # even a changed modification time...
    assert load_rpps(path).stats["doctor_lines_kept"] == 2
    assert len(entries(parse_cache_home, "rpps")) == 1  # the entry of the former content was deleted
    size = path.stat().st_size
    write_rpps(path, [doctor_line(1, "SM04", commune="75056"), doctor_line(3, "SM04", commune="13055")])
    assert path.stat().st_size == size
    os.utime(path, ns=(1, 1))  # ...or the same size and modification time (the change time still moved)
    assert parse_cache.file_sha256(path) == parse_cache.file_sha256(path, fast=False)
    reread = load_rpps(path)
    assert set(reread.persons["code_insee"]) == {"75056", "13055"}


def _corrupt_parquet(entry: Path) -> None:
    table = sorted(entry.glob("*.parquet"))[0]
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])  # truncated


def _garbage_parquet(entry: Path) -> None:
    table = sorted(entry.glob("*.parquet"))[0]
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    table.write_bytes(b"x" * meta["frames"][table.stem]["bytes"])  # same size, unreadable


def _no_sidecar(entry: Path) -> None:
    (entry / "meta.json").unlink()


def _broken_sidecar(entry: Path) -> None:
    (entry / "meta.json").write_text("{not json", encoding="utf-8")


def _stale_version(entry: Path) -> None:
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    meta["version"] = "0-reader-of-last-year"
    (entry / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _wrong_digest(entry: Path) -> None:
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    meta["sha256"] = "0" * 64
    (entry / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _missing_table(entry: Path) -> None:
    sorted(entry.glob("*.parquet"))[0].unlink()


@pytest.mark.parametrize(
    "damage", [_corrupt_parquet, _garbage_parquet, _no_sidecar, _broken_sidecar, _stale_version, _wrong_digest,
               _missing_table],
)
def test_a_damaged_or_stale_entry_is_rebuilt_never_trusted(tmp_path, parse_cache_home, damage):
    path = write_finess_synthetic(tmp_path)
    fresh = load_finess(path, cache=False)
    load_finess(path)
    (entry,) = entries(parse_cache_home, "finess")
    damage(entry)
    said: list[str] = []
    again = load_finess(path, notice=said.append)
    assert_same(fresh, again)
    assert "première lecture" in said[-1]
    assert any("périmée" in s for s in said) or damage is _no_sidecar
    said.clear()
    assert_same(fresh, load_finess(path, notice=said.append))  # the rebuilt entry is good
    assert "reprise du cache" in said[0]


def test_opt_out_by_environment(tmp_path, parse_cache_home, monkeypatch):
    monkeypatch.setenv("ESS_GEO_NO_PARSE_CACHE", "1")
    said: list[str] = []
    assert isinstance(load_finess(write_finess_synthetic(tmp_path), notice=said.append), Finess)
    assert said == [] and not (parse_cache_home / "parsed").exists()
    assert parse_cache.cache_enabled(True) and not parse_cache.cache_enabled(None)


def test_an_unwritable_cache_only_costs_the_speed_up(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("ESS_GEO_CACHE", str(blocker / "sub"))
    path = write_finess_synthetic(tmp_path)
    assert_same(load_finess(path, cache=False), load_finess(path))


def test_a_result_that_cannot_be_stored_exactly_is_returned_not_cached(tmp_path, parse_cache_home):
    @dataclasses.dataclass
    class Odd:
        frame: pd.DataFrame

    path = write_finess_synthetic(tmp_path)
    odd = Odd(pd.DataFrame({"mixed": pd.Series([1, "a"], dtype=object)}))
    got = parse_cache.cached_parse("odd", path, {}, Odd, lambda: odd, version="1")
    assert got is odd and not entries(parse_cache_home, "odd")


def test_reader_version_computed_only_when_the_cache_is_used(tmp_path, parse_cache_home):
    """Hashing a reader's sources took 7 ms of every first read: a read with the cache off never asks for it."""
    @dataclasses.dataclass
    class Plain:
        frame: pd.DataFrame

    path = write_finess_synthetic(tmp_path)
    asked: list[str] = []

    def version() -> str:
        asked.append("asked")
        return "1"

    result = Plain(pd.DataFrame({"n": [1, 2]}))
    assert parse_cache.cached_parse("plain", path, {}, Plain, lambda: result, version=version, cache=False) is result
    assert asked == []
    parse_cache.cached_parse("plain", path, {}, Plain, lambda: result, version=version, cache=True)
    assert asked == ["asked"] and entries(parse_cache_home, "plain")


def test_reader_version_follows_the_reader_source():
    a = parse_cache.reader_version("1", ("ess_geo.inputs.zonage",))
    assert a == parse_cache.reader_version("1", ("ess_geo.inputs.zonage",))
    assert a != parse_cache.reader_version("2", ("ess_geo.inputs.zonage",))
    assert a != parse_cache.reader_version("1", ("ess_geo.inputs.finess",))


def test_loaders_log_to_the_cache_logger(tmp_path, parse_cache_home, caplog):
    assert parse_cache.LOGGER_NAME == CACHE_LOGGER  # the CLI listens to this name without importing pandas
    path = write_finess_synthetic(tmp_path)
    with caplog.at_level(logging.INFO, logger=CACHE_LOGGER):
        load_finess(path)
        load_finess(path)
    messages = [r.getMessage() for r in caplog.records if r.name == CACHE_LOGGER]
    assert "première lecture" in messages[0] and "reprise du cache" in messages[1]


def test_temporaries_of_a_killed_process_are_cleaned(tmp_path, parse_cache_home):
    parsed = parse_cache_home / "parsed"
    stale, fresh = parsed / ".tmp-finess-killed", parsed / ".tmp-finess-running"
    for folder in (stale, fresh):
        folder.mkdir(parents=True)
        (folder / "establishments.parquet").write_bytes(b"half")
    os.utime(stale, (1, 1))  # written long ago: its process is gone
    load_finess(write_finess_synthetic(tmp_path))
    assert not stale.exists() and fresh.exists()  # a recent one may belong to a running process
