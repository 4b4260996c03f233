"""A Google Apps Script that creates the instrument as a Google Form, with the toolkit's exact texts.

The coordinator opens script.google.com, creates a project, pastes the ``.gs`` file, runs
``createForm`` and authorises it; the log then shows the form's edit and response links. The script
builds, in order: the form title (``Title (role)``) and description (the information text, then the
instrument's intro, `fields.intro_text`), the confirmation message shown after submitting (the
thank-you, ``Form.setConfirmationMessage``), the participant code as a required short-answer
question, then one page break per section carrying the section's title and intro. Within a section:

- two or more consecutive items on the same agreement-type scale (ordinal, every point labelled)
  become **one grid** (``addGridItem``): rows are the item wordings, columns the scale's labels in
  code order, the title the section's introduction (the question it asks), else its title (see
  `layout`). Google's CSV export heads each row ``Title [wording]`` and gives the label, so a
  version 1 retrospective ("then") item, which shares its wording with the current item, is told apart
  by its own section's grid title (``Tänk tillbaka på hur det var i början av programmet ... [wording]``);
- retrospective items with their own past-tense wording (``then_text``, version 2) follow the grid (or
  question) holding their current items as a grid of their own titled "Innan programmet" ("Before
  the program"), rows their own wording, columns their own scale (e.g. "Stämde ..."), or, alone, a
  multiple-choice question worded as the item (`evaluation.survey.questions.form_questions`): a
  Google grid has one set of columns, so the two answers of a pair cannot share a row, and every
  ``Title [statement]`` header names one item;
- a numbered scale (codes from 0 or 1 up to 3-10, inner points labelled only by their number, the
  0-10 likelihood scale) becomes a linear scale (``addScaleItem().setBounds(low, high)``) with the
  end points' words as its labels (``"0 – Inte alls troligt"`` shows as ``Inte alls troligt`` beside
  the 0); it exports the digit, which is the code;
- a single choice becomes a multiple-choice question, several choices a checkbox question (with
  ``requireSelectAtMost`` for ``max_choices``), a number a short-answer question that must be a number
  between the scale's bounds, free text a paragraph, a date a date question;
- an agreement-type item alone in its run, or with a hint (a grid row has no help text of its own),
  is a multiple-choice question whose title is its wording.

Every string is written as a JSON string literal, which JavaScript reads unchanged (quotes, line
breaks, å/ä/ö). Google Forms has no hidden fields: the instrument version is in the Drive file's name
(``FormApp.create``), in ``INSTRUMENT_VERSION`` and in the log, and the cohort's ``cohort.yml`` declares
which instrument a download answered.

Verified against Google's Apps Script reference (developers.google.com/apps-script/reference/forms/):
``FormApp.create(title)``, ``FormApp.createTextValidation()``, ``FormApp.createCheckboxValidation()``;
``Form.setTitle/setDescription/setConfirmationMessage/addTextItem/addParagraphTextItem/addPageBreakItem/addGridItem/
addScaleItem/addMultipleChoiceItem/addCheckboxItem/addDateItem/getEditUrl/getPublishedUrl`` (the
Forms service overview and the Form class); ``GridItem.setRows/setColumns/setRequired/setHelpText``;
``ScaleItem.setBounds(lower, upper)`` ("the lower bound must be 0 or 1, the upper bound between 3 and
10, inclusive") and ``setLabels(lower, upper)``; ``MultipleChoiceItem/CheckboxItem.setChoiceValues``;
``CheckboxValidationBuilder.requireSelectAtMost(number)``; ``TextValidationBuilder.requireNumberBetween
(start, end)`` (inclusive); ``TextItem/ParagraphTextItem/DateItem.setTitle/setHelpText/setRequired``,
``TextItem.setValidation``, ``CheckboxItem.setValidation``, ``DateItem.setIncludesYear``;
``PageBreakItem.setTitle/setHelpText``; ``Logger.log``. Not verified: whether ``Form.setTitle`` also
renames the Drive file (the form's shown title is set either way). The CSV shape (``Title [row]``
headers, labels, digits for linear scales, checkbox labels joined by ``, ``) is Google's download as
described in issue 11; checkbox labels must therefore not contain ``", "``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from evaluation.forms.fields import closing_text, form_title, information_for, intro_text
from evaluation.survey import PARTICIPANT_CODE_TEXT, Scale, Templates, version_tag
from evaluation.survey.notices import Information
from evaluation.survey.questions import (
    FormSection,
    Question,
    form_questions,
    form_sections,
    is_numbered_scale,
)

__all__ = ["Question", "is_numbered_scale", "layout", "write"]


def layout(
    templates: Templates, instrument_id: str, role: str, lang: str
) -> list[tuple[FormSection, list[Question]]]:
    """Return the sections `role` sees, each with its questions (`evaluation.survey.questions`)."""
    instrument = templates.instrument(instrument_id)
    return form_questions(form_sections(templates, instrument, role), role, lang)


def _js(value: object) -> str:
    """Return `value` as a JavaScript literal: JSON, with the two line separators JSON allows escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _array(values: list[str], indent: str) -> str:
    inner = ",\n".join(f"{indent}  {_js(v)}" for v in values)
    return f"[\n{inner}\n{indent}]"


