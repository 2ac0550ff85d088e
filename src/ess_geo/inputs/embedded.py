"""The embedded specialist supply: :func:`load_embedded_supply`.

Two real public tables, built into ``ess_geo/inputs/data/supply_embedded.csv`` by
``scripts/build_supply_data.py`` (which checks their sha256; provenance in
``supply_embedded.json``):

- DREES « Démographie des professionnels de santé »: doctors registered in the RPPS per
  département × 15 specialty groups, **all modes of practice**, RPPS at 1 January 2022 (exact for
  a one-specialty group such as « 07-Cardiologie », an upper bound for a lumped group such as
  « 15-Autre spécialité »);
- CNAM (Assurance Maladie) « Effectif et densité par département en 2018 »: **libéral** doctors
  at 31 December 2018 by fine specialty (exact, or lower / upper bounds where the CNAM codes do
  not map one to one).

The returned :class:`~ess_geo.inputs.supply.Supply` carries both as ``bounds`` (one row per
département × specialty × source, with its mode, bound and vintage) and the DREES all-modes view as
``table``; :meth:`~ess_geo.inputs.supply.Supply.count` combines them into ranges
(:mod:`ess_geo.inputs.bounds`). Each source keeps its publisher, vintage, licence note and the
repository, commit and path of the copy it was taken from (``Supply.sources``).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
from functools import lru_cache
from importlib import resources

from ess_geo.errors import InputDataError
from ess_geo.inputs.supply import BOUNDS_COLUMNS, TABLE_COLUMNS, Supply
from ess_geo.inputs.supply_index import DeferredFrame
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.sources import Source

__all__ = [
    "EMBEDDED_CSV",
    "EMBEDDED_JSON",
    "embedded_provenance",
    "known_vintage",
    "load_embedded_supply",
]

#: Package resource names of the embedded table and its provenance.
EMBEDDED_CSV = "supply_embedded.csv"
EMBEDDED_JSON = "supply_embedded.json"

_DATA = resources.files("ess_geo.inputs") / "data"


@lru_cache(maxsize=1)
def embedded_provenance() -> dict:
    """The provenance record of the embedded supply (``supply_embedded.json``), as a dict."""
    return json.loads((_DATA / EMBEDDED_JSON).read_text(encoding="utf-8"))


def known_vintage(raw: bytes) -> str | None:
    """The documented vintage of a file identical (sha256) to one of the embedded raw tables, else None.

    A user who passes the very DREES table the package embeds gets its documented vintage rather
    than « millésime non précisé ».
    """
    digest = hashlib.sha256(raw).hexdigest()
    return next((s["vintage"] for s in embedded_provenance()["sources"] if s.get("sha256") == digest), None)


def _source(record: dict) -> Source:
    """A :class:`Source` naming the publisher, vintage, licence note and the copy used."""
    copy_ = record["copy"]
    origin = (
        f"éditeur : {record['publisher']} ; copie : dépôt {copy_['repository']}, commit {copy_['commit'][:12]}, "
        f"{copy_['path']} ; sha256 {record['sha256'][:12]}… ; embarqué dans ess_geo ({EMBEDDED_CSV})"
    )
    return Source(name=record["name"], vintage=record["vintage"], licence=record["licence"], origin=origin)


def _all_modes_records(bounds: list[tuple], label: str) -> list[tuple]:
    """The DREES all-modes rows (:data:`TABLE_COLUMNS`) in the layout of a DREES table (a lumped group
    once per département), from the records of ``bounds`` (:data:`BOUNDS_COLUMNS`)."""
    records: dict[tuple[str, str], tuple] = {}
    specs: dict[str, Specialty] = {}  # one lookup per specialty, not per row
    for dep, spec_id, count, bound, mode, _source, _vintage in bounds:
        if mode != "tous":
            continue
        spec = specs.get(spec_id) or specs.setdefault(spec_id, get_specialty(spec_id))
        key = spec.id if bound == "exact" else spec.drees_group
        records[(dep, key)] = (dep, key, spec.drees_group, count, "tous", label)
    return list(records.values())


def _read_bounds() -> list[tuple]:
    """The rows of the embedded CSV as :data:`BOUNDS_COLUMNS` tuples, counts as int (standard library only)."""
    with (_DATA / EMBEDDED_CSV).open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if sorted(header) != sorted(BOUNDS_COLUMNS):
            msg = f"embedded supply {EMBEDDED_CSV}: columns {header}, expected {BOUNDS_COLUMNS} (rebuild the package data)"
            raise InputDataError(msg, fr=f"effectifs embarqués illisibles : colonnes {header}")
        order = [header.index(c) for c in BOUNDS_COLUMNS]
        count_at = BOUNDS_COLUMNS.index("count")
        rows = []
        for row in reader:
            record: list[str | int] = [row[i] for i in order]
            record[count_at] = int(row[order[count_at]])
            rows.append(tuple(record))
    return rows


@lru_cache(maxsize=1)
def _embedded() -> Supply:
    """Read the embedded supply once (plain tuples: the frames are built only when read)."""
    bounds = _read_bounds()
    records = {r["id"]: r for r in embedded_provenance()["sources"]}
    sources = {sid: _source(rec) for sid, rec in records.items()}
    drees = records.get("drees_2022", {})
    combined = Source(
        name="Effectifs embarqués : " + " ; ".join(s.name for s in sources.values()),
        vintage=" ; ".join(s.vintage for s in sources.values()),
        licence="Licence Ouverte (DREES, Assurance Maladie)",
        origin=f"ess_geo/inputs/data/{EMBEDDED_CSV}",
    )
    table = _all_modes_records(bounds, sources["drees_2022"].name if drees else "DREES")
    return Supply(table=DeferredFrame(TABLE_COLUMNS, table, int_columns=["n_specialists"]), source=combined,
                  path=f"ess_geo/inputs/data/{EMBEDDED_CSV}", mode="tous", stats={"rows": len(bounds)},
                  bounds=DeferredFrame(BOUNDS_COLUMNS, bounds, int_columns=["count"]), bound_sources=sources)


def load_embedded_supply() -> Supply:
    """The embedded supply: DREES 2022 (all modes) and CNAM 2018 (libéral) counts, with provenance.

    The file is read once per process; each call returns a shallow copy, so that a caller
    changing the returned object's attributes does not change the next one's (the frames are
    shared and must not be mutated).

    Returns
    -------
    Supply
        ``bounds`` holds every count with its source, mode, bound and vintage; ``sources`` the
        provenance of each table (publisher, vintage, licence, copy repository and commit).
    """
    return copy.copy(_embedded())
