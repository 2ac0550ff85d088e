#!/usr/bin/env python3
"""Load times of the embedded geography and latency of check_territory (prints figures).

Each measurement runs in a fresh interpreter for cold loads, then repeats in-process for warm
calls, and times a cold ``ess-geo check`` against the naive geopandas check of ``peers.py`` in the
same run (paired, ratio printed). Usage: ``python benchmarks/bench_core.py [--supply DREES_CSV]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "medecins_effectifs" / "drees_rpps_effectifs_dep_x_specialite15.csv"

COLD = """
import time
t0 = time.perf_counter()
from ess_geo.reference import geography
t1 = time.perf_counter()
geography.load_departements(); geography.load_regions(); geography.load_adjacency()
t2 = time.perf_counter()
geography.load_communes()
t3 = time.perf_counter()
print(f"{t1-t0:.3f} {t2-t1:.3f} {t3-t2:.3f}")
"""


def cold_loads(runs: int = 5) -> tuple[list[float], list[float], list[float]]:
    imp, deps, com = [], [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True).stdout.split()
        imp.append(float(out[0]))
        deps.append(float(out[1]))
        com.append(float(out[2]))
    return imp, deps, com


def warm_checks(supply: Path | None, runs: int = 50) -> list[float]:
    from ess_geo.inputs.load import load_supply
    from ess_geo.rules.territory import check_territory

    sup = load_supply(supply) if supply else None
    check_territory("cardiologie", ["75", "94"], supply=sup)  # warm caches
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        check_territory("cardiologie", region="76", adherents=30, supply=sup)
        times.append(time.perf_counter() - t)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supply", type=Path, default=SHARED if SHARED.is_file() else None)
    args = parser.parse_args()
    imp, deps, com = cold_loads()
    med = statistics.median
    print(f"import ess_geo.reference.geography (cold)            median {med(imp) * 1000:7.1f} ms")
    print(f"départements + régions + adjacency (cold)  median {med(deps) * 1000:7.1f} ms  (target: well under 1 s)")
    print(f"communes, 34,875 polygons (cold)            median {med(com) * 1000:7.1f} ms")
    pair = peers.paired(peers.ess_geo_cmd("check", "-s", "cardiologie", "-d", "77,91", "--exit-zero"),
                        peers.naive_check_cmd())
    print(pair.line("ess-geo check -s cardiologie -d 77,91 (processus froid)", "check naïf geopandas (même run)"))
    times = warm_checks(args.supply)
    print(
        f"check_territory(cardiologie, région 76 Occitanie, supply={'DREES' if args.supply else 'none'}) "
        f"median {med(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms over {len(times)} runs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
