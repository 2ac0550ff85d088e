"""Guyane and Mayotte read the same in check, coverage table, report and France map (issue 12, real DREES file)."""

from __future__ import annotations

import pytest

from ess_geo.analysis.coverage import GROUP_STATUS_FR, coverage_table
from ess_geo.analysis.proposals import propose_territories
from ess_geo.inputs.load import load_supply
from ess_geo.render.coverage_spec import coverage_map_spec
from ess_geo.render.reports import render_region_html
from ess_geo.rules.derogations import UNREACHABLE_FR
from ess_geo.rules.territory import check_territory

pytestmark = pytest.mark.shared

#: Cardiologists counted by the DREES table (all modes of practice): Guyane 9, Mayotte 3.
OVERSEAS = {"973": ("03", 9), "976": ("06", 3)}


@pytest.fixture(scope="module")
def drees(request):
    return load_supply(request.getfixturevalue("drees_effectifs"))


@pytest.fixture(scope="module")
def france(drees):
    return coverage_table(None, ["cardiologie"], drees)


def test_the_coverage_class_label_is_the_check_s_wording():
    assert GROUP_STATUS_FR["none"] == UNREACHABLE_FR
    assert UNREACHABLE_FR == "seuil inatteignable dans la région : dérogation possible (circonstances particulières)"


@pytest.mark.parametrize("dep", sorted(OVERSEAS))
def test_973_and_976_read_the_same_everywhere(drees, france, dep):
    code_region, n = OVERSEAS[dep]
    # check
    threshold = check_territory("cardiologie", [dep], supply=drees).criterion("threshold")
    assert threshold.status == "fail" and threshold.evidence["total"] == n
    assert UNREACHABLE_FR in threshold.message.lower()
    # coverage table
    row = france.table.set_index("code_dep").loc[dep]
    assert row["n_specialists"] == n and row["group_status"] == "none"
    assert GROUP_STATUS_FR[row["group_status"]] == UNREACHABLE_FR
    assert any(UNREACHABLE_FR[1:] in note for note in france.notes)
    # report (the région page lists the département with the class label)
    page = render_region_html(france, code_region)
    assert UNREACHABLE_FR in page
    assert "regrouper" not in page.lower()
    # France map: the département's class and its tooltip label
    frame = coverage_map_spec(france, "cardiologie").layers[0].frame.set_index("code_dep")
    assert frame.at[dep, "category"] == "none"
    assert frame.at[dep, "couverture"].lower() == UNREACHABLE_FR
    # propose: the département cannot be placed, for the same reason
    unplaced = propose_territories("cardiologie", code_region, drees).unplaced
    assert [u.departement for u in unplaced] == [dep] and UNREACHABLE_FR in unplaced[0].reason
