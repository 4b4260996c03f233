"""The shape every platform module fills in: how metadata, headers and values are written and read.

A platform is described by a `Platform` object: its metadata columns, whether the header row holds
item ids or question texts, whether answers are codes or labels, how several choices are joined, and
how dates look. `Platform.write` turns a canonical response table (see `evaluation.formats.layout`)
into the platform's file; `Platform.read` reads such a file back into a `RawExport` with every cell as
text; `Platform.to_table` turns that back into the canonical table for a known layout. Platforms with
extra header rows, spreadsheets or one column per option override the parts that differ.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evaluation.formats.layout import Column, Layout, RawExport
from evaluation.formats.values import decode, encode, is_missing
from evaluation.survey import PARTICIPANT_CODE, PARTICIPANT_CODE_TEXT, VERSION_FIELD

__all__ = ["Platform", "title_rows"]


@dataclass(frozen=True)
class Platform:
    """One survey platform's export shape.

    Attributes
    ----------
    name : str
        The format's name, as in ``--format``.
    suffix : str
        File suffix.
    meta : dict
        Platform column name to canonical metadata column (``submittedat``, ``email``, ...).
    item_header : {"id", "text"}
        Whether item columns are headed by the item id or the question text.
    labels : bool
        Whether answers to choice questions are written as labels (else codes).
    multi_separator : str
        How a multiple-choice answer joins its choices.
    time_format : str
        strftime format of timestamps.
    encoding, delimiter : str
        Of the CSV file.
    decimal_comma : bool
        Whether numbers are written with a decimal comma.
    header_rows : int
        How many rows above the data describe the columns.
    quoting : int
        The csv module's quoting rule.
    participant_column : str, optional
        Header of the participant-code column when it is neither the id nor the question text.
    version_column : bool
        Whether the file carries the hidden instrument-version field (platforms with hidden fields).
    """

    name: str
    suffix: str = ".csv"
    meta: dict[str, str] = field(default_factory=dict)
    item_header: str = "id"
    labels: bool = False
    multi_separator: str = ";"
    time_format: str = "%Y-%m-%d %H:%M:%S"
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal_comma: bool = False
    header_rows: int = 1
    quoting: int = csv.QUOTE_MINIMAL
    participant_column: str | None = None
    version_column: bool = True

    # --- writing ----------------------------------------------------------------------------------

    def item_headers(self, layout: Layout) -> list[str]:
        """Return the header of each item column."""
        if self.item_header == "id":
            return layout.item_ids
        return [c.text for c in layout.columns]

    def participant_header(self, layout: Layout) -> str:
        """Return the header of the participant-code column."""
        if self.participant_column:
            return self.participant_column
        return PARTICIPANT_CODE if self.item_header == "id" else PARTICIPANT_CODE_TEXT[layout.lang]

    def meta_column(self, canonical: str, values: pd.Series) -> list[object]:
        """Return a metadata column as the platform writes it (timestamps formatted, flags as 0/1)."""
        if pd.api.types.is_datetime64_any_dtype(values):
            return values.dt.strftime(self.time_format).fillna("").tolist()
        if canonical == "finished":
            return ["" if is_missing(v) else int(bool(v)) for v in values]
        return ["" if is_missing(v) else v for v in values]

    def item_cell(self, value: object, column: Column, lang: str) -> object:
        """Return an item value as the platform writes it, labels in `lang` ("" when missing)."""
        cell = encode(value, column.scale, lang, labels=self.labels, separator=self.multi_separator)
        if cell is None:
            return ""
        if self.decimal_comma and isinstance(cell, float):
            return f"{cell:g}".replace(".", ",")
        return cell

    def columns(self, table: pd.DataFrame, layout: Layout) -> list[tuple[str, list[object]]]:
        """Return the file's columns as (header, cells), in order, built column-wise for speed.

        Headers may repeat: platforms that head columns by question text repeat a text that two
        questions share (a retrospective item repeats its original's wording), and readers map the
        n-th occurrence of a text to the n-th item with that text, in form order.
        """
        n = len(table)
        out: list[tuple[str, list[object]]] = []
        empty = pd.Series([None] * n, index=table.index, dtype=object)
        for platform, canonical in self.meta.items():
            out.append((platform, self.meta_column(canonical, table.get(canonical, empty))))
        for header, canonical, present in (
            (self.participant_header(layout), PARTICIPANT_CODE, True),
            (VERSION_FIELD, VERSION_FIELD, self.version_column),
        ):
            if present:
                out.append((header, self.meta_column(canonical, table.get(canonical, empty))))
        for column, header in zip(layout.columns, self.item_headers(layout), strict=True):
            values = table.get(column.key, empty)
            out.append((header, _mapped(values, lambda v, c=column: self.item_cell(v, c, layout.lang))))
        return out

    def header_lines(self, columns: list[tuple[str, list[object]]], layout: Layout) -> list[list[str]]:
        """Return the header rows above the data (one row of column names by default)."""
        return [[header for header, _ in columns]]

    def write(self, table: pd.DataFrame, layout: Layout, path: Path) -> None:
        """Write the canonical `table` to `path` in this platform's shape."""
        columns = self.columns(table, layout)
        text = io.StringIO()
        writer = csv.writer(text, delimiter=self.delimiter, lineterminator="\r\n", quoting=self.quoting)
        writer.writerows(self.header_lines(columns, layout))
        writer.writerows(zip(*(values for _, values in columns), strict=True))
        path.write_bytes(text.getvalue().encode(self.encoding))

    # --- reading ----------------------------------------------------------------------------------

    def read(self, path: Path) -> RawExport:
        """Read a file of this shape: every cell as text, header rows kept per column."""
        with path.open(encoding=self.encoding, newline="") as handle:
            records = list(csv.reader(handle, delimiter=self.delimiter))
        return self.from_records(records, path)

    def from_records(self, records: list[list[str]], path: Path) -> RawExport:
        """Build a `RawExport` from rows of cells, the first `header_rows` being headers."""
        top = records[: self.header_rows]
        names = _unique(top[0]) if top else []
        headers = {name: [row[i] if i < len(row) else "" for row in top] for i, name in enumerate(names)}
        body = [r + [""] * (len(names) - len(r)) for r in records[self.header_rows :]]
        absent = _ABSENT_EXACT  # the common cases in one set lookup; padded cells only call _absent
        cells = [
            [
                None if v in absent or ((v[:1].isspace() or v[-1:].isspace()) and _absent(v)) else v
                for v in r[: len(names)]
            ]
            for r in body
        ]
        frame = pd.DataFrame(cells, columns=names, dtype=object)
        return RawExport(
            frame=frame, headers=headers, platform=self.name, path=str(path), header_rows=self.header_rows
        )

    def to_table(self, raw: RawExport, layout: Layout) -> pd.DataFrame:
        """Return the canonical table of an export whose layout is known (see `layout_for`)."""
        frame = raw.frame
        data: dict[str, object] = {}
        for platform, canonical in self.meta.items():
            if platform in frame:
                data[canonical] = frame[platform]
        participant = self.participant_header(layout)
        if participant in frame:
            data[PARTICIPANT_CODE] = frame[participant]
        if VERSION_FIELD in frame:
            data[VERSION_FIELD] = frame[VERSION_FIELD]
        names = self.item_column_names(layout)
        for column in layout.columns:
            name = names[column.key]
            if name in frame:
                separators = (self.multi_separator,)
                data[column.key] = [decode(v, column.scale, separators=separators) for v in frame[name]]
        return self.parse_meta(pd.DataFrame(data, index=frame.index))

    def item_column_names(self, layout: Layout) -> dict[str, str]:
        """Return, per item id, the name of its column in a `RawExport` read from this platform.

        Repeated headers are told apart the way `read` names them (``text``, ``text.1``, ...), so the
        n-th column with a text belongs to the n-th item with that text.
        """
        return dict(zip(layout.item_ids, _unique(self.item_headers(layout)), strict=True))

    def parse_meta(self, table: pd.DataFrame) -> pd.DataFrame:
        """Turn metadata text into types: timestamps, finished as bool, progress as number."""
        for column in ("startedat", "submittedat"):
            if column in table:
                table[column] = pd.to_datetime(table[column], format=self.time_format, errors="coerce")
        if "finished" in table:
            table["finished"] = table["finished"].map(lambda v: None if v is None else str(v) == "1")
        if "progress" in table:
            table["progress"] = pd.to_numeric(table["progress"], errors="coerce")
        return table


def title_rows(records: list[list[str]]) -> int:
    """Return how many title rows stand above the header row (at most 5).

    A title row has at most two filled cells (a title, perhaps a date) or none (a blank line under
    the title), where the header below it has at least three filled cells and over four times as many.
    """

    def filled(row: list[str]) -> int:
        return sum(1 for cell in row if str(cell).strip())

    counts = [filled(r) for r in records[:8]]
    for header in range(1, min(6, len(counts))):
        above = counts[:header]
        if counts[header] >= 3 and any(above) and all(n <= 2 and counts[header] > 4 * n for n in above):
            return header
    return 0


MISSING_MARKERS = frozenset({"n/a", "na", "#n/a", "null"})
"""Cells that platforms write for "not answered" or "not shown" (compared in lower case, stripped)."""


_ABSENT_EXACT = frozenset({"", *MISSING_MARKERS, *(m.upper() for m in MISSING_MARKERS), "N/a", "Null"})


def _absent(value: object) -> bool:
    if value in _ABSENT_EXACT:  # the common case, one set lookup
        return True
    if isinstance(value, str):
        return not value.strip() or (
            (value[:1].isspace() or value[-1:].isspace()) and (value.strip().casefold() in MISSING_MARKERS)
        )
    return is_missing(value)


def _mapped(values, convert) -> list[object]:
    """Apply `convert` to each value, converting each distinct value once."""
    cache: dict[object, object] = {}
    out = []
    for value in values:
        key = ("nan",) if is_missing(value) else value
        try:
            out.append(cache[key])
        except KeyError:
            cache[key] = convert(value)
            out.append(cache[key])
        except TypeError:  # unhashable
            out.append(convert(value))
    return out


def _unique(names: list[str]) -> list[str]:
    """Make column names unique the way pandas does: a repeated name gets ``.1``, ``.2``, ..."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        if name in seen:
            seen[name] += 1
            result.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            result.append(name)
    return result
