"""Placing RPPS activity lines in communes: by commune code, arrondissement, postal code and name.

Used by :func:`ess_geo.inputs.rpps.load_rpps` on the doctors' lines it keeps (a pyarrow table):
each distinct address (its five fields) is placed once, in Python, and the answer spread back to
its lines with numpy; the communes are read without their geometry
(:func:`ess_geo.reference.geography.load_commune_attributes`).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ess_geo.dropped import DroppedRows
from ess_geo.inputs.rpps_file import COL_CEDEX, COL_COMMUNE, COL_COMMUNE_LABEL, COL_CP, COL_ID, COL_PAYS
from ess_geo.reference.geography import load_commune_attributes, load_postal_codes
from ess_geo.reference.specialties import normalize_text

if TYPE_CHECKING:  # annotations only: numpy only to read an RPPS extraction
    import numpy as np

__all__ = ["ADDRESS_COLUMNS", "combined_ids", "departement_of_communes", "place_address", "placed_lines",
           "prepare_placement"]

#: The five fields of a practice address, in the order :func:`place_address` takes them.
ADDRESS_COLUMNS = (COL_COMMUNE, COL_CP, COL_COMMUNE_LABEL, COL_CEDEX, COL_PAYS)
_FRANCE_COUNTRY = {"", "99100"}


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


@lru_cache(maxsize=1)
def _commune_tables() -> tuple[dict[str, str], dict[str, tuple[tuple[str, str], ...]]]:
    """``code_insee → code_dep`` and ``code_postal → ((code_insee, name), ...)`` (COG names)."""
    communes = load_commune_attributes()
    dep_of = dict(zip(communes["code_insee"].tolist(), communes["code_dep"].tolist(), strict=True))
    name_of = dict(zip(communes["code_insee"].tolist(), communes["nom"].tolist(), strict=True))
    postal: dict[str, list[tuple[str, str]]] = {}
    pc = load_postal_codes()
    for cp, insee, nom in zip(pc["code_postal"].tolist(), pc["code_insee"].tolist(), pc["nom"].tolist(), strict=True):
        postal.setdefault(cp, []).append((insee, nom))
        if insee in name_of and name_of[insee] != nom:
            postal[cp].append((insee, name_of[insee]))
    return dep_of, {cp: tuple(v) for cp, v in postal.items()}


@lru_cache(maxsize=1)
def departement_of_communes() -> tuple[Any, Any]:
    """The commune codes and their département codes, as two aligned pyarrow arrays (for ``index_in``)."""
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction

    dep_of, _ = _commune_tables()
    return pa.array(list(dep_of), pa.string()), pa.array(list(dep_of.values()), pa.string())


def prepare_placement() -> None:
    """Read the communes and postal codes now (a thread runs it while the extraction is parsed)."""
    departement_of_communes()


@lru_cache(maxsize=65536)
def _normalized(name: str) -> str:
    return normalize_text(name)


def place_address(row: tuple[str, str, str, str, str], dep_of: dict, postal: dict) -> tuple[str | None, str]:
    """Return ``(code_insee, how)`` or ``(None, reason)`` for one distinct address (fields of :data:`ADDRESS_COLUMNS`)."""
    code, cp, label, cedex, pays = row
    if code in dep_of:
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
            names.add(_normalized(re.sub(r"^\s*\d{5}\s*", "", cedex)))
        names.discard("")
        matched = {c for c, n in candidates if _normalized(n) in names}
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


def placed_lines(doctors: Any, dropped: DroppedRows) -> tuple[Any, Counter]:
    """Doctors' lines with their commune (``code_insee``; placed once per distinct address) and how.

    Lines that cannot be placed are counted in ``dropped`` by reason (in the order of the reasons,
    the first line of each as sample) and removed.

    Parameters
    ----------
    doctors : pyarrow.Table
        Lines with an ``Identifiant PP``, the :data:`ADDRESS_COLUMNS` and ``specialty``.
    dropped : DroppedRows
        Where unplaced lines are counted.

    Returns
    -------
    table : pyarrow.Table
        The placed lines, with a ``code_insee`` column.
    placed_by : collections.Counter
        Lines placed per way (``"code commune"``, ``"code postal"``...), in order of first line.
    """
    import numpy as np  # deferred: heavy library, only to read an RPPS extraction
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    commune = doctors.column(COL_COMMUNE).combine_chunks()
    direct = pc.is_in(commune, value_set=departement_of_communes()[0])  # the commune code is known: placed by it
    others = np.flatnonzero(~direct.to_numpy(zero_copy_only=False))
    codes, ways = _placed_others(doctors.take(pa.array(others)))
    code_insee = pc.replace_with_mask(pc.if_else(direct, commune, pa.scalar(None, pa.string())), pc.invert(direct), codes)
    how = pc.replace_with_mask(pc.if_else(direct, pa.scalar("code commune"), pa.scalar(None, pa.string())),
                               pc.invert(direct), ways)
    unplaced = pc.is_null(code_insee)
    if pc.any(unplaced).as_py():
        for reason in sorted(set(pc.filter(how, unplaced).to_pylist())):
            lines = pc.and_(unplaced, pc.equal(how, reason))
            first = pc.index(lines, True).as_py()
            dropped.add(reason, row={c: doctors.column(c)[first].as_py() for c in (COL_ID, *ADDRESS_COLUMNS, "specialty")},
                        n=pc.sum(lines).as_py())
    placed_rows = pc.invert(unplaced)
    counts = pc.value_counts(pc.filter(how, placed_rows))  # in order of first line
    placed_by = Counter(dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True)))
    return doctors.filter(placed_rows).append_column("code_insee", pc.filter(code_insee, placed_rows)), placed_by


def _placed_others(lines: Any) -> tuple[Any, Any]:
    """Commune and way (or None and the reason) of lines whose commune code is not a commune, once per address."""
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction

    dep_of, postal = _commune_tables()
    if not lines.num_rows:
        return pa.array([], pa.string()), pa.array([], pa.string())
    address_of, firsts = combined_ids([lines.column(c) for c in ADDRESS_COLUMNS])
    keys = zip(*(lines.column(c).take(pa.array(firsts)).to_pylist() for c in ADDRESS_COLUMNS), strict=True)
    placed = [place_address(key, dep_of, postal) for key in keys]  # once per distinct address
    where = pa.array(address_of)
    return pa.array([p[0] for p in placed], pa.string()).take(where), pa.array([p[1] for p in placed], pa.string()).take(where)


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
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    ids = np.zeros(len(columns[0]), dtype=np.int64)
    size = 1
    for values in columns:
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()  # one dictionary for the whole column
        encoded = pc.fill_null(values, "").dictionary_encode()
        n = max(len(encoded.dictionary), 1)
        if size * n >= 1 << 62:
            ids = np.unique(ids, return_inverse=True)[1].reshape(-1)
            size = int(ids.max(initial=0)) + 1
        ids = ids * n + encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        size *= n
    _, firsts, ids = np.unique(ids, return_index=True, return_inverse=True)
    return ids.reshape(-1), firsts
