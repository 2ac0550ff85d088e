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

When the supply only counts specialists per département (DREES table), no commune holds a
specialist: distances are unknown (NaN) and the result says so in :attr:`ZipResult.notes`. Sites
are then ranked by the ZIP population within the radius alone, *whether or not specialists
practise there*: :attr:`ZipResult.ranking_basis_fr` and :attr:`ZipResult.notes` say so plainly,
and :attr:`ZipResult.ranking_located` is False.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ess_geo._format import nombre
from ess_geo.errors import EssGeoError, InputDataError
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.supply import Supply
from ess_geo.inputs.zonage import ZONAGE_LABELS, Zonage, load_zonage
from ess_geo.reference.codes import (
    departement_name,
    departements_of_region,
    normalize_dep_code,
    normalize_dep_codes,
    normalize_region_code,
    region_name,
)
from ess_geo.reference.crs import LAND_UNIT_LABELS, WGS84, distance_zone
from ess_geo.reference.geography import load_communes, reference_source
from ess_geo.reference.points import commune_points
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.sources import Source

COMMUNE_COLUMNS = [
    "code_insee",
    "nom",
    "code_dep",
    "population",
    "zonage",
    "zonage_label",
    "zonage_classes",
    "n_specialists",
    "distance_km",
    "nearest_specialist_insee",
    "geometry",
]
SITE_COLUMNS = [
    "rank",
    "code_insee",
    "nom",
    "code_dep",
    "zonage",
    "population",
    "distance_km",
    "score_population",
    "n_communes_served",
    "served",
    "served_noms",
    "geometry",
]
#: Label of a commune absent from the zonage file.
NOT_IN_ZONAGE = "NA"


