"""Zonage reader: name normalisation, class parsing, matching to COG 2025 communes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ess_geo.errors import InputDataError
from ess_geo.inputs.zonage import CLASS_PRIORITY, ZONAGE_LABELS, Zonage, load_zonage, parse_zonage_class


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1_ZIP", "ZIP"),
        ("ZIP", "ZIP"),
        ("Zone d'intervention prioritaire", "ZIP"),
        ("2_ZAC", "ZAC"),
        ("3_HZ", "HZ"),
        ("hors zonage", "HZ"),
        ("4_ZAR", "ZAR"),
        ("N/A - résultat non disponible", "NA"),
        ("", "NA"),
        ("5_XYZ", None),
    ],
)
def test_parse_zonage_class(raw, code):
    assert parse_zonage_class(raw) == code


def test_classes_have_french_labels_and_priority():
    assert set(CLASS_PRIORITY) == set(ZONAGE_LABELS)
    assert CLASS_PRIORITY[0] == "ZIP"
    assert ZONAGE_LABELS["ZIP"] == "Zone d'intervention prioritaire"


@pytest.fixture
def synthetic_postal_file(tmp_path):
    """Synthetic rows shaped like the national file, naming real communes."""
    path = tmp_path / "zonage_synthetic.csv"
    path.write_text(
        "Code_postal,Nom_commune,Zonage\n"
        "1400,L'Abergement-Clémenciat,2_ZAC\n"  # leading zero lost, article
        "1400,Abergement Clemenciat,1_ZIP\n"  # same commune again: ZIP wins
        "62140,Hesdin,1_ZIP\n"  # commune déléguée of Hesdin-la-Forêt (2025)
        "27700,Les Trois Lacs,1_ZIP\n"  # postal code not linked to the commune
        "76350,Oissel,3_HZ\n"  # renamed Oissel-sur-Seine
        "99999,Nulle-Part,1_ZIP\n"  # unknown
        "97133,Saint-Barthélemy,N/A - résultat non disponible\n"  # collectivité d'outre-mer
        "13001,Marseille 1er Arrondissement,3_HZ\n"
        "13003,Marseille 3e Arrondissement,1_ZIP\n"
        "1500,Ambérieu-en-Bugey,7_BIDON\n",  # unknown class
        encoding="utf-8",
    )
    return path


def test_synthetic_postal_matching(synthetic_postal_file):
    z = load_zonage(synthetic_postal_file)
    assert isinstance(z, Zonage)
    assert z.n_rows == 10
    steps = dict(zip(z.table["nom_commune"], zip(z.table["code_insee"], z.table["matched_by"], strict=True), strict=True))
    assert steps["L'Abergement-Clémenciat"] == ("01001", "code_postal+nom")
    assert steps["Hesdin"] == ("62447", "code_postal+commune_deleguee")
    assert steps["Les Trois Lacs"] == ("27676", "departement+nom")
    assert steps["Oissel"] == ("76484", "code_postal+nom_approche")
    assert steps["Marseille 3e Arrondissement"] == ("13055", "code_postal+nom")
    assert len(z.table) + len(z.unmatched) + len(z.ambiguous) == z.n_rows
    assert z.match_rate == pytest.approx(7 / 10)
    reasons = dict(zip(z.unmatched["nom_commune"], z.unmatched["reason"], strict=True))
    assert "code postal inconnu" in reasons["Nulle-Part"]
    assert "collectivité d'outre-mer" in reasons["Saint-Barthélemy"]
    assert "7_BIDON" in reasons["Ambérieu-en-Bugey"]
    assert z.dropped.count == 3
    assert "7 lignes de zonage sur 10" in z.summary_fr()


def test_several_rows_most_priority_class_wins(synthetic_postal_file):
    byc = load_zonage(synthetic_postal_file).by_commune().set_index("code_insee")
    assert byc.at["01001", "zonage"] == "ZIP"
    assert byc.at["01001", "classes"] == ["ZIP", "ZAC"]
    assert bool(byc.at["01001", "mixed"])
    assert byc.at["01001", "n_rows"] == 2
    assert byc.at["13055", "classes"] == ["ZIP", "HZ"]
    assert byc.at["62447", "zonage_label"] == "Zone d'intervention prioritaire"
    assert not bool(byc.at["62447", "mixed"])


def test_insee_keyed_file_semicolons(tmp_path):
    path = tmp_path / "zonage_insee_synthetic.csv"
    path.write_text("CODGEO;Zonage\n1001;ZIP\n2A004;2_ZAC\n14011;HZ\n99999;ZIP\n", encoding="utf-8")
    z = load_zonage(path)
    assert z.keyed_by == "code_insee"
    got = dict(zip(z.table["code_insee"], z.table["matched_by"], strict=True))
    assert got == {"01001": "code_insee", "2A004": "code_insee", "14581": "code_insee_deleguee"}
    assert list(z.unmatched["code_insee_brut"]) == ["99999"]
    assert "99999" in z.unmatched["reason"].iloc[0]


def test_cp1252_file(tmp_path):
    path = tmp_path / "zonage_cp1252_synthetic.csv"
    path.write_bytes("Code_postal;Nom_commune;Zonage\n1500;Ambérieu-en-Bugey;2_ZAC\n".encode("cp1252"))
    z = load_zonage(path)
    assert list(z.table["code_insee"]) == ["01004"]


def test_missing_file_names_path(tmp_path):
    with pytest.raises(InputDataError, match=r"nope\.csv") as info:
        load_zonage(tmp_path / "nope.csv")
    assert "introuvable" in info.value.fr


def test_bad_columns_name_header(tmp_path):
    path = tmp_path / "bad_synthetic.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"\['a', 'b'\].*Zonage") as info:
        load_zonage(path)
    assert "colonnes" in info.value.fr


def test_empty_file(tmp_path):
    path = tmp_path / "empty_synthetic.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputDataError, match="empty"):
        load_zonage(path)


def test_undecodable_file_is_an_input_error(tmp_path):
    # regression: the Windows-1252 fallback raised a bare UnicodeDecodeError on bytes it does not define
    path = tmp_path / "zonage_binary_synthetic.csv"
    path.write_bytes(b"Code_postal;Nom_commune;Zonage\n1500;Amb\x81rieu;2_ZAC\n")
    with pytest.raises(InputDataError, match=r"neither UTF-8 nor Windows-1252") as info:
        load_zonage(path)
    assert info.value.path == str(path) and "fichier de zonage" in info.value.fr


def test_non_path_directory_and_unreadable_file_are_input_errors(tmp_path, monkeypatch):
    # regression: a number raised TypeError, a directory "not found", an unreadable file PermissionError
    with pytest.raises(InputDataError, match=r"load_zonage: path must be a file path .* got int"):
        load_zonage(42)
    with pytest.raises(InputDataError, match="is a directory"):
        load_zonage(tmp_path)
    path = tmp_path / "zonage_synthetic.csv"
    path.write_text("CODGEO;Zonage\n1001;ZIP\n", encoding="utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(InputDataError, match=r"cannot read zonage file.*Permission denied"):
        load_zonage(path)


# --- the real national file -------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_zonage(zonage_file):
    return load_zonage(zonage_file)


@pytest.mark.shared
def test_real_file_match_rate_and_every_row_explained(real_zonage):
    z = real_zonage
    assert z.n_rows == 38907
    assert z.match_rate >= 0.98
    assert len(z.table) + len(z.unmatched) + len(z.ambiguous) == z.n_rows
    assert z.dropped.count == len(z.unmatched) + len(z.ambiguous)
    for frame in (z.unmatched, z.ambiguous):
        assert frame["reason"].str.len().gt(10).all()
    assert z.table["code_insee"].notna().all()
    assert set(z.table["zonage"]) <= set(ZONAGE_LABELS)
    counts = z.match_counts()
    assert counts["code_postal+nom"] > 38000
    assert sum(counts.values()) == z.n_rows


@pytest.mark.shared
def test_real_file_places(real_zonage):
    z = real_zonage
    byc = z.by_commune().set_index("code_insee")
    assert byc.at["27676", "zonage"] == "ZIP"  # Les Trois Lacs (Eure)
    assert byc.at["62447", "zonage"] == "ZIP"  # Hesdin → Hesdin-la-Forêt
    assert byc.at["13055", "mixed"]  # Marseille: zonage by arrondissement
    assert byc.at["13055", "zonage"] == byc.at["13055", "classes"][0]
    com_rows = z.unmatched[z.unmatched["code_postal"].isin(["97133", "97150"])]
    assert len(com_rows) == 2
    assert com_rows["reason"].str.contains("collectivité d'outre-mer").all()
    d = z.to_dict()
    assert d["match_rate"] == pytest.approx(z.match_rate)
    assert len(d["unmatched"]) == len(z.unmatched)


def test_summary_fr_thousands_separators(real_zonage):
    text = real_zonage.summary_fr()
    assert text.startswith("38\u202f898 lignes de zonage sur 38\u202f907 rattachées à une commune (99,98 %)")
    assert "38898" not in text


def test_summary_agrees_in_number_synthetic(tmp_path):
    """« 1 ligne de zonage sur 1 rattachée », not « 1 lignes … rattachées » (acceptance finding)."""
    p = tmp_path / "synthetic_zonage_one_line.csv"
    p.write_text("code_insee,Zonage\n14118,1_ZIP\n", encoding="utf-8")
    text = load_zonage(p).summary_fr()
    assert text.startswith("1 ligne de zonage sur 1 rattachée à une commune (100,00 %)")
    assert "0 non rattachée, 0 ambiguë" in text
