"""The RPPS reader on the 23 REAL lines of the extraction (../shared/data/rpps), and on the same
lines DERIVED into the 56-column layout of newer extractions.

Every expected count comes from an independent read of the file with the csv module.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import run_cli
from ess_geo.errors import InputDataError
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.rpps import load_rpps, vintage_from_name
from ess_geo.inputs.rpps_file import RPPS_COLUMNS, RPPS_COLUMNS_2023
from ess_geo.rules.territory import check_territory
from synthetic import RPPS_EXTRA_2023, write_rpps_derived_56col


def _independent_read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header (without the trailing empty field) and rows as dicts, read with the csv module only."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="|", quoting=csv.QUOTE_NONE))
    header = rows[0][:-1]
    return header, [dict(zip(header, r[:-1], strict=True)) for r in rows[1:]]


@pytest.fixture(scope="module")
def real(rpps_extract: Path) -> tuple[list[str], list[dict[str, str]]]:
    return _independent_read(rpps_extract)


def _doctor_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["Code profession"] == "10"]


def _names(rows: list[dict[str, str]]) -> set[str]:
    """Every doctor's name and first name in the file (to check they never leak)."""
    return {r[c] for r in _doctor_rows(rows) for c in ("Nom d'exercice", "Prénom d'exercice") if r[c]}


def test_real_header_is_exactly_the_52_columns(real):
    header, rows = real
    assert tuple(header) == RPPS_COLUMNS and len(header) == 52
    assert len(rows) == 22  # 23 lines: the header and 22 activity lines
    assert all(len(r) == 52 for r in rows)


def test_real_professions_and_modes_are_counted_as_the_file_says(real, rpps_extract):
    _, rows = real
    professions = Counter(r["Code profession"] for r in rows)
    doctors = _doctor_rows(rows)
    assert professions["10"] == len(doctors) == 1  # one real doctor line, 21 other professions
    s = load_rpps(rpps_extract, mode="tous")
    assert s.stats["lines"] == len(rows)
    assert s.stats["excluded"]["other professions"] == len(rows) - len(doctors)
    modes = Counter(r["Code mode exercice"] for r in rows)
    assert modes["S"] >= 1 and modes["L"] >= 1 and modes[""] >= 1  # salariés, libéraux and lines without a mode
    assert s.stats["encoding"] == "utf-8" and not any(r.startswith("ligne mal formée") for r in s.dropped.by_reason)


def test_real_doctor_line_salaried_is_excluded_from_the_liberal_count(real, rpps_extract):
    _, rows = real
    (doctor,) = _doctor_rows(rows)
    assert doctor["Code mode exercice"] == "S" and doctor["Code savoir-faire"] == "SM20"
    s = load_rpps(rpps_extract)  # default mode: libéral
    assert s.stats["excluded"]["doctors, other modes of practice"] == 1
    assert s.table.empty and s.dropped.count == 0


def test_real_doctor_line_without_address_is_dropped_with_its_reason(real, rpps_extract):
    _, rows = real
    (doctor,) = _doctor_rows(rows)
    assert doctor["Code commune (coord. structure)"] == doctor["Code postal (coord. structure)"] == ""
    for mode in ("tous", "salarie"):
        s = load_rpps(rpps_extract, mode=mode)
        # SM20 gynécologie-obstétrique is an ESS specialty, but the line gives no place of practice
        assert s.dropped.by_reason == {"ni code commune ni code postal": 1}
        assert s.table.empty and s.persons.empty and s.stats["doctor_lines_kept"] == 0
        assert s.dropped.sample[0]["row"]["specialty"] == "gynecologie-obstetrique"


def test_real_file_vintage_from_its_name(rpps_extract):
    assert load_rpps(rpps_extract).source.vintage == "extraction de décembre 2021"
    assert vintage_from_name("PS_LibreAcces_Personne_activite_202112020908.txt") == "extraction du 2 décembre 2021 à 09:08"
    assert vintage_from_name("PS_LibreAcces_202201010000.zip") == "extraction du 1er janvier 2022 à 00:00"
    assert vintage_from_name("PS_LibreAcces_Personne_activite_extrait_2021-04.txt") == "extraction d’avril 2021"
    assert vintage_from_name("PS_LibreAcces_Personne_activite_2021-13.txt") is None
    assert vintage_from_name("effectifs_2021-12.txt") is None


