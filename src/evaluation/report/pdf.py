"""Printing report pages to PDF with headless Chromium: A4, a running title, "Sida N av M".

The page's ``<title>`` is the running title and the PDF's title; links to other local pages stay
relative, so that a PDF holds no machine path.
"""

from __future__ import annotations

import contextlib
import html
import os
from pathlib import Path
from typing import TYPE_CHECKING

from evaluation.errors import EvaluationError

if TYPE_CHECKING:
    from evaluation.report.progress import BuildProgress

__all__ = ["CHROMIUM_ARGS", "PAGE_MARGIN", "print_margins", "write_pdfs"]


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


PAGE_MARGIN = {"top": "18mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}
"""Printed page margins: room for the running title above and the page number below (8 pt each)."""


PAGE_OF = {"sv": "Sida {page} av {pages}", "en": "Page {page} of {pages}"}
"""The footer of a printed page, by the page's ``<html lang>``."""


_MARGIN_STYLE = (
    "font-family:system-ui,'Segoe UI',Arial,sans-serif;font-size:8pt;color:#404040;width:100%;"
    "box-sizing:border-box;padding:0 {side};margin:0;white-space:nowrap;overflow:hidden;"
    "text-overflow:ellipsis"
)


def print_margins(title: str, lang: str) -> tuple[str, str]:
    """Return Chromium's header (the running title) and footer (page X of Y) templates for one page.

    Chromium renders them in the page margins, apart from the page's own styles: their font size is
    set here, or it would be too small to read.
    """
    style = _MARGIN_STYLE.format(side=PAGE_MARGIN["left"])
    header = f'<div style="{style}">{html.escape(title)}</div>'
    words = PAGE_OF.get(lang.split("-")[0].lower(), PAGE_OF["en"])
    numbers = words.format(page='<span class="pageNumber"></span>', pages='<span class="totalPages"></span>')
    footer = f'<div style="{style};text-align:center">{numbers}</div>'
    return header, footer


def write_pdfs(
    pages: list[Path], chromium: str = "/usr/bin/chromium", *, progress: BuildProgress | None = None
) -> list[Path]:
    """Print each HTML page to a PDF beside it with Chromium; return the PDFs.

    A4 portrait, backgrounds kept, the page's ``<title>`` as a running title in the header and as the
    PDF's title, and "Sida 3 av 7" (or "Page 3 of 7", by the page's ``<html lang>``) in the footer.

    `progress` shows each PDF as a step of the build.

    Raises
    ------
    EvaluationError
        If Chromium is not installed (``apt-get install chromium``).
    """
    if not Path(chromium).exists():
        raise EvaluationError(f"{chromium} saknas / is missing: install Debian's chromium to write PDFs")
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        for html_page in pages:
            target = html_page.with_suffix(".pdf")
            with progress.step(f"PDF {_pdf_label(target)}") if progress else contextlib.nullcontext():
                page.goto(html_page.resolve().as_uri())
                title = page.title().strip() or html_page.stem
                header, footer = print_margins(title, page.evaluate("document.documentElement.lang") or "sv")
                page.pdf(
                    path=str(target),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template=header,
                    footer_template=footer,
                    margin=PAGE_MARGIN,
                )
                _finish_pdf(target, title)
            written.append(target)
        browser.close()
    return written


def _pdf_label(pdf: Path) -> str:
    return f"{pdf.parent.name}/{pdf.name}" if pdf.parent.name == "agencies" else pdf.name


def _finish_pdf(pdf: Path, title: str) -> None:
    """Rewrite a printed PDF once: its title, and its links to local pages relative to its own folder.

    Chromium prints a relative link as an absolute ``file://`` URI, which holds the machine's path.
    """
    import logging
    from urllib.parse import unquote, urlparse

    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # Skia's trailer size is one short: a harmless warning per file
    try:
        writer = PdfWriter(clone_from=str(pdf))
    finally:
        quiet.setLevel(level)
    changed = False
    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith("file:"):
                target = Path(unquote(urlparse(uri).path))
                relative = os.path.relpath(target, pdf.parent)
                action[NameObject("/URI")] = TextStringObject(Path(relative).as_posix())
                changed = True
    metadata = writer.metadata or {}
    if metadata.get("/Title") != title:
        writer.add_metadata({"/Title": title})
        changed = True
    if changed:
        with pdf.open("wb") as handle:
            writer.write(handle)
