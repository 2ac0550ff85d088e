"""Threshold and adherents on the embedded supply (real DREES 2022 + CNAM 2018 tables) and on user files."""

from __future__ import annotations

import pytest

from ess_geo.inputs.drees import read_drees_table
from ess_geo.inputs.registry import Registry
from ess_geo.inputs.supply import SupplyCount
from ess_geo.reference.specialties import get_specialty
from ess_geo.rules.adherents import CPAM_MIN_ADHERENTS, rule_adherents
from ess_geo.rules.territory import check_territory
from ess_geo.rules.threshold import rule_threshold


def test_neurologie_84_lumped_is_never_failed_on_libéral_counts():
    # an ESS of neurologie exists in Vaucluse while CNAM 2018 counts 7 libéral neurologists there
    r = check_territory("neurologie", ["84"], registry=Registry())
    t = r.criterion("threshold")
    assert t.status == "unknown"
    assert "entre 7 (Assurance Maladie (CNAM), libéraux, 2018-12-31) et 193 (DREES, tous modes, 2022-01-01)" in t.message
    assert (t.evidence["low"], t.evidence["high"], t.evidence["conflict"]) == (7, 193, False)
    used = {(c["source"], c["vintage"], c["mode"], c["bound"]) for c in t.evidence["counts"]}
    assert used == {("drees_2022", "2022-01-01", "tous", "upper"), ("cnam_2018", "2018-12-31", "liberal", "exact")}


def test_cardiologie_77_91_threshold_all_modes_adherents_liberal():
    r = check_territory("cardiologie", ["77", "91"], adherents=19, registry=Registry())
    t, a = r.criterion("threshold"), r.criterion("adherents")
    assert t.status == "pass" and t.evidence["total"] == 238 and (t.evidence["low"], t.evidence["high"]) == (238, 238)
    assert "238 (tous modes d'exercice, exact ; DREES, 2022-01-01)" in t.message
    # the base of the adherents is the 182 libéral cardiologists (CNAM 2018: 77 + 105), not the 238 of all modes
    assert a.status == "pass" and a.evidence["base"] == "liberal" and a.evidence["specialists"] == 182
    assert (a.evidence["needed_now"], a.evidence["needed_5y"]) == (19, 91)
    assert "2018-12-31" in a.message
    assert check_territory("cardiologie", ["77", "91"], adherents=18, registry=Registry()).criterion("adherents").status == "fail"
    assert r.admissible is True


def test_pediatrie_normandie_target_is_on_liberal_doctors():
    # issue 11: the DREES all-modes count gave a five-year target of 173 adherents
    a = check_territory("pediatrie", region="28", registry=Registry()).criterion("adherents")
    assert a.evidence["needed_5y"] < 173 and a.evidence["specialists"] == a.evidence["low"]
    assert "Il en faut 9 au départ et 43 à 5 ans" in a.message


def test_real_disagreement_decides_only_when_every_reading_agrees():
    # dermatologie 28: CNAM 2018 says 9 libéral, DREES 2022 says 8 in all modes: both below 10 → fail, both shown
    r = check_territory("dermatologie", ["28"], adherents=0, registry=Registry())
    t = r.criterion("threshold")
    assert t.status == "fail" and t.evidence["conflict"] is True
    assert "9 (Assurance Maladie (CNAM), libéraux, 2018-12-31) contre 8 (DREES, tous modes, 2022-01-01)" in t.message
    assert r.criterion("adherents").status == "unknown"  # sources that disagree never prove a failure
    assert check_territory("dermatologie", ["28"], adherents=1, registry=Registry()).criterion("adherents").status == "warn"
    # cardiologie 01: 21 (CNAM 2018) against 16 (DREES 2022): both reach 10 → pass, both shown
    c = check_territory("cardiologie", ["01"], registry=Registry()).criterion("threshold")
    assert c.status == "pass" and c.evidence["conflict"] is True and "Sources discordantes" in c.message
    # dermatologie 01: 10 (CNAM 2018) against 6 (DREES 2022): across the floor → undetermined, both shown
    d = check_territory("dermatologie", ["01"], registry=Registry()).criterion("threshold")
    assert d.status == "unknown" and d.evidence["conflict"] is True and "ne peut être tranché" in d.message


