"""The coverage report opens in headless Chromium without any JavaScript error."""

from __future__ import annotations

import pytest

from ess_geo.render.reports import write_coverage_report

pytestmark = [pytest.mark.shared, pytest.mark.browser]

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


def test_report_pages_open_without_errors(tmp_path, chromium, drees_effectifs):
    from playwright import sync_api
    files = write_coverage_report(tmp_path, "94", ["html"], supply=drees_effectifs, specialties=["cardiologie", "pneumologie"], maps=True)
    pages = ["index.html", "region_94.html"] + [p.relative_to(tmp_path).as_posix() for p in files.paths if p.parent.name == "cartes"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            for name in pages:
                page.goto((tmp_path / name).as_uri())
                page.wait_for_load_state("load")
                assert page.locator("h1, .leaflet-container").count() >= 1, name
            page.goto((tmp_path / "region_94.html").as_uri())
            assert "Corse" in page.locator("h1").inner_text()
            assert page.locator("table").count() >= 3
            page.goto((tmp_path / "index.html").as_uri())
            page.click("text=Corse")
            assert page.url.endswith("region_94.html")
        finally:
            browser.close()
    assert errors == []


def test_synthese_fits_1400px_without_horizontal_scroll(chromium, tmp_path, drees_effectifs):
    """QA 18: the région 76 Synthèse (and the index tables) fit a 1400 px window."""
    from playwright.sync_api import sync_playwright

    from ess_geo.inputs.load import load_supply
    from ess_geo.render.reports import write_coverage_report

    write_coverage_report(tmp_path, "76", formats=["html"], supply=load_supply(drees_effectifs))
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            for name in ("region_76.html", "index.html"):
                page.goto((tmp_path / name).resolve().as_uri())
                widths = page.evaluate(
                    "() => Array.from(document.querySelectorAll('table.fit')).map(t => [t.parentElement.scrollWidth, t.parentElement.clientWidth])"
                )
                assert widths and all(sw <= cw for sw, cw in widths), (name, widths)
                assert page.evaluate("() => document.documentElement.scrollWidth") <= 1400
        finally:
            browser.close()
