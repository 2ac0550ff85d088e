"""load_supply / as_supply: format detection, path checks, unreadable and unrecognised files."""

from __future__ import annotations

import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs.load import as_supply, load_supply
from ess_geo.inputs.rpps import load_rpps
from synthetic import write_drees


def test_unrecognised_file(tmp_path):
    p = tmp_path / "synthetic.csv"
    p.write_text("foo,bar\n1,2\n")
    with pytest.raises(InputDataError, match="foo,bar"):
        load_supply(p)
    with pytest.raises(InputDataError, match="not found"):
        load_supply(tmp_path / "absent.csv")


@pytest.mark.parametrize("bad", [42, 3.5, None, b"x.csv", ["a.csv"]])
def test_load_supply_rejects_non_paths_naming_the_type(bad):
    with pytest.raises(InputDataError, match=rf"path must be a file path \(str or pathlib.Path\), got {type(bad).__name__}"):
        load_supply(bad)


def test_load_supply_rejects_a_dataframe():
    import pandas as pd

    with pytest.raises(InputDataError, match="got DataFrame") as info:
        load_supply(pd.DataFrame({"a": [1]}))
    assert "DataFrame" in info.value.fr


def test_as_supply_rejects_other_types():
    with pytest.raises(InputDataError, match=r"supply must be a Supply.*got int"):
        as_supply(42)


def test_load_supply_on_a_directory(tmp_path):
    with pytest.raises(InputDataError, match="is a directory") as info:
        load_supply(tmp_path)
    assert info.value.path == str(tmp_path)


def test_load_supply_on_an_unreadable_file(tmp_path, monkeypatch):
    p = write_drees(tmp_path / "synthetic_drees.csv", "77,5,3,8")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("ess_geo.inputs.load.open", denied, raising=False)
    with pytest.raises(InputDataError, match=r"cannot read supply file.*Permission denied"):
        load_supply(p)


def test_unrecognised_file_says_what_is_expected(tmp_path):
    f = tmp_path / "synthetic_other.csv"
    f.write_text("departement,cardio\n75,3\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="dept_code") as exc:
        load_supply(f)
    assert "première colonne dept_code" in exc.value.fr and "extraction RPPS" in exc.value.fr


def test_undecodable_supply_file_is_an_input_error(tmp_path):
    p = tmp_path / "synthetic_binary.csv"
    p.write_bytes(b"dept_code,07-Cardiologie,Total g\x81n\n1,2,2\n")
    with pytest.raises(InputDataError, match=r"synthetic_binary\.csv.*neither UTF-8 nor Windows-1252") as info:
        load_supply(p)
    assert info.value.path == str(p) and "fichier d'effectifs" in info.value.fr


def test_as_supply_passes_a_supply_and_none_through(tmp_path):
    s = load_supply(write_drees(tmp_path / "synthetic_drees.csv", "77,5,3,8"))
    assert as_supply(s) is s and as_supply(None) is None
    assert as_supply(str(tmp_path / "synthetic_drees.csv")).table.equals(s.table)


def test_truncated_zip_is_named_a_damaged_archive(tmp_path):
    """A zip cut short (download interrupted) was reported as a text file « encodage ni UTF-8 ni Windows-1252 »."""
    import zipfile

    whole = tmp_path / "PS_LibreAcces_synthetic.zip"
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("PS_LibreAcces_Personne_activite_synthetic.txt", "x" * 5000)
    cut = tmp_path / "cut_synthetic.zip"
    cut.write_bytes(whole.read_bytes()[:200])
    for loader in (load_supply, load_rpps):  # the same through load_rpps (it read the cut zip as text)
        with pytest.raises(InputDataError, match=r"cut_synthetic\.zip.*truncated") as exc:
            loader(cut)
        assert exc.value.fr == "archive zip tronquée ou endommagée : cut_synthetic.zip (télécharger à nouveau le fichier)"


def test_a_device_is_not_a_regular_file_not_a_missing_one():
    """/dev/null as --supply was « introuvable » (it exists): now said to be no regular file."""
    with pytest.raises(InputDataError, match=r"/dev/null.*not a regular file") as exc:
        load_supply("/dev/null")
    assert "n'est pas un fichier ordinaire" in exc.value.fr


def test_as_supply_falls_back_to_the_embedded_counts_only_when_asked():
    from ess_geo.inputs.embedded import load_embedded_supply
    from ess_geo.inputs.load import as_supply

    assert as_supply(None) is None
    assert as_supply(None, embedded=True).sources == load_embedded_supply().sources
