"""Coverage reports for ARS teams: HTML pages, XLSX workbooks and CSV files (rendering only).

:func:`write_coverage_report` computes a :class:`~ess_geo.analysis.coverage.CoverageResult` (or takes one)
and writes, in ``out_dir``:

=============================  ===============================================================
file                           content
=============================  ===============================================================
``index.html``                 national index: one line per région, links to the région pages
``region_<code>.html``         one self-contained French page per région: summary table,
                               one section per specialty, maps when available, sources footer
``region_<code>.xlsx``         one sheet per specialty + ``Synthèse`` + ``Sources``
``couverture_france.xlsx``     the same for all régions reported (when more than one)
``couverture.csv``             every row of the coverage table (machines; UTF-8, comma)
``synthese.csv``               one row per région × specialty
``cartes/*.html``              coverage maps (only with ``maps=True`` and :mod:`ess_geo.render.html_map`)
=============================  ===============================================================

Every file is first rendered in memory, then written to a temporary name in the same directory
and renamed with :func:`os.replace`: an interrupted run never leaves a half-written file, and a
failure while rendering leaves the previous report untouched. A rerun overwrites cleanly.

Nothing here computes a figure: every number comes from the coverage table.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ess_geo._format import decimal, euros, nombre
from ess_geo._output import prepare_output_dir, write_error
from ess_geo.analysis.coverage import (
    GROUP_STATUS_FR,
    LABELS_FR,
    SUMMARY_COLUMNS,
    TABLE_COLUMNS,
    CoverageResult,
    coverage_table,
)
from ess_geo.errors import InputDataError
from ess_geo.inputs.registry import Registry
from ess_geo.inputs.supply import Supply
from ess_geo.reference.specialties import Specialty
from ess_geo.rules.criteria import MIN_SPECIALISTS

FORMATS = ("html", "xlsx", "csv")

#: Columns of the per-specialty tables (HTML sections and XLSX sheets): the coverage table
#: without what the section title already says (specialty) and the ESS id (its name is shown).
DETAIL_COLUMNS = [c for c in TABLE_COLUMNS if c not in ("specialty", "specialty_label", "covered_by")]

_STATUS_COLOURS = {
    "covered": "#dbeafe",
    "alone": "#dcfce7",
    "group": "#fef9c3",
    "none": "#fee2e2",
    "indetermine": "#f3f4f6",
}

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.5rem auto;max-width:1200px;
color:#1f2328;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}
th,td{border:1px solid #d0d7de;padding:.25rem .45rem;text-align:right}
th{background:#1f3a5f;color:#fff;position:sticky;top:0}td.t{text-align:left}
.note{font-size:.85rem;color:#57606a}.legend span{display:inline-block;padding:.1rem .5rem;margin:.1rem;
border:1px solid #d0d7de}footer{margin-top:2rem;font-size:.8rem;color:#57606a;border-top:1px solid #d0d7de}
.scroll{overflow-x:auto}table.fit{width:100%;font-size:.78rem}table.fit th{white-space:normal;vertical-align:bottom;
font-size:.74rem;line-height:1.2;padding:.2rem .3rem;hyphens:auto}table.fit td{padding:.2rem .3rem}
.machine{font-size:.8rem;color:#57606a}iframe{width:100%;height:520px;border:1px solid #d0d7de}nav a{margin-right:.6rem}
"""


@dataclass
class ReportFiles:
    """Files written by :func:`write_coverage_report`.

    Attributes
    ----------
    out_dir : pathlib.Path
        Output directory.
    paths : list of pathlib.Path
        Every file written, in order.
    result : CoverageResult
        The coverage computed (or given).
    maps_included : bool
        Whether coverage maps were rendered.
    map_errors : list of str
        French messages for maps that could not be drawn (the report is written without them).
    """

    out_dir: Path
    paths: list[Path]
    result: CoverageResult
    maps_included: bool = False
    map_errors: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Cell formatting (French)


