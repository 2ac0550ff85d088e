"""ESS registry: the embedded seed and user files."""

from __future__ import annotations

import os
from datetime import date

import pytest

import ess_geo.inputs.registry as registry_module
from ess_geo.errors import InputDataError
from ess_geo.inputs.registry import EMBEDDED_ORIGIN, load_registry

HEADER = "id,name,specialties,departements,region,status,source,source_date\n"


def test_embedded_seed():
    reg = load_registry()
    ids = {e.id for e in reg}
    assert ids == {
        "idf-cardiologie", "idf-dermatologie", "idf-argos-ophtalmologie", "paca-rhumatologie-littoral",
        "vaucluse-neurologie", "bretagne-dermato-breizh", "bretagne-endocrinologie", "bretagne-cancero",
        "isere-cardio-plus",
    }  # fmt: skip
    assert len(reg) == 10  # ESS Cardiologie Île-de-France has two perimeter periods
    cardio = [e for e in reg if e.id == "idf-cardiologie"]
    assert [e.departements for e in cardio] == [("75", "94"), ("75", "77", "78", "91", "92", "93", "94", "95")]
    assert cardio[0].valid_from == date(2022, 1, 10) and cardio[0].valid_to == date(2024, 5, 31)
    assert cardio[1].valid_from == date(2024, 6, 1) and cardio[1].valid_to is None
    assert "2024-06 or later" in cardio[1].note and "2024-06-01" in cardio[1].note  # the chosen date is explained
    assert reg.covered_departements("ophtalmologie")["93"] == "idf-argos-ophtalmologie"
    assert reg.covered_departements("cardiologie")["77"] == "idf-cardiologie"  # today: the 8 départements
    assert "77" not in reg.covered_departements("cardiologie", as_of="2023-06-01")  # launch perimeter
    assert all(e.source_url.startswith("http") and e.source_quote for e in reg)


def test_user_file_with_region_only(tmp_path):
    p = tmp_path / "synthetic_registry.csv"
    p.write_text(HEADER + "x,ESS synthétique,pneumologie,,94,projet,test,2026-01-01\n", encoding="utf-8")
    reg = load_registry(p)
    assert reg.entries[0].departements == ("2A", "2B")


