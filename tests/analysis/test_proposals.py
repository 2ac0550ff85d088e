"""Tests of the exact ESS territory proposals (max-p at département scale)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ess_geo.analysis.proposals import propose_territories
from ess_geo.errors import InputDataError, UnknownCodeError
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.registry import EssEntry, Registry
from ess_geo.inputs.supply import Supply
from ess_geo.reference import codes, geography
from ess_geo.sources import Source


def _dep_supply_synthetic(counts: dict[str, int], spec="cardiologie", group="07-Cardiologie") -> Supply:
    tab = pd.DataFrame(
        {
            "code_dep": list(counts),
            "specialty": spec,
            "drees_group": group,
            "n_specialists": list(counts.values()),
            "mode": "tous",
            "source": "synthetic",
        }
    )
    return Supply(table=tab, source=Source("synthetic supply", "test"))


def test_proposals_on_real_departements_synthetic_counts():
    # Bretagne (53): 22, 29, 35, 56 — counts chosen so that 22+29 must merge
    sup = _dep_supply_synthetic({"22": 4, "29": 7, "35": 30, "56": 12})
    res = propose_territories("cardiologie", "53", sup, Registry())
    assert [p.departements for p in res.proposals] == [["22", "29"], ["35"], ["56"]] or res.n_territories == 3
    assert res.n_territories == 3
    for p in res.proposals:
        assert p.criteria_ok
        assert p.check.criterion("adherents").status == "unknown"


def test_proposals_skip_covered_and_list_unplaced():
    sup = _dep_supply_synthetic({"22": 4, "29": 3, "35": 30, "56": 12})
    reg = Registry([EssEntry("x", "ESS test", ("cardiologie",), ("35", "56"), "53", "active", "synthetic")])
    res = propose_territories("cardiologie", "53", sup, reg)
    assert res.covered == {"35": "x", "56": "x"}
    assert res.n_territories == 0
    assert sorted(u.departement for u in res.unplaced) == ["22", "29"]
    assert "7 < 10" in res.unplaced[0].reason
    assert "35 (x)" in res.unplaced[0].reason


def test_proposals_need_a_valid_objective():
    with pytest.raises(InputDataError, match="'tiny'"):
        propose_territories("cardiologie", "53", _dep_supply_synthetic({"22": 1}), objective="tiny")


@pytest.mark.shared
def test_known_region_proposals_recheck_pass(drees_effectifs):
    sup = load_supply(drees_effectifs)
    res = propose_territories("cardiologie", "84", sup)  # Auvergne-Rhône-Alpes, 12 départements
    assert res.counts_exact
    assert res.n_territories >= 10
    assert sorted(d for p in res.proposals for d in p.departements) + sorted(u.departement for u in res.unplaced) == sorted(
        res.universe
    )
    for p in res.proposals:
        # re-check independently: every deciding criterion passes except adherents (unknown)
        statuses = {c.id: c.status for c in p.check.criteria}
        assert statuses["threshold"] == "pass" and statuses["contiguity"] == "pass"
        assert statuses["overlap"] == "pass" and statuses["perimeter"] == "pass" and statuses["specialty"] == "pass"
        assert statuses["adherents"] == "unknown"
        assert p.check.count.total >= 10
        assert all(codes.region_of(d) == "84" for d in p.departements)


@pytest.mark.shared
def test_region_with_registry_excludes_covered(drees_effectifs):
    sup = load_supply(drees_effectifs)
    reg = Registry()
    for spec in ("cardiologie", "dermatologie", "pediatrie"):
        covered = Registry().covered_departements(spec)
        res = propose_territories(spec, "11", sup)
        assert not set(covered) & {d for p in res.proposals for d in p.departements}
    assert len(reg) == 0


@pytest.mark.shared
def test_non_exact_group_is_flagged(drees_effectifs):
    res = propose_territories("neurologie", "53", load_supply(drees_effectifs))
    assert not res.counts_exact
    assert "majorants" in res.warnings[0]
    assert all(p.check.criterion("threshold").status == "unknown" for p in res.proposals)
    assert not res.determined and res.to_dict()["determined"] is False
    text = res.summary_fr()
    assert "Résultat indéterminé" in text and "optimum exact" not in text and "borne supérieure" not in text


def test_summary_plurals_and_separators_synthetic():
    from ess_geo._format import nombre as _nombre
    from ess_geo._format import plural as _plural

    assert _plural(1, "commune") == "1 commune" and _plural(0, "unité") == "0 unité"
    assert _plural(2, "territoire proposé", "territoires proposés") == "2 territoires proposés"
    assert _nombre(1250) == "1\u202f250"


def _rpps_both_synthetic(tmp_path, n: int):
    """Synthetic RPPS extraction: ``n`` cardiologists each practising in Digne (04) AND Gap (05)."""

    from ess_geo.inputs.rpps import load_rpps
    from synthetic import doctor_line, write_rpps

    lines = []
    for i in range(1, n + 1):
        lines.append(doctor_line(i, "SM04", "L", commune="04070", cp="04000", commune_label="DIGNE-LES-BAINS"))
        lines.append(doctor_line(i, "SM04", "L", commune="05061", cp="05000", commune_label="GAP"))
    # a dermatologist in each other département of the région: the extraction covers them (0 cardiologists),
    # a département without any line would be unknown, never 0 (issue 15.1)
    for j, (commune, cp, label) in enumerate([("06088", "06000", "NICE"), ("13001", "13100", "AIX-EN-PROVENCE"),
                                               ("83137", "83000", "TOULON"), ("84007", "84000", "AVIGNON")]):
        lines.append(doctor_line(n + 1 + j, "SM15", "L", commune=commune, cp=cp, commune_label=label))
    return load_rpps(write_rpps(tmp_path / "PS_LibreAcces_Personne_activite_202504040839.txt", lines))


def test_upper_bound_holds_for_doctors_in_two_departements_synthetic(tmp_path):
    # finding 4: 10 doctors each in 04 and 05; both territories legitimately count them
    sup = _rpps_both_synthetic(tmp_path, 10)
    res = propose_territories("cardiologie", "93", sup, Registry())
    assert res.n_territories == 2
    assert res.upper_bound == 2  # ⌊(10 + 10) / 10⌋, not ⌊10 distinct / 10⌋ = 1
    assert res.n_territories <= res.upper_bound and res.optimal
    assert all(p.total == 10 and p.criteria_ok for p in res.proposals)
    assert any("10 médecins exercent dans plusieurs territoires proposés et sont comptés dans chacun (ils exercent" in w for w in res.warnings)
    assert res.to_dict()["upper_bound"] == 2


def test_upper_bound_is_min_of_departements_and_floor_of_total_synthetic():
    sup = _dep_supply_synthetic({"22": 4, "29": 7, "35": 30, "56": 12})
    res = propose_territories("cardiologie", "53", sup, Registry())
    # 53 specialists would allow 5 territories, but Bretagne has only 4 départements
    assert res.upper_bound == 4 and res.n_territories == 3
    small = propose_territories("cardiologie", "53", _dep_supply_synthetic({"22": 4, "29": 7, "35": 9, "56": 3}), Registry())
    assert small.upper_bound == 2
    assert not any("plusieurs territoires" in w for w in res.warnings)


def test_balance_wording_says_sum_of_squares_synthetic():
    sup = _dep_supply_synthetic({"22": 4, "29": 7, "35": 30, "56": 12})
    res = propose_territories("cardiologie", "53", sup, Registry(), objective="balance")
    assert "somme des carrés" in res.summary_fr()


def test_regions_all_and_lists_synthetic():
    sup = _dep_supply_synthetic({"22": 4, "29": 7, "35": 30, "56": 12})
    assert propose_territories("cardiologie", "all", sup, Registry(), check=False).regions == sorted(
        geography.load_regions()["code_region"]
    )
    assert propose_territories("cardiologie", ["53", "52"], sup, Registry(), check=False).regions == ["53", "52"]
    with pytest.raises(UnknownCodeError, match="'99'"):
        propose_territories("cardiologie", "53,99", sup, Registry())


def test_proposals_without_check_serialise_and_summarise_synthetic():
    # regression (issue 10): to_dict() / summary_fr() raised AttributeError with check=False
    sup = _dep_supply_synthetic({"22": 4, "29": 7, "35": 30, "56": 12})
    res = propose_territories("cardiologie", "53", sup, Registry(), check=False)
    assert res.n_territories == 3
    assert all(p.check is None and p.criteria_ok is None for p in res.proposals)
    data = res.to_dict()
    assert [p["check"] for p in data["proposals"]] == [None, None, None]
    assert [p["criteria_ok_except_adherents"] for p in data["proposals"]] == [None, None, None]
    assert json.dumps(data)
    lines = res.summary_fr().splitlines()
    assert sum(line.rstrip().endswith("?") for line in lines) == 3  # not re-checked: « ? », never ✓ / ✗
    checked = propose_territories("cardiologie", "53", sup, Registry())
    assert [p.total for p in checked.proposals] == [p.total for p in res.proposals]
    assert all(p.criteria_ok is True for p in checked.proposals)


def test_across_regions_needs_the_perimeter_derogation_synthetic():
    # issue 12: the région is the maximum; crossing régions is a derogation to assume explicitly
    sup = _dep_supply_synthetic({"53": 6, "35": 6, "22": 30, "44": 30})
    with pytest.raises(InputDataError, match="across_regions=True needs the perimeter derogation") as info:
        propose_territories("cardiologie", ["52", "53"], sup, Registry(), across_regions=True)
    assert "--across-regions suppose une dérogation de périmètre" in info.value.fr
    res = propose_territories("cardiologie", ["52", "53"], sup, Registry(), across_regions=True, derogations={"perimeter"})
    assert res.derogations == ["perimeter"] and res.to_dict()["derogations"] == ["perimeter"]
    assert res.proposals and all(p.perimeter_derogation for p in res.proposals)
    phrase = "dérogation de périmètre supposée (à faire valider par l'ARS)"
    text = res.summary_fr()
    for i, p in enumerate(res.proposals, start=1):
        assert phrase in p.derogation_fr and p.to_dict()["derogation"] == p.derogation_fr
        assert phrase in next(line for line in text.splitlines() if line.startswith(f"  {i}. "))
    crossing = [p for p in res.proposals if len(p.regions) > 1]
    assert crossing, "53 (6) and 35 (6) only reach 10 together, across Pays de la Loire and Bretagne"
    assert all(p.check.criterion("perimeter").status == "warn" for p in crossing)
    # within one région, no proposal mentions a derogation
    plain = propose_territories("cardiologie", "53", sup, Registry())
    assert all(p.derogation_fr is None and p.to_dict()["derogation"] is None for p in plain.proposals)
    assert "dérogation" not in plain.summary_fr()


def test_propose_defaults_to_the_embedded_supply_like_check():
    """``propose_territories`` without ``supply`` reads the embedded counts, as ``check_territory`` does."""
    res = propose_territories("pediatrie", region="28")
    assert res.proposals
    assert any("DREES" in s.name for s in res.sources)
