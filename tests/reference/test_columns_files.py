"""The Arrow IPC copies of the attribute columns (what the RPPS reader places lines with) are the Parquet files' content."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import ess_geo
from ess_geo.reference import geography
from ess_geo.reference._store import COLUMNS_FILES, DATA, compute_columns, read_columns
from synthetic import doctor_line, write_rpps


def sha256_file(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(COLUMNS_FILES))
def test_stored_columns_equal_the_parquet_columns(name):
    expected = compute_columns(name)
    with pa.OSFile(str(DATA / COLUMNS_FILES[name])) as source:
        stored = pa.ipc.open_file(source).read_all()
    assert stored.schema.equals(expected.schema) and stored.equals(expected)
    assert read_columns(name, ("code_insee",)).equals(expected.select(["code_insee"]))


@pytest.mark.parametrize("name", sorted(COLUMNS_FILES))
def test_stored_columns_record_their_source_and_checksums(name):
    rec = geography.provenance()["derived"][COLUMNS_FILES[name]]
    assert rec["from"] == f"{name}.parquet"
    assert rec["from_sha256"] == sha256_file(DATA / rec["from"])
    assert rec["sha256"] == sha256_file(DATA / COLUMNS_FILES[name])


def test_rpps_first_read_needs_no_parquet_reader(tmp_path):
    """pyarrow.parquet imports pyarrow's file systems (S3, GCS, Azure, HDFS): 20 ms of GIL while the extraction
    is parsed, and a slower exit. A fresh read places its lines without it."""
    path = write_rpps(tmp_path / "PS_LibreAcces_Personne_activite_202401020304.txt",
                      [doctor_line(1, "SM04", "L", commune="77288", cp="77000"),
                       doctor_line(2, "SM04", "L", commune="", cp="91000", commune_label="EVRY-COURCOURONNES")])
    code = ("import json, sys\nfrom ess_geo.inputs.rpps import load_rpps\n"
            f"s = load_rpps({str(path)!r}, cache=False)\n"
            "print(json.dumps([s.count('cardiologie', ['77', '91']).total, 'pyarrow.parquet' in sys.modules]))")
    env = {**os.environ, "PYTHONPATH": str(Path(ess_geo.__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [2, False]
