"""Layers of the territory map drawn from inputs other than the départements: existing ESS, communes by zonage, outreach sites.

Each builder takes already-loaded frames or registry entries and returns a :class:`~ess_geo.render.mapspec.MapLayer`
with its legend; nothing is computed beyond display text (French numbers, short lists).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ess_geo.inputs.registry_entry import CERTAINTY_FR, STATUS_FR, EssEntry
from ess_geo.reference.crs import WGS84
from ess_geo.render.mapspec import (
    ESS_COLOURS,
    SITE_FILL,
    ZONAGE_STYLE,
    LegendItem,
    LegendSection,
    MapLayer,
    dissolve,
    fmt_number,
    style_frame,
)
from ess_geo.render.simplify import TOLERANCE_M, simplify_for_map


def ess_layer(
    entries: Sequence[EssEntry], deps_frame: gpd.GeoDataFrame, name: str
) -> tuple[MapLayer | None, list[LegendItem]]:
    """Outline (and hatch on paper) each ESS over its départements; (None, []) when none is drawn."""
    rows, items = [], []
    for i, entry in enumerate(entries):
        part = deps_frame[deps_frame["code_dep"].isin(entry.departements)]
        if part.empty:
            continue
        colour = ESS_COLOURS[i % len(ESS_COLOURS)]
        rows.append(
            {
                "ess_id": entry.id,
                "titre": entry.name,
                "statut": STATUS_FR.get(entry.status, entry.status),
                "perimetre": f"{CERTAINTY_FR.get(entry.perimeter_certainty, entry.perimeter_certainty)} {entry.period_fr}",
                "source": entry.source_ref,
                "departements": ", ".join(entry.departements),
                "fill": None,
                "fill_opacity": 0.0,
                "stroke": colour,
                "weight": 3.5,
                "dash": "8 5",
                "hatch": "/",
                "geometry": dissolve(part),
            }
        )
        status = STATUS_FR.get(entry.status, entry.status)
        unsure = "" if entry.perimeter_certainty == "confirmed" else ", périmètre à vérifier"
        label = f"ESS existante : {entry.name} ({status}{unsure})"
        items.append(LegendItem(label=label, fill=None, stroke=colour, dash="8 5", hatch="/"))
    if not rows:
        return None, []
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    layer = MapLayer(
        name=name,
        frame=frame,
        tooltip=[
            ("titre", "ESS existante"), ("statut", "Statut"), ("perimetre", "Périmètre"),
            ("departements", "Départements"), ("source", "Source"),
        ],
    )
    return layer, items


def _zonage_key(value: object) -> str:
    text = str(value or "").upper()
    for key in ("ZIP", "ZAC", "ZAR", "HZ"):
        if key in text:
            return key
    return "NA"


def communes_layer(communes: gpd.GeoDataFrame, tolerance_m: float | None = None) -> tuple[MapLayer, LegendSection]:
    """Communes filled by zonage class (ZIP, ZAC...), with population, specialists and distance tooltips."""
    tol = TOLERANCE_M["commune"] if tolerance_m is None else tolerance_m
    cols = [c for c in ("code_insee", "nom", "code_dep", "population", "zonage", "zonage_label", "n_specialists", "distance_km") if c in communes.columns]
    frame = simplify_for_map(communes, tolerance_m=tol, keep=cols, dep_column="code_dep" if "code_dep" in cols else "_none_",
                             cache=True)  # the communes of a région: kept between processes
    keys = [_zonage_key(z) for z in frame["zonage"]] if "zonage" in frame.columns else ["NA"] * len(frame)
    out = frame[["geometry"]].copy()
    out["titre"] = [
        f"{n} ({c})" for n, c in zip(frame.get("nom", pd.Series([""] * len(frame))), frame.get("code_insee", pd.Series([""] * len(frame))), strict=True)
    ]
    if "zonage_label" in frame.columns:
        out["zonage"] = [str(z) if isinstance(z, str) and z else ZONAGE_STYLE[k][1] for z, k in zip(frame["zonage_label"], keys, strict=True)]
    else:
        out["zonage"] = [ZONAGE_STYLE[k][1] for k in keys]
    tooltip = [("titre", "Commune"), ("zonage", "Zonage")]
    if "population" in frame.columns:
        out["population"] = [fmt_number(v) for v in frame["population"]]
        tooltip.append(("population", "Population"))
    if "n_specialists" in frame.columns:
        out["n_specialistes"] = [fmt_number(v) for v in frame["n_specialists"]]
        tooltip.append(("n_specialistes", "Spécialistes"))
    if "distance_km" in frame.columns:
        out["distance"] = [f"{fmt_number(v, 1)} km" for v in frame["distance_km"]]
        tooltip.append(("distance", "Distance au spécialiste le plus proche"))
    fills = [ZONAGE_STYLE[k][0] for k in keys]
    out = style_frame(out, fill=fills, fill_opacity=0.92, stroke="#ffffff", weight=0.4)
    layer = MapLayer(name="Zonage des communes (ZIP/ZAC)", frame=out, tooltip=tooltip)
    present = [k for k in ZONAGE_STYLE if k in set(keys)]
    section = LegendSection(
        title="Zonage des communes",
        items=[LegendItem(label=ZONAGE_STYLE[k][1], fill=ZONAGE_STYLE[k][0], stroke="#999999") for k in present],
    )
    return layer, section


def _short_list(values: object, n: int = 5) -> str:
    if not isinstance(values, (list, tuple, np.ndarray)):
        return str(values or "")
    items = [str(v) for v in values]
    more = len(items) - n
    return ", ".join(items[:n]) + (f" et {more} autre(s)" if more > 0 else "")


def _site_line(rank: str, nom: object, code: object, frame: pd.DataFrame, i: int) -> str:
    """"1. Commune (code) — 12 300 hab. en ZIP desservis" for the legend's list of sites."""
    text = f"{rank}. {nom}" + (f" ({code})" if code else "")
    if "score_population" in frame.columns:
        value = frame["score_population"].iloc[i]
        text += " — " + ("population inconnue" if pd.isna(value) else f"{fmt_number(value)} hab. en ZIP desservis")
    return text


