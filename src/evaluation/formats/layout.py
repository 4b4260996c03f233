"""What an export file holds, independent of the platform: its columns and the canonical table.

A `Layout` lists the columns of one export (one instrument as one role answers it, in one language):
metadata first, then one column per item. The canonical *response table* has one row per submission
and these columns:

- ``responseid``: the platform's response id (a direct identifier: never leaves ingest);
- ``startedat``, ``submittedat``: when the response was started and submitted (``datetime64``);
- ``finished`` (bool) and ``progress`` (0-100): whether the respondent reached the end;
- ``email``, ``name``: the respondent as the platform knows them (direct identifiers);
- ``ipaddress``, ``latitude``, ``longitude``: where a platform records them (direct identifiers);
- ``participantcode``: the code from the invitation; ``instrumentversion``: e.g. ``baseline 1.0.0``;
- one column per item id: an integer code for choice scales, several codes joined by ``;`` for
  multiple choice (``"1;4"``), a number, a ``YYYY-MM-DD`` date, or text.

Each platform module writes this table in its platform's shape and reads its shape back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from evaluation.survey import PARTICIPANT_CODE, VERSION_FIELD, Instrument, Item, Scale, Templates
from evaluation.survey.questions import FormSection, form_questions

__all__ = ["METADATA", "Block", "Column", "Layout", "RawExport", "blocks", "layout_for", "layout_sections"]

METADATA: tuple[str, ...] = (
    "responseid",
    "startedat",
    "submittedat",
    "finished",
    "progress",
    "email",
    "name",
    "ipaddress",
    "latitude",
    "longitude",
    PARTICIPANT_CODE,
    VERSION_FIELD,
)
"""Canonical metadata columns, in order; platforms keep the ones they have."""


@dataclass(frozen=True)
class Column:
    """One item column: the item, its scale, and the question text the respondent read."""

    item: Item
    scale: Scale
    text: str

    @property
    def key(self) -> str:
        """The canonical column name: the item id."""
        return self.item.id


@dataclass(frozen=True)
class Layout:
    """The columns of one export: an instrument as one role answers it, in one language."""

    instrument: Instrument
    role: str
    lang: str
    columns: tuple[Column, ...]

    @property
    def item_ids(self) -> list[str]:
        """Item ids in form order."""
        return [c.key for c in self.columns]


@dataclass
class RawExport:
    """An export as read: every cell as text, plus what the header rows said about each column.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per submission, one column per exported column (named by the first header row,
        made unique), every cell a string or missing.
    headers : dict
        Column name to the list of header-row values above the data (codes, question texts, import
        ids), as the platform wrote them.
    platform : str
        The platform whose shape the file has.
    path : str
        The file read.
    encoding, delimiter : str
        As detected (empty for spreadsheets).
    header_rows : int
        How many rows above the data described the columns.
    decimal_comma : bool
        Whether numbers in the file use a decimal comma.
    """

    frame: pd.DataFrame
    headers: dict[str, list[str]] = field(default_factory=dict)
    platform: str = ""
    path: str = ""
    encoding: str = ""
    delimiter: str = ""
    header_rows: int = 1
    decimal_comma: bool = False


def layout_for(templates: Templates, instrument_id: str, role: str, lang: str) -> Layout:
    """Return the layout of `instrument_id` as `role` answers it in `lang`."""
    instrument = templates.instrument(instrument_id)
    columns = tuple(
        Column(item, templates.scale_of(item), item.wording(role, lang))
        for item in instrument.items_for(role)
    )
    return Layout(instrument, role, lang, columns)


@dataclass(frozen=True)
class Block:
    """Where an item sits on a hand-built form: its question, and its row if the question is a grid.

    Attributes
    ----------
    number : int
        The question's number in form order, from 1 (the participant code is question 0).
    text : str
        The question's text: a grid's is its section's introduction (else its title), a single item's
        is its own wording.
    grid : bool
        Whether the item is a row of a grid (Google Forms' multiple-choice grid, Qualtrics' matrix,
        Microsoft Forms' Likert question).
    row : int
        The item's row in its grid, from 1 (1 for a single item).
    """

    number: int
    text: str
    grid: bool
    row: int


def layout_sections(layout: Layout) -> list[FormSection]:
    """Return the sections of `layout`'s instrument with the items the layout has, each with its scale."""
    present = {c.key: c for c in layout.columns}
    sections = []
    for section in layout.instrument.sections:
        items = tuple((i, present[i.id].scale) for i in section.items if i.id in present)
        if items:
            sections.append(FormSection(section, items))
    return sections


def blocks(layout: Layout) -> dict[str, Block]:
    """Return each item's `Block` as a coordinator's form asks it (`evaluation.survey.questions`).

    The same rule builds the toolkit's Google Apps Script and Qualtrics survey file, so the shapes
    the generator writes are the shapes those forms export.
    """
    present = {c.key: c for c in layout.columns}
    out: dict[str, Block] = {}
    number = 0
    for _, questions in form_questions(layout_sections(layout), layout.role, layout.lang):
        for question in questions:
            number += 1
            grid = question.kind == "grid"
            for row, (item, _) in enumerate(question.items, start=1):
                text = question.title if grid else present[item.id].text
                out[item.id] = Block(number, text, grid, row)
    return out
