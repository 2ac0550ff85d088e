"""Map preparation and rendering without a browser: simplification, classes, escaping, exports, CLI."""

from __future__ import annotations

import html
import json
import re
from types import SimpleNamespace

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from ess_geo.analysis.coverage import CoverageResult, coverage_table
from ess_geo.cli import main
from ess_geo.errors import CrsError, EssGeoError, GeometryError, InputDataError
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.registry import load_registry
from ess_geo.reference.crs import LAMBERT93
from ess_geo.reference.geography import load_adjacency
from ess_geo.render.coverage_spec import coverage_map_spec
from ess_geo.render.html_map import make_coverage_map, make_territory_map, map_html, save_map
from ess_geo.render.leaflet import leaflet_assets
from ess_geo.render.mapspec import IDF_INSET_DEPS, choropleth_classes, fmt_number, simplified_departements
from ess_geo.render.simplify import round_coordinates, simplify_for_map
from ess_geo.render.territory_spec import short_reason, territory_map_spec
from ess_geo.rules.criteria import STATUS_FR
from ess_geo.rules.territory import check_territory

XSS = "<script>alert(1)</script>"
XSS_TEMPLATE = "${alert(2)}`</script><img src=x onerror=alert(3)>"


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def synthetic_grid() -> gpd.GeoDataFrame:
    """3 x 3 grid of 10 km squares in Lambert-93 with wiggly shared borders (synthetic)."""
    cells = []
    for i in range(3):
        for j in range(3):
            x0, y0 = 700_000 + i * 10_000, 6_600_000 + j * 10_000
            cells.append(shapely.box(x0, y0, x0 + 10_000, y0 + 10_000).segmentize(200))
    grid = gpd.GeoDataFrame({"code": [f"c{k}" for k in range(9)], "extra": range(9)}, geometry=cells, crs="EPSG:2154")
    # jitter every vertex the same way wherever it appears, so borders stay shared
    return grid.set_geometry(
        shapely.transform(grid.geometry.values, lambda xy: xy + 30 * np.sin(xy[:, ::-1] / 700.0))
    )


@pytest.fixture
def synthetic_registry_xss(tmp_path):
    """Registry CSV whose ESS names are hostile HTML/JS (synthetic)."""
    path = tmp_path / "registre_synthetic.csv"
    path.write_text(
        "id,name,specialties,departements,region,status,source,source_date\n"
        f'x1,"{XSS}",cardiologie,75;94,11,active,synthetic test,2024-01-01\n'
        f'x2,"{XSS_TEMPLATE.replace(chr(34), "")}",cardiologie,92,11,active,synthetic test,2024-01-01\n',
        encoding="utf-8",
    )
    return load_registry(path)


