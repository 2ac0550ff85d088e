"""Derogations (issue 12): région as the maximum, thresholds out of reach, uniqueness of specialty."""

from __future__ import annotations

import json

import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs.load import load_supply
from ess_geo.rules.criteria import Criterion, rule_perimeter
from ess_geo.rules.derogations import (
    ASSUMED_FR,
    DEROGATION_CLI,
    DEROGATION_LABELS_FR,
    DEROGATION_SOURCE_FR,
    DEROGATIONS,
    UNREACHABLE_FR,
    apply_derogations,
    parse_derogations,
    require_perimeter_derogation,
)
from ess_geo.rules.territory import check_territory


@pytest.fixture(scope="module")
def drees(request):
    return load_supply(request.getfixturevalue("drees_effectifs"))


def test_ids_spellings_and_source_sentence():
    assert DEROGATIONS == ("perimeter", "threshold", "uniqueness")
    assert DEROGATION_CLI == {"perimeter": "perimetre", "threshold": "seuil", "uniqueness": "unicite"}
    assert parse_derogations(None) == frozenset()
    assert parse_derogations({"perimeter"}) == {"perimeter"}
    assert parse_derogations("perimetre, seuil") == {"perimeter", "threshold"}
    assert parse_derogations(["unicite", "Unicité", "threshold"]) == {"uniqueness", "threshold"}
    assert DEROGATION_SOURCE_FR.startswith("« À titre dérogatoire, il pourra être fait exception à ces seuils minimaux")
    assert "sous réserve de validation »" in DEROGATION_SOURCE_FR


def test_unknown_derogation_is_named_with_the_allowed_values():
    with pytest.raises(InputDataError, match="'frontiere'") as info:
        parse_derogations(["perimeter", "frontiere", "seuil"])
    assert "perimetre, seuil, unicite" in info.value.fr and "'frontiere'" in info.value.fr
    with pytest.raises(InputDataError, match="'bogus'"):
        check_territory("cardiologie", ["53"], derogations={"bogus"})


def test_apply_is_pure_and_leaves_pass_and_unknown_untouched():
    failing = rule_perimeter(["53", "35"], {"53": "52", "35": "53"})
    passing = Criterion("threshold", "pass", "ok", {"total": 20})
    unknown = Criterion("overlap", "unknown", "?", {})
    out = apply_derogations([failing, passing, unknown], ["perimeter", "threshold", "uniqueness"])
    assert [c.status for c in out] == ["warn", "pass", "unknown"]
    assert failing.status == "fail" and "derogation" not in failing.evidence  # the caller's criteria are untouched
    assert out[0].evidence["derogation"]["assumed"] is True
    assert out[0].message.endswith(f"{ASSUMED_FR}.")
    for c in out[1:]:
        assert c.evidence["derogation"]["assumed"] is False
        assert "non utilisée" in c.evidence["derogation"]["note"]
    assert out[1].message == "ok" and out[2].message == "?"


def test_perimeter_derogation_does_not_excuse_communes():
    c = rule_perimeter(["13", "30"], {"13": "93", "30": "76"}, communes=["13055"])
    out = apply_derogations([c], {"perimeter"})[0]
    assert out.status == "fail" and out.evidence["derogation"]["assumed"] is False


def test_perimeter_source_says_no_source_allows_two_regions():
    record = apply_derogations([rule_perimeter(["53", "35"], {"53": "52", "35": "53"})], {"perimeter"})[0]
    source = record.evidence["derogation"]["source"]
    assert "Aucune source publique trouvée ne prévoit d'ESS sur plusieurs régions" in source


