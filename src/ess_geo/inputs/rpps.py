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
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ess_geo._format import date_fr, month_fr
from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.inputs._files import check_path
from ess_geo.inputs.parse_cache import cached_parse, reader_version
from ess_geo.inputs.rpps_file import (
    COL_CEDEX,
    COL_COMMUNE,
    COL_COMMUNE_LABEL,
    COL_CP,
    COL_ID,
    COL_PAYS,
    COL_SF,
    COL_SF_LABEL,
    RPPS_COLUMNS,
    USED_COLUMNS,
    is_rpps_header,
    read_extraction,
)
from ess_geo.inputs.supply import MODES, TABLE_COLUMNS, Supply, distinct_doctors
from ess_geo.reference.geography import load_communes, load_postal_codes
from ess_geo.reference.specialties import get_specialty, normalize_text, rpps_savoir_faire_table
from ess_geo.sources import Source

__all__ = ["RPPS_COLUMNS", "is_rpps_header", "load_rpps", "normalize_mode", "vintage_from_name"]


_MODE_ALIASES = {"libéral": "liberal", "l": "liberal", "salarié": "salarie", "s": "salarie", "bénévole": "benevole",
                 "b": "benevole", "all": "tous", "any": "tous", None: "tous"}

_FRANCE_COUNTRY = {"", "99100"}
_FILE_STAMP = re.compile(r"PS_LibreAcces_(?:Personne_activite_)?(\d{12})")
_FILE_MONTH = re.compile(r"PS_LibreAcces_Personne_activite_(?:extrait_)?(\d{4})-(\d{2})(?!\d)")

_MAX_UNKNOWN_CODE_REASONS = 20
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


# --- placing lines in communes ------------------------------------------------------------------


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
    communes = load_communes()
    dep_of = dict(zip(communes["code_insee"].tolist(), communes["code_dep"].tolist(), strict=True))
    name_of = dict(zip(communes["code_insee"].tolist(), communes["nom"].tolist(), strict=True))
    postal: dict[str, list[tuple[str, str]]] = {}
    pc = load_postal_codes()
    for cp, insee, nom in zip(pc["code_postal"].tolist(), pc["code_insee"].tolist(), pc["nom"].tolist(), strict=True):
        postal.setdefault(cp, []).append((insee, nom))
        if insee in name_of and name_of[insee] != nom:
            postal[cp].append((insee, name_of[insee]))
    return dep_of, {cp: tuple(v) for cp, v in postal.items()}


@lru_cache(maxsize=65536)
def _normalized(name: str) -> str:
    return normalize_text(name)


def _place(row: tuple[str, str, str, str, str], dep_of: dict, postal: dict) -> tuple[str | None, str]:
    """Return ``(code_insee, how)`` or ``(None, reason)`` for one distinct address."""
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
    version = reader_version(RPPS_READER_VERSION, (__name__, read_extraction.__module__, Supply.__module__, normalize_text.__module__))
    options = {"mode": mode_key, "encoding": encoding, "vintage": vintage, "sample_raw": bool(sample_raw)}
    return cached_parse("rpps", path, options, Supply,
                        lambda: _read_rpps(path, mode_key, encoding, vintage, progress, sample_raw), version=version,
                        cache=cache, notice=notice)


