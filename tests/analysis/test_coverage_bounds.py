"""Coverage classes from the bounds of the embedded supply (real DREES 2022 + CNAM 2018 tables)."""

from __future__ import annotations

from ess_geo.analysis.coverage import coverage_table
from ess_geo.analysis.coverage_groups import host_alone
from ess_geo.analysis.proposals import propose_territories
from ess_geo.inputs.embedded import load_embedded_supply
from ess_geo.inputs.registry import Registry


def test_host_alone_is_the_threshold_rule():
    assert host_alone(10, None) is True and host_alone(10, 10) is True
    assert host_alone(7, 9) is False and host_alone(7, 193) is None and host_alone(7, None) is None
    # sources that disagree decide when both figures are on the same side of 10, as the threshold criterion
    assert host_alone(21, 16) is True and host_alone(9, 8) is False and host_alone(10, 6) is None


def test_lumped_neurologie_in_paca_is_a_range():
    res = coverage_table("93", ["neurologie"], load_embedded_supply(), Registry())
    row = res.table.set_index("code_dep").loc["84"]
    assert (row["n_specialists_low"], row["n_specialists_high"]) == (7, 193)
    assert row["group_status"] == "indetermine" and row["could_host_alone"] is not True and not row["exact"]
    assert any("31 décembre 2018" in s.vintage for s in res.sources)


def test_exact_cardiologie_and_a_disagreeing_departement():
    sup = load_embedded_supply()
    tab = coverage_table("84", ["cardiologie"], sup, Registry()).table.set_index("code_dep")
    assert tab.at["69", "group_status"] == "alone" and bool(tab.at["69", "exact"])
    # Ain: CNAM 2018 counts 21 libéral cardiologists, DREES 2022 16 in all modes: both ≥ 10, so it can host an
    # ESS alone, as check says (« Sources discordantes …, mais chacune ≥ 10 »); the figure itself is not exact
    assert tab.at["01", "group_status"] == "alone" and not bool(tab.at["01", "exact"])
    assert (tab.at["01", "n_specialists_low"], tab.at["01", "n_specialists_high"]) == (21, 16)


def test_proposals_on_exact_embedded_counts():
    res = propose_territories("cardiologie", "53", load_embedded_supply(), Registry(), check=False)
    assert res.counts_exact and res.n_territories == 4
    assert res.proposals[0].total == 48  # Côtes-d'Armor, DREES 2022 all modes
