"""LimeSurvey's tab-separated survey structure (the ``.txt`` that *Import survey* accepts).

One row per global setting (class ``S``), language setting (``SL``), group (``G``), question (``Q``),
subquestion (``SQ``) and answer option (``A``). The chosen language is the base language and the other
one an additional language: the base language's rows come first, then a translated copy with the same
rows in the same order. Question codes are item ids. Choice scales become list questions (``L``),
multiple choice ``M`` with one subquestion per option, bounded numbers ``N``, free text ``T`` and dates
``D``. The hidden equation question ``instrumentversion`` stores the instrument's id and version in
every response. The first group's description opens the survey with the information text, then
the instrument's introduction (HTML paragraphs, `evaluation.forms.fields.intro_html`); the survey's
end text (``SL`` row ``surveyls_endtext``, shown after the answers are submitted) is the thank-you.
Both ``surveyls_endtext`` and ``surveyls_welcometext`` are language-setting rows of LimeSurvey's own
TSV export (limonaid's fixture, see tests/test_forms.py).

Current items and their retrospective items with their own wording (a run of
`evaluation.survey.questions.ThenPair` on the same two scales) are one **Array dual scale** question
(type ``1``) per run, coded ``NT1``, ``NT2``, ... (`evaluation.survey.questions.pair_array_codes`):
its question text "Nu / Innan programmet", one sub-question per pair coded with the current item's id
and worded as it, the first scale's answers (``type/scale`` 0) the current item's scale and the
second's (``type/scale`` 1) the retrospective item's, with the scale headings "Nu" and
"Innan programmet" in the question attributes ``dualscale_headerA`` and ``dualscale_headerB``.
LimeSurvey's response export heads the answers ``NT1[igu1][1]`` (first scale, the current item) and
``NT1[igu1][2]`` (second scale, the retrospective item), which ingest maps to the two item ids
(`evaluation.ingest.columns`).

References
----------
LimeSurvey manual, "Tab Separated Value survey structure",
https://www.limesurvey.org/manual/Tab_Separated_Value_survey_structure (answer rows: ``type/scale``
is the scale id, "0 or 1 (e.g. for dual-scale)"); "Question type - Array dual scale",
https://manual.limesurvey.org/Question_type_-_Array_dual_scale (two answer scales per sub-question,
a heading for each, "the answers are stored separately for each scale"). LimeSurvey's source
(LimeSurvey/LimeSurvey): ``import_helper.php`` reads every further column of a ``Q`` row as a question
attribute, per language when the attribute is translatable; ``viewHelper::getFieldCode`` heads an
exported answer ``code[sub-question][scale]``, the scale numbered from 1; the dual-scale headings are
the attributes ``dualscale_headerA`` / ``dualscale_headerB``, which are also columns of LimeSurvey 5's
own TSV export (limonaid's fixture).
"""

from __future__ import annotations

import csv
from pathlib import Path

from evaluation.forms.fields import closing_text, form_title, information_for, intro_html
from evaluation.survey import (
    PARTICIPANT_CODE,
    PARTICIPANT_CODE_TEXT,
    VERSION_FIELD,
    Scale,
    Templates,
    version_tag,
)
from evaluation.survey.notices import Information
from evaluation.survey.questions import (
    NOW_TITLE,
    PAIR_TITLE,
    THEN_TITLE,
    Segment,
    form_sections,
    pair_array_codes,
    segments,
)
from evaluation.text import LANGUAGES

__all__ = ["COLUMNS", "write"]

COLUMNS = [
    "id",
    "related_id",
    "class",
    "type/scale",
    "name",
    "relevance",
    "text",
    "help",
    "language",
    "validation",
    "mandatory",
    "other",
    "default",
    "same_default",
    "hidden",
    "max_answers",
    "max_num_value_n",
    "min_num_value_n",
    "num_value_int_only",
    "dualscale_headerA",
    "dualscale_headerB",
]

_TYPES = {
    "ordinal": "L",
    "nominal": "L",
    "multiple": "M",
    "text": "T",
    "integer": "N",
    "decimal": "N",
    "date": "D",
}


def _row(**fields: object) -> dict[str, str]:
    return {column: str(fields.get(column.replace("/", "_"), "")) for column in COLUMNS}


def _attributes(scale: Scale) -> dict[str, object]:
    attributes: dict[str, object] = {}
    if scale.type in ("integer", "decimal"):
        attributes |= {"min_num_value_n": f"{scale.min:g}", "max_num_value_n": f"{scale.max:g}"}
        attributes["num_value_int_only"] = 1 if scale.type == "integer" else 0
    if scale.max_choices:
        attributes["max_answers"] = scale.max_choices
    return attributes


