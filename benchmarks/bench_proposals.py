"""Benchmark: exact ESS territory proposals vs PySAL spopt MaxPHeuristic.

Runs :func:`ess_geo.analysis.proposals.propose_territories` for every région × every specialty whose DREES
group is exact (counts are exact), on the real DREES table, and PySAL spopt ``MaxPHeuristic`` on
the same inputs (same uncovered départements, same adjacency, same counts, floor 10).
Prints the total time of the exact method and, per instance, the territory counts.

Usage::

    python benchmarks/bench_proposals.py [path/to/drees_rpps_effectifs_dep_x_specialite15.csv]
"""

from __future__ import annotations

import signal
import sys
import time
import warnings
from pathlib import Path

from ess_geo.analysis.proposals import propose_territories
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.registry import load_registry
from ess_geo.reference import geography
from ess_geo.reference.codes import region_of
from ess_geo.reference.specialties import all_specialties
from ess_geo.rules.criteria import MIN_SPECIALISTS

#: Per-instance time limit for spopt (some instances run for many minutes).
TIME_LIMIT_S = 60

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "medecins_effectifs" / "drees_rpps_effectifs_dep_x_specialite15.csv"


def spopt_maxp(res, supply, spec, seed=0):
    """Run spopt MaxPHeuristic on the universe of one proposal result; return (p, seconds) or (None, reason)."""
    import numpy as np
    from libpysal.weights import W
    from spopt.region import MaxPHeuristic

    deps = geography.load_departements()
    gdf = deps[deps["code_dep"].isin(res.universe)].reset_index(drop=True)
    if len(gdf) < 2:
        return None, "moins de 2 départements"
    count = supply.count(spec, list(gdf["code_dep"]))
    gdf["n"] = [count.by_departement[d] for d in gdf["code_dep"]]
    gdf["one"] = 1.0
    graph = geography.adjacency_graph()
    deps = list(gdf["code_dep"])
    pos = {c: i for i, c in enumerate(deps)}
    same = {c: [pos[u] for u in graph[c] if u in pos and region_of(u) == region_of(c)] for c in deps}
    w = W({pos[c]: same[c] for c in deps}, silence_warnings=True)
    np.random.seed(seed)
    t = time.perf_counter()

    def _timeout(_signum, _frame):
        raise TimeoutError(f"> {TIME_LIMIT_S} s")

    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(TIME_LIMIT_S)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = MaxPHeuristic(gdf, w, ["one"], "n", MIN_SPECIALISTS, top_n=2, max_iterations_construction=99)
            model.solve()
    except Exception as exc:  # report, do not hide
        return None, f"{type(exc).__name__}: {exc}"[:80]
    finally:
        signal.alarm(0)
    return int(model.p), time.perf_counter() - t


def main(path: Path) -> None:
    supply = load_supply(path)
    registry = load_registry()
    specs = [s for s in all_specialties() if s.drees_group_exact]
    regions = sorted(geography.load_regions()["code_region"])
    results = []
    t0 = time.perf_counter()
    for r in regions:
        for s in specs:
            results.append((r, s, propose_territories(s, r, supply, registry)))
    exact_total = time.perf_counter() - t0
    print(f"Exact: {len(results)} instances ({len(regions)} régions × {len(specs)} spécialités à groupe DREES exact), "
          f"total {exact_total:.2f} s (checks included)")

    t0 = time.perf_counter()
    for r in regions:
        for s in specs:
            propose_territories(s, r, supply, registry, check=False)
    print(f"Exact search only (no re-check): {time.perf_counter() - t0:.2f} s")

    try:
        import spopt  # noqa: F401
    except ImportError:
        print("spopt not installed: pip install spopt")
        return
    worse = better = equal = skipped = 0
    spopt_time = 0.0
    print(f"{'région':>6} {'spécialité':<22} {'exact':>5} {'spopt':>5}  note")
    exact_paired = 0.0  # the exact search on the instances spopt finished, timed in the same run
    for r, s, res in results:
        t_exact = time.perf_counter()
        propose_territories(s, r, supply, registry, check=False)
        t_exact = time.perf_counter() - t_exact
        p, info = spopt_maxp(res, supply, s)
        if p is None:
            skipped += 1
            note = f"spopt non exécuté ({info})"
            sp = "-"
        else:
            spopt_time += info
            exact_paired += t_exact
            sp = str(p)
            if res.n_territories > p:
                better += 1
                note = f"exact > spopt ({info:.1f} s)"
            elif res.n_territories == p:
                equal += 1
                note = f"égal ({info:.1f} s)"
            else:
                worse += 1
                note = "EXACT < SPOPT: BUG"
        print(f"{r:>6} {s.id:<22} {res.n_territories:>5} {sp:>5}  {note}", flush=True)
    print(f"spopt MaxPHeuristic: {len(results) - skipped} instances, total {spopt_time:.2f} s; "
          f"exact > spopt on {better}, equal on {equal}, exact < spopt on {worse}, not run on {skipped} (single département, or over {TIME_LIMIT_S} s)")
    if spopt_time:
        print(f"ratio exact / spopt on the instances both ran (same run): {exact_paired:.2f} s / {spopt_time:.2f} s "
              f"= {exact_paired / spopt_time:.4f}")
    assert worse == 0


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
