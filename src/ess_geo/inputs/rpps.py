"""Reader of the public RPPS extraction ``PS_LibreAcces_Personne_activite`` (annuaire.sante.fr).

The Agence du Numérique en Santé (ANS) publishes every day the public part of the RPPS as a zip
(``PS_LibreAcces_<horodatage>.zip``, see :mod:`ess_geo.inputs.datasets`). Its file
``PS_LibreAcces_Personne_activite_<horodatage>.txt`` is pipe-separated text without quoting, one
line per professional × activity (about 2 million lines), each line ending with a ``|``. The
columns used here, by name (their order is the one of :data:`RPPS_COLUMNS`):

``Identifiant PP``, ``Code profession`` (``10`` = médecin), ``Code savoir-faire`` (ANS
nomenclature TRE_R38, ``SM04`` = cardiologie et maladies vasculaires), ``Libellé savoir-faire``,
``Code mode exercice`` (``L`` libéral, ``S`` salarié, ``B`` bénévole), and the practice address:
``Code postal``, ``Code commune``, ``Libellé commune``, ``Bureau cedex``, ``Code pays``
(all ``(coord. structure)``).

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

Engine (measured on 2 million synthetic lines, 2 cores, read and filter only): pyarrow's streaming
CSV reader with 1 MiB blocks 1.4 s and ~210 MiB, pyarrow ``read_csv`` of the whole table 3.6 s,
pandas ``read_csv`` in 200,000-line chunks 4.2 s; the whole of :func:`load_rpps` takes 3 to 6 s
and peaks under 500 MiB (``benchmarks/bench_rpps.py``).

Lines that are valid but out of scope (other professions, other modes of practice, general
practice, specialties without an ESS equivalent) are not errors: they are counted in
``Supply.stats["excluded"]``.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import IO

import pandas as pd

from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.reference.specialties import get_specialty, normalize_text, rpps_savoir_faire_table
from ess_geo.sources import Source

#: Column names of ``PS_LibreAcces_Personne_activite``, in file order (the header line ends with a
#: ``|``, so a 53rd unnamed empty column follows).
RPPS_COLUMNS: tuple[str, ...] = (
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Code civilité d'exercice",
    "Libellé civilité d'exercice",
    "Code civilité",
    "Libellé civilité",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Code profession",
    "Libellé profession",
    "Code catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code type savoir-faire",
    "Libellé type savoir-faire",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Code mode exercice",
    "Libellé mode exercice",
    "Numéro SIRET site",
    "Numéro SIREN site",
    "Numéro FINESS site",
    "Numéro FINESS établissement juridique",
    "Identifiant technique de la structure",
    "Raison sociale site",
    "Enseigne commerciale site",
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)",
    "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)",
    "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)",
    "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)",
    "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)",
    "Code commune (coord. structure)",
    "Libellé commune (coord. structure)",
    "Code pays (coord. structure)",
    "Libellé pays (coord. structure)",
    "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)",
    "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)",
    "Code Département (structure)",
    "Libellé Département (structure)",
    "Ancien identifiant de la structure",
    "Autorité d'enregistrement",
    "Code secteur d'activité",
    "Libellé secteur d'activité",
    "Code section tableau pharmaciens",
    "Libellé section tableau pharmaciens",
)

COL_ID = "Identifiant PP"
COL_PROFESSION = "Code profession"
COL_SF = "Code savoir-faire"
COL_SF_LABEL = "Libellé savoir-faire"
COL_MODE = "Code mode exercice"
COL_CEDEX = "Bureau cedex (coord. structure)"
COL_CP = "Code postal (coord. structure)"
COL_COMMUNE = "Code commune (coord. structure)"
COL_COMMUNE_LABEL = "Libellé commune (coord. structure)"
COL_PAYS = "Code pays (coord. structure)"
_USED = (COL_ID, COL_PROFESSION, COL_SF, COL_SF_LABEL, COL_MODE, COL_CEDEX, COL_CP, COL_COMMUNE, COL_COMMUNE_LABEL, COL_PAYS)
_REQUIRED = (COL_ID, COL_PROFESSION, COL_SF, COL_MODE, COL_CP, COL_COMMUNE)

#: Code profession of doctors in the RPPS (TRE_G15 ProfessionSante).
DOCTOR_PROFESSION = "10"

#: Accepted values of ``mode`` → (RPPS "Code mode exercice" values kept, French label).
MODES: dict[str, tuple[frozenset[str], str]] = {
    "liberal": (frozenset({"L"}), "libéral"),
    "salarie": (frozenset({"S"}), "salarié"),
    "benevole": (frozenset({"B"}), "bénévole"),
    "tous": (frozenset(), "tous modes d'exercice"),
}
_MODE_ALIASES = {"libéral": "liberal", "l": "liberal", "salarié": "salarie", "s": "salarie", "bénévole": "benevole",
                 "b": "benevole", "all": "tous", "any": "tous", None: "tous"}

_FRANCE_COUNTRY = {"", "99100"}
_FILE_STAMP = re.compile(r"PS_LibreAcces_(?:Personne_activite_)?(\d{12})")
_BLOCK_SIZE = 1 << 20  # measured: 1 MiB blocks read fastest with the least memory
_MAX_UNKNOWN_CODE_REASONS = 20


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


def is_rpps_header(first_line: str) -> bool:
    """Whether a header line is the one of ``PS_LibreAcces_Personne_activite``."""
    fields = [f.strip().lstrip("\ufeff") for f in first_line.rstrip("\r\n").split("|")]
    return COL_ID in fields and COL_SF in fields and COL_COMMUNE in fields


def vintage_from_name(name: str) -> str | None:
    """``"extraction du 2025-04-04 08:39"`` from ``PS_LibreAcces_Personne_activite_202504040839.txt``."""
    m = _FILE_STAMP.search(name)
    if not m:
        return None
    try:
        stamp = datetime.strptime(m.group(1), "%Y%m%d%H%M")
    except ValueError:
        return None
    return f"extraction du {stamp:%Y-%m-%d %H:%M}"


def _open_source(path: Path) -> tuple[IO[bytes], str]:
    """Binary stream of the extraction (plain file or the member of an ANS zip) and its name."""
    if zipfile.is_zipfile(path):
        zf = zipfile.ZipFile(path)
        members = [n for n in zf.namelist() if Path(n).name.startswith("PS_LibreAcces_Personne_activite")]
        if not members:
            names = ", ".join(zf.namelist()[:10])
            zf.close()
            raise InputDataError(
                f"zip {str(path)!r} holds no PS_LibreAcces_Personne_activite file (members: {names})",
                fr=f"l'archive {path.name} ne contient pas de fichier PS_LibreAcces_Personne_activite",
                path=str(path),
            )
        return zf.open(members[0]), Path(members[0]).name
    return open(path, "rb"), path.name


def _detect_encoding(head: bytes) -> str:
    """UTF-8 when the header line decodes as UTF-8 (it always has accents), else Windows-1252."""
    first = head.split(b"\n", 1)[0]
    try:
        first.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _savoir_faire() -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in rpps_savoir_faire_table()}


def _read_doctor_lines(
    path: Path, encoding: str | None, modes: frozenset[str], dropped: DroppedRows, progress: Callable[[int], None] | None
) -> tuple[pd.DataFrame, Counter, str, str]:
    """Stream the file with pyarrow; keep doctors' lines of the requested modes (all columns used)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    raw, member = _open_source(path)
    with raw:
        head = raw.read(1 << 16)
    enc = encoding or _detect_encoding(head)
    first = head.split(b"\n", 1)[0].decode(enc, errors="replace")
    if not is_rpps_header(first):
        raise InputDataError(
            f"{str(path)!r} is not a PS_LibreAcces_Personne_activite extraction: header {first[:120]!r}",
            fr=f"{path.name} n'est pas une extraction RPPS PS_LibreAcces_Personne_activite",
            path=str(path),
            line=1,
        )
    header = [f.strip().lstrip("\ufeff") for f in first.rstrip("\r").split("|")]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise InputDataError(
            f"RPPS extraction {str(path)!r} lacks column(s) {missing}",
            fr=f"colonnes absentes de l'extraction RPPS {path.name} : {', '.join(missing)}",
            path=str(path),
            line=1,
        )
    used = [c for c in _USED if c in header]
    # pyarrow reads UTF-8 natively only when told "utf8"; any other name goes through a slower
    # Python transcoding stream (needed for Windows-1252).
    arrow_enc = "utf8" if enc.replace("-", "").replace("_", "").lower() in ("utf8", "utf8sig") else enc
    # A plain file is read by pyarrow itself (fastest); a zip member through its Python stream.
    raw, _ = _open_source(path)
    try:
        source = raw
        if not isinstance(raw, zipfile.ZipExtFile):
            raw.close()
            source = str(path)

        def on_invalid(row) -> str:
            dropped.add(
                f"ligne mal formée ({row.actual_columns} champs au lieu de {row.expected_columns})",
                line=row.number,
                row=row.text[:200],
            )
            return "skip"

        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(block_size=_BLOCK_SIZE, encoding=arrow_enc, use_threads=False,
                                           column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter="|", quote_char=False, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(include_columns=used, column_types=dict.fromkeys(used, pa.string())),
        )
        stats: Counter = Counter()
        parts: list[pd.DataFrame] = []
        for batch in reader:
            n = batch.num_rows
            stats["lines"] += n
            prof = pc.utf8_trim_whitespace(batch.column(COL_PROFESSION))
            is_doc = pc.equal(prof, DOCTOR_PROFESSION)
            n_doc = pc.sum(is_doc).as_py() or 0
            stats["other professions"] += n - n_doc
            keep = is_doc
            if modes:
                mode_col = pc.utf8_trim_whitespace(batch.column(COL_MODE))
                in_mode = pc.and_(is_doc, pc.is_in(mode_col, value_set=pa.array(sorted(modes))))
                stats["doctors, other modes of practice"] += n_doc - (pc.sum(in_mode).as_py() or 0)
                keep = in_mode
            sub = batch.filter(keep)
            if sub.num_rows:
                parts.append(sub)
            if progress is not None:
                progress(n)
    finally:
        raw.close()
    cols = list(used)
    if parts:
        frame = pa.Table.from_batches(parts).to_pandas()
    else:
        frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in cols})
    for c in _USED:
        if c not in frame.columns:
            frame[c] = ""
    return frame, stats, enc, member


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
    from ess_geo.reference.geography import load_communes, load_postal_codes

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
        names = {normalize_text(label)} if label else set()
        if cedex:
            names.add(normalize_text(re.sub(r"^\s*\d{5}\s*", "", cedex)))
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
):
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
        Called with the number of lines read after each block (for a progress bar).

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
        If the file is missing, is not an RPPS extraction, or ``mode`` is unknown.
    """
    from ess_geo.inputs.supply import Supply

    mode_key = normalize_mode(mode)
    modes, mode_label = MODES[mode_key]
    path = Path(path)
    if not path.is_file():
        raise InputDataError(f"RPPS extraction not found: {str(path)!r}", fr=f"extraction RPPS introuvable : {path}",
                             path=str(path))
    dropped = DroppedRows()
    try:
        frame, stats, enc, member = _read_doctor_lines(path, encoding, modes, dropped, progress)
    except UnicodeDecodeError as exc:
        raise InputDataError(f"cannot decode {str(path)!r} ({exc}); pass encoding='cp1252' or 'utf-8'",
                             fr=f"encodage illisible pour {path.name} : préciser encoding", path=str(path)) from exc
    except Exception as exc:  # pyarrow.ArrowInvalid on bytes invalid in the detected encoding
        if type(exc).__name__ != "ArrowInvalid" or encoding is not None:
            raise
        if "UTF8" not in str(exc).upper():
            raise InputDataError(f"cannot read RPPS extraction {str(path)!r}: {exc}",
                                 fr=f"extraction RPPS illisible : {path.name}", path=str(path)) from exc
        dropped = DroppedRows()
        frame, stats, enc, member = _read_doctor_lines(path, "cp1252", modes, dropped, progress)

    for c in _USED:
        frame[c] = frame[c].str.strip()
    no_id = frame[COL_ID].eq("")
    if no_id.any():
        first = frame[no_id].iloc[0]
        dropped.add("sans identifiant RPPS (Identifiant PP vide)", row={c: first[c] for c in (COL_SF, COL_COMMUNE, COL_CP)},
                    n=int(no_id.sum()))
        frame = frame[~no_id].reset_index(drop=True)
    sf = _savoir_faire()
    excluded: Counter = Counter({k: v for k, v in stats.items() if k != "lines"})

    # --- savoir-faire → specialty ---
    codes = frame[COL_SF].str.upper()
    status = codes.map({c: r["status"] for c, r in sf.items()})
    specialty = codes.map({c: r["specialty"] for c, r in sf.items()})
    no_code = codes.eq("")
    excluded["doctors without savoir-faire"] += int(no_code.sum())
    unknown = ~no_code & status.isna()
    if unknown.any():
        bad = frame.loc[unknown, [COL_ID, COL_SF, COL_SF_LABEL]]
        counts = bad[COL_SF].value_counts()
        for i, (code, n) in enumerate(counts.items()):
            reason = (f"code savoir-faire inconnu {code!r}" if i < _MAX_UNKNOWN_CODE_REASONS
                      else "code savoir-faire inconnu (autres codes)")
            first = bad[bad[COL_SF] == code].iloc[0]
            dropped.add(reason, row={COL_ID: first[COL_ID], COL_SF: code, COL_SF_LABEL: first[COL_SF_LABEL]}, n=int(n))
    for st, label in (("general-practice", "general practice (not an ESS specialty)"),
                      ("non-ess", "savoir-faire without an ESS specialty"),
                      ("ambiguous", "savoir-faire spanning two specialties (SM55)")):
        excluded[label] += int(status.eq(st).sum())
    keep = status.eq("ess").fillna(False).astype(bool)
    doctors = frame.loc[keep, [COL_ID, COL_COMMUNE, COL_CP, COL_COMMUNE_LABEL, COL_CEDEX, COL_PAYS]].copy()
    doctors["specialty"] = specialty[keep].astype("str")

    # --- address → commune (once per distinct address) ---
    dep_of, postal = _commune_tables()
    addr_cols = [COL_COMMUNE, COL_CP, COL_COMMUNE_LABEL, COL_CEDEX, COL_PAYS]
    addresses = doctors[addr_cols].drop_duplicates().reset_index(drop=True)
    keys = zip(*(addresses[c].tolist() for c in addr_cols), strict=True)
    placed = [_place(key, dep_of, postal) for key in keys]
    addresses["code_insee"] = pd.Series([p[0] for p in placed], dtype="str")
    addresses["how"] = pd.Series([p[1] for p in placed], dtype="str")
    doctors = doctors.merge(addresses, on=addr_cols, how="left", validate="many_to_one")
    how = doctors["how"]
    unplaced = doctors["code_insee"].isna()
    if unplaced.any():
        for reason, idx in doctors[unplaced].groupby(how[unplaced]).groups.items():
            first = doctors.loc[idx[0]]
            dropped.add(reason, row={c: first[c] for c in (COL_ID, *addr_cols, "specialty")}, n=len(idx))
    placed_how = Counter(how[~unplaced])
    doctors = doctors[~unplaced]

    persons = (
        doctors.rename(columns={COL_ID: "rpps_id"})[["rpps_id", "specialty", "code_insee"]]
        .drop_duplicates()
        .reset_index(drop=True)
    )
    persons["code_insee"] = persons["code_insee"].astype("str")
    persons["code_dep"] = persons["code_insee"].map(dep_of).astype("str")

    vintage = vintage or vintage_from_name(member) or vintage_from_name(path.name) or "non précisé"
    label = f"RPPS — annuaire.sante.fr, {member}"
    table = (
        persons.groupby(["code_insee", "code_dep", "specialty"], as_index=False)["rpps_id"]
        .nunique()
        .rename(columns={"rpps_id": "n_specialists"})
    )
    groups = {s: get_specialty(s).drees_group for s in table["specialty"].unique()}
    table["drees_group"] = table["specialty"].map(groups)
    table["mode"] = mode_label
    table["source"] = label
    table["n_specialists"] = table["n_specialists"].astype("int64")
    table = table[["code_insee", "code_dep", "specialty", "drees_group", "n_specialists", "mode", "source"]]
    source = Source(
        name=f"RPPS — extraction publique PS_LibreAcces_Personne_activite (ANS), médecins, mode : {mode_label}",
        vintage=vintage,
        licence="Licence Ouverte 2.0 (ANS, annuaire.sante.fr) — citer « RPPS » et la date de mise à jour",
        origin=str(path),
    )
    summary = {
        "lines": int(stats["lines"]),
        "encoding": enc,
        "mode": mode_key,
        "excluded": {k: int(v) for k, v in excluded.items() if v},
        "placed_by": {k: int(v) for k, v in placed_how.items()},
        "doctor_lines_kept": len(doctors),
        "persons": int(persons["rpps_id"].nunique()),
        "persons_in_several_departements": int(
            (persons.groupby(["rpps_id", "specialty"])["code_dep"].nunique() > 1).sum()
        ),
    }
    return Supply(table=table, source=source, dropped=dropped, path=str(path), persons=persons, mode=mode_key,
                  stats=summary)
