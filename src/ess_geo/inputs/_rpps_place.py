"""Placing RPPS activity lines in communes: by commune code, arrondissement, postal code and name.

Used by :func:`ess_geo.inputs.rpps.load_rpps` on the doctors' lines it keeps (a pyarrow table):
each distinct address (its five fields) is placed once, in Python, and the answer spread back to
its lines with numpy; the communes are read without their geometry
(:func:`ess_geo.reference.geography.reference_columns`: no pandas).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from ess_geo.dropped import DroppedRows
from ess_geo.inputs._arrow import (
    bool_array,
    dictionary_codes,
    int_array,
    numpy_bools,
    numpy_ints,
    one_array,
    text_array,
    text_scalar,
)
from ess_geo.inputs.rpps_file import COL_CEDEX, COL_COMMUNE, COL_COMMUNE_LABEL, COL_CP, COL_ID, COL_PAYS
from ess_geo.reference._store import NORMALIZED_NAME
from ess_geo.reference.geography import reference_columns
from ess_geo.reference.specialties import normalize_text

if TYPE_CHECKING:  # annotations only: numpy only to read an RPPS extraction
    import numpy as np

__all__ = ["ADDRESS_COLUMNS", "COMMUNE_CODE", "PlacedPiece", "Placements", "combined_ids", "departement_codes",
           "departement_of_communes", "merge_placements", "place_address", "place_lines", "prepare_placement",
           "with_direct_commune"]

#: The five fields of a practice address, in the order :func:`place_address` takes them.
ADDRESS_COLUMNS = (COL_COMMUNE, COL_CP, COL_COMMUNE_LABEL, COL_CEDEX, COL_PAYS)
#: Column of placed lines: the position of their commune in :func:`departement_of_communes` (-1: none).
COMMUNE_CODE = "commune_code"
_FRANCE_COUNTRY = {"", "99100"}
#: The postal code a ``Bureau cedex`` starts with (« 75001 PARIS CEDEX 01 »), removed before its name is matched.
_CEDEX_PREFIX = re.compile(r"^\s*\d{5}\s*")


def _arrondissement_parent(code: str) -> str | None:
    """Municipal arrondissements of Paris (75101-75120), Lyon (69381-69389), Marseille (13201-13216)."""
    if len(code) != 5 or not code.isdigit():
        return None
    n = int(code)
    if 75101 <= n <= 75120:
        return "75056"
    if 69381 <= n <= 69389:
        return "69123"
    if 13201 <= n <= 13216:
        return "13055"
    return None


class _PostalCodes:
    """``code_postal → ((code_insee, normalised name), ...)`` (COG names too where they differ), a postal
    code's candidates made each time they are asked for.

    The names are normalised at build time (:data:`~ess_geo.reference._store.NORMALIZED_NAME`):
    normalising the ten or so candidates of each address as it was placed held the GIL 3 ms a piece.

    A dict of all 35,357 rows cost 0.1-0.2 s of Python (holding the GIL while the extraction is
    parsed) on every read, for the few hundred postal codes of the lines without a commune code;
    the rows are grouped by postal code with Arrow and numpy instead (a few milliseconds), and
    their columns kept as tuples of text: a postal code's rows are then slices of them (three
    Arrow slices made Python lists cost 25 µs an address, 2 ms a piece). The candidates are not
    kept: tens of thousands of tuples left alive by a read are scanned by the garbage collector's
    next pass (30 ms after the read, :func:`ess_geo.inputs.rpps._cyclic_gc_paused`), and most postal
    codes are asked for once or twice; a tuple of text is not tracked after its first pass.
    """

    def __init__(self) -> None:
        import numpy as np  # deferred: heavy library, only to read an RPPS extraction
        import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

        table = reference_columns("postal_codes", ("code_postal", "code_insee", NORMALIZED_NAME))
        communes = reference_columns("communes", ("code_insee", NORMALIZED_NAME))
        insee = one_array(table.column("code_insee"))
        cog = pc.take(one_array(communes.column(NORMALIZED_NAME)),
                      pc.index_in(insee, value_set=one_array(communes.column("code_insee"))))
        codes, postal_values = dictionary_codes(table.column("code_postal"))
        order = int_array(np.argsort(codes, kind="stable"))  # rows grouped by postal code, in file order
        missing = int((codes < 0).sum())  # rows without a postal code (none embedded) sort first, never asked for
        # tuples of int: untracked by the garbage collector once it has seen them (lists are visited at every pass)
        self._ends = tuple((missing + np.cumsum(np.bincount(codes[codes >= 0], minlength=len(postal_values)))).tolist())
        self._starts = (missing, *self._ends[:-1])
        self._group = {cp: k for k, cp in enumerate(postal_values.to_pylist())}
        self._insee, self._nom, self._cog = (tuple(a.take(order).to_pylist())
                                             for a in (insee, one_array(table.column(NORMALIZED_NAME)), cog))

    def __contains__(self, cp: object) -> bool:
        return cp in self._group

    def __getitem__(self, cp: str) -> tuple[tuple[str, str], ...]:
        k = self._group[cp]
        pairs: list[tuple[str, str]] = []
        rows = (a[self._starts[k]:self._ends[k]] for a in (self._insee, self._nom, self._cog))
        for insee, nom, cog in zip(*rows, strict=True):
            pairs.append((insee, nom))
            if cog is not None and cog != nom:
                pairs.append((insee, cog))
        return tuple(pairs)


@lru_cache(maxsize=1)
def _postal_codes() -> _PostalCodes:
    """``code_postal → ((code_insee, name), ...)``, read once per process (with pyarrow: no pandas)."""
    return _PostalCodes()


@lru_cache(maxsize=1)
def departement_of_communes() -> tuple[Any, Any]:
    """The commune codes (in increasing order) and their département codes, as two aligned pyarrow arrays.

    Read from the embedded Arrow copy of the communes' columns (a millisecond,
    :func:`ess_geo.reference.geography.reference_columns`). A commune's position in them is its
    :data:`COMMUNE_CODE`.
    """
    communes = reference_columns("communes", ("code_insee", "code_dep"))
    return one_array(communes.column("code_insee")), one_array(communes.column("code_dep"))


@lru_cache(maxsize=1)
def departement_codes() -> tuple[np.ndarray, Any]:
    """The département of each commune of :func:`departement_of_communes` as an integer code, and the
    département codes it indexes (-1: none)."""
    return dictionary_codes(departement_of_communes()[1])


def prepare_placement() -> None:
    """Read the communes and postal codes now (a thread runs it while the extraction is parsed)."""
    _commune_codes()
    _postal_codes()
    departement_codes()


def with_direct_commune(doctors: Any) -> Any:
    """``doctors`` with a ``code_insee`` column, the line's commune code when it is a commune (else null),
    and its :data:`COMMUNE_CODE` (else -1).

    The first step of :func:`place_lines`, which places the other lines by postal code and name.
    The piece's distinct codes are hashed and the 34,875
    commune codes looked up in them (``index_in`` the other way round would hash the communes for
    every piece; a Python set lookup per code would hold the GIL the other parsing thread needs).
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    commune = one_array(doctors.column(COL_COMMUNE))
    encoded = commune.dictionary_encode()
    position = numpy_ints(pc.index_in(departement_of_communes()[0], value_set=encoded.dictionary), fill=-1)
    communes = np.flatnonzero(position >= 0)
    code_of_value = np.full(len(encoded.dictionary) + 1, -1, dtype=np.int64)  # the last: no code (null)
    code_of_value[position[communes]] = communes
    code = code_of_value[numpy_ints(encoded.indices, fill=-1)]
    direct = bool_array(code >= 0)
    return (doctors.append_column("code_insee", pc.if_else(direct, commune, text_scalar(None)))
            .append_column(COMMUNE_CODE, int_array(code)))


