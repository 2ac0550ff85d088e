"""Issue 15.1 in the planning analyses: a département without a readable count is never planned on as 0."""

from __future__ import annotations

import pandas as pd
import pytest

from ess_geo.analysis.coverage import coverage_table
from ess_geo.analysis.proposals import propose_territories
from ess_geo.inputs.load import load_supply
from synthetic import write_drees_broken_synthetic


@pytest.mark.shared
def test_coverage_and_proposals_name_the_missing_departement(drees_effectifs, tmp_path):
    sup = load_supply(write_drees_broken_synthetic(drees_effectifs, tmp_path, "77", group="12-Pneumologie"))
    cov = coverage_table("11", specialties=["pneumologie"], supply=sup, as_of="2023-06-01")
    row = cov.table.set_index("code_dep").loc["77"]
    assert row["group_status"] == "indetermine" and pd.isna(row["n_specialists"])  # unknown, not 0
    assert any("77 (ligne absente du fichier d'effectifs)" in n for n in cov.notes)
    props = propose_territories("pneumologie", region="11", supply=sup, as_of="2023-06-01")
    assert props.counts_exact  # 12-Pneumologie is one specialty: only 77 is unknown, and said so
    assert props.warnings == ["départements sans effectif lisible, comptés 0 dans la recherche seulement (tout "
                              "territoire qui les contient est indéterminé) : 77 (ligne absente du fichier d'effectifs)"]
    with_77 = [p for p in props.proposals if "77" in p.departements]
    assert with_77 and all(p.check.criterion("threshold").status == "unknown" for p in with_77)
    # the text says « au moins » and « ? » for them (was « 137 spécialistes ✗ », read as a count and a failure)
    text = props.summary_fr()
    for p in with_77:
        line = next(line for line in text.splitlines() if p.label_fr in line)
        assert "au moins " in line and line.endswith("?"), line
    # …and the JSON and GeoPackage say « not known » too (None), never False (acceptance finding)
    assert all(p.criteria_ok is None for p in with_77)
    assert all(p.to_dict()["criteria_ok_except_adherents"] is None for p in with_77)
