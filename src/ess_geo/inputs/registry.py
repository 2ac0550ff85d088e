"""Registry of existing ESS: who covers which départements for which specialty, and since when.

The embedded registry is ``reference/data/ess_registry.csv`` (hand-maintained, a public source
per row, versioned with the package). Each row is one ESS over one perimeter period
(:class:`~ess_geo.inputs.registry_entry.EssEntry`): the same ESS over time is the same id on
several rows. The file format is described in :mod:`ess_geo.inputs.registry_file`; lines
starting with ``#`` are comments; files are UTF-8 (with or without BOM) or Windows-1252 (Excel),
``,`` or ``;`` separated. A malformed file raises :class:`~ess_geo.errors.InputDataError`
naming every bad line and value, in English and French (all problems are collected first).

A user file either **adds** its ESS to the embedded ones (``include_embedded=True``, the CLI's
``--registry``; an ESS with an embedded id replaces it, and the registry's source says so) or
**replaces** them (the default of :func:`load_registry`, the CLI's ``--registry-only``).

:meth:`Registry.covering` uses the perimeters valid at a date (``as_of``, default today).
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ess_geo._format import plural
from ess_geo.errors import InputDataError
from ess_geo.inputs._files import check_path, decode_text, read_limited
from ess_geo.inputs.registry_entry import (
    CERTAINTIES,
    COVERING_STATUSES,
    STATUSES,
    EssEntry,
    as_of_date,
)
from ess_geo.inputs.registry_file import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, Problems, overlap_problems, read_entries
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.sources import Source

__all__ = [
    "CERTAINTIES",
    "COVERING_STATUSES",
    "EMBEDDED_ORIGIN",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "STATUSES",
    "EssEntry",
    "Registry",
    "as_of_date",
    "as_registry",
    "load_registry",
    "merge_registries",
]

_AS_OF_MARK = " ; périmètres au "

#: Origin of the embedded registry, as its source names it.
EMBEDDED_ORIGIN = "ess_geo/reference/data/ess_registry.csv (registre embarqué)"


@dataclass
class Registry:
    """A set of known ESS (one entry per ESS and perimeter period), with its provenance.

    Attributes
    ----------
    entries : list of EssEntry
        The rows, in file order (every period, past ones included).
    source : Source
        Provenance of the registry (its name says which embedded ESS a user file replaced).
    replaced : tuple of str
        Ids of embedded ESS replaced by a user file (:func:`merge_registries`).
    as_of : datetime.date or None
        Date whose perimeters the methods use when called without ``as_of`` (None: today); set by
        :meth:`at`.
    """

    entries: list[EssEntry] = field(default_factory=list)
    source: Source = field(default_factory=lambda: Source("Registre des ESS", "non daté"))
    replaced: tuple[str, ...] = ()
    as_of: date | None = None

    def __iter__(self) -> Iterator[EssEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        """French one-liner (no dump of every entry): ``<Registry : 10 ESS connues, périmètres au 2026-12-02>``."""
        when = f"périmètres au {self.as_of.isoformat()}" if self.as_of else "sans date de référence"
        n = plural(len(self.entries), "ESS connue", "ESS connues")
        return f"<Registry : {n}, {when} ; source : {self.source.name}>"

    def at(self, as_of: date | str | None = None) -> Registry:
        """The same registry seen at ``as_of`` (default its own date, else today): its methods default to that date.

        Every row is kept; the source's vintage states the date (« périmètres au 2023-06-01 »).

        Raises
        ------
        InputDataError
            If ``as_of`` is not a date (naming it).
        """
        day = as_of_date(as_of if as_of is not None else self.as_of)
        vintage = self.source.vintage.split(_AS_OF_MARK)[0] + f"{_AS_OF_MARK}{day.isoformat()}"
        return replace(self, source=replace(self.source, vintage=vintage), as_of=day)

    def valid_at(self, as_of: date | str | None = None) -> list[EssEntry]:
        """Entries whose period contains ``as_of`` (default the registry's date, else today), whatever their status."""
        day = as_of_date(as_of if as_of is not None else self.as_of)
        return [e for e in self.entries if e.valid_at(day)]

    def for_specialty(self, specialty: str | Specialty, *, as_of: date | str | None = None) -> list[EssEntry]:
        """Covering ESS (active or project) of one specialty, on their perimeter valid at ``as_of`` (see :meth:`covering`)."""
        spec = get_specialty(specialty)
        return [e for e in self.valid_at(as_of) if spec.id in e.specialties and e.covers_territory]

    def covering(
        self, specialty: str | Specialty, departements: Iterable[str], *, as_of: date | str | None = None
    ) -> list[tuple[EssEntry, list[str]]]:
        """ESS of the same specialty that cover some of the given départements at a date.

        Parameters
        ----------
        specialty : str or Specialty
            Specialty to look for.
        departements : iterable of str
            Normalised département codes.
        as_of : datetime.date or str, optional
            Date whose perimeters are used (ISO ``YYYY-MM-DD``); default the registry's date
            (:meth:`at`), else today.

        Returns
        -------
        list of (EssEntry, list of str)
            Each covering ESS (status active or project) with the départements it shares; the
            entry carries its certainty, status, period and source.

        Raises
        ------
        InputDataError
            If ``as_of`` is not a date (naming it).
        """
        wanted = list(departements)
        out = []
        for entry in self.for_specialty(specialty, as_of=as_of):
            shared = [d for d in wanted if d in entry.departements]
            if shared:
                out.append((entry, shared))
        return out

    def covered_departements(self, specialty: str | Specialty, *, as_of: date | str | None = None) -> dict[str, str]:
        """Map each département covered at ``as_of`` (see :meth:`covering`) to the id of the ESS covering it."""
        return {d: e.id for d, e in self.covering_entries(specialty, as_of=as_of).items()}

    def covering_entries(self, specialty: str | Specialty, *, as_of: date | str | None = None) -> dict[str, EssEntry]:
        """Map each département covered at ``as_of`` to the entry covering it, with its perimeter's certainty.

        Where several ESS of the specialty claim a département, one with a confirmed perimeter is
        given (else the last one listed): a coverage table says « confirmé » only when a source
        states it.
        """
        out: dict[str, EssEntry] = {}
        for e in self.for_specialty(specialty, as_of=as_of):
            for d in e.departements:
                if d not in out or out[d].perimeter_certainty != "confirmed":
                    out[d] = e
        return out


@lru_cache(maxsize=1)
def _embedded_parsed() -> Registry:
    """The embedded registry, parsed once per process (never handed out: see :func:`_embedded`)."""
    text = (resources.files("ess_geo.reference") / "data" / "ess_registry.csv").read_text(encoding="utf-8")
    return _parse(text, EMBEDDED_ORIGIN, "Registre des ESS connues (embarqué dans ess_geo)")


def _own_copy(registry: Registry) -> Registry:
    """A registry the caller may change (its own list of entries; entries and source are immutable)."""
    return replace(registry, entries=list(registry.entries))


def _embedded() -> Registry:
    return _own_copy(_embedded_parsed())


#: Registry files parsed in this process, by (path as given, sha256 of the bytes, include_embedded); oldest out first.
_FILE_CACHE: OrderedDict[tuple[str, str, bool], Registry] = OrderedDict()
_FILE_CACHE_SIZE = 32


def _file_registry(p: Path, raw: bytes, include_embedded: bool) -> Registry:
    """The registry of a file's bytes, parsed (and merged) once per path and content.

    A file that cannot be decoded or parsed raises, and nothing is cached.
    """
    key = (str(p), hashlib.sha256(raw).hexdigest(), include_embedded)
    cached = _FILE_CACHE.get(key)
    if cached is not None:
        _FILE_CACHE.move_to_end(key)
        return cached
    text, _ = decode_text(raw, p, "registre")
    user = _parse(text, str(p), f"Registre des ESS ({p.name})")
    registry = merge_registries(_embedded_parsed(), user) if include_embedded else user
    _FILE_CACHE[key] = registry
    while len(_FILE_CACHE) > _FILE_CACHE_SIZE:
        _FILE_CACHE.popitem(last=False)
    return registry


def load_registry(path: str | Path | None = None, *, include_embedded: bool = False) -> Registry:
    """Load the ESS registry.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A registry CSV; default the embedded one.
    include_embedded : bool
        Add the file's ESS to the embedded ones (an ESS with an embedded id replaces every row of
        that id; see :func:`merge_registries`). Default False: the file replaces the embedded
        registry.

    Returns
    -------
    Registry
        Each file is parsed once per process and content (a cache keyed on its path and the
        sha256 of its bytes, up to 32 files; the embedded registry once): a changed file is parsed
        again, an unchanged one only read and hashed. The registry returned is the caller's own
        (its list of entries is a copy).

    Raises
    ------
    InputDataError
        If ``path`` is not a path, the file is missing, a directory, unreadable or neither UTF-8
        nor Windows-1252 text, lacks a required column, has bad rows (each named with its line
        number and the offending value), or two covering ESS of one specialty share a
        département during a common period (within the file, or with an embedded ESS).
    """
    if path is None:
        return _embedded()
    p = check_path(path, "registry", "load_registry", "registre")
    raw = read_limited(p, "registry")
    return _own_copy(_file_registry(p, raw, bool(include_embedded)))


def _line(entry: EssEntry) -> tuple[str, str]:
    return f"line {entry.line}", f"ligne {entry.line}"


def _parse(text: str, origin: str, name: str) -> Registry:
    """The registry of a decoded file; every problem is collected, then raised once."""
    problems = Problems()
    entries = read_entries(text, origin, problems)
    overlap_problems(entries, _line, problems)
    problems.raise_if_any(origin)
    return Registry(entries=entries, source=Source(name=name, vintage=_vintage(entries), licence=_LICENCE, origin=origin))


_LICENCE = "sources publiques citées par ligne"


def _vintage(entries: Iterable[EssEntry]) -> str:
    dates = [e.source_date for e in entries if e.source_date]
    return f"sources datées jusqu'au {max(dates)}" if dates else "non daté"


def merge_registries(base: Registry, added: Registry) -> Registry:
    """``base`` plus the ESS of ``added``; an ESS of ``added`` replaces every row of ``base`` with its id.

    The merged registry's source names both registries and the replaced ids (« remplace :
    idf-cardiologie »), so every output that lists its sources says so.

    Raises
    ------
    InputDataError
        If an added ESS and a kept ESS of ``base`` cover one specialty in a common département
        during a common period (naming both; reuse the id to replace, or use the added file alone).
    """
    added_ids = {e.id for e in added}
    replaced = tuple(dict.fromkeys(e.id for e in base if e.id in added_ids))
    kept = [e for e in base if e.id not in added_ids]
    base_name, added_name = base.source.origin or base.source.name, added.source.origin or added.source.name

    def where(entry: EssEntry) -> tuple[str, str]:
        if entry.id not in added_ids:
            return f"line {entry.line} of {base_name}", f"ligne {entry.line} de {base_name}"
        return f"line {entry.line} of {added_name}", f"ligne {entry.line} de {added_name}"

    problems = Problems()
    overlap_problems(kept + list(added), where, problems)
    if problems:
        hint = ("reuse the embedded id to replace it, or use the file alone (--registry-only)",
                "reprendre l'identifiant de l'ESS embarquée pour la remplacer, ou utiliser le fichier seul (--registry-only)")
        problems.add(*hint)
    problems.raise_if_any(added.source.origin or added.source.name)
    note = f" ; remplace : {', '.join(replaced)}" if replaced else ""
    source = Source(
        name=f"{base.source.name} complété par {added.source.name}{note}",
        vintage=_vintage(kept + list(added)),
        licence=_LICENCE,
        origin=f"{base.source.origin} + {added.source.origin}",
    )
    return Registry(entries=kept + list(added), source=source, replaced=base.replaced + replaced)


def as_registry(registry: Registry | str | Path | None) -> Registry:
    """Accept a :class:`Registry`, a path (that file alone), or None (the embedded registry).

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
