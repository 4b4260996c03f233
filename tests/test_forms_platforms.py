"""Google Apps Script and Qualtrics (.qsf) exports: every instrument x role x language, structure checked.

The Apps Script is checked twice: its string literals are decoded in Python (JSON), and it is run by
Node.js against a stand-in ``FormApp`` that offers only the methods, with the argument rules, of
Google's Apps Script reference (developers.google.com/apps-script/reference/forms/), recording what
the script builds. Column headers are then derived the way Google's CSV download writes them
(``Grid title [row]``, else the question's title). The .qsf is read as JSON and checked against the
structure of a real Qualtrics export (fflewddur/sp ``libsp/data_test.go``; see `evaluation.forms.qsf`).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.forms import FORMATS, export
from evaluation.forms.apps_script import is_numbered_scale
from evaluation.forms.fields import closing_text, intro_text
from evaluation.survey import (
    PARTICIPANT_CODE,
    PARTICIPANT_CODE_TEXT,
    VERSION_FIELD,
    Instrument,
    Templates,
    Text,
    load_templates,
    pinned,
    version_tag,
)
from evaluation.survey.questions import form_sections

from .conftest import SURVEYS

_TEMPLATES = load_templates(SURVEYS)
COMBINATIONS = [
    (instrument.id, role, lang)
    for instrument in _TEMPLATES.instruments.values()
    for role in instrument.roles
    for lang in ("sv", "en")
]
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed: cannot run the Apps Script")

# A stand-in for Apps Script's Forms service: only the methods the reference documents, each with the
# argument rules it states (e.g. ScaleItem.setBounds: "The lower bound must be 0 or 1. The upper bound
# must be between 3 and 10, inclusive."). Any other call fails, as it would in Apps Script.
MOCK = r"""
"use strict";
const recorded = {form: {}, items: [], logs: []};
function fail(message) { throw new Error(message); }
const str = (a) => a.length === 1 && typeof a[0] === "string";
const bool = (a) => a.length === 1 && typeof a[0] === "boolean";
const strs = (a) => a.length === 1 && Array.isArray(a[0]) && a[0].length > 0
  && a[0].every((x) => typeof x === "string" && x.length > 0);
const bounds = (a) => a.length === 2 && (a[0] === 0 || a[0] === 1)
  && Number.isInteger(a[1]) && a[1] >= 3 && a[1] <= 10;
