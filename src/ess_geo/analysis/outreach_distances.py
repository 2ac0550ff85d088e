"""Where the specialists of an outreach study practise, and how far each commune is from them.

Owns the specialists located by commune (:func:`located_specialists`) and the straight-line
distance from each commune to the nearest commune where the specialty is practised
(:func:`nearest_specialists`), searched within one land unit only
(:func:`ess_geo.reference.crs.distance_zone`): never across the sea. Points are the communes'
representative points in their metric CRS (:func:`ess_geo.reference.points.commune_points`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ess_geo._format import nombre
from ess_geo.errors import EssGeoError
from ess_geo.inputs.supply import Supply
from ess_geo.reference.crs import LAND_UNIT_LABELS, distance_zone
from ess_geo.reference.points import commune_points
from ess_geo.reference.specialties import Specialty

__all__ = ["land_unit_points", "located_specialists", "nearest_specialists"]


def land_unit_points(unit: str) -> pd.DataFrame:
    """Metric points (``x``, ``y``, indexed by ``code_insee``) of the communes of one land unit with a geometry."""
    pts = commune_points(land_unit=unit).dropna(subset=["x", "y"])
    return pts.set_index("code_insee")[["x", "y"]]


def _departement_level_note(supply: Supply, spec: Specialty, deps: list[str] | None) -> str:
    """The note said when the supply only counts specialists per département."""
    held = ""
    if deps:
        try:
            count = supply.count(spec, deps)
        except EssGeoError:
            count = None
        if count is not None:
            s = "s" if count.total > 1 else ""
            held = f" ({nombre(count.total)} spécialiste{s} dans le territoire, non localisé{s})"
    return (
        f"Offre connue seulement par département{held} : distances au spécialiste le plus proche inconnues, "
        "et la présence de spécialistes dans une commune n'est pas prise en compte."
    )


def located_specialists(
    supply: Supply | None, spec: Specialty, notes: list[str], deps: list[str] | None = None
) -> pd.Series | None:
    """Specialists per commune (``code_insee`` → n > 0), or None when the supply has no commune level.

    The ``n_specialists`` of the supply rows are summed per commune (a doctor practising in
    several communes counts in each). French notes for planners are appended to ``notes``.
    """
    if supply is None:
        notes.append("Aucune offre fournie : distances au spécialiste le plus proche inconnues.")
        return None
    rows, exact, _ = supply.rows_for(spec)
    if "code_insee" not in supply.table.columns or (len(rows) > 0 and rows["code_insee"].isna().all()):
        notes.append(_departement_level_note(supply, spec, deps))
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


def nearest_specialists(
    communes: pd.DataFrame, located: pd.Series, spec: Specialty, notes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Distance (km) from each commune to the nearest commune with the specialty, and that commune.

    Parameters
    ----------
    communes : pandas.DataFrame
        ``code_insee`` and ``code_dep`` of the communes (not modified).
    located : pandas.Series
        Specialists per commune (:func:`located_specialists`), not empty.
    spec : Specialty
        For the notes.
    notes : list of str
        French notes appended for land units without any specialist.

    Returns
    -------
    distance_km : numpy.ndarray of float
        NaN where unknown (no geometry, or no specialist in the commune's land unit).
    nearest : numpy.ndarray of object
        ``code_insee`` of the nearest commune with the specialty, None where unknown.
    """
    from scipy.spatial import cKDTree  # deferred: heavy library, kept out of `import ess_geo`

    distance = np.full(len(communes), np.nan)
    nearest = np.array([None] * len(communes), dtype=object)
    units = communes["code_dep"].map({d: distance_zone(d) for d in communes["code_dep"].unique()})
    for unit in units.unique():
        pts = land_unit_points(unit)
        spec_pts = pts.reindex(located.index.intersection(pts.index))
        sel = (units == unit).to_numpy()
        if spec_pts.empty:
            notes.append(
                f"Aucun praticien en {spec.label} localisé en {LAND_UNIT_LABELS[unit]} : distance au spécialiste "
                f"le plus proche inconnue pour ses {int(sel.sum())} commune(s) du territoire (pas de distance "
                "mesurée par-delà la mer)."
            )
            continue
        own = pts.reindex(communes.loc[sel, "code_insee"])
        ok = own["x"].notna().to_numpy()
        if ok.any():
            d, i = cKDTree(spec_pts[["x", "y"]].to_numpy()).query(own.loc[ok, ["x", "y"]].to_numpy())
            rows = np.flatnonzero(sel)[ok]
            distance[rows] = d / 1000.0
            nearest[rows] = spec_pts.index.to_numpy()[i]
    return distance, nearest
