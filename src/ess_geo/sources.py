"""Provenance of every input: what a report or map names in its sources footer."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Source"]


@dataclass(frozen=True)
class Source:
    """One data source used to compute a result.

    Attributes
    ----------
    name : str
        Human-readable name (French, shown to committees).
    vintage : str
        Date or edition of the data (``"COG 2025 (INSEE)"``, ``"non précisé"``...).
    licence : str
        Licence line.
    origin : str
        Where it came from: URL, package, or file path.
    """

    name: str
    vintage: str
    licence: str = "non précisée"
    origin: str = ""

    def to_dict(self) -> dict[str, str]:
        """Plain-dict form, for JSON output."""
        return asdict(self)

    @property
    def vintage_fr(self) -> str:
        """The vintage, or « millésime non précisé » when the source does not state it."""
        return "millésime non précisé" if self.vintage.strip() in ("", "non précisé", "millésime non précisé") else self.vintage

    @property
    def licence_fr(self) -> str:
        """The licence, or « licence non précisée » when unknown."""
        return "licence non précisée" if self.licence.strip() in ("", "non précisée") else self.licence

    def label(self) -> str:
        """One-line French label: ``name — vintage — licence (origin)``."""
        parts = [self.name, self.vintage_fr, self.licence_fr]
        text = " — ".join(p for p in parts if p)
        return f"{text} ({self.origin})" if self.origin else text