def test_derived_56col_reads_like_the_52col(real, rpps_extract, tmp_path):
    derived = write_rpps_derived_56col(rpps_extract, tmp_path)
    header, rows = _independent_read(derived)
    assert tuple(header) == RPPS_COLUMNS_2023 and tuple(header[52:]) == RPPS_EXTRA_2023 and len(rows) == 22
    assert derived.name.endswith("_derived_56col.txt")
    for mode in ("liberal", "tous"):
        a, b = load_rpps(rpps_extract, mode=mode), load_rpps(derived, mode=mode)
        assert a.stats == b.stats and a.dropped.by_reason == b.dropped.by_reason
        assert a.table.equals(b.table)
    assert load_rpps(derived).source.vintage == "extraction de décembre 2021"
    assert load_supply(derived).persons is not None  # recognised by its header, too


def test_other_headers_are_refused_naming_the_first_unexpected_column(rpps_extract, tmp_path):
    lines = rpps_extract.read_text(encoding="utf-8").splitlines()
    renamed = tmp_path / "PS_LibreAcces_Personne_activite_renamed.txt"
    renamed.write_text("\n".join([lines[0].replace("Libellé savoir-faire|", "Libelle SF|"), *lines[1:]]) + "\n",
                       encoding="utf-8")
    with pytest.raises(InputDataError, match=r"unexpected column 17 'Libelle SF'.*'Libellé savoir-faire'") as exc:
        load_rpps(renamed)
    assert "colonne inattendue n° 17 « Libelle SF »" in exc.value.fr
    extra = tmp_path / "PS_LibreAcces_Personne_activite_57.txt"
    extra.write_text("\n".join([lines[0] + "Code rôle|Autre|", *lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"unexpected column 54 'Autre'") as exc:
        load_rpps(extra)
    assert "« Autre »" in exc.value.fr and "« Libellé rôle »" in exc.value.fr
    short = tmp_path / "PS_LibreAcces_Personne_activite_51.txt"
    short.write_text("\n".join([lines[0].rsplit("|", 2)[0] + "|", *lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="column 'Libellé section tableau pharmaciens' is missing") as exc:
        load_rpps(short)
    assert "colonne absente n° 52" in exc.value.fr


def test_doctor_names_never_appear_in_any_output(real, rpps_extract, tmp_path, capsys):
    _, rows = real
    names = _names(rows)
    assert names  # the real doctor line carries a name and a first name
    # a malformed copy of the doctor line (one field too many) must not leak the raw text either
    derived = write_rpps_derived_56col(rpps_extract, tmp_path, extra={21: "||||x|"})
    outputs = []
    for path in (rpps_extract, derived):
        for mode in ("liberal", "tous"):
            s = load_rpps(path, mode=mode)
            outputs += [s.table.to_csv(), s.persons.to_csv(), json.dumps(s.dropped.to_dict(), ensure_ascii=False),
                        json.dumps(s.stats, ensure_ascii=False), s.source.label(), s.dropped.summary_fr()]
            check = check_territory("gynecologie-obstetrique", ["01"], supply=s)
            outputs += [check.summary_fr(), json.dumps(check.to_dict(), ensure_ascii=False, default=str)]
    malformed = load_rpps(derived, mode="tous").dropped
    assert any(r.startswith("ligne mal formée") for r in malformed.by_reason)
    for args in (["check", "-s", "gynécologie", "-d", "01", "--supply", str(derived)],
                 ["check", "-s", "gynécologie", "-d", "01", "--supply", str(derived), "--json"]):
        _, out, err = run_cli(args, capsys)
        outputs += [out, err]
    text = "\n".join(outputs)
    for name in names:
        assert name not in text
