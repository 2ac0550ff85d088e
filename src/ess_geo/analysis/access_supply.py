"""What the access index can place on the map: commune points with a geometry, specialists per commune.

Owns the drops of the access index: communes without geometry in the embedded geography and
supply rows whose commune is unknown are added to a :class:`~ess_geo.dropped.DroppedRows` when
they concern the output (the territory or a bordering département), and only counted otherwise.
Specialists are the ``n_specialists`` of the supply rows summed per commune (a doctor practising
in several communes counts in each).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ess_geo.dropped import DroppedRows
from ess_geo.errors import EssGeoError, InputDataError
from ess_geo.inputs.supply import Supply
from ess_geo.reference.codes import normalize_dep_code
from ess_geo.reference.points import commune_points
from ess_geo.reference.specialties import Specialty

__all__ = ["commune_specialists", "located_points"]


def located_points(dropped: DroppedRows, near: set[str] | None) -> tuple[pd.DataFrame, int]:
    """Commune points with a geometry, and how many communes without one lie outside ``near``.

    Communes without geometry in ``near`` (None: all) are added to ``dropped``; the others are
    only counted.
    """
    points = commune_points()
    no_geom = points.loc[points["x"].isna(), ["code_insee", "code_dep"]]
    outside = 0
    for code, dep in zip(no_geom["code_insee"], no_geom["code_dep"], strict=True):
        if near is None or dep in near:
            dropped.add("commune sans géométrie dans le référentiel embarqué", row={"code_insee": code})
        else:
            outside += 1
    return points.dropna(subset=["x", "y"]), outside


def commune_specialists(
    sup: Supply, spec: Specialty, dropped: DroppedRows, known: pd.Index | set[str], near: set[str] | None = None
) -> tuple[pd.Series, bool, int]:
    """Specialists per usable commune, whether exact, and the unusable rows outside ``near``.

    ``known`` (the usable commune codes, best as a :class:`pandas.Index`) is matched by a hash
    lookup (``Index.get_indexer``): ``Series.isin`` on Arrow strings boxes each of the 34,871
    codes into a pyarrow scalar on every call, which was most of an access index.

    Unusable rows (unknown commune, or no geometry) are added to ``dropped`` when their
    département is in ``near`` (None: all), or cannot be told; the others are only counted.

    Raises
    ------
    InputDataError
        If the supply has no ``code_insee`` column (a DREES département table).
    """
    tab = sup.table
    if "code_insee" not in tab.columns:
        raise InputDataError(
            "access_index needs a commune-level supply (a 'code_insee' column, e.g. the RPPS extraction); "
            f"got columns {list(tab.columns)}",
            fr="l'indice d'accessibilité demande des effectifs par commune (extraction RPPS), pas une table par département",
        )
    rows, exact, _ = sup.rows_for(spec)
    codes = rows["code_insee"].astype(str)
    known_index = known if isinstance(known, pd.Index) else pd.Index(sorted(known), dtype=object)
    bad = pd.Series(known_index.unique().get_indexer(codes) < 0, index=codes.index)
    outside = 0
    for idx in rows.index[bad.to_numpy()]:
        if near is not None and (dep := _dep_of_code(str(tab.at[idx, "code_insee"]))) is not None and dep not in near:
            outside += 1
            continue
        dropped.add("commune inconnue ou sans géométrie dans les effectifs", row={"code_insee": str(tab.at[idx, "code_insee"]),
                                                                    "n_specialists": int(tab.at[idx, "n_specialists"])})
    per = rows[~bad.to_numpy()].groupby(codes[~bad])["n_specialists"].sum()
    return per.astype(float), exact, outside


def _dep_of_code(code: str) -> str | None:
    """Département of a commune code (from the embedded geography, else its prefix); None if unknown."""
    dep = _commune_deps().get(code)
    if dep is not None:
        return dep
    code = str(code).strip().upper()
    prefix = code[:3] if code.startswith("97") else code[:2]
    try:
        return normalize_dep_code(prefix)
    except EssGeoError:
        return None


@lru_cache(maxsize=1)
def _commune_deps() -> dict[str, str]:
    communes = commune_points()
    return dict(zip(communes["code_insee"], communes["code_dep"], strict=True))
