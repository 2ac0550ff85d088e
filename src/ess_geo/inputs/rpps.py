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

import re
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ess_geo._format import date_fr, month_fr
from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.inputs._files import check_path
from ess_geo.inputs._rpps_counts import commune_counts, person_counts, persons_table
from ess_geo.inputs._rpps_place import ADDRESS_COLUMNS, placed_lines, prepare_placement
from ess_geo.inputs.parse_cache import cached_parse, reader_version
from ess_geo.inputs.rpps_file import (
    COL_COMMUNE,
    COL_CP,
    COL_ID,
    COL_SF,
    COL_SF_LABEL,
    RPPS_COLUMNS,
    is_rpps_header,
    read_extraction_table,
)
from ess_geo.inputs.supply import MODES, TABLE_COLUMNS, Supply
from ess_geo.reference.specialties import all_specialties, get_specialty, normalize_text, rpps_savoir_faire_table
from ess_geo.sources import Source

if TYPE_CHECKING:  # annotations only: pandas is imported by a thread while the extraction is parsed
    import pandas as pd

__all__ = ["RPPS_COLUMNS", "is_rpps_header", "load_rpps", "normalize_mode", "vintage_from_name"]


_MODE_ALIASES = {"libéral": "liberal", "l": "liberal", "salarié": "salarie", "s": "salarie", "bénévole": "benevole",
                 "b": "benevole", "all": "tous", "any": "tous", None: "tous"}

_FILE_STAMP = re.compile(r"PS_LibreAcces_(?:Personne_activite_)?(\d{12})")
_FILE_MONTH = re.compile(r"PS_LibreAcces_Personne_activite_(?:extrait_)?(\d{4})-(\d{2})(?!\d)")

_MAX_UNKNOWN_CODE_REASONS = 20
#: Modules whose source is part of the reader's version (besides those imported here by name).
_READER_MODULES = ("ess_geo.inputs._rpps_chunks", "ess_geo.inputs._rpps_counts")
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


def _savoir_faire() -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in rpps_savoir_faire_table()}


def _prepare_reference() -> None:
    """Import pandas and read what placing and naming the lines needs: communes, postal codes, savoir-faire, specialties."""
    import pandas  # noqa: F401  # deferred: heavy library (0.3 s), imported here while other threads parse
    prepare_placement()
    rpps_savoir_faire_table()
    all_specialties()


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
    version = reader_version(RPPS_READER_VERSION, (__name__, read_extraction_table.__module__, placed_lines.__module__,
                                                     *_READER_MODULES, Supply.__module__, normalize_text.__module__))
    options = {"mode": mode_key, "encoding": encoding, "vintage": vintage, "sample_raw": bool(sample_raw)}
    return cached_parse("rpps", path, options, Supply,
                        lambda: _read_rpps(path, mode_key, encoding, vintage, progress, sample_raw), version=version,
                        cache=cache, notice=notice)


def _read_rpps(path: Path, mode_key: str, encoding: str | None, vintage: str | None,
               progress: Callable[[int], None] | None, sample_raw: bool) -> Supply:
    """The fresh read of :func:`load_rpps` (kept in Arrow until the persons frame)."""
    # the reference tables are read by a thread while the extraction is parsed (parsing leaves the GIL free)
    reference = threading.Thread(target=_prepare_reference, name="ess-geo-rpps-reference", daemon=True)
    reference.start()
    try:
        table, stats, enc, member, dropped = read_extraction_table(path, encoding, MODES[mode_key][0], progress)
    finally:
        reference.join()
    if not sample_raw:
        dropped.hide((COL_ID,))  # no RPPS number in the samples (names are never kept)
    table = _without_id(table, dropped)
    excluded: Counter = Counter({k: v for k, v in stats.items() if k != "lines"})
    doctors = _with_specialty(table, dropped, excluded)
    doctors, placed_how = placed_lines(doctors, dropped)
    persons = persons_table(doctors)
    summary = {
        "lines": int(stats["lines"]),
        "encoding": enc,
        "mode": mode_key,
        "excluded": {k: int(v) for k, v in excluded.items() if v},
        "placed_by": {k: int(v) for k, v in placed_how.items()},
        "doctor_lines_kept": doctors.num_rows,
        **person_counts(persons),
    }
    vintage = vintage or vintage_from_name(member) or vintage_from_name(path.name) or "non précisé"
    return _supply(persons, path, member, vintage, mode_key, dropped, summary)


