"""What every benchmark compares ess_geo with, measured in the same run, and the timing helpers they share.

A figure alone says little on a shared 2-core machine whose speed drifts with the other jobs; a
ratio against a peer run in the same call, alternately (A B A B ...), keeps its meaning. Peers:

- a *naive geopandas check*: the script a planner would write with geopandas and pandas alone
  (read the départements, union them to test continuity, sum the embedded counts, look the
  territory up in the registry) -- the yardstick of ``ess-geo check`` as a cold process;
- the bare interpreter (``python -c pass``) for ``ess-geo --version``;
- pandas ``read_csv`` (and DuckDB when installed) for counting an RPPS extraction;
- ``GeoDataFrame.explore`` for the size of an HTML map;
- PySAL ``access`` and spopt ``MaxPHeuristic`` in ``bench_access.py`` and ``bench_proposals.py``.

Cold processes are timed from outside (wall clock and the child's CPU time from ``getrusage``);
medians of paired runs, ratio = median of the per-pair ratios.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
SHARED = Path(os.environ.get("ESS_GEO_SHARED_DATA", ROOT.parent / "shared" / "data"))

#: The naive geopandas check of a territory (cardiologie on 77 + 91), as a planner would write it.
NAIVE_GEOPANDAS_CHECK = r"""
import sys
import geopandas as gpd
import pandas as pd
data = sys.argv[1]
spec, deps = "cardiologie", ["77", "91"]
d = gpd.read_parquet(f"{data}/reference/data/departements.parquet")
territory = d[d["code_dep"].isin(deps)]
one_piece = territory.geometry.buffer(0.0005).union_all().geom_type == "Polygon"
regions = territory["code_region"].nunique()
supply = pd.read_csv(f"{data}/inputs/data/supply_embedded.csv", dtype={"code_dep": str})
rows = supply[(supply["specialty"] == spec) & supply["code_dep"].isin(deps) & (supply["mode"] == "tous")]
n = int(rows["count"].sum())
reg = pd.read_csv(f"{data}/reference/data/ess_registry.csv", comment="#", dtype=str)
reg = reg[(reg["specialties"].str.contains(spec)) & reg["valid_to"].isna()]
covered = any(set(p.split(";")) & set(deps) for p in reg["departements"])
print(f"continu={one_piece} régions={regions} spécialistes={n} couvert={covered}")
print("ADMISSIBLE" if one_piece and regions == 1 and n >= 10 and not covered else "NON ADMISSIBLE")
"""


@dataclass
class Paired:
    """Medians of paired cold runs of A (ess_geo) and B (its peer)."""

    a_wall: float
    a_cpu: float
    b_wall: float
    b_cpu: float
    ratio_wall: float
    ratio_cpu: float
    runs: int

    def line(self, a: str, b: str) -> str:
        """One French line: both medians and the ratios."""
        return (f"{a} : {self.a_wall:.3f} s (cpu {self.a_cpu:.3f} s) ; {b} : {self.b_wall:.3f} s (cpu {self.b_cpu:.3f} s) ; "
                f"rapport {self.ratio_wall:.2f} (cpu {self.ratio_cpu:.2f}), médianes de {self.runs} paires")


def env_with_src() -> dict[str, str]:
    """The environment of a child running this checkout's ess_geo.

    Bytecode is written and reused as on a planner's machine: a sandbox exporting
    PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every ess_geo module in each process
    (about 0.15 s of CPU per command).
    """
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def cold(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env or env_with_src(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def paired(cmd_a: list[str], cmd_b: list[str], runs: int = 7, warmup: int = 1) -> Paired:
    """Run A and B alternately ``runs`` times (after ``warmup`` unpaired runs each); medians and ratios."""
    for _ in range(warmup):
        cold(cmd_a)
        cold(cmd_b)
    a, b = [], []
    for _ in range(runs):
        a.append(cold(cmd_a))
        b.append(cold(cmd_b))
    med = statistics.median
    return Paired(
        a_wall=med(x[0] for x in a), a_cpu=med(x[1] for x in a), b_wall=med(x[0] for x in b), b_cpu=med(x[1] for x in b),
        ratio_wall=med(x[0] / y[0] for x, y in zip(a, b, strict=True)),
        ratio_cpu=med(x[1] / max(y[1], 1e-9) for x, y in zip(a, b, strict=True)), runs=runs,
    )


def ess_geo_cmd(*args: str) -> list[str]:
    """``python -m ess_geo ARGS`` (this checkout's package, through :func:`env_with_src`)."""
    return [sys.executable, "-m", "ess_geo", *args]


def naive_check_cmd() -> list[str]:
    """The naive geopandas check as a command (reads the package's embedded files directly)."""
    return [sys.executable, "-c", NAIVE_GEOPANDAS_CHECK, str(SRC / "ess_geo")]


def explore_html_size(gdf, column: str, path: Path) -> tuple[int, float]:
    """Bytes and seconds of ``GeoDataFrame.explore(column)`` saved as HTML (the peer of a map's size)."""
    t0 = time.perf_counter()
    m = gdf.explore(column=column, tiles=None)
    m.save(str(path))
    return path.stat().st_size, time.perf_counter() - t0


def rpps_peer_counts(path: Path, encoding: str = "utf-8") -> dict[str, float]:
    """Seconds to count libéral doctors' lines of an RPPS extraction with pandas (and DuckDB if installed)."""
    import pandas as pd

    cols = ["Identifiant PP", "Code profession", "Code mode exercice"]
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    kept = 0
    for chunk in pd.read_csv(path, sep="|", usecols=cols, dtype=str, keep_default_na=False, quoting=3,
                             chunksize=500_000, encoding=encoding, on_bad_lines="skip"):
        kept += int(((chunk["Code profession"] == "10") & (chunk["Code mode exercice"] == "L")).sum())
    out["pandas"] = time.perf_counter() - t0
    try:
        import duckdb
    except ImportError:
        return out
    t0 = time.perf_counter()
    duckdb.sql(
        f"SELECT count(DISTINCT \"Identifiant PP\") FROM read_csv('{path}', delim='|', header=true, all_varchar=true, "
        "quote='', ignore_errors=true) WHERE \"Code profession\" = '10' AND \"Code mode exercice\" = 'L'"
    ).fetchall()
    out["duckdb"] = time.perf_counter() - t0
    return out
