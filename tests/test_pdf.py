"""`evaluation report --pdf`: Chromium prints each leadership report to an A4 PDF with the report's
text, its title in the header and the PDF's metadata, page numbers in the page's language, and
tables that fit across the page."""

from __future__ import annotations

import re
import shutil
from html import unescape

import pytest

from .test_accessibility import CHROMIUM, pytestmark  # noqa: F401 - the same skip without Chromium

A4 = (595.92, 842.88)  # points, as Chromium writes them
REPORT_PAGES = ("cohort.html", "data-quality.html", "instrument-quality.html", "comparison.html")


def _title(path) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.S).group(1))


def _report_pages(out):
    """The notebook reports built (the comparison's own test says whether it built)."""
    pages = [out / n for n in REPORT_PAGES] + sorted((out / "agencies").glob("*.html"))
    assert (out / "cohort.html").exists() and len(pages) > len(REPORT_PAGES)
    return [p for p in pages if p.exists()]


def test_pdf_has_the_report_text(built, tmp_path):
    from pypdf import PdfReader

    from evaluation.report.pdf import write_pdfs

    out, _, _ = built
    copy = tmp_path / "cohort.html"
    shutil.copy(out / "cohort.html", copy)
    (pdf,) = write_pdfs([copy], chromium=CHROMIUM)
    reader = PdfReader(pdf)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2
    assert "Sammanfattning" in text and "Förändring per" in text


def test_pdf_links_are_relative_and_hold_no_machine_path(built, tmp_path):
    # Chromium prints a relative link as an absolute file:// URI (the machine's path); the build
    # rewrites it, and the audit reads PDF link targets too.
    from pypdf import PdfReader

    from evaluation.report.pdf import write_pdfs

    out, _, _ = built
    copy = tmp_path / "site"
    shutil.copytree(out, copy)
    (pdf,) = write_pdfs([copy / "index.html"], chromium=CHROMIUM)
    uris = [
        str(a.get_object()["/A"]["/URI"])
        for page in PdfReader(pdf).pages
        for a in page.get("/Annots") or []
        if "/A" in a.get_object() and "/URI" in a.get_object()["/A"]
    ]
    assert uris and "cohort.html" in uris
    assert not any(u.startswith("file:") or str(tmp_path) in u for u in uris)


def test_report_pages_are_titled_by_their_heading_not_their_file(built):
    # nbconvert titles a page by the notebook's name ("cohort", an agency's name): the browser tab,
    # the printed header and the PDF's title must name the report.
    out, _, _ = built
    for path in _report_pages(out):
        page = path.read_text(encoding="utf-8")
        heading = unescape(re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)))
        title = _title(path)
        assert title.startswith(" ".join(heading.split())), (path.name, title, heading)
        assert title not in {path.stem, "cohort", "agency", "data-quality", "instrument-quality"}
    assert _title(out / "data-quality.html").endswith("– Syntetisk kohort (seed 1)"), "the cohort's name"


