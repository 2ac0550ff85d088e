"""The RPPS extraction read in many pieces (one per thread) gives exactly the one-piece read.

A real extraction is cut into 8 MiB pieces parsed in parallel (``inputs/_rpps_chunks.py``); the
files of the other tests fit in one piece. Here the pieces are made 4 KiB, so that a synthetic
file of 20,000 lines is read in hundreds of them, malformed and blank lines falling anywhere.
"""

from __future__ import annotations

import threading
import zipfile

import pandas as pd
import pytest

from ess_geo.inputs import _rpps_chunks
from ess_geo.inputs.rpps import load_rpps
from synthetic import doctor_line, generate_synthetic_rpps


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


def test_placements_of_many_pieces_count_as_one(tmp_path, monkeypatch):
    """Each piece is placed in communes by its parsing thread; the pieces' placements merged in file order
    give one placement's counts, ways (ordered by first line) and unplaced reasons (alphabetical, first
    line as sample), whichever piece each reason first occurs in."""
    unplaced = [
        doctor_line(900_001, "SM04", "L", cp="", commune="", pays="99134"),  # abroad
        doctor_line(900_002, "SM04", "L"),  # neither commune code nor postal code
        doctor_line(900_003, "SM04", "L", cp="01000", commune_label="NULLE PART"),  # shared postal code, no name
        doctor_line(900_004, "SM04", "L", commune="97501"),  # Saint-Pierre-et-Miquelon, not embedded
        doctor_line(900_005, "SM04", "L", commune="99999", cp="99999"),
        doctor_line(900_006, "SM04", "L", cp="00000"),
        doctor_line(900_007, "SM04", "L", cp="01000", commune_label="SAINT-DENIS-LES-BOURG"),  # placed by name
        doctor_line(900_008, "SM04", "L", commune="75112", cp="75012"),  # arrondissement
    ]
    base = tmp_path / "base.txt"
    generate_synthetic_rpps(base, 6_000, seed=13)
    body = base.read_text(encoding="utf-8").split("\n")
    header, lines = body[0], [x for x in body[1:] if x]
    for k, line in enumerate(unplaced + unplaced[::-1]):  # each reason twice, far apart: in different pieces
        lines.insert(1 + k * (len(lines) // 17), line)
    path = tmp_path / "PS_LibreAcces_Personne_activite_202401020304.txt"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    whole = _read(path, monkeypatch, 1 << 30)
    pieces = _read(path, monkeypatch, 4096)
    _same(pieces, whole)
    assert list(pieces.stats["placed_by"]) == list(whole.stats["placed_by"])
    reasons = [x["reason"] for x in pieces.dropped.sample]
    assert {"adresse d'exercice hors de France", "ni code commune ni code postal",
            "code postal commun à plusieurs communes, nom de commune non reconnu",
            "commune hors du référentiel embarqué (collectivité d'outre-mer)",
            "code commune inconnu et code postal inutilisable",
            "code postal inconnu (CEDEX ou étranger) et pas de code commune"} <= set(reasons)
    assert all(pieces.dropped.by_reason[r] >= 2 for r in reasons if r != "ligne mal formée (55 champs au lieu de 53)"
               and not r.startswith("code savoir-faire"))


def test_pieces_parsed_before_the_placement_tables_are_placed_by_the_reading_thread(tmp_path, monkeypatch):
    """A piece refined before the placement tables are read is not held up: the reading thread places it
    as it collects it (``settle_piece``), with the same result. Here the tables are read only once the
    first piece is collected, so at least that one is placed so."""
    from ess_geo.inputs import _rpps_refine, rpps

    path = tmp_path / "PS_LibreAcces_Personne_activite_202401020304.txt"
    generate_synthetic_rpps(path, 6_000, seed=17)
    whole = _read(path, monkeypatch, 1 << 30)
    collected = threading.Event()
    settled_here: list[int] = []
    prepare, settle = _rpps_refine._prepare_reference, rpps.settle_piece

    def late_prepare() -> None:
        assert collected.wait(60)
        prepare()

    def counting_settle(placement, table, facts):
        if facts.placed is None:
            settled_here.append(table.num_rows)
        collected.set()
        return settle(placement, table, facts)

    monkeypatch.setattr(_rpps_refine, "_prepare_reference", late_prepare)
    monkeypatch.setattr(rpps, "settle_piece", counting_settle)
    pieces = _read(path, monkeypatch, 4096)
    _same(pieces, whole)
    assert settled_here and settled_here[0] > 0
