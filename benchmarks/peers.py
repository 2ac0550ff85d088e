"""What every benchmark compares ess_geo with, measured in the same run, and the timing helpers they share.

A figure alone says little on a shared 2-core machine whose speed drifts with the other jobs; a
ratio against a peer run in the same call, alternately (A B A B ...), keeps its meaning. Peers:

- a *naive geopandas check*: the script a planner would write with geopandas and pandas alone
  (read the départements, union them to test continuity, sum the embedded counts, look the
  territory up in the registry) -- the yardstick of ``ess-geo check`` as a cold process;
- the bare interpreter (``python -c pass``) for ``ess-geo --version``;
- DuckDB (when installed; pandas ``read_csv`` otherwise) for reading an RPPS extraction: the same
  count as ess_geo (distinct libéral doctors per savoir-faire × commune), on as many threads as
  ess_geo parses with (every core: 2 on the reference machine), in fresh processes;
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
    a_peak_mb: float = 0.0
    b_peak_mb: float = 0.0

    def line(self, a: str, b: str) -> str:
        """One French line: both medians and the ratios (and peak memory when measured)."""
        peak_a = f", pic {self.a_peak_mb:.0f} Mo" if self.a_peak_mb else ""
        peak_b = f", pic {self.b_peak_mb:.0f} Mo" if self.b_peak_mb else ""
        return (f"{a} : {self.a_wall:.3f} s (cpu {self.a_cpu:.3f} s{peak_a}) ; {b} : {self.b_wall:.3f} s "
                f"(cpu {self.b_cpu:.3f} s{peak_b}) ; rapport {self.ratio_wall:.2f} (cpu {self.ratio_cpu:.2f}), "
                f"médianes de {self.runs} paires")


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


#: Appended to a child's script: its own peak resident memory (``VmHWM``, kB), which ``ru_maxrss`` of a
#: child cannot give (it counts the parent's pages the child held between ``fork`` and ``exec``).
PRINT_PEAK = """
with open("/proc/self/status") as _status:
    print("VmHWM", next(line.split()[1] for line in _status if line.startswith("VmHWM")))
