"""Qualtrics' CSV export (the current one): three header rows, then one row per response.

Row 1 holds column names (metadata such as ``StartDate``, ``ResponseId``, ``RecipientEmail``, then
the questions' export tags), row 2 the question texts, row 3 a JSON import id per column
(``{"ImportId":"QID3_1"}``). A survey built by hand from the printable form has Qualtrics' own tags:
each section's grid is a matrix question ``Q{n}`` whose statements export as ``Q{n}_{k}`` with the text
``Question text - statement``; other questions are ``Q{n}``, the participant code ``Q0``. Answers are
numeric codes ("use numeric values"); several choices are joined with a comma. ``Status`` 0 is a
real response (1 a survey preview, 2 a survey test), ``Finished`` 1 a finished one. IP addresses and
coordinates are in the file and must never leave ingest.

References
----------
The shape of ropensci/qualtRics' test fixture ``tests/testthat/files/sample.csv`` (also in
``../shared/real-exports/qualtrics/``); Qualtrics Support, "Data & Analysis: Downloading Data" and
"Matrix Table Question" (matrix statements export as ``QID_statement``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from evaluation.formats.base import Platform
from evaluation.formats.layout import Layout, blocks
from evaluation.survey import PARTICIPANT_CODE_TEXT, VERSION_FIELD

__all__ = ["QUALTRICS"]

_META = {
    "StartDate": ("startedat", "Start Date", "startDate"),
    "EndDate": ("submittedat", "End Date", "endDate"),
    "Status": ("", "Response Type", "status"),
    "IPAddress": ("ipaddress", "IP Address", "ipAddress"),
    "Progress": ("progress", "Progress", "progress"),
    "Duration (in seconds)": ("", "Duration (in seconds)", "duration"),
    "Finished": ("finished", "Finished", "finished"),
    "RecordedDate": ("", "Recorded Date", "recordedDate"),
    "ResponseId": ("responseid", "Response ID", "_recordId"),
    "RecipientLastName": ("", "Recipient Last Name", "recipientLastName"),
    "RecipientFirstName": ("", "Recipient First Name", "recipientFirstName"),
    "RecipientEmail": ("email", "Recipient Email", "recipientEmail"),
    "ExternalReference": ("", "External Data Reference", "externalDataReference"),
    "LocationLatitude": ("latitude", "Location Latitude", "locationLatitude"),
    "LocationLongitude": ("longitude", "Location Longitude", "locationLongitude"),
    "DistributionChannel": ("", "Distribution Channel", "distributionChannel"),
    "UserLanguage": ("", "User Language", "userLanguage"),
}


@dataclass(frozen=True)
class Qualtrics(Platform):
    """Qualtrics: three header rows; names, texts and import ids."""

    meta: dict[str, str] = field(
        default_factory=lambda: {name: spec[0] for name, spec in _META.items() if spec[0]}
    )

    def columns(self, table: pd.DataFrame, layout: Layout) -> list[tuple[str, list[object]]]:
        """Add what Qualtrics derives: status, duration, recorded date, recipient names, language."""
        out = dict(super().columns(table, layout))
        n = len(table)
        started = pd.to_datetime(table.get("startedat", pd.Series([None] * n)))
        ended = pd.to_datetime(table.get("submittedat", pd.Series([None] * n)))
        duration = (ended - started).dt.total_seconds()
        names = [
            str(v).split(" ", 1) if isinstance(v, str) else ["", ""] for v in table.get("name", [None] * n)
        ]
        derived = {
            "Status": [0] * n,
            "Duration (in seconds)": ["" if pd.isna(d) else int(d) for d in duration],
            "RecordedDate": out["EndDate"],
            "RecipientLastName": [parts[-1] if len(parts) > 1 else "" for parts in names],
            "RecipientFirstName": [parts[0] for parts in names],
            "ExternalReference": [""] * n,
            "DistributionChannel": ["email"] * n,
            "UserLanguage": [layout.lang.upper()] * n,
        }
        ordered = [(name, derived.get(name, out.get(name))) for name in _META]
        return ordered + [(k, v) for k, v in out.items() if k not in _META]

    def item_headers(self, layout: Layout) -> list[str]:
        """Return Qualtrics' own export tags: ``Q{n}_{k}`` for matrix statements, else ``Q{n}``."""
        found = blocks(layout)
        return [
            f"Q{found[c.key].number}_{found[c.key].row}" if found[c.key].grid else f"Q{found[c.key].number}"
            for c in layout.columns
        ]

    def participant_header(self, layout: Layout) -> str:
        """Return the participant code's header: question ``Q0``, a text entry question."""
        return "Q0"

    def header_lines(self, columns: list[tuple[str, list[object]]], layout: Layout) -> list[list[str]]:
        """Return the three header rows: export tags, question texts, import ids."""
        found = blocks(layout)
        tags = dict(zip(self.item_headers(layout), layout.columns, strict=True))
        names, labels, imports = [], [], []
        for name, _ in columns:
            names.append(name)
            if name in tags:
                column = tags[name]
                block = found[column.key]
                labels.append(f"{block.text} - {column.text}" if block.grid else column.text)
                qid = f"QID{block.number}_{block.row}" if block.grid else f"QID{block.number}"
                imports.append(json.dumps({"ImportId": qid}, separators=(",", ":")))
            elif name == "Q0":
                labels.append(PARTICIPANT_CODE_TEXT[layout.lang])
                imports.append(json.dumps({"ImportId": "QID0_TEXT"}, separators=(",", ":")))
            elif name in _META:
                labels.append(_META[name][1])
                imports.append(json.dumps({"ImportId": _META[name][2]}, separators=(",", ":")))
            elif name == VERSION_FIELD:
                labels.append(VERSION_FIELD)
                imports.append(json.dumps({"ImportId": VERSION_FIELD}, separators=(",", ":")))
            else:
                labels.append(name)
                imports.append(json.dumps({"ImportId": name}, separators=(",", ":")))
        return [names, labels, imports]


QUALTRICS = Qualtrics(name="qualtrics", multi_separator=",", header_rows=3)
