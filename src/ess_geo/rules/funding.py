"""Indicative funding of an ESS: the start-up credit, the yearly allocation by size, :func:`rule_funding`.

What is published (CSMF, :data:`FUNDING_SOURCE_URL`): « un crédit d'amorçage de 80 000 euros sera
versé, ainsi qu'une dotation annuelle de fonctionnement de 50 000 euros (pour dix médecins) jusqu'à
100 000 euros (de 100 médecins à plus) ». Hence two **published points**: 50,000 € a year for 10
member doctors and 100,000 € from 100 doctors on. Nothing is published in between nor below 10
doctors:

* between 10 and 100 doctors, :class:`FundingRule` gives the tool's own **linear interpolation**,
  always marked as such (:attr:`Allocation.interpolated`, « interpolation linéaire de l'outil ») ;
* below 10 doctors it gives **no value** (:attr:`Allocation.eur` is None) and says so.

The ``funding`` criterion is informational: it never decides admissibility (it is not in
:data:`~ess_geo.rules.criteria.DECIDING`); the ARS decides the amounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ess_geo._format import euros, plural
from ess_geo.inputs.supply import SupplyCount
from ess_geo.rules.adherents import adherents_needed, liberal_range
from ess_geo.rules.criteria import MIN_SPECIALISTS, TARGET_ADHERENT_SHARE_5Y, WARN, Criterion
from ess_geo.rules.evidence import FundingEvidence

__all__ = [
    "FUNDING_SOURCE_URL",
    "INTERPOLATED_FR",
    "NO_PUBLISHED_VALUE_FR",
    "STARTUP_CREDIT_EUR",
    "YEARLY_ALLOCATION_EUR",
    "Allocation",
    "FundingRule",
    "rule_funding",
]

#: Where the amounts are published (CSMF, « Équipes de soins spécialisés : la force du collectif »).
FUNDING_SOURCE_URL = "https://www.csmf.org/le-texte/equipes-de-soins-specialises-la-force-du-collectif/"
#: Start-up credit paid after the letter of intent (€).
STARTUP_CREDIT_EUR = 80_000
#: Published end points of the yearly allocation (€): for 10 doctors, and from 100 doctors on.
YEARLY_ALLOCATION_EUR = (50_000, 100_000)
#: French mark of a value interpolated by the tool (not published).
INTERPOLATED_FR = "interpolation linéaire de l'outil, valeur non publiée"
#: French statement for a size below the first published point.
NO_PUBLISHED_VALUE_FR = f"aucune valeur publiée en dessous de {MIN_SPECIALISTS} médecins"


@dataclass(frozen=True)
class Allocation:
    """Yearly allocation of an ESS of ``size`` member doctors, with how it was obtained.

    Attributes
    ----------
    size : int
        Member doctors.
    eur : int or None
        Yearly allocation (€); None below the first published point (no published value).
    interpolated : bool
        True when ``eur`` is the tool's linear interpolation between the published points.
    """

    size: int
    eur: int | None
    interpolated: bool

    @property
    def published(self) -> bool:
        """Whether ``eur`` is a published value (one of the published points)."""
        return self.eur is not None and not self.interpolated

    def text_fr(self) -> str:
        """French text: ``"environ 61 000 €/an (interpolation linéaire de l'outil, valeur non publiée)"``."""
        if self.eur is None:
            return NO_PUBLISHED_VALUE_FR
        if self.interpolated:
            return f"environ {euros(self.eur)}/an ({INTERPOLATED_FR})"
        return f"{euros(self.eur)}/an (valeur publiée)"


@dataclass(frozen=True)
class FundingRule:
    """Yearly allocation by size: the published points, and a linear interpolation between them.

    The defaults are the published points (CSMF): ``min_eur`` for ``size_at_min`` doctors,
    ``max_eur`` from ``size_at_max`` doctors on. In between the value is the tool's linear
    interpolation (rounded to 1,000 €), marked as such; below ``size_at_min`` there is no value.
    The points are parameters so that an ARS can plug in its own.
    """

    min_eur: int = YEARLY_ALLOCATION_EUR[0]
    max_eur: int = YEARLY_ALLOCATION_EUR[1]
    size_at_min: int = MIN_SPECIALISTS
    size_at_max: int = 100
    source_url: str = FUNDING_SOURCE_URL

    @property
    def published_points(self) -> list[list[int]]:
        """``[[10, 50000], [100, 100000]]``: (doctors, € a year) of each published point."""
        return [[self.size_at_min, self.min_eur], [self.size_at_max, self.max_eur]]

    def allocation(self, size: int) -> Allocation:
        """The yearly allocation for ``size`` member doctors, marked interpolated or absent."""
        if size < self.size_at_min:
            return Allocation(size, None, False)
        if size == self.size_at_min:
            return Allocation(size, self.min_eur, False)
        if size >= self.size_at_max:
            return Allocation(size, self.max_eur, False)
        t = (size - self.size_at_min) / max(1, self.size_at_max - self.size_at_min)
        return Allocation(size, int(round((self.min_eur + t * (self.max_eur - self.min_eur)) / 1000) * 1000), True)

    def yearly(self, size: int) -> int | None:
        """Yearly allocation (€) for ``size`` member doctors; None below the first published point."""
        return self.allocation(size).eur

    def total(self, sizes: Iterable[int]) -> tuple[int, bool, int]:
        """Sum of the allocations of several ESS: (€, whether a part is interpolated, ESS without a published value).

        The ESS below the first published point have no value: they are left out of the sum and
        counted in the third item.
        """
        allocs = [self.allocation(n) for n in sizes]
        known = [a for a in allocs if a.eur is not None]
        return sum(a.eur or 0 for a in known), any(a.interpolated for a in known), len(allocs) - len(known)

    def describe_fr(self) -> str:
        """French statement of the rule, naming what is published and what is the tool's."""
        return (
            f"valeurs publiées (CSMF) : {euros(self.min_eur)} par an pour {self.size_at_min} médecins, "
            f"{euros(self.max_eur)} à partir de {self.size_at_max} ; entre les deux, interpolation linéaire de "
            f"l'outil (non publiée) ; {NO_PUBLISHED_VALUE_FR}"
        )


