"""Fisher-Jenks natural breaks with numpy: the density classes of the maps, without mapclassify.

mapclassify's ``FisherJenks`` pulled scipy.stats, scikit-learn and pyplot into every map or report
process (1.4-1.9 s) to classify at most 101 départements. :func:`fisher_jenks_breaks` is the same
exact dynamic programme (Fisher 1958, in the Jenks formulation mapclassify ships), computed row by
row with numpy in the same float32 arithmetic and with the same tie rule, so that it gives the
very breaks mapclassify gives (a test compares them on real densities); :func:`classify` places
values in the right-closed classes as ``mapclassify.classifiers.bin1d`` does. :func:`ramp_colour`
reads the ColorBrewer YlGnBu ramp as matplotlib's 256-entry colormap does, without importing
matplotlib (0.3-0.6 s) in an HTML-map process.
"""

from __future__ import annotations

import numpy as np

__all__ = ["YLGNBU", "classify", "fisher_jenks_breaks", "ramp_colour"]

#: ColorBrewer YlGnBu, 9 classes: the anchors of matplotlib's ``"YlGnBu"`` colormap.
YLGNBU = ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58")
_LUT_SIZE = 256  # matplotlib's default number of colours of a segmented colormap


def fisher_jenks_breaks(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of the ``k`` Fisher-Jenks classes of ``values`` (the last one is their maximum).

    Minimises the sum of squared deviations within classes (exact dynamic programme, O(k·n²) on
    the n values: instantaneous for the ≤ 101 départements of a map).

    Parameters
    ----------
    values : numpy.ndarray
        Known values (no NaN); at least ``k`` distinct ones.
    k : int
        Number of classes (≥ 1).

    Returns
    -------
    numpy.ndarray
        ``k`` float64 upper bounds, ascending.

    Raises
    ------
    ValueError
        If ``k`` is below 1 or above the number of distinct values.
    """
    x = np.sort(np.asarray(values, dtype="f8"))
    n = x.size
    if k < 1 or np.unique(x).size < k:
        raise ValueError(f"cannot make {k} classes from {np.unique(x).size} distinct values")
    first = np.zeros((n + 1, k + 1), dtype=np.int32)  # first value (1-based) of the last class
    cost = np.zeros((n + 1, k + 1), dtype=np.float32)  # least within-class variance
    first[1, 1:] = 1
    cost[2:, 1:] = np.inf
    x32 = x.astype(np.float32)
    for last in range(2, n + 1):
        tail = x32[last - 1 :: -1]  # values last, last-1, ..., 1: the candidate last class grows leftwards
        s1 = np.cumsum(tail, dtype=np.float32)
        s2 = np.cumsum(tail * tail, dtype=np.float32)
        w = np.arange(1, last + 1, dtype=np.float32)
        var = s2 - (s1 * s1) / w  # variance of the last class when it starts at value last - m + 1
        starts = last - np.arange(1, last, dtype=np.int64) + 1  # m = 1 .. last-1 (a class before it)
        for j in range(2, k + 1):
            cand = var[: last - 1] + cost[starts - 1, j - 1]
            # mapclassify keeps the last candidate reaching the minimum (its loop updates on >=)
            best = last - 2 - int(np.argmin(cand[::-1]))
            first[last, j] = starts[best]
            cost[last, j] = cand[best]
        first[last, 1] = 1
        cost[last, 1] = var[-1]
    bounds = np.zeros(k + 1, dtype="f8")
    bounds[k] = x[-1]
    bounds[0] = x[0]
    row = n
    for j in range(k, 1, -1):
        pivot = int(first[row, j])
        bounds[j - 1] = x[pivot - 2]
        row = pivot - 1
    return bounds[1:]


def classify(values: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Class of each value in the right-closed classes ``(bins[i-1], bins[i]]`` (the first from -inf).

    Parameters
    ----------
    values : numpy.ndarray
        Known values, none above ``bins[-1]``.
    bins : numpy.ndarray
        Ascending upper bounds (:func:`fisher_jenks_breaks`).

    Returns
    -------
    numpy.ndarray
        int64 class index of each value.
    """
    return np.searchsorted(np.asarray(bins, dtype="f8"), np.asarray(values, dtype="f8"), side="left").astype(np.int64)


def ramp_colour(position: float, anchors: tuple[str, ...] = YLGNBU) -> str:
    """Hex colour at ``position`` (0-1) of the ramp through ``anchors``, as ``matplotlib.colors.to_hex(cmap(position))``.

    matplotlib interpolates the anchors linearly into a 256-entry table and takes entry
    ``int(position * 256)`` (the last one at 1.0); the hex rounds each channel of 0-1 to 0-255.

    Parameters
    ----------
    position : float
        Place on the ramp, clipped to [0, 1].
    anchors : tuple of str, default :data:`YLGNBU`
        Equally spaced ``#rrggbb`` anchors.

    Returns
    -------
    str
        ``#rrggbb``.
    """
    rgb = np.array([[int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)] for h in anchors])
    stops = np.linspace(0.0, 1.0, len(anchors))
    index = min(max(int(float(position) * _LUT_SIZE), 0), _LUT_SIZE - 1)
    at = np.linspace(0.0, 1.0, _LUT_SIZE)[index]
    channels = [float(np.interp(at, stops, rgb[:, c])) for c in range(3)]
    return "#" + "".join(f"{round(c * 255):02x}" for c in channels)
