"""Map data preparation: every figure, class, colour and label a map shows, computed once.

The renderers (:mod:`ess_geo.render.html_map` for folium/HTML, :mod:`ess_geo.render.static_map` for PNG/PDF)
compute nothing: they draw a :class:`MapSpec`. A spec holds prepared layers (WGS84
GeoDataFrames, simplified and slimmed, with per-feature style and French tooltip fields), the
title block, the legend and the sources footer, so the HTML and the printed export show the same
content.

Texts in specs are raw (unescaped) strings; each renderer escapes them for its medium (HTML
escaping in :mod:`ess_geo.render.html_map`, mathtext escaping in :mod:`ess_geo.render.static_map`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import geopandas as gpd
import mapclassify
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely

from ess_geo._format import decimal
from ess_geo.errors import EssGeoError, InputDataError
from ess_geo.reference.codes import departement_name, departements_of_region, normalize_region_code, region_name
from ess_geo.reference.crs import LAMBERT93, OVERSEAS_CRS, WGS84, metric_crs_for_many, require_crs
from ess_geo.reference.geography import load_departements, neighbours, reference_source
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.render.simplify import TOLERANCE_M, simplify_for_map
from ess_geo.sources import Source

#: Minimum number of specialists of an ESS (the "threshold" criterion).
MIN_SPECIALISTS = 10
#: Label of densities on every map.
DENSITY_UNIT = "pour 100 000 habitants"

STATUS_FR = {"pass": "conforme", "fail": "non conforme", "unknown": "indéterminé", "warn": "à vérifier"}
STATUS_COLOUR = {"pass": "#1a7f37", "fail": "#c62828", "unknown": "#6b6b6b", "warn": "#d97706"}
CRITERION_FR = {
    "specialty": "Spécialité",
    "perimeter": "Périmètre",
    "contiguity": "Contiguïté",
    "overlap": "Chevauchement avec une ESS existante",
    "threshold": f"Seuil de {MIN_SPECIALISTS} spécialistes",
    "adherents": "Adhérents",
    "funding": "Financement",
}
ZONAGE_STYLE = {
    "ZIP": ("#b2182b", "ZIP : zone d'intervention prioritaire"),
    "ZAC": ("#f4a582", "ZAC : zone d'action complémentaire"),
    "ZAR": ("#9e9ac8", "ZAR : zone d'accompagnement régional"),
    "HZ": ("#f4f4f4", "HZ : hors zonage"),
    "NA": ("#ffffff", "Zonage non disponible"),
}
COVERAGE_STYLE = {
    "covered": ("#2b8cbe", "Couvert par une ESS de la spécialité"),
    "can_host": ("#f6a623", f"Non couvert, ≥ {MIN_SPECIALISTS} spécialistes : peut accueillir une ESS"),
    "below": ("#fde9c4", f"Non couvert, < {MIN_SPECIALISTS} spécialistes : à regrouper avec des voisins"),
    "unknown": ("#e0e0e0", "Non couvert, effectifs non fournis"),
}
ESS_COLOURS = ("#7b3294", "#008837", "#e66101", "#0571b0", "#ca0020", "#5e3c99")
NEUTRAL_FILL = "#f2f2f2"
SITE_FILL = "#08306b"
TERRITORY_STROKE = "#111111"
#: Départements shown in the Île-de-France inset of national static maps (too small to label
#: on a map of France).
IDF_INSET_DEPS = ("75", "92", "93", "94")
CHOROPLETH_CMAP = "YlGnBu"


@dataclass
class MapLayer:
    """One drawable layer.

    Attributes
    ----------
    name : str
        French name (layer control, static legend).
    frame : geopandas.GeoDataFrame
        WGS84 features. Style columns: ``fill`` (hex or None for no fill), ``fill_opacity``,
        ``stroke``, ``weight`` (pixels), ``dash`` ("" or an SVG dash array such as ``"6 4"``),
        ``hatch`` (matplotlib hatch or ""). Plus the tooltip columns.
    kind : str
        ``"polygons"`` or ``"points"``.
    tooltip : list of (str, str)
        ``(column, French label)`` pairs shown in tooltips, in order; the first column with an
        empty label is the tooltip heading.
    label_column : str or None
        Column whose value is printed on the static map at each feature (codes, ranks).
    show : bool
        Shown when the HTML map opens.
    interactive : bool
        Whether features catch the pointer (tooltips).
    """

    name: str
    frame: gpd.GeoDataFrame
    kind: str = "polygons"
    tooltip: list[tuple[str, str]] = field(default_factory=list)
    label_column: str | None = None
    show: bool = True
    interactive: bool = True


@dataclass
class LegendItem:
    """One legend entry: a swatch (``fill``/``stroke``/``dash``/``hatch``, ``marker`` for points) and a label."""

    label: str
    fill: str | None = None
    stroke: str = "#555555"
    dash: str = ""
    hatch: str = ""
    marker: bool = False


@dataclass
class LegendSection:
    """A titled group of legend entries."""

    title: str
    items: list[LegendItem]


@dataclass
class CriterionLine:
    """One line of the title block: criterion label, French status, status key and message."""

    label: str
    status_fr: str
    status: str
    message: str = ""
    reason: str = ""


@dataclass
class Inset:
    """A secondary frame of a static map: an overseas département (``kind="overseas"``) or a zoom
    on Paris and its inner ring (``kind="idf"``), whose labels the main frame then leaves out."""

    label: str
    crs: str
    bounds: tuple[float, float, float, float]
    kind: str = "overseas"


@dataclass
class MapSpec:
    """Everything a map shows, ready to draw in HTML or on paper.

    Attributes
    ----------
    title : str
        Main title.
    subtitle : str
        Territory / scope line.
    verdict : str
        Overall verdict sentence ("" when not applicable).
    verdict_status : str
        ``pass``/``fail``/``unknown``/``warn`` or "".
    criteria : list of CriterionLine
        Verdict per criterion.
    notes : list of str
        Short French remarks (caveats) shown under the title.
    layers : list of MapLayer
        Drawn bottom to top.
    legend : list of LegendSection
        Legend.
    sources : list of Source
        Every data source and vintage (footer).
    bounds : tuple of float
        Initial view (min lon, min lat, max lon, max lat).
    crs : str
        Metric CRS of the static main frame.
    insets : list of Inset
        Extra static frames (overseas, Île-de-France).
    sites : list of str
        Ranked outreach sites, one French line each ("1. Commune (code) — 12 300 hab. en ZIP desservis").
    """

    title: str
    subtitle: str
    layers: list[MapLayer]
    legend: list[LegendSection]
    sources: list[Source]
    bounds: tuple[float, float, float, float]
    crs: str = LAMBERT93
    verdict: str = ""
    verdict_status: str = ""
    criteria: list[CriterionLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    insets: list[Inset] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)

    def footer_lines(self) -> list[str]:
        """French footer lines naming every source and vintage."""
        return [f"{s.name} — {s.vintage_fr} — {s.licence_fr}" for s in self.sources]


# --------------------------------------------------------------------------------------------
# formatting helpers


def fmt_number(value: float | int | None, decimals: int = 0) -> str:
    """French number: non-breaking thousands separator, decimal comma; "n.d." when missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "n.d."
    return decimal(float(value), decimals)


