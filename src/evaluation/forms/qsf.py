"""A Qualtrics Survey File (``.qsf``): the JSON that Qualtrics' *Import Survey* reads.

The file holds ``SurveyEntry`` (the survey's settings) and ``SurveyElements``: the blocks (``BL``), the
flow (``FL``), the survey options (``SO``), the scaffolding Qualtrics writes in its own exports (``SCO``,
``PROJ``, ``STAT``, ``QC``, ``RS``, ``PL``) and one ``SQ`` per question. The first block holds the
introduction (a descriptive text: title, the information text of `evaluation.forms.fields`, then
the instrument's intro) and the participant code (text entry, response forced, export tag
``participantcode``); then one block per section (a new page), opening with the section's title and
intro as descriptive text. Within a section the questions follow `evaluation.forms.apps_script.layout`,
the layout the Google Form has too:

- consecutive agreement-type items on one scale are **one matrix question** (``Matrix``, ``Likert``,
  ``SingleAnswer``) whose text is the grid's title (the section's introduction, else its title; the
  export's second header row reads ``text - statement``); its statements carry the item ids as
  ``ChoiceDataExportTags``, so the numeric export's columns are the item ids, and its scale points
  carry the scale's codes as ``RecodeValues``, so the values are the toolkit's codes. A version 1
  retrospective ("then") item sits in its own section's matrix, whose ``text - statement`` differs
  from the current item's; retrospective items with their own past-tense wording (version 2) are a
  matrix of their own titled "Innan programmet" right after the matrix (or question) holding their
  current items, as in the Google Form;
- every other item is a question whose ``DataExportTag`` is the item id: single choice ``MC``/``SAVR``
  (``SAHR``, horizontal, for a numbered 0-10 scale) with ``RecodeValues`` = codes; several choices
  ``MC``/``MAVR`` with ``RecodeValues`` = codes (Qualtrics names a multiple-answer question's columns
  ``tag_recode``, e.g. ``attract_3``); numbers ``TE``/``SL`` validated as a number between the scale's
  bounds (no decimals for integers); free text ``TE``/``ML``; dates ``TE``/``SL`` without validation;
- the last section's block ends with a descriptive text ``thanks``, the thank-you and a reminder to
  submit (an end-of-survey message of one's own would need an entry in the account's message
  library, which a QSF cannot carry; Qualtrics then shows its default end message);
- the survey flow starts with embedded data ``instrumentversion`` = ``<instrument> <version>``, which
  Qualtrics exports as a column of every response.

Question texts are HTML in Qualtrics, so every text is HTML-escaped. Identifiers are deterministic
(the same export gives the same bytes); Qualtrics assigns its own ids on import.

What the structure rests on (public material only; Qualtrics publishes no QSF schema and asks users
not to edit QSF files):

- a real Qualtrics export, the test fixture of fflewddur/sp ``libsp/data_test.go``: the envelope
  (``SurveyID``, ``Element``, ``PrimaryAttribute``, ``SecondaryAttribute``, ``TertiaryAttribute``,
  ``Payload``), ``SurveyEntry``'s keys, ``BL`` as a list of ``Default``/``Standard``/``Trash`` blocks,
  ``FL`` (``Root``, ``Block``/``Standard`` entries, ``FlowID``, ``Properties.Count``), ``SO``, ``SCO``,
  ``PROJ``, ``STAT``, ``QC``, ``RS``; ``SQ`` payloads for ``DB``/``TB``, ``MC``/``SAVR``/``MAVR`` (with
  ``RecodeValues``), ``TE``/``SL``/``ML`` and ``Matrix``/``Likert``/``SingleAnswer`` with
  ``ChoiceDataExportTags`` as an object of statement tags, ``Answers``, ``AnswerOrder`` and
  ``RecodeValues``; ids of 15 characters after ``SV_``/``BL_``/``RS_``;
- what the numbers mean: ``RecodeValues`` of a matrix apply to its ``Answers``, ``ChoiceDataExportTags``
  name its statements, a multiple-answer question's recode values are appended to its tag to name its
  columns (ctesta01's QualtricsTools notes, gists f22eeb46cf5aca8cfc964f2613970be3 and
  9763dc35eee5301feb30c4fbfce6d2a0; ctesta01/QualtricsTools ``R/reorganizing_survey_data.R`` matches
  response columns that start with a statement's export tag); Qualtrics Support, "Recode Values" (the
  recode value is the value exported in numeric format);
- a statement's export tag is the whole column name in the current exporter (ropensci/qualtRics issues
  #144 and #222: ``nutritionalValue``, not ``featureAwareness_nutritionalValue``);
- ``EmbeddedData`` flow elements (``Type: Custom``, ``Field``, ``VariableType``, ``Value``) and the ``PL``
  (``PreviewType: Brand``) element, as written by several public QSF generators and seen in a real
  export; ``ValidNumber`` content validation (``Min``, ``Max``, ``NumDecimals``) and the ``SAHR`` selector,
  as sent to Qualtrics' survey-definitions API by several public projects.

Not verified, and therefore left out or flagged: whether Qualtrics honours the statement export tags
only while "Question export tags" is ticked in its recode menu (qualtRics #144) — if not, columns are
``<section>_<n>_<k>`` and ingest must use the text row ``text - statement``, which this file keeps
distinct for twins; the limit on the number of choices (the one description found,
``ChoiceRange`` with ``MinChoices``, would also force an answer, so the hint text asks for it instead);
a date validation (no real example found); whether ``SurveyLanguage`` ``SV`` is accepted (``EN`` is
what the real export shows; Qualtrics' language codes are upper case); no import into Qualtrics was
possible here.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from html import escape
from pathlib import Path
from typing import Any

from evaluation.forms.apps_script import Question, layout
from evaluation.forms.fields import closing_text, form_title, information_for, intro_html
from evaluation.survey import (
    PARTICIPANT_CODE,
    PARTICIPANT_CODE_TEXT,
    VERSION_FIELD,
    Item,
    Scale,
    Templates,
    version_tag,
)
from evaluation.survey.notices import Information

__all__ = ["qsf", "write"]

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_NEVER = "0000-00-00 00:00:00"


def _ident(prefix: str, *parts: str) -> str:
    """Return a Qualtrics-shaped id, ``prefix`` + 15 base-62 characters, derived from `parts`."""
    number = int.from_bytes(hashlib.sha256("\x1f".join((prefix, *parts)).encode()).digest(), "big")
    body = ""
    for _ in range(15):
        number, digit = divmod(number, 62)
        body += _ALPHABET[digit]
    return f"{prefix}_{body}"


def _html(text: str) -> str:
    return escape(text, quote=False).replace("\n", "<br>")


def _plain(html: str, limit: int = 99) -> str:
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _validation(required: bool, **settings: Any) -> dict[str, Any]:
    base = {"ForceResponse": "ON" if required else "OFF", "ForceResponseType": "ON", "Type": "None"}
    return {"Settings": base | settings}


def _keyed(values: list[str]) -> dict[str, dict[str, str]]:
    return {str(k): {"Display": v} for k, v in enumerate(values, start=1)}


def _order(values: list[Any]) -> list[str]:
    return [str(k) for k in range(1, len(values) + 1)]


def _recode(scale: Scale) -> dict[str, str]:
    return {str(k): str(c.code) for k, c in enumerate(scale.choices, start=1)}


def _text(item: Item, role: str, lang: str) -> str:
    text = _html(item.wording(role, lang))
    if item.hint:
        text += f"<br><br><em>{_html(item.hint[lang])}</em>"
    return text


class _Builder:
    def __init__(self, survey_id: str) -> None:
        self.survey_id = survey_id
        self.questions: list[dict[str, Any]] = []

    def add(self, payload: dict[str, Any]) -> str:
        qid = f"QID{len(self.questions) + 1}"
        text = payload["QuestionText"]
        payload = {
            "QuestionText": text,
            "DefaultChoices": False,
            "DataExportTag": payload.pop("DataExportTag"),
            **payload,
            "QuestionDescription": _plain(text),
            "Configuration": payload.get("Configuration", {"QuestionDescriptionOption": "UseText"}),
            "Validation": payload.get("Validation", {"Settings": {"Type": "None"}}),
            "GradingData": [],
            "Language": [],
            "NextChoiceId": len(payload.get("Choices", {})) + 1,
            "NextAnswerId": len(payload.get("Answers", {})) + 1,
            "DataVisibility": {"Private": False, "Hidden": False},
            "QuestionID": qid,
        }
        self.questions.append(self.element("SQ", qid, payload, secondary=_plain(text)))
        return qid

    def element(
        self,
        kind: str,
        primary: str,
        payload: Any,
        *,
        secondary: str | None = None,
        tertiary: str | None = None,
    ) -> dict[str, Any]:
        return {
            "SurveyID": self.survey_id,
            "Element": kind,
            "PrimaryAttribute": primary,
            "SecondaryAttribute": secondary,
            "TertiaryAttribute": tertiary,
            "Payload": payload,
        }


def _question(build: _Builder, question: Question, tag: str, role: str, lang: str) -> str:
    item, scale = question.items[0]
    labels = [_html(c.label[lang]) for c in scale.choices]
    if question.kind == "grid":
        rows = [_html(i.wording(role, lang)) for i, _ in question.items]
        return build.add(
            {
                "QuestionText": _html(question.title),
                "DataExportTag": tag,
                "QuestionType": "Matrix",
                "Selector": "Likert",
                "SubSelector": "SingleAnswer",
                "Configuration": {
                    "QuestionDescriptionOption": "UseText",
                    "TextPosition": "inline",
                    "ChoiceColumnWidth": 25,
                    "RepeatHeaders": "none",
                    "WhiteSpace": "OFF",
                    "MobileFirst": True,
                },
                "Choices": _keyed(rows),
                "ChoiceOrder": _order(rows),
                "ChoiceDataExportTags": {str(k): i.id for k, (i, _) in enumerate(question.items, start=1)},
                "Answers": _keyed(labels),
                "AnswerOrder": _order(labels),
                "RecodeValues": _recode(scale),
                "Validation": _validation(all(i.required for i, _ in question.items)),
            }
        )
    common = {"QuestionText": _text(item, role, lang), "DataExportTag": item.id}
    if question.kind in ("scale", "choice", "multiple"):
        horizontal = question.kind == "scale"
        configuration: dict[str, Any] = {"QuestionDescriptionOption": "UseText"}
        if horizontal:
            configuration["LabelPosition"] = "BELOW"
        return build.add(
            common
            | {
                "QuestionType": "MC",
                "Selector": "MAVR" if question.kind == "multiple" else "SAHR" if horizontal else "SAVR",
                "SubSelector": "TX",
                "Configuration": configuration,
                "Choices": _keyed(labels),
                "ChoiceOrder": _order(labels),
                "RecodeValues": _recode(scale),
                "Validation": _validation(item.required),
            }
        )
    if question.kind == "number":
        assert scale.min is not None and scale.max is not None
        number = {
            "Min": f"{scale.min:g}",
            "Max": f"{scale.max:g}",
            "NumDecimals": "0" if scale.type == "integer" else "",
        }
        return build.add(
            common
            | {
                "QuestionType": "TE",
                "Selector": "SL",
                "Configuration": {"QuestionDescriptionOption": "UseText"},
                "Validation": _validation(
                    item.required, Type="ContentType", ContentType="ValidNumber", ValidNumber=number
                ),
            }
        )
    return build.add(
        common
        | {
            "QuestionType": "TE",
            "Selector": "ML" if question.kind == "text" else "SL",
            "Configuration": {"QuestionDescriptionOption": "UseText"},
            "Validation": _validation(item.required),
        }
    )


def _description(build: _Builder, tag: str, title: str, body: str | None) -> str:
    text = f"<strong>{_html(title)}</strong>" + (f"<br><br>{body}" if body else "")
    return build.add(
        {
            "QuestionText": text,
            "DataExportTag": tag,
            "QuestionType": "DB",
            "Selector": "TB",
            "ChoiceOrder": [],
        }
    )


def _closing(build: _Builder, lang: str) -> str:
    return build.add(
        {
            "QuestionText": f"<strong>{_html(closing_text(lang, submit=True))}</strong>",
            "DataExportTag": "thanks",
            "QuestionType": "DB",
            "Selector": "TB",
            "ChoiceOrder": [],
        }
    )


def qsf(
    templates: Templates,
    instrument_id: str,
    role: str,
    lang: str,
    information: Information | None = None,
) -> dict[str, Any]:
    """Return the Qualtrics survey file of `instrument_id` for `role` in `lang`, as a JSON object."""
    instrument = templates.instrument(instrument_id)
    information = information_for(instrument, information)
    key = (instrument.id, instrument.version, role, lang)
    build = _Builder(_ident("SV", *key))
    name = form_title(instrument, role, lang)

    first = [_description(build, "intro", name, intro_html(instrument, lang, information))]
    first.append(
        build.add(
            {
                "QuestionText": _html(PARTICIPANT_CODE_TEXT[lang]),
                "DataExportTag": PARTICIPANT_CODE,
                "QuestionType": "TE",
                "Selector": "SL",
                "Validation": _validation(True),
            }
        )
    )
    blocks = [
        {
            "Type": "Default",
            "Description": _plain(name),
            "ID": _ident("BL", *key, "intro"),
            "BlockElements": [{"Type": "Question", "QuestionID": q} for q in first],
        },
        {
            "Type": "Trash",
            "Description": "Trash / Unused Questions",
            "ID": _ident("BL", *key, "trash"),
            "BlockElements": [],
        },
    ]
    sections = layout(templates, instrument_id, role, lang)
    for number, (part, questions) in enumerate(sections, start=1):
        section = part.section
        section_intro = _html(section.intro[lang]) if section.intro else None
        qids = [_description(build, f"{section.id}_intro", section.title[lang], section_intro)]
        grids = 0
        for question in questions:
            grids += question.kind == "grid"
            qids.append(_question(build, question, f"{section.id}_{grids}", role, lang))
        if number == len(sections):
            qids.append(_closing(build, lang))
        blocks.append(
            {
                "Type": "Standard",
                "SubType": "",
                "Description": _plain(section.title[lang]),
                "ID": _ident("BL", *key, section.id),
                "BlockElements": [{"Type": "Question", "QuestionID": q} for q in qids],
            }
        )

    embedded = {
        "Type": "EmbeddedData",
        "FlowID": "FL_2",
        "EmbeddedData": [
            {
                "Description": VERSION_FIELD,
                "Type": "Custom",
                "Field": VERSION_FIELD,
                "VariableType": "String",
                "DataVisibility": [],
                "AnalyzeText": False,
                "Value": version_tag(instrument),
            }
        ],
    }
    shown = [b for b in blocks if b["Type"] != "Trash"]
    flow = [embedded] + [
        {"Type": "Block" if b["Type"] == "Default" else "Standard", "ID": b["ID"], "FlowID": f"FL_{n}"}
        for n, b in enumerate(shown, start=3)
    ]
    response_set = _ident("RS", *key)
    owner = _ident("UR", *key)
    entry = {
        "SurveyID": build.survey_id,
        "SurveyName": name,
        "SurveyDescription": version_tag(instrument),
        "SurveyOwnerID": owner,
        "SurveyBrandID": "",
        "DivisionID": None,
        "SurveyLanguage": lang.upper(),
        "SurveyActiveResponseSet": response_set,
        "SurveyStatus": "Inactive",
        "SurveyStartDate": _NEVER,
        "SurveyExpirationDate": _NEVER,
        "SurveyCreationDate": _NEVER,
        "CreatorID": owner,
        "LastModified": _NEVER,
        "LastAccessed": _NEVER,
        "LastActivated": _NEVER,
        "Deleted": None,
    }
    options = {
        "BackButton": "true",
        "SaveAndContinue": "true",
        "SurveyProtection": "PublicSurvey",
        "BallotBoxStuffingPrevention": "false",
        "NoIndex": "Yes",
        "SecureResponseFiles": "true",
        "SurveyExpiration": "None",
        "SurveyTermination": "DefaultMessage",
        "Header": "",
        "Footer": "",
        "ProgressBarDisplay": "None",
        "PartialData": "+1 week",
        "ValidationMessage": "",
        "PreviousButton": " ← ",
        "NextButton": " → ",
        "NewScoring": 1,
    }
    scoring = {
        "ScoringCategories": [],
        "ScoringCategoryGroups": [],
        "ScoringSummaryCategory": None,
        "ScoringSummaryAfterQuestions": 0,
        "ScoringSummaryAfterSurvey": 0,
        "DefaultScoringCategory": None,
        "AutoScoringCategory": None,
    }
    preview = str(uuid.uuid5(uuid.NAMESPACE_URL, "evaluation-qsf:" + ":".join(key)))
    elements = [
        build.element("BL", "Survey Blocks", blocks),
        build.element(
            "FL",
            "Survey Flow",
            {"Flow": flow, "Properties": {"Count": len(flow) + 1}, "FlowID": "FL_1", "Type": "Root"},
        ),
        build.element("PL", "Preview Link", {"PreviewType": "Brand", "PreviewID": preview}),
        build.element("SO", "Survey Options", options),
        build.element("SCO", "Scoring", scoring),
        build.element(
            "PROJ", "CORE", {"ProjectCategory": "CORE", "SchemaVersion": "1.1.0"}, tertiary="1.1.0"
        ),
        build.element("STAT", "Survey Statistics", {"MobileCompatible": True, "ID": "Survey Statistics"}),
        build.element("QC", "Survey Question Count", None, secondary=str(len(build.questions))),
        build.element("RS", response_set, None, secondary="Default Response Set"),
        *build.questions,
    ]
    return {"SurveyEntry": entry, "SurveyElements": elements}


def write(
    templates: Templates,
    instrument_id: str,
    role: str,
    lang: str,
    path: Path,
    *,
    information: Information | None = None,
) -> None:
    """Write the Qualtrics survey file of `instrument_id` for `role` in `lang` (UTF-8 JSON)."""
    document = qsf(templates, instrument_id, role, lang, information)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
