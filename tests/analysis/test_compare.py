"""compare_territories: one row per candidate, equal to check_territory on each; territory_figures."""

from __future__ import annotations

import pandas as pd
import pytest

import ess_geo
from ess_geo.analysis.compare import COMPARE_COLUMNS, COMPARE_LABELS_FR
from ess_geo.analysis.territory_figures import territory_figures
from ess_geo.errors import InputDataError, UnknownCodeError
from ess_geo.reference.codes import parse_candidate


def _py(value: object) -> object:
    """A frame cell as check_territory gives it: ``<NA>`` → None, numpy scalars → Python."""
    if value is pd.NA or value is None:
        return None
    return value.item() if hasattr(value, "item") else value


def test_compare_territories_rows_equal_check_territory():
    frame = ess_geo.compare_territories("cardiologie", ["77,91", [75, 94], "r:53"], adherents=[20, 5, 40],
                                        as_of="2023-06-01")
    assert list(frame.columns) == list(COMPARE_COLUMNS)
    assert set(COMPARE_COLUMNS) - {"candidate"} <= set(COMPARE_LABELS_FR)
    assert frame.attrs["labels_fr"]["needed_5y"] == "Adhérents nécessaires à 5 ans (50 %)"
    assert list(frame["candidate"]) == ["77,91", "75,94", "r:53"]
    checks = [ess_geo.check_territory("cardiologie", d, r, adherents=a, as_of="2023-06-01")
              for d, r, a in (("77,91", None, 20), ("75,94", None, 5), (None, "53", 40))]
    for (_, row), check in zip(frame.iterrows(), checks, strict=True):
        thr, adh = check.criterion("threshold").evidence, check.criterion("adherents").evidence
        row = row.map(_py)
        assert row["admissible"] == check.admissible
        assert row["territory"] == check.territory_label
        assert row["status_overlap"] == check.criterion("overlap").status
        assert (row["specialists_low"], row["needed_now"], row["needed_5y"]) == (thr["low"], adh["needed_now"],
                                                                               adh["needed_5y"])
        assert row["yearly_eur"] == check.criterion("funding").evidence.get("yearly_eur")
    # 75 + 94 was the ESS Cardiologie Île-de-France's launch perimeter: on the territory, not next to it
    assert "Cardiologie" in frame.loc[1, "ess_on_territory"] and frame.loc[1, "status_overlap"] == "fail"
    assert "Cardiologie" in frame.loc[0, "ess_nearby"]


def test_compare_refuses_a_wrong_number_of_adherents_naming_them():
    with pytest.raises(InputDataError, match=r"\[20, 30\]"):
        ess_geo.compare_territories("pediatrie", ["14", "50", "61"], adherents=[20, 30])


def test_compare_with_zonage_counts_zip_communes(zonage_file):
    frame = ess_geo.compare_territories("pediatrie", ["61"], zonage=zonage_file)
    assert frame["zip_communes"].dtype == "Int64"
    assert frame.loc[0, "zip_communes"] > 0 and frame.loc[0, "zip_population"] > 0


@pytest.mark.parametrize(
    ("text", "departements", "region"),
    [("53,72", ["53", "72"], None), ("r:52", ["44", "49", "53", "72", "85"], "52"),
     ("R:28, 53", ["14", "27", "50", "61", "76", "53"], "28")],
)
def test_parse_candidate(text, departements, region):
    parsed = parse_candidate(text)
    assert parsed.departements == departements
    assert parsed.region == region


def test_parse_candidate_refuses_two_regions_naming_the_text():
    with pytest.raises(InputDataError, match="r:52,r:53"):
        parse_candidate("r:52,r:53")
    with pytest.raises(UnknownCodeError, match="99"):
        parse_candidate("r:99")


def test_territory_figures_read_the_check():
    check = ess_geo.check_territory("pediatrie", "14,50,61", adherents=20)
    figures = territory_figures(check)
    assert figures.population == check.criterion("threshold").evidence["inhabitants"]
    assert [c["mode"] for c in figures.counts] == ["tous", "liberal"]
    assert figures.to_dict()["check"] == check.to_dict()
    assert figures.zip_counts is None and figures.to_row()["zip_population"] is None