def test_cpam_practice_is_a_warning():
    r = check_territory("neurologie", ["84"], adherents=5, registry=Registry())
    a = r.criterion("adherents")
    assert a.status == "warn" and "les CPAM exigent en pratique 10 médecins libéraux" in a.message
    assert "egora" in a.evidence["cpam_practice"]["source"] and CPAM_MIN_ADHERENTS == 10
    assert check_territory("cardiologie", ["77", "91"], adherents=19, registry=Registry()).criterion("adherents").status == "pass"


def test_adherents_needed_as_ranges_when_liberal_is_a_range():
    c = SupplyCount(50, {"X": 50}, False, "synthetic", mode="tous")  # a lumped all-modes count: libéral in [0, 50]
    a = rule_adherents(None, c)
    assert "Il en faut de 0 à 5 au départ et de 0 à 25 à 5 ans" in a.message
    assert a.evidence["needed_now_range"] == [0, 5]
    assert rule_adherents(5, c).status == "warn"  # 10 % of at most 50 reached, but fewer than the CPAM's 10
    assert rule_adherents(4, c).status == "unknown"


def test_rpps_extraction_wins_over_the_embedded_tables(tmp_path):
    from ess_geo.inputs.rpps import load_rpps
    from synthetic import doctor_line, write_rpps

    gap = dict(commune="05061", cp="05000", commune_label="GAP")
    lines = [doctor_line(n, "SM04", "L", **gap) for n in range(1, 8)]
    sup = load_rpps(write_rpps(tmp_path / "PS_LibreAcces_Personne_activite_202504040839.txt", lines))
    r = check_territory("cardiologie", ["05"], adherents=1, supply=sup, registry=Registry())
    t = r.criterion("threshold")
    assert {c["mode"] for c in t.evidence["counts"]} == {"liberal"} and t.evidence["total"] == 7
    assert not any("DREES" in s.name or "CNAM" in s.name for s in r.sources)
    # 7 libéral doctors only bound all the doctors from below: undetermined, never a failure
    assert t.status == "unknown" and (t.evidence["low"], t.evidence["high"]) == (7, None)
    assert r.criterion("adherents").evidence["specialists"] == 7  # exact libéral base
    lines += [doctor_line(n, "SM04", "L", **gap) for n in range(8, 11)]
    sup10 = load_rpps(write_rpps(tmp_path / "PS_LibreAcces_Personne_activite_202504040840.txt", lines))
    assert check_territory("cardiologie", ["05"], supply=sup10, registry=Registry()).criterion("threshold").status == "pass"


def test_user_drees_table_alone_liberal_range_is_zero_to_all_modes(tmp_path):
    sup = read_drees_table("dept_code,07-Cardiologie,Total général\n77,30,30\n", tmp_path / "synthetic_drees.csv")
    c = sup.count("cardiologie", ["77"])
    assert (c.all_modes.low, c.all_modes.high) == (30, 30) and (c.liberal.low, c.liberal.high) == (0, 30)
    assert rule_threshold(get_specialty("cardiologie"), c).status == "pass"


def test_no_embedded_supply_gives_the_former_unknowns():
    r = check_territory("cardiologie", ["77", "91"], embedded_supply=False, registry=Registry())
    assert r.criterion("threshold").status == "unknown" and "--no-embedded-supply" in r.criterion("threshold").message
    assert r.supply is None and len(r.sources) == 2


@pytest.mark.parametrize("args", [["--no-embedded-supply"], []])
def test_cli_check_prints_embedded_sources(capsys, args):
    from conftest import run_cli

    code, out, _ = run_cli(["check", "-s", "cardiologie", "-d", "77,91", *args], capsys)
    assert code == 1  # undetermined: adherents unknown
    if args:
        assert "RPPS au 1er janvier 2022" not in out
    else:
        assert "238 spécialistes" in out and "RPPS au 1er janvier 2022" in out and "31 décembre 2018" in out
        assert "vivadata/san-ter" in out and "cyrilvincent/skema" in out