@lru_cache(maxsize=1)
def _commune_codes() -> dict[str, int]:
    """The commune codes (34,875), each with its :data:`COMMUNE_CODE`.

    A dict of text and small integers: the garbage collector does not track it (it visits each
    member of a set at every full pass, two or three at the interpreter's exit). The same holds for
    :data:`_NORMALIZED`: the 65,536 entries of an ``lru_cache`` cost 13 ms a pass.
    """
    return {code: i for i, code in enumerate(departement_of_communes()[0].to_pylist())}


#: Normalised commune names met by the placement (a plain dict of text: untracked by the collector).
_NORMALIZED: dict[str, str] = {}
_MAX_NORMALIZED = 65536


def _normalized(name: str) -> str:
    found = _NORMALIZED.get(name)
    if found is None:
        if len(_NORMALIZED) >= _MAX_NORMALIZED:
            _NORMALIZED.clear()
        found = _NORMALIZED[name] = normalize_text(name)
    return found


def place_address(row: tuple[str, str, str, str, str], communes: Container[str],
                  postal: _PostalCodes) -> tuple[str | None, str]:
    """Return ``(code_insee, how)`` or ``(None, reason)`` for one distinct address (fields of :data:`ADDRESS_COLUMNS`).

    ``communes``: the commune codes; ``postal``: the candidates of each postal code (:func:`_postal_codes`), their
    names normalised.
    """
    code, cp, label, cedex, pays = row
    if code in communes:
        return code, "code commune"
    parent = _arrondissement_parent(code)
    if parent:
        return parent, "arrondissement municipal"
    if cp in postal:
        candidates = postal[cp]
        insees = {c for c, _ in candidates}
        if len(insees) == 1:
            return next(iter(insees)), "code postal"
        names = {_normalized(label)} if label else set()
        if cedex:
            names.add(_normalized(_CEDEX_PREFIX.sub("", cedex)))
        names.discard("")
        matched = {c for c, n in candidates if n in names}
        if len(matched) == 1:
            return next(iter(matched)), "code postal et nom de commune"
        return None, "code postal commun à plusieurs communes, nom de commune non reconnu"
    if pays not in _FRANCE_COUNTRY:
        return None, "adresse d'exercice hors de France"
    if code[:3] in {"975", "977", "978", "986", "987", "988"}:
        return None, "commune hors du référentiel embarqué (collectivité d'outre-mer)"
    if code:
        return None, "code commune inconnu et code postal inutilisable"
    if cp:
        return None, "code postal inconnu (CEDEX ou étranger) et pas de code commune"
    return None, "ni code commune ni code postal"


