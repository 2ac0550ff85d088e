#!/usr/bin/env python3
"""Every headline figure of ess_geo beside its peer measured in the same run: the README's benchmark table.

Each row times ess_geo and a peer alternately in this one call (see ``peers.py``) and prints the
ratio, so that the table keeps its meaning on a shared machine whose speed drifts. Cold rows are
whole processes (``python -m ess_geo ...``, as a planner runs them); medians of paired runs.

Usage::

    python benchmarks/run_all.py [--runs 7] [--rpps-lines 2000000] [--quick] [--markdown]

The RPPS first read is measured on 2,000,000 synthetic lines by default, the size its target is stated
for (``--rpps-lines 500000`` for a quicker table; ``bench_parse_cache.py`` measures 2 M lines too).
``--quick`` skips the slow rows (RPPS, proposals against spopt, commands over 2 s). ``--markdown``
prints the table in the README's layout. Needs ../shared/data for the zonage and DREES rows (or
``ESS_GEO_SHARED_DATA``); a missing peer (DuckDB, spopt, PySAL access) is said, not invented.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # synthetic.py: the synthetic RPPS generator

import peers  # noqa: E402

DREES = peers.SHARED / "medecins_effectifs" / "drees_rpps_effectifs_dep_x_specialite15.csv"
ZONAGE = peers.SHARED / "zonage" / "zonage_mg_code_postal_national.csv"
Row = tuple[str, str, str, str, str]  # what, ess_geo, peer, ratio, target


def cold_rows(runs: int, quick: bool) -> list[Row]:
    """Whole processes: --version, specialties, check (against the naive geopandas check), and the slow commands."""
    bare = [sys.executable, "-c", "pass"]
    rows: list[Row] = []
    for label, args, target in [("`ess-geo --version`", ["--version"], "< 0.2 s"),
                                ("`ess-geo specialties`", ["specialties"], "< 0.2 s")]:
        p = peers.paired(peers.ess_geo_cmd(*args), bare, runs)
        rows.append((label, _s(p.a_wall, p.a_cpu), f"bare `python -c pass`: {_s(p.b_wall, p.b_cpu)}",
                     f"{p.a_cpu - p.b_cpu:+.2f} s cpu", target))
    p = peers.paired(peers.ess_geo_cmd("check", "-s", "cardiologie", "-d", "77,91", "--exit-zero"),
                     peers.naive_check_cmd(), runs)
    rows.append(("`ess-geo check -s cardiologie -d 77,91` (embedded supply, cold)", _s(p.a_wall, p.a_cpu),
                 f"naive geopandas check: {_s(p.b_wall, p.b_cpu)}", f"×{p.ratio_cpu:.2f} cpu, ×{p.ratio_wall:.2f} wall",
                 "< 0.5 s"))
    if quick or not ZONAGE.is_file():
        return rows
    with tempfile.TemporaryDirectory() as tmp:
        slow = [
            ("`ess-geo zip -s cardiologie -r 84 --zonage …`", ["zip", "-s", "cardiologie", "-r", "84", "--zonage", str(ZONAGE),
                                                             "--out", tmp], "< 2 s"),
            ("`ess-geo map -s cardiologie -r 76 --zonage … --out carte.html`",
             ["map", "-s", "cardiologie", "-r", "76", "--zonage", str(ZONAGE), "--out", f"{tmp}/carte.html"], "< 3 s"),
            ("`ess-geo report --region all --no-maps`", ["report", "--region", "all", "--no-maps", "-q", "--out", f"{tmp}/r"],
             "< 4 s"),
            ("`ess-geo report --region all --maps`", ["report", "--region", "all", "--maps", "-q", "--out", f"{tmp}/rm"],
             "< 15 s"),
        ]
        for label, args, target in slow:
            times = [peers.cold(peers.ess_geo_cmd(*args)) for _ in range(max(1, runs // 3))]
            rows.append((label, _s(statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)),
                         "—", "—", target))
    return rows


def rpps_rows(lines: int, runs: int) -> list[Row]:
    """The first read of a synthetic RPPS extraction and a count on it against DuckDB's same count (same threads),
    paired fresh processes; then the same with the tables made pandas frames (a notebook's read).

    Without DuckDB, against pandas in this process (the same count, one thread).
    """
    from synthetic import generate_synthetic_rpps

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "PS_LibreAcces_Personne_activite_202504040839.txt"
        generate_synthetic_rpps(path, lines)
        what = f"RPPS extraction, {lines:,} synthetic lines: first read and a count (fresh process, as `check --supply`)"
        pair = peers.rpps_first_read_paired(path, runs)
        if pair is not None:
            threads = peers.rpps_threads()
            frames = peers.rpps_first_read_paired(path, runs, frames=True)
            check = peers.rpps_check_paired(path, runs)
            assert frames is not None and check is not None  # DuckDB is installed: the first pair ran
            first, later = peers.rpps_check_cached(path)
            peer = f"DuckDB, same count, {threads} threads"

            def row(label: str, p: peers.Paired, target: str) -> Row:
                peak = f", peak {p.a_peak_mb:.0f} MB" if p.a_peak_mb else ""  # a command does not print it
                return (label, f"{_s(p.a_wall, p.a_cpu)}{peak}",
                        f"{peer}: {_s(p.b_wall, p.b_cpu)}, peak {p.b_peak_mb:.0f} MB",
                        f"×{p.ratio_wall:.2f} (cpu ×{p.ratio_cpu:.2f})", target)

            return [row(what, pair, "first read ≤ DuckDB"),
                    row("… then `supply.table` and `supply.persons` read as pandas frames (a notebook)", frames, "—"),
                    row("… `ess-geo check --supply <extraction>`, parse cache off", check, "first read ≤ DuckDB"),
                    ("… `ess-geo check --supply <extraction>` writing the parse cache (file hashed, tables stored), "
                     "then a second check reusing it", f"{first:.2f} s, then {later:.2f} s", "—", "—",
                     "after the first read < 1 s")]
        from ess_geo.inputs.rpps import load_rpps

        t0 = time.perf_counter()
        load_rpps(path, cache=False).count("cardiologie", ["77", "91"])
        ours = time.perf_counter() - t0
        peer_s = peers.rpps_peer_counts(path)["pandas"]
    return [(what.replace("fresh process", "in process"), f"{ours:.2f} s", f"pandas {peer_s:.2f} s (DuckDB not installed)",
             f"×{ours / peer_s:.2f} vs pandas", "first read ≤ DuckDB")]


def access_row() -> Row:
    """National E2SFCA against PySAL access on the same pairs."""
    import bench_access

    r = bench_access.measure()
    if "pysal" not in r:
        return ("E2SFCA access index, national", f"{r['ours']:.2f} s", "PySAL access not installed", "—", "faster")
    return ("E2SFCA access index, national (34,871 communes)", f"{r['ours']:.2f} s",
            f"PySAL `access`: {r['pysal']:.2f} s (max diff {r['max_diff']:.0e})", f"×{r['ours'] / r['pysal']:.2f}", "faster")


def proposals_row(regions: tuple[str, ...] = ("28", "52", "53")) -> Row:
    """Exact proposals against spopt MaxPHeuristic, on the instances spopt finishes (a few régions)."""
    import bench_proposals

    from ess_geo.analysis.proposals import propose_territories
    from ess_geo.inputs.load import load_supply
    from ess_geo.inputs.registry import load_registry
    from ess_geo.reference.specialties import all_specialties

    supply, registry = load_supply(DREES), load_registry()
    ours = theirs = 0.0
    n = better = 0
    for region in regions:
        for spec in (s for s in all_specialties() if s.drees_group_exact):
            t0 = time.perf_counter()
            res = propose_territories(spec, region, supply, registry, check=False)
            t_ours = time.perf_counter() - t0
            p, info = bench_proposals.spopt_maxp(res, supply, spec)
            if p is None:
                continue
            n += 1
            ours += t_ours
            theirs += info
            better += res.n_territories > p
    return (f"exact proposals, {n} instances (régions {', '.join(regions)})", f"{ours:.2f} s",
            f"spopt MaxPHeuristic: {theirs:.2f} s (more territories than spopt on {better})",
            f"×{ours / theirs:.3f}" if theirs else "—", "never fewer territories")


def map_row() -> Row:
    """Coverage map of France: HTML size against ``GeoDataFrame.explore`` of the same départements."""
    from ess_geo.analysis.coverage import coverage_table
    from ess_geo.inputs.load import load_supply
    from ess_geo.reference.geography import load_departements
    from ess_geo.render.html_map import make_coverage_map, save_map

    with tempfile.TemporaryDirectory() as tmp:
        coverage = coverage_table(None, ["cardiologie"], load_supply(DREES))
        t0 = time.perf_counter()
        path = save_map(make_coverage_map(coverage), Path(tmp) / "couverture.html")
        t_ours = time.perf_counter() - t0
        size = Path(path).stat().st_size
        deps = load_departements()
        table = coverage.table
        deps["density"] = deps["code_dep"].map(dict(zip(table["code_dep"], table["density_per_100k"], strict=True)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            peer_size, t_peer = peers.explore_html_size(deps, "density", Path(tmp) / "explore.html")
    return ("coverage map of France (HTML, offline)", f"{size / 1e6:.2f} MB, {t_ours:.2f} s",
            f"`GeoDataFrame.explore`: {peer_size / 1e6:.2f} MB, {t_peer:.2f} s", f"×{size / peer_size:.2f} size",
            "< 1.5 MB")


def _s(wall: float, cpu: float) -> str:
    return f"{wall:.2f} s (cpu {cpu:.2f} s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="paired runs of each cold command (default 7)")
    parser.add_argument("--rpps-lines", type=int, default=2_000_000,
                        help="lines of the synthetic RPPS extraction (the target is stated at 2000000)")
    parser.add_argument("--quick", action="store_true", help="skip the slow rows")
    parser.add_argument("--markdown", action="store_true", help="print the README's markdown table")
    args = parser.parse_args(argv)
    rows = cold_rows(args.runs, args.quick)
    if DREES.is_file():
        rows.append(map_row())
    rows.append(access_row())
    if not args.quick:
        rows.extend(rpps_rows(args.rpps_lines, args.runs))
        if DREES.is_file():
            rows.append(proposals_row())
    header = ("what", "ess_geo", "peer, same run", "ratio", "target")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        for row in rows:
            print(" ; ".join(f"{h} : {v}" for h, v in zip(header, row, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