@dataclass
class ZipResult:
    """Communes of a territory with their zonage and access to a specialty, and outreach sites.

    Attributes
    ----------
    specialty : Specialty
        The specialty studied.
    departements : list of str
        Départements of the territory.
    communes : geopandas.GeoDataFrame
        EPSG:4326, one row per commune: ``code_insee``, ``nom``, ``code_dep``, ``population``,
        ``zonage`` (class code: ZIP, ZAC, ZAR, HZ, NA), ``zonage_label`` (French),
        ``zonage_classes`` (all classes of its zonage rows, most priority first),
        ``n_specialists`` (in the commune; NaN when the supply has no commune level),
        ``distance_km`` (to the nearest commune with the specialty; 0 when it has one; NaN when
        unknown), ``nearest_specialist_insee``, ``geometry``. After ranking: ``underserved``
        (ZIP commune without the specialty within the radius), ``site_rank`` (rank of the site
        serving it) and ``host_score_population`` (for candidate hosts: underserved ZIP
        population within the radius before any site is chosen; NaN otherwise).
    sites : geopandas.GeoDataFrame
        EPSG:4326 points, one row per selected outreach site, best first: ``rank``,
        ``code_insee``, ``nom``, ``code_dep``, ``zonage``, ``population``, ``distance_km``,
        ``score_population`` (underserved ZIP population it adds), ``n_communes_served``,
        ``served`` (list of code_insee), ``served_noms``, ``geometry``. Empty before ranking.
    parameters : dict
        Parameters used (specialty, territory, radius, floor, number of sites...).
    sources : list of Source
        Geography, zonage and supply sources.
    notes : list of str
        French remarks for planners (unknown distances, approximations...).
    distances_known : bool
        False when the supply gives no commune location for the specialty.
    ranking_basis_fr : str
        After ranking: what the site scores measure, in French, for the ranking output and the
        map's site list. When specialists are not located by commune it says plainly that their
        presence is not taken into account (« population ZIP dans un rayon de 30 km (offre non
        localisée par commune : présence des spécialistes non prise en compte) »). Empty before
        ranking.
    """

    specialty: Specialty
    departements: list[str]
    communes: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    parameters: dict
    sources: list[Source]
    notes: list[str] = field(default_factory=list)
    distances_known: bool = True
    ranking_basis_fr: str = ""

    @property
    def ranking_located(self) -> bool:
        """Whether site scores count only ZIP communes *without* a specialist nearby.

        False when specialists are not located by commune (département-level supply, no supply,
        or none located): every ZIP commune then counts as lacking the specialty.
        """
        return self.distances_known

    def site_label_fr(self, score_population: object) -> str:
        """French label of a site's score: ``"12 300 hab. en ZIP sans spécialiste à moins de 30 km"``.

        When specialists are not located by commune: ``"853 016 hab. en ZIP dans un rayon de 30 km
        (présence des spécialistes non prise en compte)"``.
        """
        value = "population inconnue" if _isnan(score_population) else f"{nombre(int(score_population))} hab."
        radius = _km(self.parameters.get("radius_km", 30.0))
        if self.ranking_located:
            return f"{value} en ZIP sans spécialiste à moins de {radius} km"
        return f"{value} en ZIP dans un rayon de {radius} km (présence des spécialistes non prise en compte)"

    def counts(self) -> dict[str, int | None]:
        """Communes and population per zonage class, plus ZIP communes without the specialty nearby.

        A population is None (« population inconnue ») when one of its communes has an unknown
        population (Mayotte): a partial sum would understate it, 0 would be false.
        """
        com = self.communes

        def pop(sel: pd.Series | None = None) -> int | None:
            values = com["population"] if sel is None else com.loc[sel.to_numpy(dtype=bool), "population"]
            return None if values.isna().any() else int(values.sum())

        out: dict[str, int | None] = {"communes": len(com), "population": pop()}
        for code in ZONAGE_LABELS:
            sel = com["zonage"] == code
            out[f"communes_{code}"] = int(sel.sum())
            out[f"population_{code}"] = pop(sel)
        if "underserved" in com.columns:
            out["communes_zip_sans_specialite"] = int(com["underserved"].sum())
            out["population_zip_sans_specialite"] = pop(com["underserved"])
            out["population_servie_par_les_sites"] = int(self.sites["score_population"].sum()) if len(self.sites) else 0
        return out

    def to_dict(self) -> dict:
        """JSON-ready form: parameters, counts, notes, sources and sites (with coordinates)."""
        sites = []
        for rec in self.sites.to_dict(orient="records"):
            geom = rec.pop("geometry")
            rec = {k: _plain(v) for k, v in rec.items()}
            rec["lon"], rec["lat"] = (round(geom.x, 6), round(geom.y, 6)) if geom is not None else (None, None)
            sites.append(rec)
        return {
            "specialty": self.specialty.id,
            "specialty_label": self.specialty.label,
            "departements": list(self.departements),
            "parameters": {k: _plain(v) for k, v in self.parameters.items()},
            "counts": self.counts(),
            "distances_known": self.distances_known,
            "ranking_basis_fr": self.ranking_basis_fr,
            "notes": list(self.notes),
            "sources": [s.to_dict() for s in self.sources],
            "sites": sites,
        }


def _isnan(v: object) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _km(value: object) -> str:
    """French kilometre figure: ``30`` → ``"30"``, ``12.5`` → ``"12,5"``."""
    return f"{float(value):g}".replace(".", ",")


#: Why specialists are not located by commune, by ``parameters["supply_level"]``.
UNLOCATED_FR = {
    "none": "aucune offre fournie",
    "departement": "offre non localisée par commune",
    "commune": "aucun praticien de la spécialité localisé dans l'offre",
}


def _plain(v: object) -> object:
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


# ---------------------------------------------------------------------------------------------
# Inputs


