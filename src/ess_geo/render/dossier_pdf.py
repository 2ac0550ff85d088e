"""The committee dossier as PDF (matplotlib, no browser): text pages in A4 portrait, then the map.

:func:`render_dossier_pdf` flows the blocks of :func:`ess_geo.render.dossier_content.dossier_blocks`
down A4 portrait pages (tables wrap their cells and repeat their header on a new page), then adds
the committee map (:func:`ess_geo.render.static_map.draw_map`: legend, scale bar, north arrow,
sources, date of production) on an A4 landscape page. Text is real PDF text (searchable, copyable).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from datetime import date

import matplotlib as mpl
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ess_geo.render.dossier_content import Block
from ess_geo.render.mapspec import STATUS_COLOUR, MapSpec
from ess_geo.render.static_map import A4_LANDSCAPE, draw_map, print_style

__all__ = ["A4_PORTRAIT", "render_dossier_pdf"]

A4_PORTRAIT = (8.27, 11.69)
_MARGIN = 0.6  # inches
_CHAR_EM = 0.56  # mean DejaVu Sans glyph width, in ems, to wrap text to a width
_STYLE = {  # kind → (font size, bold, colour, space before in points)
    "title": (16.0, True, "#111111", 0.0),
    "subtitle": (9.0, False, "#444444", 2.0),
    "verdict": (14.0, True, "#111111", 8.0),
    "heading": (11.5, True, "#1f3a5f", 12.0),
    "text": (8.5, False, "#111111", 2.0),
    "note": (7.2, False, "#444444", 1.5),
}


def _mtext(text: object) -> str:
    """Escape matplotlib mathtext (a user-provided "$" must print as a dollar)."""
    return str(text).replace("$", r"\$")


def _wrap(text: str, width_in: float, size: float, *, bold: bool = False) -> list[str]:
    chars = max(8, int(width_in * 72 / (size * (_CHAR_EM + (0.08 if bold else 0)))))
    return [line for part in str(text).split("\n") for line in (textwrap.wrap(part, chars) or [""])]


class _Flow:
    """Writes blocks down A4 portrait pages, starting a new page when one is full."""

    def __init__(self, pdf: PdfPages, footer: str) -> None:
        self.pdf, self.footer, self.pages = pdf, footer, 0
        self.width = A4_PORTRAIT[0] - 2 * _MARGIN
        self.fig: Figure | None = None
        self.y = 0.0

    def _page(self) -> Figure:
        if self.fig is None:
            self.fig = Figure(figsize=A4_PORTRAIT)
            self.fig.patch.set_facecolor("white")
            self.pages += 1
            self.y = _MARGIN
            self.fig.text(0.5, 0.25 / A4_PORTRAIT[1], _mtext(f"{self.footer} — page {self.pages}"),
                          ha="center", va="bottom", fontsize=6.5, color="#666666")
        return self.fig

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None

    def _room(self, height_in: float) -> None:
        if self.fig is not None and self.y + height_in > A4_PORTRAIT[1] - _MARGIN:
            self.flush()
        self._page()

    def _put(self, x_in: float, text: str, size: float, *, bold: bool = False, colour: str = "#111111") -> None:
        fig = self._page()
        fig.text(x_in / A4_PORTRAIT[0], 1 - self.y / A4_PORTRAIT[1], _mtext(text), fontsize=size, va="top",
                 fontweight="bold" if bold else "normal", color=colour)

    def text(self, block: Block) -> None:
        size, bold, colour, before = _STYLE[block.kind]
        colour = STATUS_COLOUR.get(block.status, colour)
        lines = _wrap(block.text, self.width, size, bold=bold)
        line_h = size * 1.3 / 72
        self._room(before / 72 + line_h * min(len(lines), 3) + (0.4 if block.kind == "heading" else 0))
        self.y += before / 72
        for line in lines:
            self._room(line_h)
            self._put(_MARGIN, line, size, bold=bold, colour=colour)
            self.y += line_h

    def _row(self, cells: Sequence[str], widths: Sequence[float], size: float, *, bold: bool, colours: Sequence[str],
             shade: str | None) -> None:
        wrapped = [_wrap(c, w * self.width - 0.08, size, bold=bold) for c, w in zip(cells, widths, strict=True)]
        line_h = size * 1.3 / 72
        height = max(len(w) for w in wrapped) * line_h + 0.06
        fig = self._page()
        if shade:
            fig.patches.append(mpl.patches.Rectangle(
                (_MARGIN / A4_PORTRAIT[0], 1 - (self.y + height) / A4_PORTRAIT[1]), self.width / A4_PORTRAIT[0],
                height / A4_PORTRAIT[1], transform=fig.transFigure, facecolor=shade, edgecolor="none", zorder=0))
        x = _MARGIN
        top = self.y
        for lines, w, colour in zip(wrapped, widths, colours, strict=True):
            self.y = top + 0.03
            for line in lines:
                self._put(x + 0.04, line, size, bold=bold, colour=colour)
                self.y += line_h
            x += w * self.width
        self.y = top + height
        fig.lines.append(mpl.lines.Line2D(
            [_MARGIN / A4_PORTRAIT[0], 1 - _MARGIN / A4_PORTRAIT[0]], [1 - self.y / A4_PORTRAIT[1]] * 2,
            transform=fig.transFigure, color="#cccccc", linewidth=0.5))

    def _row_height(self, cells: Sequence[str], widths: Sequence[float], size: float, *, bold: bool = False) -> float:
        wrapped = [_wrap(c, w * self.width - 0.08, size, bold=bold) for c, w in zip(cells, widths, strict=True)]
        return max(len(w) for w in wrapped) * size * 1.3 / 72 + 0.06

    def table(self, block: Block, size: float = 7.6) -> None:
        widths = block.widths or tuple([1 / len(block.header)] * len(block.header))
        has_header = any(block.header)
        self.y += 4 / 72
        for i, row in enumerate(block.rows):
            height = self._row_height(row, widths, size)
            new_page = self.fig is None or self.y + height > A4_PORTRAIT[1] - _MARGIN
            if has_header and (i == 0 or new_page):
                self._room(self._row_height(block.header, widths, size, bold=True) + height)
                self._row(block.header, widths, size, bold=True, colours=["#ffffff"] * len(widths), shade="#1f3a5f")
            self._room(height)
            status = block.statuses[i] if i < len(block.statuses) else ""
            colours = ["#111111"] * len(widths)
            if status and len(colours) > 1:
                colours[1] = STATUS_COLOUR.get(status, "#111111")
            last = block.total and i == len(block.rows) - 1
            self._row(row, widths, size, bold=last, colours=colours,
                      shade="#f2f4f7" if i % 2 else None)


def render_dossier_pdf(
    blocks: Sequence[Block], spec: MapSpec | None = None, *, produced_on: date | None = None, footer: str = ""
) -> bytes:
    """PDF bytes of the dossier: the blocks on A4 portrait pages, then the map (A4 landscape).

    Parameters
    ----------
    blocks : sequence of Block
        From :func:`ess_geo.render.dossier_content.dossier_blocks`.
    spec : MapSpec, optional
        The committee map (:func:`ess_geo.render.territory_spec.territory_map_spec`); no map page without it.
    produced_on : datetime.date, optional
        Date of production (map footer and PDF metadata; default today).
    footer : str, optional
        Text at the foot of every text page (the dossier's title), followed by the page number.

    Returns
    -------
    bytes
    """
    day = produced_on or date.today()
    buf = io.BytesIO()
    with print_style(), PdfPages(buf, metadata={"Title": footer or "Dossier ESS", "Creator": "ess_geo"}) as pdf:
        flow = _Flow(pdf, footer)
        for block in blocks:
            if block.kind == "table":
                flow.table(block)
            else:
                flow.text(block)
        flow.flush()
        if spec is not None:
            pdf.savefig(draw_map(Figure(figsize=A4_LANDSCAPE), spec, produced_on=day))
    return buf.getvalue()
