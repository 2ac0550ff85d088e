"""ess_geo: check, map and plan Équipes de Soins Spécialisés (ESS) territories.

The public API, flat for notebook users (``ess_geo.check_territory``, ``ess_geo.load_supply``...).
The layers are subpackages, each importing only the ones before it: :mod:`~ess_geo.reference`
(embedded geography, codes, specialties) < :mod:`~ess_geo.inputs` (user and fetched files) <
:mod:`~ess_geo.rules` (the ESS rules) < :mod:`~ess_geo.analysis` (coverage, proposals, outreach,
access) < :mod:`~ess_geo.render` (maps, reports; its submodules load folium and matplotlib on first
use) < ``ess_geo.cli`` (the command line, not imported here).

Everything is imported on first use (PEP 562 ``__getattr__``): ``import ess_geo`` loads only the
errors, so ``ess-geo --version`` and the commands that need no geography start without pandas or
geopandas; ``ess_geo.check_territory``, ``from ess_geo import load_supply`` and
``ess_geo.inputs.zonage`` import their module when first named (a test lists what a plain import
loads).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ess_geo.errors import (
    CrsError,
    DatasetError,
    EssGeoError,
    GeometryError,
    InputDataError,
    NotEssSpecialtyError,
    ProposalSearchTooLarge,
    SpecialtyError,
    UnknownCodeError,
    UnknownSpecialtyError,
)

if TYPE_CHECKING:  # the names as mypy and editors see them; at run time they are loaded on first use
    from ess_geo import analysis, inputs, reference, render, rules
    from ess_geo.analysis.access import AccessIndex, access_index
    from ess_geo.analysis.compare import compare_territories
    from ess_geo.analysis.density import supply_by
    from ess_geo.analysis.proposals import Proposals, propose_territories
    from ess_geo.inputs.embedded import load_embedded_supply
    from ess_geo.inputs.load import load_supply
    from ess_geo.inputs.registry import EssEntry, Registry, load_registry, merge_registries
    from ess_geo.inputs.rpps import load_rpps
    from ess_geo.inputs.supply import Supply, SupplyCount
    from ess_geo.inputs.zonage import load_zonage
    from ess_geo.reference.codes import (
        departement_name,
        departements_of_region,
        normalize_dep_code,
        normalize_region_code,
        parse_territory,
        region_name,
        resolve_departements,
    )
    from ess_geo.reference.geography import (
        load_adjacency,
        load_communes,
        load_communes_deleguees,
        load_departements,
        load_postal_codes,
        load_regions,
        neighbours,
        provenance,
    )
    from ess_geo.reference.specialties import Specialty, all_specialties, get_specialty, specialty_ids
    from ess_geo.rules.criteria import Criterion
    from ess_geo.rules.funding import FundingRule
    from ess_geo.rules.territory import TerritoryCheck, check_territory
    from ess_geo.rules.trajectory import AdherentPath, simulate_adherents
    from ess_geo.sources import Source

    __version__: str

#: Public name → module defining it, imported on first access.
_LAZY: dict[str, str] = {
    "AccessIndex": "ess_geo.analysis.access",
    "access_index": "ess_geo.analysis.access",
    "compare_territories": "ess_geo.analysis.compare",
    "supply_by": "ess_geo.analysis.density",
    "Proposals": "ess_geo.analysis.proposals",
    "propose_territories": "ess_geo.analysis.proposals",
    "load_embedded_supply": "ess_geo.inputs.embedded",
    "load_supply": "ess_geo.inputs.load",
    "EssEntry": "ess_geo.inputs.registry",
    "Registry": "ess_geo.inputs.registry",
    "load_registry": "ess_geo.inputs.registry",
    "merge_registries": "ess_geo.inputs.registry",
    "load_rpps": "ess_geo.inputs.rpps",
    "Supply": "ess_geo.inputs.supply",
    "SupplyCount": "ess_geo.inputs.supply",
    "load_zonage": "ess_geo.inputs.zonage",
    "departement_name": "ess_geo.reference.codes",
    "departements_of_region": "ess_geo.reference.codes",
    "normalize_dep_code": "ess_geo.reference.codes",
    "normalize_region_code": "ess_geo.reference.codes",
    "parse_territory": "ess_geo.reference.codes",
    "region_name": "ess_geo.reference.codes",
    "resolve_departements": "ess_geo.reference.codes",
    "load_adjacency": "ess_geo.reference.geography",
    "load_communes": "ess_geo.reference.geography",
    "load_communes_deleguees": "ess_geo.reference.geography",
    "load_departements": "ess_geo.reference.geography",
    "load_postal_codes": "ess_geo.reference.geography",
    "load_regions": "ess_geo.reference.geography",
    "neighbours": "ess_geo.reference.geography",
    "provenance": "ess_geo.reference.geography",
    "Specialty": "ess_geo.reference.specialties",
    "all_specialties": "ess_geo.reference.specialties",
    "get_specialty": "ess_geo.reference.specialties",
    "specialty_ids": "ess_geo.reference.specialties",
    "Criterion": "ess_geo.rules.criteria",
    "FundingRule": "ess_geo.rules.funding",
    "TerritoryCheck": "ess_geo.rules.territory",
    "check_territory": "ess_geo.rules.territory",
    "AdherentPath": "ess_geo.rules.trajectory",
    "simulate_adherents": "ess_geo.rules.trajectory",
    "Source": "ess_geo.sources",
}
#: Layers (subpackages) and base modules reachable as attributes, imported on first access.
_SUBPACKAGES = frozenset({"analysis", "inputs", "reference", "render", "rules", "dropped", "errors", "sources"})

__all__ = [
    "AccessIndex",
    "AdherentPath",
    "Criterion",
    "CrsError",
    "DatasetError",
    "EssEntry",
    "EssGeoError",
    "FundingRule",
    "GeometryError",
    "InputDataError",
    "NotEssSpecialtyError",
    "ProposalSearchTooLarge",
    "Proposals",
    "Registry",
    "Source",
    "Specialty",
    "SpecialtyError",
    "Supply",
    "SupplyCount",
    "TerritoryCheck",
    "UnknownCodeError",
    "UnknownSpecialtyError",
    "__version__",
    "access_index",
    "all_specialties",
    "analysis",
    "check_territory",
    "compare_territories",
    "departement_name",
    "departements_of_region",
    "get_specialty",
    "inputs",
    "load_adjacency",
    "load_communes",
    "load_communes_deleguees",
    "load_departements",
    "load_embedded_supply",
    "load_postal_codes",
    "load_regions",
    "load_registry",
    "load_rpps",
    "load_supply",
    "load_zonage",
    "merge_registries",
    "neighbours",
    "normalize_dep_code",
    "normalize_region_code",
    "parse_territory",
    "propose_territories",
    "provenance",
    "reference",
    "region_name",
    "render",
    "resolve_departements",
    "rules",
    "simulate_adherents",
    "specialty_ids",
    "supply_by",
]


def __getattr__(name: str) -> Any:
    """Import a public name, a layer or ``__version__`` on first access (PEP 562); cache it here."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"{__name__}.{name}")
    elif name == "__version__":
        value = _installed_version()
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _installed_version() -> str:
    """The installed distribution's version; ``0.0.0+unknown`` from a source tree without installation."""
    from importlib.metadata import PackageNotFoundError, version  # deferred: only ``__version__`` needs it

    try:
        return version("ess-geo")
    except PackageNotFoundError:
        return "0.0.0+unknown"