def _unique_sources(sources: Sequence[Source | None]) -> list[Source]:
    out: list[Source] = []
    seen: set[tuple[str, str]] = set()
    for s in sources:
        if s is None:
            continue
        key = (s.name, s.vintage)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def _territory_label(deps: Sequence[str]) -> str:
    deps = list(deps)
    for code_region in {_safe_region(d) for d in deps} - {None}:
        if sorted(departements_of_region(code_region)) == sorted(deps):
            return f"Région {region_name(code_region)} ({len(deps)} départements)"
    names = ", ".join(f"{departement_name(d)} ({d})" for d in deps)
    noun = "Département" if len(deps) == 1 else "Départements"
    return f"{noun} : {names}"


def _safe_region(code_dep: str) -> str | None:
    deps = load_departements_cached()
    row = deps.loc[deps["code_dep"] == code_dep, "code_region"]
    return None if row.empty else str(row.iloc[0])


@lru_cache(maxsize=1)
def load_departements_cached() -> gpd.GeoDataFrame:
    """Embedded départements (cached; do not mutate: callers copy)."""
    return load_departements()


@lru_cache(maxsize=4)
def _simplified_departements(tolerance_m: float) -> gpd.GeoDataFrame:
    deps = load_departements_cached()
    return simplify_for_map(deps, tolerance_m=tolerance_m, keep=["code_dep", "nom", "code_region", "population"])


