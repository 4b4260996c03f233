"""Leadership pages are Swedish all the way down (issue 14, item 2), and agency pages always say something.

`evaluation.text.foreign_text` scans a page's visible text (alt texts included, deliberate English
glosses marked ``lang="en"`` left out) for English words, booleans, decimal points and identifiers.
It is checked on planted faults first, so that a clean scan of the built pages means something.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.text import foreign_text, visible_text

SWEDISH = '<html lang="sv"><body><main><h1>Rapport</h1>{body}</main></body></html>'


@pytest.mark.parametrize(
    ("planted", "what"),
    [
        ('<table><tr><th scope="col">Change</th></tr></table>', "English"),
        ("<table><tr><td>False</td></tr></table>", "English"),
        ("<p>Förändringen var 0.42 skalsteg.</p>", "decimal separator"),
        ("<table><tr><td>wave[T.post]</td></tr></table>", "identifier"),
        ("<p>mean_abs_gap_pre</p>", "identifier"),
        ('<figure><img alt="Change per agency"></figure>', "English"),
    ],
)
def test_the_scan_finds_a_planted_fault(planted, what):
    found = foreign_text(SWEDISH.format(body=planted))
    assert found and any(what in f for f in found), found


@pytest.mark.parametrize(
    ("planted", "what"),
    [
        ('<table><tr><th scope="col">Förändring</th></tr></table>', "Swedish"),
        ("<p>The change was 0,42 scale points.</p>", "decimal separator"),
        ("<p>Among the adepterna, nothing changed.</p>", "Swedish"),
    ],
)
def test_the_scan_finds_swedish_planted_in_an_english_page(planted, what):
    page = f'<html lang="en"><body><main><h1>Report</h1>{planted}</main></body></html>'
    found = foreign_text(page, "en")
    assert found and any(what in f for f in found), found
    assert foreign_text(page.replace(planted, "<p>The change was 0.42 points (240,000 SEK).</p>"), "en") == []


def test_the_scan_passes_swedish_and_marked_english_glosses():
    body = (
        "<p>Förändringen var 0,42 skalsteg (p &lt; 0,001); instrumentversion 2.0.0, se cohort.yml.</p>"
        '<h2>Rapporter <span lang="en">/ Reports</span></h2><script>var change = 0.5;</script>'
    )
    assert foreign_text(SWEDISH.format(body=body)) == []
    assert "/ Reports" not in " ".join(visible_text(SWEDISH.format(body=body), "sv"))


def test_a_built_page_with_a_planted_english_header_fails_the_scan(built, tmp_path):
    out, _, _ = built
    page = (out / "cohort.html").read_text(encoding="utf-8")
    assert foreign_text(page) == []
    planted = page.replace("<th ", '<th data-planted="1">Construct</th><th ', 1)
    assert any("Construct" in f for f in foreign_text(planted))


def _leadership_pages(out: Path) -> list[Path]:
    pages = [out / n for n in ("index.html", "brief.html", "cohort.html", "comparison.html")]
    return pages + sorted((out / "agencies").glob("*.html"))


def test_every_leadership_page_is_swedish_all_the_way_down(built):
    out, _, _ = built
    pages = _leadership_pages(out)
    assert len(pages) >= 5 and all(p.exists() for p in pages), pages
    found = {p.name: foreign_text(p.read_text(encoding="utf-8")) for p in pages}
    assert {name: f for name, f in found.items() if f} == {}


def test_analyst_pages_are_in_the_reports_language_too(built):
    out, _, _ = built
    for name in ("data-quality.html", "instrument-quality.html", "appendix.html"):
        found = foreign_text((out / name).read_text(encoding="utf-8"), ids=False)
        assert found == [], (name, found)
    quality = " ".join(visible_text((out / "data-quality.html").read_text(encoding="utf-8"), "sv"))
    assert "Träff 1" in quality and "meeting1" not in quality  # the meetings by name, not by id


def test_every_agency_page_says_what_it_shows_and_hides(built):
    out, _, _ = built
    pages = sorted((out / "agencies").glob("*.html"))
    assert pages
    for page in pages:
        text = " ".join(visible_text(page.read_text(encoding="utf-8"), "sv"))
        assert "Deltagande" in text and "Vad sidan visar och inte visar" in text, page.name
        # per role, one plain sentence: shown with conclusions, shown without, or not shown and why
        assert text.count("Mentorerna:") == 1 and text.count("Adepterna:") == 1, page.name


def test_english_pages_hold_no_swedish_words(cohorts, tmp_path):
    from evaluation.report.build import build_reports

    _, (first, _) = cohorts
    out = tmp_path / "en"
    build_reports(first, out, lang="en", jobs=2, progress=False)
    pages = [p for p in _leadership_pages(out) if p.exists()]  # no comparison without --compare
    found = {p.name: foreign_text(p.read_text(encoding="utf-8"), "en") for p in pages}
    assert len(found) >= 4 and {name: f for name, f in found.items() if f} == {}
