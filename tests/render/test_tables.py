"""Table writers: the access index CSV, the ``ess-geo zip`` files, atomic writing."""

from __future__ import annotations

import pandas as pd
import pytest

import synthetic
from ess_geo.analysis.access import access_index
from ess_geo.errors import InputDataError
from ess_geo.inputs.supply import Supply
from ess_geo.render.tables import write_access_csv


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
