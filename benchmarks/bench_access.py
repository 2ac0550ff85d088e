"""Benchmark: national E2SFCA access index (ess_geo) vs PySAL ``access`` on the same inputs.

Supply: a *synthetic* commune-level supply (no RPPS extraction ships with the repository):
cardiologists placed in the REAL communes of 10,000 inhabitants or more, one per 10,000
inhabitants (rounded, at least 1). Population and points: the embedded geography.

PySAL ``access`` needs a cost table; a full 34,871 × 34,871 table (1.2 billion rows) does not fit
in memory, so PySAL is given the pairs within 30 km (computed with the same KD-tree; that time is
printed separately). Both results are compared (max absolute difference).

Usage::

    python benchmarks/bench_access.py
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ess_geo.analysis.access import DEFAULT_BANDS, access_index
from ess_geo.inputs.supply import Supply
from ess_geo.reference.points import commune_points
from ess_geo.sources import Source


def synthetic_supply() -> Supply:
    pts = commune_points().dropna(subset=["x", "y"])
    big = pts[pts["population"] >= 10_000]
    n = np.maximum(1, np.round(big["population"].to_numpy() / 10_000)).astype("int64")
    tab = pd.DataFrame({"code_insee": big["code_insee"].to_numpy(), "code_dep": big["code_dep"].to_numpy(),
                        "specialty": "cardiologie", "drees_group": "07-Cardiologie", "n_specialists": n,
                        "mode": "liberal", "source": "synthetic"})
    return Supply(table=tab, source=Source("synthetic benchmark supply", "bench"))


def measure() -> dict:
    """ess_geo's national access index and PySAL ``access`` on the same pairs: seconds, difference."""
    sup = synthetic_supply()
    access_index("cardiologie", sup)  # warm the cached commune points (one-off projection)
    t = time.perf_counter()
    ours = access_index("cardiologie", sup)
    t_ours = time.perf_counter() - t
    result = {"ours": t_ours, "communes": len(ours.table), "supply_communes": sup.table.shape[0],
              "pairs": ours.stats["pairs_within_reach"]}
    try:
        import access
    except ImportError:
        return result
    pts = commune_points().dropna(subset=["x", "y"])
    t = time.perf_counter()
    frames = []
    for _unit, part in pts.groupby("land_unit"):
        part = part.reset_index(drop=True)
        xy = part[["x", "y"]].to_numpy()
        is_sup = part["code_insee"].isin(set(sup.table["code_insee"])).to_numpy()
        sidx = np.flatnonzero(is_sup)
        pairs = cKDTree(xy[sidx]).sparse_distance_matrix(cKDTree(xy), 30_000.0, output_type="ndarray")
        frames.append(pd.DataFrame({"origin": part["code_insee"].to_numpy()[pairs["j"]],
                                    "dest": part["code_insee"].to_numpy()[sidx[pairs["i"]]],
                                    "cost": pairs["v"] / 1000.0}))
    cost = pd.concat(frames, ignore_index=True)
    t_cost = time.perf_counter() - t
    # unknown populations (Mayotte, <NA>) add no demand, as in access_index
    demand = pts[["code_insee", "population"]].rename(columns={"code_insee": "geoid"})
    demand["population"] = demand["population"].astype("float64").fillna(0.0)
    supply_df = sup.table[["code_insee", "n_specialists"]].rename(columns={"code_insee": "geoid"})
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = access.Access(demand_df=demand, demand_index="geoid", demand_value="population",
                              supply_df=supply_df, supply_index="geoid", supply_value="n_specialists",
                              cost_df=cost, cost_origin="origin", cost_dest="dest", cost_name="cost")
        out = model.enhanced_two_stage_fca(name="e2sfca", max_cost=30.0,
                                           weight_fn=access.weights.step_fn(dict(DEFAULT_BANDS)))
    t_pysal = time.perf_counter() - t
    theirs = out.iloc[:, 0].reindex(ours.table["code_insee"]).fillna(0.0).to_numpy()
    known = ours.table["access"].notna().to_numpy()  # access is NaN where the population is unknown
    diff = float(np.max(np.abs(theirs[known] - ours.table["access"].to_numpy()[known])))
    return {**result, "pysal": t_pysal, "pysal_cost_table": t_cost, "cost_rows": len(cost), "max_diff": diff,
            "full_matrix_rows": len(pts) ** 2}


def main() -> None:
    r = measure()
    print(f"ess_geo access_index, national ({r['communes']} communes, {r['supply_communes']} supply communes): "
          f"{r['ours']:.3f} s ({r['pairs']} pairs within 30 km)")
    if "pysal" not in r:
        print("PySAL access not installed: pip install access")
        return
    print(f"PySAL access E2SFCA on the {r['cost_rows']} pairs within 30 km: {r['pysal']:.3f} s "
          f"(+ {r['pysal_cost_table']:.3f} s to build its cost table with the KD-tree); "
          f"a full national cost matrix would have {r['full_matrix_rows']:,} rows")
    print(f"ratio ess_geo / PySAL access (same run): {r['ours'] / r['pysal']:.2f} ; max |difference| = {r['max_diff']:.2e}")


if __name__ == "__main__":
    main()
