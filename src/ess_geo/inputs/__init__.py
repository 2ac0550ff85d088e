"""User and fetched files → tidy frames plus what could not be read.

:mod:`~ess_geo.inputs.supply` (the Supply model) and :mod:`~ess_geo.inputs.bounds` (ranges from several
sources), :mod:`~ess_geo.inputs.embedded` (the embedded supply), :mod:`~ess_geo.inputs.load` (``load_supply``),
:mod:`~ess_geo.inputs.drees` and :mod:`~ess_geo.inputs.rpps` / :mod:`~ess_geo.inputs.rpps_file`
(supply readers), :mod:`~ess_geo.inputs.zonage` / :mod:`~ess_geo.inputs.zonage_match` (doctors'
zonage), :mod:`~ess_geo.inputs.registry` / :mod:`~ess_geo.inputs.registry_entry` /
:mod:`~ess_geo.inputs.registry_file` (existing ESS, dated perimeters) and :mod:`~ess_geo.inputs.datasets`
(fetch-and-cache of the open data), :mod:`~ess_geo.inputs.parse_cache` (files parsed once, reused from a
Parquet cache). Each submodule is imported on first attribute access (PEP 562),
so that ``ess_geo.inputs.zonage.load_zonage`` resolves after a plain ``import ess_geo`` without
loading the layer's libraries before they are needed.
"""

from __future__ import annotations

from ess_geo._lazy import submodule_loader

__all__ = [
    "bounds",
    "dataset_cache",
    "dataset_catalogue",
    "datasets",
    "drees",
    "embedded",
    "finess",
    "load",
    "parse_cache",
    "persons_index",
    "registry",
    "registry_entry",
    "registry_file",
    "rpps",
    "rpps_file",
    "supply",
    "supply_index",
    "zonage",
    "zonage_match",
]


__getattr__, __dir__ = submodule_loader(__name__, __all__)
