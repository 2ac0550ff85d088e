"""Placing RPPS lines in communes, and what the placement leaves behind.

The candidates of each postal code built with Arrow equal a plain Python grouping (the embedded
postal-code table is real, see ``data/provenance.json``; the reference grouping below is the one
the reader used before it was vectorised, issue 14). The read pauses the cyclic garbage collector
and restores it, leaves no cache the collector visits, and reports a missing embedded table as
itself.
"""

from __future__ import annotations

import gc

import pytest

from ess_geo.inputs import _rpps_place, _rpps_refine, rpps
from ess_geo.inputs._rpps_place import _PostalCodes, place_address
from ess_geo.reference.geography import load_communes, load_postal_codes
from ess_geo.reference.specialties import normalize_text
from synthetic import doctor_line, generate_synthetic_rpps, write_rpps


def _grouped_in_python() -> dict[str, tuple[tuple[str, str], ...]]:
    postal, communes = load_postal_codes(), load_communes()
    name_of = dict(zip(communes["code_insee"], communes["nom"], strict=True))
    out: dict[str, list[tuple[str, str]]] = {}
    for cp, insee, nom in zip(postal["code_postal"], postal["code_insee"], postal["nom"], strict=True):
        rows = out.setdefault(cp, [])
        rows.append((insee, normalize_text(nom)))
        if insee in name_of and normalize_text(name_of[insee]) != normalize_text(nom):
            rows.append((insee, normalize_text(name_of[insee])))
    return {cp: tuple(rows) for cp, rows in out.items()}


def test_every_postal_code_has_the_candidates_of_a_python_grouping():
    expected = _grouped_in_python()
    built = _PostalCodes()
    assert all(cp in built for cp in expected)
    assert "99999" not in built and "" not in built
    assert {cp: built[cp] for cp in expected} == expected


def test_paris_arrondissement_postal_code_names_the_arrondissement_and_the_commune():
    candidates = _PostalCodes()["75001"]
    assert candidates == (("75056", "paris 1er arrondissement"), ("75056", "paris"))
    communes = _rpps_place._commune_codes()
    assert place_address(("", "75001", "PARIS", "", ""), communes, _PostalCodes()) == ("75056", "code postal")


def test_shared_postal_code_placed_by_the_commune_name():
    postal = _PostalCodes()
    communes = _rpps_place._commune_codes()
    # 01000 serves Bourg-en-Bresse and Saint-Denis-lès-Bourg: the name decides, accents and case aside
    assert place_address(("", "01000", "ST DENIS LES BOURG", "", ""), communes, postal)[0] is None
    assert place_address(("", "01000", "SAINT DENIS LES BOURG", "", ""), communes, postal) == (
        "01344", "code postal et nom de commune")
    assert place_address(("", "01000", "", "", ""), communes, postal) == (
        None, "code postal commun à plusieurs communes, nom de commune non reconnu")


def test_read_pauses_the_cyclic_collector_and_restores_it(tmp_path, monkeypatch):
    path = tmp_path / "PS_LibreAcces_Personne_activite_202401020304.txt"
    generate_synthetic_rpps(path, 300, seed=3)
    seen: list[bool] = []
    read = rpps.read_extraction_table

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return read(*args, **kwargs)

    monkeypatch.setattr(rpps, "read_extraction_table", spy)
    was = gc.isenabled()
    try:
        gc.enable()
        load_rpps = rpps.load_rpps
        load_rpps(path, cache=False)
        assert seen == [False] and gc.isenabled()
        gc.disable()  # a caller that paused it keeps it paused
        load_rpps(path, cache=False)
        assert seen == [False, False] and not gc.isenabled()
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


def test_placement_caches_are_not_visited_by_the_garbage_collector(tmp_path):
    """The caches a read leaves (commune codes, normalised names, postal groups) hold only text and
    numbers in untracked containers: a full collection (two or three at the interpreter's exit) visited
    130,000 references more after a read when they were a frozenset, an lru_cache and lists."""
    path = tmp_path / "PS_LibreAcces_Personne_activite_202401020304.txt"
    generate_synthetic_rpps(path, 2_000, seed=5)
    rpps.load_rpps(path, cache=False)
    gc.collect()
    assert _rpps_place._NORMALIZED  # names were normalised (lines placed by postal code and name)
    postal = _rpps_place._postal_codes()
    for cache in (_rpps_place._commune_codes(), _rpps_place._NORMALIZED, postal._group, postal._starts, postal._ends,
                  postal._insee, postal._nom, postal._cog):
        assert not gc.is_tracked(cache), type(cache)


class _Broken(OSError):
    """A missing embedded table (synthetic failure)."""


def test_a_missing_embedded_table_is_raised_as_itself_not_as_an_unreadable_extraction(tmp_path, monkeypatch):
    """The savoir-faire and postal-code tables are read by a thread and used by the parsing threads; their
    failure must reach the caller as it is (an OSError of the extraction is reported as « extraction
    RPPS illisible »), and nothing waits forever."""
    path = write_rpps(tmp_path / "PS_LibreAcces_Personne_activite_202401020304.txt",
                      [doctor_line(1, "SM04", "L", commune="77288", cp="77000"),
                       doctor_line(2, "SM04", "L", cp="91000", commune_label="EVRY-COURCOURONNES")])

    def broken(*args, **kwargs):
        raise _Broken("rpps_savoir_faire.csv is missing")

    with monkeypatch.context() as m:
        m.setattr(_rpps_refine._SavoirFaire, "read", classmethod(broken))
        with pytest.raises(_Broken, match=r"rpps_savoir_faire\.csv"):
            rpps.load_rpps(path, cache=False)
    _rpps_place._postal_codes.cache_clear()
    with monkeypatch.context() as m:
        m.setattr(_rpps_place, "_PostalCodes", broken)  # lines without a commune code need it
        with pytest.raises(_Broken, match="missing"):
            rpps.load_rpps(path, cache=False)
    _rpps_place._postal_codes.cache_clear()
    assert rpps.load_rpps(path, cache=False).stats["lines"] > 0


def test_read_restores_the_collector_when_it_fails(tmp_path, monkeypatch):
    path = tmp_path / "PS_LibreAcces_Personne_activite_202401020304.txt"
    generate_synthetic_rpps(path, 200, seed=4)
    monkeypatch.setattr(rpps, "merge_facts", lambda *args: 1 / 0)
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        rpps.load_rpps(path, cache=False)
    assert gc.isenabled()
