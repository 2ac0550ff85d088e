"""The ESS rules: pure functions returning evidence, and the checks built on them.

- :mod:`~ess_geo.rules.criteria`: one function per ESS rule, :class:`~ess_geo.rules.criteria.Criterion`,
  the verdict drawn from criteria, the floor and the French status words and labels;
- :mod:`~ess_geo.rules.threshold`: the threshold rule (all-modes range of doctors);
- :mod:`~ess_geo.rules.adherents`: the adherents rule (libéral range, CPAM practice);
- :mod:`~ess_geo.rules.evidence`: the typed evidence of each criterion;
- :mod:`~ess_geo.rules.funding`: the indicative funding rule;
- :mod:`~ess_geo.rules.multi`: several specialties in one ESS (totals, combined criteria);
- :mod:`~ess_geo.rules.territory`: :func:`~ess_geo.rules.territory.check_territory`;
- :mod:`~ess_geo.rules.trajectory`: the five-year trajectory of adherents.

The submodules are imported here so that ``ess_geo.rules.criteria.X`` resolves after a plain
``import ess_geo``.
"""

from ess_geo.rules import (
    adherents,
    criteria,
    derogations,
    evidence,
    finess_context,
    funding,
    multi,
    territory,
    threshold,
    trajectory,
)

__all__ = [
    "adherents",
    "criteria",
    "derogations",
    "evidence",
    "finess_context",
    "funding",
    "multi",
    "territory",
    "threshold",
    "trajectory",
]
