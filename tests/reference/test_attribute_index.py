"""The JSON index a check reads (codes, names, régions, populations, adjacency) is the Parquet files' content."""

from __future__ import annotations

import hashlib

from ess_geo.reference import codes, geography, population
from ess_geo.reference._store import DATA, INDEX_FILE, compute_index, read_index


def sha256_file(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_stored_index_equals_the_index_computed_from_the_parquet_files():
    assert read_index() == compute_index()


def test_stored_index_records_its_sources_and_checksums():
    rec = geography.provenance()["derived"][INDEX_FILE]
    assert rec["from"] == ["departements.parquet", "regions.parquet", "adjacency.parquet"]
    assert rec["from_sha256"] == [sha256_file(DATA / name) for name in rec["from"]]
    assert rec["sha256"] == sha256_file(DATA / INDEX_FILE)


def test_index_answers_match_the_frames():
    deps = geography.load_departements()
    assert codes.departement_names() == dict(zip(deps["code_dep"], deps["nom"], strict=True))
    assert codes.departement_region() == dict(zip(deps["code_dep"], deps["code_region"], strict=True))
    known = deps[deps["population"].notna()]
    assert population.departement_population() == dict(zip(known["code_dep"], known["population"].astype(int), strict=True))
    assert "976" not in population.departement_population()  # Mayotte's population is unknown in the source
    adj = geography.load_adjacency()
    pairs = {frozenset(p) for p in zip(adj["code_dep_a"], adj["code_dep_b"], strict=True)}
    graph = geography.adjacency_graph()
    assert {frozenset((a, b)) for a, nb in graph.items() for b in nb} == pairs
    assert geography.neighbours("2A") == ["2B"] and geography.neighbours("971") == []
    assert set(geography.neighbours("75")) == {"92", "93", "94"}