const str2 = (a) => a.length === 2 && a.every((x) => typeof x === "string");
const between = (a) => a.length === 2 && a.every((x) => typeof x === "number" && isFinite(x)) && a[0] <= a[1];
const count = (a) => a.length === 1 && Number.isInteger(a[0]) && a[0] >= 1;
const validation = (kind) => (a) => a.length === 1 && a[0] !== null && a[0].__validation === kind;
const QUESTION = {setTitle: str, setHelpText: str, setRequired: bool};
const TYPES = {
  text: {...QUESTION, setValidation: validation("text")},
  paragraph: {...QUESTION},
  pagebreak: {setTitle: str, setHelpText: str},
  grid: {...QUESTION, setRows: strs, setColumns: strs},
  scale: {...QUESTION, setBounds: bounds, setLabels: str2},
  multiplechoice: {...QUESTION, setChoiceValues: strs},
  checkbox: {...QUESTION, setChoiceValues: strs, setValidation: validation("checkbox")},
  date: {...QUESTION, setIncludesYear: bool},
};
function item(type) {
  const record = {type};
  recorded.items.push(record);
  const api = {};
  for (const [name, ok] of Object.entries(TYPES[type])) {
    api[name] = (...args) => {
      if (!ok(args)) fail(`${type}.${name}: arguments ${JSON.stringify(args)} break the reference's rules`);
      if (name in record) fail(`${type}.${name} called twice`);
      record[name] = args.length === 1 ? args[0] : args;
      return api;
    };
  }
  return api;
}
function builder(kind, rules) {
  const spec = {__validation: kind};
  const api = {build: () => spec};
  for (const [name, ok] of Object.entries(rules)) {
    api[name] = (...args) => {
      if (!ok(args)) fail(`${kind} validation.${name}: arguments ${JSON.stringify(args)}`);
      spec[name] = args;
      return api;
    };
  }
  return api;
}
const form = {
  setTitle: (...a) => { if (!str(a)) fail("Form.setTitle"); recorded.form.title = a[0]; return form; },
  setDescription: (...a) => {
    if (!str(a)) fail("Form.setDescription");
    recorded.form.description = a[0];
    return form;
  },
  setConfirmationMessage: (...a) => {
    if (!str(a)) fail("Form.setConfirmationMessage");
    recorded.form.confirmation = a[0];
    return form;
  },
  addTextItem: () => item("text"),
  addParagraphTextItem: () => item("paragraph"),
  addPageBreakItem: () => item("pagebreak"),
  addGridItem: () => item("grid"),
  addScaleItem: () => item("scale"),
  addMultipleChoiceItem: () => item("multiplechoice"),
  addCheckboxItem: () => item("checkbox"),
  addDateItem: () => item("date"),
  getEditUrl: () => "https://docs.google.com/forms/d/ID/edit",
  getPublishedUrl: () => "https://docs.google.com/forms/d/e/ID/viewform",
};
const FormApp = {
  create: (...a) => {
    if (!str(a) || !a[0]) fail("FormApp.create needs a non-empty title");
    recorded.form.name = a[0];
    return form;
  },
  createTextValidation: () => builder("text", {
    requireNumber: (a) => a.length === 0,
    requireNumberBetween: between,
  }),
  createCheckboxValidation: () => builder("checkbox", {requireSelectAtMost: count}),
};
const Logger = {log: (...a) => { recorded.logs.push(a.join(" ")); }};
"""


def _run_script(source: str, folder: Path) -> dict:
    """Check `source` parses as JavaScript, run ``createForm`` against the stand-in, return what it built."""
    script = folder / "script.js"
    script.write_text(source, encoding="utf-8")
    check = subprocess.run([NODE, "--check", str(script)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    harness = folder / "harness.js"
    harness.write_text(
        MOCK + "\n" + source + "\ncreateForm();\nprocess.stdout.write(JSON.stringify(recorded));\n",
        encoding="utf-8",
    )
    run = subprocess.run([NODE, str(harness)], capture_output=True, text=True, encoding="utf-8")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _literals(source: str) -> list[str]:
    """Decode every double-quoted string literal of `source` (they are JSON strings)."""
    return [json.loads(m) for m in re.findall(r'"(?:[^"\\\n]|\\.)*"', source)]


def _headers(built: dict) -> list[tuple[str, dict, str | None]]:
    """Return (CSV header, question, row) per column, as Google's download heads them."""
    out = []
    for question in built["items"]:
        if question["type"] == "pagebreak":
            continue
        if question["type"] == "grid":
            out += [(f"{question['setTitle']} [{row}]", question, row) for row in question["setRows"]]
        else:
            out.append((question["setTitle"], question, None))
    return out


def _check_form_order(instrument: Instrument, role: str, placed: list[tuple[int, str]]) -> None:
    """Check the (question number, item id) of a platform form's columns, in form order.

    Every item of `role` has one column. The items come in form order, except a retrospective item with
    its own past-tense wording (`Item.has_then_wording` on its current item): it is in a question of
    its own after the question holding its current item, with only such retrospective questions
    between the two.
    """
    items = instrument.items_for(role)
    worded = {i.id for i in items if i.then_of and instrument.item(i.then_of).has_then_wording}
    ids = [item_id for _, item_id in placed]
    assert sorted(ids) == sorted(i.id for i in items), "one column per item"
    assert [i for i in ids if i not in worded] == [i.id for i in items if i.id not in worded]
    assert [i for i in ids if i in worded] == [i.id for i in items if i.id in worded]
    question = dict((item_id, number) for number, item_id in placed)
    holds = {}
    for number, item_id in placed:
        holds.setdefault(number, set()).add(item_id)
    for then in worded:
        current = instrument.item(then).then_of
        assert question[then] > question[current], f"{then} must follow {current}"
        assert holds[question[then]] <= worded, f"{then} shares a question with a current item"
        between = range(question[current] + 1, question[then])
        assert all(holds.get(n, set()) <= worded for n in between), f"{then} is away from {current}"


