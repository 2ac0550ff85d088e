"""The committee dossier as one standalone HTML page (every text escaped, the map inlined as a PNG).

Same blocks as the PDF (:func:`ess_geo.render.dossier_content.dossier_blocks`); the map is the
printed committee map (:func:`ess_geo.render.static_map.draw_map`) embedded as a ``data:`` image,
so the page opens offline and prints to PDF from any browser.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from datetime import date

from matplotlib.figure import Figure

from ess_geo.render.dossier_content import Block
from ess_geo.render.mapspec import STATUS_COLOUR, MapSpec
from ess_geo.render.static_map import A4_LANDSCAPE, draw_map, print_style

__all__ = ["render_dossier_html"]

_CSS = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; max-width: 60rem; margin: 1.5rem auto; color: #111; font-size: 0.9rem; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { color: #1f3a5f; font-size: 1.1rem; margin-top: 1.4rem; }
p.subtitle, p.note { color: #444; font-size: 0.8rem; } p.verdict { font-size: 1.3rem; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: 0.4rem 0; }
th { background: #1f3a5f; color: #fff; text-align: left; padding: 0.3rem; }
td { border-bottom: 1px solid #ccc; padding: 0.3rem; vertical-align: top; }
tr.total td { font-weight: bold; } img.map { width: 100%; border: 1px solid #ccc; margin-top: 1rem; }
@media print { img.map { page-break-before: always; } }
"""


def _table(block: Block) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in block.header) if any(block.header) else ""
    rows = []
    for i, row in enumerate(block.rows):
        status = block.statuses[i] if i < len(block.statuses) else ""
        cells = []
        for j, cell in enumerate(row):
            style = f" style='color:{STATUS_COLOUR[status]};font-weight:bold'" if status and j == 1 else ""
            cells.append(f"<td{style}>{esc(cell)}</td>")
        total = " class='total'" if block.total and i == len(block.rows) - 1 else ""
        rows.append(f"<tr{total}>{''.join(cells)}</tr>")
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    return f"<table>{thead}<tbody>{''.join(rows)}</tbody></table>"


def _block(block: Block) -> str:
    esc = html.escape
    if block.kind == "table":
        return _table(block)
    if block.kind == "title":
        return f"<h1>{esc(block.text)}</h1>"
    if block.kind == "heading":
        return f"<h2>{esc(block.text)}</h2>"
    style = f" style='color:{STATUS_COLOUR[block.status]}'" if block.status in STATUS_COLOUR else ""
    css = block.kind if block.kind in ("subtitle", "note", "verdict") else "text"
    return f"<p class='{css}'{style}>{esc(block.text)}</p>"


def _map_png(spec: MapSpec, produced_on: date) -> str:
    buf = io.BytesIO()
    with print_style():
        draw_map(Figure(figsize=A4_LANDSCAPE), spec, produced_on=produced_on).savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def render_dossier_html(
    blocks: Sequence[Block], spec: MapSpec | None = None, *, produced_on: date | None = None, title: str = ""
) -> bytes:
    """UTF-8 bytes of a standalone HTML dossier: the blocks, then the map.

    Parameters
    ----------
    blocks : sequence of Block
        From :func:`ess_geo.render.dossier_content.dossier_blocks`.
    spec : MapSpec, optional
        The committee map; no map without it.
    produced_on : datetime.date, optional
        Date of production printed under the map (default today).
    title : str, optional
        The page's ``<title>``.

    Returns
    -------
    bytes
    """
    body = "\n".join(_block(b) for b in blocks)
    if spec is not None:
        png = _map_png(spec, produced_on or date.today())
        body += f"\n<img class='map' alt='{html.escape(spec.title, quote=True)}' src='data:image/png;base64,{png}'>"
    page = (
        "<!DOCTYPE html>\n<html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title or 'Dossier ESS')}</title><style>{_CSS}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )
    return page.encode("utf-8")
