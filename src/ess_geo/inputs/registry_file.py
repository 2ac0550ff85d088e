"""Read the rows of an ESS registry file into :class:`~ess_geo.inputs.registry_entry.EssEntry`.

The file is CSV, ``,`` or ``;`` separated (French Excel saves ``;``; the separator is read from
the header line). Columns, in any order::

    id, name, specialties, departements, status, source       (required)
    region, source_date, perimeter_certainty, valid_from, valid_to,
    source_url, source_quote, note                            (optional)

Lists (``specialties``, ``departements``) are separated by ``;`` in a ``,`` file, by ``,`` in a
``;`` file. Every problem is collected with its line and value, in English and in French
(:class:`Problems`), and raised once by the caller.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ess_geo._format import plural
from ess_geo.errors import EssGeoError, InputDataError
from ess_geo.inputs._files import csv_error_fr, short_repr
from ess_geo.inputs.registry_entry import (
    CERTAINTIES,
    STATUSES,
    EssEntry,
    normalise_certainty,
    normalise_status,
    parse_partial_date,
)
from ess_geo.reference.codes import departements_of_region, normalize_dep_codes, normalize_region_code
from ess_geo.reference.specialties import get_specialty

__all__ = ["MAX_PROBLEMS_SHOWN", "OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "Problems", "overlap_problems", "read_entries"]

REQUIRED_COLUMNS = ("id", "name", "specialties", "departements", "status", "source")
OPTIONAL_COLUMNS = (
    "region", "source_date", "perimeter_certainty", "valid_from", "valid_to", "source_url", "source_quote", "note",
)  # fmt: skip
#: Problems named in one error message (the others are counted): a broken file of 10,000 lines stays readable.
MAX_PROBLEMS_SHOWN = 20


@dataclass
class Problems:
    """Problems found in a registry, each in English and in French (collected, then raised once)."""

    en: list[str] = field(default_factory=list)
    fr: list[str] = field(default_factory=list)

    def add(self, en: str, fr: str) -> None:
        """Record one problem."""
        self.en.append(en)
        self.fr.append(fr)

    def __bool__(self) -> bool:
        return bool(self.en)

    def raise_if_any(self, origin: str) -> None:
        """Raise :class:`InputDataError` naming every problem (the first :data:`MAX_PROBLEMS_SHOWN`), if any."""
        if self.en:
            more = len(self.en) - MAX_PROBLEMS_SHOWN
            en, fr = self.en[:MAX_PROBLEMS_SHOWN], self.fr[:MAX_PROBLEMS_SHOWN]
            if more > 0:
                en.append(f"... and {more} more problem(s)")
                fr.append(f"… et {plural(more, 'autre problème', 'autres problèmes')}")
            raise InputDataError(
                f"malformed registry {origin!r}: " + "; ".join(en),
                fr=f"registre {origin} mal formé : " + " ; ".join(fr),
                path=origin,
            )


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


def _delimiter(text: str) -> str:
    """``;`` when the first non-blank line (the header) has more ``;`` than ``,``, else ``,``."""
    header = next((line for line in text.split("\n") if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def _records(text: str, origin: str) -> tuple[str, list[tuple[int, list[str]]]]:
    """The separator and the non-blank CSV records with the physical line each starts on."""
    blanked = _blank_comments(text)
    delimiter = _delimiter(blanked)
    reader = csv.reader(io.StringIO(blanked, newline=""), delimiter=delimiter)
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
            fr=f"registre {origin} illisible près de la ligne {reader.line_num} : {csv_error_fr(exc)}",
            path=origin,
            line=reader.line_num,
        ) from exc
    return delimiter, out


def read_entries(text: str, origin: str, problems: Problems) -> list[EssEntry]:
    """The entries of a decoded registry file; row problems are added to ``problems``.

    Raises
    ------
    InputDataError
        At once if the file is empty, not CSV, or lacks a required column.
    """
    delimiter, records = _records(text, origin)
    if not records:
        raise InputDataError(f"registry {origin!r} is empty", fr=f"registre vide : {origin}", path=origin)
    header_line, header = records[0]
    header = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        msg = f"registry {origin!r}: missing column(s) {missing}; required: {list(REQUIRED_COLUMNS)}, got {header}"
        fr = f"registre {origin} : colonne(s) manquante(s) {', '.join(missing)} (ligne {header_line})"
        raise InputDataError(msg, fr=fr, path=origin, line=header_line)
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise InputDataError(
            f"registry {origin!r}: column(s) {twice} given twice (line {header_line})",
            fr=f"registre {origin} : colonne(s) en double : {', '.join(twice)} (ligne {header_line})",
            path=origin, line=header_line,
        )
    entries: list[EssEntry] = []
    for lineno, cells in records[1:]:
        if len(cells) > len(header):
            extra = [short_repr(c, 40) for c in cells[len(header) :][:3]]
            problems.add(
                f"line {lineno}: too many fields ({len(cells)} for {len(header)} columns; extra: {', '.join(extra)})",
                f"ligne {lineno} : trop de champs ({len(cells)} pour {len(header)} colonnes ; en trop : "
                f"{', '.join(extra)} ; séparateur « {delimiter} » dans une valeur sans guillemets ?)",
            )
            continue
        row = {k: (v or "").strip() for k, v in zip(header, cells, strict=False)}
        entries.append(_entry(row, lineno, problems))
    return entries


def _split(cell: str) -> list[str]:
    """Items of a list cell (separated by ``;`` or ``,``)."""
    return [p.strip() for p in cell.replace(",", ";").split(";") if p.strip()]


def _entry(row: dict[str, str], line: int, problems: Problems) -> EssEntry:
    """The entry of one row; its problems are added to ``problems``."""
    ess_id = row.get("id", "")
    where = f"line {line} (id {short_repr(ess_id, 40)})"
    where_fr = f"ligne {line} (id {short_repr(ess_id, 40)})"
    if not ess_id:
        problems.add(f"line {line}: empty id", f"ligne {line} : identifiant vide")
    specs = _specialties(_split(row.get("specialties", "")), where, where_fr, problems)
    region, deps = _territory(row, _split(row.get("departements", "")), (where, where_fr), problems)
    status = normalise_status(row.get("status", ""))
    if status is None:
        problems.add(
            f"{where}: status {short_repr(row.get('status', ''), 40)} not in {list(STATUSES)}",
            f"{where_fr} : statut {short_repr(row.get('status', ''), 40)} inconnu (actif, en projet ou inactif)",
        )
    certainty = normalise_certainty(row.get("perimeter_certainty", ""))
    if certainty is None:
        problems.add(
            f"{where}: perimeter_certainty {short_repr(row['perimeter_certainty'], 40)} not in {list(CERTAINTIES)}",
            f"{where_fr} : certitude du périmètre {short_repr(row['perimeter_certainty'], 40)} inconnue "
            "(confirmed/confirmé, probable, uncertain/incertain)",
        )
    start, end = _period(row, where, where_fr, problems)
    if not (row.get("source") or row.get("source_url")):
        problems.add(f"{where}: no source", f"{where_fr} : aucune source (colonne source ou source_url)")
    return EssEntry(
        id=ess_id, name=row.get("name", ""), specialties=tuple(specs), departements=tuple(deps), region=region,
        status=status or row.get("status", ""), source=row.get("source", ""), source_date=row.get("source_date", ""),
        perimeter_certainty=certainty or "", valid_from=start, valid_to=end, source_url=row.get("source_url", ""),
        source_quote=row.get("source_quote", ""), note=row.get("note", ""), line=line,
    )  # fmt: skip


def _period(row: dict[str, str], where: str, where_fr: str, problems: Problems) -> tuple[date | None, date | None]:
    """``(valid_from, valid_to)`` of a row (partial dates widened to the whole month or year)."""
    bounds: list[date | None] = []
    for column, last_day in (("valid_from", False), ("valid_to", True)):
        try:
            bounds.append(parse_partial_date(row.get(column, ""), end=last_day))
        except ValueError:
            bounds.append(None)
            problems.add(
                f"{where}: {column} {short_repr(row[column], 40)} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)",
                f"{where_fr} : {column} {short_repr(row[column], 40)} n'est pas une date (AAAA-MM-JJ, AAAA-MM ou AAAA)",
            )
    start, end = bounds
    if start and end and start > end:
        problems.add(
            f"{where}: valid_from {start.isoformat()} after valid_to {end.isoformat()}",
            f"{where_fr} : début de validité {start.isoformat()} postérieur à la fin {end.isoformat()}",
        )
    return start, end


def _specialties(raw_specs: list[str], where: str, where_fr: str, problems: Problems) -> list[str]:
    """Canonical ids of the row's specialties; unknown ones and an empty list are problems."""
    specs: list[str] = []
    for raw in raw_specs:
        try:
            specs.append(get_specialty(raw).id)
        except EssGeoError as exc:
            problems.add(f"{where}: specialties: {exc}", f"{where_fr} : {exc.fr}")
    if not raw_specs:
        problems.add(f"{where}: no specialty", f"{where_fr} : aucune spécialité")
    return specs


