"""Provenance of every input: what a report or map names in its sources footer."""

from __future__ import annotations

from dataclasses import asdict, dataclass


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

    def label(self) -> str:
        """One-line French label: ``name — vintage — licence (origin)``."""
        vintage = "millésime non précisé" if self.vintage.strip() == "non précisé" else self.vintage
        licence = "licence non précisée" if self.licence.strip() == "non précisée" else self.licence
        parts = [self.name, vintage, licence]
        text = " — ".join(p for p in parts if p)
        return f"{text} ({self.origin})" if self.origin else text
