"""Fetch-and-cache of the official open datasets ess_geo reads.

:func:`fetch` downloads a dataset of :data:`DATASETS` from its public URL into a cache directory
(``~/.cache/ess_geo``; ``$XDG_CACHE_HOME/ess_geo`` when set; ``ESS_GEO_CACHE`` overrides both) and
returns the local path. Guarantees:

* one lock per dataset: concurrent fetches (processes or threads) download it once, the others
  wait and return the same file; a killed fetch's lock is released by the kernel;
* never a half-written or wrong file under the final name: bytes go to a unique temporary file in
  the cache folder, renamed only once complete and checked (SHA-256 when the registry pins it;
  otherwise size against ``Content-Length`` and a format sniff — a zip is a zip, a CSV has its
  header, an HTML error page is refused); the sidecar is written last, and a cached file whose
  check fails is deleted and downloaded again, never returned (:mod:`~ess_geo.inputs.dataset_cache`);
* an interrupted download is kept as ``<name>.part`` and resumed (HTTP ``Range`` + ``If-Range``)
  on the next attempt or call; transient failures (connection errors, truncated bodies, HTTP
  429/5xx) are retried with an increasing pause, honouring a short ``Retry-After``; 404 and other
  client errors fail at once; a server silent for ``timeout`` seconds stops the download with an
  error (no hang);
* offline: a cached file is returned without touching the network (``refresh=True`` forces a new
  download); with ``offline=True`` or ``ESS_GEO_OFFLINE=1`` a missing file is an error naming it;
* each cached file has a ``<name>.json`` sidecar: URL, download date, size, SHA-256, vintage and
  source, shown by :func:`cached` and ``ess-geo data list``.

The library reports progress through an optional callback and never prints.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
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
from ess_geo._output import atomic_write_bytes, prepare_output_dir
from ess_geo.errors import DatasetError, InputDataError
from ess_geo.inputs.dataset_cache import cache_dir, check_download, check_entry, dataset_lock, discard_entry, meta_path
from ess_geo.inputs.dataset_catalogue import DATASETS, Dataset
from ess_geo.sources import Source

__all__ = ["DATASETS", "CachedDataset", "Dataset", "cache_dir", "cached", "fetch", "get_dataset"]

_CHUNK = 1 << 20


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
        meta: dict = {}
        if meta_path(path).is_file():
            try:
                meta = json.loads(meta_path(path).read_text(encoding="utf-8"))
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


class _Stalled(Exception):
    """The server sent nothing for ``timeout`` seconds (connect or read): not retried, the user decides."""


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError)


def _announced(resp: object, status: int, have: int, length: int | None) -> int | None:
    """Total size the server announces (the ``Content-Range`` total on a resumed body)."""
    if status == 206:
        m = re.search(r"/(\d+)\s*$", getattr(resp, "headers", {}).get("Content-Range") or "")
        if m:
            return int(m.group(1))
        return have + length if length is not None else None
    return length


def _open(ds: Dataset, part: Path, timeout: float, validator: dict) -> tuple[object, int]:
    """Open the HTTP response, resuming ``part`` (``Range`` + ``If-Range``) when it holds bytes."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": _user_agent()}
    if have:
        headers["Range"] = f"bytes={have}-"
        if validator.get("etag") or validator.get("last_modified"):  # a changed file comes back whole (200)
            headers["If-Range"] = validator.get("etag") or validator["last_modified"]
    req = urllib.request.Request(ds.url or "", headers=headers)  # fetch() refuses a dataset without url
    try:
        return urllib.request.urlopen(req, timeout=timeout), have
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
        if _is_timeout(exc):
            raise _Stalled(f"no answer within {timeout:g} s (connect)") from exc
        raise _Transient(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from exc


def _download_once(ds: Dataset, part: Path, timeout: float, progress: Callable[[int, int | None], None] | None,
                   validator: dict) -> dict:
    """One HTTP attempt, resuming ``part`` when it holds bytes; returns response metadata."""
    resp, have = _open(ds, part, timeout, validator)
    with resp:  # type: ignore[attr-defined]
        status = resp.status  # type: ignore[attr-defined]
        headers = resp.headers  # type: ignore[attr-defined]
        length = headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        mode, done = ("ab", have) if status == 206 else ("wb", 0)  # 200: the server ignored the range, start over
        total = _announced(resp, status, have, expected)
        disposition = headers.get("Content-Disposition") or ""
        m = re.search(r'filename="?([^";]+)"?', disposition)
        redirected = Path(urllib.parse.urlparse(resp.geturl()).path).name  # type: ignore[attr-defined]  # data.gouv.fr redirects
        info = {"remote_name": m.group(1) if m else redirected or None, "last_modified": headers.get("Last-Modified"),
                "etag": headers.get("ETag"), "content_type": headers.get("Content-Type"), "total": total}
        validator.update(etag=info["etag"], last_modified=info["last_modified"])
        received = 0
        with open(part, mode) as fh:
            while True:
                try:
                    block = resp.read(_CHUNK)  # type: ignore[attr-defined]
                except (OSError, HTTPException) as exc:  # IncompleteRead, reset, timeout...
                    if _is_timeout(exc):
                        raise _Stalled(f"no data for {timeout:g} s after {done} bytes") from exc
                    raise _Transient(f"connection lost after {done} bytes: {type(exc).__name__}") from exc
                if not block:
                    break
                fh.write(block)
                received += len(block)
                done += len(block)
                if progress is not None:
                    progress(done, total if total is not None else ds.size)
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
    timeout: float = 30.0,
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
    timeout : float, default 30
        Seconds without an answer (connection) or without any byte (body) before the download
        stops with an error; a stalled server is not retried.
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
        offline without a valid cached copy; HTTP client error (404...); size or checksum
        mismatch, an HTML page or a file not in the announced format (the bad download is
        deleted); a stalled server (``timeout``); still failing after ``retries`` (the partial
        file is kept as ``<name>.part`` so that the next call resumes).
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
    if not refresh and final.is_file() and check_entry(ds, final):
        return final
    if offline and not final.is_file():
        raise _offline_error(ds, final)
    try:
        prepare_output_dir(folder)
    except InputDataError as exc:  # same policy as every output, said as a cache problem
        raise DatasetError(f"cache folder unusable (ESS_GEO_CACHE?): {exc}", fr=f"dossier de cache : {exc.fr} ; vérifier ESS_GEO_CACHE") from None
    with dataset_lock(folder, ds):
        if final.exists() and not check_entry(ds, final):
            discard_entry(final)  # never returned: deleted and fetched again
        if not refresh and final.is_file():  # a concurrent fetch completed it while we waited
            return final
        if offline:
            raise _offline_error(ds, final)
        return _fetch_locked(ds, final, progress=progress, retries=retries, timeout=timeout, backoff=backoff)


def _offline_error(ds: Dataset, final: Path) -> DatasetError:
    return DatasetError(
        f"dataset {ds.name!r} is not in the cache ({final}) and offline mode forbids downloading it",
        fr=f"« {ds.name} » absent du cache ou invalide ({final}) et mode hors ligne : lancer « ess-geo data fetch "
        f"{ds.name} » avec une connexion",
    )


def _adopt_partial(ds: Dataset, resume: Path, tmp: Path) -> dict:
    """Move a ``<name>.part`` of an earlier call into ``tmp`` when it can be resumed safely; its validator.

    A partial file is resumed only when the server's ETag or Last-Modified was recorded with it
    (sent as ``If-Range``: a changed file comes back whole); anything else is deleted.
    """
    side = meta_path(resume)
    validator: dict = {}
    try:
        recorded = json.loads(side.read_text(encoding="utf-8"))
        if isinstance(recorded, dict) and recorded.get("url") == ds.url:
            validator = {k: recorded.get(k) for k in ("etag", "last_modified") if recorded.get(k)}
    except (OSError, ValueError):
        pass
    if validator and resume.is_file():
        os.replace(resume, tmp)
    else:
        validator = {}
        resume.unlink(missing_ok=True)
    side.unlink(missing_ok=True)
    return validator


def _keep_partial(ds: Dataset, tmp: Path, resume: Path, validator: dict) -> None:
    """Keep the bytes of an interrupted download as ``<name>.part`` (with its validator) for the next call."""
    if not tmp.is_file() or tmp.stat().st_size == 0:
        return
    os.replace(tmp, resume)
    if validator.get("etag") or validator.get("last_modified"):
        atomic_write_bytes(meta_path(resume), json.dumps({"url": ds.url, **validator}).encode("utf-8"))


def _fetch_locked(ds: Dataset, final: Path, *, progress: Callable[[int, int | None], None] | None, retries: int,
                  timeout: float, backoff: float) -> Path:
    """Download, check and install ``ds`` while holding its cache lock."""
    folder = final.parent
    # our own temporary files of killed fetches: removed here, under the lock (their suffix is not the
    # ``.tmp`` of ess_geo._output, so a write in the cache folder never removes a download in progress)
    for leftover in folder.glob(f".{ds.filename}.*.download"):
        leftover.unlink(missing_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{ds.filename}.", suffix=".download", dir=folder)
    os.close(fd)
    tmp = Path(name)
    resume = folder / f"{ds.filename}.part"
    try:
        validator = _adopt_partial(ds, resume, tmp)
        try:
            info = _download(ds, tmp, progress=progress, retries=retries, timeout=timeout, backoff=backoff,
                             validator=validator)
        except DatasetError:
            _keep_partial(ds, tmp, resume, validator)
            raise
        size, digest = check_download(ds, tmp, content_type=info.get("content_type"), announced=info.get("total"))
        os.replace(tmp, final)
        _write_meta(ds, final, size, digest, info)  # written last: a file without it is never trusted
        return final
    finally:
        tmp.unlink(missing_ok=True)


def _download(ds: Dataset, part: Path, *, progress: Callable[[int, int | None], None] | None, retries: int,
              timeout: float, backoff: float, validator: dict) -> dict:
    """Download into ``part``, retrying transient failures with an increasing pause; response metadata."""
    for attempt in range(retries + 1):
        try:
            return _download_once(ds, part, timeout, progress, validator)
        except _Stalled as exc:
            raise DatasetError(
                f"download of {ds.name!r} from {ds.url} stalled: {exc}; partial file kept for resuming",
                fr=f"le serveur de « {ds.name} » ne répond plus (aucune donnée pendant {timeout:g} s, option --timeout) ; "
                "relancer pour reprendre",
            ) from exc
        except _Transient as exc:
            if attempt == retries:
                raise DatasetError(
                    f"cannot download {ds.name!r} from {ds.url} after {retries + 1} attempts: {exc}; "
                    f"partial file kept for resuming",
                    fr=f"téléchargement de « {ds.name} » interrompu après {retries + 1} essais ({exc}) ; "
                    "relancer pour reprendre",
                ) from exc
            delay = backoff * 2**attempt
            if exc.retry_after is not None and exc.retry_after < 60:
                delay = max(delay, exc.retry_after)
            time.sleep(delay)
    return {}  # retries < 0: nothing attempted


def _write_meta(ds: Dataset, final: Path, size: int, digest: str, info: dict) -> None:
    """Write the ``<name>.json`` sidecar of a cached file (atomically, after the file itself)."""
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
    atomic_write_bytes(meta_path(final), json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8"))
