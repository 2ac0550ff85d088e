"""The committee map of a proposed ESS territory, built from a :class:`~ess_geo.rules.territory.TerritoryCheck`.

:func:`territory_map_spec` assembles one layer at a time: the départements (choropleth of
specialist density, the territory and its neighbours), the communes by zonage and the outreach
sites of a :class:`~ess_geo.analysis.outreach.ZipResult`, the existing ESS of the specialty, the
territory's outline; the title block repeats the verdict and the status of every criterion as
:mod:`ess_geo.rules.criteria` decided them (labels and statuses are the rules' own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from ess_geo.errors import InputDataError
from ess_geo.inputs.registry import Registry
from ess_geo.inputs.supply import Supply
from ess_geo.reference.crs import WGS84, metric_crs_for_many, require_crs
from ess_geo.reference.geography import neighbours, reference_source
from ess_geo.render.mapspec import (
    DENSITY_UNIT,
    NEUTRAL_FILL,
    NO_POPULATION_LABEL,
    TERRITORY_STROKE,
    CriterionLine,
    LegendItem,
    LegendSection,
    MapLayer,
    MapSpec,
    choropleth_classes,
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
from ess_geo.render.territory_layers import communes_layer, ess_layer, sites_layer
from ess_geo.rules.criteria import STATUS_FR
from ess_geo.rules.derogations import derogation_prefix_fr
from ess_geo.sources import Source

if TYPE_CHECKING:
    from ess_geo.analysis.outreach import ZipResult
    from ess_geo.reference.specialties import Specialty
    from ess_geo.rules.territory import TerritoryCheck

#: Longest reason shown under a criterion of the title block (characters).
REASON_MAX_CHARS = 120


def short_reason(message: str, max_chars: int = REASON_MAX_CHARS) -> str:
    """First sentence of a criterion's French message, cut at a word boundary with "…".

    Parameters
    ----------
    message : str
        French message of the criterion.
    max_chars : int, default REASON_MAX_CHARS
        Maximum length.

    Returns
    -------
    str
        The shortened reason ("" for an empty message).
    """
    text = " ".join(str(message or "").split())
    for sep in (". ", " ; "):
        head = text.split(sep, 1)[0]
        if 20 <= len(head) < len(text):
            text = head
            break
    text = text.rstrip(" .;")
    if len(text) > max_chars:
        text = text[: max_chars - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return text


def criteria_lines(check_result: TerritoryCheck) -> list[CriterionLine]:
    """One title-block line per criterion: the rules' label and French status, a short reason when not met."""
    lines = []
    for crit in check_result.criteria:
        status = str(crit.status)
        message = derogation_prefix_fr(crit) + str(crit.message or "")
        lines.append(
            CriterionLine(
                label=crit.label,
                status_fr=STATUS_FR.get(status, status),
                status=status,
                message=message,
                reason=short_reason(message) if status in ("fail", "unknown", "warn") else "",
            )
        )
    return lines


def _threshold_counts(check_result: TerritoryCheck) -> dict[str, int] | None:
    """Specialists per département recorded in the threshold criterion's evidence (territory only)."""
    try:
        crit = check_result.criterion("threshold")
    except KeyError:
        return None
    by_dep = (crit.evidence or {}).get("by_departement")
    if not isinstance(by_dep, Mapping) or not by_dep:
        return None
    listed = (crit.evidence or {}).get("missing")
    missing = {str(d) for d in listed} if isinstance(listed, list) else set()  # unknown, never drawn as 0
    return {str(k): int(v) for k, v in by_dep.items() if str(k) not in missing}


def _supply_counts(
    spec: Specialty, supply: Supply | None, codes: Sequence[str], territory: Sequence[str]
) -> tuple[dict[str, int] | None, str, bool]:
    """Specialists per shown département from a Supply (None when no supply or no data for the specialty), whether exact.

    The basis note states the territory's own count (the figure ``check`` uses), never the sum over
    the neighbouring départements drawn for context.
    """
    if supply is None or not supply.has_specialty(spec):
        return None, "", True
    counted = supply.count(spec, list(codes))
    by_dep = dict(counted.by_departement)
    for d in counted.missing:
        by_dep.pop(d, None)
    own = supply.count(spec, list(territory))
    basis = own.basis
    if supply.several_sources and own.all_modes is not None:
        basis += f" ; territoire, tous modes d'exercice : {own.all_modes.label_fr()} ({own.all_modes.sources_fr()})"
    return by_dep, basis, counted.exact


