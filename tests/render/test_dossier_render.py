"""The dossier's renderers (PDF, HTML), the comparison's (HTML, XLSX) and the printed map's scale bar and north arrow."""

from __future__ import annotations

import io
from datetime import date

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from openpyxl import load_workbook
from pypdf import PdfReader

from ess_geo.analysis.compare import compare_territories
from ess_geo.analysis.territory_figures import territory_figures
from ess_geo.inputs.registry import Registry
from ess_geo.inputs.registry_entry import EssEntry
from ess_geo.render.comparison import render_comparison_html, render_comparison_xlsx
from ess_geo.render.dossier_content import dossier_blocks, dossier_title
from ess_geo.render.dossier_html import render_dossier_html
from ess_geo.render.dossier_pdf import render_dossier_pdf
from ess_geo.render.static_map import A4_LANDSCAPE, draw_map, print_style
from ess_geo.render.territory_spec import territory_map_spec
from ess_geo.rules.territory import check_territory

HOSTILE = "=HYPERLINK(\"http://x\")<script>alert(1)</script>"
#: A synthetic ESS of pédiatrie on Orne (61) with a hostile name: next to Calvados (14).
SYNTHETIC_REGISTRY = Registry([EssEntry("ess-synthetic-61", HOSTILE, ("pediatrie",), ("61",), "28", "active",
                                        "synthetic source")])


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def test_printed_map_has_scale_bar_north_arrow_counts_and_date():
    check = check_territory("pediatrie", "14,50,61", adherents=20)
    with print_style():
        fig = draw_map(Figure(figsize=A4_LANDSCAPE), territory_map_spec(check), produced_on=date(2026, 3, 1))
    texts = _texts(fig)
    assert "N" in texts and any(t.endswith(" km") for t in texts)
    assert any("Produit le 1er mars 2026" in t for t in texts)
    by_dep = check.criterion("threshold").evidence["by_departement"]
    assert f"14 : {by_dep['14']}" in texts  # the territory's counts, as check reads them


def test_dossier_names_the_nearby_ess_escaped_in_html():
    check = check_territory("pediatrie", "14", adherents=20, registry=SYNTHETIC_REGISTRY)
    figures = territory_figures(check, produced_on=date(2026, 3, 1))
    assert [e["id"] for e in figures.ess_nearby] == ["ess-synthetic-61"]
    blocks = dossier_blocks(figures)
    page = render_dossier_html(blocks, None, title=dossier_title(figures)).decode("utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Document produit le 1er mars 2026" in page
    pdf = PdfReader(io.BytesIO(render_dossier_pdf(blocks, None, footer=dossier_title(figures))))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "alert(1)" in text and "Sur les départements voisins" in text


def test_comparison_writers_keep_hostile_text_as_text():
    frame = compare_territories("pediatrie", ["14", "50"], adherents=20, registry=SYNTHETIC_REGISTRY)
    assert HOSTILE in frame.loc[0, "ess_nearby"]
    page = render_comparison_html(frame, "Comparaison").decode("utf-8")
    assert "<script>" not in page and "Adhérents nécessaires à 5 ans (50 %)" in page
    ws = load_workbook(io.BytesIO(render_comparison_xlsx(frame)))["Comparaison"]
    cells = {row[1].value: row[2] for row in ws.iter_rows(min_row=2)}
    assert cells["ess_nearby"].data_type == "s" and cells["ess_nearby"].value.startswith("=HYPERLINK")
    assert cells["needed_5y"].data_type == "n"


def test_dossier_of_several_specialties_shows_each_count_and_the_finess_context(tmp_path):
    from synthetic import write_finess_synthetic

    check = check_territory("cardiologie,nephrologie", "77,91", adherents=(20, 3), finess=write_finess_synthetic(tmp_path))
    figures = territory_figures(check)
    assert {c["specialty"] for c in figures.counts} == {"cardiologie", "nephrologie"}
    text = "\n".join(b.text + " ".join(" ".join(r) for r in b.rows) + " ".join(b.header)
                     for b in dossier_blocks(figures))
    assert "nephrologie : Tous modes" in text
    assert "7. CPTS, DAC et hôpitaux du territoire (FINESS)" in text and "CPTS DU PAYS DE MEAUX SYNTHETIQUE" in text
    assert "Aucun effectif utilisé" not in text


@pytest.mark.shared
def test_dossier_and_compare_say_unknown_not_a_partial_figure(drees_effectifs, tmp_path):
    """The committee's dossier totals « au moins 137 », never a plain 137; compare shows no density or needed 0."""
    from ess_geo.inputs.load import load_supply
    from ess_geo.rules.territory import check_territory
    from synthetic import write_drees_broken_synthetic

    sup = load_supply(write_drees_broken_synthetic(drees_effectifs, tmp_path, "77"))
    r = check_territory("cardiologie", ["77", "91"], adherents=30, supply=sup, as_of="2023-06-01")
    rows = [row for b in dossier_blocks(territory_figures(r)) if b.kind == "table" for row in b.rows]
    assert ("Territoire", "au moins 137") in rows
    assert ("Adhérents nécessaires au départ (10 % des libéraux)", "non disponible") in rows
    df = compare_territories("cardiologie", ["77,91"], adherents=30, supply=sup, as_of="2023-06-01")
    row = df.iloc[0]
    assert str(row["density_per_100k"]) in ("<NA>", "None", "nan")
    assert str(row["needed_now"]) == "<NA>" and str(row["needed_5y"]) == "<NA>"
