"""Google Forms' CSV download ("Download responses (.csv)", or the linked Sheet saved as CSV).

``Tidstämpel`` (Swedish interface) or ``Timestamp``, ``E-postadress`` / ``Email Address`` when the form
collects e-mail addresses, then one column per question headed by the question's text. A multiple-choice
grid exports one column per row, headed ``Grid title [row text]``: the toolkit's sections are built as
grids (see `evaluation.formats.layout.blocks`). Answers are the labels shown; a linear scale (0–10)
exports its digit; checkboxes join the chosen labels with ``", "``. The timestamp follows the interface
language: ``2027/01/24 12:24:08 em CET`` in Swedish, ``2027/01/24 12:24:08 PM GMT+1`` in English.
Google Forms has no hidden fields, so the instrument version is not in the file (cohort.yml records it).

References
----------
Google Forms Help, "View & manage form responses" (download as CSV) and "Create a multiple choice
grid"; Google Sheets' CSV download of a linked response sheet (``2027-12-10 09:40:17``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from evaluation.formats.base import Platform, is_missing
from evaluation.formats.layout import Column, Layout, blocks

__all__ = ["GOOGLE_FORMS"]

_STOCKHOLM = ZoneInfo("Europe/Stockholm")
_META = {"sv": ("Tidstämpel", "E-postadress"), "en": ("Timestamp", "Email Address")}


def _stamp(moment: datetime, lang: str) -> str:
    """Write a Stockholm wall-clock time as Google Forms' CSV does in the interface language."""
    local = moment.replace(tzinfo=_STOCKHOLM)
    summer = bool(local.dst())
    clock = local.strftime("%Y/%m/%d %I:%M:%S")
    if lang == "sv":
        return f"{clock} {'fm' if local.hour < 12 else 'em'} {'CEST' if summer else 'CET'}"
    return f"{clock} {'AM' if local.hour < 12 else 'PM'} GMT+{2 if summer else 1}"


@dataclass(frozen=True)
class GoogleForms(Platform):
    """Google Forms: grids as ``Title [row]`` columns, labels, interface-language timestamps."""

    def item_headers(self, layout: Layout) -> list[str]:
        """Return ``Grid title [row text]`` for grid rows and the question text for single questions."""
        found = blocks(layout)
        return [f"{found[c.key].text} [{c.text}]" if found[c.key].grid else c.text for c in layout.columns]

    def item_cell(self, value: object, column: Column, lang: str) -> object:
        """Write a linear scale (an ordinal scale of more than seven points, e.g. 0–10) as its digit."""
        if column.scale.type == "ordinal" and len(column.scale.choices) > 7 and not is_missing(value):
            return str(int(float(value)))
        return super().item_cell(value, column, lang)

    def columns(self, table: pd.DataFrame, layout: Layout) -> list[tuple[str, list[object]]]:
        """Name the timestamp and e-mail columns in the interface language and write its timestamps."""
        out = super().columns(table, layout)
        stamp, email = _META[layout.lang]
        renamed = []
        for header, values in out:
            if header == "Timestamp":
                moments = pd.to_datetime(table.get("submittedat"))
                values = ["" if pd.isna(m) else _stamp(m.to_pydatetime(), layout.lang) for m in moments]
                header = stamp
            elif header == "Email Address":
                header = email
            renamed.append((header, values))
        return renamed

    def parse_meta(self, table: pd.DataFrame) -> pd.DataFrame:
        """Read timestamps in any of Google's interface languages (`evaluation.formats.dates`)."""
        from evaluation.formats.dates import parse_timestamps

        for column in ("startedat", "submittedat"):
            if column in table:
                table[column] = parse_timestamps(table[column])[0]
        return table

    def to_table(self, raw, layout: Layout) -> pd.DataFrame:
        """Read back the interface language's metadata names as the English ones."""
        stamp, email = _META[layout.lang]
        raw.frame = raw.frame.rename(columns={stamp: "Timestamp", email: "Email Address"})
        return super().to_table(raw, layout)


GOOGLE_FORMS = GoogleForms(
    name="google-forms",
    meta={"Timestamp": "submittedat", "Email Address": "email"},
    item_header="text",
    labels=True,
    multi_separator=", ",
    time_format="%Y/%m/%d %I:%M:%S %p",
    version_column=False,
)
