"""DREES table reader on the real table and on broken synthetic copies."""

from __future__ import annotations

import csv

import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.supply import ABSENT_FR
from synthetic import write_drees, write_drees_broken_synthetic


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


def test_negative_count_is_dropped_and_unknown(tmp_path):
    s = load_supply(write_drees(tmp_path / "synthetic_drees.csv", "77,-50,3,-47", "91,4,2,6"))
    assert s.dropped.by_reason["effectif négatif"] == 1
    assert s.dropped.sample[0]["line"] == 2
    c = s.count("cardiologie", ["77", "91"])
    assert c.missing == ["77"]
    assert c.total == 4  # never -50


def test_duplicated_departement_row_is_dropped_not_summed(tmp_path):
    s = load_supply(write_drees(tmp_path / "synthetic_drees.csv", "77,6,1,7", "91,2,1,3", "077,6,1,7"))
    assert s.dropped.by_reason["département en double"] == 1
    assert s.dropped.sample[0]["line"] == 4
    assert s.dropped.sample[0]["row"]["ligne_retenue"] == 2
    assert s.count("cardiologie", ["77"]).total == 6


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


def test_read_drees_table_from_text(tmp_path):
    from ess_geo.inputs.drees import drees_delimiter, read_drees_table

    header = "dept_code;07-Cardiologie;Total général"
    assert drees_delimiter(header) == ";" and drees_delimiter("foo,bar") is None
    s = read_drees_table(header + "\n2A;4;4\nTotal général;4;4\n", tmp_path / "t.csv", vintage="2024", delimiter=";")
    assert list(s.table["code_dep"]) == ["2A"] and s.table["specialty"].tolist() == ["cardiologie"]
    assert s.source.vintage == "2024" and s.mode == "tous" and not s.dropped


@pytest.mark.shared
@pytest.mark.parametrize(("cell", "reason", "why"), [
    ("-5", "effectif négatif", "effectif négatif « -5 », ligne 79"),
    ("NaN", "effectif non entier", "effectif non entier « NaN », ligne 79"),
    ("3.5", "effectif non entier", "effectif non entier « 3.5 », ligne 79"),
    ("", "effectif non entier", "cellule vide, ligne 79"),
])
def test_bad_cell_of_the_real_table_is_dropped_and_missing_with_its_reason(drees_effectifs, tmp_path, cell, reason, why):
    # issue 15.1: the cardiologie cell of Seine-et-Marne (line 79) broken in a copy of the real table
    s = load_supply(write_drees_broken_synthetic(drees_effectifs, tmp_path, "77", cell))
    assert s.dropped.count == 1 and s.dropped.by_reason[reason] == 1 and s.dropped.sample[0]["line"] == 79
    c = s.count("cardiologie", ["77", "91"])
    assert c.missing == ["77"] and c.missing_reasons == {"77": why}
    assert c.total == 137  # 91 alone: 77 is unknown, not a count
    assert s.count("dermatologie", ["77"]).missing == []  # the line's other cells are read
    assert s.absent_reasons == {}


@pytest.mark.shared
def test_deleted_line_of_the_real_table_is_reported_absent(drees_effectifs, tmp_path):
    s = load_supply(write_drees_broken_synthetic(drees_effectifs, tmp_path, "77"))
    assert not s.dropped  # nothing was read, so nothing was dropped: the absence is reported instead
    assert s.absent_reasons == {"77": ABSENT_FR}
    assert s.absent_fr() == ("1 département sans ligne dans le fichier d'effectifs (effectif inconnu, jamais compté 0) : "
                             "77 (ligne absente du fichier d'effectifs)")
    c = s.count("cardiologie", ["77", "91"])
    assert c.missing == ["77"] and c.missing_fr() == "77 (ligne absente du fichier d'effectifs)"


@pytest.mark.shared
def test_code_with_a_nul_byte_is_dropped_and_its_departement_named(drees_effectifs, tmp_path):
    s = load_supply(write_drees_broken_synthetic(drees_effectifs, tmp_path, "77", raw_code="77\x00"))
    assert s.dropped.by_reason["code département inconnu"] == 1 and s.dropped.sample[0]["line"] == 79
    assert s.absent_reasons == {"77": "ligne 79 ignorée : code département illisible '77\\x00'"}
    assert s.count("cardiologie", ["77", "91"]).missing_reasons == s.absent_reasons


def test_line_with_a_wrong_field_count_names_its_departement(tmp_path):
    s = load_supply(write_drees(tmp_path / "synthetic_drees.csv", "77,6,1", "91,4,2,6"))
    assert s.dropped.by_reason["nombre de champs incorrect (3 au lieu de 4)"] == 1
    assert s.absent_reasons["77"] == "ligne 2 ignorée : nombre de champs incorrect (3 au lieu de 4)"
    assert s.count("cardiologie", ["77", "91"]).missing == ["77"]


def test_table_of_a_few_departements_reports_the_others_briefly(tmp_path):
    s = load_supply(write_drees(tmp_path / "synthetic_drees.csv", "77,6,1,7", "91,4,2,6"))
    assert len(s.absent_reasons) == 99 and set(s.absent_reasons.values()) == {ABSENT_FR}
    assert s.absent_fr().startswith("99 départements sans ligne dans le fichier d'effectifs")
    assert s.absent_fr().endswith("; … et 89 autres") and s.count("cardiologie", ["77", "91"]).missing == []