def _check_google_form(templates: Templates, built: dict, instrument_id: str, role: str, lang: str) -> None:
    instrument = templates.instrument(instrument_id)
    assert version_tag(instrument) in built["form"]["name"]
    reader = {"sv": {"mentor": "mentor", "adept": "adept"}, "en": {"mentor": "mentor", "adept": "mentee"}}
    assert built["form"]["title"] == f"{instrument.title[lang]} – {reader[lang][role]}"
    assert built["form"]["description"] == intro_text(instrument, lang)
    assert built["form"]["confirmation"] == closing_text(lang), "the thank-you after submitting"
    first = built["items"][0]
    assert first["type"] == "text" and first["setTitle"] == PARTICIPANT_CODE_TEXT[lang]
    assert first["setRequired"] is True, "the participant code must be required"
    pages = [q for q in built["items"] if q["type"] == "pagebreak"]
    sections = form_sections(templates, instrument, role)
    assert [p["setTitle"] for p in pages] == [s.section.title[lang] for s in sections]
    assert [p.get("setHelpText") for p in pages] == [
        s.section.intro[lang] if s.section.intro else None for s in sections
    ]

    columns = _headers(built)
    headers = [h for h, _, _ in columns]
    assert len(set(headers)) == len(headers), "two columns of the download would have one header"
    items = instrument.items_for(role)
    assert len(columns) == 1 + len(items), "one column per item, plus the participant code"
    # Each column is the first item not yet placed whose statement it shows (a version 1 retrospective
    # item shares its current item's wording and comes after it).
    unplaced = list(items)
    placed: list[tuple[int, str]] = []
    where: dict[str, tuple[str, dict]] = {}
    for header, question, row in columns[1:]:
        statement = row if row is not None else question["setTitle"]
        item = next((i for i in unplaced if i.wording(role, lang) == statement), None)
        assert item is not None, f"no item reads {statement!r}"
        unplaced.remove(item)
        placed.append((next(n for n, q in enumerate(built["items"]) if q is question), item.id))
        where[item.id] = (header, question)
    _check_form_order(instrument, role, placed)
    for item in items:
        header, question = where[item.id]
        scale = templates.scale_of(item)
        labels = [c.label[lang] for c in scale.choices]
        kind = question["type"]
        if kind == "grid":
            assert question["setColumns"] == labels, f"{item.id}: grid columns are not the scale's labels"
            assert question["setRequired"] is item.required
        else:
            assert question["setRequired"] is item.required, item.id
            assert question.get("setHelpText") == (item.hint[lang] if item.hint else None), item.id
        if scale.type == "ordinal" and is_numbered_scale(scale):
            assert kind == "scale" and question["setBounds"] == [scale.codes[0], scale.codes[-1]]
        elif scale.type in ("ordinal", "nominal"):
            assert kind in ("grid", "multiplechoice"), item.id
            if kind == "multiplechoice":
                assert question["setChoiceValues"] == labels
        elif scale.type == "multiple":
            assert kind == "checkbox" and question["setChoiceValues"] == labels
            assert not [x for x in labels if ", " in x], "Google joins checked labels with ', '"
            if scale.max_choices:
                assert question["setValidation"]["requireSelectAtMost"] == [scale.max_choices]
        elif scale.type in ("integer", "decimal"):
            assert kind == "text"
            assert question["setValidation"]["requireNumberBetween"] == [scale.min, scale.max]
        elif scale.type == "text":
            assert kind == "paragraph"
        else:
            assert kind == "date" and question["setIncludesYear"] is True
    for item in items:
        if item.then_of and item.then_of in where:
            header, question = where[item.id]
            source_header, source_question = where[item.then_of]
            assert header != source_header
            assert question is not source_question and question["setTitle"] != source_question.get("setTitle")
            if instrument.item(item.then_of).has_then_wording:  # version 2: "Innan programmet"
                assert item.wording(role, lang) != instrument.item(item.then_of).wording(role, lang)
                then_title = {"sv": "Innan programmet", "en": "Before the program"}[lang]
                if question["type"] == "grid":
                    assert question["setTitle"] == then_title, item.id
            else:  # version 1: the same statement, told apart by its own grid's title
                assert question["type"] == "grid", f"{item.id}: a retrospective item belongs in a grid"


