"""ess_geo: check, map and plan Équipes de Soins Spécialisés (ESS) territories.

The public API, flat for notebook users (``ess_geo.check_territory``, ``ess_geo.load_supply``...).
The layers are subpackages, each importing only the ones before it: :mod:`~ess_geo.reference`
(embedded geography, codes, specialties) < :mod:`~ess_geo.inputs` (user and fetched files) <
:mod:`~ess_geo.rules` (the ESS rules) < :mod:`~ess_geo.analysis` (coverage, proposals, outreach,
access) < :mod:`~ess_geo.render` (maps, reports; its submodules load folium and matplotlib on first
use) < ``ess_geo.cli`` (the command line, not imported here).
"""

from importlib.metadata import PackageNotFoundError, version

from ess_geo import analysis, inputs, reference, render, rules
from ess_geo.analysis.access import AccessIndex, access_index
from ess_geo.analysis.compare import compare_territories
from ess_geo.analysis.density import supply_by
from ess_geo.analysis.proposals import Proposals, propose_territories
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

try:
    __version__ = version("ess-geo")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

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
