"""The specialist-supply model: how many doctors of a specialty practise where.

:class:`Supply` holds a tidy ``table``::

    code_dep | specialty | drees_group | n_specialists | mode | source

(commune-level supplies add ``code_insee``) and, for supplies read from the RPPS extraction,
``persons``: one row per doctor × specialty × commune. :meth:`Supply.count` answers "how many
specialists on these départements", with :class:`SupplyCount` saying whether the figure is exact,
an upper bound or unknown. :func:`distinct_doctors` is the one count of distinct doctors: a doctor
practising in several communes or départements counts once in any total over them.

Readers live next door: :mod:`ess_geo.inputs.drees` (DREES table), :mod:`ess_geo.inputs.rpps`
(RPPS extraction) and :mod:`ess_geo.inputs.load` (:func:`~ess_geo.inputs.load.load_supply`,
which recognises the format).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from ess_geo._format import plural
from ess_geo.dropped import DroppedRows
from ess_geo.inputs.bounds import ContributingCount, SupplyRange
from ess_geo.inputs.persons_index import FramePersons, PersonsIndex, distinct_doctors
from ess_geo.inputs.supply_index import BoundKey, DeferredFrame, FrameField, TableIndex, bounds_index, current, held
from ess_geo.reference.population import density_per_100k, inhabitants
from ess_geo.reference.specialties import Specialty, get_specialty
from ess_geo.sources import Source

if TYPE_CHECKING:  # annotations only: a check on the embedded supply or a DREES table imports no pandas
    import pandas as pd

__all__ = ["ABSENT_FR", "BOUNDS_COLUMNS", "MODES", "TABLE_COLUMNS", "Supply", "SupplyCount", "distinct_doctors"]

#: Why a département has no figure when the file simply has no line for it.
ABSENT_FR = "ligne absente du fichier d'effectifs"

#: Columns of ``Supply.table`` (commune-level supplies add ``code_insee`` first).
TABLE_COLUMNS = ["code_dep", "specialty", "drees_group", "n_specialists", "mode", "source"]
#: Columns of ``Supply.bounds``: counts of several sources, each with its mode, bound and vintage.
BOUNDS_COLUMNS = ["code_dep", "specialty", "count", "bound", "mode", "source", "vintage"]

#: Accepted values of ``mode`` → (RPPS "Code mode exercice" values kept, French label).
MODES: dict[str, tuple[frozenset[str], str]] = {
    "liberal": (frozenset({"L"}), "libéral"),
    "salarie": (frozenset({"S"}), "salarié"),
    "benevole": (frozenset({"B"}), "bénévole"),
    "tous": (frozenset(), "tous modes d'exercice"),
}


@dataclass
class SupplyCount:
    """Specialists of one specialty on a set of départements.

    Attributes
    ----------
    total : int
        Sum over the départements.
    by_departement : dict of str to int
        Count per département (0 where the source has no row).
    exact : bool
        False when the source only has a group lumping several specialties: ``total`` is then an
        upper bound.
    basis : str
        French description of what was counted (group, mode of practice).
    missing : list of str
        Départements whose figure is unknown: absent from the source, or whose cell for the
        specialty's group could not be read (their ``by_departement`` value is 0 for want of data,
        never a count: the threshold and adherents rules are then undetermined).
    missing_reasons : dict of str to str
        French reason of each département of ``missing`` (« ligne absente du fichier d'effectifs »,
        « effectif négatif « -5 » (ligne 79) »...): :meth:`missing_fr` says them in one line.
    mode : str
        Mode of practice counted: ``"tous"`` (DREES), ``"liberal"``, ``"salarie"``, ``"benevole"``.
    population : str
        French description of the population of doctors counted (e.g. « médecins libéraux
        inscrits au RPPS »); the source itself is in ``Supply.source``.
    inhabitants : int or None
        Resident population of the départements (embedded geography), for densities.
    density_per_100k : float or None
        ``total`` per 100,000 inhabitants.
    multi_departement : int
        Doctors (RPPS supplies) practising in more than one of the départements: counted once in
        ``total`` and once in each of their départements in ``by_departement``.
    available : bool
        False when the supply has neither the specialty nor its DREES group at all: ``total`` is
        then 0 for want of data, not a count, and every département is in ``missing``.
    all_modes : SupplyRange or None
        Bounds of the doctors of the specialty in all modes of practice (the threshold's base),
        with every count used (source, vintage, mode, bound); see :mod:`ess_geo.inputs.bounds`.
    liberal : SupplyRange or None
        Bounds of the libéral doctors of the specialty (the adherents' base).
    planning : SupplyRange or None
        The range the planning analyses (coverage classes, proposals) weigh départements with:
        ``all_modes``, except for a file counting one mode only (an RPPS extraction of libéral
        doctors), whose exact count of that mode is kept.

    For a supply with several sources (:func:`ess_geo.inputs.embedded.load_embedded_supply`),
    ``total`` and ``by_departement`` are the all-modes upper figures (the DREES table) and
    ``exact`` says whether the all-modes count is one figure on the territory and in each of its
    départements (no lumped group, no disagreement between sources).
    """

    total: int
    by_departement: dict[str, int]
    exact: bool
    basis: str
    missing: list[str] = field(default_factory=list)
    mode: str = "tous"
    population: str = ""
    inhabitants: int | None = None
    density_per_100k: float | None = None
    multi_departement: int = 0
    available: bool = True
    all_modes: SupplyRange | None = None
    liberal: SupplyRange | None = None
    planning: SupplyRange | None = None
    missing_reasons: dict[str, str] = field(default_factory=dict)

    def missing_fr(self) -> str:
        """``77 (ligne absente du fichier d'effectifs) ; 91 (effectif négatif « -5 », ligne 79)``, or ``""``."""
        return " ; ".join(f"{d} ({self.missing_reasons.get(d, ABSENT_FR)})" for d in self.missing)


def _density(total: int, population: int | None, missing: dict[str, str]) -> float | None:
    """Specialists per 100,000 inhabitants; None when a département's count is unknown.

    A total missing a département divided by the whole territory's population would understate
    the density (77 absent: 137 over 77 + 91 reads 5.07 instead of unknown).
    """
    return None if missing else density_per_100k(total, population)


@dataclass
class Supply:
    """Specialist supply read from a file.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy table (see module docstring); commune-level supplies add ``code_insee``. May be
        given as a :class:`~ess_geo.inputs.supply_index.DeferredFrame` (plain tuples): counts are
        then computed without pandas, and the frame is built the first time ``table`` is read.
    source : Source
        Provenance of the file.
    dropped : DroppedRows
        Lines that could not be read, with reasons.
    path : str
        File read.
    persons : pandas.DataFrame or None
        Person-level rows (``rpps_id``, ``specialty``, ``code_insee``, ``code_dep``) for supplies
        read from the RPPS extraction: counts over several communes or départements count each
        doctor once. None for aggregated tables (DREES). An RPPS read holds it as an Arrow table
        (a :class:`~ess_geo.inputs.supply_index.DeferredFrame`): counts are then computed without
        pandas (:mod:`ess_geo.inputs.persons_index`), and the frame is built when first read.
    mode : str
        Mode of practice counted: ``"tous"`` (DREES tables), ``"liberal"``, ``"salarie"``,
        ``"benevole"`` (RPPS).
    stats : dict
        Reader statistics (lines read, lines out of scope by reason...).
    unreadable : dict of (str, str) to str
        ``(code_dep, drees_group)`` cells of a DREES table that could not be read (empty, not an
        integer, negative), with the French reason: the département's figure for that group is
        unknown, not 0.
    absent_reasons : dict of str to str
        Départements a DREES table has no usable line for, with the French reason: the line was
        dropped by the reader (a code with a control character, a wrong number of fields), or it is
        simply absent (:data:`ABSENT_FR`). :meth:`absent_fr` reports them.
    bounds : pandas.DataFrame or None
        For a supply of several sources (the embedded one): their counts per département ×
        specialty (:data:`BOUNDS_COLUMNS`: count, bound, mode, source id, vintage); ``table`` is
        then the all-modes view. None for a single file.
    bound_sources : dict of str to Source
        Provenance of each source id of ``bounds``.
    """

    # A descriptor, not a default: FrameField says « no default » to the dataclass (see supply_index),
    # which mypy cannot see (hence the ignores); RUF009 sees a call in a default.
    table: FrameField = FrameField()  # noqa: RUF009
    source: Source  # type: ignore[misc]
    dropped: DroppedRows = field(default_factory=DroppedRows)
    path: str = ""
    persons: FrameField = FrameField(optional=True)  # noqa: RUF009
    mode: str = "tous"
    stats: dict = field(default_factory=dict)
    unreadable: dict[tuple[str, str], str] = field(default_factory=dict)
    absent_reasons: dict[str, str] = field(default_factory=dict)
    bounds: FrameField = FrameField(optional=True)  # noqa: RUF009
    bound_sources: dict[str, Source] = field(default_factory=dict)
    _frame_index: dict[str, tuple[object, object]] = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self) -> str:
        """French one-liner (a notebook shows no frame dump): ``<Supply : 2 412 lignes, 101 départements, … ; sources : DREES …>``."""
        tab = cast("pd.DataFrame | DeferredFrame", current(self, "table"))  # a deferred frame is not built
        index = self._table_index()
        parts = [plural(len(tab), "ligne"), plural(len(index.departements), "département"),
                 plural(len(index.by_specialty), "spécialité")]
        if "code_insee" in tab.columns:
            parts.append("par commune")
        if self.dropped:
            parts.append(plural(self.dropped.count, "ligne ignorée", "lignes ignorées"))
        names = " ; ".join(src.name.split(" — ")[0] for src in self.sources)
        return f"<Supply : {', '.join(parts)} ; sources : {names}>"

    @property
    def person_level(self) -> bool:
        """Whether the supply has person-level rows (an RPPS read), told without building the ``persons`` frame."""
        return held(self, "persons") is not None

    def doctors_by_departement(self, specialty: str | Specialty, departements: list[str]) -> dict[str, frozenset[object]]:
        """The doctors of ``specialty`` practising in each of ``departements`` (an RPPS read; else empty sets).

        Each doctor is an RPPS identifier, or an integer code standing for it while the persons are
        held in Arrow: compare the sets with one another, never with identifiers.
        """
        persons = self._persons_source()
        if persons is None:
            return {d: frozenset() for d in departements}
        return persons.ids_by_departement(get_specialty(specialty).id, departements)

    @property
    def several_sources(self) -> bool:
        """Whether the supply combines several sources (``bounds`` is set: the embedded supply), read
        without building a deferred ``bounds`` frame."""
        return held(self, "bounds") is not None

    @property
    def sources(self) -> list[Source]:
        """Every source behind the supply: each source of ``bounds``, or the file's ``source``."""
        return list(self.bound_sources.values()) if self.bound_sources else [self.source]

    def absent_fr(self) -> str:
        """``1 département sans ligne dans le fichier d'effectifs : 77 (ligne absente …)``, or ``""``."""
        if not self.absent_reasons:
            return ""
        n = len(self.absent_reasons)
        head = f"{plural(n, 'département')} sans ligne"
        shown = list(self.absent_reasons.items())[:10]
        detail = " ; ".join(f"{d} ({reason})" for d, reason in shown)
        more = f" ; … et {n - len(shown)} autres" if n > len(shown) else ""
        return f"{head} dans le fichier d'effectifs (effectif inconnu, jamais compté 0) : {detail}{more}"

    def rows_for(self, specialty: str | Specialty) -> tuple[pd.DataFrame, bool, str]:
        """Rows of ``table`` for a specialty, falling back to its DREES group.

        Rows of the specialty itself when the supply has any, else the rows of its DREES group (an
        upper bound when the group lumps several specialties): the choice is :meth:`_selection`'s,
        the one place that makes it (counts included).

        Parameters
        ----------
        specialty : str or Specialty
            Canonical id, label or alias.

        Returns
        -------
        rows : pandas.DataFrame
            Matching rows of ``table`` (empty when the supply has neither the specialty nor its
            group: see :meth:`has_specialty`).
        exact : bool
            False when the rows are those of a group lumping several specialties.
        basis : str
            French description of what the rows count (specialty or group, modes of practice).
        """
        selection, exact, basis, _ = self._selection(get_specialty(specialty))
        tab = self.table
        if selection is None:
            return tab.iloc[0:0], exact, basis
        column, key = selection
        return tab[tab[column] == key], exact, basis

    def _selection(self, spec: Specialty) -> tuple[tuple[str, str] | None, bool, str, dict[str, int]]:
        """The one place that decides which rows of ``table`` count for ``spec``: those of the specialty
        when the table has any, else those of its DREES group (an upper bound when the group lumps
        several specialties), else none.

        Returns ``(("specialty", id) | ("drees_group", group) | None, exact, French basis, sum per département)``.
        """
        index = self._table_index()
        if spec.id in index.by_specialty:
            selection, sums = ("specialty", spec.id), index.by_specialty[spec.id]
            exact, basis = True, f"spécialité {spec.label}"
        elif spec.drees_group in index.by_group:
            selection, sums = ("drees_group", spec.drees_group), index.by_group[spec.drees_group]
            exact, basis = bool(spec.drees_group_exact), f"groupe DREES « {spec.drees_group} »"
            if not exact:
                basis += " (regroupe plusieurs spécialités : majorant)"
        else:
            return None, True, f"spécialité {spec.label}", {}
        if sums.modes:
            basis += ", mode d'exercice : " + ", ".join(sorted(sums.modes))
        return selection, exact, basis, sums.counts

    def _table_index(self) -> TableIndex:
        """The plain-Python index of ``table`` (built once per table object, without building a deferred frame)."""
        table = cast("pd.DataFrame | DeferredFrame", current(self, "table"))

        def build() -> TableIndex:  # the reader's index when it made one (an RPPS read)
            return table.index if isinstance(table, DeferredFrame) and isinstance(table.index, TableIndex) \
                else TableIndex.of(table)

        return cast(TableIndex, self._indexed("table_index", table, build))

    def has_specialty(self, specialty: str | Specialty) -> bool:
        """Whether the supply carries the specialty or its DREES group (even as unreadable cells).

        Parameters
        ----------
        specialty : str or Specialty
            Canonical id, label or alias.

        Returns
        -------
        bool
        """
        spec = get_specialty(specialty)
        if self._selection(spec)[0] is not None:
            return True
        persons = self._persons_source()
        if persons is not None and spec.id in persons.specialties:
            return True
        return any(group == spec.drees_group for _, group in self.unreadable)

    def count(self, specialty: str | Specialty, departements: list[str]) -> SupplyCount:
        """Count the specialists of ``specialty`` on the given (normalised) départements.

        Parameters
        ----------
        specialty : str or Specialty
            Canonical id, label or alias.
        departements : list of str
            Normalised département codes.

        Returns
        -------
        SupplyCount
            Total, per-département counts and whether the count is exact.
        """
        spec = get_specialty(specialty)
        if held(self, "persons") is not None:
            return self._with_ranges(spec, self._count_persons(spec, departements), departements)
        return self._with_ranges(spec, self._count_table(spec, departements), departements)

    def _count_table(self, spec: Specialty, departements: list[str]) -> SupplyCount:
        """The count of an aggregated table (DREES, or the all-modes view of the embedded supply)."""
        population = "médecins inscrits au RPPS, tous modes d'exercice (libéraux et salariés)"
        pop = inhabitants(departements)
        selection, exact, basis, per_dep = self._selection(spec)
        if selection is None and not self.has_specialty(spec):
            no_data = (
                f"aucune donnée pour {spec.label} (ni pour son groupe DREES « {spec.drees_group} ») "
                "dans le fichier d'effectifs"
            )
            return SupplyCount(0, dict.fromkeys(departements, 0), False, no_data, list(departements), mode=self.mode,
                               population=population, inhabitants=pop, available=False)
        by_dep = {d: per_dep.get(d, 0) for d in departements}
        reasons = self.missing_reasons(spec, departements)
        total = sum(by_dep.values())
        return SupplyCount(total, by_dep, exact, basis, list(reasons), mode=self.mode, population=population,
                           inhabitants=pop, density_per_100k=_density(total, pop, reasons), missing_reasons=reasons)

    def missing_reasons(self, specialty: str | Specialty, departements: list[str]) -> dict[str, str]:
        """Départements of ``departements`` without a figure for the specialty, each with its French reason.

        The one place that decides that a département's count is unknown (never 0): its line is
        absent from the file (or was dropped by the reader: :attr:`absent_reasons`), or its cell
        for the specialty's DREES group could not be read (:attr:`unreadable`).

        Parameters
        ----------
        specialty : str or Specialty
            Canonical id, label or alias.
        departements : list of str
            Normalised département codes.

        Returns
        -------
        dict of str to str
            ``{code_dep: reason}`` in the order of ``departements``.
        """
        spec = get_specialty(specialty)
        present = self._present(departements)
        out: dict[str, str] = {}
        for d in departements:
            if (d, spec.drees_group) in self.unreadable:
                out[d] = self.unreadable[(d, spec.drees_group)]
            elif d not in present:
                out[d] = self.absent_reasons.get(d, ABSENT_FR)
        return out

    def _persons_source(self) -> PersonsIndex | FramePersons | None:
        """What persons are counted from: the index of an Arrow table not yet made a frame, else the frame, or None."""
        persons = current(self, "persons")
        if isinstance(persons, DeferredFrame) and persons.arrow is not None:
            deferred = persons

            def build() -> PersonsIndex:  # the reader's index when it made one (an RPPS read)
                return deferred.index if isinstance(deferred.index, PersonsIndex) else PersonsIndex.of_table(deferred.arrow)

            return cast(PersonsIndex, self._indexed("persons_index", persons, build))
        frame = persons.frame() if isinstance(persons, DeferredFrame) else persons
        if frame is None:
            return None
        return cast(FramePersons, self._indexed("persons_frame", frame, lambda: FramePersons(frame)))

    def _count_persons(self, spec: Specialty, departements: list[str]) -> SupplyCount:
        """Count distinct doctors (RPPS): once per département, once in the territory total."""
        persons = self._persons_source()
        if persons is None:
            msg = "the supply has no person-level rows"
            raise ValueError(msg)
        total, by_dep, multi = persons.count(spec.id, departements)
        mode_label = MODES.get(self.mode, (None, self.mode))[1]
        who = "médecins libéraux" if self.mode == "liberal" else f"médecins ({mode_label})"
        codes = ", ".join(spec.rpps_codes)
        basis = (
            f"{who} en « {spec.label} » (RPPS, savoir-faire {codes}), mode d'exercice : {mode_label} ; "
            f"source {self.source.vintage} ; chaque médecin est compté une fois dans le total, "
            "et une fois dans chaque département où il exerce"
        )
        if multi:
            basis += f" ({plural(multi, 'médecin')} exerçant dans plusieurs de ces départements)"
        reasons = self.missing_reasons(spec, departements)
        pop = inhabitants(departements)
        population = f"{who} inscrits au RPPS (mode d'exercice : {mode_label}), {self.source.vintage}"
        return SupplyCount(total, by_dep, True, basis, list(reasons), mode=self.mode, population=population,
                           inhabitants=pop, density_per_100k=_density(total, pop, reasons),
                           multi_departement=multi, missing_reasons=reasons)

    def _present(self, departements: list[str]) -> set[str]:
        """Which of ``departements`` have a line in ``table`` or ``persons`` (their codes read once per frame)."""
        codes = set(self._table_index().departements)
        persons = self._persons_source()
        if persons is not None:
            codes |= persons.departements
        return {d for d in departements if d in codes}

    def _indexed(self, key: str, held: object, build: Callable[[], object]) -> object:
        """``build()``, computed once per held object (a table replaced on the supply is indexed anew)."""
        cached = self._frame_index.get(key)
        if cached is None or cached[0] is not held:
            cached = (held, build())
            self._frame_index[key] = cached
        return cached[1]

    def _contributions(self, spec: Specialty, count: SupplyCount, departements: list[str]) -> list[ContributingCount]:
        """Every count behind ``count``: each (source, mode, bound) of ``bounds``, or the file's own count."""
        if not self.several_sources:
            bound = "exact" if count.exact else "upper"
            vintage = self.source.vintage_fr
            return [ContributingCount(self.source.name, self.source.name, vintage, self.mode, bound, count.total,
                                      dict(count.by_departement), list(count.missing))]
        out = []
        for (source, mode, bound, vintage), per_dep in self._bound_counts(spec.id):
            by_dep = {d: per_dep[d] for d in departements if d in per_dep}
            name = self.bound_sources[source].name if source in self.bound_sources else str(source)
            label = name.split(" — ")[0]  # the publisher: « DREES », « Assurance Maladie (CNAM) »
            out.append(ContributingCount(str(source), label, str(vintage), str(mode), str(bound), sum(by_dep.values()),
                                         by_dep, [d for d in departements if d not in by_dep]))
        order = {"tous": 0, "liberal": 1}
        return sorted(out, key=lambda c: (order.get(c.mode, 2), c.source, c.bound))

    def _bound_counts(self, spec_id: str) -> list[tuple[BoundKey, dict[str, int]]]:
        """``((source, mode, bound, vintage), {code_dep: count})`` of a specialty in ``bounds`` (indexed once)."""
        bounds = current(self, "bounds")
        if bounds is None:
            return []
        index = cast(dict, self._indexed("bounds_index", bounds, lambda: bounds_index(bounds)))
        return index.get(spec_id, [])

    def _with_ranges(self, spec: Specialty, count: SupplyCount, departements: list[str]) -> SupplyCount:
        """``count`` with its all-modes, libéral and planning ranges (see :mod:`ess_geo.inputs.bounds`)."""
        several_sources = self.several_sources
        if not count.available and not several_sources:
            return count
        contributions = self._contributions(spec, count, departements)
        count.all_modes = SupplyRange.build("tous", contributions, departements)
        count.liberal = SupplyRange.build("liberal", contributions, departements)
        if not several_sources and self.mode != "tous":
            count.planning = SupplyRange.build(self.mode, contributions, departements)  # the file's own mode
        else:
            count.planning = count.all_modes
        if several_sources:
            rng = count.all_modes
            count.exact = rng.exact and all(rng.low_by_departement[d] == rng.high_by_departement[d] for d in departements)
        return count
