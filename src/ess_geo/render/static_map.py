"""Static PNG/PDF rendering of a :class:`~ess_geo.render.mapspec.MapSpec` with matplotlib (no browser).

The printed file shows the same layers, colours, title block, verdict per criterion, legend and
sources footer as the HTML map. Pages are A4 landscape. Overseas départements of a France map
are drawn as insets, and Paris with its inner ring (75, 92, 93, 94) as a zoom whose labels the
main frame leaves out; other labels that would overlap are skipped. Like :mod:`ess_geo.render.html_map`, this module computes no figure: it only draws
the spec (projection to a metric CRS is for display).
"""

from __future__ import annotations

import contextlib
import math
import textwrap
from datetime import date
from pathlib import Path

import geopandas as gpd
import matplotlib as mpl
import shapely
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ess_geo._output import atomic_file
from ess_geo.reference.crs import WGS84
from ess_geo.render.mapspec import IDF_INSET_DEPS, STATUS_COLOUR, MapLayer, MapSpec

A4_LANDSCAPE = (11.69, 8.27)
SEA = "#eaf0f5"
PX_TO_PT = 0.55  # folium weights are screen pixels; matplotlib linewidths are points


def print_style() -> contextlib.AbstractContextManager:
    """matplotlib settings of every printed page (hatch width, a font with the French characters)."""
    return mpl.rc_context({"hatch.linewidth": 0.7, "font.family": "DejaVu Sans"})


def _mtext(text: object) -> str:
    """Escape matplotlib mathtext (a user-provided "$" must print as a dollar)."""
    return str(text).replace("$", r"\$")


def _linestyle(dash: str):
    if not dash:
        return "solid"
    parts = [float(p) * 0.5 for p in str(dash).replace(",", " ").split()]
    return (0, tuple(parts)) if parts else "solid"


def _project_bounds(bounds: tuple[float, float, float, float], crs: str) -> tuple[float, float, float, float]:
    box = gpd.GeoSeries([shapely.box(*bounds)], crs=WGS84).to_crs(crs)
    minx, miny, maxx, maxy = (float(v) for v in box.total_bounds)
    return minx, miny, maxx, maxy


def _draw_layer(
    ax, layer: MapLayer, crs: str, view: tuple[float, float, float, float], labels: bool, skip_labels: frozenset = frozenset()
) -> None:
    frame = layer.frame
    if frame.empty:
        return
    projected = frame.to_crs(crs)
    minx, miny, maxx, maxy = view
    view_box = shapely.box(minx, miny, maxx, maxy)
    projected = projected[projected.geometry.intersects(view_box)]
    if projected.empty:
        return
    if layer.kind == "points":
        xs, ys = projected.geometry.x, projected.geometry.y
        ax.scatter(
            xs, ys, s=150, c=list(projected["fill"].fillna("#ffffff")), edgecolors=list(projected["stroke"]),
            linewidths=1.6, zorder=6,
        )
        if layer.label_column:
            for x, y, text in zip(xs, ys, projected[layer.label_column], strict=True):
                ax.text(x, y, _mtext(text), ha="center", va="center", fontsize=6.5, fontweight="bold", color="white", zorder=7)
        return
    style_cols = ["fill", "fill_opacity", "stroke", "weight", "dash", "hatch"]
    keys = ["|".join(str(v) for v in row) for row in projected[style_cols].itertuples(index=False)]
    for _, part in projected.groupby(keys, sort=False):
        row = part.iloc[0]
        fill = row["fill"] if isinstance(row["fill"], str) and row["fill"] else None
        hatch = row["hatch"] or None
        if hatch:  # light hatching first, so the choropleth below stays readable
            part.plot(ax=ax, facecolor="none", edgecolor=mpl.colors.to_rgba(row["stroke"], 0.45), linewidth=0, hatch=hatch, zorder=3)
        part.plot(
            ax=ax,
            facecolor=mpl.colors.to_rgba(fill, float(row["fill_opacity"])) if fill else "none",
            edgecolor=row["stroke"],
            linewidth=float(row["weight"]) * PX_TO_PT,
            linestyle=_linestyle(row["dash"]),
            zorder=2 if fill else 4,
        )
    if labels and layer.label_column:
        _draw_labels(ax, projected, layer.label_column, view, skip_labels, layer.count_column)


