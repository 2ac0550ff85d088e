"""DREES supply loader on the real table and on broken synthetic copies."""

from __future__ import annotations

import csv

import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs.supply import load_supply


@pytest.mark.shared
def test_real_drees_table(drees_effectifs):
    s = load_supply(drees_effectifs)
    assert not s.dropped
    assert s.table["code_dep"].nunique() == 101
    assert {"01", "2A", "2B", "976"} <= set(s.table["code_dep"])
    with open(drees_effectifs, encoding="utf-8") as f:
        total_row = next(r for r in csv.DictReader(f) if r["dept_code"] == "Total général")
    assert s.table.loc[s.table.specialty == "cardiologie", "n_specialists"].sum() == int(total_row["07-Cardiologie"])
    assert s.table["n_specialists"].sum() == int(total_row["Total général"])


@pytest.mark.shared
def test_bad_lines_are_counted_not_lost(drees_effectifs, tmp_path):
    lines = drees_effectifs.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "synthetic_broken_drees.csv"
    bad.write_text("\n".join([*lines[:3], "99" + lines[3][lines[3].index(","):], "5,1,2", lines[6].replace(",", ",x", 1)]) + "\n")
    s = load_supply(bad)
    assert s.dropped.count == 3
    assert s.dropped.by_reason["code département inconnu"] == 1
    assert s.dropped.sample[0]["line"] == 4


def test_unrecognised_file(tmp_path):
    p = tmp_path / "synthetic.csv"
    p.write_text("foo,bar\n1,2\n")
    with pytest.raises(InputDataError, match="foo,bar"):
        load_supply(p)
    with pytest.raises(InputDataError, match="not found"):
        load_supply(tmp_path / "absent.csv")


# --- synthetic DREES-shaped tables (invented figures) -------------------------------------------

SYNTHETIC_HEADER = "dept_code,07-Cardiologie,15-Autre spécialité,Total général"


def _synthetic_drees(tmp_path, *rows: str, header: str = SYNTHETIC_HEADER, name: str = "synthetic_drees.csv"):
    p = tmp_path / name
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return p


def test_negative_count_is_dropped_and_unknown(tmp_path):
    s = load_supply(_synthetic_drees(tmp_path, "77,-50,3,-47", "91,4,2,6"))
    assert s.dropped.by_reason["effectif négatif"] == 1
    assert s.dropped.sample[0]["line"] == 2
    c = s.count("cardiologie", ["77", "91"])
    assert c.missing == ["77"]
    assert c.total == 4  # never -50


def test_duplicated_departement_row_is_dropped_not_summed(tmp_path):
    s = load_supply(_synthetic_drees(tmp_path, "77,6,1,7", "91,2,1,3", "077,6,1,7"))
    assert s.dropped.by_reason["département en double"] == 1
    assert s.dropped.sample[0]["line"] == 4
    assert s.dropped.sample[0]["row"]["ligne_retenue"] == 2
    assert s.count("cardiologie", ["77"]).total == 6


def test_unreadable_cell_makes_the_departement_missing(tmp_path):
    s = load_supply(_synthetic_drees(tmp_path, "77,,3,3", "91,4,2,6"))
    assert s.dropped.by_reason["effectif non entier"] == 1
    c = s.count("cardiologie", ["77", "91"])
    assert c.missing == ["77"]
    assert c.available
    # the other group of 77 was readable: not missing there
    assert s.count("angiologie", ["77"]).missing == []


def test_supply_without_the_specialty_or_its_group_is_not_an_exact_zero(tmp_path):
    s = load_supply(_synthetic_drees(tmp_path, "77,3,3", header="dept_code,15-Autre spécialité,Total général"))
    assert not s.has_specialty("cardiologie")
    c = s.count("cardiologie", ["77", "91"])
    assert not c.available and not c.exact
    assert c.missing == ["77", "91"]
    assert "aucune donnée" in c.basis


def test_rows_for_is_the_one_group_fallback(tmp_path):
    s = load_supply(_synthetic_drees(tmp_path, "77,5,3,8", "91,4,2,6"))
    rows, exact, basis = s.rows_for("cardiologie")
    assert exact and list(rows["code_dep"]) == ["77", "91"] and "Cardiologie" in basis
    rows, exact, basis = s.rows_for("angiologie")  # lumped in 15-Autre spécialité
    assert not exact and rows["n_specialists"].sum() == 5 and "majorant" in basis
    rows, exact, _ = s.rows_for("dermatologie")
    assert rows.empty and not s.has_specialty("dermatologie")


