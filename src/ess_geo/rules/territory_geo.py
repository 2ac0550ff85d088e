"""Geometries out: the dissolved territory of a check, with its verdict and key figures.

:func:`territory_frame` is what :meth:`ess_geo.rules.territory.TerritoryCheck.to_geodataframe`
returns; :func:`dissolved_departements` (the union of départements) serves the proposals and
tables of :mod:`ess_geo.analysis` too.

Every GeoDataFrame ess_geo returns is in **WGS84 (EPSG:4326)**, stated in its ``crs``: one CRS
for metropolitan France and the overseas départements alike, read as is by QGIS, Leaflet and
GeoPackage viewers. Reproject for areas or distances (``to_crs(2154)``, Lambert-93, for the
mainland; :mod:`ess_geo.reference.crs` names the local CRS of each overseas département).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from ess_geo.reference.crs import WGS84
from ess_geo.reference.geography import load_departements
from ess_geo.reference.population import inhabitants
from ess_geo.reference.specialties import Specialty
from ess_geo.rules.adherents import needed_figure
from ess_geo.rules.criteria import Criterion

if TYPE_CHECKING:  # annotations only: a check that writes no geometry loads no geometry library
    import geopandas as gpd
    import pandas as pd
    import shapely


class TerritoryCheck(Protocol):
    """What these functions read of a :class:`ess_geo.rules.territory.TerritoryCheck` (no import cycle)."""

    specialties: list[Specialty]
    departements: list[str]
    region: str | None
    adherents: int | None
    as_of: date | None
    criteria: list[Criterion]

    @property
    def specialty_label(self) -> str: ...
    @property
    def territory_label(self) -> str: ...
    @property
    def verdict_fr(self) -> str: ...
    @property
    def admissible(self) -> bool | None: ...
    @property
    def derogations(self) -> Sequence[str]: ...
    def criterion(self, criterion_id: str) -> Criterion: ...
    def evidence(self, criterion_id: str) -> Mapping[str, Any]: ...

__all__ = ["GEO_CRS", "TERRITORY_COLUMNS", "departements_frame", "dissolved_departements", "territory_frame",
           "with_departement_outlines"]

#: CRS of every GeoDataFrame and GeoPackage layer ess_geo writes.
GEO_CRS = WGS84

#: Columns of :func:`territory_frame`, in order (then one ``statut_<criterion id>`` per criterion and
#: ``geometry``). Stable ids: renaming one is a breaking change.
TERRITORY_COLUMNS = [
    "specialite",
    "specialite_libelle",
    "departements",
    "region",
    "territoire",
    "verdict",
    "admissible",
    "derogations",
    "date_registre",
    "population",
    "n_specialistes_min",
    "n_specialistes_max",
    "densite_100k",
    "n_liberaux",
    "adherents",
    "adherents_requis",
    "adherents_requis_5ans",
    "amorcage_eur",
    "dotation_annuelle_eur",
]


def dissolved_departements(codes: Iterable[str]) -> shapely.Geometry:
    """The union of the départements ``codes`` (EPSG:4326): shared borders dissolved.

    Parameters
    ----------
    codes : iterable of str
        Normalised département codes (``"14"``, ``"2A"``, ``"971"``).

    Returns
    -------
    shapely.Geometry
        A (multi)polygon; empty for no code.
    """
    import shapely  # deferred heavy library: only geometry exports need it

    wanted = [str(c) for c in codes]
    deps = load_departements()
    geoms = deps.loc[deps["code_dep"].isin(wanted), "geometry"].to_numpy()
    if not len(geoms):
        return shapely.Polygon()
    return shapely.union_all(shapely.make_valid(geoms))


def with_departement_outlines(frame: pd.DataFrame, column: str = "code_dep") -> gpd.GeoDataFrame:
    """``frame`` with each row's département outline (EPSG:4326): the one join of table rows and outlines.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with a département code (not modified).
    column : str, default "code_dep"
        The column holding it.
    """
    import geopandas as gpd  # deferred heavy library: only geometry exports need it

    shapes = load_departements().set_index("code_dep")["geometry"]
    return gpd.GeoDataFrame(frame, geometry=frame[column].map(shapes).to_numpy(), crs=GEO_CRS)


def _int(value: object) -> int | None:
    """An integer figure, or None (unknown) – never 0 for unknown."""
    import pandas as pd  # deferred: heavy library, only to export geometries

    if value is None or isinstance(value, bool):
        return None
    try:
        return None if pd.isna(value) else int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def territory_frame(check: TerritoryCheck) -> gpd.GeoDataFrame:
    """One row: the dissolved territory of a check, its verdict, key figures and criterion statuses.

    Parameters
    ----------
    check : TerritoryCheck
        Result of :func:`ess_geo.rules.territory.check_territory`.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row, the columns of :data:`TERRITORY_COLUMNS` (French, stable ids: figures
        None when unknown, never 0), then ``statut_<id>`` for each criterion (``pass``, ``fail``,
        ``unknown``, ``warn``: :attr:`~ess_geo.rules.criteria.Criterion.status`) and ``geometry``.
    """
    import geopandas as gpd  # deferred heavy library: only geometry exports need it
    import pandas as pd  # deferred: heavy library, only to export geometries

    threshold, adherents, funding = (check.evidence(c) for c in ("threshold", "adherents", "funding"))
    row: dict[str, object] = {
        "specialite": ",".join(s.id for s in check.specialties) or None,
        "specialite_libelle": check.specialty_label,
        "departements": ",".join(check.departements),
        "region": check.region,
        "territoire": check.territory_label,
        "verdict": check.verdict_fr,
        "admissible": check.admissible,
        "derogations": ",".join(check.derogations),
        "date_registre": check.as_of.isoformat() if check.as_of else None,
        "population": _int(inhabitants(check.departements)),  # None when one is unknown (Mayotte)
        "n_specialistes_min": _int(threshold.get("low", threshold.get("total"))),
        "n_specialistes_max": _int(threshold.get("high", threshold.get("total"))),
        "densite_100k": threshold.get("density_per_100k"),
        "n_liberaux": _int(adherents.get("specialists")),
        "adherents": _int(check.adherents),
        "adherents_requis": _int(needed_figure(adherents, "needed_now")),  # the figure compare and dossier show
        "adherents_requis_5ans": _int(needed_figure(adherents, "needed_5y")),
        "amorcage_eur": _int(funding.get("startup_credit_eur")),
        "dotation_annuelle_eur": _int(funding.get("yearly_eur")),
    }
    row.update({f"statut_{c.id}": c.status for c in check.criteria})
    frame = pd.DataFrame([row])
    frame["admissible"] = frame["admissible"].astype("boolean")
    for col in ("population", "n_specialistes_min", "n_specialistes_max", "n_liberaux", "adherents",
                "adherents_requis", "adherents_requis_5ans", "amorcage_eur", "dotation_annuelle_eur"):
        frame[col] = frame[col].astype("Int64")
    frame["densite_100k"] = pd.to_numeric(frame["densite_100k"], errors="coerce").astype(float)
    return gpd.GeoDataFrame(frame, geometry=[dissolved_departements(check.departements)], crs=GEO_CRS)


def departements_frame(check: TerritoryCheck) -> gpd.GeoDataFrame:
    """One row per département of a checked territory: ``code_dep``, ``nom``, ``code_region``, ``population``, ``n_specialistes``.

    ``n_specialistes`` is the count the threshold criterion used for the département (None when
    unknown); EPSG:4326.
    """
    import geopandas as gpd  # deferred heavy library: only geometry exports need it
    import pandas as pd  # deferred: heavy library, only to export geometries

    deps = load_departements()
    deps = deps[deps["code_dep"].isin(check.departements)]
    by_dep = check.evidence("threshold").get("by_departement") or {}
    out = deps[["code_dep", "nom", "code_region", "population", "geometry"]].copy()
    out["population"] = out["population"].astype("Int64")
    out.insert(4, "n_specialistes", pd.array([_int(by_dep.get(c)) for c in out["code_dep"]], dtype="Int64"))
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry="geometry", crs=GEO_CRS)
