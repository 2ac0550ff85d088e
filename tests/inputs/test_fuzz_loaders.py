"""Fuzz test of every loader on random and truncated variants of each real format (issue 15, item 7).

A seeded generator (reproducible, bounded: about :data:`N_VARIANTS` files per format) derives
variants of the real files of ../shared/data: the DREES table, the CNAM table, the RPPS extraction
(plain and in a zip), the national zonage, the ESS sources and the embedded registry built from
them, and a FINESS extraction in the official layout (synthetic content: no real extraction is
available). Each variant truncates the file, flips, inserts or deletes bytes, drops, repeats or
swaps lines, or puts a hostile token in a field (huge or negative numbers, NUL, separators,
quotes, undecodable bytes, formula-looking text, a long field). The only allowed outcomes are a
result with its ``dropped`` report (or a registry) and :class:`~ess_geo.errors.InputDataError`;
any other exception fails, naming the format, the variant number and what was done, with the
variant kept in the test's tmp folder.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ess_geo.dropped import DroppedRows
from ess_geo.errors import InputDataError
from ess_geo.inputs.finess import load_finess
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.registry import Registry, load_registry
from ess_geo.inputs.zonage import load_zonage
from synthetic import write_finess_synthetic

SEED = 15
N_VARIANTS = 36
RPPS_MEMBER = "PS_LibreAcces_Personne_activite_202112020908.txt"

TOKENS: tuple[bytes, ...] = (
    b"", b"\x00", b"\xff\xfe", b"\x81\x8d", b'"', b'""', b";", b",", b"|", b"\t", b"\n", b"\r\n", b"\r",
    b"-5", b"NaN", b"3.5", b"1e308", b"inf", str(2**63).encode(), str(2**64).encode(), b"9" * 40, b"0x1F",
    b"=cmd|' /C calc'!A0", b"@SUM(1)", "Créteil".encode("cp1252"), "Créteil".encode(), b"\xef\xbb\xbf",
    b"x" * 12_000, b'"' + b"a\n" * 200 + b'"', b"Total g\xc3\xa9n\xc3\xa9ral", b"2A", b"02B", b"975", b"00000",
)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _mutate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """One random variant of ``data`` and what was done to it."""
    done = []
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(("truncate", "flip", "insert", "delete_line", "repeat_line", "swap_lines", "field"))
        lines = _lines(data)
        i = rng.randrange(len(lines))
        if op == "truncate":
            cut = rng.randrange(len(data) + 1)
            data, what = data[:cut], f"truncate at {cut}"
        elif op == "flip":
            at = rng.randrange(max(len(data), 1))
            data, what = data[:at] + bytes([rng.randrange(256)]) + data[at + 1:], f"byte {at} changed"
        elif op == "insert":
            at, token = rng.randrange(len(data) + 1), rng.choice(TOKENS)
            data, what = data[:at] + token + data[at:], f"insert {token[:20]!r} at {at}"
        elif op == "delete_line":
            data, what = b"\n".join(lines[:i] + lines[i + 1:]), f"delete line {i + 1}"
        elif op == "repeat_line":
            data, what = b"\n".join(lines[:i + 1] + lines[i:]), f"repeat line {i + 1}"
        elif op == "swap_lines":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            data, what = b"\n".join(lines), f"swap lines {i + 1} and {j + 1}"
        else:
            data, what = _replace_field(rng, lines, i)
        done.append(what)
    return data, "; ".join(done)


def _replace_field(rng: random.Random, lines: list[bytes], i: int) -> tuple[bytes, str]:
    sep = next((s for s in (b"|", b";", b",") if s in lines[i]), b",")
    fields = lines[i].split(sep)
    k = rng.randrange(len(fields))
    token = rng.choice(TOKENS)
    fields[k] = token
    lines[i] = sep.join(fields)
    return b"\n".join(lines), f"line {i + 1} field {k + 1} := {token[:20]!r}"


def _zipped(data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(RPPS_MEMBER, data)
    return buf.getvalue()


def _check_outcome(loader: Callable, path: Path, label: str) -> str:
    """Run ``loader``: a result with its dropped report, or InputDataError; anything else fails."""
    try:
        result = loader(path)
    except InputDataError as exc:
        assert exc.fr and len(exc.fr) < 1000, f"{label}: French message missing or too long ({len(exc.fr)} chars)"
        return "error"
    except Exception as exc:  # the point of the test: name any other exception
        pytest.fail(f"{label}: {type(exc).__name__}: {str(exc)[:300]} (variant kept in {path})")
    if isinstance(result, Registry):
        return "result"
    assert isinstance(result.dropped, DroppedRows), f"{label}: no dropped report"
    return "result"


def _seeds(shared_data: Path, tmp_path: Path) -> dict[str, tuple[bytes, Callable, str]]:
    """Format → (real bytes, loader, file name)."""
    eff = shared_data / "medecins_effectifs"
    zonage = (shared_data / "zonage" / "zonage_mg_code_postal_national.csv").read_bytes()
    cnam = (eff / "cnam_2018_specialistes_liberaux_par_departement.csv").read_bytes()
    rpps = (shared_data / "rpps" / "PS_LibreAcces_Personne_activite_extrait_2021-12.txt").read_bytes()
    registry = (Path(__file__).parents[2] / "src" / "ess_geo" / "reference" / "data" / "ess_registry.csv").read_bytes()
    finess = write_finess_synthetic(tmp_path).read_bytes()
    return {
        "drees": ((eff / "drees_rpps_effectifs_dep_x_specialite15.csv").read_bytes(), load_supply, "drees.csv"),
        "cnam": (b"\n".join(_lines(cnam)[:300]), load_supply, "cnam.csv"),
        "rpps": (rpps, load_supply, RPPS_MEMBER),
        "rpps-zip": (rpps, load_supply, "PS_LibreAcces.zip"),
        "zonage": (b"\n".join(_lines(zonage)[:400]), load_zonage, "zonage.csv"),
        "ess-sources": ((shared_data / "ess" / "ess_connues_sources.csv").read_bytes(), load_registry, "ess.csv"),
        "registry": (registry, load_registry, "registry.csv"),
        "finess-synthetic": (finess, load_finess, "finess_synthetic.csv"),
    }


@pytest.mark.parametrize("fmt", ["drees", "cnam", "rpps", "rpps-zip", "zonage", "ess-sources", "registry",
                                 "finess-synthetic"])
def test_every_loader_gives_a_result_or_an_input_error(fmt, shared_data, tmp_path, capfd):
    data, loader, name = _seeds(shared_data, tmp_path)[fmt]
    rng = random.Random(f"{SEED}-{fmt}")
    outcomes = {"result": 0, "error": 0}
    # the real file itself, then fixed truncations (empty, one byte, mid-header, mid-body, last byte)
    variants = [(data, "unchanged")]
    first_line = len(_lines(data)[0])
    for cut in (0, 1, first_line // 2, first_line + 1, len(data) // 2, len(data) - 1):
        variants.append((data[:cut], f"truncate at {cut}"))
    variants += [_mutate(rng, data) for _ in range(N_VARIANTS)]
    for k, (variant, what) in enumerate(variants):
        path = tmp_path / f"v{k}" / name
        path.parent.mkdir()
        if fmt == "rpps-zip":
            zipped = _zipped(variant)
            # also damage the zip itself for half of the variants
            if k % 2 and zipped:
                at = rng.randrange(len(zipped))
                zipped, what = zipped[:at] + bytes([rng.randrange(256)]) + zipped[at + 1:], f"{what}; zip byte {at}"
            variant = zipped
        path.write_bytes(variant)
        outcomes[_check_outcome(loader, path, f"{fmt} variant {k} ({what})")] += 1
    assert outcomes["result"] + outcomes["error"] == len(variants)
    err = capfd.readouterr().err
    assert "Exception ignored" not in err and "Traceback" not in err, err[:500]
    if fmt not in ("cnam", "ess-sources"):  # not supply/registry formats: every variant is refused
        assert outcomes["result"] >= 1  # the real file itself reads
