"""The ESS coverage map of a specialty, drawn from a :class:`~ess_geo.analysis.coverage.CoverageResult`.

Each département takes the class :func:`ess_geo.analysis.coverage.coverage_table` decided for it
(``group_status``: covered, alone, group, none, indetermine) with its French label from
:data:`~ess_geo.analysis.coverage.GROUP_STATUS_FR`; this module only gives each class a colour.
Nothing is recomputed here, so the map and the coverage report always say the same thing (an
upper-bound count stays « indéterminé », an island without a land neighbour stays « seuil
inatteignable »).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from ess_geo.analysis.coverage import GROUP_STATUS_FR, CoverageResult
from ess_geo.analysis.coverage_columns import certainty_fr, covering_ess_fr
from ess_geo.errors import InputDataError
from ess_geo.reference.codes import departement_name, normalize_region_code, region_name
from ess_geo.reference.crs import LAMBERT93, OVERSEAS_CRS, WGS84, metric_crs_for_many
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.render.mapspec import (
    DENSITY_UNIT,
    IDF_INSET_DEPS,
    Inset,
    LegendItem,
    LegendSection,
    MapLayer,
    MapSpec,
    density_text,
    dissolve,
    fmt_number,
    map_density,
    population_text,
    simplified_departements,
    style_frame,
    unique_sources,
    view_bounds,
)
from ess_geo.rules.criteria import MIN_SPECIALISTS

#: Fill of each coverage class (the ``group_status`` values of the coverage table), in legend order.
COVERAGE_FILL = {
    "covered": "#2b8cbe",
    "alone": "#f6a623",
    "group": "#fde9c4",
    "none": "#e08b8b",
    "indetermine": "#e0e0e0",
}
#: Legend label of each coverage class: the coverage table's own French label.
COVERAGE_LABEL = {status: label[:1].upper() + label[1:] for status, label in GROUP_STATUS_FR.items()}


def _pick_specialty(result: CoverageResult, specialty: str | Specialty | None) -> Specialty:
    """The specialty to map: the one asked (it must be in ``result``), or the result's only one."""
    ids = [s.id for s in result.specialties]
    if specialty is None:
        if len(result.specialties) != 1:
            raise InputDataError(
                f"specialty is required: the coverage result holds {len(ids)} specialties {ids}",
                fr=f"préciser la spécialité : le résultat de couverture en contient {len(ids)} ({', '.join(ids)})",
            )
        return result.specialties[0]
    spec = get_specialty(specialty)
    if spec.id not in ids:
        raise InputDataError(
            f"specialty {spec.id!r} is not in the coverage result; it holds {ids}",
            fr=f"la spécialité {spec.label} n'est pas dans le résultat de couverture ({', '.join(ids)})",
        )
    return spec


def _rows(result: CoverageResult, spec: Specialty, region: str | None) -> tuple[pd.DataFrame, str | None]:
    """Table rows of the specialty (of one région when asked) and the région code of a one-région map."""
    rows = result.table[result.table["specialty"] == spec.id]
    if region is None:
        return rows, (result.regions[0] if len(result.regions) == 1 else None)
    code_region = normalize_region_code(region)
    if code_region not in result.regions:
        raise InputDataError(
            f"region {region!r} is not in the coverage result; it holds {list(result.regions)}",
            fr=f"la région {region} n'est pas dans le résultat de couverture ({', '.join(result.regions)})",
        )
    return rows[rows["code_region"] == code_region], code_region


def _count_text(n: float | None, exact: bool | None, low: float | None = None, high: float | None = None) -> str:
    """French count: the figure, « entre A et B » (bounds from several sources), or « N (majorant) »."""
    if n is None or pd.isna(n):
        return fmt_number(None)
    if exact or low is None or pd.isna(low) or not int(low):
        return fmt_number(int(n)) + ("" if exact else " (majorant)")
    lo = int(low)
    if high is None or pd.isna(high):
        return f"au moins {fmt_number(lo)}"
    hi = int(high)
    if lo > hi:
        return f"{fmt_number(lo)} ou {fmt_number(hi)} (sources discordantes)"
    return f"entre {fmt_number(lo)} et {fmt_number(hi)}"