def resolve_territory(territory: object = None, *, region: object = None) -> list[str]:
    """Normalise a territory to a sorted list of département codes.

    A bare code is refused: 13 codes (``"11"``, ``"24"``, ``"27"``, ``"28"``, ``"32"``, ``"44"``,
    ``"52"``, ``"53"``, ``"75"``, ``"76"``, ``"84"``, ``"93"``, ``"94"``) are both a région and a
    département, so ``"75"`` could mean Paris or Nouvelle-Aquitaine. Say which one you mean.

    Parameters
    ----------
    territory : list or tuple of str, or object with ``.departements``, optional
        Département codes (``["09", "31"]``, ``["75"]``) or a TerritoryCheck-like object.
    region : str or int, optional (keyword only)
        A région code: the whole région (``region="76"``). Exclusive with ``territory``.

    Returns
    -------
    list of str
        Sorted, normalised département codes.

    Raises
    ------
    UnknownCodeError
        If a code does not exist.
    InputDataError
        If the territory is a bare string or number (ambiguous), empty, given twice, or of an
        unsupported type.
    """
    if region is not None and territory is not None:
        raise InputDataError(
            f"give either territory (départements) or region=, not both: territory={territory!r}, region={region!r}",
            fr="indiquer soit les départements, soit la région, pas les deux",
        )
    if region is not None:
        if isinstance(region, bool) or not isinstance(region, (str, Integral)):
            raise InputDataError(
                f"region must be one région code (str or int), got {region!r}",
                fr=f"code région invalide : {region!r} (un seul code région attendu, ex. « 76 »)",
            )
        deps = departements_of_region(normalize_region_code(region))
    elif territory is None:
        raise InputDataError(
            "no territory: give a list of département codes (['09', '31']) or region='76'",
            fr="territoire manquant : indiquer une liste de départements ou une région",
        )
    elif hasattr(territory, "departements"):
        deps = normalize_dep_codes(territory.departements)
    elif isinstance(territory, (str, Integral)) and not isinstance(territory, bool):
        raise InputDataError(_ambiguous_message(territory), fr=_ambiguous_message(territory, french=True))
    elif isinstance(territory, Iterable) and not isinstance(territory, (bytes, Mapping)):
        deps = normalize_dep_codes(list(territory))
    else:
        raise InputDataError(
            "territory must be a list of département codes, an object with .departements (TerritoryCheck), "
            f"or use region=; got {territory!r}",
            fr=f"territoire non reconnu : {territory!r} (attendu une liste de départements, ou region=)",
        )
    if not deps:
        raise InputDataError("territory is empty: give at least one département", fr="territoire vide")
    return sorted(deps)


def _ambiguous_message(value: object, *, french: bool = False) -> str:
    """Explain why a bare code is refused, naming what it could mean."""
    readings = []
    try:
        dep = normalize_dep_code(value)
        readings.append(("département", dep, departement_name(dep)))
    except EssGeoError:
        pass
    try:
        reg = normalize_region_code(value)
        readings.append(("région", reg, region_name(reg)))
    except EssGeoError:
        pass
    text = str(value)
    if french:
        if len(readings) == 2:
            why = "désigne à la fois " + " et ".join(f"{k} {c} ({n})" for k, c, n in readings)
        elif readings:
            k, c, n = readings[0]
            why = f"désigne {k} {c} ({n}), mais un code seul est refusé car 13 codes sont à la fois région et département"
        else:
            why = "n'est ni un code département ni un code région"
        return (
            f"territoire ambigu : « {text} » {why} ; écrire [\"{text}\"] pour une liste de départements "
            f"ou region=\"{text}\" pour une région"
        )
    if len(readings) == 2:
        why = f"{text!r} is both " + " and ".join(f"{k} {c} ({n})" for k, c, n in readings)
    elif readings:
        k, c, n = readings[0]
        why = f"{text!r} reads as {k} {c} ({n}), but bare codes are refused"
    else:
        why = f"{text!r} is neither a département nor a région code"
    return (
        f"ambiguous territory {value!r}: {why}; 13 codes are both a région and a département code, so give "
        f"a list of département codes ([{text!r}]) or region={text!r}"
    )


def _as_zonage(zonage: Zonage | str | Path) -> Zonage:
    if isinstance(zonage, Zonage):
        return zonage
    if isinstance(zonage, (str, Path)):
        return load_zonage(zonage)
    raise InputDataError(
        f"zonage must be a Zonage (ess_geo.inputs.zonage.load_zonage) or a file path, got {type(zonage).__name__}",
        fr="zonage non reconnu : attendu un fichier de zonage",
    )


