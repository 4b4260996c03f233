"""Exports: every instrument x role x language in every format, accepted by the platforms' tools."""

from __future__ import annotations

import csv
import itertools
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from evaluation.forms import FORMATS, export
from evaluation.forms.codebook import codebook
from evaluation.forms.fields import LANGUAGE_NAMES
from evaluation.survey import PARTICIPANT_CODE, VERSION_FIELD

from .conftest import SHARED

COMBINATIONS = [
    (instrument, role, lang)
    for instrument in ("baseline", "followup", "inspiration", "meeting_log")
    for role, lang in itertools.product(("mentor", "adept"), ("sv", "en"))
]


def _sheet_rows(path: Path, sheet: str) -> list[dict]:
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


@pytest.mark.parametrize(("instrument", "role", "lang"), COMBINATIONS)
def test_xlsform_converts_with_pyxform(templates, tmp_path, instrument, role, lang):
    path = export(templates, instrument, "xlsform", tmp_path / "form.xlsx", role=role, lang=lang)
    result = convert(xlsform=str(path), validate=False, pretty_print=False)
    assert "<h:html" in result.xform
    survey = _sheet_rows(path, "survey")
    names = [r["name"] for r in survey if r["type"] not in ("begin_group", "end_group", "note")]
    expected = [i.id for i in templates.instrument(instrument).items_for(role)]
    assert names == [PARTICIPANT_CODE, VERSION_FIELD, *expected]
    settings = _sheet_rows(path, "settings")[0]
    # pyxform accepts a default_language that matches no label column; check it ourselves.
    assert f"label::{settings['default_language']}" in survey[0]
    assert settings["default_language"] == LANGUAGE_NAMES[lang]
    assert settings["version"] == templates.instrument(instrument).version


def test_xlsform_uses_role_specific_wording(templates, tmp_path):
    item = next(i for i in templates.instrument("baseline").items if i.perception_of)
    texts = {}
    for role in ("mentor", "adept"):
        path = export(templates, "baseline", "xlsform", tmp_path / f"{role}.xlsx", role=role)
        row = next(r for r in _sheet_rows(path, "survey") if r["name"] == item.id)
        texts[role] = row["label::Svenska (sv)"]
        assert row["label::English (en)"] == item.wording(role, "en")
    assert texts["mentor"] == item.wording("mentor", "sv") != texts["adept"]


def test_xlsform_choices_carry_every_scale_code(templates, tmp_path):
    path = export(templates, "baseline", "xlsform", tmp_path / "f.xlsx", role="adept")
    choices = _sheet_rows(path, "choices")
    used = {templates.scale_of(i).id for i in templates.instrument("baseline").items_for("adept")}
    for scale_id in used:
        scale = templates.scales[scale_id]
        if scale.has_choices:
            codes = [r["name"] for r in choices if r["list_name"] == scale_id]
            assert codes == [str(c) for c in scale.codes]


def _limesurvey_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.parametrize(("instrument", "role", "lang"), COMBINATIONS)
def test_limesurvey_structure(templates, tmp_path, instrument, role, lang):
    path = export(templates, instrument, "limesurvey", tmp_path / "ls.txt", role=role, lang=lang)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), "LimeSurvey writes UTF-8 with BOM"
    rows = _limesurvey_rows(path)
    settings = {r["name"]: r["text"] for r in rows if r["class"] == "S"}
    assert settings["language"] == lang
    other = "en" if lang == "sv" else "sv"
    assert settings["additional_languages"] == other
    items = templates.instrument(instrument).items_for(role)
    for language in (lang, other):
        questions = [r for r in rows if r["class"] == "Q" and r["language"] == language]
        assert [q["name"] for q in questions] == [PARTICIPANT_CODE, VERSION_FIELD] + [i.id for i in items]
        texts = {q["name"]: q["text"] for q in questions}
        for item in items:
            assert texts[item.id] == item.wording(role, language)
    # The translated copy has exactly the same rows in the same order.
    base = [(r["class"], r["name"]) for r in rows if r["language"] == lang and r["class"] != "G"]
    copy = [(r["class"], r["name"]) for r in rows if r["language"] == other and r["class"] != "G"]
    assert base == copy


# The first columns of a survey structure that LimeSurvey itself exported, and the attribute columns
# we use, as in the header of limonaid's fixture
# inst/extdata/export-of-survey-with-one-multi-choice-question-as-tsv.txt (a LimeSurvey 5 export; also
# in ../shared/real-exports/limesurvey/) and the LimeSurvey manual, "Tab Separated Value survey
# structure".
LIMESURVEY_HEADER = [
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
    "dualscale_headerA",  # the headings of an Array dual scale's two scales (now / then pairs)
    "dualscale_headerB",
]


