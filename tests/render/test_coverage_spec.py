"""The coverage map draws the classes of the coverage table, never its own (issue 10 regressions)."""

from __future__ import annotations

import html
import json

import pytest

from ess_geo.analysis.coverage import GROUP_STATUS_FR, coverage_table
from ess_geo.errors import InputDataError
from ess_geo.inputs.load import load_supply
from ess_geo.render.cells import cell_text
from ess_geo.render.coverage_spec import COVERAGE_FILL, COVERAGE_LABEL, coverage_map_spec
from ess_geo.render.html_map import make_coverage_map, map_html
from ess_geo.render.report_text import specialty_sentence

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def supply(request):
    return load_supply(request.getfixturevalue("drees_effectifs"))


def _categories(spec) -> dict[str, str]:
    frame = spec.layers[0].frame
    return dict(zip(frame["code_dep"], frame["category"], strict=True))


def test_region_84_neurologie_map_says_what_the_table_says(supply):
    """Neurologie is a lumped DREES group (upper bound): the map said « peut accueillir », the table « indéterminé »."""
    result = coverage_table("84", ["neurologie"], supply)
    table = dict(zip(result.table["code_dep"], result.table["group_status"], strict=True))
    spec = coverage_map_spec(result, "neurologie")
    assert _categories(spec) == table
    assert "alone" not in table.values() and set(table.values()) <= {"covered", "indetermine", "none"}
    frame = spec.layers[0].frame.set_index("code_dep")
    for code, status in table.items():
        assert frame.at[code, "couverture"] == COVERAGE_LABEL[status]
        assert frame.at[code, "fill"] == COVERAGE_FILL[status]
    uncovered = [c for c, s in table.items() if s != "covered"]
    assert all("(majorant)" in frame.at[c, "n_specialistes"] for c in uncovered)
    assert "peut accueillir" not in " ".join(frame["couverture"])
    assert any("groupe DREES réunissant plusieurs spécialités" in note for note in spec.notes)


def test_france_map_973_976_threshold_unreachable(supply):
    """Guyane and Mayotte have no land neighbour: « seuil inatteignable », as in the report."""
    result = coverage_table(None, ["cardiologie"], supply)
    spec = coverage_map_spec(result)
    categories = _categories(spec)
    assert len(categories) == 101
    assert categories["973"] == "none" and categories["976"] == "none"
    table = dict(zip(result.table["code_dep"], result.table["group_status"], strict=True))
    assert categories == table
    frame = spec.layers[0].frame.set_index("code_dep")
    assert frame.at["973", "couverture"].lower() == GROUP_STATUS_FR["none"]
    legend = [item.label for item in spec.legend[0].items]
    assert COVERAGE_LABEL["none"] in legend and not any("voisins" in lab and "regrouper" in lab for lab in legend)
    assert spec.subtitle == "France entière (101 départements)"


def test_legend_and_labels_are_the_coverage_table_s(supply):
    assert set(COVERAGE_FILL) == set(COVERAGE_LABEL) == set(GROUP_STATUS_FR)
    result = coverage_table("76", ["ophtalmologie", "cardiologie"], supply)
    spec = coverage_map_spec(result, "ophtalmologie")
    present = {c for c in _categories(spec).values()}
    assert [i.label for i in spec.legend[0].items] == [COVERAGE_LABEL[c] for c in COVERAGE_FILL if c in present]
    assert spec.subtitle == "Région Occitanie"


def test_specialty_and_region_must_be_in_the_result(supply):
    result = coverage_table("76", ["ophtalmologie", "cardiologie"], supply)
    with pytest.raises(InputDataError, match="specialty is required"):
        coverage_map_spec(result)
    with pytest.raises(InputDataError, match="'dermatologie' is not in the coverage result"):
        coverage_map_spec(result, "dermatologie")
    with pytest.raises(InputDataError, match="region '11' is not in the coverage result"):
        coverage_map_spec(result, "cardiologie", region="11")
    france = coverage_table(None, ["cardiologie"], supply)
    one = coverage_map_spec(france, region="76")
    assert _categories(one) == _categories(coverage_map_spec(result, "cardiologie"))
    assert not [i for i in one.insets if i.kind == "idf"]


def test_coverage_map_html_shows_the_table_label(supply):
    result = coverage_table("84", ["neurologie"], supply)
    page = map_html(make_coverage_map(result))
    assert json.dumps(html.escape(COVERAGE_LABEL["indetermine"], quote=True))[1:-1] in page  # legend (JSON)
    assert "peut accueillir" not in page and json.dumps("peut accueillir")[1:-1] not in page


@pytest.mark.shared
def test_unconfirmed_perimeter_is_said_in_tooltip_note_cell_and_report_sentence(supply):
    """Isère's cardiology ESS has an uncertain perimeter in the embedded registry: covered, « à vérifier »."""
    result = coverage_table("84", ["cardiologie"], supply)
    spec = coverage_map_spec(result, "cardiologie", region="84")
    assert any("à vérifier auprès de l'ESS ou de l'ARS : 38 (incertain)" in n for n in spec.notes)
    tooltips = {ess for layer in spec.layers if "ess" in layer.frame for ess in layer.frame["ess"]}
    assert "ESS Cardio + Isère (périmètre incertain : à vérifier)" in tooltips
    assert cell_text("covered_certainty", "uncertain") == "incertain" and cell_text("covered_certainty", None) == ""
    sentence = specialty_sentence(result.summary.iloc[0], cross_region=False)
    assert "1 département couvert (dont 1 selon un périmètre probable ou incertain : à vérifier)" in sentence