LABEL_FONTSIZE = 6.0


def _draw_labels(ax, projected: gpd.GeoDataFrame, column: str, view, skip: frozenset, count_column: str | None = None) -> None:
    """Label features at a representative point, largest first; a label that would overlap an
    earlier one, or one listed in ``skip`` (shown in an inset), is left out."""
    minx, miny, maxx, maxy = view
    view_box = shapely.box(minx, miny, maxx, maxy)
    pos = ax.get_position()
    width_pt = pos.width * ax.figure.get_figwidth() * 72
    per_pt = (maxx - minx) / width_pt  # data units per typographic point (equal aspect)
    order = projected.geometry.area.sort_values(ascending=False).index
    placed: list[shapely.Geometry] = []
    counted = count_column is not None and count_column in projected.columns and "in_focus" in projected.columns
    for idx in order:
        text = str(projected.at[idx, column])
        if text in skip:
            continue
        if counted and bool(projected.at[idx, "in_focus"]) and str(projected.at[idx, count_column]).strip():
            text = f"{text} : {projected.at[idx, count_column]}"  # the territory's counts, as the check reads them
        pt = projected.geometry.loc[idx].representative_point()
        if not view_box.contains(pt):
            continue
        half_w = (0.62 * LABEL_FONTSIZE * len(text) + 2) / 2 * per_pt
        half_h = (LABEL_FONTSIZE + 2) / 2 * per_pt
        box = shapely.box(pt.x - half_w, pt.y - half_h, pt.x + half_w, pt.y + half_h)
        if any(box.intersects(other) for other in placed):
            continue
        placed.append(box)
        ax.text(
            pt.x, pt.y, _mtext(text), ha="center", va="center", fontsize=LABEL_FONTSIZE, color="#222222", zorder=5,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6},
        )


def _fit_view(ax, view):
    """Grow the view to the axes' shape so the map fills them at equal scale."""
    minx, miny, maxx, maxy = view
    pos = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    box_ratio = (pos.height * fig_h) / (pos.width * fig_w)
    w, h = maxx - minx, maxy - miny
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    if h / w < box_ratio:
        h = w * box_ratio
    else:
        w = h / box_ratio
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _setup_axes(ax, view, border: bool = True) -> None:
    minx, miny, maxx, maxy = view
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_visible(border)
        spine.set_color("#999999")


def _draw_frame(ax, spec: MapSpec, crs: str, bounds, labels: bool, skip_labels: frozenset = frozenset()) -> None:
    view = _fit_view(ax, _project_bounds(bounds, crs))
    for layer in spec.layers:
        _draw_layer(ax, layer, crs, view, labels, skip_labels)
    _setup_axes(ax, view)


def _legend_handles(spec: MapSpec):
    handles: list[Artist] = []
    labels: list[str] = []
    bold: list[bool] = []
    for section in spec.legend:
        if section.title:
            handles.append(Patch(visible=False))
            labels.append(_mtext(section.title))
            bold.append(True)
        for item in section.items:
            if item.marker:
                handles.append(
                    Line2D([], [], marker="o", linestyle="none", markersize=9, markerfacecolor=item.fill or "white",
                           markeredgecolor=item.stroke, markeredgewidth=1.6)
                )
            else:
                handles.append(
                    Patch(
                        facecolor=item.fill or "none",
                        edgecolor=item.stroke,
                        hatch=item.hatch or None,
                        linestyle=_linestyle(item.dash),
                        linewidth=1.8 if not item.fill else 0.8,
                    )
                )
            labels.append(_mtext(textwrap.fill(item.label, 50)))
            bold.append(False)
    return handles, labels, bold