def _coverage_layer(deps: gpd.GeoDataFrame, rows: pd.DataFrame, counts_known: bool) -> MapLayer:
    """Départements filled by their coverage class, with the table's figures in tooltips."""
    table = rows.set_index("code_dep").loc[deps["code_dep"]]
    categories = [str(s) for s in table["group_status"]]
    frame = deps[["code_dep", "code_region", "geometry"]].copy()
    frame["titre"] = [f"{nom} ({code})" for nom, code in zip(deps["nom"], deps["code_dep"], strict=True)]
    frame["couverture"] = [COVERAGE_LABEL[c] for c in categories]
    certainty = table["covered_certainty"] if "covered_certainty" in table else [None] * len(table)
    frame["ess"] = [covering_ess_fr(name, c) for name, c in zip(table["covered_by_name"], certainty, strict=True)]
    lows = table["n_specialists_low"] if "n_specialists_low" in table else [None] * len(table)
    highs = table["n_specialists_high"] if "n_specialists_high" in table else [None] * len(table)
    frame["n_specialistes"] = [
        _count_text(n, e, lo, hi) for n, e, lo, hi in zip(table["n_specialists"], table["exact"], lows, highs, strict=True)
    ]
    frame["densite"] = [
        density_text(map_density(n, p), p) for n, p in zip(table["n_specialists"], deps["population"], strict=True)
    ]
    frame["category"] = categories
    frame["population"] = [population_text(v) for v in deps["population"]]
    frame["in_focus"] = True
    fills = [COVERAGE_FILL[c] for c in categories]
    frame = style_frame(frame, fill=fills, fill_opacity=0.85, stroke="#ffffff", weight=0.8)
    tooltip = [("titre", "Département"), ("couverture", "Couverture"), ("ess", "ESS")]
    if counts_known:
        tooltip += [("n_specialistes", "Spécialistes"), ("densite", f"Densité ({DENSITY_UNIT})")]
    tooltip.append(("population", "Population"))
    return MapLayer(name="Départements : couverture en ESS", frame=frame, tooltip=tooltip, label_column="code_dep")


def _region_borders(frame: gpd.GeoDataFrame) -> MapLayer:
    """Région borders: union of the simplified départements, so they fit exactly."""
    rows = [
        {"code_region": r, "titre": region_name(r), "geometry": dissolve(part)}
        for r, part in frame.groupby("code_region", sort=True)
    ]
    borders = style_frame(gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84), fill=None, stroke="#333333", weight=1.6)
    return MapLayer(name="Limites des régions", frame=borders, interactive=False)


def _legend(categories: list[str], spec: Specialty) -> list[LegendSection]:
    present = [c for c in COVERAGE_FILL if c in set(categories)]
    return [
        LegendSection(
            title=f"Départements — {spec.label}",
            items=[LegendItem(label=COVERAGE_LABEL[c], fill=COVERAGE_FILL[c], stroke="#999999") for c in present],
        ),
        LegendSection(title="", items=[LegendItem(label="Limite de région", fill=None, stroke="#333333")]),
    ]


def _notes(rows: pd.DataFrame, basis: str, counts_known: bool) -> list[str]:
    statuses = rows["group_status"].tolist()
    n_ess = rows["covered_by"].dropna().nunique()
    notes = [f"Départements couverts par une ESS de la spécialité : {statuses.count('covered')} ({n_ess} ESS)."]
    if "covered_certainty" in rows:
        unsure = rows[rows["group_status"].eq("covered") & rows["covered_certainty"].ne("confirmed")]
        if len(unsure):
            names = ", ".join(f"{d} ({c})" for d, c in zip(unsure["code_dep"], unsure["covered_certainty"].map(certainty_fr),
                                                           strict=True))
            notes.append(f"Périmètre non confirmé par une source, à vérifier auprès de l'ESS ou de l'ARS : {names}.")
    if not counts_known:
        notes.append("Effectifs de spécialistes non fournis : seule la couverture est montrée.")
    else:
        n_alone = statuses.count("alone")
        notes.append(f"Départements non couverts pouvant en accueillir une (≥ {MIN_SPECIALISTS} spécialistes) : {n_alone}.")
        if rows["exact"].eq(False).any():
            notes.append("Effectifs non exacts (groupe DREES réunissant plusieurs spécialités, ou sources de millésimes "
                         "différents qui se contredisent) : bornes affichées, situation indéterminée si elles encadrent "
                         "le seuil.")
        if basis:
            notes.append(f"Effectifs : {basis}.")
    notes.append("Une ESS peut réunir plusieurs départements contigus d'une même région pour atteindre le seuil.")
    return notes