def _language_block(
    templates: Templates, instrument_id: str, role: str, lang: str, information: Information
) -> list[dict]:
    instrument = templates.instrument(instrument_id)
    rows = []
    next_id = iter(range(1, 100_000))
    group_id = next(next_id)
    rows.append(
        _row(
            id=group_id,
            **{"class": "G"},
            name=instrument.title[lang],
            relevance=1,
            text=intro_html(instrument, lang, information),
            language=lang,
        )
    )
    rows.append(
        _row(
            id=next(next_id),
            **{"class": "Q"},
            type_scale="S",
            name=PARTICIPANT_CODE,
            relevance=1,
            text=PARTICIPANT_CODE_TEXT[lang],
            language=lang,
            mandatory="Y",
        )
    )
    rows.append(
        _row(
            id=next(next_id),
            **{"class": "Q"},
            type_scale="*",
            name=VERSION_FIELD,
            relevance=1,
            text=version_tag(instrument),
            language=lang,
            mandatory="N",
            hidden=1,
        )
    )
    sections = form_sections(templates, instrument, role)
    codes = pair_array_codes(sections, {item.id.lower() for item in instrument.items})
    for part in sections:
        section = part.section
        rows.append(
            _row(
                id=next(next_id),
                **{"class": "G"},
                name=section.title[lang],
                relevance=1,
                text=section.intro[lang] if section.intro else "",
                language=lang,
            )
        )
        for segment in segments(part.items):
            if segment.pairs:
                rows += _dual_scale(segment, codes[segment.pairs[0].current.id], role, lang, next_id)
                continue
            assert segment.item is not None
            item, scale = segment.item
            question_id = next(next_id)
            rows.append(
                _row(
                    id=question_id,
                    **{"class": "Q"},
                    type_scale=_TYPES[scale.type],
                    name=item.id,
                    relevance=1,
                    text=item.wording(role, lang),
                    help=item.hint[lang] if item.hint else "",
                    language=lang,
                    mandatory="Y" if item.required else "N",
                    other="N",
                    **_attributes(scale),
                )
            )
            for choice in scale.choices:
                if scale.type == "multiple":
                    rows.append(
                        _row(
                            id=next(next_id),
                            **{"class": "SQ"},
                            name=f"c{choice.code}",
                            relevance=1,
                            text=choice.label[lang],
                            language=lang,
                        )
                    )
                else:
                    rows.append(
                        _row(
                            id=question_id,
                            **{"class": "A"},
                            type_scale=0,
                            name=choice.code,
                            text=choice.label[lang],
                            language=lang,
                        )
                    )
    return rows


def _dual_scale(segment: Segment, code: str, role: str, lang: str, next_id) -> list[dict]:
    """Return a run of now/then pairs as one Array dual scale question (type ``1``) with its rows."""
    first = segment.pairs[0]
    question_id = next(next_id)
    rows = [
        _row(
            id=question_id,
            **{"class": "Q"},
            type_scale="1",
            name=code,
            relevance=1,
            text=PAIR_TITLE[lang],
            language=lang,
            mandatory="Y" if all(pair.required for pair in segment.pairs) else "N",
            other="N",
            dualscale_headerA=NOW_TITLE[lang],
            dualscale_headerB=THEN_TITLE[lang],
        )
    ]
    for pair in segment.pairs:
        rows.append(
            _row(
                id=next(next_id),
                **{"class": "SQ"},
                type_scale=0,
                name=pair.current.id,
                relevance=1,
                text=pair.current.wording(role, lang),
                language=lang,
            )
        )
    for scale_id, scale in enumerate((first.current_scale, first.then_scale)):
        for choice in scale.choices:
            rows.append(
                _row(
                    id=question_id,
                    **{"class": "A"},
                    type_scale=scale_id,
                    name=choice.code,
                    text=choice.label[lang],
                    language=lang,
                )
            )
    return rows


def write(
    templates: Templates,
    instrument_id: str,
    role: str,
    lang: str,
    path: Path,
    *,
    information: Information | None = None,
) -> None:
    """Write the LimeSurvey structure of `instrument_id` for `role`, `lang` being the base language."""
    instrument = templates.instrument(instrument_id)
    information = information_for(instrument, information)
    other = next(code for code in LANGUAGES if code != lang)
    rows = [
        _row(**{"class": "S"}, name="language", text=lang),
        _row(**{"class": "S"}, name="additional_languages", text=other),
        _row(**{"class": "S"}, name="format", text="G"),
        _row(**{"class": "S"}, name="datestamp", text="Y"),
        _row(**{"class": "S"}, name="anonymized", text="N"),
    ]
    for language in (lang, other):
        rows.append(
            _row(
                **{"class": "SL"},
                name="surveyls_title",
                text=form_title(instrument, role, language),
                language=language,
            )
        )
        rows.append(
            _row(
                **{"class": "SL"},
                name="surveyls_description",
                text=f"{instrument.id} {instrument.version}",
                language=language,
            )
        )
        rows.append(
            _row(
                **{"class": "SL"},
                name="surveyls_endtext",
                text=closing_text(language),
                language=language,
            )
        )
    for language in (lang, other):
        rows += _language_block(templates, instrument_id, role, language, information)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
