"""Counts and densities per commune, département, région and territory (synthetic RPPS + real DREES)."""

from __future__ import annotations

import pytest

from ess_geo.analysis.density import departement_population, supply_by
from ess_geo.errors import EssGeoError, UnknownCodeError
from ess_geo.inputs.rpps import load_rpps
from ess_geo.inputs.supply import load_supply
from ess_geo.reference.geography import load_communes, load_regions
from synthetic import doctor_line, write_rpps


@pytest.fixture
def synthetic_rpps_supply(tmp_path):
    lines = [
        doctor_line(1, "SM04", "L", commune="04070", cp="04000", site=0),
        doctor_line(1, "SM04", "L", commune="04112", cp="04100", site=1),  # Digne + Manosque, both in 04
        doctor_line(2, "SM04", "L", commune="04070", cp="04000"),
        doctor_line(2, "SM04", "L", commune="05061", cp="05000"),  # Digne (04) + Gap (05)
        doctor_line(3, "SM41", "L", commune="05061", cp="05000"),
        doctor_line(4, "SM04", "L", commune="13055", cp="13001"),  # Marseille (13), same région as 04 and 05
    ]
    return load_rpps(write_rpps(tmp_path / "PS_LibreAcces_Personne_activite_202504040839.txt", lines))


def _pop(code_insee: str) -> int:
    c = load_communes()
    return int(c.loc[c["code_insee"] == code_insee, "population"].iloc[0])


def test_commune_level_counts_and_density(synthetic_rpps_supply):
    out = supply_by(synthetic_rpps_supply, "commune", specialty="cardiologie")
    row = out.set_index("code").loc["04070"]
    assert row["n_specialists"] == 2 and row["nom"] == "Digne-les-Bains"
    assert row["density_per_100k"] == pytest.approx(round(2 * 1e5 / _pop("04070"), 2))
    assert len(out) == len(load_communes())  # every commune, 0 where none
    assert out["n_specialists"].sum() == 5  # commune-level: person 1 in 2 communes, person 2 in 2
    assert [s.name for s in out.attrs["sources"]][1].startswith("Référentiel géographique")


def test_departement_counts_distinct_doctors(synthetic_rpps_supply):
    out = supply_by(synthetic_rpps_supply, "departement", specialty="cardiologie").set_index("code")
    assert out.loc["04", "n_specialists"] == 2  # person 1 (two communes) once, person 2 once
    assert out.loc["05", "n_specialists"] == 1
    assert out.loc["04", "population"] == departement_population()["04"]
    assert out.loc["04", "density_per_100k"] == pytest.approx(round(2 * 1e5 / departement_population()["04"], 2))


def test_region_and_territory(synthetic_rpps_supply):
    reg = supply_by(synthetic_rpps_supply, "region", specialty="cardiologie").set_index("code")
    assert reg.loc["93", "n_specialists"] == 3  # PACA: persons 1, 2, 4 once each
    assert len(reg) == len(load_regions())
    terr = supply_by(synthetic_rpps_supply, ["4", "05"])
    card = terr.set_index("specialty").loc["cardiologie"]
    assert card["n_specialists"] == 2 and card["code"] == "04+05" and card["level"] == "territoire"
    assert card["population"] == departement_population()["04"] + departement_population()["05"]
    assert terr.set_index("specialty").loc["pneumologie", "n_specialists"] == 1
    # the method on Supply gives the same
    assert synthetic_rpps_supply.supply_by(["04", "05"]).equals(terr)


def test_bad_level_and_unknown_departement(synthetic_rpps_supply):
    with pytest.raises(EssGeoError, match="level='canton'"):
        supply_by(synthetic_rpps_supply, "canton")
    with pytest.raises(UnknownCodeError, match="'99'"):
        supply_by(synthetic_rpps_supply, ["04", "99"])


def test_drees_supply_by_departement_and_not_commune(drees_effectifs):
    s = load_supply(drees_effectifs)
    out = supply_by(s, "departement", specialty="cardiologie").set_index("code")
    assert out.loc["75", "n_specialists"] == int(s.count("cardiologie", ["75"]).total)
    assert out["density_per_100k"].notna().sum() >= 100
    with pytest.raises(EssGeoError, match="commune-level supply"):
        supply_by(s, "commune")
    assert out.attrs["mode"] == "tous"
