"""Simplified communes kept between processes: same frame as without the cache, altered entries rebuilt."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from geopandas.testing import assert_geodataframe_equal

from ess_geo.reference import geography
from ess_geo.render.simplify import simplify_for_map

KEEP = ["code_insee", "nom", "code_dep", "population", "n_specialists", "distance_km"]


@pytest.fixture()
def communes():
    com = geography.load_communes()
    com = com[com["code_dep"].isin(["48", "2A", "974"])].copy()  # mainland, Corsica, overseas CRS
    com["n_specialists"] = np.arange(len(com)) % 3
    com["distance_km"] = np.where(np.arange(len(com)) % 5 == 0, np.nan, 12.5)
    com["population"] = com.get("population", 0)
    return com.set_index("code_insee", drop=False)


@pytest.fixture()
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ESS_GEO_CACHE", str(tmp_path))
    monkeypatch.delenv("ESS_GEO_NO_PARSE_CACHE", raising=False)
    return tmp_path / "parsed" / "simplified"


def test_stored_then_read_back_equal_to_uncached(communes, cache_folder: Path) -> None:
    plain = simplify_for_map(communes, tolerance_m=300.0, keep=KEEP)
    first = simplify_for_map(communes, tolerance_m=300.0, keep=KEEP, cache=True)
    assert len(list(cache_folder.glob("*.npz"))) == 1
    second = simplify_for_map(communes, tolerance_m=300.0, keep=KEEP, cache=True)
    assert_geodataframe_equal(first, plain, check_less_precise=False)
    assert_geodataframe_equal(second, plain, check_less_precise=False)
    assert list(second.geometry.to_wkb()) == list(plain.geometry.to_wkb())  # exact doubles
    other = simplify_for_map(communes, tolerance_m=600.0, keep=KEEP, cache=True)  # another key
    assert len(list(cache_folder.glob("*.npz"))) == 2
    assert list(other.geometry.to_wkb()) != list(plain.geometry.to_wkb())


def test_altered_or_truncated_entry_rebuilt(communes, cache_folder: Path) -> None:
    plain = simplify_for_map(communes, tolerance_m=300.0, keep=KEEP)
    simplify_for_map(communes, tolerance_m=300.0, keep=KEEP, cache=True)
    (entry,) = cache_folder.glob("*.npz")
    good = entry.read_bytes()
    for bad in (good[: len(good) // 2], b"not an npz", good.replace(b"\x01\x03", b"\x01\x02", 1)):
        entry.write_bytes(bad)
        again = simplify_for_map(communes, tolerance_m=300.0, keep=KEEP, cache=True)
        assert list(again.geometry.to_wkb()) == list(plain.geometry.to_wkb())
        assert entry.read_bytes() != bad  # rebuilt and stored again


def test_opt_out_writes_nothing(communes, cache_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESS_GEO_NO_PARSE_CACHE", "1")
    simplify_for_map(communes, tolerance_m=300.0, keep=KEEP, cache=True)
    assert not cache_folder.exists()


def test_entry_written_by_the_one_atomic_writer_never_through_a_link(communes, cache_folder: Path, tmp_path: Path) -> None:
    plain = simplify_for_map(communes, tolerance_m=300.0, keep=KEEP)
    simplify_for_map(communes, tolerance_m=300.0, keep=KEEP, cache=True)
    (entry,) = cache_folder.glob("*.npz")
    victim = tmp_path / "victim.txt"
    victim.write_text("planner's file")
    entry.unlink()
    entry.symlink_to(victim)
    again = simplify_for_map(communes, tolerance_m=300.0, keep=KEEP, cache=True)
    assert list(again.geometry.to_wkb()) == list(plain.geometry.to_wkb())
    assert victim.read_text() == "planner's file"
    assert not [p.name for p in cache_folder.iterdir() if p.name.endswith(".tmp")]  # no temporary file left
