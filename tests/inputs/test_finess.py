"""The FINESS reader (etalab-cs1100507 layout) on a SYNTHETIC fixture written in the documented
layout, and the layout checked against the official field list in ../shared/data/finess."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs.finess import (
    CATEGORY_LABELS,
    ESTABLISHMENT_COLUMNS,
    GEO_FIELDS,
    STRUCTURE_FIELDS,
    as_finess,
    insee_code,
    load_finess,
)
from synthetic import FINESS_STRUCTURE_FIELDS, write_finess_synthetic


@pytest.fixture
def finess_synthetic(tmp_path: Path) -> Path:
    return write_finess_synthetic(tmp_path)


def test_layout_matches_the_official_field_list(finess_layout, shared_data):
    with open(finess_layout, encoding="latin-1", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    by_section: dict[str, list[str]] = {}
    for r in sorted(rows, key=lambda r: int(r["rang"])):
        if r["name"]:
            by_section.setdefault(r["section"], []).append(r["name"])
    assert tuple(by_section["structureet"]) == STRUCTURE_FIELDS == FINESS_STRUCTURE_FIELDS
    assert tuple(by_section["geolocalisation"]) == GEO_FIELDS
    with open(shared_data / "finess" / "finess_categories_extrait_TRE_R66.csv", encoding="utf-8", newline="") as fh:
        tre = {r["code"]: r["libelle"] for r in csv.DictReader(fh, delimiter=";")}
    for code, (_, label) in CATEGORY_LABELS.items():
        assert tre[code] == label


def test_insee_code_from_departement_and_commune():
    assert insee_code("01", "451") == ("01451", "01")
    assert insee_code("2A", "004") == ("2A004", "2A")
    assert insee_code("9C", "302") == ("97302", "973")
    assert insee_code("9F", "606") == ("97606", "976")
    assert insee_code("9J", "613") == ("98613", "986")
    assert insee_code("9C", "402") is None  # a Réunion commune code under Guyane
    assert insee_code("77", "28") is None and insee_code("7", "284") is None


def test_reads_the_kept_establishments(finess_synthetic):
    f = load_finess(finess_synthetic)
    e = f.establishments
    assert list(e.columns) == list(ESTABLISHMENT_COLUMNS)
    assert f.stats["kept"] == {"ess": 3, "cpts": 2, "dac": 1, "hopital": 2}
    assert f.stats["out_of_scope"] == 1  # the EHPAD
    assert f.stats["lines"] == {"structureet": 14, "geolocalisation": 5}
    assert f.stats["encoding"] == "latin-1"
    row = e.set_index("finess").loc["979000013"]
    assert row["name"] == 'ESS "SYNTHETIQUE" ; GUYANE' and row["code_insee"] == "97302" and row["code_dep"] == "973"
    ch = e.set_index("finess").loc["919000041"]
    assert ch["name"] == "CENTRE HOSPITALIER SYNTHÉTIQUE" and ch["kind"] == "hopital" and ch["aggregate"] == "1102"
    assert e.set_index("finess").loc["779000012", "name"] == "EQUIPE DE SOINS SPECIALISES SYNTHETIQUE"  # first kept


def test_coordinates_and_their_projection(finess_synthetic):
    e = load_finess(finess_synthetic).establishments.set_index("finess")
    assert (e.loc["759000011", "x"], e.loc["759000011", "y"], e.loc["759000011", "crs"]) == (652000.0, 6861000.0,
                                                                                           "EPSG:2154")
    assert e.loc["779000012", "crs"] == "EPSG:2154"  # older LAMBERT_93 wording
    assert e.loc["779000022", "x"] == 674000 and e.loc["779000022", "crs"] is None  # projection not named
    assert e["x"].isna().sum() == 5


def test_every_unreadable_line_is_dropped_with_its_reason(finess_synthetic):
    f = load_finess(finess_synthetic)
    assert dict(f.dropped.by_reason) == {
        "ligne structureet mal formée (5 champs au lieu de 30 ou 31)": 1,
        "numéro FINESS ET illisible": 1,
        "code département ou commune illisible": 1,
        "catégorie d'établissement illisible": 1,
        "numéro FINESS ET en double": 1,
        "section inconnue « structureautre »": 1,
        "coordonnées illisibles": 1,
        "géolocalisation d'un établissement absent de la section structureet": 1,
    }
    lines = {x["reason"]: x["line"] for x in f.dropped.sample}
    assert lines["numéro FINESS ET illisible"] == 12  # line 1 is the comment


def test_vintage_source_and_in_departements(finess_synthetic):
    f = load_finess(finess_synthetic)
    assert f.source.vintage == "extraction FINESS du 2 janvier 2025"
    assert "etalab-cs1100507" in f.source.name and "Licence Ouverte" in f.source.licence
    assert load_finess(finess_synthetic, vintage="2025").source.vintage == "2025"
    sub = f.in_departements(["77"], kinds=("cpts",))
    assert sorted(sub["name"]) == ["CPTS DU PAYS DE MEAUX SYNTHETIQUE", "CPTS MELUN SYNTHETIQUE"]
    assert as_finess(f) is f and as_finess(None) is None
    assert len(as_finess(finess_synthetic).establishments) == 8


def test_utf8_file_and_vintage_from_the_file_name(tmp_path):
    src = write_finess_synthetic(tmp_path, encoding="utf-8")
    text = src.read_text(encoding="utf-8").split("\n", 1)[1]
    renamed = tmp_path / "etalab-cs1100507-stock-20260512-0339.csv"
    renamed.write_text("finess;etalab;99;\n" + text, encoding="utf-8")
    f = load_finess(renamed)
    assert f.stats["encoding"] == "utf-8" and "CENTRE HOSPITALIER SYNTHÉTIQUE" in set(f.establishments["name"])
    assert f.source.vintage == "extraction FINESS du 12 mai 2026"


def test_not_a_finess_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="is not a FINESS etalab-cs1100507 extraction") as exc:
        load_finess(bad)
    assert "x.csv n'est pas une extraction FINESS" in exc.value.fr
    with pytest.raises(InputDataError, match="not found"):
        load_finess(tmp_path / "absent.csv")
    with pytest.raises(InputDataError, match="load_finess: path must be a file path"):
        load_finess(3)
    with pytest.raises(InputDataError, match="cannot decode"):
        load_finess(write_finess_synthetic(tmp_path), encoding="utf-8")
