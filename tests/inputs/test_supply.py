"""The Supply model: which rows count for a specialty, counts, distinct doctors."""

from __future__ import annotations

import pandas as pd

from ess_geo.inputs.load import load_supply
from ess_geo.inputs.supply import ABSENT_FR, MODES, TABLE_COLUMNS, Supply, distinct_doctors
from ess_geo.reference.population import density_per_100k, inhabitants
from ess_geo.sources import Source
from synthetic import write_drees


def test_unreadable_cell_makes_the_departement_missing(tmp_path):
    s = load_supply(write_drees(tmp_path / "synthetic_drees.csv", "77,,3,3", "91,4,2,6"))
    assert s.dropped.by_reason["effectif non entier"] == 1
    c = s.count("cardiologie", ["77", "91"])
    assert c.missing == ["77"]
    assert c.available
    # the other group of 77 was readable: not missing there
    assert s.count("angiologie", ["77"]).missing == []


def test_supply_without_the_specialty_or_its_group_is_not_an_exact_zero(tmp_path):
    s = load_supply(write_drees(tmp_path / "synthetic_drees.csv", "77,3,3", header="dept_code,15-Autre spécialité,Total général"))
    assert not s.has_specialty("cardiologie")
    c = s.count("cardiologie", ["77", "91"])
    assert not c.available and not c.exact
    assert c.missing == ["77", "91"]
    assert "aucune donnée" in c.basis


def test_rows_for_is_the_one_group_fallback(tmp_path):
    s = load_supply(write_drees(tmp_path / "synthetic_drees.csv", "77,5,3,8", "91,4,2,6"))
    rows, exact, basis = s.rows_for("cardiologie")
    assert exact and list(rows["code_dep"]) == ["77", "91"] and "Cardiologie" in basis
    rows, exact, basis = s.rows_for("angiologie")  # lumped in 15-Autre spécialité
    assert not exact and rows["n_specialists"].sum() == 5 and "majorant" in basis
    rows, exact, _ = s.rows_for("dermatologie")
    assert rows.empty and not s.has_specialty("dermatologie")


def _persons() -> pd.DataFrame:
    return pd.DataFrame({
        "rpps_id": ["1", "1", "2", "2", "3"],
        "specialty": ["cardiologie"] * 4 + ["pneumologie"],
        "code_insee": ["04070", "04112", "04070", "05061", "05061"],
        "code_dep": ["04", "04", "04", "05", "05"],
    })


def test_distinct_doctors_counts_each_doctor_once():
    persons = _persons()
    assert distinct_doctors(persons) == 3
    assert distinct_doctors(persons, "code_dep").to_dict() == {"04": 2, "05": 2}
    per = distinct_doctors(persons, ["code_dep", "specialty"])
    assert per[("05", "cardiologie")] == 1 and per.dtype == "int64"


def test_person_level_count_uses_distinct_doctors_and_the_one_density():
    table = pd.DataFrame(columns=["code_insee", *TABLE_COLUMNS])
    s = Supply(table=table, source=Source("synthétique", "2025"), persons=_persons(), mode="liberal")
    c = s.count("cardiologie", ["04", "05"])
    assert c.by_departement == {"04": 2, "05": 1} and c.total == 2 and c.multi_departement == 1
    assert c.inhabitants == inhabitants(["04", "05"])
    assert c.density_per_100k == density_per_100k(2, inhabitants(["04", "05"]))
    assert MODES["liberal"][1] in c.basis


def test_departement_count_density_is_the_one_formula(tmp_path):
    s = load_supply(write_drees(tmp_path / "synthetic_drees.csv", "77,5,3,8", "91,4,2,6"))
    c = s.count("cardiologie", ["77", "91"])
    assert c.inhabitants == inhabitants(["77", "91"])
    assert c.density_per_100k == density_per_100k(9, c.inhabitants)
    mayotte = load_supply(write_drees(tmp_path / "synthetic_976.csv", "976,5,3,8")).count("cardiologie", ["976"])
    assert mayotte.total == 5 and mayotte.inhabitants is None and mayotte.density_per_100k is None


def test_missing_reasons_is_the_one_home_of_unknown_counts():
    # a person-level supply without any line in a département: unknown there (never 0), with the reason
    table = pd.DataFrame(columns=["code_insee", *TABLE_COLUMNS])
    s = Supply(table=table, source=Source("synthétique", "2025"), persons=_persons(), mode="liberal")
    c = s.count("cardiologie", ["04", "06"])
    assert c.missing == ["06"] and c.missing_reasons == {"06": ABSENT_FR}
    assert s.missing_reasons("cardiologie", ["04", "05", "06"]) == {"06": ABSENT_FR}
    assert c.missing_fr() == "06 (ligne absente du fichier d'effectifs)"
    assert s.count("cardiologie", ["04"]).missing_fr() == ""


def test_supply_and_registry_reprs_are_french_one_liners():
    """A notebook showing a Supply or a Registry gets one French line, not a frame or entry dump (issue 13.6)."""
    from ess_geo.inputs.embedded import load_embedded_supply
    from ess_geo.inputs.registry import load_registry

    sup = repr(load_embedded_supply())
    assert sup.startswith("<Supply : ") and "101 départements" in sup and "DREES" in sup
    assert "\n" not in sup and "table=" not in sup
    reg = repr(load_registry().at("2026-01-01"))
    assert reg.startswith("<Registry : ") and "ESS connues" in reg and "périmètres au 2026-01-01" in reg
    assert "EssEntry" not in reg and "\n" not in reg
