"""From the public RPPS extraction ``PS_LibreAcces_Personne_activite`` (annuaire.sante.fr) to a Supply.

The Agence du Numérique en Santé (ANS) publishes every day the public part of the RPPS as a zip
(``PS_LibreAcces_<horodatage>.zip``, see :mod:`ess_geo.inputs.datasets`); its file
``PS_LibreAcces_Personne_activite_<horodatage>.txt`` is read by :mod:`ess_geo.inputs.rpps_file`.
The columns used, by name: ``Identifiant PP``, ``Code profession`` (``10`` = médecin),
``Code savoir-faire`` (ANS nomenclature TRE_R38, ``SM04`` = cardiologie et maladies vasculaires),
``Libellé savoir-faire``, ``Code mode exercice`` (``L`` libéral, ``S`` salarié, ``B`` bénévole),
and the practice address: ``Code postal``, ``Code commune``, ``Libellé commune``,
``Bureau cedex``, ``Code pays`` (all ``(coord. structure)``). :func:`load_rpps` maps savoir-faire
codes to specialties, places each line in a commune, and counts distinct doctors.

Counting rules (documented for ARS committees):

* a doctor is counted **once per specialty and commune**, however many activity lines they have
  there (several practice sites in one commune, several structures);
* a doctor practising in several communes is counted in each commune, and once in each
  département where they practise; a territory total counts each doctor **once** (distinct RPPS
  identifiers), so the sum of the départements may exceed the territory total;
* the practice commune is the line's ``Code commune``; arrondissements of Paris, Lyon and Marseille
  are counted in their commune; a line without a usable commune code is placed through its postal
  code (when the postal code covers several communes, through the commune name); anything still
  unplaced is counted in ``dropped`` with its reason, as are malformed lines and savoir-faire
  codes missing from ``data/rpps_savoir_faire.csv``.

``Supply.stats["persons_in_several_departements"]`` reports how many doctors (per specialty)
practise in more than one département, and :meth:`ess_geo.inputs.supply.Supply.count` says how many of
them a territory total counted once (``SupplyCount.multi_departement``).

Lines that are valid but out of scope (other professions, other modes of practice, general
practice, specialties without an ESS equivalent) are not errors: they are counted in
``Supply.stats["excluded"]``.
"""

from __future__ import annotations

import contextlib
import gc
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from ess_geo._format import date_fr, month_fr
from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.inputs._arrow import text_array, text_scalar
from ess_geo.inputs._files import check_path
from ess_geo.inputs._rpps_counts import (
    PersonCodes,
    commune_counts,
    count_indexes,
    person_counts,
    persons_table,
)
from ess_geo.inputs._rpps_refine import Placement, RefineFailed, merge_facts, refine_piece, settle_piece
from ess_geo.inputs.parse_cache import cached_parse, reader_version
from ess_geo.inputs.rpps_file import (
    COL_ID,
    RPPS_COLUMNS,
    is_rpps_header,
    read_extraction_table,
)
from ess_geo.inputs.supply import MODES, TABLE_COLUMNS, Supply
from ess_geo.inputs.supply_index import DeferredFrame
from ess_geo.reference.specialties import get_specialty, normalize_text
from ess_geo.sources import Source

__all__ = ["RPPS_COLUMNS", "is_rpps_header", "load_rpps", "normalize_mode", "vintage_from_name"]


_MODE_ALIASES = {"libéral": "liberal", "l": "liberal", "salarié": "salarie", "s": "salarie", "bénévole": "benevole",
                 "b": "benevole", "all": "tous", "any": "tous", None: "tous"}

_FILE_STAMP = re.compile(r"PS_LibreAcces_(?:Personne_activite_)?(\d{12})")
_FILE_MONTH = re.compile(r"PS_LibreAcces_Personne_activite_(?:extrait_)?(\d{4})-(\d{2})(?!\d)")

#: Modules whose source is part of the reader's version (besides those imported here by name).
_READER_MODULES = ("ess_geo.inputs._rpps_chunks", "ess_geo.inputs._rpps_counts", "ess_geo.inputs._rpps_place",
                   "ess_geo.inputs._rpps_refine", "ess_geo.inputs._arrow", "ess_geo.inputs.supply_index",
                   "ess_geo.inputs.persons_index")
#: Version of the RPPS reader's output: bump when it changes (cached reads are then rebuilt).
RPPS_READER_VERSION = "1"