def simplified_departements(codes: Sequence[str] | None = None, tolerance_m: float | None = None) -> gpd.GeoDataFrame:
    """Départements simplified as a coverage for display (a fresh copy).

    Parameters
    ----------
    codes : sequence of str, optional
        Codes to keep (default all 101).
    tolerance_m : float, optional
        Simplification tolerance in metres (default ``TOLERANCE_M["departement"]``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``code_dep, nom, code_region, population, geometry`` in WGS84.
    """
    tol = TOLERANCE_M["departement"] if tolerance_m is None else float(tolerance_m)
    frame = _simplified_departements(tol).copy()
    if codes is not None:
        frame = frame[frame["code_dep"].isin(list(codes))].copy()
    return frame.reset_index(drop=True)


def _dissolve(frame: gpd.GeoDataFrame) -> shapely.Geometry:
    """Union of already-simplified coverage polygons (shared borders vanish)."""
    # union_all rather than coverage_union_all: after rounding the coverage may be very slightly
    # invalid, and coverage_union then leaves sliver polygons along former borders.
    merged = shapely.union_all(shapely.make_valid(frame.geometry.values))
    return _drop_slivers(merged)


#: Holes smaller than this (square degrees, about 8 km²) in a union of départements are gaps left
#: by simplification and rounding, not enclaves (the smallest enclave, the Enclave des papes, is
#: about 300 km²).
SLIVER_AREA_DEG2 = 1e-3


#: Parts of a union thinner than this (isoperimetric ratio 4πA/P², 1 for a disc) are slivers
#: along former borders; islets are compact and are kept whatever their size.
SLIVER_COMPACTNESS = 0.05


#: Legend label of a département whose specialists are counted but whose population is unknown.
NO_POPULATION_LABEL = "densité non calculable (population inconnue)"


def _drop_slivers(geom: shapely.Geometry) -> shapely.Geometry:
    polys = shapely.get_parts(geom)
    kept = []
    for poly in polys:
        if not isinstance(poly, shapely.Polygon) or poly.is_empty:
            continue
        if poly.area < SLIVER_AREA_DEG2 / 10 and 4 * math.pi * poly.area < SLIVER_COMPACTNESS * poly.exterior.length**2:
            continue
        holes = [ring for ring in poly.interiors if shapely.Polygon(ring).area >= SLIVER_AREA_DEG2]
        kept.append(shapely.Polygon(poly.exterior, holes))
    if not kept:
        return geom
    return kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)


def _counts(spec: Specialty, supply: Any, codes: Sequence[str]) -> tuple[dict[str, int] | None, str]:
    """Specialists per département from a Supply (None when no supply)."""
    if supply is None:
        return None, ""
    has = getattr(supply, "has_specialty", None)
    if callable(has) and not has(spec):
        return None, ""
    counted = supply.count(spec, list(codes))
    by_dep = dict(counted.by_departement)
    for d in counted.missing:
        by_dep.pop(d, None)
    return by_dep, counted.basis


def population_text(value: object) -> str:
    """French population text; « population inconnue » when missing (Mayotte), never 0."""
    if value is None or pd.isna(value):
        return "population inconnue"
    return fmt_number(value)


def _density_text(density: float, population: object) -> str:
    if population is None or pd.isna(population):
        return "non calculée (population inconnue)"
    return fmt_number(density, 1)


def _density(count: float | None, population: float | None) -> float:
    """Specialists per 100,000 inhabitants; NaN when the count or the population is unknown (Mayotte)."""
    if count is None or population is None or pd.isna(population) or not population:
        return float("nan")
    return float(count) / float(population) * 1e5


