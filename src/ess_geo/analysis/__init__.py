"""Coverage, proposals, outreach, access, density: result objects built on the rules.

The submodules are imported here so that ``ess_geo.analysis.coverage.X`` resolves after a plain
``import ess_geo``.
"""

from ess_geo.analysis import access, coverage, density, outreach, proposals

__all__ = ["access", "coverage", "density", "outreach", "proposals"]
