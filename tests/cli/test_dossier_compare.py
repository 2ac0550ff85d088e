"""``ess-geo dossier`` and ``ess-geo compare``: their figures are those of ``ess-geo check --json``."""

from __future__ import annotations

import io
import json
import re

import pytest
from pypdf import PdfReader

import synthetic
from conftest import run_cli
from ess_geo.cli import main

CANDIDATES = ["53,72", "53,72,49", "r:52"]


def _check_json(capsys, *args: str) -> dict:
    code, out, err = run_cli(["check", "-s", "pediatrie", *args, "--json", "--exit-zero"], capsys)
    assert code == 0, err
    return json.loads(out)


def _evidence(check: dict, criterion: str) -> dict:
    return next(c for c in check["criteria"] if c["id"] == criterion)["evidence"]


def _plain(text: str) -> str:
    """PDF text without spaces of any kind (French thousands use a narrow no-break space)."""
    return re.sub(r"\s+", "", text.replace("\u202f", " ").replace("\xa0", " "))


@pytest.fixture(scope="module")
def dossier_pdf(tmp_path_factory, zonage_file) -> tuple[list[str], int]:
    out = tmp_path_factory.mktemp("dossier") / "dossier.pdf"
    code = main(["dossier", "-s", "pediatrie", "-d", "14,50,61", "--adherents", "20", "--zonage", str(zonage_file),
                 "--out", str(out)])
    assert code == 0
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    return [page.extract_text() for page in reader.pages], len(reader.pages)


def test_dossier_pdf_has_2_to_4_pages_and_the_figures_of_check(dossier_pdf, capsys):
    pages, n_pages = dossier_pdf
    assert 2 <= n_pages <= 4
    text = _plain("\n".join(pages))
    check = _check_json(capsys, "-d", "14,50,61", "--adherents", "20")
    thr, adh, fund = (_evidence(check, c) for c in ("threshold", "adherents", "funding"))
    assert "DossierESSPédiatrie" in text
    assert f"Verdict:{check['verdict'].upper()}" in text
    for criterion in check["criteria"]:  # every criterion's message, as check words it
        assert _plain(criterion["message"])[:80] in text
    for dep, n in thr["by_departement"].items():  # counts per département, all modes then libéral
        assert f"({dep}){n}" in text
    liberal = next(c for c in thr["counts"] if c["mode"] == "liberal")
    assert f"Territoire{thr['total']}{liberal['total']}" in text
    assert f"tousmodesd'exercice):{thr['low']}." in text
    assert f"(10%deslibéraux){adh['needed_now']}" in text
    assert f"(50%deslibéraux){adh['needed_5y']}" in text
    assert f"{fund['startup_credit_eur']}€" in text and f"{fund['yearly_eur']}€/an" in text
    assert f"Populationduterritoire{thr['inhabitants']}hab." in text
    assert re.search(r"CommunesenZIP\(zoned'interventionprioritaire\)\d+", text)
    assert "Produitle" in text and "km" in _plain(pages[-1])  # map page: production date, scale bar


def test_dossier_html_is_escaped_and_standalone(tmp_path, capsys):
    out = tmp_path / "dossier.html"
    code, stdout, err = run_cli(["dossier", "-s", "pediatrie", "-d", "14,50,61", "-a", "20", "--out", str(out)], capsys)
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "data:image/png;base64," in page
    assert "http" not in page.split("<body>")[0]  # nothing fetched: the page opens offline
    assert "Verdict : ADMISSIBLE" in page and "admissible" in stdout


def test_dossier_refuses_another_extension_naming_it(tmp_path, capsys):
    code, _, err = run_cli(["dossier", "-s", "pediatrie", "-d", "14", "--out", str(tmp_path / "d.docx")], capsys)
    assert code == 2
    assert ".docx" in err


