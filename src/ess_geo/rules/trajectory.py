"""Five-year trajectory of adherents: the path from 10 % to the 50 % target and the funding implied.

:func:`simulate_adherents` follows a checked territory (:func:`ess_geo.rules.territory.check_territory`)
year by year; the territory's own status comes from :func:`ess_geo.rules.criteria.verdict`.

Trajectory (documented choice)
------------------------------
The guidance fixes two points: at least 10 % of the specialists of the territory adhere at
creation (year 0), and 50 % are targeted five years later. Between them ess_geo uses a **linear
trajectory**: target share ``10 % + 8 % × year`` (10, 18, 26, 34, 42, 50 %), and the adherents
needed in a year are the smallest whole number reaching that share of the specialists counted
(:func:`ess_geo.rules.criteria.adherents_needed`). A year is *on track* when its adherents reach it.

Funding (indicative)
--------------------
Year 0 receives the start-up credit **alone** (:data:`~ess_geo.rules.funding.STARTUP_CREDIT_EUR`,
paid after the letter of intent), and only when its adherents reach the creation threshold
(10 %): below it, the ESS cannot be created and the year is flagged « sous le seuil de création
(10 %) ». Years 1 to 5 receive the yearly allocation given by a
:class:`~ess_geo.rules.funding.FundingRule` from the number of member doctors that year: a
published value (50,000 € for 10 doctors, 100,000 € from 100), the tool's linear interpolation in
between (``yearly_interpolated`` True, marked in every output), or none below 10 doctors
(``yearly_allocation_eur`` missing, « aucune valeur publiée »). These amounts are not an official
scale: the ARS decides.

Falling adherents
-----------------
A year whose adherents are fewer than those of the previous year given is flagged
(``adherents_fall`` True, :attr:`AdherentPath.falling_years`, a French warning).

Denominator
-----------
The specialists counted by the check (``check_result.count``). Without a count, the simulation
raises :class:`~ess_geo.errors.InputDataError`. When the count is an upper bound (DREES group
lumping several specialties), a year reaching the target computed on the upper bound is surely on
track; otherwise ``on_track`` is None (« indéterminé »).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ess_geo._format import agreed, euros, nombre
from ess_geo.errors import InputDataError
from ess_geo.inputs.supply import SupplyCount
from ess_geo.rules.adherents import adherents_needed, liberal_range, share_base
from ess_geo.rules.criteria import (
    MIN_ADHERENT_SHARE,
    TARGET_ADHERENT_SHARE_5Y,
    problems,
    verdict,
)
from ess_geo.rules.funding import INTERPOLATED_FR, NO_PUBLISHED_VALUE_FR, STARTUP_CREDIT_EUR, FundingRule
from ess_geo.rules.territory import TerritoryCheck
from ess_geo.sources import Source

__all__ = [
    "BELOW_CREATION_FR",
    "COLUMNS_FR",
    "FALL_FR",
    "ON_TRACK_FR",
    "YEARS",
    "AdherentPath",
    "simulate_adherents",
    "target_share",
]

YEARS = 5
#: French column labels of :meth:`AdherentPath.to_frame_fr`.
COLUMNS_FR = {
    "year": "Année",
    "adherents": "Adhérents",
    "share": "Part des spécialistes",
    "target_share": "Trajectoire cible",
    "needed": "Adhérents nécessaires",
    "on_track": "Sur la trajectoire",
    "startup_credit_eur": "Crédit d'amorçage (€)",
    "yearly_allocation_eur": "Dotation annuelle indicative (€)",
    "yearly_interpolated": "Dotation interpolée par l'outil",
    "total_eur": "Total indicatif (€)",
    "adherents_fall": "Baisse des adhérents",
    "note": "Remarque",
}
#: Note of a year 0 below the creation threshold (no start-up credit).
BELOW_CREATION_FR = "sous le seuil de création (10 %)"
ON_TRACK_FR = {True: "oui", False: "non", None: "indéterminé"}
#: Note of a year whose adherents fall compared with the previous year.
FALL_FR = "baisse des adhérents par rapport à l'année précédente"


def target_share(year: int) -> float:
    """Linear target share of adherents in ``year`` (0..5): 10 % at 0, 50 % at 5."""
    return MIN_ADHERENT_SHARE + (TARGET_ADHERENT_SHARE_5Y - MIN_ADHERENT_SHARE) * year / YEARS


@dataclass
class AdherentPath:
    """Result of :func:`simulate_adherents`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per year: ``year``, ``adherents``, ``share``, ``target_share``, ``needed``,
        ``on_track`` (True/False/None), ``startup_credit_eur`` (year 0 only),
        ``yearly_allocation_eur`` (0 in year 0; None when no value is published for the size),
        ``yearly_interpolated`` (the allocation is the tool's interpolation), ``total_eur``,
        ``adherents_fall`` (fewer adherents than the previous year), ``note`` (French remarks,
        e.g. « sous le seuil de création (10 %) », or "").
    specialists : int
        Denominator (specialists counted on the territory).
    exact : bool
        Whether the denominator is exact (else an upper bound).
    departements : list of str
        Territory.
    missed_years : list of int
        Years off the trajectory (``on_track`` False).
    undetermined_years : list of int
        Years whose status cannot be decided (upper-bound denominator).
    funding_rule : FundingRule
    sources : list of Source
    territory_issues : list of str
        French messages of the territory's criteria other than adherents that fail or are
        undetermined (perimeter, contiguity, overlap, threshold...): a trajectory on a territory
        that cannot host an ESS funds nothing.
    territory_admissible : bool or None
        False if one of those criteria fails, None if one is undetermined, else True.
    falling_years : list of int
        Years with fewer adherents than the previous year given.
    """

    table: pd.DataFrame
    specialists: int
    exact: bool
    departements: list[str]
    missed_years: list[int]
    undetermined_years: list[int]
    funding_rule: FundingRule
    sources: list[Source] = field(default_factory=list)
    territory_issues: list[str] = field(default_factory=list)
    territory_admissible: bool | None = True
    falling_years: list[int] = field(default_factory=list)

    @property
    def on_track(self) -> bool | None:
        """False if a year misses the trajectory, None if a year is undetermined, else True."""
        if self.missed_years:
            return False
        if self.undetermined_years:
            return None
        return True

    @property
    def total_funding_eur(self) -> int:
        """Indicative funding over the years simulated (years without a published value count 0)."""
        return int(self.table["total_eur"].sum())

    @property
    def interpolated_years(self) -> list[int]:
        """Years whose allocation is the tool's linear interpolation (not a published value)."""
        return [int(y) for y, i in zip(self.table["year"], self.table["yearly_interpolated"], strict=True) if i]

    @property
    def unpublished_years(self) -> list[int]:
        """Years 1..5 whose size has no published allocation (below 10 member doctors)."""
        return [int(y) for y, v in zip(self.table["year"], self.table["yearly_allocation_eur"], strict=True) if y > 0 and pd.isna(v)]

    def funding_notes_fr(self) -> list[str]:
        """French remarks on the funding and the adherents: interpolated years, years without value, falls."""
        notes = []
        if self.interpolated_years:
            rule = self.funding_rule
            notes.append(
                "Dotation des années " + ", ".join(map(str, self.interpolated_years)) + f" : {INTERPOLATED_FR} "
                f"(valeurs publiées : {euros(rule.min_eur)} pour {rule.size_at_min} médecins, {euros(rule.max_eur)} "
                f"à partir de {rule.size_at_max})."
            )
        if self.unpublished_years:
            notes.append("Années " + ", ".join(map(str, self.unpublished_years)) + f" : {NO_PUBLISHED_VALUE_FR} (non comptées).")
        notes += [
            f"Attention : adhérents en baisse en année {y} ({nombre(prev)} → {nombre(now)})."
            for y, prev, now in self._falls()
        ]
        return notes

    def _falls(self) -> list[tuple[int, int, int]]:
        years, adh = self.table["year"].tolist(), self.table["adherents"].tolist()
        return [(int(years[i]), int(adh[i - 1]), int(adh[i])) for i in range(1, len(years)) if years[i] in self.falling_years]

    def to_frame_fr(self) -> pd.DataFrame:
        """The table with French column labels and shares as percentages."""
        out = self.table.copy()
        out["share"] = out["share"].map(lambda s: None if s is None or pd.isna(s) else round(100 * s, 1))
        out["target_share"] = (100 * out["target_share"]).round(1)
        out["on_track"] = out["on_track"].map(lambda v: ON_TRACK_FR[None if v is None or pd.isna(v) else bool(v)])
        for col in ("yearly_interpolated", "adherents_fall"):
            out[col] = out[col].map(lambda v: "oui" if v else "non")
        return out.rename(columns=COLUMNS_FR)

    def to_dict(self) -> dict:
        """JSON-ready form."""
        rows = []
        for rec in self.table.to_dict(orient="records"):
            rec = {k: (None if (not isinstance(v, bool) and v is not None and pd.isna(v)) else v) for k, v in rec.items()}
            rec["on_track_fr"] = ON_TRACK_FR[rec["on_track"]]
            rows.append(rec)
        return {
            "departements": list(self.departements),
            "specialists": self.specialists,
            "exact": self.exact,
            "trajectory": "linéaire de 10 % (année 0) à 50 % (année 5)",
            "years": rows,
            "missed_years": list(self.missed_years),
            "undetermined_years": list(self.undetermined_years),
            "on_track": self.on_track,
            "territory_admissible": self.territory_admissible,
            "territory_issues": list(self.territory_issues),
            "total_funding_eur": self.total_funding_eur,
            "falling_years": list(self.falling_years),
            "interpolated_years": self.interpolated_years,
            "unpublished_years": self.unpublished_years,
            "funding_rule": self.funding_rule.describe_fr(),
            "funding_published_points": self.funding_rule.published_points,
            "funding_source": self.funding_rule.source_url,
            "sources": [s.to_dict() for s in self.sources],
        }

    def summary_fr(self) -> str:
        """French text summary."""
        bound = "" if self.exact else "au plus "
        lines = [f"Trajectoire des adhérents sur 5 ans ({bound}{self.specialists} spécialistes ; cible linéaire 10 % → 50 %)"]
        lines += [f"Territoire {_TERRITORY_FR[self.territory_admissible]} : {msg}" for msg in self.territory_issues]
        for r in self.table.itertuples():
            share = "—" if r.share is None or pd.isna(r.share) else _pct(r.share)
            share = share if self.exact or share == "—" else f"au moins {share}"
            noun = agreed(r.adherents, "adhérent")
            lines.append(
                f"  Année {r.year} : {nombre(r.adherents)} {noun} ({share}), il en faut {nombre(r.needed)} "
                f"({100 * r.target_share:.0f} %) — sur la trajectoire : {ON_TRACK_FR[r.on_track]} ; "
                f"financement indicatif {euros(int(r.total_eur))}" + (f" ; {r.note}" if r.note else "")
            )
        if self.missed_years:
            lines.append("Années hors trajectoire : " + ", ".join(map(str, self.missed_years)))
        lines += self.funding_notes_fr()
        lines.append(f"Financement indicatif total : {euros(self.total_funding_eur)} ({self.funding_rule.describe_fr()}).")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        bound = "" if self.exact else "au plus "
        head = "".join(f"<th>{esc(COLUMNS_FR[c])}</th>" for c in COLUMNS_FR)
        body = []
        for r in self.table.to_dict(orient="records"):
            share = "—" if r["share"] is None or pd.isna(r["share"]) else _pct(r["share"])
            cells = [
                str(r["year"]),
                nombre(int(r["adherents"])),
                share if self.exact or share == "—" else f"au moins {share}",
                _pct(r["target_share"]),
                nombre(int(r["needed"])),
                ON_TRACK_FR[r["on_track"]],
                euros(int(r["startup_credit_eur"])),
                "—" if pd.isna(r["yearly_allocation_eur"]) else euros(int(r["yearly_allocation_eur"])),
                "oui" if r["yearly_interpolated"] else "non",
                euros(int(r["total_eur"])),
                "oui" if r["adherents_fall"] else "non",
                r["note"],
            ]
            body.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
        verdict = ON_TRACK_FR[self.on_track]
        return (
            f"<div lang='fr'><h4>Trajectoire des adhérents sur 5 ans ({esc(bound)}{esc(nombre(self.specialists))} "
            "spécialistes ; cible linéaire 10 % → 50 %)</h4>"
            + "".join(f"<p><b>Territoire {esc(_TERRITORY_FR[self.territory_admissible])}</b> : {esc(m)}</p>" for m in self.territory_issues)
            + f"<p><b>Sur la trajectoire : {esc(verdict)}</b> — financement indicatif total : "
            f"{esc(euros(self.total_funding_eur))}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            + "".join(f"<p>{esc(n)}</p>" for n in self.funding_notes_fr())
            + f"<p style='font-size:smaller'>{esc(self.funding_rule.describe_fr())} ; montants à confirmer par l'ARS "
            f"(source : {esc(self.funding_rule.source_url)}).</p>"
            "</div>"
        )


_TERRITORY_FR = {True: "admissible", False: "non admissible", None: "indéterminé"}


def _territory_status(check_result: TerritoryCheck) -> tuple[bool | None, list[str]]:
    """Verdict of the territory's criteria other than adherents, and the French messages of the problems."""
    criteria = list(getattr(check_result, "criteria", []))
    return verdict(criteria, ignore=("adherents",)), [c.message for c in problems(criteria, ignore=("adherents",))]


def _pct(share: float) -> str:
    """French percentage: ``0.084`` → ``"8,4 %"``."""
    return f"{100 * share:.1f} %".replace(".", ",")


def _years(adherents_by_year: Sequence[int] | Mapping[int, int], start: int | None) -> dict[int, int]:
    if isinstance(adherents_by_year, Mapping):
        years = {}
        for k, v in adherents_by_year.items():
            if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= YEARS:
                raise InputDataError(
                    f"adherents_by_year: year {k!r} must be an integer in 0..{YEARS}",
                    fr=f"année invalide : {k!r} (0 à {YEARS})",
                )
            years[k] = v
    else:
        values = list(adherents_by_year)
        if len(values) == YEARS + 1:
            years = dict(enumerate(values))
        elif len(values) == YEARS:
            years = {y: v for y, v in enumerate(values, start=1)}
            if start is not None:
                years[0] = start
        else:
            raise InputDataError(
                f"adherents_by_year must have {YEARS} values (years 1..5) or {YEARS + 1} (years 0..5), got {len(values)}",
                fr=f"{len(values)} valeurs d'adhérents : il en faut 5 (années 1 à 5) ou 6 (années 0 à 5)",
            )
    for y, v in years.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise InputDataError(
                f"adherents_by_year: year {y} has {v!r}; a non-negative integer is required",
                fr=f"adhérents de l'année {y} invalides : {v!r} (entier positif ou nul attendu)",
            )
    if not years:
        raise InputDataError("adherents_by_year is empty", fr="aucune valeur d'adhérents")
    return dict(sorted(years.items()))


def _denominator(check_result: TerritoryCheck) -> SupplyCount:
    """The specialists counted by the check; :class:`InputDataError` when there is no usable count."""
    count = getattr(check_result, "count", None)
    if count is None:
        raise InputDataError(
            "check_result has no specialist count: run check_territory(..., supply=...) first",
            fr="effectifs inconnus : la part d'adhérents ne peut être suivie (relancer la vérification avec --supply)",
        )
    if not getattr(count, "available", True):
        raise InputDataError(
            "the supply has no data for this specialty: the adherents' share cannot be followed",
            fr="le fichier d'effectifs ne contient aucune donnée pour cette spécialité : la part d'adhérents ne peut être suivie",
        )
    if getattr(count, "missing", None):
        raise InputDataError(
            f"the supply has no readable count for {count.missing}: the adherents' share cannot be followed",
            fr=f"{count.missing_fr()} : effectif inconnu, jamais compté 0 ; la part d'adhérents ne peut être suivie",
        )
    return count


def _liberal_base(count: SupplyCount) -> tuple[int, bool]:
    """The adherents' base as the adherents rule reads it (:func:`~ess_geo.rules.adherents.liberal_range`,
    :func:`~ess_geo.rules.adherents.share_base`) and whether it is one figure; with no upper bound on the
    libéral doctors, the count itself bounds them."""
    rng = liberal_range(count)
    if rng.high is None:
        return int(count.total), False
    return share_base(rng), rng.exact


def _check_shares(years: Mapping[int, int], total: int, exact: bool) -> None:
    """Raise :class:`InputDataError` naming the first year with more adherents than specialists counted."""
    for year, adh in years.items():
        if adh > total:
            share = "∞" if not total else _pct(adh / total)
            raise InputDataError(
                f"adherents_by_year: year {year} has {adh} adherents for {'at most ' if not exact else ''}{total} "
                f"specialists counted ({share}): a share above 100 % is impossible",
                fr=f"année {year} : {nombre(adh)} adhérents pour {'au plus ' if not exact else ''}{nombre(total)} "
                f"spécialistes comptés ({share}) : une part supérieure à 100 % est impossible ; vérifier les "
                "effectifs ou les adhérents",
            )


def _year_row(year: int, adh: int, total: int, exact: bool, rule: FundingRule, *, fall: bool = False) -> dict[str, object]:
    """One row of :attr:`AdherentPath.table`: the year's share, target, status and indicative funding.

    Year 0 gets the start-up credit alone; years 1..5 the yearly allocation by size (published,
    interpolated by the tool, or none below the first published point).
    """
    target = target_share(year)
    needed = adherents_needed(total, target)
    on_track: bool | None
    if total == 0:
        on_track = None
    elif adh >= needed:
        on_track = True  # with an upper-bound denominator, the true share is even higher
    else:
        on_track = False if exact else None
    notes = [FALL_FR] if fall else []
    startup, interpolated = 0, False
    yearly: int | None = 0
    if year == 0:
        startup = STARTUP_CREDIT_EUR
        if on_track is False:  # below 10 %: no ESS can be created, hence no start-up credit
            startup = 0
            notes.append(BELOW_CREATION_FR)
        elif on_track is None:
            notes.append("seuil de création non vérifiable (effectif majorant)")
    else:
        alloc = rule.allocation(adh)
        yearly, interpolated = alloc.eur, alloc.interpolated
        if alloc.eur is None:
            notes.append(f"dotation : {NO_PUBLISHED_VALUE_FR}")
        elif interpolated:
            notes.append(f"dotation : {INTERPOLATED_FR}")
    return {
        "year": year,
        "adherents": adh,
        "share": adh / total if total else None,
        "target_share": round(target, 4),
        "needed": needed,
        "on_track": on_track,
        "startup_credit_eur": startup,
        "yearly_allocation_eur": yearly,
        "yearly_interpolated": interpolated,
        "total_eur": startup + (yearly or 0),
        "adherents_fall": fall,
        "note": " ; ".join(notes),
    }


def _falling_years(years: Mapping[int, int]) -> list[int]:
    """Years with fewer adherents than the previous year given."""
    items = list(years.items())
    return [year for (_, before), (year, now) in itertools.pairwise(items) if now < before]


def simulate_adherents(
    check_result: TerritoryCheck,
    adherents_by_year: Sequence[int] | Mapping[int, int],
    *,
    funding_rule: FundingRule | None = None,
) -> AdherentPath:
    """Follow the adherents year by year against the 10 % → 50 % trajectory, with funding.

    Parameters
    ----------
    check_result : TerritoryCheck
        A :func:`~ess_geo.rules.territory.check_territory` result computed with a supply (its
        ``count`` is the denominator). Its ``adherents``, if any, is year 0 when only five
        values are given.
    adherents_by_year : sequence of int or mapping of int to int
        Six values (years 0..5), five values (years 1..5), or ``{year: adherents}``.
    funding_rule : FundingRule, optional
        Indicative yearly allocation scale.

    Returns
    -------
    AdherentPath
        Year table, years off the trajectory, years where adherents fall, indicative funding
        (year 0: the start-up credit alone; then the yearly allocation, marked when interpolated).

    Raises
    ------
    InputDataError
        If the check has no specialist count (or a département without a readable one), the values
        are not 5–6 non-negative integers, or a
        year has more adherents than specialists counted (share above 100 %), naming the year.
    """
    count = _denominator(check_result)
    rule = funding_rule or FundingRule()
    years = _years(adherents_by_year, getattr(check_result, "adherents", None))
    total, exact = _liberal_base(count)
    _check_shares(years, total, exact)
    falling = _falling_years(years)
    rows = [_year_row(year, adh, total, exact, rule, fall=year in falling) for year, adh in years.items()]
    status, issues = _territory_status(check_result)
    table = pd.DataFrame(rows)
    table["on_track"] = table["on_track"].astype(object)
    table["share"] = table["share"].astype(object)
    table["yearly_allocation_eur"] = table["yearly_allocation_eur"].astype("Int64")
    missed = [year for year, r in zip(years, rows, strict=True) if r["on_track"] is False]
    undetermined = [year for year, r in zip(years, rows, strict=True) if r["on_track"] is None]
    return AdherentPath(
        table=table,
        specialists=total,
        exact=exact,
        departements=list(getattr(check_result, "departements", [])),
        missed_years=missed,
        undetermined_years=undetermined,
        funding_rule=rule,
        sources=list(getattr(check_result, "sources", [])),
        territory_issues=issues,
        territory_admissible=status,
        falling_years=falling,
    )

