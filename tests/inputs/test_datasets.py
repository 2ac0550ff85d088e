"""Fetch-and-cache against a real local HTTP server on 127.0.0.1 (no test touches the internet)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from ess_geo.cli import cli
from ess_geo.errors import DatasetError
from ess_geo.inputs import datasets
from ess_geo.inputs.datasets import Dataset, cached, fetch
from ess_geo.inputs.finess import load_finess
from synthetic import write_finess_synthetic

PAYLOAD = b"synthetic dataset line\n" * 5000  # 115 kB
SHA = hashlib.sha256(PAYLOAD).hexdigest()


def _synthetic_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("PS_LibreAcces_Personne_activite_synthetic.txt", PAYLOAD * 4)
    return buf.getvalue()


ZIP_PAYLOAD = _synthetic_zip()  # stored, 460 kB: a leftover .part of other bytes cannot pass as it
HTML_PAGE = b"<!DOCTYPE html><html><body>Service indisponible</body></html>\n"


class _Handler(BaseHTTPRequestHandler):
    """Routes: /ok, /missing (404), /truncated (always cut), /flaky (cut once, then resumable),
    /busy (503 once with Retry-After, then ok), /zip-named (Content-Disposition with a time stamp)."""

    hits: ClassVar[dict[str, int]] = {}
    ranges: ClassVar[list[str | None]] = []
    finess_body: ClassVar[bytes] = b""

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _send(self, body: bytes, *, status: int = 200, length: int | None = None, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self) -> None:
        route = self.path
        n = self.hits[route] = self.hits.get(route, 0) + 1
        rng = self.headers.get("Range")
        self.ranges.append(rng)
        if route == "/missing":
            self.send_error(404, "Not Found")
        elif route == "/truncated":
            self._send(PAYLOAD[:1000], length=len(PAYLOAD))
            self.close_connection = True
        elif route == "/flaky":
            if n == 1:
                self._send(PAYLOAD[:40_000], length=len(PAYLOAD))
                self.close_connection = True
            elif rng:
                start = int(rng.split("=")[1].rstrip("-"))
                self._send(PAYLOAD[start:], status=206,
                           headers={"Content-Range": f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}"})
            else:
                self._send(PAYLOAD)
        elif route == "/busy":
            if n == 1:
                self._send(b"busy", status=503, headers={"Retry-After": "0"})
            else:
                self._send(PAYLOAD)
        elif route == "/r/finess":  # data.gouv.fr's stable resource address redirects to the dated file
            self.send_response(302)
            self.send_header("Location", "/static/etalab-cs1100507-stock-20260512-0339.csv")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif route == "/static/etalab-cs1100507-stock-20260512-0339.csv":
            self._send(self.finess_body)
        elif route == "/zip":  # slow enough for two concurrent fetches to overlap
            self.send_response(200)
            self.send_header("Content-Length", str(len(ZIP_PAYLOAD)))
            self.send_header("Content-Type", "application/zip")
            self.end_headers()
            for i in range(0, len(ZIP_PAYLOAD), 65536):
                self.wfile.write(ZIP_PAYLOAD[i:i + 65536])
                self.wfile.flush()
                time.sleep(0.02)
        elif route == "/html":  # an error page served with status 200
            self._send(HTML_PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
        elif route == "/html-as-octets":
            self._send(HTML_PAGE, headers={"Content-Type": "application/octet-stream"})
        elif route == "/short-length":  # Content-Length smaller than the file: the body is cut silently
            self._send(ZIP_PAYLOAD, length=len(ZIP_PAYLOAD) - 5000)
            self.close_connection = True
        elif route == "/csv-wrong-header":
            self._send(b"nom;adresse\nx;y\n", headers={"Content-Type": "text/csv"})
        elif route == "/stalled":  # headers and a first block, then silence
            self.send_response(200)
            self.send_header("Content-Length", str(len(ZIP_PAYLOAD)))
            self.end_headers()
            self.wfile.write(ZIP_PAYLOAD[:1000])
            self.wfile.flush()
            time.sleep(3)
            self.close_connection = True
        elif route == "/zip-named":
            self._send(PAYLOAD, headers={"Content-Disposition": 'attachment; filename="PS_LibreAcces_202504040839.zip"'})
        else:
            self._send(PAYLOAD, headers={"Last-Modified": "Fri, 04 Apr 2025 08:39:00 GMT"})


@pytest.fixture
def http_server():
    _Handler.hits = {}
    _Handler.ranges = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _registry(base: str, **overrides) -> dict[str, Dataset]:
    def ds(name, route, **kw):
        return Dataset(name=name, title=f"synthetic {name}", url=base + route, filename=f"{name}.bin",
                       publisher="synthetic", licence="none", source_page=base, **kw)

    reg = {
        "ok": ds("ok", "/ok", sha256=SHA, size=len(PAYLOAD)),
        "missing": ds("missing", "/missing"),
        "truncated": ds("truncated", "/truncated"),
        "flaky": ds("flaky", "/flaky", sha256=SHA),
        "busy": ds("busy", "/busy"),
        "badsum": ds("badsum", "/ok", sha256="0" * 64),
        "badsize": ds("badsize", "/ok", size=123),
        "named": ds("named", "/zip-named"),
        "zip": ds("zip", "/zip", kind="zip"),
        "html": ds("html", "/html", kind="zip"),
        "htmlplain": ds("htmlplain", "/html-as-octets"),
        "short": ds("short", "/short-length", kind="zip"),
        "badcsv": ds("badcsv", "/csv-wrong-header", kind="csv", header="finess;etalab;"),
        "stalled": ds("stalled", "/stalled", kind="zip"),
    }
    reg.update(overrides)
    return reg


def test_success_verifies_and_records_metadata(http_server, tmp_path):
    progress = []
    path = fetch("ok", registry=_registry(http_server), cache=tmp_path, progress=lambda d, t: progress.append((d, t)))
    assert path == tmp_path / "ok.bin" and path.read_bytes() == PAYLOAD
    assert progress[-1] == (len(PAYLOAD), len(PAYLOAD))
    meta = json.loads((tmp_path / "ok.bin.json").read_text(encoding="utf-8"))
    assert meta["sha256"] == SHA and meta["size"] == len(PAYLOAD)
    assert meta["vintage"] == "mis à jour le 4 avril 2025"
    assert not list(tmp_path.glob("*.part"))


def test_cached_file_served_offline_without_network(http_server, tmp_path):
    reg = _registry(http_server)
    fetch("ok", registry=reg, cache=tmp_path)
    assert _Handler.hits["/ok"] == 1
    assert fetch("ok", registry=reg, cache=tmp_path, offline=True).read_bytes() == PAYLOAD
    assert fetch("ok", registry=reg, cache=tmp_path).is_file()
    assert _Handler.hits["/ok"] == 1  # no second request
    fetch("ok", registry=reg, cache=tmp_path, refresh=True)
    assert _Handler.hits["/ok"] == 2


def test_offline_without_cache_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("ESS_GEO_OFFLINE", "1")
    reg = _registry("http://127.0.0.1:9")
    with pytest.raises(DatasetError, match="'ok' is not in the cache"):
        fetch("ok", registry=reg, cache=tmp_path)


def test_404_fails_at_once_and_leaves_nothing(http_server, tmp_path):
    with pytest.raises(DatasetError, match="HTTP 404") as exc:
        fetch("missing", registry=_registry(http_server), cache=tmp_path, backoff=0)
    assert "HTTP 404" in exc.value.fr
    assert _Handler.hits["/missing"] == 1
    assert not (tmp_path / "missing.bin").exists()


def test_truncated_body_is_retried_then_fails_without_final_file(http_server, tmp_path):
    with pytest.raises(DatasetError, match=r"after 3 attempts.*truncated"):
        fetch("truncated", registry=_registry(http_server), cache=tmp_path, retries=2, backoff=0)
    assert _Handler.hits["/truncated"] == 3
    assert not (tmp_path / "truncated.bin").exists()  # never a half-written final file
    assert (tmp_path / "truncated.bin.part").exists()  # kept for resuming


def test_interrupted_download_resumes_with_range(http_server, tmp_path):
    path = fetch("flaky", registry=_registry(http_server), cache=tmp_path, backoff=0)
    assert path.read_bytes() == PAYLOAD
    assert _Handler.ranges == [None, "bytes=40000-"]


def test_server_busy_is_retried(http_server, tmp_path):
    assert fetch("busy", registry=_registry(http_server), cache=tmp_path, backoff=0).read_bytes() == PAYLOAD
    assert _Handler.hits["/busy"] == 2


def test_wrong_checksum_or_size_deletes_the_download(http_server, tmp_path):
    reg = _registry(http_server)
    with pytest.raises(DatasetError, match="checksum mismatch for 'badsum'"):
        fetch("badsum", registry=reg, cache=tmp_path)
    with pytest.raises(DatasetError, match="expected 123"):
        fetch("badsize", registry=reg, cache=tmp_path)
    assert not list(tmp_path.glob("bad*"))


def test_vintage_from_remote_file_name(http_server, tmp_path):
    reg = _registry(http_server)
    fetch("named", registry=reg, cache=tmp_path)
    entry = next(e for e in cached(registry=reg, cache=tmp_path) if e.name == "named")
    assert entry.cached and entry.vintage == "extraction du 4 avril 2025 à 08:39"
    assert next(e for e in cached(registry=reg, cache=tmp_path) if e.name == "ok").cached is False


def test_unknown_dataset_names_known_ones(tmp_path):
    with pytest.raises(DatasetError, match=r"unknown dataset 'rppps'.*rpps"):
        fetch("rppps", cache=tmp_path)


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("ESS_GEO_CACHE", str(tmp_path / "c"))
    assert datasets.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("ESS_GEO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datasets.cache_dir() == tmp_path / "xdg" / "ess_geo"


def test_registry_points_to_official_publishers_only():
    official = ("annuaire.sante.fr", "data.gouv.fr", "drees.solidarites-sante.gouv.fr", "ameli.fr", "atlasante.fr",
                "ars.sante.fr")
    for ds in datasets.DATASETS.values():
        assert ds.url is None or ds.url.startswith("https://")
        text = " ".join((ds.url or "", ds.source_page, ds.publisher, ds.note)).lower()
        assert "github" not in text and "raw.githubusercontent" not in text, ds.name
        assert any(site in ds.source_page for site in official), ds.name
    reg = datasets.DATASETS
    assert "annuaire.sante.fr" in reg["rpps"].url and "ANS" in reg["rpps"].publisher
    assert reg["finess"].url.startswith("https://www.data.gouv.fr/") and "cs1100507" in reg["finess"].source_page
    assert "DREES" in reg["drees-effectifs"].publisher and "démographie" in reg["drees-effectifs"].title
    assert "CNAM" in reg["cnam-liberaux"].publisher and "ameli" in reg["cnam-liberaux"].source_page
    assert "ARS" in reg["zonage-mg"].publisher


def test_dataset_without_official_file_names_its_page(tmp_path):
    with pytest.raises(DatasetError, match=r"no official file at a stable address.*drees") as exc:
        fetch("drees-effectifs", cache=tmp_path)
    assert "télécharger depuis https://drees.solidarites-sante.gouv.fr" in exc.value.fr
    assert not list(tmp_path.iterdir())


def test_fetch_finess_follows_the_data_gouv_redirect(http_server, tmp_path):
    _Handler.finess_body = write_finess_synthetic(tmp_path).read_bytes()
    reg = {"finess": replace(datasets.DATASETS["finess"], url=http_server + "/r/finess")}
    path = fetch("finess", registry=reg, cache=tmp_path / "cache")
    assert path.name == "etalab-cs1100507-stock.csv" and path.read_bytes() == _Handler.finess_body
    entry = cached(registry=reg, cache=tmp_path / "cache")[0]
    assert entry.vintage == "extraction du 12 mai 2026 à 03:39"  # the dated file name behind the redirect
    assert "data.gouv.fr" in entry.source and "github" not in entry.source.lower()
    assert load_finess(path).stats["kept"]["ess"] == 3


def test_cli_fetch_and_list(http_server, tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "DATASETS", _registry(http_server))
    monkeypatch.setenv("ESS_GEO_CACHE", str(tmp_path))
    runner = CliRunner()
    res = runner.invoke(cli, ["data", "fetch", "ok"])
    assert res.exit_code == 0, res.output
    assert "SHA-256" in res.output and "(vérifiée)" in res.output and "millésime" in res.output
    res = runner.invoke(cli, ["data", "list"])
    assert res.exit_code == 0 and "ok" in res.output and "oui" in res.output
    res = runner.invoke(cli, ["data", "fetch", "missing", "--retries", "0"])
    assert res.exit_code == 2 and "Erreur" in res.output and "404" in res.output


def test_local_server_is_loopback_only(http_server):
    assert http_server.startswith("http://127.0.0.1:")
    assert Path(__file__).name == "test_datasets.py"


def test_cli_list_shows_official_publishers(tmp_path, monkeypatch):
    monkeypatch.setenv("ESS_GEO_CACHE", str(tmp_path))
    res = CliRunner().invoke(cli, ["data", "list"])
    assert res.exit_code == 0, res.output
    for word in ("rpps", "finess", "drees-effectifs", "cnam-liberaux", "zonage-mg", "annuaire.sante.fr",
                 "data.gouv.fr", "DREES", "CNAM", "ARS"):
        assert word in res.output
    assert "github" not in res.output.lower()
    res = CliRunner().invoke(cli, ["data", "fetch", "zonage-mg"])
    assert res.exit_code == 2 and "pas de fichier officiel à adresse stable" in res.output


# --- issue 15 item 2: the cache can be neither corrupted nor poisoned, and never hangs ---


def test_two_concurrent_fetches_with_a_leftover_part_give_one_correct_file(http_server, tmp_path):
    reg = _registry(http_server)
    (tmp_path / "zip.bin.part").write_bytes(b"garbage of an earlier run" * 20_000)  # no validator: not resumed
    results, errors = [], []

    def one() -> None:
        try:
            results.append(fetch("zip", registry=reg, cache=tmp_path, backoff=0))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(results) == 2 and results[0] == results[1]
    assert results[0].read_bytes() == ZIP_PAYLOAD
    assert _Handler.hits["/zip"] == 1  # the second waited for the lock and took the verified file
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["zip.bin", "zip.bin.json"]


def test_concurrent_fetches_in_two_processes(http_server, tmp_path):
    code = (
        "import sys; from ess_geo.inputs.datasets import Dataset, fetch\n"
        f"ds = Dataset(name='zip', title='synthetic', url={http_server + '/zip'!r}, filename='zip.bin', "
        "publisher='s', licence='', source_page='', kind='zip')\n"
        f"print(fetch('zip', registry={{'zip': ds}}, cache={str(tmp_path)!r}, backoff=0))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert (tmp_path / "zip.bin").read_bytes() == ZIP_PAYLOAD
    assert _Handler.hits["/zip"] == 1


def test_html_page_with_status_200_is_refused(http_server, tmp_path):
    reg = _registry(http_server)
    for name in ("html", "htmlplain"):  # by Content-Type, and by content when the type lies
        with pytest.raises(DatasetError, match=r"refused.*HTML") as exc:
            fetch(name, registry=reg, cache=tmp_path, backoff=0)
        assert "page HTML" in exc.value.fr and name in exc.value.fr
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == []


def test_poisoned_cache_entry_is_deleted_and_fetched_again(http_server, tmp_path):
    reg = _registry(http_server)
    (tmp_path / "zip.bin").write_bytes(HTML_PAGE)  # an older version stored an error page under the final name
    (tmp_path / "zip.bin.json").write_text(json.dumps({"size": len(HTML_PAGE)}), encoding="utf-8")
    assert fetch("zip", registry=reg, cache=tmp_path).read_bytes() == ZIP_PAYLOAD
    assert _Handler.hits["/zip"] == 1
    (tmp_path / "zip.bin.json").unlink()  # a file without its sidecar (written last) is not trusted either
    assert fetch("zip", registry=reg, cache=tmp_path).read_bytes() == ZIP_PAYLOAD
    assert _Handler.hits["/zip"] == 2
    (tmp_path / "zip.bin").write_bytes(HTML_PAGE)
    with pytest.raises(DatasetError, match="not in the cache"):  # offline: refused, never returned
        fetch("zip", registry=reg, cache=tmp_path, offline=True)
    assert not (tmp_path / "zip.bin").exists()


def test_short_content_length_and_wrong_csv_header_are_refused(http_server, tmp_path):
    reg = _registry(http_server)
    with pytest.raises(DatasetError, match="not a complete zip") as exc:
        fetch("short", registry=reg, cache=tmp_path, backoff=0)
    assert "archive zip" in exc.value.fr
    with pytest.raises(DatasetError, match=r"'nom;adresse'.*finess;etalab") as exc:
        fetch("badcsv", registry=reg, cache=tmp_path, backoff=0)
    assert "ligne 1" in exc.value.fr
    assert not (tmp_path / "short.bin").exists() and not (tmp_path / "badcsv.bin").exists()


def test_stalled_server_stops_after_the_timeout_in_french(http_server, tmp_path, monkeypatch):
    reg = _registry(http_server)
    with pytest.raises(DatasetError, match="stalled") as exc:
        fetch("stalled", registry=reg, cache=tmp_path, timeout=0.3, backoff=0)
    assert "ne répond plus" in exc.value.fr and "--timeout" in exc.value.fr
    assert _Handler.hits["/stalled"] == 1  # not retried
    assert not (tmp_path / "stalled.bin").exists()
    monkeypatch.setattr(datasets, "DATASETS", reg)
    monkeypatch.setenv("ESS_GEO_CACHE", str(tmp_path))
    res = CliRunner().invoke(cli, ["data", "fetch", "stalled", "--timeout", "0.3"])
    assert res.exit_code == 2 and "ne répond plus" in res.output


def test_leftover_download_of_a_killed_fetch_is_removed_under_the_lock(http_server, tmp_path):
    leftover = tmp_path / ".zip.bin.a1b2c3d4.download"
    leftover.write_bytes(b"half a download")
    other = tmp_path / ".other.bin.a1b2c3d4.download"  # another dataset's download in progress: untouched
    other.write_bytes(b"busy")
    assert fetch("zip", registry=_registry(http_server), cache=tmp_path).read_bytes() == ZIP_PAYLOAD
    assert not leftover.exists() and other.exists()
