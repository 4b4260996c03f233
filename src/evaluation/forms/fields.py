"""What every form shares: the metadata fields, the role's sections, and language names."""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.feedback import announcement
from evaluation.instruments import Instrument, Item, Scale, Section, Templates, Text

__all__ = [
    "LANGUAGE_NAMES",
    "PARTICIPANT_CODE",
    "RESERVED_COLUMNS",
    "SUBMITTED_AT",
    "VERSION_FIELD",
    "FormSection",
    "form_sections",
    "intro_text",
    "partner_notice",
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

LANGUAGE_NAMES = {"sv": "Svenska (sv)", "en": "English (en)"}
"""XLSForm language column names, ``label::Svenska (sv)``; the code in brackets is IANA's."""


@dataclass(frozen=True)
class FormSection:
    """A section as one role sees it: only the items that role answers, each with its scale."""

    section: Section
    items: tuple[tuple[Item, Scale], ...]


def form_sections(templates: Templates, instrument: Instrument, role: str) -> list[FormSection]:
    """Return the sections `role` sees, in order, leaving out sections with no item for the role."""
    sections = []
    for section in instrument.sections:
        items = tuple((i, templates.scale_of(i)) for i in section.items if role in i.roles)
        if items:
            sections.append(FormSection(section, items))
    return sections


def version_tag(instrument: Instrument) -> str:
    """Return the value of the hidden version field, e.g. ``"baseline 1.0.0"``."""
    return f"{instrument.id} {instrument.version}"


def partner_notice(instrument: Instrument, lang: str) -> str:
    """Return what the form tells respondents their partner will see (`Instrument.partner_feedback`).

    The text comes from `evaluation.feedback.MESSAGES`, the one catalogue of what participants read
    about feedback, so that the forms and the feedback pages say the same.
    """
    return announcement(instrument.partner_feedback, lang)


def intro_text(instrument: Instrument, lang: str, separator: str = "\n\n") -> str:
    """Return the form's introduction: the instrument's intro, then `partner_notice`."""
    return f"{instrument.intro[lang]}{separator}{partner_notice(instrument, lang)}"
