"""The column vocabulary every form, export and import shares: the metadata fields beside the items.

Item ids are the other columns (see `evaluation.survey.model.Item`); no item may take one of the names
here (`RESERVED_COLUMNS`, checked by `evaluation.survey.checks`).
"""

from __future__ import annotations

from evaluation.survey.model import Instrument, Text

__all__ = [
    "PARTICIPANT_CODE",
    "PARTICIPANT_CODE_TEXT",
    "RESERVED_COLUMNS",
    "SUBMITTED_AT",
    "VERSION_FIELD",
    "version_tag",
]

PARTICIPANT_CODE = "participantcode"
"""The question that links a response to the roster: the code each participant gets in the invitation."""

PARTICIPANT_CODE_TEXT = Text(
    sv="Din deltagarkod (den står i inbjudan)",
    en="Your participant code (given in your invitation)",
)

VERSION_FIELD = "instrumentversion"
"""A hidden field holding ``<instrument> <version>``, so that data records the version it answered."""

SUBMITTED_AT = "submittedat"
"""When a response was submitted, in the csv template (platforms export their own timestamp)."""

RESERVED_COLUMNS: frozenset[str] = frozenset({PARTICIPANT_CODE, SUBMITTED_AT, VERSION_FIELD, "language"})
"""Column names the forms use for metadata; no item may take them (compared in lower case)."""


def version_tag(instrument: Instrument) -> str:
    """Return the value of the hidden version field, e.g. ``"baseline 1.0.0"``."""
    return f"{instrument.id} {instrument.version}"