def _end_label(scale: Scale, index: int, lang: str) -> str:
    """Return the words of an end point of a numbered scale: ``"0 – Inte alls troligt"`` → the words."""
    choice = scale.choices[index]
    text = choice.label[lang]
    words = re.sub(rf"^{choice.code}\s*[–-]\s*", "", text)
    return "" if words == str(choice.code) else words


def _number(value: float | None) -> str:
    assert value is not None
    return f"{value:g}"


def _statements(question: Question, role: str, lang: str) -> list[str]:
    item, scale = question.items[0]
    wording = item.wording(role, lang)
    hint = f"\n    .setHelpText({_js(item.hint[lang])})" if item.hint else ""
    required = f"\n    .setRequired({'true' if item.required else 'false'})"
    labels = [c.label[lang] for c in scale.choices]
    if question.kind == "grid":
        rows = [i.wording(role, lang) for i, _ in question.items]
        all_required = all(i.required for i, _ in question.items)
        return [
            "  form.addGridItem()\n"
            f"    .setTitle({_js(question.title)})\n"
            f"    .setRows({_array(rows, '    ')})\n"
            f"    .setColumns({_array(labels, '    ')})\n"
            f"    .setRequired({'true' if all_required else 'false'});"
        ]
    head = f"    .setTitle({_js(wording)}){hint}"
    if question.kind == "scale":
        low, high = scale.codes[0], scale.codes[-1]
        left, right = _end_label(scale, 0, lang), _end_label(scale, -1, lang)
        return [
            f"  form.addScaleItem()\n{head}\n    .setBounds({low}, {high})\n"
            f"    .setLabels({_js(left)}, {_js(right)}){required};"
        ]
    if question.kind == "choice":
        return [
            f"  form.addMultipleChoiceItem()\n{head}\n"
            f"    .setChoiceValues({_array(labels, '    ')}){required};"
        ]
    if question.kind == "multiple":
        validation = ""
        if scale.max_choices:
            validation = (
                "\n    .setValidation(FormApp.createCheckboxValidation()"
                f".requireSelectAtMost({scale.max_choices}).build())"
            )
        return [
            f"  form.addCheckboxItem()\n{head}\n"
            f"    .setChoiceValues({_array(labels, '    ')}){validation}{required};"
        ]
    if question.kind == "number":
        return [
            f"  form.addTextItem()\n{head}\n"
            "    .setValidation(FormApp.createTextValidation()"
            f".requireNumberBetween({_number(scale.min)}, {_number(scale.max)}).build()){required};"
        ]
    if question.kind == "text":
        return [f"  form.addParagraphTextItem()\n{head}{required};"]
    return [f"  form.addDateItem()\n{head}\n    .setIncludesYear(true){required};"]


def script(
    templates: Templates,
    instrument_id: str,
    role: str,
    lang: str,
    information: Information | None = None,
) -> str:
    """Return the Apps Script source that creates `instrument_id` for `role` in `lang`."""
    instrument = templates.instrument(instrument_id)
    information = information_for(instrument, information)
    title = form_title(instrument, role, lang)
    version = version_tag(instrument)
    command = (
        f"evaluation survey export {instrument.id} --role {role} --lang {lang} --format google-apps-script"
    )
    lines = [
        "/**",
        f" * {title}: {version}, {lang}.",
        " *",
        " * Skapar Google-formuläret med verktygslådans texter. / Creates the Google Form with the",
        " * toolkit's texts.",
        " * 1. script.google.com → Nytt projekt / New project; klistra in filen / paste this file.",
        " * 2. Kör / Run createForm; godkänn behörigheten / authorise.",
        " * 3. Länkarna står i körloggen / the links are in the execution log.",
        " * Ändra inte texterna här: ändra mallarna i surveys/ och exportera igen. / Do not edit the texts",
        " * here: edit the templates in surveys/ and export again.",
        f" * {command}",
        " */",
        "",
        f"var INSTRUMENT_VERSION = {_js(version)};",
        "",
        "function createForm() {",
        f"  var form = FormApp.create({_js(f'{title} – {version}')});",
        f"  form.setTitle({_js(title)});",
        f"  form.setDescription({_js(intro_text(instrument, lang, information=information))});",
        f"  form.setConfirmationMessage({_js(closing_text(lang))});",
        "  form.addTextItem()",
        f"    .setTitle({_js(PARTICIPANT_CODE_TEXT[lang])})",
        "    .setRequired(true);",
    ]
    for part, questions in layout(templates, instrument_id, role, lang):
        section = part.section
        page = f"  form.addPageBreakItem()\n    .setTitle({_js(section.title[lang])})"
        if section.intro:
            page += f"\n    .setHelpText({_js(section.intro[lang])})"
        lines.append(page + ";")
        for question in questions:
            lines += _statements(question, role, lang)
    lines += [
        '  Logger.log("Instrument: " + INSTRUMENT_VERSION);',
        '  Logger.log("Redigera / edit: " + form.getEditUrl());',
        '  Logger.log("Svara / respond: " + form.getPublishedUrl());',
        "}",
        "",
    ]
    return "\n".join(lines)


def write(
    templates: Templates,
    instrument_id: str,
    role: str,
    lang: str,
    path: Path,
    *,
    information: Information | None = None,
) -> None:
    """Write the Apps Script (``.gs``) that creates `instrument_id` for `role` in `lang`."""
    path.write_text(script(templates, instrument_id, role, lang, information), encoding="utf-8")
