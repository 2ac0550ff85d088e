#!/usr/bin/env python3
"""Parse once: the parse cache on a 2-million-line RPPS extraction and the national zonage (prints figures).

Measures, each in a fresh child process (what a planner's command pays):

* hashing: reading the RPPS file's bytes, its SHA-256, and the stat fast path
  (:func:`ess_geo.inputs.parse_cache.file_sha256`);
* the first read of the extraction (``load_rpps(cache=False)``, parsed on every core) against
  DuckDB counting the same thing (libéral doctors' lines, distinct RPPS identifiers per
  savoir-faire and commune) on the same file with as many threads, fresh processes run
  alternately (``peers.rpps_first_read_paired``: medians, ratio, peak memory printed);
* the first read that builds the cache, then the cached read, and ``ess-geo check --supply``
  with the extraction after the first read (target < 1 s);
* the national zonage: fresh match vs cached;
* ``ess-geo map -r 76 --zonage`` (target < 3 s) and ``ess-geo zip -r 84`` (target < 2 s), cache
  warm, medians of ``--runs`` cold processes.

The RPPS file is **synthetic** (tests/synthetic.py: invented people, real commune codes, the real
layout); the zonage is the real national file (../shared/data/zonage). DuckDB is a benchmark
extra (``pip install duckdb``); without it its lines are skipped.

Usage: ``python benchmarks/bench_parse_cache.py [--lines 2000000] [--rpps FILE] [--runs 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import peers  # noqa: E402

SHARED = Path(os.environ.get("ESS_GEO_SHARED_DATA", ROOT.parent / "shared" / "data"))
ZONAGE = SHARED / "zonage" / "zonage_mg_code_postal_national.csv"
RPPS_NAME = "PS_LibreAcces_Personne_activite_202504040839.txt"

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
c0 = time.process_time()
kind, path, cache = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
if kind == "rpps":
    from ess_geo.inputs.rpps import load_rpps
    t1, c1 = time.perf_counter(), time.process_time()
    n = len(load_rpps(path, cache=cache).persons)
elif kind == "zonage":
    from ess_geo.inputs.zonage import load_zonage
    t1, c1 = time.perf_counter(), time.process_time()
    n = len(load_zonage(path, cache=cache).table)
elif kind == "bytes":
    t1, c1 = time.perf_counter(), time.process_time()
    n = len(open(path, "rb").read())
elif kind in ("sha256", "fast"):
    from ess_geo.inputs.parse_cache import file_sha256
    t1, c1 = time.perf_counter(), time.process_time()
    n = len(file_sha256(path, fast=kind == "fast"))
print(json.dumps({"seconds": time.perf_counter() - t1, "cpu": time.process_time() - c1, "n": n}))
"""

def _env(cache: Path) -> dict[str, str]:
    """:func:`peers.env_with_src` with the parse cache on, in ``cache``."""
    env = {**peers.env_with_src(), "ESS_GEO_CACHE": str(cache)}
    env.pop("ESS_GEO_NO_PARSE_CACHE", None)
    return env


