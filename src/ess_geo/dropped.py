"""Accounting of input rows a loader could not use: nothing is lost silently."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["DroppedRows"]

_SAMPLE_SIZE = 20


@dataclass
class DroppedRows:
    """Rows a loader skipped, with the reason for each.

    Attributes
    ----------
    count : int
        Number of rows skipped.
    by_reason : collections.Counter
        Count per reason (short French phrase shown to users, e.g. ``"code département inconnu"``).
    sample : list of dict
        The first rows skipped: ``{"line": int | None, "reason": str, "row": dict | str | None}``.
    unit : str
        French noun of what is counted, singular and feminine (``"ligne"``, ``"valeur"``): a reader
        that skips single cells says so.
    hidden : tuple of str
        Fields never kept in ``sample`` (set by :meth:`hide`, e.g. the RPPS identifier of a
        doctor); when set, a row given as raw text (not a mapping) is not kept either: the line
        number and the reason remain.
    """

    count: int = 0
    by_reason: Counter = field(default_factory=Counter)
    sample: list[dict] = field(default_factory=list)
    unit: str = "ligne"
    hidden: tuple[str, ...] = ()

    def add(self, reason: str, *, line: int | None = None, row: object = None, n: int = 1) -> None:
        """Record ``n`` skipped rows for ``reason`` (the first ones are kept as samples, without hidden fields)."""
        self.count += n
        self.by_reason[reason] += n
        if len(self.sample) < _SAMPLE_SIZE:
            self.sample.append({"line": line, "reason": reason, "row": self._shown(row)})

    def hide(self, fields: tuple[str, ...]) -> None:
        """Never keep ``fields`` in the samples: removed from those kept so far and from every later one.

        Parameters
        ----------
        fields : tuple of str
            Keys of a sample row that identify a person (an RPPS number...).
        """
        self.hidden = tuple(dict.fromkeys((*self.hidden, *fields)))
        for item in self.sample:
            item["row"] = self._shown(item["row"])

    def _shown(self, row: object) -> object:
        """``row`` as a sample keeps it: without the hidden fields (raw text dropped when some are hidden)."""
        if not self.hidden or row is None:
            return row
        if isinstance(row, dict):
            return {k: v for k, v in row.items() if k not in self.hidden}
        return None

    def extend(self, other: DroppedRows) -> None:
        """Merge another report into this one (its samples lose this report's hidden fields too)."""
        self.count += other.count
        self.by_reason.update(other.by_reason)
        for item in other.sample[: max(0, _SAMPLE_SIZE - len(self.sample))]:
            self.sample.append({**item, "row": self._shown(item["row"])})

    def __bool__(self) -> bool:
        return self.count > 0

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"count": self.count, "by_reason": dict(self.by_reason), "sample": self.sample}

    def summary_fr(self) -> str:
        """One French line: ``"3 lignes ignorées (2 code inconnu, 1 valeur non numérique)"``."""
        if not self.count:
            return f"aucune {self.unit} ignorée"
        detail = ", ".join(f"{n} {reason}" for reason, n in self.by_reason.most_common())
        plural = " ".join(w if w in ("ou", "et") else w + "s" for w in self.unit.split())
        noun = f"{self.unit} ignorée" if self.count == 1 else f"{plural} ignorées"
        return f"{self.count} {noun} ({detail})"
