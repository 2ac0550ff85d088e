"""Coverage reports: CSV/XLSX/HTML figures vs the raw DREES table, atomic writes, CLI."""

from __future__ import annotations

import csv
import json
import os
import re

import pytest

from ess_geo._output import atomic_write_bytes
from ess_geo.analysis.coverage import coverage_table
from ess_geo.cli import main
from ess_geo.errors import InputDataError
from ess_geo.inputs.embedded import load_embedded_supply
from ess_geo.inputs.load import load_supply
from ess_geo.reference import codes, geography
from ess_geo.render.cells import DISCORDANT_FR, detail_view
from ess_geo.render.reports import FORMATS, write_coverage_report

pytestmark = pytest.mark.shared

HEADER = "id,name,specialties,departements,region,status,source,source_date\n"


@pytest.fixture(scope="module")
def drees(drees_effectifs):
    return load_supply(drees_effectifs)


@pytest.fixture(scope="module")
def idf_report(tmp_path_factory, drees):
    out = tmp_path_factory.mktemp("report_idf")
    files = write_coverage_report(out, "11", supply=drees)
    return out, files


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_files_written(idf_report):
    out, files = idf_report
    names = {p.relative_to(out).as_posix() for p in files.paths}
    assert names == {"index.html", "region_11.html", "region_11.xlsx", "couverture.csv", "synthese.csv"}
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_csv_figures_match_raw_table(drees_raw, idf_report, drees_effectifs):
    out, files = idf_report
    raw = drees_raw
    rows = read_csv(out / "couverture.csv")
    deps = codes.departements_of_region("11")
    specs = files.result.specialties
    assert len(rows) == len(deps) * len(specs)
    pops = geography.load_departements().set_index("code_dep")["population"]
    for spec in specs:
        mine = [r for r in rows if r["specialty"] == spec.id]
        assert {r["code_dep"]: int(r["n_specialists"]) for r in mine} == {d: raw[spec.drees_group][d] for d in deps}
        for r in mine:
            assert float(r["density_per_100k"]) == pytest.approx(int(r["n_specialists"]) * 1e5 / pops[r["code_dep"]], abs=0.006)
            assert r["exact"] == "true"
    summary = {r["specialty"]: r for r in read_csv(out / "synthese.csv")}
    for spec in specs:
        assert int(summary[spec.id]["n_specialists"]) == sum(raw[spec.drees_group][d] for d in deps)
    # the embedded registry: ophtalmology (ARGOS) covers all 8 départements
    assert summary["ophtalmologie"]["n_covered"] == "8"
    assert summary["ophtalmologie"]["potential_new_ess"] == "0"


def test_xlsx_structure_and_figures(drees_raw, idf_report, drees_effectifs):
    import openpyxl
    out, files = idf_report
    wb = openpyxl.load_workbook(out / "region_11.xlsx")
    specs = files.result.specialties
    assert wb.sheetnames[0] == "Synthèse"
    assert wb.sheetnames[-1] == "Sources"
    assert len(wb.sheetnames) == len(specs) + 2
    raw = drees_raw
    for ws in wb.worksheets[:-1]:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws["A1"].font.bold
    cardio = wb[wb.sheetnames[1]]
    header = [c.value for c in cardio[1]]
    i_dep, i_n = header.index("Code dép."), header.index("Spécialistes")
    values = {row[i_dep]: row[i_n] for row in cardio.iter_rows(min_row=2, values_only=True)}
    assert values == {d: raw["07-Cardiologie"][d] for d in codes.departements_of_region("11")}
    sources = [row[0] for row in wb["Sources"].iter_rows(values_only=True) if row and row[0]]
    assert any("DREES" in s for s in sources)


def test_html_page_content(idf_report):
    out, _ = idf_report
    page = (out / "region_11.html").read_text(encoding="utf-8")
    assert "<html lang='fr'>" in page
    assert "Île-de-France" in page and "Synthèse" in page and "Sources" in page
    assert "millésime" in page and "indicatif" in page
    assert "ARGOS (ESS ophtalmologie Île-de-France)" in page
    assert "http://" not in page.split("<footer>")[0] and "https://" not in page.split("<footer>")[0]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "region_11.html" in index