def _child(env: dict[str, str], code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _wall(env: dict[str, str], args: list[str], runs: int) -> tuple[float, float, float, float]:
    """min, median, max wall seconds and median CPU seconds of ``python -m ess_geo ARGS`` (fresh processes, one warm-up)."""
    cmd = [sys.executable, "-m", "ess_geo", *args]
    peers.cold(cmd, env)
    got = [peers.cold(cmd, env) for _ in range(runs)]
    times = [wall for wall, _ in got]
    return min(times), statistics.median(times), max(times), statistics.median(cpu for _, cpu in got)


def _median(env: dict[str, str], code: str, args: tuple[str, ...], runs: int) -> float:
    return _medians(env, code, args, runs)[0]


def _medians(env: dict[str, str], code: str, args: tuple[str, ...], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of a child (CPU: what a loaded machine does not inflate)."""
    got = [_child(env, code, *args) for _ in range(runs)]
    return statistics.median(g["seconds"] for g in got), statistics.median(g["cpu"] for g in got)


def _rpps_file(args: argparse.Namespace, folder: Path) -> Path:
    if args.rpps:
        return Path(args.rpps)
    sys.path.insert(0, str(ROOT / "tests"))  # tests/synthetic.py: the synthetic RPPS generator
    from synthetic import generate_synthetic_rpps

    path = folder / RPPS_NAME
    generate_synthetic_rpps(path, args.lines)
    return path


def _first_read(env: dict[str, str], rpps: Path, runs: int) -> None:
    """The first read against DuckDB's same count, paired fresh processes (their medians, ratio and peaks)."""
    pair = peers.rpps_first_read_paired(rpps, runs)
    if pair is None:
        first = _medians(env, _CHILD, ("rpps", str(rpps), "0"), runs)
        print(f"première lecture load_rpps (sans cache) : {first[0]:.2f} s (cpu {first[1]:.2f} s) ; "
              "DuckDB absent (pip install duckdb) : comparaison omise")
        return
    threads = peers.rpps_threads()
    print(pair.line(f"première lecture load_rpps (sans cache, {threads} fils)",
                    f"DuckDB, même comptage ({threads} fils)"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2_000_000, help="lines of the synthetic RPPS extraction")
    parser.add_argument("--rpps", help="an existing extraction (skips generating one)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (medians)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # figures appear as measured
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = _env(folder / "cache")
        rpps = _rpps_file(args, folder)
        size = rpps.stat().st_size
        print(f"Extraction RPPS : {rpps.name}, {size / 1e6:,.0f} Mo")
        t_bytes = _median(env, _CHILD, ("bytes", str(rpps), "0"), args.runs)
        t_sha = _median(env, _CHILD, ("sha256", str(rpps), "0"), args.runs)
        t_fast = _median(env, _CHILD, ("fast", str(rpps), "0"), args.runs)
        print(f"lire les octets : {t_bytes:.2f} s ; SHA-256 : {t_sha:.2f} s ({size / 1e6 / t_sha:,.0f} Mo/s) ; "
              f"empreinte par le relevé stat : {t_fast * 1000:.1f} ms")
        _first_read(env, rpps, args.runs)
        first = _medians(env, _CHILD, ("rpps", str(rpps), "0"), 1)
        build = _child(env, _CHILD, "rpps", str(rpps), "1")
        cached = _medians(env, _CHILD, ("rpps", str(rpps), "1"), args.runs)
        print(f"lecture qui construit le cache : {build['seconds']:.2f} s (cpu {build['cpu']:.2f} s) ; lecture depuis le "
              f"cache : {cached[0]:.3f} s (cpu {cached[1]:.3f} s, {first[1] / cached[1]:,.0f}× moins)")
        lo, med, hi, cpu = _wall(env, ["check", "-s", "cardiologie", "-d", "75", "--supply", str(rpps)], args.runs)
        print(f"ess-geo check --supply <RPPS {size / 1e6:,.0f} Mo> après la première lecture : médiane {med:.2f} s "
              f"(min {lo:.2f}, max {hi:.2f} ; cpu {cpu:.2f} s) ; cible < 1 s")
        if ZONAGE.is_file():
            z_fresh = _medians(env, _CHILD, ("zonage", str(ZONAGE), "0"), args.runs)
            _child(env, _CHILD, "zonage", str(ZONAGE), "1")
            z_cached = _medians(env, _CHILD, ("zonage", str(ZONAGE), "1"), args.runs)
            print(f"zonage national : rapprochement {z_fresh[0]:.2f} s (cpu {z_fresh[1]:.2f} s) ; depuis le cache "
                  f"{z_cached[0]:.3f} s (cpu {z_cached[1]:.3f} s)")
            out = folder / "carte.html"
            for label, cmd, target in (
                ("map -r 76 --zonage", ["map", "-r", "76", "-s", "cardiologie", "--zonage", str(ZONAGE), "--out", str(out)], 3),
                ("zip -r 84", ["zip", "-r", "84", "-s", "cardiologie", "--zonage", str(ZONAGE)], 2),
            ):
                lo, med, hi, cpu = _wall(env, cmd, args.runs)
                print(f"ess-geo {label} (cache chaud) : médiane {med:.2f} s (min {lo:.2f}, max {hi:.2f} ; cpu {cpu:.2f} s) ; "
                      f"cible < {target} s")
        else:
            print(f"zonage national absent ({ZONAGE}) : mesures du zonage, de map et de zip omises")


if __name__ == "__main__":
    main()
