"""Several specialties on the command line: check, map, simulate accept ``-s a,b``; the others refuse it (exit 2)."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli

run = run_cli
AS_OF = ["--as-of", "2026-01-15"]


def test_check_two_specialties_overlap_on_cardiology_exits_1(capsys):
    code, out, err = run(["check", "-s", "cardiologie,nephrologie", "-d", "77,91", "-a", "20,3", *AS_OF], capsys)
    assert code == 1 and err == ""
    assert out.startswith("ESS pluri-spécialités (cardiologie et maladies vasculaires, néphrologie) — Seine-et-Marne (77)")
    assert "✘ Absence de chevauchement [non conforme] : Non conforme pour Cardiologie et maladies vasculaires." in out
    assert "! Spécialité [à vérifier] : Plusieurs spécialités : logique médicale à justifier auprès de l'ARS" in out


def test_check_two_specialties_admissible_exits_0_with_json(capsys):
    args = ["check", "-s", "cardiologie,pneumologie", "-d", "29", "-a", "20,10", "--json", *AS_OF]
    code, out, _ = run(args, capsys)
    data = json.loads(out)
    assert code == 0 and data["admissible"] is True
    assert data["label"] == "pluri-spécialités (cardiologie et maladies vasculaires, pneumologie)"
    assert data["adherents"] == 30 and data["adherents_by_specialty"] == {"cardiologie": 20, "pneumologie": 10}
    statuses = {c["id"]: c["status"] for c in data["criteria"]}
    assert statuses["specialty"] == "warn" and statuses["overlap"] == "pass"
    threshold = next(c for c in data["criteria"] if c["id"] == "threshold")
    assert set(threshold["evidence"]["by_specialty"]) == {"cardiologie", "pneumologie"}


def test_check_pathology_in_the_list_exits_1_and_unknown_name_exits_2(capsys):
    code, out, _ = run(["check", "-s", "cardiologie,diabete", "-d", "29", *AS_OF], capsys)
    assert code == 1 and "✘ Spécialité [non conforme] : Non conforme pour diabete." in out
    code, out, err = run(["check", "-s", "cardiologie,cardiolgie", "-d", "29"], capsys)
    assert code == 2 and out == "" and "« cardiolgie »" in err and "cardiologie" in err


@pytest.mark.parametrize(
    ("adherents", "expected"),
    [("20,3,4", "3 nombres d'adhérents (20, 3, 4) pour 2 spécialités"), ("20,", "valeur vide dans la liste"),
     ("20,x", "« x » n'est pas un nombre entier"), ("20,-1", "-1 hors de l'intervalle autorisé")],
)  # fmt: skip
def test_check_bad_adherents_list_exits_2(adherents, expected, capsys):
    code, _, err = run(["check", "-s", "cardiologie,nephrologie", "-d", "29", "-a", adherents], capsys)
    assert code == 2 and expected in err


@pytest.mark.parametrize(
    "args",
    [["propose", "-s", "cardiologie,nephrologie", "-r", "53"],
     ["zip", "-s", "cardiologie,nephrologie", "-d", "29", "--zonage", "z.csv"],
     ["access", "-s", "cardiologie,nephrologie", "--supply", "s.csv", "-d", "29", "--out", "a.csv"]],
)  # fmt: skip
def test_single_specialty_commands_refuse_a_list(args, capsys):
    code, out, err = run(args, capsys)
    assert code == 2 and out == ""
    assert "« cardiologie,nephrologie » : une seule spécialité pour cette commande" in err
    assert "check, map, simulate" in err


def test_help_says_which_commands_take_a_list(capsys):
    code, out, _ = run(["propose", "--help"], capsys)
    assert code == 0 and "une liste (ESS pluri-spécialités) n'est acceptée que par check, map, simulate" in " ".join(out.split())
    code, out, _ = run(["check", "--help"], capsys)
    assert "plusieurs séparées par des virgules pour une ESS pluri-spécialités" in " ".join(out.split())


def test_map_of_two_specialties_and_coverage_refused(tmp_path, capsys):
    out_file = tmp_path / "carte.html"
    code, out, _ = run(["map", "-s", "cardiologie,nephrologie", "-d", "77,91", "-o", str(out_file), *AS_OF], capsys)
    assert code == 0 and out.startswith("Carte écrite")
    assert "Projet d&#x27;ESS pluri-spécialités (cardiologie et maladies vasculaires, néphrologie)" in out_file.read_text(
        encoding="utf-8")  # the title, HTML-escaped
    code, _, err = run(["map", "-s", "cardiologie,nephrologie", "-r", "11", "--coverage", "-o", str(out_file)], capsys)
    assert code == 2 and "--coverage : une seule spécialité" in err
    code, _, err = run(["map", "-s", "cardiologie,diabete", "-d", "29", "-o", str(out_file)], capsys)
    assert code == 2 and "« diabete » est une pathologie" in err


def test_simulate_two_specialties(capsys, drees_effectifs):
    args = ["simulate", "-s", "cardiologie,nephrologie", "-d", "29", "--supply", str(drees_effectifs),
            "--adherents-par-annee", "30,40,60,80,100,110", *AS_OF]
    code, out, _ = run(args, capsys)
    assert code == 1  # néphrologie is only bounded by a lumped DREES group: undetermined
    assert out.startswith("ESS pluri-spécialités (cardiologie et maladies vasculaires, néphrologie) — Finistère (29)")
    code, out, _ = run([*args, "--json"], capsys)
    data = json.loads(out)
    assert data["label"].startswith("pluri-spécialités") and data["specialties"] == ["cardiologie", "nephrologie"]
    code, _, err = run(["simulate", "-s", "cardiologie,diabete", "-d", "29", "--supply", str(drees_effectifs),
                        "--adherents-par-annee", "30,40,60,80,100,110"], capsys)
    assert code == 2 and "diabete" in err
