"""Registry of existing ESS: who already covers which départements for which specialty.

The embedded registry is ``data/ess_registry.csv`` (versioned with the package). Users can pass
their own file with the same columns::

    id,name,specialties,departements,region,status,source,source_date

``specialties`` and ``departements`` are lists separated by ``;``. Lines starting with ``#`` are
comments. A malformed file raises :class:`~ess_geo.errors.InputDataError` naming every bad row
(all problems are collected first, then raised once).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

from ess_geo.errors import EssGeoError, InputDataError
from ess_geo.geography import departements_of_region, normalize_dep_codes, normalize_region_code
from ess_geo.sources import Source
from ess_geo.specialties import Specialty, get_specialty

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
        If the file is missing, lacks a required column, or has bad rows (each named with its
        line number and the offending value).
    """
    if path is None:
        text = (resources.files("ess_geo") / "data" / "ess_registry.csv").read_text(encoding="utf-8")
        origin = "ess_geo/data/ess_registry.csv (registre embarqué)"
        name = "Registre des ESS connues (embarqué dans ess_geo)"
    else:
        p = Path(path)
        if not p.is_file():
            raise InputDataError(f"registry file not found: {str(p)!r}", fr=f"registre introuvable : {p}", path=str(p))
        text = p.read_text(encoding="utf-8-sig")
        origin = str(p)
        name = f"Registre des ESS ({p.name})"
    return _parse(text, origin, name)


def _parse(text: str, origin: str, name: str) -> Registry:
    numbered = [(i, line) for i, line in enumerate(text.splitlines(), start=1) if not line.lstrip().startswith("#")]
    numbered = [(i, line) for i, line in numbered if line.strip()]
    if not numbered:
        raise InputDataError(f"registry {origin!r} is empty", fr=f"registre vide : {origin}", path=origin)
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in numbered)))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        msg = f"registry {origin!r}: missing column(s) {missing}; required: {list(REQUIRED_COLUMNS)}, got {header}"
        raise InputDataError(msg, fr=f"registre {origin} : colonne(s) manquante(s) {', '.join(missing)}", path=origin, line=numbered[0][0])
    problems: list[str] = []
    entries: list[EssEntry] = []
    seen: set[str] = set()
    dates: list[str] = []
    for (lineno, _), row in zip(numbered[1:], reader, strict=False):
        where = f"line {lineno}"
        if None in row:  # more fields than header
            problems.append(f"{where}: too many fields ({row[None]!r})")
            continue
        ess_id = (row.get("id") or "").strip()
        if not ess_id:
            problems.append(f"{where}: empty id")
        elif ess_id in seen:
            problems.append(f"{where}: duplicate id {ess_id!r}")
        seen.add(ess_id)
        specs: list[str] = []
        for raw in _split(row.get("specialties", "")):
            try:
                specs.append(get_specialty(raw).id)
            except EssGeoError as exc:
                problems.append(f"{where} (id {ess_id!r}): specialties: {exc}")
        if not _split(row.get("specialties", "")):
            problems.append(f"{where} (id {ess_id!r}): no specialty")
        deps: list[str] = []
        raw_deps = _split(row.get("departements", ""))
        region = (row.get("region") or "").strip()
        try:
            if region:
                region = normalize_region_code(region)
            deps = departements_of_region(region) if not raw_deps and region else normalize_dep_codes(raw_deps)
        except EssGeoError as exc:
            problems.append(f"{where} (id {ess_id!r}): {exc}")
        if not raw_deps and not region:
            problems.append(f"{where} (id {ess_id!r}): no département and no région")
        status = (row.get("status") or "").strip().lower()
        if status not in STATUSES:
            problems.append(f"{where} (id {ess_id!r}): status {status!r} not in {list(STATUSES)}")
        if row.get("source_date"):
            dates.append(row["source_date"].strip())
        entries.append(
            EssEntry(
                id=ess_id,
                name=(row.get("name") or "").strip(),
                specialties=tuple(specs),
                departements=tuple(deps),
                region=region,
                status=status,
                source=(row.get("source") or "").strip(),
                source_date=(row.get("source_date") or "").strip(),
            )
        )
    if problems:
        msg = f"malformed registry {origin!r}: " + "; ".join(problems)
        raise InputDataError(msg, fr=f"registre {origin} mal formé : " + "; ".join(problems), path=origin)
    vintage = f"sources datées jusqu'au {max(dates)}" if dates else "non daté"
    return Registry(entries=entries, source=Source(name=name, vintage=vintage, licence="sources publiques citées par ligne", origin=origin))


def as_registry(registry: Registry | str | Path | None) -> Registry:
    """Accept a :class:`Registry`, a path, or None (the embedded registry)."""
    if isinstance(registry, Registry):
        return registry
    return load_registry(registry)
