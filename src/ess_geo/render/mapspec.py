"""Map specs: the types every map is made of, their colours, and the helpers shared by the map builders.

A :class:`MapSpec` holds everything a map shows: prepared layers (WGS84 GeoDataFrames, simplified
and slimmed, with per-feature style and French tooltip fields), the title block, the legend and
the sources footer. It is built FROM the analysis results by :mod:`ess_geo.render.territory_spec`
(a proposed territory) and :mod:`ess_geo.render.coverage_spec` (ESS coverage), never recomputing
a class or a verdict; the renderers (:mod:`ess_geo.render.html_map` for folium/HTML,
:mod:`ess_geo.render.static_map` for PNG/PDF) compute nothing: they draw the spec, so the HTML and
the printed export show the same content.

Texts in specs are raw (unescaped) strings; each renderer escapes them for its medium (HTML
escaping in :mod:`ess_geo.render.html_map`, mathtext escaping in :mod:`ess_geo.render.static_map`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ess_geo._format import date_fr, decimal
from ess_geo.reference.crs import LAMBERT93
from ess_geo.reference.geography import load_departements, load_simplified_layer
from ess_geo.reference.population import density_per_100k
from ess_geo.render.breaks import classify, fisher_jenks_breaks, ramp_colour
from ess_geo.render.simplify import TOLERANCE_M, simplify_for_map
from ess_geo.sources import Source

#: Label of densities on every map.
DENSITY_UNIT = "pour 100 000 habitants"
#: Colour of each criterion status (keys of :data:`ess_geo.rules.criteria.STATUS_FR`).
STATUS_COLOUR = {"pass": "#1a7f37", "fail": "#c62828", "unknown": "#6b6b6b", "warn": "#d97706"}

#: Fill and French legend label of each zonage class of the communes.
ZONAGE_STYLE = {
    "ZIP": ("#b2182b", "ZIP : zone d'intervention prioritaire"),
    "ZAC": ("#f4a582", "ZAC : zone d'action complémentaire"),
    "ZAR": ("#9e9ac8", "ZAR : zone d'accompagnement régional"),
    "HZ": ("#f4f4f4", "HZ : hors zonage"),
    "NA": ("#ffffff", "Zonage non disponible"),
}
ESS_COLOURS = ("#7b3294", "#008837", "#e66101", "#0571b0", "#ca0020", "#5e3c99")
NEUTRAL_FILL = "#f2f2f2"
SITE_FILL = "#08306b"
TERRITORY_STROKE = "#111111"
#: Départements shown in the Île-de-France inset of national static maps (too small to label
#: on a map of France).
IDF_INSET_DEPS = ("75", "92", "93", "94")
CHOROPLETH_CMAP = "YlGnBu"  # the ramp of :func:`ess_geo.render.breaks.ramp_colour` (its anchors: ``YLGNBU``)


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
    count_column : str or None
        Column whose value the printed map adds to the label of features in focus (``in_focus``):
        the territory's doctor counts, « 14 : 109 ».
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
    count_column: str | None = None
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

    @staticmethod
    def produced_fr(produced_on: date | None = None) -> str:
        """``Produit le 2 décembre 2026 avec ess_geo.``: the date every exported map prints (HTML, PNG, PDF)."""
        return f"Produit le {date_fr(produced_on or date.today())} avec ess_geo."


# --------------------------------------------------------------------------------------------
# formatting helpers


def fmt_number(value: float | int | None, decimals: int = 0) -> str:
    """French number: non-breaking thousands separator, decimal comma; "n.d." when missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "n.d."
    return decimal(float(value), decimals)


def unique_sources(sources: Sequence[Source | None]) -> list[Source]:
    """Sources in order, without None and without repeating a (name, vintage) pair."""
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


@lru_cache(maxsize=1)
def load_departements_cached() -> gpd.GeoDataFrame:
    """Embedded départements (cached; do not mutate: callers copy)."""
    return load_departements()


def compute_simplified_departements(tolerance_m: float) -> gpd.GeoDataFrame:
    """The 101 départements simplified as a coverage at ``tolerance_m`` (the build step of the stored layer)."""
    deps = load_departements_cached()
    return simplify_for_map(deps, tolerance_m=tolerance_m, keep=["code_dep", "nom", "code_region", "population"])


@lru_cache(maxsize=4)
def _simplified_departements(tolerance_m: float) -> gpd.GeoDataFrame:
    stored = load_simplified_layer("departements", tolerance_m)  # the default tolerance is simplified at build time
    return stored if stored is not None else compute_simplified_departements(tolerance_m)


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


