"""Qualtrics' CSV export (the current one): three header rows, then one row per response.

Row 1 holds column names (metadata such as ``StartDate``, ``ResponseId``, ``RecipientEmail``, then
the questions' export tags, which our forms set to the item ids), row 2 the question texts, row 3 a
JSON import id per column (``{"ImportId":"QID3"}``). Answers are numeric codes ("use numeric
values"); several choices are joined with a comma. IP addresses and coordinates are in the file and
must never leave ingest.

References
----------
The shape of ropensci/qualtRics' test fixture ``tests/testthat/files/sample.csv`` (also in
``../shared/real-exports/qualtrics/``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from evaluation.formats.base import Platform
from evaluation.formats.layout import Layout
from evaluation.forms.fields import PARTICIPANT_CODE, PARTICIPANT_CODE_TEXT, VERSION_FIELD

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

    def header_lines(self, columns: list[tuple[str, list[object]]], layout: Layout) -> list[list[str]]:
        """Return the three header rows: names, question texts, import ids."""
        texts = {c.key: c.text for c in layout.columns}
        qids = {c.key: f"QID{i}" for i, c in enumerate(layout.columns, start=1)}
        names, labels, imports = [], [], []
        for name, _ in columns:
            names.append(name)
            if name in _META:
                labels.append(_META[name][1])
                imports.append(json.dumps({"ImportId": _META[name][2]}, separators=(",", ":")))
            elif name == PARTICIPANT_CODE:
                labels.append(PARTICIPANT_CODE_TEXT[layout.lang])
                imports.append(json.dumps({"ImportId": "QID0_TEXT"}, separators=(",", ":")))
            elif name == VERSION_FIELD:
                labels.append(VERSION_FIELD)
                imports.append(json.dumps({"ImportId": VERSION_FIELD}, separators=(",", ":")))
            else:
                labels.append(texts[name])
                imports.append(json.dumps({"ImportId": qids[name]}, separators=(",", ":")))
        return [names, labels, imports]


QUALTRICS = Qualtrics(name="qualtrics", multi_separator=",", header_rows=3)
