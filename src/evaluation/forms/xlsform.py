"""XLSForm: the spreadsheet form definition that ODK, KoboToolbox, Ona and SurveyCTO import.

Sheets ``survey``, ``choices`` and ``settings``; labels in both languages (``label::Svenska (sv)``,
``label::English (en)``) with the chosen one as ``default_language``; the item id is the ``name``, so
the platform's export uses item ids as column names. Each section is a group. Bounds become
constraints, ``max_choices`` a ``count-selected`` constraint. The first row is the note ``intro``: the
information text (in each language's column), then the instrument's introduction; the last row is
the note ``thanks``, outside every group. Notes are not exported as columns. Checked with pyxform,
the reference converter, in the tests.

References
----------
XLSForm specification, https://xlsform.org/en/ (survey, choices and settings sheets; multiple
language support).
"""

from __future__ import annotations

from pathlib import Path

from evaluation.forms.fields import LANGUAGE_NAMES, closing_text, information_for, intro_text
from evaluation.survey import (
    PARTICIPANT_CODE,
    PARTICIPANT_CODE_TEXT,
    VERSION_FIELD,
    Item,
    Scale,
    Templates,
    Text,
    version_tag,
)
from evaluation.survey.notices import Information
from evaluation.survey.questions import form_sections
from evaluation.xlsx import write_workbook

__all__ = ["write"]

_TYPES = {"text": "text", "integer": "integer", "decimal": "decimal", "date": "date"}


def _labels(text: Text | None) -> list[str]:
    return [text[lang] if text else "" for lang in LANGUAGE_NAMES]


def _question(item: Item, scale: Scale, role: str) -> list[str]:
    if scale.type in ("ordinal", "nominal"):
        kind = f"select_one {scale.id}"
    elif scale.type == "multiple":
        kind = f"select_multiple {scale.id}"
    else:
        kind = _TYPES[scale.type]
    constraint = ""
    if scale.type in ("integer", "decimal"):
        constraint = f". >= {scale.min:g} and . <= {scale.max:g}"
    elif scale.max_choices:
        constraint = f"count-selected(.) <= {scale.max_choices}"
    wording = [item.wording(role, lang) for lang in LANGUAGE_NAMES]
    return [
        kind,
        item.id,
        *wording,
        *_labels(item.hint),
        "yes" if item.required else "",
        constraint,
        "",
    ]


def write(
    templates: Templates,
    instrument_id: str,
    role: str,
    lang: str,
    path: Path,
    *,
    information: Information | None = None,
) -> None:
    """Write the XLSForm of `instrument_id` for `role`, `lang` being the default language."""
    instrument = templates.instrument(instrument_id)
    information = information_for(instrument, information)
    langs = list(LANGUAGE_NAMES.values())
    survey: list[list[str]] = []
    survey.append(
        [
            "type",
            "name",
            *(f"label::{name}" for name in langs),
            *(f"hint::{name}" for name in langs),
            "required",
            "constraint",
            "calculation",
        ]
    )
    blank_hint = ["" for _ in langs]
    intro = [intro_text(instrument, lang, information=information) for lang in LANGUAGE_NAMES]
    survey.append(["note", "intro", *intro, *blank_hint, "", "", ""])
    survey.append(["text", PARTICIPANT_CODE, *_labels(PARTICIPANT_CODE_TEXT), *blank_hint, "yes", "", ""])
    survey.append(
        [
            "calculate",
            VERSION_FIELD,
            *["" for _ in langs],
            *blank_hint,
            "",
            "",
            f"'{version_tag(instrument)}'",
        ]
    )
    scales_used: dict[str, Scale] = {}
    for part in form_sections(templates, instrument, role):
        section = part.section
        survey.append(["begin_group", section.id, *_labels(section.title), *blank_hint, "", "", ""])
        if section.intro:
            survey.append(["note", f"{section.id}_intro", *_labels(section.intro), *blank_hint, "", "", ""])
        for item, scale in part.items:
            survey.append(_question(item, scale, role))
            if scale.has_choices:
                scales_used[scale.id] = scale
        survey.append(["end_group", "", *["" for _ in langs], *blank_hint, "", "", ""])
    closing = [closing_text(lang, submit=True) for lang in LANGUAGE_NAMES]
    survey.append(["note", "thanks", *closing, *blank_hint, "", "", ""])

    choices: list[list[str]] = []
    choices.append(["list_name", "name", *(f"label::{name}" for name in langs)])
    for scale in scales_used.values():
        for choice in scale.choices:
            choices.append([scale.id, str(choice.code), *_labels(choice.label)])

    settings: list[list[str]] = []
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(
        [
            f"{instrument.title[lang]} ({role})",
            f"{instrument.id}_{role}",
            instrument.version,
            LANGUAGE_NAMES[lang],
        ]
    )
    write_workbook(path, {"survey": survey, "choices": choices, "settings": settings})
