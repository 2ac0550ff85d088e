"""The ess-geo check command: exit codes and French output."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from conftest import run_cli
from ess_geo.cli import main
from ess_geo.cli._app import french_usage
from synthetic import write_drees_broken_synthetic

run = run_cli


#: ESS Cardiologie Île-de-France covered only 75 + 94 then (its launch perimeter): no overlap on 77, 91.
AT_LAUNCH = ["--as-of", "2023-06-01"]


def test_undetermined_without_supply_exits_1(capsys):
    code, out, _ = run(["check", "--specialty", "cardiologie", "--departements", "77,91", *AT_LAUNCH], capsys)
    assert code == 1
    assert "INDÉTERMINÉ" in out
    assert "COG 2025" in out


def test_unknown_departement_exits_2_naming_it(capsys):
    code, _, err = run(["check", "--specialty", "cardiologie", "--departements", "75,99"], capsys)
    assert code == 2
    assert "'99'" in err
    assert err.startswith("Erreur")
    assert "Traceback" not in err


def test_no_territory_exits_2(capsys):
    code, _, _ = run(["check", "--specialty", "cardiologie"], capsys)
    assert code == 2


@pytest.mark.shared
def test_admissible_exits_0_and_json(capsys, drees_effectifs):
    code, out, _ = run(
        ["check", "-s", "cardio", "-d", "77,91", "--supply", str(drees_effectifs), "--adherents", "40", "--json", *AT_LAUNCH],
        capsys,
    )
    d = json.loads(out)
    assert d["admissible"] is True
    assert code == 0


def test_console_script_is_installed():
    proc = subprocess.run(
        [sys.executable, "-m", "ess_geo", "check", "-s", "cardio", "-d", "13,2A"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert "discontinu" in proc.stdout


def test_exit_zero_keeps_bad_input_at_2(capsys):
    code, out, _ = run(["check", "-s", "cardiologie", "-d", "77,91", "--exit-zero"], capsys)
    assert code == 0
    assert "NON ADMISSIBLE" in out  # today ESS Cardiologie Île-de-France covers 77 and 91
    code, _, err = run(["check", "-s", "cardiologie", "-d", "77,99", "--exit-zero"], capsys)
    assert code == 2
    assert "'99'" in err


def test_help_is_french(capsys):
    main(["check", "--help"])
    assert "Affiche cette aide" in capsys.readouterr().out


def test_both_departements_and_region_is_a_usage_error(capsys):
    code, out, err = run(["check", "-s", "cardiologie", "-r", "11", "-d", "77"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("Erreur : choisir --departements (77) ou --region (11), pas les deux")
    assert "« ess-geo check --help »" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-a", "-5"], "Erreur : valeur invalide pour --adherents / -a : -5 hors de l'intervalle autorisé (≥ 0)"),
        (["-a", "abc"], "« abc » n'est pas un nombre entier"),
        (["--foo"], "Erreur : option inconnue : --foo"),
        (["--adherent", "3"], "option inconnue : --adherent (vouliez-vous dire --adherents"),
        (["--supply", "."], "est un dossier, pas un fichier"),
        (["-a"], "l'option -a attend une valeur"),
    ],
)
def test_click_usage_errors_in_french(args, expected, capsys):
    code, _, err = run(["check", "-s", "cardiologie", "-d", "77", *args], capsys)
    assert code == 2
    assert expected in err
    assert "Usage" not in err and "Error" not in err and "Invalid" not in err


def test_missing_option_and_unknown_command_in_french(capsys):
    code, _, err = run(["check", "-d", "77"], capsys)
    assert code == 2 and "option obligatoire manquante : --specialty / -s" in err
    code, _, err = run(["chek"], capsys)
    assert code == 2 and "commande inconnue : chek" in err and "« ess-geo --help »" in err


def test_unmapped_click_message_falls_back(capsys):
    assert french_usage(click.UsageError("Something odd.")) == "option invalide : Something odd."


def test_corsica_hint_in_french(capsys):
    code, _, err = run(["check", "-s", "cardiologie", "-d", "20"], capsys)
    assert code == 2 and "la Corse est 2A et 2B" in err


@pytest.mark.shared
def test_impossible_adherents_exit_1(drees_effectifs, capsys):
    code, out, _ = run(["check", "-s", "cardio", "-d", "77", "--supply", str(drees_effectifs), "-a", "500", *AT_LAUNCH], capsys)
    assert code == 1 and "INDÉTERMINÉ" in out and "Impossible : 500 adhérents" in out


@pytest.mark.shared
def test_density_file_exit_2(shared_data, capsys):
    dens = shared_data / "medecins_effectifs" / "drees_rpps_densite_dep_x_specialite15.csv"
    code, _, err = run(["check", "-s", "cardio", "-d", "77", "--supply", str(dens)], capsys)
    assert code == 2 and "fichier de densités, pas d'effectifs" in err


@pytest.mark.shared
def test_simulate_cli(drees_effectifs, capsys):
    base = ["simulate", "-s", "cardio", "-d", "77,91", "--supply", str(drees_effectifs), *AT_LAUNCH]  # 238 cardiologists
    code, out, _ = run([*base, "--adherents-par-annee", "24,43,62,81,100,119"], capsys)
    assert code == 0
    assert "Année  Adhérents" in out and "Sur la trajectoire chaque année : oui" in out
    assert "80 000 € (amorçage seul)" in out.replace("\u202f", " ")  # issue 12: year 0 is the start-up credit alone
    # issue 11: the base is the libéral doctors; the DREES table only bounds them (at most 238), so 20 adherents
    # are not shown below 10 %; the embedded CNAM 2018 count (182 libéral) decides it
    code, out, _ = run([*base, "--adherents-par-annee", "20,43,62,81,100,119"], capsys)
    assert code == 1 and "au plus 238 spécialistes libéraux" in out
    embedded = ["simulate", "-s", "cardio", "-d", "77,91", *AT_LAUNCH]
    code, out, _ = run([*embedded, "--adherents-par-annee", "17,43,62,81,100,119"], capsys)
    assert code == 1 and "182 spécialistes libéraux" in out and "sous le seuil de création (10 %)" in out
    code, out, _ = run([*base, "--adherents-par-annee", "24,43,62,81,100,119", "--json"], capsys)
    assert code == 0 and json.loads(out)["on_track"] is True
    code, _, err = run([*base, "--adherents-par-annee", "24,43,x,81,100,119"], capsys)
    assert code == 2 and "année 2 : « x »" in err
    code, _, err = run([*base, "--adherents-par-annee", "24,43,62,81,100,300"], capsys)
    assert code == 2 and "année 5 : 300 adhérents" in err
    # the embedded supply is the default now; an unreadable --supply is still one French line
    code, _, err = run(["simulate", "-s", "cardio", "-d", "77", "--as-of", "2023-06-01",
                        "--adherents-par-annee", "1,2,3,4,5,6", "--supply", "absent.csv"], capsys)
    assert code == 2 and "absent.csv" in err


def test_help_headings_in_french(capsys):
    assert main(["check", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Utilisation : ess-geo check [OPTIONS]") and "Usage:" not in out
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Commandes :" in out and "simulate" in out and "Commands:" not in out


def test_usage_error_is_one_line_and_group_alone_shows_help(capsys):
    code, _, err = run(["check", "-s", "cardiologie", "-d", "77", "-a", "-5"], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("Erreur : ") and "aide" in err
    code, out, err = run(["data"], capsys)
    assert code == 0 and "fetch" in out and not err


def test_unusable_cache_folder_is_one_french_line(capsys, monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("ESS_GEO_CACHE", str(blocker / "sub"))
    code, _, err = run(["data", "fetch", "finess"], capsys)  # zonage-mg has no official file to fetch any more
    assert code == 2
    assert "dossier de cache" in err and "Traceback" not in err


@pytest.mark.shared
@pytest.mark.parametrize("change", [{}, {"cell": "-5"}, {"cell": "NaN"}, {"cell": "3.5"}, {"raw_code": "77\x00"}])
def test_missing_count_of_a_departement_is_undetermined_not_admissible(drees_effectifs, tmp_path, capsys, change):
    # issue 15.1: was ADMISSIBLE (exit 0), 77 counted 0; the whole real file is admissible with 30 adherents
    args = ["check", "-s", "cardiologie", "-d", "77,91", "--adherents", "30", *AT_LAUNCH]
    code, out, _ = run([*args, "--supply", str(drees_effectifs)], capsys)
    assert code == 0 and "Verdict : ADMISSIBLE" in out
    broken = write_drees_broken_synthetic(drees_effectifs, tmp_path, "77", **change)
    code, out, _ = run([*args, "--supply", str(broken)], capsys)
    assert code == 1 and "Verdict : INDÉTERMINÉ" in out
    assert "Au moins 10 spécialistes [indéterminé] : Effectif inconnu pour 77 (" in out
    assert "Adhérents ≥ 10 % [indéterminé] : 30 adhérents : effectif inconnu pour 77 (" in out
    if not change:
        assert "Fichier d'effectifs : 1 département sans ligne dans le fichier d'effectifs" in out
    else:
        assert "Fichier d'effectifs : 1 ligne ou valeur ignorée" in out