def _frames_and_insets(
    frame: gpd.GeoDataFrame, national: bool
) -> tuple[tuple[float, float, float, float], str, list[Inset]]:
    """Initial view, metric CRS of the static main frame and its insets (overseas, Paris)."""
    metro = frame[~frame["code_dep"].isin(OVERSEAS_CRS)]
    overseas = frame[frame["code_dep"].isin(OVERSEAS_CRS)]
    if metro.empty:
        return view_bounds(frame), metric_crs_for_many(frame["code_dep"].tolist()), []
    insets = [
        Inset(label=f"{departement_name(code)} ({code})", crs=OVERSEAS_CRS[code], bounds=view_bounds(part, 0.08))
        for code, part in overseas.groupby("code_dep", sort=True)
    ]
    idf = frame[frame["code_dep"].isin(IDF_INSET_DEPS)]
    if national and not idf.empty:
        insets.insert(0, Inset(label="Paris et petite couronne", crs=LAMBERT93, bounds=view_bounds(idf, 0.08), kind="idf"))
    return view_bounds(metro), LAMBERT93, insets


def _scope(result: CoverageResult, code_region: str | None, n_deps: int) -> str:
    if code_region is not None:
        return f"Région {region_name(code_region)}"
    if n_deps == 101:
        return "France entière (101 départements)"
    return "Régions : " + ", ".join(region_name(r) for r in result.regions)


def coverage_map_spec(
    result: CoverageResult,
    specialty: str | Specialty | None = None,
    *,
    region: str | None = None,
    tolerance_m: float | None = None,
) -> MapSpec:
    """Prepare the ESS coverage map of a specialty from a coverage result (France, or one région).

    Every département is drawn in the class the coverage table gives it (``group_status``);
    nothing is recomputed.

    Parameters
    ----------
    result : CoverageResult
        Output of :func:`ess_geo.analysis.coverage.coverage_table`.
    specialty : str or Specialty, optional
        Specialty to map; may be omitted when ``result`` holds only one.
    region : str, optional
        Map only this région of ``result`` (code or name accepted by :func:`normalize_region_code`);
        default every région of ``result`` (France when it holds all of them).
    tolerance_m : float, optional
        Simplification tolerance in metres.

    Returns
    -------
    MapSpec
        Ready to draw.

    Raises
    ------
    InputDataError
        If the specialty or the région is not in ``result`` (or the specialty is omitted while
        ``result`` holds several).
    UnknownSpecialtyError, NotEssSpecialtyError, UnknownCodeError
        On an unknown specialty or région.
    """
    spec = _pick_specialty(result, specialty)
    rows, code_region = _rows(result, spec, region)
    deps = simplified_departements(rows["code_dep"].tolist(), tolerance_m)
    counts_known = bool(rows["n_specialists"].notna().any())
    layer = _coverage_layer(deps, rows, counts_known)
    bounds, main_crs, insets = _frames_and_insets(layer.frame, national=code_region is None)
    return MapSpec(
        title=f"Couverture en ESS — {spec.label}",
        subtitle=_scope(result, code_region, len(deps)),
        layers=[layer, _region_borders(layer.frame)],
        legend=_legend(layer.frame["category"].tolist(), spec),
        sources=unique_sources(list(result.sources)),
        bounds=bounds,
        crs=main_crs,
        notes=_notes(rows, result.basis.get(spec.id, ""), counts_known),
        insets=insets,
    )


__all__ = ["COVERAGE_FILL", "COVERAGE_LABEL", "coverage_map_spec"]
