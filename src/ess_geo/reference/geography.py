"""Embedded reference geography (INSEE COG 2025) and code normalisation.

Loaders return fresh copies of cached frames, so callers may modify what they get. Codes are
always zero-padded strings: département ``"01"``, ``"2A"``, ``"971"``; région ``"11"``, ``"01"``;
commune ``"01001"``, ``"2A004"``, ``"97101"``. Nothing here casts a code to int.

Geometries are stored in EPSG:4326; see :mod:`ess_geo.reference.crs` for the metric CRS of each
département. The files are rebuilt by ``scripts/build_reference_data.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

import geopandas as gpd
import pandas as pd

from ess_geo.errors import UnknownCodeError
from ess_geo.sources import Source

_DATA = resources.files("ess_geo.reference") / "data"


@cache
def _read_geo(name: str) -> gpd.GeoDataFrame:
    with resources.as_file(_DATA / f"{name}.parquet") as path:
        return gpd.read_parquet(path)


@cache
def _read_table(name: str) -> pd.DataFrame:
    with resources.as_file(_DATA / f"{name}.parquet") as path:
        return pd.read_parquet(path)


@lru_cache(maxsize=1)
def provenance() -> dict:
    """Return the build record of the embedded data (source, version, sha256, vintage, report).

    Returns
    -------
    dict
        Content of ``provenance.json``.
    """
    return json.loads((_DATA / "provenance.json").read_text(encoding="utf-8"))


def reference_source() -> Source:
    """Return the :class:`~ess_geo.sources.Source` of the embedded geography."""
    prov = provenance()
    return Source(
        name="Référentiel géographique (communes, départements, régions, codes postaux)",
        vintage=prov["vintage"],
        licence=prov["licence"],
        origin=prov["source"],
    )


def load_communes() -> gpd.GeoDataFrame:
    """Load the 34,875 communes (``COM``) of COG 2025.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code_insee``, ``nom``, ``code_dep``, ``code_region``, ``population``
        (population municipale), ``geometry`` (EPSG:4326; four Cantal communes restored in 2025
        have no geometry in the source, see :func:`provenance`).
    """
    return _read_geo("communes").copy()


def load_departements() -> gpd.GeoDataFrame:
    """Load the 101 départements, dissolved from the communes.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code_dep``, ``nom``, ``code_region``, ``population``, ``geometry`` (EPSG:4326).
    """
    return _read_geo("departements").copy()


def load_regions() -> gpd.GeoDataFrame:
    """Load the 18 régions, dissolved from the communes.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code_region``, ``nom``, ``population``, ``geometry`` (EPSG:4326).
    """
    return _read_geo("regions").copy()


def load_adjacency() -> pd.DataFrame:
    """Load the pre-computed adjacency of départements.

    Returns
    -------
    pandas.DataFrame
        One row per pair sharing a land border (each pair once, ``code_dep_a < code_dep_b``),
        with ``border_km`` measured in the metric CRS. Overseas départements have no neighbour.
    """
    return _read_table("adjacency").copy()


def load_postal_codes() -> pd.DataFrame:
    """Load the postal code ↔ commune table.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_postal`` (5 characters), ``code_insee`` (the commune, ``COM``), ``nom``
        (name of the entity the postal code serves: the commune itself or, for Paris, Lyon and
        Marseille, an arrondissement), ``type`` (``COM`` or ``ARM``). The source links postal codes
        to no commune déléguée; those names are in :func:`load_communes_deleguees`.
    """
    return _read_table("postal_codes").copy()


def load_communes_deleguees() -> pd.DataFrame:
    """Load the communes déléguées / associées of COG 2025 with their commune nouvelle.

    Files older than COG 2025 (the doctors' zonage, for instance) still name communes merged
    since; this table maps those names to the commune that absorbed them.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (INSEE code of the delegated entity; a chef-lieu shares its parent's
        code), ``type`` (``COMD`` or ``COMA``), ``nom``, ``code_insee`` (the commune, ``COM``).
    """
    return _read_csv("communes_deleguees").copy()


@cache
def _read_csv(name: str) -> pd.DataFrame:
    with resources.as_file(_DATA / f"{name}.csv") as path:
        return pd.read_csv(path, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _dep_names() -> dict[str, str]:
    deps = _read_geo("departements")
    return dict(zip(deps["code_dep"], deps["nom"], strict=True))


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    regs = _read_geo("regions")
    return dict(zip(regs["code_region"], regs["nom"], strict=True))


@lru_cache(maxsize=1)
def _dep_region() -> dict[str, str]:
    deps = _read_geo("departements")
    return dict(zip(deps["code_dep"], deps["code_region"], strict=True))


@lru_cache(maxsize=1)
def _neighbours() -> dict[str, frozenset[str]]:
    adj = _read_table("adjacency")
    out: dict[str, set[str]] = {code: set() for code in _dep_names()}
    for a, b in zip(adj["code_dep_a"], adj["code_dep_b"], strict=True):
        out[a].add(b)
        out[b].add(a)
    return {k: frozenset(v) for k, v in out.items()}


def departement_name(code_dep: str) -> str:
    """French name of a (normalised) département code, e.g. ``"2A"`` → ``"Corse-du-Sud"``."""
    return _dep_names()[normalize_dep_code(code_dep)]


def region_name(code_region: str) -> str:
    """French name of a (normalised) région code, e.g. ``"11"`` → ``"Île-de-France"``."""
    return _region_names()[normalize_region_code(code_region)]


def region_of(code_dep: str) -> str:
    """Région code of a département."""
    return _dep_region()[normalize_dep_code(code_dep)]


def departements_of_region(code_region: str) -> list[str]:
    """Sorted département codes of a région.

    Raises
    ------
    UnknownCodeError
        If the région code does not exist.
    """
    reg = normalize_region_code(code_region)
    return sorted(dep for dep, r in _dep_region().items() if r == reg)


def neighbours(code_dep: str) -> list[str]:
    """Sorted codes of the départements sharing a land border with ``code_dep``."""
    return sorted(_neighbours()[normalize_dep_code(code_dep)])


def adjacency_graph() -> dict[str, frozenset[str]]:
    """Adjacency of all 101 départements as a mapping code → neighbour codes."""
    return dict(_neighbours())


@lru_cache(maxsize=1)
def _commune_points_table() -> pd.DataFrame:
    from ess_geo.reference.crs import distance_zone, metric_crs_for  # lazy: ess_geo.reference.crs imports this module

    com = _read_geo("communes")
    deps = com["code_dep"].unique()
    crs_of = com["code_dep"].map({d: metric_crs_for(d) for d in deps})
    unit_of = com["code_dep"].map({d: distance_zone(d) for d in deps})
    x = pd.Series(float("nan"), index=com.index)
    y = pd.Series(float("nan"), index=com.index)
    has_geom = com.geometry.notna() & ~com.geometry.is_empty
    for crs in crs_of.unique():
        sel = has_geom & (crs_of == crs)
        pts = com.loc[sel].to_crs(crs).geometry.representative_point()
        x[sel] = pts.x.to_numpy()
        y[sel] = pts.y.to_numpy()
    table = pd.DataFrame(
        {
            "code_insee": com["code_insee"].to_numpy(),
            "nom": com["nom"].to_numpy(),
            "code_dep": com["code_dep"].to_numpy(),
            "code_region": com["code_region"].to_numpy(),
            "population": com["population"].to_numpy(),
            "x": x.to_numpy(),
            "y": y.to_numpy(),
            "crs": crs_of.to_numpy(),
            "land_unit": unit_of.to_numpy(),
        }
    )
    return table


def commune_points(crs: str | None = None, land_unit: str | None = None) -> pd.DataFrame:
    """Representative points of the communes, in the metric CRS of their département (cached).

    Each point is :meth:`shapely.Geometry.representative_point` of the commune computed in its
    metric CRS (:func:`ess_geo.reference.crs.metric_crs_for`), so it lies inside the commune. Computed once
    per process; every call returns a fresh copy.

    Parameters
    ----------
    crs : str, optional
        Keep only the communes measured in this metric CRS (``"EPSG:2154"``, ``"EPSG:5490"``...).
    land_unit : str, optional
        Keep only the communes of this land unit (:func:`ess_geo.reference.crs.distance_zone`:
        ``"metropole"``, ``"corse"``, ``"971"``...). Distances are meaningful within one unit only.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_insee``, ``nom``, ``code_dep``, ``code_region``, ``population``, ``x``,
        ``y`` (metres, in ``crs``), ``crs`` (metric CRS of the coordinates), ``land_unit``. Every
        commune is listed: those without a geometry in the embedded data have NaN ``x``/``y``
        (filter them, and say so, rather than dropping them silently).

    Raises
    ------
    CrsError
        If ``crs`` or ``land_unit`` is not one used by the embedded geography.
    """
    from ess_geo.errors import CrsError
    from ess_geo.reference.crs import LAMBERT93, LAND_UNIT_LABELS, OVERSEAS_CRS

    table = _commune_points_table()
    if crs is not None:
        allowed = sorted({LAMBERT93, *OVERSEAS_CRS.values()})
        if crs not in allowed:
            raise CrsError(f"crs {crs!r} is not a metric CRS of the embedded geography; allowed: {allowed}",
                           fr=f"système de coordonnées non utilisé par le référentiel : {crs!r}")
        table = table[table["crs"] == crs]
    if land_unit is not None:
        if land_unit not in LAND_UNIT_LABELS:
            raise CrsError(f"unknown land unit {land_unit!r}; allowed: {sorted(LAND_UNIT_LABELS)}",
                           fr=f"zone de distance inconnue : {land_unit!r}")
        table = table[table["land_unit"] == land_unit]
    return table.reset_index(drop=True)


_DEP_RE = re.compile(r"^(?:0*)(\d{1,3}|[12][AB])$", re.IGNORECASE)


def _canonical_dep(value: object) -> str | None:
    """Best-effort canonical form of a département code, or None when the shape is wrong."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value).strip()
    m = _DEP_RE.match(text)
    if not m:
        return None
    core = m.group(1).upper()
    if core.isdigit():
        return core.zfill(2) if len(core) <= 2 else core
    return core  # 2A / 2B


def normalize_dep_code(value: object) -> str:
    """Normalise one département code and check that it exists.

    Accepts ``1``, ``"1"``, ``"01"``, ``"2a"``, ``"02A"`` (DREES style), ``971``.

    Parameters
    ----------
    value : str or int
        Raw code.

    Returns
    -------
    str
        The zero-padded code (``"01"``, ``"2A"``, ``"971"``).

    Raises
    ------
    UnknownCodeError
        If the value is not one of the 101 départements (``"20"`` is refused: Corsica is
        ``2A`` and ``2B``).
    """
    return normalize_dep_codes([value])[0]


def normalize_dep_codes(values: Iterable[object]) -> list[str]:
    """Normalise several département codes, collecting every unknown one before raising.

    Parameters
    ----------
    values : iterable of str or int
        Raw codes.

    Returns
    -------
    list of str
        Normalised codes, in input order, duplicates removed.

    Raises
    ------
    UnknownCodeError
        Naming every value that is not a département code.
    """
    known = _dep_names()
    out: list[str] = []
    bad: list[str] = []
    for value in values:
        code = _canonical_dep(value)
        if code is None or code not in known:
            bad.append(str(value))
        elif code not in out:
            out.append(code)
    if bad:
        hint = "Corsica is '2A' and '2B'" if "20" in {b.strip() for b in bad} else "valid codes: 01..95, 2A, 2B, 971..974, 976"
        raise UnknownCodeError("departement", bad, allowed_hint=hint)
    return out


def normalize_region_code(value: object) -> str:
    """Normalise a région code (``11``, ``"01"``, ``"1"`` → ``"01"``) and check it exists.

    Raises
    ------
    UnknownCodeError
        If the value is not one of the 18 régions.
    """
    text = str(value).strip()
    code = text.zfill(2) if text.isdigit() and len(text) <= 2 else text
    if code not in _region_names():
        known = ", ".join(sorted(_region_names()))
        raise UnknownCodeError("region", [text], allowed_hint=f"valid codes: {known}")
    return code


def resolve_regions(value: object = None) -> list[str]:
    """Région codes from a user value: one, several, or all 18.

    Parameters
    ----------
    value : None, str, int or iterable
        None, ``"all"``, ``"toutes"`` or ``""`` → all 18 régions (sorted); a code (``"84"``,
        ``84``); several codes as text (``"84,27"`` or ``"84;27"``) or as an iterable.
        Each code is checked with :func:`normalize_region_code`; duplicates are removed, the
        order given is kept.

    Returns
    -------
    list of str

    Raises
    ------
    UnknownCodeError
        If a code is not one of the 18 régions (every bad value is named).
    """
    if value is None or (isinstance(value, str) and value.strip().lower() in ("all", "toutes", "")):
        return sorted(_region_names())
    if isinstance(value, str | int):
        parts: list[object] = [p.strip() for p in str(value).replace(";", ",").split(",") if p.strip()]
    else:
        parts = list(value)  # type: ignore[call-overload]
    out: list[str] = []
    bad: list[str] = []
    for part in parts:
        try:
            code = normalize_region_code(part)
        except UnknownCodeError:
            bad.append(str(part).strip())
            continue
        if code not in out:
            out.append(code)
    if bad or not out:
        known = ", ".join(sorted(_region_names()))
        raise UnknownCodeError("region", bad or [repr(value)], allowed_hint=f"valid codes: {known}, or 'all'")
    return out
