#!/usr/bin/env python3
"""Weight and render time of the committee maps (prints figures).

Targets (issue 5): a France map of départements under 1.5 MB; a one-région map with its
communes under 5 MB. Maps are built on the real DREES table and zonage file of ../shared/data.
The France map's size is compared with ``GeoDataFrame.explore`` of the same départements, saved in
the same run (ratio printed).

Usage: ``python benchmarks/bench_maps.py [--region 76] [--specialty cardiologie] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers

SHARED = Path(os.environ.get("ESS_GEO_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
DREES = SHARED / "medecins_effectifs" / "drees_rpps_effectifs_dep_x_specialite15.csv"
ZONAGE = SHARED / "zonage" / "zonage_mg_code_postal_national.csv"
MB = 1_000_000
TARGETS = {"france": 1.5 * MB, "region": 5.0 * MB}


def timed(func, *args, **kwargs):
    t0 = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="76", help="région of the territory map (default 76, Occitanie)")
    parser.add_argument("--specialty", default="cardiologie")
    parser.add_argument("--out", default=None, help="directory for the files (default: a temporary one)")
    args = parser.parse_args()
    out_dir = Path(args.out or tempfile.mkdtemp(prefix="bench_maps_"))
    out_dir.mkdir(parents=True, exist_ok=True)

    from ess_geo.analysis.coverage import coverage_table
    from ess_geo.analysis.outreach import flag_zip, rank_outreach_sites
    from ess_geo.inputs.load import load_supply
    from ess_geo.reference.geography import load_communes, load_departements
    from ess_geo.render.html_map import make_coverage_map, make_territory_map, save_map
    from ess_geo.render.mapspec import simplified_departements
    from ess_geo.rules.territory import check_territory

    supply = load_supply(DREES)
    raw = shapely.get_num_coordinates(load_departements().geometry.values).sum()
    simple = shapely.get_num_coordinates(simplified_departements().geometry.values).sum()
    print(f"départements: {raw:,} vertices -> {simple:,} after coverage simplification")

    rows = []
    coverage = coverage_table(None, [args.specialty], supply)
    fmap, t_build = timed(make_coverage_map, coverage)
    path, t_html = timed(save_map, fmap, out_dir / "couverture_france.html")
    _, t_png = timed(save_map, fmap, out_dir / "couverture_france.png")
    _, t_pdf = timed(save_map, fmap, out_dir / "couverture_france.pdf")
    rows.append(("France, 101 départements (couverture)", "france", path, t_build, t_html, t_png, t_pdf))
    deps = load_departements()
    deps["density"] = deps["code_dep"].map(dict(zip(coverage.table["code_dep"], coverage.table["density_per_100k"],
                                                    strict=True)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer_size, t_peer = peers.explore_html_size(deps, "density", out_dir / "explore_france.html")
    print(f"GeoDataFrame.explore, mêmes départements (même run) : {peer_size / MB:.2f} MB en {t_peer:.2f} s ; "
          f"rapport de taille ess_geo / explore : {path.stat().st_size / peer_size:.2f}")

    result = check_territory(args.specialty, region=args.region, supply=supply)
    zip_result, t_zip = timed(lambda: rank_outreach_sites(flag_zip(result, args.specialty, supply, ZONAGE), k=5))
    n_communes = len(zip_result.communes)
    raw_c = shapely.get_num_coordinates(
        load_communes().query("code_region == @args.region").geometry.values
    ).sum()
    fmap, t_build = timed(make_territory_map, result, zip_result=zip_result)
    path, t_html = timed(save_map, fmap, out_dir / f"territoire_region_{args.region}.html")
    _, t_png = timed(save_map, fmap, out_dir / f"territoire_region_{args.region}.png")
    _, t_pdf = timed(save_map, fmap, out_dir / f"territoire_region_{args.region}.pdf")
    label = f"Région {args.region} + {n_communes} communes (ZIP, sites)"
    rows.append((label, "region", path, t_build, t_html, t_png, t_pdf))
    print(f"région {args.region}: {n_communes} communes, {raw_c:,} commune vertices before simplification; "
          f"flag_zip + rank_outreach_sites {t_zip:.2f} s (not a map cost)")

    print()
    print(f"{'map':48s} {'HTML':>9s} {'target':>8s} {'ok':>3s} {'build':>7s} {'html':>6s} {'png':>6s} {'pdf':>6s}")
    for label, kind, path, t_build, t_html, t_png, t_pdf in rows:
        size = path.stat().st_size
        ok = "yes" if size < TARGETS[kind] else "NO"
        print(
            f"{label:48s} {size / MB:7.2f}MB {TARGETS[kind] / MB:6.1f}MB {ok:>3s} "
            f"{t_build:6.2f}s {t_html:5.2f}s {t_png:5.2f}s {t_pdf:5.2f}s"
        )
    print(f"\nfiles in {out_dir}")


if __name__ == "__main__":
    main()