def choropleth_classes(values: Sequence[float], k: int = 5) -> tuple[list[int], list[str], list[str]]:
    """Classify densities with mapclassify (Fisher-Jenks) and give French labels and colours.

    Parameters
    ----------
    values : sequence of float
        Densities; NaN for unknown.
    k : int, default 5
        Maximum number of classes.

    Returns
    -------
    (list of int, list of str, list of str)
        Class index of each value (-1 for NaN), French label of each class, hex colour of each class.
    """
    y = np.asarray(values, dtype=float)
    known = ~np.isnan(y)
    uniq = np.unique(y[known])
    if uniq.size == 0:
        return [-1] * len(y), [], []
    k_eff = int(min(k, uniq.size))
    if k_eff < 2:
        bins = np.array([uniq[0]])
        yb = np.zeros(known.sum(), dtype=int)
    else:
        with warnings.catch_warnings():  # "Numba not installed": the pure-Python path is fine here
            warnings.simplefilter("ignore", UserWarning)
            classifier = mapclassify.FisherJenks(y[known], k=k_eff)
        bins, yb = np.asarray(classifier.bins), np.asarray(classifier.yb)
    lows = [float(np.min(y[known]))] + [float(b) for b in bins[:-1]]
    labels = []
    for i, (lo, hi) in enumerate(zip(lows, bins, strict=True)):
        if k_eff < 2:
            labels.append(f"{fmt_number(hi, 1)} {DENSITY_UNIT}")
        elif fmt_number(lo, 1) == fmt_number(float(hi), 1):
            labels.append(fmt_number(float(hi), 1))
        else:
            prefix = "de" if i == 0 else "plus de"
            labels.append(f"{prefix} {fmt_number(lo, 1)} à {fmt_number(float(hi), 1)}")
    cmap = mpl.colormaps[CHOROPLETH_CMAP]
    n = len(bins)
    colours = [mpl.colors.to_hex(cmap(0.15 + 0.75 * (i / max(n - 1, 1)))) for i in range(n)]
    classes = np.full(len(y), -1, dtype=int)
    classes[known] = yb
    return classes.tolist(), labels, colours


def _style(frame: gpd.GeoDataFrame, *, fill, fill_opacity=0.75, stroke="#555555", weight=1.0, dash="", hatch=""):
    frame = frame.copy()
    frame["fill"] = fill if not isinstance(fill, (list, np.ndarray, pd.Series)) else list(fill)
    frame["fill_opacity"] = float(fill_opacity)
    frame["stroke"] = stroke
    frame["weight"] = float(weight)
    frame["dash"] = dash
    frame["hatch"] = hatch
    return frame


def _bounds(frame: gpd.GeoDataFrame, pad: float = 0.03) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    dx, dy = (maxx - minx) * pad, (maxy - miny) * pad
    return (minx - dx, miny - dy, maxx + dx, maxy + dy)


def _ess_layer(entries: list, deps_frame: gpd.GeoDataFrame, name: str) -> tuple[MapLayer | None, list[LegendItem]]:
    """Outline (and hatch on paper) each ESS over its départements."""
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
                "statut": {"active": "active", "projet": "en projet"}.get(entry.status, entry.status),
                "departements": ", ".join(entry.departements),
                "fill": None,
                "fill_opacity": 0.0,
                "stroke": colour,
                "weight": 3.5,
                "dash": "8 5",
                "hatch": "/",
                "geometry": _dissolve(part),
            }
        )
        items.append(LegendItem(label=f"ESS existante : {entry.name}", fill=None, stroke=colour, dash="8 5", hatch="/"))
    if not rows:
        return None, []
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    layer = MapLayer(
        name=name,
        frame=frame,
        tooltip=[("titre", "ESS existante"), ("statut", "Statut"), ("departements", "Départements")],
    )
    return layer, items


# --------------------------------------------------------------------------------------------
# coverage map