def normalize_mode(mode: str | None) -> str:
    """Canonical mode key (``"liberal"``, ``"salarie"``, ``"benevole"`` or ``"tous"``).

    Raises
    ------
    InputDataError
        For any other value, naming the accepted ones.
    """
    key = mode.strip().lower() if isinstance(mode, str) else mode
    key = _MODE_ALIASES.get(key, key)
    if key not in MODES:
        raise InputDataError(
            f"mode={mode!r} is not a mode of practice; allowed: {', '.join(repr(m) for m in MODES)}",
            fr=f"mode d'exercice inconnu : {mode!r} (valeurs possibles : liberal, salarie, benevole, tous)",
        )
    return key


def vintage_from_name(name: str) -> str | None:
    """Vintage of an extraction from its file name, in French; None when the name carries no date.

    ``PS_LibreAcces_Personne_activite_202112020908.txt`` (the ANS time stamp) gives
    ``"extraction du 2 décembre 2021 à 09:08"``; a name dated by month only, like the real sample
    ``PS_LibreAcces_Personne_activite_extrait_2021-12.txt``, gives ``"extraction de décembre 2021"``.
    """
    m = _FILE_STAMP.search(name)
    if m:
        try:
            stamp = datetime.strptime(m.group(1), "%Y%m%d%H%M")
        except ValueError:
            return None
        return f"extraction du {date_fr(stamp)} à {stamp:%H:%M}"
    m = _FILE_MONTH.search(name)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"extraction {month_fr(int(m.group(1)), int(m.group(2)), of=True)}"
    return None


def load_rpps(
    path: str | Path,
    *,
    mode: str = "liberal",
    encoding: str | None = None,
    vintage: str | None = None,
    progress: Callable[[int], None] | None = None,
    sample_raw: bool = False,
    cache: bool | None = None,
    notice: Callable[[str], None] | None = None,
) -> Supply:
    """Read the RPPS extraction ``PS_LibreAcces_Personne_activite`` into a commune-level supply.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.txt`` file, or the ANS zip ``PS_LibreAcces_<horodatage>.zip`` containing it.
    mode : {"liberal", "salarie", "benevole", "tous"}, default "liberal"
        Mode of practice kept (``Code mode exercice`` L, S, B; ``"tous"`` keeps every line).
    encoding : str, optional
        Force the text encoding; by default UTF-8, or Windows-1252 (older extractions) when the
        header line is not valid UTF-8.
    vintage : str, optional
        Vintage recorded in the source; by default read from the file name's time stamp.
    progress : callable, optional
        Called with the number of lines read after each block (for a progress bar); not called
        when the parsed extraction is reused from the cache.
    cache : bool, optional
        Reuse the parsed extraction of the same content, mode and options from the parse cache
        (:mod:`ess_geo.inputs.parse_cache`); default: yes unless ``ESS_GEO_NO_PARSE_CACHE=1``.
    notice : callable, optional
        Called with a French line saying whether the cache is built or reused.
    sample_raw : bool, default False
        Keep the RPPS identifier of each doctor in ``dropped.sample``; by default a sample keeps
        the line number, the reason and the fields that say why (savoir-faire code, commune,
        postal code), never an RPPS number or a name, so that showing ``supply.dropped`` in a
        notebook or a report identifies no one.

    Returns
    -------
    ess_geo.inputs.supply.Supply
        ``table`` has one row per commune × specialty (``code_insee``, ``code_dep``,
        ``specialty``, ``drees_group``, ``n_specialists``, ``mode``, ``source``) where
        ``n_specialists`` counts distinct doctors; ``persons`` holds one row per doctor ×
        specialty × commune (``rpps_id``, ``specialty``, ``code_insee``, ``code_dep``) so that
        larger areas count each doctor once; ``dropped`` counts malformed lines, unknown
        savoir-faire codes and unplaced addresses; ``stats`` counts lines read and lines out of
        scope.

    Raises
    ------
    InputDataError
        If ``path`` is not a path, the file is missing, a directory or unreadable, is not an RPPS
        extraction, or ``mode`` is unknown.
    """
    mode_key = normalize_mode(mode)
    path = check_path(path, "RPPS extraction", "load_rpps", "extraction RPPS")
    modules = (__name__, read_extraction_table.__module__, *_READER_MODULES, Supply.__module__,
               normalize_text.__module__)
    options = {"mode": mode_key, "encoding": encoding, "vintage": vintage, "sample_raw": bool(sample_raw)}
    return cached_parse("rpps", path, options, Supply,
                        lambda: _read_rpps(path, mode_key, encoding, vintage, progress, sample_raw),
                        version=lambda: reader_version(RPPS_READER_VERSION, modules),
                        cache=cache, notice=notice)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the read (restored as it was after, error or not).

    The read makes no reference cycle, but its ~75,000 container objects (placements, samples,
    Arrow wrappers) set off about 120 collections, each holding the GIL the parsing threads
    need: 0.05 s on 2 M lines. Objects are still freed by reference counting. The pause is the
    process's: other threads collect no cycle during the read (about a second), and a
    ``gc.disable()`` made by another thread meanwhile is undone at its end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_cyclic_gc_paused()
