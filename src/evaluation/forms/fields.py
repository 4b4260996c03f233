"""What every blank form shares beyond the column vocabulary: language names, opening and closing.

Every form opens with the information text (`evaluation.survey.notices`: voluntary, what is collected,
who sees what, controller, purpose, legal basis, retention, rights, contact), built from the cohort's
settings when exported with ``--cohort`` (`evaluation.survey.notices.Information`) and with visible
placeholders otherwise, followed by the instrument's introduction without the sentences the
information text replaces; every form ends with a thank-you (`closing_text`).

The metadata columns (participant code, version field) are in `evaluation.survey.columns`; how a
role's items are grouped into sections and grids is in `evaluation.survey.questions`.
"""

from __future__ import annotations

from html import escape

from evaluation.disclosure import DEFAULT_MIN_GROUP_SIZE
from evaluation.survey import Instrument
from evaluation.survey.notices import (
    Information,
    announcement,
    information_heading,
    information_text,
    thanks,
    without_superseded,
)

__all__ = [
    "LANGUAGE_NAMES",
    "ROLE_NAMES",
    "closing_text",
    "form_title",
    "information_for",
    "information_paragraphs",
    "instrument_intro",
    "intro_html",
    "intro_text",
    "partner_notice",
]

LANGUAGE_NAMES = {"sv": "Svenska (sv)", "en": "English (en)"}
"""XLSForm language column names, ``label::Svenska (sv)``; the code in brackets is IANA's."""

ROLE_NAMES = {"sv": {"mentor": "mentor", "adept": "adept"}, "en": {"mentor": "mentor", "adept": "mentee"}}
"""A role as respondents read it: the role id ``adept`` is "mentee" in English ("adept" is a false friend)."""


def form_title(instrument: Instrument, role: str, lang: str) -> str:
    """Return a role's form title, e.g. "Enkät inför programmet – adept", "Survey ... – mentee"."""
    return f"{instrument.title[lang]} – {ROLE_NAMES[lang][role]}"


def information_for(instrument: Instrument, information: Information | None = None) -> Information:
    """Return what `instrument`'s forms tell respondents: the cohort's settings, or the defaults.

    Without a cohort (`information` None) the form announces the instrument's ``partner_feedback``,
    the default minimum group size and placeholders for the cohort's texts.

    Raises
    ------
    ValueError
        If the cohort sets ``pair_feedback: shared`` but the instrument's version does not announce
        ``partner_feedback: shared``: the reports would refuse to show what the form promised
        (`evaluation.report.feedback.check_pair_feedback`).
    """
    if information is None:
        return Information(min_group_size=DEFAULT_MIN_GROUP_SIZE, pair_feedback=instrument.partner_feedback)
    if information.pair_feedback == "shared" and instrument.partner_feedback != "shared":
        raise ValueError(
            f"cohort.yml sätter pair_feedback: shared, men {instrument.id} {instrument.version} har "
            f"partner_feedback: {instrument.partner_feedback}, så rapporterna skulle vägra visa det "
            "formuläret utlovar; sätt pair_feedback: individual eller off, eller använd en "
            f"instrumentversion med partner_feedback: shared / cohort.yml sets pair_feedback: shared, "
            f"but {instrument.id} {instrument.version} has partner_feedback: "
            f"{instrument.partner_feedback}, so the reports would refuse what the form promises; set "
            "pair_feedback: individual or off, or use an instrument version with partner_feedback: shared"
        )
    return information


def partner_notice(instrument: Instrument, lang: str, information: Information | None = None) -> str:
    """Return what the form tells respondents their partner will see.

    The cohort's ``pair_feedback`` when exported for a cohort, else the instrument's
    ``partner_feedback``; the text comes from `evaluation.survey.notices`, the one catalogue of what
    forms announce, which the feedback pages (`evaluation.report.feedback`) keep.
    """
    return announcement(information_for(instrument, information).pair_feedback, lang)


def information_paragraphs(
    instrument: Instrument, lang: str, information: Information | None = None
) -> list[str]:
    """Return the information text `instrument`'s form opens with, as paragraphs, heading first."""
    resolved = information_for(instrument, information)
    return [information_heading(lang), *information_text(resolved, lang)]


def instrument_intro(instrument: Instrument, lang: str) -> str:
    """Return the instrument's introduction without the sentences the information text replaces."""
    return without_superseded(instrument.intro[lang])


def intro_text(
    instrument: Instrument, lang: str, separator: str = "\n\n", information: Information | None = None
) -> str:
    """Return the form's opening as plain text: the information text, then the instrument's intro."""
    paragraphs = information_paragraphs(instrument, lang, information)
    return separator.join([*paragraphs, instrument_intro(instrument, lang)])


def intro_html(instrument: Instrument, lang: str, information: Information | None = None) -> str:
    """Return the form's opening as HTML paragraphs (escaped), the heading in bold."""
    heading, *paragraphs = information_paragraphs(instrument, lang, information)
    body = [f"<strong>{escape(heading, quote=False)}</strong>"]
    body += [escape(p, quote=False) for p in [*paragraphs, instrument_intro(instrument, lang)]]
    return "".join(f"<p>{p}</p>" for p in body)


def closing_text(lang: str, *, submit: bool = False) -> str:
    """Return the thank-you a form ends with (`evaluation.survey.notices.thanks`)."""
    return thanks(lang, submit=submit)
