"""Export shapes that ingest reads but the generator never writes.

Qualtrics' legacy export (``V1``... codes over a row of labels), SurveyMonkey (question texts over a
row of sub-options, with blank cells for a question's extra columns) and KoboToolbox/ODK (group
paths with ``/``, metadata columns starting with ``_``, ``n/a`` for questions not shown).

References
----------
The fixtures in ``../shared/real-exports/`` (SOURCES.txt names their repositories): ropensci/qualtRics
``sample_legacy.csv``; markshepherd/IPIP-NEO-Scorer ``Misc Test Data.csv``; kobotoolbox/kobocat
``good.csv``, ``transportation.csv``, ``tutorial_w_repeats.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evaluation.formats.base import Platform
from evaluation.formats.layout import RawExport

__all__ = ["KOBO", "QUALTRICS_LEGACY", "SURVEYMONKEY"]


@dataclass(frozen=True)
class SurveyMonkey(Platform):
    """SurveyMonkey: row 1 questions (blank over a question's extra columns), row 2 sub-options."""

    def from_records(self, records: list[list[str]], path: Path) -> RawExport:
        """Name each column by its question, plus the sub-option where a question has several."""
        if len(records) >= 2:
            question, names = "", []
            for i, top in enumerate(records[0]):
                question = top or question
                sub = records[1][i] if i < len(records[1]) else ""
                names.append(f"{question} | {sub}" if sub and sub not in _SINGLE else question)
            records = [names, records[1], *records[2:]]
        raw = super().from_records(records, path)
        return raw


_SINGLE = {"Response", "Open-Ended Response"}

QUALTRICS_LEGACY = Platform(
    name="qualtrics-legacy",
    header_rows=2,
    meta={"V1": "responseid", "V3": "name", "V5": "email", "V6": "ipaddress", "V8": "startedat",
          "V9": "submittedat", "V10": "finished", "LocationLatitude": "latitude",
          "LocationLongitude": "longitude"},
)  # fmt: skip
SURVEYMONKEY = SurveyMonkey(
    name="surveymonkey",
    header_rows=2,
    meta={"Respondent ID": "responseid", "Start Date": "startedat", "End Date": "submittedat",
          "IP Address": "ipaddress", "Email Address": "email", "First Name": "name"},
    time_format="%m/%d/%Y %I:%M:%S %p",
)  # fmt: skip
KOBO = Platform(
    name="kobo",
    meta={"_uuid": "responseid", "start": "startedat", "_submission_time": "submittedat",
          "_submitted_by": "name"},
    multi_separator=" ",
    time_format="%Y-%m-%dT%H:%M:%S",
)  # fmt: skip
