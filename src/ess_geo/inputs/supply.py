"""Specialist supply: how many doctors of a specialty practise where.

The embedded data ship no supply (it ages fast): users pass a file. :func:`load_supply` reads the
DREES table "effectifs par département × 15 groupes de spécialités" into a :class:`Supply`, whose
``table`` is tidy::

    code_dep | specialty | drees_group | n_specialists | mode | source

``specialty`` is the canonical id when the DREES group is exactly one specialty (``cardiologie``
for ``07-Cardiologie``) and the group label otherwise (``15-Autre spécialité``). ``mode`` is
``"tous"`` (all modes of practice) for DREES tables. Every line that cannot be read is counted in
``Supply.dropped``; nothing is dropped silently.

:func:`load_supply` also recognises the public RPPS extraction ``PS_LibreAcces_Personne_activite``
by its header (or the ANS zip holding it) and hands it to :func:`ess_geo.inputs.rpps.load_rpps`, which
gives a commune-level supply of libéral specialists by default, with ``persons`` (one row per
doctor × specialty × commune) so that a doctor practising in several communes or départements is
counted once in a territory total (see :mod:`ess_geo.inputs.rpps` for the counting rules).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.reference.codes import canonical_dep_code, departement_names
from ess_geo.reference.specialties import GENERAL_PRACTICE_GROUP, Specialty, all_specialties, get_specialty
from ess_geo.sources import Source

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
        Départements whose figure is unknown: absent from the source, or whose cell for the
        specialty's group could not be read (their ``by_departement`` value is 0 for want of data).
    mode : str
        Mode of practice counted: ``"tous"`` (DREES), ``"liberal"``, ``"salarie"``, ``"benevole"``.
    population : str
        French description of the population of doctors counted (e.g. « médecins libéraux
        inscrits au RPPS »); the source itself is in ``Supply.source``.
    inhabitants : int or None
        Resident population of the départements (embedded geography), for densities.
    density_per_100k : float or None
        ``total`` per 100,000 inhabitants.
    multi_departement : int
        Doctors (RPPS supplies) practising in more than one of the départements: counted once in
        ``total`` and once in each of their départements in ``by_departement``.
    available : bool
        False when the supply has neither the specialty nor its DREES group at all: ``total`` is
        then 0 for want of data, not a count, and every département is in ``missing``.
    """

    total: int
    by_departement: dict[str, int]
    exact: bool
    basis: str
    missing: list[str] = field(default_factory=list)
    mode: str = "tous"
    population: str = ""
    inhabitants: int | None = None
    density_per_100k: float | None = None
    multi_departement: int = 0
    available: bool = True


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
    persons : pandas.DataFrame or None
        Person-level rows (``rpps_id``, ``specialty``, ``code_insee``, ``code_dep``) for supplies
        read from the RPPS extraction: counts over several communes or départements count each
        doctor once. None for aggregated tables (DREES).
    mode : str
        Mode of practice counted: ``"tous"`` (DREES tables), ``"liberal"``, ``"salarie"``,
        ``"benevole"`` (RPPS).
    stats : dict
        Reader statistics (lines read, lines out of scope by reason...).
    unreadable : set of (str, str)
        ``(code_dep, drees_group)`` cells of a DREES table that could not be read (not an integer,
        negative): the département's figure for that group is unknown, not 0.
    """

    table: pd.DataFrame
    source: Source
    dropped: DroppedRows = field(default_factory=DroppedRows)
    path: str = ""
    persons: pd.DataFrame | None = None
    mode: str = "tous"
    stats: dict = field(default_factory=dict)
    unreadable: set[tuple[str, str]] = field(default_factory=set)

    def rows_for(self, specialty: str | Specialty) -> tuple[pd.DataFrame, bool, str]:
        """Rows of ``table`` for a specialty, falling back to its DREES group.

        The one place that decides which rows count for a specialty: rows of the specialty itself
        when the supply has any, else the rows of its DREES group (an upper bound when the group
        lumps several specialties).

        Parameters
        ----------
        specialty : str or Specialty
            Canonical id, label or alias.

        Returns
        -------
        rows : pandas.DataFrame
            Matching rows of ``table`` (empty when the supply has neither the specialty nor its
            group: see :meth:`has_specialty`).
        exact : bool
            False when the rows are those of a group lumping several specialties.
        basis : str
            French description of what the rows count (specialty or group, modes of practice).
        """
        spec = get_specialty(specialty)
        tab = self.table
        rows = tab[tab["specialty"] == spec.id]
        exact = True
        basis = f"spécialité {spec.label}"
        if rows.empty and "drees_group" in tab.columns and (tab["drees_group"] == spec.drees_group).any():
            rows = tab[tab["drees_group"] == spec.drees_group]
            exact = bool(spec.drees_group_exact)
            basis = f"groupe DREES « {spec.drees_group} »"
            if not exact:
                basis += " (regroupe plusieurs spécialités : majorant)"
        modes = sorted(set(rows["mode"])) if not rows.empty and "mode" in rows.columns else []
        if modes:
            basis += ", mode d'exercice : " + ", ".join(modes)
        return rows, exact, basis

    def has_specialty(self, specialty: str | Specialty) -> bool:
        """Whether the supply carries the specialty or its DREES group (even as unreadable cells).

        Parameters
        ----------
        specialty : str or Specialty
            Canonical id, label or alias.

        Returns
        -------
        bool
        """
        spec = get_specialty(specialty)
        tab = self.table
        if (tab["specialty"] == spec.id).any():
            return True
        if "drees_group" in tab.columns and (tab["drees_group"] == spec.drees_group).any():
            return True
        if self.persons is not None and (self.persons["specialty"] == spec.id).any():
            return True
        return any(group == spec.drees_group for _, group in self.unreadable)

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
        if self.persons is not None:
            return self._count_persons(spec, departements)
        population = "médecins inscrits au RPPS, tous modes d'exercice (libéraux et salariés)"
        inhabitants = _inhabitants(departements)
        if not self.has_specialty(spec):
            basis = (
                f"aucune donnée pour {spec.label} (ni pour son groupe DREES « {spec.drees_group} ») "
                "dans le fichier d'effectifs"
            )
            return SupplyCount(0, dict.fromkeys(departements, 0), False, basis, list(departements), mode=self.mode,
                               population=population, inhabitants=inhabitants, available=False)
        rows, exact, basis = self.rows_for(spec)
        per_dep = rows.groupby("code_dep")["n_specialists"].sum()
        present = set(self.table["code_dep"])
        unreadable = {d for d, group in self.unreadable if group == spec.drees_group}
        by_dep = {d: int(per_dep.get(d, 0)) for d in departements}
        missing = [d for d in departements if d not in present or d in unreadable]
        total = sum(by_dep.values())
        return SupplyCount(total, by_dep, exact, basis, missing, mode=self.mode, population=population,
                           inhabitants=inhabitants, density_per_100k=_density(total, inhabitants))

    def _count_persons(self, spec: Specialty, departements: list[str]) -> SupplyCount:
        """Count distinct doctors (RPPS): once per département, once in the territory total."""
        from ess_geo.inputs.rpps import MODES

        persons = self.persons
        rows = persons[(persons["specialty"] == spec.id) & persons["code_dep"].isin(departements)]
        per_dep = rows.groupby("code_dep")["rpps_id"].nunique()
        by_dep = {d: int(per_dep.get(d, 0)) for d in departements}
        total = int(rows["rpps_id"].nunique())
        multi = int((rows.groupby("rpps_id")["code_dep"].nunique() > 1).sum())
        mode_label = MODES.get(self.mode, (None, self.mode))[1]
        who = "médecins libéraux" if self.mode == "liberal" else f"médecins ({mode_label})"
        codes = ", ".join(spec.rpps_codes)
        basis = (
            f"{who} en « {spec.label} » (RPPS, savoir-faire {codes}), mode d'exercice : {mode_label} ; "
            f"source {self.source.vintage} ; chaque médecin est compté une fois dans le total, "
            "et une fois dans chaque département où il exerce"
        )
        if multi:
            basis += f" ({multi} médecin(s) exerçant dans plusieurs de ces départements)"
        present = set(self.table["code_dep"]) | set(persons["code_dep"])
        missing = [d for d in departements if d not in present]
        inhabitants = _inhabitants(departements)
        population = f"{who} inscrits au RPPS (mode d'exercice : {mode_label}), {self.source.vintage}"
        return SupplyCount(total, by_dep, True, basis, missing, mode=self.mode, population=population,
                           inhabitants=inhabitants, density_per_100k=_density(total, inhabitants),
                           multi_departement=multi)

    def supply_by(self, level: str | list[str] = "departement", *, specialty: str | Specialty | None = None):
        """Counts and densities per commune, département, région or for a territory.

        See :func:`ess_geo.analysis.density.supply_by`.
        """
        from ess_geo.analysis.density import supply_by

        return supply_by(self, level, specialty=specialty)


def _inhabitants(departements: list[str]) -> int | None:
    """Resident population of the départements (embedded geography)."""
    from ess_geo.analysis.density import departement_population

    pops = departement_population()
    if not departements or any(d not in pops for d in departements):
        return None
    return int(sum(pops[d] for d in departements))


def _density(total: int, inhabitants: int | None) -> float | None:
    if not inhabitants:
        return None
    return round(total * 100_000 / inhabitants, 2)


def _drees_group_specialty() -> dict[str, str]:
    """DREES group label → canonical id, for groups that are exactly one specialty."""
    return {s.drees_group: s.id for s in all_specialties() if s.drees_group_exact}


def _check_path(path: object, what: str, func: str, what_fr: str) -> Path:
    """``path`` as a Path to an existing regular file, or InputDataError naming the problem."""
    if isinstance(path, bool) or not isinstance(path, str | os.PathLike):
        raise InputDataError(
            f"{func}: path must be a file path (str or pathlib.Path), got {type(path).__name__}: {_short(path)}",
            fr=f"{what_fr} : chemin de fichier attendu (texte ou pathlib.Path), reçu {type(path).__name__}",
        )
    p = Path(path)
    if p.is_dir():
        raise InputDataError(
            f"{what} path {str(p)!r} is a directory, not a file",
            fr=f"{what_fr} : {p} est un dossier, pas un fichier",
            path=str(p),
        )
    if not p.is_file():
        raise InputDataError(f"{what} file not found: {str(p)!r}", fr=f"{what_fr} introuvable : {p}", path=str(p))
    return p


def _unreadable(path: Path, exc: OSError, what: str, what_fr: str) -> InputDataError:
    reason = exc.strerror or type(exc).__name__
    return InputDataError(f"cannot read {what} file {str(path)!r}: {reason}",
                          fr=f"{what_fr} illisible : {path} ({reason})", path=str(path))


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_supply(path: str | Path, *, vintage: str | None = None, mode: str = "liberal") -> Supply:
    """Read a supply file, recognising its format by its header.

    Reads the DREES table "effectifs par département × 15 groupes de spécialités" (first column
    ``dept_code`` with unpadded codes such as ``1`` and ``02A``, one column per group, a
    ``Total général`` column and row), or the RPPS extraction ``PS_LibreAcces_Personne_activite``
    (pipe-separated, header starting ``Type d'identifiant PP|Identifiant PP|...``, or the ANS zip
    holding it), read by :func:`ess_geo.inputs.rpps.load_rpps`.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV file, RPPS ``.txt`` extraction or ANS zip.
    vintage : str, optional
        Vintage to record in the source (the DREES extract does not state it; the RPPS one is
        read from the file name).
    mode : str, default "liberal"
        Mode of practice kept from an RPPS extraction (``"liberal"``, ``"salarie"``,
        ``"benevole"``, ``"tous"``); ignored for DREES tables (all modes).

    Returns
    -------
    Supply
        Tidy supply; unreadable lines are counted in ``dropped``.

    Raises
    ------
    InputDataError
        If ``path`` is not a path, the file does not exist, is a directory or cannot be read, or
        is not a recognised supply format.
    """
    path = _check_path(path, "supply", "load_supply", "fichier d'effectifs")
    import zipfile

    from ess_geo.inputs.rpps import is_rpps_header, load_rpps

    try:
        if zipfile.is_zipfile(path):
            return load_rpps(path, mode=mode, vintage=vintage)
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise _unreadable(path, exc, "supply", "fichier d'effectifs") from exc
    head_line = head.split(b"\n", 1)[0]
    try:
        first = head_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        first = head_line.decode("cp1252", errors="replace")
    if is_rpps_header(first):
        return load_rpps(path, mode=mode, vintage=vintage)
    delimiter = _drees_delimiter(first)
    if delimiter is not None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise _unreadable(path, exc, "supply", "fichier d'effectifs") from exc
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise InputDataError(
                    f"supply file {str(path)!r} is neither UTF-8 nor Windows-1252 text: {exc}",
                    fr=f"fichier d'effectifs illisible (encodage ni UTF-8 ni Windows-1252) : {path}",
                    path=str(path),
                ) from exc
        return _read_drees_wide(text, path, vintage or "non précisé", delimiter=delimiter)
    msg = (
        f"unrecognised supply file {str(path)!r}: expected the DREES table (first column 'dept_code', then one "
        f"column per DREES specialty group, comma- or semicolon-separated) or the RPPS extraction "
        f"PS_LibreAcces_Personne_activite (pipe-separated); got header {first[:120]!r}"
    )
    fr = (
        f"format de fichier d'effectifs non reconnu : {path.name} ; attendu : la table DREES des effectifs "
        "(première colonne dept_code, puis une colonne par groupe de spécialités DREES, séparateur , ou ;) "
        "ou l'extraction RPPS PS_LibreAcces_Personne_activite (séparateur |)"
    )
    raise InputDataError(msg, fr=fr, path=str(path), line=1)


def _drees_delimiter(header: str) -> str | None:
    """Delimiter of a DREES wide table (``,`` or ``;`` after a French Excel re-save), or None."""
    for delimiter in (",", ";", "\t"):
        if header.split(delimiter)[0].strip().strip('"').lower() == "dept_code":
            return delimiter
    return None


def _to_int(cell: str) -> int:
    """An effectif cell as int; spaces used as thousands separators are allowed (``1 213``)."""
    return int(cell.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", ""))


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


def _read_drees_wide(text: str, path: Path, vintage: str, delimiter: str = ",") -> Supply:
    all_rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    _refuse_densities(all_rows[1:], path)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
    groups = [h.strip() for h in header[1:]]
    known_deps = departement_names()
    exact_ids = _drees_group_specialty()
    dropped = DroppedRows(unit="ligne ou valeur")  # a bad cell drops one value, not its line
    label = f"DREES, médecins RPPS par département × 15 groupes de spécialités ({path.name})"
    records = []
    unreadable: set[tuple[str, str]] = set()
    seen: dict[str, int] = {}
    for row in reader:
        lineno = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        raw_code = row[0].strip()
        if raw_code == DREES_TOTAL_ROW:
            continue  # national total: recomputable, not a département
        if len(row) != len(header):
            dropped.add(f"nombre de champs incorrect ({len(row)} au lieu de {len(header)})", line=lineno, row=row)
            continue
        code = canonical_dep_code(raw_code)
        if code is None or code not in known_deps:
            dropped.add("code département inconnu", line=lineno, row={"dept_code": raw_code})
            continue
        if code in seen:
            dropped.add("département en double", line=lineno,
                        row={"dept_code": raw_code, "code_dep": code, "ligne_retenue": seen[code]})
            continue
        seen[code] = lineno
        for group, cell in zip(groups, row[1:], strict=True):
            if group == DREES_TOTAL_ROW:
                continue
            try:
                value = _to_int(cell)
            except ValueError:
                dropped.add("effectif non entier", line=lineno, row={"dept_code": raw_code, group: cell})
                unreadable.add((code, group))
                continue
            if value < 0:
                dropped.add("effectif négatif", line=lineno, row={"dept_code": raw_code, group: cell})
                unreadable.add((code, group))
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
    return Supply(table=table, source=source, dropped=dropped, path=str(path), unreadable=unreadable)


def as_supply(supply: Supply | str | Path | None) -> Supply | None:
    """Accept a :class:`Supply`, a path to load, or None.

    Raises
    ------
    InputDataError
        If ``supply`` is of another type (naming it), or the file cannot be loaded.
    """
    if supply is None or isinstance(supply, Supply):
        return supply
    if isinstance(supply, bool) or not isinstance(supply, str | os.PathLike):
        raise InputDataError(
            f"supply must be a Supply, a file path (str or pathlib.Path) or None, got {type(supply).__name__}: {_short(supply)}",
            fr=f"effectifs : objet Supply ou chemin de fichier attendu, reçu {type(supply).__name__}",
        )
    return load_supply(supply)