@pytest.fixture
def synthetic_zip_result():
    """A ZIP-like result on four real commune positions of Paris' inner ring (synthetic zonage)."""
    boxes = [shapely.box(2.25 + 0.02 * i, 48.90, 2.27 + 0.02 * i, 48.92) for i in range(4)]
    communes = gpd.GeoDataFrame(
        {
            "code_insee": ["92001", "92002", "92003", "92004"],
            "nom": [XSS, "Commune B", "Commune C", "Commune D"],
            "code_dep": ["92"] * 4,
            "population": [1000, 2000, 3000, 4000],
            "zonage": ["ZIP", "ZAC", "HZ", "NA"],
            "zonage_label": ["Zone d'intervention prioritaire", "Zone d'action complémentaire", "Hors zonage", ""],
            "n_specialists": [0, 1, np.nan, 2],
            "distance_km": [12.5, 0.0, np.nan, 3.0],
        },
        geometry=boxes,
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(
        {
            "rank": [1, 2],
            "code_insee": ["92001", "92002"],
            "nom": [XSS, "Commune B"],
            "score_population": [5000, 1200],
            "n_communes_served": [3, 1],
            "served": [["92001", "92002", "92003"], ["92004"]],
            "served_noms": [[XSS, "Commune B", "Commune C"], ["Commune D"]],
        },
        geometry=[shapely.Point(2.26, 48.91), shapely.Point(2.28, 48.91)],
        crs="EPSG:4326",
    )
    return SimpleNamespace(communes=communes, sites=sites, sources=[])


def _coverage(specialty: str, supply=None, region: str | None = None) -> CoverageResult:
    """The coverage result a coverage map is drawn from (one specialty, France or one région)."""
    return coverage_table(region, [specialty], supply)


@pytest.fixture(scope="module")
def supply(request):
    path = request.getfixturevalue("drees_effectifs")
    return load_supply(path)


# ----------------------------------------------------------------------------- simplification


def test_simplify_keeps_shared_borders_synthetic(synthetic_grid):
    out = simplify_for_map(synthetic_grid, tolerance_m=150, keep=["code"])
    assert list(out.columns) == ["code", "geometry"]
    assert out.crs.to_epsg() == 4326
    assert list(out.index) == list(synthetic_grid.index)
    assert shapely.get_num_coordinates(out.geometry.values).sum() < shapely.get_num_coordinates(
        synthetic_grid.geometry.values
    ).sum() / 3
    # neighbours still share their border: no gap, no overlap (coverage stays valid)
    projected = out.to_crs(2154).geometry.values
    assert shapely.coverage_is_valid(projected)
    union = shapely.union_all(projected)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    # caller's frame untouched
    assert "extra" in synthetic_grid.columns and synthetic_grid.crs.to_epsg() == 2154


def test_simplify_rounds_coordinates_synthetic(synthetic_grid):
    out = simplify_for_map(synthetic_grid, tolerance_m=0, decimals=3)
    coords = shapely.get_coordinates(out.geometry.values)
    assert np.allclose(coords, np.round(coords, 3))
    rounded = round_coordinates(np.array([shapely.Point(1.234567, 2.345678)]), 2)
    assert rounded[0].equals(shapely.Point(1.23, 2.35))


def test_simplify_rejects_bad_input_synthetic(synthetic_grid):
    with pytest.raises(EssGeoError, match=r"tolerance_m must be >= 0, got -1"):
        simplify_for_map(synthetic_grid, tolerance_m=-1)
    with pytest.raises(EssGeoError, match=r"missing column\(s\) \['nope'\]"):
        simplify_for_map(synthetic_grid, tolerance_m=10, keep=["nope"])
    with pytest.raises(CrsError, match="no CRS"):
        simplify_for_map(synthetic_grid.set_crs(None, allow_override=True), tolerance_m=10)


@pytest.mark.parametrize("bad", ["800", float("nan"), float("inf"), None, True, [800]])
def test_simplify_tolerance_must_be_a_finite_number_synthetic(synthetic_grid, bad):
    with pytest.raises(InputDataError, match=r"tolerance_m must be .*got " + re.escape(repr(bad))):
        simplify_for_map(synthetic_grid, tolerance_m=bad)


def test_simplify_refuses_invalid_geometry_naming_rows_synthetic(synthetic_grid):
    grid = synthetic_grid.copy()
    bowtie = shapely.Polygon([(700000, 6600000), (710000, 6610000), (710000, 6600000), (700000, 6610000)])
    assert not bowtie.is_valid
    grid.index = [f"row{i}" for i in range(len(grid))]
    grid.loc["row4", "geometry"] = bowtie
    with pytest.raises(GeometryError, match=r"invalid geometry in row\(s\) row4 .*Self-intersection"):
        simplify_for_map(grid, tolerance_m=100)


def test_simplify_output_is_valid_after_rounding_synthetic():
    # a zero-area hole (a spike of the shell folded back) becomes self-touching once rounded
    shell = [(0, 0), (10, 0), (10, 10), (0, 10)]
    hole = [(2, 2), (2.00004, 2.00004), (2, 2.00008), (2, 2)]
    poly = shapely.Polygon(shell, [hole[:3]])
    assert poly.is_valid
    frame = gpd.GeoDataFrame({"code": ["x"]}, geometry=[poly], crs=4326)
    raw = round_coordinates(frame.geometry.values, 4)
    assert not shapely.is_valid(raw).all()  # rounding alone breaks it
    out = simplify_for_map(frame, tolerance_m=0, dep_column="_none_")
    assert shapely.is_valid(out.geometry.values).all()
    assert out.geometry.iloc[0].geom_type == "Polygon"
    assert out.geometry.iloc[0].area == pytest.approx(100, rel=1e-6)


@pytest.mark.parametrize("tolerance", [None, 0, 300])
def test_simplified_departements_are_all_valid(tolerance):
    deps = simplified_departements(tolerance_m=tolerance)
    assert len(deps) == 101
    invalid = deps.loc[~shapely.is_valid(deps.geometry.values), "code_dep"].tolist()
    assert invalid == []  # before the repair: 2B, 33, 34, 56, 59, 61, 66 (collapsed zero-area holes)
    assert not deps.geometry.is_empty.any()
    assert set(deps.geometry.geom_type) <= {"Polygon", "MultiPolygon"}


def test_simplified_departements_neighbours_still_touch():
    deps = simplified_departements().set_index("code_dep")
    raw = shapely.get_num_coordinates(load_departements_geoms()).sum()
    assert shapely.get_num_coordinates(deps.geometry.values).sum() < raw / 2
    pairs = load_adjacency().head(60)
    metric = deps.to_crs(2154).geometry
    for a, b in zip(pairs["code_dep_a"], pairs["code_dep_b"], strict=True):
        shared = metric[a].intersection(metric[b])
        assert shared.length > 1000, (a, b)  # a real border, not a point
        assert metric[a].intersection(metric[b]).area < 1e4  # no overlap (m²)


def load_departements_geoms():
    from ess_geo.reference.geography import load_departements

    return load_departements().geometry.values


# ----------------------------------------------------------------------------- figures and labels


def test_fmt_number_french():
    assert fmt_number(12345) == "12\u202f345"
    assert fmt_number(3.14159, 1) == "3,1"
    assert fmt_number(float("nan")) == "n.d."
    assert fmt_number(None) == "n.d."


def test_choropleth_classes_french_labels():
    classes, labels, colours = choropleth_classes([1.0, 2.0, 3.5, 10.25, float("nan"), 12.0, 2.5], k=3)
    assert classes[4] == -1
    assert len(labels) == len(colours) == 3
    assert labels[0].startswith("de 1,0 à")
    assert all("." not in lab for lab in labels)
    assert classes[0] == 0 and classes[5] == 2
    one = choropleth_classes([5.0, 5.0])
    assert one[0] == [0, 0] and len(one[1]) == 1 and "pour 100 000 habitants" in one[1][0]
    assert choropleth_classes([float("nan")]) == ([-1], [], [])


# ----------------------------------------------------------------------------- specs on real data


def test_coverage_spec_categories(supply):
    spec = coverage_map_spec(_coverage("cardiologie", supply))
    frame = spec.layers[0].frame.set_index("code_dep")
    assert len(frame) == 101
    assert frame.loc["75", "category"] == "covered" and frame.loc["94", "category"] == "covered"
    assert "ESS Cardiologie" in frame.loc["75", "ess"]
    counts = supply.count("cardiologie", list(frame.index)).by_departement
    for code in ("13", "48", "23"):
        # the coverage table's classes (exact DREES counts): alone ≥ 10, else a group or unreachable
        expected = {"alone"} if counts[code] >= 10 else {"group", "none"}
        assert frame.loc[code, "category"] in expected
    names = [s.name for s in spec.sources]
    assert any("Référentiel géographique" in n for n in names)
    assert any("Registre des ESS" in n for n in names)
    assert supply.source.name in names
    assert {i.label for i in spec.insets} >= {"La Réunion (974)", "Guyane (973)"}


def test_coverage_spec_region_without_supply():
    spec = coverage_map_spec(_coverage("dermatologie", None, "11"))
    frame = spec.layers[0].frame
    assert sorted(frame["code_dep"]) == ["75", "77", "78", "91", "92", "93", "94", "95"]
    assert set(frame["category"]) == {"covered"}
    assert spec.subtitle == "Région Île-de-France"
    assert any("non fournis" in n for n in spec.notes)


def test_territory_spec_verdict_and_density(supply):
    result = check_territory("dermatologie", departements="75,92", supply=supply)
    spec = territory_map_spec(result)
    assert spec.verdict == "Verdict : non admissible" and spec.verdict_status == "fail"
    by_label = {c.label: c for c in spec.criteria}
    overlap = result.criterion("overlap")
    assert by_label[overlap.label].status_fr == STATUS_FR["fail"] == "non conforme"
    deps = spec.layers[0].frame.set_index("code_dep")
    assert {"75", "92", "93", "94", "95", "78", "91"} <= set(deps.index)
    assert deps.loc["75", "role"] == "territoire proposé" and deps.loc["93", "role"] == "département voisin"
    n75 = supply.count("dermatologie", ["75"]).total
    from ess_geo.reference.geography import load_departements

    pop75 = int(load_departements().set_index("code_dep").at["75", "population"])
    assert deps.loc["75", "densite"] == fmt_number(n75 / pop75 * 1e5, 1)
    layer_names = [layer.name for layer in spec.layers]
    assert "ESS existantes (Dermatologie et vénéréologie)" in layer_names
    assert layer_names[-1] == "Territoire proposé"
    footer = " ".join(spec.footer_lines())
    for source in result.sources:
        assert source.name in footer


def test_territory_spec_count_note_is_the_territory_count_not_the_neighbours():
    """The map's « Effectifs » note states the check's count (169 for pédiatrie 14,50,61), not the sum over
    the neighbours drawn for context (416 before, read by a committee as the territory's count)."""
    from ess_geo.inputs.embedded import load_embedded_supply

    result = check_territory("pediatrie", departements="14,50,61", adherents=20, supply=load_embedded_supply())
    total = result.criterion("threshold").evidence["total"]
    spec = territory_map_spec(result)
    note = next(n for n in spec.notes if n.startswith("Effectifs"))
    assert f"territoire, tous modes d'exercice : {total} (" in note, note
    shown = spec.layers[0].frame["code_dep"].tolist()
    assert len(shown) > 3  # neighbours are drawn, but not counted in the note
    assert "416" not in note


def test_territory_spec_rejects_empty_check():
    empty = SimpleNamespace(specialty="cardiologie", departements=[], criteria=[], sources=[])
    with pytest.raises(InputDataError, match="no départements"):
        territory_map_spec(empty)


def test_territory_spec_rejects_zip_without_crs(synthetic_zip_result):
    result = check_territory("cardiologie", departements="92")
    bad = SimpleNamespace(communes=synthetic_zip_result.communes.set_crs(None, allow_override=True), sites=None)
    with pytest.raises(CrsError, match=r"zip_result.communes has no CRS"):
        territory_map_spec(result, zip_result=bad)
    with pytest.raises(InputDataError, match="must be a GeoDataFrame, got DataFrame"):
        territory_map_spec(result, zip_result=SimpleNamespace(communes=synthetic_zip_result.communes.drop(columns="geometry")))


# ----------------------------------------------------------------------------- HTML


def _external_refs(page: str) -> list[str]:
    return re.findall(r"<(?:script|link|img)[^>]+(?:src|href)=[\"']?(?:https?:)?//[^\"' >]+", page)


def test_html_is_standalone_offline(supply):
    fmap = make_coverage_map(_coverage("cardiologie", supply))
    page = map_html(fmap)
    assert _external_refs(page) == []
    js, css = leaflet_assets()
    assert js[:200] in page and "L.version" not in css
    assert "url(images/" not in page  # layer-control icons inlined
    assert "tile.openstreetmap" not in page
    assert "Sources :" in page and "COG 2025" in page


def test_tiles_only_when_asked(supply):
    page = map_html(make_coverage_map(_coverage("cardiologie", supply, "11"), tiles=True))
    assert "tile.openstreetmap.org" in page
    with pytest.raises(EssGeoError, match=r"unknown tiles 'google'"):
        make_coverage_map(_coverage("cardiologie", supply, "11"), tiles="google")


def test_user_text_is_escaped_synthetic(synthetic_registry_xss, synthetic_zip_result):
    result = check_territory("cardiologie", departements="75,92", registry=synthetic_registry_xss)
    fmap = make_territory_map(result, zip_result=synthetic_zip_result)
    page = map_html(fmap)
    assert XSS not in page
    assert "alert(1)" in page  # the text is there, escaped
    assert "<img src=x" not in page and "<\\/script><img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.replace("\\u0026", "&").replace("\\u003c", "<").replace(
        "\\u003e", ">"
    )


