"""Issue 15 item 4 and issue 13.6: hostile names come back as text from every writer; one CSV convention."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs.load import load_supply
from ess_geo.render.reports import write_coverage_report
from ess_geo.render.spreadsheet import csv_bytes, csv_cell, frame_csv_bytes, is_formula_like
from ess_geo.render.xlsx import Sheet, write_workbook

HOSTILE = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://example.invalid/x","clic")', "\t=3+3", "+33 1 45", "-2+3",
           "@SUM(A1:A9)", "\r=1+1"]


def test_csv_cells_quote_formula_text_and_keep_numbers():
    for text in HOSTILE:
        assert is_formula_like(text)
        assert csv_cell(text) == "'" + text
    assert csv_cell(-5) == "-5" and csv_cell(-2.5) == "-2.5" and csv_cell(-2.5, decimal=",") == "-2,5"
    assert csv_cell("Créteil") == "Créteil" and csv_cell(None) == "" and csv_cell(float("nan")) == ""
    assert csv_cell(True) == "true"


def test_one_csv_convention_bom_and_separator():
    frame = pd.DataFrame({"nom": ["=1+1", "Évry"], "n": [-3, 4], "x": [0.5, None]})
    data = frame_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["nom,n,x", "'=1+1,-3,0.5", "Évry,4,"]
    semi = frame_csv_bytes(frame, sep=";").decode("utf-8-sig").splitlines()
    assert semi == ["nom;n;x", "'=1+1;-3;0,5", "Évry;4;"]
    with pytest.raises(InputDataError, match=r"separator '\|'"):
        csv_bytes(["a"], [], sep="|")


def test_xlsx_text_is_a_string_cell_never_a_formula(tmp_path):
    data = write_workbook([Sheet("Feuille", ["Nom", "Nombre"], [[t, -1] for t in HOSTILE])])
    path = tmp_path / "synthetic.xlsx"
    path.write_bytes(data)
    ws = openpyxl.load_workbook(path)["Feuille"]
    got = [(row[0].value, row[0].data_type, row[1].value, row[1].data_type) for row in ws.iter_rows(min_row=2)]
    assert [g[0] for g in got][:-1] == HOSTILE[:-1]
    assert got[-1][0] == "_x000D_=1+1"  # the XLSX escape of a carriage return, which Excel reads back as "\r=1+1"
    assert {g[1] for g in got} == {"s"} and {g[3] for g in got} == {"n"} and {g[2] for g in got} == {-1}


@pytest.mark.shared
def test_report_writes_hostile_registry_names_as_text(tmp_path, drees_effectifs):
    reg = tmp_path / "synthetic_registry.csv"
    lines = ["id,name,specialties,departements,region,status,source,source_date"]
    hostile = {"2A": HOSTILE[0], "13": HOSTILE[1], "83": HOSTILE[2]}
    for i, (dep, name) in enumerate(hostile.items()):
        region = "94" if dep == "2A" else "93"
        quoted = '"' + name.replace('"', '""') + '"'
        lines.append(f"x{i},{quoted},pneumologie,{dep},{region},active,test,2026-01-01")
    reg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = {n.strip() for n in hostile.values()}  # the registry reader strips the tab of "\t=3+3"
    out = tmp_path / "out"
    write_coverage_report(out, ["93", "94"], ["xlsx", "csv"], specialties=["pneumologie"],
                          supply=load_supply(drees_effectifs), registry=reg)
    for book in ("region_93.xlsx", "region_94.xlsx", "couverture_france.xlsx"):
        wb = openpyxl.load_workbook(out / book)
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        found = {c.value for c in cells if c.value in expected}
        assert found, book
        assert all(c.data_type == "s" for c in cells), [c.value for c in cells if c.data_type != "s"]
    assert found == expected  # couverture_france holds all three
    rows = list(csv.DictReader(io.StringIO((out / "couverture.csv").read_bytes().decode("utf-8-sig"))))
    names = {r["covered_by_name"] for r in rows if r["covered_by_name"]}
    assert names == {"'" + n for n in expected}
    assert all(not r["population"].startswith("'") for r in rows)  # numbers stay numbers
