"""Every report kind in a real browser: no serious or critical WCAG 2 A/AA violation (axe-core), and
every figure loaded. Needs Debian's Chromium (/usr/bin/chromium; `.ci/run` installs it) and skips
with that reason when it is missing: Playwright's own browser download cannot work here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evaluation.reporting import CHROMIUM_ARGS as ARGS  # the browser flags the reports use

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Chromium is not installed (apt-get install chromium): browser accessibility tests skipped",
)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _pages(out: Path) -> list[Path]:
    """One page of every kind: index, cohort, data and instrument quality, comparison, an agency, feedback."""
    pages = [
        out / n
        for n in (
            "index.html",
            "cohort.html",
            "data-quality.html",
            "instrument-quality.html",
            "comparison.html",
        )
    ]
    pages += sorted((out / "agencies").glob("*.html"))[:1] + sorted((out / "feedback").glob("*.html"))[:1]
    return pages


def test_every_report_kind_passes_axe(built, browser):
    from axe_playwright_python.sync_playwright import Axe

    out, _, _ = built
    axe = Axe()
    page = browser.new_page()
    checked = 0
    for path in _pages(out):
        assert path.exists(), path
        page.goto(path.resolve().as_uri())
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
        serious = [
            (v["id"], v["impact"])
            for v in result.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], (path.name, serious)
        checked += 1
    assert checked == 7


def test_reports_render_with_their_figures_loaded(built, browser, tmp_path):
    out, _, _ = built
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    for path in _pages(out)[1:]:
        page.goto(path.resolve().as_uri())
        images = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => [i.complete && i.naturalWidth > 0, i.alt])"
        )
        assert all(loaded and alt for loaded, alt in images), (path.name, images)
        shot = tmp_path / f"{path.stem}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000, path.name
    cohort = out / "cohort.html"
    page.goto(cohort.resolve().as_uri())
    assert page.eval_on_selector_all("figure img", "imgs => imgs.length") >= 3
    assert page.locator("h1").count() == 1 and page.locator("html").get_attribute("lang") == "sv"