@pytest.mark.parametrize(("instrument", "role", "lang"), COMBINATIONS)
def test_apps_script_texts_are_exact_json_literals(templates, tmp_path, instrument, role, lang):
    path = export(templates, instrument, "google-apps-script", tmp_path / "form.gs", role=role, lang=lang)
    source = path.read_text(encoding="utf-8")
    literals = set(_literals(source))
    for item in templates.instrument(instrument).items_for(role):
        assert item.wording(role, lang) in literals, item.id
    assert PARTICIPANT_CODE_TEXT[lang] in literals
    wording = templates.instrument(instrument).items_for(role)[-1].wording(role, lang)
    assert json.dumps(wording, ensure_ascii=False) in source, "texts are written as they read"


@needs_node
@pytest.mark.parametrize(("instrument", "role", "lang"), COMBINATIONS)
def test_apps_script_builds_the_form(templates, tmp_path, instrument, role, lang):
    path = export(templates, instrument, "google-apps-script", tmp_path / "form.gs", role=role, lang=lang)
    built = _run_script(path.read_text(encoding="utf-8"), tmp_path)
    _check_google_form(templates, built, instrument, role, lang)
    assert any(version_tag(templates.instrument(instrument)) in line for line in built["logs"])


@needs_node
def test_version_1_followup_then_items_have_their_own_grid(templates, tmp_path):
    """Version 1's then-items repeat their item's wording in a section of their own (pinned 1.0.0)."""
    v1 = pinned(templates, {"baseline": "1.0.0", "followup": "1.0.0"})
    assert v1.instrument("followup").version == "1.0.0"
    path = export(v1, "followup", "google-apps-script", tmp_path / "f.gs", role="mentor", lang="sv")
    built = _run_script(path.read_text(encoding="utf-8"), tmp_path)
    _check_google_form(v1, built, "followup", "mentor", "sv")
    section = next(s for s in v1.instrument("followup").sections if s.id == "looking_back")
    grid = next(q for q in built["items"] if q["type"] == "grid" and q["setTitle"] == section.intro["sv"])
    assert grid["setRows"] == [i.wording("mentor", "sv") for i in section.items]
    headers = [h for h, _, _ in _headers(built)]
    source = templates.items["igu1"].wording("mentor", "sv")
    twins = [h for h in headers if h.endswith(f"[{source}]")]
    assert len(twins) == 2 and twins[1].startswith(section.intro["sv"])


@needs_node
def test_apps_script_survives_quotes_backslashes_and_line_separators(templates, tmp_path):
    nasty = 'Säg "hej" \\ till </script> åäö\u2028och\nrad'
    instrument = templates.instrument("inspiration")
    section = instrument.sections[0]
    item = section.items[1].model_copy(update={"text": Text(sv=nasty, en=nasty), "role_text": {}})
    changed = section.model_copy(update={"items": (section.items[0], item, *section.items[2:])})
    instrument = instrument.model_copy(update={"sections": (changed, *instrument.sections[1:])})
    patched = templates.model_copy(
        update={"instruments": {**templates.instruments, "inspiration": instrument}}
    )
    path = export(patched, "inspiration", "google-apps-script", tmp_path / "f.gs", role="adept", lang="sv")
    source = path.read_text(encoding="utf-8")
    assert "\u2028" not in source, "escaped for runtimes older than ES2019 (Apps Script's Rhino)"
    built = _run_script(source, tmp_path)
    rows = [r for q in built["items"] if q["type"] == "grid" for r in q["setRows"]]
    assert nasty in rows


@needs_node
def test_the_stand_in_rejects_what_apps_script_rejects(tmp_path):
    bad = "function createForm() {\n  FormApp.create('x').addScaleItem().setBounds(2, 10);\n}\n"
    with pytest.raises(AssertionError, match="setBounds"):
        _run_script(bad, tmp_path)
    unknown = "function createForm() {\n  FormApp.create('x').addGridItem().setRow(['a']);\n}\n"
    with pytest.raises(AssertionError, match="setRow"):
        _run_script(unknown, tmp_path)


# --- Qualtrics ----------------------------------------------------------------------------------

