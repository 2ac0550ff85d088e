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

Each submodule is imported on first attribute access (PEP 562), so that ``ess_geo.rules.criteria.X``
resolves after a plain ``import ess_geo`` without loading the layer's libraries before they are
needed.
"""

from __future__ import annotations

from ess_geo._lazy import submodule_loader

__all__ = [
    "adherents",
    "criteria",
    "derogations",
    "evidence",
    "finess_context",
    "funding",
    "multi",
    "territory",
    "territory_geo",
    "threshold",
    "trajectory",
]


__getattr__, __dir__ = submodule_loader(__name__, __all__)
