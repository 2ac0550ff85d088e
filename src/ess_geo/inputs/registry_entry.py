"""One existing ESS over one period: :class:`EssEntry`, and the values its registry cells may take.

A registry row describes one ESS (``id``) over one **perimeter period** (``valid_from`` …
``valid_to``, each an ISO date, a partial date such as ``2024-06`` or ``2024``, or empty for an
open bound). The same ESS over time is the same id on several rows (one per perimeter). Each row
says how certain the perimeter is (:data:`CERTAINTIES`) and the status of the ESS
(:data:`STATUSES`; the French words ``actif``, ``en projet``, ``inactif`` are accepted).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, datetime

from ess_geo.errors import InputDataError

__all__ = [
    "CERTAINTIES",
    "CERTAINTY_FR",
    "COVERING_STATUSES",
    "STATUSES",
    "STATUS_FR",
    "EssEntry",
    "as_of_date",
    "normalise_certainty",
    "normalise_status",
    "parse_partial_date",
]

#: Status of an ESS (canonical English values).
STATUSES = ("active", "project", "inactive")
#: Statuses that count as covering a territory (a project in progress does too: its letter of
#: intent reserves the territory).
COVERING_STATUSES = ("active", "project")
#: French word of each status.
STATUS_FR = {"active": "active", "project": "en projet", "inactive": "inactive"}
#: How certain a perimeter is: ``confirmed`` (stated by the source), ``probable`` (deduced, e.g.
#: from the name), ``uncertain`` (the source leaves it open).
CERTAINTIES = ("confirmed", "probable", "uncertain")
#: French word of each certainty.
CERTAINTY_FR = {"confirmed": "confirmé", "probable": "probable", "uncertain": "incertain"}

_STATUS_WORDS = {
    "active": "active", "actif": "active", "actif(ve)": "active",
    "project": "project", "projet": "project", "en projet": "project",
    "inactive": "inactive", "inactif": "inactive",
}  # fmt: skip
_CERTAINTY_WORDS = {
    "confirmed": "confirmed", "confirme": "confirmed", "confirmee": "confirmed",
    "probable": "probable",
    "uncertain": "uncertain", "incertain": "uncertain", "incertaine": "uncertain",
}  # fmt: skip


def _key(text: str) -> str:
    """Lower case, no accent, single spaces: the form words are looked up in."""
    folded = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


def normalise_status(text: str) -> str | None:
    """The canonical status of a cell (``actif`` → ``active``, ``en projet`` → ``project``), None if unknown."""
    return _STATUS_WORDS.get(_key(text))


def normalise_certainty(text: str) -> str | None:
    """The canonical certainty of a cell (``confirmé`` → ``confirmed``); empty means ``confirmed``; None if unknown."""
    return "confirmed" if not text.strip() else _CERTAINTY_WORDS.get(_key(text))


_PARTIAL_DATES = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), (1, 2, 3)),
    (re.compile(r"(\d{4})-(\d{1,2})"), (1, 2, None)),
    (re.compile(r"(\d{4})"), (1, None, None)),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), (3, 2, 1)),  # as French Excel shows dates
    (re.compile(r"(\d{1,2})/(\d{4})"), (2, 1, None)),
)


def parse_partial_date(text: str, *, end: bool = False) -> date | None:
    """A registry date: ``2024-06-15``, ``2024-06``, ``2024`` (or ``15/06/2024``, ``06/2024``); empty → None.

    Parameters
    ----------
    text : str
        The cell.
    end : bool
        For a partial date, give the last day of the month or year (an end of validity) instead
        of the first.

    Raises
    ------
    ValueError
        If the text is no such date (the caller names the line).
    """
    text = text.strip()
    if not text:
        return None
    for pattern, (y, m, d) in _PARTIAL_DATES:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        year = int(match.group(y))
        month = int(match.group(m)) if m else (12 if end else 1)
        if not 1 <= month <= 12:
            break
        day = int(match.group(d)) if d else (calendar.monthrange(year, month)[1] if end else 1)
        try:
            return date(year, month, day)
        except ValueError:  # 2024-02-30
            break
    raise ValueError(f"not a date: {text!r}")


def as_of_date(value: date | str | None) -> date:
    """The reference date of a check: a date, an ISO string ``YYYY-MM-DD``, or None for today.

    Raises
    ------
    InputDataError
        If ``value`` is another type or not a valid ISO date (naming it).
    """
    if value is None:
        return date.today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputDataError(
        f"as_of must be a date, an ISO date string 'YYYY-MM-DD' or None, got {value!r}",
        fr=f"date de référence invalide : {value!r} (format AAAA-MM-JJ attendu, ex. 2023-06-01)",
    )


@dataclass(frozen=True)
class EssEntry:
    """One existing ESS over one perimeter period (one registry row).

    Attributes
    ----------
    id : str
        Stable identifier (the same on every period of one ESS).
    name : str
        Name as published (user-provided text: escape it before putting it in HTML).
    specialties : tuple of str
        Canonical specialty ids.
    departements : tuple of str
        Normalised codes of the départements covered during the period.
    region : str
        Région code ("" when the ESS spans several or it is unknown).
    status : str
        ``active``, ``project`` or ``inactive`` (:data:`STATUSES`).
    source : str
        Who published the source (or the full citation).
    source_date : str
        Date of the source (or of the event it reports), as written.
    perimeter_certainty : str
        ``confirmed``, ``probable`` or ``uncertain`` (:data:`CERTAINTIES`).
    valid_from, valid_to : datetime.date or None
        First and last day of the period (None: open bound).
    source_url : str
        Address of the source.
    source_quote : str
        The sentence of the source supporting the row.
    note : str
        Free note (original wording of the source, how a date was chosen...).
    line : int
        Line of the registry file the row was read from (0 when built in code).
    """

    id: str
    name: str
    specialties: tuple[str, ...]
    departements: tuple[str, ...]
    region: str
    status: str
    source: str
    source_date: str = ""
    perimeter_certainty: str = "confirmed"
    valid_from: date | None = None
    valid_to: date | None = None
    source_url: str = ""
    source_quote: str = ""
    note: str = ""
    line: int = 0

    def __post_init__(self) -> None:
        status = normalise_status(self.status)
        if status is not None and status != self.status:  # French or legacy word given in code
            object.__setattr__(self, "status", status)

    def valid_at(self, day: date) -> bool:
        """Whether the period contains ``day`` (whatever the status)."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def covers_territory(self) -> bool:
        """Whether the status reserves the territory (:data:`COVERING_STATUSES`)."""
        return self.status in COVERING_STATUSES

    @property
    def period_fr(self) -> str:
        """French period: « depuis le 2024-06-01 », « du 2022-01-10 au 2024-05-31 », « sans date connue »."""
        start, end = self.valid_from, self.valid_to
        if start and end:
            return f"du {start.isoformat()} au {end.isoformat()}"
        if start:
            return f"depuis le {start.isoformat()}"
        return f"jusqu'au {end.isoformat()}" if end else "sans date connue"

    @property
    def source_ref(self) -> str:
        """The source to show: its address when known, else its citation."""
        return self.source_url or self.source

    def overlap_fact(self, shared: list[str]) -> dict[str, object]:
        """Evidence of an overlap with this ESS on ``shared``: who, where, how certain, when, which source."""
        return {
            "id": self.id,
            "name": self.name,
            "departements": list(shared),
            "perimeter": list(self.departements),
            "status": self.status,
            "certainty": self.perimeter_certainty,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source": self.source,
            "source_url": self.source_url,
        }

    def overlap_fr(self, shared: list[str]) -> str:
        """« ESS X (sur 77, 91 ; périmètre de 8 départements : 75, 77… ; confirmé depuis le 2024-06-01 ; source : URL) »."""
        certainty = CERTAINTY_FR.get(self.perimeter_certainty, self.perimeter_certainty)
        source = f" ; source : {self.source_ref}" if self.source_ref else ""
        n = len(self.departements)
        whole = f"périmètre de {n} départements : {', '.join(self.departements)}" if n > 1 else "périmètre d'un département"
        return f"{self.name} (sur {', '.join(shared)} ; {whole}, {certainty} {self.period_fr}{source})"

    def to_dict(self) -> dict:
        """JSON-ready form (dates as ISO strings)."""
        d = asdict(self)
        d["specialties"] = list(self.specialties)
        d["departements"] = list(self.departements)
        d["valid_from"] = self.valid_from.isoformat() if self.valid_from else None
        d["valid_to"] = self.valid_to.isoformat() if self.valid_to else None
        return d
