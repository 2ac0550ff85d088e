"""Fisher-Jenks breaks and the YlGnBu ramp with numpy: the very classes and colours mapclassify and matplotlib give."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ess_geo
from ess_geo.render.breaks import YLGNBU, classify, fisher_jenks_breaks, ramp_colour
from ess_geo.render.mapspec import map_density

#: mapclassify 2.10.0 ``FisherJenks(y, k=5).bins`` on the cardiology densities of the 100
#: départements of known population (embedded supply, DREES 2022 / COG 2025), recorded on 2026-12-02
#: so that the comparison holds where mapclassify (a test-only dependency) is not installed.
CARDIOLOGIE_BINS_MAPCLASSIFY = [5.6462882712476885, 9.371423484084394, 13.140235845086954, 17.73573459041322,
                                30.993917329439743]


def _real_densities() -> dict[str, np.ndarray]:
    """Density per 100,000 of every specialty of the embedded supply, per département (as the maps compute it)."""
    table = ess_geo.supply_by(ess_geo.load_embedded_supply(), level="departement")
    out = {}
    for spec, part in table.groupby("specialty"):
        y = np.array([map_density(c, p) for c, p in zip(part["n_specialists"], part["population"], strict=True)])
        out[str(spec)] = y[~np.isnan(y)]
    return out


def test_breaks_equal_the_recorded_mapclassify_breaks_on_real_densities():
    y = _real_densities()["cardiologie"]
    assert y.size == 100
    assert fisher_jenks_breaks(y, 5).tolist() == CARDIOLOGIE_BINS_MAPCLASSIFY


def test_breaks_and_classes_equal_mapclassify_on_every_real_specialty_and_region():
    mapclassify = pytest.importorskip("mapclassify")
    samples = list(_real_densities().values())
    table = ess_geo.supply_by(ess_geo.load_embedded_supply(), level="departement")
    regions = {d: ess_geo.reference.codes.region_of(d) for d in table["code"].unique()}
    for _, part in table.assign(region=table["code"].map(regions)).groupby(["specialty", "region"]):
        y = np.array([map_density(c, p) for c, p in zip(part["n_specialists"], part["population"], strict=True)])
        samples.append(y[~np.isnan(y)])
    rng = np.random.default_rng(14)
    samples += [rng.integers(0, 6, int(n)).astype(float) for n in rng.integers(2, 102, 60)]  # many ties
    compared = 0
    for y in samples:
        for k in range(2, min(7, np.unique(y).size) + 1):
            with warnings.catch_warnings():  # "Numba not installed"
                warnings.simplefilter("ignore", UserWarning)
                expected = mapclassify.FisherJenks(y, k=k)
            bins = fisher_jenks_breaks(y, k)
            assert bins.tolist() == np.asarray(expected.bins).tolist(), (y.tolist(), k)
            assert classify(y, bins).tolist() == np.asarray(expected.yb).tolist()
            compared += 1
    assert compared > 500


def test_breaks_refuse_more_classes_than_distinct_values():
    with pytest.raises(ValueError, match="3 classes from 2 distinct values"):
        fisher_jenks_breaks(np.array([1.0, 1.0, 2.0]), 3)


def test_one_class_is_the_maximum_and_classes_are_right_closed():
    assert fisher_jenks_breaks(np.array([3.0, 1.0, 2.0]), 1).tolist() == [3.0]
    assert classify(np.array([1.0, 2.0, 2.5, 4.0]), np.array([2.0, 4.0])).tolist() == [0, 0, 1, 1]


def test_ramp_equals_matplotlib_colormap():
    mpl = pytest.importorskip("matplotlib")
    cmap = mpl.colormaps["YlGnBu"]
    positions = [*np.linspace(0, 1, 257), *(0.15 + 0.75 * i / max(n - 1, 1) for n in range(1, 10) for i in range(n))]
    assert [ramp_colour(p) for p in positions] == [mpl.colors.to_hex(cmap(p)) for p in positions]
    assert ramp_colour(0.0) == YLGNBU[0] and ramp_colour(1.0) == YLGNBU[-1]