def _specialist_counts(
    check_result: TerritoryCheck, spec: Specialty | None, supply: Supply | None, shown: Sequence[str], territory: Sequence[str]
) -> tuple[dict[str, int] | None, str, bool]:
    """Counts of every shown département from the supply, else the threshold evidence (territory only), whether exact."""
    counts, basis, exact = _supply_counts(spec, supply, shown, territory) if spec is not None else (None, "", True)
    if counts is None:
        counts = _threshold_counts(check_result)
        basis = "effectifs du critère de seuil (territoire seulement)" if counts else ""
    return counts, basis, exact


def _zip_frames(zip_result: ZipResult | None) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None, list[Source]]:
    """Communes and sites of a ZIP result, checked to be GeoDataFrames with a CRS."""
    if zip_result is None:
        return None, None, []
    communes = getattr(zip_result, "communes", None)  # either frame may be absent from a partial result
    sites = getattr(zip_result, "sites", None)
    sources = list(getattr(zip_result, "sources", []) or [])
    for name, frame in (("zip_result.communes", communes), ("zip_result.sites", sites)):
        if frame is not None:
            if not isinstance(frame, gpd.GeoDataFrame):
                raise InputDataError(
                    f"{name} must be a GeoDataFrame, got {type(frame).__name__}",
                    fr=f"{name} n'est pas une table géographique ({type(frame).__name__})",
                )
            require_crs(frame, name)
    return communes, sites, sources


def _shown_departements(territory: list[str], context: bool) -> list[str]:
    """The territory, then its neighbours and any département they enclose (Paris inside its ring)."""
    shown = list(territory)
    if context:
        for d in territory:
            shown += [n for n in neighbours(d) if n not in shown]
        ring = {n for d in shown for n in neighbours(d)} - set(shown)
        shown += sorted(d for d in ring if set(neighbours(d)) <= set(shown))
    return shown


def _density_legend(
    class_labels: list[str], class_colours: list[str], no_population: list[str], exact: bool = True
) -> LegendSection:
    """Legend of the density classes (with the « population inconnue » swatch when needed)."""
    if not class_labels:
        label = NO_POPULATION_LABEL if no_population else "effectifs non fournis"
        return LegendSection(title="Densité", items=[LegendItem(label=label, fill=NEUTRAL_FILL)])
    items = [LegendItem(label=lab, fill=col, stroke="#999999") for lab, col in zip(class_labels, class_colours, strict=True)]
    if no_population:
        items.append(LegendItem(label=NO_POPULATION_LABEL, fill=NEUTRAL_FILL, stroke="#999999"))
    title = f"Spécialistes {DENSITY_UNIT}" + ("" if exact else " (majorant)")
    return LegendSection(title=title, items=items)


def _density_layer(
    deps: gpd.GeoDataFrame, counts: dict[str, int] | None, spec_label: str, exact: bool = True
) -> tuple[MapLayer, LegendSection, list[str]]:
    """Départements coloured by specialist density; also the codes whose population is unknown."""
    known = counts or {}
    densities = [map_density(known.get(c), p) for c, p in zip(deps["code_dep"], deps["population"], strict=True)]
    classes, class_labels, class_colours = choropleth_classes(densities)
    frame = deps[["code_dep", "geometry"]].copy()
    frame["titre"] = [f"{nom} ({code})" for nom, code in zip(deps["nom"], deps["code_dep"], strict=True)]
    frame["role"] = ["territoire proposé" if t else "département voisin" for t in deps["in_territory"]]
    frame["n_specialistes"] = [fmt_number(known.get(c)) for c in deps["code_dep"]]
    frame["densite"] = [density_text(v, p) for v, p in zip(densities, deps["population"], strict=True)]
    frame["population"] = [population_text(v) for v in deps["population"]]
    frame["in_focus"] = deps["in_territory"].to_numpy()
    fills = [class_colours[k] if k >= 0 else NEUTRAL_FILL for k in classes]
    frame = style_frame(frame, fill=fills, fill_opacity=0.8, stroke="#ffffff", weight=1.0)
    frame.loc[~deps["in_territory"].to_numpy(), "fill_opacity"] = 0.45
    tooltip = [
        ("titre", "Département"),
        ("role", "Rôle"),
        ("n_specialistes", f"Spécialistes ({spec_label})"),
        ("densite", f"Densité ({DENSITY_UNIT})"),
        ("population", "Population"),
    ]
    layer = MapLayer(
        name=f"Départements : densité de spécialistes ({spec_label})", frame=frame, tooltip=tooltip, label_column="code_dep",
        count_column="n_specialistes",
    )
    # Départements with specialists counted but no population (Mayotte): density not computable.
    no_population = [c for c, p in zip(deps["code_dep"], deps["population"], strict=True) if c in known and pd.isna(p)]
    return layer, _density_legend(class_labels, class_colours, no_population, exact), no_population


