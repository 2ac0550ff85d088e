"""check_territory on real geography (embedded COG 2025) and the real DREES table."""

from __future__ import annotations

import json

import pytest

from ess_geo.errors import InputDataError, UnknownCodeError, UnknownSpecialtyError
from ess_geo.inputs.registry import Registry
from ess_geo.reference.codes import parse_territory
from ess_geo.rules.criteria import DECIDING, verdict
from ess_geo.rules.territory import DECIDING as TERRITORY_DECIDING
from ess_geo.rules.territory import check_territory


def test_paris_and_val_de_marne_are_contiguous():
    r = check_territory("cardiologie", ["75", "94"])
    assert r.criterion("contiguity").status == "pass"


def test_bouches_du_rhone_and_corse_du_sud_are_not_contiguous():
    r = check_territory("dermatologie", ["13", "2A"])
    c = r.criterion("contiguity")
    assert c.status == "fail"
    assert c.evidence["pieces"] == [["13"], ["2A"]]
    assert r.admissible is False


def test_corsica_is_contiguous_and_a_region():
    r = check_territory("pneumologie", region="94")
    assert r.departements == ["2A", "2B"]
    assert r.criterion("contiguity").status == "pass"


@pytest.mark.parametrize("dep", ["971", "972", "973", "974", "976"])
def test_each_overseas_departement_alone_is_contiguous(dep):
    assert check_territory("pediatrie", [dep]).criterion("contiguity").status == "pass"


def test_two_overseas_departements_are_not():
    c = check_territory("pediatrie", ["971", "972"]).criterion("contiguity")
    assert c.status == "fail"
    assert c.evidence["n_pieces"] == 2


def test_cardiologie_on_94_77_overlaps_ess_cardiologie():
    r = check_territory("cardiologie", ["94", "77"])
    c = r.criterion("overlap")
    assert c.status == "fail"
    assert c.evidence["ess"][0]["id"] == "idf-cardiologie"
    assert c.evidence["ess"][0]["departements"] == ["94", "77"]  # today: the eight départements
    at_launch = check_territory("cardiologie", ["94", "77"], as_of="2023-06-01").criterion("overlap")
    assert at_launch.evidence["ess"][0]["departements"] == ["94"]


def test_region_expands_and_overlaps_dermatology():
    r = check_territory("dermatologie", region="11")
    assert r.departements == ["75", "77", "78", "91", "92", "93", "94", "95"]
    assert r.criterion("overlap").status == "fail"


def test_unknown_departement_named():
    with pytest.raises(UnknownCodeError, match="'99'"):
        check_territory("cardiologie", ["75", "99"])


def test_unknown_specialty_suggests():
    with pytest.raises(UnknownSpecialtyError, match="cardiologie") as exc:
        check_territory("cardiolgie", ["75"])
    assert exc.value.suggestions[0] == "cardiologie"


@pytest.mark.parametrize("name", ["diabète", "glaucome", "médecine générale"])
def test_pathologies_and_general_practice_fail_the_specialty_rule(name):
    r = check_territory(name, ["04"])
    assert r.criterion("specialty").status == "fail"
    assert r.admissible is False


#: ESS Cardiologie Île-de-France covered only 75 + 94 then (its launch perimeter): no overlap on 77, 91.
AT_LAUNCH = "2023-06-01"


def test_without_supply_threshold_and_adherents_unknown():
    # issue 11: the embedded supply is the default; embedded_supply=False gives the former behaviour
    r = check_territory("cardiologie", ["77", "91"], as_of=AT_LAUNCH, embedded_supply=False)
    assert r.criterion("threshold").status == "unknown"
    assert r.criterion("adherents").status == "unknown"
    assert r.admissible is None


def test_bad_adherents():
    with pytest.raises(InputDataError, match="-3"):
        check_territory("cardiologie", ["77"], adherents=-3)


def test_commune_codes_fail_the_perimeter():
    r = check_territory("cardiologie", ["13055"])
    assert r.criterion("perimeter").status == "fail"
    assert r.departements == ["13"]


def test_to_dict_is_json_and_html_escapes():
    r = check_territory("cardiologie", ["75", "94"])
    d = json.loads(json.dumps(r.to_dict()))
    assert [c["id"] for c in d["criteria"]] == ["specialty", "perimeter", "contiguity", "overlap", "threshold", "adherents", "funding"]
    assert "Verdict" in r._repr_html_()
    assert any("COG 2025" in s["vintage"] for s in d["sources"])


