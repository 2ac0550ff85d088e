"""Maps rendered in headless Debian chromium (playwright), with the network cut off.

Every request other than the local file is aborted: the page must still draw (Leaflet is
inlined), raise no JavaScript error, and show the territory features as SVG paths. Screenshots
go to pytest's tmp_path and to /tmp/ess_geo_shots/ for a human to look at.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pytest
import shapely

from ess_geo._format import date_fr
from ess_geo.analysis.coverage import coverage_table
from ess_geo.inputs.load import load_supply
from ess_geo.inputs.registry import load_registry
from ess_geo.render.html_map import make_coverage_map, make_territory_map, save_map
from ess_geo.rules.territory import check_territory

pytestmark = pytest.mark.browser

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path("/tmp/ess_geo_shots")
XSS = "<script>alert(1)</script>"
XSS_TEMPLATE = "${alert(2)}`</script><img src=x onerror=alert(3)>"


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright import sync_api
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        yield b
        b.close()


class Page:
    """A page opened offline, recording errors, blocked requests and dialogs."""

    def __init__(self, browser, html_path: Path) -> None:
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)

        def on_dialog(dialog):
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.goto(html_path.resolve().as_uri())
        self.page.wait_for_selector("path.leaflet-interactive", state="attached", timeout=20_000)
        self.page.wait_for_timeout(300)

    def shot(self, tmp_path: Path, name: str) -> Path:
        out = tmp_path / name
        self.page.screenshot(path=str(out))
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(out, SHOTS / name)
        return out

    def n_paths(self) -> int:
        return self.page.locator("path.leaflet-interactive").count()

    def close(self) -> None:
        self.page.close()


@pytest.fixture(scope="module")
def supply(drees_effectifs):
    return load_supply(drees_effectifs)


def test_coverage_map_renders_offline(browser, supply, tmp_path):
    path = save_map(make_coverage_map(coverage_table(None, ["cardiologie"], supply)), tmp_path / "couverture_cardiologie.html")
    page = Page(browser, path)
    try:
        assert page.errors == []
        assert page.blocked == []  # nothing even tried to leave the machine
        assert page.n_paths() == 101  # one interactive path per département
        assert "Couverture en ESS" in page.page.inner_text(".ess-title")
        footer = page.page.inner_text(".ess-footer")
        assert "COG 2025" in footer and f"Produit le {date_fr(date.today())} avec ess_geo." in footer  # as on PNG/PDF
        labels = page.page.text_content(".leaflet-control-layers")  # collapsed control: text present, hidden
        assert "Départements : couverture en ESS" in labels and "Limites des régions" in labels
        scale = page.page.inner_text(".leaflet-control-scale")  # QA 15: kilometres only
        assert "km" in scale and "mi" not in scale and page.page.locator(".leaflet-control-scale-line").count() == 1
        assert page.page.locator(".ess-dep-label").count() == 101  # QA 17: permanent codes
        assert page.page.evaluate("() => document.documentElement.lang") == "fr"
        shot = page.shot(tmp_path, "coverage_france_cardiologie.png")
        assert shot.stat().st_size > 20_000
    finally:
        page.close()


def test_territory_map_with_zip_renders_offline(browser, supply, zonage_file, tmp_path):
    from ess_geo.analysis.outreach import flag_zip, rank_outreach_sites

    result = check_territory("cardiologie", region="24", supply=supply)
    zip_result = rank_outreach_sites(flag_zip(result, "cardiologie", supply, zonage_file), k=5)
    fmap = make_territory_map(result, zip_result=zip_result)
    path = save_map(fmap, tmp_path / "territoire_cvl.html")
    page = Page(browser, path)
    try:
        assert page.errors == [] and page.blocked == []
        n_shown = len(result.departements) + 1  # territory outline
        assert page.n_paths() >= len(zip_result.communes) + n_shown
        title = page.page.inner_text(".ess-title")
        assert "Centre-Val de Loire" in title and "Verdict" in title
        for criterion in result.criteria:
            assert criterion.label in title
        # a hover shows a French tooltip
        box = page.page.locator("path.leaflet-interactive").first.bounding_box()
        page.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.page.wait_for_selector(".leaflet-tooltip", timeout=5_000)
        page.shot(tmp_path, "territory_cvl_zip.png")
    finally:
        page.close()


def test_territory_overlap_map_renders(browser, supply, tmp_path):
    result = check_territory("dermatologie", departements="75,92", supply=supply)
    path = save_map(make_territory_map(result), tmp_path / "territoire_75_92.html")
    page = Page(browser, path)
    try:
        assert page.errors == [] and page.blocked == []
        assert page.n_paths() >= 7 + 1 + 1  # départements shown, existing ESS, territory
        assert "non conforme" in page.page.inner_text(".ess-title")
        assert "ESS existante : ESS Dermatologie" in page.page.inner_text(".ess-legend")
        page.shot(tmp_path, "territory_75_92_dermatologie.png")
    finally:
        page.close()


def test_hostile_names_show_as_text_synthetic(browser, tmp_path):
    registry_path = tmp_path / "registre_synthetic.csv"
    registry_path.write_text(
        "id,name,specialties,departements,region,status,source,source_date\n"
        f'x1,"{XSS}",cardiologie,75;94,11,active,synthetic test,2024-01-01\n'
        f'x2,"{XSS_TEMPLATE}",cardiologie,92,11,active,synthetic test,2024-01-01\n',
        encoding="utf-8",
    )
    registry = load_registry(registry_path)
    communes = gpd.GeoDataFrame(
        {"code_insee": ["92999"], "nom": [XSS], "code_dep": ["92"], "zonage": ["ZIP"]},
        geometry=[shapely.box(2.22, 48.85, 2.26, 48.88)],
        crs="EPSG:4326",
    )
    synthetic_zip = SimpleNamespace(communes=communes, sites=None, sources=[])
    result = check_territory("cardiologie", departements="75,92", registry=registry)
    path = save_map(make_territory_map(result, zip_result=synthetic_zip), tmp_path / "xss_synthetic.html")
    page = Page(browser, path)
    try:
        page.page.wait_for_timeout(500)
        assert page.dialogs == []  # no alert ran
        assert page.errors == [] and page.blocked == []
        assert page.page.locator("img[src=x]").count() == 0
        legend = page.page.inner_text(".ess-legend")
        assert f"ESS existante : {XSS}" in legend  # shown as text
        assert "${alert(2)}`</script><img src=x onerror=alert(3)>" in legend
        # hover each feature until the hostile commune's tooltip shows: its name is plain text
        tips = []
        paths = page.page.locator("path.leaflet-interactive")
        for i in range(paths.count()):
            paths.nth(i).dispatch_event("mouseover")
            tip = page.page.locator(".leaflet-tooltip")
            if tip.count():
                tips.append(tip.last.inner_text())
            paths.nth(i).dispatch_event("mouseout")
        commune_tips = [t for t in tips if "92999" in t]
        assert commune_tips and XSS in commune_tips[0]
        assert any(XSS_TEMPLATE in t for t in tips)  # the ESS outline's tooltip
        assert page.dialogs == [] and page.page.locator("img[src=x]").count() == 0
        page.shot(tmp_path, "xss_synthetic.png")
    finally:
        page.close()
