"""Matching zonage rows to COG 2025 communes: name keys, match steps, INSEE codes."""

from __future__ import annotations

import pytest

from ess_geo.inputs.zonage_match import (
    match_insee,
    match_postal,
    normalize_name,
    padded_postal_code,
    postal_code_departements,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("L'Abergement-Clémenciat", "Abergement-Clémenciat"),
        ("St-Ybard", "Saint Ybard"),
        ("Ste-Hermine", "Sainte-Hermine"),
        ("Les Trois Lacs", "Trois Lacs"),
        ("Aux Marais", "Marais"),
        ("LE MERLERAULT", "Merlerault"),
        ("Éragny", "eragny"),
    ],
)
def test_normalize_name_equivalences(a, b):
    assert normalize_name(a) == normalize_name(b)


def test_normalize_name_keeps_a_lone_article_word():
    # "La" alone is a name, not an article to drop.
    assert normalize_name("La") == "la"
    assert normalize_name("Saint-Cyr") != normalize_name("Saint-Cyr-Bocage")


def test_padded_postal_code():
    assert padded_postal_code("1400") == "01400"
    assert padded_postal_code("75001") == "75001"
    assert padded_postal_code("12") == "12" and padded_postal_code("abc") == "abc"


def test_match_postal_steps_and_reasons():
    m = match_postal(["01400", "62140", "99999", "1234"], ["L'Abergement-Clémenciat", "Hesdin", "Nulle-Part", "X"])
    assert m.codes[:2] == ["01001", "62447"] and m.codes[2:] == [None, None]
    assert m.steps[:2] == ["code_postal+nom", "code_postal+commune_deleguee"]
    assert "code postal inconnu" in m.reasons[2] and "code postal invalide" in m.reasons[3]
    assert m.candidates == [[], [], [], []]


def test_match_insee_maps_a_commune_deleguee_to_its_commune():
    m = match_insee(["1001", "14011", "99999"])
    assert m.codes == ["01001", "14581", None]
    assert m.steps == ["code_insee", "code_insee_deleguee", ""]
    assert "99999" in m.reasons[2]


def test_postal_code_departements():
    assert "04" in postal_code_departements("04000")
    assert {"2A", "2B"} <= postal_code_departements(20000)
