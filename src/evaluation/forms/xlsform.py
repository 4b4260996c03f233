"""XLSForm: the spreadsheet form definition that ODK, KoboToolbox, Ona and SurveyCTO import.

Sheets ``survey``, ``choices`` and ``settings``; labels in both languages (``label::Svenska (sv)``,
``label::English (en)``) with the chosen one as ``default_language``; the item id is the ``name``, so
the platform's export uses item ids as column names. Each section is a group. Bounds become
constraints, ``max_choices`` a ``count-selected`` constraint. The first row is the note ``intro``: the
information text (in each language's column), then the instrument's introduction; the last row is
the note ``thanks``, outside every group. Notes are not exported as columns. Checked with pyxform,
the reference converter, in the tests.

A current item and its retrospective item with its own wording (`evaluation.survey.questions.ThenPair`)
sit in a group of their own inside the section's group, ``pair_<current item id>``, labelled
"Nu / Innan programmet", so that ODK Collect and Enketo show both on one screen: appearance
``table-list`` when both items use one choice list (a table whose columns are the choices and whose
rows are the two statements), else ``field-list`` (one screen, each question with its own choices,
e.g. "Stämmer ..." now and "Stämde ..." before the program). pyxform accepts ``table-list`` only when
every select in the group uses the same list: it raises "Badly formatted table list, list names don't
match" otherwise, turns the group's label into a note and adds a label-only select
``reserved_name_for_field_list_labels_<row>`` that is never answered (pyxform 4.5.0,
``xls2json.py``). Kobo's export with "Include groups in headers" then heads a column
``section/pair_igu1/igu1``, which ingest maps by its last part.

References
----------
XLSForm specification, https://xlsform.org/en/ (survey, choices and settings sheets; multiple
language support; groups, ``field-list`` and ``table-list`` appearances).
"""

from __future__ import annotations

from pathlib import Path

from evaluation.forms.fields import LANGUAGE_NAMES, closing_text, form_title, information_for, intro_text
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
from evaluation.survey.questions import PAIR_TITLE, ThenPair, form_sections, segments
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
        "",
    ]


def _pair_rows(pair: ThenPair, role: str, blank: list[str]) -> list[list[str]]:
    """Return a now/then pair as one screen: ``table-list`` on one choice list, else ``field-list``."""
    same_list = pair.current_scale.id == pair.then_scale.id
    appearance = "table-list" if same_list else "field-list"
    return [
        ["begin_group", f"pair_{pair.current.id}", *_labels(PAIR_TITLE), *blank, "", "", "", appearance],
        _question(pair.current, pair.current_scale, role),
        _question(pair.then, pair.then_scale, role),
        ["end_group", "", *["" for _ in LANGUAGE_NAMES], *blank, "", "", "", ""],
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
            "appearance",
        ]
    )
    blank_hint = ["" for _ in langs]
    intro = [intro_text(instrument, lang, information=information) for lang in LANGUAGE_NAMES]
    survey.append(["note", "intro", *intro, *blank_hint, "", "", "", ""])
    survey.append(["text", PARTICIPANT_CODE, *_labels(PARTICIPANT_CODE_TEXT), *blank_hint, "yes", "", "", ""])
    survey.append(
        [
            "calculate",
            VERSION_FIELD,
            *["" for _ in langs],
            *blank_hint,
            "",
            "",
            f"'{version_tag(instrument)}'",
            "",
        ]
    )
    scales_used: dict[str, Scale] = {}
    for part in form_sections(templates, instrument, role):
        section = part.section
        survey.append(["begin_group", section.id, *_labels(section.title), *blank_hint, "", "", "", ""])
        if section.intro:
            survey.append(
                ["note", f"{section.id}_intro", *_labels(section.intro), *blank_hint, "", "", "", ""]
            )
        for segment in segments(part.items):
            if segment.item is not None:
                survey.append(_question(*segment.item, role))
            for pair in segment.pairs:
                survey += _pair_rows(pair, role, blank_hint)
            shown = [segment.item[1]] if segment.item else [s for p in segment.pairs for s in p.both_scales]
            scales_used |= {scale.id: scale for scale in shown if scale.has_choices}
        survey.append(["end_group", "", *["" for _ in langs], *blank_hint, "", "", "", ""])
    closing = [closing_text(lang, submit=True) for lang in LANGUAGE_NAMES]
    survey.append(["note", "thanks", *closing, *blank_hint, "", "", "", ""])

    choices: list[list[str]] = []
    choices.append(["list_name", "name", *(f"label::{name}" for name in langs)])
    for scale in scales_used.values():
        for choice in scale.choices:
            choices.append([scale.id, str(choice.code), *_labels(choice.label)])

    settings: list[list[str]] = []
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(
        [
            form_title(instrument, role, lang),
            f"{instrument.id}_{role}",
            instrument.version,
            LANGUAGE_NAMES[lang],
        ]
    )
    write_workbook(path, {"survey": survey, "choices": choices, "settings": settings})
