"""What every blank form shares beyond the column vocabulary: language names and the introduction.

The metadata columns (participant code, version field) are in `evaluation.survey.columns`; how a
role's items are grouped into sections and grids is in `evaluation.survey.questions`.
"""

from __future__ import annotations

from evaluation.survey import Instrument
from evaluation.survey.notices import announcement

__all__ = ["LANGUAGE_NAMES", "intro_text", "partner_notice"]

LANGUAGE_NAMES = {"sv": "Svenska (sv)", "en": "English (en)"}
"""XLSForm language column names, ``label::Svenska (sv)``; the code in brackets is IANA's."""


def partner_notice(instrument: Instrument, lang: str) -> str:
    """Return what the form tells respondents their partner will see (`Instrument.partner_feedback`).

    The text comes from `evaluation.survey.notices`, the one catalogue of what forms announce about
    feedback, which the feedback pages (`evaluation.feedback`) keep.
    """
    return announcement(instrument.partner_feedback, lang)


def intro_text(instrument: Instrument, lang: str, separator: str = "\n\n") -> str:
    """Return the form's introduction: the instrument's intro, then `partner_notice`."""
    return f"{instrument.intro[lang]}{separator}{partner_notice(instrument, lang)}"
