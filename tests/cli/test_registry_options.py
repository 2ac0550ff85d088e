"""CLI options of the ESS registry: --registry (adds), --registry-only (replaces), --as-of."""

from __future__ import annotations

from conftest import run_cli

HEADER = "id;name;specialties;departements;region;status;perimeter_certainty;valid_from;valid_to;source;source_url\r\n"


def _excel_registry(tmp_path):
    p = tmp_path / "synthetic_registre_ars.csv"
    p.write_bytes(
        (HEADER
         + "idf-cardiologie;ESS Cardiologie (synthétique);cardiologie;75,94;11;actif;confirmé;2022-01-10;;ARS (synthétique);\r\n"
         + "x-pneumo;ESS Pneumologie Essonne (synthétique);pneumologie;91;11;en projet;probable;;;ARS (synthétique);\r\n"
         ).encode("cp1252")
    )  # fmt: skip
    return p


def test_check_as_of_gives_the_launch_perimeter(capsys):
    code, out, _ = run_cli(["check", "-s", "cardiologie", "-d", "77,91"], capsys)
    assert code == 1 and "ESS Cardiologie Île-de-France" in out and "lequotidiendumedecin.fr" in out
    _, out, _ = run_cli(["check", "-s", "cardiologie", "-d", "77,91", "--as-of", "2023-06-01"], capsys)
    assert "Aucune ESS de cardiologie et maladies vasculaires connue sur ce territoire au 2023-06-01" in out
    assert "périmètres au 2023-06-01" in out


def test_bad_as_of_exits_2_naming_it(capsys):
    code, _, err = run_cli(["check", "-s", "cardiologie", "-d", "77", "--as-of", "2023-13-01"], capsys)
    assert code == 2 and "--as-of" in err and "'2023-13-01'" in err and "Traceback" not in err


def test_registry_adds_and_says_what_it_replaces(tmp_path, capsys):
    p = _excel_registry(tmp_path)
    _, out, _ = run_cli(["check", "-s", "cardiologie", "-d", "77", "--registry", str(p)], capsys)
    assert "Aucune ESS de cardiologie" in out  # the user's idf-cardiologie (75, 94) replaced the embedded one
    assert "remplace : idf-cardiologie" in out
    code, out, _ = run_cli(["check", "-s", "dermatologie", "-d", "77", "--registry", str(p)], capsys)
    assert code == 1 and "ESS Dermatologie-Vénéréologie Île-de-France" in out  # embedded ESS kept
    _, out, _ = run_cli(["check", "-s", "pneumologie", "-d", "91", "--registry", str(p)], capsys)
    assert "[à vérifier]" in out and "ESS Pneumologie Essonne (synthétique)" in out


def test_registry_only_replaces(tmp_path, capsys):
    p = _excel_registry(tmp_path)
    _, out, _ = run_cli(["check", "-s", "dermatologie", "-d", "77", "--registry-only", str(p)], capsys)
    assert "Aucune ESS de dermatologie" in out and "remplace" not in out
    code, _, err = run_cli(["check", "-s", "dermatologie", "-d", "77", "--registry", str(p), "--registry-only", str(p)], capsys)
    assert code == 2 and "--registry-only" in err


def test_bad_registry_file_exits_2_in_french(tmp_path, capsys):
    p = tmp_path / "synthetic_registre_bad.csv"
    p.write_bytes((HEADER + "a;ESS A;cardiologie;77;11;ouverte;confirmé;;;src;\r\n").encode("cp1252"))
    code, _, err = run_cli(["check", "-s", "cardiologie", "-d", "77", "--registry", str(p)], capsys)
    assert code == 2 and "ligne 2 (id 'a') : statut 'ouverte' inconnu" in err
