"""The RPPS extraction file: recognised by its header, streamed, doctors' lines kept (synthetic fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs.rpps import load_rpps
from ess_geo.inputs.rpps_file import COL_ID, USED_COLUMNS, is_rpps_header, read_extraction_table
from synthetic import HEADER, doctor_line, rpps_line, write_rpps

NAME = "PS_LibreAcces_Personne_activite_202504040839.txt"


def test_header_is_recognised_with_or_without_bom():
    assert is_rpps_header(HEADER)
    assert is_rpps_header("\ufeff" + HEADER + "\r\n")
    assert not is_rpps_header("dept_code,07-Cardiologie")


def test_read_extraction_keeps_doctors_of_the_modes(tmp_path):
    lines = [
        doctor_line(1, "SM04", "L", commune="04070", cp="04000"),
        doctor_line(2, "SM04", "S", commune="04070", cp="04000"),
        rpps_line(**{"Identifiant PP": "99000000003", "Code profession": "60"}),
    ]
    path = write_rpps(tmp_path / NAME, lines)
    table, stats, encoding, member, dropped, extras = read_extraction_table(path, None, frozenset({"L"}), None)
    assert extras == [None]  # one piece, nothing refined
    frame = table.to_pandas()
    assert list(frame.columns) == list(USED_COLUMNS)
    assert frame[COL_ID].str.strip().tolist() == [doctor_line(1, "SM04").split("|")[1]]
    assert stats["lines"] == 3 and stats["other professions"] == 1 and stats["doctors, other modes of practice"] == 1
    assert encoding == "utf-8" and member == NAME and not dropped


def test_non_path_and_unreadable_extraction_are_input_errors(tmp_path, monkeypatch):
    # regression: a number raised TypeError, an unreadable file a bare PermissionError
    with pytest.raises(InputDataError, match=r"load_rpps: path must be a file path .* got int"):
        load_rpps(42)
    with pytest.raises(InputDataError, match="is a directory"):
        load_rpps(tmp_path)
    path = write_rpps(tmp_path / NAME, [doctor_line(1, "SM04", "L", commune="04070", cp="04000")])

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("ess_geo.inputs.rpps_file.open", denied, raising=False)
    with pytest.raises(InputDataError, match=r"cannot read RPPS extraction file.*Permission denied"):
        load_rpps(path)
    assert Path(path).is_file()
