"""The words of a report page: names of roles, groups, topics and levels, notes and intervals.

Every word comes from the message catalogue (`evaluation.text`), in the report's language.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from evaluation.disclosure import ALL, OTHER_AGENCIES
from evaluation.report.data import CohortData, construct_name, current_templates
from evaluation.text import catalogue, in_language, message, number

__all__ = ["group_name", "interval", "levels_text", "note_text", "reason_text", "role_name", "topic_name"]


def role_name(role: object, lang: str) -> object:
    """Return a role's name as a group ("mentorer", "adepter"; "mentors", "mentees"; both roles)."""
    return message(f"role.{role}.group", lang) if role in ("mentor", "adept", "all") else role


def group_name(agency: object, lang: str) -> object:
    """Return an agency's name, or the catalogue's name for all agencies and the pooled others."""
    names = {ALL: "group.all", OTHER_AGENCIES: "group.other"}
    return message(names[agency], lang) if agency in names else agency


def topic_name(data: CohortData | None, construct: object, lang: str) -> object:
    """Return a topic's name in `lang`: the catalogue's for a summary row, else the construct's.

    Without a cohort, the construct is looked up in the current templates.
    """
    if not isinstance(construct, str):
        return construct
    if f"topic.{construct}" in catalogue():  # a summary row such as any_primary
        return message(f"topic.{construct}", lang)
    if data is not None:
        return construct_name(data, construct, lang)
    found = current_templates().constructs.get(construct)
    return found.name[lang] if found else construct


def reason_text(kind: object, lang: str) -> object:
    """Return why ingest set rows aside (a quarantine ``kind``) in `lang`."""
    from evaluation.ingest.pipeline import REASONS

    return in_language(REASONS[kind], lang) if kind in REASONS else kind


def levels_text(levels: object, lang: str) -> object:
    """Return a mixed model's levels ("agency (level and change), pair, participant") in `lang`."""
    if not isinstance(levels, str) or not levels:
        return levels
    names = {"agency (level and change)": "level.agency_change", "agency": "level.agency"}
    names |= {"pair": "level.pair", "participant": "level.participant"}
    return ", ".join(message(names[p], lang) if p in names else p for p in levels.split(", "))


def interval(low: float, high: float, lang: str, digits: int = 2) -> str:
    """Write an interval the reader's way ("0,12 till 0,45"; "–" when hidden or not estimable)."""
    if pd.isna(low) or pd.isna(high):
        return "–"
    return message("interval", lang, low=number(low, lang, digits), high=number(high, lang, digits))


def note_text(note: object, lang: str) -> str:
    """Return a table's note in `lang`.

    Notes are "svenska / English" (disclosure, ingest) or English from the statistics (`outcomes`,
    `pairs`, `perception`, `primary`); each "; "-separated English part is looked up in the
    catalogue's ``note.*`` texts, and a part the catalogue does not know reads as
    ``note.technical`` in Swedish (the CSV keeps the full text).
    """
    if not isinstance(note, str) or not note:
        return ""
    if " / " in note:
        return in_language(note, lang)
    if lang == "en":
        return note
    known = _english_notes()
    parts = [message(known[part], lang) if part in known else None for part in note.split("; ")]
    texts = [p for p in parts if p is not None]
    if len(texts) < len(parts):
        texts.append(message("note.technical", lang))
    return "; ".join(dict.fromkeys(texts))


@cache
def _english_notes() -> dict[str, str]:
    return {entry["en"]: key for key, entry in catalogue().items() if key.startswith("note.")}