def test_malformed_rows_are_all_named(tmp_path):
    p = tmp_path / "synthetic_bad_registry.csv"
    p.write_text(
        HEADER
        + "a,ESS A,cardiologie,75;99,11,active,src,\n"
        + "b,ESS B,diabète,75,11,active,src,\n"
        + "c,ESS C,cardiologie,75,11,ouverte,src,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputDataError, match=r"line 2.*'99'.*line 3.*diabète.*line 4.*'ouverte'"):
        load_registry(p)


def test_missing_column(tmp_path):
    p = tmp_path / "synthetic_registry.csv"
    p.write_text("id,name\nx,y\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="missing column"):
        load_registry(p)


def test_windows_1252_registry_is_read(tmp_path):
    p = tmp_path / "synthetic_registry_cp1252.csv"
    p.write_bytes((HEADER + "x,ESS synthétique Créteil,pneumologie,94,11,projet,test,2026-01-01\n").encode("cp1252"))
    reg = load_registry(p)
    assert reg.entries[0].name == "ESS synthétique Créteil"


def test_utf8_bom_registry_is_read(tmp_path):
    p = tmp_path / "synthetic_registry_bom.csv"
    p.write_bytes((HEADER + "x,ESS synthétique,pneumologie,94,11,projet,test,\n").encode("utf-8-sig"))
    assert load_registry(p).entries[0].id == "x"


def test_undecodable_registry_names_the_file(tmp_path):
    p = tmp_path / "synthetic_registry_binary.csv"
    p.write_bytes(HEADER.encode() + b"x,\x81\x8d\xc3,pneumologie,94,11,projet,test,\n")
    with pytest.raises(InputDataError, match=r"synthetic_registry_binary\.csv.*neither UTF-8 nor Windows-1252") as info:
        load_registry(p)
    assert info.value.path == str(p)


def test_registry_csv_error_names_the_file(tmp_path):
    p = tmp_path / "synthetic_registry_huge_field.csv"
    p.write_text(HEADER + 'x,"' + "a" * 200_000 + '",pneumologie,94,11,projet,test,\n', encoding="utf-8")
    with pytest.raises(InputDataError, match=r"synthetic_registry_huge_field\.csv.*line 2 is 200\d{3} bytes long"):
        load_registry(p)  # refused by the line-length limit before the csv module sees it


def test_registry_on_a_directory_or_a_non_path(tmp_path):
    with pytest.raises(InputDataError, match="is a directory"):
        load_registry(tmp_path)
    with pytest.raises(InputDataError, match=r"path must be a file path \(str or pathlib.Path\), got int"):
        load_registry(42)
    from ess_geo.inputs.registry import as_registry

    with pytest.raises(InputDataError, match=r"registry must be a Registry.*got list"):
        as_registry(["a.csv"])


def test_registry_unreadable_file(tmp_path, monkeypatch):
    from pathlib import Path

    p = tmp_path / "synthetic_registry.csv"
    p.write_text(HEADER, encoding="utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(InputDataError, match=r"cannot read registry file.*Permission denied"):
        load_registry(p)


def test_two_covering_ess_of_one_specialty_sharing_a_departement(tmp_path):
    p = tmp_path / "synthetic_registry_overlap.csv"
    p.write_text(
        HEADER
        + "a,ESS A,cardiologie,75;94,11,active,src,\n"
        + "b,ESS B,cardiologie;dermatologie,94;77,11,projet,src,\n"
        + "c,ESS C,cardiologie,94,11,inactive,src,\n"  # inactive: does not cover
        + "d,ESS D,dermatologie,77,11,active,src,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputDataError) as info:
        load_registry(p)
    msg = str(info.value)
    assert "'a' (line 2) and 'b' (line 3) both cover cardiologie in département(s) ['94']" in msg
    assert "'b' (line 3) and 'd' (line 5) both cover dermatologie in département(s) ['77']" in msg
    assert "'a' (ligne 2) et 'b' (ligne 3) couvrent toutes deux cardiologie dans 94" in info.value.fr
    assert "'c'" not in msg


def test_region_contradicting_departements(tmp_path):
    p = tmp_path / "synthetic_registry_region.csv"
    p.write_text(
        HEADER
        + "a,ESS A,cardiologie,13,11,active,src,\n"
        + "b,ESS B,cardiologie,04;05;26,,active,src,\n",  # spans two régions: region left empty
        encoding="utf-8",
    )
    with pytest.raises(InputDataError, match=r"line 2 \(id 'a'\): département\(s\) \['13'\] not in région '11'") as info:
        load_registry(p)
    assert "'b'" not in str(info.value)


def test_line_numbers_are_physical_with_comments_blanks_and_multiline_fields(tmp_path):
    p = tmp_path / "synthetic_registry_lines.csv"
    p.write_text(
        "# comment line 1\n"
        "\n"
        + HEADER  # line 3
        + "# comment line 4, with a comma\n"
        + 'a,"ESS A,\nsur deux lignes",cardiologie,75,11,active,src,\n'  # lines 5-6
        + "\n"  # line 7
        + "# comment line 8\n"
        + "b,ESS B,cardiologie,75,11,ouverte,src,\n",  # line 9
        encoding="utf-8",
    )
    with pytest.raises(InputDataError, match=r"line 9 \(id 'b'\): status 'ouverte'"):
        load_registry(p)


def test_quoted_field_holding_a_hash_line_is_not_a_comment(tmp_path):
    p = tmp_path / "synthetic_registry_hash.csv"
    p.write_text(HEADER + 'a,"ESS A\n# pas un commentaire",cardiologie,75,11,active,src,\n', encoding="utf-8")
    assert load_registry(p).entries[0].name == "ESS A\n# pas un commentaire"


def test_too_many_fields_is_french_end_to_end(tmp_path):
    # issue 15.7: the detail of each problem is French too, with its line and value
    p = tmp_path / "synthetic_registry_fields.csv"
    p.write_text(HEADER + "a,ESS A,cardiologie,75,11,active,src,2024,de trop,encore\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"line 2: too many fields \(10 for 8 columns; extra: 'de trop', 'encore'\)") as info:
        load_registry(p)
    assert info.value.fr == (f"registre {p} mal formé : ligne 2 : trop de champs (10 pour 8 colonnes ; en trop : "
                             "'de trop', 'encore' ; séparateur « , » dans une valeur sans guillemets ?)")


def test_column_given_twice_is_refused(tmp_path):
    p = tmp_path / "synthetic_registry_twice.csv"
    p.write_text("id,id,name,specialties,departements,status,source\na,b,ESS,cardiologie,75,active,src\n",
                 encoding="utf-8")
    with pytest.raises(InputDataError, match=r"column\(s\) \['id'\] given twice") as info:
        load_registry(p)
    assert info.value.fr.endswith("colonne(s) en double : id (ligne 1)")


def test_many_problems_are_counted_and_long_values_shortened(tmp_path):
    p = tmp_path / "synthetic_registry_many.csv"
    rows = "".join(f"x{i},ESS,cardiologie,75,11,{'z' * 500},src,\n" for i in range(30))
    p.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(InputDataError, match=r"and 10 more problem\(s\)$") as info:
        load_registry(p)
    fr = info.value.fr
    assert fr.count("statut 'zzz") == 20 and fr.endswith("… et 10 autres problèmes")
    assert "z" * 100 not in fr and len(fr) < 3000


def test_a_registry_file_is_parsed_once_per_version(tmp_path, monkeypatch):
    # issue 14.4: parsed once per file and content per process (embedded too); a changed file is parsed again
    calls = []
    parse = registry_module._parse
    monkeypatch.setattr(registry_module, "_parse", lambda *a: calls.append(a[1]) or parse(*a))
    p = tmp_path / "synthetic_registry_cached.csv"
    p.write_text(HEADER + "a,ESS A,pneumologie,75,11,active,src,2024\n", encoding="utf-8")
    first = load_registry(p, include_embedded=True)
    first.entries.clear()  # the caller's own copy: the cache is not changed
    again = load_registry(p, include_embedded=True)
    assert [e.id for e in again if e.id == "a"] == ["a"] and len(again) == 11
    assert [e.id for e in load_registry(p)] == ["a"]
    assert calls.count(str(p)) <= 2  # once with the embedded ESS, once alone: never again
    for _ in range(5):
        load_registry(p), load_registry(p, include_embedded=True), load_registry()
    assert calls.count(str(p)) <= 2 and calls.count(EMBEDDED_ORIGIN) <= 1
    stat = p.stat()
    p.write_text(HEADER + "b,ESS B,pneumologie,75,11,active,src,2025\n", encoding="utf-8")  # same size
    os.utime(p, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and same time: the content decides
    assert [e.id for e in load_registry(p)] == ["b"]
    assert load_registry().entries == load_registry().entries and load_registry() is not load_registry()