def _add(
    layers: list[MapLayer], legend: list[LegendSection], drawn: tuple[MapLayer | list[MapLayer], LegendSection] | None
) -> None:
    """Append a layer (or several) and its legend section, when there is one."""
    if drawn is None:
        return
    layer, section = drawn
    layers.extend(layer if isinstance(layer, list) else [layer])
    legend.append(section)


def _communes_layers(communes: gpd.GeoDataFrame, deps: gpd.GeoDataFrame) -> tuple[list[MapLayer], LegendSection]:
    """Communes by zonage, then the département borders drawn above them."""
    layer, section = communes_layer(communes)
    borders = style_frame(deps[["code_dep", "geometry"]], fill=None, stroke="#444444", weight=1.2)
    return [layer, MapLayer(name="Limites des départements", frame=borders, interactive=False)], section


def _existing_ess(
    registry: Registry | None,
    specs: Sequence[Specialty],
    deps: gpd.GeoDataFrame,
    territory: list[str],
    tolerance_m: float | None,
) -> tuple[tuple[MapLayer, LegendSection] | None, gpd.GeoDataFrame]:
    """Existing ESS of the specialties (one, or each of an ESS pluri-spécialités) near the territory, and the view.

    The view frames the territory and any existing ESS it overlaps.
    """
    focus = deps[deps["in_territory"]][["geometry"]]
    if not specs or registry is None:
        return None, focus
    shown = set(deps["code_dep"])
    found = {e.id: e for spec in specs for e in registry.for_specialty(spec) if set(e.departements) & shown}
    nearby = list(found.values())
    title = f"ESS existantes ({', '.join(spec.label for spec in specs)})"
    layer, items = ess_layer(nearby, simplified_departements(None, tolerance_m), title)
    if layer is None:
        return None, focus
    overlapping = [e.id for e in nearby if set(e.departements) & set(territory)]
    focus = pd.concat([focus, layer.frame[layer.frame["ess_id"].isin(overlapping)][["geometry"]]])
    return (layer, LegendSection(title="", items=items)), focus


def _outline_layer(deps: gpd.GeoDataFrame, territory: list[str]) -> tuple[MapLayer, LegendSection]:
    """The proposed territory as one thick outline."""
    outline = gpd.GeoDataFrame(
        [{"titre": "Territoire proposé", "departements": ", ".join(territory), "geometry": dissolve(deps[deps["in_territory"]])}],
        geometry="geometry",
        crs=WGS84,
    )
    outline = style_frame(outline, fill=None, stroke=TERRITORY_STROKE, weight=4.0)
    layer = MapLayer(name="Territoire proposé", frame=outline, tooltip=[("titre", "Territoire"), ("departements", "Départements")])
    return layer, LegendSection(title="", items=[LegendItem(label="Territoire proposé", fill=None, stroke=TERRITORY_STROKE)])


def _site_lines(layer: MapLayer, zip_result: ZipResult | None) -> list[str]:
    """The ranked sites' legend lines, headed by what the scores measure."""
    lines = list(layer.frame.sort_values("rang", key=lambda r: pd.to_numeric(r, errors="coerce"))["ligne"])
    # What the scores measure (ZipResult.ranking_basis_fr): says when specialists are not located by
    # commune, so their presence was not taken into account.
    basis_fr = str(getattr(zip_result, "ranking_basis_fr", "") or "")
    if basis_fr:
        lines.insert(0, f"Classement : {basis_fr}")
    return lines


def _notes(basis: str, counts: dict[str, int] | None, no_population: list[str]) -> list[str]:
    notes = []
    if basis:
        notes.append(f"Effectifs : {basis}.")
    if counts is None:
        notes.append("Effectifs de spécialistes non fournis : densités non calculées.")
    elif no_population:
        notes.append(f"Population inconnue ({', '.join(no_population)}) : densité non calculable.")
    return notes


def _unranked_notes(zip_result: ZipResult | None) -> list[str]:
    """Why no outreach site is drawn (ZipResult.unranked_fr: specialists not located by commune), if so."""
    why = getattr(zip_result, "unranked_fr", "") if zip_result is not None else ""
    return [str(why)] if why else []


def _scope(check_result: TerritoryCheck, spec: Specialty | None, spec_label: str) -> tuple[str, list[Specialty], list[str]]:
    """Title, specialties whose ESS are drawn, and notes: one specialty, or an ESS pluri-spécialités.

    An ESS of several specialties is titled « Projet d'ESS pluri-spécialités (a, b) »; its density
    layer shows the first specialty, which a note says.
    """
    specs = list(getattr(check_result, "specialties", None) or ([spec] if spec is not None else []))
    if not getattr(check_result, "several", False):
        return f"Projet d'ESS — {spec_label}", specs, []
    note = (f"ESS pluri-spécialités : densité et effectifs affichés pour {spec_label} (première spécialité) ; "
            "chaque spécialité est vérifiée dans les critères.")
    return f"Projet d'ESS {check_result.specialty_label}", specs, [note]


