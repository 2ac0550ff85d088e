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
``couverture.csv``             every row of the coverage table (machines; UTF-8 with BOM, ``,`` or ``;``)
``synthese.csv``               one row per région × specialty
``cartes/*.html``              coverage maps (only with ``maps=True``), drawn from the same result
=============================  ===============================================================

Every file is first rendered in memory, then written to a temporary name in the same directory
and renamed with :func:`os.replace`: an interrupted run never leaves a half-written file, and a
failure while rendering leaves the previous report untouched. A rerun overwrites cleanly.

Nothing here computes a figure: every number comes from the coverage table. Cell texts are in
:mod:`ess_geo.render.cells`, workbooks in :mod:`ess_geo.render.xlsx`, CSV and atomic writing in
:mod:`ess_geo.render.tables`; ``cell_text`` and ``DETAIL_COLUMNS`` are re-exported here for notebooks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ess_geo import render
from ess_geo._output import atomic_write_bytes, prepare_output_dir, write_error
from ess_geo.analysis.coverage import (
    GROUP_STATUS_FR,
    LABELS_FR,
    POTENTIAL_NEW_ESS_FR,
    SUMMARY_COLUMNS,
    TABLE_COLUMNS,
    CoverageResult,
    coverage_table,
)
from ess_geo.analysis.coverage_columns import covering_ess_fr
from ess_geo.errors import InputDataError
from ess_geo.render.cells import DETAIL_COLUMNS, YEARLY_MARKS_FR, cell_text, detail_columns, detail_view, is_missing
from ess_geo.render.geopackage import coverage_layer, write_geopackage
from ess_geo.render.report_text import HIDDEN_IN_HTML_SUMMARY, specialty_sentence, summary_view
from ess_geo.render.spreadsheet import check_sep
from ess_geo.render.tables import render_csv
from ess_geo.render.xlsx import render_xlsx_many
from ess_geo.rules.criteria import MIN_SPECIALISTS

#: Report formats :func:`write_coverage_report` writes.
FORMATS = ("html", "xlsx", "csv")
#: Formats written only when asked: ``gpkg``, the GeoPackage :data:`GPKG_FILE` (layer ``couverture``).
EXTRA_FORMATS = ("gpkg",)
GPKG_FILE = "couverture.gpkg"

_STATUS_COLOURS = {
    "covered": "#dbeafe",
    "alone": "#dcfce7",
    "group": "#fef9c3",
    "none": "#fee2e2",
    "indetermine": "#f3f4f6",
}

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.5rem auto;max-width:1440px;
color:#1f2328;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}
th,td{border:1px solid #d0d7de;padding:.25rem .45rem;text-align:right}
th{background:#1f3a5f;color:#fff;position:sticky;top:0}td.t{text-align:left}
.note{font-size:.85rem;color:#57606a}.legend span{display:inline-block;padding:.1rem .5rem;margin:.1rem;
border:1px solid #d0d7de}footer{margin-top:2rem;font-size:.8rem;color:#57606a;border-top:1px solid #d0d7de}
.scroll{overflow-x:auto}table.fit{width:100%;font-size:.78rem}table.fit th{white-space:normal;vertical-align:bottom;
font-size:.74rem;line-height:1.2;padding:.2rem .2rem;hyphens:auto}table.fit td{padding:.2rem .2rem}
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
# HTML

_esc = html.escape


def _html_table(
    frame: pd.DataFrame | list[dict[str, Any]],
    columns: Sequence[str],
    *,
    status_colours: bool = False,
    links: dict | None = None,
    fit: bool = False,
) -> str:
    """A French HTML table of ``columns``: from a frame, or from its ``to_dict(orient="records")`` rows."""
    if isinstance(frame, pd.DataFrame):
        records = frame[list(columns)].to_dict(orient="records")
    else:  # records of the whole frame: keep only the shown columns (a hidden group_status colours nothing)
        records = [{c: rec[c] for c in columns} for rec in frame]
    text_cols = {"code_region", "region", "specialty", "specialty_label", "code_dep", "departement", "covered_by",
                 "covered_by_name", "group_status", "group", "exact", "could_host_alone", "regional_ess_possible",
                 "yearly_allocation_interpolated"}
    head = "".join(f"<th>{_esc(LABELS_FR.get(c, c))}</th>" for c in columns)
    body = []
    for rec in records:
        style = ""
        if status_colours and not is_missing(rec.get("group_status")):
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
        "<code>synthese.csv</code>) : UTF-8 avec BOM, séparateur virgule (ou « ; » avec --sep), en-têtes = identifiants de colonnes stables en anglais "
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
    table = detail_view(result.table[result.table["code_region"] == code_region])
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
        f"<p class='note'>{_esc(POTENTIAL_NEW_ESS_FR)}</p>",
        _html_table(summary_view(summary), [c for c in SUMMARY_COLUMNS if c not in HIDDEN_IN_HTML_SUMMARY], fit=True),
        f"<p class='note'>{_esc(YEARLY_MARKS_FR)}</p>",
        f"<nav>{nav}</nav>",
        _legend(),
    ]
    by_spec: dict[str, list[dict[str, Any]]] = {}  # the région's rows read once, split by specialty in order
    for key, rec in zip(table["specialty"], table.to_dict(orient="records"), strict=True):
        if isinstance(rec.get("covered_by_name"), str) and rec["covered_by_name"]:  # « … (périmètre probable : à vérifier) »
            rec["covered_by_name"] = covering_ess_fr(rec["covered_by_name"], rec.get("covered_certainty"))
        by_spec.setdefault(str(key), []).append(rec)
    # the page is already wide: the perimeter's certainty is said in the ESS cell (a column in the XLSX and CSV)
    shown = [c for c in detail_columns(result) if c not in ("code_region", "region", "covered_certainty")]
    for spec in result.specialties:
        rows = by_spec.get(spec.id, [])
        parts.append(f"<h2 id='{_esc(_slug(spec.id))}'>{_esc(spec.label)}</h2>")
        parts.append(f"<p class='note'>Effectifs : {_esc(result.basis.get(spec.id, ''))}.</p>")
        srow = summary[summary["specialty"] == spec.id]
        if len(srow):
            s = srow.iloc[0]
            parts.append(specialty_sentence(s, cross_region=result.cross_region))
        parts.append(_html_table(rows, shown, status_colours=True, fit=True))
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
            yearly_allocation_interpolated=("yearly_allocation_interpolated", "any"),
        )
        .reset_index()
    )
    cols = ["code_region", "region", "n_departements", "potential_new_ess", "startup_credit_eur", "yearly_allocation_eur",
            "yearly_allocation_interpolated"]
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
        f"<p class='note'>{_esc(POTENTIAL_NEW_ESS_FR)} Les crédits d'amorçage totaux sont donc eux aussi un "
        "maximum (un crédit par ESS possible).</p>"
        "<h2>Par région</h2>"
        + _html_table(per_region, cols, links=links, fit=True)
        + "<h2>Par spécialité</h2>"
        + _html_table(per_spec, [c for c in per_spec.columns if c != "specialty"], fit=True)
        + _sources_footer(result)
    )
    return _page(title, body)


# ---------------------------------------------------------------------------------------------
# Maps (optional)


def _render_maps(result: CoverageResult, regions: Sequence[str]) -> tuple[dict[tuple[str, str], bytes], list[str]]:
    """Coverage map HTML per région × specialty, drawn from ``result`` (the classes the tables show)."""
    out: dict[tuple[str, str], bytes] = {}
    errors: list[str] = []
    for code_region in regions:
        for spec in result.specialties:
            try:
                # render.html_map (folium) is loaded on first use: a report without maps never imports it
                fmap = render.html_map.make_coverage_map(result, spec, region=code_region)
                out[(code_region, spec.id)] = render.html_map.map_html(fmap).encode("utf-8")
            except Exception as exc:  # a map must never break the report
                errors.append(f"carte {spec.label} / région {code_region} indisponible : {exc}")
    return out, errors


# ---------------------------------------------------------------------------------------------
# Entry point

MANIFEST = ".ess_geo_report.json"
_OWN_FILE = re.compile(r"^(index\.html|region_[0-9]{2}\.(html|xlsx)|couverture(_france)?\.(csv|xlsx)|synthese\.csv|couverture\.gpkg|cartes/region_[0-9]{2}_[a-z0-9-]+\.html)$")


def _replace_manifest(out: Path, written: list[str]) -> None:
    """Delete the report files of the previous run that this run did not rewrite (stale régions).

    Only names listed in the previous manifest *and* shaped like report files are removed, so
    other files of ``out_dir`` are never touched.
    """
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
    allowed = (*FORMATS, *EXTRA_FORMATS)
    bad = [f for f in fmts if f not in allowed]
    if bad or not fmts:
        raise InputDataError(
            f"unknown report format(s) {bad or fmts!r}; allowed: {list(allowed)}",
            fr=f"format(s) de rapport inconnu(s) : {', '.join(bad) or '(aucun)'} ; autorisés : {', '.join(allowed)}",
        )
    return fmts


#: Keyword options of :func:`write_coverage_report` passed on to :func:`~ess_geo.analysis.coverage.coverage_table`.
COVERAGE_OPTIONS = frozenset(
    {"specialties", "supply", "registry", "cross_region", "include_lumped", "funding_rule", "progress", "zonage",
     "derogations"}
)


def _render_files(result: CoverageResult, fmts: list[str], maps: bool, csv_sep: str) -> tuple[dict[str, bytes], list[str], bool]:
    """Every report file rendered in memory (relative path → bytes), the map errors, whether maps are in."""
    files: dict[str, bytes] = {}
    map_errors: list[str] = []
    map_paths: dict[str, dict[str, str]] = {}
    if maps and "html" in fmts:
        rendered, map_errors = _render_maps(result, result.regions)
        for (code_region, spec_id), data in rendered.items():
            rel = f"cartes/region_{code_region}_{spec_id}.html"
            files[rel] = data
            map_paths.setdefault(code_region, {})[spec_id] = rel
    if map_errors:
        result = dataclasses.replace(result, notes=[*result.notes, *map_errors])
    if "html" in fmts:
        pages = {r: f"region_{r}.html" for r in result.regions}
        for r in result.regions:
            files[pages[r]] = render_region_html(result, r, map_paths.get(r)).encode("utf-8")
        files["index.html"] = render_index_html(result, pages).encode("utf-8")
    if "xlsx" in fmts:
        groups = [[r] for r in result.regions] + ([list(result.regions)] if len(result.regions) > 1 else [])
        names = [f"region_{r}.xlsx" for r in result.regions] + ["couverture_france.xlsx"]
        files.update(zip(names, render_xlsx_many(result, groups), strict=False))
    if "csv" in fmts:
        files["couverture.csv"] = render_csv(result.table, TABLE_COLUMNS, sep=csv_sep)
        files["synthese.csv"] = render_csv(result.summary, SUMMARY_COLUMNS, sep=csv_sep)
    return files, map_errors, bool(map_paths)


def write_coverage_report(
    out_dir: str | Path,
    region: str | int | Iterable | None = None,
    formats: Iterable[str] = FORMATS,
    *,
    maps: bool = False,
    result: CoverageResult | None = None,
    csv_sep: str = ",",
    **coverage_options: Any,
) -> ReportFiles:
    """Compute the coverage (or take it) and write the report files (HTML, XLSX, CSV) atomically.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Output directory (created if needed).
    region : str, int, iterable or None
        A région code, several, or None / ``"all"`` for every région.
    formats : iterable of str, default ("html", "xlsx", "csv")
        Any of ``html``, ``xlsx``, ``csv``, and ``gpkg`` (the GeoPackage :data:`GPKG_FILE`).
    maps : bool, default False
        Embed coverage maps, drawn from the same coverage result (slower).
    result : CoverageResult, optional
        A coverage already computed; ``region`` and the coverage options are then not used.
    csv_sep : {",", ";"}, default ","
        Separator of the CSV files (see :func:`ess_geo.render.spreadsheet.csv_bytes`).
    **coverage_options
        Passed to :func:`~ess_geo.analysis.coverage.coverage_table` when ``result`` is None:
        ``specialties``, ``supply``, ``registry``, ``cross_region``, ``include_lumped``,
        ``funding_rule``, ``progress``, ``zonage``, ``derogations``.

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
    TypeError
        For an option that :func:`~ess_geo.analysis.coverage.coverage_table` does not take.
    """
    unknown = sorted(set(coverage_options) - COVERAGE_OPTIONS)
    if unknown:
        raise TypeError(f"write_coverage_report() got unexpected option(s) {unknown}; allowed: {sorted(COVERAGE_OPTIONS)}")
    fmts = check_formats(formats)
    check_sep(csv_sep)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputDataError(f"out_dir {str(out)!r} is not a directory", fr=f"{out} n'est pas un dossier")
    prepare_output_dir(out)
    if result is None:
        result = coverage_table(region, **coverage_options)
    # 1. render everything in memory: a failure here touches no file
    files, map_errors, maps_included = _render_files(result, fmts, maps, csv_sep)
    # 2. write each file atomically, then remove files of a previous run that this one did not rewrite
    try:
        paths = [atomic_write_bytes(out / rel, data) for rel, data in files.items()]
        written = list(files)
        if "gpkg" in fmts:  # GDAL writes it to a path (atomically), not rendered in memory
            paths.append(write_geopackage({"couverture": coverage_layer(result.table)}, out / GPKG_FILE))
            written.append(GPKG_FILE)
        _replace_manifest(out, sorted(written))
    except OSError as exc:
        raise write_error(out, exc) from None
    if map_errors:
        result = dataclasses.replace(result, notes=[*result.notes, *map_errors])
    return ReportFiles(out_dir=out, paths=paths, result=result, maps_included=maps_included, map_errors=map_errors)


__all__ = [
    "COVERAGE_OPTIONS",
    "DETAIL_COLUMNS",
    "EXTRA_FORMATS",
    "FORMATS",
    "GPKG_FILE",
    "MANIFEST",
    "ReportFiles",
    "cell_text",
    "check_formats",
    "render_index_html",
    "render_region_html",
    "write_coverage_report",
]
