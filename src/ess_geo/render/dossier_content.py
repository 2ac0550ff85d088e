"""The text of the committee dossier, as blocks both renderers draw: :func:`dossier_blocks`.

Every figure comes from a :class:`~ess_geo.analysis.territory_figures.TerritoryFigures` (itself
read from the territory check's criteria and evidence); this module only words and orders them,
in French. :mod:`ess_geo.render.dossier_pdf` draws the blocks with matplotlib,
:mod:`ess_geo.render.dossier_html` as an escaped standalone page, so both say the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ess_geo._format import date_fr, decimal, euros, nombre
from ess_geo.analysis.territory_figures import TerritoryFigures, departement_labels
from ess_geo.inputs.bounds import SupplyRange
from ess_geo.inputs.registry_entry import CERTAINTY_FR, STATUS_FR
from ess_geo.rules.adherents import needed_figure
from ess_geo.rules.derogations import DEROGATION_LABELS_FR, derogation_prefix_fr
from ess_geo.rules.finess_context import context_fr
from ess_geo.sources import Source

__all__ = ["Block", "dossier_blocks", "dossier_title", "range_fr"]

_MODE_FR = {"tous": "Tous modes", "liberal": "Libéraux", "salarie": "Salariés", "benevole": "Bénévoles"}
_BOUND_FR = {"exact": "", "lower": ", minorant", "upper": ", majorant"}


@dataclass(frozen=True)
class Block:
    """One element of the dossier.

    Attributes
    ----------
    kind : str
        ``title``, ``subtitle``, ``verdict``, ``heading``, ``text``, ``note`` or ``table``.
    text : str
        The text (empty for a table).
    status : str
        A criterion status colouring the text (``verdict`` blocks), or "".
    header : tuple of str
        Column headers of a table.
    rows : tuple of tuple of str
        Rows of a table; the last is bold when ``total`` is True.
    widths : tuple of float
        Relative column widths of a table.
    statuses : tuple of str
        Per row, a status colouring the table's second column ("" for none).
    total : bool
        Whether the table's last row is a total.
    """

    kind: str
    text: str = ""
    status: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    widths: tuple[float, ...] = ()
    statuses: tuple[str, ...] = ()
    total: bool = False


def range_fr(low: object, high: object) -> str:
    """French figure of a count range (``169``, ``entre 7 et 193``, ``au moins 7``); « non disponible » without one."""
    if not isinstance(low, int) or (low == 0 and not isinstance(high, int)):
        return "non disponible"  # « au moins 0 » says nothing: a département's count is unknown
    return SupplyRange("tous", low, high if isinstance(high, int) else None).label_fr()


def _figure(value: object, unit: str = "") -> str:
    if value is None:
        return "non disponible"
    return f"{nombre(int(value))}{unit}" if isinstance(value, int | float) else str(value)


def dossier_title(figures: TerritoryFigures) -> str:
    """« Dossier ESS Pédiatrie — Calvados (14), Manche (50), Orne (61) »."""
    return f"Dossier ESS {figures.check.specialty_label} — {figures.check.territory_label}"


def _criteria(figures: TerritoryFigures) -> list[Block]:
    check = figures.check
    rows = tuple((c.label, c.status_fr, derogation_prefix_fr(c) + c.message) for c in check.criteria)
    blocks = [Block("heading", "1. Critères d'admissibilité (tels que ess-geo check les décide)")]
    if check.derogations:
        blocks.append(Block("note", "Sous réserve des dérogations supposées (à faire valider par l'ARS) : "
                            + " ; ".join(DEROGATION_LABELS_FR[d] for d in check.derogations) + "."))
    blocks.append(Block("table", header=("Critère", "Statut", "Éléments"), rows=rows, widths=(0.25, 0.12, 0.63),
                        statuses=tuple(c.status for c in check.criteria)))
    return blocks


def _count_header(count: Mapping[str, Any]) -> str:
    mode = _MODE_FR.get(str(count.get("mode")), str(count.get("mode")))
    bound = _BOUND_FR.get(str(count.get("bound")), "")
    scope = f"{count['specialty']} : " if count.get("specialty") else ""
    return f"{scope}{mode} — {count.get('label')} ({count.get('vintage')}{bound})"


def _counts(figures: TerritoryFigures) -> list[Block]:
    deps = figures.check.departements
    labels = departement_labels(deps)
    blocks = [Block("heading", "2. Médecins de la spécialité par département")]
    if not figures.counts:
        return [*blocks, Block("text", "Aucun effectif utilisé : seuil et adhérents indéterminés.")]
    header = ("Département", *(_count_header(c) for c in figures.counts))
    rows = [(labels[d], *(_count_cell(c, d) for c in figures.counts)) for d in deps]
    rows.append(("Territoire", *(_total_cell(c) for c in figures.counts)))
    n = len(figures.counts)
    thr, adh = figures.evidence("threshold"), figures.evidence("adherents")
    return [
        *blocks,
        Block("table", header=header, rows=tuple(rows), widths=(0.3, *([0.7 / n] * n)), total=True),
        Block("text", f"Retenu pour le seuil de 10 spécialistes (tous modes d'exercice) : "
                      f"{range_fr(thr.get('low'), thr.get('high'))}."),
        Block("text", f"Retenu pour les adhérents (médecins libéraux) : {range_fr(adh.get('low'), adh.get('high'))}."),
    ]


def _total_cell(count: Mapping[str, Any]) -> str:
    """The territory's total; « au moins N » when a département's count is unknown (never a plain partial sum)."""
    total = _figure(count.get("total"))
    return f"au moins {total}" if count.get("missing") and isinstance(count.get("total"), int) else total


def _count_cell(count: Mapping[str, Any], dep: str) -> str:
    if dep in (count.get("missing") or []):
        return "non disponible"
    by_dep = count.get("by_departement") or {}
    return _figure(by_dep.get(dep))


def _needed(evidence: Mapping[str, Any], key: str) -> str:
    span = evidence.get(f"{key}_range")
    if isinstance(span, list | tuple) and len(span) == 2 and span[0] != span[1]:
        return range_fr(span[0], span[1])
    return _figure(needed_figure(evidence, key))


def _adherents(figures: TerritoryFigures) -> list[Block]:
    adh = figures.evidence("adherents")
    share = adh.get("share")
    rows = (
        ("Adhérents au départ", _figure(figures.check.adherents) if figures.check.adherents is not None
         else "non fourni (--adherents N)"),
        ("Adhérents nécessaires au départ (10 % des libéraux)", _needed(adh, "needed_now")),
        ("Adhérents nécessaires à 5 ans (50 % des libéraux)", _needed(adh, "needed_5y")),
        ("Part des libéraux adhérents", f"{decimal(100 * float(share), 1)} %" if share is not None else "non calculable"),
    )
    return [Block("heading", "3. Adhérents"), Block("table", header=("", ""), rows=rows, widths=(0.6, 0.4))]


def _yearly(eur: object, interpolated: object) -> str:
    if not isinstance(eur, int):
        return "aucune dotation publiée sous 10 médecins"
    return f"{euros(eur)}/an" + (" (interpolation de l'outil, valeur non publiée)" if interpolated else "")


def _funding(figures: TerritoryFigures) -> list[Block]:
    fund = figures.funding
    rows = [("Crédit d'amorçage (après la lettre d'intention)", _figure(fund["startup_credit_eur"], " €"))]
    if fund["size"] is not None:
        rows.append((f"Dotation annuelle pour {nombre(fund['size'])} médecins membres",
                     _yearly(fund["yearly_eur"], fund["interpolated"])))
    if fund["size_at_5y_target"] is not None:
        rows.append((f"Dotation à l'objectif de 50 % à 5 ans ({nombre(fund['size_at_5y_target'])} médecins)",
                     _yearly(fund["yearly_eur_at_5y_target"], fund["interpolated_at_5y_target"])))
    return [
        Block("heading", "4. Financement (indicatif)"),
        Block("table", header=("", ""), rows=tuple(rows), widths=(0.6, 0.4)),
        Block("note", f"Montants indicatifs, à confirmer par l'ARS (source : {fund['source']})."),
    ]


def _population(figures: TerritoryFigures) -> list[Block]:
    thr = figures.evidence("threshold")
    density = thr.get("density_per_100k")
    rows = [("Population du territoire", _figure(figures.population, " hab."))]
    if density is not None:
        rows.append(("Spécialistes (tous modes) pour 100 000 habitants", decimal(float(density))))
    zip_counts = figures.zip_counts
    if zip_counts is not None:
        rows += [("Communes en ZIP (zone d'intervention prioritaire)", _figure(zip_counts.get("communes_ZIP"))),
                 ("Population des communes en ZIP", _figure(zip_counts.get("population_ZIP"), " hab."))]
    blocks = [Block("heading", "5. Population et zonage"), Block("table", header=("", ""), rows=tuple(rows), widths=(0.6, 0.4))]
    if zip_counts is None:
        blocks.append(Block("note", "Zonage des médecins non fourni (--zonage) : communes ZIP non comptées."))
    return blocks


def _ess_line(ess: Mapping[str, Any]) -> str:
    deps = ", ".join(str(d) for d in ess.get("departements", []))
    source = ess.get("source_url") or ess.get("source") or ""
    status = STATUS_FR.get(str(ess.get("status")), str(ess.get("status")))
    certainty = CERTAINTY_FR.get(str(ess.get("certainty")), str(ess.get("certainty")))
    return f"{ess.get('name')} (sur {deps} ; {status}, périmètre {certainty}" + (
        f" ; source : {source})" if source else ")")


def _ess(figures: TerritoryFigures) -> list[Block]:
    check = figures.check
    day = check.as_of.isoformat() if check.as_of else ""
    blocks = [Block("heading", "6. ESS existantes de la spécialité")]
    on = figures.ess_on_territory
    blocks.append(Block("text", f"Sur le territoire au {day} : " + ("aucune." if not on else "")))
    blocks += [Block("text", f" • {_ess_line(e)}") for e in on]
    blocks.append(Block("text", "Sur les départements voisins : " + ("aucune." if not figures.ess_nearby else "")))
    blocks += [Block("text", f" • {_ess_line(e)}") for e in figures.ess_nearby]
    unregistered = figures.evidence("overlap").get("unregistered") or []
    blocks += [Block("note", f"À vérifier : {u}") for u in unregistered]
    return blocks


def _context(figures: TerritoryFigures) -> list[Block]:
    lines = context_fr(figures.check.context)
    if not lines:
        return []
    return [Block("heading", "7. CPTS, DAC et hôpitaux du territoire (FINESS)"),
            *(Block("text", line) for line in lines)]


def _sources(sources: Sequence[Source]) -> list[Block]:
    labels = list(dict.fromkeys(s.label() for s in sources))
    return [Block("heading", "Sources"), *(Block("note", f" • {label}") for label in labels)]


def dossier_blocks(figures: TerritoryFigures, sources: Sequence[Source] = ()) -> list[Block]:
    """The dossier's text, in order: title, date, verdict, criteria, counts, adherents, funding, population, ESS, FINESS, sources.

    Parameters
    ----------
    figures : TerritoryFigures
        The territory's figures (:func:`ess_geo.analysis.territory_figures.territory_figures`).
    sources : sequence of Source, optional
        Sources added to the check's (the zonage's).

    Returns
    -------
    list of Block
    """
    check = figures.check
    return [
        Block("title", dossier_title(figures)),
        Block("subtitle", f"Document produit le {date_fr(figures.produced_on)} avec ess_geo ; registre des ESS au "
                          f"{check.as_of.isoformat() if check.as_of else 'jour'}."),
        Block("verdict", f"Verdict : {check.verdict_fr.upper()}",
              status={True: "pass", False: "fail", None: "unknown"}[check.admissible]),
        *_criteria(figures),
        *_counts(figures),
        *_adherents(figures),
        *_funding(figures),
        *_population(figures),
        *_ess(figures),
        *_context(figures),
        *_sources([*check.sources, *sources]),
    ]