ENTRY_KEYS = {
    "SurveyID",
    "SurveyName",
    "SurveyDescription",
    "SurveyOwnerID",
    "SurveyBrandID",
    "DivisionID",
    "SurveyLanguage",
    "SurveyActiveResponseSet",
    "SurveyStatus",
    "SurveyStartDate",
    "SurveyExpirationDate",
    "SurveyCreationDate",
    "CreatorID",
    "LastModified",
    "LastAccessed",
    "LastActivated",
    "Deleted",
}
ELEMENT_KEYS = {
    "SurveyID",
    "Element",
    "PrimaryAttribute",
    "SecondaryAttribute",
    "TertiaryAttribute",
    "Payload",
}
QUALTRICS_ID = re.compile(r"^(SV|BL|RS|UR)_[0-9A-Za-z]{15}$")


def _ordered(payload: dict, key: str, order: str) -> list[tuple[str, dict]]:
    return [(str(k), payload[key][str(k)]) for k in payload[order]]


def _check_qsf(templates: Templates, document: dict, instrument_id: str, role: str, lang: str) -> None:
    instrument = templates.instrument(instrument_id)
    assert set(document) == {"SurveyEntry", "SurveyElements"}
    entry = document["SurveyEntry"]
    assert set(entry) == ENTRY_KEYS
    survey = entry["SurveyID"]
    for key in ("SurveyID", "SurveyOwnerID", "CreatorID", "SurveyActiveResponseSet"):
        assert QUALTRICS_ID.match(entry[key]), key
    elements = document["SurveyElements"]
    for element in elements:
        assert set(element) == ELEMENT_KEYS and element["SurveyID"] == survey
    kinds = [e["Element"] for e in elements]
    for kind in ("BL", "FL", "SO", "SCO", "PROJ", "STAT", "QC", "RS", "PL"):
        assert kinds.count(kind) == 1, kind
    (response_set,) = [e for e in elements if e["Element"] == "RS"]
    assert response_set["PrimaryAttribute"] == entry["SurveyActiveResponseSet"]

    questions = {e["PrimaryAttribute"]: e for e in elements if e["Element"] == "SQ"}
    assert len(questions) == kinds.count("SQ"), "question ids repeat"
    for qid, element in questions.items():
        assert element["Payload"]["QuestionID"] == qid
    (count,) = [e for e in elements if e["Element"] == "QC"]
    assert count["SecondaryAttribute"] == str(len(questions))

    (blocks_element,) = [e for e in elements if e["Element"] == "BL"]
    blocks = {b["ID"]: b for b in blocks_element["Payload"]}
    assert [b["Type"] for b in blocks.values()].count("Default") == 1
    for block_id in blocks:
        assert QUALTRICS_ID.match(block_id), block_id
    bodies = [i[3:] for i in (survey, entry["SurveyOwnerID"], response_set["PrimaryAttribute"], *blocks)]
    assert len(set(bodies)) == len(bodies), "ids repeat"
    placed = [el["QuestionID"] for b in blocks.values() for el in b["BlockElements"]]
    assert sorted(placed) == sorted(questions), "every question in exactly one block, and only those"
    (flow_element,) = [e for e in elements if e["Element"] == "FL"]
    flow = flow_element["Payload"]
    assert flow["Type"] == "Root"
    ids = [flow["FlowID"]] + [f["FlowID"] for f in flow["Flow"]]
    assert len(set(ids)) == len(ids)
    assert flow["Properties"]["Count"] >= max(int(i.removeprefix("FL_")) for i in ids)
    embedded, *shown = flow["Flow"]
    assert embedded["Type"] == "EmbeddedData"
    assert [(d["Field"], d["Value"]) for d in embedded["EmbeddedData"]] == [
        (VERSION_FIELD, version_tag(instrument))
    ]
    assert [f["ID"] for f in shown] == [b["ID"] for b in blocks.values() if b["Type"] != "Trash"]

    order = [el["QuestionID"] for f in shown for el in blocks[f["ID"]]["BlockElements"]]
    tags: list[str] = []
    placed: list[tuple[int, str]] = []
    headers: list[str] = []
    located: dict[str, tuple[str, str]] = {}
    items = {i.id: i for i in instrument.items_for(role)}
    export_tags = [questions[q]["Payload"]["DataExportTag"] for q in order]
    assert len(set(export_tags)) == len(export_tags), "data export tags repeat"
    for qid in order:
        payload = questions[qid]["Payload"]
        text = html.unescape(re.sub(r"<[^>]+>", " ", payload["QuestionText"]))
        forced = payload["Validation"]["Settings"].get("ForceResponse")
        if payload["QuestionType"] == "DB":
            assert payload["DataExportTag"] not in items
            continue
        if payload["QuestionType"] == "Matrix":
            assert (payload["Selector"], payload["SubSelector"]) == ("Likert", "SingleAnswer")
            assert payload["DataExportTag"] not in items, "a matrix tag must not take an item's column"
            rows = _ordered(payload, "Choices", "ChoiceOrder")
            assert set(payload["ChoiceDataExportTags"]) == {k for k, _ in rows}
            members = [items[payload["ChoiceDataExportTags"][k]] for k, _ in rows]
            scale = templates.scale_of(members[0])
            assert all(templates.scale_of(m).id == scale.id for m in members)
            for (_, row), member in zip(rows, members, strict=True):
                assert html.unescape(row["Display"]) == member.wording(role, lang)
                tags.append(member.id)
                placed.append((order.index(qid), member.id))
                headers.append(f"{text.strip()} - {member.wording(role, lang)}")
                located[member.id] = (qid, headers[-1])
            answers = _ordered(payload, "Answers", "AnswerOrder")
            # Every choice is offered, a missing one ("Kan inte bedöma", 9) too, recoded to its code.
            assert [html.unescape(a["Display"]) for _, a in answers] == [c.label[lang] for c in scale.choices]
            assert [payload["RecodeValues"][k] for k, _ in answers] == [str(c.code) for c in scale.choices]
            assert (forced == "ON") == all(m.required for m in members)
            continue
        tag = payload["DataExportTag"]
        tags.append(tag)
        headers.append(text.strip())
        if tag == PARTICIPANT_CODE:
            assert html.unescape(payload["QuestionText"]) == PARTICIPANT_CODE_TEXT[lang]
            assert forced == "ON", "the participant code must be required"
            continue
        item = items[tag]
        located[item.id] = (qid, headers[-1])
        placed.append((order.index(qid), item.id))
        scale = templates.scale_of(item)
        assert text.strip().startswith(item.wording(role, lang))
        assert (forced == "ON") is item.required, item.id
        if scale.has_choices:
            assert payload["QuestionType"] == "MC"
            numbered = scale.type == "ordinal" and is_numbered_scale(scale)
            expected = "MAVR" if scale.type == "multiple" else "SAHR" if numbered else "SAVR"
            assert payload["Selector"] == expected, item.id
            choices = _ordered(payload, "Choices", "ChoiceOrder")
            assert [html.unescape(c["Display"]) for _, c in choices] == [c.label[lang] for c in scale.choices]
            assert [payload["RecodeValues"][k] for k, _ in choices] == [str(c.code) for c in scale.choices]
        elif scale.type in ("integer", "decimal"):
            settings = payload["Validation"]["Settings"]
            assert (payload["QuestionType"], settings["ContentType"]) == ("TE", "ValidNumber")
            assert float(settings["ValidNumber"]["Min"]) == scale.min
            assert float(settings["ValidNumber"]["Max"]) == scale.max
        else:
            assert payload["QuestionType"] == "TE"
    assert tags[0] == PARTICIPANT_CODE, "the participant code comes first"
    assert len(tags) == len(set(tags)), "an export tag repeats"
    _check_form_order(instrument, role, placed)  # the item ids, in form order
    assert len(set(headers)) == len(headers), "two columns would share the text row"
    for item in items.values():
        if item.then_of and item.then_of in located:
            (qid, header), (source_qid, source_header) = located[item.id], located[item.then_of]
            assert qid != source_qid and header != source_header


