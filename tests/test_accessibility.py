"""Every page kind in a real browser (the reports, the brief, the index, the ingest report): no
serious or critical WCAG 2.2 A/AA violation (axe-core, target size included), and every figure
loaded. Needs Debian's Chromium (/usr/bin/chromium; `.ci/run` installs it) and skips with that reason
when it is missing: Playwright's own browser download cannot work here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evaluation.report.pdf import CHROMIUM_ARGS as ARGS  # the browser flags the reports use

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


WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
"""WCAG 2.2 level AA as axe-core tags its rules (target-size is wcag22aa)."""

KINDS = [
    "index",
    "brief",
    "cohort",
    "data-quality",
    "instrument-quality",
    "comparison",
    "appendix",
    "agency",
    "feedback",
    "ingest",
]


def _page(kind: str, out: Path, cohort: Path) -> Path:
    """The page of one kind: a report, the brief, the index, or the cohort's ingest report."""
    if kind == "ingest":
        return cohort / "processed" / "ingest_report.html"
    if kind in ("agency", "feedback"):
        folder = out / ("agencies" if kind == "agency" else "feedback")
        pages = sorted(folder.glob("*.html"))
        assert pages, folder
        return pages[0]
    return out / f"{kind}.html"


def _axe(browser, path: Path) -> dict:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    try:
        page.goto(path.resolve().as_uri())
        return Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}}).response
    finally:
        page.close()


@pytest.mark.parametrize(
    "kind",
    [
        *KINDS,
    ],
)
def test_every_page_kind_passes_axe_wcag22_aa(kind, built, cohorts, browser):
    out, _, _ = built
    _, (cohort, _) = cohorts
    path = _page(kind, out, cohort)
    assert path.exists(), path
    response = _axe(browser, path)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], (path.name, serious)


def test_axe_knows_wcag22_target_size(built, browser):
    # a bundled axe-core older than 4.5 runs no wcag22aa rule and would pass every page silently
    out, _, _ = built
    response = _axe(browser, out / "brief.html")
    ran = {r["id"] for key in ("passes", "violations", "incomplete", "inapplicable") for r in response[key]}
    assert "target-size" in ran and "color-contrast" in ran, response["testEngine"]
    version = tuple(int(v) for v in response["testEngine"]["version"].split(".")[:2])
    assert version >= (4, 5), response["testEngine"]


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
