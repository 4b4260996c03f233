"""An executed report notebook as an HTML page, for the screen and for print.

`notebook_html` converts with nbconvert (inputs, prompts and tagged cells removed), sets the page's
language and its title (the report's first heading and the cohort's name, `report_title`), and adds
the print styles (`REPORT_CSS`): A4 tables that fit, figures that are never cut, headings kept with
what follows. A table whose longest words cannot fit across an A4 page is marked to break inside
words (`TIGHT`).
"""

from __future__ import annotations

import contextlib
import copy
import html
import re
from pathlib import Path

import nbformat

from evaluation.cohort import load_cohort

__all__ = [
    "MIN_COLUMN_EM",
    "PRINT_WIDTH_PX",
    "REMOVED_TAGS",
    "REPORT_CSS",
    "TIGHT",
    "notebook_html",
    "report_title",
]


REMOVED_TAGS = {"remove_cell", "parameters", "injected-parameters", "evaluation-reset"}


def notebook_html(
    executed: nbformat.NotebookNode, *, lang: str, fallback_title: str, cohort_dir: Path | None = None
) -> str:
    """Return an executed report notebook as an HTML page (see the module).

    Parameters
    ----------
    executed : nbformat.NotebookNode
        The executed notebook.
    lang : str
        The report's language (``<html lang>``).
    fallback_title : str
        The title when the page has no heading of its own.
    cohort_dir : pathlib.Path, optional
        The cohort, whose name the title adds (`report_title`).

    Returns
    -------
    str
        The page.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="lab", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    remover = TagRemovePreprocessor(remove_cell_tags=REMOVED_TAGS, enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(
        copy.deepcopy(executed), resources={"metadata": {"name": fallback_title}}
    )
    body = re.sub(r"<html[^>]*>", f'<html lang="{html.escape(lang)}">', body, count=1)
    title = html.escape(report_title(body, fallback_title, cohort_dir), quote=False)
    body = re.sub(r"<title>.*?</title>", lambda _: f"<title>{title}</title>", body, count=1, flags=re.S)
    body = re.sub(r'<table class="report".*?</table>', _mark_tight, body, flags=re.S)
    return body.replace("</head>", f"<style>{REPORT_CSS}</style></head>", 1)


def report_title(page: str, fallback: str, cohort_dir: Path | None = None) -> str:
    """Return a report page's title: its first heading, with the cohort's name when it lacks it.

    nbconvert titles a page by the notebook's name ("cohort", an agency's name); the title a reader
    sees in the browser tab, the printed header and the PDF's metadata is the report's own heading.
    """
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page, flags=re.S)
    heading = html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).replace("¶", "").strip() if found else ""
    heading = " ".join(heading.split()) or fallback
    name = ""
    if cohort_dir is not None:  # not the comparison, which names several cohorts
        with contextlib.suppress(Exception):  # a title is no reason to fail a report
            name = load_cohort(cohort_dir).name
    return f"{heading} – {name}" if name and name not in heading else heading


PRINT_WIDTH_PX = (210 - 2 * 12) / 25.4 * 96
"""The width of an A4 portrait page's text in CSS pixels, between the left and right margins
(`evaluation.report.pdf.PAGE_MARGIN`)."""


TIGHT = ("tight", "tighter")
"""Classes of a report table whose whole words do not fit across `PRINT_WIDTH_PX` (`_mark_tight`)."""


MIN_COLUMN_EM = 3.5
"""The narrowest column of a tight table, in em: a number written as text (0,23) stays whole."""


def _mark_tight(match: re.Match) -> str:
    """Return a report table, marked when its longest words cannot fit across a printed page.

    A table is never narrower than its longest words allow, so a table with many columns or long
    words would be cut off at the page's edge. A "tight" table breaks its headers inside a word where
    they must; a "tighter" one its cells too (`REPORT_CSS`). Widths are estimated from the letters
    (Arial averages about half an em a letter, bold a little more), erring wide.
    """
    table = match.group(0)
    headers: dict[int, float] = {}
    cells: dict[int, float] = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        for column, (tag, text) in enumerate(re.findall(r"<(th|td)[^>]*>(.*?)</t[hd]>", row, flags=re.S)):
            words = html.unescape(re.sub(r"<[^>]+>", "", text)).split()
            letters = max((len(w) for w in words), default=0)
            widest = headers if tag == "th" else cells
            widest[column] = max(widest.get(column, 0.0), letters * (0.56 if tag == "th" else 0.53))
    columns = sorted(set(headers) | set(cells))
    pixels_per_em = (8 if len(columns) >= 8 else 9) * 96 / 72
    padding = len(columns) * 9  # padding and border, in pixels

    def width(ems: list[float]) -> float:
        return sum(ems) * pixels_per_em + padding

    if width([max(headers.get(c, 0.0), cells.get(c, 0.0)) for c in columns]) <= PRINT_WIDTH_PX:
        return table
    fits = width([max(MIN_COLUMN_EM, cells.get(c, 0.0)) for c in columns]) <= PRINT_WIDTH_PX
    marked = TIGHT[0] if fits else " ".join(TIGHT)
    return table.replace('<table class="report"', f'<table class="report {marked}"', 1)


REPORT_CSS = (
    # Tables: captions read as titles; text wraps between words, numbers never. Figures never wider
    # than their column, never enlarged.
    "table.report{border-collapse:collapse;margin:1rem 0;max-width:100%}"
    "table.report caption{text-align:left;font-weight:600;padding:.25rem 0}"
    "table.report th,table.report td{border:1px solid #6b6b6b;padding:.25rem .5rem;overflow-wrap:break-word}"
    "table.report th{vertical-align:bottom}"
    # words left, numbers right (nbconvert's lab styles right-align every cell, with a stronger selector)
    ".jp-RenderedHTMLCommon table.report :is(th,td){text-align:left}"
    ".jp-RenderedHTMLCommon table.report :is(th,td):is(.num,.range){text-align:right}"
    "table.report td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
    "figure{margin:1rem 0}figure img{max-width:100%;height:auto}"
    "@media print{"
    "body.jp-Notebook{padding:0;margin:0}.jp-Cell{padding:0}"
    ".jp-Cell,.jp-OutputArea,.jp-OutputArea-child{break-inside:auto!important}"
    # the output area is a table cell on screen, which grows with a wide table instead of wrapping it
    ".jp-OutputArea-child{display:block!important}"
    ".jp-OutputArea-output{display:block!important;overflow:visible!important;width:auto!important;"
    "padding-right:0!important}"
    # Arial's width (Liberation Sans on Linux) is about a tenth narrower than DejaVu Sans (system-ui)
    "table.report{font:9pt/1.25 Arial,'Liberation Sans',Helvetica,sans-serif;table-layout:auto}"
    "table.report th,table.report td{padding:.15rem .25rem}table.report th{font-size:.9em}"
    "table.report:has(tr>:nth-child(8)){font-size:8pt}table.report:has(tr>:nth-child(8)) th{font-size:1em}"
    # a tight table breaks its headers inside a word where it must (Chromium has no Swedish
    # hyphenation here), a tighter one its cells too; no column narrower than a few letters
    f"table.report.{TIGHT[0]} th{{overflow-wrap:anywhere;min-width:{MIN_COLUMN_EM}em}}"
    f"table.report.{TIGHT[1]} td:not(.num){{overflow-wrap:anywhere;min-width:{MIN_COLUMN_EM}em}}"
    f"table.report.{TIGHT[1]}:has(tr>:nth-child(14)) :is(th,td){{min-width:2.5em;padding:.1rem .15rem}}"
    "thead{display:table-header-group}tr,figure,img{break-inside:avoid}"
    # a short table is kept whole; a long one never leaves its caption and header alone at a page's foot
    "table.report:not(:has(tbody>tr:nth-child(9))){break-inside:avoid}"
    "table.report tbody>tr:first-child{break-before:avoid}"
    # a figure (a tall heatmap) is never cut across pages: at most a page high, less its caption
    "figure{margin:.5rem 0}figure img{max-height:225mm;width:auto;object-fit:contain}"
    "h1,h2,h3,h4,caption{break-after:avoid}"
    # a heading is its own notebook cell: keep that cell with the next one
    ".jp-Cell:has(h1,h2,h3,h4):not(:has(table,figure,p,li)){break-after:avoid}"
    "}"
)
