"""Result objects of :func:`ess_geo.analysis.proposals.propose_territories`.

:class:`Proposals` holds the optimal territories (:class:`Proposal`, each with its
:func:`~ess_geo.rules.territory.check_territory` result unless made with ``check=False``) and the
départements that cannot be placed (:class:`Unplaced`), with their JSON form and French summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ess_geo._format import de_fr, nombre, plural
from ess_geo.inputs.supply import Supply
from ess_geo.reference import codes
from ess_geo.reference.specialties import Specialty
from ess_geo.rules.criteria import MIN_SPECIALISTS, verdict
from ess_geo.rules.derogations import DEROGATION_LABELS_FR, PERIMETER_DEROGATION_FR
from ess_geo.rules.territory import TerritoryCheck
from ess_geo.rules.territory_geo import GEO_CRS, dissolved_departements
from ess_geo.sources import Source

if TYPE_CHECKING:  # annotations only: geopandas and pandas for to_geodataframe alone
    import geopandas as gpd

__all__ = ["PROPOSAL_COLUMNS", "Proposal", "Proposals", "Unplaced"]

#: Columns of :meth:`Proposals.to_geodataframe` (stable ids), before ``geometry``.
PROPOSAL_COLUMNS = ["rang", "specialite", "departements", "territoire", "regions", "n_specialistes", "exact",
                    "frontiere_interne_km", "criteres_ok_hors_adherents", "derogation_perimetre", "verdict"]


@dataclass
class Proposal:
    """One proposed territory.

    Attributes
    ----------
    departements : list of str
        Département codes.
    total : int
        Specialists counted on the territory (upper bound when ``exact`` is False).
    exact : bool
        Whether ``total`` is an exact count.
    check : TerritoryCheck or None
        Full re-check by :func:`ess_geo.rules.territory.check_territory` (no adherents); None
        when the proposals were made with ``check=False``.
    internal_border_km : float
        Border length shared between its départements.
    perimeter_derogation : bool
        True when the search let territories cross régions (``across_regions``, under the perimeter
        derogation): the proposal then says :data:`~ess_geo.rules.derogations.PERIMETER_DEROGATION_FR`.
    """

    departements: list[str]
    total: int
    exact: bool
    check: TerritoryCheck | None
    internal_border_km: float = 0.0
    perimeter_derogation: bool = False

    @property
    def regions(self) -> list[str]:
        """Région codes of its départements, sorted."""
        return sorted({codes.region_of(d) for d in self.departements})

    @property
    def derogation_fr(self) -> str | None:
        """« dérogation de périmètre supposée (à faire valider par l'ARS) » and the régions, or None."""
        if not self.perimeter_derogation:
            return None
        regions = self.regions
        where = (
            f"territoire sur {len(regions)} régions ({', '.join(regions)})"
            if len(regions) > 1
            else "découpage d'ensemble ; ce territoire-ci tient dans une région"
        )
        return f"{PERIMETER_DEROGATION_FR} : {where}"

    @property
    def label_fr(self) -> str:
        """``"Ain (01), Savoie (73)"``."""
        return ", ".join(f"{codes.departement_name(d)} ({d})" for d in self.departements)

    @property
    def criteria_ok(self) -> bool | None:
        """Every deciding criterion passes (or warns), except ``adherents`` (unknown at planning).

        None when the proposal was not re-checked (``check=False``) or when a deciding criterion
        is undetermined (a département's count unknown): never False for what is not known.
        """
        if self.check is None:
            return None
        return verdict(self.check.criteria, ignore=("adherents",))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, with the full check (None when not re-checked)."""
        return {
            "departements": list(self.departements),
            "label": self.label_fr,
            "total": self.total,
            "exact": self.exact,
            "internal_border_km": round(self.internal_border_km, 1),
            "criteria_ok_except_adherents": self.criteria_ok,
            "perimeter_derogation": self.perimeter_derogation,
            "derogation": self.derogation_fr,
            "check": None if self.check is None else self.check.to_dict(),
        }


@dataclass
class Unplaced:
    """An uncovered département that cannot belong to any admissible territory.

    Attributes
    ----------
    departement : str
        Its code.
    count : int
        Its own count.
    piece : list of str
        The uncovered départements reachable from it (itself included).
    piece_total : int
        Count of the whole piece (< 10).
    covered_neighbours : dict of str to str
        Neighbouring départements already covered, with the id of the covering ESS.
    reason : str
        French explanation.
    """

    departement: str
    count: int
    piece: list[str]
    piece_total: int
    covered_neighbours: dict[str, str]
    reason: str

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return dict(self.__dict__)


@dataclass
class Proposals:
    """Result of :func:`propose_territories`.

    Attributes
    ----------
    specialty : Specialty
    regions : list of str
        Régions searched.
    across_regions : bool
        Whether territories may span régions.
    objective : str
        Tie-break used (``compact`` or ``balance``), or ``regional``: each région as one territory.
    universe : list of str
        Uncovered départements that were partitioned.
    covered : dict of str to str
        Départements of the régions already covered, with the covering ESS id.
    proposals : list of Proposal
    unplaced : list of Unplaced
    counts_exact : bool
        False when counts are upper bounds (DREES group lumping several specialties).
    missing : list of str
        Départements absent from the supply (counted 0).
    upper_bound : int
        ``min(départements, ⌊Σ per-département counts / 10⌋)`` summed over the connected pieces:
        no partition can do better, even with doctors counted in several territories.
    optimal : bool
        True when the exhaustive search proved the optimum (always, for this exact method; kept
        for comparison with heuristics). Never exceeds ``upper_bound`` (checked).
    stats : dict
        Search statistics (connected subsets, feasible blocks, DP states).
    warnings : list of str
        French warnings.
    sources : list of Source
    covered_names : dict of str to str
        Name of each covering ESS, by id.
    refusals : dict of str to list of str
        With ``objective="regional"``: the régions that cannot be one ESS territory, with the
        French messages of the criteria that fail or are undetermined.
    derogations : list of str
        Derogations asked (:mod:`ess_geo.rules.derogations`); ``across_regions`` needs ``perimeter``.
    supply : Supply or None
        The counts searched on (its ``dropped`` lines and absent départements are reported by the CLI).
    """

    specialty: Specialty
    regions: list[str]
    across_regions: bool
    objective: str
    universe: list[str]
    covered: dict[str, str]
    proposals: list[Proposal]
    unplaced: list[Unplaced]
    counts_exact: bool
    missing: list[str]
    upper_bound: int
    optimal: bool = True
    stats: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    covered_names: dict[str, str] = field(default_factory=dict)
    refusals: dict[str, list[str]] = field(default_factory=dict)
    derogations: list[str] = field(default_factory=list)
    supply: Supply | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.proposals)

    def __repr__(self) -> str:
        """French one-liner: ``<Proposals cardiologie, région(s) 53 : 4 territoires proposés>``."""
        what = "indéterminé (effectifs majorants)" if not self.determined else plural(self.n_territories, "territoire proposé", "territoires proposés")
        return f"<Proposals {self.specialty.id}, région(s) {', '.join(self.regions)} : {what}>"

    @property
    def n_territories(self) -> int:
        """Number of proposed territories."""
        return len(self.proposals)

    @property
    def determined(self) -> bool:
        """False when counts are only upper bounds (a DREES group lumping several specialties).

        The ≥ 10 rule cannot then be decided for any territory, so neither the partition nor
        the number of territories means anything: the result is *indéterminé*.
        """
        return bool(self.counts_exact)

    def to_dict(self) -> dict:
        """JSON-ready form (what ``ess-geo propose --json`` prints)."""
        return {
            "specialty": {"id": self.specialty.id, "label": self.specialty.label},
            "regions": list(self.regions),
            "across_regions": self.across_regions,
            "derogations": list(self.derogations),
            "objective": self.objective,
            "universe": list(self.universe),
            "covered": dict(self.covered),
            "covered_names": dict(self.covered_names),
            "n_territories": self.n_territories,
            "determined": self.determined,
            "upper_bound": self.upper_bound,
            "optimal": self.optimal,
            "counts_exact": self.counts_exact,
            "missing": list(self.missing),
            "proposals": [p.to_dict() for p in self.proposals],
            "unplaced": [u.to_dict() for u in self.unplaced],
            "stats": dict(self.stats),
            "warnings": list(self.warnings),
            "refusals": {r: list(m) for r, m in self.refusals.items()},
            "sources": [s.to_dict() for s in self.sources],
        }

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """One row per proposed territory, dissolved (EPSG:4326), columns :data:`PROPOSAL_COLUMNS`.

        ``n_specialistes`` is an upper bound when ``exact`` is False; ``criteres_ok_hors_adherents``
        and ``verdict`` are None (unknown) for proposals made with ``check=False``.
        """
        import geopandas as gpd  # deferred: heavy library, only to export geometries
        import pandas as pd  # deferred: heavy library, only to export geometries

        rows = [{
            "rang": rank,
            "specialite": self.specialty.id,
            "departements": ",".join(p.departements),
            "territoire": p.label_fr,
            "regions": ",".join(p.regions),
            "n_specialistes": int(p.total),
            "exact": bool(p.exact),
            "frontiere_interne_km": round(float(p.internal_border_km), 1),
            "criteres_ok_hors_adherents": p.criteria_ok,
            "derogation_perimetre": bool(p.perimeter_derogation),
            "verdict": None if p.check is None else p.check.verdict_fr,
        } for rank, p in enumerate(self.proposals, start=1)]
        frame = pd.DataFrame(rows, columns=PROPOSAL_COLUMNS)
        frame["criteres_ok_hors_adherents"] = frame["criteres_ok_hors_adherents"].astype("boolean")
        geometry = [dissolved_departements(p.departements) for p in self.proposals]
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=GEO_CRS), crs=GEO_CRS)

    def summary_fr(self) -> str:
        """French text summary for the CLI."""
        regs = ", ".join(f"{codes.region_name(r)} ({r})" for r in self.regions)
        obj = {"compact": "compacité", "balance": "équilibre des effectifs (somme des carrés minimale)",
               "regional": "région entière"}[self.objective]

        def covering(d: str, e: str) -> str:
            name = self.covered_names.get(e)
            return f"{d} : {name} ({e})" if name else f"{d} : {e}"

        lines = [
            f"Propositions d'ESS {de_fr(self.specialty.label)} — {regs}",
            f"Départements non couverts : {len(self.universe)} ; déjà couverts : {len(self.covered)}"
            + (f" ({' ; '.join(covering(d, e) for d, e in sorted(self.covered.items()))})" if self.covered else ""),
        ]
        if not self.determined:
            lines.append(
                f"Résultat indéterminé : les effectifs {de_fr(self.specialty.label)} ne sont connus que par le groupe DREES "
                f"« {self.specialty.drees_group} », qui regroupe plusieurs spécialités ; ce sont des majorants, la règle "
                f"des {MIN_SPECIALISTS} spécialistes ne peut être vérifiée pour aucun territoire, ni donc le nombre de "
                "territoires possibles. Fournir une extraction RPPS (effectifs par spécialité exacte)."
            )
            lines.append(
                "À titre indicatif seulement (calculé sur les majorants, non garanti) : découpage en "
                f"{plural(self.n_territories, 'territoire')}."
            )
        elif self.objective == "regional":
            lines.append(
                f"Objectif régional : la région entière comme territoire unique ; {plural(self.n_territories, 'territoire proposé', 'territoires proposés')}."
            )
            lines += [
                f"ESS régionale impossible pour {codes.region_name(r)} ({r}) : " + " ".join(reasons)
                for r, reasons in self.refusals.items()
            ]
        else:
            lines.append(
                f"{plural(self.n_territories, 'territoire proposé', 'territoires proposés')} (optimum exact ; "
                f"borne supérieure {nombre(self.upper_bound)}) ; départage : {obj}."
            )
        if self.derogations:
            lines.append("Dérogation(s) demandée(s), à faire valider par l'ARS : "
                         + " ; ".join(DEROGATION_LABELS_FR[d] for d in self.derogations) + ".")
        bound = "" if self.counts_exact else "au plus "
        unknown = set(self.missing)
        for i, p in enumerate(self.proposals, start=1):
            partial = bool(unknown & set(p.departements))  # a count unknown: « au moins », never a verdict
            mark = {True: "✓", False: "✗", None: "?"}[p.criteria_ok] if self.determined and not partial else "?"
            lines.append(f"  {i}. {p.label_fr} : {'au moins ' if partial else bound}{plural(p.total, 'spécialiste')} {mark}"
                         + (f" — {p.derogation_fr}" if p.derogation_fr else ""))
        for u in self.unplaced:
            lines.append(f"  Non rattachable : {codes.departement_name(u.departement)} ({u.departement}) — {u.reason}")
        lines.extend(f"Attention : {w}" for w in self.warnings if self.determined or "majorants" not in w)
        lines.append("Le critère « adhérents » reste à vérifier pour chaque territoire (nombre d'adhérents inconnu).")
        lines.append("Sources : " + " ; ".join(s.label() for s in self.sources))
        return "\n".join(lines)
