#!/usr/bin/env python3
"""Time to read/match the national zonage, flag ZIP communes and rank outreach sites (prints figures).

Régions: Occitanie (76, ~4,450 communes) and Nouvelle-Aquitaine (75, ~4,300 communes), the two
largest by number of communes. Target: flag + rank under 5 s per région.

The zonage is the real national file (../shared/data/zonage). The supply is **synthetic**: one
cardiologist placed in every commune of 20,000 inhabitants or more (real COG 2025 populations),
so that distances exist; only the timings are meaningful, not the sites.

Usage: ``python benchmarks/bench_zip.py [--zonage FILE] [--runs N] [--sites K]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pandas as pd

from ess_geo.analysis.outreach import flag_zip, rank_outreach_sites
from ess_geo.inputs.supply import Supply
from ess_geo.inputs.zonage import load_zonage
from ess_geo.reference.codes import region_name
from ess_geo.reference.geography import load_communes
from ess_geo.sources import Source

ZONAGE = Path(__file__).resolve().parents[2] / "shared" / "data" / "zonage" / "zonage_mg_code_postal_national.csv"


def synthetic_supply() -> Supply:
    com = load_communes()
    big = com[com["population"] >= 20_000]
    table = pd.DataFrame(
        {
            "code_insee": big["code_insee"].to_numpy(),
            "code_dep": big["code_dep"].to_numpy(),
            "specialty": "cardiologie",
            "drees_group": "07-Cardiologie",
            "n_specialists": 1,
            "mode": "synthetic",
            "source": "synthetic",
        }
    )
    return Supply(table=table, source=Source(name="synthetic: 1 cardiologist per commune >= 20,000 inhabitants", vintage="synthetic"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zonage", type=Path, default=ZONAGE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sites", type=int, default=10)
    args = parser.parse_args()

    t0 = time.perf_counter()
    zonage = load_zonage(args.zonage)
    t1 = time.perf_counter()
    zonage.by_commune()
    t2 = time.perf_counter()
    print(f"load_zonage (read + match {zonage.n_rows} rows, cold): {t1 - t0:.2f} s")
    print(f"  {zonage.summary_fr()}")
    print(f"  by_commune (one row per commune, first call): {t2 - t1:.2f} s")
    supply = synthetic_supply()

    for region in ("76", "75"):
        first = True
        flags, ranks = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            flagged = flag_zip(None, "cardiologie", supply, zonage, region=region)
            t1 = time.perf_counter()
            ranked = rank_outreach_sites(flagged, k=args.sites, radius_km=30.0, min_population=2000)
            t2 = time.perf_counter()
            if first:
                cold_flag, cold_rank, first = t1 - t0, t2 - t1, False
            else:
                flags.append(t1 - t0)
                ranks.append(t2 - t1)
        n = len(ranked.communes)
        hosts = int(ranked.communes["host_score_population"].notna().sum())
        print(f"{region_name(region)} ({region}): {n} communes, {hosts} candidate hosts, {len(ranked.sites)} sites")
        print(f"  first call  flag_zip {cold_flag:.2f} s + rank_outreach_sites {cold_rank:.2f} s = {cold_flag + cold_rank:.2f} s")
        if flags:
            mf, mr = statistics.median(flags), statistics.median(ranks)
            print(f"  warm median flag_zip {mf:.2f} s + rank_outreach_sites {mr:.2f} s = {mf + mr:.2f} s ({len(flags)} runs)")


if __name__ == "__main__":
    main()
