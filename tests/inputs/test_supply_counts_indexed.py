"""``Supply.count`` through its per-supply index (issue 14): the same counts as a plain filter, rebuilt when a frame is replaced."""

from __future__ import annotations

import itertools

import pandas as pd

from ess_geo.inputs.rpps import load_rpps
from ess_geo.inputs.supply import Supply, distinct_doctors
from ess_geo.reference.codes import departements_of_region
from ess_geo.sources import Source
from synthetic import generate_synthetic_rpps


def _naive(persons: pd.DataFrame, table: pd.DataFrame, spec: str, deps: list[str]) -> tuple[dict, int, int, list]:
    """The count as written before the index: one boolean filter over every person, Python sets of codes."""
    rows = persons[(persons["specialty"] == spec) & persons["code_dep"].isin(deps)]
    per = distinct_doctors(rows, "code_dep")
    present = set(table["code_dep"]) | set(persons["code_dep"])
    multi = int((rows.groupby("rpps_id")["code_dep"].nunique() > 1).sum())
    return {d: int(per.get(d, 0)) for d in deps}, distinct_doctors(rows), multi, [d for d in deps if d not in present]


def test_indexed_counts_equal_the_plain_filter_on_a_synthetic_extraction(tmp_path):
    path = tmp_path / "PS_LibreAcces_Personne_activite_202504040839.txt"
    generate_synthetic_rpps(path, 20_000)
    supply = load_rpps(path)
    assert supply.persons is not None
    territories = [departements_of_region(r) for r in ("11", "76", "84", "94")] + [["75", "94"], ["2A", "2B", "976"]]
    for spec, deps in itertools.product(["cardiologie", "pneumologie", "dermatologie", "neurologie"], territories):
        c = supply.count(spec, deps)
        assert (c.by_departement, c.total, c.multi_departement, c.missing) == _naive(supply.persons, supply.table, spec, deps)


def test_a_replaced_persons_frame_is_indexed_anew():
    persons = pd.DataFrame({"rpps_id": ["1", "2"], "specialty": ["cardiologie"] * 2, "code_insee": ["04070", "05061"],
                            "code_dep": ["04", "05"]})
    table = pd.DataFrame({"code_insee": ["04070"], "code_dep": ["04"], "specialty": ["cardiologie"],
                          "drees_group": ["x"], "n_specialists": [1], "mode": ["L"], "source": ["synthétique"]})
    s = Supply(table=table, source=Source("synthétique", "2025"), persons=persons, mode="liberal")
    assert s.count("cardiologie", ["04", "05"]).by_departement == {"04": 1, "05": 1}
    s.persons = persons[persons["code_dep"] == "04"]
    c = s.count("cardiologie", ["04", "05"])
    assert c.by_departement == {"04": 1, "05": 0} and c.missing == ["05"]
