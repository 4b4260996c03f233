"""Microsoft Forms' Excel download: metadata columns, then one column per question text.

The metadata columns are ``ID``, ``Start time``, ``Completion time``, ``Email`` and ``Name``.
Answers are labels; a multiple-choice answer lists the chosen labels each followed by ``;``
(``"Teknik;Karriär;"``). Times are Excel date-times. ``Email`` and ``Name`` come from the
respondent's sign-in: direct identifiers that never leave ingest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evaluation.formats.base import Platform
from evaluation.formats.layout import Column, Layout, RawExport
from evaluation.xlsx import read_rows, write_workbook

__all__ = ["MS_FORMS"]


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