def _draw_panel(fig: Figure, spec: MapSpec, rect) -> None:
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    height_pt = rect[3] * fig.get_figheight() * 72
    y = 1.0

    def line(text: str, size: float, *, weight: str = "normal", colour: str = "#111111", width: int = 60, gap: float = 0.35):
        nonlocal y
        for chunk in textwrap.wrap(text, width) or [""]:
            ax.text(0, y, _mtext(chunk), fontsize=size, fontweight=weight, color=colour, va="top", transform=ax.transAxes)
            y -= size * 1.3 / height_pt
        y -= size * gap / height_pt

    line(spec.title, 14, weight="bold", width=34)
    line(spec.subtitle, 10, width=48)
    if spec.verdict:
        line(spec.verdict, 11.5, weight="bold", colour=STATUS_COLOUR.get(spec.verdict_status, "#111111"))
    for crit in spec.criteria:
        ax.text(0, y, _mtext(crit.label), fontsize=8.5, va="top", transform=ax.transAxes)
        ax.text(0.62, y, _mtext(crit.status_fr), fontsize=8.5, fontweight="bold", va="top", transform=ax.transAxes,
                color=STATUS_COLOUR.get(crit.status, "#111111"))
        y -= 8.5 * 1.35 / height_pt
        for chunk in textwrap.wrap(crit.reason, 66) if crit.reason else []:
            ax.text(0.03, y, _mtext(chunk), fontsize=6.8, color="#444444", va="top", transform=ax.transAxes)
            y -= 6.8 * 1.3 / height_pt
    if spec.criteria:
        y -= 4 / height_pt
    for note in spec.notes:
        line(note, 7.5, colour="#333333", width=64, gap=0.2)
    if spec.sites:
        y -= 3 / height_pt
        line("Sites de consultations avancées (rang, commune, population desservie)", 7.8, weight="bold", width=56, gap=0.15)
        for site in spec.sites:
            line(site, 7.2, colour="#222222", width=72, gap=0.1)
    handles, labels, bold = _legend_handles(spec)
    if handles:
        leg = ax.legend(
            handles, labels, loc="upper left", bbox_to_anchor=(0, y - 6 / height_pt), frameon=False, fontsize=7.5,
            handlelength=2.4, handleheight=1.3, borderaxespad=0, labelspacing=0.45,
        )
        for text, is_bold in zip(leg.get_texts(), bold, strict=True):
            if is_bold:
                text.set_fontweight("bold")


def _nice_length_km(width_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k km) near a fifth of the frame width."""
    target = width_m / 5 / 1000
    step = 10 ** math.floor(math.log10(target)) if target > 0 else 1
    return max((m * step for m in (1, 2, 5) if m * step <= target), default=step)


def _scale_and_north(ax) -> None:
    """Scale bar (lower left) and north arrow (upper right) on a frame in a metric CRS (metres)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km = _nice_length_km(x1 - x0)
    left, base = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    length = km * 1000
    ax.add_patch(Rectangle((left - 0.01 * (x1 - x0), base - 0.015 * (y1 - y0)), length + 0.02 * (x1 - x0),
                           0.07 * (y1 - y0), facecolor="white", edgecolor="none", alpha=0.8, zorder=9))
    for k in range(2):  # two alternating halves, as on printed maps
        ax.add_patch(Rectangle((left + k * length / 2, base), length / 2, 0.008 * (y1 - y0),
                               facecolor="#222222" if k == 0 else "white", edgecolor="#222222", linewidth=0.6, zorder=10))
    label = f"{km:g} km".replace(".", ",")
    ax.text(left, base + 0.014 * (y1 - y0), "0", fontsize=6.5, ha="center", va="bottom", zorder=10)
    ax.text(left + length, base + 0.014 * (y1 - y0), label, fontsize=6.5, ha="center", va="bottom", zorder=10)
    ax.annotate("N", xy=(0.95, 0.96), xytext=(0.95, 0.86), xycoords="axes fraction", ha="center", va="center",
                fontsize=9, fontweight="bold", zorder=10,
                arrowprops={"arrowstyle": "-|>", "color": "#222222", "linewidth": 1.2})


