"""Issue 15.1: a count that is missing or unreadable for a département of the territory is never 0.

The real DREES table (../shared/data) with the cardiologie line of Seine-et-Marne (77) deleted, or
its cell set to -5, NaN, 3.5, or its code given a NUL byte: on the whole file 77 + 91 is
admissible (238 cardiologists, 30 adherents ≥ 10 %); on every broken copy the threshold and the
adherents are ``unknown`` and name 77 with the reason, and the verdict is undetermined.
"""

from __future__ import annotations

import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs.load import load_supply
from ess_geo.rules.territory import check_territory
from ess_geo.rules.trajectory import simulate_adherents
from synthetic import write_drees_broken_synthetic

AT_LAUNCH = "2023-06-01"  # ESS Cardiologie Île-de-France then covered 75 and 94 only: no overlap on 77, 91

BROKEN = {
    "deleted": ({}, "77 (ligne absente du fichier d'effectifs)"),
    "negative": ({"cell": "-5"}, "77 (effectif négatif « -5 », ligne 79)"),
    "nan": ({"cell": "NaN"}, "77 (effectif non entier « NaN », ligne 79)"),
    "fraction": ({"cell": "3.5"}, "77 (effectif non entier « 3.5 », ligne 79)"),
    "nul_byte": ({"raw_code": "77\x00"}, "77 (ligne 79 ignorée : code département illisible '77\\x00')"),
}


@pytest.mark.shared
def test_whole_real_table_is_admissible(drees_effectifs):
    r = check_territory("cardiologie", ["77", "91"], adherents=30, supply=load_supply(drees_effectifs), as_of=AT_LAUNCH)
    assert r.criterion("threshold").status == "pass" and r.criterion("adherents").status == "pass"
    assert r.admissible is True


@pytest.mark.shared
@pytest.mark.parametrize("case", list(BROKEN))
def test_missing_count_makes_threshold_and_adherents_unknown(drees_effectifs, tmp_path, case):
    change, named = BROKEN[case]
    sup = load_supply(write_drees_broken_synthetic(drees_effectifs, tmp_path, "77", **change))
    r = check_territory("cardiologie", ["77", "91"], adherents=30, supply=sup, as_of=AT_LAUNCH)
    threshold, adherents = r.criterion("threshold"), r.criterion("adherents")
    assert threshold.status == "unknown" and adherents.status == "unknown"
    assert r.admissible is None
    for c in (threshold, adherents):
        assert named in c.message and "jamais compté 0" in c.message
        assert c.evidence["missing"] == ["77"] and list(c.evidence["missing_reasons"]) == ["77"]
    assert "91 : 137" in threshold.message  # what is known is still said
    assert adherents.evidence["share"] is None  # no share of a partial count (was 30/137)
    # nothing derived from a partial count: no density (was 137 over 77 + 91's population, 5.07), no adherents
    # « needed » (was 0, shown as « 0 » by compare and « au moins 0 » by the dossier)
    assert threshold.evidence["density_per_100k"] is None
    for key in ("specialists", "needed_now", "needed_5y"):
        assert adherents.evidence[key] is None, key
    assert adherents.evidence["needed_now_range"] == [None, None]


@pytest.mark.shared
def test_several_specialties_total_is_unknown_too(drees_effectifs, tmp_path):
    sup = load_supply(write_drees_broken_synthetic(drees_effectifs, tmp_path, "77"))
    r = check_territory(["cardiologie", "pneumologie"], ["77", "91"], adherents=[30, 10], supply=sup, as_of=AT_LAUNCH)
    threshold = r.criterion("threshold")
    assert threshold.status == "unknown"
    assert threshold.evidence["total_status"] == "unknown"
    assert threshold.evidence["missing"] == ["77"]
    assert "Total non calculable (cardiologie : effectif inconnu pour 77 (ligne absente" in threshold.message
    assert r.criterion("adherents").evidence["total_status"] == "unknown"
    assert r.admissible is None


@pytest.mark.shared
def test_simulation_refuses_a_partial_denominator(drees_effectifs, tmp_path):
    sup = load_supply(write_drees_broken_synthetic(drees_effectifs, tmp_path, "77", cell="-5"))
    r = check_territory("cardiologie", ["77", "91"], adherents=30, supply=sup, as_of=AT_LAUNCH)
    with pytest.raises(InputDataError, match=r"\['77'\]") as exc:
        simulate_adherents(r, [40, 50, 60, 70, 80])
    assert exc.value.fr.startswith("77 (effectif négatif « -5 », ligne 79) : effectif inconnu, jamais compté 0")