def _liberal_total(count: SupplyCount | None) -> int | None:
    """The libéral doctors of the specialty when known as one figure (the adherents' base), else None."""
    rng = liberal_range(count) if count is not None else None
    return rng.low if rng is not None and rng.exact else None


def _size_evidence(evidence: FundingEvidence, alloc: Allocation, count: SupplyCount | None, rule: FundingRule) -> str:
    """Fill the evidence of a known size; the French text of the size and of the 5-year target."""
    evidence["size"], evidence["yearly_eur"], evidence["interpolated"] = alloc.size, alloc.eur, alloc.interpolated
    text = f"pour {plural(alloc.size, 'médecin membre', 'médecins membres')} : {alloc.text_fr()}"
    liberal = _liberal_total(count)
    if count is not None and liberal is not None and count.available:
        # the 5-year target is 50 % of the libéral doctors (the adherents' base); members never decrease towards it
        target = rule.allocation(max(alloc.size, adherents_needed(liberal, TARGET_ADHERENT_SHARE_5Y)))
        evidence["size_at_5y_target"] = target.size
        evidence["yearly_eur_at_5y_target"] = target.eur
        evidence["interpolated_at_5y_target"] = target.interpolated
        text += f" ; à l'objectif de 50 % à 5 ans ({plural(target.size, 'médecin')}) : {target.text_fr()}"
    return text


def rule_funding(adherents: int | None, count: SupplyCount | None, rule: FundingRule | None = None) -> Criterion:
    """Start-up credit and yearly allocation implied by the size of the ESS (indicative).

    The size is the number of member doctors (adherents) when given, else the published range
    only. Evidence: ``published_points``, ``source``, and for a size ``yearly_eur`` (None below
    10 doctors) with ``interpolated``.
    """
    rule = rule or FundingRule()
    evidence: FundingEvidence = {
        "startup_credit_eur": STARTUP_CREDIT_EUR,
        "yearly_range_eur": [rule.min_eur, rule.max_eur],
        "published_points": rule.published_points,
        "rule": rule.describe_fr(),
        "source": rule.source_url,
        "indicative": True,
    }
    base = (
        f"Crédit d'amorçage {euros(STARTUP_CREDIT_EUR)} après la lettre d'intention ; dotation annuelle publiée : "
        f"{euros(rule.min_eur)} pour {rule.size_at_min} médecins, {euros(rule.max_eur)} à partir de {rule.size_at_max}"
    )
    if adherents is None:
        return Criterion(
            "funding", WARN, base + f" (entre les deux : aucune valeur publiée ; montants à confirmer par l'ARS ; source : {rule.source_url}).",
            evidence,
        )
    text = _size_evidence(evidence, rule.allocation(adherents), count, rule)
    return Criterion("funding", WARN, f"{base} ; {text} (montants à confirmer par l'ARS ; source : {rule.source_url}).", evidence)
