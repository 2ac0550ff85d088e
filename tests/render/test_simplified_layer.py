"""The départements simplified at build time are the layer the maps used to simplify in every process."""

from __future__ import annotations

import hashlib

import shapely

from ess_geo.reference import geography
from ess_geo.reference._store import DATA
from ess_geo.render.mapspec import compute_simplified_departements, simplified_departements
from ess_geo.render.simplify import TOLERANCE_M


def test_stored_simplified_departements_equal_the_computed_ones():
    tol = TOLERANCE_M["departement"]
    stored = geography.load_simplified_layer("departements", tol)
    assert stored is not None
    computed = compute_simplified_departements(tol)
    assert stored.drop(columns="geometry").equals(computed.drop(columns="geometry"))
    assert stored.crs == computed.crs
    assert shapely.equals_exact(stored.geometry.values, computed.geometry.values, tolerance=0).all()
    assert simplified_departements().equals(stored)  # what the maps draw


def test_other_tolerances_are_computed_and_the_stored_layer_is_recorded():
    assert geography.load_simplified_layer("departements", 1234.0) is None
    assert len(simplified_departements(["75", "92"], tolerance_m=1234.0)) == 2
    name = geography.simplified_layer_name("departements", TOLERANCE_M["departement"]) + ".parquet"
    rec = geography.provenance()["derived"][name]
    assert rec["sha256"] == hashlib.sha256((DATA / name).read_bytes()).hexdigest()
    assert rec["from_sha256"] == hashlib.sha256((DATA / "departements.parquet").read_bytes()).hexdigest()
