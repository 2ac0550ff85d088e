"""XLSX workbooks of a coverage result: a ``Synthèse`` sheet, one sheet per specialty, a ``Sources`` sheet.

Cells hold native Excel values (numbers stay numbers; flags and statuses are French words from
:mod:`ess_geo.render.cells`); headers are the French labels of
:data:`~ess_geo.analysis.coverage.LABELS_FR`. openpyxl is imported when a workbook is made.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

import numpy as np
import pandas as pd

from ess_geo.analysis.coverage import LABELS_FR, SUMMARY_COLUMNS, CoverageResult
from ess_geo.render.cells import cell_text, detail_columns, is_missing


def _xlsx_value(column: str, value: object) -> object:
    """Native Excel value: numbers stay numbers, flags and statuses become French words."""
    if column in ("exact", "could_host_alone", "group_status", "group", "regional_ess_possible", "yearly_allocation_interpolated"):
        return cell_text(column, value) or None
    if is_missing(value):
        return None
    if column in ("density_per_100k", "zip_population_share"):
        return float(cast(float, value))
    if isinstance(value, bool | np.bool_):
        return "oui" if value else "non"
    if isinstance(value, np.generic):
        return value.item()
    return value


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(text: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", text).strip()[:31] or "Feuille"
    title, i = base, 2
    while title.lower() in taken:
        suffix = f" ({i})"
        title, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(title.lower())
    return title


def _fill_sheet(ws: Any, frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Header row (French, bold on blue), rows, column widths and number formats, frozen header, filter."""
    from openpyxl.styles import Alignment, Font, PatternFill  # heavy third-party library, loaded for workbooks only
    from openpyxl.utils import get_column_letter  # heavy third-party library, loaded for workbooks only

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F3A5F")
    ws.append([LABELS_FR.get(c, c) for c in columns])
    for cell in ws[1]:
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for rec in frame[list(columns)].itertuples(index=False, name=None):
        ws.append([_xlsx_value(c, v) for c, v in zip(columns, rec, strict=True)])
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        width = max([len(LABELS_FR.get(col, col)) * 0.8, *(len(str(v)) for v in frame[col].head(200).map(lambda x, c=col: cell_text(c, x)))], default=8)
        ws.column_dimensions[letter].width = min(60, max(8, width + 2))
        if col == "density_per_100k":
            for row in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                row[0].number_format = "0.00"
        elif col in ("startup_credit_eur", "yearly_allocation_eur", "population", "group_population"):
            for row in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                row[0].number_format = "#,##0"
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def _sources_sheet(ws: Any, result: CoverageResult) -> None:
    """Sources with vintages and licences, then the method notes and what was counted."""
    ws.append(["Source", "Millésime", "Licence", "Origine"])
    for s in result.sources:
        ws.append([s.name, s.vintage, s.licence, s.origin])
    ws.append([])
    ws.append(["Méthode et remarques"])
    for note in result.notes:
        ws.append([note])
    for spec in result.specialties:
        ws.append([f"{spec.label} : {result.basis.get(spec.id, '')}"])
    ws.append([f"Généré le {date.today().isoformat()} par ess_geo"])
    ws.column_dimensions["A"].width = 80
    for col in "BCD":
        ws.column_dimensions[col].width = 30


def render_xlsx(result: CoverageResult, regions: Sequence[str] | None = None) -> bytes:
    """XLSX bytes: a ``Synthèse`` sheet, one sheet per specialty, a ``Sources`` sheet.

    Parameters
    ----------
    result : CoverageResult
        Coverage to render.
    regions : sequence of str, optional
        Restrict to these régions (default all régions of ``result``).

    Returns
    -------
    bytes
    """
    from openpyxl import Workbook  # heavy third-party library, loaded for workbooks only

    regions = list(regions or result.regions)
    table = result.table[result.table["code_region"].isin(regions)]
    summary = result.summary[result.summary["code_region"].isin(regions)]
    wb = Workbook()
    ws = wb.active
    taken: set[str] = set()
    ws.title = _sheet_title("Synthèse", taken)
    _fill_sheet(ws, summary, SUMMARY_COLUMNS)
    for spec in result.specialties:
        sheet = wb.create_sheet(_sheet_title(spec.label, taken))
        _fill_sheet(sheet, table[table["specialty"] == spec.id], detail_columns(result))
    _sources_sheet(wb.create_sheet(_sheet_title("Sources", taken)), result)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = ["render_xlsx"]
