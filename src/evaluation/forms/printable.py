"""A printable, accessible HTML form, for paper use and for reviewing an instrument.

The page declares its language, has one ``h1`` and an ``h2`` per section, and every question is a
``fieldset`` with a ``legend`` (choice questions) or a ``label`` bound to its field, so that screen
readers announce the question with each option. The page opens with the information text, a
section with its own ``h2`` (`evaluation.forms.fields.information_paragraphs`), then the instrument's
introduction; it ends with a closing paragraph, the thank-you.

Current items and their retrospective items with their own wording (a run of
`evaluation.survey.questions.ThenPair` on the same two scales) are one table, captioned
"Nu / Innan programmet": a row per statement (the current item's wording), a column group "Nu" with
the current scale's labels and a column group "Innan programmet" with the retrospective scale's
labels. Each radio button is named by ``aria-labelledby``: the statement, "Nu" and the label for the
current item; the retrospective item's own past-tense wording (in the row, visually hidden) and the
label for the retrospective item, so a screen reader announces exactly what the item bank says.
"""

from __future__ import annotations

from pathlib import Path

from evaluation.forms.fields import closing_text, form_title, information_paragraphs, instrument_intro
from evaluation.survey import PARTICIPANT_CODE, PARTICIPANT_CODE_TEXT, Templates
from evaluation.survey.notices import Information
from evaluation.survey.questions import NOW_TITLE, PAIR_TITLE, THEN_TITLE, form_sections, segments
from evaluation.templating import render

__all__ = ["write"]

_MAX_CHOICES = {"sv": "Välj högst", "en": "Choose at most"}


def write(
    templates: Templates,
    instrument_id: str,
    role: str,
    lang: str,
    path: Path,
    *,
    information: Information | None = None,
) -> None:
    """Write the printable form of `instrument_id` for `role` in `lang` (`information`: the cohort's)."""
    instrument = templates.instrument(instrument_id)
    heading, *paragraphs = information_paragraphs(instrument, lang, information)
    html = render(
        "form.html.j2",
        lang=lang,
        role=role,
        title=form_title(instrument, role, lang),
        information_heading=heading,
        information=paragraphs,
        intro=instrument_intro(instrument, lang),
        closing=closing_text(lang),
        participant_code=PARTICIPANT_CODE,
        participant_label=PARTICIPANT_CODE_TEXT[lang],
        sections=[(part, segments(part.items)) for part in form_sections(templates, instrument, role)],
        pair_title=PAIR_TITLE[lang],
        now_title=NOW_TITLE[lang],
        then_title=THEN_TITLE[lang],
        max_choices_text=_MAX_CHOICES[lang],
        footer=f"{instrument.title[lang]}, version {instrument.version}",
    )
    path.write_text(html, encoding="utf-8")