def _read_rpps(path: Path, mode_key: str, encoding: str | None, vintage: str | None,
               progress: Callable[[int], None] | None, sample_raw: bool) -> Supply:
    """The fresh read of :func:`load_rpps`."""
    frame, stats, enc, member, dropped = read_extraction(path, encoding, MODES[mode_key][0], progress)
    if not sample_raw:
        dropped.hide((COL_ID,))  # no RPPS number in the samples (names are never kept)
    frame = _without_id(frame, dropped)
    excluded: Counter = Counter({k: v for k, v in stats.items() if k != "lines"})
    doctors = _with_specialty(frame, dropped, excluded)
    doctors, placed_how = _placed(doctors, dropped)
    persons = _persons(doctors)
    summary = {
        "lines": int(stats["lines"]),
        "encoding": enc,
        "mode": mode_key,
        "excluded": {k: int(v) for k, v in excluded.items() if v},
        "placed_by": {k: int(v) for k, v in placed_how.items()},
        "doctor_lines_kept": len(doctors),
        "persons": distinct_doctors(persons),
        "persons_in_several_departements": int(
            (persons.groupby(["rpps_id", "specialty"])["code_dep"].nunique() > 1).sum()
        ),
    }
    vintage = vintage or vintage_from_name(member) or vintage_from_name(path.name) or "non précisé"
    return _supply(persons, path, member, vintage, mode_key, dropped, summary)


def _without_id(frame: pd.DataFrame, dropped: DroppedRows) -> pd.DataFrame:
    """Fields stripped; lines without an RPPS identifier counted in ``dropped`` and removed."""
    frame = frame.assign(**{c: frame[c].str.strip() for c in USED_COLUMNS})
    no_id = frame[COL_ID].eq("")
    if no_id.any():
        first = frame[no_id].iloc[0]
        dropped.add("sans identifiant RPPS (Identifiant PP vide)", row={c: first[c] for c in (COL_SF, COL_COMMUNE, COL_CP)},
                    n=int(no_id.sum()))
        frame = frame[~no_id].reset_index(drop=True)
    return frame


def _with_specialty(frame: pd.DataFrame, dropped: DroppedRows, excluded: Counter) -> pd.DataFrame:
    """Lines whose savoir-faire is an ESS specialty, with its id; the others counted by reason."""
    sf = _savoir_faire()
    codes = frame[COL_SF].str.upper()
    status = codes.map({c: r["status"] for c, r in sf.items()})
    specialty = codes.map({c: r["specialty"] for c, r in sf.items()})
    no_code = codes.eq("")
    excluded["doctors without savoir-faire"] += int(no_code.sum())
    unknown = ~no_code & status.isna()
    if unknown.any():
        _drop_unknown_codes(frame.loc[unknown, [COL_ID, COL_SF, COL_SF_LABEL]], dropped)
    for st, label in (("general-practice", "general practice (not an ESS specialty)"),
                      ("non-ess", "savoir-faire without an ESS specialty"),
                      ("ambiguous", "savoir-faire spanning two specialties (SM55)")):
        excluded[label] += int(status.eq(st).sum())
    keep = status.eq("ess").fillna(False).astype(bool)
    doctors = frame.loc[keep, [COL_ID, COL_COMMUNE, COL_CP, COL_COMMUNE_LABEL, COL_CEDEX, COL_PAYS]].copy()
    doctors["specialty"] = specialty[keep].astype("str")
    return doctors


def _drop_unknown_codes(bad: pd.DataFrame, dropped: DroppedRows) -> None:
    """Count lines with a savoir-faire code missing from the table, one reason per code (the first ones)."""
    for i, (code, n) in enumerate(bad[COL_SF].value_counts().items()):
        reason = (f"code savoir-faire inconnu {code!r}" if i < _MAX_UNKNOWN_CODE_REASONS
                  else "code savoir-faire inconnu (autres codes)")
        first = bad[bad[COL_SF] == code].iloc[0]
        dropped.add(reason, row={COL_ID: first[COL_ID], COL_SF: code, COL_SF_LABEL: first[COL_SF_LABEL]}, n=int(n))


