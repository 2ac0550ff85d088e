"""Candidate territories side by side: :func:`compare_territories`.

Each candidate is checked by :func:`ess_geo.rules.territory.check_territory` with the same
specialty, supply, registry, date and derogations; its row holds the figures of
:class:`~ess_geo.analysis.territory_figures.TerritoryFigures` (the same the dossier shows), so a
column equals what ``ess-geo check --json`` prints for that candidate. Files are read once for all
candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ess_geo.analysis.outreach import flag_zip
from ess_geo.analysis.territory_figures import FIGURE_COLUMNS, FIGURE_LABELS_FR, TerritoryFigures, territory_figures
from ess_geo.errors import InputDataError
from ess_geo.inputs.finess import Finess, as_finess
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.registry import Registry, as_registry
from ess_geo.inputs.supply import Supply
from ess_geo.inputs.zonage import Zonage, load_zonage
from ess_geo.reference.codes import TerritoryCodes, parse_candidate, parse_territory, region_of
from ess_geo.rules.territory import check_territory

__all__ = ["COMPARE_COLUMNS", "COMPARE_LABELS_FR", "Comparison", "compare_figures", "compare_territories"]

#: Stable column ids of :func:`compare_territories`, in order.
COMPARE_COLUMNS = ("candidate", *FIGURE_COLUMNS)
#: Nullable dtypes: a figure the check could not give is ``<NA>``, never 0 nor NaN among integers.
_DTYPES = {
    "admissible": "boolean",
    **dict.fromkeys(("specialists_low", "specialists_high", "liberal_low", "liberal_high", "adherents", "needed_now",
                     "needed_5y", "population", "zip_communes", "zip_population", "startup_credit_eur", "yearly_eur",
                     "yearly_eur_at_5y_target"), "Int64"),
    "adherents_share": "Float64",
    "density_per_100k": "Float64",
}
#: French label of each column, for display (``df.rename(columns=COMPARE_LABELS_FR)``).
COMPARE_LABELS_FR = dict(FIGURE_LABELS_FR)


@dataclass
class Comparison:
    """Every candidate's figures (:class:`TerritoryFigures`), in the order given, with their input text."""

    candidates: list[str]
    figures: list[TerritoryFigures]

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate, columns :data:`COMPARE_COLUMNS` (labels in ``df.attrs["labels_fr"]``)."""
        rows = [{"candidate": name, **fig.to_row()} for name, fig in zip(self.candidates, self.figures, strict=True)]
        frame = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS)).astype(_DTYPES)
        frame.attrs["labels_fr"] = dict(COMPARE_LABELS_FR)
        return frame

    @property
    def sources(self) -> list:
        """Every source used by any candidate, each once (in order)."""
        seen: dict[str, object] = {}
        for fig in self.figures:
            for s in fig.check.sources:
                seen.setdefault(s.label(), s)
        return list(seen.values())


def _candidate(value: object) -> tuple[str, TerritoryCodes]:
    """The display text and codes of a candidate (``"53,72"``, ``"r:52"``, or an iterable of codes)."""
    if isinstance(value, str):
        return value, parse_candidate(value)
    territory = parse_territory(value)
    return ",".join(territory.departements), territory


def _per_candidate(adherents: int | Sequence[int | None] | None, n: int) -> list[int | None]:
    """One adherents figure per candidate: the same for all, or one each (in order)."""
    if adherents is None or isinstance(adherents, int):
        return [adherents] * n
    values = list(adherents)
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise InputDataError(
            f"adherents: give one number for every candidate or one per candidate ({n}), got {len(values)}: {values!r}",
            fr=f"adhérents : un nombre pour tous les candidats ou un par candidat ({n}), reçu {len(values)} : "
            + ", ".join(str(v) for v in values),
        )
    return values


def compare_figures(  # noqa: PLR0913 - the options after the candidates are keyword-only
    specialty: str,
    candidates: Iterable[object],
    *,
    adherents: int | Sequence[int | None] | None = None,
    supply: Supply | str | Path | None = None,
    registry: Registry | str | Path | None = None,
    zonage: Zonage | str | Path | None = None,
    finess: Finess | str | Path | None = None,
    derogations: Iterable[str] | str | None = None,
    as_of: date | str | None = None,
    embedded_supply: bool = True,
) -> Comparison:
    """The figures of each candidate (see :func:`compare_territories`, which takes the same arguments)."""
    parsed = [_candidate(c) for c in candidates]
    if not parsed:
        raise InputDataError("no candidate territory given", fr="aucun territoire candidat (--candidat 53,72)")
    per = _per_candidate(adherents, len(parsed))
    sup = as_supply(supply, embedded=embedded_supply)
    reg = as_registry(registry)
    zon = load_zonage(zonage) if isinstance(zonage, str | Path) else zonage
    fin = as_finess(finess)
    figures = []
    for (_, territory), n in zip(parsed, per, strict=True):
        listed = [d for d in territory.departements if territory.region is None or region_of(d) != territory.region]
        check = check_territory(
            specialty, (listed + territory.communes) or None, territory.region, adherents=n, supply=sup, registry=reg,
            finess=fin, derogations=derogations, as_of=as_of, embedded_supply=embedded_supply,
        )
        zip_result = None
        if zon is not None and check.specialty is not None:
            zip_result = flag_zip(check, check.specialty, check.supply, zon)
        figures.append(territory_figures(check, zip_result=zip_result))
    return Comparison([name for name, _ in parsed], figures)


def compare_territories(  # noqa: PLR0913 - the options after the candidates are keyword-only
    specialty: str,
    candidates: Iterable[object],
    *,
    adherents: int | Sequence[int | None] | None = None,
    supply: Supply | str | Path | None = None,
    registry: Registry | str | Path | None = None,
    zonage: Zonage | str | Path | None = None,
    finess: Finess | str | Path | None = None,
    derogations: Iterable[str] | str | None = None,
    as_of: date | str | None = None,
    embedded_supply: bool = True,
) -> pd.DataFrame:
    """Candidate ESS territories side by side: verdict, criteria, doctors, adherents, population, ZIP, funding.

    Parameters
    ----------
    specialty : str
        Specialty (id, label or alias), or several separated by commas (an ESS pluri-spécialités).
    candidates : iterable
        Each a string ``"53,72"`` (départements), ``"r:52"`` (a whole région) or ``"r:52,49"``
        (:func:`ess_geo.reference.codes.parse_candidate`), or an iterable of département codes.
    adherents : int or sequence of int, optional
        Adherents at start: one number for every candidate, or one per candidate in order.
    supply, registry, finess, derogations, as_of, embedded_supply
        As :func:`ess_geo.rules.territory.check_territory`; files are read once.
    zonage : Zonage or path, optional
        Doctors' zonage: adds the number of ZIP communes and their population.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, columns :data:`COMPARE_COLUMNS`, nullable dtypes (``<NA>`` where the
        check has no figure; ``admissible`` is ``<NA>`` when undetermined) (stable ids: ``candidate``,
        ``admissible``, ``status_<criterion>``, ``specialists_low``/``_high`` (threshold evidence),
        ``liberal_low``/``_high``, ``needed_now``, ``needed_5y`` (adherents evidence), ``population``,
        ``zip_communes``, ``zip_population``, ``startup_credit_eur``, ``yearly_eur``...). French
        labels: :data:`COMPARE_LABELS_FR`, also in ``df.attrs["labels_fr"]``.

    Raises
    ------
    UnknownCodeError, UnknownSpecialtyError
        Naming the unknown code or specialty.
    InputDataError
        For an empty or malformed candidate, a number of adherents matching neither one nor
        every candidate, or an unusable file.
    """
    return compare_figures(
        specialty, candidates, adherents=adherents, supply=supply, registry=registry, zonage=zonage, finess=finess,
        derogations=derogations, as_of=as_of, embedded_supply=embedded_supply,
    ).to_frame()

