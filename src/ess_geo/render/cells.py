"""French text of the coverage table's cells, shared by the HTML pages and the XLSX workbooks.

Numbers get French separators, flags become « oui »/« non », the exactness of a count « exact » or
« majorant », a status its label from :data:`~ess_geo.analysis.coverage.GROUP_STATUS_FR`; an
unknown population is « population inconnue », never 0.
"""

from __future__ import annotations

from typing import cast

import pandas as pd

from ess_geo._format import decimal, euros, nombre
from ess_geo.analysis.coverage import GROUP_STATUS_FR, TABLE_COLUMNS, CoverageResult
from ess_geo.analysis.coverage_columns import certainty_fr
from ess_geo.render.spreadsheet import is_missing

#: Columns of the per-specialty tables (HTML sections and XLSX sheets): the coverage table
#: without what the section title already says (specialty) and the ESS id (its name is shown).
DETAIL_COLUMNS = [c for c in TABLE_COLUMNS if c not in ("specialty", "specialty_label", "covered_by")]


def _fr_int(value: object) -> str:
    return "" if is_missing(value) else nombre(int(cast(float, value)))


def _population_text(value: object) -> str:
    return "population inconnue" if is_missing(value) else _fr_int(value)


def _fr_float(value: object) -> str:
    return "" if is_missing(value) else decimal(float(cast(float, value)), 2)


def _fr_bool(value: object, *, undetermined: str = "indéterminé") -> str:
    if is_missing(value):
        return undetermined
    return "oui" if bool(value) else "non"


def _fr_exact(value: object) -> str:
    if isinstance(value, str):  # already said by :func:`detail_view` (« sources discordantes »)
        return value
    if is_missing(value):
        return "non fourni"
    return "exact" if bool(value) else "majorant"


#: What the « Effectif » cell says where the bounds of the sources cross (a count of libéral doctors above
#: the all-modes count of another source and vintage): neither exact nor an upper bound.
DISCORDANT_FR = "sources discordantes"


def detail_view(table: pd.DataFrame) -> pd.DataFrame:
    """The coverage table as pages and workbooks show it (a copy when changed).

    Where the low bound is above the high bound (sources that disagree: CNAM 2018 libéral doctors above
    DREES 2022 all modes), the « Effectif » cell says :data:`DISCORDANT_FR`, not « majorant ».
    """
    if not {"exact", "n_specialists_low", "n_specialists_high"} <= set(table.columns):
        return table
    low = pd.to_numeric(table["n_specialists_low"], errors="coerce")
    high = pd.to_numeric(table["n_specialists_high"], errors="coerce")
    crossed = (low > high).fillna(False).astype(bool)
    if not crossed.any():
        return table
    view = table.copy()
    view["exact"] = view["exact"].astype(object)
    view.loc[crossed, "exact"] = DISCORDANT_FR
    return view


def _group_text(value: object) -> str:
    if isinstance(value, list | tuple):
        return "+".join(str(v) for v in value)
    return "" if is_missing(value) else str(value)


def cell_text(column: str, value: object) -> str:
    """French text of a table cell (HTML pages)."""
    if column == "population":  # unknown for Mayotte: never 0
        return _population_text(value)
    if column in ("n_specialists", "group_n_specialists", "group_population") or column.startswith("n_"):
        return _fr_int(value)
    if column in ("startup_credit_eur", "yearly_allocation_eur"):
        if isinstance(value, str):  # already written with its marks (:func:`yearly_allocation_text`)
            return value
        return "" if is_missing(value) else euros(int(cast(float, value)))
    if column in ("density_per_100k", "zip_population_share"):
        return _fr_float(value)
    if column == "exact":
        return _fr_exact(value)
    if column in ("could_host_alone", "regional_ess_possible", "yearly_allocation_interpolated"):
        return _fr_bool(value)
    if column == "group_status":
        return "" if is_missing(value) else GROUP_STATUS_FR.get(str(value), str(value))
    if column == "group":
        return _group_text(value)
    if column == "covered_certainty":
        return certainty_fr(value)
    if column == "potential_new_ess":
        return _fr_int(value)
    return "" if is_missing(value) else str(value)


#: Footnote of the marks of :func:`yearly_allocation_text`.
YEARLY_MARKS_FR = (
    "* en partie interpolation linéaire de l'outil (valeur non publiée) ; « n ESS sans valeur » : ESS de moins de "
    "10 membres à 50 % d'adhérents, pour lesquelles aucune dotation n'est publiée (non comptées)."
)


def yearly_allocation_text(eur: object, interpolated: object, n_unpublished: object) -> str:
    """The yearly allocation with its marks: ``"506 000 €*"``, ``"53 000 €* ; 2 ESS sans valeur"`` (see :data:`YEARLY_MARKS_FR`)."""
    if is_missing(eur):
        return ""
    text = euros(int(cast(float, eur))) + ("*" if not is_missing(interpolated) and bool(interpolated) else "")
    if not is_missing(n_unpublished) and int(cast(float, n_unpublished)):
        text += f" ; {int(cast(float, n_unpublished))} ESS sans valeur"
    return text


def detail_columns(result: CoverageResult) -> list[str]:
    """Detail columns, without the zonage column when no zonage was given."""
    has_zip = result.table["zip_population_share"].notna().any() if len(result.table) else False
    return [c for c in DETAIL_COLUMNS if c != "zip_population_share" or has_zip]


__all__ = ["DETAIL_COLUMNS", "DISCORDANT_FR", "YEARLY_MARKS_FR", "cell_text", "detail_columns", "detail_view", "is_missing",
           "yearly_allocation_text"]