"""


def cold_peak(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall and CPU seconds of one child process, and its peak resident memory (MB) when it prints it (:data:`PRINT_PEAK`)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env or env_with_src(), capture_output=True, text=True, check=False).stdout
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peaks = [line.split()[1] for line in out.splitlines() if line.startswith("VmHWM ")]
    return (wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            int(peaks[-1]) / 1024 if peaks else 0.0)


def paired(cmd_a: list[str], cmd_b: list[str], runs: int = 7, warmup: int = 1,
           env_a: dict[str, str] | None = None) -> Paired:
    """Run A and B alternately ``runs`` times (after ``warmup`` unpaired runs each); medians and ratios.

    ``env_a``: variables added to A's environment.
    """
    a_env = {**env_with_src(), **(env_a or {})}
    for _ in range(warmup):
        cold_peak(cmd_a, a_env)
        cold_peak(cmd_b)
    a, b = [], []
    for _ in range(runs):
        a.append(cold_peak(cmd_a, a_env))
        b.append(cold_peak(cmd_b))
    med = statistics.median
    return Paired(
        a_wall=med(x[0] for x in a), a_cpu=med(x[1] for x in a), b_wall=med(x[0] for x in b), b_cpu=med(x[1] for x in b),
        ratio_wall=med(x[0] / y[0] for x, y in zip(a, b, strict=True)),
        ratio_cpu=med(x[1] / max(y[1], 1e-9) for x, y in zip(a, b, strict=True)), runs=runs,
        a_peak_mb=med(x[2] for x in a), b_peak_mb=med(x[2] for x in b),
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


#: ess_geo's first read of an RPPS extraction in a fresh process (parse cache off) and a count on it: what
#: ``ess-geo check --supply`` does (the count runs on the Arrow tables: no pandas).
RPPS_FIRST_READ = r"""
import sys
from ess_geo.inputs.rpps import load_rpps
supply = load_rpps(sys.argv[1], cache=False)
print(supply.count("cardiologie", ["77", "91"]).total)
""" + PRINT_PEAK

#: The same, then the tables made pandas frames, as a notebook reading ``supply.table`` does (pandas imported).
RPPS_FIRST_READ_FRAMES = r"""
import sys
from ess_geo.inputs.rpps import load_rpps
supply = load_rpps(sys.argv[1], cache=False)
print(supply.count("cardiologie", ["77", "91"]).total, len(supply.table), len(supply.persons))
""" + PRINT_PEAK

#: DuckDB's query of what ess_geo counts: distinct libéral doctors per savoir-faire × commune.
RPPS_DUCKDB_SQL = """
    SELECT "Code savoir-faire", "Code commune (coord. structure)", count(DISTINCT "Identifiant PP")
    FROM read_csv(?, delim='|', header=true, quote='', escape='', all_varchar=true, ignore_errors=true,
                  null_padding=true)
    WHERE trim("Code profession") = '10' AND trim("Code mode exercice") = 'L'
    GROUP BY ALL"""

#: DuckDB's count in a fresh process: ``python -c RPPS_DUCKDB_COUNT FILE THREADS``.
RPPS_DUCKDB_COUNT = f"""
import sys
import duckdb
con = duckdb.connect()
con.execute(f"SET threads={{int(sys.argv[2])}}")
con.execute("SET enable_progress_bar=false")
print(len(con.execute({RPPS_DUCKDB_SQL!r}, [sys.argv[1]]).fetchall()))
""" + PRINT_PEAK


def rpps_threads() -> int:
    """Threads ess_geo parses an extraction with (one per core, as pyarrow counts them): DuckDB gets as many."""
    import pyarrow as pa  # deferred: only for the RPPS rows

    return pa.cpu_count()


def rpps_first_read_paired(path: Path, runs: int = 7, *, frames: bool = False) -> Paired | None:
    """ess_geo's first read (and a count) against DuckDB's same count, fresh processes run alternately; None
    without DuckDB. ``frames``: the tables are also made pandas frames (a notebook's read)."""
    try:
        import duckdb  # noqa: F401  (a benchmark extra: only to compare)
    except ImportError:
        return None
    return paired([sys.executable, "-c", RPPS_FIRST_READ_FRAMES if frames else RPPS_FIRST_READ, str(path)],
                  duckdb_count_cmd(path), runs)


def duckdb_count_cmd(path: Path) -> list[str]:
    """DuckDB's same count in a fresh process, on :func:`rpps_threads` threads."""
    return [sys.executable, "-c", RPPS_DUCKDB_COUNT, str(path), str(rpps_threads())]


def rpps_check_paired(path: Path, runs: int = 7) -> Paired | None:
    """``ess-geo check --supply EXTRACTION`` (parse cache off: the first read) against DuckDB's same count."""
    try:
        import duckdb  # noqa: F401  (a benchmark extra: only to compare)
    except ImportError:
        return None
    check = ess_geo_cmd("check", "-s", "cardiologie", "-d", "77,91", "--supply", str(path), "--exit-zero")
    return paired(check, duckdb_count_cmd(path), runs, env_a={"ESS_GEO_NO_PARSE_CACHE": "1"})


def rpps_check_cached(path: Path, runs: int = 3) -> tuple[float, float]:
    """Median seconds of ``ess-geo check --supply EXTRACTION`` writing the parse cache (a fresh cache folder
    each run: hashing the file and storing the tables included), then reusing it."""
    import tempfile

    check = ess_geo_cmd("check", "-s", "cardiologie", "-d", "77,91", "--supply", str(path), "--exit-zero")
    first, later = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            env = {**env_with_src(), "ESS_GEO_CACHE": cache}
            env.pop("ESS_GEO_NO_PARSE_CACHE", None)
            first.append(cold(check, env)[0])
            later.append(cold(check, env)[0])
    return statistics.median(first), statistics.median(later)


def rpps_peer_counts(path: Path, encoding: str = "utf-8") -> dict[str, float]:
    """Seconds to count distinct libéral doctors per savoir-faire × commune with pandas (and DuckDB if installed).

    The count of ess_geo's first read (before savoir-faire codes are mapped to specialties), in
    this process; DuckDB on :func:`rpps_threads` threads.
    """
    import pandas as pd

    ident, sf, commune = "Identifiant PP", "Code savoir-faire", "Code commune (coord. structure)"
    cols = [ident, "Code profession", "Code mode exercice", sf, commune]
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    parts = []
    for chunk in pd.read_csv(path, sep="|", usecols=cols, dtype=str, keep_default_na=False, quoting=3,
                             chunksize=500_000, encoding=encoding, on_bad_lines="skip"):
        kept = chunk[(chunk["Code profession"].str.strip() == "10") & (chunk["Code mode exercice"].str.strip() == "L")]
        parts.append(kept[[ident, sf, commune]].drop_duplicates())
    pd.concat(parts).groupby([sf, commune])[ident].nunique()
    out["pandas"] = time.perf_counter() - t0
    try:
        import duckdb
    except ImportError:
        return out
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads={rpps_threads()}")
    con.execute(RPPS_DUCKDB_SQL, [str(path)]).fetchall()
    out["duckdb"] = time.perf_counter() - t0
    return out
