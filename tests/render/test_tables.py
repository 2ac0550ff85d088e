"""Table writers: the access index CSV, the ``ess-geo zip`` files, atomic writing."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pytest

import synthetic
from ess_geo._output import atomic_write_bytes
from ess_geo.analysis.access import access_index
from ess_geo.analysis.outreach import flag_zip, rank_outreach_sites
from ess_geo.errors import InputDataError
from ess_geo.inputs.supply import Supply
from ess_geo.inputs.zonage import load_zonage
from ess_geo.render.tables import render_csv, write_access_csv, write_zip_outputs, zip_payload
from ess_geo.sources import Source


@pytest.fixture
def commune_supply_synthetic() -> Supply:
    return synthetic.commune_supply_synthetic()


def test_csv_rounded_without_technical_columns(commune_supply_synthetic, tmp_path):
    res = access_index("cardiologie", commune_supply_synthetic, departements="2A,2B")
    path = write_access_csv(res, tmp_path / "new" / "dir" / "acces.csv")  # missing folders are created
    text = path.read_text(encoding="utf-8-sig")
    header = text.splitlines()[0]
    assert "crs" not in header and "land_unit" not in header and "zone" not in header
    assert "e-0" not in text and "e+0" not in text
    frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig").set_index("Code commune")
    assert frame.at["2A004", "Spécialistes"] == "12"
    per100k = frame.at["2A004", "Accessibilité pour 100 000 habitants"]
    assert len(per100k.split(".")[1]) == 2
    acc = frame.at["2A004", "Accessibilité (spécialistes par habitant)"]
    assert acc.startswith("0.000") and len(acc.lstrip("0.")) <= 3
    assert float(acc) == pytest.approx(res.table.set_index("code_insee").at["2A004", "access"], rel=5e-3)


@pytest.mark.parametrize("name", ["x.xlsx", "x.txt", "x"])
def test_write_access_csv_refuses_other_extensions(commune_supply_synthetic, tmp_path, name):
    res = access_index("cardiologie", commune_supply_synthetic, departements="2A")
    with pytest.raises(InputDataError, match="extension"):
        write_access_csv(res, tmp_path / name)


def test_write_access_csv_unwritable_folder_is_input_error(commune_supply_synthetic, tmp_path):
    res = access_index("cardiologie", commune_supply_synthetic, departements="2A")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputDataError, match="output folder") as info:
        write_access_csv(res, blocker / "sub" / "x.csv")
    assert "impossible de créer le dossier" in info.value.fr


@pytest.fixture
def zip_result_48_synthetic(tmp_path):
    """Outreach sites in Lozère on a synthetic all-ZIP zonage and a synthetic commune-level supply (Mende)."""
    path = synthetic.write_all_zip_zonage_synthetic(tmp_path, ["48"])
    zonage = load_zonage(path)
    table = pd.DataFrame(
        {"code_insee": ["48095"], "code_dep": ["48"], "specialty": ["cardiologie"], "drees_group": ["07-Cardiologie"],
         "n_specialists": [12], "mode": ["synthetic"], "source": ["synthetic"]}
    )
    sup = Supply(table=table, source=Source(name="synthetic commune supply", vintage="synthetic"))
    result = rank_outreach_sites(flag_zip(["48"], "cardiologie", sup, zonage), k=2, min_population=1000)
    return result, zonage


def test_write_zip_outputs_files_atomically(zip_result_48_synthetic, tmp_path):
    result, zonage = zip_result_48_synthetic
    out = tmp_path / "nouveau" / "dossier"  # missing folders are created
    written = write_zip_outputs(result, zonage, out)
    assert [p.name for p in written] == [
        "communes_zip.csv",
        "communes_zip.geojson",
        "sites_consultations_avancees.csv",
        "sites_consultations_avancees.geojson",
        "zonage_lignes_non_rattachees.csv",
        "resultat.json",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)  # no temporary file left
    communes = pd.read_csv(out / "communes_zip.csv", dtype=str, encoding="utf-8-sig")
    assert "Code commune" in communes.columns and "Zonage" in communes.columns
    geo = json.loads((out / "communes_zip.geojson").read_text(encoding="utf-8"))
    assert geo["name"] == "communes_zip"  # the layer is named after the final file, not the temporary one
    assert len(gpd.read_file(out / "sites_consultations_avancees.geojson")) == len(result.sites)
    payload = json.loads((out / "resultat.json").read_text(encoding="utf-8"))
    assert payload == json.loads(json.dumps(zip_payload(result, zonage)))
    assert "zonage" in payload


def test_write_zip_outputs_unwritable_folder_is_input_error(zip_result_48_synthetic, tmp_path):
    result, zonage = zip_result_48_synthetic
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputDataError, match="output folder") as info:
        write_zip_outputs(result, zonage, blocker / "sub")
    assert "impossible de créer le dossier" in info.value.fr


def test_render_csv_joins_lists_and_writes_booleans():
    frame = pd.DataFrame({"group": [["75", "92"], None], "exact": [True, None], "n": [3, float("nan")]})
    text = render_csv(frame, ["group", "exact", "n"]).decode("utf-8-sig")
    assert text.splitlines() == ["group,exact,n", "75+92,true,3.0", ",,"]


def test_atomic_write_bytes_creates_folders(tmp_path):
    path = atomic_write_bytes(tmp_path / "a" / "b.txt", b"contenu")
    assert path.read_bytes() == b"contenu" and [p.name for p in path.parent.iterdir()] == ["b.txt"]


def test_zip_csvs_write_hostile_zonage_names_as_text(zip_result_48_synthetic, tmp_path):
    # issue 15 item 4: a zonage line's raw commune name comes back quoted, never as a formula
    result, _ = zip_result_48_synthetic
    path = tmp_path / "synthetic_zonage_hostile.csv"
    path.write_text('Code_postal,Nom_commune,Zonage\n48000,Mende,ZIP\n48999,"=HYPERLINK(""http://x"",""y"")",ZIP\n',
                    encoding="utf-8")
    zonage = load_zonage(path)
    write_zip_outputs(result, zonage, tmp_path / "out", sep=";")
    data = (tmp_path / "out" / "zonage_lignes_non_rattachees.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rejected = pd.read_csv(io.BytesIO(data), sep=";", dtype=str, encoding="utf-8-sig")
    assert rejected["Nom de commune"].tolist() == ["'=HYPERLINK(\"http://x\",\"y\")"]
    assert rejected["Ligne du fichier"].tolist() == ["3"]
    communes = pd.read_csv(tmp_path / "out" / "communes_zip.csv", sep=";", dtype=str, encoding="utf-8-sig")
    assert not communes["Population"].str.startswith("'").any()