def _placed(doctors: pd.DataFrame, dropped: DroppedRows) -> tuple[pd.DataFrame, Counter]:
    """Doctors' lines with their commune (``code_insee``; placed once per distinct address) and how.

    Lines that cannot be placed are counted in ``dropped`` by reason and removed.
    """
    dep_of, postal = _commune_tables()
    addr_cols = [COL_COMMUNE, COL_CP, COL_COMMUNE_LABEL, COL_CEDEX, COL_PAYS]
    doctors = doctors.reset_index(drop=True)
    address_of, firsts = _address_ids(doctors, addr_cols)
    keys = zip(*(doctors[c].to_numpy()[firsts].tolist() for c in addr_cols), strict=True)
    placed = [_place(key, dep_of, postal) for key in keys]  # once per distinct address
    doctors["code_insee"] = pd.Series(np.array([p[0] for p in placed], dtype=object)[address_of], dtype="str")
    doctors["how"] = pd.Series(np.array([p[1] for p in placed], dtype=object)[address_of], dtype="str")
    how = doctors["how"]
    unplaced = doctors["code_insee"].isna()
    if unplaced.any():
        for reason, idx in doctors[unplaced].groupby(how[unplaced]).groups.items():
            first = doctors.loc[idx[0]]
            dropped.add(reason, row={c: first[c] for c in (COL_ID, *addr_cols, "specialty")}, n=len(idx))
    counts = how[~unplaced].value_counts(sort=False)  # not Counter(): iterating arrow strings is slow
    return doctors[~unplaced], Counter({str(k): int(v) for k, v in counts.items()})


def _address_ids(doctors: pd.DataFrame, addr_cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Id of each line's address (its 5 fields) and the first line of each address.

    Each field is dictionary-encoded and the codes combined field by field (renumbered after each,
    so no overflow and no collision): a merge on five text columns took seconds on 600,000 lines.
    """
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    ids = np.zeros(len(doctors), dtype=np.int64)
    for col in addr_cols:
        values = pa.array(doctors[col], type=pa.large_string())
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()  # one dictionary for the whole column
        values = pc.fill_null(values, "")
        codes = values.dictionary_encode().indices.to_numpy(zero_copy_only=False).astype(np.int64)
        ids = ids * (int(codes.max(initial=0)) + 1) + codes
        ids = np.unique(ids, return_inverse=True)[1].reshape(-1)
    _, firsts = np.unique(ids, return_index=True)
    return ids, firsts


def _persons(doctors: pd.DataFrame) -> pd.DataFrame:
    """One row per doctor × specialty × commune: ``rpps_id``, ``specialty``, ``code_insee``, ``code_dep``."""
    dep_of, _ = _commune_tables()
    persons = (
        doctors.rename(columns={COL_ID: "rpps_id"})[["rpps_id", "specialty", "code_insee"]]
        .drop_duplicates()
        .reset_index(drop=True)
    )
    persons["code_insee"] = persons["code_insee"].astype("str")
    persons["code_dep"] = persons["code_insee"].map(dep_of).astype("str")
    return persons


def _supply(persons: pd.DataFrame, path: Path, member: str, vintage: str, mode_key: str, dropped: DroppedRows,
            stats: dict) -> Supply:
    """The commune-level Supply: distinct doctors per commune × specialty, with its source."""
    mode_label = MODES[mode_key][1]
    table = (
        distinct_doctors(persons, ["code_insee", "code_dep", "specialty"])
        .rename("n_specialists")
        .reset_index()
    )
    groups = {s: get_specialty(s).drees_group for s in table["specialty"].unique()}
    table["drees_group"] = table["specialty"].map(groups)
    table["mode"] = mode_label
    table["source"] = f"RPPS — annuaire.sante.fr, {member}"
    table["n_specialists"] = table["n_specialists"].astype("int64")
    table = table[["code_insee", *TABLE_COLUMNS]]
    source = Source(
        name=f"RPPS — extraction publique PS_LibreAcces_Personne_activite (ANS), médecins, mode : {mode_label}",
        vintage=vintage,
        licence="Licence Ouverte 2.0 (ANS, annuaire.sante.fr) — citer « RPPS » et la date de mise à jour",
        origin=str(path),
    )
    return Supply(table=table, source=source, dropped=dropped, path=str(path), persons=persons, mode=mode_key,
                  stats=stats)
