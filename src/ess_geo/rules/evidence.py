"""The evidence of each ESS rule, typed: one :class:`~typing.TypedDict` per criterion.

:attr:`ess_geo.rules.criteria.Criterion.evidence` holds one of these dictionaries (JSON-ready,
plain ``dict`` at run time); the keys present in each are those listed, in the order
``ess-geo check --json`` prints them.
"""

from __future__ import annotations

from typing import TypedDict

__all__ = [
    "AdherentsEvidence",
    "ContiguityEvidence",
    "FundingEvidence",
    "OverlapEvidence",
    "PerimeterEvidence",
    "SpecialtyEvidence",
    "ThresholdEvidence",
]


class SpecialtyEvidence(TypedDict, total=False):
    """Evidence of :func:`~ess_geo.rules.criteria.rule_specialty`."""

    input: str
    id: str
    label: str
    drees_group: str


class PerimeterEvidence(TypedDict, total=False):
    """Evidence of :func:`~ess_geo.rules.criteria.rule_perimeter`."""

    departements: list[str]
    regions: dict[str, list[str]]
    from_region: str | None
    communes: list[str]


class ContiguityEvidence(TypedDict):
    """Evidence of :func:`~ess_geo.rules.criteria.rule_contiguity`."""

    pieces: list[list[str]]
    n_pieces: int


class OverlapEvidence(TypedDict):
    """Evidence of :func:`~ess_geo.rules.criteria.rule_overlap`: the ESS of the same specialty sharing départements."""

    ess: list[dict[str, object]]
    specialty: str
    unregistered: list[str]
    as_of: str | None


class ThresholdEvidence(TypedDict, total=False):
    """Evidence of :func:`~ess_geo.rules.threshold.rule_threshold` (the keys present depend on what was counted)."""

    total: int | None
    by_departement: dict[str, int]
    exact: bool
    available: bool
    basis: str
    missing: list[str]
    missing_reasons: dict[str, str]
    minimum: int
    source: str
    mode: str
    population_counted: str
    inhabitants: int | None
    density_per_100k: float | None
    multi_departement: int
    low: int
    high: int | None
    conflict: bool
    counts: list[dict[str, object]]


class AdherentsEvidence(TypedDict, total=False):
    """Evidence of :func:`~ess_geo.rules.adherents.rule_adherents`."""

    adherents: int | None
    minimum_share: float
    target_share_5y: float
    specialists: int | None
    exact: bool
    needed_now: int | None
    needed_5y: int | None
    share: float | None
    impossible: bool
    base: str
    low: int
    high: int | None
    conflict: bool
    needed_now_range: list[int | None]
    needed_5y_range: list[int | None]
    counts: list[dict[str, object]]
    cpam_practice: dict[str, object]
    missing: list[str]
    missing_reasons: dict[str, str]


class FundingEvidence(TypedDict, total=False):
    """Evidence of :func:`~ess_geo.rules.funding.rule_funding`."""

    startup_credit_eur: int
    yearly_range_eur: list[int]
    published_points: list[list[int]]
    rule: str
    source: str
    indicative: bool
    size: int
    yearly_eur: int | None
    interpolated: bool
    size_at_5y_target: int
    yearly_eur_at_5y_target: int | None
    interpolated_at_5y_target: bool
