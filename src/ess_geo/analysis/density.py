"""Specialist counts and densities per 100,000 inhabitants, per commune, département, région or territory.

Densities use the resident population (« population municipale ») embedded with the geography
(:func:`ess_geo.reference.geography.reference_source`). Counts from an RPPS supply count distinct doctors at
each level: a doctor practising in two communes of a département counts once for the
département, and a doctor practising in two départements counts once in a territory made of both.
DREES tables are département-level and carry no person identifiers: their counts are summed.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ess_geo.errors import EssGeoError
from ess_geo.reference.specialties import Specialty, get_specialty

LEVELS = ("commune", "departement", "region")
RESULT_COLUMNS = ["level", "code", "nom", "specialty", "n_specialists", "population", "density_per_100k"]


@lru_cache(maxsize=1)
def departement_population() -> dict[str, int]:
    """Resident population per département code (embedded geography)."""
    from ess_geo.reference.geography import load_departements

    deps = load_departements()
    return {c: int(p) for c, p in zip(deps["code_dep"], deps["population"], strict=True) if pd.notna(p)}


def _dep_region() -> dict[str, str]:
    deps = _level_frame("departement")
    return dict(zip(deps["code"], deps["code_region"], strict=True))


def _level_frame(level: str) -> pd.DataFrame:
    """``code``, ``nom``, ``population`` and the keys linking the level to communes/départements."""
    from ess_geo.reference.geography import load_communes, load_departements, load_regions

    if level == "commune":
        t = pd.DataFrame(load_communes().drop(columns="geometry"))
        return t.rename(columns={"code_insee": "code"})[["code", "nom", "population", "code_dep"]]
    if level == "departement":
        t = pd.DataFrame(load_departements().drop(columns="geometry"))
        return t.rename(columns={"code_dep": "code"})[["code", "nom", "population", "code_region"]]
    t = pd.DataFrame(load_regions().drop(columns="geometry"))
    return t.rename(columns={"code_region": "code"})[["code", "nom", "population"]]


def _density(n: pd.Series, pop: pd.Series) -> pd.Series:
    pop = pd.to_numeric(pop, errors="coerce").astype("float64")
    out = n.astype("float64") * 100_000 / pop.where(pop > 0)
    return out.round(2)


def supply_by(supply, level: str | list[str] = "departement", *, specialty: str | Specialty | None = None) -> pd.DataFrame:
    """Specialist counts and densities per 100,000 inhabitants at one geographic level.

    Parameters
    ----------
    supply : ess_geo.inputs.supply.Supply
        A supply from :func:`ess_geo.inputs.supply.load_supply` (DREES table or RPPS extraction).
    level : {"commune", "departement", "region"} or list of str, default "departement"
        Geographic level, or a territory given as a list of département codes (one row per
        specialty for the whole territory).
    specialty : str or Specialty, optional
        Keep one specialty (canonical id, label or alias); all by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``level``, ``code``, ``nom``, ``specialty``, ``n_specialists``, ``population``
        (resident population, embedded geography) and ``density_per_100k``; every unit of the
        level appears for every specialty present (0 where there is no specialist). Attributes
        ``attrs["sources"]`` (list of :class:`~ess_geo.sources.Source`) and ``attrs["mode"]``.

    Raises
    ------
    EssGeoError
        If ``level`` is unknown, or the supply is not commune-level and ``level="commune"``.
    ess_geo.errors.UnknownCodeError
        If a territory names an unknown département.
    """
    from ess_geo.reference.codes import normalize_dep_codes
    from ess_geo.reference.geography import reference_source

    spec = get_specialty(specialty) if specialty is not None else None
    persons = supply.persons
    table = supply.table
    if spec is not None:
        table = table[table["specialty"] == spec.id]
        if persons is not None:
            persons = persons[persons["specialty"] == spec.id]
    specialties = [spec.id] if spec is not None else sorted(set(table["specialty"]))

    if not isinstance(level, str):
        deps = normalize_dep_codes(level)
        pops = departement_population()
        if persons is not None:
            sub = persons[persons["code_dep"].isin(deps)]
            n = sub.groupby("specialty")["rpps_id"].nunique()
        else:
            n = table[table["code_dep"].isin(deps)].groupby("specialty")["n_specialists"].sum()
        pop = sum(pops.get(d, 0) for d in deps)
        out = pd.DataFrame({
            "level": "territoire",
            "code": "+".join(deps),
            "nom": "territoire (" + ", ".join(deps) + ")",
            "specialty": specialties,
            "n_specialists": [int(n.get(s, 0)) for s in specialties],
            "population": pop,
        })
    else:
        if level not in LEVELS:
            raise EssGeoError(
                f"level={level!r} is not a geographic level; allowed: 'commune', 'departement', 'region' "
                "or a list of département codes",
                fr=f"niveau géographique inconnu : {level!r} (commune, departement, region ou liste de départements)",
            )
        units = _level_frame(level)
        if level == "commune" and "code_insee" not in table.columns:
            raise EssGeoError(
                f"level='commune' needs a commune-level supply (RPPS extraction); {supply.source.name!r} is "
                "département-level",
                fr="niveau commune impossible : ces effectifs sont départementaux (utiliser l'extraction RPPS)",
            )
        # RPPS: distinct doctors per unit; DREES table: sums of counts
        frame, column, agg = (persons, "rpps_id", "nunique") if persons is not None else (table, "n_specialists", "sum")
        if level == "region":
            frame = frame.assign(code_region=frame["code_dep"].map(_dep_region()))
        key = {"commune": "code_insee", "departement": "code_dep", "region": "code_region"}[level]
        counts = frame.groupby([key, "specialty"])[column].agg(agg)
        grid = pd.MultiIndex.from_product([units["code"], specialties], names=["code", "specialty"])
        counts.index = counts.index.set_names(["code", "specialty"])
        n = counts.reindex(grid, fill_value=0).astype("int64").reset_index(name="n_specialists")
        out = n.merge(units[["code", "nom", "population"]], on="code", how="left")
        out.insert(0, "level", level)
    out["n_specialists"] = out["n_specialists"].astype("int64")
    out["density_per_100k"] = _density(out["n_specialists"], out["population"])
    out = out[RESULT_COLUMNS].reset_index(drop=True)
    out.attrs["sources"] = [supply.source, reference_source()]
    out.attrs["mode"] = supply.mode
    return out
