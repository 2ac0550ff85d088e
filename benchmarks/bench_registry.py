#!/usr/bin/env python3
"""How long the ESS registry costs a check: 200 ``check_territory`` calls, and the registry alone.

Issue 14.4: the registry used to be parsed on every call (embedded or ``--registry FILE``); it is
now parsed once per file per process (cache keyed on path, size and mtime). Prints the median
time per call (ms) for: the embedded registry, a user registry file added to it
(``registry=load_registry(F, include_embedded=True)`` as the CLI's ``--registry`` does, re-loaded
every call), and ``load_registry`` alone. The user file is the embedded registry's rows rewritten
under new ids and another specialty (SYNTHETIC ids, real sources).

Usage: ``python benchmarks/bench_registry.py [--calls 200]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import tempfile
import time
from importlib import resources
from pathlib import Path

from ess_geo.inputs.embedded import load_embedded_supply
from ess_geo.inputs.registry import load_registry
from ess_geo.inputs.supply import Supply
from ess_geo.rules.territory import check_territory


def _user_file(folder: Path) -> Path:
    """A registry file of 10 rows: the embedded ones under synthetic ids, each ESS given a specialty no other has."""
    text = (resources.files("ess_geo.reference") / "data" / "ess_registry.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    header, body = rows[0], rows[1:]
    i_id, i_spec = header.index("id"), header.index("specialties")
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    free = iter(["pneumologie", "pediatrie", "orl", "gastro-enterologie", "urologie", "nephrologie", "geriatrie",
                 "allergologie", "hematologie", "radiologie"])
    chosen: dict[str, str] = {}
    for r in body:
        r = list(r)
        spec = chosen.setdefault(r[i_id], next(free))
        r[i_id], r[i_spec] = f"synthetic-{r[i_id]}", spec
        w.writerow(r)
    path = folder / "synthetic_registry_bench.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _median_ms(fn, calls: int) -> float:
    times = []
    for _ in range(calls):
        t0 = time.process_time()  # CPU time: the machine is shared, wall time is noisy
        fn()
        times.append(time.process_time() - t0)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    supply: Supply = load_embedded_supply()
    check_territory("cardiologie", ["77", "91"], adherents=30, supply=supply)  # warm the geography
    with tempfile.TemporaryDirectory() as tmp:
        user = _user_file(Path(tmp))
        rows = [
            ("check_territory, embedded registry",
             lambda: check_territory("cardiologie", ["77", "91"], adherents=30, supply=supply)),
            ("check_territory, --registry FILE (loaded each call)",
             lambda: check_territory("cardiologie", ["77", "91"], adherents=30, supply=supply,
                                     registry=load_registry(user, include_embedded=True))),
            ("load_registry() (embedded)", lambda: load_registry()),
            ("load_registry(FILE, include_embedded=True)", lambda: load_registry(user, include_embedded=True)),
        ]
        print(f"{'what':<55} {'median CPU ms/call':>15}   ({args.calls} calls)")
        for label, fn in rows:
            print(f"{label:<55} {_median_ms(fn, args.calls):>15.2f}")


if __name__ == "__main__":
    main()
