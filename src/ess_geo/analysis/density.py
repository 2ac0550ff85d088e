"""Specialist counts and densities per 100,000 inhabitants, per commune, département, région or territory.

Densities use the resident population (« population municipale ») embedded with the geography
(:func:`ess_geo.reference.geography.reference_source`) and the one density formula
(:func:`ess_geo.reference.population.density_per_100k`). Counts from an RPPS supply count distinct
doctors at each level (:func:`ess_geo.inputs.supply.distinct_doctors`): a doctor practising in two
communes of a département counts once for the département, and a doctor practising in two
départements counts once in a territory made of both. DREES tables are département-level and
carry no person identifiers: their counts are summed.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from ess_geo.errors import InputDataError
from ess_geo.inputs.supply import Supply, distinct_doctors
from ess_geo.reference.codes import departement_region, normalize_dep_codes
from ess_geo.reference.geography import load_communes, load_departements, load_regions, reference_source
from ess_geo.reference.population import density_per_100k_series, inhabitants
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.rules.territory_geo import GEO_CRS, dissolved_departements

__all__ = ["LEVELS", "RESULT_COLUMNS", "supply_by"]

LEVELS = ("commune", "departement", "region")
RESULT_COLUMNS = ["level", "code", "nom", "specialty", "n_specialists", "population", "density_per_100k"]
_KEY = {"commune": "code_insee", "departement": "code_dep", "region": "code_region"}


def supply_by(
    supply: Supply,
    level: str | list[str] = "departement",
    *,
    specialty: str | Specialty | None = None,
    geometry: bool = False,
) -> pd.DataFrame:
    """Specialist counts and densities per 100,000 inhabitants at one geographic level.

    Parameters
    ----------
    supply : ess_geo.inputs.supply.Supply
        A supply from :func:`ess_geo.inputs.load.load_supply` (DREES table or RPPS extraction).
    level : {"commune", "departement", "region"} or list of str, default "departement"
        Geographic level, or a territory given as a list of département codes (one row per
        specialty for the whole territory).
    specialty : str or Specialty, optional
        Keep one specialty (canonical id, label or alias); all by default.
    geometry : bool, default False
        Return a GeoDataFrame (EPSG:4326) with each unit's outline in ``geometry`` (a territory:
        its départements dissolved).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        Columns ``level``, ``code``, ``nom``, ``specialty``, ``n_specialists``, ``population``
        (resident population, embedded geography) and ``density_per_100k`` (then ``geometry``);
        every unit of the level appears for every specialty present (0 where there is no
        specialist). Attributes ``attrs["sources"]`` (list of :class:`~ess_geo.sources.Source`)
        and ``attrs["mode"]``.

    Raises
    ------
    InputDataError
        If ``level`` is unknown, or the supply is not commune-level and ``level="commune"``.
    ess_geo.errors.UnknownCodeError
        If a territory names an unknown département.
    """
    spec = get_specialty(specialty) if specialty is not None else None
    persons, table = supply.persons, supply.table
    if spec is not None:
        table = table[table["specialty"] == spec.id]
        if persons is not None:
            persons = persons[persons["specialty"] == spec.id]
    specialties = [spec.id] if spec is not None else sorted(set(table["specialty"]))
    # RPPS: distinct doctors per unit; DREES table: sums of counts
    frame = persons if persons is not None else table
    if isinstance(level, str):
        _check_level(supply, level)
        out = _level_counts(frame, level, specialties)
    else:
        out = _territory_counts(frame, normalize_dep_codes(level), specialties)
    out["n_specialists"] = out["n_specialists"].astype("int64")
    out["density_per_100k"] = density_per_100k_series(out["n_specialists"], out["population"])
    out = out[RESULT_COLUMNS].reset_index(drop=True)
    if geometry:
        out = _with_geometry(out, level)
    out.attrs["sources"] = [supply.source, reference_source()]
    out.attrs["mode"] = supply.mode
    return out


def _with_geometry(out: pd.DataFrame, level: str | list[str]) -> gpd.GeoDataFrame:
    """The rows of :func:`supply_by` with each unit's outline (EPSG:4326)."""
    if isinstance(level, str):
        loader, key = {"commune": (load_communes, "code_insee"), "departement": (load_departements, "code_dep"),
                       "region": (load_regions, "code_region")}[level]
        shapes = loader().set_index(key)["geometry"]
        geoms = gpd.GeoSeries(out["code"].map(shapes).to_numpy(), crs=GEO_CRS)
    else:
        shape = dissolved_departements(normalize_dep_codes(level))
        geoms = gpd.GeoSeries([shape] * len(out), crs=GEO_CRS)
    return gpd.GeoDataFrame(out, geometry=geoms.to_numpy(), crs=GEO_CRS)


def _check_level(supply: Supply, level: str) -> None:
    """InputDataError for an unknown level, or the commune level on a département-level supply."""
    if level not in LEVELS:
        raise InputDataError(
            f"level={level!r} is not a geographic level; allowed: 'commune', 'departement', 'region' "
            "or a list of département codes",
            fr=f"niveau géographique inconnu : {level!r} (commune, departement, region ou liste de départements)",
        )
    if level == "commune" and "code_insee" not in supply.table.columns:
        raise InputDataError(
            f"level='commune' needs a commune-level supply (RPPS extraction); {supply.source.name!r} is "
            "département-level",
            fr="niveau commune impossible : ces effectifs sont départementaux (utiliser l'extraction RPPS)",
        )


def _counts(frame: pd.DataFrame, by: str | list[str]) -> pd.Series:
    """Distinct doctors (person-level rows) or summed counts (DREES table) per group."""
    if "rpps_id" in frame.columns:
        return distinct_doctors(frame, by)
    return frame.groupby(by)["n_specialists"].sum()


def _territory_counts(frame: pd.DataFrame, deps: list[str], specialties: list[str]) -> pd.DataFrame:
    """One row per specialty for the territory made of ``deps``."""
    n = _counts(frame[frame["code_dep"].isin(deps)], "specialty")
    pop = inhabitants(deps)
    return pd.DataFrame({
        "level": "territoire",
        "code": "+".join(deps),
        "nom": "territoire (" + ", ".join(deps) + ")",
        "specialty": specialties,
        "n_specialists": [int(n.get(s, 0)) for s in specialties],
        "population": float("nan") if pop is None else pop,
    })


def _level_counts(frame: pd.DataFrame, level: str, specialties: list[str]) -> pd.DataFrame:
    """One row per unit of ``level`` × specialty, 0 where there is no specialist."""
    units = _level_frame(level)
    if level == "region":
        frame = frame.assign(code_region=frame["code_dep"].map(departement_region()))
    counts = _counts(frame, [_KEY[level], "specialty"])
    grid = pd.MultiIndex.from_product([units["code"], specialties], names=["code", "specialty"])
    counts.index = counts.index.set_names(["code", "specialty"])
    n = counts.reindex(grid, fill_value=0).astype("int64").reset_index(name="n_specialists")
    out = n.merge(units[["code", "nom", "population"]], on="code", how="left")
    out.insert(0, "level", level)
    return out


def _level_frame(level: str) -> pd.DataFrame:
    """``code``, ``nom`` and ``population`` of every unit of the level (embedded geography)."""
    loader, key = {"commune": (load_communes, "code_insee"), "departement": (load_departements, "code_dep"),
                   "region": (load_regions, "code_region")}[level]
    t = pd.DataFrame(loader().drop(columns="geometry"))
    return t.rename(columns={key: "code"})[["code", "nom", "population"]]
