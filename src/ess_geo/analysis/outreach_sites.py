"""Outreach sites: catchments of candidate hosts, greedy selection, and the site table.

Three steps, one function each, used by :func:`ess_geo.analysis.outreach.rank_outreach_sites`:

1. :func:`site_catchments`: the demand communes within the radius of each candidate host, found
   with a KD-tree within one land unit (no catchment crosses the sea);
2. :func:`greedy_sites`: pure greedy maximum coverage: each next site adds the most
   not-yet-served demand (no person counted twice), ties to the earlier candidate;
3. :func:`site_rows`: the site table (EPSG:4326 points), best first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ess_geo.analysis.outreach_distances import land_unit_points
from ess_geo.analysis.outreach_result import SITE_COLUMNS, empty_sites
from ess_geo.reference.crs import WGS84, distance_zone
from ess_geo.reference.points import commune_points

__all__ = ["Pick", "greedy_sites", "representative_points_wgs84", "site_catchments", "site_rows"]


@dataclass(frozen=True)
class Pick:
    """One site chosen by :func:`greedy_sites`.

    Attributes
    ----------
    candidate : int
        Index of the chosen candidate in the catchment list.
    new : numpy.ndarray of int
        Demand positions it serves that no earlier site served, in the catchment's order.
    gain : float
        Their total weight.
    """

    candidate: int
    new: np.ndarray
    gain: float


def greedy_sites(catchments: Sequence[np.ndarray], weights: np.ndarray, k: int) -> list[Pick]:
    """Choose up to ``k`` candidates greedily, each adding the most not-yet-covered weight.

    Pure: no geography. Each round picks the available candidate whose catchment adds the
    largest weight of positions not covered by an earlier pick; on a tie the candidate listed
    first wins (so list candidates in order of preference). Stops early when no candidate adds
    a positive weight.

    Parameters
    ----------
    catchments : sequence of numpy.ndarray of int
        Positions (into ``weights``) each candidate serves.
    weights : numpy.ndarray of float
        Weight of each position (population; 0 when unknown).
    k : int
        Maximum number of picks.

    Returns
    -------
    list of Pick
        In the order chosen.
    """
    covered = np.zeros(len(weights), dtype=bool)
    available = list(range(len(catchments)))
    picks: list[Pick] = []
    for _ in range(k):
        best, best_gain = -1, 0.0
        for j in available:
            lst = catchments[j]
            gain = float(weights[lst[~covered[lst]]].sum()) if len(lst) else 0.0
            if gain > best_gain:
                best, best_gain = j, gain
        if best < 0:
            break
        available.remove(best)
        lst = catchments[best]
        new = lst[~covered[lst]]
        covered[new] = True
        picks.append(Pick(candidate=best, new=new, gain=best_gain))
    return picks


def site_catchments(
    communes: pd.DataFrame, demand: np.ndarray, hosts: np.ndarray, radius_km: float
) -> tuple[list[int], list[np.ndarray]]:
    """Candidate hosts and the demand communes within ``radius_km`` of each, per land unit.

    Parameters
    ----------
    communes : pandas.DataFrame
        ``code_insee`` and ``code_dep``, with a RangeIndex (positions are row numbers); not modified.
    demand, hosts : numpy.ndarray of bool
        Which communes are demand, which may host.
    radius_km : float
        Catchment radius between representative points.

    Returns
    -------
    hosts : list of int
        Positions of the candidate hosts that have a point and demand in their land unit.
    catchments : list of numpy.ndarray of int
        For each host, positions of the demand communes within the radius.
    """
    from scipy.spatial import cKDTree  # deferred: heavy library, kept out of `import ess_geo`

    unit_of = communes["code_dep"].map({d: distance_zone(d) for d in communes["code_dep"].unique()})
    host_idx: list[int] = []
    served: list[np.ndarray] = []
    for unit in unit_of.unique():
        pts = land_unit_points(unit)
        zone = (unit_of == unit).to_numpy()
        dem, dem_xy = _located(communes, np.flatnonzero(zone & demand), pts)
        hos, hos_xy = _located(communes, np.flatnonzero(zone & hosts), pts)
        if len(dem) == 0 or len(hos) == 0:
            continue
        lists = cKDTree(dem_xy).query_ball_point(hos_xy, r=radius_km * 1000.0)
        for h, lst in zip(hos, lists, strict=True):
            host_idx.append(int(h))
            served.append(dem[np.asarray(lst, dtype=int)])
    return host_idx, served


def _located(communes: pd.DataFrame, positions: np.ndarray, pts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The positions whose commune has a point in ``pts``, and those points (metres)."""
    xy = pts.reindex(communes["code_insee"].to_numpy()[positions])[["x", "y"]].to_numpy()
    ok = ~np.isnan(xy[:, 0])
    return positions[ok], xy[ok]


def representative_points_wgs84(codes: pd.Series) -> gpd.GeoSeries:
    """Representative points of communes in EPSG:4326 (from the metric computation); None if unknown."""
    pts = commune_points().set_index("code_insee").reindex(codes.to_numpy())
    out = gpd.GeoSeries([None] * len(codes), index=codes.index, crs=WGS84)
    for crs in pts["crs"].dropna().unique():
        sel = (pts["crs"] == crs).to_numpy() & pts["x"].notna().to_numpy()
        geo = gpd.GeoSeries(gpd.points_from_xy(pts.loc[sel, "x"], pts.loc[sel, "y"]), crs=crs).to_crs(WGS84)
        out.iloc[np.flatnonzero(sel)] = geo.to_numpy()
    return out


def site_rows(communes: pd.DataFrame, hosts: list[int], picks: list[Pick], weights: np.ndarray) -> gpd.GeoDataFrame:
    """The site table of :attr:`~ess_geo.analysis.outreach_result.ZipResult.sites`, best first.

    Parameters
    ----------
    communes : pandas.DataFrame
        The commune table (RangeIndex), with ``distance_km``; not modified.
    hosts : list of int
        Position of each candidate's host commune.
    picks : list of Pick
        The greedy choice.
    weights : numpy.ndarray of float
        Population of each position (0 when unknown).
    """
    if not picks:
        return empty_sites()
    rows = []
    for rank, pick in enumerate(picks, start=1):
        h = hosts[pick.candidate]
        served = communes.iloc[pick.new].sort_values("population", ascending=False)
        rows.append(
            {
                "rank": rank,
                "code_insee": communes.at[h, "code_insee"],
                "nom": communes.at[h, "nom"],
                "code_dep": communes.at[h, "code_dep"],
                "zonage": communes.at[h, "zonage"],
                "population": int(communes.at[h, "population"]),
                "distance_km": _round(communes.at[h, "distance_km"]),
                "score_population": int(weights[pick.new].sum()),
                "n_communes_served": len(pick.new),
                "served": list(served["code_insee"]),
                "served_noms": list(served["nom"]),
                "geometry": None,
            }
        )
    sites = pd.DataFrame(rows)
    sites["geometry"] = representative_points_wgs84(sites["code_insee"]).to_numpy()
    return gpd.GeoDataFrame(sites[SITE_COLUMNS], geometry="geometry", crs=WGS84)


def _round(value: float) -> float:
    """A distance rounded to 2 decimals; NaN when unknown."""
    return float("nan") if pd.isna(value) else round(float(value), 2)