def coverage_map_spec(
    specialty: str | Specialty,
    registry: Any = None,
    supply: Any = None,
    *,
    region: str | None = None,
    tolerance_m: float | None = None,
) -> MapSpec:
    """Prepare the France-wide (or one-région) ESS coverage map of a specialty.

    Parameters
    ----------
    specialty : str or Specialty
        Specialty.
    registry : Registry, path or None
        Existing ESS (default: the embedded registry).
    supply : Supply, path or None
        Specialists per département (DREES); without it, départements are only "covered" or not.
    region : str, optional
        Restrict to one région (code or name accepted by :func:`normalize_region_code`).
    tolerance_m : float, optional
        Simplification tolerance in metres.

    Returns
    -------
    MapSpec
        Ready to draw.

    Raises
    ------
    UnknownSpecialtyError, NotEssSpecialtyError, UnknownCodeError
        On an unknown specialty or région.
    """
    from ess_geo.inputs.load import as_supply
    from ess_geo.inputs.registry import as_registry

    spec = get_specialty(specialty)
    reg = as_registry(registry)
    sup = as_supply(supply)
    code_region = normalize_region_code(region) if region is not None else None
    codes = departements_of_region(code_region) if code_region else None
    deps = simplified_departements(codes, tolerance_m)
    all_codes = deps["code_dep"].tolist()
    counts, basis = _counts(spec, sup, all_codes)
    covering: dict[str, list[str]] = {}
    for entry in reg.for_specialty(spec):
        for d in entry.departements:
            covering.setdefault(d, []).append(entry.name)
    categories, n_values, dens_values, ess_names = [], [], [], []
    for code, pop in zip(deps["code_dep"], deps["population"], strict=True):
        n = None if counts is None else counts.get(code)
        n_values.append(fmt_number(n))
        dens_values.append(_density_text(_density(n, pop), pop))
        ess_names.append(" ; ".join(covering.get(code, [])) or "aucune")
        if code in covering:
            categories.append("covered")
        elif n is None:
            categories.append("unknown")
        elif n >= MIN_SPECIALISTS:
            categories.append("can_host")
        else:
            categories.append("below")
    frame = deps[["code_dep", "code_region", "geometry"]].copy()
    frame["titre"] = [f"{nom} ({code})" for nom, code in zip(deps["nom"], deps["code_dep"], strict=True)]
    frame["couverture"] = [COVERAGE_STYLE[c][1] for c in categories]
    frame["ess"] = ess_names
    frame["n_specialistes"] = n_values
    frame["densite"] = dens_values
    frame["category"] = categories
    frame["population"] = [population_text(v) for v in deps["population"]]
    frame["in_focus"] = True
    frame = _style(frame, fill=[COVERAGE_STYLE[c][0] for c in categories], fill_opacity=0.85, stroke="#ffffff", weight=0.8)
    tooltip = [("titre", "Département"), ("couverture", "Couverture"), ("ess", "ESS")]
    if counts is not None:
        tooltip += [("n_specialistes", "Spécialistes"), ("densite", f"Densité ({DENSITY_UNIT})")]
    tooltip.append(("population", "Population"))
    layers = [
        MapLayer(name="Départements : couverture en ESS", frame=frame, tooltip=tooltip, label_column="code_dep")
    ]
    # région borders: union of the simplified départements, so they fit exactly.
    reg_rows = [
        {"code_region": r, "titre": region_name(r), "geometry": _dissolve(part)}
        for r, part in frame.groupby("code_region", sort=True)
    ]
    reg_frame = _style(gpd.GeoDataFrame(reg_rows, geometry="geometry", crs=WGS84), fill=None, stroke="#333333", weight=1.6)
    layers.append(MapLayer(name="Limites des régions", frame=reg_frame, interactive=False))
    present = [c for c in COVERAGE_STYLE if c in set(categories)]
    legend = [
        LegendSection(
            title=f"Départements — {spec.label}",
            items=[LegendItem(label=COVERAGE_STYLE[c][1], fill=COVERAGE_STYLE[c][0], stroke="#999999") for c in present],
        ),
        LegendSection(title="", items=[LegendItem(label="Limite de région", fill=None, stroke="#333333")]),
    ]
    n_cov = categories.count("covered")
    n_host = categories.count("can_host")
    n_ess = len({e.id for e in reg.for_specialty(spec) if set(e.departements) & set(all_codes)})
    scope = f"Région {region_name(code_region)}" if code_region else "France entière (101 départements)"
    notes = [f"Départements couverts par une ESS de la spécialité : {n_cov} ({n_ess} ESS)."]
    if counts is not None:
        notes.append(f"Départements non couverts pouvant en accueillir une (≥ {MIN_SPECIALISTS} spécialistes) : {n_host}.")
    if counts is None:
        notes.append("Effectifs de spécialistes non fournis : seule la couverture est montrée.")
    elif basis:
        notes.append(f"Effectifs : {basis}.")
    notes.append("Une ESS peut réunir plusieurs départements contigus pour atteindre le seuil.")
    metro = frame[~frame["code_dep"].isin(OVERSEAS_CRS)]
    overseas = frame[frame["code_dep"].isin(OVERSEAS_CRS)]
    if not metro.empty:
        bounds = _bounds(metro)
        main_crs = LAMBERT93
        insets = [
            Inset(label=f"{departement_name(code)} ({code})", crs=OVERSEAS_CRS[code], bounds=_bounds(part, 0.08))
            for code, part in overseas.groupby("code_dep", sort=True)
        ]
    else:
        bounds = _bounds(frame)
        main_crs = metric_crs_for_many(all_codes)
        insets = []
    if not metro.empty and code_region is None:
        idf = frame[frame["code_dep"].isin(IDF_INSET_DEPS)]
        if not idf.empty:
            insets.insert(0, Inset(label="Paris et petite couronne", crs=LAMBERT93, bounds=_bounds(idf, 0.08), kind="idf"))
    sources = _unique_sources([reference_source(), reg.source, sup.source if sup is not None else None])
    return MapSpec(
        title=f"Couverture en ESS — {spec.label}",
        subtitle=scope,
        layers=layers,
        legend=legend,
        sources=sources,
        bounds=bounds,
        crs=main_crs,
        notes=notes,
        insets=insets,
    )