def _territory(
    row: dict[str, str], raw_deps: list[str], where: tuple[str, str], problems: Problems
) -> tuple[str, list[str]]:
    """``(region, départements)`` of a row: the listed départements, else those of its région."""
    deps: list[str] = []
    region = row.get("region", "")
    try:
        if region:
            region = normalize_region_code(region)
        deps = departements_of_region(region) if not raw_deps and region else normalize_dep_codes(raw_deps)
        outside = [d for d in deps if region and raw_deps and d not in departements_of_region(region)]
        if outside:
            problems.add(
                f"{where[0]}: département(s) {outside} not in région {region!r} "
                "(leave region empty for an ESS spanning several régions)",
                f"{where[1]} : département(s) {', '.join(outside)} hors de la région {region!r} "
                "(laisser region vide pour une ESS sur plusieurs régions)",
            )
    except EssGeoError as exc:
        problems.add(f"{where[0]}: {exc}", f"{where[1]} : {exc.fr}")
    if not raw_deps and not region:
        problems.add(f"{where[0]}: no département and no région", f"{where[1]} : ni département ni région")
    return region, deps


def _periods_meet(a: EssEntry, b: EssEntry) -> bool:
    """Whether the validity periods of two rows share a day (open bounds are infinite)."""
    return (a.valid_from is None or b.valid_to is None or a.valid_from <= b.valid_to) and (
        b.valid_from is None or a.valid_to is None or b.valid_from <= a.valid_to
    )


