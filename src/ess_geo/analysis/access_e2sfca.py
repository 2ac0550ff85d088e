"""The computing core of the access index: enhanced two-step floating catchment area (E2SFCA).

Owns the distance bands (:data:`DEFAULT_BANDS`, :func:`validate_bands`, :func:`band_weights`) and
the two steps on points of one metric plane (:func:`e2sfca`). The commune geography, supply and
output table are :func:`ess_geo.analysis.access.access_index`'s.

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

Pairs within :math:`d_0` are found with a KD-tree (scipy ``cKDTree.sparse_distance_matrix``),
never a full distance matrix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ess_geo.errors import InputDataError

__all__ = ["DEFAULT_BANDS", "band_weights", "e2sfca", "validate_bands"]

#: Default distance bands (upper bound in km, weight): Luo & Qi (2009).
DEFAULT_BANDS: tuple[tuple[float, float], ...] = ((10.0, 1.0), (20.0, 0.68), (30.0, 0.22))


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
    sup_idx = np.flatnonzero(s > 0)
    if not len(sup_idx):
        return np.zeros(len(xy_m)), {"pairs_within_reach": 0, "empty_catchments": 0}
    from scipy.spatial import cKDTree  # deferred: heavy library, kept out of `import ess_geo`

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
