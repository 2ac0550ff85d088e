"""``--out x.gpkg`` on check, map, zip and propose: the documented layers, read back with geopandas (issue 13.5)."""

from __future__ import annotations

import json

import geopandas as gpd
import pyogrio
import pytest

import synthetic
from conftest import run_cli

run = run_cli


def layers(path) -> list[str]:
    return [name for name, _ in pyogrio.list_layers(path)]


def test_check_out_gpkg_keeps_json_stdout_pure(capsys, tmp_path):
    path = tmp_path / "territoire.gpkg"
    code, out, err = run(["check", "-s", "pediatrie", "-d", "14,50,61", "-a", "20", "--json", "--out", str(path)], capsys)
    assert code == 0
    data = json.loads(out)  # the GeoPackage line went to stderr
    assert "GeoPackage écrit" in err
    assert layers(path) == ["territoire", "departements"]
    row = gpd.read_file(path, layer="territoire", engine="pyogrio").iloc[0]
    assert row["verdict"] == data["verdict"] and row["adherents"] == data["adherents"]
    threshold = next(c for c in data["criteria"] if c["id"] == "threshold")
    assert row["n_specialistes_min"] == threshold["evidence"]["low"]


def test_check_out_must_be_gpkg(capsys, tmp_path):
    code, _, err = run(["check", "-s", "pediatrie", "-d", "14", "--out", str(tmp_path / "t.geojson")], capsys)
    assert code == 2 and "t.geojson" in err and ".gpkg" in err


def test_map_out_gpkg_with_zip_communes(capsys, tmp_path):
    zonage = synthetic.write_all_zip_zonage_synthetic(tmp_path, ["48"])
    path = tmp_path / "carte.gpkg"
    code, out, err = run(["map", "-s", "cardiologie", "-d", "48", "-a", "3", "--zonage", str(zonage), "--out", str(path)],
                         capsys)
    assert code == 0, err
    # embedded supply counts by département: ZIP communes, but no site can be ranked, so no « sites » layer
    assert layers(path) == ["territoire", "departements", "communes_zip"]
    communes = gpd.read_file(path, layer="communes_zip", engine="pyogrio")
    assert set(communes["code_dep"]) == {"48"} and set(communes["zonage"]) == {"ZIP"}
    assert "couches : territoire, departements, communes_zip" in out


def test_zip_out_gpkg_with_ranked_sites(capsys, tmp_path):
    zonage = synthetic.write_all_zip_zonage_synthetic(tmp_path, ["48"])
    rpps = synthetic.write_rpps(tmp_path / "rpps_synthetic.txt",
                                [synthetic.doctor_line(1, "SM04", commune="48095", cp="48000", commune_label="MENDE")])
    path = tmp_path / "zip.gpkg"
    code, _, err = run(["zip", "-s", "cardiologie", "-d", "48", "--zonage", str(zonage), "--supply", str(rpps),
                        "--sites", "2", "--min-population", "1000", "--out", str(path)], capsys)
    assert code == 0, err
    assert layers(path) == ["communes_zip", "sites"]
    sites = gpd.read_file(path, layer="sites", engine="pyogrio")
    assert list(sites["rank"]) == [1, 2] and sites.crs.to_epsg() == 4326
    assert all(isinstance(v, str) for v in sites["served"])  # lists as « ; » text


def test_zip_reports_the_supply_lines_it_ignored(capsys, tmp_path):
    """zip says how many RPPS lines it ignored, as check does (nothing lost silently)."""
    zonage = synthetic.write_all_zip_zonage_synthetic(tmp_path, ["48"])
    good = synthetic.doctor_line(1, "SM04", commune="48095", cp="48000", commune_label="MENDE")
    rpps = synthetic.write_rpps(tmp_path / "rpps_synthetic.txt",
                                [good, synthetic.doctor_line(2, "XX99", commune="48095", cp="48000")])
    code, out, err = run(["zip", "-s", "cardiologie", "-d", "48", "--zonage", str(zonage), "--supply", str(rpps)], capsys)
    assert code == 0, err
    assert "Fichier d'effectifs : 1 ligne ignorée" in out and "XX99" in out


