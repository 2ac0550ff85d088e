"""User and fetched files → tidy frames plus what could not be read.

:mod:`~ess_geo.inputs.supply` (the Supply model) and :mod:`~ess_geo.inputs.bounds` (ranges from several
sources), :mod:`~ess_geo.inputs.embedded` (the embedded supply), :mod:`~ess_geo.inputs.load` (``load_supply``),
:mod:`~ess_geo.inputs.drees` and :mod:`~ess_geo.inputs.rpps` / :mod:`~ess_geo.inputs.rpps_file`
(supply readers), :mod:`~ess_geo.inputs.zonage` / :mod:`~ess_geo.inputs.zonage_match` (doctors'
zonage), :mod:`~ess_geo.inputs.registry` / :mod:`~ess_geo.inputs.registry_entry` /
:mod:`~ess_geo.inputs.registry_file` (existing ESS, dated perimeters) and :mod:`~ess_geo.inputs.datasets`
(fetch-and-cache of the open data), :mod:`~ess_geo.inputs.parse_cache` (files parsed once, reused from a
Parquet cache). The submodules are imported here so that
``ess_geo.inputs.zonage.load_zonage`` resolves after ``import ess_geo``.
"""

from ess_geo.inputs import (
    bounds,
    datasets,
    drees,
    embedded,
    load,
    parse_cache,
    registry,
    registry_entry,
    registry_file,
    rpps,
    rpps_file,
    supply,
    zonage,
    zonage_match,
)

__all__ = [
    "bounds",
    "datasets",
    "drees",
    "embedded",
    "load",
    "parse_cache",
    "registry",
    "registry_entry",
    "registry_file",
    "rpps",
    "rpps_file",
    "supply",
    "zonage",
    "zonage_match",
]
