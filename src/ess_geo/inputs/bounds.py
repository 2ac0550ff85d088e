"""Ranges of specialists from several sources: :class:`SupplyRange` and :class:`ContributingCount`.

Two quantities matter to the ESS rules: ``N``, the doctors of the specialty in **all modes of
practice** (the threshold of 10), and ``L``, the **libéral** doctors of the specialty (the base of
the 10 % and 50 % adherents). A source gives a count of one mode with a *bound*: ``exact``,
``upper`` (the source lumps the specialty with others) or ``lower`` (it leaves out doctors who may
belong to it). Each count constrains ``N`` and ``L`` (:func:`role_of`):

=====================  ===========================  ==============================
count                  on ``N`` (all modes)          on ``L`` (libéral)
=====================  ===========================  ==============================
all modes, exact       ``N = a``                     ``L ≤ a``
all modes, upper       ``N ≤ a``                     ``L ≤ a``
all modes, lower       ``N ≥ a``                     —
libéral, exact         ``N ≥ b``                     ``L = b``
libéral, lower         ``N ≥ b``                     ``L ≥ b``
libéral, upper         —                             ``L ≤ b``
salarié / bénévole     ``N ≥ c`` (exact, lower)      —
=====================  ===========================  ==============================

``low`` is the largest lower constraint (0 without any), ``high`` the smallest upper constraint
(None = unbounded). When ``low > high`` the sources disagree (different vintages): both figures
are kept and the range is *undetermined* (:attr:`SupplyRange.conflict`). A source missing some
départements of the territory still gives a lower bound (counts are non-negative) but no upper one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ess_geo._format import nombre

__all__ = [
    "BOUNDS",
    "RANGE_MODES",
    "ContributingCount",
    "SupplyRange",
    "combine_range",
    "decided",
    "empty_range",
    "role_of",
]

#: What a count says about its specialty.
BOUNDS = ("exact", "lower", "upper")
#: The two ranges a count of specialists carries: all modes of practice, libéral.
RANGE_MODES = ("tous", "liberal")

_BOUND_FR = {"exact": "exact", "lower": "minorant", "upper": "majorant"}
_MODE_FR = {"tous": "tous modes d'exercice", "liberal": "libéraux", "salarie": "salariés", "benevole": "bénévoles"}


def role_of(target: str, mode: str, bound: str) -> str | None:
    """Role (``exact``, ``lower``, ``upper`` or None) of a count of ``mode`` with ``bound`` in the ``target`` range.

    Parameters
    ----------
    target : {"tous", "liberal"}
        The range built: all modes (``N``) or libéral (``L``).
    mode : str
        Mode of practice of the count (``tous``, ``liberal``, ``salarie``, ``benevole``).
    bound : {"exact", "lower", "upper"}
        What the count is for the specialty.
    """
    if mode == target:
        return bound
    if target == "tous":
        return "lower" if bound in ("exact", "lower") else None  # a part of the doctors bounds N from below
    if mode == "tous":
        return "upper" if bound in ("exact", "upper") else None  # libéral doctors are some of all doctors
    return None  # salaried or volunteer doctors say nothing of the libéral ones


@dataclass(frozen=True)
class ContributingCount:
    """One source's count of the specialty on the territory, and what it says of a range.

    Attributes
    ----------
    source : str
        Source id (``drees_2022``, ``cnam_2018``) or the source name of a user file.
    label : str
        French label of the source (publisher, vintage).
    vintage : str
        Date the count refers to (ISO date for the embedded tables, the file's vintage otherwise).
    mode : str
        Mode of practice counted.
    bound : str
        ``exact``, ``lower`` or ``upper``: what the count is for the specialty.
    total : int
        Count on the territory (distinct doctors for RPPS supplies).
    by_departement : dict of str to int
        Count per département.
    missing : list of str
        Départements the source has no figure for (the count is then at most a lower bound).
    role : str
        What the count says of the range it contributes to: ``exact``, ``lower`` or ``upper``.
    """

    source: str
    label: str
    vintage: str
    mode: str
    bound: str
    total: int
    by_departement: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    role: str = "exact"

    def describe_fr(self) -> str:
        """``193 (tous modes d'exercice, majorant ; DREES …, 2022-01-01)``."""
        mode = _MODE_FR.get(self.mode, self.mode)
        part = " partiel" if self.missing else ""
        return f"{nombre(self.total)} ({mode}, {_BOUND_FR.get(self.bound, self.bound)}{part} ; {self.label}, {self.vintage})"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"source": self.source, "label": self.label, "vintage": self.vintage, "mode": self.mode,
                "bound": self.bound, "role": self.role, "total": self.total,
                "by_departement": dict(self.by_departement), "missing": list(self.missing)}


def combine_range(constraints: Iterable[tuple[str, int]]) -> tuple[int, int | None]:
    """``(low, high)`` from ``(role, value)`` constraints: max of the lower ones (0), min of the upper ones (None)."""
    constraints = list(constraints)
    lows = [v for role, v in constraints if role in ("exact", "lower")]
    highs = [v for role, v in constraints if role in ("exact", "upper")]
    return max(lows, default=0), min(highs, default=None)


@dataclass(frozen=True)
class SupplyRange:
    """Bounds of a count of specialists (all modes or libéral) on a territory, with the counts behind them.

    Attributes
    ----------
    mode : str
        ``tous`` (all modes, ``N``) or ``liberal`` (``L``).
    low : int
        Largest lower constraint (0 without any).
    high : int or None
        Smallest upper constraint; None when no source bounds it from above.
    low_by_departement, high_by_departement : dict of str to int (or None)
        The same per département.
    counts : list of ContributingCount
        Every count used, with its source, vintage, mode, bound and role.
    """

    mode: str
    low: int
    high: int | None
    low_by_departement: dict[str, int] = field(default_factory=dict)
    high_by_departement: dict[str, int | None] = field(default_factory=dict)
    counts: tuple[ContributingCount, ...] = ()

    @classmethod
    def build(cls, target: str, counts: Sequence[ContributingCount], departements: Sequence[str]) -> SupplyRange:
        """Combine ``counts`` (of any mode) into the ``target`` range (see the module table)."""
        used: list[ContributingCount] = []
        per_dep: dict[str, list[tuple[str, int]]] = {d: [] for d in departements}
        for c in counts:
            role = role_of(target, c.mode, c.bound)
            if role is None:
                continue
            for d in departements:
                if d not in c.missing:
                    per_dep[d].append((role, c.by_departement.get(d, 0)))
            if role in ("exact", "upper") and c.missing:
                role = "lower" if role == "exact" else None  # a partial count only bounds from below
            if role is not None:
                used.append(ContributingCount(c.source, c.label, c.vintage, c.mode, c.bound, c.total,
                                              dict(c.by_departement), list(c.missing), role))
        low, high = combine_range((c.role, c.total) for c in used)
        low_dep: dict[str, int] = {}
        high_dep: dict[str, int | None] = {}
        for d, constraints in per_dep.items():
            low_dep[d], high_dep[d] = combine_range(constraints)
        return cls(target, low, high, low_dep, high_dep, tuple(used))

    @property
    def exact(self) -> bool:
        """Whether the range is one figure (``low == high``)."""
        return self.high is not None and self.low == self.high

    @property
    def conflict(self) -> bool:
        """Whether the sources disagree (``low > high``): the figure is undetermined."""
        return self.high is not None and self.low > self.high

    def departement_conflicts(self) -> list[str]:
        """Départements whose own range is contradictory (``low > high``)."""
        return [d for d, lo in self.low_by_departement.items()
                if (hi := self.high_by_departement.get(d)) is not None and lo > hi]

    def label_fr(self) -> str:
        """``238``, ``entre 7 et 193``, ``au moins 7``, or both figures when the sources disagree."""
        if self.exact:
            return nombre(self.low)
        if self.high is None:
            return f"au moins {nombre(self.low)}"
        if self.conflict:
            return f"{nombre(self.low)} ou {nombre(self.high)} selon la source (sources discordantes)"
        return f"entre {nombre(self.low)} et {nombre(self.high)}"

    def departement_label_fr(self, code: str) -> str:
        """:meth:`label_fr` for one département."""
        lo, hi = self.low_by_departement.get(code, 0), self.high_by_departement.get(code)
        return SupplyRange(self.mode, lo, hi).label_fr()

    def sources_fr(self) -> str:
        """Every count used: ``193 (tous modes d'exercice, majorant ; DREES …, 2022-01-01) ; 7 (…)``."""
        return " ; ".join(c.describe_fr() for c in self.counts)

    def vintages(self) -> list[str]:
        """Distinct vintages of the counts used, in order."""
        return list(dict.fromkeys(c.vintage for c in self.counts))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "mode": self.mode,
            "low": self.low,
            "high": self.high,
            "exact": self.exact,
            "conflict": self.conflict,
            "low_by_departement": dict(self.low_by_departement),
            "high_by_departement": dict(self.high_by_departement),
            "counts": [c.to_dict() for c in self.counts],
        }


def empty_range(target: str, departements: Mapping[str, object] | Sequence[str]) -> SupplyRange:
    """A range with no count at all: ``[0, unbounded]``."""
    return SupplyRange(target, 0, None, dict.fromkeys(departements, 0), dict.fromkeys(departements))


def decided(low: int, high: int | None) -> bool:
    """Whether a département's count can be planned on: one figure, or two dated figures that disagree.

    With two figures the smaller one (the DREES figure of the tables) holds under both
    sources, so a group reaching 10 with it reaches 10 whatever the source. An upper bound alone
    (a lumped DREES group) cannot be planned on.
    """
    return high is not None and low >= high
