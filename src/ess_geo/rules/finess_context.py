"""What a FINESS extraction adds to a territory check: unregistered ESS and the local context.

* :func:`unregistered_ess` lists the ESS registered in FINESS (category 647) seated in the
  territory that the ESS registry does not know. FINESS does not give an ESS's specialty, so each
  one is an « à vérifier » fact for :func:`ess_geo.rules.criteria.rule_overlap` (see
  :func:`unregistered_fr`), never a conclusion. An ESS of FINESS is taken as known when a
  registry entry covering its seat département has a specialty whose label, id or alias appears
  in the FINESS name (``ESS CARDIOLOGIE ILE DE FRANCE`` ↔ the registry's ESS of cardiologie on
  75), or when the entry carries its FINESS number (``finess`` attribute, when the registry has one).
* :func:`territory_context` counts and names the CPTS (604), DAC (606) and hospitals of each
  département, shown « À titre d'information » (no criterion depends on them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ess_geo.errors import EssGeoError
from ess_geo.inputs.finess import KIND_LABELS_FR, Finess
from ess_geo.inputs.registry import EssEntry, Registry
from ess_geo.reference.specialties import Specialty, get_specialty, normalize_text

if TYPE_CHECKING:  # annotations only: pandas comes with a FINESS file
    import pandas as pd

__all__ = ["CONTEXT_KINDS", "context_fr", "finess_facts", "territory_context", "unregistered_ess", "unregistered_fr"]

#: Kinds shown as context, in order.
CONTEXT_KINDS = ("cpts", "dac", "hopital")
_MAX_NAMES = 10


def _specialty_words(entry: EssEntry) -> set[str]:
    """Normalised label, id and aliases of the entry's specialties (4 characters or more)."""
    words: set[str] = set()
    for sid in entry.specialties:
        try:
            spec = get_specialty(sid)
        except EssGeoError:  # a user registry may name a specialty the tool refuses
            words.add(normalize_text(sid))
            continue
        words |= {normalize_text(w) for w in (spec.label, spec.id, *spec.aliases)}
    return {w for w in words if len(w) >= 4}


def _known(row: pd.Series, entries: Sequence[EssEntry]) -> EssEntry | None:
    """The registry entry matching a FINESS ESS (by FINESS number, or seat + specialty in the name)."""
    name = f" {normalize_text(row['name'])} "
    for e in entries:
        if getattr(e, "finess", "") == row["finess"]:
            return e
        if row["code_dep"] in e.departements and any(f" {w} " in name for w in _specialty_words(e)):
            return e
    return None


def unregistered_ess(finess: Finess, registry: Registry, departements: Iterable[str]) -> pd.DataFrame:
    """ESS of FINESS (category 647) seated in ``departements`` that the registry does not know (a copy)."""
    import pandas as pd  # deferred: heavy library, only with a FINESS file

    ess = finess.in_departements(departements, kinds=("ess",))
    entries = list(registry)
    unknown = [_known(row, entries) is None for _, row in ess.iterrows()]
    return ess[pd.Series(unknown, index=ess.index, dtype=bool)].reset_index(drop=True)


def unregistered_fr(unregistered: pd.DataFrame, vintage: str) -> list[str]:
    """French « à vérifier » line of each unregistered ESS (for ``rule_overlap(unregistered_fr=...)``)."""
    return [
        f"ESS « {r['name']} » (FINESS {r['finess']}, siège : {r['postal_line'] or r['code_insee']}, "
        f"département {r['code_dep']}) inscrite au FINESS ({vintage}) mais absente du registre ; "
        "spécialité non précisée dans FINESS : à vérifier"
        for _, r in unregistered.iterrows()
    ]


def territory_context(finess: Finess, departements: Sequence[str]) -> dict:
    """CPTS, DAC and hospitals of each département: counts and names (JSON-ready).

    Returns
    -------
    dict
        ``{"source": str, "vintage": str, "by_departement": {dep: {kind: {"count": n, "names": [...]}}},
        "totals": {kind: n}, "dropped_lines": n}``; names are sorted, the first ten per kind.
    """
    frame = finess.in_departements(departements, kinds=CONTEXT_KINDS)
    by_dep: dict[str, dict[str, dict[str, object]]] = {}
    for dep in departements:
        here = frame[frame["code_dep"] == dep]
        by_dep[dep] = {
            kind: {"count": int((here["kind"] == kind).sum()),
                   "names": sorted(here.loc[here["kind"] == kind, "name"].tolist())[:_MAX_NAMES]}
            for kind in CONTEXT_KINDS
        }
    return {
        "source": finess.source.name,
        "vintage": finess.source.vintage,
        "by_departement": by_dep,
        "totals": {kind: int((frame["kind"] == kind).sum()) for kind in CONTEXT_KINDS},
        "dropped_lines": finess.dropped.count,
    }


def context_fr(context: dict) -> list[str]:
    """French lines of the « À titre d'information » block (empty without context)."""
    if not context:
        return []
    lines = [f"À titre d'information (FINESS, {context['vintage']}) :"]
    for dep, kinds in context["by_departement"].items():
        parts = []
        for kind in CONTEXT_KINDS:
            n, names = kinds[kind]["count"], kinds[kind]["names"]
            more = f", … (+{n - len(names)})" if n > len(names) else ""
            parts.append(f"{KIND_LABELS_FR[kind]} : {n}" + (f" ({', '.join(names)}{more})" if n else ""))
        lines.append(f" - {dep} : " + " ; ".join(parts))
    return lines


def finess_facts(finess: Finess | None, registry: Registry, spec: Specialty | None,
                 departements: Sequence[str]) -> tuple[Finess | None, list[str], dict]:
    """What a territory check takes from FINESS: the extraction, the « à vérifier » lines, the context.

    Without FINESS: ``(None, [], {})``; without a valid specialty, no « à vérifier » line.
    """
    if finess is None:
        return None, [], {}
    unknown = unregistered_fr(unregistered_ess(finess, registry, departements), finess.source.vintage) if spec else []
    return finess, unknown, territory_context(finess, departements)
