"""French sentences of the coverage report's HTML pages about new ESS, funding and the regional ESS.

Rendering only: every figure comes from :attr:`ess_geo.analysis.coverage.CoverageResult.summary`.
« Nouvelles ESS possibles » is always said « au plus » (a ceiling, not a target), next to whether
a single regional ESS is possible; a yearly allocation partly interpolated by the tool, or
leaving out ESS with no published value, says so.
"""

from __future__ import annotations

import html

import pandas as pd

from ess_geo._format import agreed, euros, plural
from ess_geo.render.cells import cell_text, is_missing, yearly_allocation_text
from ess_geo.rules.criteria import MIN_SPECIALISTS

__all__ = ["HIDDEN_IN_HTML_SUMMARY", "funding_text", "specialty_sentence", "summary_view"]

_esc = html.escape

#: Synthesis columns the HTML page leaves out: said by the page (the specialty sentence says the covered
#: départements whose perimeter is to be checked), or carried by the yearly cell's marks.
HIDDEN_IN_HTML_SUMMARY = ("code_region", "region", "specialty", "n_covered_unconfirmed", "yearly_allocation_interpolated",
                          "n_yearly_unpublished")


def summary_view(summary: pd.DataFrame) -> pd.DataFrame:
    """The synthesis as the HTML page shows it: the yearly allocation written with its marks."""
    view = summary.copy()
    view["yearly_allocation_eur"] = [
        yearly_allocation_text(e, i, n)
        for e, i, n in zip(view["yearly_allocation_eur"], view["yearly_allocation_interpolated"], view["n_yearly_unpublished"], strict=True)
    ]
    return view


def funding_text(s: pd.Series) -> str:
    """« soit au plus X de crédits d'amorçage et environ Y de dotation annuelle », with its marks (HTML)."""
    text = (
        f"soit au plus {_esc(euros(int(s['startup_credit_eur'])))} de crédits d'amorçage et environ "
        f"{_esc(euros(int(s['yearly_allocation_eur'])))} de dotation annuelle à 50 % d'adhérents (<b>indicatif</b>"
    )
    if not is_missing(s["yearly_allocation_interpolated"]) and bool(s["yearly_allocation_interpolated"]):
        text += " ; en partie interpolation linéaire de l'outil, valeur non publiée"
    if not is_missing(s["n_yearly_unpublished"]) and int(s["n_yearly_unpublished"]):
        n = int(s["n_yearly_unpublished"])
        text += f" ; {n} ESS sans valeur publiée (moins de {MIN_SPECIALISTS} membres), non {agreed(n, 'comptée')}"
    return text + ")"


def specialty_sentence(s: pd.Series, *, cross_region: bool) -> str:
    """The sentence under a specialty's title: covered départements, new ESS possible (au plus), regional ESS."""
    unsure = int(s.get("n_covered_unconfirmed", 0) or 0)
    unsure_fr = f" (dont {unsure} selon un périmètre probable ou incertain : à vérifier)" if unsure else ""
    covered = int(s["n_covered"])
    head = f"<p>{plural(covered, 'département')} {agreed(covered, 'couvert')}{unsure_fr} sur {int(s['n_departements'])} ; "
    regional = f" ESS régionale possible : <b>{_esc(cell_text('regional_ess_possible', s['regional_ess_possible']))}</b>."
    if is_missing(s["potential_new_ess"]):
        return (
            head + "nombre de nouvelles ESS possibles indéterminé (effectifs majorants ou non fournis ; "
            "voir « ess-geo propose » avec une extraction RPPS)." + regional + "</p>"
        )
    how = "au moins " if cross_region else "au plus "
    exact_note = (
        " (minorant : territoires pouvant franchir les limites régionales)"
        if cross_region
        else " (maximum exact, comme « ess-geo propose » : un plafond, pas un objectif)"
    )
    return (
        head + f"{how}{int(s['potential_new_ess'])} {agreed(int(s['potential_new_ess']), 'nouvelle ESS possible', 'nouvelles ESS possibles')}{exact_note}, "
        + funding_text(s) + "." + regional + "</p>"
    )