def test_access_reports_the_supply_lines_it_ignored(capsys, tmp_path):
    """access says how many RPPS lines it ignored, as check does (nothing lost silently)."""
    good = synthetic.doctor_line(1, "SM04", commune="48095", cp="48000", commune_label="MENDE")
    rpps = synthetic.write_rpps(tmp_path / "rpps_synthetic.txt",
                                [good, synthetic.doctor_line(2, "XX99", commune="48095", cp="48000")])
    code, out, err = run(["access", "-s", "cardiologie", "-d", "48", "--supply", str(rpps),
                          "--out", str(tmp_path / "a.csv")], capsys)
    assert code == 0, err
    assert "Fichier d'effectifs : 1 ligne ignorée" in out and "XX99" in out


@pytest.mark.parametrize("command", ["map", "dossier"])
def test_map_and_dossier_report_the_supply_lines_they_ignored(capsys, tmp_path, command):
    """map and dossier say how many RPPS lines they ignored, as check does (nothing lost silently)."""
    good = synthetic.doctor_line(1, "SM04", commune="48095", cp="48000", commune_label="MENDE")
    rpps = synthetic.write_rpps(tmp_path / "rpps_synthetic.txt",
                                [good, synthetic.doctor_line(2, "XX99", commune="48095", cp="48000")])
    code, out, err = run([command, "-s", "cardiologie", "-d", "48", "--supply", str(rpps),
                          "--out", str(tmp_path / "sortie.html")], capsys)
    assert code == 0, err
    assert "Fichier d'effectifs : 1 ligne ignorée" in out and "XX99" in out


@pytest.mark.parametrize("region", ["53"])
def test_propose_out_gpkg(capsys, tmp_path, region):
    path = tmp_path / "propositions.gpkg"
    _, out, _ = run(["propose", "-s", "cardiologie", "-r", region, "--json", "--out", str(path)], capsys)
    data = json.loads(out)
    frame = gpd.read_file(path, layer="propositions", engine="pyogrio")
    assert layers(path) == ["propositions"]
    assert list(frame["departements"]) == [",".join(p["departements"]) for p in data["proposals"]]


def test_report_gpkg_layer(capsys, tmp_path):
    out = tmp_path / "rapport"
    code, _, err = run(["report", "-r", "28", "-s", "pediatrie", "--out", str(out), "-f", "csv,gpkg", "--no-maps"], capsys)
    assert code == 0, err
    assert layers(out / "couverture.gpkg") == ["couverture"]
    frame = gpd.read_file(out / "couverture.gpkg", layer="couverture", engine="pyogrio")
    assert sorted(frame["code_dep"]) == ["14", "27", "50", "61", "76"] and frame.crs.to_epsg() == 4326
    code, _, err = run(["report", "-r", "28", "--out", str(tmp_path / "seul"), "-f", "gpkg"], capsys)
    assert code == 2 and "gpkg s'ajoute" in err
    # the GeoPackage is a report file like the others: in the manifest, removed by a run without it
    code, _, err = run(["report", "-r", "28", "-s", "pediatrie", "--out", str(out), "-f", "csv", "--no-maps"], capsys)
    assert code == 0, err
    assert not (out / "couverture.gpkg").exists() and (out / "couverture.csv").exists()


@pytest.mark.parametrize("command", [
    ["propose", "-s", "cardiologie", "-r", "76"],
    ["compare", "-s", "cardiologie", "--candidat", "48"],
    ["simulate", "-s", "cardiologie", "-d", "48", "--adherents-par-annee", "1,1,1,1,1,1"],
])
def test_propose_compare_simulate_report_the_supply_lines_they_ignored(capsys, tmp_path, command):
    """propose, compare and simulate say how many supply lines they ignored, as check does (acceptance finding)."""
    good = synthetic.doctor_line(1, "SM04", commune="48095", cp="48000", commune_label="MENDE")
    rpps = synthetic.write_rpps(tmp_path / "rpps_synthetic.txt",
                                [good, synthetic.doctor_line(2, "XX99", commune="48095", cp="48000")])
    code, out, err = run([*command, "--supply", str(rpps)], capsys)
    assert code in (0, 1), err
    assert "Fichier d'effectifs : 1 ligne ignorée" in out and "XX99" in out
