"""ESS registry with dated perimeters: French-Excel files, add vs replace, bad rows, as_of, real records."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs.registry import Registry, as_of_date, as_registry, load_registry, merge_registries
from ess_geo.inputs.registry_entry import EssEntry, parse_partial_date
from ess_geo.rules.territory import check_territory

FULL_HEADER = "id,name,specialties,departements,region,status,perimeter_certainty,valid_from,valid_to,source,source_url\n"
EXCEL_HEADER = "id;name;specialties;departements;region;status;perimeter_certainty;valid_from;valid_to;source;source_url\r\n"


def _excel_file(path: Path, *rows: str) -> Path:
    """A registry as French Excel saves it: ``;`` separator, CRLF, Windows-1252."""
    path.write_bytes((EXCEL_HEADER + "".join(r + "\r\n" for r in rows)).encode("cp1252"))
    return path


def test_french_excel_csv_with_french_words(tmp_path):
    p = _excel_file(
        tmp_path / "synthetic_registre_excel.csv",
        "x1;ESS synthétique Créteil;pneumologie;94,77;11;actif;confirmé;15/01/2024;;ARS (synthétique);https://example.org/a",
        "x2;ESS synthétique Évry;néphrologie;91;11;en projet;incertain;2025-03;;ARS (synthétique);https://example.org/b",
        "x3;ESS synthétique fermée;pneumologie;91;11;Inactif;probable;2020;2021-06;ARS (synthétique);",
    )
    reg = load_registry(p)
    x1, x2, x3 = reg.entries
    assert (x1.name, x1.departements, x1.status, x1.perimeter_certainty) == ("ESS synthétique Créteil", ("94", "77"), "active", "confirmed")
    assert x1.valid_from == date(2024, 1, 15)
    assert (x2.status, x2.perimeter_certainty, x2.valid_from) == ("project", "uncertain", date(2025, 3, 1))
    assert (x3.status, x3.valid_from, x3.valid_to) == ("inactive", date(2020, 1, 1), date(2021, 6, 30))
    assert reg.covered_departements("pneumologie", as_of="2024-02-01") == {"94": "x1", "77": "x1"}
    assert reg.covering("nephrologie", ["91"], as_of="2025-02-28") == []  # before the project


def test_bad_rows_are_named_in_french_with_line_and_value(tmp_path):
    p = _excel_file(
        tmp_path / "synthetic_registre_bad.csv",
        "a;ESS A;cardiologie;75;11;ouverte;confirmé;;;src;",  # line 2: status
        "b;ESS B;cardiologie;92;11;actif;sûr;;;src;",  # line 3: certainty
        "c;ESS C;cardiologie;93;11;actif;probable;2024-13;;src;",  # line 4: date
        "d;ESS D;cardiologie;95;11;actif;probable;2025-01;2024-12;src;",  # line 5: period reversed
        "e;ESS E;cardiologie;78;11;actif;probable;;;;",  # line 6: no source
    )
    with pytest.raises(InputDataError) as info:
        load_registry(p)
    fr = info.value.fr
    assert "ligne 2 (id 'a') : statut 'ouverte' inconnu (actif, en projet ou inactif)" in fr
    assert "ligne 3 (id 'b') : certitude du périmètre 'sûr' inconnue" in fr
    assert "ligne 4 (id 'c') : valid_from '2024-13' n'est pas une date" in fr
    assert "ligne 5 (id 'd') : début de validité 2025-01-01 postérieur à la fin 2024-12-31" in fr
    assert "ligne 6 (id 'e') : aucune source" in fr
    assert fr.startswith("registre ") and "mal formé" in fr
    assert "line 2 (id 'a'): status 'ouverte'" in str(info.value)


def test_same_ess_periods_may_not_overlap(tmp_path):
    p = tmp_path / "synthetic_registry_periods.csv"
    p.write_text(
        FULL_HEADER
        + "a,ESS A,cardiologie,75,11,active,confirmed,2022-01,2024-06,src,\n"
        + "a,ESS A,cardiologie,75;92,11,active,confirmed,2024-06,,src,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputDataError, match=r"ESS 'a': periods of line 2 and line 3 overlap") as info:
        load_registry(p)
    assert "se chevauchent" in info.value.fr


def test_same_ess_over_time_is_one_id_with_several_rows(tmp_path):
    p = tmp_path / "synthetic_registry_periods.csv"
    p.write_text(
        FULL_HEADER
        + "a,ESS A,cardiologie,75,11,active,confirmed,2022-01,2024-05,src,\n"
        + "a,ESS A,cardiologie,75;92,11,active,confirmed,2024-06,,src,\n",
        encoding="utf-8",
    )
    reg = load_registry(p)
    assert reg.covering("cardiologie", ["92"], as_of=date(2024, 5, 31)) == []
    [(entry, shared)] = reg.covering("cardiologie", ["92"], as_of=date(2024, 6, 1))
    assert shared == ["92"] and entry.period_fr == "depuis le 2024-06-01"


def _user_file(tmp_path: Path, *rows: str) -> Path:
    p = tmp_path / "synthetic_registre_ajout.csv"
    p.write_text(FULL_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


def test_add_keeps_the_embedded_ess_and_same_id_replaces(tmp_path):
    p = _user_file(
        tmp_path,
        "idf-cardiologie,ESS Cardiologie (synthétique),cardiologie,75;94;92,11,active,confirmed,2022-01-10,,ARS (synthétique),",
        "x-pneumo,ESS synthétique,pneumologie,13,93,project,probable,,,ARS (synthétique),",
    )
    added = load_registry(p, include_embedded=True)
    ids = [e.id for e in added]
    assert ids.count("idf-cardiologie") == 1  # both embedded periods replaced by the user's row
    assert {"idf-dermatologie", "bretagne-cancero", "x-pneumo"} <= set(ids)
    assert added.replaced == ("idf-cardiologie",)
    assert "remplace : idf-cardiologie" in added.source.name
    assert set(added.covered_departements("cardiologie")) >= {"75", "94", "92"}
    assert "77" not in added.covered_departements("cardiologie")
    alone = load_registry(p)
    assert [e.id for e in alone] == ["idf-cardiologie", "x-pneumo"] and alone.replaced == ()
    check = check_territory("cardiologie", "92", registry=added)
    assert any("remplace : idf-cardiologie" in s.name for s in check.sources)
    assert "remplace : idf-cardiologie" in check.summary_fr()


def test_added_ess_conflicting_with_an_embedded_one_is_named(tmp_path):
    p = _user_file(tmp_path, "autre,ESS synthétique,cardiologie,77,11,active,confirmed,,,ARS (synthétique),")
    with pytest.raises(InputDataError, match=r"'idf-cardiologie' \(line \d+ of .*registre embarqué.*'autre' \(line 2 of") as info:
        load_registry(p, include_embedded=True)
    assert "--registry-only" in info.value.fr and "ligne 2 de" in info.value.fr
    load_registry(p)  # alone, the file is consistent


def test_merge_registries_of_objects():
    base = Registry([EssEntry("a", "ESS A", ("cardiologie",), ("75",), "11", "active", "synthetic")])
    extra = Registry([EssEntry("b", "ESS B", ("pneumologie",), ("75",), "11", "actif", "synthetic")])
    merged = merge_registries(base, extra)
    assert [e.id for e in merged] == ["a", "b"] and merged.entries[1].status == "active"
    assert merged.replaced == ()


def test_as_of_values():
    assert as_of_date("2023-06-01") == date(2023, 6, 1)
    assert as_of_date(date(2023, 6, 1)) == date(2023, 6, 1)
    assert as_of_date(None) == date.today()
    for bad in ("2023-13-01", "hier", 20230601):
        with pytest.raises(InputDataError, match=rf"as_of must be a date.*{bad!r}") as info:
            as_of_date(bad)  # type: ignore[arg-type]
        assert "date de référence invalide" in info.value.fr
    with pytest.raises(InputDataError, match="'2023-02-30'"):
        check_territory("cardiologie", "77", as_of="2023-02-30")
    assert parse_partial_date("2024-02", end=True) == date(2024, 2, 29)
    assert parse_partial_date("") is None
    with pytest.raises(ValueError, match="2024-02-30"):
        parse_partial_date("2024-02-30")


def test_registry_at_a_date_is_what_checks_and_coverage_use():
    reg = as_registry(None).at("2023-06-01")
    assert reg.as_of == date(2023, 6, 1) and "périmètres au 2023-06-01" in reg.source.vintage
    assert reg.at().as_of == date(2023, 6, 1)  # a dated registry keeps its date
    assert reg.at("2025-01-01").source.vintage.count("périmètres au") == 1
    assert check_territory("cardiologie", "77", registry=reg).criterion("overlap").status == "pass"
    assert check_territory("cardiologie", "77", registry=reg, as_of="2025-01-01").criterion("overlap").status == "fail"


# ---- real data: every record of ../shared/data/ess/ess_connues_sources.csv -------------------------

N_RECORDS = 10


@pytest.fixture(scope="module")
def known_records(request) -> list[dict[str, str]]:
    """The records of ess_connues_sources.csv (three rows hold an unquoted « ; » in their certainty)."""
    shared = request.getfixturevalue("shared_data")
    with (shared / "ess" / "ess_connues_sources.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    header, out = rows[0], []
    for row in rows[1:]:
        extra = len(row) - len(header)
        row = [*row[:3], ";".join(row[3 : 4 + extra]), *row[4 + extra :]]  # rejoin the certainty cell
        out.append(dict(zip(header, row, strict=True)))
    return out


def _registry_row(record: dict[str, str]) -> EssEntry:
    """The embedded registry row of a record: same specialty, départements and source."""
    from ess_geo.reference.codes import normalize_dep_codes
    from ess_geo.reference.specialties import get_specialty

    spec = get_specialty(record["specialty"]).id
    deps = tuple(normalize_dep_codes(record["departements"].split(",")))
    found = [e for e in load_registry() if e.source_url == record["source_url"] and spec in e.specialties and e.departements == deps]
    assert len(found) == 1, record["name"]
    return found[0]


@pytest.mark.shared
def test_every_known_record_is_in_the_registry(known_records):
    assert len(known_records) == N_RECORDS
    rows = [_registry_row(r) for r in known_records]
    assert len({id(r) for r in rows}) == N_RECORDS  # one registry row per record
    assert len({r.id for r in rows}) == N_RECORDS - 1  # nine ESS: the extension is a second period
    for record, row in zip(known_records, rows, strict=True):
        if not record["quote"].startswith("(same sentence"):
            assert row.source_quote == record["quote"]
        assert record["perimeter_certainty"] in row.note  # original wording kept


@pytest.mark.shared
@pytest.mark.parametrize("index", range(N_RECORDS))
def test_check_on_a_known_ess_territory_reports_the_overlap(known_records, index):
    record = known_records[index]
    row = _registry_row(record)
    wording = record["perimeter_certainty"]
    assert row.perimeter_certainty == ("uncertain" if "uncertain" in wording else wording.split()[0])
    when = row.valid_from or date.today()
    result = check_territory(record["specialty"], record["departements"], as_of=when)
    overlap = result.criterion("overlap")
    assert overlap.status == ("fail" if row.perimeter_certainty == "confirmed" else "warn")
    facts = {f["id"]: f for f in overlap.evidence["ess"]}
    assert facts[row.id]["source_url"] == record["source_url"] and facts[row.id]["certainty"] == row.perimeter_certainty
    assert row.name in overlap.message and record["source_url"] in overlap.message
    if row.perimeter_certainty != "confirmed":
        assert "À vérifier" in overlap.message and "non confirmé" in overlap.message
    today = check_territory(record["specialty"], record["departements"]).criterion("overlap")
    assert today.status == overlap.status and row.id in {f["id"] for f in today.evidence["ess"]}


def test_a_confirmed_perimeter_wins_where_two_ess_claim_a_departement():
    """Files refuse two ESS of a specialty on one département; a registry built in code may hold them."""
    a = EssEntry("x1", "ESS synthétique A", ("pneumologie",), ("2A", "2B"), "94", "active", "test")
    b = EssEntry("x2", "ESS synthétique B", ("pneumologie",), ("2B",), "94", "active", "test", perimeter_certainty="probable")
    for entries in ([a, b], [b, a]):
        covering = Registry(entries=entries).covering_entries("pneumologie")
        assert {d: e.id for d, e in covering.items()} == {"2A": "x1", "2B": "x1"}
    only_probable = Registry(entries=[b]).covering_entries("pneumologie")
    assert only_probable["2B"].perimeter_certainty == "probable"
