"""A printable, accessible HTML form, for paper use and for reviewing an instrument.

The page declares its language, has one ``h1`` and an ``h2`` per section, and every question is a
``fieldset`` with a ``legend`` (choice questions) or a ``label`` bound to its field, so that screen
readers announce the question with each option. The page opens with the information text, a
section with its own ``h2`` (`evaluation.forms.fields.information_paragraphs`), then the instrument's
introduction; it ends with a closing paragraph, the thank-you.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from evaluation.forms.fields import closing_text, information_paragraphs, instrument_intro
from evaluation.survey import PARTICIPANT_CODE, PARTICIPANT_CODE_TEXT, Templates
from evaluation.survey.notices import Information
from evaluation.survey.questions import form_sections

__all__ = ["write"]

_ENV = Environment(
    loader=PackageLoader("evaluation", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

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
    html = _ENV.get_template("form.html.j2").render(
        lang=lang,
        role=role,
        title=f"{instrument.title[lang]} – {role}",
        information_heading=heading,
        information=paragraphs,
        intro=instrument_intro(instrument, lang),
        closing=closing_text(lang),
        participant_code=PARTICIPANT_CODE,
        participant_label=PARTICIPANT_CODE_TEXT[lang],
        sections=form_sections(templates, instrument, role),
        max_choices_text=_MAX_CHOICES[lang],
        footer=f"{instrument.id} version {instrument.version}",
    )
    path.write_text(html, encoding="utf-8")