def _isna(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _fr_int(value: object) -> str:
    return "" if _isna(value) else nombre(int(value))


def _population_text(value: object) -> str:
    return "population inconnue" if _isna(value) else _fr_int(value)


def _fr_float(value: object) -> str:
    return "" if _isna(value) else decimal(float(value), 2)


def _fr_bool(value: object, *, undetermined: str = "indéterminé") -> str:
    if _isna(value):
        return undetermined
    return "oui" if bool(value) else "non"


def _fr_exact(value: object) -> str:
    if _isna(value):
        return "non fourni"
    return "exact" if bool(value) else "majorant"


def _group_text(value: object) -> str:
    if value is None or (not isinstance(value, list | tuple) and _isna(value)):
        return ""
    return "+".join(value)


def cell_text(column: str, value: object) -> str:
    """French text of a table cell (HTML pages)."""
    if column == "population":  # unknown for Mayotte: never 0
        return _population_text(value)
    if column in ("n_specialists", "group_n_specialists", "group_population") or column.startswith("n_"):
        return _fr_int(value)
    if column in ("startup_credit_eur", "yearly_allocation_eur"):
        return "" if _isna(value) else euros(int(value))
    if column in ("density_per_100k", "zip_population_share"):
        return _fr_float(value)
    if column == "exact":
        return _fr_exact(value)
    if column == "could_host_alone":
        return _fr_bool(value)
    if column == "group_status":
        return "" if _isna(value) else GROUP_STATUS_FR.get(str(value), str(value))
    if column == "group":
        return _group_text(value)
    if column == "potential_new_ess":
        return _fr_int(value)
    return "" if _isna(value) else str(value)


def _xlsx_value(column: str, value: object) -> object:
    """Native Excel value: numbers stay numbers, flags and statuses become French words."""
    if column in ("exact", "could_host_alone", "group_status", "group"):
        return cell_text(column, value) or None
    if _isna(value):
        return None
    if column in ("density_per_100k", "zip_population_share"):
        return float(value)
    if isinstance(value, bool | np.bool_):
        return "oui" if value else "non"
    if hasattr(value, "item"):
        return value.item()
    return value


def _csv_value(value: object) -> str:
    if isinstance(value, list | tuple):
        return "+".join(value)
    if _isna(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


# ---------------------------------------------------------------------------------------------
# Atomic writing


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same directory, then rename).

    Parameters
    ----------
    path : str or pathlib.Path
        Destination.
    data : bytes
        Content.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


# ---------------------------------------------------------------------------------------------
# CSV


def render_csv(frame: pd.DataFrame, columns: Sequence[str]) -> bytes:
    """CSV bytes (UTF-8, comma, header of column ids; lists joined with ``+``)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for rec in frame[list(columns)].itertuples(index=False, name=None):
        writer.writerow([_csv_value(v) for v in rec])
    return buf.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------------
# XLSX

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(text: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", text).strip()[:31] or "Feuille"
    title, i = base, 2
    while title.lower() in taken:
        suffix = f" ({i})"
        title, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(title.lower())
    return title


def _detail_columns(result: CoverageResult) -> list[str]:
    """Detail columns, without the zonage column when no zonage was given."""
    has_zip = result.table["zip_population_share"].notna().any() if len(result.table) else False
    return [c for c in DETAIL_COLUMNS if c != "zip_population_share" or has_zip]


def _fill_sheet(ws, frame: pd.DataFrame, columns: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

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
    from openpyxl import Workbook

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
        _fill_sheet(sheet, table[table["specialty"] == spec.id], _detail_columns(result))
    src = wb.create_sheet(_sheet_title("Sources", taken))
    src.append(["Source", "Millésime", "Licence", "Origine"])
    for s in result.sources:
        src.append([s.name, s.vintage, s.licence, s.origin])
    src.append([])
    src.append(["Méthode et remarques"])
    for note in result.notes:
        src.append([note])
    for spec in result.specialties:
        src.append([f"{spec.label} : {result.basis.get(spec.id, '')}"])
    src.append([f"Généré le {date.today().isoformat()} par ess_geo"])
    src.column_dimensions["A"].width = 80
    for col in "BCD":
        src.column_dimensions[col].width = 30
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# HTML

_esc = html.escape


def _html_table(
    frame: pd.DataFrame, columns: Sequence[str], *, status_colours: bool = False, links: dict | None = None, fit: bool = False
) -> str:
    text_cols = {"code_region", "region", "specialty", "specialty_label", "code_dep", "departement", "covered_by",
                 "covered_by_name", "group_status", "group", "exact", "could_host_alone"}
    head = "".join(f"<th>{_esc(LABELS_FR.get(c, c))}</th>" for c in columns)
    body = []
    for rec in frame[list(columns)].to_dict(orient="records"):
        style = ""
        if status_colours and not _isna(rec.get("group_status")):
            style = f" style='background:{_STATUS_COLOURS.get(rec['group_status'], '#fff')}'"
        cells = []
        for c in columns:
            text = _esc(cell_text(c, rec[c]))
            if links and c in links and text:
                text = f"<a href='{_esc(links[c](rec), quote=True)}'>{text}</a>"
            cls = " class='t'" if c in text_cols else ""
            cells.append(f"<td{cls}>{text}</td>")
        body.append(f"<tr{style}>{''.join(cells)}</tr>")
    cls = " class='fit'" if fit else ""
    return f"<div class='scroll'><table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"


def _sources_footer(result: CoverageResult) -> str:
    items = "".join(
        f"<li>{_esc(s.name)} — <b>{_esc(s.vintage_fr)}</b> — {_esc(s.licence_fr)}"
        + (f" ({_esc(s.origin)})" if s.origin else "")
        + "</li>"
        for s in result.sources
    )
    notes = "".join(f"<li>{_esc(n)}</li>" for n in result.notes)
    basis = "".join(f"<li>{_esc(s.label)} : {_esc(result.basis.get(s.id, ''))}</li>" for s in result.specialties)
    machine = (
        "<p class='machine'>Pour les traitements automatiques, utiliser les fichiers CSV (<code>couverture.csv</code>, "
        "<code>synthese.csv</code>) : UTF-8, séparateur virgule, en-têtes = identifiants de colonnes stables en anglais "
        "(ex. <code>yearly_allocation_eur</code>), nombres non formatés ; les pages HTML et les classeurs XLSX "
        "sont les versions de lecture, en français.</p>"
    )
    return (
        "<footer>" + machine + "<h3>Sources</h3><ul>" + items + "</ul><h3>Méthode</h3><ul>" + notes + "</ul>"
        "<h3>Effectifs comptés</h3><ul>" + basis + "</ul>"
        f"<p>Généré le {date.today().isoformat()} par ess_geo. Montants de financement indicatifs.</p></footer>"
    )


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>"
    )


def _legend() -> str:
    return "<p class='legend'>" + "".join(
        f"<span style='background:{_STATUS_COLOURS[k]}'>{_esc(v)}</span>" for k, v in GROUP_STATUS_FR.items()
    ) + "</p>"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render_region_html(result: CoverageResult, code_region: str, maps: dict[str, str] | None = None) -> str:
    """French HTML page of one région.

    Parameters
    ----------
    result : CoverageResult
        Coverage to render.
    code_region : str
        Région code.
    maps : dict of str to str, optional
        Specialty id → relative path of its coverage map (HTML file) to embed.

    Returns
    -------
    str
        A self-contained page (inline CSS, no external resource except the optional map files).
    """
    maps = maps or {}
    table = result.table[result.table["code_region"] == code_region]
    summary = result.summary[result.summary["code_region"] == code_region]
    name = str(summary["region"].iloc[0]) if len(summary) else code_region
    title = f"Couverture par les ESS — {name} ({code_region})"
    nav = "".join(f"<a href='#{_esc(_slug(s.id))}'>{_esc(s.label)}</a>" for s in result.specialties)
    parts = [
        f"<h1>{_esc(title)}</h1>",
        "<p><a href='index.html'>← Index national</a></p>",
        f"<p class='note'>Pour chaque spécialité : départements couverts par une ESS, départements non couverts "
        f"pouvant accueillir seuls une ESS (au moins {MIN_SPECIALISTS} spécialistes) et, sinon, plus petit groupe "
        "contigu de départements non couverts atteignant ce seuil. Financements indicatifs.</p>",
        "<h2 id='synthese'>Synthèse</h2>",
        _html_table(summary, [c for c in SUMMARY_COLUMNS if c not in ("code_region", "region", "specialty")], fit=True),
        f"<nav>{nav}</nav>",
        _legend(),
    ]
    for spec in result.specialties:
        rows = table[table["specialty"] == spec.id]
        parts.append(f"<h2 id='{_esc(_slug(spec.id))}'>{_esc(spec.label)}</h2>")
        parts.append(f"<p class='note'>Effectifs : {_esc(result.basis.get(spec.id, ''))}.</p>")
        srow = summary[summary["specialty"] == spec.id]
        if len(srow):
            s = srow.iloc[0]
            head = f"<p>{int(s['n_covered'])} département(s) couvert(s) sur {int(s['n_departements'])} ; "
            if _isna(s["potential_new_ess"]):
                parts.append(
                    head + "nombre de nouvelles ESS possibles indéterminé (effectifs majorants ou non fournis ; "
                    "voir « ess-geo propose » avec une extraction RPPS).</p>"
                )
            else:
                how = "au moins " if result.cross_region else ""
                exact_note = (
                    " (minorant : territoires pouvant franchir les limites régionales)"
                    if result.cross_region
                    else " (maximum exact, comme « ess-geo propose »)"
                )
                parts.append(
                    head + f"{how}{int(s['potential_new_ess'])} nouvelle(s) ESS possible(s){exact_note}, soit "
                    f"{_esc(euros(int(s['startup_credit_eur'])))} de crédits d'amorçage "
                    f"et environ {_esc(euros(int(s['yearly_allocation_eur'])))} de dotation annuelle à 50 % d'adhérents "
                    "(<b>indicatif</b>).</p>"
                )
        parts.append(_html_table(rows, [c for c in _detail_columns(result) if c not in ("code_region", "region")], status_colours=True))
        if spec.id in maps:
            src = _esc(maps[spec.id], quote=True)
            parts.append(
                f"<p><a href='{src}'>Carte de couverture — {_esc(spec.label)} (ouvrir)</a></p>"
                f"<iframe title='Carte de couverture {_esc(spec.label, quote=True)}' src='{src}' loading='lazy'></iframe>"
            )
    parts.append(_sources_footer(result))
    return _page(title, "".join(parts))


def render_index_html(result: CoverageResult, region_pages: dict[str, str]) -> str:
    """French national index: one line per région and specialty totals, with links."""
    summary = result.summary
    per_region = (
        summary.groupby(["code_region", "region"], sort=True)
        .agg(
            n_departements=("n_departements", "max"),
            potential_new_ess=("potential_new_ess", "sum"),
            startup_credit_eur=("startup_credit_eur", "sum"),
            yearly_allocation_eur=("yearly_allocation_eur", "sum"),
        )
        .reset_index()
    )
    cols = ["code_region", "region", "n_departements", "potential_new_ess", "startup_credit_eur", "yearly_allocation_eur"]
    links = {"region": lambda rec: region_pages.get(rec["code_region"], "")}
    per_spec = (
        summary.groupby(["specialty", "specialty_label"], sort=False)
        .agg(
            n_departements=("n_departements", "sum"),
            n_covered=("n_covered", "sum"),
            n_uncovered=("n_uncovered", "sum"),
            n_alone=("n_alone", "sum"),
            n_via_group=("n_via_group", "sum"),
            n_not_feasible=("n_not_feasible", "sum"),
            n_undetermined=("n_undetermined", "sum"),
            potential_new_ess=("potential_new_ess", "sum"),
            startup_credit_eur=("startup_credit_eur", "sum"),
        )
        .reset_index()
    )
    title = "Couverture du territoire par les Équipes de Soins Spécialisés (ESS)"
    body = (
        f"<h1>{_esc(title)}</h1>"
        f"<p class='note'>{len(result.regions)} région(s), {len(result.specialties)} spécialité(s). "
        "Montants indicatifs, à confirmer par les ARS.</p>"
        "<h2>Par région</h2>"
        + _html_table(per_region, cols, links=links, fit=True)
        + "<h2>Par spécialité</h2>"
        + _html_table(per_spec, [c for c in per_spec.columns if c != "specialty"], fit=True)
        + _sources_footer(result)
    )
    return _page(title, body)


# ---------------------------------------------------------------------------------------------
# Maps (optional)


def _render_maps(result: CoverageResult, supply, registry, regions: Sequence[str]) -> tuple[dict[tuple[str, str], bytes], list[str]]:
    """Coverage map HTML per région × specialty, when :mod:`ess_geo.render.html_map` is available."""
    try:
        from ess_geo.render.html_map import make_coverage_map, map_html
    except ImportError:
        return {}, ["cartes indisponibles : module ess_geo.render.html_map absent"]
    out: dict[tuple[str, str], bytes] = {}
    errors: list[str] = []
    for code_region in regions:
        for spec in result.specialties:
            try:
                fmap = make_coverage_map(spec, registry, supply, region=code_region)
                out[(code_region, spec.id)] = map_html(fmap).encode("utf-8")
            except Exception as exc:  # a map must never break the report
                errors.append(f"carte {spec.label} / région {code_region} indisponible : {exc}")
    return out, errors


# ---------------------------------------------------------------------------------------------
# Entry point

MANIFEST = ".ess_geo_report.json"
_OWN_FILE = re.compile(r"^(index\.html|region_[0-9]{2}\.(html|xlsx)|couverture(_france)?\.(csv|xlsx)|synthese\.csv|cartes/region_[0-9]{2}_[a-z0-9-]+\.html)$")


def _replace_manifest(out: Path, written: list[str]) -> None:
    """Delete the report files of the previous run that this run did not rewrite (stale régions).

    Only names listed in the previous manifest *and* shaped like report files are removed, so
    other files of ``out_dir`` are never touched.
    """
    import json

    manifest = out / MANIFEST
    try:
        previous = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        previous = []
    for rel in set(previous) - set(written):
        if isinstance(rel, str) and _OWN_FILE.match(rel):
            with contextlib.suppress(FileNotFoundError):
                (out / rel).unlink()
    atomic_write_bytes(manifest, json.dumps({"files": written}, ensure_ascii=False, indent=1).encode("utf-8"))


def check_formats(formats: Iterable[str] | str) -> list[str]:
    """Normalised list of report formats.

    Raises
    ------
    InputDataError
        Naming the unknown format(s) and the allowed ones.
    """
    fmts = [p for p in formats.split(",")] if isinstance(formats, str) else list(formats)
    fmts = [str(f).strip().lower() for f in fmts if str(f).strip()]
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise InputDataError(
            f"unknown report format(s) {bad or fmts!r}; allowed: {list(FORMATS)}",
            fr=f"format(s) de rapport inconnu(s) : {', '.join(bad) or '(aucun)'} ; autorisés : {', '.join(FORMATS)}",
        )
    return fmts


def write_coverage_report(
    out_dir: str | Path,
    region: str | int | Iterable | None = None,
    formats: Iterable[str] = FORMATS,
    *,
    specialties: Iterable[str | Specialty] | None = None,
    supply: Supply | str | Path | None = None,
    registry: Registry | str | Path | None = None,
    maps: bool = False,
    result: CoverageResult | None = None,
    include_lumped: bool = False,
    progress: Callable[[str, str], None] | None = None,
    zonage=None,
) -> ReportFiles:
    """Compute the coverage and write the report files (HTML, XLSX, CSV) atomically.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Output directory (created if needed).
    region : str, int, iterable or None
        A région code, several, or None / ``"all"`` for every région.
    formats : iterable of str, default ("html", "xlsx", "csv")
        Any of ``html``, ``xlsx``, ``csv``.
    specialties : iterable of str or Specialty, optional
        Specialties (default: those the supply has data for).
    supply : Supply or path, optional
        Specialist supply.
    registry : Registry or path, optional
        Existing ESS (default embedded registry).
    maps : bool, default False
        Embed coverage maps (needs :mod:`ess_geo.render.html_map`; slower).
    result : CoverageResult, optional
        A coverage already computed (then ``region``, ``specialties``, ``supply`` only serve
        the maps).
    include_lumped : bool, default False
        Also report specialties of lumped DREES groups (upper bounds).
    progress : callable, optional
        Called with ``(code_region, specialty_id)`` as the computation advances.
    zonage : Zonage or path, optional
        Doctors' zonage: adds the share of population in ZIP communes per département.

    Returns
    -------
    ReportFiles

    Raises
    ------
    InputDataError
        For an unknown format, unusable supply/registry files, or an output folder that cannot
        be created or written (missing folders are created).
    UnknownCodeError
        For an unknown région code.
    """
    fmts = check_formats(formats)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputDataError(f"out_dir {str(out)!r} is not a directory", fr=f"{out} n'est pas un dossier")
    prepare_output_dir(out)
    from ess_geo.inputs.load import as_supply
    from ess_geo.inputs.registry import as_registry

    sup = as_supply(supply)
    reg = as_registry(registry)
    if result is None:
        result = coverage_table(region, specialties, sup, reg, include_lumped=include_lumped, progress=progress, zonage=zonage)

    # 1. render everything in memory: a failure here touches no file
    files: dict[str, bytes] = {}
    map_errors: list[str] = []
    map_paths: dict[str, dict[str, str]] = {}
    if maps and "html" in fmts:
        rendered, map_errors = _render_maps(result, sup, reg, result.regions)
        for (code_region, spec_id), data in rendered.items():
            rel = f"cartes/region_{code_region}_{spec_id}.html"
            files[rel] = data
            map_paths.setdefault(code_region, {})[spec_id] = rel
    if map_errors:
        result.notes = [*result.notes, *map_errors]
    if "html" in fmts:
        pages = {r: f"region_{r}.html" for r in result.regions}
        for r in result.regions:
            files[pages[r]] = render_region_html(result, r, map_paths.get(r)).encode("utf-8")
        files["index.html"] = render_index_html(result, pages).encode("utf-8")
    if "xlsx" in fmts:
        for r in result.regions:
            files[f"region_{r}.xlsx"] = render_xlsx(result, [r])
        if len(result.regions) > 1:
            files["couverture_france.xlsx"] = render_xlsx(result)
    if "csv" in fmts:
        files["couverture.csv"] = render_csv(result.table, TABLE_COLUMNS)
        files["synthese.csv"] = render_csv(result.summary, SUMMARY_COLUMNS)

    # 2. write each file atomically, then remove files of a previous run that this one did not rewrite
    try:
        paths = [atomic_write_bytes(out / rel, data) for rel, data in files.items()]
        _replace_manifest(out, sorted(files))
    except OSError as exc:
        raise write_error(out, exc) from None
    return ReportFiles(out_dir=out, paths=paths, result=result, maps_included=bool(map_paths), map_errors=map_errors)


__all__ = [
    "DETAIL_COLUMNS",
    "FORMATS",
    "ReportFiles",
    "atomic_write_bytes",
    "cell_text",
    "check_formats",
    "render_csv",
    "render_index_html",
    "render_region_html",
    "render_xlsx",
    "write_coverage_report",
]