#: Answers of :func:`place_address` by address (its five fields), shared by the threads of one read.
Placements = dict[tuple[str, str, str, str, str], tuple[str | None, str]]


class PlacedPiece(NamedTuple):
    """How the lines of one piece were placed, merged with the other pieces' by :func:`merge_placements`.

    Attributes
    ----------
    lines : int
        Lines given (placed or not).
    firsts : dict
        Each way that placed lines: ``(first line, lines)``, lines numbered from 0 in the piece.
    unplaced : dict
        Each reason lines were not placed: ``(lines, fields of the first one)``.
    """

    lines: int
    firsts: dict[str, tuple[int, int]]
    unplaced: dict[str, tuple[int, dict]]


def place_lines(doctors: Any, known: Placements) -> tuple[Any, PlacedPiece]:
    """Doctors' lines with their commune (``code_insee``; placed once per distinct address), and how.

    Run by the parsing threads on each piece; :func:`merge_placements` counts the pieces' placements
    in file order as one serial read would.

    Parameters
    ----------
    doctors : pyarrow.Table
        Lines with an ``Identifiant PP``, the :data:`ADDRESS_COLUMNS` and ``specialty``, and
        possibly ``code_insee`` and :data:`COMMUNE_CODE` (:func:`with_direct_commune`, computed here
        when absent).
    known : dict
        Addresses placed already, shared by the threads of a read; the addresses placed here are added.

    Returns
    -------
    table : pyarrow.Table
        The placed lines, with ``code_insee`` and :data:`COMMUNE_CODE` as the last columns (lines
        not placed removed).
    placed : PlacedPiece
        Lines placed per way and lines not placed per reason.
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    if "code_insee" not in doctors.column_names:
        doctors = with_direct_commune(doctors)
    direct_codes = one_array(doctors.column("code_insee"))
    commune_code = numpy_ints(one_array(doctors.column(COMMUNE_CODE))).copy()
    doctors = doctors.drop_columns(["code_insee", COMMUNE_CODE])
    direct = numpy_bools(pc.is_valid(direct_codes))  # the commune code is known: placed by it
    others = np.flatnonzero(~direct)
    address_of, placed = _placed_others(doctors.take(int_array(others)), known)
    communes = _commune_codes()
    commune_code[others] = np.array([communes.get(code or "", -1) for code, _ in placed], dtype=np.int64)[address_of]
    ways = {way: code is not None for code, way in placed}  # a way places its lines, or is why they are not
    number = {way: i for i, way in enumerate(ways)}
    way_of_line = np.array([number[way] for _, way in placed], dtype=np.int64)[address_of]
    firsts = {"code commune": (int(direct.argmax()), int(direct.sum()))} if direct.any() else {}
    unplaced = {}
    for way, places in ways.items():
        lines = others[way_of_line == number[way]]
        if places:
            firsts[way] = (int(lines[0]), len(lines))
        else:
            row = {c: doctors.column(c)[int(lines[0])].as_py() for c in (COL_ID, *ADDRESS_COLUMNS, "specialty")}
            unplaced[way] = (len(lines), row)
    piece = PlacedPiece(doctors.num_rows, firsts, unplaced)
    codes = text_array([code for code, _ in placed]).take(int_array(address_of))
    code_insee = pc.replace_with_mask(direct_codes, pc.is_null(direct_codes), codes)
    placed_other = np.array([code is not None for code, _ in placed], dtype=bool)[address_of]
    if placed_other.all():  # every line placed (the usual case): nothing to copy
        return doctors.append_column("code_insee", code_insee).append_column(COMMUNE_CODE, int_array(commune_code)), piece
    kept = direct.copy()
    kept[others[placed_other]] = True
    rows = np.flatnonzero(kept)
    return (doctors.take(int_array(rows)).append_column("code_insee", code_insee.take(int_array(rows)))
            .append_column(COMMUNE_CODE, int_array(commune_code[rows]))), piece


def merge_placements(pieces: list[PlacedPiece], dropped: DroppedRows) -> Counter:
    """The pieces' placements in file order: lines placed per way, and lines not placed counted in ``dropped``.

    Unplaced lines are counted by reason in alphabetical order, the first line of each as sample;
    the ways are ordered by their first line: what one placement of all the lines gives.

    Parameters
    ----------
    pieces : list of PlacedPiece
        What :func:`place_lines` said of each piece, in file order.
    dropped : DroppedRows
        Where the lines not placed are counted.

    Returns
    -------
    collections.Counter
        Lines placed per way (``"code commune"``, ``"code postal"``...), in order of first line.
    """
    firsts: dict[str, tuple[int, int]] = {}
    unplaced: dict[str, tuple[int, dict]] = {}
    offset = 0
    for piece in pieces:
        for way, (first, n) in piece.firsts.items():
            firsts[way] = (firsts[way][0], firsts[way][1] + n) if way in firsts else (offset + first, n)
        for reason, (n, row) in piece.unplaced.items():
            unplaced[reason] = (unplaced[reason][0] + n, unplaced[reason][1]) if reason in unplaced else (n, row)
        offset += piece.lines
    for reason in sorted(unplaced):
        dropped.add(reason, row=unplaced[reason][1], n=unplaced[reason][0])
    return Counter({way: n for way, (_, n) in sorted(firsts.items(), key=lambda item: item[1][0])})


def _placed_others(lines: Any, known: Placements) -> tuple[np.ndarray, list[tuple[str | None, str]]]:
    """The address of each line whose commune code is not a commune, and each address's
    :func:`place_address` answer (placed once per distinct address and added to ``known``, unless it has it)."""
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction

    if not lines.num_rows:
        return np.zeros(0, dtype=np.int64), []
    communes, postal = _commune_codes(), _postal_codes()
    address_of, firsts = combined_ids([lines.column(c) for c in ADDRESS_COLUMNS])
    keys = zip(*(lines.column(c).take(int_array(firsts)).to_pylist() for c in ADDRESS_COLUMNS), strict=True)
    answers = []
    for key in keys:
        if key not in known:  # two threads may place it both: the same answer
            known[key] = place_address(key, communes, postal)
        answers.append(known[key])
    return address_of, answers


def combined_ids(columns: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Id of each line's combination of ``columns`` (equal ids: equal values in every column), and each id's first line.

    Each column is dictionary-encoded and the codes combined arithmetically (renumbered only when
    the product of the numbers of values could overflow): a merge on five text columns took seconds
    on 600,000 lines.

    Parameters
    ----------
    columns : list of pyarrow arrays or chunked arrays
        Text columns of equal length.

    Returns
    -------
    ids : numpy.ndarray
        int64 ids 0, 1, ... numbered in sorted order of the combinations' codes.
    firsts : numpy.ndarray
        The first line of each id, by id.
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    ids = np.zeros(len(columns[0]), dtype=np.int64)
    size = 1
    for values in columns:
        values = one_array(values)  # one dictionary for the whole column
        encoded = pc.fill_null(values, text_scalar("")).dictionary_encode()
        n = max(len(encoded.dictionary), 1)
        if size * n >= 1 << 62:
            ids = np.unique(ids, return_inverse=True)[1].reshape(-1)
            size = int(ids.max(initial=0)) + 1
        ids = ids * n + numpy_ints(encoded.indices)
        size *= n
    _, firsts, ids = np.unique(ids, return_index=True, return_inverse=True)
    return ids.reshape(-1), firsts
