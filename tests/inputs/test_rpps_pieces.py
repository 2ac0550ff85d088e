"""The RPPS extraction read in many pieces (one per thread) gives exactly the one-piece read.

A real extraction is cut into 8 MiB pieces parsed in parallel (``inputs/_rpps_chunks.py``); the
files of the other tests fit in one piece. Here the pieces are made 4 KiB, so that a synthetic
file of 20,000 lines is read in hundreds of them, malformed and blank lines falling anywhere.
"""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from ess_geo.inputs import _rpps_chunks
from ess_geo.inputs.rpps import load_rpps
from synthetic import generate_synthetic_rpps


def _read(path, monkeypatch, chunk_size: int, **kwargs):
    with monkeypatch.context() as m:
        m.setattr(_rpps_chunks, "CHUNK_SIZE", chunk_size)
        return load_rpps(path, cache=False, sample_raw=True, **kwargs)


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    pd.testing.assert_frame_equal(a.persons, b.persons, check_exact=True)
    assert a.stats == b.stats
    assert a.dropped.to_dict() == b.dropped.to_dict()


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_many_pieces_read_as_one(tmp_path, monkeypatch, encoding):
    path = tmp_path / "PS_LibreAcces_Personne_activite_202401020304.txt"
    written = generate_synthetic_rpps(path, 20_000, seed=11, encoding=encoding)
    lines = path.read_bytes().split(b"\n")
    for i in (7, 3_001, 12_345):  # blank lines: pyarrow numbers only non-empty lines, pieces must agree
        lines.insert(i, b"")
    path.write_bytes(b"\n".join(lines))
    whole = _read(path, monkeypatch, 1 << 30)
    pieces = _read(path, monkeypatch, 4096)
    _same(pieces, whole)
    malformed = [x["line"] for x in pieces.dropped.sample if x["reason"].startswith("ligne mal formée")]
    assert written["malformed"] > 0 and malformed  # the sample keeps line numbers, the same as one piece gives
    all_modes = _read(path, monkeypatch, 4096, mode="tous")
    _same(all_modes, _read(path, monkeypatch, 1 << 30, mode="tous"))


def test_many_pieces_from_an_ans_zip(tmp_path, monkeypatch):
    txt = tmp_path / "PS_LibreAcces_Personne_activite_202401020304.txt"
    generate_synthetic_rpps(txt, 5_000, seed=5)
    archive = tmp_path / "PS_LibreAcces_202401020304.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(txt, txt.name)
    _same(_read(archive, monkeypatch, 4096), _read(txt, monkeypatch, 1 << 30))