def _read_rpps(path: Path, mode_key: str, encoding: str | None, vintage: str | None,
               progress: Callable[[int], None] | None, sample_raw: bool) -> Supply:
    """The fresh read of :func:`load_rpps`, in Arrow throughout (no pandas).

    The parsing threads also do, on each piece, the work that needs no other line
    (:func:`~ess_geo.inputs._rpps_refine.refine_piece`; the first pieces are placed by the reading thread,
    :func:`~ess_geo.inputs._rpps_refine.settle_piece`);
    what they found is merged here in file order, so that the counts and the samples are those of
    one serial read.
    """
    # the placement tables are read by a thread while the extraction is parsed (parsing leaves the GIL free)
    placement = Placement()
    reference = threading.Thread(target=placement.prepare, name="ess-geo-rpps-reference", daemon=True)
    reference.start()
    try:
        table, stats, enc, member, dropped, extras = read_extraction_table(
            path, encoding, MODES[mode_key][0], progress,
            refine=partial(refine_piece, placement), settle=partial(settle_piece, placement))
    except RefineFailed as exc:
        cause = exc.__cause__ if exc.__cause__ is not None else exc  # always set: raised from its cause
        raise cause from None
    finally:
        reference.join()
    if not sample_raw:
        dropped.hide((COL_ID,))  # no RPPS number in the samples (names are never kept)
    excluded: Counter = Counter({k: v for k, v in stats.items() if k != "lines"})
    placed_how = merge_facts(extras, dropped, excluded)
    persons, codes = persons_table(table, placement.savoir_faire().specialties)
    summary = {
        "lines": int(stats["lines"]),
        "encoding": enc,
        "mode": mode_key,
        "excluded": {k: int(v) for k, v in excluded.items() if v},
        "placed_by": {k: int(v) for k, v in placed_how.items()},
        "doctor_lines_kept": table.num_rows,
        **person_counts(codes),
    }
    vintage = vintage or vintage_from_name(member) or vintage_from_name(path.name) or "non précisé"
    return _supply(persons, codes, path, member, vintage, mode_key, dropped, summary)


def _supply(persons: Any, codes: PersonCodes, path: Path, member: str, vintage: str, mode_key: str, dropped: DroppedRows,
            stats: dict) -> Supply:
    """The commune-level Supply: distinct doctors per commune × specialty, with its source.

    :func:`~ess_geo.inputs.supply.distinct_doctors` per commune × département × specialty,
    computed on the Arrow table (:func:`~ess_geo.inputs._rpps_counts.commune_counts`).
    """
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    mode_label = MODES[mode_key][1]
    table = commune_counts(codes)
    specialties = table.column("specialty").unique()
    groups = text_array([get_specialty(s).drees_group for s in specialties.to_pylist()])
    n = table.num_rows
    table = pa.table({
        "code_insee": table.column("code_insee"),
        "code_dep": table.column("code_dep"),
        "specialty": table.column("specialty"),
        "drees_group": pc.take(groups, pc.index_in(table.column("specialty"), value_set=specialties)),
        "n_specialists": table.column("n_specialists"),
        "mode": pa.repeat(text_scalar(mode_label), n),
        "source": pa.repeat(text_scalar(f"RPPS — annuaire.sante.fr, {member}"), n),
    }).select(["code_insee", *TABLE_COLUMNS])
    source = Source(
        name=f"RPPS — extraction publique PS_LibreAcces_Personne_activite (ANS), médecins, mode : {mode_label}",
        vintage=vintage,
        licence="Licence Ouverte 2.0 (ANS, annuaire.sante.fr) — citer « RPPS » et la date de mise à jour",
        origin=str(path),
    )
    # both kept in Arrow: a check counts them without pandas; a notebook or a map makes them frames when read
    table_index, persons_index = count_indexes(codes, mode_label)
    return Supply(table=DeferredFrame.of_arrow(table, table_index), source=source, dropped=dropped, path=str(path),
                  persons=DeferredFrame.of_arrow(persons, persons_index), mode=mode_key, stats=stats)