def test_limesurvey_columns_are_limesurveys_own(tmp_path, templates):
    real = SHARED / "real-exports/limesurvey"
    real = real / "limonaid_export-of-survey-with-one-multi-choice-question-as-tsv.txt"
    if real.exists():  # beside the repository in this workplace; the constant above otherwise
        with real.open(encoding="utf-8-sig") as handle:
            assert set(LIMESURVEY_HEADER) <= set(handle.readline().rstrip("\n").split("\t"))
    path = export(templates, "baseline", "limesurvey", tmp_path / "ls.txt", role="mentor")
    ours = list(_limesurvey_rows(path)[0].keys())
    assert ours[:14] == LIMESURVEY_HEADER[:14]
    assert set(ours) <= set(LIMESURVEY_HEADER), set(ours) - set(LIMESURVEY_HEADER)


def test_limesurvey_answers_follow_their_question(templates, tmp_path):
    path = export(templates, "meeting_log", "limesurvey", tmp_path / "ls.txt", role="mentor")
    rows = [r for r in _limesurvey_rows(path) if r["language"] == "sv"]
    current = None
    for row in rows:
        if row["class"] == "Q":
            current = templates.items.get(row["name"])
        elif row["class"] in ("A", "SQ"):
            scale = templates.scale_of(current)
            assert scale.has_choices
            code = row["name"].removeprefix("c")
            assert int(code) in scale.codes


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        self.tags.append((tag, attrs))


@pytest.mark.parametrize(("instrument", "role", "lang"), COMBINATIONS)
def test_printable_html_is_accessible(templates, tmp_path, instrument, role, lang):
    path = export(templates, instrument, "html", tmp_path / "f.html", role=role, lang=lang)
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    assert page.lang == lang
    tags = [t for t, _ in page.tags]
    assert tags.count("h1") == 1
    assert tags.count("h2") >= 1
    inputs = [a for t, a in page.tags if t in ("input", "textarea")]
    labelled = {a.get("for") for t, a in page.tags if t == "label"}
    for attrs in inputs:
        # Radio buttons and checkboxes sit inside their <label>; other fields have label[for].
        if attrs.get("type") not in ("radio", "checkbox"):
            assert attrs.get("id") in labelled, attrs
    assert tags.count("fieldset") == tags.count("legend")
    assert len({a["name"] for a in inputs}) == 1 + len(templates.instrument(instrument).items_for(role))


def test_codebook_lists_every_item_of_every_instrument(templates, tmp_path):
    written = export(templates, "all", "codebook", tmp_path / "codebook.md")
    table = codebook(templates)
    every = {i.id for inst in templates.instruments.values() for i in inst.items}
    assert set(table["item_id"]) == every
    assert table["item_id"].is_unique
    markdown = written.read_text(encoding="utf-8")
    for item_id in every:
        assert f"| {item_id} |" in markdown
    with (tmp_path / "codebook.csv").open(encoding="utf-8") as handle:
        assert {r["item_id"] for r in csv.DictReader(handle)} == every
    row = table.set_index("item_id").loc[templates.instrument("baseline").items[0].id]
    assert "baseline 1.0.0" in row["instruments"] and "followup" in row["instruments"]


def test_codebook_value_labels_and_reverse_keys(templates):
    table = codebook(templates, "baseline").set_index("item_id")
    reverse = {i for c in templates.constructs.values() for i in c.scoring.reverse if i in table.index}
    assert reverse and set(table.index[table["reverse"]]) == reverse
    agree_item = next(i for i in table.index if table.loc[i, "scale"] == "agree5")
    assert table.loc[agree_item, "values_sv"].startswith("1 = ")


def test_csv_template_has_canonical_columns(templates, tmp_path):
    path = export(templates, "followup", "csv-template", tmp_path / "t.csv", role="mentor")
    header = path.read_text(encoding="utf-8").splitlines()
    assert len(header) == 1
    columns = header[0].split(",")
    assert columns[:3] == [PARTICIPANT_CODE, "submittedat", VERSION_FIELD]
    assert columns[3:] == [i.id for i in templates.instrument("followup").items_for("mentor")]


def test_export_rejects_what_it_cannot_do(templates, tmp_path):
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        export(templates, "baseline", "pdf", tmp_path / "x", role="mentor")
    with pytest.raises(ValueError, match="needs a role"):
        export(templates, "baseline", "xlsform", tmp_path / "x.xlsx")
    with pytest.raises(KeyError, match="no instrument 'basline'"):
        export(templates, "basline", "html", tmp_path / "x.html", role="adept")
    mentor_only = [i for i, inst in templates.instruments.items() if inst.roles == ("mentor",)]
    for instrument_id in mentor_only:
        with pytest.raises(ValueError, match="does not answer"):
            export(templates, instrument_id, "html", tmp_path / "x.html", role="adept")


def test_every_format_is_tested():
    assert set(FORMATS) == {
        "xlsform",
        "limesurvey",
        "html",
        "codebook",
        "csv-template",
        "google-apps-script",
        "qsf",
    }


def test_xlsform_export_is_byte_identical(templates, tmp_path):
    first = export(templates, "baseline", "xlsform", tmp_path / "a.xlsx", role="adept")
    second = export(templates, "baseline", "xlsform", tmp_path / "b.xlsx", role="adept")
    assert first.read_bytes() == second.read_bytes()