def _commune_supply(
    supply: Supply | None, spec: Specialty, notes: list[str], deps: list[str] | None = None
) -> pd.Series | None:
    """Specialists per commune (code_insee → n > 0), or None when the supply has no commune level."""
    if supply is None:
        notes.append("Aucune offre fournie : distances au spécialiste le plus proche inconnues.")
        return None
    rows, exact, _ = supply.rows_for(spec)
    if "code_insee" not in supply.table.columns or (len(rows) > 0 and rows["code_insee"].isna().all()):
        held = ""
        if deps:
            try:
                count = supply.count(spec, deps)
            except EssGeoError:
                count = None
            if count is not None:
                held = f" ({nombre(count.total)} spécialiste{'s' if count.total > 1 else ''} dans le territoire, non localisé{'s' if count.total > 1 else ''})"
        notes.append(
            f"Offre connue seulement par département{held} : distances au spécialiste le plus proche inconnues, "
            "et la présence de spécialistes dans une commune n'est pas prise en compte."
        )
        return None
    if not exact:
        notes.append(
            f"Offre du groupe DREES « {spec.drees_group} » qui regroupe plusieurs spécialités : "
            "distances sous-estimées (majorant de l'offre)."
        )
    rows = rows.dropna(subset=["code_insee"])
    counts = pd.to_numeric(rows["n_specialists"], errors="coerce").fillna(0).groupby(rows["code_insee"].astype(str)).sum()
    counts = counts[counts > 0]
    if counts.empty:
        notes.append(f"Aucun praticien en {spec.label} localisé dans l'offre fournie : distances inconnues.")
    return counts


def _points(unit: str) -> pd.DataFrame:
    """Representative points (metric coordinates) of the communes of one land unit that have a geometry."""
    pts = commune_points(land_unit=unit).dropna(subset=["x", "y"])
    return pts.set_index("code_insee")[["x", "y"]]


def _rep_points_wgs84(codes: pd.Series) -> gpd.GeoSeries:
    """Representative points of communes in EPSG:4326 (from the metric computation)."""
    pts = commune_points().set_index("code_insee").reindex(codes.to_numpy())
    out = gpd.GeoSeries([None] * len(codes), index=codes.index, crs=WGS84)
    for crs in pts["crs"].dropna().unique():
        sel = (pts["crs"] == crs).to_numpy() & pts["x"].notna().to_numpy()
        geo = gpd.GeoSeries(gpd.points_from_xy(pts.loc[sel, "x"], pts.loc[sel, "y"]), crs=crs).to_crs(WGS84)
        out.iloc[np.flatnonzero(sel)] = geo.to_numpy()
    return out