def test_user_text_is_escaped(tmp_path, drees):
    reg = tmp_path / "synthetic_registry.csv"
    reg.write_text(HEADER + 'x,"<script>alert(1)</script>",pneumologie,2A,94,active,test,2026-01-01\n', encoding="utf-8")
    write_coverage_report(tmp_path / "out", "94", ["html"], specialties=["pneumologie"], supply=drees, registry=reg)
    page = (tmp_path / "out" / "region_94.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_failure_while_rendering_leaves_previous_report_intact(tmp_path, drees, monkeypatch):
    out = tmp_path / "out"
    write_coverage_report(out, "94", supply=drees)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def boom(*args, **kwargs):
        raise RuntimeError("synthetic failure while rendering")

    monkeypatch.setattr("ess_geo.render.reports.render_xlsx_many", boom)
    with pytest.raises(RuntimeError, match="synthetic failure"):
        write_coverage_report(out, "94", supply=drees, specialties=["cardiologie"])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_failure_while_writing_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "region_94.html"
    target.write_bytes(b"previous report")
    real_replace = os.replace

    def failing_replace(src, dst):
        raise OSError("synthetic disk failure")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(InputDataError, match=r"region_94\.html.*synthetic disk failure"):
        atomic_write_bytes(target, b"new report, never complete")
    monkeypatch.setattr(os, "replace", real_replace)
    assert target.read_bytes() == b"previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["region_94.html"]


def test_rerun_overwrites_and_removes_only_own_stale_files(tmp_path, drees):
    out = tmp_path / "out"
    write_coverage_report(out, ["94", "11"], ["csv", "html"], specialties=["cardiologie"], supply=drees)
    (out / "notes_de_l_ars.txt").write_text("à garder", encoding="utf-8")
    write_coverage_report(out, "94", ["csv", "html"], specialties=["cardiologie"], supply=drees)
    names = sorted(p.name for p in out.iterdir())
    assert names == [".ess_geo_report.json", "couverture.csv", "index.html", "notes_de_l_ars.txt", "region_94.html", "synthese.csv"]
    assert {r["code_region"] for r in read_csv(out / "couverture.csv")} == {"94"}
    assert json.loads((out / ".ess_geo_report.json").read_text())["files"]


def test_bad_format_names_it(tmp_path):
    with pytest.raises(InputDataError, match="pdf") as info:
        write_coverage_report(tmp_path, "11", ["pdf"])
    assert "html" in info.value.fr
    assert FORMATS == ("html", "xlsx", "csv")


def test_cli_report(tmp_path, drees_effectifs, capsys):
    out = tmp_path / "cli"
    code = main(["report", "--region", "94", "--out", str(out), "--supply", str(drees_effectifs), "--specialties", "cardiologie,orl", "-q", "--no-maps"])
    assert code == 0
    assert (out / "region_94.xlsx").is_file() and (out / "couverture.csv").is_file()
    rows = read_csv(out / "couverture.csv")
    assert {r["specialty"] for r in rows} == {"cardiologie", "orl"}
    printed = capsys.readouterr().out
    assert re.search(r"\d+ fichiers écrits dans ", printed)
    assert "Sources :" in printed and "COG 2025" in printed


def test_cli_bad_input_exit_2(tmp_path, capsys):
    assert main(["report", "--region", "99", "--out", str(tmp_path), "-q"]) == 2
    assert "99" in capsys.readouterr().err
    assert main(["report", "--region", "11", "--out", str(tmp_path), "-f", "pdf", "-q"]) == 2


def test_zonage_adds_zip_share(tmp_path, drees, zonage_file):
    files = write_coverage_report(tmp_path, "94", ["csv", "html"], specialties=["cardiologie"], supply=drees, zonage=zonage_file)
    rows = read_csv(tmp_path / "couverture.csv")
    shares = [float(r["zip_population_share"]) for r in rows]
    assert len(shares) == 2 and all(0 <= s <= 100 for s in shares)
    assert any("zonage" in s.name.lower() or "zonage" in s.origin.lower() for s in files.result.sources)
    assert "Part de la population en ZIP" in (tmp_path / "region_94.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- QA findings 1, 16, 18, Mayotte


def test_report_creates_missing_folders_and_refuses_unwritable(tmp_path, drees, capsys, drees_effectifs):
    out = tmp_path / "a" / "b"
    files = write_coverage_report(out, "94", formats=["csv"], specialties=["cardiologie"], supply=drees)
    assert (out / "couverture.csv").is_file() and files.out_dir == out
    with pytest.raises(InputDataError, match="/proc/forbidden") as info:
        write_coverage_report("/proc/forbidden", "94", formats=["csv"], specialties=["cardiologie"], supply=drees)
    assert "impossible de créer le dossier de sortie" in info.value.fr
    capsys.readouterr()
    code = main(["report", "-r", "11", "--out", "/proc/forbidden", "--supply", str(drees_effectifs), "-q", "--no-maps"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("Erreur : impossible de créer le dossier de sortie") and "Traceback" not in err


def test_html_documents_csv_machine_format_and_one_label(idf_report):
    out, _ = idf_report
    region = (out / "region_11.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    for page in (region, index):
        assert "utiliser les fichiers CSV" in page and "identifiants de colonnes stables" in page
        assert "Dotation annuelle min." not in page
    label = "Dotation annuelle à 50 % d&#x27;adhérents"
    assert label in index and label in region
    assert "dotation annuelle à 50 % d'adhérents" in region  # the sentence uses the same words
    assert "<table class='fit'>" in region  # Synthèse table wraps its headers to fit the page


def test_mayotte_population_unknown_in_report(tmp_path, drees):
    write_coverage_report(tmp_path, "06", formats=["html", "csv"], specialties=["cardiologie"], supply=drees)
    page = (tmp_path / "region_06.html").read_text(encoding="utf-8")
    assert "population inconnue" in page
    row = read_csv(tmp_path / "couverture.csv")[0]
    assert row["population"] == "" and row["density_per_100k"] == ""


def test_new_ess_is_labelled_at_most_with_regional_column(idf_report):
    # issue 12: « Nouvelles ESS possibles (au plus) » with its meaning, « ESS régionale possible » per specialty × région
    import openpyxl

    out, _ = idf_report
    region = (out / "region_11.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    for page in (region, index):
        assert "Nouvelles ESS possibles (au plus)" in page and "un plafond, pas un objectif" in page
        assert "Crédits d&#x27;amorçage (au plus, indicatif, €)" in page
    assert "ESS régionale possible : <b>non</b>" in region  # cardiology: Paris and Val-de-Marne are covered
    assert "ESS régionale possible : <b>oui</b>" in region  # ORL: no ESS in the région
    assert "interpolation linéaire de l&#x27;outil" in region
    summary = {r["specialty"]: r for r in read_csv(out / "synthese.csv")}
    assert summary["cardiologie"]["regional_ess_possible"] == "false"
    assert summary["orl"]["regional_ess_possible"] == "true"
    # cardiology is covered on the 8 départements since the extension: ORL carries the interpolated allocation
    assert summary["orl"]["yearly_allocation_interpolated"] == "true"
    ws = openpyxl.load_workbook(out / "region_11.xlsx")["Synthèse"]
    header = [c.value for c in ws[1]]
    assert "Nouvelles ESS possibles (au plus)" in header and "ESS régionale possible" in header
    col = header.index("ESS régionale possible")
    assert {row[col].value for row in ws.iter_rows(min_row=2)} <= {"oui", "non", "indéterminé"}


def test_crossing_bounds_read_sources_discordantes_not_majorant(tmp_path):
    """Ain, cardiology, embedded supply: 21 libéral doctors (CNAM 2018) above 16 in all modes (DREES 2022).

    The figures disagree: the « Effectif » cell says so in the page and the workbook (it read « majorant »,
    while 16 is no upper bound of 21); the CSV keeps the machine value (exact = false) and both bounds.
    """
    import openpyxl

    result = coverage_table("84", ["cardiologie"], load_embedded_supply())
    ain = result.table.set_index("code_dep").loc["01"]
    assert ain["n_specialists_low"] > ain["n_specialists_high"] and not ain["exact"]
    view = detail_view(result.table).set_index("code_dep")
    assert view.at["01", "exact"] == DISCORDANT_FR and view.at["03", "exact"]  # Allier: exact, unchanged
    write_coverage_report(tmp_path, "84", formats=("html", "xlsx"), result=result)
    page = (tmp_path / "region_84.html").read_text(encoding="utf-8")
    assert "sources discordantes" in page
    sheet = openpyxl.load_workbook(tmp_path / "region_84.xlsx").worksheets[1]
    header = [c.value for c in sheet[1]]
    rows = {r[header.index("Code dép.")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["01"][header.index("Nature de l'effectif")] == "sources discordantes"
    assert rows["03"][header.index("Nature de l'effectif")] == "exact"
