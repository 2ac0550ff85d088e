"""Committee maps: interactive folium maps that open offline, and their static exports.

Public functions
----------------
- :func:`make_territory_map` — map of a proposed ESS territory (choropleth of specialist
  density, existing ESS, ZIP/ZAC communes and outreach sites, verdict per criterion).
- :func:`make_coverage_map` — France-wide or one-région map of ESS coverage for a specialty.
- :func:`save_map` — write ``.html`` (standalone, Leaflet inlined), ``.png`` or ``.pdf``.

This module only draws: every figure, class and label comes from :mod:`ess_geo.render.mapspec`. The
returned :class:`folium.Map` carries its :class:`~ess_geo.render.mapspec.MapSpec` in the
``_ess_geo_spec`` attribute, which :func:`save_map` uses to draw the PNG/PDF with matplotlib.

Offline: the HTML embeds Leaflet's JS and CSS (vendored in ``ess_geo/_vendor/leaflet``) and
loads nothing else (no jQuery, Bootstrap, fonts or tiles) unless tiles are asked for.
Every text shown in tooltips, the title block and the footer is HTML-escaped.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

import folium
import geopandas as gpd
from branca.element import Element, Figure

from ess_geo import render
from ess_geo._output import atomic_write_bytes, prepare_output_file, write_error
from ess_geo.errors import InputDataError
from ess_geo.render.coverage_spec import coverage_map_spec
from ess_geo.render.leaflet import (
    ConstantElement,
    DepartementLabels,
    FitTerritory,
    HtmlControl,
    MetricScale,
    OfflineMap,
)
from ess_geo.render.mapspec import STATUS_COLOUR, LegendSection, MapLayer, MapSpec
from ess_geo.render.territory_spec import territory_map_spec

if TYPE_CHECKING:
    from ess_geo.analysis.coverage import CoverageResult
    from ess_geo.analysis.outreach import ZipResult
    from ess_geo.inputs.registry import Registry
    from ess_geo.inputs.supply import Supply
    from ess_geo.reference.specialties import Specialty
    from ess_geo.rules.territory import TerritoryCheck

#: Attribute of the returned folium map holding its :class:`~ess_geo.render.mapspec.MapSpec`.
SPEC_ATTRIBUTE = "_ess_geo_spec"
#: Extensions :func:`save_map` writes.
SAVE_FORMATS = (".html", ".png", ".pdf")
#: Accepted ``tiles`` values and the folium basemap each adds.
TILES = {
    True: ("OpenStreetMap", None),
    "osm": ("OpenStreetMap", None),
    "openstreetmap": ("OpenStreetMap", None),
    "cartodb": ("CartoDB positron", None),
}


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


CSS = """
<style>
  html, body { margin: 0; height: 100%; font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; }
  body { display: flex; flex-direction: column; }
  .folium-map { flex: 1 1 auto; height: auto !important; min-height: 300px; }
  .leaflet-container { background: #eaf0f5; font-family: inherit; }
  .ess-title { max-width: 430px;
    background: rgba(255,255,255,0.95); border: 1px solid #999; border-radius: 6px; padding: 8px 12px;
    box-shadow: 0 1px 5px rgba(0,0,0,0.3); font-size: 13px; line-height: 1.35; }
  .ess-title h1 { font-size: 17px; margin: 0 0 2px 0; }
  .ess-title .sub { font-size: 13px; color: #333; margin-bottom: 4px; }
  .ess-title .verdict { font-weight: bold; font-size: 14px; margin: 4px 0; }
  .ess-title table { border-collapse: collapse; font-size: 12px; }
  .ess-title td { padding: 1px 6px 1px 0; vertical-align: top; }
  .ess-title .note { font-size: 11.5px; color: #444; margin-top: 4px; }
  .ess-status { font-weight: bold; white-space: nowrap; }
  .ess-legend { max-width: 330px;
    background: rgba(255,255,255,0.95); border: 1px solid #999; border-radius: 6px; padding: 6px 10px;
    box-shadow: 0 1px 5px rgba(0,0,0,0.3); font-size: 12px; line-height: 1.3; }
  .ess-legend .lt { font-weight: bold; margin: 4px 0 2px 0; }
  .ess-legend .li { display: flex; align-items: center; margin: 2px 0; }
  .ess-legend .sw { flex: 0 0 22px; height: 13px; margin-right: 6px; border: 2px solid #999; box-sizing: border-box; }
  .ess-legend .pt { flex: 0 0 14px; height: 14px; margin: 0 10px 0 4px; border-radius: 50%; box-sizing: border-box; }
  .ess-footer { order: 2; flex: 0 0 auto; background: #ffffff; border-top: 1px solid #bbb; font-size: 10.5px; color: #333; padding: 3px 10px; line-height: 1.3; }
  .leaflet-tooltip { font-size: 12px; }
  .leaflet-tooltip table { border-collapse: collapse; }
  .ess-rank { width: 20px; height: 20px; line-height: 20px; text-align: center; color: #fff; font-weight: bold;
    font-size: 12px; pointer-events: none; }
  .leaflet-tooltip th { text-align: left; font-weight: normal; color: #555; padding: 0 6px 0 0; }
  .leaflet-tooltip tr:first-child td { font-weight: bold; }
  .leaflet-control-layers { font-size: 12px; }
  .ess-dep-label { font-size: 10px; font-weight: bold; color: #333; white-space: nowrap; pointer-events: none;
    transform: translate(-50%, -50%); text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; background: none; border: none; }
  .ess-dep-label-in { font-size: 11px; color: #000; }
  .ess-title .why { font-size: 11px; color: #555; padding-bottom: 3px; }
  .ess-legend .site { margin: 1px 0 1px 4px; }
</style>
"""


def _title_html(spec: MapSpec) -> str:
    parts = [f"<h1>{_esc(spec.title)}</h1>", f'<div class="sub">{_esc(spec.subtitle)}</div>']
    if spec.verdict:
        colour = STATUS_COLOUR.get(spec.verdict_status, "#333")
        parts.append(f'<div class="verdict" style="color:{colour}">{_esc(spec.verdict)}</div>')
    if spec.criteria:
        rows = []
        for c in spec.criteria:
            colour = STATUS_COLOUR.get(c.status, "#333")
            rows.append(
                f'<tr title="{_esc(c.message)}"><td>{_esc(c.label)}</td>'
                f'<td class="ess-status" style="color:{colour}">{_esc(c.status_fr)}</td></tr>'
            )
            if c.reason:
                rows.append(f'<tr class="why"><td colspan="2" class="why">{_esc(c.reason)}</td></tr>')
        parts.append('<table class="ess-criteria">' + "".join(rows) + "</table>")
    parts += [f'<div class="note">{_esc(n)}</div>' for n in spec.notes]
    if any(i.kind == "overseas" for i in spec.insets):
        parts.append('<div class="note">Outre-mer : déplacer ou dézoomer la carte.</div>')
    return "".join(parts)


def _legend_html(sections: list[LegendSection], sites: list[str] | None = None) -> str:
    out = []
    for section in sections:
        if section.title:
            out.append(f'<div class="lt">{_esc(section.title)}</div>')
        for item in section.items:
            fill = item.fill or "transparent"
            style = "dashed" if item.dash else "solid"
            if item.marker:
                swatch = f'<span class="pt" style="background:{fill};border:2px solid {item.stroke};box-shadow:0 0 0 1px #555"></span>'
            else:
                width = 2 if item.fill else 3
                swatch = f'<span class="sw" style="background:{fill};border:{width}px {style} {item.stroke}"></span>'
            out.append(f'<div class="li">{swatch}{_esc(item.label)}</div>')
    if sites:
        out.append('<div class="lt">Sites de consultations avancées</div>')
        out += [f'<div class="site">{_esc(line)}</div>' for line in sites]
    return "".join(out)


def _footer_html(spec: MapSpec, produced_on: date | None) -> str:
    text = " · ".join(_esc(line) for line in spec.footer_lines())
    return f'<div class="ess-footer" id="ess-footer">{_esc(spec.produced_fr(produced_on))} <b>Sources :</b> {text}</div>'


def _escaped(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _esc(value)


def _add_layer(fmap: folium.Map, layer: MapLayer) -> None:
    """Add one layer as a GeoJson with per-feature style classes and escaped tooltip values.

    Only what the page needs is embedded: the geometry, one small style-class index per feature
    (styles themselves are written once) and the tooltip values, each HTML-escaped here because
    folium's GeoJsonTooltip inserts them as HTML.
    """
    frame = layer.frame
    style_cols = ["fill", "fill_opacity", "stroke", "weight", "dash"]
    styles: dict[tuple, int] = {}
    classes = []
    for row in frame[style_cols].itertuples(index=False):
        key = tuple(None if (isinstance(v, float) and v != v) else v for v in row)
        classes.append(styles.setdefault(key, len(styles)))
    style_table = {i: dict(zip(style_cols, key, strict=True)) for key, i in styles.items()}
    columns = [c for c, _ in layer.tooltip] if layer.interactive else []
    data = gpd.GeoDataFrame(
        {c: [_escaped(v) for v in frame[c]] for c in columns} | {"s": classes},
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )

    def style_function(feature: dict) -> dict:
        st = style_table[feature["properties"]["s"]]
        fill = st["fill"]
        return {
            "fillColor": fill or "#000000",
            "fillOpacity": float(st["fill_opacity"]) if fill else 0.0,
            "color": st["stroke"],
            "weight": float(st["weight"]),
            "dashArray": st["dash"] or None,
            "fill": bool(fill),
        }

    tooltip = None
    if columns:
        tooltip = folium.GeoJsonTooltip(
            fields=columns, aliases=[_esc(label) for _, label in layer.tooltip], labels=True, sticky=True
        )
    marker = folium.CircleMarker(radius=10) if layer.kind == "points" else None
    geojson = folium.GeoJson(
        data.to_geo_dict(show_bbox=False, drop_id=False),
        name=_esc(layer.name),
        show=layer.show,
        style_function=style_function,
        highlight_function=(lambda f: {"weight": 4, "color": "#000000"}) if tooltip is not None else None,
        tooltip=tooltip,
        marker=marker,
        interactive=layer.interactive,
        smooth_factor=0.5,
    )
    if layer.kind != "points" or not layer.label_column:
        geojson.add_to(fmap)
        return
    # points with a label (site ranks): circle + number, toggled together
    group = folium.FeatureGroup(name=_esc(layer.name), show=layer.show)
    geojson.control = False
    geojson.add_to(group)
    for point, label in zip(frame.geometry, frame[layer.label_column], strict=True):
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(html=f'<div class="ess-rank">{_esc(label)}</div>', icon_size=(20, 20), icon_anchor=(10, 10)),
            interactive=False,
        ).add_to(group)
    group.add_to(fmap)


def _label_points(spec: MapSpec) -> list[tuple[float, float, str, bool]]:
    """(lon, lat, text, in focus) of the département labels of the first labelled polygon layer."""
    for layer in spec.layers:
        if layer.kind == "polygons" and layer.label_column and layer.label_column in layer.frame.columns:
            frame = layer.frame
            points = frame.geometry.representative_point()
            focus = frame["in_focus"] if "in_focus" in frame.columns else [True] * len(frame)
            return [
                (float(pt.x), float(pt.y), str(text), bool(f))
                for pt, text, f in zip(points, frame[layer.label_column], focus, strict=True)
                if pt is not None and not pt.is_empty
            ]
    return []


def render_folium(spec: MapSpec, *, tiles: bool | str = False, produced_on: date | None = None) -> folium.Map:
    """Draw a :class:`MapSpec` as an offline folium map.

    Parameters
    ----------
    spec : MapSpec
        Prepared map content.
    tiles : bool or str, default False
        Add a basemap (``True``/``"osm"``: OpenStreetMap, ``"cartodb"``: CartoDB positron). Off by
        default: the map must be readable without a tile server.
    produced_on : datetime.date, optional
        Date of production printed in the footer (default today), as on PNG/PDF maps.

    Returns
    -------
    folium.Map
        With the spec attached as ``_ess_geo_spec``.

    Raises
    ------
    InputDataError
        If ``tiles`` is not one of the accepted values.
    """
    tile_key = tiles.lower() if isinstance(tiles, str) else tiles
    if tile_key not in (False, None) and tile_key not in TILES:
        allowed = ", ".join(repr(k) for k in TILES if isinstance(k, str))
        raise InputDataError(f"unknown tiles {tiles!r}; allowed: True, False, {allowed}", fr=f"fond de carte inconnu : {tiles!r}")
    fmap = OfflineMap(tiles=None, zoom_control="topright", control_scale=False, prefer_canvas=False, zoom_snap=0.25)
    if tile_key not in (False, None):
        folium.TileLayer(TILES[tile_key][0], name="Fond de carte", control=True).add_to(fmap)
    for layer in spec.layers:
        _add_layer(fmap, layer)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    HtmlControl(_title_html(spec), position="topleft", css_class="ess-title").add_to(fmap)
    HtmlControl(_legend_html(spec.legend, spec.sites), position="bottomleft", css_class="ess-legend").add_to(fmap)
    MetricScale().add_to(fmap)
    labels = _label_points(spec)
    if labels:
        DepartementLabels(labels).add_to(fmap)
    minx, miny, maxx, maxy = spec.bounds
    # a first fit for any page; FitTerritory refits once the title block and legend have their size
    fmap.fit_bounds([[miny, minx], [maxy, maxx]], padding_top_left=(380, 20), padding_bottom_right=(20, 20))
    FitTerritory(spec.bounds).add_to(fmap)
    root = cast(Figure, fmap.get_root())
    root.header.add_child(ConstantElement(CSS), name="ess_css")
    root.header.add_child(Element(f"<title>{_esc(spec.title)} — {_esc(spec.subtitle)}</title>"), name="ess_title_tag")
    root.html.add_child(Element(_footer_html(spec, produced_on)), name="ess_footer")
    setattr(fmap, SPEC_ATTRIBUTE, spec)
    return fmap


def make_territory_map(
    check_result: TerritoryCheck,
    *,
    zip_result: ZipResult | None = None,
    supply: Supply | None = None,
    registry: Registry | None = None,
    tiles: bool | str = False,
) -> folium.Map:
    """Map of a proposed ESS territory for a committee.

    Shows the territory outlined over a choropleth of specialist density per département (its
    neighbours in lighter tones), the existing ESS of the same specialty, the ZIP/ZAC communes and
    ranked outreach sites when given, a title block with the verdict per criterion and a footer
    naming every source and vintage.

    Parameters
    ----------
    check_result : TerritoryCheck
        Result of :func:`ess_geo.rules.territory.check_territory`.
    zip_result : ZipResult, optional
        ZIP result with ``communes`` and/or ``sites`` GeoDataFrames.
    supply : Supply, optional
        Specialists per département, loaded (default: the check's supply, else the counts of the
        threshold criterion).
    registry : Registry, optional
        Existing ESS, loaded (default: the check's registry).
    tiles : bool or str, default False
        Basemap; none by default (offline).

    Returns
    -------
    folium.Map
        Save it with :func:`save_map`.

    Raises
    ------
    InputDataError, CrsError
        On unusable input (no départements, ZIP frames without CRS, unknown tiles...).
    """
    spec = territory_map_spec(check_result, zip_result=zip_result, supply=supply, registry=registry)
    return render_folium(spec, tiles=tiles)


def make_coverage_map(
    result: CoverageResult,
    specialty: str | Specialty | None = None,
    *,
    region: str | None = None,
    tiles: bool | str = False,
) -> folium.Map:
    """France-wide (or one-région) map of ESS coverage for a specialty, from a coverage result.

    Each département is coloured by the class :func:`ess_geo.analysis.coverage.coverage_table`
    gave it: covered by an ESS of the specialty, can host one alone, reaches the threshold with
    uncovered neighbours, cannot reach it, or undetermined (upper-bound or missing counts).

    Parameters
    ----------
    result : CoverageResult
        Output of :func:`ess_geo.analysis.coverage.coverage_table` (for example
        ``coverage_table(None, ["cardiologie"], supply)`` for France).
    specialty : str or Specialty, optional
        Specialty to map; may be omitted when ``result`` holds only one.
    region : str, optional
        Map only this région of ``result``.
    tiles : bool or str, default False
        Basemap; none by default.

    Returns
    -------
    folium.Map

    Raises
    ------
    InputDataError
        If the specialty or région is not in ``result``, or on an unknown tiles value.
    """
    spec = coverage_map_spec(result, specialty, region=region)
    return render_folium(spec, tiles=tiles)


def map_html(fmap: folium.Map) -> str:
    """Standalone HTML text of a map (``<html lang="fr">``)."""
    text = fmap.get_root().render()
    return text.replace("<html>", '<html lang="fr">', 1)


def save_map(fmap: folium.Map, path: str | Path, *, dpi: int = 150) -> Path:
    """Save a map as standalone HTML, PNG or PDF (chosen by the extension).

    Parameters
    ----------
    fmap : folium.Map
        A map from :func:`make_territory_map` or :func:`make_coverage_map` (PNG/PDF need the
        ``_ess_geo_spec`` they carry; any folium map can be saved as HTML).
    path : str or pathlib.Path
        Output file ending in ``.html``, ``.png`` or ``.pdf``.
    dpi : int, default 150
        Resolution of PNG output.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputDataError
        If the extension is not supported, a static export is asked of a map without spec, or
        the file or its folder cannot be written (missing folders are created).
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in SAVE_FORMATS:
        raise InputDataError(
            f"cannot save a map as {out.name!r}: extension must be one of {list(SAVE_FORMATS)}",
            fr=f"format de carte non pris en charge : {out.name} (attendu : .html, .png ou .pdf)",
        )
    spec = getattr(fmap, SPEC_ATTRIBUTE, None)
    if suffix != ".html" and not isinstance(spec, MapSpec):
        raise InputDataError(
            f"cannot export {out.name!r}: this map was not made by ess_geo (no {SPEC_ATTRIBUTE})",
            fr=f"export {suffix} impossible : carte non produite par ess_geo",
        )
    prepare_output_file(out)
    try:
        if isinstance(spec, MapSpec) and suffix != ".html":
            render.static_map.render_static(spec, out, dpi=dpi)  # matplotlib loaded for PNG/PDF only
        else:
            atomic_write_bytes(out, map_html(fmap).encode("utf-8"))
    except OSError as exc:
        raise write_error(out, exc) from None
    return out


__all__ = [
    "CSS",
    "SAVE_FORMATS",
    "SPEC_ATTRIBUTE",
    "TILES",
    "make_coverage_map",
    "make_territory_map",
    "map_html",
    "render_folium",
    "save_map",
]
