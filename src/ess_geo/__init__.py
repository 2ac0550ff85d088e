"""ess_geo: check, map and plan Équipes de Soins Spécialisés (ESS) territories."""

from importlib.metadata import PackageNotFoundError, version

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
from ess_geo.geography import (
    departements_of_region,
    load_adjacency,
    load_communes,
    load_departements,
    load_postal_codes,
    load_regions,
    neighbours,
    normalize_dep_code,
    normalize_region_code,
    provenance,
)
from ess_geo.sources import Source

try:
    __version__ = version("ess-geo")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "CrsError",
    "DatasetError",
    "EssGeoError",
    "GeometryError",
    "InputDataError",
    "NotEssSpecialtyError",
    "Source",
    "SpecialtyError",
    "UnknownCodeError",
    "UnknownSpecialtyError",
    "__version__",
    "departements_of_region",
    "load_adjacency",
    "load_communes",
    "load_departements",
    "load_postal_codes",
    "load_regions",
    "neighbours",
    "normalize_dep_code",
    "normalize_region_code",
    "provenance",
]
