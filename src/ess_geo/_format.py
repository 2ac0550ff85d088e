"""French formatting of numbers and words for user-facing text (CLI, reports, maps).

Thousands are separated by a narrow no-break space (U+202F), decimals by a comma.
"""

from __future__ import annotations

import datetime as _dt

__all__ = ["MOIS", "NNBSP", "agreed", "date_fr", "de_fr", "decimal", "euros", "in_sentence", "month_fr", "nombre", "plural"]

NNBSP = "\u202f"


def nombre(n: int) -> str:
    """French integer: ``1250`` → ``"1 250"``."""
    return f"{int(n):,}".replace(",", NNBSP)


def decimal(x: float, digits: int = 2) -> str:
    """French decimal: ``1234.5`` → ``"1 234,50"``."""
    return f"{x:,.{digits}f}".replace(",", NNBSP).replace(".", ",")


def agreed(n: int, singular: str, plural_form: str | None = None) -> str:
    """A French word agreed with ``n``, without the number (0 and 1 take the singular): ``"rattachée"``, ``"libéraux"``."""
    return singular if abs(n) < 2 else (plural_form or singular + "s")


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` and the noun agreed in French (0 and 1 take the singular): ``"1 adhérent"``, ``"2 adhérents"``."""
    return f"{nombre(n)} {agreed(n, singular, plural_form)}"


def euros(amount: int) -> str:
    """French money: ``80000`` → ``"80 000 €"``."""
    return f"{nombre(amount)} €"


#: French month names, January first.
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre")


def date_fr(day: _dt.date) -> str:
    """French date: ``date(2021, 12, 2)`` → ``"2 décembre 2021"`` (``"1er"`` for the first of a month)."""
    return f"{'1er' if day.day == 1 else day.day} {MOIS[day.month - 1]} {day.year}"


def month_fr(year: int, month: int, *, of: bool = False) -> str:
    """French month: ``"décembre 2021"``; with ``of=True`` ``"de décembre 2021"`` / ``"d’avril 2021"``."""
    name = MOIS[month - 1]
    if not of:
        return f"{name} {year}"
    return f"{'d’' if name[0] in 'ao' else 'de '}{name} {year}"


#: First letters before which « de » elides to « d' » (vowels and mute h).
_ELIDING = set("aeiouyhàâäéèêëîïôöùûüœAEIOUYHÀÂÄÉÈÊËÎÏÔÖÙÛÜŒ")


def in_sentence(label: str) -> str:
    """A label as written inside a sentence: first letter lowercased, acronyms kept.

    ``"Ophtalmologie"`` → ``"ophtalmologie"``; ``"ORL et chirurgie cervico-faciale"`` stays as is.
    """
    text = str(label)
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def de_fr(label: str) -> str:
    """« de » + the label inside a sentence, elided before a vowel or mute h.

    ``"Ophtalmologie"`` → ``"d'ophtalmologie"``; ``"Cardiologie"`` → ``"de cardiologie"``; ``"ORL"`` → ``"d'ORL"``.
    """
    text = in_sentence(label)
    return f"d'{text}" if text[:1] in _ELIDING else f"de {text}"