def dissolve(frame: gpd.GeoDataFrame) -> shapely.Geometry:
    """Union of already-simplified coverage polygons (shared borders vanish, slivers dropped)."""
    # the same polygons in the same order (WKB: exact doubles) give the same union: a report with
    # maps dissolves each région once, not once per map
    return _dissolved(tuple(shapely.to_wkb(frame.geometry.values, hex=False, include_srid=False).tolist()))


@lru_cache(maxsize=256)
def _dissolved(wkbs: tuple[bytes | None, ...]) -> shapely.Geometry:
    """Union of the polygons ``wkbs`` without slivers (shapely geometries are immutable: shared safely)."""
    # union_all rather than coverage_union_all: after rounding the coverage may be very slightly
    # invalid, and coverage_union then leaves sliver polygons along former borders.
    merged = shapely.union_all(shapely.make_valid(shapely.from_wkb(list(wkbs))))
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


def population_text(value: object) -> str:
    """French population text; « population inconnue » when missing (Mayotte), never 0."""
    if not isinstance(value, numbers.Real) or pd.isna(value):
        return "population inconnue"
    return fmt_number(float(value))


def density_text(density: float, population: object) -> str:
    """French density text; « non calculée (population inconnue) » when the population is unknown."""
    if population is None or pd.isna(population):
        return "non calculée (population inconnue)"
    return fmt_number(density, 1)


def map_density(count: object, population: object) -> float:
    """Specialists per 100,000 inhabitants, unrounded (:func:`~ess_geo.reference.population.density_per_100k`); NaN when unknown.

    Unrounded so that the 1-decimal text of the maps is not a rounding of the 2-decimal figure.
    """
    value = density_per_100k(count, population, decimals=None)
    return float("nan") if value is None else value


def choropleth_classes(values: Sequence[float], k: int = 5) -> tuple[list[int], list[str], list[str]]:
    """Classify densities (Fisher-Jenks natural breaks, :mod:`~ess_geo.render.breaks`) and give French labels and colours.

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
        bins = fisher_jenks_breaks(y[known], k_eff)
        yb = classify(y[known], bins)
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
    n = len(bins)
    colours = [ramp_colour(0.15 + 0.75 * (i / max(n - 1, 1))) for i in range(n)]
    classes = np.full(len(y), -1, dtype=int)
    classes[known] = yb
    return classes.tolist(), labels, colours


def style_frame(
    frame: gpd.GeoDataFrame,
    *,
    fill: str | Sequence[str | None] | None,
    fill_opacity: float = 0.75,
    stroke: str = "#555555",
    weight: float = 1.0,
    dash: str = "",
    hatch: str = "",
) -> gpd.GeoDataFrame:
    """A copy of ``frame`` with the style columns of :class:`MapLayer` (one fill, or one per feature)."""
    frame = frame.copy()
    frame["fill"] = fill if not isinstance(fill, (list, np.ndarray, pd.Series)) else list(fill)
    frame["fill_opacity"] = float(fill_opacity)
    frame["stroke"] = stroke
    frame["weight"] = float(weight)
    frame["dash"] = dash
    frame["hatch"] = hatch
    return frame


def view_bounds(frame: gpd.GeoDataFrame, pad: float = 0.03) -> tuple[float, float, float, float]:
    """Bounds of ``frame`` widened by ``pad`` (a share of each side) on every side."""
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    dx, dy = (maxx - minx) * pad, (maxy - miny) * pad
    return (minx - dx, miny - dy, maxx + dx, maxy + dy)


__all__ = [
    "CHOROPLETH_CMAP",
    "DENSITY_UNIT",
    "ESS_COLOURS",
    "IDF_INSET_DEPS",
    "NEUTRAL_FILL",
    "NO_POPULATION_LABEL",
    "SITE_FILL",
    "SLIVER_AREA_DEG2",
    "SLIVER_COMPACTNESS",
    "STATUS_COLOUR",
    "TERRITORY_STROKE",
    "ZONAGE_STYLE",
    "CriterionLine",
    "Inset",
    "LegendItem",
    "LegendSection",
    "MapLayer",
    "MapSpec",
    "choropleth_classes",
    "compute_simplified_departements",
    "density_text",
    "dissolve",
    "fmt_number",
    "load_departements_cached",
    "map_density",
    "population_text",
    "simplified_departements",
    "style_frame",
    "unique_sources",
    "view_bounds",
]
