"""A whole région as one ESS territory: :func:`regional_territory`.

The sources allow an ESS territory from one département up to « la totalité de la région ». This
module checks the second end: the région's départements as a single territory, with the rules'
own :func:`~ess_geo.rules.territory.check_territory` and the verdict of
:func:`~ess_geo.rules.criteria.verdict` (adherents left out: unknown at planning time). It is
what the coverage reports show as « ESS régionale possible » (oui / non / indéterminé) and what
``ess-geo propose --objective regional`` proposes.

A région is possible when its départements are contiguous, none of them is covered by an ESS of
the specialty (registry statuses ``active`` and ``projet``) and at least 10 specialists practise
there; « indéterminé » when a count is unknown or only an upper bound (DREES group lumping
several specialties, or no supply).
"""

from __future__ import annotations

from dataclasses import dataclass

from ess_geo.inputs.registry import Registry
from ess_geo.inputs.supply import Supply
from ess_geo.reference import codes
from ess_geo.reference.specialties import Specialty
from ess_geo.rules.criteria import problems, verdict
from ess_geo.rules.territory import TerritoryCheck, check_territory

__all__ = ["REGIONAL_FR", "RegionalTerritory", "regional_territory"]

#: French word of :attr:`RegionalTerritory.possible`.
REGIONAL_FR = {True: "oui", False: "non", None: "indéterminé"}
#: Criteria left out of the regional verdict: the adherents are unknown when planning.
_IGNORED = ("adherents",)


@dataclass
class RegionalTerritory:
    """A région checked as one ESS territory.

    Attributes
    ----------
    region : str
        Région code.
    check : TerritoryCheck
        The full :func:`~ess_geo.rules.territory.check_territory` result of its départements.
    """

    region: str
    check: TerritoryCheck

    @property
    def possible(self) -> bool | None:
        """The verdict without adherents: True (admissible), False, or None (indéterminé)."""
        return verdict(self.check.criteria, ignore=_IGNORED)

    @property
    def possible_fr(self) -> str:
        """``"oui"``, ``"non"`` or ``"indéterminé"``."""
        return REGIONAL_FR[self.possible]

    @property
    def reasons_fr(self) -> list[str]:
        """French messages of the criteria that fail or are undetermined (empty when possible)."""
        return [c.message for c in problems(self.check.criteria, ignore=_IGNORED)]

    @property
    def label_fr(self) -> str:
        """``"Région Bretagne (53)"``."""
        return f"Région {codes.region_name(self.region)} ({self.region})"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "region": self.region,
            "possible": self.possible,
            "possible_fr": self.possible_fr,
            "reasons": self.reasons_fr,
            "check": self.check.to_dict(),
        }


def regional_territory(
    specialty: str | Specialty, region: str, supply: Supply | None, registry: Registry | None = None
) -> RegionalTerritory:
    """Check the whole ``region`` as one ESS territory of ``specialty``.

    Parameters
    ----------
    specialty : str or Specialty
        The specialty.
    region : str
        Région code.
    supply : Supply or None
        Specialist counts; without them the threshold is unknown (« indéterminé »).
    registry : Registry, optional
        Existing ESS; default the embedded registry.

    Returns
    -------
    RegionalTerritory

    Raises
    ------
    UnknownCodeError
        For an unknown région code.
    """
    return RegionalTerritory(region, check_territory(specialty, region=region, supply=supply, registry=registry, embedded_supply=False))