def sites_layer(sites: gpd.GeoDataFrame) -> tuple[MapLayer, LegendSection]:
    """Ranked outreach sites as numbered points (a ``ligne`` column holds each site's French legend line)."""
    frame = sites.to_crs(WGS84)
    frame = frame[~frame.geometry.is_empty & frame.geometry.notna()].copy()
    geoms = frame.geometry.values
    non_points = shapely.get_type_id(geoms) != 0
    if non_points.any():
        geoms = np.where(non_points, shapely.point_on_surface(geoms), geoms)
    out = gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms, index=frame.index, crs=WGS84))
    rank = frame["rank"] if "rank" in frame.columns else pd.Series(range(1, len(frame) + 1), index=frame.index)
    out["rang"] = [str(int(r)) if pd.notna(r) else "" for r in rank]
    nom = frame["nom"] if "nom" in frame.columns else pd.Series([""] * len(frame), index=frame.index)
    code = frame["code_insee"] if "code_insee" in frame.columns else pd.Series([""] * len(frame), index=frame.index)
    out["titre"] = [f"n° {r} : {n}" + (f" ({c})" if c else "") for r, n, c in zip(out["rang"], nom, code, strict=True)]
    tooltip = [("titre", "Site")]
    if "score_population" in frame.columns:
        out["score"] = [fmt_number(v) for v in frame["score_population"]]
        tooltip.append(("score", "Population en ZIP desservie"))
    if "n_communes_served" in frame.columns:
        out["n_communes"] = [fmt_number(v) for v in frame["n_communes_served"]]
        tooltip.append(("n_communes", "Communes desservies"))
    elif "served" in frame.columns:
        out["n_communes"] = [fmt_number(len(v)) if isinstance(v, (list, tuple, np.ndarray)) else "" for v in frame["served"]]
        tooltip.append(("n_communes", "Communes desservies"))
    if "served_noms" in frame.columns:
        out["desservies"] = [_short_list(v) for v in frame["served_noms"]]
        tooltip.append(("desservies", "Principales communes"))
    out["ligne"] = [_site_line(r, n, c, frame, i) for i, (r, n, c) in enumerate(zip(out["rang"], nom, code, strict=True))]
    out = style_frame(out, fill=SITE_FILL, fill_opacity=1.0, stroke="#ffffff", weight=2.0)
    layer = MapLayer(name="Sites de consultations avancées (classés)", frame=out, kind="points", tooltip=tooltip, label_column="rang")
    section = LegendSection(
        title="",
        items=[LegendItem(label="Site de consultations avancées (n° = rang)", fill=SITE_FILL, stroke="#ffffff", marker=True)],
    )
    return layer, section



__all__ = ["communes_layer", "ess_layer", "sites_layer"]
