"""A Swedish spreadsheet saved as CSV: semicolons, decimal comma, Windows-1252, Swedish labels.

What an agency gets when paper forms are typed into Excel with Swedish settings and saved as CSV: a
title row above the header (``Enkät inför programmet – inmatad från papper``), item ids as headers,
answers as the Swedish labels (å ä ö in Windows-1252), numbers like ``12,5`` and dates typed the
Swedish way (``2027-01-20 kl. 14.05``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evaluation.formats.base import Platform, title_rows
from evaluation.formats.layout import Layout, RawExport

__all__ = ["SWEDISH_EXCEL"]


@dataclass(frozen=True)
class SwedishExcel(Platform):
    """A typed-in spreadsheet: a title row, then the header and the rows."""

    def write(self, table: pd.DataFrame, layout: Layout, path: Path) -> None:
        """Write the title row, then the table as the base class does."""
        super().write(table, layout, path)
        title = f"{layout.instrument.title['sv']} – inmatad från pappersformulär"
        text = io.StringIO()
        csv.writer(text, delimiter=self.delimiter, lineterminator="\r\n").writerow([title])
        path.write_bytes(text.getvalue().encode(self.encoding) + path.read_bytes())

    def read(self, path: Path) -> RawExport:
        """Read the file, skipping the title rows above the header."""
        with path.open(encoding=self.encoding, newline="") as handle:
            records = list(csv.reader(handle, delimiter=self.delimiter))
        skipped = title_rows(records)
        raw = self.from_records(records[skipped:], path)
        raw.header_rows += skipped
        return raw

    def parse_meta(self, table: pd.DataFrame) -> pd.DataFrame:
        """Read timestamps typed the Swedish way (`evaluation.formats.dates`)."""
        from evaluation.formats.dates import parse_timestamps

        if "submittedat" in table:
            table["submittedat"] = parse_timestamps(table["submittedat"])[0]
        return table


SWEDISH_EXCEL = SwedishExcel(
    name="swedish-excel",
    meta={"Inskickad": "submittedat", "E-post": "email"},
    labels=True,
    multi_separator=", ",
    time_format="%Y-%m-%d kl. %H.%M",
    encoding="cp1252",
    delimiter=";",
    decimal_comma=True,
    participant_column="Deltagarkod",
    version_column=False,
)