@pytest.mark.parametrize(("instrument", "role", "lang"), COMBINATIONS)
def test_qsf_structure(templates, tmp_path, instrument, role, lang):
    path = export(templates, instrument, "qsf", tmp_path / "survey.qsf", role=role, lang=lang)
    document = json.loads(path.read_text(encoding="utf-8"))
    _check_qsf(templates, document, instrument, role, lang)
    assert document["SurveyEntry"]["SurveyLanguage"] == lang.upper()


def _qsf_questions(templates: Templates, instrument_id: str, tmp_path: Path) -> list[dict]:
    path = export(templates, instrument_id, "qsf", tmp_path / "f.qsf", role="mentor", lang="sv")
    document = json.loads(path.read_text(encoding="utf-8"))
    _check_qsf(templates, document, instrument_id, "mentor", "sv")
    return [e["Payload"] for e in document["SurveyElements"] if e["Element"] == "SQ"]


def test_qsf_matrix_exports_item_ids_and_codes(templates, tmp_path):
    questions = _qsf_questions(templates, "followup", tmp_path)
    matrices = [q for q in questions if q["QuestionType"] == "Matrix"]
    looking_back = next(m for m in matrices if "ugen1then" in m["ChoiceDataExportTags"].values())
    current = next(m for m in matrices if "ugen1" in m["ChoiceDataExportTags"].values())
    assert looking_back["QuestionText"] != current["QuestionText"]
    assert looking_back["RecodeValues"] == {"1": "1", "2": "2", "3": "3", "4": "4", "5": "5"}
    assert [a["Display"] for a in looking_back["Answers"].values()][-1] == "Stämde helt"
    # "Kan inte bedöma" is offered, and exported as its own code 9 (which ingest reads as missing).
    opinion = next(m for m in matrices if "meta1" in m["ChoiceDataExportTags"].values())
    assert opinion["RecodeValues"] == {"1": "1", "2": "2", "3": "3", "4": "4", "5": "5", "6": "9"}
    assert opinion["Answers"]["6"]["Display"] == "Kan inte bedöma"
    recprog = next(q for q in questions if q["DataExportTag"] == "recprog2")
    assert recprog["Selector"] == "SAHR"
    assert recprog["RecodeValues"]["1"] == "0" and recprog["RecodeValues"]["11"] == "10"


