"""Rendering: the pieces report notebooks display (headings, paragraphs, accessible tables) as HTML.

Privacy by construction: `table` shows and writes only `evaluation.disclosure.Protected` tables (it
raises `evaluation.disclosure.UnprotectedTableError` for anything else), and writes each to
``results/<name>.csv`` with exactly the suppression the page shows. Every output made here carries a
mark (`OUTPUT_MARK`) in its display metadata; the build (`evaluation.report.build`) refuses a notebook
whose outputs lack it, so a raw table printed in a notebook is never published.

HTML comes from the package's jinja2 templates through the one environment of every page the package
writes (`evaluation.templating`): the pieces are the macros of ``report_pieces.html.j2`` (`piece`).
The page of an executed notebook is made in `evaluation.report.page`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from markupsafe import Markup

from evaluation.disclosure import Protected, UnprotectedTableError
from evaluation.templating import ENVIRONMENT
from evaluation.text import message, number

if TYPE_CHECKING:
    from evaluation.report.data import CohortData

__all__ = [
    "OUTPUT_MARK",
    "Shown",
    "heading",
    "paragraph",
    "piece",
    "save",
    "show",
    "table",
]

OUTPUT_MARK = "evaluation.report"
"""The display-metadata mark of every output made here; the build (`evaluation.report.build`) publishes
nothing else."""


class Shown:
    """A piece of a report page: HTML with the mark `OUTPUT_MARK`, displayed by Jupyter."""

    def __init__(self, markup: str) -> None:
        self.data = str(markup)

    def _repr_html_(self) -> tuple[str, dict]:
        return self.data, {OUTPUT_MARK: True}

    def __repr__(self) -> str:
        return ""


def piece(kind: str, *args: object) -> Markup:
    """Return one piece of a page (``report_pieces.html.j2``'s macro `kind`) as escaped HTML.

    Kinds: ``heading(text, level)``, ``paragraph(text)``, ``bullets(items, class_name)``,
    ``figure(png, alt, title)``, ``table(name, caption, headers, rows)``, ``summary(title, parts)``.
    """
    return Markup(getattr(ENVIRONMENT.get_template("report_pieces.html.j2").module, kind)(*args))


def show(*pieces: Markup | Shown) -> Shown:
    """Display pieces (`piece`, or what was displayed before) together as one marked output.

    A plain string is escaped: only the templates write markup.
    """
    return Shown(Markup("").join(Markup(p.data) if isinstance(p, Shown) else p for p in pieces))


def heading(key: str, lang: str, level: int = 2, **values: object) -> Shown:
    """Display the catalogue's text `key` (`evaluation.text`) as a heading in the report's language."""
    return show(piece("heading", message(key, lang, **values), level))


def paragraph(key: str, lang: str, **values: object) -> Shown:
    """Display the catalogue's text `key` (`evaluation.text`) as a paragraph in the report's language."""
    return show(piece("paragraph", message(key, lang, **values)))


def _cell(value: object, digits: int, lang: str | None) -> tuple[str, str]:
    """Return a cell's text and its class: ``num`` for a number, ``range`` for an interval, else "".

    Numbers are right-aligned and never wrap; an interval is right-aligned and may wrap between its
    numbers. Text a reader view wrote for a number (`_NUMBER_LIKE`) counts as one; hidden or missing
    is "–".
    """
    if value is None or value is pd.NA or (isinstance(value, float | np.floating) and np.isnan(value)):
        return "–", "num"
    if isinstance(value, bool | np.bool_):
        return (str(value) if lang is None else message(f"value.{'yes' if value else 'no'}", lang)), ""
    if isinstance(value, int | np.integer):
        return (str(int(value)) if lang is None else number(int(value), lang, 0)), "num"
    if isinstance(value, float | np.floating):
        return (f"{value:.{digits}f}" if lang is None else number(float(value), lang, digits)), "num"
    text = str(value)
    found = _NUMBER_LIKE.fullmatch(text)
    return text, ("range" if found.group("high") else "num") if found else ""


_NUMBER = r"[−+-]?\d[\d\u202f\u00a0]*(?:[,.]\d+)?(?:\s?%)?"
_NUMBER_LIKE = re.compile(rf"(?:<\s)?{_NUMBER}(?P<high>\s(?:till|to)\s{_NUMBER})?|–")
"""Text a reader view wrote for a number: "0,23", "< 0,001", "12 %", "1 200", "0,10 till 0,45"."""


def save(protected: Protected, results_dir: str | Path, name: str) -> Path:
    """Write a protected table as ``results/<name>.csv`` (hidden cells empty) and return the path.

    Raises
    ------
    evaluation.disclosure.UnprotectedTableError
        If `protected` did not pass through `evaluation.disclosure`.
    """
    if not isinstance(protected, Protected):
        raise UnprotectedTableError(
            f"results/{name}.csv: only tables protected by evaluation.disclosure are published, "
            f"got {type(protected).__name__}; use report.protect(...) first"
        )
    folder = Path(results_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    protected.frame.to_csv(path, index=False, lineterminator="\n")
    return path


def table(
    protected: Protected,
    caption: str,
    *,
    name: str,
    results_dir: str | Path,
    digits: int = 2,
    lang: str | None = None,
    data: CohortData | None = None,
) -> Shown:
    """Show an accessible table and write the same table to ``results/<name>.csv``.

    The page shows the table's reader view (or the table itself) with a caption, header cells with
    scope, words left-aligned, numbers (and the headers of columns of numbers) right-aligned and hidden
    cells as "–"; the CSV holds the tidy table with exactly
    the same cells hidden (empty). The HTML names its CSV (``data-results``) and each column the CSV
    column it shows (``data-col``), so that `evaluation.audit` can check what was published.

    Parameters
    ----------
    protected : evaluation.disclosure.Protected
        A table that passed disclosure control.
    caption : str
        The table's caption in the report's language.
    name : str
        The CSV's name under `results_dir`, without ``.csv``.
    results_dir : str or pathlib.Path
        ``reports/<cohort>/results``.
    digits : int
        Decimals of non-integer numbers.
    lang : str, optional
        The report's language. Given, numbers are written the reader's way (`evaluation.text.number`)
        and a table without a reader view gets the catalogue's one
        (`evaluation.report.views.reader_view`), so that no column name, id, boolean or decimal point
        reaches a leadership page. Without it the tidy table is shown as it is (analysts' notebooks).
    data : evaluation.report.data.CohortData, optional
        The cohort, for the names of its topics in the reader view.

    Returns
    -------
    Shown
        The table, displayed by Jupyter.

    Raises
    ------
    evaluation.disclosure.UnprotectedTableError
        If `protected` did not pass through `evaluation.disclosure`.
    KeyError
        If `lang` is given and the catalogue has no header for one of the table's columns.
    """
    save(protected, results_dir, name)
    if lang is not None and protected.view is None:
        from evaluation.report.views import reader_view

        protected = reader_view(protected, lang, data, digits=digits)
    frame = protected.view if protected.view is not None else protected.frame
    if lang is not None and "note" in frame and not frame["note"].fillna("").astype(str).str.strip().any():
        frame = frame.drop(columns="note")  # a column of nothing tells the reader nothing
    rows = [[_cell(v, digits, lang) for v in row] for row in frame.itertuples(index=False, name=None)]
    numeric = [bool(rows) and all(cells[i][1] for cells in rows) for i in range(len(frame.columns))]
    headers = [
        (str(c), str(protected.headers.get(c, c)), "num" if number_column else "")
        for c, number_column in zip(frame.columns, numeric, strict=True)
    ]
    return show(piece("table", name, caption, headers, rows))