# ---------------------------------------------------------------------------------------------
# Flag


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
    territory : list of str, TerritoryCheck-like, or None
        A list of département codes (``["48"]``) or an object with ``.departements``; None when
        ``region`` is given. A bare code is refused as ambiguous (see :func:`resolve_territory`).
    specialty : str or Specialty
        Specialty (canonical id, label or alias).
    supply : Supply, path or None
        Specialist supply. A commune-level supply (table with ``code_insee``, e.g. from RPPS)
        locates specialists; a département-level one (DREES) or None leaves distances unknown.
    zonage : Zonage or path
        Doctors' zonage (:func:`ess_geo.inputs.zonage.load_zonage`).
    region : str or int, optional (keyword only)
        A région code, for the whole région: ``flag_zip(None, "cardiologie", sup, zon, region="76")``.

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
        Unreadable supply or zonage; ambiguous or empty territory.
    """
    from scipy.spatial import cKDTree  # here, not at import: every CLI command imports ess_geo

    spec = get_specialty(specialty)
    deps = resolve_territory(territory, region=region)
    zon = _as_zonage(zonage)
    sup = as_supply(supply)
    notes: list[str] = []

    com = load_communes()
    com = com[com["code_dep"].isin(deps)].drop(columns=["code_region"]).reset_index(drop=True)
    byc = zon.by_commune().set_index("code_insee")
    com["zonage"] = com["code_insee"].map(byc["zonage"]).fillna(NOT_IN_ZONAGE).astype(str)
    com["zonage_label"] = com["zonage"].map(ZONAGE_LABELS)
    com["zonage_classes"] = com["code_insee"].map(byc["classes"]).map(lambda v: list(v) if isinstance(v, list) else [])
    absent = ~com["code_insee"].isin(byc.index)
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
    per_commune = _commune_supply(sup, spec, notes, deps)
    com["n_specialists"] = np.nan
    com["distance_km"] = np.nan
    com["nearest_specialist_insee"] = pd.Series([None] * len(com), dtype=object)
    distances_known = per_commune is not None and not per_commune.empty
    if per_commune is not None:
        com["n_specialists"] = com["code_insee"].map(per_commune).fillna(0).astype(float)
        unknown = sorted(set(per_commune.index) - set(load_communes()["code_insee"]))
        if unknown:
            shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
            notes.append(f"{len(unknown)} code(s) commune de l'offre inconnu(s) du COG 2025, ignoré(s) : {shown}.")
    if distances_known:
        units = com["code_dep"].map({d: distance_zone(d) for d in deps})
        for unit in units.unique():
            pts = _points(unit)
            spec_pts = pts.reindex(per_commune.index.intersection(pts.index))
            sel = (units == unit).to_numpy()
            if spec_pts.empty:
                notes.append(
                    f"Aucun praticien en {spec.label} localisé en {LAND_UNIT_LABELS[unit]} : distance au spécialiste "
                    f"le plus proche inconnue pour ses {int(sel.sum())} commune(s) du territoire (pas de distance "
                    "mesurée par-delà la mer)."
                )
                continue
            tree = cKDTree(spec_pts[["x", "y"]].to_numpy())
            own = pts.reindex(com.loc[sel, "code_insee"])
            ok = own["x"].notna().to_numpy()
            dist = np.full(len(own), np.nan)
            near = np.array([None] * len(own), dtype=object)
            if ok.any():
                d, i = tree.query(own.loc[ok, ["x", "y"]].to_numpy())
                dist[ok] = d / 1000.0
                near[ok] = spec_pts.index.to_numpy()[i]
            com.loc[sel, "distance_km"] = dist
            com.loc[sel, "nearest_specialist_insee"] = near
        no_geom = com["geometry"].isna()
        if no_geom.any():
            names = ", ".join(com.loc[no_geom, "nom"])
            notes.append(f"Communes sans contour dans le référentiel (distance inconnue) : {names}.")

    communes = gpd.GeoDataFrame(com[COMMUNE_COLUMNS], geometry="geometry", crs=WGS84)
    sources = [reference_source(), zon.source]
    if sup is not None:
        sources.append(sup.source)
    params = {
        "specialty": spec.id,
        "departements": deps,
        "region": normalize_region_code(region) if region is not None else None,
        "zonage_file": zon.path,
        "zonage_match_rate": round(zon.match_rate, 6),
        "supply_level": "none" if sup is None else ("commune" if per_commune is not None else "departement"),
    }
    return ZipResult(
        specialty=spec,
        departements=deps,
        communes=communes,
        sites=_empty_sites(),
        parameters=params,
        sources=sources,
        notes=notes,
        distances_known=distances_known,
    )


def _empty_sites() -> gpd.GeoDataFrame:
    cols = {c: pd.Series(dtype=object) for c in SITE_COLUMNS if c != "geometry"}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


# ---------------------------------------------------------------------------------------------
# Rank


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
    specialty within ``radius_km`` (``distance_km > radius_km``; when distances are unknown every
    ZIP commune counts, and a note says so). *Candidate hosts* are the communes of the territory
    in ``host_classes`` with at least ``min_population`` inhabitants. A host serves the demand
    communes whose representative point lies within ``radius_km`` of its own. Sites are chosen
    greedily: each next site is the one adding the most not-yet-served demand population (so two
    sites never count the same people twice); ties go to the larger host, then the smaller code.
    Selection stops early when no host adds anyone.

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
        A new result whose ``sites`` are filled and whose ``communes`` gain ``underserved``
        ``site_rank`` and ``host_score_population`` (score of each candidate host before greedy
        selection; NaN for communes that cannot host).
        ``ranking_basis_fr`` says what the scores measure (and, when specialists are not located by
        commune, that their presence is not taken into account).

    Raises
    ------
    EssGeoError
        If ``flagged`` is not a :class:`ZipResult`.
    InputDataError
        If ``k`` is not an integer >= 1, ``radius_km`` not a finite number > 0,
        ``min_population`` not an integer >= 0, or ``host_classes`` empty or holding an unknown
        class. Booleans and floats are refused for integer parameters, never truncated.
    """
    from scipy.spatial import cKDTree  # here, not at import: every CLI command imports ess_geo

    if not isinstance(flagged, ZipResult):
        raise EssGeoError(
            f"flagged must be the ZipResult of flag_zip(), got {type(flagged).__name__}",
            fr="rank_outreach_sites attend le résultat de flag_zip",
        )
    k = _check_int("k", k, 1, fr_name="nombre de sites")
    min_population = _check_int("min_population", min_population, 0, fr_name="population minimale d'une commune hôte")
    radius_km = _check_radius(radius_km)
    host_classes = _check_host_classes(host_classes)
    notes = list(flagged.notes)
    com = flagged.communes.copy()
    is_zip = com["zonage"] == "ZIP"
    if flagged.distances_known:
        underserved = is_zip & ~(com["distance_km"] <= radius_km)
        unknown = underserved & com["distance_km"].isna()
        if unknown.any():
            notes.append(f"{int(unknown.sum())} communes ZIP sans distance connue comptées comme dépourvues de spécialiste.")
        basis = (
            f"population des communes ZIP sans spécialiste à moins de {_km(radius_km)} km, "
            f"dans un rayon de {_km(radius_km)} km autour de la commune hôte"
        )
    else:
        underserved = is_zip.copy()
        why = UNLOCATED_FR.get(str(flagged.parameters.get("supply_level")), UNLOCATED_FR["departement"])
        basis = (
            f"population ZIP dans un rayon de {_km(radius_km)} km ({why} : présence des spécialistes "
            "non prise en compte)"
        )
        notes.append(
            f"Classement des sites selon la seule population ZIP dans un rayon de {_km(radius_km)} km ({why}) : "
            "toutes les communes ZIP sont comptées comme dépourvues de spécialiste, même celles où des "
            "spécialistes exercent ; à vérifier avec une offre localisée par commune (extraction RPPS)."
        )
    com["underserved"] = underserved.to_numpy()
    com["site_rank"] = pd.array([pd.NA] * len(com), dtype="Int64")

    # unknown population (Mayotte, <NA>): not a host (its size is unknown), and scores 0 as demand
    host = com["zonage"].isin(host_classes) & (com["population"] >= min_population).fillna(False).astype(bool)
    rows: list[dict] = []
    unit_of = com["code_dep"].map({d: distance_zone(d) for d in com["code_dep"].unique()})
    # candidate (host idx, demand idx list) per land unit: no catchment crosses the sea
    host_idx: list[int] = []
    served_lists: list[np.ndarray] = []
    for unit in unit_of.unique():
        pts = _points(unit)
        zone = unit_of == unit
        dem = com.index[zone & underserved]
        hos = com.index[zone & host]
        dem_xy = pts.reindex(com.loc[dem, "code_insee"])[["x", "y"]]
        dem_ok = dem_xy["x"].notna().to_numpy()
        dem = dem[dem_ok]
        hos_xy = pts.reindex(com.loc[hos, "code_insee"])[["x", "y"]]
        hos_ok = hos_xy["x"].notna().to_numpy()
        hos = hos[hos_ok]
        if len(dem) == 0 or len(hos) == 0:
            continue
        tree = cKDTree(dem_xy.to_numpy()[dem_ok])
        lists = tree.query_ball_point(hos_xy.to_numpy()[hos_ok], r=radius_km * 1000.0)
        for h, lst in zip(hos, lists, strict=True):
            host_idx.append(int(h))
            served_lists.append(dem.to_numpy()[np.asarray(lst, dtype=int)])

    pop = com["population"].to_numpy(dtype=float, na_value=np.nan)
    n_unknown_demand = int((np.isnan(pop) & com["underserved"].to_numpy(dtype=bool)).sum())
    if n_unknown_demand:
        notes.append(
            f"{n_unknown_demand} commune{'s' if n_unknown_demand > 1 else ''} ZIP de population inconnue "
            "(Mayotte) : non prises en compte dans le score des sites (population inconnue, pas 0)."
        )
    pop = np.nan_to_num(pop, nan=0.0)
    com["host_score_population"] = np.nan
    for h, lst in zip(host_idx, served_lists, strict=True):
        com.at[h, "host_score_population"] = float(pop[lst].sum())
    covered = np.zeros(len(com), dtype=bool)
    available = list(range(len(host_idx)))
    for rank in range(1, k + 1):
        best, best_key = None, None
        for j in available:
            lst = served_lists[j]
            gain = float(pop[lst[~covered[lst]]].sum()) if len(lst) else 0.0
            h = host_idx[j]
            key = (gain, pop[h], _neg_code(com.at[h, "code_insee"]))
            if best_key is None or key > best_key:
                best, best_key = j, key
        if best is None or best_key[0] <= 0:
            break
        available.remove(best)
        lst = served_lists[best]
        new = lst[~covered[lst]]
        covered[new] = True
        h = host_idx[best]
        com.loc[new, "site_rank"] = rank
        new_sorted = com.loc[new].sort_values("population", ascending=False)
        rows.append(
            {
                "rank": rank,
                "code_insee": com.at[h, "code_insee"],
                "nom": com.at[h, "nom"],
                "code_dep": com.at[h, "code_dep"],
                "zonage": com.at[h, "zonage"],
                "population": int(com.at[h, "population"]),
                "distance_km": _round(com.at[h, "distance_km"]),
                "score_population": int(pop[new].sum()),
                "n_communes_served": len(new),
                "served": list(new_sorted["code_insee"]),
                "served_noms": list(new_sorted["nom"]),
                "geometry": None,
            }
        )
    if rows:
        sites = pd.DataFrame(rows)
        sites["geometry"] = _rep_points_wgs84(sites["code_insee"]).to_numpy()
        sites = gpd.GeoDataFrame(sites[SITE_COLUMNS], geometry="geometry", crs=WGS84)
    else:
        sites = _empty_sites()
        notes.append(
            f"Aucun site retenu : aucune commune hôte (classes {', '.join(host_classes)}, au moins "
            + f"{min_population:,}".replace(",", "\u202f")
            + f" habitants, population connue) n'a de commune ZIP dépourvue de spécialiste à moins de {radius_km:g} km."
        )
    params = dict(flagged.parameters)
    params.update(k=k, radius_km=radius_km, min_population=min_population, host_classes=list(host_classes))
    return ZipResult(
        specialty=flagged.specialty,
        departements=list(flagged.departements),
        communes=gpd.GeoDataFrame(com, geometry="geometry", crs=WGS84),
        sites=sites,
        parameters=params,
        sources=list(flagged.sources),
        notes=notes,
        distances_known=flagged.distances_known,
        ranking_basis_fr=basis,
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
    ok = not isinstance(value, bool) and isinstance(value, Real) and np.isfinite(float(value)) and float(value) > 0
    if not ok:
        raise InputDataError(
            f"radius_km must be a finite number of kilometres > 0, got {value!r}",
            fr=f"rayon invalide : {value!r} (nombre de kilomètres > 0 attendu)",
        )
    return float(value)


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


def _round(v: object) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return float("nan")
    return round(f, 2)


def _neg_code(code: str) -> tuple[int, ...]:
    """Sort key making the smaller code win ties in a max() comparison."""
    return tuple(-ord(ch) for ch in code)