def draw_map(fig: Figure, spec: MapSpec, *, produced_on: date | None = None) -> Figure:
    """Draw a map spec on an A4 landscape matplotlib figure (map, insets, panel, scale bar, north arrow, footer).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        An empty figure of size :data:`A4_LANDSCAPE`.
    spec : MapSpec
        Prepared map content.
    produced_on : datetime.date, optional
        Date of production printed in the footer (default today).

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``, drawn.
    """
    fig.patch.set_facecolor("white")
    footer = textwrap.fill(f"{spec.produced_fr(produced_on)} Sources : " + " · ".join(spec.footer_lines()), 230)
    bottom = 0.02 + (footer.count("\n") + 1) * 0.0125  # the map starts above the footer
    fig.text(0.01, 0.008, _mtext(footer), fontsize=5.8, color="#333333", va="bottom")
    height = 0.985 - bottom
    left = 0.01
    overseas = [i for i in spec.insets if i.kind != "idf"]
    zooms = [i for i in spec.insets if i.kind == "idf"]
    if overseas:
        n = len(overseas)
        h = (height - 0.04) / n
        for i, inset in enumerate(overseas):
            ax = fig.add_axes((0.01, bottom + 0.01 + (n - 1 - i) * h + 0.02, 0.1, h - 0.03))
            _draw_frame(ax, spec, inset.crs, inset.bounds, labels=False)
            ax.set_title(_mtext(inset.label), fontsize=6.5, pad=1.5)
        left = 0.12
    main = fig.add_axes((left, bottom, 0.635 - left, height))
    skip = frozenset(IDF_INSET_DEPS) if zooms else frozenset()
    _draw_frame(main, spec, spec.crs, spec.bounds, labels=True, skip_labels=skip)
    _scale_and_north(main)
    for k, inset in enumerate(zooms):
        # zoom in the empty top-left corner of the main frame (the Channel), framed on the main map
        ax = fig.add_axes((left + 0.006, 0.79 - k * 0.2, 0.13, 0.185))
        _draw_frame(ax, spec, inset.crs, inset.bounds, labels=True)
        ax.set_title(_mtext(inset.label), fontsize=6.5, pad=1.5)
        zx0, zy0, zx1, zy1 = _project_bounds(inset.bounds, inset.crs)
        main.add_patch(Rectangle((zx0, zy0), zx1 - zx0, zy1 - zy0, fill=False, edgecolor="#333333", linewidth=0.8, zorder=8))
    _draw_panel(fig, spec, (0.655, bottom, 0.335, height))
    return fig


def render_static(spec: MapSpec, path: str | Path, *, dpi: int = 150, produced_on: date | None = None) -> Path:
    """Draw a map spec to a PNG or PDF file (A4 landscape).

    Parameters
    ----------
    spec : MapSpec
        Prepared map content.
    path : str or pathlib.Path
        Output file; the format follows the extension (``.png`` or ``.pdf``).
    dpi : int, default 150
        Resolution of raster output.
    produced_on : datetime.date, optional
        Date of production printed in the footer (default today).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputDataError
        If ``path`` is a symbolic link or cannot be written (the previous file stays).
    """
    out = Path(path)
    with print_style():
        fig = draw_map(Figure(figsize=A4_LANDSCAPE), spec, produced_on=produced_on)
        with atomic_file(out) as fh:  # never a partial PNG/PDF under the final name
            fig.savefig(fh, dpi=dpi, format=out.suffix.lstrip(".").lower(), facecolor="white")
    return out


__all__ = ["A4_LANDSCAPE", "draw_map", "print_style", "render_static"]
