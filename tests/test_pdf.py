"""`evaluation report --pdf`: Chromium prints each leadership report to a PDF with the report's text."""

from __future__ import annotations

import shutil

from .test_accessibility import CHROMIUM, pytestmark  # noqa: F401 - the same skip without Chromium


def test_pdf_has_the_report_text(built, tmp_path):
    from pypdf import PdfReader

    from evaluation.reporting import write_pdfs

    out, _, _ = built
    copy = tmp_path / "cohort.html"
    shutil.copy(out / "cohort.html", copy)
    (pdf,) = write_pdfs([copy], chromium=CHROMIUM)
    reader = PdfReader(pdf)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2
    assert "Sammanfattning" in text and "Förändring per konstrukt och roll" in text


def test_pdf_links_are_relative_and_hold_no_machine_path(built, tmp_path):
    # Chromium prints a relative link as an absolute file:// URI (the machine's path); the build
    # rewrites it, and the audit reads PDF link targets too.
    from pypdf import PdfReader

    from evaluation.reporting import write_pdfs

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
