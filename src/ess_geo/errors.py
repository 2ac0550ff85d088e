"""The error hierarchy of ess_geo: every exception the package raises is defined here.

Exceptions are for *unusable input* only. A broken ESS rule is a result (a criterion with
status ``fail`` and its evidence), never an exception.

Every error carries an English message (``str(exc)``) and a one-line French message
(``exc.fr``) that the CLI prints on stderr before exiting with code 2. :class:`EssGeoError` is
also a :class:`ValueError`, so ``except ValueError`` around a call catches bad input as it would
from pandas or the standard library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

__all__ = [
    "CrsError",
    "DatasetError",
    "EssGeoError",
    "GeometryError",
    "InputDataError",
    "NotEssSpecialtyError",
    "ProposalSearchTooLarge",
    "SpecialtyError",
    "UnknownCodeError",
    "UnknownSpecialtyError",
]


class EssGeoError(ValueError):
    """Base class of every error raised by ess_geo (a :class:`ValueError`: the input is unusable).

    Parameters
    ----------
    message : str
        English message naming the offending value and what is allowed.
    fr : str, optional
        French one-line message for CLI users; defaults to ``message``.
    """

    def __init__(self, message: str, *, fr: str | None = None) -> None:
        super().__init__(message)
        self.fr = " ".join((fr or message).split())


class InputDataError(EssGeoError):
    """A file or frame cannot be read as a whole (missing column, bad header, bad row...).

    Attributes
    ----------
    path : str or None
        File concerned, when there is one.
    line : int or None
        1-based line number of the offending line, when known.
    """

    def __init__(self, message: str, *, fr: str | None = None, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message, fr=fr)
        self.path = path
        self.line = line


class UnknownCodeError(EssGeoError):
    """A département, région or commune code that does not exist in the reference geography.

    Attributes
    ----------
    kind : str
        ``"departement"``, ``"region"`` or ``"commune"``.
    values : list of str
        Every unknown value found (checks collect all problems, then raise once).
    """

    _FR_KIND: ClassVar[dict[str, str]] = {"departement": "département", "region": "région", "commune": "commune"}

    def __init__(
        self, kind: str, values: Sequence[str], *, allowed_hint: str = "", allowed_hint_fr: str | None = None
    ) -> None:
        self.kind = kind
        self.values = list(values)
        shown = ", ".join(repr(v) for v in self.values)
        hint = f"; {allowed_hint}" if allowed_hint else ""
        noun = self._FR_KIND.get(kind, kind)
        hint_fr = allowed_hint_fr if allowed_hint_fr is not None else _hint_fr(allowed_hint)
        super().__init__(
            f"unknown {kind} code(s): {shown}{hint}",
            fr=f"code {noun} inconnu : {shown}" + (f" ; {hint_fr}" if hint_fr else ""),
        )


def _hint_fr(hint: str) -> str:
    """French version of the English hints given by :mod:`ess_geo.reference.geography`.

    ``"Corsica is '2A' and '2B'"`` → ``"la Corse est 2A et 2B"``; ``"valid codes: 01..95, 2A"`` →
    ``"codes valides : 01 à 95, 2A"``. Unknown hints are kept as they are.
    """
    if not hint:
        return ""
    if "Corsica" in hint:
        return "la Corse est 2A et 2B"
    text = hint.replace("valid codes:", "codes valides :").replace("..", " à ").replace(", or 'all'", ", ou « toutes »")
    return text


class SpecialtyError(EssGeoError):
    """Base class of specialty problems (unknown name, pathology, general practice)."""

    def __init__(self, message: str, *, fr: str | None = None, value: str = "", suggestions: Sequence[str] = ()) -> None:
        super().__init__(message, fr=fr)
        self.value = value
        self.suggestions = list(suggestions)


class UnknownSpecialtyError(SpecialtyError):
    """A specialty name that matches no canonical id, label or alias."""


class NotEssSpecialtyError(SpecialtyError):
    """Input that names a pathology or general practice, which cannot found an ESS."""


class CrsError(EssGeoError):
    """A frame has no CRS, or one that cannot be used where it was given."""


class GeometryError(EssGeoError):
    """Invalid or missing geometries in user-provided data."""


class DatasetError(EssGeoError):
    """A dataset cannot be fetched, verified or found in the cache."""


class ProposalSearchTooLarge(EssGeoError):
    """The exact search would be too large (a connected piece with too many départements)."""
