"""Microsoft Forms' Excel download: metadata columns, then one column per question text.

The metadata columns are ``ID``, ``Start time``, ``Completion time``, ``Email``, ``Name`` and
``Last modified time``, or with a Swedish interface ``ID``, ``Starttid``, ``Sluttid``, ``E-post``,
``Namn`` and ``Senaste ändringstid``. A Likert question exports one column per statement, headed by
the statement alone. Answers are labels; a multiple-choice answer lists the chosen labels each followed
by ``;`` (``"Teknik;Karriär;"``). Times are Excel date-times. ``Email`` and ``Name`` come from the
respondent's sign-in: direct identifiers that never leave ingest.

References
----------
Microsoft Support, "View results for your form" / "Export responses to Excel" in Microsoft Forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evaluation.formats.base import Platform
from evaluation.formats.layout import Column, Layout, RawExport
from evaluation.xlsx import read_rows, write_workbook

__all__ = ["MS_FORMS"]

_SWEDISH = {
    "Start time": "Starttid",
    "Completion time": "Sluttid",
    "Email": "E-post",
    "Name": "Namn",
    "Last modified time": "Senaste ändringstid",
}


@dataclass(frozen=True)
class MsForms(Platform):
    """Microsoft Forms: one sheet, timestamps as Excel date-times, ``;``-terminated choices."""

    def meta_column(self, canonical: str, values: pd.Series) -> list[object]:
        """Keep timestamps as date-times (Excel cells), the rest as the base class writes them."""
        if pd.api.types.is_datetime64_any_dtype(values):
            return [None if pd.isna(v) else v.to_pydatetime() for v in values]
        return super().meta_column(canonical, values)

    def item_cell(self, value: object, column: Column, lang: str) -> object:
        """Write a multiple-choice answer with a ``;`` after every label, as Forms does."""
        cell = super().item_cell(value, column, lang)
        if column.scale.type == "multiple" and isinstance(cell, str) and cell:
            return cell + ";"
        return None if cell == "" else cell

    def columns(self, table: pd.DataFrame, layout: Layout) -> list[tuple[str, list[object]]]:
        """Add ``Last modified time`` and name the metadata in the interface language."""
        out = super().columns(table, layout)
        modified = ("Last modified time", self.meta_column("submittedat", table.get("submittedat")))
        position = next(i for i, (h, _) in enumerate(out) if h == "Name") + 1
        out.insert(position, modified)
        names = _SWEDISH if layout.lang == "sv" else {}
        return [(names.get(header, header), values) for header, values in out]

    def to_table(self, raw: RawExport, layout: Layout) -> pd.DataFrame:
        """Read the Swedish interface's metadata names as the English ones."""
        raw.frame = raw.frame.rename(columns={sv: en for en, sv in _SWEDISH.items()})
        return super().to_table(raw, layout)

    def write(self, table: pd.DataFrame, layout: Layout, path: Path) -> None:
        """Write an .xlsx workbook with one sheet."""
        columns = self.columns(table, layout)
        rows = zip(*(values for _, values in columns), strict=True)
        write_workbook(path, {"Sheet1": [[header for header, _ in columns], *rows]})

    def read(self, path: Path) -> RawExport:
        """Read the first sheet; date-times become text in this platform's time format."""
        return self.from_records(read_rows(path), path)


MS_FORMS = MsForms(
    name="ms-forms",
    suffix=".xlsx",
    meta={
        "ID": "responseid",
        "Start time": "startedat",
        "Completion time": "submittedat",
        "Email": "email",
        "Name": "name",
    },
    item_header="text",
    labels=True,
    multi_separator=";",
    version_column=False,
)
