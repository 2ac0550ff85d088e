"""Simplified map geometry kept between processes: a content-addressed cache next to the parse cache.

Simplifying the communes of a région for its map (:func:`ess_geo.render.simplify.simplify_for_map`)
takes about 0.4 s and gives the same geometries every time for the same input. :func:`cached_geometries`
stores the simplified, rounded WGS84 geometries (WKB, exact doubles) under
``<parse cache>/simplified/<key>.npz``, the key being the SHA-256 of everything the result depends on:
the input geometries (WKB) and their CRS, the département of each row (it picks the metric CRS),
the tolerance and decimals, the shapely/GEOS versions and the source of the simplification modules
(:func:`ess_geo.inputs.parse_cache.reader_version`). An entry carries the SHA-256 of its own
payload: an unreadable, truncated or altered entry is deleted and rebuilt, never trusted. Entries
are written to a temporary file and renamed in one step. ``ESS_GEO_NO_PARSE_CACHE=1`` turns the
cache off; a folder that cannot be written only costs the speed-up.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely

from ess_geo._output import atomic_file
from ess_geo.errors import EssGeoError
from ess_geo.inputs.parse_cache import cache_enabled, parse_cache_dir, reader_version

#: Version of the entry layout and of the simplification (bump when the result changes for the same code).
VERSION = "simplified-1"
_MODULES = ("ess_geo.render.simplify", "ess_geo.render.simplify_cache", "ess_geo.reference.crs")


def geometry_key(geoms: np.ndarray, crs: str, zones: list[str] | None, tolerance_m: float, decimals: int) -> str:
    """SHA-256 (hex) of what the simplified geometries depend on.

    Parameters
    ----------
    geoms : numpy.ndarray
        Input geometries.
    crs : str
        The input CRS (WKT).
    zones : list of str or None
        Département of each row (None when the frame has no département column).
    tolerance_m : float
        Tolerance (metres).
    decimals : int
        Decimal places kept.

    Returns
    -------
    str
    """
    digest = hashlib.sha256()
    for part in (VERSION, reader_version(VERSION, _MODULES), shapely.__version__, shapely.geos_version_string, crs,
                 repr(float(tolerance_m)), str(int(decimals)), str(len(geoms))):
        digest.update(part.encode() + b"\0")
    digest.update(b"\x01".join(str(z).encode() for z in zones) if zones is not None else b"<no zones>")
    for wkb in shapely.to_wkb(geoms, hex=False, include_srid=False):
        digest.update(len(wkb or b"").to_bytes(8, "little") + (wkb or b""))
    return digest.hexdigest()


def _payload_digest(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    return np.frombuffer(hashlib.sha256(data.tobytes() + offsets.tobytes()).digest(), dtype=np.uint8)


def _read(path: Path, n: int) -> np.ndarray | None:
    """The ``n`` geometries of an entry, or None (the entry is deleted) when it is missing, unreadable or altered."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as entry:
            data, offsets, digest = entry["data"], entry["offsets"], entry["digest"]
        if len(offsets) != n + 1 or not np.array_equal(digest, _payload_digest(data, offsets)):
            raise ValueError("entry altered")
        raw = data.tobytes()
        wkbs = [raw[offsets[i]:offsets[i + 1]] or None for i in range(n)]
        return np.asarray(shapely.from_wkb(wkbs), dtype=object)
    except Exception:  # any unreadable entry is rebuilt, never trusted
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def _write(path: Path, geoms: np.ndarray) -> None:
    """Store ``geoms`` with the package's one atomic writer (symbolic link refused); an unwritable folder is ignored."""
    wkbs = [w or b"" for w in shapely.to_wkb(geoms, hex=False, include_srid=False)]
    offsets = np.zeros(len(wkbs) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(w) for w in wkbs])
    data = np.frombuffer(b"".join(wkbs), dtype=np.uint8)
    with contextlib.suppress(EssGeoError), atomic_file(path) as fh:  # the cache only saves time
        np.savez(fh, data=data, offsets=offsets, digest=_payload_digest(data, offsets))


def cached_geometries(key: str, n: int, build: Callable[[], np.ndarray]) -> np.ndarray:
    """The geometries stored under ``key``, else ``build()`` (then stored).

    Parameters
    ----------
    key : str
        :func:`geometry_key` of the input.
    n : int
        Number of geometries expected.
    build : callable
        Computes the ``n`` geometries when no valid entry exists.

    Returns
    -------
    numpy.ndarray
        The geometries (shapely objects; None for a missing one).
    """
    if not cache_enabled():
        return build()
    path = parse_cache_dir() / "simplified" / f"{key}.npz"
    found = _read(path, n)
    if found is not None:
        return found
    geoms = build()
    _write(path, np.asarray(geoms, dtype=object))
    return geoms


__all__ = ["VERSION", "cached_geometries", "geometry_key"]
