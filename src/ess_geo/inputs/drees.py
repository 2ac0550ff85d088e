"""Reader of the DREES table "médecins inscrits au RPPS par département × 15 groupes de spécialités".

The table is wide: a first column ``dept_code`` with unpadded codes (``1``, ``02A``...), one
column per DREES specialty group, a ``Total général`` column and row; comma-separated as
published, semicolon-separated after a French Excel re-save. :func:`read_drees_table` makes it
the tidy :class:`~ess_geo.inputs.supply.Supply` table, where ``specialty`` is the canonical id
when the group is exactly one specialty (``cardiologie`` for ``07-Cardiologie``) and the group
label otherwise (``15-Autre spécialité``), and ``mode`` is ``"tous"`` (all modes of practice).
Every line or cell that cannot be read is counted in ``Supply.dropped``; an unreadable cell
makes that département's figure for the group unknown (``Supply.unreadable``), not 0. A table
of densities (decimals) instead of head counts is refused.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from pathlib import Path

from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.inputs._files import checked_rows
from ess_geo.inputs._limits import check_int64
from ess_geo.inputs.supply import ABSENT_FR, TABLE_COLUMNS, Supply
from ess_geo.inputs.supply_index import DeferredFrame
from ess_geo.reference.codes import canonical_dep_code, departement_names
from ess_geo.reference.specialties import GENERAL_PRACTICE_GROUP, all_specialties
from ess_geo.sources import Source

__all__ = ["DREES_TOTAL_ROW", "drees_delimiter", "read_drees_table"]

#: Label of the national total (row and column) of the DREES table.
DREES_TOTAL_ROW = "Total général"


@lru_cache(maxsize=1)
def _drees_group_specialty() -> dict[str, str]:
    """DREES group label → canonical id, for groups that are exactly one specialty."""
    return {s.drees_group: s.id for s in all_specialties() if s.drees_group_exact}


def drees_delimiter(header: str) -> str | None:
    """Delimiter of a DREES wide table (``,`` or ``;`` after a French Excel re-save), or None."""
    for delimiter in (",", ";", "\t"):
        if header.split(delimiter)[0].strip().strip('"').lower() == "dept_code":
            return delimiter
    return None


def _to_int(cell: str) -> int:
    """An effectif cell as int; spaces used as thousands separators are allowed (``1 213``)."""
    return int(cell.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", ""))


def _cell_value(cell: str) -> tuple[int, str]:
    """``(count, "")`` for a readable cell, ``(-1, reason)`` for a non-integer or negative one."""
    try:
        value = _to_int(cell)
    except ValueError:
        return -1, "effectif non entier"
    return (value, "") if value >= 0 else (-1, "effectif négatif")


def _is_decimal(cell: str) -> bool:
    """Whether a cell is a non-integer number (``9,53`` or ``9.53``), as in DREES density tables."""
    text = cell.strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return False
    return not value.is_integer() or "." in text


def _refuse_densities(rows: list[list[str]], path: Path) -> None:
    """Raise InputDataError when the table holds densities (decimals), not head counts."""
    cells = [c for r in rows for c in r[1:] if c.strip()]
    decimals = sum(_is_decimal(c) for c in cells)
    name_hint = "densit" in path.name.lower()
    if cells and (decimals * 2 > len(cells) or (name_hint and decimals)):
        raise InputDataError(
            f"supply file {str(path)!r} holds densities (non-integer values in {decimals} of {len(cells)} cells"
            f"{', file name mentions densities' if name_hint else ''}), not head counts: give the DREES "
            "'effectifs' table (doctors per département and group) or an RPPS extraction",
            fr=f"{path.name} : fichier de densités, pas d'effectifs ({decimals} valeurs décimales sur {len(cells)}) ; "
            "fournir la table DREES des effectifs (nombre de médecins par département et groupe) ou une extraction RPPS",
            path=str(path),
        )


def read_drees_table(text: str, path: Path, *, vintage: str = "non précisé", delimiter: str = ",") -> Supply:
    """Read the decoded text of a DREES wide table into a :class:`~ess_geo.inputs.supply.Supply`.

    Parameters
    ----------
    text : str
        Decoded content of the file.
    path : pathlib.Path
        File read, for messages and provenance.
    vintage : str, default "non précisé"
        Vintage recorded in the source (the DREES extract does not state it).
    delimiter : str, default ","
        Field separator (see :func:`drees_delimiter`).

    Returns
    -------
    Supply
        Département-level supply; unreadable lines and cells are counted in ``dropped``.

    Raises
    ------
    InputDataError
        If the table holds densities (decimals), not head counts.
    """
    all_rows = list(checked_rows(csv.reader(io.StringIO(text), delimiter=delimiter), path, "supply"))
    _refuse_densities(all_rows[1:], path)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
    groups = [h.strip() for h in header[1:]]
    dropped = DroppedRows(unit="ligne ou valeur")  # a bad cell drops one value, not its line
    label = f"DREES, médecins RPPS par département × 15 groupes de spécialités ({path.name})"
    records: list[tuple] = []
    unreadable: dict[tuple[str, str], str] = {}
    seen: dict[str, int] = {}
    lost: dict[str, str] = {}
    known_deps = departement_names()
    for row in reader:
        code = _row_departement(row, reader.line_num, len(header), known_deps, seen, dropped, lost)
        if code is not None:
            records += _row_records(row, reader.line_num, code, groups, label, dropped, unreadable)
    table = DeferredFrame(TABLE_COLUMNS, records, int_columns=["n_specialists"])  # a frame when read: no pandas for a check
    source = Source(
        name="DREES — médecins inscrits au RPPS par département et groupe de spécialités",
        vintage=vintage,
        licence="Licence Ouverte / Etalab (DREES)",
        origin=str(path),
    )
    absent = {d: lost.get(d, ABSENT_FR) for d in known_deps if d not in seen}  # every département has a line
    return Supply(table=table, source=source, dropped=dropped, path=str(path), unreadable=unreadable,
                  absent_reasons=absent)


def _row_departement(row: list[str], lineno: int, n_fields: int, known_deps: dict[str, str], seen: dict[str, int],
                     dropped: DroppedRows, lost: dict[str, str]) -> str | None:
    """The département of a data line, or None when the line is skipped (blank, total) or dropped.

    A dropped line whose département can still be recognised (its code once control characters
    are removed) is noted in ``lost``: that département's figures are unknown, and say why.
    """
    if not row or all(not c.strip() for c in row):
        return None
    raw_code = row[0].strip()
    if raw_code == DREES_TOTAL_ROW:
        return None  # national total: recomputable, not a département
    code = canonical_dep_code(raw_code)
    guess = canonical_dep_code("".join(ch for ch in raw_code if ch.isprintable()))
    if len(row) != n_fields:
        reason = f"nombre de champs incorrect ({len(row)} au lieu de {n_fields})"
        dropped.add(reason, line=lineno, row=row)
        if guess in known_deps:
            lost.setdefault(guess, f"ligne {lineno} ignorée : {reason}")
        return None
    if code is None or code not in known_deps:
        dropped.add("code département inconnu", line=lineno, row={"dept_code": raw_code})
        if guess in known_deps:
            lost.setdefault(guess, f"ligne {lineno} ignorée : code département illisible {raw_code[:20]!r}")
        return None
    if code in seen:
        dropped.add("département en double", line=lineno,
                    row={"dept_code": raw_code, "code_dep": code, "ligne_retenue": seen[code]})
        return None
    seen[code] = lineno
    return code


def _row_records(row: list[str], lineno: int, code: str, groups: list[str], label: str, dropped: DroppedRows,
                 unreadable: dict[tuple[str, str], str]) -> list[tuple]:
    """Tidy records of one département line; unreadable cells are dropped and marked unknown."""
    exact_ids = _drees_group_specialty()
    raw_code = row[0].strip()
    records = []
    for group, cell in zip(groups, row[1:], strict=True):
        if group == DREES_TOTAL_ROW:
            continue
        value, reason = _cell_value(cell)
        if reason:
            dropped.add(reason, line=lineno, row={"dept_code": raw_code, group: cell})
            shown = f"{reason} « {cell.strip()[:20]} »" if cell.strip() else "cellule vide"
            unreadable[(code, group)] = f"{shown}, ligne {lineno}"
            continue
        check_int64(value, lineno, f"{group}, dept_code {raw_code}")
        spec_id = "medecine-generale" if group == GENERAL_PRACTICE_GROUP else exact_ids.get(group, group)
        records.append((code, spec_id, group, value, "tous", label))
    return records