def test_zip_layers_and_legend_synthetic(synthetic_zip_result):
    result = check_territory("cardiologie", departements="92")
    spec = territory_map_spec(result, zip_result=synthetic_zip_result)
    names = [layer.name for layer in spec.layers]
    assert "Zonage des communes (ZIP/ZAC)" in names and "Sites de consultations avancées (classés)" in names
    communes = next(layer for layer in spec.layers if layer.name.startswith("Zonage")).frame
    assert list(communes["zonage"])[:2] == ["Zone d'intervention prioritaire", "Zone d'action complémentaire"]
    assert list(communes["distance"])[:2] == ["12,5 km", "0,0 km"]
    sites = next(layer for layer in spec.layers if layer.kind == "points").frame
    assert list(sites["rang"]) == ["1", "2"] and list(sites["n_communes"]) == ["3", "1"]
    labels = [item.label for section in spec.legend for item in section.items]
    assert any(lab.startswith("ZIP") for lab in labels) and any("rang" in lab for lab in labels)


# ----------------------------------------------------------------------------- exports


def test_save_map_formats(tmp_path, supply):
    fmap = make_coverage_map(_coverage("ophtalmologie", supply, "76"))
    html_path = save_map(fmap, tmp_path / "c.html")
    assert html_path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    png = save_map(fmap, tmp_path / "c.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = save_map(fmap, tmp_path / "c.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    with pytest.raises(EssGeoError, match=r"'c.svg': extension must be one of"):
        save_map(fmap, tmp_path / "c.svg")
    with pytest.raises(EssGeoError, match="not made by ess_geo"):
        save_map(folium.Map(), tmp_path / "plain.png")


def test_static_export_escapes_mathtext_synthetic(tmp_path, synthetic_registry_xss):
    result = check_territory("cardiologie", departements="75,92", registry=synthetic_registry_xss)
    out = save_map(make_territory_map(result), tmp_path / "t.png")
    assert out.stat().st_size > 50_000


# ----------------------------------------------------------------------------- CLI


def test_cli_map_html_and_errors(tmp_path, drees_effectifs, capsys):
    out = tmp_path / "m.html"
    code = main(["map", "-s", "cardio", "-d", "75,94", "--supply", str(drees_effectifs), "--out", str(out)])
    assert code == 0 and out.stat().st_size > 100_000
    assert "Carte écrite" in capsys.readouterr().out
    assert main(["map", "-s", "cardio", "--coverage", "-r", "11", "--out", str(tmp_path / "c.pdf")]) == 0
    assert main(["map", "-s", "cardio", "-d", "75", "--out", str(tmp_path / "m.svg")]) == 2
    assert main(["map", "-s", "cardio", "--out", str(tmp_path / "m.html")]) == 2
    assert main(["map", "-s", "cardio", "-d", "75,999", "--out", str(tmp_path / "m.html")]) == 2
    assert "'999'" in capsys.readouterr().err


# ----------------------------------------------------------------------------- QA findings 1, 11, 15, 17


def test_html_is_french_with_metric_scale_only(supply):
    page = map_html(make_coverage_map(_coverage("cardiologie", supply, "11")))
    assert '<html lang="fr">' in page
    assert "imperial: false" in page and "L.control.scale({metric: true" in page
    assert '"imperial": true' not in page and "L.control.scale({\n" not in page
    # permanent département labels and a fit to the territory once the panels are laid out
    assert "ess-dep-label" in page and '"75"' in page
    assert "fitBounds(b, {paddingTopLeft" in page


def test_save_map_creates_missing_folders(tmp_path, supply):
    fmap = make_coverage_map(_coverage("cardiologie", supply, "11"))
    for name in ("a/b/c.html", "d/e/f.png"):
        out = save_map(fmap, tmp_path / name)
        assert out.is_file() and out.stat().st_size > 1000


def test_save_map_unwritable_path_is_input_error(tmp_path, supply):
    fmap = make_coverage_map(_coverage("cardiologie", supply, "11"))
    with pytest.raises(InputDataError, match="/proc/forbidden") as info:
        save_map(fmap, "/proc/forbidden/x.html")
    assert "impossible de créer le dossier" in info.value.fr
    with pytest.raises(InputDataError, match="directory") as info:
        (tmp_path / "dossier.html").mkdir()
        save_map(fmap, tmp_path / "dossier.html")  # a folder, not a file
    assert "est un dossier" in info.value.fr


def test_cli_map_output_folder_and_refused_specialty(tmp_path, drees_effectifs, capsys):
    out = tmp_path / "nouveau" / "dossier" / "m.png"
    assert main(["map", "-s", "cardiologie", "-d", "77", "--supply", str(drees_effectifs), "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    capsys.readouterr()
    assert main(["map", "-s", "cardiologie", "-d", "77", "--supply", str(drees_effectifs), "-o", "/proc/forbidden/x.pdf"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : impossible de créer le dossier de sortie /proc/forbidden") and "Traceback" not in err
    for refused in ("diabète", "médecine générale"):
        target = tmp_path / f"{refused}.html"
        assert main(["map", "-s", refused, "-d", "77", "--supply", str(drees_effectifs), "-o", str(target)]) == 2
        assert not target.exists()  # no map drawn for a refused specialty
        assert "Erreur :" in capsys.readouterr().err


def test_national_static_spec_has_idf_inset_and_no_print_hint(supply):
    spec = coverage_map_spec(_coverage("cardiologie", supply))
    idf = [i for i in spec.insets if i.kind == "idf"]
    assert len(idf) == 1 and idf[0].crs == LAMBERT93
    minx, miny, maxx, maxy = idf[0].bounds
    assert minx < 2.35 < maxx and miny < 48.85 < maxy and maxx - minx < 1.0  # Paris, zoomed
    assert not any("version imprimée" in n for n in spec.notes)
    assert {i.kind for i in spec.insets} == {"idf", "overseas"}
    # a région map has no such inset
    assert not [i for i in coverage_map_spec(_coverage("cardiologie", supply, "11")).insets if i.kind == "idf"]


def test_static_labels_skip_inset_departements_and_collisions(supply, monkeypatch):
    import ess_geo.render.static_map as sm

    drawn = []
    real_text = __import__("matplotlib.axes", fromlist=["Axes"]).Axes.text

    def spy(self, x, y, s, *args, **kwargs):
        drawn.append((id(self), str(s)))
        return real_text(self, x, y, s, *args, **kwargs)

    monkeypatch.setattr("matplotlib.axes.Axes.text", spy)
    spec = coverage_map_spec(_coverage("cardiologie", supply))
    fig = sm.Figure(figsize=sm.A4_LANDSCAPE)
    main_ax = fig.add_axes((0.12, 0.085, 0.515, 0.9))
    sm._draw_frame(main_ax, spec, spec.crs, spec.bounds, labels=True, skip_labels=frozenset(IDF_INSET_DEPS))
    main_labels = [t for a, t in drawn if a == id(main_ax)]
    assert not set(main_labels) & set(IDF_INSET_DEPS)
    assert "13" in main_labels and "29" in main_labels
    assert len(main_labels) == len(set(main_labels))


def test_failing_reason_and_site_names_in_spec_and_html(synthetic_zip_result, supply):
    result = check_territory("cardiologie", departements="971,972", supply=supply)
    spec = territory_map_spec(result)
    failing = [c for c in spec.criteria if c.status == "fail"]
    assert failing and all(c.reason for c in failing)
    assert all(len(c.reason) <= 120 for c in spec.criteria)
    page = map_html(make_territory_map(result))
    for c in failing:
        assert json.dumps(html.escape(c.reason, quote=True))[1:-1] in page  # inside the title block's JSON
    spec = territory_map_spec(check_territory("cardiologie", departements="75,92"), zip_result=synthetic_zip_result)
    assert spec.sites[0].startswith("1. ") and "(92001)" in spec.sites[0] and "5\u202f000 hab. en ZIP" in spec.sites[0]
    assert spec.sites[1].startswith("2. Commune B (92002)")
    page = map_html(make_territory_map(check_territory("cardiologie", departements="75,92"), zip_result=synthetic_zip_result))
    assert json.dumps("Sites de consultations avancées")[1:-1] in page and "2. Commune B (92002)" in page


def test_short_reason():
    assert short_reason("Le territoire forme 2 morceaux non contigus : 971 | 972. Ajouter des départements.") == (
        "Le territoire forme 2 morceaux non contigus : 971 | 972"
    )
    long = "mot " * 80
    assert len(short_reason(long)) <= 120 and short_reason(long).endswith("…")
    assert short_reason("") == ""


def test_mayotte_population_unknown_not_zero(supply):
    spec = coverage_map_spec(_coverage("cardiologie", supply))
    frame = spec.layers[0].frame.set_index("code_dep")
    assert frame.at["976", "population"] == "population inconnue"
    assert "population inconnue" in frame.at["976", "densite"]
    assert frame.at["974", "population"] not in ("population inconnue", "0")
    check = check_territory("cardiologie", departements="976", supply=supply)
    tspec = territory_map_spec(check)
    row = tspec.layers[0].frame.set_index("code_dep").loc["976"]
    assert row["population"] == "population inconnue" and row["densite"] != "0,0"


# ----------------------------------------------------------------------------- map_cmd acceptance findings


def test_cli_map_coverage_refuses_zonage(tmp_path, capsys):
    zon = tmp_path / "zonage_synthetic.csv"
    zon.write_text("code_insee,Zonage\n48095,ZIP\n", encoding="utf-8")
    out = tmp_path / "c.html"
    code = main(["map", "-s", "cardiologie", "--coverage", "--zonage", str(zon), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "Erreur" in err and "--zonage" in err and "carte de couverture" in err and "Traceback" not in err


def test_cli_map_tiles_ignored_for_static_output_and_sources_printed(tmp_path, capsys):
    out = tmp_path / "c.png"
    code = main(["map", "-s", "cardiologie", "-d", "48", "--tiles", "--out", str(out)])
    cap = capsys.readouterr()
    assert code == 0 and out.is_file()
    assert "--tiles ignoré pour .png" in cap.err and "cartes HTML" in cap.err
    lines = cap.out.rstrip().splitlines()
    start = lines.index("Sources :")
    assert start > 0 and all(line.startswith(" - ") for line in lines[start + 1:])
    assert any("Référentiel géographique" in line for line in lines[start + 1:])
    code = main(["map", "-s", "cardiologie", "-d", "48", "--tiles", "--out", str(tmp_path / "c.html")])
    assert code == 0 and "--tiles ignoré" not in capsys.readouterr().err


def test_map_draws_no_site_when_specialists_are_not_located(tmp_path):
    """A département-level supply: no site drawn, and a note says why (issue 13.4)."""
    import pandas as pd

    from ess_geo.analysis.outreach import flag_zip, rank_outreach_sites
    from ess_geo.inputs.supply import Supply
    from ess_geo.inputs.zonage import load_zonage
    from ess_geo.reference.geography import load_communes
    from ess_geo.sources import Source

    codes = load_communes().query("code_dep == '48'")["code_insee"]
    path = tmp_path / "zonage_48_synthetic.csv"
    path.write_text("code_insee,Zonage\n" + "".join(f"{c},1_ZIP\n" for c in codes), encoding="utf-8")
    table = pd.DataFrame(
        {"code_dep": ["48"], "specialty": ["cardiologie"], "drees_group": ["07-Cardiologie"], "n_specialists": [12],
         "mode": ["synthetic"], "source": ["synthetic"]}
    )
    sup = Supply(table=table, source=Source(name="synthetic département supply", vintage="synthetic"))
    check = check_territory("cardiologie", departements="48", supply=sup)
    zip_result = rank_outreach_sites(flag_zip(check, "cardiologie", sup, load_zonage(path)), k=2, min_population=1000)
    spec = territory_map_spec(check, zip_result=zip_result)
    assert spec.sites == []
    assert not any("consultations avancées" in layer.name.lower() for layer in spec.layers)
    assert zip_result.unranked_fr in spec.notes
    page = map_html(make_territory_map(check, zip_result=zip_result))
    assert json.dumps("Sites de consultations avancées non classés")[1:-1] in page


# ------------------------------------------------------------------ Mayotte (976): legend, outline


def test_mayotte_legend_says_population_unknown_not_supply_missing(drees_effectifs):
    supply = load_supply(drees_effectifs)
    result = check_territory("cardiologie", departements=["976"], supply=supply)
    spec = territory_map_spec(result, supply=supply)
    labels = [item.label for section in spec.legend for item in section.items]
    assert "densité non calculable (population inconnue)" in labels
    assert "effectifs non fournis" not in labels
    assert any("Population inconnue (976)" in note for note in spec.notes)


def test_small_territory_outline_keeps_its_islets():
    from ess_geo.reference.geography import load_communes, load_departements
    from ess_geo.render.simplify import zone_tolerance

    deps = load_departements()
    mayotte = deps[deps["code_dep"] == "976"]
    metric = mayotte.to_crs("EPSG:4471").geometry.values
    assert zone_tolerance(800.0, metric) < 300  # Mayotte is about 40 km across
    assert zone_tolerance(800.0, deps.to_crs(LAMBERT93).geometry.values) == 800.0  # mainland unchanged
    result = check_territory("cardiologie", departements=["976"])
    spec = territory_map_spec(result)
    outline = next(layer for layer in spec.layers if layer.name == "Territoire proposé").frame.geometry.iloc[0]
    communes = load_communes()
    communes = communes[communes["code_dep"] == "976"]
    # Islets of the communes (Mtsamboro, Petite-Terre...) lie inside the outline, not outside it.
    islets = [p for g in communes.geometry for p in shapely.get_parts(g) if p.area > 2e-5]
    assert len(islets) > 2
    assert all(outline.buffer(0.002).contains(p.representative_point()) for p in islets)
    assert len(shapely.get_parts(outline)) > 2
