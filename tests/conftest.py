"""Shared fixtures: the real reference files in ../shared/data, and the browser."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("ESS_GEO_SHARED_DATA", ROOT.parent / "shared" / "data"))


def _require(var: str) -> bool:
    return os.environ.get(var, "") not in ("", "0")


@pytest.fixture(autouse=True, scope="session")
def session_cache_folder(tmp_path_factory):
    """The test session's dataset and parse cache (ESS_GEO_CACHE): a temporary folder, never ~/.cache."""
    if not os.environ.get("ESS_GEO_CACHE"):
        os.environ["ESS_GEO_CACHE"] = str(tmp_path_factory.mktemp("ess_geo_cache"))
    return Path(os.environ["ESS_GEO_CACHE"])


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ../shared/data; skip (or fail in CI, ESS_GEO_REQUIRE_SHARED=1) when absent."""
    if not SHARED_DATA.is_dir():
        msg = f"real reference files not found at {SHARED_DATA} (see ../shared/data/SOURCES.md)"
        if _require("ESS_GEO_REQUIRE_SHARED"):
            pytest.fail(msg + " and ESS_GEO_REQUIRE_SHARED=1")
        pytest.skip(msg)
    return SHARED_DATA


@pytest.fixture(scope="session")
def drees_effectifs(shared_data: Path) -> Path:
    """The real DREES table: doctors per département × 15 specialty groups."""
    return shared_data / "medecins_effectifs" / "drees_rpps_effectifs_dep_x_specialite15.csv"


@pytest.fixture(scope="session")
def drees_raw(drees_effectifs: Path) -> dict[str, dict[str, int]]:
    """Independent read of the DREES table with the csv module: {group column: {dep code: n}}."""
    out: dict[str, dict[str, int]] = {}
    with open(drees_effectifs, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["dept_code"].strip()
            if code == "Total général":
                continue
            code = code[-2:].upper() if code.upper().endswith(("A", "B")) else code.lstrip("0").zfill(2)
            for col, val in row.items():
                if col not in ("dept_code", "Total général"):
                    out.setdefault(col, {})[code] = int(val)
    return out


@pytest.fixture(scope="session")
def rpps_extract(shared_data: Path) -> Path:
    """The 23 real lines of the RPPS extraction PS_LibreAcces_Personne_activite (header + 22 lines)."""
    return shared_data / "rpps" / "PS_LibreAcces_Personne_activite_extrait_2021-12.txt"


@pytest.fixture(scope="session")
def finess_layout(shared_data: Path) -> Path:
    """The official layout of the FINESS extraction etalab-cs1100507 (37 fields, Latin-1)."""
    return shared_data / "finess" / "format_etalabcs1100507.csv"


@pytest.fixture(scope="session")
def zonage_file(shared_data: Path) -> Path:
    """The real national zonage of GPs, keyed by postal code + commune name."""
    return shared_data / "zonage" / "zonage_mg_code_postal_national.csv"


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's chromium; skip (or fail when ESS_GEO_REQUIRE_BROWSER=1) when absent."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        msg = "chromium not installed (apt-get install chromium; .ci/run does it)"
        if _require("ESS_GEO_REQUIRE_BROWSER"):
            pytest.fail(msg + " and ESS_GEO_REQUIRE_BROWSER=1")
        pytest.skip(msg)
    return path


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    """Run ``ess-geo ARGS`` in-process: (exit code, stdout, stderr)."""
    from ess_geo.cli import main

    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def parse_cache_home(tmp_path, monkeypatch) -> Path:
    """A fresh, empty cache folder for the test (``ESS_GEO_CACHE``), the parse cache enabled."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ESS_GEO_CACHE", str(folder))
    monkeypatch.delenv("ESS_GEO_NO_PARSE_CACHE", raising=False)
    return folder
