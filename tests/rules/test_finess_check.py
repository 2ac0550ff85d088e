"""check_territory with a FINESS extraction (SYNTHETIC fixture): ESS unknown to the registry are
« à vérifier » in the overlap criterion; CPTS, DAC and hospitals are context only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from ess_geo.inputs.finess import load_finess
from ess_geo.reference.specialties import get_specialty
from ess_geo.rules.criteria import FAIL, PASS, WARN, rule_overlap
from ess_geo.rules.territory import check_territory
from synthetic import write_finess_synthetic


@pytest.fixture
def finess_synthetic(tmp_path: Path) -> Path:
    return write_finess_synthetic(tmp_path)


def test_rule_overlap_unregistered_facts_warn_at_least():
    spec = get_specialty("pneumologie")
    assert rule_overlap(spec, []).status == PASS
    warned = rule_overlap(spec, [], unregistered_fr=["ESS X : à vérifier"])
    assert warned.status == WARN and "À vérifier : ESS X : à vérifier." in warned.message
    assert warned.evidence["unregistered"] == ["ESS X : à vérifier"]
    assert not rule_overlap(spec, []).evidence.get("unregistered")


def test_unregistered_ess_in_the_territory_is_a_warning(finess_synthetic):
    check = check_territory("pneumologie", ["77"], finess=finess_synthetic)
    overlap = check.criterion("overlap")
    assert overlap.status == WARN
    (fact,) = overlap.evidence["unregistered"]
    assert "EQUIPE DE SOINS SPECIALISES SYNTHETIQUE" in fact and "FINESS 779000012" in fact
    assert "spécialité non précisée dans FINESS : à vérifier" in fact and "2 janvier 2025" in fact
    assert any("FINESS" in s.name for s in check.sources)
    assert check.finess is not None and check.finess.dropped.count == 8


def test_ess_the_registry_knows_is_not_reported(finess_synthetic):
    # the FINESS ESS of Paris names cardiologie, which the embedded registry has on 75
    check = check_territory("pneumologie", ["75"], finess=finess_synthetic)
    assert check.criterion("overlap").status == PASS
    cardio = check_territory("cardiologie", ["75", "94"], finess=finess_synthetic)
    assert cardio.criterion("overlap").status == FAIL and not cardio.criterion("overlap").evidence.get("unregistered")


def test_an_overlap_stays_a_failure_and_lists_the_unregistered(finess_synthetic):
    check = check_territory("dermatologie", ["77"], finess=load_finess(finess_synthetic))
    overlap = check.criterion("overlap")
    assert overlap.status == FAIL and "À vérifier : ESS « EQUIPE DE SOINS SPECIALISES SYNTHETIQUE »" in overlap.message


def test_context_counts_and_names_per_departement(finess_synthetic):
    check = check_territory("pneumologie", ["77", "91"], finess=finess_synthetic)
    ctx = check.context
    assert ctx["totals"] == {"cpts": 2, "dac": 1, "hopital": 1}
    assert ctx["by_departement"]["77"]["cpts"] == {
        "count": 2, "names": ["CPTS DU PAYS DE MEAUX SYNTHETIQUE", "CPTS MELUN SYNTHETIQUE"]}
    assert ctx["by_departement"]["91"]["hopital"]["names"] == ["CENTRE HOSPITALIER SYNTHÉTIQUE"]
    assert ctx["dropped_lines"] == 8
    assert check.to_dict()["context"] == ctx
    text = check.summary_fr()
    assert "À titre d'information (FINESS, extraction FINESS du 2 janvier 2025) :" in text
    assert " - 77 : CPTS (catégorie 604) : 2 (CPTS DU PAYS DE MEAUX SYNTHETIQUE, CPTS MELUN SYNTHETIQUE)" in text
    assert "DAC (catégorie 606) : 1 (DAC ESSONNE SYNTHETIQUE)" in text
    # context decides nothing: the verdict is the same without FINESS, apart from the warning
    assert [c.id for c in check.criteria] == [c.id for c in check_territory("pneumologie", ["77", "91"]).criteria]


def test_without_finess_nothing_changes():
    check = check_territory("pneumologie", ["77"])
    assert check.context == {} and check.finess is None and "À titre d'information" not in check.summary_fr()
    assert check.to_dict()["context"] == {}


def test_cli_check_finess(finess_synthetic, capsys, tmp_path):
    _, out, _ = run_cli(["check", "-s", "pneumologie", "-d", "77,91", "--finess", str(finess_synthetic)], capsys)
    assert "à vérifier" in out and "spécialité non précisée dans FINESS" in out
    assert "À titre d'information" in out and "Fichier FINESS : " in out
    _, out, _ = run_cli(["check", "-s", "pneumologie", "-d", "77", "--finess", str(finess_synthetic), "--json"],
                           capsys)
    data = json.loads(out)
    assert data["context"]["totals"]["cpts"] == 2
    overlap = next(c for c in data["criteria"] if c["id"] == "overlap")
    assert overlap["status"] == "warn" and len(overlap["evidence"]["unregistered"]) == 1


def test_dossier_and_compare_report_the_finess_lines_they_ignored_as_check_does(finess_synthetic, capsys, tmp_path):
    _, out, _ = run_cli(["check", "-s", "pneumologie", "-d", "77,91", "--finess", str(finess_synthetic)], capsys)
    (line,) = [x for x in out.splitlines() if x.startswith("Fichier FINESS : ")]
    _, out, _ = run_cli(["dossier", "-s", "pneumologie", "-d", "77,91", "--finess", str(finess_synthetic),
                         "--out", str(tmp_path / "d.html")], capsys)
    assert line in out.splitlines()
    _, out, _ = run_cli(["compare", "-s", "pneumologie", "--candidat", "77,91", "--candidat", "77", "--finess", str(finess_synthetic)],
                        capsys)
    assert line in out.splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n", encoding="utf-8")
    code, _, err = run_cli(["check", "-s", "pneumologie", "-d", "77", "--finess", str(bad)], capsys)
    assert code == 2 and "n'est pas une extraction FINESS" in err and len(err.strip().splitlines()) == 1
