"""The inputs layer's shared file checks: path given, file readable, text decoded."""

from __future__ import annotations

from pathlib import Path

import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs._files import check_path, decode_text, short_repr, unreadable


def test_check_path_accepts_a_file_and_names_what_is_wrong(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("a\n", encoding="utf-8")
    assert check_path(str(f), "supply", "load_supply", "fichier d'effectifs") == f
    with pytest.raises(InputDataError, match=r"load_supply: path must be a file path .* got int: 42") as info:
        check_path(42, "supply", "load_supply", "fichier d'effectifs")
    assert "reçu int" in info.value.fr
    with pytest.raises(InputDataError, match="is a directory") as info:
        check_path(tmp_path, "supply", "load_supply", "fichier d'effectifs")
    assert info.value.path == str(tmp_path)
    with pytest.raises(InputDataError, match="supply file not found") as info:
        check_path(tmp_path / "absent.csv", "supply", "load_supply", "fichier d'effectifs")
    assert info.value.fr.startswith("fichier d'effectifs introuvable")
    with pytest.raises(InputDataError):
        check_path(True, "supply", "load_supply", "fichier d'effectifs")


def test_unreadable_names_the_file_and_the_reason():
    err = unreadable(Path("/x/y.csv"), PermissionError(13, "Permission denied"), "registry", "registre")
    assert "cannot read registry file '/x/y.csv': Permission denied" in str(err)
    assert err.fr == "registre illisible : /x/y.csv (Permission denied)" and err.path == "/x/y.csv"


@pytest.mark.parametrize(
    ("raw", "text", "encoding"),
    [
        ("Créteil\n".encode(), "Créteil\n", "utf-8"),
        ("Créteil\n".encode("utf-8-sig"), "Créteil\n", "utf-8"),  # BOM dropped
        ("Créteil\n".encode("cp1252"), "Créteil\n", "cp1252"),
        (b"", "", "utf-8"),
    ],
)
def test_decode_text_utf8_else_windows_1252(raw, text, encoding):
    assert decode_text(raw, "f.csv", "registre") == (text, encoding)


def test_decode_text_neither_names_the_byte_and_the_file():
    with pytest.raises(InputDataError, match=r"'f\.csv' is neither UTF-8 nor Windows-1252 text \(byte 0x81 at offset 2\)") as info:
        decode_text(b"ab\x81cd", Path("f.csv"), "registre")
    assert info.value.fr == "registre illisible (encodage ni UTF-8 ni Windows-1252) : f.csv"
    assert info.value.path == "f.csv"


def test_short_repr_cuts_long_values():
    assert short_repr("a") == "'a'"
    assert short_repr("x" * 200) == repr("x" * 200)[:77] + "..."
