"""Specialty access index per commune (E2SFCA), and its table for planners.

:func:`access_index` measures, for each commune, the specialists per inhabitant reachable within
the distance bands (enhanced two-step floating catchment area, Luo & Qi 2009: the method, bands
and weights are in :mod:`ess_geo.analysis.access_e2sfca`), optionally aggregated per département
or région; :class:`AccessIndex` holds the table, the drops and a French summary.

Geometry
--------
Distances are straight lines between commune representative points computed in the metric CRS
of each land unit (the mainland and Corsica in Lambert-93, each overseas département in its own
CRS: see :func:`ess_geo.reference.crs.distance_zone` and :func:`ess_geo.reference.points.commune_points`); no
catchment crosses the sea. Population is the *population municipale* of the embedded geography.
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
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ess_geo._format import decimal, plural
from ess_geo.analysis.access_e2sfca import DEFAULT_BANDS, band_weights, e2sfca, validate_bands
from ess_geo.analysis.access_supply import commune_specialists, located_points
from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.supply import Supply
from ess_geo.reference import geography
from ess_geo.reference.codes import resolve_departements
from ess_geo.reference.crs import distance_zone
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.sources import Source

__all__ = [
    "COLUMNS_FR",
    "DEFAULT_BANDS",
    "LEVELS",
    "AccessIndex",
    "access_index",
    "band_weights",
    "e2sfca",
    "validate_bands",
]

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


def _significant(x: float | None, digits: int = 3) -> str:
    """Positional notation with ``digits`` significant digits (never scientific); "" when unknown."""
    if x is None or pd.isna(x):
        return ""
    return np.format_float_positional(float(x), precision=digits, unique=False, fractional=False, trim="-")


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


def access_index(
    specialty: str | Specialty,
    supply: Supply | str | Path,
    level: str = "commune",
    *,
    bands: Iterable[Sequence[float]] = DEFAULT_BANDS,
    departements: Iterable[object] | str | int | None = None,
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
    departements : iterable, str or int, optional
        Restrict the *output* to these départements, read by
        :func:`ess_geo.reference.codes.resolve_departements` (``"75,94"``, ``["75", 94]``, ``77``:
        a bare code is a département). Catchments still include every commune of the land unit,
        so borders are handled.
    region : str or int, optional
        Restrict the output to a région (with ``departements``: the union).

    Returns
    -------
    AccessIndex

    Raises
    ------
    InputDataError
        If the supply is missing or not commune-level, ``level`` is unknown, bands are invalid,
        or commune codes are given as départements.
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
    wanted = _output_departements(departements, region)
    dropped = DroppedRows()
    # drops are reported when they concern the output: the territory or a bordering département
    near = None if wanted is None else set(wanted) | {n for d in wanted for n in geography.neighbours(d)}
    points, outside = located_points(dropped, near)
    per_commune, exact, outside_supply = commune_specialists(sup, spec, dropped, pd.Index(points["code_insee"]), near)
    if wanted is not None:  # only the land units of the wanted départements are computed
        points = points[points["land_unit"].isin({distance_zone(d) for d in wanted})]
    table, n_pairs, empty = _commune_indices(points, per_commune, band_tuple)
    if wanted is not None:
        table = table[table["code_dep"].isin(wanted)].reset_index(drop=True)
    table = _commune_table(table)
    unknown_pop = table.loc[table["population"].isna(), "code_insee"].tolist()
    for code in unknown_pop:
        dropped.add(UNKNOWN_POPULATION_FR, row={"code_insee": code})
    if level != "commune":
        table = _aggregate(table, "code_dep" if level == "departement" else "code_region")
    stats = {"pairs_within_reach": n_pairs, "supply_communes": int((per_commune > 0).sum()),
             "empty_catchments": empty, "max_distance_km": band_tuple[-1][0],
             "unknown_population": len(unknown_pop), "dropped_outside_territory": outside + outside_supply}
    return AccessIndex(table=table, level=level, specialty=spec, bands=band_tuple, exact=exact, dropped=dropped,
                       stats=stats, sources=[geography.reference_source(), sup.source])


def _output_departements(departements: object, region: object) -> set[str] | None:
    """Départements of the output (:func:`~ess_geo.reference.codes.resolve_departements`); None: all."""
    if region is not None and not str(region).strip():
        region = None  # an empty --region is no région
    if departements is None and region is None:
        return None
    return set(resolve_departements(departements, region))


def _commune_indices(
    points: pd.DataFrame, per_commune: pd.Series, bands: tuple[tuple[float, float], ...]
) -> tuple[pd.DataFrame, int, int]:
    """E2SFCA per land unit (no catchment crosses the sea): communes sorted by code, pairs within reach,
    empty catchments."""
    frames, n_pairs, empty = [], 0, 0
    for _unit, part in points.groupby("land_unit", sort=True):
        xy = part[["x", "y"]].to_numpy()
        pop = part["population"].to_numpy(dtype=float, na_value=np.nan)
        pop_unknown = np.isnan(pop)
        s = per_commune.reindex(part["code_insee"]).fillna(0.0).to_numpy()
        # unknown demand (Mayotte): not counted in catchments, and its own index is unknown
        acc, info = e2sfca(xy, np.where(pop_unknown, 0.0, pop), s, bands)
        acc[pop_unknown] = np.nan
        n_pairs += info["pairs_within_reach"]
        empty += info["empty_catchments"]
        frames.append(part[["code_insee", "nom", "code_dep", "code_region", "population"]].assign(specialists=s, access=acc))
    table = pd.concat(frames, ignore_index=True).sort_values("code_insee", ignore_index=True)
    return table, int(n_pairs), empty


def _commune_table(table: pd.DataFrame) -> pd.DataFrame:
    """Final commune columns: population Int64, whole specialists, ``access_per_100k``."""
    return table.assign(
        population=table["population"].astype("Int64"),
        specialists=table["specialists"].round().astype("int64"),
        access_per_100k=table["access"] * 100_000,
    )


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
