"""Coverage, proposals, outreach, access, density: result objects built on the rules.

The submodules are imported here so that ``ess_geo.analysis.coverage.X`` resolves after a plain
``import ess_geo``.
"""

from ess_geo.analysis import (
    access,
    access_e2sfca,
    access_supply,
    coverage,
    coverage_columns,
    coverage_groups,
    density,
    maxp,
    outreach,
    outreach_distances,
    outreach_result,
    outreach_sites,
    proposal_results,
    proposals,
    regional,
)

__all__ = [
    "access",
    "access_e2sfca",
    "access_supply",
    "coverage",
    "coverage_columns",
    "coverage_groups",
    "density",
    "maxp",
    "outreach",
    "outreach_distances",
    "outreach_result",
    "outreach_sites",
    "proposal_results",
    "proposals",
    "regional",
]
