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
