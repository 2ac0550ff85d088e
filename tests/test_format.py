"""French number agreement: one helper (:func:`ess_geo._format.agreed`) behind ``plural`` and every agreed word."""

from __future__ import annotations

from ess_geo._format import agreed, plural


def test_agreed_takes_the_singular_for_0_and_1_and_an_irregular_plural() -> None:
    assert [agreed(n, "rattachée") for n in (0, 1, 2)] == ["rattachée", "rattachée", "rattachées"]
    assert agreed(3, "libéral", "libéraux") == "libéraux"
    assert plural(2, "médecin libéral", "médecins libéraux") == "2 médecins libéraux"
    assert plural(1, "adhérent") == "1 adhérent"
