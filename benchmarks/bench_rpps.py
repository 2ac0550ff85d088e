"""Benchmark of :func:`ess_geo.inputs.rpps.load_rpps` on a synthetic 2-million-line extraction.

Generates ``PS_LibreAcces_Personne_activite_<stamp>.txt`` in the real layout (synthetic people,
real commune codes) into a temporary directory, then times ``load_rpps`` in a fresh child process
and reports its peak resident memory (``ru_maxrss`` of the child). It also times, in the same run, the
alternative engine considered, pandas ``read_csv`` in chunks with ``usecols`` (reading and
filtering only), and prints the ratio (``--no-compare`` skips it).

Targets (issue 3): under 30 s and under 2 GB peak on a 2-core machine.

Usage::

    python benchmarks/bench_rpps.py [--lines 2000000] [--encoding utf-8|cp1252] [--no-compare] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # tests/synthetic.py: the synthetic RPPS generator

_CHILD_LOAD = r"""
import json, resource, sys, time
from ess_geo.inputs.rpps import load_rpps
t0 = time.perf_counter()
s = load_rpps(sys.argv[1])
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": dt, "peak_bytes": peak, "lines": s.stats["lines"], "persons": s.stats["persons"],
                  "rows": len(s.table), "dropped": s.dropped.count, "encoding": s.stats["encoding"]}))
"""

_CHILD_PANDAS = r"""
import json, resource, sys, time
import pandas as pd
cols = ["Identifiant PP", "Code profession", "Code savoir-faire", "Code mode exercice",
        "Code postal (coord. structure)", "Code commune (coord. structure)"]
t0 = time.perf_counter()
kept = 0
for chunk in pd.read_csv(sys.argv[1], sep="|", usecols=cols, dtype=str, keep_default_na=False, quoting=3,
                         chunksize=200_000, encoding=sys.argv[2], on_bad_lines="skip"):
    kept += int(((chunk["Code profession"] == "10") & (chunk["Code mode exercice"] == "L")).sum())
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": dt, "peak_bytes": peak, "kept": kept}))
"""


def _child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from synthetic import generate_synthetic_rpps

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--encoding", default="utf-8", choices=["utf-8", "cp1252"])
    ap.add_argument("--no-compare", dest="compare", action="store_false", help="do not time pandas chunked read_csv")
    ap.add_argument("--keep", help="directory to keep the generated file in (default: temporary)")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory() if not args.keep else None
    folder = Path(args.keep or tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "PS_LibreAcces_Personne_activite_202504040839.txt"
    t0 = time.perf_counter()
    written = generate_synthetic_rpps(path, args.lines, encoding=args.encoding)
    gen = time.perf_counter() - t0
    size = path.stat().st_size
    print(f"fichier synthétique : {written['lines']:,} lignes, {size / 1e6:,.0f} Mo, {args.encoding} "
          f"(généré en {gen:.1f} s)")
    print(f"machine : {os.cpu_count()} cœurs, Python {sys.version.split()[0]}")

    res = _child(_CHILD_LOAD, str(path))
    print(f"load_rpps (pyarrow, flux)   : {res['seconds']:6.1f} s   pic mémoire {res['peak_bytes'] / 2**20:7.0f} Mio   "
          f"{res['lines']:,} lignes lues, {res['persons']:,} médecins libéraux placés, "
          f"{res['rows']:,} lignes commune × spécialité, {res['dropped']:,} lignes ignorées")
    ok_time = res["seconds"] < 30
    ok_mem = res["peak_bytes"] < 2 * 2**30
    print(f"objectifs : < 30 s {'OK' if ok_time else 'DÉPASSÉ'} ; < 2 Gio {'OK' if ok_mem else 'DÉPASSÉ'}")
    if args.compare:
        enc = "cp1252" if args.encoding == "cp1252" else "utf-8"
        alt = _child(_CHILD_PANDAS, str(path), enc)
        print(f"pandas read_csv par blocs   : {alt['seconds']:6.1f} s   pic mémoire {alt['peak_bytes'] / 2**20:7.0f} Mio   "
              "(lecture + filtre seulement, sans placement ni comptage)")
        print(f"rapport load_rpps / pandas (même run) : {res['seconds'] / alt['seconds']:.2f}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
