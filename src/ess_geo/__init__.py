"""ess_geo: check, map and plan Équipes de Soins Spécialisés (ESS) territories."""

from importlib.metadata import PackageNotFoundError, version

from ess_geo.analysis.access import AccessIndex, access_index
from ess_geo.analysis.density import supply_by
from ess_geo.analysis.proposals import Proposals, propose_territories
from ess_geo.errors import (
    CrsError,
    DatasetError,
    EssGeoError,
    GeometryError,
    InputDataError,
    NotEssSpecialtyError,
    SpecialtyError,
    UnknownCodeError,
    UnknownSpecialtyError,
)
from ess_geo.inputs.registry import EssEntry, Registry, load_registry
from ess_geo.inputs.rpps import load_rpps
from ess_geo.inputs.supply import Supply, SupplyCount, load_supply
from ess_geo.reference.codes import departements_of_region, normalize_dep_code, normalize_region_code
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
    "check_territory",
    "departements_of_region",
    "get_specialty",
    "load_adjacency",
    "load_communes",
    "load_communes_deleguees",
    "load_departements",
    "load_postal_codes",
    "load_regions",
    "load_registry",
    "load_rpps",
    "load_supply",
    "neighbours",
    "normalize_dep_code",
    "normalize_region_code",
    "propose_territories",
    "provenance",
    "simulate_adherents",
    "specialty_ids",
    "supply_by",
]