def overlap_problems(entries: Sequence[EssEntry], where: Callable[[EssEntry], tuple[str, str]], problems: Problems) -> None:
    """Rows that contradict each other, added to ``problems``.

    Two periods of one ESS (same id) may not meet; two covering ESS of one specialty may not
    share a département during a common period (one ESS per specialty and territory).
    ``where(entry)`` gives the English and French place of a row (« line 3 », « ligne 3 »).
    """
    for i, a in enumerate(entries):
        for b in entries[i + 1 :]:
            if not _periods_meet(a, b):
                continue
            (wa, wa_fr), (wb, wb_fr) = where(a), where(b)
            ida, idb = short_repr(a.id, 40), short_repr(b.id, 40)
            if a.id == b.id:
                problems.add(
                    f"ESS {ida}: periods of {wa} and {wb} overlap (one perimeter at a time)",
                    f"ESS {ida} : les périodes de validité ({wa_fr} et {wb_fr}) se chevauchent "
                    "(un seul périmètre à la fois)",
                )
                continue
            if not (a.covers_territory and b.covers_territory):
                continue
            shared = [d for d in a.departements if d in b.departements]
            for spec in (s for s in a.specialties if s in b.specialties and shared):
                problems.add(
                    f"ESS {ida} ({wa}) and {idb} ({wb}) both cover {spec} in département(s) {shared} "
                    "(one ESS per specialty and territory)",
                    f"les ESS {ida} ({wa_fr}) et {idb} ({wb_fr}) couvrent toutes deux {spec} dans "
                    f"{', '.join(shared)} (une seule ESS par spécialité et territoire)",
                )
