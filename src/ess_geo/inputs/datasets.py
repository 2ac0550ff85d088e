"""Fetch-and-cache of the official open datasets ess_geo reads.

:func:`fetch` downloads a dataset of :data:`DATASETS` from its public URL into a cache directory
(``~/.cache/ess_geo``; ``$XDG_CACHE_HOME/ess_geo`` when set; ``ESS_GEO_CACHE`` overrides both) and
returns the local path. Guarantees:

* never a half-written file under the final name: bytes go to ``<name>.part`` which is renamed
  only once complete and verified (size and SHA-256 when the registry knows them);
* an interrupted download resumes from the ``.part`` file (HTTP ``Range``) on the next attempt or
  the next call; transient failures (connection errors, truncated bodies, HTTP 429/5xx) are
  retried with an increasing pause, honouring a short ``Retry-After``; 404 and other client
  errors fail at once;
* offline: a cached file is returned without touching the network (``refresh=True`` forces a new
  download); with ``offline=True`` or ``ESS_GEO_OFFLINE=1`` a missing file is an error naming it;
* each cached file has a ``<name>.json`` sidecar: URL, download date, size, SHA-256, vintage and
  source, shown by :func:`cached` and ``ess-geo data list``.

The library reports progress through an optional callback and never prints.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ess_geo._format import date_fr
from ess_geo._output import prepare_output_dir
from ess_geo.errors import DatasetError, InputDataError
from ess_geo.inputs.dataset_catalogue import DATASETS, Dataset
from ess_geo.sources import Source

__all__ = ["DATASETS", "CachedDataset", "Dataset", "cache_dir", "cached", "fetch", "get_dataset"]

_CHUNK = 1 << 20


def cache_dir() -> Path:
    """The cache directory: ``ESS_GEO_CACHE``, else ``$XDG_CACHE_HOME/ess_geo``, else ``~/.cache/ess_geo``."""
    env = os.environ.get("ESS_GEO_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "ess_geo"


def _registry(registry: Mapping[str, Dataset] | None) -> Mapping[str, Dataset]:
    return DATASETS if registry is None else registry


def get_dataset(name: str, *, registry: Mapping[str, Dataset] | None = None) -> Dataset:
    """The registry entry ``name``.

    Raises
    ------
    DatasetError
        For an unknown name, listing the known ones.
    """
    reg = _registry(registry)
    if name not in reg:
        known = ", ".join(sorted(reg))
        raise DatasetError(f"unknown dataset {name!r}; known datasets: {known}",
                           fr=f"jeu de données inconnu : {name!r} (connus : {known})")
    return reg[name]


@dataclass
class CachedDataset:
    """A dataset as found in the cache (``ess-geo data list``).

    Attributes
    ----------
    name, title, path : str
        Registry name, title, local path.
    url : str or None
        Download URL (None: no official file at a stable address).
    cached : bool
        Whether the file is in the cache.
    size : int or None
        Size in bytes.
    sha256 : str or None
        SHA-256 recorded at download.
    downloaded_at : str or None
        ISO date of the download.
    vintage : str
        Vintage of the content.
    source : str
        Publisher and page.
    """

    name: str
    title: str
    path: str
    url: str | None
    cached: bool
    size: int | None
    sha256: str | None
    downloaded_at: str | None
    vintage: str
    source: str

    def to_source(self) -> Source:
        """The :class:`~ess_geo.sources.Source` of this file."""
        return Source(name=self.title, vintage=self.vintage, licence="", origin=self.url or self.source)


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def cached(*, registry: Mapping[str, Dataset] | None = None, cache: str | Path | None = None) -> list[CachedDataset]:
    """Every registry dataset, with what the cache holds for it.

    Parameters
    ----------
    registry : mapping, optional
        Dataset registry (default :data:`DATASETS`).
    cache : str or pathlib.Path, optional
        Cache directory (default :func:`cache_dir`).

    Returns
    -------
    list of CachedDataset
    """
    folder = Path(cache) if cache is not None else cache_dir()
    out = []
    for ds in _registry(registry).values():
        path = folder / ds.filename
        meta = {}
        if _meta_path(path).is_file():
            try:
                meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
        present = path.is_file()
        out.append(CachedDataset(
            name=ds.name, title=ds.title, path=str(path), url=ds.url, cached=present,
            size=path.stat().st_size if present else None, sha256=meta.get("sha256"),
            downloaded_at=meta.get("downloaded_at"), vintage=meta.get("vintage") or ds.vintage or "non précisé",
            source=f"{ds.publisher} — {ds.source_page}",
        ))
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _user_agent() -> str:
    """``ess-geo/<installed version>``, as the public servers ask clients to say who they are."""
    try:
        installed = version("ess-geo")
    except PackageNotFoundError:  # running from a source tree without installation
        installed = "0.0.0+unknown"
    return f"ess-geo/{installed} (+https://pypi.org/project/ess-geo/)"


class _Transient(Exception):
    """A failure worth retrying (network, truncated body, 429/5xx)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _vintage_from_response(ds: Dataset, remote_name: str | None, last_modified: str | None) -> str:
    if ds.vintage:
        return ds.vintage
    if remote_name:
        m = re.search(r"(\d{8})-?(\d{4})(?!\d)", remote_name)  # RPPS 202504040839, FINESS 20260512-0339
        if m:
            try:
                stamp = datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M")
                return f"extraction du {date_fr(stamp)} à {stamp:%H:%M}"
            except ValueError:
                pass
    if last_modified:
        try:
            return f"mis à jour le {date_fr(parsedate_to_datetime(last_modified))}"
        except (TypeError, ValueError):
            pass
    return f"téléchargé le {datetime.now(UTC):%Y-%m-%d}"


