"""Commune points: the table stored at build time is the one the package used to compute in every process."""

from __future__ import annotations

import hashlib
import json

import numpy as np

from ess_geo.reference import geography
from ess_geo.reference._store import DATA
from ess_geo.reference.points import POINTS_TABLE, commune_points, compute_commune_points


def sha256_file(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_stored_points_equal_the_points_computed_from_the_embedded_communes():
    computed = compute_commune_points(geography.load_communes())
    stored = commune_points()
    assert stored["code_insee"].tolist() == computed["code_insee"].tolist()
    assert len(stored) == 34_875
    # bit for bit where built (same GEOS/PROJ); 1 µm allows another PROJ release's last-bit rounding
    np.testing.assert_allclose(stored["x"].to_numpy(), computed["x"].to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(stored["y"].to_numpy(), computed["y"].to_numpy(), rtol=0, atol=1e-6)
    assert stored["x"].isna().equals(computed["x"].isna())


def test_stored_points_record_their_source_and_checksums():
    rec = geography.provenance()["derived"][f"{POINTS_TABLE}.parquet"]
    assert rec["from"] == "communes.parquet" and rec["rows"] == 34_875
    assert rec["from_sha256"] == sha256_file(DATA / "communes.parquet")
    assert rec["sha256"] == sha256_file(DATA / f"{POINTS_TABLE}.parquet")
    assert "compute_commune_points" in json.dumps(rec)