# --------------------------------------------------------------------------------------------
# territory map


#: Longest reason shown under a criterion of the title block (characters).
REASON_MAX_CHARS = 120


def short_reason(message: str, max_chars: int = REASON_MAX_CHARS) -> str:
    """First sentence of a criterion's French message, cut at a word boundary with "…".

    Parameters
    ----------
    message : str
        French message of the criterion.
    max_chars : int, default REASON_MAX_CHARS
        Maximum length.

    Returns
    -------
    str
        The shortened reason ("" for an empty message).
    """
    text = " ".join(str(message or "").split())
    for sep in (". ", " ; "):
        head = text.split(sep, 1)[0]
        if 20 <= len(head) < len(text):
            text = head
            break
    text = text.rstrip(" .;")
    if len(text) > max_chars:
        text = text[: max_chars - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return text


def _criteria_lines(check_result: Any) -> list[CriterionLine]:
    lines = []
    for crit in getattr(check_result, "criteria", []) or []:
        status = str(getattr(crit, "status", "unknown"))
        message = str(getattr(crit, "message", "") or "")
        lines.append(
            CriterionLine(
                label=str(getattr(crit, "label", "") or CRITERION_FR.get(crit.id, str(crit.id))),
                status_fr=STATUS_FR.get(status, status),
                status=status,
                message=message,
                reason=short_reason(message) if status in ("fail", "unknown", "warn") else "",
            )
        )
    return lines


def _threshold_counts(check_result: Any) -> dict[str, int] | None:
    getter = getattr(check_result, "criterion", None)
    crit = None
    if callable(getter):
        try:
            crit = getter("threshold")
        except (KeyError, LookupError, EssGeoError):
            crit = None
    if crit is None:
        return None
    by_dep = (getattr(crit, "evidence", None) or {}).get("by_departement")
    return {str(k): int(v) for k, v in by_dep.items()} if by_dep else None


def _zip_frames(zip_result: Any) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None, list[Source]]:
    if zip_result is None:
        return None, None, []
    communes = getattr(zip_result, "communes", None)
    sites = getattr(zip_result, "sites", None)
    sources = list(getattr(zip_result, "sources", []) or [])
    for name, frame in (("zip_result.communes", communes), ("zip_result.sites", sites)):
        if frame is not None:
            if not isinstance(frame, gpd.GeoDataFrame):
                raise InputDataError(
                    f"{name} must be a GeoDataFrame, got {type(frame).__name__}",
                    fr=f"{name} n'est pas une table géographique ({type(frame).__name__})",
                )
            require_crs(frame, name)
    return communes, sites, sources


def _zonage_key(value: object) -> str:
    text = str(value or "").upper()
    for key in ("ZIP", "ZAC", "ZAR", "HZ"):
        if key in text:
            return key
    return "NA"


def _communes_layer(communes: gpd.GeoDataFrame, tolerance_m: float | None) -> tuple[MapLayer, LegendSection]:
    tol = TOLERANCE_M["commune"] if tolerance_m is None else tolerance_m
    cols = [c for c in ("code_insee", "nom", "code_dep", "population", "zonage", "zonage_label", "n_specialists", "distance_km") if c in communes.columns]
    frame = simplify_for_map(communes, tolerance_m=tol, keep=cols, dep_column="code_dep" if "code_dep" in cols else "_none_")
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
    out = _style(out, fill=fills, fill_opacity=0.92, stroke="#ffffff", weight=0.4)
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


def _sites_layer(sites: gpd.GeoDataFrame) -> tuple[MapLayer, LegendSection]:
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
    out = _style(out, fill=SITE_FILL, fill_opacity=1.0, stroke="#ffffff", weight=2.0)
    layer = MapLayer(name="Sites de consultations avancées (classés)", frame=out, kind="points", tooltip=tooltip, label_column="rang")
    section = LegendSection(
        title="",
        items=[LegendItem(label="Site de consultations avancées (n° = rang)", fill=SITE_FILL, stroke="#ffffff", marker=True)],
    )
    return layer, section


