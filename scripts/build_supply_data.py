#!/usr/bin/env python3
"""Rebuild ess_geo's embedded specialist supply from two real public tables.

Inputs (committed under ``data/sources/``, checked against pinned sha256 before use):

- ``drees_rpps_effectifs_dep_x_specialite15.csv``: DREES, doctors registered in the RPPS per
  département × 15 specialty groups, **all modes of practice**, RPPS at 1 January 2022 (vintage
  deduced from the national total, see ``data/sources/SOURCES.md``).
- ``cnam_2018_specialistes_liberaux_par_departement.csv``: CNAM (Assurance Maladie), **libéral**
  specialists at 31 December 2018 by fine specialty (48 CNAM codes) × département.

Writes ``src/ess_geo/inputs/data/supply_embedded.csv``, a tidy table::

    code_dep | specialty | count | bound | mode | source | vintage

``vintage`` is the date the count refers to (ISO); the wording is in the JSON.

``bound`` says what the count is for the specialty: ``exact``; ``upper`` when the source lumps the
specialty with others (a DREES group such as « 15-Autre spécialité », CNAM « TOTAL PSYCHIATRIE »);
``lower`` when it leaves out doctors who may belong to it (CNAM code 79, gynécologie obstétrique et
médicale, counted only in the upper row of each gynaecology). ``mode`` is ``tous`` (all modes) or
``liberal``. The CNAM code → specialty mapping is ``src/ess_geo/reference/data/cnam_specialties.csv``.

Also writes ``supply_embedded.json``: for each source its publisher, vintage, mode, licence note,
the copy's repository, commit and path, the sha256, and the build report (rows skipped and why).

Usage::

    python scripts/build_supply_data.py [--sources DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ess_geo.reference.codes import canonical_dep_code, departement_names  # noqa: E402
from ess_geo.reference.specialties import all_specialties  # noqa: E402

DREES = {
    "id": "drees_2022",
    "file": "drees_rpps_effectifs_dep_x_specialite15.csv",
    "sha256": "a0efaeaec706b3b5a744815316970b36dd75f46869a9880224021239d8f1b730",
    "name": "DREES — médecins inscrits au RPPS par département et groupe de spécialités (tous modes d'exercice)",
    "publisher": "DREES, « Démographie des professionnels de santé » (RPPS)",
    "vintage": "RPPS au 1er janvier 2022 (millésime déduit du total national)",
    "as_of": "2022-01-01",
    "mode": "tous",
    "licence": "Licence Ouverte / Etalab (DREES ; licence non indiquée dans la copie)",
    "copy": {"repository": "vivadata/san-ter", "commit": "0d8a14d21bb906a7f6ac0be1d4f52ad643e6b2ab",
             "path": "dev2/Effectifs.csv"},
}
CNAM = {
    "id": "cnam_2018",
    "file": "cnam_2018_specialistes_liberaux_par_departement.csv",
    "sha256": "2cb0295391ff5e69434c201ce25f0ad87c9cc933bf4e1dcf7c15065e61c9d47c",
    "name": "Assurance Maladie (CNAM) — médecins spécialistes libéraux par département et spécialité",
    "publisher": "CNAM (Assurance Maladie, ameli) « Effectif et densité par département en 2018 », SNIIR-AM / Amos",
    "vintage": "libéraux actifs au 31 décembre 2018",
    "as_of": "2018-12-31",
    "mode": "liberal",
    "licence": "Licence Ouverte (open data ameli ; licence non indiquée dans la copie)",
    "copy": {"repository": "cyrilvincent/skema", "commit": "ef6d9491d4dbcadaa58cdf31b892ae40c7d008f6",
             "path": "data/Effectif_et_densite_par_departement_en_2018.xls",
             "transformation": "sheet « Spécialistes » exported to CSV (UTF-8, comma), values unchanged",
             "original_sha256": "c2440d79fab2eb3387d2d57e726bd73b3bbd77cf1874fdc666b6a8b2823eb054"},
}
COLUMNS = ["code_dep", "specialty", "count", "bound", "mode", "source", "vintage"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check(path: Path, expected: str) -> None:
    got = sha256(path)
    if got != expected:
        sys.exit(f"{path}: sha256 {got} differs from the pinned {expected}: refusing to build")


def drees_rows(path: Path, report: dict) -> list[tuple]:
    """One row per département × ESS specialty: exact for a one-specialty group, upper otherwise."""
    specs = list(all_specialties())
    known = departement_names()
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for rec in csv.DictReader(fh):
            code = canonical_dep_code(rec["dept_code"])
            if code not in known:
                report["skipped"].append({"source": DREES["id"], "row": rec["dept_code"], "reason": "total ou code inconnu"})
                continue
            for spec in specs:
                rows.append((code, spec.id, int(rec[spec.drees_group]), "exact" if spec.drees_group_exact else "upper",
                             DREES["mode"], DREES["id"], DREES["as_of"]))
    return rows


def _cnam_counts(path: Path, report: dict) -> dict[tuple[str, str], int]:
    """(département, CNAM code or TOTAL label) → count, from the « Spécialistes » sheet."""
    known = departement_names()
    counts: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            label, dep = rec["Spécialistes"].strip(), rec["DEPARTEMENT"].strip()
            code = canonical_dep_code(dep.split("-", 1)[0].strip())
            if code not in known:
                report["skipped_count"] = report.get("skipped_count", 0) + 1  # TOTAL … rows
                continue
            key = "TOTAL PSYCHIATRIE" if label.startswith("TOTAL PSYCHIATRIE") else label.split("-", 1)[0].strip()
            counts[(code, key)] = int(rec["EFFECTIF"])
    return counts


def cnam_rows(path: Path, mapping: Path, report: dict) -> list[tuple]:
    """Rows per département × specialty: exact / lower (exact codes) and upper (with possible codes)."""
    roles: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    with mapping.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            roles[rec["specialty"]][rec["role"]].append(rec["cnam_code"])
    counts = _cnam_counts(path, report)
    rows = []
    for code in sorted(departement_names()):
        for spec, by_role in roles.items():
            exact = sum(counts.get((code, c), 0) for c in by_role.get("exact", []))
            possible = sum(counts.get((code, c), 0) for c in by_role.get("possible", []))
            upper = sum(counts.get((code, c), 0) for c in by_role.get("upper", []))
            base = (CNAM["mode"], CNAM["id"], CNAM["as_of"])
            if by_role.get("upper"):
                rows.append((code, spec, upper, "upper", *base))
            elif by_role.get("possible"):
                rows.append((code, spec, exact, "lower", *base))
                rows.append((code, spec, exact + possible, "upper", *base))
            else:
                rows.append((code, spec, exact, "exact", *base))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=Path, default=ROOT / "data" / "sources")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "ess_geo" / "inputs" / "data")
    args = ap.parse_args()
    report: dict = {"skipped": []}
    for src in (DREES, CNAM):
        check(args.sources / src["file"], src["sha256"])
    mapping = ROOT / "src" / "ess_geo" / "reference" / "data" / "cnam_specialties.csv"
    rows = drees_rows(args.sources / DREES["file"], report) + cnam_rows(args.sources / CNAM["file"], mapping, report)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "supply_embedded.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(sorted(rows))
    provenance = {  # no build date: the output depends on the inputs only (reproducible byte for byte)
        "script": "scripts/build_supply_data.py",
        "cnam_mapping": "src/ess_geo/reference/data/cnam_specialties.csv",
        "sources": [{k: v for k, v in src.items()} for src in (DREES, CNAM)],
        "rows": len(rows),
        "report": {"drees_rows_skipped": report["skipped"], "cnam_total_rows_skipped": report.get("skipped_count", 0)},
    }
    (args.out / "supply_embedded.json").write_text(json.dumps(provenance, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
    print(f"écrit : {args.out / 'supply_embedded.csv'} ({len(rows)} lignes)")


if __name__ == "__main__":
    main()
