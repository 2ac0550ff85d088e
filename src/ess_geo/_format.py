"""French formatting of numbers and words for user-facing text (CLI, reports, maps).

Thousands are separated by a narrow no-break space (U+202F), decimals by a comma.
"""

from __future__ import annotations

__all__ = ["NNBSP", "decimal", "euros", "nombre", "plural"]

NNBSP = "\u202f"


def nombre(n: int) -> str:
    """French integer: ``1250`` → ``"1 250"``."""
    return f"{int(n):,}".replace(",", NNBSP)


def decimal(x: float, digits: int = 2) -> str:
    """French decimal: ``1234.5`` → ``"1 234,50"``."""
    return f"{x:,.{digits}f}".replace(",", NNBSP).replace(".", ",")


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` and the noun agreed in French (0 and 1 take the singular): ``"1 adhérent"``, ``"2 adhérents"``."""
    noun = singular if abs(n) < 2 else (plural_form or singular + "s")
    return f"{nombre(n)} {noun}"


def euros(amount: int) -> str:
    """French money: ``80000`` → ``"80 000 €"``."""
    return f"{nombre(amount)} €"
