"""Counts and densities per commune, département, région and territory (synthetic RPPS + real DREES)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ess_geo.analysis.density import supply_by
from ess_geo.errors import EssGeoError, InputDataError, UnknownCodeError
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.rpps import load_rpps
from ess_geo.reference.geography import load_communes, load_regions
from ess_geo.reference.population import density_per_100k, density_per_100k_series, departement_population
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
    # the same as the territory count of the Supply itself
    count = synthetic_rpps_supply.count("cardiologie", ["04", "05"])
    assert card["n_specialists"] == count.total and card["density_per_100k"] == count.density_per_100k


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


def test_supply_by_is_not_a_supply_method(synthetic_rpps_supply):
    # inputs never import analysis: the function lives in ess_geo.analysis.density only
    assert not hasattr(synthetic_rpps_supply, "supply_by")


def test_bad_level_is_an_input_error_not_a_bare_one(synthetic_rpps_supply, drees_effectifs):
    with pytest.raises(InputDataError, match="level='canton'"):
        supply_by(synthetic_rpps_supply, "canton")
    with pytest.raises(InputDataError, match="commune-level supply"):
        supply_by(load_supply(drees_effectifs), "commune")


def test_territory_density_agrees_with_supply_count(drees_effectifs):
    # regression: the territory population counted an unknown population (Mayotte) as 0, giving a
    # density over part of the inhabitants where Supply.count gives none
    s = load_supply(drees_effectifs)
    for deps in (["974", "976"], ["75", "92", "93", "94"]):
        row = supply_by(s, deps, specialty="cardiologie").iloc[0]
        count = s.count("cardiologie", deps)
        assert row["n_specialists"] == count.total
        if count.density_per_100k is None:
            assert pd.isna(row["density_per_100k"]) and pd.isna(row["population"])
        else:
            assert row["density_per_100k"] == count.density_per_100k
            assert row["population"] == count.inhabitants


def test_departement_densities_are_the_one_formula(drees_effectifs):
    s = load_supply(drees_effectifs)
    out = supply_by(s, "departement", specialty="cardiologie")
    for n, pop, density in zip(out["n_specialists"], out["population"], out["density_per_100k"], strict=True):
        expected = density_per_100k(n, pop)
        assert (pd.isna(density) and expected is None) or density == expected


def test_vectorised_density_agrees_with_the_scalar_formula():
    rng = np.random.default_rng(20250404)
    counts = rng.integers(0, 400, 50_000)
    pops = rng.integers(-5, 3_000_000, 50_000).astype("float64")
    pops[::97] = np.nan
    pops[::101] = 0
    # values sitting on a rounding tie (x.xx5) and just around it
    counts = np.concatenate([counts, [1, 1, 1, 3, 7, 0]])
    pops = np.concatenate([pops, [800_000, 40_000_000, 100_000_000, 2_400_000, 1_600_000, 10]])
    got = density_per_100k_series(pd.Series(counts), pd.Series(pops))
    expected = [density_per_100k(int(c), p) for c, p in zip(counts, pops, strict=True)]
    mismatches = [(c, p, g, e) for c, p, g, e in zip(counts, pops, got, expected, strict=True)
                  if not ((e is None and np.isnan(g)) or g == e)]
    assert not mismatches[:5]
