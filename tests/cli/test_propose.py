"""The ess-geo propose and access commands: exit codes, French output, files."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from conftest import run_cli

run = run_cli


def test_propose_without_any_supply_exits_2(capsys):
    # issue 11: without --supply the embedded supply is used; --no-embedded-supply gives the former error
    code, _, err = run(["propose", "--specialty", "cardiologie", "--region", "53", "--no-embedded-supply"], capsys)
    assert code == 2
    assert "Erreur" in err and "--supply" in err


@pytest.mark.shared
def test_propose_on_the_embedded_supply(capsys):
    code, out, _ = run(["propose", "--specialty", "cardiologie", "--region", "53"], capsys)
    assert code == 0
    assert "4 territoires proposés" in out and "RPPS au 1er janvier 2022" in out and "31 décembre 2018" in out


def test_propose_unknown_region_exits_2(capsys, tmp_path):
    code, _, err = run(["propose", "-s", "cardiologie", "-r", "99", "--supply", str(tmp_path / "none.csv")], capsys)
    assert code == 2
    assert "'99'" in err


@pytest.mark.shared
def test_propose_region_json(capsys, drees_effectifs):
    code, out, _ = run(["propose", "-s", "pneumologie", "-r", "53", "--supply", str(drees_effectifs), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["n_territories"] == 4
    assert data["proposals"][0]["check"]["departements"] == data["proposals"][0]["departements"]


@pytest.mark.shared
def test_propose_text_is_french(capsys, drees_effectifs):
    code, out, _ = run(["propose", "-s", "cardio", "-r", "84", "--supply", str(drees_effectifs), "--objective", "balance"],
                       capsys)
    assert code == 0
    assert "territoires proposés" in out and "équilibre" in out and "(s)" not in out


@pytest.mark.shared
def test_propose_lumped_drees_group_is_undetermined_exit_1(capsys, drees_effectifs):
    code, out, _ = run(["propose", "-s", "neurologie", "-r", "76", "--supply", str(drees_effectifs)], capsys)
    assert code == 1
    assert "Résultat indéterminé" in out and "15-Autre spécialité" in out and "majorants" in out
    assert "optimum exact" not in out and "borne supérieure" not in out and "✗" not in out
    code, out, _ = run(["propose", "-s", "neurologie", "-r", "76", "--supply", str(drees_effectifs), "--json"], capsys)
    assert code == 1 and json.loads(out)["determined"] is False


@pytest.mark.shared
def test_propose_names_covering_ess_with_id(capsys, drees_effectifs):
    launch = ["--as-of", "2023-06-01"]  # ESS Cardiologie Île-de-France on its launch perimeter (75 + 94)
    code, out, _ = run(["propose", "-s", "cardiologie", "-r", "11", "--supply", str(drees_effectifs), *launch], capsys)
    assert code == 0
    assert "75 : ESS Cardiologie Île-de-France (ESSC-IDF) (idf-cardiologie)" in out and "75 par" not in out
    assert not re.search(r"(?<![\d\u202f])1 spécialistes", out)


def test_access_writes_csv(capsys, tmp_path):
    supply = tmp_path / "synthetic_supply.csv"
    # a commune-level table is only produced by the RPPS reader; a DREES-style table is refused
    supply.write_text("dept_code,07-Cardiologie,Total général\n1,16,16\n", encoding="utf-8")
    code, _, err = run(["access", "-s", "cardiologie", "--supply", str(supply), "--out", str(tmp_path / "a.csv")], capsys)
    assert code == 2
    assert "par commune" in err


def test_access_cli_on_synthetic_commune_supply(capsys, tmp_path, monkeypatch):
    from ess_geo.analysis import access as access_mod
    from ess_geo.inputs.supply import Supply
    from ess_geo.sources import Source

    tab = pd.DataFrame({"code_insee": ["2A004"], "code_dep": ["2A"], "specialty": ["cardiologie"],
                        "drees_group": ["07-Cardiologie"], "n_specialists": [12], "mode": ["liberal"],
                        "source": ["synthetic"]})
    synthetic = Supply(table=tab, source=Source("synthetic", "test"))
    monkeypatch.setattr(access_mod, "as_supply", lambda _path: synthetic)
    monkeypatch.setattr("ess_geo.cli.access.load_supply", lambda _path: synthetic)  # the CLI loads it once
    out_csv = tmp_path / "acces.csv"
    code, out, _ = run(["access", "-s", "cardiologie", "--supply", "synthetic.csv", "-d", "2A", "--out", str(out_csv)],
                       capsys)
    assert code == 0
    assert "Indice d'accessibilité" in out
    frame = pd.read_csv(out_csv, dtype=str, encoding="utf-8-sig")
    assert "Accessibilité pour 100 000 habitants" in frame.columns
    assert set(frame["Département"]) == {"2A"}
