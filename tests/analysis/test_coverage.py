"""Coverage table: covered-by, counts vs the raw DREES CSV, smallest contiguous groups, upper bounds."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from ess_geo.analysis.coverage import (
    GROUP_STATUS_FR,
    TABLE_COLUMNS,
    CoverageResult,
    coverage_table,
    default_specialties,
    group_counter,
    potential_territories,
    smallest_group,
)
from ess_geo.analysis.coverage_columns import covering_ess_fr
from ess_geo.analysis.coverage_groups import could_host_alone
from ess_geo.analysis.proposals import propose_territories
from ess_geo.errors import InputDataError, UnknownCodeError, UnknownSpecialtyError
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.registry import Registry
from ess_geo.inputs.supply import Supply
from ess_geo.reference import codes, geography
from ess_geo.reference.population import density_per_100k
from ess_geo.reference.specialties import get_specialty
from ess_geo.rules.criteria import MIN_SPECIALISTS, connected_pieces
from ess_geo.rules.funding import STARTUP_CREDIT_EUR
from ess_geo.rules.territory import check_territory
from ess_geo.sources import Source

HEADER = "id,name,specialties,departements,region,status,source,source_date\n"


# --- synthetic graph --------------------------------------------------------------------------

SYNTHETIC_GRAPH = {
    "a": frozenset({"b", "c"}),
    "b": frozenset({"a", "d"}),
    "c": frozenset({"a", "d"}),
    "d": frozenset({"b", "c", "e"}),
    "e": frozenset({"d"}),
}


def test_smallest_group_synthetic_grows_by_adjacency():
    counts = {"a": 2, "b": 3, "c": 3, "d": 9, "e": 1}
    pop = {"a": 10, "b": 20, "c": 5, "d": 10, "e": 10}
    # a alone: 2; a+b or a+c: 5; size 3: a+b+d = 14, a+c+d = 14 -> tie on count, smaller population wins (c)
    assert smallest_group("a", set(counts), counts, pop, SYNTHETIC_GRAPH) == ["a", "c", "d"]
    # e: e+d = 10 reaches exactly the threshold
    assert smallest_group("e", set(counts), counts, pop, SYNTHETIC_GRAPH) == ["d", "e"]
    # d is not allowed (covered): a can only reach a+b+c... which are not connected without d -> a+b, a+c only
    assert smallest_group("a", {"a", "b", "c", "e"}, counts, pop, SYNTHETIC_GRAPH) is None


def test_smallest_group_prefers_largest_count_at_equal_size():
    counts = {"a": 5, "b": 6, "c": 9, "d": 0, "e": 0}
    pop = dict.fromkeys(counts, 1)
    assert smallest_group("a", set(counts), counts, pop, SYNTHETIC_GRAPH) == ["a", "c"]


def test_potential_territories_are_disjoint():
    rows = [
        {"code_dep": "a", "group_status": "alone", "group": ["a"]},
        {"code_dep": "b", "group_status": "group", "group": ["a", "b"]},
        {"code_dep": "c", "group_status": "group", "group": ["c", "d"]},
        {"code_dep": "d", "group_status": "group", "group": ["c", "d"]},
        {"code_dep": "e", "group_status": "covered", "group": None},
    ]
    assert potential_territories(rows) == [["a"], ["c", "d"]]


# --- real geography and the real DREES table --------------------------------------------------


@pytest.fixture(scope="module")
def drees(drees_effectifs):
    return load_supply(drees_effectifs)


@pytest.fixture(scope="module")
def national(drees):
    return coverage_table(None, None, drees)


@pytest.mark.shared
def test_default_specialties_are_the_exact_drees_groups(drees):
    ids = [s.id for s in default_specialties(drees)]
    assert "cardiologie" in ids and "ophtalmologie" in ids
    assert "neurologie" not in ids and "psychiatrie" not in ids
    assert all(s.drees_group_exact for s in default_specialties(drees))
    assert "neurologie" in [s.id for s in default_specialties(drees, include_lumped=True)]


@pytest.mark.shared
def test_national_counts_match_raw_csv(drees_raw, national, drees_effectifs):
    raw = drees_raw
    tab = national.table
    assert len(tab) == 101 * len(national.specialties)
    for spec in national.specialties:
        rows = tab[tab["specialty"] == spec.id]
        got = dict(zip(rows["code_dep"], rows["n_specialists"].astype(int), strict=True))
        assert got == raw[spec.drees_group], spec.id
        assert int(rows["n_specialists"].sum()) == sum(raw[spec.drees_group].values())
    # summary per région = sum of its départements in the raw file
    summ = national.summary
    for code_region in ("11", "76", "94"):
        deps = codes.departements_of_region(code_region)
        row = summ[(summ["code_region"] == code_region) & (summ["specialty"] == "cardiologie")].iloc[0]
        assert row["n_specialists"] == sum(raw["07-Cardiologie"][d] for d in deps)


@pytest.mark.shared
def test_covered_by_embedded_registry(national):
    tab = national.table
    cardio = tab[(tab["specialty"] == "cardiologie") & (tab["code_region"] == "11")].set_index("code_dep")
    assert cardio.at["75", "covered_by"] == "idf-cardiologie"
    assert cardio.at["94", "group_status"] == "covered"
    assert cardio.at["77", "covered_by"] == "idf-cardiologie"  # today: the eight départements
    at_launch = coverage_table("11", ["cardiologie"], as_of="2023-06-01").table.set_index("code_dep")
    assert at_launch.at["94", "covered_by"] == "idf-cardiologie" and pd.isna(at_launch.at["77", "covered_by"])
    ophtalmo = tab[(tab["specialty"] == "ophtalmologie") & (tab["code_region"] == "11")]
    assert set(ophtalmo["covered_by"]) == {"idf-argos-ophtalmologie"}


@pytest.mark.shared
def test_density_and_alone_flag(national):
    pops = geography.load_departements().set_index("code_dep")["population"]
    tab = national.table
    for rec in tab[tab["specialty"] == "pneumologie"].to_dict(orient="records"):
        if pd.notna(pops[rec["code_dep"]]):
            assert rec["density_per_100k"] == pytest.approx(rec["n_specialists"] * 100_000 / pops[rec["code_dep"]], abs=0.006)
        else:  # Mayotte: no population in the embedded data -> no density
            assert rec["density_per_100k"] is None or str(rec["density_per_100k"]) == "<NA>"
        assert bool(rec["could_host_alone"]) == (rec["n_specialists"] >= MIN_SPECIALISTS)


@pytest.mark.shared
def test_groups_are_minimal_connected_uncovered_and_in_region(national):
    graph = geography.adjacency_graph()
    tab = national.table
    groups = tab[tab["group_status"] == "group"]
    assert len(groups) > 0
    for rec in groups.to_dict(orient="records"):
        sub = tab[(tab["specialty"] == rec["specialty"]) & (tab["code_region"] == rec["code_region"])]
        counts = dict(zip(sub["code_dep"], sub["n_specialists"].astype(int), strict=True))
        allowed = set(sub.loc[sub["group_status"] != "covered", "code_dep"])
        g = rec["group"]
        assert rec["code_dep"] in g and set(g) <= allowed
        assert len(connected_pieces(g, graph)) == 1
        assert sum(counts[d] for d in g) == rec["group_n_specialists"] >= MIN_SPECIALISTS
        # no smaller connected subset containing the département reaches the threshold (brute force)
        others = sorted(allowed - {rec["code_dep"]})
        for k in range(1, len(g)):
            for extra in itertools.combinations(others, k - 1):
                cand = [rec["code_dep"], *extra]
                if len(connected_pieces(cand, graph)) == 1:
                    assert sum(counts[d] for d in cand) < MIN_SPECIALISTS, (rec["specialty"], cand)


@pytest.mark.shared
def test_lumped_group_is_an_upper_bound_never_a_yes(drees):
    res = coverage_table("84", ["neurologie", "cardiologie"], drees)
    neuro = res.table[res.table["specialty"] == "neurologie"]
    assert not neuro["exact"].any()
    assert not neuro["could_host_alone"].fillna(False).any()  # never True from a majorant
    assert set(neuro["group_status"]) <= {"indetermine", "none"}
    assert "majorant" in res.basis["neurologie"]


@pytest.mark.shared
def test_funding_is_startup_credit_per_potential_ess(national):
    s = national.summary
    assert (s["startup_credit_eur"] == s["potential_new_ess"] * STARTUP_CREDIT_EUR).all()
    assert (s["potential_new_ess"] >= s["n_alone"]).all()
    assert any("indicatif" in n.lower() for n in national.notes)


@pytest.mark.shared
def test_sources_carry_vintages(national):
    names = [s.name for s in national.sources]
    assert any("DREES" in n for n in names)
    assert all(s.vintage for s in national.sources)


@pytest.mark.shared
def test_cross_region_groups_can_leave_the_region(drees):
    res = coverage_table("27", ["cardiologie"], drees, cross_region=True, derogations={"perimeter"})
    haute_saone = res.table.set_index("code_dep").loc["70"]
    assert haute_saone["group_status"] == "group"


def test_without_supply_counts_are_unknown():
    res = coverage_table("11", ["cardiologie"], as_of="2023-06-01")  # ESS Cardiologie IDF on 75 + 94 then
    tab = res.table.set_index("code_dep")
    assert tab["n_specialists"].isna().all()
    assert tab.at["75", "group_status"] == "covered"
    assert tab.at["77", "group_status"] == "indetermine"
    assert res.supply_given is False


def test_registry_file_is_used(tmp_path):
    p = tmp_path / "synthetic_registry.csv"
    p.write_text(HEADER + "x1,ESS synthétique,pneumologie,2A;2B,94,active,test,2026-01-01\n", encoding="utf-8")
    res = coverage_table("94", ["pneumologie"], None, p)
    assert set(res.table["covered_by"]) == {"x1"}
    assert set(res.table["covered_by_name"]) == {"ESS synthétique"}


def test_bad_inputs_name_the_value():
    with pytest.raises(UnknownCodeError, match="99"):
        coverage_table("99", ["cardiologie"])
    with pytest.raises(UnknownSpecialtyError, match="cardiolojie"):
        coverage_table("11", ["cardiolojie"])
    with pytest.raises(InputDataError, match=r"not_here\.csv"):
        coverage_table("11", ["cardiologie"], "not_here.csv")


# --- findings 3, 19b, 20: distinct doctors, one région resolver, exact "new ESS possible" -------


def _rpps_supply_synthetic(tmp_path, both: int, gap_only: int = 0):
    """Synthetic RPPS extraction: ``both`` cardiologists practising in Digne (04) AND Gap (05)."""

    from ess_geo.inputs.rpps import load_rpps
    from synthetic import doctor_line, write_rpps

    digne = dict(commune="04070", cp="04000", commune_label="DIGNE-LES-BAINS")
    gap = dict(commune="05061", cp="05000", commune_label="GAP")
    lines = []
    for n in range(1, both + 1):
        lines += [doctor_line(n, "SM04", "L", **digne), doctor_line(n, "SM04", "L", **gap)]
    for n in range(100, 100 + gap_only):
        lines.append(doctor_line(n, "SM04", "L", **gap))
    return load_rpps(write_rpps(tmp_path / "PS_LibreAcces_Personne_activite_202504040839.txt", lines))


def test_groups_count_each_rpps_doctor_once_synthetic(tmp_path):
    sup = _rpps_supply_synthetic(tmp_path, both=6)
    res = coverage_table("93", ["cardiologie"], sup, Registry())
    tab = res.table.set_index("code_dep")
    assert tab.at["04", "n_specialists"] == 6 and tab.at["05", "n_specialists"] == 6
    # 04 + 05 hold 6 distinct doctors, not 12: no group reaches 10 (the other départements have none)
    assert tab.at["04", "group_status"] == "none" and tab.at["05", "group_status"] == "none"
    assert check_territory("cardiologie", ["04", "05"], supply=sup, registry=Registry()).count.total == 6
    assert res.summary.iloc[0]["potential_new_ess"] == 0


def test_group_count_is_the_supply_count_synthetic(tmp_path):
    sup = _rpps_supply_synthetic(tmp_path, both=6, gap_only=3)
    spec = get_specialty("cardiologie")
    count = group_counter(sup, spec, {"04": 6, "05": 9})
    assert count(frozenset({"04", "05"})) == sup.count(spec, ["04", "05"]).total == 9
    res = coverage_table("93", ["cardiologie"], sup, Registry())
    assert res.table.set_index("code_dep").at["04", "group_status"] == "none"  # 9 distinct < 10 (additive: 15)
    sup2 = _rpps_supply_synthetic(tmp_path, both=6, gap_only=4)
    tab = coverage_table("93", ["cardiologie"], sup2, Registry()).table.set_index("code_dep")
    assert tab.at["05", "group_status"] == "alone"
    assert tab.at["04", "group"] == ["04", "05"] and tab.at["04", "group_n_specialists"] == 10
    # additive tables still add
    assert group_counter(None, spec, {"04": 6, "05": 9})(frozenset({"04", "05"})) == 15


def test_regions_accept_all_and_lists():
    assert coverage_table("84,27", ["cardiologie"]).regions == ["84", "27"]
    assert len(coverage_table("all", ["cardiologie"]).regions) == 18
    with pytest.raises(UnknownCodeError, match="'99'"):
        coverage_table("84,99", ["cardiologie"])


@pytest.mark.shared
def test_new_ess_possible_is_the_exact_proposals_count(drees, national):
    summary = national.summary.set_index(["code_region", "specialty"])
    for (code_region, spec), row in summary.iterrows():
        found = propose_territories(spec, code_region, drees, check=False)
        assert row["potential_new_ess"] == found.n_territories, (code_region, spec)
    # e.g. Auvergne-Rhône-Alpes cardiology: 10 (Isère, 38, is covered by ESS Cardio + Isère since 2025-03;
    # on the départements of 2023 the greedy partition found 10 and the exact optimum 11)
    assert summary.loc[("84", "cardiologie"), "potential_new_ess"] == 10
    before = coverage_table("84", ["cardiologie"], drees, as_of="2023-06-01").summary.set_index("specialty")
    assert before.at["cardiologie", "potential_new_ess"] == 11
    assert any("ess-geo propose" in n for n in national.notes)


@pytest.mark.shared
def test_cross_region_potential_is_labelled_a_lower_bound(drees):
    res = coverage_table("27", ["cardiologie"], drees, cross_region=True, derogations={"perimeter"})
    assert any("minorant" in n for n in res.notes)


def _overseas_supply_synthetic() -> Supply:
    """Cardiologists in the five overseas départements: 973 and 976 under the floor."""
    counts = {"971": 30, "972": 25, "973": 4, "974": 40, "976": 2}
    tab = pd.DataFrame(
        {
            "code_dep": list(counts),
            "specialty": "cardiologie",
            "drees_group": "07-Cardiologie",
            "n_specialists": list(counts.values()),
            "mode": "tous",
            "source": "synthetic",
        }
    )
    return Supply(table=tab, source=Source("synthetic supply", "test"))


def test_island_under_the_floor_is_unreachable_not_to_group_synthetic():
    # issue 10: 973 and 976 have no land neighbour: « seuil inatteignable » (none), never « à regrouper »
    sup = _overseas_supply_synthetic()
    for code_region, dep in (("03", "973"), ("06", "976")):
        res = coverage_table(code_region, ["cardiologie"], sup, Registry())
        row = res.table.set_index("code_dep").loc[dep]
        assert row["group_status"] == "none" and row["could_host_alone"] == False  # noqa: E712 - pandas boolean
        assert row["group"] is None
        assert res.summary.iloc[0]["n_not_feasible"] == 1 and res.summary.iloc[0]["potential_new_ess"] == 0
    tab = coverage_table("04", ["cardiologie"], sup, Registry()).table.set_index("code_dep")
    assert tab.at["974", "group_status"] == "alone" and tab.at["974", "group"] == ["974"]
    assert set(GROUP_STATUS_FR) >= set(tab["group_status"])


def test_density_is_the_reference_formula_synthetic():
    res = coverage_table("04", ["cardiologie"], _overseas_supply_synthetic(), Registry())
    row = res.table.iloc[0]
    assert row["density_per_100k"] == density_per_100k(row["n_specialists"], row["population"])


def test_could_host_alone_is_undecided_on_an_upper_bound_above_the_floor():
    assert could_host_alone(None, True) is None
    assert could_host_alone(MIN_SPECIALISTS, True) is True
    assert could_host_alone(MIN_SPECIALISTS, False) is None
    assert could_host_alone(MIN_SPECIALISTS - 1, False) is False  # an upper bound below the floor is conclusive


def test_coverage_result_has_no_for_region_and_keeps_its_columns():
    # dead code removed in issue 10; the map reads CoverageResult.table["group_status"]
    assert not hasattr(CoverageResult, "for_region")
    assert "group_status" in TABLE_COLUMNS and "could_host_alone" in TABLE_COLUMNS


def test_cross_region_groups_need_the_perimeter_derogation():
    with pytest.raises(InputDataError, match="cross_region=True needs the perimeter derogation"):
        coverage_table("27", ["cardiologie"], cross_region=True)
    res = coverage_table("27", ["cardiologie"], cross_region=True, derogations={"perimetre"})
    assert any("dérogation de périmètre supposée (à faire valider par l'ARS)" in n for n in res.notes)
    with pytest.raises(InputDataError, match="'bogus'"):
        coverage_table("27", ["cardiologie"], derogations=["bogus"])



@pytest.mark.shared
def test_unconfirmed_perimeters_are_covered_but_said_to_be_checked(national):
    """The embedded registry's Isère cardiology ESS has an uncertain perimeter: the check says « à vérifier »
    for it (rule_overlap), so does the coverage table and its summary (the report and map: tests/render)."""
    tab = national.table.set_index(["specialty", "code_dep"])
    assert tab.at[("cardiologie", "38"), "group_status"] == "covered"
    assert tab.at[("cardiologie", "38"), "covered_certainty"] == "uncertain"
    assert tab.at[("cardiologie", "75"), "covered_certainty"] == "confirmed"
    assert pd.isna(tab.at[("cardiologie", "69"), "covered_certainty"])  # not covered
    summ = national.summary.set_index(["code_region", "specialty"])
    assert summ.at[("84", "cardiologie"), "n_covered_unconfirmed"] == 1
    assert summ.at[("11", "cardiologie"), "n_covered_unconfirmed"] == 0
    assert covering_ess_fr("ESS X", "probable") == "ESS X (périmètre probable : à vérifier)"
    assert covering_ess_fr("ESS X", "confirmed") == "ESS X" and covering_ess_fr(None, None) == "aucune"



def test_region_summary_counts_each_rpps_doctor_once_synthetic(tmp_path):
    """The région's specialists are distinct doctors, as a territory's: 6 practise in both 04 and 05 (PACA), 3 in
    05 only: 9 in the région and 9 outside any ESS, not the départements' sum of 15."""
    sup = _rpps_supply_synthetic(tmp_path, both=6, gap_only=3)
    res = coverage_table("93", ["cardiologie"], sup, Registry())
    tab = res.table.set_index("code_dep")
    assert tab.at["04", "n_specialists"] + tab.at["05", "n_specialists"] == 15
    row = res.summary.iloc[0]
    assert row["n_specialists"] == 9 == sup.count(get_specialty("cardiologie"), list(tab.index)).total
    assert row["n_specialists_uncovered"] == 9  # an empty registry: no département is covered


def test_region_summary_of_a_table_is_the_departements_sum(national):
    """DREES counts are per département of practice: the région's figure stays their sum."""
    row = national.summary.iloc[0]
    deps = national.table[national.table["code_region"] == row["code_region"]]
    deps = deps[deps["specialty"] == row["specialty"]]
    assert row["n_specialists"] == deps["n_specialists"].sum()