def territory_map_spec(
    check_result: Any,
    *,
    zip_result: Any = None,
    supply: Any = None,
    registry: Any = None,
    context: bool = True,
    tolerance_m: float | None = None,
) -> MapSpec:
    """Prepare the committee map of a proposed ESS territory.

    Parameters
    ----------
    check_result : TerritoryCheck
        Result of :func:`ess_geo.rules.territory.check_territory` (``specialty``, ``departements``,
        ``admissible``, ``criteria``, ``sources``).
    zip_result : object, optional
        ZIP/outreach result with ``communes`` (GeoDataFrame: code_insee, nom, zonage,
        zonage_label, n_specialists, distance_km...) and/or ``sites`` (points: rank, nom,
        score_population, served); either may be absent.
    supply : Supply, path or None
        Specialists per département; default the counts in the threshold evidence.
    registry : Registry, path or None
        Existing ESS (default the embedded registry).
    context : bool, default True
        Also show the départements bordering the territory.
    tolerance_m : float, optional
        Simplification tolerance in metres for départements.

    Returns
    -------
    MapSpec
        Ready to draw.

    Raises
    ------
    InputDataError
        If ``check_result`` has no départements, or ZIP frames are not GeoDataFrames.
    CrsError
        If a ZIP frame has no CRS.
    """
    from ess_geo.inputs.load import as_supply
    from ess_geo.inputs.registry import as_registry

    territory = [str(d) for d in (getattr(check_result, "departements", None) or [])]
    if not territory:
        raise InputDataError(
            "check_result has no départements to map; pass the result of check_territory()",
            fr="le résultat de vérification ne contient aucun département à cartographier",
        )
    raw_spec = getattr(check_result, "specialty", None)
    spec = get_specialty(raw_spec) if raw_spec is not None else None
    spec_label = spec.label if spec is not None else str(getattr(check_result, "specialty_input", "spécialité refusée"))
    reg = as_registry(registry if registry is not None else getattr(check_result, "registry", None))
    sup = as_supply(supply if supply is not None else getattr(check_result, "supply", None))
    shown = list(territory)
    if context:
        for d in territory:
            shown += [n for n in neighbours(d) if n not in shown]
        # Fill holes: a département all of whose neighbours are shown (Paris inside its ring).
        ring = {n for d in shown for n in neighbours(d)} - set(shown)
        shown += sorted(d for d in ring if set(neighbours(d)) <= set(shown))
    deps = simplified_departements(shown, tolerance_m)
    deps["in_territory"] = deps["code_dep"].isin(territory)
    counts, basis = _counts(spec, sup, shown) if spec is not None else (None, "")
    if counts is None:
        counts = _threshold_counts(check_result)
        basis = "effectifs du critère de seuil (territoire seulement)" if counts else ""
    densities = [
        _density(None if counts is None else counts.get(c), p) for c, p in zip(deps["code_dep"], deps["population"], strict=True)
    ]
    classes, class_labels, class_colours = choropleth_classes(densities)
    fills = [class_colours[k] if k >= 0 else NEUTRAL_FILL for k in classes]
    frame = deps[["code_dep", "geometry"]].copy()
    frame["titre"] = [f"{nom} ({code})" for nom, code in zip(deps["nom"], deps["code_dep"], strict=True)]
    frame["role"] = ["territoire proposé" if t else "département voisin" for t in deps["in_territory"]]
    frame["n_specialistes"] = [fmt_number(None if counts is None else counts.get(c)) for c in deps["code_dep"]]
    frame["densite"] = [_density_text(v, p) for v, p in zip(densities, deps["population"], strict=True)]
    frame["population"] = [population_text(v) for v in deps["population"]]
    frame["in_focus"] = deps["in_territory"].to_numpy()
    frame = _style(frame, fill=fills, fill_opacity=0.8, stroke="#ffffff", weight=1.0)
    frame.loc[~deps["in_territory"].to_numpy(), "fill_opacity"] = 0.45
    tooltip = [
        ("titre", "Département"),
        ("role", "Rôle"),
        ("n_specialistes", f"Spécialistes ({spec_label})"),
        ("densite", f"Densité ({DENSITY_UNIT})"),
        ("population", "Population"),
    ]
    layers = [MapLayer(name=f"Départements : densité de spécialistes ({spec_label})", frame=frame, tooltip=tooltip, label_column="code_dep")]
    legend: list[LegendSection] = []
    if class_labels:
        legend.append(
            LegendSection(
                title=f"Spécialistes {DENSITY_UNIT}",
                items=[LegendItem(label=lab, fill=col, stroke="#999999") for lab, col in zip(class_labels, class_colours, strict=True)],
            )
        )
    # Départements with specialists counted but no population (Mayotte): density not computable.
    no_population = [
        c for c, p in zip(deps["code_dep"], deps["population"], strict=True) if counts is not None and c in counts and pd.isna(p)
    ]
    if class_labels and no_population:
        legend[-1].items.append(LegendItem(label=NO_POPULATION_LABEL, fill=NEUTRAL_FILL, stroke="#999999"))
    elif not class_labels:
        label = NO_POPULATION_LABEL if no_population else "effectifs non fournis"
        legend.append(LegendSection(title="Densité", items=[LegendItem(label=label, fill=NEUTRAL_FILL)]))
    # ZIP communes above the choropleth.
    communes, sites, zip_sources = _zip_frames(zip_result)
    if communes is not None and len(communes):
        layer, section = _communes_layer(communes, None)
        layers.append(layer)
        legend.append(section)
        # département borders above the communes
        borders = _style(deps[["code_dep", "geometry"]], fill=None, stroke="#444444", weight=1.2)
        layers.append(MapLayer(name="Limites des départements", frame=borders, interactive=False))
    # existing ESS of the same specialty touching the shown area.
    nearby = [e for e in reg.for_specialty(spec) if set(e.departements) & set(shown)] if spec is not None else []
    all_deps = simplified_departements(None, tolerance_m)
    ess_layer, ess_items = _ess_layer(nearby, all_deps, f"ESS existantes ({spec_label})")
    if ess_layer is not None:
        layers.append(ess_layer)
        legend.append(LegendSection(title="", items=ess_items))
    outline = gpd.GeoDataFrame(
        [{"titre": "Territoire proposé", "departements": ", ".join(territory), "geometry": _dissolve(deps[deps["in_territory"]])}],
        geometry="geometry",
        crs=WGS84,
    )
    outline = _style(outline, fill=None, stroke=TERRITORY_STROKE, weight=4.0)
    layers.append(MapLayer(name="Territoire proposé", frame=outline, tooltip=[("titre", "Territoire"), ("departements", "Départements")]))
    legend.append(LegendSection(title="", items=[LegendItem(label="Territoire proposé", fill=None, stroke=TERRITORY_STROKE)]))
    site_lines: list[str] = []
    if sites is not None and len(sites):
        layer, section = _sites_layer(sites)
        layers.append(layer)
        legend.append(section)
        site_lines = list(layer.frame.sort_values("rang", key=lambda r: pd.to_numeric(r, errors="coerce"))["ligne"])
        # What the scores measure (ess_geo.analysis.outreach.ZipResult.ranking_basis_fr): says when specialists
        # are not located by commune, so their presence was not taken into account.
        basis_fr = str(getattr(zip_result, "ranking_basis_fr", "") or "")
        if basis_fr:
            site_lines.insert(0, f"Classement : {basis_fr}")
    # initial view: the territory and any existing ESS it overlaps
    focus = deps[deps["in_territory"]][["geometry"]]
    if ess_layer is not None:
        overlapping = [e.id for e in nearby if set(e.departements) & set(territory)]
        focus = pd.concat([focus, ess_layer.frame[ess_layer.frame["ess_id"].isin(overlapping)][["geometry"]]])
    admissible = getattr(check_result, "admissible", None)
    verdict_status = {True: "pass", False: "fail"}.get(admissible, "unknown")
    verdict = "Verdict : " + {True: "admissible", False: "non admissible"}.get(admissible, "indéterminé")
    notes = []
    if basis:
        notes.append(f"Effectifs : {basis}.")
    if counts is None:
        notes.append("Effectifs de spécialistes non fournis : densités non calculées.")
    elif no_population:
        notes.append(f"Population inconnue ({', '.join(no_population)}) : densité non calculable.")
    sources = _unique_sources(
        [
            *list(getattr(check_result, "sources", []) or []),
            reference_source(),
            reg.source,
            sup.source if sup is not None else None,
            *zip_sources,
        ]
    )
    return MapSpec(
        title=f"Projet d'ESS — {spec_label}",
        subtitle=str(getattr(check_result, "territory_label", "") or _territory_label(territory)),
        layers=layers,
        legend=legend,
        sources=sources,
        bounds=_bounds(focus, 0.08),
        crs=metric_crs_for_many(shown),
        verdict=verdict,
        verdict_status=verdict_status,
        criteria=_criteria_lines(check_result),
        notes=notes,
        sites=site_lines,
    )
