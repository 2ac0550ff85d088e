"""Priority zones lacking a specialty, and where to hold consultations avancées.

:func:`flag_zip` lists the communes of a territory with their zonage class, population, the
specialty's supply and the distance to the nearest commune where the specialty is practised.
:func:`rank_outreach_sites` then picks host communes for a weekly outreach clinic (consultation
avancée) by greedy coverage of the population of ZIP communes that have no specialist within the
radius.

Distances are straight lines between the communes' representative points (a point guaranteed
inside each commune, :meth:`shapely.Geometry.representative_point` computed in the metric CRS,
:func:`ess_geo.reference.points.commune_points`): Lambert-93 for metropolitan France, the local CRS of
each overseas département (:mod:`ess_geo.reference.crs`). Nearest specialists are searched among all
communes of the same *land unit* (:func:`ess_geo.reference.crs.distance_zone`: the mainland, Corsica, each
overseas département), across the territory's borders (a cardiologist just over the département
line counts) but never across the sea: a Martinique commune is not "near" a Guadeloupe
cardiologist. When a land unit has no specialist, its distances are unknown (NaN) and a note says
so. Outreach catchments are likewise confined to one land unit. Nearest neighbours use
:class:`scipy.spatial.cKDTree`: no N×N matrix.

When the supply only counts specialists per département (DREES table, embedded supply) or there
is none, no commune holds a specialist: distances are unknown (NaN) and the result says so in
:attr:`ZipResult.notes`. Sites are then **not ranked** (ranking them would treat every ZIP commune
as lacking the specialty, even where specialists practise): :func:`rank_outreach_sites` returns no
site and :attr:`ZipResult.unranked_fr` says why in one French line; the ZIP communes and their
population are still listed. Sites are ranked only from a commune-level supply (an RPPS extraction).
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral, Real
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ess_geo.analysis.outreach_distances import located_specialists, nearest_specialists
from ess_geo.analysis.outreach_result import (
    COMMUNE_COLUMNS,
    NOT_IN_ZONAGE,
    SITE_COLUMNS,
    UNLOCATED_FR,
    ZipResult,
    empty_sites,
    km_fr,
    unranked_fr,
)
from ess_geo.analysis.outreach_sites import greedy_sites, site_catchments, site_rows
from ess_geo.errors import InputDataError
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.supply import Supply
from ess_geo.inputs.zonage import ZONAGE_LABELS, Zonage, load_zonage
from ess_geo.reference.codes import normalize_region_code, resolve_departements
from ess_geo.reference.crs import WGS84
from ess_geo.reference.geography import load_commune_attributes, load_communes, reference_source
from ess_geo.reference.specialties import Specialty, get_specialty

__all__ = [
    "COMMUNE_COLUMNS",
    "NOT_IN_ZONAGE",
    "SITE_COLUMNS",
    "UNLOCATED_FR",
    "ZipResult",
    "flag_zip",
    "rank_outreach_sites",
]


# ---------------------------------------------------------------------------------------------
# Flag


def _as_zonage(zonage: Zonage | str | Path) -> Zonage:
    if isinstance(zonage, Zonage):
        return zonage
    if isinstance(zonage, (str, Path)):
        return load_zonage(zonage)
    raise InputDataError(
        f"zonage must be a Zonage (ess_geo.inputs.zonage.load_zonage) or a file path, got {type(zonage).__name__}",
        fr="zonage non reconnu : attendu un fichier de zonage",
    )


def _zoned_communes(deps: list[str], zon: Zonage, notes: list[str]) -> pd.DataFrame:
    """Communes of the départements with their zonage class, label and classes (notes for the absent)."""
    com = load_communes(deps).drop(columns=["code_region"])
    byc = zon.by_commune().set_index("code_insee")
    zoned = com["code_insee"].map(byc["zonage"])  # a map, not isin: isin over 35,000 arrow strings is slow
    com["zonage"] = zoned.fillna(NOT_IN_ZONAGE).astype(str)
    com["zonage_label"] = com["zonage"].map(ZONAGE_LABELS)
    com["zonage_classes"] = com["code_insee"].map(byc["classes"]).map(lambda v: list(v) if isinstance(v, list) else [])
    absent = zoned.isna()
    if absent.any():
        pairs = [f"{n} ({c})" for n, c in zip(com.loc[absent, "nom"], com.loc[absent, "code_insee"], strict=True)]
        names = ", ".join(pairs[:10]) + (", ..." if len(pairs) > 10 else "")
        notes.append(f"{len(pairs)} commune(s) du territoire absente(s) du fichier de zonage, classée(s) « NA » : {names}.")
    unknown_pop = com["population"].isna()
    if unknown_pop.any():
        n = int(unknown_pop.sum())
        notes.append(
            f"Population municipale inconnue pour {n} commune{'s' if n > 1 else ''} (Mayotte : absente du COG 2025 "
            "de la source) : population inconnue dans les totaux, et ces communes ne comptent pas dans le "
            "classement des sites."
        )
    return com


def _add_specialists(com: pd.DataFrame, located: pd.Series | None, spec: Specialty, notes: list[str]) -> pd.DataFrame:
    """``n_specialists``, ``distance_km`` and ``nearest_specialist_insee`` added to a copy of ``com``."""
    com = com.copy()
    com["n_specialists"] = np.nan
    com["distance_km"] = np.nan
    com["nearest_specialist_insee"] = pd.Series([None] * len(com), dtype=object)
    if located is None:
        return com
    com["n_specialists"] = com["code_insee"].map(located).fillna(0).astype(float)
    unknown = sorted(set(located.index) - set(load_commune_attributes()["code_insee"]))
    if unknown:
        shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        notes.append(f"{len(unknown)} code(s) commune de l'offre inconnu(s) du COG 2025, ignoré(s) : {shown}.")
    if located.empty:
        return com
    distance, nearest = nearest_specialists(com, located, spec, notes)
    com["distance_km"] = distance
    com["nearest_specialist_insee"] = pd.Series(nearest, index=com.index, dtype=object)
    no_geom = com["geometry"].isna()
    if no_geom.any():
        names = ", ".join(com.loc[no_geom, "nom"])
        notes.append(f"Communes sans contour dans le référentiel (distance inconnue) : {names}.")
    return com


def flag_zip(
    territory: object,
    specialty: str | Specialty,
    supply: Supply | str | Path | None,
    zonage: Zonage | str | Path,
    *,
    region: object = None,
) -> ZipResult:
    """Communes of a territory with their zonage class and distance to the specialty.

    Parameters
    ----------
    territory : str, int, iterable of codes, TerritoryCheck-like, or None
        Département codes as :func:`ess_geo.reference.codes.resolve_departements` reads them
        (``["48"]``, ``"48"``, ``48``, ``"09,31"``) or an object with ``.departements``; None when
        ``region`` is given. A bare code is a département code.
    specialty : str or Specialty
        Specialty (canonical id, label or alias).
    supply : Supply, path or None
        Specialist supply. A commune-level supply (table with ``code_insee``, e.g. from RPPS)
        locates specialists; a département-level one (DREES) or None leaves distances unknown.
    zonage : Zonage or path
        Doctors' zonage (:func:`ess_geo.inputs.zonage.load_zonage`).
    region : str or int, optional (keyword only)
        A région code, for the whole région: ``flag_zip(None, "cardiologie", sup, zon, region="76")``.
        With ``territory`` too, the union.

    Returns
    -------
    ZipResult
        ``communes`` filled (EPSG:4326), ``sites`` empty. ``distance_km`` is NaN for communes of
        a land unit (mainland, Corsica, each overseas département) where no specialist is located.

    Raises
    ------
    UnknownCodeError
        Unknown département or région code.
    UnknownSpecialtyError, NotEssSpecialtyError
        Unknown specialty.
    InputDataError
        Unreadable supply or zonage; empty territory or commune codes given as départements.
    """
    spec = get_specialty(specialty)
    deps = sorted(resolve_departements(territory, region))
    zon = _as_zonage(zonage)
    sup = as_supply(supply)
    notes: list[str] = []
    com = _zoned_communes(deps, zon, notes)
    located = located_specialists(sup, spec, notes, deps)
    com = _add_specialists(com, located, spec, notes)
    sources = [reference_source(), zon.source]
    if sup is not None:
        sources.append(sup.source)
    params = {
        "specialty": spec.id,
        "departements": deps,
        "region": normalize_region_code(region) if region is not None else None,
        "zonage_file": zon.path,
        "zonage_match_rate": round(zon.match_rate, 6),
        "supply_level": "none" if sup is None else ("commune" if located is not None else "departement"),
    }
    return ZipResult(
        specialty=spec,
        departements=deps,
        communes=gpd.GeoDataFrame(com[COMMUNE_COLUMNS], geometry="geometry", crs=WGS84),
        sites=empty_sites(),
        parameters=params,
        sources=sources,
        notes=notes,
        distances_known=located is not None and not located.empty,
    )


# ---------------------------------------------------------------------------------------------
# Rank


def _demand(flagged: ZipResult, radius_km: float, notes: list[str]) -> tuple[np.ndarray, str]:
    """The underserved ZIP communes (demand) and what the site scores measure, in French."""
    com = flagged.communes
    is_zip = com["zonage"] == "ZIP"
    radius = km_fr(radius_km)
    if flagged.distances_known:
        underserved = is_zip & ~(com["distance_km"] <= radius_km)
        unknown = underserved & com["distance_km"].isna()
        if unknown.any():
            notes.append(f"{int(unknown.sum())} communes ZIP sans distance connue comptées comme dépourvues de spécialiste.")
        basis = (
            f"population des communes ZIP sans spécialiste à moins de {radius} km, "
            f"dans un rayon de {radius} km autour de la commune hôte"
        )
        return underserved.to_numpy(dtype=bool), basis
    why = UNLOCATED_FR.get(str(flagged.parameters.get("supply_level")), UNLOCATED_FR["departement"])
    basis = f"population ZIP dans un rayon de {radius} km ({why} : présence des spécialistes non prise en compte)"
    notes.append(
        f"Classement des sites selon la seule population ZIP dans un rayon de {radius} km ({why}) : "
        "toutes les communes ZIP sont comptées comme dépourvues de spécialiste, même celles où des "
        "spécialistes exercent ; à vérifier avec une offre localisée par commune (extraction RPPS)."
    )
    return is_zip.to_numpy(dtype=bool), basis


def _demand_weights(com: pd.DataFrame, underserved: np.ndarray, notes: list[str]) -> np.ndarray:
    """Population of each commune as demand weight: 0 when unknown (Mayotte), with a note."""
    pop = com["population"].to_numpy(dtype=float, na_value=np.nan)
    n_unknown = int((np.isnan(pop) & underserved).sum())
    if n_unknown:
        notes.append(
            f"{n_unknown} commune{'s' if n_unknown > 1 else ''} ZIP de population inconnue "
            "(Mayotte) : non prises en compte dans le score des sites (population inconnue, pas 0)."
        )
    return np.nan_to_num(pop, nan=0.0)


def _host_scores(n: int, hosts: list[int], catchments: list[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """Demand weight within reach of each candidate host before any site is chosen; NaN for the others."""
    scores = np.full(n, np.nan)
    for h, lst in zip(hosts, catchments, strict=True):
        scores[h] = float(weights[lst].sum())
    return scores


def _by_preference(
    com: pd.DataFrame, hosts: list[int], catchments: list[np.ndarray], weights: np.ndarray
) -> tuple[list[int], list[np.ndarray]]:
    """Candidates sorted so that ties go to the larger host, then the smaller code."""
    codes = com["code_insee"].to_numpy()
    order = sorted(range(len(hosts)), key=lambda j: (-weights[hosts[j]], codes[hosts[j]]))
    return [hosts[j] for j in order], [catchments[j] for j in order]


def _no_site_note(host_classes: tuple[str, ...], min_population: int, radius_km: float) -> str:
    return (
        f"Aucun site retenu : aucune commune hôte (classes {', '.join(host_classes)}, au moins "
        + f"{min_population:,}".replace(",", "\u202f")
        + f" habitants, population connue) n'a de commune ZIP dépourvue de spécialiste à moins de {radius_km:g} km."
    )


def rank_outreach_sites(
    flagged: ZipResult,
    *,
    k: int = 5,
    radius_km: float = 30.0,
    min_population: int = 2000,
    host_classes: tuple[str, ...] = ("ZIP", "ZAC"),
) -> ZipResult:
    """Choose up to ``k`` host communes for a weekly outreach clinic (consultation avancée).

    *Demand* communes are the ZIP communes of the territory with no commune practising the
    specialty within ``radius_km`` (``distance_km > radius_km``). *Candidate hosts* are the communes
    of the territory in ``host_classes`` with at least ``min_population`` inhabitants. A host serves the demand
    communes whose representative point lies within ``radius_km`` of its own
    (:func:`~ess_geo.analysis.outreach_sites.site_catchments`). Sites are chosen greedily
    (:func:`~ess_geo.analysis.outreach_sites.greedy_sites`): each next site is the one adding the
    most not-yet-served demand population (so two sites never count the same people twice); ties
    go to the larger host, then the smaller code. Selection stops early when no host adds anyone.

    Parameters
    ----------
    flagged : ZipResult
        Output of :func:`flag_zip` (not modified).
    k : int, default 5
        Maximum number of sites.
    radius_km : float, default 30
        Radius served by a site, and distance beyond which a specialist is "not close".
    min_population : int, default 2000
        Population floor of a host commune.
    host_classes : tuple of str, default ("ZIP", "ZAC")
        Zonage classes a host may have.

    Returns
    -------
    ZipResult
        Without a commune-level supply: no site, ``unranked_fr`` says why (module docstring).
        Else a new result whose ``sites`` are filled and whose ``communes`` gain ``underserved``
        ``site_rank`` and ``host_score_population`` (score of each candidate host before greedy
        selection; NaN for communes that cannot host).
        ``ranking_basis_fr`` says what the scores measure (and, when specialists are not located by
        commune, that their presence is not taken into account).

    Raises
    ------
    InputDataError
        If ``flagged`` is not a :class:`ZipResult`, ``k`` is not an integer >= 1, ``radius_km``
        not a finite number > 0, ``min_population`` not an integer >= 0, or ``host_classes``
        empty or holding an unknown class. Booleans and floats are refused for integer
        parameters, never truncated.
    """
    k, radius_km, min_population, host_classes = _checked_parameters(flagged, k, radius_km, min_population, host_classes)
    params = dict(flagged.parameters)
    params.update(k=k, radius_km=radius_km, min_population=min_population, host_classes=list(host_classes))
    if params.get("supply_level") != "commune":  # specialists not located by commune: no site can be ranked
        return _unranked(flagged, params)
    notes = list(flagged.notes)
    underserved, basis = _demand(flagged, radius_km, notes)
    com = flagged.communes.assign(underserved=underserved, site_rank=pd.array([pd.NA] * len(flagged.communes), dtype="Int64"))
    # unknown population (Mayotte, <NA>): not a host (its size is unknown), and scores 0 as demand
    is_host = com["zonage"].isin(host_classes) & (com["population"] >= min_population).fillna(False).astype(bool)
    hosts, catchments = site_catchments(com, underserved, is_host.to_numpy(dtype=bool), radius_km)
    weights = _demand_weights(com, underserved, notes)
    com["host_score_population"] = _host_scores(len(com), hosts, catchments, weights)
    hosts, catchments = _by_preference(com, hosts, catchments, weights)
    picks = greedy_sites(catchments, weights, k)
    for rank, pick in enumerate(picks, start=1):
        com.loc[pick.new, "site_rank"] = rank
    if not picks:
        notes.append(_no_site_note(host_classes, min_population, radius_km))
    return ZipResult(
        specialty=flagged.specialty,
        departements=list(flagged.departements),
        communes=gpd.GeoDataFrame(com, geometry="geometry", crs=WGS84),
        sites=site_rows(com, hosts, picks, weights),
        parameters=params,
        sources=list(flagged.sources),
        notes=notes,
        distances_known=flagged.distances_known,
        ranking_basis_fr=basis,
    )


def _unranked(flagged: ZipResult, params: dict) -> ZipResult:
    """No site: the supply does not say in which communes specialists practise (one French line why)."""
    why = unranked_fr(str(params.get("supply_level")))
    return ZipResult(
        specialty=flagged.specialty, departements=list(flagged.departements), communes=flagged.communes.copy(),
        sites=empty_sites(), parameters=params, sources=list(flagged.sources), notes=[*flagged.notes, why],
        distances_known=flagged.distances_known, unranked_fr=why,
    )


def _checked_parameters(
    flagged: object, k: object, radius_km: object, min_population: object, host_classes: object
) -> tuple[int, float, int, tuple[str, ...]]:
    """The parameters of :func:`rank_outreach_sites`, checked (InputDataError naming the bad one)."""
    if not isinstance(flagged, ZipResult):
        raise InputDataError(
            f"flagged must be the ZipResult of flag_zip(), got {type(flagged).__name__}",
            fr="rank_outreach_sites attend le résultat de flag_zip",
        )
    return (
        _check_int("k", k, 1, fr_name="nombre de sites"),
        _check_radius(radius_km),
        _check_int("min_population", min_population, 0, fr_name="population minimale d'une commune hôte"),
        _check_host_classes(host_classes),
    )


def _check_int(name: str, value: object, minimum: int, *, fr_name: str) -> int:
    """An integer parameter >= minimum; bools, floats and strings refused (never truncated)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InputDataError(
            f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__})",
            fr=f"{fr_name} invalide : {value!r} (nombre entier ≥ {minimum} attendu)",
        )
    if value < minimum:
        raise InputDataError(
            f"{name} must be an integer >= {minimum}, got {value!r}",
            fr=f"{fr_name} invalide : {value!r} (nombre entier ≥ {minimum} attendu)",
        )
    return int(value)


