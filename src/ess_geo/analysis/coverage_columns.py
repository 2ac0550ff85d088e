"""Columns and French labels of the coverage table (:func:`ess_geo.analysis.coverage.coverage_table`).

The CSV column ids are stable English ids; every label a committee reads is French. The coverage
class of a département (``group_status``) is decided in :mod:`ess_geo.analysis.coverage_groups`;
its French wording is here, shared by the table, the reports and the maps.
"""

from __future__ import annotations

from ess_geo.inputs.registry_entry import CERTAINTY_FR
from ess_geo.rules.criteria import MIN_SPECIALISTS
from ess_geo.rules.derogations import UNREACHABLE_FR

__all__ = ["GROUP_STATUS_FR", "LABELS_FR", "POTENTIAL_NEW_ESS_FR", "SUMMARY_COLUMNS", "TABLE_COLUMNS", "certainty_fr",
           "covering_ess_fr"]

#: Columns of :attr:`CoverageResult.table`, in order.
TABLE_COLUMNS = [
    "code_region",
    "region",
    "specialty",
    "specialty_label",
    "code_dep",
    "departement",
    "covered_by",
    "covered_by_name",
    "covered_certainty",
    "n_specialists",
    "exact",
    "n_specialists_low",
    "n_specialists_high",
    "population",
    "density_per_100k",
    "could_host_alone",
    "group_status",
    "group",
    "group_n_specialists",
    "group_population",
    "zip_population_share",
]

#: Columns of :attr:`CoverageResult.summary` (one row per région × specialty), in order.
SUMMARY_COLUMNS = [
    "code_region",
    "region",
    "specialty",
    "specialty_label",
    "exact",
    "n_departements",
    "n_covered",
    "n_covered_unconfirmed",
    "n_uncovered",
    "n_specialists",
    "n_specialists_uncovered",
    "n_alone",
    "n_via_group",
    "n_not_feasible",
    "n_undetermined",
    "potential_new_ess",
    "regional_ess_possible",
    "startup_credit_eur",
    "yearly_allocation_eur",
    "yearly_allocation_interpolated",
    "n_yearly_unpublished",
]

#: French labels of every column (tables, HTML, XLSX headers).
LABELS_FR = {
    "code_region": "Code région",
    "region": "Région",
    "specialty": "Spécialité (id)",
    "specialty_label": "Spécialité",
    "code_dep": "Code dép.",
    "departement": "Département",
    "covered_by": "ESS couvrante (id)",
    "covered_by_name": "ESS couvrante",
    "covered_certainty": "Périmètre de l'ESS couvrante (selon les sources)",
    "n_specialists": "Spécialistes",
    "exact": "Nature de l'effectif",
    "n_specialists_low": "Spécialistes : borne basse",
    "n_specialists_high": "Spécialistes : borne haute",
    "population": "Population",
    "density_per_100k": "Densité / 100 000 hab.",
    "could_host_alone": f"Seul ≥ {MIN_SPECIALISTS}",
    "group_status": "Situation",
    "group": "Plus petit groupe contigu non couvert",
    "group_n_specialists": "Spécialistes du groupe",
    "group_population": "Population du groupe",
    "zip_population_share": "Part de la population en ZIP (zonage MG, %)",
    "n_departements": "Départements",
    "n_covered": "Couverts",
    "n_covered_unconfirmed": "dont périmètre à vérifier (probable ou incertain)",
    "n_uncovered": "Non couverts",
    "n_specialists_uncovered": "Spécialistes hors ESS",
    "n_alone": f"Seuls ≥ {MIN_SPECIALISTS}",
    "n_via_group": "Via un groupe",
    "n_not_feasible": "Seuil inatteignable",
    "n_undetermined": "Indéterminés",
    "potential_new_ess": "Nouvelles ESS possibles (au plus)",
    "regional_ess_possible": "ESS régionale possible",
    "startup_credit_eur": "Crédits d'amorçage (au plus, indicatif, €)",
    "yearly_allocation_eur": "Dotation annuelle à 50 % d'adhérents (indicatif, €)",
    "yearly_allocation_interpolated": "Dotation : part interpolée par l'outil",
    "n_yearly_unpublished": f"ESS sans dotation publiée (< {MIN_SPECIALISTS} membres, non comptées)",
}

#: What « Nouvelles ESS possibles (au plus) » means, shown next to the figure.
POTENTIAL_NEW_ESS_FR = (
    "Nouvelles ESS possibles (au plus) : nombre maximal d'ESS de la taille d'un département ou de départements "
    "regroupés que les départements non couverts pourraient former — un plafond, pas un objectif ; une seule ESS "
    "régionale est aussi possible (colonne « ESS régionale possible »)."
)

#: ``group_status`` values and their French labels.
GROUP_STATUS_FR = {
    "covered": "couvert par une ESS",
    "alone": f"peut accueillir seul une ESS (≥ {MIN_SPECIALISTS})",
    "group": "seuil atteint avec des voisins non couverts",
    "none": UNREACHABLE_FR,
    "indetermine": "indéterminé (effectif majorant, discordant ou absent)",
}


def certainty_fr(certainty: object) -> str:
    """French word of a covering ESS's perimeter certainty (« confirmé », « probable », « incertain »), or ``""``."""
    return CERTAINTY_FR.get(certainty, "") if isinstance(certainty, str) else ""


def covering_ess_fr(name: object, certainty: object) -> str:
    """The covering ESS as a committee reads it: its name, and « périmètre probable : à vérifier » unless a
    source confirms the perimeter (the overlap rule says « à vérifier » for the same ESS); « aucune »."""
    if not isinstance(name, str) or not name:
        return "aucune"
    if isinstance(certainty, str) and certainty != "confirmed":
        return f"{name} (périmètre {certainty_fr(certainty) or certainty} : à vérifier)"
    return name
