"""``TerritoryCheck.to_geodataframe()``: the dissolved territory with its verdict and key figures (issue 13.5)."""

from __future__ import annotations

import pandas as pd

from ess_geo.reference.geography import load_departements
from ess_geo.rules.adherents import needed_figure
from ess_geo.rules.territory import check_territory
from ess_geo.rules.territory_geo import TERRITORY_COLUMNS, departements_frame, dissolved_departements


def test_to_geodataframe_is_the_dissolved_territory_with_the_check_figures():
    check = check_territory("pediatrie", "14,50,61", adherents=20)
    frame = check.to_geodataframe()
    assert len(frame) == 1 and frame.crs.to_epsg() == 4326
    assert list(frame.columns[: len(TERRITORY_COLUMNS)]) == TERRITORY_COLUMNS
    assert [c for c in frame.columns if c.startswith("statut_")] == [f"statut_{c.id}" for c in check.criteria]
    row = frame.iloc[0]
    data = check.to_dict()
    assert row["verdict"] == data["verdict"] == "admissible" and bool(row["admissible"]) is True
    assert row["departements"] == "14,50,61" and row["specialite"] == "pediatrie"
    threshold = check.criterion("threshold").evidence
    adherents = check.criterion("adherents").evidence
    assert row["n_specialistes_min"] == threshold["low"] and row["n_specialistes_max"] == threshold["high"]
    assert row["n_liberaux"] == adherents["specialists"] and row["adherents"] == 20
    assert row["adherents_requis"] == adherents["needed_now"] and row["adherents_requis_5ans"] == adherents["needed_5y"]
    assert row["statut_adherents"] == "pass"
    # the outline is the union of the three départements: same area, shared borders gone
    deps = load_departements()
    parts = deps[deps["code_dep"].isin(["14", "50", "61"])].to_crs(2154)
    area = frame.to_crs(2154).area.iloc[0]
    assert abs(area - parts.area.sum()) / parts.area.sum() < 0.005
    assert frame.geometry.iloc[0].is_valid


def test_unknown_figures_are_missing_not_zero():
    check = check_territory("cardiologie", "48", embedded_supply=False)
    row = check.to_geodataframe().iloc[0]
    assert row["verdict"] == "indéterminé" and pd.isna(row["admissible"])
    assert pd.isna(row["n_specialistes_min"]) and pd.isna(row["adherents"]) and pd.isna(row["adherents_requis"])


def test_several_specialties_export_the_adherents_needed_that_compare_and_the_dossier_show():
    """An ESS pluri-spécialités has a range of needed adherents; when its ends agree the export gives the
    figure (it gave <NA> while ``compare`` and the dossier said 21), read by ``needed_figure``."""
    check = check_territory("cardiologie,nephrologie", ["77", "91"])
    adherents = check.evidence("adherents")
    assert "needed_now" not in adherents and adherents["needed_now_range"][0] == adherents["needed_now_range"][1]
    row = check.to_geodataframe().iloc[0]
    assert row["adherents_requis"] == needed_figure(adherents, "needed_now") == adherents["needed_now_range"][0]
    assert row["adherents_requis_5ans"] == needed_figure(adherents, "needed_5y")
    assert check.evidence("no-such-criterion") == {}


def test_departements_frame_and_dissolve():
    check = check_territory("pediatrie", "14,50,61", adherents=20)
    deps = departements_frame(check)
    assert list(deps["code_dep"]) == ["14", "50", "61"] and deps.crs.to_epsg() == 4326
    by_dep = check.criterion("threshold").evidence["by_departement"]
    assert dict(zip(deps["code_dep"], deps["n_specialistes"], strict=True)) == by_dep
    assert dissolved_departements([]).is_empty
