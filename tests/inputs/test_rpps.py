"""RPPS extraction reader: counting rules, placing, encodings, dropped lines (synthetic fixtures)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.rpps import RPPS_COLUMNS, is_rpps_header, load_rpps, vintage_from_name
from ess_geo.reference.specialties import get_specialty, specialty_for_rpps_code
from synthetic import HEADER, doctor_line, generate_synthetic_rpps, rpps_line, write_rpps

NAME = "PS_LibreAcces_Personne_activite_202504040839.txt"

# Real communes: Manosque (04112) has postal code 04100 of its own; 04000 is shared by Digne-les-Bains
# (04070) and three other communes; Gap (05061) is in 05.
DIGNE = dict(commune="04070", cp="04000", commune_label="DIGNE-LES-BAINS")
MANOSQUE = dict(commune="04112", cp="04100", commune_label="MANOSQUE")
GAP = dict(commune="05061", cp="05000", commune_label="GAP")


@pytest.fixture
def synthetic_rpps_basic(tmp_path: Path) -> Path:
    """A small synthetic extraction exercising every counting rule."""
    lines = [
        # person 1: cardiologist, two activity lines in Digne (two sites) -> counted once
        doctor_line(1, "SM04", "L", **DIGNE, site=0),
        doctor_line(1, "SM04", "L", **DIGNE, site=1),
        # person 2: cardiologist in Digne (04) and Gap (05) -> once in each, once in the 04+05 total
        doctor_line(2, "SM04", "L", **DIGNE),
        doctor_line(2, "SM04", "L", **GAP),
        # person 3: salaried cardiologist in Manosque -> not libéral
        doctor_line(3, "SM04", "S", **MANOSQUE),
        # person 4: "médecine cardiovasculaire" (SM73, 2017 reform) libéral, no commune code, unique postal code
        doctor_line(4, "SM73", "L", cp="04100", commune_label="MANOSQUE"),
        # person 5: no commune code, shared postal code 04000, name matches Digne-les-Bains
        doctor_line(5, "SM04", "L", cp="04000", cedex="04000 DIGNE LES BAINS"),
        # person 6: shared postal code, no usable name -> dropped
        doctor_line(6, "SM04", "L", cp="04000"),
        # person 7: practice abroad -> dropped
        doctor_line(7, "SM04", "L", cp="GL", pays="99132"),
        # person 8: unknown savoir-faire code -> dropped
        doctor_line(8, "XX99", "L", **DIGNE),
        # person 9: general practitioner -> excluded (not an ESS specialty)
        doctor_line(9, "SM54", "L", **DIGNE),
        # person 10: Paris 15e arrondissement code -> Paris
        doctor_line(10, "SM15", "L", commune="75115", cp="75015"),
        # a nurse in Digne -> other profession
        rpps_line(rpps="99000000011", profession="60", mode="L", **DIGNE),
        # a malformed line (two extra fields)
        doctor_line(12, "SM04", "L", **DIGNE) + "x|y|",
    ]
    return write_rpps(tmp_path / NAME, lines)


def test_layout_has_the_52_real_columns_and_trailing_pipe():
    assert len(RPPS_COLUMNS) == 52
    assert RPPS_COLUMNS[1] == "Identifiant PP" and RPPS_COLUMNS[15] == "Code savoir-faire"
    assert RPPS_COLUMNS[36] == "Code commune (coord. structure)"
    assert HEADER.endswith("|") and is_rpps_header(HEADER)
    assert doctor_line(1, "SM04").count("|") == 52  # 53 fields, the last one empty


def test_savoir_faire_table_feeds_specialties():
    assert specialty_for_rpps_code("SM04").id == "cardiologie"
    assert specialty_for_rpps_code("sm73").id == "cardiologie"
    assert specialty_for_rpps_code("SM54") is None  # general practice
    assert set(get_specialty("orl").rpps_codes) == {"SM34", "SM39", "SM86"}


def test_counts_each_doctor_once_per_commune(synthetic_rpps_basic):
    s = load_rpps(synthetic_rpps_basic)
    card = s.table[s.table["specialty"] == "cardiologie"].set_index("code_insee")["n_specialists"].to_dict()
    # Digne: persons 1, 2, 5 ; Manosque: person 4 (SM73) ; Gap: person 2 ; person 3 is salaried
    assert card == {"04070": 3, "04112": 1, "05061": 1}
    assert set(s.table["mode"]) == {"libéral"}
    assert s.persons["rpps_id"].str.startswith("99").all()


def test_doctor_in_two_departements_counted_once_in_total(synthetic_rpps_basic):
    s = load_rpps(synthetic_rpps_basic)
    c = s.count("cardiologie", ["04", "05"])
    assert c.by_departement == {"04": 4, "05": 1}
    assert c.total == 4  # person 2 counted once
    assert c.multi_departement == 1 and "(1 médecin exerçant dans plusieurs" in c.basis
    assert load_rpps(synthetic_rpps_basic).stats["persons_in_several_departements"] == 1
    assert c.exact and c.mode == "liberal"
    assert "libéraux" in c.basis and "mode d'exercice : libéral" in c.basis
    assert "4 avril 2025" in c.basis and "libéraux" in c.population
    assert c.inhabitants and c.density_per_100k == pytest.approx(c.total * 1e5 / c.inhabitants, abs=0.01)


def test_dropped_and_excluded_are_counted_with_reasons(synthetic_rpps_basic):
    s = load_rpps(synthetic_rpps_basic)
    reasons = s.dropped.by_reason
    assert reasons["code savoir-faire inconnu 'XX99'"] == 1
    assert reasons["code postal commun à plusieurs communes, nom de commune non reconnu"] == 1
    assert reasons["adresse d'exercice hors de France"] == 1
    malformed = [r for r in reasons if r.startswith("ligne mal formée")]
    assert len(malformed) == 1 and reasons[malformed[0]] == 1
    assert s.dropped.count == 4
    line_numbers = [x["line"] for x in s.dropped.sample if x["reason"].startswith("ligne mal formée")]
    assert line_numbers == [15]  # header is line 1
    ex = s.stats["excluded"]
    assert ex["other professions"] == 1
    assert ex["doctors, other modes of practice"] == 1
    assert ex["general practice (not an ESS specialty)"] == 1
    assert s.stats["placed_by"]["code postal"] == 1
    assert s.stats["placed_by"]["code postal et nom de commune"] == 1
    assert s.stats["placed_by"]["arrondissement municipal"] == 1
    assert s.table.query("specialty == 'dermatologie'")["code_insee"].tolist() == ["75056"]


def test_dropped_samples_name_no_doctor_unless_asked(synthetic_rpps_basic):
    # issue 15.7: the samples keep line numbers and reasons, never an RPPS number (nor a name)
    s = load_rpps(synthetic_rpps_basic)
    text = repr(s.dropped.to_dict())
    assert re.search(r"99\d{9}", text) is None and "Identifiant PP" not in text and "PERSONNE" not in text
    assert {x["reason"] for x in s.dropped.sample} == set(s.dropped.by_reason)
    assert [x["line"] for x in s.dropped.sample if x["reason"].startswith("ligne mal formée")] == [15]
    unknown = next(x for x in s.dropped.sample if x["reason"].startswith("code savoir-faire inconnu"))
    assert unknown["row"]["Code savoir-faire"] == "XX99"  # what says why is kept
    raw = load_rpps(synthetic_rpps_basic, sample_raw=True)  # the caller asks: identifiers kept
    assert all(x["row"]["Identifiant PP"].startswith("99") for x in raw.dropped.sample)


def test_mode_tous_and_salarie(synthetic_rpps_basic):
    tous = load_rpps(synthetic_rpps_basic, mode="tous")
    assert tous.count("cardiologie", ["04"]).total == 5  # + salaried person 3
    sal = load_rpps(synthetic_rpps_basic, mode="salarié")
    c = sal.count("cardiologie", ["04"])
    assert c.total == 1 and "salarié" in c.basis


def test_bad_mode_names_value_and_allowed(synthetic_rpps_basic):
    with pytest.raises(InputDataError, match=r"mode='retraite'.*'liberal'"):
        load_rpps(synthetic_rpps_basic, mode="retraite")


def test_not_an_extraction(tmp_path):
    bad = tmp_path / "x.txt"
    bad.write_text("a|b|c\n1|2|3\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="not a PS_LibreAcces_Personne_activite"):
        load_rpps(bad)
    with pytest.raises(InputDataError, match="not found"):
        load_rpps(tmp_path / "absent.txt")


def test_windows_1252_extraction(tmp_path):
    lines = [doctor_line(1, "SM38", "L", commune="04070", cp="04000", commune_label="DIGNE-LES-BAINS",
                         sf_label="Ophtalmologie é")]
    path = write_rpps(tmp_path / NAME, lines, encoding="cp1252")
    s = load_rpps(path)
    assert s.stats["encoding"] == "cp1252"
    assert s.count("ophtalmologie", ["04"]).total == 1


def test_utf8_header_with_windows_1252_bytes_falls_back(tmp_path):
    path = tmp_path / NAME
    body = (HEADER + "\n").encode("utf-8") + doctor_line(1, "SM38", "L", **DIGNE, sf_label="Ophtalmo é").encode("cp1252")
    path.write_bytes(body + b"\n")
    s = load_rpps(path)
    assert s.stats["encoding"] == "cp1252"
    assert s.count("ophtalmologie", ["04"]).total == 1


def test_reads_the_ans_zip_and_its_vintage(tmp_path, synthetic_rpps_basic):
    z = tmp_path / "PS_LibreAcces.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(synthetic_rpps_basic, NAME)
        zf.writestr("PS_LibreAcces_SavoirFaire_202504040839.txt", "synthetique\n")
    s = load_rpps(z)
    assert s.count("cardiologie", ["04", "05"]).total == 4
    assert s.source.vintage == "extraction du 4 avril 2025 à 08:39"
    assert vintage_from_name("rpps.txt") is None


def test_load_supply_detects_rpps_by_header(tmp_path, synthetic_rpps_basic):
    renamed = tmp_path / "effectifs.txt"
    renamed.write_bytes(synthetic_rpps_basic.read_bytes())
    s = load_supply(renamed, vintage="2025-04-04")
    assert s.mode == "liberal" and s.persons is not None
    assert s.source.vintage == "2025-04-04"
    assert s.count("cardiologie", ["04", "05"]).total == 4


def test_drees_supply_still_loads(drees_effectifs):
    s = load_supply(drees_effectifs)
    c = s.count("cardiologie", ["04"])
    assert c.mode == "tous" and c.total > 0 and c.inhabitants


def test_generated_file_is_consistent(tmp_path):
    path = tmp_path / NAME
    written = generate_synthetic_rpps(path, 5_000, seed=3)
    s = load_rpps(path, mode="tous")
    malformed = sum(n for r, n in s.dropped.by_reason.items() if r.startswith("ligne mal formée"))
    assert malformed == written["malformed"]
    assert s.stats["lines"] + malformed == written["lines"]
    assert "SYNTHETIQUE" in path.read_text(encoding="utf-8").splitlines()[1]


def test_territory_threshold_uses_liberal_rpps_counts(synthetic_rpps_basic):
    from ess_geo.rules.territory import check_territory

    check = check_territory("cardiologie", ["04", "05"], supply=load_rpps(synthetic_rpps_basic))
    threshold = check.criterion("threshold")
    assert threshold.evidence["total"] == 4
    assert "libéraux" in threshold.evidence["basis"] and "libéral" in threshold.evidence["basis"]
    assert any("RPPS" in s.name and s.vintage == "extraction du 4 avril 2025 à 08:39" for s in check.sources)


def test_cli_check_with_rpps_extraction(synthetic_rpps_basic):
    from click.testing import CliRunner

    from ess_geo.cli import cli

    res = CliRunner().invoke(cli, ["check", "--specialty", "cardiologie", "--departements", "04",
                                   "--supply", str(synthetic_rpps_basic)])
    assert res.exit_code in (0, 1), res.output
    assert "RPPS" in res.output and "4 avril 2025" in res.output and "libéraux" in res.output
    assert "code savoir-faire inconnu 'XX99'" in res.output  # dropped lines are shown


def test_line_without_identifier_is_dropped_not_merged(tmp_path):
    lines = [doctor_line(1, "SM04", "L", **DIGNE), rpps_line(profession="10", sf="SM04", mode="L", **DIGNE),
             rpps_line(profession="10", sf="SM04", mode="L", **GAP)]
    s = load_rpps(write_rpps(tmp_path / NAME, lines))
    assert s.dropped.by_reason["sans identifiant RPPS (Identifiant PP vide)"] == 2
    assert s.count("cardiologie", ["04", "05"]).total == 1


def test_synthetic_generator_covers_paris_lyon_marseille_arrondissements(tmp_path):
    """Lines carrying an arrondissement code (75115, 69383, 13208) count in their commune."""
    path = tmp_path / "PS_LibreAcces_Personne_activite_202611270000.txt"
    generate_synthetic_rpps(path, 300_000, seed=1)
    tab = load_rpps(path).table
    assert {"75056", "69123", "13055"} <= set(tab["code_insee"])
    assert not tab["code_insee"].str.match(r"^(751\d\d|6938\d|132\d\d)$").any()