@pytest.mark.parametrize("bad", [42, 3.5, None, b"x.csv", ["a.csv"]])
def test_load_supply_rejects_non_paths_naming_the_type(bad):
    with pytest.raises(InputDataError, match=rf"path must be a file path \(str or pathlib.Path\), got {type(bad).__name__}"):
        load_supply(bad)


def test_load_supply_rejects_a_dataframe():
    import pandas as pd

    with pytest.raises(InputDataError, match="got DataFrame") as info:
        load_supply(pd.DataFrame({"a": [1]}))
    assert "DataFrame" in info.value.fr


def test_as_supply_rejects_other_types():
    from ess_geo.inputs.supply import as_supply

    with pytest.raises(InputDataError, match=r"supply must be a Supply.*got int"):
        as_supply(42)


def test_load_supply_on_a_directory(tmp_path):
    with pytest.raises(InputDataError, match="is a directory") as info:
        load_supply(tmp_path)
    assert info.value.path == str(tmp_path)


def test_load_supply_on_an_unreadable_file(tmp_path, monkeypatch):
    p = _synthetic_drees(tmp_path, "77,5,3,8")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("ess_geo.inputs.supply.open", denied, raising=False)
    with pytest.raises(InputDataError, match=r"cannot read supply file.*Permission denied"):
        load_supply(p)


@pytest.mark.shared
def test_density_table_is_refused(shared_data):
    densities = shared_data / "medecins_effectifs" / "drees_rpps_densite_dep_x_specialite15.csv"
    with pytest.raises(InputDataError, match="densities") as exc:
        load_supply(densities)
    assert "fichier de densités, pas d'effectifs" in exc.value.fr


def test_synthetic_density_values_refused_whatever_the_name(tmp_path):
    f = tmp_path / "synthetic_table.csv"
    f.write_text('dept_code,07-Cardiologie,Total général\n1,"2,38","180,68"\n2,"7,42","217,67"\n', encoding="utf-8")
    with pytest.raises(InputDataError, match="densities"):
        load_supply(f)
    hint = tmp_path / "synthetic_densite.csv"  # name hint: one decimal value is enough
    hint.write_text('dept_code,07-Cardiologie,Total général\n1,16,100\n2,"7,42",217\n', encoding="utf-8")
    with pytest.raises(InputDataError, match="densities"):
        load_supply(hint)


@pytest.mark.shared
def test_semicolon_table_reads_like_the_comma_one(drees_effectifs, tmp_path):
    semi = tmp_path / "synthetic_excel_fr.csv"
    semi.write_text(drees_effectifs.read_text(encoding="utf-8").replace(",", ";"), encoding="cp1252")
    a, b = load_supply(semi), load_supply(drees_effectifs)
    assert not a.dropped
    cols = ["code_dep", "specialty", "drees_group", "n_specialists", "mode"]
    assert a.table[cols].equals(b.table[cols])


def test_thousands_separator_in_counts(tmp_path):
    f = tmp_path / "synthetic_thousands.csv"
    f.write_text("dept_code;07-Cardiologie;Total général\n1;16;1\u202f213\n", encoding="utf-8")
    s = load_supply(f)
    assert not s.dropped


def test_unrecognised_file_says_what_is_expected(tmp_path):
    f = tmp_path / "synthetic_other.csv"
    f.write_text("departement,cardio\n75,3\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="dept_code") as exc:
        load_supply(f)
    assert "première colonne dept_code" in exc.value.fr and "extraction RPPS" in exc.value.fr


def test_cell_drops_are_not_called_lines(tmp_path):
    f = tmp_path / "synthetic_bad_cell.csv"
    f.write_text("dept_code,07-Cardiologie,Total général\n1,x,100\n2,3,217\n", encoding="utf-8")
    s = load_supply(f)
    assert s.dropped.summary_fr().startswith("1 ligne ou valeur ignorée")
    assert "valeur" in s.dropped.summary_fr()


def test_vintage_not_stated_says_what(tmp_path):
    f = tmp_path / "synthetic_small.csv"
    f.write_text("dept_code,07-Cardiologie,Total général\n1,16,100\n", encoding="utf-8")
    source = load_supply(f).source
    assert source.vintage_fr == "millésime non précisé"
    assert source.label().count("non précisé") == 1
