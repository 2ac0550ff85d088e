"""Benchmark: ``ess-geo report --region all`` on the national DREES table (target: under 60 s).

Usage::

    python benchmarks/bench_report.py [--supply FILE] [--maps]

Prints the wall-clock time of the command (run in a subprocess, as a user would) and of the
coverage computation alone.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SUPPLY = ROOT.parent / "shared" / "data" / "medecins_effectifs" / "drees_rpps_effectifs_dep_x_specialite15.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--supply", default=str(DEFAULT_SUPPLY))
    parser.add_argument("--maps", action="store_true", help="also render the coverage maps")
    args = parser.parse_args()

    from ess_geo.analysis.coverage import coverage_table
    from ess_geo.inputs.load import load_supply

    t0 = time.perf_counter()
    result = coverage_table("all", None, load_supply(args.supply))
    t_compute = time.perf_counter() - t0
    print(f"coverage_table(all): {len(result.table)} rows, {len(result.specialties)} specialties, {t_compute:.2f} s")

    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "ess_geo", "report", "--region", "all", "--out", out, "--supply", args.supply, "-q"]
        cmd.append("--maps" if args.maps else "--no-maps")
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - t0
        n_files = sum(1 for p in Path(out).rglob("*") if p.is_file())
        size_mb = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file()) / 1e6
    print(f"ess-geo report --region all {'--maps' if args.maps else '--no-maps'}: exit {proc.returncode}, "
          f"{n_files} files, {size_mb:.1f} MB, {elapsed:.2f} s (target < 60 s)")
    if proc.returncode:
        print(proc.stderr, file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
