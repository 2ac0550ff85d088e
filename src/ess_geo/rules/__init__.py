"""The ESS rules: pure functions returning evidence (criteria), check_territory, the 5-year trajectory.

The submodules are imported here so that ``ess_geo.rules.criteria.X`` resolves after a plain
``import ess_geo``.
"""

from ess_geo.rules import criteria, territory, trajectory

__all__ = ["criteria", "territory", "trajectory"]