def test_pdfs_are_a4_with_running_title_page_numbers_and_the_report_title(built, tmp_path):
    from pypdf import PdfReader

    from evaluation.report.pdf import write_pdfs

    out, _, _ = built
    site = tmp_path / "site"
    shutil.copytree(out, site, ignore=shutil.ignore_patterns("feedback", "notebooks", "results"))
    english = site / "english.html"  # the same page, declared English: the footer follows <html lang>
    english.write_text(
        re.sub(r'<html lang="sv">', '<html lang="en">', (site / "cohort.html").read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    pages = [site / "cohort.html", site / "brief.html", site / "data-quality.html", english]
    for html_page, pdf in zip(pages, write_pdfs(pages, chromium=CHROMIUM), strict=True):
        reader = PdfReader(pdf)
        title = _title(html_page)
        assert reader.metadata.title == title, (pdf.name, reader.metadata.title)
        total = len(reader.pages)
        word, of = ("Page", "of") if html_page is english else ("Sida", "av")
        for number, page in enumerate(reader.pages, start=1):
            width, height = (float(v) for v in page.mediabox[2:])
            assert (round(width), round(height)) == (round(A4[0]), round(A4[1])), pdf.name
            text = " ".join(page.extract_text().split())
            assert f"{word} {number} {of} {total}" in text, (pdf.name, number, text[-80:])
            assert " ".join(title.split()) in text, (pdf.name, number, "running title")
    assert len(PdfReader(site / "brief.pdf").pages) == 1, "the brief is one A4 page"


def test_print_margins_name_the_page_in_its_language_at_a_readable_size():
    from evaluation.report.pdf import print_margins

    header, footer = print_margins("Datakvalitet <kohort> & mer", "sv")
    assert "Datakvalitet &lt;kohort&gt; &amp; mer" in header
    assert 'Sida <span class="pageNumber"></span> av <span class="totalPages"></span>' in footer
    assert "Page" in print_margins("x", "en")[1] and "Page" in print_margins("x", "en-GB")[1]
    # Chromium draws header and footer apart from the page's styles, at a tiny default size
    assert all("font-size:8pt" in part for part in (header, footer))


@pytest.fixture(scope="module")
def printed(built):
    """A Chromium page emulating print at the width of an A4 page's text (`PAGE_MARGIN`)."""
    from playwright.sync_api import sync_playwright

    from evaluation.report.page import PRINT_WIDTH_PX
    from evaluation.report.pdf import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": int(PRINT_WIDTH_PX), "height": 1000})
        page.emulate_media(media="print")
        yield page
        browser.close()


WIDTHS = """() => [...document.querySelectorAll('table')].map(t => [
    t.caption ? t.caption.textContent : t.className, Math.ceil(t.getBoundingClientRect().right),
    t.scrollWidth, t.parentElement.clientWidth, document.documentElement.clientWidth])"""


def test_no_table_is_wider_than_a_printed_page(built, printed):
    # "p (justerat)" and "Effektstorlek (g)" were cut off at the right edge of cohort.pdf
    out, _, _ = built
    checked = 0
    for path in _report_pages(out):
        printed.goto(path.resolve().as_uri())
        for caption, right, scroll, container, page in printed.evaluate(WIDTHS):
            assert right <= page + 1 and scroll <= container + 1, (path.name, caption, right, scroll, page)
            checked += 1
    assert checked >= 15


ALIGNMENT = """() => [...document.querySelectorAll('table.report')].flatMap(t =>
    [...t.querySelectorAll('td')].map(c => [t.caption.textContent, c.textContent,
        getComputedStyle(c).textAlign]))"""


def test_words_are_left_aligned_and_numbers_right_aligned(built, printed):
    # nbconvert's lab styles right-align every cell: names of topics and roles read ragged
    out, _, _ = built
    printed.goto((out / "cohort.html").resolve().as_uri())
    cells = printed.evaluate(ALIGNMENT)
    amount = r"[−-]?\d[\d\u202f\u00a0]*(,\d+)?(\s?%)?"
    number = re.compile(rf"(< )?{amount}( till {amount})?|–")
    words = [(caption, text) for caption, text, align in cells if not number.fullmatch(text.strip())]
    numbers = [(caption, text) for caption, text, align in cells if number.fullmatch(text.strip())]
    assert len(words) > 20 and len(numbers) > 50
    aligned = {(caption, text): align for caption, text, align in cells}
    assert all(aligned[cell] in ("left", "start") for cell in words), [
        c for c in words if aligned[c] == "right"
    ]
    assert all(aligned[cell] == "right" for cell in numbers), [c for c in numbers if aligned[c] != "right"]


def test_a_planted_wide_table_breaks_words_rather_than_the_page(printed, tmp_path):
    # sixteen columns of long words do not fit A4 portrait whole: the table is marked and wraps
    import nbformat

    from evaluation.report.page import TIGHT, notebook_html

    words = ["Konfidensintervallsberäkning", "Effektstorleksuppskattning", "0,123"] * 6
    head = "".join(f'<th scope="col">{w} {n}</th>' for n, w in enumerate(words[:16]))
    row = "".join(f"<td>{w}</td>" for w in words[:16])
    table = (
        f'<table class="report"><caption>Bred</caption><thead><tr>{head}</tr></thead>'
        f"<tbody><tr>{row}</tr></tbody></table>"
    )
    small = (
        '<table class="report"><caption>Smal</caption><thead><tr><th>Roll</th></tr></thead>'
        "<tbody><tr><td>adept</td></tr></tbody></table>"
    )
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                outputs=[
                    nbformat.v4.new_output(
                        "display_data", data={"text/html": f"<h1>Bred tabell</h1>{table}{small}"}
                    )
                ]
            )
        ]
    )
    page = notebook_html(notebook, lang="sv", fallback_title="wide")
    assert f'class="report {" ".join(TIGHT)}"' in page and '<table class="report"><caption>Smal' in page
    assert re.search(r"<title>Bred tabell</title>", page)
    wide = tmp_path / "wide.html"
    wide.write_text(page, encoding="utf-8")
    printed.goto(wide.as_uri())
    for caption, right, scroll, container, width in printed.evaluate(WIDTHS):
        assert right <= width + 1 and scroll <= container + 1, (caption, right, scroll, width)


def test_figures_fit_on_a_printed_page(built, printed):
    # a tall heatmap was cut across two pages, its caption alone on the next
    from evaluation.report.pdf import PAGE_MARGIN

    out, _, _ = built
    millimetres = 297 - sum(float(PAGE_MARGIN[side].removesuffix("mm")) for side in ("top", "bottom"))
    page_height = millimetres / 25.4 * 96
    sizes = []
    for path in _report_pages(out):
        printed.goto(path.resolve().as_uri())
        sizes += printed.eval_on_selector_all(
            "figure", "fs => fs.map(f => [f.getBoundingClientRect().width, f.getBoundingClientRect().height])"
        )
    assert sizes
    assert all(w <= printed.viewport_size["width"] + 1 and h < page_height for w, h in sizes), sizes