def _check_radius(value: object) -> float:
    """radius_km: a finite real number > 0 (bools and strings refused)."""
    radius = float(value) if isinstance(value, Real) and not isinstance(value, bool) else float("nan")
    if not (np.isfinite(radius) and radius > 0):
        raise InputDataError(
            f"radius_km must be a finite number of kilometres > 0, got {value!r}",
            fr=f"rayon invalide : {value!r} (nombre de kilomètres > 0 attendu)",
        )
    return radius


def _check_host_classes(value: object) -> tuple[str, ...]:
    """host_classes: a non-empty list of zonage classes (a single class may be given as a string)."""
    allowed = list(ZONAGE_LABELS)
    classes = (value,) if isinstance(value, str) else value
    if not isinstance(classes, Iterable) or isinstance(classes, bytes):
        raise InputDataError(
            f"host_classes must be a list of zonage classes among {allowed}, got {value!r}",
            fr=f"classes de zonage des communes hôtes invalides : {value!r} (parmi {', '.join(allowed)})",
        )
    classes = tuple(classes)
    bad = [c for c in classes if not isinstance(c, str) or c not in ZONAGE_LABELS]
    if bad or not classes:
        what = f"unknown host class(es) {bad}" if bad else "host_classes is empty"
        raise InputDataError(
            f"{what}; host_classes must hold at least one of {allowed}",
            fr=f"classe de zonage inconnue pour les communes hôtes : {bad or 'aucune'} (parmi {', '.join(allowed)})",
        )
    return classes
