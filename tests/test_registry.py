"""ESS registry: the embedded seed and user files."""

from __future__ import annotations

import pytest

from ess_geo.errors import InputDataError
from ess_geo.registry import load_registry

HEADER = "id,name,specialties,departements,region,status,source,source_date\n"


def test_embedded_seed():
    reg = load_registry()
    ids = {e.id: e for e in reg}
    assert set(ids) == {"idf-cardiologie", "idf-dermatologie", "idf-argos-ophtalmologie"}
    assert ids["idf-cardiologie"].departements == ("75", "94")
    assert len(ids["idf-dermatologie"].departements) == 8
    assert reg.covered_departements("ophtalmologie")["93"] == "idf-argos-ophtalmologie"


def test_user_file_with_region_only(tmp_path):
    p = tmp_path / "synthetic_registry.csv"
    p.write_text(HEADER + "x,ESS synthétique,pneumologie,,94,projet,test,2026-01-01\n", encoding="utf-8")
    reg = load_registry(p)
    assert reg.entries[0].departements == ("2A", "2B")


def test_malformed_rows_are_all_named(tmp_path):
    p = tmp_path / "synthetic_bad_registry.csv"
    p.write_text(
        HEADER
        + "a,ESS A,cardiologie,75;99,11,active,src,\n"
        + "b,ESS B,diabète,75,11,active,src,\n"
        + "c,ESS C,cardiologie,75,11,ouverte,src,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputDataError, match=r"line 2.*'99'.*line 3.*diabète.*line 4.*'ouverte'"):
        load_registry(p)


def test_missing_column(tmp_path):
    p = tmp_path / "synthetic_registry.csv"
    p.write_text("id,name\nx,y\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="missing column"):
        load_registry(p)
