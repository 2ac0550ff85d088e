"""Tests of the five-year trajectory of adherents."""

from __future__ import annotations

import pandas as pd
import pytest

from ess_geo.cli import main
from ess_geo.errors import InputDataError
from ess_geo.inputs.registry import Registry
from ess_geo.inputs.supply import Supply
from ess_geo.rules.territory import check_territory
from ess_geo.rules.trajectory import simulate_adherents, target_share
from ess_geo.sources import Source


def _supply_synthetic(spec: str, group: str, counts: dict[str, int]) -> Supply:
    # libéral counts: the adherents' base (issue 11), so the trajectory is measured against them exactly
    tab = pd.DataFrame({"code_dep": list(counts), "specialty": spec, "drees_group": group,
                        "n_specialists": list(counts.values()), "mode": "liberal", "source": "synthetic"})
    return Supply(table=tab, source=Source("synthetic supply", "test"), mode="liberal")


@pytest.fixture
def check_synthetic():
    sup = _supply_synthetic("cardiologie", "07-Cardiologie", {"15": 7, "43": 13})  # 20 specialists
    return check_territory("cardiologie", ["15", "43"], supply=sup, registry=Registry(), adherents=2)


def test_target_is_linear():
    assert [round(target_share(y), 2) for y in range(6)] == [0.10, 0.18, 0.26, 0.34, 0.42, 0.50]


def test_path_flags_missed_years(check_synthetic):
    path = simulate_adherents(check_synthetic, [4, 5, 6, 9, 10])  # year 0 from the check (2)
    t = path.table
    assert t["year"].tolist() == [0, 1, 2, 3, 4, 5]
    assert t["needed"].tolist() == [2, 4, 6, 7, 9, 10]
    assert path.missed_years == [2, 3]
    assert path.on_track is False
    assert t.loc[0, "startup_credit_eur"] == 80_000 and t.loc[1, "startup_credit_eur"] == 0
    # issue 12: year 0 is the start-up credit alone; below 10 members no allocation is published
    assert path.total_funding_eur == 80_000 + 50_000
    assert path.unpublished_years == [1, 2, 3, 4]
    d = path.to_dict()
    assert d["years"][2]["on_track_fr"] == "non"
    assert "Années hors trajectoire : 2, 3" in path.summary_fr()
    assert "Sur la trajectoire" in path.to_frame_fr().columns


def test_path_six_values_and_dict(check_synthetic):
    ok = simulate_adherents(check_synthetic, [2, 4, 6, 7, 9, 10])
    assert ok.on_track is True and ok.missed_years == []
    partial = simulate_adherents(check_synthetic, {0: 2, 5: 9})
    assert partial.missed_years == [5]


def test_upper_bound_denominator_is_undetermined():
    sup = _supply_synthetic("15-Autre spécialité", "15-Autre spécialité", {"15": 30, "43": 50})
    chk = check_territory("neurologie", ["15", "43"], supply=sup, registry=Registry())
    path = simulate_adherents(chk, [1, 2, 3, 4, 40, 40])
    assert path.undetermined_years == [0, 1, 2, 3]
    assert path.on_track is None
    assert "au moins" in path.summary_fr()


def test_bad_inputs(check_synthetic):
    no_count = check_territory("cardiologie", ["15"], registry=Registry(), embedded_supply=False)
    with pytest.raises(InputDataError, match="no specialist count"):
        simulate_adherents(no_count, [1, 2, 3, 4, 5])
    with pytest.raises(InputDataError, match="got 3"):
        simulate_adherents(check_synthetic, [1, 2, 3])
    with pytest.raises(InputDataError, match="-1"):
        simulate_adherents(check_synthetic, [1, 2, 3, 4, -1])
    with pytest.raises(InputDataError, match="year 7"):
        simulate_adherents(check_synthetic, {7: 3})


def test_year_zero_below_ten_percent_gets_no_startup_credit(check_synthetic):
    path = simulate_adherents(check_synthetic, [1, 4, 6, 7, 9, 10])  # 1 of 20 = 5 % < 10 %
    t = path.table
    assert t.loc[0, "startup_credit_eur"] == 0
    assert t.loc[0, "note"] == "sous le seuil de création (10 %)"
    assert path.missed_years == [0]
    assert "sous le seuil de création (10 %)" in path.summary_fr()
    assert path.total_funding_eur == 50_000  # issue 12: only year 5 (10 members) has a published allocation


def test_share_above_100_percent_is_refused_naming_year_and_value(check_synthetic):
    with pytest.raises(InputDataError, match="year 5 has 84 adherents") as exc:
        simulate_adherents(check_synthetic, [2, 4, 6, 7, 9, 84])
    assert "année 5 : 84 adhérents" in exc.value.fr and "420 %" in exc.value.fr.replace(",0 %", " %")


def test_bad_values_named_in_french(check_synthetic):
    with pytest.raises(InputDataError) as exc:
        simulate_adherents(check_synthetic, [2, 4, -3, 7, 9, 10])
    assert "année 2" in exc.value.fr and "-3" in exc.value.fr
    with pytest.raises(InputDataError) as exc:
        simulate_adherents(check_synthetic, [2, 4, 6.5, 7, 9, 10])
    assert "année 2" in exc.value.fr


def test_french_html_and_summary(check_synthetic):
    path = simulate_adherents(check_synthetic, [2, 4, 6, 7, 9, 10])
    html = path._repr_html_()
    assert "lang='fr'" in html and "Année" in html and "Sur la trajectoire : oui" in html
    assert "80\u202f000 €" in html and "True" not in html and "False" not in html
    assert "Année 0 : 2 adhérents (10,0 %)" in path.summary_fr()
    assert "Année 0 : 1 adhérent " in simulate_adherents(check_synthetic, [1, 4, 6, 7, 9, 10]).summary_fr()


@pytest.mark.shared
def test_simulation_on_a_covered_territory_is_not_admissible(drees_effectifs):
    r = check_territory("cardiologie", ["94", "77"], supply=drees_effectifs)
    path = simulate_adherents(r, [30, 50, 70, 95, 115, 140])
    assert path.territory_admissible is False
    assert any("ESS Cardiologie" in m for m in path.territory_issues)
    assert "non admissible" in path.summary_fr()
    code = main(["simulate", "-s", "cardiologie", "-d", "94,77", "--supply", str(drees_effectifs),
                 "--adherents-par-annee", "30,50,70,95,115,140"])
    assert code == 1


def test_territory_status_is_the_verdict_without_adherents(check_synthetic):
    # the trajectory draws the territory's status from rules.criteria.verdict (adherents left out)
    path = simulate_adherents(check_synthetic, [2, 4, 6, 7, 9, 10])
    assert path.territory_admissible is True and path.territory_issues == []
    far = check_territory("cardiologie", ["15", "2A"], supply=_supply_synthetic("cardiologie", "07-Cardiologie", {"15": 7, "2A": 13}),
                          registry=Registry(), adherents=2)
    off = simulate_adherents(far, [2, 4, 6, 7, 9, 10])
    assert off.territory_admissible is False
    # issue 12: Cantal (84) and Corse-du-Sud (94) are also in two régions: the perimeter fails first
    assert off.territory_issues == [far.criterion("perimeter").message, far.criterion("contiguity").message]
