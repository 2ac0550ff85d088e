"""DroppedRows: counts, reasons and samples that identify no one unless asked."""

from __future__ import annotations

from ess_geo.dropped import DroppedRows


def test_hidden_fields_leave_the_samples_kept_and_to_come():
    d = DroppedRows()
    d.add("code inconnu", line=3, row={"Identifiant PP": "99000000001", "code": "XX"})
    d.add("ligne mal formée", line=4, row="8|99000000002|PERSONNE|SYNTHETIQUE")
    d.hide(("Identifiant PP",))
    d.add("adresse hors de France", line=5, row={"Identifiant PP": "99000000003", "pays": "99"})
    assert d.sample == [
        {"line": 3, "reason": "code inconnu", "row": {"code": "XX"}},
        {"line": 4, "reason": "ligne mal formée", "row": None},  # raw text may hold a name: not kept
        {"line": 5, "reason": "adresse hors de France", "row": {"pays": "99"}},
    ]
    assert d.count == 3 and d.hidden == ("Identifiant PP",)


def test_extend_applies_the_hidden_fields_of_the_receiver():
    other = DroppedRows()
    other.add("x", line=1, row={"Identifiant PP": "99000000001", "k": 1})
    d = DroppedRows(hidden=("Identifiant PP",))
    d.extend(other)
    assert d.sample == [{"line": 1, "reason": "x", "row": {"k": 1}}] and d.by_reason["x"] == 1


def test_without_hidden_fields_samples_are_kept_as_given():
    d = DroppedRows()
    d.add("effectif négatif", line=2, row={"dept_code": "77", "07-Cardiologie": "-5"})
    assert d.sample[0]["row"] == {"dept_code": "77", "07-Cardiologie": "-5"}
