"""Limits on input files and hostile or damaged files (issue 15, items 5 and 6).

Each case of the issue is rebuilt as a small file: the zip bombs are small because the limits are
lowered with ``monkeypatch.setitem(LIMITS, ...)``; the oversized files are sparse (no disk used),
so refusing them proves the size is checked before a byte is read.
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import run_cli
from ess_geo.errors import InputDataError
from ess_geo.inputs._files import checked_rows, csv_error_fr, read_limited
from ess_geo.inputs._limits import INT64_MAX, LIMITS, check_int64, shorten, size_fr
from ess_geo.inputs.finess import load_finess
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.registry import load_registry
from ess_geo.inputs.rpps import load_rpps
from ess_geo.inputs.zonage import load_zonage
from synthetic import DREES_HEADER, write_drees

MEMBER = "PS_LibreAcces_Personne_activite_202112020908.txt"


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _patch_zip(data: bytes, *, flags: int | None = None, method: int | None = None) -> bytes:
    """Set the flag bits or the compression method of every entry (local and central headers)."""
    out = bytearray(data)
    for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        pos = out.find(sig)
        while pos >= 0:
            if flags is not None:
                struct.pack_into("<H", out, pos + flag_at, flags)
            if method is not None:
                struct.pack_into("<H", out, pos + method_at, method)
            pos = out.find(sig, pos + 4)
    return bytes(out)


@pytest.fixture
def rpps_bytes(rpps_extract: Path) -> bytes:
    return rpps_extract.read_bytes()


# --- item 5: sizes, lines, fields, columns --------------------------------------------------------


@pytest.mark.parametrize(
    ("loader", "kind", "name"),
    [(load_registry, "registry", "synthetic_registry.csv"), (load_zonage, "zonage", "synthetic_zonage.csv"),
     (load_finess, "finess", "synthetic_finess.csv"), (load_rpps, "rpps", MEMBER)],
)
def test_a_sparse_file_over_the_limit_is_refused_before_it_is_read(tmp_path, loader, kind, name):
    path = _sparse(tmp_path / name, LIMITS["bytes"][kind] + 1)
    with pytest.raises(InputDataError, match=rf"{kind} file .*too large: {LIMITS['bytes'][kind] + 1} bytes") as info:
        loader(path)
    assert "trop volumineux" in info.value.fr and "limite" in info.value.fr and name in info.value.fr


def test_a_drees_table_over_the_supply_limit(tmp_path, monkeypatch, drees_effectifs):
    monkeypatch.setitem(LIMITS["bytes"], "supply", 1000)
    path = tmp_path / "drees.csv"
    path.write_bytes(drees_effectifs.read_bytes())
    with pytest.raises(InputDataError, match=r"supply file .* too large: 6\d{3} bytes, the limit is 1000") as info:
        load_supply(path)
    assert info.value.fr == "fichier d'effectifs trop volumineux : drees.csv (6 ko ; limite 1 000 octets)"


def test_a_line_over_the_limit_names_its_number(tmp_path):
    path = write_drees(tmp_path / "synthetic_long_line.csv", "75,12,3,15", "77," + "1" * 100_001 + ",3,15")
    with pytest.raises(InputDataError, match=r"line 3 is 100\d{3} bytes long, the limit is 100000") as info:
        load_supply(path)
    assert "ligne 3 trop longue" in info.value.fr and info.value.line == 3


def test_a_field_over_the_csv_module_limit_is_an_input_error_not_csv_error(tmp_path):
    # a quoted field spread over short lines: no line is long, the field is (the _csv.Error)
    long_field = '"' + "\n".join(["x" * 1000] * 12) + '"'
    path = write_drees(tmp_path / "synthetic_long_field.csv", "75,12,3,15", f"77,{long_field},3,15")
    with pytest.raises(InputDataError, match=r"line 14 is 12011 characters long \(limit 10000\): 'xxx") as info:
        load_supply(path)
    assert "champ trop long à la ligne 14" in info.value.fr
    long_field = '"' + "\n".join(["x" * 1000] * 140) + '"'
    path = write_drees(tmp_path / "synthetic_long_field.csv", "75,12,3,15", f"77,{long_field},3,15")
    with pytest.raises(InputDataError, match=r"CSV error at line \d+: field larger than field limit") as info:
        load_supply(path)
    assert "champ trop long (plus de 131072 caractères)" in info.value.fr


def test_one_french_translation_of_csv_errors_for_every_reader():
    # the DREES/zonage/FINESS readers and the registry say the same French words, never the English text
    assert csv_error_fr(csv.Error("field larger than field limit (131072)")) == "champ trop long (plus de 131072 caractères)"
    assert csv_error_fr(csv.Error("new-line character seen in unquoted field - do you need ...")).startswith("saut de ligne")
    assert csv_error_fr(csv.Error("some future English message")) == "format CSV invalide"


def test_too_many_columns(tmp_path):
    header = DREES_HEADER + "," + ",".join(f"c{i}" for i in range(300))
    path = write_drees(tmp_path / "synthetic_wide.csv", "75,12,3,15", header=header)
    with pytest.raises(InputDataError, match=r"line 1 has 304 fields, the limit is 256") as info:
        load_supply(path)
    assert info.value.fr == "fichier d'effectifs synthetic_wide.csv : 304 colonnes à la ligne 1 (limite 256)"
    zon = tmp_path / "synthetic_zonage_wide.csv"
    zon.write_text("Code_postal;Nom_commune;Zonage;" + ";".join(f"c{i}" for i in range(300)) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="303 fields"):
        load_zonage(zon)


def test_checked_rows_passes_line_numbers_through(tmp_path):
    import csv

    reader = csv.reader(io.StringIO('a,b\n"x\ny",z\n'))
    rows = [(row, reader.line_num) for row in checked_rows(reader, tmp_path / "f.csv", "registry")]
    assert rows == [(["a", "b"], 1), (["x\ny", "z"], 3)]


def test_read_limited_turns_os_errors_into_input_errors(tmp_path):
    with pytest.raises(InputDataError, match="cannot read registry file"):
        read_limited(tmp_path / "absent.csv", "registry")


# --- item 6: numbers beyond int64, undecodable text, long strings ---------------------------------


@pytest.mark.parametrize("value", [str(2**63), str(2**64), "9" * 40])
def test_a_count_beyond_int64_is_refused_naming_line_and_value(tmp_path, value):
    path = write_drees(tmp_path / "synthetic_huge_count.csv", "75,12,3,15", f"77,{value},3,15")
    with pytest.raises(InputDataError, match=rf"line 3, 07-Cardiologie, dept_code 77: count {value[:29]}") as info:
        load_supply(path)
    assert "ligne 3, 07-Cardiologie, dept_code 77 : effectif" in info.value.fr and "hors limites" in info.value.fr
    assert check_int64(INT64_MAX, 1, "x") == INT64_MAX


def test_undecodable_zonage_bytes(tmp_path):
    path = tmp_path / "synthetic_zonage_bytes.csv"
    path.write_bytes(b"Code_postal;Nom_commune;Zonage\n1400;Ab\x81\x8d;1_ZIP\n")  # neither UTF-8 nor cp1252
    with pytest.raises(InputDataError, match=r"neither UTF-8 nor Windows-1252 text \(byte 0x81") as info:
        load_zonage(path)
    assert info.value.fr.startswith("fichier de zonage illisible (encodage ni UTF-8 ni Windows-1252)")


def test_long_user_strings_are_shortened_in_messages(tmp_path):
    assert shorten("x" * 500) == "x" * 79 + "…" and shorten("court") == "court"
    assert size_fr(64 << 20) == "64 Mo" and size_fr(3 << 29) == "1,5 Go" and size_fr(812) == "812 octets"
    path = tmp_path / "synthetic_zonage_long_name.csv"
    path.write_text(f"Code_postal;{'N' * 5000};Zonage\n1400;Bourg;1_ZIP\n", encoding="utf-8")
    with pytest.raises(InputDataError) as info:
        load_zonage(path)
    assert len(info.value.fr) < 300 and "…" in info.value.fr
    path.write_text(f"Code_postal;{'N' * 20_000};Zonage\n1400;Bourg;1_ZIP\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="is 20000 characters long") as info:
        load_zonage(path)
    assert len(info.value.fr) < 300


# --- item 6: the RPPS extraction and its zip ------------------------------------------------------


def test_garbage_after_the_rpps_header_prints_nothing_and_is_dropped(tmp_path, capfd, rpps_bytes):
    path = tmp_path / MEMBER
    path.write_bytes(rpps_bytes.split(b"\n")[0] + b"\n" + b"garbage\x00\xff\n" * 3)
    supply = load_supply(path)
    assert supply.dropped.count == 3 and supply.stats["encoding"] == "cp1252"
    err = capfd.readouterr().err
    assert "Exception ignored" not in err and "on_invalid" not in err


def test_two_rpps_members_are_refused_naming_them(tmp_path, rpps_bytes):
    path = tmp_path / "PS_LibreAcces.zip"
    path.write_bytes(_zip({"PS_LibreAcces_Personne_activite_1.txt": rpps_bytes,
                           "PS_LibreAcces_Personne_activite_2.txt": rpps_bytes}))
    with pytest.raises(InputDataError, match=r"holds 2 PS_LibreAcces_Personne_activite.*_1\.txt, .*_2\.txt") as info:
        load_supply(path)
    assert "exactement un fichier PS_LibreAcces_Personne_activite, elle en contient 2" in info.value.fr
    path.write_bytes(_zip({"PS_LibreAcces_SavoirFaire.txt": b"x"}))
    with pytest.raises(InputDataError, match=r"holds no PS_LibreAcces_Personne_activite.*SavoirFaire"):
        load_rpps(path)


def test_too_many_zip_members(tmp_path, rpps_bytes, monkeypatch):
    monkeypatch.setitem(LIMITS, "zip_members", 2)
    path = tmp_path / "PS_LibreAcces.zip"
    path.write_bytes(_zip({MEMBER: rpps_bytes, "a.txt": b"a", "b.txt": b"b"}))
    with pytest.raises(InputDataError, match="has 3 members, the limit is 2"):
        load_rpps(path)


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path, rpps_bytes, monkeypatch):
    header = rpps_bytes.split(b"\n")[0] + b"\n"
    bomb = header + b"\n" * (4 << 20)  # 4 MiB inflating from a few KB: ratio about 1000
    path = tmp_path / "PS_LibreAcces.zip"
    path.write_bytes(_zip({MEMBER: bomb}))
    assert path.stat().st_size < 20_000
    monkeypatch.setitem(LIMITS, "zip_ratio_from", 1 << 20)
    with pytest.raises(InputDataError, match=r"is compressed \d+ times \(limit 100\): a zip bomb") as info:
        load_supply(path)
    assert "bombe de décompression" in info.value.fr
    monkeypatch.setitem(LIMITS, "zip_uncompressed", 1 << 20)
    with pytest.raises(InputDataError, match=r"inflates to 4\d{6} bytes, the limit is 1048576") as info:
        load_supply(path)
    assert info.value.fr == "l'archive PS_LibreAcces.zip se décompresse en 4 Mo (limite 1 Mo)"


def test_encrypted_and_deflate64_members_are_refused(tmp_path, rpps_bytes):
    path = tmp_path / "PS_LibreAcces.zip"
    path.write_bytes(_patch_zip(_zip({MEMBER: rpps_bytes}), flags=0x1))
    with pytest.raises(InputDataError, match="is encrypted") as info:
        load_supply(path)
    assert info.value.fr == f"l'archive PS_LibreAcces.zip est chiffrée ({MEMBER})"
    path.write_bytes(_patch_zip(_zip({MEMBER: rpps_bytes}), method=9))
    with pytest.raises(InputDataError, match="compression method Deflate64") as info:
        load_supply(path)
    assert "méthode de compression non prise en charge (Deflate64)" in info.value.fr


def _flip(data: bytes, at: int) -> bytes:
    out = bytearray(data)
    out[at] ^= 0xFF
    return bytes(out)


def test_damaged_zips_are_input_errors(tmp_path, rpps_bytes):
    path = tmp_path / "PS_LibreAcces.zip"
    body = rpps_bytes * 20
    stored = _zip({MEMBER: body}, zipfile.ZIP_STORED)
    data_at = stored.find(b"PS_LibreAcces_Personne_activite_2021") + len(MEMBER) + 4000
    path.write_bytes(_flip(stored, data_at))  # stored data changed: bad CRC-32
    with pytest.raises(InputDataError, match=r"cannot read the zip .*BadZipFile: Bad CRC-32") as info:
        load_supply(path)
    assert info.value.fr.startswith("archive zip endommagée ou illisible : PS_LibreAcces.zip")
    deflated = _zip({MEMBER: body})
    path.write_bytes(_flip(deflated, 400))  # deflate stream damaged: zlib.error
    with pytest.raises(InputDataError, match=r"cannot read the zip .*error: Error -3 while decompressing"):
        load_supply(path)
    # deflate stream cut short, directory intact
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = raw.compress(body) + raw.flush()
    cut = _zip({MEMBER: stream[: len(stream) // 2]}, zipfile.ZIP_STORED)
    cut = _patch_zip(cut, method=zipfile.ZIP_DEFLATED)
    path.write_bytes(cut)
    with pytest.raises(InputDataError, match=r"cannot read the zip .*BadZipFile"):
        load_supply(path)
    path.write_bytes(deflated[: len(deflated) // 2])  # truncated file: no directory left
    with pytest.raises(InputDataError):
        load_supply(path)


@pytest.mark.parametrize("case", ["bomb", "two members", "huge count", "truncated", "sparse registry"])
def test_cli_exits_2_with_one_french_line(tmp_path, capsys, monkeypatch, rpps_bytes, case):
    path = tmp_path / "PS_LibreAcces.zip"
    if case == "bomb":
        monkeypatch.setitem(LIMITS, "zip_ratio_from", 1 << 20)
        path.write_bytes(_zip({MEMBER: rpps_bytes.split(b"\n")[0] + b"\n" * (4 << 20)}))
    elif case == "two members":
        path.write_bytes(_zip({MEMBER: rpps_bytes, MEMBER.replace("2021", "2022"): rpps_bytes}))
    elif case == "huge count":
        path = write_drees(tmp_path / "synthetic_huge.csv", f"77,{2**64},3,15")
    elif case == "truncated":
        path.write_bytes(_flip(_zip({MEMBER: rpps_bytes * 20}, zipfile.ZIP_STORED), 5000))
    option = "--supply"
    if case == "sparse registry":
        option, path = "--registry", _sparse(tmp_path / "registry.csv", 2 << 30)
    code, out, err = run_cli(["check", "-s", "cardiologie", "-d", "77,91", option, str(path)], capsys)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    expected = {"bomb": "bombe de décompression", "two members": "exactement un fichier", "huge count": "hors limites",
                "truncated": "archive zip endommagée", "sparse registry": "registre trop volumineux"}[case]
    assert expected in err, err


def test_the_readme_states_the_limits():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Limits on input files", 1)[1].split("\n\n", 3)[2]
    rows = {line.split("|")[1].strip().split(" (")[0]: line.split("|")[2].strip() for line in table.splitlines()[2:]}
    for kind, label in (("supply", "size of a supply table"), ("rpps", "size of an RPPS extraction, plain or the ANS zip"),
                        ("zonage", "size of a zonage file"), ("registry", "size of a registry file"),
                        ("finess", "size of a FINESS extraction")):
        assert rows[label] == size_fr(LIMITS["bytes"][kind]), label
    assert rows["one line"] == f"{LIMITS['line_bytes']:,} bytes".replace(",", " ")
    assert rows["one CSV field"] == f"{LIMITS['field_chars']:,} characters".replace(",", " ")
    assert rows["fields on a line"] == str(LIMITS["columns"])
    assert rows["members of the ANS zip"].startswith(str(LIMITS["zip_members"]))
    assert rows["uncompressed size of the RPPS member"] == size_fr(LIMITS["zip_uncompressed"])
    ratio_label = f"compression ratio of the RPPS member, when larger than {size_fr(LIMITS['zip_ratio_from'])}"
    assert rows[ratio_label.split(" (")[0]] == str(LIMITS["zip_ratio"])


def test_a_long_zonage_value_is_shortened_in_the_reason(tmp_path):
    path = tmp_path / "synthetic_zonage_long_value.csv"
    path.write_text("Code_postal;Nom_commune;Zonage\n1400;Bourg-en-Bresse;" + "Z" * 9000 + "\n", encoding="utf-8")
    zonage = load_zonage(path)
    (reason,) = zonage.unmatched["reason"]
    assert reason.startswith("valeur de zonage non reconnue : ZZZ") and reason.endswith("…") and len(reason) < 120


def test_an_rpps_line_over_a_block_is_an_input_error(tmp_path, rpps_bytes):
    lines = rpps_bytes.split(b"\n")
    path = tmp_path / MEMBER
    path.write_bytes(b"\n".join([*lines[:3], lines[3].replace(b"|", b"x" * (2 << 20) + b"|", 1), *lines[4:]]))
    with pytest.raises(InputDataError, match="straddles two block boundaries") as info:
        load_supply(path)
    assert info.value.fr == f"extraction RPPS illisible : {MEMBER} (une ligne dépasse 1 Mo)"
