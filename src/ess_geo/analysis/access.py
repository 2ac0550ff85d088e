"""Specialty access index per commune: enhanced two-step floating catchment area (E2SFCA).

Method (Luo & Qi, 2009)
-----------------------
With :math:`S_j` the specialists practising in commune *j*, :math:`P_i` the population of commune
*i*, :math:`d_{ij}` the straight-line distance between their representative points and
:math:`W(d)` a step weight by distance band:

1. for each commune *j* with specialists, the supply-to-population ratio of its catchment
   :math:`R_j = S_j / \\sum_{i : d_{ij} \\le d_0} P_i W(d_{ij})`;
2. for each commune *i*, the access index
   :math:`A_i = \\sum_{j : d_{ij} \\le d_0} R_j W(d_{ij})` (specialists per inhabitant;
   ``access_per_100k`` = :math:`10^5 A_i`).

Distance bands and weights
--------------------------
Default bands 0–10, 10–20 and 20–30 km (right-closed: a distance of exactly 10 km is in the
first band), with weights 1.00, 0.68 and 0.22: the Gaussian-derived weights of Luo W., Qi Y.
(2009), « An enhanced two-step floating catchment area (E2SFCA) method for measuring spatial
accessibility to primary care physicians », *Health & Place* 15(4):1100–1107, there applied to
travel-time zones 0–10/10–20/20–30 minutes; here to straight-line kilometres. Beyond the last band
the weight is 0 (:math:`d_0` = 30 km). Set ``bands=((upper_km, weight), ...)`` to change them.
These are the semantics of PySAL ``access.weights.step_fn``, so the index equals PySAL
``Access.enhanced_two_stage_fca`` on the same inputs (tested to 1e-9).

Geometry
--------
Distances are straight lines between commune representative points computed in the metric CRS
of each land unit (the mainland and Corsica in Lambert-93, each overseas département in its own
CRS: see :func:`ess_geo.reference.crs.distance_zone` and :func:`ess_geo.reference.points.commune_points`); no
catchment crosses the sea. Pairs within :math:`d_0`
are found with a KD-tree (scipy ``cKDTree.sparse_distance_matrix``) instead of a full
35,000 × 35,000 matrix. Population is the *population municipale* of the embedded geography.
Where it is unknown (``<NA>``: the 17 communes of Mayotte, absent from the source's COG 2025)
the commune adds no demand to any catchment, its own index is NaN (never 0), it is counted in
:attr:`AccessIndex.dropped` and the summary says « population inconnue ».

Supply
------
A commune-level :class:`~ess_geo.inputs.supply.Supply` (a ``code_insee`` column, as read from the RPPS
extraction by :mod:`ess_geo.inputs.rpps`): ``n_specialists`` of the specialty per commune (a doctor
practising in several communes counts in each). A DREES département table cannot place
specialists in communes and is refused. Supply rows whose commune is unknown to the embedded
geography, and communes without geometry, are counted in :attr:`AccessIndex.dropped` when they
concern the output: with ``departements``/``region``, only those of the territory or of a
département bordering it (catchments cross borders); the others are only counted in
``stats["dropped_outside_territory"]``.
A catchment with no population (no inhabitant within 30 km of a supply commune) gives that
supply ratio 0 and is reported in ``stats["empty_catchments"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ess_geo._format import decimal, plural
from ess_geo.dropped import DroppedRows
from ess_geo.errors import EssGeoError, InputDataError
from ess_geo.inputs.supply import Supply, as_supply
from ess_geo.reference import codes, geography
from ess_geo.reference.crs import distance_zone
from ess_geo.reference.points import commune_points
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.sources import Source

#: Default distance bands (upper bound in km, weight): Luo & Qi (2009).
DEFAULT_BANDS: tuple[tuple[float, float], ...] = ((10.0, 1.0), (20.0, 0.68), (30.0, 0.22))
LEVELS = ("commune", "departement", "region")
LEVEL_LABELS_FR = {"commune": "commune", "departement": "département", "region": "région"}
#: French note for communes whose population is unknown (<NA> in the embedded geography).
UNKNOWN_POPULATION_FR = "population municipale inconnue (Mayotte : absente du COG 2025 de la source) : indice non calculé"

COLUMNS_FR = {
    "code_insee": "Code commune",
    "nom": "Commune",
    "code_dep": "Département",
    "code_region": "Région",
    "population": "Population",
    "specialists": "Spécialistes",
    "access": "Accessibilité (spécialistes par habitant)",
    "access_per_100k": "Accessibilité pour 100 000 habitants",
    "remarque": "Remarque",
}


def _significant(x: object, digits: int = 3) -> str:
    """Positional notation with ``digits`` significant digits (never scientific); "" when unknown."""
    if x is None or pd.isna(x):
        return ""
    return np.format_float_positional(float(x), precision=digits, unique=False, fractional=False, trim="-")


def validate_bands(bands: Iterable[Sequence[float]]) -> tuple[tuple[float, float], ...]:
    """Check distance bands: increasing positive upper bounds (km), weights in (0, 1] non-increasing.

    A weight is the share of a specialist's supply reaching a commune at that distance: above 1
    or rising with distance makes no sense for a distance decay, and 0 is "out of reach" (the
    last band's upper bound already says where reach ends).

    Raises
    ------
    InputDataError
        Naming the offending band.
    """
    try:
        out = tuple((float(b[0]), float(b[1])) for b in bands)
    except (TypeError, ValueError, IndexError) as exc:
        raise InputDataError(
            f"bands must be a sequence of (upper_km, weight) pairs, got {bands!r}",
            fr="bandes de distance invalides : paires (borne en km, poids) attendues",
        ) from exc
    if not out:
        raise InputDataError("bands is empty", fr="aucune bande de distance")
    previous, previous_weight = 0.0, 1.0
    for upper, weight in out:
        if not upper > previous or not np.isfinite(upper):
            raise InputDataError(
                f"bands: upper bounds must be positive and increasing, got {upper!r} after {previous!r} in {out!r}",
                fr=f"bandes de distance : bornes croissantes attendues ({upper} km après {previous} km)",
            )
        if not (0 < weight <= 1) or not np.isfinite(weight):
            raise InputDataError(
                f"bands: weight {weight!r} of band ≤ {upper:g} km must be in (0, 1]",
                fr=f"bandes de distance : poids {weight:g} invalide pour la bande ≤ {upper:g} km "
                "(compris entre 0 exclu et 1 inclus)".replace(".", ","),
            )
        if weight > previous_weight:
            raise InputDataError(
                f"bands: weights must not increase with distance, got {weight!r} for ≤ {upper:g} km after "
                f"{previous_weight!r}",
                fr=f"bandes de distance : le poids ne peut pas croître avec la distance ({weight:g} pour ≤ {upper:g} km "
                f"après {previous_weight:g})".replace(".", ","),
            )
        previous, previous_weight = upper, weight
    return out


def band_weights(distances_km: np.ndarray, bands: Sequence[tuple[float, float]] = DEFAULT_BANDS) -> np.ndarray:
    """Weight of each distance: the weight of the first band whose upper bound is ≥ it, else 0."""
    uppers = np.array([b[0] for b in bands])
    weights = np.append(np.array([b[1] for b in bands]), 0.0)
    return weights[np.searchsorted(uppers, np.asarray(distances_km, dtype=float), side="left")]


def e2sfca(
    xy_m: np.ndarray, population: np.ndarray, specialists: np.ndarray, bands: Sequence[tuple[float, float]] = DEFAULT_BANDS
) -> tuple[np.ndarray, dict]:
    """E2SFCA on points of one metric plane (the computing core of :func:`access_index`).

    Parameters
    ----------
    xy_m : numpy.ndarray, shape (n, 2)
        Coordinates in metres (projected CRS).
    population : numpy.ndarray, shape (n,)
        Demand at each point.
    specialists : numpy.ndarray, shape (n,)
        Supply at each point.
    bands : sequence of (upper_km, weight)
        Distance bands (right-closed) and weights.

    Returns
    -------
    access : numpy.ndarray, shape (n,)
        Specialists per inhabitant reachable from each point.
    info : dict
        ``pairs_within_reach`` and ``empty_catchments`` (supply points with no demand in reach).
    """
    bands = validate_bands(bands)
    xy_m = np.asarray(xy_m, dtype=float)
    pop = np.asarray(population, dtype=float)
    s = np.asarray(specialists, dtype=float)
    acc = np.zeros(len(xy_m))
    sup_idx = np.flatnonzero(s > 0)
    if not len(sup_idx):
        return acc, {"pairs_within_reach": 0, "empty_catchments": 0}
    from scipy.spatial import cKDTree  # imported here: keeps scipy out of `import ess_geo`

    pairs = cKDTree(xy_m[sup_idx]).sparse_distance_matrix(cKDTree(xy_m), bands[-1][0] * 1000.0, output_type="ndarray")
    j_local, i = pairs["i"], pairs["j"]
    w = band_weights(pairs["v"] / 1000.0, bands)
    keep = w > 0
    j_local, i, w = j_local[keep], i[keep], w[keep]
    demand = np.bincount(j_local, weights=pop[i] * w, minlength=len(sup_idx))
    ratio = np.zeros(len(sup_idx))
    ok = demand > 0
    ratio[ok] = s[sup_idx][ok] / demand[ok]
    acc = np.bincount(i, weights=ratio[j_local] * w, minlength=len(xy_m))
    return acc, {"pairs_within_reach": len(i), "empty_catchments": int((~ok).sum())}


@dataclass
class AccessIndex:
    """Result of :func:`access_index`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per unit of ``level``: codes, ``population``, ``specialists``, ``access``
        (specialists per inhabitant) and ``access_per_100k``. Above the commune level, ``access``
        is the population-weighted mean of the commune indices.
    level : str
    specialty : Specialty
    bands : tuple of (float, float)
        Distance bands used (km, weight).
    exact : bool
        False when the supply only had the DREES group of the specialty (upper bound).
    dropped : DroppedRows
        Supply rows and communes that could not be used.
    stats : dict
        Pairs within reach, supply communes, empty catchments, zones.
    sources : list of Source
    """

    table: pd.DataFrame
    level: str
    specialty: Specialty
    bands: tuple[tuple[float, float], ...]
    exact: bool
    dropped: DroppedRows = field(default_factory=DroppedRows)
    stats: dict = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)

    def to_frame_fr(self) -> pd.DataFrame:
        """The table for planners: French column labels, rounded values, no technical column.

        ``access`` keeps 3 significant digits and ``access_per_100k`` 2 decimals, both as text in
        positional notation (never ``1.2e-05``); unknown values are empty cells and a
        ``Remarque`` column says why (population inconnue).
        """
        t = self.table
        out = t[[c for c in COLUMNS_FR if c in t.columns and c != "remarque"]].copy()
        out["access"] = t["access"].map(_significant)
        out["access_per_100k"] = t["access_per_100k"].map(lambda v: "" if pd.isna(v) else f"{float(v):.2f}")
        unknown = t["population"].isna()
        if unknown.any():
            out["remarque"] = np.where(unknown.to_numpy(), "population inconnue", "")
        return out.rename(columns=COLUMNS_FR)

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The table joined to the embedded geometries of its level (EPSG:4326)."""
        if self.level == "commune":
            geo, key = geography.load_communes()[["code_insee", "geometry"]], "code_insee"
        elif self.level == "departement":
            geo, key = geography.load_departements()[["code_dep", "geometry"]], "code_dep"
        else:
            geo, key = geography.load_regions()[["code_region", "geometry"]], "code_region"
        return geo.merge(self.table, on=key, how="inner")

    @property
    def default_bands(self) -> bool:
        """Whether the bands are the published ones of Luo and Qi (2009)."""
        return tuple(self.bands) == DEFAULT_BANDS

    def bands_fr(self) -> str:
        """French description of the bands, with their origin."""
        parts, lo = [], 0.0
        for up, w in self.bands:
            parts.append(f"{lo:g}–{up:g} km : {w:g}".replace(".", ","))
            lo = up
        origin = "Luo et Qi, 2009" if self.default_bands else "bandes personnalisées"
        return "; ".join(parts) + f" ({origin})"

    def to_dict(self) -> dict:
        """JSON-ready summary (without the table)."""
        return {
            "specialty": self.specialty.id,
            "level": self.level,
            "bands_km": [list(b) for b in self.bands],
            "exact": self.exact,
            "n_units": len(self.table),
            "stats": dict(self.stats),
            "dropped": self.dropped.to_dict(),
            "sources": [s.to_dict() for s in self.sources],
        }

    def summary_fr(self) -> str:
        """French text summary (unknown populations are said, never printed as 0 or nan)."""
        t = self.table
        known = t["access"].notna() & t["population"].notna()
        pop = float(t.loc[known, "population"].astype(float).sum())
        reach = f"{self.bands[-1][0]:g}".replace(".", ",")
        lines = [
            f"Indice d'accessibilité E2SFCA — {self.specialty.label} ({plural(len(t), 'unité')}, "
            f"niveau {LEVEL_LABELS_FR[self.level]})",
            f"Bandes de distance (à vol d'oiseau) et poids : {self.bands_fr()}.",
        ]
        if pop > 0:
            mean = float((t.loc[known, "access_per_100k"] * t.loc[known, "population"].astype(float)).sum() / pop)
            zero = int((t.loc[known, "access"] == 0).sum())
            lines.append(
                f"Moyenne pondérée par la population : {decimal(mean)} spécialistes pour 100 000 habitants ; "
                f"{plural(zero, 'unité')} sans spécialiste à moins de {reach} km."
            )
        else:
            lines.append("Moyenne pondérée par la population : non calculable (population inconnue).")
        n_unknown = int(self.stats.get("unknown_population", 0))
        if n_unknown:
            lines.append(
                f"Population municipale inconnue pour {plural(n_unknown, 'commune')} (Mayotte : absente du COG 2025 "
                "de la source) : indice non calculé, « population inconnue » dans le tableau."
            )
        if not self.exact:
            lines.append("Attention : effectifs d'un groupe DREES regroupant plusieurs spécialités (majorants).")
        if self.dropped:
            lines.append(self.dropped.summary_fr())
        return "\n".join(lines)


def _commune_supply(
    sup: Supply, spec: Specialty, dropped: DroppedRows, known: set[str], near: set[str] | None = None
) -> tuple[pd.Series, bool, int]:
    """Specialists per usable commune, whether exact, and the unusable rows outside ``near``.

    Unusable rows (unknown commune, or no geometry) are added to ``dropped`` when their
    département is in ``near`` (None: all), or cannot be told; the others are only counted.
    """
    tab = sup.table
    if "code_insee" not in tab.columns:
        raise InputDataError(
            "access_index needs a commune-level supply (a 'code_insee' column, e.g. the RPPS extraction); "
            f"got columns {list(tab.columns)}",
            fr="l'indice d'accessibilité demande des effectifs par commune (extraction RPPS), pas une table par département",
        )
    rows, exact, _ = sup.rows_for(spec)
    codes = rows["code_insee"].astype(str)
    bad = ~codes.isin(known)
    outside = 0
    for idx in rows.index[bad.to_numpy()]:
        if near is not None and (dep := _dep_of_code(str(tab.at[idx, "code_insee"]))) is not None and dep not in near:
            outside += 1
            continue
        dropped.add("commune inconnue ou sans géométrie dans les effectifs", row={"code_insee": str(tab.at[idx, "code_insee"]),
                                                                    "n_specialists": int(tab.at[idx, "n_specialists"])})
    per = rows[~bad.to_numpy()].groupby(codes[~bad])["n_specialists"].sum()
    return per.astype(float), exact, outside


def access_index(
    specialty: str | Specialty,
    supply: Supply | str | Path,
    level: str = "commune",
    *,
    bands: Iterable[Sequence[float]] = DEFAULT_BANDS,
    departements: Iterable[object] | str | None = None,
    region: str | int | None = None,
) -> AccessIndex:
    """E2SFCA access index to a specialty per commune (or aggregated per département / région).

    Parameters
    ----------
    specialty : str or Specialty
        Specialty id, label or alias.
    supply : Supply or path
        Commune-level supply (RPPS extraction).
    level : {"commune", "departement", "region"}, default "commune"
        Output level; above the commune, the population-weighted mean of commune indices.
    bands : sequence of (upper_km, weight), default :data:`DEFAULT_BANDS`
        Distance bands (right-closed) and weights.
    departements : iterable or str, optional
        Restrict the *output* to these départements (catchments still include every commune
        of the zone, so borders are handled).
    region : str or int, optional
        Restrict the output to a région.

    Returns
    -------
    AccessIndex

    Raises
    ------
    InputDataError
        If the supply is missing or not commune-level, ``level`` is unknown, or bands are invalid.
    UnknownCodeError
        For unknown département or région codes.
    """
    if level not in LEVELS:
        raise InputDataError(f"level must be one of {list(LEVELS)}, got {level!r}",
                             fr=f"niveau inconnu : {level!r} (commune, departement ou region)")
    band_tuple = validate_bands(bands)
    spec = get_specialty(specialty)
    sup = as_supply(supply)
    if sup is None:
        raise InputDataError("access_index needs a supply", fr="effectifs requis : indiquer --supply FICHIER")
    wanted: set[str] | None = None
    if departements is not None:
        if isinstance(departements, str):
            departements = [p for p in departements.replace(";", ",").split(",") if p.strip()]
        wanted = set(codes.normalize_dep_codes(list(departements)))
    if region is not None and str(region).strip():
        wanted = (wanted or set()) | set(codes.departements_of_region(codes.normalize_region_code(region)))

    dropped = DroppedRows()
    # drops are reported when they concern the output: the territory or a bordering département
    near = None if wanted is None else set(wanted) | {n for d in wanted for n in geography.neighbours(d)}
    points = commune_points()
    no_geom = points.loc[points["x"].isna(), ["code_insee", "code_dep"]]
    points = points.dropna(subset=["x", "y"])
    outside = 0
    for code, dep in zip(no_geom["code_insee"], no_geom["code_dep"], strict=True):
        if near is None or dep in near:
            dropped.add("commune sans géométrie dans le référentiel embarqué", row={"code_insee": code})
        else:
            outside += 1
    per_commune, exact, outside_supply = _commune_supply(sup, spec, dropped, set(points["code_insee"]), near)
    outside += outside_supply
    if wanted is not None:  # only the land units of the wanted départements are computed
        units_wanted = {distance_zone(d) for d in wanted}
        points = points[points["land_unit"].isin(units_wanted)]

    frames, n_pairs, empty = [], 0, 0
    for _unit, part in points.groupby("land_unit", sort=True):  # no catchment crosses the sea
        xy = part[["x", "y"]].to_numpy()
        pop = part["population"].to_numpy(dtype=float, na_value=np.nan)
        pop_unknown = np.isnan(pop)
        s = per_commune.reindex(part["code_insee"]).fillna(0.0).to_numpy()
        # unknown demand (Mayotte): not counted in catchments, and its own index is unknown
        acc, info = e2sfca(xy, np.where(pop_unknown, 0.0, pop), s, band_tuple)
        acc[pop_unknown] = np.nan
        n_pairs += info["pairs_within_reach"]
        empty += info["empty_catchments"]
        frames.append(part[["code_insee", "nom", "code_dep", "code_region", "population"]].assign(specialists=s, access=acc))
    table = pd.concat(frames, ignore_index=True).sort_values("code_insee", ignore_index=True)
    if wanted is not None:
        table = table[table["code_dep"].isin(wanted)].reset_index(drop=True)
    table["population"] = table["population"].astype("Int64")
    table["specialists"] = table["specialists"].round().astype("int64")
    table["access_per_100k"] = table["access"] * 100_000
    unknown_pop = table.loc[table["population"].isna(), "code_insee"].tolist()
    for code in unknown_pop:
        dropped.add(UNKNOWN_POPULATION_FR, row={"code_insee": code})
    if level != "commune":
        key = "code_dep" if level == "departement" else "code_region"
        table = _aggregate(table, key)
    stats = {"pairs_within_reach": int(n_pairs), "supply_communes": int((per_commune > 0).sum()),
             "empty_catchments": empty, "max_distance_km": band_tuple[-1][0],
             "unknown_population": len(unknown_pop), "dropped_outside_territory": outside}
    return AccessIndex(table=table, level=level, specialty=spec, bands=band_tuple, exact=exact, dropped=dropped,
                       stats=stats, sources=[geography.reference_source(), sup.source])


def _dep_of_code(code: str) -> str | None:
    """Département of a commune code (from the embedded geography, else its prefix); None if unknown."""
    dep = _commune_deps().get(code)
    if dep is not None:
        return dep
    code = str(code).strip().upper()
    prefix = code[:3] if code.startswith("97") else code[:2]
    try:
        return codes.normalize_dep_code(prefix)
    except EssGeoError:
        return None


@lru_cache(maxsize=1)
def _commune_deps() -> dict[str, str]:
    communes = commune_points()
    return dict(zip(communes["code_insee"], communes["code_dep"], strict=True))


def _aggregate(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """Population-weighted mean of the commune indices; population <NA> when a commune's is unknown.

    The mean is over the communes of known population (NaN when there are none): with the
    embedded data only Mayotte has unknown populations, and there every commune's is.
    """
    pop = table["population"].astype("float64")
    known = pop.notna() & table["access"].notna()
    t = table.assign(_wa=(table["access"] * pop).where(known, 0.0), _pk=pop.where(known, 0.0),
                     _unknown=table["population"].isna())
    g = t.groupby(key, as_index=False).agg(specialists=("specialists", "sum"), _wa=("_wa", "sum"),
                                           _pk=("_pk", "sum"), _unknown=("_unknown", "any"))
    popsum = table.groupby(key)["population"].sum(min_count=1)
    g["population"] = g[key].map(popsum).astype("Int64")
    g.loc[g["_unknown"].to_numpy(), "population"] = pd.NA
    g["access"] = np.where(g["_pk"] > 0, g["_wa"] / g["_pk"].where(g["_pk"] > 0, 1), np.nan)
    g["access_per_100k"] = g["access"] * 100_000
    return g[[key, "population", "specialists", "access", "access_per_100k"]]


__all__ = ["DEFAULT_BANDS", "AccessIndex", "access_index", "band_weights", "e2sfca", "validate_bands"]