def test_qsf_of_version_1_exports_its_looking_back_matrix(templates, tmp_path):
    v1 = pinned(templates, {"followup": "1.0.0"})
    questions = _qsf_questions(v1, "followup", tmp_path)
    matrices = [q for q in questions if q["QuestionType"] == "Matrix"]
    looking_back = next(m for m in matrices if "igu1then" in m["ChoiceDataExportTags"].values())
    current = next(m for m in matrices if "igu1" in m["ChoiceDataExportTags"].values())
    assert looking_back["QuestionText"] != current["QuestionText"]
    assert looking_back["RecodeValues"] == current["RecodeValues"] == {str(n): str(n) for n in range(1, 6)}
    recprog = next(q for q in questions if q["DataExportTag"] == "recprog")
    assert recprog["RecodeValues"]["1"] == "0" and recprog["RecodeValues"]["11"] == "10"


def test_qsf_escapes_html(templates, tmp_path):
    nasty = 'Lön & villkor <b>"fetstil"</b>'
    instrument = templates.instrument("meeting_log")
    section = instrument.sections[0]
    item = section.items[0].model_copy(update={"text": Text(sv=nasty, en=nasty), "role_text": {}})
    changed = section.model_copy(update={"items": (item, *section.items[1:])})
    instrument = instrument.model_copy(update={"sections": (changed, *instrument.sections[1:])})
    patched = templates.model_copy(
        update={"instruments": {**templates.instruments, "meeting_log": instrument}}
    )
    path = export(patched, "meeting_log", "qsf", tmp_path / "m.qsf", role="adept", lang="sv")
    raw = path.read_text(encoding="utf-8")
    assert "<b>" not in raw and "Lön &amp; villkor &lt;b&gt;" in raw
    _check_qsf(patched, json.loads(raw), "meeting_log", "adept", "sv")


@pytest.mark.parametrize("fmt", ["google-apps-script", "qsf"])
def test_platform_exports_are_byte_identical(templates, tmp_path, fmt):
    first = export(templates, "followup", fmt, tmp_path / "a", role="adept", lang="sv")
    second = export(templates, "followup", fmt, tmp_path / "b", role="adept", lang="sv")
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(("fmt", "suffix"), [("google-apps-script", ".gs"), ("qsf", ".qsf")])
def test_cli_exports_platform_formats(tmp_path, fmt, suffix):
    assert FORMATS[fmt][0] == suffix
    target = tmp_path / f"baseline{suffix}"
    result = CliRunner().invoke(
        app, ["survey", "export", "baseline", "--role", "mentor", "--format", fmt, "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert target.is_file() and target.stat().st_size > 1000