def test_compare_columns_equal_three_check_runs(capsys):
    code, out, err = run_cli(["compare", "-s", "pediatrie", *(a for c in CANDIDATES for a in ("--candidat", c)),
                              "--adherents", "20", "--json"], capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert [r["candidate"] for r in rows] == CANDIDATES
    for row, territory in zip(rows, (["-d", "53,72"], ["-d", "53,72,49"], ["-r", "52"]), strict=True):
        check = _check_json(capsys, *territory, "--adherents", "20")
        thr, adh, fund = (_evidence(check, c) for c in ("threshold", "adherents", "funding"))
        assert row["admissible"] == check["admissible"]
        assert row["verdict"] == check["verdict"]
        assert row["departements"] == ",".join(check["departements"])
        assert {k: v for k, v in row.items() if k.startswith("status_")} == {
            f"status_{c['id']}": c["status"] for c in check["criteria"]}
        assert (row["specialists_low"], row["specialists_high"]) == (thr["low"], thr["high"])
        assert (row["liberal_low"], row["liberal_high"]) == (adh["low"], adh["high"])
        assert (row["needed_now"], row["needed_5y"], row["adherents_share"]) == (
            adh["needed_now"], adh["needed_5y"], adh["share"])
        assert (row["population"], row["density_per_100k"]) == (thr["inhabitants"], thr["density_per_100k"])
        assert (row["startup_credit_eur"], row["yearly_eur"], row["yearly_eur_at_5y_target"]) == (
            fund["startup_credit_eur"], fund["yearly_eur"], fund["yearly_eur_at_5y_target"])


def test_compare_table_names_the_admissible_candidates(tmp_path, capsys):
    out = tmp_path / "comparaison.xlsx"
    code, stdout, err = run_cli(["compare", "-s", "pediatrie", "--candidat", "53,72", "--candidat", "53,72,49",
                                 "-a", "20", "--out", str(out)], capsys)
    assert code == 0, err
    assert "Admissibles : 53,72,49" in stdout
    assert "Adhérents nécessaires à 5" in stdout
    from openpyxl import load_workbook

    ws = load_workbook(out)["Comparaison"]
    ids = {row[1].value: [c.value for c in row[2:]] for row in ws.iter_rows(min_row=2)}
    assert ids["needed_5y"] == [7, 20]  # numbers stay numbers
    assert ids["admissible"] == ["indéterminé", "oui"]
    labels = {row[1].value: row[0].value for row in ws.iter_rows(min_row=2)}
    share = ids["adherents_share"][1]  # a percentage, as its label says (was 0.5, shown « 0,5 » by Excel)
    assert labels["adherents_share"].endswith("(%)") and 10 < share <= 100


def test_compare_adherents_count_must_match_candidates(capsys):
    code, _, err = run_cli(["compare", "-s", "pediatrie", "--candidat", "53,72", "--candidat", "49",
                            "--candidat", "44", "-a", "20", "-a", "30"], capsys)
    assert code == 2
    assert "20, 30" in err


def test_dossier_compare_and_map_report_the_zonage_lines_they_ignored(tmp_path, capsys):
    """Nothing lost silently: a zonage line matching no commune is reported, as ``zip`` reports it."""
    zonage = synthetic.write_all_zip_zonage_synthetic(tmp_path, ["48"])
    zonage.write_text(zonage.read_text(encoding="utf-8") + "99999,1_ZIP\n", encoding="utf-8")
    runs = (["dossier", "-s", "cardiologie", "-d", "48", "--zonage", str(zonage), "--out", str(tmp_path / "d.html")],
            ["compare", "-s", "cardiologie", "--candidat", "48", "--zonage", str(zonage)],
            ["map", "-s", "cardiologie", "-d", "48", "--zonage", str(zonage), "--out", str(tmp_path / "m.html")])
    for args in runs:
        code, out, _ = run_cli(args, capsys)
        (line,) = [x for x in out.splitlines() if x.startswith("Fichier de zonage : ")]
        assert code == 0 and "1 ligne ignorée" in line, (args[0], line)
