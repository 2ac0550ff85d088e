"""Indicative funding of an ESS: the start-up credit, the yearly allocation scale, :func:`rule_funding`.

The guidance fixes the start-up credit (paid after the letter of intent) and a yearly allocation
of 50,000 to 100,000 € by size; :class:`FundingRule` is ess_geo's indicative scale between the
two (not an official one: the ARS decides). The ``funding`` criterion is informational: it never
decides admissibility (it is not in :data:`~ess_geo.rules.criteria.DECIDING`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ess_geo._format import euros, plural
from ess_geo.inputs.supply import SupplyCount
from ess_geo.rules.adherents import adherents_needed
from ess_geo.rules.criteria import MIN_SPECIALISTS, TARGET_ADHERENT_SHARE_5Y, WARN, Criterion
from ess_geo.rules.evidence import FundingEvidence

__all__ = ["STARTUP_CREDIT_EUR", "YEARLY_ALLOCATION_EUR", "FundingRule", "rule_funding"]

#: Start-up credit paid after the letter of intent (€).
STARTUP_CREDIT_EUR = 80_000
#: Range of the yearly allocation (€), by size of the ESS.
YEARLY_ALLOCATION_EUR = (50_000, 100_000)


@dataclass(frozen=True)
class FundingRule:
    """Indicative yearly allocation by size: linear between two sizes, clamped to the range.

    This is *not* an official scale: the guidance only says 50,000–100,000 € a year by size.
    The breakpoints are parameters so that an ARS can plug in its own scale.
    """

    min_eur: int = YEARLY_ALLOCATION_EUR[0]
    max_eur: int = YEARLY_ALLOCATION_EUR[1]
    size_at_min: int = MIN_SPECIALISTS
    size_at_max: int = 100

    def yearly(self, size: int) -> int:
        """Indicative yearly allocation (€) for an ESS of ``size`` member doctors, rounded to 1,000 €."""
        span = max(1, self.size_at_max - self.size_at_min)
        t = min(1.0, max(0.0, (size - self.size_at_min) / span))
        return int(round((self.min_eur + t * (self.max_eur - self.min_eur)) / 1000) * 1000)

    def describe_fr(self) -> str:
        """French statement of the rule."""
        return (
            f"règle indicative ess_geo : {euros(self.min_eur)} jusqu'à {self.size_at_min} médecins membres, "
            f"{euros(self.max_eur)} à partir de {self.size_at_max}, linéaire entre les deux"
        )


def rule_funding(adherents: int | None, count: SupplyCount | None, rule: FundingRule | None = None) -> Criterion:
    """Start-up credit and yearly allocation implied by the size of the ESS (indicative).

    The size is the number of member doctors (adherents) when given, else the range only.
    """
    rule = rule or FundingRule()
    evidence: FundingEvidence = {
        "startup_credit_eur": STARTUP_CREDIT_EUR,
        "yearly_range_eur": list(YEARLY_ALLOCATION_EUR),
        "rule": rule.describe_fr(),
        "indicative": True,
    }
    lo, hi = (euros(v) for v in YEARLY_ALLOCATION_EUR)
    base = f"Crédit d'amorçage {euros(STARTUP_CREDIT_EUR)} après la lettre d'intention ; dotation annuelle de {lo} à {hi} selon la taille"
    if adherents is not None:
        yearly = rule.yearly(adherents)
        evidence["size"], evidence["yearly_eur"] = adherents, yearly
        msg = f"{base} ; pour {plural(adherents, 'médecin membre', 'médecins membres')} : environ {euros(yearly)}/an"
        if count is not None and count.exact and count.available:
            # members never decrease towards the target: the 5-year size is at least today's
            full = rule.yearly(max(adherents, adherents_needed(count.total, TARGET_ADHERENT_SHARE_5Y)))
            evidence["yearly_eur_at_5y_target"] = full
            msg += f" ; à l'objectif de 50 % à 5 ans : environ {euros(full)}/an"
        return Criterion("funding", WARN, msg + f" ({rule.describe_fr()}, à confirmer par l'ARS).", evidence)
    return Criterion("funding", WARN, base + " (montants indicatifs, à confirmer par l'ARS).", evidence)
