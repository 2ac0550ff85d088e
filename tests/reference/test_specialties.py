"""Specialty resolution: other health professions refused, ambiguous short names suggest every candidate."""

from __future__ import annotations

import pytest

from ess_geo.errors import NotEssSpecialtyError, UnknownSpecialtyError
from ess_geo.reference.specialties import NON_MEDICAL_PROFESSIONS, _index, get_specialty, normalize_text, suggest


@pytest.mark.parametrize(
    "name", ["dentiste", "chirurgien-dentiste", "Chirurgien dentiste", "sage-femme", "Sage femme", "kiné", "kinésithérapeute",
             "infirmier", "pharmacien", "orthophoniste"]
)
def test_other_professions_are_not_medical_specialties(name):
    with pytest.raises(NotEssSpecialtyError, match="not a medical specialty") as exc:
        get_specialty(name)
    assert "n'est pas une spécialité médicale" in exc.value.fr
    assert name in exc.value.fr


def test_no_profession_shadows_a_specialty():
    assert not [k for k in NON_MEDICAL_PROFESSIONS if k in _index()]


@pytest.mark.parametrize("name", ["gynéco", "gynécologie", "Gynecologie", "gynécologue"])
def test_gyneco_suggests_both_gynaecologies(name):
    with pytest.raises(UnknownSpecialtyError) as exc:
        get_specialty(name)
    assert exc.value.suggestions == ["gynecologie-medicale", "gynecologie-obstetrique"]
    assert "gynecologie-medicale, gynecologie-obstetrique" in exc.value.fr


def test_suggest_still_works_for_misspellings():
    assert suggest("cardiolgie")[0] == "cardiologie"
    assert normalize_text("Gynéco") == "gyneco"


def test_precise_gynaecology_names_resolve():
    assert get_specialty("gynécologie médicale").id == "gynecologie-medicale"
    assert get_specialty("gynéco-obstétrique").id == "gynecologie-obstetrique"
