"""The embedded supply: reproducible build, provenance, counts with bounds on the real tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ess_geo.inputs.embedded import EMBEDDED_CSV, EMBEDDED_JSON, embedded_provenance, load_embedded_supply

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "ess_geo" / "inputs" / "data"


def test_build_script_reproduces_the_committed_files(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_supply_data.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for name in (EMBEDDED_CSV, EMBEDDED_JSON):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_build_script_refuses_a_changed_source(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    for f in (ROOT / "data" / "sources").glob("*.csv"):
        (sources / f.name).write_bytes(f.read_bytes())
    drees = sources / "drees_rpps_effectifs_dep_x_specialite15.csv"
    drees.write_bytes(drees.read_bytes().replace(b"\n", b"\r\n", 1))
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_supply_data.py"), "--sources", str(sources),
                          "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert run.returncode != 0 and "sha256" in run.stderr and not (tmp_path / "out" / EMBEDDED_CSV).exists()


def test_sources_carry_publisher_copy_vintage_and_licence():
    sup = load_embedded_supply()
    drees, cnam = sup.sources
    assert "RPPS au 1er janvier 2022" in drees.vintage and "31 décembre 2018" in cnam.vintage
    assert "vivadata/san-ter" in drees.origin and "0d8a14d21bb9" in drees.origin and "DREES" in drees.origin
    assert "cyrilvincent/skema" in cnam.origin and "ef6d9491d4db" in cnam.origin and "CNAM" in cnam.origin
    assert "Licence Ouverte" in drees.licence and "Licence Ouverte" in cnam.licence
    assert {s["id"] for s in embedded_provenance()["sources"]} == {"drees_2022", "cnam_2018"}
    assert load_embedded_supply() is not load_embedded_supply()  # copies: callers cannot alter the cache


def test_lumped_specialty_neurologie_84_is_a_range():
    c = load_embedded_supply().count("neurologie", ["84"])
    assert (c.all_modes.low, c.all_modes.high) == (7, 193) and not c.all_modes.exact and not c.exact
    assert (c.liberal.low, c.liberal.high) == (7, 7)  # CNAM exact libéral, under the DREES upper bound
    by = {(x.source, x.mode, x.bound): (x.total, x.vintage, x.role) for x in c.all_modes.counts}
    assert by == {("drees_2022", "tous", "upper"): (193, "2022-01-01", "upper"),
                  ("cnam_2018", "liberal", "exact"): (7, "2018-12-31", "lower")}
    assert c.all_modes.label_fr() == "entre 7 et 193"


def test_exact_specialty_cardiologie_77_91():
    c = load_embedded_supply().count("cardiologie", ["77", "91"])
    assert c.exact and c.total == 238 and c.by_departement == {"77": 101, "91": 137}
    assert (c.all_modes.low, c.all_modes.high) == (238, 238)
    assert (c.liberal.low, c.liberal.high) == (182, 182)  # CNAM 2018: 77 + 105
    assert c.liberal.low_by_departement == {"77": 77, "91": 105}


@pytest.mark.parametrize(("spec", "dep", "drees", "cnam"), [("dermatologie", "28", 8, 9), ("cardiologie", "01", 16, 21)])
def test_real_disagreement_keeps_both_figures(spec, dep, drees, cnam):
    # CNAM 2018 counts more libéral doctors than DREES 2022 counts doctors in all modes: different vintages
    c = load_embedded_supply().count(spec, [dep])
    assert c.all_modes.conflict and (c.all_modes.low, c.all_modes.high) == (cnam, drees)
    assert c.all_modes.departement_conflicts() == [dep] and not c.exact
    assert "sources discordantes" in c.all_modes.label_fr()


def test_gynecology_uses_cnam_lower_and_upper_rows():
    c = load_embedded_supply().count("gynecologie-medicale", ["75"])
    assert {x.bound for x in c.liberal.counts if x.source == "cnam_2018"} == {"lower", "upper"}
    assert c.liberal.low < c.liberal.high <= c.all_modes.high


def test_all_modes_view_is_a_drees_table():
    sup = load_embedded_supply()
    rows, exact, _ = sup.rows_for("neurologie")
    assert not exact and set(rows["specialty"]) == {"15-Autre spécialité"}
    assert sup.table.groupby(["code_dep", "specialty"]).size().max() == 1  # a lumped group once per département
    assert sup.count("neurologie", ["84"]).total == 193


@pytest.mark.shared
def test_the_embedded_drees_table_passed_as_supply_keeps_its_vintage(drees_effectifs):
    # the same bytes as data/sources/ (sha256): its documented vintage, not « millésime non précisé »
    from ess_geo.inputs.load import load_supply

    assert load_supply(drees_effectifs).source.vintage.startswith("RPPS au 1er janvier 2022")
