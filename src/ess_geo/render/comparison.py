"""Candidate territories side by side: French cells, an HTML page and an XLSX workbook.

The frame is :func:`ess_geo.analysis.compare.compare_territories`' (one row per candidate); the
outputs transpose it (one column per candidate, one row per figure, French labels), as a
committee reads it. Nothing is computed here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

import pandas as pd

from ess_geo._format import date_fr, decimal, euros, nombre
from ess_geo.analysis.compare import COMPARE_LABELS_FR
from ess_geo.render.cells import is_missing
from ess_geo.render.mapspec import STATUS_COLOUR
from ess_geo.render.xlsx import Sheet, write_workbook
from ess_geo.rules.criteria import STATUS_FR
from ess_geo.sources import Source

__all__ = ["cell_fr", "cell_status", "comparison_rows", "render_comparison_html", "render_comparison_xlsx"]

_EUROS = ("startup_credit_eur", "yearly_eur", "yearly_eur_at_5y_target")
_COUNTS = ("specialists_low", "specialists_high", "liberal_low", "liberal_high", "adherents", "needed_now", "needed_5y",
           "population", "zip_communes", "zip_population")


def cell_fr(column: str, value: object) -> str:
    """French text of one cell: statuses, yes/no, counts with thin spaces, euros, shares in %."""
    if column == "admissible":
        return {True: "oui", False: "non"}.get(value, "indéterminé")  # type: ignore[call-overload]
    if is_missing(value) or value == "":
        return "—" if column not in ("ess_on_territory", "ess_nearby") else "aucune"
    if column.startswith("status_"):
        return STATUS_FR.get(str(value), str(value))
    if column in _EUROS:
        return euros(int(value))  # type: ignore[call-overload]
    if column in _COUNTS:
        return nombre(int(value))  # type: ignore[call-overload]
    if column == "adherents_share":
        return f"{decimal(100 * float(value), 1)} %"  # type: ignore[arg-type]
    if column == "density_per_100k":
        return decimal(float(value))  # type: ignore[arg-type]
    return str(value)


def cell_status(column: str, value: object) -> str | None:
    """The criterion status a cell shows (``pass``, ``fail``, ``unknown``, ``warn``), for its colour: the value of a
    ``status_<criterion>`` column, the verdict of ``admissible`` (undetermined: ``unknown``), else None."""
    if column == "admissible":
        return {True: "pass", False: "fail"}.get(value, "unknown")  # type: ignore[call-overload]
    return str(value) if column.startswith("status_") else None


def comparison_rows(frame: pd.DataFrame) -> list[tuple[str, str, list[str]]]:
    """``(column id, French label, one French cell per candidate)`` for every column but ``candidate``."""
    return [
        (col, COMPARE_LABELS_FR.get(col, col), [cell_fr(col, v) for v in frame[col]])
        for col in frame.columns if col != "candidate"
    ]


def render_comparison_html(frame: pd.DataFrame, title: str, sources: Sequence[Source] = ()) -> bytes:
    """UTF-8 bytes of a standalone page: one column per candidate, statuses coloured, sources, date."""
    esc = html.escape
    head = "".join(f"<th>{esc(str(c))}</th>" for c in frame["candidate"])
    body = []
    for col, label, cells in comparison_rows(frame):
        tds = []
        for raw, text in zip(frame[col], cells, strict=True):
            colour = STATUS_COLOUR.get(cell_status(col, raw) or "")
            style = f" style='color:{colour};font-weight:bold'" if colour else ""
            tds.append(f"<td{style}>{esc(text)}</td>")
        body.append(f"<tr><th scope='row'>{esc(label)}</th>{''.join(tds)}</tr>")
    items = "".join(f"<li>{esc(label)}</li>" for label in dict.fromkeys(s.label() for s in sources))
    page = (
        "<!DOCTYPE html>\n<html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{esc(title)}</title><style>body{{font-family:'DejaVu Sans',Arial,sans-serif;margin:1.5rem;font-size:.9rem}}"
        "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}"
        "thead th{background:#1f3a5f;color:#fff}tbody th{background:#f2f4f7;font-weight:normal}</style></head>\n"
        f"<body><h1>{esc(title)}</h1><p>Produit le {esc(date_fr(date.today()))} avec ess_geo ; chaque colonne est "
        "celle que donne « ess-geo check » pour ce territoire. Montants indicatifs, à confirmer par l'ARS.</p>"
        f"<table><thead><tr><th>Candidat</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f"<h2>Sources</h2><ul>{items}</ul></body></html>\n"
    )
    return page.encode("utf-8")


def _xlsx_value(column: str, value: object) -> object:
    """Native Excel value: numbers stay numbers; statuses and flags in French; text kept as text."""
    if column == "admissible" or column.startswith("status_"):
        return cell_fr(column, value)
    if is_missing(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if column == "adherents_share":
        return round(100 * float(value), 1)  # type: ignore[arg-type]  # a percentage, as its label says
    return value


def _xlsx_label(column: str) -> str:
    label = COMPARE_LABELS_FR.get(column, column)
    return f"{label} (%)" if column == "adherents_share" else label


def render_comparison_xlsx(frame: pd.DataFrame, sources: Sequence[Source] = ()) -> bytes:
    """XLSX bytes: a ``Comparaison`` sheet (one column per candidate, French labels, ids in column B), a ``Sources`` sheet.

    Written by :func:`ess_geo.render.xlsx.write_workbook`: every text is a string cell (a name
    starting with ``=`` is never a formula), numbers stay numbers.
    """
    header = ["Indicateur", "Identifiant", *[str(c) for c in frame["candidate"]]]
    rows: list[list[object]] = [[_xlsx_label(col), col, *[_xlsx_value(col, v) for v in frame[col]]]
                                for col in frame.columns if col != "candidate"]
    comparison = Sheet("Comparaison", header, rows, [44, 24, *[30] * len(frame)])
    src_rows: list[list[object]] = [[s.name, s.vintage, s.licence, s.origin]
                                    for s in dict((s.label(), s) for s in sources).values()]
    src_rows.append([f"Produit le {date.today().isoformat()} par ess_geo ; montants indicatifs, à confirmer par l'ARS."])
    sources_sheet = Sheet("Sources", ["Source", "Millésime", "Licence", "Origine"], src_rows, [80, 20, 30, 40])
    return write_workbook([comparison, sources_sheet])