@pytest.mark.shared
def test_two_regions_fail_naming_both_and_the_derogation_turns_it_into_warn(drees):
    plain = check_territory("cardiologie", "53,35", supply=drees, adherents=20)
    c = plain.criterion("perimeter")
    assert c.status == "fail" and plain.admissible is False
    assert "Pays de la Loire (52)" in c.message and "Bretagne (53)" in c.message
    assert "« a minima départemental (avec une cible régionale possible) »" in c.message
    assert plain.to_dict()["derogations"] == []
    derog = check_territory("cardiologie", "53,35", supply=drees, adherents=20, derogations={"perimeter"})
    c = derog.criterion("perimeter")
    assert c.status == "warn" and ASSUMED_FR in c.message
    assert c.evidence["derogation"] == {
        "assumed": True, "id": "perimeter", "cli": "perimetre", "label": DEROGATION_LABELS_FR["perimeter"],
        "source": c.evidence["derogation"]["source"],
    }
    data = json.loads(json.dumps(derog.to_dict()))
    assert data["derogations"] == ["perimeter"]
    text = derog.summary_fr()
    line = next(line for line in text.splitlines() if "Périmètre [à vérifier]" in line)
    assert f"Dérogation supposée : {DEROGATION_LABELS_FR['perimeter']}" in line
    assert "Sous réserve des dérogations supposées (à faire valider par l'ARS)" in text
    assert "Dérogation supposée" in derog._repr_html_()


@pytest.mark.shared
@pytest.mark.parametrize(("dep", "region", "n"), [("973", "Guyane (03)", 9), ("976", "Mayotte (06)", 3)])
def test_overseas_threshold_is_unreachable_and_the_threshold_derogation_accepts_it(drees, dep, region, n):
    plain = check_territory("cardiologie", [dep], supply=drees)
    c = plain.criterion("threshold")
    assert c.status == "fail"
    assert UNREACHABLE_FR in c.message.lower()
    assert f"région {region} : {n} spécialistes en tout, {dep} sans voisin terrestre" in c.message
    assert c.evidence["unreachable"]["regions"] == {region[-3:-1]: n}
    derog = check_territory("cardiologie", [dep], supply=drees, derogations=["seuil"])
    c = derog.criterion("threshold")
    assert c.status == "warn" and c.evidence["derogation"]["assumed"] is True
    assert "note" not in c.evidence["derogation"]  # unreachable: nothing more to justify
    assert derog.derogations == ["threshold"]


@pytest.mark.shared
def test_reachable_threshold_does_not_say_unreachable(drees):
    # Lozère has 5 cardiologists, but can reach 10 with the Gard (same région)
    c = check_territory("cardiologie", ["48"], supply=drees).criterion("threshold")
    assert c.status == "fail" and "inatteignable" not in c.message and "unreachable" not in c.evidence
    derog = check_territory("cardiologie", ["48"], supply=drees, derogations={"threshold"}).criterion("threshold")
    assert derog.status == "warn"
    assert "reste atteignable" in derog.evidence["derogation"]["note"]


@pytest.mark.shared
def test_uniqueness_derogation_on_an_overlap_with_an_existing_ess(drees):
    # the embedded registry: ESS Cardiologie of Île-de-France covers the Val-de-Marne
    plain = check_territory("cardiologie", ["94", "77"], supply=drees)
    assert plain.criterion("overlap").status == "fail"
    derog = check_territory("cardiologie", ["94", "77"], supply=drees, derogations={"uniqueness"})
    c = derog.criterion("overlap")
    assert c.status == "warn" and ASSUMED_FR in c.message
    assert c.evidence["ess"][0]["id"] == "idf-cardiologie"
    assert c.evidence["derogation"]["id"] == "uniqueness" and c.evidence["derogation"]["source"] == DEROGATION_SOURCE_FR
    assert derog.derogations == ["uniqueness"]
    # asked but not needed: said in evidence, nothing changed
    # (Seine-et-Marne is covered too since the extension to the 8 départements: Oise is not)
    unused = check_territory("cardiologie", ["60"], supply=drees, derogations={"uniqueness"}).criterion("overlap")
    assert unused.status == "pass" and unused.evidence["derogation"]["assumed"] is False


def test_require_perimeter_derogation():
    assert require_perimeter_derogation({"perimeter", "seuil"}, "x", "y") == {"perimeter", "threshold"}
    with pytest.raises(InputDataError, match="across_regions=True needs the perimeter derogation"):
        require_perimeter_derogation({"threshold"}, "across_regions=True", "--across-regions")