def _without_id(table: Any, dropped: DroppedRows) -> Any:
    """Lines without an RPPS identifier counted in ``dropped`` and removed (fields are trimmed already)."""
    import pyarrow.compute as pc  # deferred: pyarrow only to read an RPPS extraction

    ids = table.column(COL_ID)
    no_id = pc.equal(ids, "")
    n = pc.sum(no_id).as_py() or 0
    if n:
        first = pc.index(ids, "").as_py()
        dropped.add("sans identifiant RPPS (Identifiant PP vide)",
                    row={c: table.column(c)[first].as_py() for c in (COL_SF, COL_COMMUNE, COL_CP)}, n=n)
        table = table.filter(pc.invert(no_id))
    return table


def _with_specialty(table: Any, dropped: DroppedRows, excluded: Counter) -> Any:
    """Lines whose savoir-faire is an ESS specialty, with its id; the others counted by reason."""
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    sf = _savoir_faire()
    known = list(sf)
    codes = pc.utf8_upper(table.column(COL_SF))
    row_of = pc.index_in(codes, value_set=pa.array(known, pa.string()))
    status = pc.take(pa.array([sf[c]["status"] for c in known], pa.string()), row_of)
    no_code = pc.equal(codes, "")
    excluded["doctors without savoir-faire"] += pc.sum(no_code).as_py() or 0
    unknown = pc.and_(pc.invert(no_code), pc.is_null(row_of))
    if pc.any(unknown).as_py():
        _drop_unknown_codes(table.filter(unknown).select([COL_ID, COL_SF, COL_SF_LABEL]).to_pandas(), dropped)
    for st, label in (("general-practice", "general practice (not an ESS specialty)"),
                      ("non-ess", "savoir-faire without an ESS specialty"),
                      ("ambiguous", "savoir-faire spanning two specialties (SM55)")):
        excluded[label] += pc.sum(pc.equal(status, st)).as_py() or 0
    keep = pc.fill_null(pc.equal(status, "ess"), False)
    specialty = pc.take(pa.array([sf[c]["specialty"] for c in known], pa.string()), pc.filter(row_of, keep))
    doctors = table.filter(keep).select([COL_ID, *ADDRESS_COLUMNS])
    return doctors.append_column("specialty", specialty)


def _drop_unknown_codes(bad: pd.DataFrame, dropped: DroppedRows) -> None:
    """Count lines with a savoir-faire code missing from the table, one reason per code (the first ones)."""
    for i, (code, n) in enumerate(bad[COL_SF].value_counts().items()):
        reason = (f"code savoir-faire inconnu {code!r}" if i < _MAX_UNKNOWN_CODE_REASONS
                  else "code savoir-faire inconnu (autres codes)")
        first = bad[bad[COL_SF] == code].iloc[0]
        dropped.add(reason, row={COL_ID: first[COL_ID], COL_SF: code, COL_SF_LABEL: first[COL_SF_LABEL]}, n=int(n))


def _supply(persons: Any, path: Path, member: str, vintage: str, mode_key: str, dropped: DroppedRows,
            stats: dict) -> Supply:
    """The commune-level Supply: distinct doctors per commune × specialty, with its source.

    :func:`~ess_geo.inputs.supply.distinct_doctors` per commune × département × specialty,
    computed on the Arrow table (:func:`~ess_geo.inputs._rpps_counts.commune_counts`).
    """
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    mode_label = MODES[mode_key][1]
    table = commune_counts(persons)
    specialties = table.column("specialty").unique()
    groups = pa.array([get_specialty(s).drees_group for s in specialties.to_pylist()], pa.string())
    n = table.num_rows
    table = pa.table({
        "code_insee": table.column("code_insee"),
        "code_dep": table.column("code_dep"),
        "specialty": table.column("specialty"),
        "drees_group": pc.take(groups, pc.index_in(table.column("specialty"), value_set=specialties)),
        "n_specialists": table.column("n_specialists"),
        "mode": pa.repeat(pa.scalar(mode_label, pa.string()), n),
        "source": pa.repeat(pa.scalar(f"RPPS — annuaire.sante.fr, {member}", pa.string()), n),
    }).select(["code_insee", *TABLE_COLUMNS]).to_pandas()
    source = Source(
        name=f"RPPS — extraction publique PS_LibreAcces_Personne_activite (ANS), médecins, mode : {mode_label}",
        vintage=vintage,
        licence="Licence Ouverte 2.0 (ANS, annuaire.sante.fr) — citer « RPPS » et la date de mise à jour",
        origin=str(path),
    )
    return Supply(table=table, source=source, dropped=dropped, path=str(path), persons=persons.to_pandas(),
                  mode=mode_key, stats=stats)
