"""Specialist supply: how many doctors of a specialty practise where.

The embedded data ship no supply (it ages fast): users pass a file. :func:`load_supply` reads the
DREES table "effectifs par département × 15 groupes de spécialités" into a :class:`Supply`, whose
``table`` is tidy::

    code_dep | specialty | drees_group | n_specialists | mode | source

``specialty`` is the canonical id when the DREES group is exactly one specialty (``cardiologie``
for ``07-Cardiologie``) and the group label otherwise (``15-Autre spécialité``). ``mode`` is
``"tous"`` (all modes of practice) for DREES tables. Every line that cannot be read is counted in
``Supply.dropped``; nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.geography import _canonical_dep, _dep_names
from ess_geo.sources import Source
from ess_geo.specialties import GENERAL_PRACTICE_GROUP, Specialty, all_specialties, get_specialty

TABLE_COLUMNS = ["code_dep", "specialty", "drees_group", "n_specialists", "mode", "source"]
DREES_TOTAL_ROW = "Total général"


@dataclass
class SupplyCount:
    """Specialists of one specialty on a set of départements.

    Attributes
    ----------
    total : int
        Sum over the départements.
    by_departement : dict of str to int
        Count per département (0 where the source has no row).
    exact : bool
        False when the source only has a group lumping several specialties: ``total`` is then an
        upper bound.
    basis : str
        French description of what was counted (group, mode of practice).
    missing : list of str
        Départements absent from the source.
    """

    total: int
    by_departement: dict[str, int]
    exact: bool
    basis: str
    missing: list[str] = field(default_factory=list)


@dataclass
class Supply:
    """Specialist supply read from a file.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy table (see module docstring); commune-level supplies add ``code_insee``.
    source : Source
        Provenance of the file.
    dropped : DroppedRows
        Lines that could not be read, with reasons.
    path : str
        File read.
    """

    table: pd.DataFrame
    source: Source
    dropped: DroppedRows = field(default_factory=DroppedRows)
    path: str = ""

    def count(self, specialty: str | Specialty, departements: list[str]) -> SupplyCount:
        """Count the specialists of ``specialty`` on the given (normalised) départements.

        Parameters
        ----------
        specialty : str or Specialty
            Canonical id, label or alias.
        departements : list of str
            Normalised département codes.

        Returns
        -------
        SupplyCount
            Total, per-département counts and whether the count is exact.
        """
        spec = get_specialty(specialty)
        tab = self.table
        rows = tab[tab["specialty"] == spec.id]
        exact = True
        basis = f"spécialité {spec.label}"
        if rows.empty and spec.drees_group in set(tab["drees_group"]):
            rows = tab[tab["drees_group"] == spec.drees_group]
            exact = spec.drees_group_exact
            basis = f"groupe DREES « {spec.drees_group} »"
            if not exact:
                basis += " (regroupe plusieurs spécialités : majorant)"
        modes = sorted(set(rows["mode"])) if not rows.empty else []
        if modes:
            basis += ", mode d'exercice : " + ", ".join(modes)
        per_dep = rows.groupby("code_dep")["n_specialists"].sum()
        present = set(tab["code_dep"])
        by_dep = {d: int(per_dep.get(d, 0)) for d in departements}
        missing = [d for d in departements if d not in present]
        return SupplyCount(sum(by_dep.values()), by_dep, exact, basis, missing)

    def has_specialty(self, specialty: str | Specialty) -> bool:
        """Whether the supply carries the specialty itself or the DREES group containing it."""
        spec = get_specialty(specialty)
        tab = self.table
        return bool((tab["specialty"] == spec.id).any() or (tab["drees_group"] == spec.drees_group).any())


def _drees_group_specialty() -> dict[str, str]:
    """DREES group label → canonical id, for groups that are exactly one specialty."""
    return {s.drees_group: s.id for s in all_specialties() if s.drees_group_exact}


def load_supply(path: str | Path, *, vintage: str = "non précisé") -> Supply:
    """Read a supply file.

    Currently reads the DREES table "effectifs par département × 15 groupes de spécialités"
    (first column ``dept_code`` with unpadded codes such as ``1`` and ``02A``, one column per
    group, a ``Total général`` column and row).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV file.
    vintage : str, optional
        Vintage to record in the source (the DREES extract does not state it).

    Returns
    -------
    Supply
        Tidy supply; unreadable lines are counted in ``dropped``.

    Raises
    ------
    InputDataError
        If the file does not exist or is not a recognised supply format.
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(f"supply file not found: {str(path)!r}", fr=f"fichier d'effectifs introuvable : {path}", path=str(path))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.splitlines()[0] if text else ""
    if first.split(",")[0].strip().lower() == "dept_code":
        return _read_drees_wide(text, path, vintage)
    msg = (
        f"unrecognised supply file {str(path)!r}: expected the DREES table (first column 'dept_code'); "
        f"got header {first[:120]!r}"
    )
    raise InputDataError(msg, fr=f"format de fichier d'effectifs non reconnu : {path.name}", path=str(path), line=1)


def _read_drees_wide(text: str, path: Path, vintage: str) -> Supply:
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    groups = [h.strip() for h in header[1:]]
    known_deps = _dep_names()
    exact_ids = _drees_group_specialty()
    dropped = DroppedRows()
    label = f"DREES, médecins RPPS par département × 15 groupes de spécialités ({path.name})"
    records = []
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        raw_code = row[0].strip()
        if raw_code == DREES_TOTAL_ROW:
            continue  # national total: recomputable, not a département
        if len(row) != len(header):
            dropped.add(f"wrong number of fields ({len(row)} instead of {len(header)})", line=lineno, row=row)
            continue
        code = _canonical_dep(raw_code)
        if code is None or code not in known_deps:
            dropped.add("unknown département code", line=lineno, row={"dept_code": raw_code})
            continue
        for group, cell in zip(groups, row[1:], strict=True):
            if group == DREES_TOTAL_ROW:
                continue
            try:
                value = int(cell.strip())
            except ValueError:
                dropped.add("non-integer count", line=lineno, row={"dept_code": raw_code, group: cell})
                continue
            spec_id = "medecine-generale" if group == GENERAL_PRACTICE_GROUP else exact_ids.get(group, group)
            records.append((code, spec_id, group, value, "tous", label))
    table = pd.DataFrame.from_records(records, columns=TABLE_COLUMNS)
    table["n_specialists"] = table["n_specialists"].astype("int64")
    source = Source(
        name="DREES — médecins inscrits au RPPS par département et groupe de spécialités",
        vintage=vintage,
        licence="Licence Ouverte / Etalab (DREES)",
        origin=str(path),
    )
    return Supply(table=table, source=source, dropped=dropped, path=str(path))


def as_supply(supply: Supply | str | Path | None) -> Supply | None:
    """Accept a :class:`Supply`, a path to load, or None."""
    if supply is None or isinstance(supply, Supply):
        return supply
    return load_supply(supply)