def _download_once(ds: Dataset, part: Path, timeout: float, progress: Callable[[int, int | None], None] | None) -> dict:
    """One HTTP attempt, resuming ``part`` when it exists; returns response metadata."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": _user_agent()}
    if have:
        headers["Range"] = f"bytes={have}-"
    req = urllib.request.Request(ds.url or "", headers=headers)  # fetch() refuses a dataset without url
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # range beyond the end: restart from scratch
            part.unlink(missing_ok=True)
            raise _Transient(f"HTTP 416 on resume of {ds.url}") from exc
        if exc.code == 429 or exc.code >= 500:
            retry_after = exc.headers.get("Retry-After") if exc.headers else None
            delay = float(retry_after) if retry_after and retry_after.isdigit() else None
            raise _Transient(f"HTTP {exc.code} {exc.reason}", delay) from exc
        raise DatasetError(
            f"cannot download {ds.name!r} from {ds.url}: HTTP {exc.code} {exc.reason}",
            fr=f"téléchargement impossible de « {ds.name} » : HTTP {exc.code} ({ds.url})",
        ) from exc
    except (urllib.error.URLError, OSError, HTTPException) as exc:
        raise _Transient(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from exc
    with resp:
        status = resp.status
        length = resp.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        if status == 206:
            mode, done = "ab", have
            total = have + expected if expected is not None else ds.size
        else:  # 200: the server ignored the range, start over
            mode, done = "wb", 0
            total = expected if expected is not None else ds.size
        disposition = resp.headers.get("Content-Disposition") or ""
        m = re.search(r'filename="?([^";]+)"?', disposition)
        redirected = Path(urllib.parse.urlparse(resp.geturl()).path).name  # data.gouv.fr redirects to the file
        info = {"remote_name": m.group(1) if m else redirected or None, "last_modified": resp.headers.get("Last-Modified"),
                "etag": resp.headers.get("ETag")}
        received = 0
        with open(part, mode) as fh:
            while True:
                try:
                    block = resp.read(_CHUNK)
                except (OSError, HTTPException) as exc:  # IncompleteRead, reset...
                    raise _Transient(f"connection lost after {done} bytes: {type(exc).__name__}") from exc
                if not block:
                    break
                fh.write(block)
                received += len(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)
        if expected is not None and received < expected:
            raise _Transient(f"truncated body: {received} of {expected} bytes")
    return info


def fetch(  # noqa: PLR0913 -- keyword-only download options (cache, retry policy), as before
    name: str,
    *,
    refresh: bool = False,
    offline: bool | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    registry: Mapping[str, Dataset] | None = None,
    cache: str | Path | None = None,
    retries: int = 3,
    timeout: float = 60.0,
    backoff: float = 2.0,
) -> Path:
    """Return the local path of dataset ``name``, downloading it into the cache if needed.

    Parameters
    ----------
    name : str
        Dataset key (see :data:`DATASETS`; ``"rpps"`` and ``"finess"`` have an official file to download).
    refresh : bool, default False
        Download again even when cached (the cached file stays in place until the new one is
        complete and verified).
    offline : bool, optional
        Never touch the network; default from ``ESS_GEO_OFFLINE``.
    progress : callable, optional
        ``progress(bytes_done, bytes_total_or_None)`` after each block.
    registry : mapping, optional
        Dataset registry (default :data:`DATASETS`; tests pass a local one).
    cache : str or pathlib.Path, optional
        Cache directory (default :func:`cache_dir`).
    retries : int, default 3
        Extra attempts after a transient failure (each resumes the partial file).
    timeout : float, default 60
        Socket timeout in seconds.
    backoff : float, default 2
        Pause before retry *k* is ``backoff * 2**(k-1)`` seconds (or ``Retry-After`` if shorter
        than a minute).

    Returns
    -------
    pathlib.Path
        Path of the complete, verified file.

    Raises
    ------
    DatasetError
        Unknown name; a dataset without an official file at a stable address (naming its page);
        offline without a cached copy; HTTP client error (404...); size or
        checksum mismatch (the bad download is deleted); still failing after ``retries``
        (the partial ``.part`` file is kept so that the next call resumes).
    """
    ds = get_dataset(name, registry=registry)
    if ds.url is None:
        raise DatasetError(
            f"dataset {name!r} has no official file at a stable address; download it from {ds.source_page}",
            fr=f"« {name} » n'a pas de fichier officiel à adresse stable : le télécharger depuis {ds.source_page}",
        )
    folder = Path(cache) if cache is not None else cache_dir()
    final = folder / ds.filename
    if offline is None:
        offline = os.environ.get("ESS_GEO_OFFLINE", "") not in ("", "0")
    if final.is_file() and not refresh:
        return final
    if offline:
        raise DatasetError(
            f"dataset {name!r} is not in the cache ({final}) and offline mode forbids downloading it",
            fr=f"« {name} » absent du cache ({final}) et mode hors ligne : lancer « ess-geo data fetch {name} » "
            "avec une connexion",
        )
    try:
        prepare_output_dir(folder)
    except InputDataError as exc:  # same policy as every output, said as a cache problem
        raise DatasetError(f"cache folder unusable (ESS_GEO_CACHE?): {exc}", fr=f"dossier de cache : {exc.fr} ; vérifier ESS_GEO_CACHE") from None
    part = final.with_name(final.name + ".part")
    info = _download(ds, part, progress=progress, retries=retries, timeout=timeout, backoff=backoff)
    size, digest = _verified(ds, part)
    os.replace(part, final)
    _write_meta(ds, final, size, digest, info)
    return final


def _download(ds: Dataset, part: Path, *, progress: Callable[[int, int | None], None] | None, retries: int,
              timeout: float, backoff: float) -> dict:
    """Download into ``part``, retrying transient failures with an increasing pause; response metadata."""
    for attempt in range(retries + 1):
        try:
            return _download_once(ds, part, timeout, progress)
        except _Transient as exc:
            if attempt == retries:
                raise DatasetError(
                    f"cannot download {ds.name!r} from {ds.url} after {retries + 1} attempts: {exc}; "
                    f"partial file kept for resuming: {part}",
                    fr=f"téléchargement de « {ds.name} » interrompu après {retries + 1} essais ({exc}) ; "
                    "relancer pour reprendre",
                ) from exc
            delay = backoff * 2**attempt
            if exc.retry_after is not None and exc.retry_after < 60:
                delay = max(delay, exc.retry_after)
            time.sleep(delay)
    return {}  # retries < 0: nothing attempted


def _verified(ds: Dataset, part: Path) -> tuple[int, str]:
    """Size and SHA-256 of a complete download, checked against the registry (bad files deleted)."""
    size = part.stat().st_size
    if ds.size is not None and size != ds.size:
        part.unlink(missing_ok=True)
        raise DatasetError(
            f"downloaded {ds.name!r} has {size} bytes, expected {ds.size} ({ds.url}); download deleted",
            fr=f"taille inattendue pour « {ds.name} » : {size} octets au lieu de {ds.size} ; fichier supprimé",
        )
    digest = _sha256(part)
    if ds.sha256 is not None and digest != ds.sha256.lower():
        part.unlink(missing_ok=True)
        raise DatasetError(
            f"checksum mismatch for {ds.name!r}: SHA-256 {digest}, expected {ds.sha256} ({ds.url}); download deleted",
            fr=f"empreinte SHA-256 incorrecte pour « {ds.name} » : fichier supprimé",
        )
    return size, digest


def _write_meta(ds: Dataset, final: Path, size: int, digest: str, info: dict) -> None:
    """Write the ``<name>.json`` sidecar of a cached file (atomically)."""
    meta = {
        "name": ds.name,
        "url": ds.url,
        "downloaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "size": size,
        "sha256": digest,
        "vintage": _vintage_from_response(ds, info.get("remote_name"), info.get("last_modified")),
        "remote_name": info.get("remote_name"),
        "last_modified": info.get("last_modified"),
        "etag": info.get("etag"),
        "dataset": asdict(ds),
    }
    tmp = _meta_path(final).with_name(_meta_path(final).name + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, _meta_path(final))