def _check_loaded(supply: object, registry: object) -> None:
    """Map specs draw loaded objects: a path must be loaded first (load_supply, load_registry)."""
    for name, value, kind in (("supply", supply, Supply), ("registry", registry, Registry)):
        if value is not None and not isinstance(value, kind):
            raise InputDataError(
                f"{name} must be a loaded {kind.__name__} or None, got {type(value).__name__}",
                fr=f"{name} : objet {kind.__name__} chargé attendu (load_{name}), reçu {type(value).__name__}",
            )


def _territory(check_result: TerritoryCheck) -> list[str]:
    """The checked départements; a check without any cannot be mapped."""
    territory = [str(d) for d in (check_result.departements or [])]
    if not territory:
        raise InputDataError(
            "check_result has no départements to map; pass the result of check_territory()",
            fr="le résultat de vérification ne contient aucun département à cartographier",
        )
    return territory


def _verdict(admissible: bool | None) -> tuple[str, str]:
    """French verdict sentence and its status key."""
    if admissible is None:
        return "Verdict : indéterminé", "unknown"
    return ("Verdict : admissible", "pass") if admissible else ("Verdict : non admissible", "fail")


def territory_map_spec(
    check_result: TerritoryCheck,
    *,
    zip_result: ZipResult | None = None,
    supply: Supply | None = None,
    registry: Registry | None = None,
    context: bool = True,
    tolerance_m: float | None = None,
) -> MapSpec:
    """Prepare the committee map of a proposed ESS territory.

    Parameters
    ----------
    check_result : TerritoryCheck
        Result of :func:`ess_geo.rules.territory.check_territory`.
    zip_result : ZipResult, optional
        From :func:`ess_geo.analysis.outreach.flag_zip` / ``rank_outreach_sites``: ``communes``
        (zonage, specialists, distances) and ``sites`` (ranked points); either may be absent.
    supply : Supply, optional
        Specialists per département (loaded); default the check's, else the threshold evidence.
    registry : Registry, optional
        Existing ESS (loaded); default the check's registry.
    context : bool, default True
        Also show the départements bordering the territory.
    tolerance_m : float, optional
        Simplification tolerance in metres for départements.

    Returns
    -------
    MapSpec
        Ready to draw.

    Raises
    ------
    InputDataError
        If ``check_result`` has no départements, ``supply``/``registry`` are not loaded objects,
        or ZIP frames are not GeoDataFrames.
    CrsError
        If a ZIP frame has no CRS.
    """
    territory = _territory(check_result)
    _check_loaded(supply, registry)
    spec = check_result.specialty
    spec_label = spec.label if spec is not None else str(check_result.specialty_input or "spécialité refusée")
    reg = registry if registry is not None else check_result.registry
    sup = supply if supply is not None else check_result.supply
    shown = _shown_departements(territory, context)
    deps = simplified_departements(shown, tolerance_m)
    deps["in_territory"] = deps["code_dep"].isin(territory)
    counts, basis, exact = _specialist_counts(check_result, spec, sup, shown, territory)
    layer, section, no_population = _density_layer(deps, counts, spec_label, exact)
    layers, legend = [layer], [section]
    communes, sites, zip_sources = _zip_frames(zip_result)
    if communes is not None and len(communes):  # ZIP communes above the choropleth, département borders above them
        _add(layers, legend, _communes_layers(communes, deps))
    title, specs, scope_notes = _scope(check_result, spec, spec_label)
    existing, focus = _existing_ess(reg, specs, deps, territory, tolerance_m)
    _add(layers, legend, existing)
    _add(layers, legend, _outline_layer(deps, territory))
    site_lines: list[str] = []
    if sites is not None and len(sites):
        _add(layers, legend, sites_layer(sites))
        site_lines = _site_lines(layers[-1], zip_result)
    verdict, verdict_status = _verdict(check_result.admissible)
    sources = [*check_result.sources, reference_source(), reg.source if reg else None,
               *(sup.sources if sup else [])]
    return MapSpec(
        title=title,
        subtitle=check_result.territory_label,
        layers=layers,
        legend=legend,
        sources=unique_sources([*sources, *zip_sources]),
        bounds=view_bounds(focus, 0.08),
        crs=metric_crs_for_many(shown),
        verdict=verdict,
        verdict_status=verdict_status,
        criteria=criteria_lines(check_result),
        notes=_notes(basis, counts, no_population) + scope_notes + _unranked_notes(zip_result),
        sites=site_lines,
    )


__all__ = ["REASON_MAX_CHARS", "criteria_lines", "short_reason", "territory_map_spec"]
