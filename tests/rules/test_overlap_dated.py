"""The overlap rule on dated, more or less certain perimeters (synthetic registry entries)."""

from __future__ import annotations

from datetime import date

from ess_geo.inputs.registry import Registry
from ess_geo.inputs.registry_entry import EssEntry
from ess_geo.reference.specialties import get_specialty
from ess_geo.rules.criteria import rule_overlap
from ess_geo.rules.territory import check_territory

CARDIO = get_specialty("cardiologie")


def _entry(ess_id: str, certainty: str, deps=("75", "94"), **kw) -> EssEntry:
    return EssEntry(ess_id, f"ESS synthétique {ess_id}", ("cardiologie",), deps, "11", "active", "ARS (synthétique)",
                    perimeter_certainty=certainty, source_url=f"https://example.org/{ess_id}", **kw)  # fmt: skip


def test_probable_or_uncertain_perimeter_warns_naming_the_ess_and_its_source():
    for certainty, word in (("probable", "probable"), ("uncertain", "incertain")):
        c = rule_overlap(CARDIO, [(_entry("p", certainty, valid_from=date(2025, 3, 1)), ["94"])], as_of="2026-01-01")
        assert c.status == "warn" and c.status_fr == "à vérifier"
        assert "À vérifier : ESS synthétique p (sur 94 ; périmètre de 2 départements : 75, 94, " + word + " depuis le 2025-03-01 ; source : https://example.org/p)" in c.message
        assert "au 2026-01-01" in c.message
        fact = c.evidence["ess"][0]
        assert (fact["certainty"], fact["valid_from"], fact["source_url"]) == (certainty, "2025-03-01", "https://example.org/p")
        assert c.evidence["as_of"] == "2026-01-01"


def test_confirmed_fails_and_lists_the_uncertain_ones_too():
    c = rule_overlap(CARDIO, [(_entry("c", "confirmed"), ["75"]), (_entry("u", "uncertain", ("94",)), ["94"])])
    assert c.status == "fail"
    assert "Territoire déjà couvert" in c.message and "ESS synthétique c (sur 75 ; périmètre de 2 départements" in c.message
    assert "À vérifier : ESS synthétique u (sur 94 ; périmètre d'un département, incertain" in c.message
    assert [f["id"] for f in c.evidence["ess"]] == ["c", "u"]


def test_unregistered_facts_warn_at_least():
    fact = "ESS de cardiologie inscrite au FINESS (synthétique) à Créteil, inconnue du registre"
    c = rule_overlap(CARDIO, [], unregistered_fr=[fact])
    assert c.status == "warn" and fact in c.message and c.evidence["unregistered"] == [fact]
    failed = rule_overlap(CARDIO, [(_entry("c", "confirmed"), ["75"])], unregistered_fr=[fact])
    assert failed.status == "fail" and fact in failed.message
    assert rule_overlap(CARDIO, []).status == "pass"


def test_inactive_or_out_of_period_ess_does_not_cover():
    reg = Registry([
        _entry("old", "confirmed", valid_from=date(2020, 1, 1), valid_to=date(2021, 12, 31)),
        EssEntry("off", "ESS fermée", ("cardiologie",), ("75",), "11", "inactif", "synthetic"),
    ])  # fmt: skip
    assert check_territory("cardiologie", "75", registry=reg).criterion("overlap").status == "pass"
    then = check_territory("cardiologie", "75", registry=reg, as_of="2021-06-01")
    assert then.criterion("overlap").status == "fail" and then.as_of == date(2021, 6, 1)
    assert then.to_dict()["as_of"] == "2021-06-01"


def test_done_means_cardiologie_77_91_today_and_at_launch():
    today = check_territory("cardiologie", "77,91").criterion("overlap")
    assert today.status == "fail"
    [fact] = today.evidence["ess"]
    assert fact["id"] == "idf-cardiologie" and len(fact["perimeter"]) == 8
    assert fact["source_url"].startswith("https://") and fact["source_url"] in today.message
    launch = check_territory("cardiologie", "77,91", as_of="2023-06-01").criterion("overlap")
    assert launch.status == "pass" and launch.evidence["ess"] == []
    at_launch = check_territory("cardiologie", "94", as_of="2023-06-01").criterion("overlap")
    assert at_launch.evidence["ess"][0]["perimeter"] == ["75", "94"]