@pytest.mark.shared
def test_real_drees_threshold_and_adherents(drees_effectifs):
    # at the launch perimeter of ESS Cardiologie IDF (75+94), so that 77+91 are not covered
    r = check_territory("cardiologie", ["77", "91"], adherents=20, supply=drees_effectifs, as_of=AT_LAUNCH)
    t = r.criterion("threshold")
    # Independent sum from the raw DREES table: 77 and 91 columns "07-Cardiologie".
    import csv

    with open(drees_effectifs, encoding="utf-8") as f:
        rows = {row["dept_code"]: int(row["07-Cardiologie"]) for row in csv.DictReader(f)}
    assert t.evidence["total"] == rows["77"] + rows["91"]
    assert t.status == "pass"
    a = r.criterion("adherents")
    assert a.evidence["needed_now"] == -(-t.evidence["total"] // 10)
    # issue 11: the adherents' base is the libéral doctors; the DREES table alone (all modes) only bounds
    # them from above (libéral range [0, 238]): 20 adherents cannot be shown below 10 %, so undetermined
    assert a.evidence["needed_now"] > 20 and a.status == "unknown" and r.admissible is None
    assert check_territory("cardiologie", ["77", "91"], adherents=24, supply=drees_effectifs, as_of=AT_LAUNCH).admissible is True


@pytest.mark.shared
def test_real_drees_lumped_group_is_an_upper_bound(drees_effectifs):
    r = check_territory("neurologie", ["04"], supply=drees_effectifs)
    t = r.criterion("threshold")
    assert t.evidence["exact"] is False
    assert t.status == "unknown"
    small = check_territory("pneumologie", ["976"], supply=drees_effectifs).criterion("threshold")
    assert small.status == "fail"
    assert small.evidence["total"] == 2


@pytest.mark.parametrize("one", [77, "77", " 77 "])
def test_a_single_departement_code(one):
    assert check_territory("cardiologie", one).departements == ["77"]


@pytest.mark.parametrize("bad", [77.5, {"77": 1}, b"77", object()])
def test_wrong_departements_type_is_named(bad):
    with pytest.raises(InputDataError, match=rf"departements must be .*got {type(bad).__name__}"):
        check_territory("cardiologie", bad)


def test_wrong_supply_and_registry_types_are_named():
    with pytest.raises(InputDataError, match=r"supply must be a Supply.*got int"):
        check_territory("cardiologie", ["77"], supply=42)
    with pytest.raises(InputDataError, match=r"registry must be a Registry.*got dict"):
        check_territory("cardiologie", ["77"], registry={})


# --- synthetic DREES-shaped tables (invented figures) -------------------------------------------

SYNTHETIC_HEADER = "dept_code,07-Cardiologie,15-Autre spécialité,Total général"


def _synthetic_drees(tmp_path, *rows, header=SYNTHETIC_HEADER):
    p = tmp_path / "synthetic_drees.csv"
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return p


def test_negative_cell_cannot_fail_the_threshold(tmp_path):
    sup = _synthetic_drees(tmp_path, "77,-50,1,-49", "91,4,1,5")
    t = check_territory("cardiologie", ["77", "91"], supply=sup).criterion("threshold")
    assert t.status == "unknown"
    assert t.evidence["missing"] == ["77"]
    assert "77 (effectif négatif « -50 », ligne 2), jamais compté 0" in t.message


def test_unreadable_cell_is_unknown_not_zero(tmp_path):
    sup = _synthetic_drees(tmp_path, "77,n.d.,1,1", "91,4,1,5")
    r = check_territory("cardiologie", ["77", "91"], supply=sup, as_of=AT_LAUNCH)
    assert r.criterion("threshold").status == "unknown"
    assert r.admissible is None


def test_unreadable_cell_is_unknown_even_when_the_others_reach_ten(tmp_path):
    # issue 15.1: a missing count is never counted as 0, even when the other départements reach 10
    sup = _synthetic_drees(tmp_path, "77,,1,1", "91,12,1,13")
    t = check_territory("cardiologie", ["77", "91"], supply=sup).criterion("threshold")
    assert t.status == "unknown"
    assert t.evidence["missing_reasons"] == {"77": "cellule vide, ligne 2"}
    assert "77 (cellule vide, ligne 2)" in t.message and "91 : 12" in t.message


def test_duplicated_row_is_not_summed(tmp_path):
    sup = _synthetic_drees(tmp_path, "77,6,1,7", "077,6,1,7")
    t = check_territory("cardiologie", ["77"], supply=sup).criterion("threshold")
    assert t.evidence["total"] == 6 and t.status == "fail"


def test_supply_without_the_specialty_is_unknown_not_fail(tmp_path):
    sup = _synthetic_drees(tmp_path, "77,3,3", "91,2,2", header="dept_code,15-Autre spécialité,Total général")
    r = check_territory("cardiologie", ["77", "91"], adherents=5, supply=sup, as_of=AT_LAUNCH)
    t = r.criterion("threshold")
    assert t.status == "unknown"
    assert "ne contient aucune donnée pour Cardiologie" in t.message
    assert t.evidence["available"] is False
    assert r.criterion("adherents").status == "unknown"
    assert r.admissible is None


@pytest.mark.shared
def test_more_adherents_than_specialists_is_undetermined(drees_effectifs):
    chk = check_territory("cardiologie", "77", adherents=500, supply=drees_effectifs, registry=Registry())
    c = chk.criterion("adherents")
    assert c.status == "unknown" and "Impossible : 500 adhérents pour 101 spécialistes" in c.message
    assert chk.admissible is None
    funding = chk.criterion("funding").evidence
    # the DREES table gives no libéral count (the 5-year target's base): no target figure is made up
    assert "yearly_eur_at_5y_target" not in funding and funding["yearly_eur"] == 100_000


@pytest.mark.shared
def test_refused_specialty_adherents_message(drees_effectifs):
    chk = check_territory("diabète", "77", adherents=20, supply=drees_effectifs, registry=Registry())
    msg = chk.criterion("adherents").message
    assert "Sans spécialité valide" in msg and "non fournis" not in msg


def test_unknown_code_hint_in_french():
    with pytest.raises(UnknownCodeError) as exc:
        check_territory("cardiologie", ["20"], registry=Registry())
    assert "la Corse est 2A et 2B" in exc.value.fr
    with pytest.raises(UnknownCodeError) as exc:
        check_territory("cardiologie", ["99"], registry=Registry())
    assert "codes valides : 01 à 95, 2A, 2B, 971 à 974, 976" in exc.value.fr
    with pytest.raises(UnknownCodeError) as exc:
        check_territory("cardiologie", region="99", registry=Registry())
    assert "codes valides : 01," in exc.value.fr


def test_repr_is_compact():
    r = check_territory("cardiologie", ["09", "31"])
    assert repr(r).startswith("<TerritoryCheck cardiologie sur 09+31 : indéterminé (specialty=conforme, ")
    assert " on " not in repr(r) and "=pass" not in repr(r)  # French (issue 13.6)
    assert str(r) == r.summary_fr() and str(r).startswith("ESS Cardiologie")


def test_overlap_message_elides_and_lowercases_the_specialty():
    """« Aucune ESS d'ophtalmologie », not « de Ophtalmologie » (issue 13.6)."""
    from ess_geo._format import de_fr, in_sentence

    r = check_territory("ophtalmologie", "48")
    assert "Aucune ESS d'ophtalmologie connue" in r.criterion("overlap").message
    assert de_fr("Cardiologie et maladies vasculaires") == "de cardiologie et maladies vasculaires"
    assert de_fr("ORL et chirurgie cervico-faciale") == "d'ORL et chirurgie cervico-faciale"
    assert de_fr("Endocrinologie") == "d'endocrinologie" and in_sentence("Pédiatrie") == "pédiatrie"


@pytest.mark.parametrize(
    ("departements", "region"),
    [(77, None), ("77", None), ("75,94", None), ("75;94", None), (["75", 94], None), (None, "11"), ("77", "11"), ("971", "")],
)
def test_territory_is_read_by_the_one_parser(departements, region):
    # issue 10: check_territory reads territories with reference.codes.parse_territory, like every command
    expected = parse_territory(departements, region or None)
    r = check_territory("cardiologie", departements, region=region)
    assert r.departements == expected.departements and r.region == expected.region


def test_commune_codes_are_kept_apart_and_their_departement_checked():
    r = check_territory("cardiologie", ["75", "13055"])
    assert r.departements == ["75", "13"]
    assert r.criterion("perimeter").evidence["communes"] == ["13055"]
    assert parse_territory(["75", "13055"]).communes == ["13055"]


def test_empty_territory_is_named():
    with pytest.raises(InputDataError, match="no territory"):
        check_territory("cardiologie", "")


def test_admissible_is_the_one_verdict():
    r = check_territory("cardiologie", ["94", "77"])
    assert TERRITORY_DECIDING is DECIDING
    assert r.admissible is verdict(r.criteria) is False
    assert r.verdict_fr == "non admissible"
