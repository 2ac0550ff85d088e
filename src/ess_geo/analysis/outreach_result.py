"""The result of the outreach analysis: :class:`ZipResult` and its French wording.

Owns the columns of the commune and site tables, the label of communes absent from the zonage,
why specialists may be unlocated (:data:`UNLOCATED_FR`), and the counts / JSON form of a result.
Built by :func:`ess_geo.analysis.outreach.flag_zip` and
:func:`ess_geo.analysis.outreach.rank_outreach_sites`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from ess_geo._format import nombre
from ess_geo.inputs.zonage import ZONAGE_LABELS
from ess_geo.reference.crs import WGS84
from ess_geo.reference.specialties import Specialty
from ess_geo.sources import Source

__all__ = [
    "COMMUNE_COLUMNS",
    "NOT_IN_ZONAGE",
    "SITE_COLUMNS",
    "UNLOCATED_FR",
    "ZipResult",
    "empty_sites",
    "km_fr",
    "unranked_fr",
]

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
    unranked_fr : str
        After ranking with a supply that does not locate specialists by commune (département-level
        table, embedded supply, none): one French line saying why no site is ranked
        (:func:`unranked_fr`); empty otherwise.
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
    unranked_fr: str = ""

    def __repr__(self) -> str:
        """French one-liner: ``<ZipResult cardiologie sur 48 : 152 communes dont 152 ZIP, 2 sites>``."""
        n_zip = int((self.communes["zonage"] == "ZIP").sum()) if "zonage" in self.communes.columns else 0
        sites = "sites non classés" if self.unranked_fr else f"{len(self.sites)} site{'s' if len(self.sites) > 1 else ''}"
        return (f"<ZipResult {self.specialty.id} sur {'+'.join(self.departements)} : {nombre(len(self.communes))} "
                f"communes dont {nombre(n_zip)} ZIP, {sites}>")

    @property
    def ranking_located(self) -> bool:
        """Whether site scores count only ZIP communes *without* a specialist nearby.

        False when specialists are not located by commune (département-level supply, no supply,
        or none located): every ZIP commune then counts as lacking the specialty.
        """
        return self.distances_known

    def site_label_fr(self, score_population: float | None) -> str:
        """French label of a site's score: ``"12 300 hab. en ZIP sans spécialiste à moins de 30 km"``.

        When specialists are not located by commune: ``"853 016 hab. en ZIP dans un rayon de 30 km
        (présence des spécialistes non prise en compte)"``.
        """
        if score_population is None or pd.isna(score_population):
            value = "population inconnue"
        else:
            value = f"{nombre(int(score_population))} hab."
        radius = km_fr(self.parameters.get("radius_km", 30.0))
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
            "sites_non_classes": self.unranked_fr or None,
            "notes": list(self.notes),
            "sources": [s.to_dict() for s in self.sources],
            "sites": sites,
            "communes_zip": self.zip_communes().to_dict(orient="records"),
        }

    def zip_communes(self) -> pd.DataFrame:
        """The ZIP communes, most populated first: ``code_insee``, ``nom``, ``code_dep``, ``population`` (None: unknown)."""
        com = self.communes[self.communes["zonage"] == "ZIP"]
        out = pd.DataFrame(com[["code_insee", "nom", "code_dep"]]).assign(population=com["population"].astype("Int64"))
        out = out.sort_values(["population", "code_insee"], ascending=[False, True], na_position="last")
        return out.astype(object).where(out.notna(), None).reset_index(drop=True)


def km_fr(value: float) -> str:
    """French kilometre figure: ``30`` → ``"30"``, ``12.5`` → ``"12,5"``."""
    return f"{float(value):g}".replace(".", ",")


#: Why specialists are not located by commune, by ``parameters["supply_level"]``.
UNLOCATED_FR = {
    "none": "aucune offre fournie",
    "departement": "offre non localisée par commune",
    "commune": "aucun praticien de la spécialité localisé dans l'offre",
}


def unranked_fr(supply_level: str) -> str:
    """One French line: why no outreach site is ranked with this ``parameters["supply_level"]``."""
    why = {
        "none": "aucune offre de spécialistes fournie",
        "departement": "l'offre ne compte les spécialistes que par département (table DREES ou effectifs embarqués)",
    }.get(supply_level, UNLOCATED_FR.get(supply_level, supply_level))
    return (
        f"Sites de consultations avancées non classés : {why} ; sans savoir dans quelles communes exercent les "
        "spécialistes, un classement les supposerait absents partout. Fournir une extraction RPPS par commune "
        "(--supply) pour classer les sites."
    )


def _plain(v: object) -> object:
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and np.isnan(v):
        return None
    return v



def empty_sites() -> gpd.GeoDataFrame:
    """An empty site table (the columns of :data:`SITE_COLUMNS`, EPSG:4326)."""
    cols = {c: pd.Series(dtype=object) for c in SITE_COLUMNS if c != "geometry"}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
