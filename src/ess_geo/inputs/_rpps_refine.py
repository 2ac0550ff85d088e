"""What the parsing threads do to each piece of an RPPS extraction, and how their findings are merged.

:func:`ess_geo.inputs.rpps.load_rpps` hands :func:`refine_piece` to the extraction reader
(:mod:`ess_geo.inputs._rpps_chunks`): each parsing thread removes the lines without identifier,
maps savoir-faire codes to specialties and places the lines in communes (:meth:`Placement.place`),
so that the work that needs no other line is shared by the cores. The tables this needs are read by
another thread while the first pieces are parsed (:class:`Placement`); a piece parsed before they
are ready is placed by the reading thread as it collects it (:func:`settle_piece`).
:func:`merge_facts` then counts what the pieces found, in file order, as one serial read would.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ess_geo.dropped import DroppedRows
from ess_geo.inputs._arrow import int_array, numpy_bools, numpy_ints, one_array, text_array, text_scalar
from ess_geo.inputs._rpps_counts import ID_NUMBER, SPECIALTY_CODE, numeric_ids
from ess_geo.inputs._rpps_place import (
    ADDRESS_COLUMNS,
    COMMUNE_CODE,
    PlacedPiece,
    Placements,
    merge_placements,
    place_lines,
    prepare_placement,
    with_direct_commune,
)
from ess_geo.inputs.rpps_file import COL_COMMUNE, COL_CP, COL_ID, COL_SF, COL_SF_LABEL
from ess_geo.reference.specialties import all_specialties, rpps_savoir_faire_table

__all__ = ["Placement", "RefineFailed", "merge_facts", "refine_piece", "settle_piece"]

_MAX_UNKNOWN_CODE_REASONS = 20


def _savoir_faire() -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in rpps_savoir_faire_table()}


def _prepare_reference() -> None:
    """Read what placing and naming the lines needs: communes, postal codes, specialties (no pandas)."""
    prepare_placement()
    all_specialties()

@dataclass
class _PieceFacts:
    """What a parsing thread found in one piece besides the lines kept (merged by :func:`merge_facts`)."""

    no_id: int = 0  # lines without an RPPS identifier
    no_id_row: dict | None = None  # the first one's sample
    excluded: Counter = field(default_factory=Counter)  # lines out of scope, by reason
    unknown: Any = None  # lines with a savoir-faire code missing from the table (a pyarrow Table)
    placed: PlacedPiece | None = None  # how its lines were placed in communes (None: not yet, settle_piece)


#: What a savoir-faire code says of its lines: index in :data:`_STATUSES` (the last two: no code, unknown code).
_STATUSES = ("ess", "general-practice", "non-ess", "ambiguous", "no code", "unknown")
_EXCLUDED_BY_STATUS = (("no code", "doctors without savoir-faire"),
                       ("general-practice", "general practice (not an ESS specialty)"),
                       ("non-ess", "savoir-faire without an ESS specialty"),
                       ("ambiguous", "savoir-faire spanning two specialties (SM55)"))


class _SavoirFaire(NamedTuple):
    """The savoir-faire table as arrays: codes (Arrow), the status of each (index in :data:`_STATUSES`,
    numpy) and the position of its specialty in ``specialties`` (numpy, -1: none), the ESS specialties
    of the table in increasing order (Arrow)."""

    codes: Any
    status: Any
    specialty_code: Any
    specialties: Any

    @classmethod
    def read(cls) -> _SavoirFaire:
        """The arrays of ``data/rpps_savoir_faire.csv``."""
        import numpy as np  # deferred: heavy library, only to read an RPPS extraction

        sf = _savoir_faire()
        known = list(sf)
        status = np.array([_STATUSES.index(sf[c]["status"]) for c in known], dtype=np.int64)
        specialties = sorted({sf[c]["specialty"] for c in known if sf[c]["status"] == "ess"})
        position = {s: i for i, s in enumerate(specialties)}
        code = np.array([position.get(sf[c]["specialty"], -1) for c in known], dtype=np.int64)
        return cls(text_array(known), status, code, text_array(specialties))


@dataclass
class Placement:
    """What the parsing threads need besides the lines, read by a thread while the first pieces are parsed:
    the savoir-faire table first, then the placement tables; and the addresses placed so far."""

    ready: threading.Event = field(default_factory=threading.Event)
    known: Placements = field(default_factory=dict)
    savoir_faire_read: threading.Event = field(default_factory=threading.Event)
    savoir_faire_table: _SavoirFaire | None = None

    def prepare(self) -> None:
        """Read both; each event is set whatever happens (a failure is met again by the parsing threads,
        which read the table themselves and raise its error)."""
        self.savoir_faire_table = _attempt(_SavoirFaire.read, self.savoir_faire_read)
        _attempt(_prepare_reference, self.ready)

    def savoir_faire(self) -> _SavoirFaire:
        """The savoir-faire table, once the thread has read it (read here if it failed there: its error raised)."""
        self.savoir_faire_read.wait()
        return self.savoir_faire_table if self.savoir_faire_table is not None else _SavoirFaire.read()

    def addresses(self) -> Placements:
        """The addresses placed so far, once the thread has read the placement tables (a piece that needs one
        the thread failed to read reads it again, and raises its error)."""
        self.ready.wait()
        return self.known

    def place(self, doctors: Any, facts: _PieceFacts) -> Any:
        """The lines placed in their commune (how, in ``facts``), keeping the columns counted: ``Identifiant PP``,
        ``specialty``, ``code_insee``, their codes (``SPECIALTY_CODE``, ``COMMUNE_CODE``) and the identifier as
        a number (:func:`~ess_geo.inputs._rpps_counts.numeric_ids`): :func:`~ess_geo.inputs._rpps_counts.persons_table`
        then counts integers made by the parsing threads."""
        placed, facts.placed = place_lines(doctors, self.addresses())
        placed = placed.select([COL_ID, "specialty", "code_insee", SPECIALTY_CODE, COMMUNE_CODE])
        return placed.append_column(ID_NUMBER, numeric_ids(placed.column(COL_ID)))


def _attempt(read: Callable[[], Any], done: threading.Event) -> Any:
    """``read()``, or None when it fails; ``done`` set either way, so that no parsing thread waits forever."""
    try:
        return read()
    except Exception:
        return None
    finally:
        done.set()


class RefineFailed(Exception):
    """An error of the work on a piece's lines, not of the extraction's text: :func:`_read_rpps`
    raises its cause as it is, where the extraction reader would report an unreadable extraction."""


def refine_piece(placement: Placement, table: Any) -> tuple[Any, _PieceFacts]:
    """Run by the parsing threads on each piece: lines without identifier, savoir-faire, commune
    (:meth:`Placement.place`).

    A piece parsed before the placement tables are read (by another thread, 0.1-0.2 s: the first
    pieces) is left for :func:`settle_piece` rather than wait: its thread parses the next one.
    """
    try:
        facts = _PieceFacts()
        table = _without_id(table, facts)
        doctors = _with_specialty(table, placement.savoir_faire(), facts)
        if not placement.ready.is_set():
            return doctors, facts
        return placement.place(with_direct_commune(doctors), facts), facts
    except Exception as exc:  # a missing or damaged embedded table, a bug: not the extraction's fault
        raise RefineFailed from exc


def settle_piece(placement: Placement, table: Any, facts: _PieceFacts) -> tuple[Any, _PieceFacts]:
    """Run by the reading thread on each piece, in file order: places the lines :func:`refine_piece` left."""
    if facts.placed is not None:
        return table, facts
    try:
        return placement.place(table, facts), facts
    except Exception as exc:  # as in refine_piece
        raise RefineFailed from exc


def merge_facts(extras: list, dropped: DroppedRows, excluded: Counter) -> Counter:
    """The pieces' facts, in file order, counted in ``dropped`` and ``excluded`` as one serial read would; the
    lines placed per way (:func:`~ess_geo.inputs._rpps_place.merge_placements`)."""
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction

    facts = [f for f in extras if f is not None]
    n = sum(f.no_id for f in facts)
    if n:
        row = next(f.no_id_row for f in facts if f.no_id)
        dropped.add("sans identifiant RPPS (Identifiant PP vide)", row=row, n=n)
    for f in facts:
        excluded.update(f.excluded)
    unknown = [f.unknown for f in facts if f.unknown is not None]
    if unknown:
        _drop_unknown_codes(pa.concat_tables(unknown), dropped)
    return merge_placements([f.placed for f in facts if f.placed is not None], dropped)


def _without_id(table: Any, facts: _PieceFacts) -> Any:
    """Lines without an RPPS identifier counted in ``facts`` and removed (fields are trimmed already)."""
    import pyarrow.compute as pc  # deferred: pyarrow only to read an RPPS extraction

    ids = table.column(COL_ID)
    no_id = pc.equal(ids, text_scalar(""))
    n = pc.sum(no_id).as_py() or 0
    if n:
        first = int(numpy_bools(no_id).argmax())
        facts.no_id, facts.no_id_row = n, {c: table.column(c)[first].as_py() for c in (COL_SF, COL_COMMUNE, COL_CP)}
        table = table.filter(pc.invert(no_id))
    return table


def _with_specialty(table: Any, savoir_faire: _SavoirFaire, facts: _PieceFacts) -> Any:
    """Lines whose savoir-faire is an ESS specialty, with its id (``specialty``, and ``SPECIALTY_CODE``); the others
    counted in ``facts`` by reason.

    Each distinct code is looked up once (a piece has a few dozen), its answer spread to the lines.
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    encoded = one_array(table.column(COL_SF)).dictionary_encode()
    values = pc.utf8_upper(encoded.dictionary)
    row_of = numpy_ints(pc.index_in(values, value_set=savoir_faire.codes), fill=-1)  # per distinct code
    status = np.where(row_of >= 0, savoir_faire.status[np.maximum(row_of, 0)], _STATUSES.index("unknown"))
    status[numpy_bools(pc.equal(values, text_scalar("")))] = _STATUSES.index("no code")
    line_code = numpy_ints(encoded.indices)
    line_status = status[line_code] if len(line_code) else line_code
    per_status = np.bincount(line_status, minlength=len(_STATUSES))
    for st, label in _EXCLUDED_BY_STATUS:
        facts.excluded[label] += int(per_status[_STATUSES.index(st)])
    if per_status[_STATUSES.index("unknown")]:
        unknown = np.flatnonzero(line_status == _STATUSES.index("unknown"))
        facts.unknown = table.select([COL_ID, COL_SF, COL_SF_LABEL]).take(int_array(unknown))
    kept = np.flatnonzero(line_status == _STATUSES.index("ess"))
    code = int_array(savoir_faire.specialty_code[row_of[line_code[kept]]])
    doctors = table.select([COL_ID, *ADDRESS_COLUMNS]).take(int_array(kept))
    return (doctors.append_column("specialty", pc.take(savoir_faire.specialties, code))
            .append_column(SPECIALTY_CODE, code))


def _drop_unknown_codes(bad: Any, dropped: DroppedRows) -> None:
    """Count lines with a savoir-faire code missing from the table, one reason per code (the first ones).

    Codes by decreasing number of lines, ties in order of first line (as pandas' ``value_counts``).
    """
    ids, codes, labels = (bad.column(c).to_pylist() for c in (COL_ID, COL_SF, COL_SF_LABEL))
    first: dict[str, int] = {}
    counts: Counter = Counter()
    for i, code in enumerate(codes):
        first.setdefault(code, i)
        counts[code] += 1
    ordered = sorted(first, key=lambda code: -counts[code])  # stable: ties keep the order of first line
    for i, code in enumerate(ordered):
        reason = (f"code savoir-faire inconnu {code!r}" if i < _MAX_UNKNOWN_CODE_REASONS
                  else "code savoir-faire inconnu (autres codes)")
        line = first[code]
        dropped.add(reason, row={COL_ID: ids[line], COL_SF: code, COL_SF_LABEL: labels[line]}, n=counts[code])
