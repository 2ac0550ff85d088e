"""Registry of existing ESS: who already covers which départements for which specialty.

The embedded registry is ``data/ess_registry.csv`` (versioned with the package). Users can pass
their own file with the same columns::

    id,name,specialties,departements,region,status,source,source_date

``specialties`` and ``departements`` are lists separated by ``;``. Lines starting with ``#`` are
comments. Files are UTF-8 (with or without BOM) or Windows-1252 (Excel). ``region`` must contain
every listed département (leave it empty for an ESS spanning several régions). Two covering ESS
(``active`` or ``projet``) of one specialty may not share a département. A malformed file raises :class:`~ess_geo.errors.InputDataError` naming every bad row
(all problems are collected first, then raised once).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

from ess_geo.errors import EssGeoError, InputDataError
from ess_geo.inputs._files import check_path, decode_text, unreadable
from ess_geo.reference.codes import departements_of_region, normalize_dep_codes, normalize_region_code
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.sources import Source

__all__ = [
    "COVERING_STATUSES",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "STATUSES",
    "EssEntry",
    "Registry",
    "as_registry",
    "load_registry",
]

REQUIRED_COLUMNS = ("id", "name", "specialties", "departements", "status", "source")
OPTIONAL_COLUMNS = ("region", "source_date")
STATUSES = ("active", "projet", "inactive")

#: Statuses that count as covering a territory (a project in progress does too: its letter of
#: intent reserves the territory).
COVERING_STATUSES = ("active", "projet")


@dataclass(frozen=True)
class EssEntry:
    """One existing ESS.

    Attributes
    ----------
    id : str
        Stable identifier.
    name : str
        Name as published (user-provided text: escape it before putting it in HTML).
    specialties : tuple of str
        Canonical specialty ids.
    departements : tuple of str
        Normalised codes of the départements covered.
    region : str
        Région code ("" when the ESS spans several or it is unknown).
    status : str
        ``active``, ``projet`` or ``inactive``.
    source : str
        Public page or document.
    source_date : str
        Date of the source.
    """

    id: str
    name: str
    specialties: tuple[str, ...]
    departements: tuple[str, ...]
    region: str
    status: str
    source: str
    source_date: str = ""

    def to_dict(self) -> dict:
        """JSON-ready form."""
        d = asdict(self)
        d["specialties"] = list(self.specialties)
        d["departements"] = list(self.departements)
        return d


@dataclass
class Registry:
    """A set of known ESS, with its provenance.

    Attributes
    ----------
    entries : list of EssEntry
        The ESS, in file order.
    source : Source
        Provenance of the registry file.
    """

    entries: list[EssEntry] = field(default_factory=list)
    source: Source = field(default_factory=lambda: Source("Registre des ESS", "non daté"))

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def covering(self, specialty: str | Specialty, departements: Iterable[str]) -> list[tuple[EssEntry, list[str]]]:
        """ESS of the same specialty that already cover some of the given départements.

        Parameters
        ----------
        specialty : str or Specialty
            Specialty to look for.
        departements : iterable of str
            Normalised département codes.

        Returns
        -------
        list of (EssEntry, list of str)
            Each covering ESS (status active or projet) with the départements it shares.
        """
        spec = get_specialty(specialty)
        wanted = list(departements)
        out = []
        for entry in self.entries:
            if spec.id not in entry.specialties or entry.status not in COVERING_STATUSES:
                continue
            shared = [d for d in wanted if d in entry.departements]
            if shared:
                out.append((entry, shared))
        return out

    def for_specialty(self, specialty: str | Specialty) -> list[EssEntry]:
        """Covering ESS (active or projet) of one specialty."""
        spec = get_specialty(specialty)
        return [e for e in self.entries if spec.id in e.specialties and e.status in COVERING_STATUSES]

    def covered_departements(self, specialty: str | Specialty) -> dict[str, str]:
        """Map each covered département to the id of the ESS covering it for ``specialty``."""
        return {d: e.id for e in self.for_specialty(specialty) for d in e.departements}


def _split(cell: str) -> list[str]:
    return [p.strip() for p in (cell or "").replace(",", ";").split(";") if p.strip()]


def load_registry(path: str | Path | None = None) -> Registry:
    """Load the ESS registry.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A registry CSV; default the embedded one.

    Returns
    -------
    Registry

    Raises
    ------
    InputDataError
        If ``path`` is not a path, the file is missing, a directory, unreadable or neither UTF-8
        nor Windows-1252 text, lacks a required column, has bad rows (each named with its line
        number and the offending value), or two covering ESS of one specialty share a
        département.
    """
    if path is None:
        text = (resources.files("ess_geo.reference") / "data" / "ess_registry.csv").read_text(encoding="utf-8")
        origin = "ess_geo/reference/data/ess_registry.csv (registre embarqué)"
        name = "Registre des ESS connues (embarqué dans ess_geo)"
    else:
        p = check_path(path, "registry", "load_registry", "registre")
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise unreadable(p, exc, "registry", "registre") from exc
        text, _ = decode_text(raw, p, "registre")
        origin = str(p)
        name = f"Registre des ESS ({p.name})"
    return _parse(text, origin, name)


def _blank_comments(text: str) -> str:
    """Blank the comment lines (``#`` first outside a quoted field), keeping the line count."""
    out = []
    in_quote = False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not in_quote and line.lstrip().startswith("#"):
            out.append("")
            continue
        out.append(line)
        if line.count('"') % 2:
            in_quote = not in_quote
    return "\n".join(out)


def _records(text: str, origin: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV records with the physical line each starts on."""
    reader = csv.reader(io.StringIO(_blank_comments(text), newline=""))
    out = []
    last = 0
    try:
        for row in reader:
            start, last = last + 1, reader.line_num
            if row and any(c.strip() for c in row):
                out.append((start, row))
    except csv.Error as exc:
        raise InputDataError(
            f"registry {origin!r}: CSV error near line {reader.line_num}: {exc}",
            fr=f"registre {origin} illisible près de la ligne {reader.line_num} : {exc}",
            path=origin,
            line=reader.line_num,
        ) from exc
    return out


def _parse(text: str, origin: str, name: str) -> Registry:
    """The registry of a decoded file; every bad row is collected, then raised once."""
    records = _records(text, origin)
    if not records:
        raise InputDataError(f"registry {origin!r} is empty", fr=f"registre vide : {origin}", path=origin)
    header_line, header = records[0]
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        msg = f"registry {origin!r}: missing column(s) {missing}; required: {list(REQUIRED_COLUMNS)}, got {header}"
        raise InputDataError(msg, fr=f"registre {origin} : colonne(s) manquante(s) {', '.join(missing)}", path=origin, line=header_line)
    problems: list[str] = []
    entries: list[EssEntry] = []
    lines: list[int] = []
    seen: set[str] = set()
    for lineno, cells in records[1:]:
        if len(cells) > len(header):  # more fields than header
            problems.append(f"line {lineno}: too many fields ({cells[len(header):]!r})")
            continue
        entries.append(_entry(dict(zip(header, cells, strict=False)), f"line {lineno}", seen, problems))
        lines.append(lineno)
    problems += _overlaps(entries, lines)
    if problems:
        msg = f"malformed registry {origin!r}: " + "; ".join(problems)
        raise InputDataError(msg, fr=f"registre {origin} mal formé : " + "; ".join(problems), path=origin)
    dates = [e.source_date for e in entries if e.source_date]
    vintage = f"sources datées jusqu'au {max(dates)}" if dates else "non daté"
    return Registry(entries=entries, source=Source(name=name, vintage=vintage, licence="sources publiques citées par ligne", origin=origin))


def _entry(row: dict[str, str], where: str, seen: set[str], problems: list[str]) -> EssEntry:
    """The entry of one row; its problems are appended to ``problems`` (ids already seen in ``seen``)."""
    ess_id = (row.get("id") or "").strip()
    if not ess_id:
        problems.append(f"{where}: empty id")
    elif ess_id in seen:
        problems.append(f"{where}: duplicate id {ess_id!r}")
    seen.add(ess_id)
    where = f"{where} (id {ess_id!r})"
    specs = _row_specialties(row, where, problems)
    region, deps = _row_territory(row, where, problems)
    status = (row.get("status") or "").strip().lower()
    if status not in STATUSES:
        problems.append(f"{where}: status {status!r} not in {list(STATUSES)}")
    return EssEntry(
        id=ess_id,
        name=(row.get("name") or "").strip(),
        specialties=tuple(specs),
        departements=tuple(deps),
        region=region,
        status=status,
        source=(row.get("source") or "").strip(),
        source_date=(row.get("source_date") or "").strip(),
    )


def _row_specialties(row: dict[str, str], where: str, problems: list[str]) -> list[str]:
    """Canonical ids of the row's specialties; unknown ones and an empty list are problems."""
    specs: list[str] = []
    raw_specs = _split(row.get("specialties", ""))
    for raw in raw_specs:
        try:
            specs.append(get_specialty(raw).id)
        except EssGeoError as exc:
            problems.append(f"{where}: specialties: {exc}")
    if not raw_specs:
        problems.append(f"{where}: no specialty")
    return specs


def _row_territory(row: dict[str, str], where: str, problems: list[str]) -> tuple[str, list[str]]:
    """``(region, départements)`` of a row: the listed départements, else those of its région."""
    deps: list[str] = []
    raw_deps = _split(row.get("departements", ""))
    region = (row.get("region") or "").strip()
    try:
        if region:
            region = normalize_region_code(region)
        deps = departements_of_region(region) if not raw_deps and region else normalize_dep_codes(raw_deps)
        if region and raw_deps:
            outside = [d for d in deps if d not in departements_of_region(region)]
            if outside:
                problems.append(
                    f"{where}: département(s) {outside} not in région {region!r} "
                    "(leave region empty for an ESS spanning several régions)"
                )
    except EssGeoError as exc:
        problems.append(f"{where}: {exc}")
    if not raw_deps and not region:
        problems.append(f"{where}: no département and no région")
    return region, deps


def _overlaps(entries: list[EssEntry], lines: list[int]) -> list[str]:
    """Two covering ESS of one specialty may not share a département (one ESS per territory)."""
    problems = []
    covering = [(e, n) for e, n in zip(entries, lines, strict=True) if e.status in COVERING_STATUSES]
    for i, (a, line_a) in enumerate(covering):
        for b, line_b in covering[i + 1 :]:
            shared_deps = [d for d in a.departements if d in b.departements]
            if not shared_deps:
                continue
            for spec in (s for s in a.specialties if s in b.specialties):
                problems.append(
                    f"ESS {a.id!r} (line {line_a}) and {b.id!r} (line {line_b}) both cover {spec} "
                    f"in département(s) {shared_deps} (one ESS per specialty and territory)"
                )
    return problems


def as_registry(registry: Registry | str | Path | None) -> Registry:
    """Accept a :class:`Registry`, a path, or None (the embedded registry).

    Raises
    ------
    InputDataError
        If ``registry`` is of another type (naming it), or the file cannot be loaded.
    """
    if isinstance(registry, Registry):
        return registry
    if registry is not None and (isinstance(registry, bool) or not isinstance(registry, str | os.PathLike)):
        raise InputDataError(
            f"registry must be a Registry, a file path (str or pathlib.Path) or None, got {type(registry).__name__}",
            fr=f"registre : objet Registry ou chemin de fichier attendu, reçu {type(registry).__name__}",
        )
    return load_registry(registry)
