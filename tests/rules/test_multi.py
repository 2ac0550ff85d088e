"""Several specialties in one ESS (issue 12 item 3): per-specialty and total rules, « pluri-spécialités ».

The counts are those of the embedded tables (DREES 2022 all modes, CNAM 2018 libéral), read here
independently with the csv module; the registry is the embedded one unless a synthetic entry is
needed. ``data/single_specialty_checks.json`` holds the ``to_dict()`` and summary of single-specialty
checks made by the code *before* several specialties were allowed (commit 9259582): the
single-specialty output must not change. Regenerate it only for an intended change of that output:
``python tests/rules/test_multi.py`` (it then says why in the commit).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from ess_geo.errors import InputDataError, UnknownSpecialtyError
from ess_geo.inputs.registry import Registry, load_registry
from ess_geo.inputs.registry_entry import EssEntry
from ess_geo.reference.specialties import get_specialty
from ess_geo.render.territory_spec import territory_map_spec
from ess_geo.rules.criteria import Criterion
from ess_geo.rules.multi import (
    MEDICAL_LOGIC_FR,
    MEDICAL_LOGIC_SOURCE_FR,
    combine_specialties,
    resolve_specialties,
    split_adherents,
    worst_status,
)
from ess_geo.rules.territory import check_territory
from ess_geo.rules.trajectory import simulate_adherents

GOLDEN = Path(__file__).parent / "data" / "single_specialty_checks.json"
EMBEDDED = Path(__file__).resolve().parents[2] / "src" / "ess_geo" / "inputs" / "data" / "supply_embedded.csv"
AS_OF = "2026-01-15"


def _embedded(specialty: str, deps: list[str], mode: str, bound: str) -> int:
    """Sum of the embedded rows of one specialty, mode and bound over ``deps`` (independent csv read)."""
    with open(EMBEDDED, encoding="utf-8", newline="") as fh:
        return sum(int(r["count"]) for r in csv.DictReader(fh)
                   if r["specialty"] == specialty and r["code_dep"] in deps and r["mode"] == mode and r["bound"] == bound)


def _golden_cases() -> list[dict]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


# --- the single-specialty path is unchanged -----------------------------------------------------------


@pytest.mark.parametrize("saved", _golden_cases(), ids=lambda s: f"{s['case']['specialty']}-{s['case']['departements']}")
def test_single_specialty_output_is_unchanged(saved):
    result = check_territory(**saved["case"], as_of=AS_OF)
    assert result.to_dict() == saved["to_dict"]
    assert result.summary_fr() == saved["summary"]
    assert not result.several and "specialties" not in result.to_dict()


def test_a_list_of_one_or_a_duplicated_name_is_the_single_check():
    single = check_territory("cardiologie", "77,91", adherents=30, as_of=AS_OF).to_dict()
    assert check_territory(["cardiologie"], "77,91", adherents=30, as_of=AS_OF).to_dict() == single
    assert check_territory("cardiologie,cardio, Cardiologie", "77,91", adherents=[30], as_of=AS_OF).to_dict() == single


# --- overlap on either specialty ------------------------------------------------------------------------


def test_overlap_on_either_specialty_fails_naming_it():
    # the embedded ESS Cardiologie Île-de-France covers 77 and 91 (extended perimeter), no néphrologie ESS there
    result = check_territory("cardiologie,nephrologie", "77,91", as_of=AS_OF)
    overlap = result.criterion("overlap")
    assert overlap.status == "fail" and result.admissible is False
    assert overlap.message.startswith("Non conforme pour Cardiologie et maladies vasculaires.")
    assert "Néphrologie : Aucune ESS de néphrologie connue" in overlap.message
    assert {k: v["status"] for k, v in overlap.evidence["by_specialty"].items()} == {"cardiologie": "fail", "nephrologie": "pass"}
    assert [(f["id"], f["specialty"]) for f in overlap.evidence["ess"]] == [("idf-cardiologie", "cardiologie")]
    # the same list in the other order: the néphrologie ESS does not exist, the cardiology one still fails
    assert check_territory(["nephrologie", "cardiologie"], "77,91", as_of=AS_OF).criterion("overlap").status == "fail"


def test_an_overlap_on_the_second_specialty_fails_too():
    nephro = EssEntry("neph-29", "ESS synthétique de néphrologie du Finistère", ("nephrologie",), ("29",), "53", "active",
                      "ARS (synthétique)", perimeter_certainty="confirmed")  # fmt: skip
    reg = Registry([*load_registry(None).entries, nephro])
    overlap = check_territory("cardiologie,nephrologie", "29", registry=reg, as_of=AS_OF).criterion("overlap")
    assert overlap.status == "fail" and overlap.message.startswith("Non conforme pour Néphrologie.")
    assert "ESS synthétique de néphrologie du Finistère (sur 29" in overlap.message


def test_no_ess_of_either_specialty_no_overlap():
    result = check_territory("cardiologie,nephrologie", "29", as_of=AS_OF)
    overlap = result.criterion("overlap")
    assert overlap.status == "pass" and overlap.message.startswith("Conforme pour chaque spécialité.")
    assert overlap.evidence["ess"] == [] and overlap.evidence["specialties"] == ["cardiologie", "nephrologie"]


def test_uniqueness_derogation_applies_after_combining():
    result = check_territory("cardiologie,nephrologie", "77,91", adherents=[20, 3], derogations="unicite", as_of=AS_OF)
    overlap = result.criterion("overlap")
    assert overlap.status == "warn" and overlap.evidence["derogation"]["assumed"] is True
    assert result.derogations == ["uniqueness"]


# --- threshold and adherents per specialty and in total ------------------------------------------------------


def test_threshold_per_specialty_and_total_on_the_embedded_tables():
    deps = ["77", "91"]
    cardio_all = _embedded("cardiologie", deps, "tous", "exact")
    nephro_lib, nephro_upper = _embedded("nephrologie", deps, "liberal", "exact"), _embedded("nephrologie", deps, "tous", "upper")
    assert (cardio_all, nephro_lib, nephro_upper) == (238, 24, 690)  # DREES 2022 / CNAM 2018 as embedded
    threshold = check_territory("cardiologie,nephrologie", deps, as_of=AS_OF).criterion("threshold")
    by_spec = threshold.evidence["by_specialty"]
    assert (by_spec["cardiologie"]["evidence"]["low"], by_spec["cardiologie"]["evidence"]["high"]) == (238, 238)
    # néphrologie: the libéral count bounds all modes from below, the lumped DREES group from above
    assert (by_spec["nephrologie"]["evidence"]["low"], by_spec["nephrologie"]["evidence"]["high"]) == (nephro_lib, nephro_upper)
    assert (threshold.evidence["low"], threshold.evidence["high"]) == (cardio_all + nephro_lib, cardio_all + nephro_upper)
    assert threshold.status == "pass" and threshold.evidence["total_status"] == "pass"
    assert "En tout (2 spécialités) : entre 262 et 928 médecins des 2 spécialités (tous modes d'exercice" in threshold.message
    assert "Cardiologie et maladies vasculaires : 238 spécialistes" in threshold.message


def test_adherents_on_the_libéral_base_per_specialty_and_in_total():
    deps = ["77", "91"]
    cardio_lib, nephro_lib = _embedded("cardiologie", deps, "liberal", "exact"), _embedded("nephrologie", deps, "liberal", "exact")
    assert (cardio_lib, nephro_lib) == (182, 24)
    needed = [math.ceil(cardio_lib / 10), math.ceil(nephro_lib / 10)]  # 19, 3
    ok = check_territory("cardiologie,nephrologie", deps, adherents=[needed[0] + 1, needed[1] + 7], as_of=AS_OF)
    adherents = ok.criterion("adherents")
    assert adherents.status == "pass", adherents.message
    assert adherents.evidence["base"] == "liberal" and (adherents.evidence["low"], adherents.evidence["high"]) == (206, 206)
    assert adherents.evidence["adherents"] == 30 and ok.adherents == 30
    assert ok.adherents_by_specialty == {"cardiologie": 20, "nephrologie": 10}
    assert adherents.evidence["by_specialty"]["nephrologie"]["evidence"]["needed_now"] == needed[1]
    # 2 néphrologues out of 24: below 10 % for that specialty alone, although the total (22 of 206) reaches it
    low = check_territory("cardiologie,nephrologie", deps, adherents={"cardio": 20, "néphrologie": 2}, as_of=AS_OF)
    crit = low.criterion("adherents")
    assert crit.status == "fail" and crit.message.startswith("Non conforme pour Néphrologie.")
    assert crit.evidence["total_status"] == "pass"


def test_a_total_alone_cannot_say_each_specialty_reaches_10_percent():
    result = check_territory("cardiologie,nephrologie", "77,91", adherents=30, as_of=AS_OF)
    crit = result.criterion("adherents")
    assert crit.status == "unknown" and result.admissible is False  # the overlap fails anyway
    assert "Répartition des 30 adhérents par spécialité non fournie (--adherents N1,N2" in crit.message
    assert "En tout (2 spécialités) : 30 adhérents ≥ 10 % des 206 médecins libéraux" in crit.message
    too_few = check_territory("cardiologie,nephrologie", "77,91", adherents=5, as_of=AS_OF).criterion("adherents")
    assert too_few.status == "fail" and too_few.evidence["total_status"] == "fail"


def test_threshold_derogation_keeps_an_unknown_specialty_unknown():
    # Mayotte: 3 cardiologists (fail, out of reach); néphrologie only bounded by a lumped group (unknown)
    result = check_territory("cardiologie,nephrologie", "976", derogations="seuil", as_of=AS_OF)
    threshold = result.criterion("threshold")
    statuses = {k: v["status"] for k, v in threshold.evidence["by_specialty"].items()}
    assert statuses == {"cardiologie": "fail", "nephrologie": "unknown"}
    assert threshold.status == "unknown" and result.derogations == ["threshold"]
    assert "seuil inatteignable dans la région" in threshold.message.lower()
    assert "cardiologie" in threshold.evidence["unreachable"]


# --- the specialty criterion, names, outputs ------------------------------------------------------------------


def test_medical_logic_warning_with_its_source():
    result = check_territory(["cardiologie", "nephrologie"], "29", adherents=[20, 10], as_of=AS_OF)
    spec = result.criterion("specialty")
    assert spec.status == "warn" and spec.message.startswith(MEDICAL_LOGIC_FR)
    assert "« Elle peut regrouper une ou plusieurs spécialités si cela s'inscrit dans le cadre d'une logique médicale »" in spec.message
    assert spec.evidence["medical_logic"] == {"to_justify": True, "source": MEDICAL_LOGIC_SOURCE_FR}
    assert MEDICAL_LOGIC_FR == "Plusieurs spécialités : logique médicale à justifier auprès de l'ARS"
    assert [s.id for s in result.specialties] == ["cardiologie", "nephrologie"] and result.specialty.id == "cardiologie"


def test_a_pathology_in_the_list_stays_refused():
    result = check_territory("cardiologie,diabète", "29", as_of=AS_OF)
    spec = result.criterion("specialty")
    assert spec.status == "fail" and result.admissible is False
    assert spec.message.startswith("Non conforme pour diabète.") and "pathologie" in spec.message
    assert MEDICAL_LOGIC_FR in spec.message
    assert [s.id for s in result.specialties] == ["cardiologie"] and result.specialty_inputs == ["cardiologie", "diabète"]
    assert result.to_dict()["specialties"][1] == {"input": "diabète", "id": None, "label": None}


def test_unknown_name_in_the_list_raises_with_suggestions():
    with pytest.raises(UnknownSpecialtyError, match="cardiolgie") as info:
        check_territory("nephrologie,cardiolgie", "29")
    assert "cardiologie" in info.value.fr


def test_bad_adherents_for_several_specialties_name_the_value():
    with pytest.raises(InputDataError, match=r"3 adherent numbers \[20, 3, 4\] for 2 specialties"):
        check_territory("cardiologie,nephrologie", "29", adherents=[20, 3, 4])
    with pytest.raises(InputDataError, match="'pneumologie'"):
        check_territory("cardiologie,nephrologie", "29", adherents={"pneumologie": 3})
    with pytest.raises(InputDataError, match="-1"):
        check_territory("cardiologie,nephrologie", "29", adherents=[20, -1])
    with pytest.raises(InputDataError, match="no specialty"):
        check_territory([], "29")


def test_pluri_specialites_in_every_output():
    result = check_territory("cardiologie,nephrologie", "77,91", as_of=AS_OF)
    label = "pluri-spécialités (cardiologie et maladies vasculaires, néphrologie)"
    assert result.several and result.specialty_label == label
    assert result.summary_fr().startswith(f"ESS {label} — Seine-et-Marne (77), Essonne (91)")
    assert f"ESS {label}" in result._repr_html_()
    assert "cardiologie+nephrologie sur 77+91" in repr(result)
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["label"] == label and data["specialty"]["id"] == "cardiologie"
    assert [s["id"] for s in data["specialties"]] == ["cardiologie", "nephrologie"]
    assert [c["id"] for c in data["criteria"]] == ["specialty", "perimeter", "contiguity", "overlap", "threshold",
                                                   "adherents", "funding"]


def test_map_title_and_existing_ess_of_every_specialty():
    spec = territory_map_spec(check_territory("cardiologie,nephrologie", "77,91", as_of=AS_OF))
    assert spec.title == "Projet d'ESS pluri-spécialités (cardiologie et maladies vasculaires, néphrologie)"
    assert any("première spécialité" in n for n in spec.notes)
    assert any(layer.name == "ESS existantes (Cardiologie et maladies vasculaires, Néphrologie)" for layer in spec.layers)


def test_simulate_uses_the_count_summed_over_the_specialties():
    result = check_territory("cardiologie,nephrologie", "29", as_of=AS_OF)
    single = [check_territory(s, "29", as_of=AS_OF).count for s in ("cardiologie", "nephrologie")]
    assert result.count.total == sum(c.total for c in single)
    assert result.count.liberal.low == sum(c.liberal.low for c in single)
    path = simulate_adherents(result, [5, 10, 15, 20, 25, 30])
    # the trajectory's base is the libéral doctors summed over the specialties (issue 11)
    assert path.specialists == max(result.count.liberal.low, result.count.liberal.high or 0)


# --- the pure parts -----------------------------------------------------------------------------------------------


def test_worst_status_and_resolution():
    assert worst_status(["pass", "warn"]) == "warn"
    assert worst_status(["warn", "unknown", "pass"]) == "unknown"
    assert worst_status(["unknown", "fail"]) == "fail"
    assert [r[1].id for r in resolve_specialties(["cardio", "nephrologie,cardiologie"])] == ["cardiologie", "nephrologie"]
    specs = resolve_specialties("cardiologie,nephrologie")
    assert split_adherents(7, specs) == (7, None)
    assert split_adherents((4, 3), specs) == (7, {"cardiologie": 4, "nephrologie": 3})
    assert split_adherents({"nephrologie": 3}, specs) == (None, {"cardiologie": None, "nephrologie": 3})


def test_combine_specialties_is_pure_and_keeps_the_ids():
    def crits(status: str, label: str) -> list[Criterion]:
        return [Criterion("specialty", "pass", f"Spécialité reconnue : {label}.", {"label": label}),
                Criterion("perimeter", "pass", "Périmètre de 1 département entier.", {"departements": ["29"]}),
                Criterion("overlap", status, f"overlap {label}", {"ess": [], "unregistered": []}),
                Criterion("funding", "warn", "f", {})]  # fmt: skip

    per = {"a": crits("pass", "A"), "b": crits("unknown", "B")}
    before = [c.to_dict() for c in per["a"] + per["b"]]
    total_funding = Criterion("funding", "warn", "total", {"size": 3})
    out = combine_specialties(per, {"funding": total_funding})
    assert [c.id for c in out] == ["specialty", "perimeter", "overlap", "funding"]
    assert [c.to_dict() for c in per["a"] + per["b"]] == before
    assert out[1] is per["a"][1] and out[3] is total_funding
    assert out[0].status == "warn" and out[2].status == "unknown"
    assert out[2].message == "Indéterminé pour B. A : overlap A — B : overlap B"
    assert out[2].evidence["by_specialty"]["b"] == {"status": "unknown", "message": "overlap B",
                                                    "evidence": {"ess": [], "unregistered": []}}


def test_cardiology_is_not_lumped_and_nephrology_is():
    # why the néphrologie counts are ranges: its DREES group lumps several specialties (see the embedded notes)
    assert get_specialty("cardiologie").drees_group_exact and not get_specialty("nephrologie").drees_group_exact


if __name__ == "__main__":  # regenerate the saved single-specialty outputs (only for an intended change)
    saved = []
    for case in [s["case"] for s in _golden_cases()]:
        r = check_territory(**case, as_of=AS_OF)
        saved.append({"case": case, "to_dict": r.to_dict(), "summary": r.summary_fr()})
    GOLDEN.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")
