"""Issue 12, finding 1 and "What to build" item 2: retrospective ("then") items with their own wording.

A copy of surveys/ gets a version-2-like follow-up: an item bank entry with ``then_text`` (and
``then_role_text``, ``then_scale``), its then-item directly after it in the same section, version
2.0.0 released with `evaluation.survey.release`. The tests check that the then-item reads in the
past tense; that every form shows the pair together (XLSForm group "Nu / Innan programmet" that
pyxform converts, one printable table, a LimeSurvey dual-scale array, a grid "Innan programmet" right
after the current grid in the Google Form and the Qualtrics file); that the checks refuse a
reverse-keyed then-item and a then-item away from its current item; that the released version 1
hashes do not move; and that exports of the v2 forms, answered as each platform exports them, ingest
unaided with every value as answered.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import yaml
from pyxform.xls2xform import convert

from evaluation.forms import export
from evaluation.forms.apps_script import layout
from evaluation.forms.fields import LANGUAGE_NAMES
from evaluation.forms.qsf import qsf
from evaluation.survey import (
    PARTICIPANT_CODE,
    PARTICIPANT_CODE_TEXT,
    VERSION_FIELD,
    Item,
    Templates,
    Text,
    check_templates,
    content_hash,
    load_templates,
    release,
)
from evaluation.survey.questions import segments

from .conftest import SURVEYS, read_yaml, write_yaml
from .realshapes import SourceSpec, write_cohort
from .test_form_roundtrip import (
    KEY,
    PEOPLE,
    Built,
    Kobo,
    _answers,
    _google_timestamp,
    _ingest_and_check,
    _label,
    _seed,
)
from .test_forms_platforms import _headers, _run_script, needs_node

# --------------------------------------------------------------------------------------------------
# A version-2-like follow-up in a copy of surveys/
# --------------------------------------------------------------------------------------------------

SCALES = """
  true5:
    type: ordinal
    name: {sv: Hur väl det stämmer (1–5), en: How true (1–5)}
    choices:
      - {code: 1, label: {sv: Stämmer inte alls, en: Not at all true}}
      - {code: 2, label: {sv: Stämmer ganska dåligt, en: Mostly untrue}}
      - {code: 3, label: {sv: Stämmer varken bra eller dåligt, en: Neither true nor untrue}}
      - {code: 4, label: {sv: Stämmer ganska bra, en: Mostly true}}
      - {code: 5, label: {sv: Stämmer helt, en: Completely true}}

  true5then:
    type: ordinal
    name: {sv: Hur väl det stämde innan programmet (1–5), en: How true before the program (1–5)}
    choices:
      - {code: 1, label: {sv: Stämde inte alls, en: Was not at all true}}
      - {code: 2, label: {sv: Stämde ganska dåligt, en: Was mostly untrue}}
      - {code: 3, label: {sv: Stämde varken bra eller dåligt, en: Was neither true nor untrue}}
      - {code: 4, label: {sv: Stämde ganska bra, en: Was mostly true}}
      - {code: 5, label: {sv: Stämde helt, en: Was completely true}}
"""

CONSTRUCTS = """
  - id: igu_v2
    domain: intergenerational
    key: true
    name: {sv: Förståelse för den andra generationen (v2), en: Understanding of the other generation (v2)}
    definition:
      sv: I vilken grad den svarande förstår vad den andra generationen tycker är viktigt i arbetet.
      en: The extent to which respondents understand what the other generation considers important at work.
    scoring:
      method: mean
      items: [iguv1, iguv2, iguv3]
    references:
      - cite: Howard, G. S. (1980). Response-shift bias. Evaluation Review, 4(1), 93–106.
        uses: The retrospective pretest, asked next to the post-test item.
"""

ITEMS = """
  - id: iguv1
    construct: igu_v2
    scale: true5
    then_scale: true5then
    role_text:
      mentor:
        sv: Jag förstår vad seniora kollegor tycker är viktigt i arbetslivet.
        en: I understand what senior colleagues consider important in working life.
      adept:
        sv: Jag förstår vad yngre kollegor tycker är viktigt i arbetslivet.
        en: I understand what younger colleagues consider important in working life.
    then_role_text:
      mentor:
        sv: Innan programmet förstod jag vad seniora kollegor tycker är viktigt i arbetslivet.
        en: Before the program, I understood what senior colleagues consider important in working life.
      adept:
        sv: Innan programmet förstod jag vad yngre kollegor tycker är viktigt i arbetslivet.
        en: Before the program, I understood what younger colleagues consider important in working life.

  - id: iguv1then
    then_of: iguv1

  - id: iguv2
    construct: igu_v2
    scale: true5
    then_scale: true5then
    text:
      sv: Jag vet vad som motiverar kollegor i den andra generationen i deras arbete.
      en: I know what motivates colleagues of the other generation in their work.
    then_text:
      sv: Innan programmet visste jag vad som motiverar kollegor i den andra generationen i deras arbete.
      en: Before the program, I knew what motivates colleagues of the other generation in their work.

  - id: iguv2then
    then_of: iguv2

  - id: iguv3
    construct: igu_v2
    scale: true5
    text:
      sv: Jag kan ta till mig synpunkter från kollegor i den andra generationen.
      en: I can take on board views from colleagues of the other generation.
    then_text:
      sv: Innan programmet kunde jag ta till mig synpunkter från kollegor i den andra generationen.
      en: Before the program, I could take on board views from colleagues of the other generation.

  - id: iguv3then
    then_of: iguv3
"""

SECTION = {
    "id": "understanding",
    "title": {"sv": "Förståelse nu och innan programmet", "en": "Understanding now and before the program"},
    "intro": {
        "sv": (
            "För varje påstående ber vi dig svara två gånger: hur väl det stämmer nu, och hur väl det "
            "stämde innan programmet började."
        ),
        "en": (
            "For each statement, please answer twice: how true it is now, and how true it was before "
            "the program started."
        ),
    },
    "items": ["iguv1", "iguv1then", "iguv2", "iguv2then", "iguv3", "iguv3then"],
}
"""The v2-like section: each then-item directly after its current item."""

PAIRS = {"iguv1": "iguv1then", "iguv2": "iguv2then", "iguv3": "iguv3then"}


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


def make_v2(surveys: Path, *, release_it: bool = True) -> Path:
    """Turn a copy of surveys/ into one with a version-2-like follow-up (released unless told not to)."""
    _append(surveys / "scales.yml", SCALES)
    _append(surveys / "constructs.yml", CONSTRUCTS)
    _append(surveys / "items.yml", ITEMS)
    path = surveys / "instruments" / "followup.yml"
    spec = read_yaml(path)
    sections = {s["id"]: s for s in spec["sections"]}
    spec["version"] = "2.0.0"
    generations = dict(sections["generations"])  # the v1 igu items give way to igu_v2 (and their twins)
    generations["items"] = [i for i in generations["items"] if not i.startswith("igu")] + ["igu4"]
    spec["sections"] = [generations, SECTION, sections["program_overall"]]
    write_yaml(path, spec)
    if release_it:
        release(load_templates(surveys, require_released=False), "followup")
    return surveys


@pytest.fixture(scope="module")
def v2(tmp_path_factory) -> Templates:
    """Templates whose current follow-up is the released v2-like version (read-only)."""
    target = tmp_path_factory.mktemp("then") / "surveys"
    shutil.copytree(SURVEYS, target)
    return load_templates(make_v2(target))


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    """A real cohort: the pseudonym key comes from the environment, never from a key file."""
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY_FILE", raising=False)


# --------------------------------------------------------------------------------------------------
# The item bank and the content hash
# --------------------------------------------------------------------------------------------------


def test_released_v1_hashes_are_unchanged(templates):
    recorded = yaml.safe_load((SURVEYS / "versions.yml").read_text(encoding="utf-8"))
    for instrument_id, versions in recorded.items():
        for version, digest in versions.items():
            assert content_hash(templates, templates.instrument(instrument_id, version)) == digest, (
                instrument_id,
                version,
            )
    assert check_templates(SURVEYS) == []


def test_v2_release_keeps_v1_and_records_v2(v2):
    assert v2.versions("followup") == ["1.0.0", "2.0.0"]
    recorded = yaml.safe_load((v2.directory / "versions.yml").read_text(encoding="utf-8"))
    original = yaml.safe_load((SURVEYS / "versions.yml").read_text(encoding="utf-8"))
    for instrument_id, versions in original.items():
        for version, digest in versions.items():
            assert recorded[instrument_id][version] == digest
    assert recorded["followup"]["2.0.0"] == content_hash(v2, v2.instrument("followup"))
    assert check_templates(v2.directory) == []


def _with(instrument, *items: Item):
    """Return `instrument` with `items` in place of the items with their ids (no other change)."""
    new = {i.id: i for i in items}
    sections = tuple(
        s.model_copy(update={"items": tuple(new.get(i.id, i) for i in s.items)}) for s in instrument.sections
    )
    return instrument.model_copy(update={"sections": sections})


def test_then_wording_is_hashed_where_respondents_read_it(v2):
    followup = v2.instrument("followup")
    other = Text(sv="Innan programmet visste jag inte det.", en="Before the program, I did not know.")
    digest = content_hash(v2, followup)
    # The retrospective item's own text and scale are content of the instruments that ask it ...
    assert (
        content_hash(v2, _with(followup, followup.item("iguv2then").model_copy(update={"text": other})))
        != digest
    )
    assert (
        content_hash(v2, _with(followup, followup.item("iguv2then").model_copy(update={"scale": "true5"})))
        != digest
    )
    # ... the fields on the current item are not, so an instrument asking only the current item (a
    # baseline) keeps its hash when they change.
    asks_current_only = followup.model_copy(
        update={
            "sections": tuple(
                s.model_copy(update={"items": tuple(i for i in s.items if i.then_of is None)})
                for s in followup.sections
            )
        }
    )
    edited = followup.item("iguv2").model_copy(update={"then_text": other, "then_scale": "agree5"})
    assert content_hash(v2, _with(asks_current_only, edited)) == content_hash(v2, asks_current_only)


def test_then_item_reads_in_the_past_tense(v2):
    followup = v2.instrument("followup")
    assert followup.version == "2.0.0" and followup.uses_then_text
    then = followup.item("iguv1then")
    assert then.then_of == "iguv1" and then.scale == "true5then"
    assert then.wording("mentor", "sv") == (
        "Innan programmet förstod jag vad seniora kollegor tycker är viktigt i arbetslivet."
    )
    assert then.wording("adept", "en").startswith("Before the program, I understood what younger")
    assert v2.items["iguv2then"].wording("adept", "sv").startswith("Innan programmet visste jag")
    assert v2.items["iguv3then"].scale == "true5", "without then_scale the current scale is kept"
    assert v2.scale_of(then).label(5, "sv") == "Stämde helt"
    assert {i.id for i in followup.worded_then_items()} == set(PAIRS.values())
    # Version 1's then-items still repeat their item word for word.
    assert v2.items["igu1then"].wording("mentor", "sv") == v2.items["igu1"].wording("mentor", "sv")
    assert not v2.instrument("followup", "1.0.0").uses_then_text


def test_then_text_rules_in_the_item_model():
    base = {"id": "x1", "construct": "c", "scale": "agree5", "text": {"sv": "Nu.", "en": "Now."}}
    then = {"sv": "Innan programmet.", "en": "Before the program."}
    assert Item.model_validate({**base, "then_text": then}).then_wording("mentor", "sv") == then["sv"]
    with pytest.raises(ValueError, match="then_scale needs then_text"):
        Item.model_validate({**base, "then_scale": "agree5"})
    role_text = {"mentor": {"sv": "M.", "en": "M."}}
    with pytest.raises(ValueError, match="then_role_text is missing for"):
        Item.model_validate({**base, "role_text": role_text, "then_text": then})
    with pytest.raises(ValueError, match="then_role_text for"):
        Item.model_validate(
            {**base, "roles": ["mentor"], "then_text": then, "then_role_text": {"adept": then}}
        )
    with pytest.raises(ValueError, match="takes its wording from the item it repeats"):
        Item.model_validate({"id": "x1then", "then_of": "x1", "then_text": then})


# --------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------


def _problems(surveys: Path, where: str) -> list[str]:
    return [p.en for p in check_templates(surveys) if p.where == where]


def test_checks_refuse_a_reverse_keyed_then_item(surveys_copy):
    make_v2(surveys_copy, release_it=False)
    _append(
        surveys_copy / "items.yml",
        """
  - id: iguv4
    construct: igu_v2
    scale: true5
    reverse: true
    text:
      sv: Jag har svårt att förstå den andra generationen.
      en: I find the other generation hard to understand.
    then_text:
      sv: Innan programmet hade jag svårt att förstå den andra generationen.
      en: Before the program, I found the other generation hard to understand.

  - id: iguv4then
    then_of: iguv4
""",
    )
    constructs = (
        (surveys_copy / "constructs.yml")
        .read_text(encoding="utf-8")
        .replace(
            "items: [iguv1, iguv2, iguv3]", "items: [iguv1, iguv2, iguv3, iguv4]\n      reverse: [iguv4]"
        )
    )
    (surveys_copy / "constructs.yml").write_text(constructs, encoding="utf-8")
    assert read_yaml(surveys_copy / "constructs.yml")["constructs"][-1]["scoring"]["reverse"] == ["iguv4"]
    path = surveys_copy / "instruments" / "followup.yml"
    spec = read_yaml(path)
    spec["sections"][1]["items"] += ["iguv4", "iguv4then"]
    write_yaml(path, spec)
    problems = _problems(surveys_copy, "iguv4then")
    assert len(problems) == 1 and "no reverse-keyed then-item" in problems[0], problems
    assert _problems(surveys_copy, "iguv4") == []


def test_checks_refuse_a_version_1_then_item_in_a_v2_instrument(surveys_copy):
    make_v2(surveys_copy, release_it=False)
    path = surveys_copy / "instruments" / "followup.yml"
    spec = read_yaml(path)
    items = spec["sections"][0]["items"]
    items.insert(items.index("igu4") + 1, "igu4then")  # right after it, but reverse-keyed and unworded
    write_yaml(path, spec)
    problems = _problems(surveys_copy, "igu4then")
    assert any("no reverse-keyed then-item" in p for p in problems), problems
    assert any("needs its own past-tense wording" in p for p in problems), problems
    assert not any("directly after" in p for p in problems), problems


@pytest.mark.parametrize("where", ["other section", "same section"])
def test_checks_refuse_a_then_item_away_from_its_current_item(surveys_copy, where):
    make_v2(surveys_copy, release_it=False)
    path = surveys_copy / "instruments" / "followup.yml"
    spec = read_yaml(path)
    spec["sections"][1]["items"].remove("iguv2then")
    if where == "other section":
        spec["sections"][2]["items"].append("iguv2then")
    else:
        spec["sections"][1]["items"].append("iguv2then")  # after iguv3then
    write_yaml(path, spec)
    problems = _problems(surveys_copy, "iguv2then")
    assert len(problems) == 1 and "directly after its current item 'iguv2'" in problems[0], problems


def test_checks_refuse_a_then_scale_unlike_its_scale(surveys_copy):
    make_v2(surveys_copy, release_it=False)
    items = (surveys_copy / "items.yml").read_text(encoding="utf-8")
    (surveys_copy / "items.yml").write_text(
        items.replace(
            "scale: true5\n    then_scale: true5then", "scale: true5\n    then_scale: recommend11", 1
        ),
        encoding="utf-8",
    )
    problems = _problems(surveys_copy, "iguv1")
    assert len(problems) == 1 and "must have the type and codes of the scale 'true5'" in problems[0], problems


def test_version_1_instruments_stay_valid(templates):
    followup = templates.instrument("followup")
    assert followup.version == "1.0.0" and not followup.uses_then_text
    assert check_templates(SURVEYS) == []


# --------------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------------


def _survey_rows(path: Path) -> list[dict]:
    rows = list(openpyxl.load_workbook(path, read_only=True)["survey"].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


@pytest.mark.parametrize("role", ["mentor", "adept"])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_xlsform_puts_each_pair_in_one_group_and_pyxform_converts_it(v2, tmp_path, role, lang):
    path = export(v2, "followup", "xlsform", tmp_path / "f.xlsx", role=role, lang=lang)
    xform = convert(xlsform=str(path), validate=False, pretty_print=False).xform
    rows = _survey_rows(path)
    names = [r["name"] for r in rows]
    for current, then in PAIRS.items():
        start = names.index(f"pair_{current}")
        group, first, second, end = rows[start : start + 4]
        assert group["type"] == "begin_group" and end["type"] == "end_group"
        assert group["label::Svenska (sv)"] == "Nu / Innan programmet"
        assert group["label::English (en)"] == "Now / Before the program"
        assert (first["name"], second["name"]) == (current, then)
        assert second[f"label::{LANGUAGE_NAMES[lang]}"] == v2.items[then].wording(role, lang)
        one_list = v2.items[current].scale == v2.items[then].scale
        assert group["appearance"] == ("table-list" if one_list else "field-list")
        assert second["type"] == f"select_one {v2.items[then].scale}"
    # Both appearances reach the XForm (table-list becomes field-list there, with its label row).
    assert 'appearance="field-list"' in xform
    assert "reserved_name_for_field_list_labels_" in xform
    assert "list-nolabel" in xform
    choices = list(openpyxl.load_workbook(path, read_only=True)["choices"].iter_rows(values_only=True))
    assert {r[0] for r in choices[1:]} >= {"true5", "true5then"}


class _Tables(HTMLParser):
    """Collect the printable form's pair tables (header cells, radio buttons) and every id's text."""

    VOID = frozenset({"input", "meta", "link", "br", "hr", "img"})

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.ids: dict[str, str] = {}
        self._open: list[list] = []  # [tag, id or None, text so far] of every open element

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "pairs" in (attrs.get("class") or ""):
            self.tables.append({"headers": [], "radios": []})
        if tag == "input" and attrs.get("type") == "radio" and "aria-labelledby" in attrs:
            self.tables[-1]["radios"].append((attrs["name"], attrs["value"], attrs["aria-labelledby"]))
        if tag not in self.VOID:
            self._open.append([tag, attrs.get("id"), ""])

    def handle_data(self, data):
        for element in self._open:
            element[2] += data

    def handle_endtag(self, tag):
        while self._open:
            name, ident, text = self._open.pop()
            if ident is not None:
                self.ids[ident] = " ".join(text.split())
                if name == "th" and self.tables:
                    self.tables[-1]["headers"].append(self.ids[ident])
            if name == tag:
                break


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_printable_form_shows_each_run_of_pairs_as_one_table(v2, tmp_path, lang):
    path = export(v2, "followup", "html", tmp_path / "f.html", role="adept", lang=lang)
    html = path.read_text(encoding="utf-8")
    parser = _Tables()
    parser.feed(html)
    # iguv1 and iguv2 share both scales (one table); iguv3 keeps "Stämmer" for both (a second table).
    assert len(parser.tables) == 2, parser.tables
    first, second = parser.tables
    then_title = {"sv": "Innan programmet", "en": "Before the program"}[lang]
    now_title = {"sv": "Nu", "en": "Now"}[lang]
    assert first["headers"][:2] == [now_title, then_title]
    top = {"sv": ("Stämmer helt", "Stämde helt"), "en": ("Completely true", "Was completely true")}[lang]
    assert set(top) <= set(first["headers"])
    assert {n for n, _, _ in first["radios"]} == {"iguv1", "iguv1then", "iguv2", "iguv2then"}
    assert {n for n, _, _ in second["radios"]} == {"iguv3", "iguv3then"}
    for name, value, labelled_by in first["radios"] + second["radios"]:
        parts = [parser.ids[i] for i in labelled_by.split()]
        item = v2.items[name]
        assert parts[0] == item.wording("adept", lang), "a radio is named by its item's own statement"
        assert parts[-1] == v2.scale_of(item).label(int(value), lang)
        if item.then_of:
            assert parts[0].startswith(then_title)
        else:
            assert now_title in parts
    assert html.count('type="radio" name="iguv1then"') == 5


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium is not installed")
def test_printable_pair_tables_pass_axe(v2, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from evaluation.reporting import CHROMIUM_ARGS

    path = export(v2, "followup", "html", tmp_path / "f.html", role="mentor", lang="sv")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 900})
        page.goto(path.resolve().as_uri())
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
        serious = [v["id"] for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == []
        table = page.locator("table.pairs").first
        assert table.is_visible() and table.bounding_box()["width"] <= 900
        browser.close()


def _limesurvey_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_limesurvey_structure_has_a_dual_scale_array_per_run_of_pairs(v2, tmp_path):
    path = export(v2, "followup", "limesurvey", tmp_path / "ls.txt", role="mentor", lang="sv")
    rows = _limesurvey_rows(path)
    for lang, (now, then) in {"sv": ("Nu", "Innan programmet"), "en": ("Now", "Before the program")}.items():
        mine = [r for r in rows if r["language"] == lang]
        arrays = [r for r in mine if r["class"] == "Q" and r["type/scale"] == "1"]
        assert [a["name"] for a in arrays] == ["NT1", "NT2"]
        assert all((a["dualscale_headerA"], a["dualscale_headerB"]) == (now, then) for a in arrays)
        start = mine.index(arrays[0])
        block = mine[start + 1 : mine.index(arrays[1])]
        assert [(r["name"], r["type/scale"]) for r in block if r["class"] == "SQ"] == [
            ("iguv1", "0"),
            ("iguv2", "0"),
        ]
        answers = [(r["type/scale"], r["name"], r["text"]) for r in block if r["class"] == "A"]
        assert [a for a in answers if a[0] == "0"] == [
            ("0", str(c.code), c.label[lang]) for c in v2.scales["true5"].choices
        ]
        assert [a for a in answers if a[0] == "1"] == [
            ("1", str(c.code), c.label[lang]) for c in v2.scales["true5then"].choices
        ]
        codes = [r["name"] for r in mine if r["class"] == "Q"]
        assert not {"iguv1", "iguv1then", "iguv2then", "iguv3then"} & set(codes)


@pytest.mark.parametrize("role", ["mentor", "adept"])
def test_platform_grids_put_the_then_items_right_after_their_current_items(v2, role):
    sections = layout(v2, "followup", role, "sv")
    part, questions = next((p, q) for p, q in sections if p.section.id == "understanding")
    shape = [(q.kind, [i.id for i, _ in q.items], q.title, q.then) for q in questions]
    assert shape == [
        ("grid", ["iguv1", "iguv2", "iguv3"], SECTION["intro"]["sv"], False),
        ("grid", ["iguv1then", "iguv2then"], "Innan programmet", True),
        ("choice", ["iguv3then"], "", True),
    ]
    # Every Google column header names one item.
    headers = [
        f"{q.title} [{i.wording(role, 'sv')}]" if q.kind == "grid" else i.wording(role, "sv")
        for _, qs in sections
        for q in qs
        for i, _ in q.items
    ]
    assert len(headers) == len(set(headers))
    assert [s.pairs and [p.then.id for p in s.pairs] for s in segments(part.items)] == [
        ["iguv1then", "iguv2then"],
        ["iguv3then"],
    ]


def test_qsf_matrix_of_then_items_follows_the_current_matrix(v2):
    document = qsf(v2, "followup", "adept", "sv")
    questions = [e["Payload"] for e in document["SurveyElements"] if e["Element"] == "SQ"]
    tags = [
        list(q["ChoiceDataExportTags"].values()) if q["QuestionType"] == "Matrix" else [q["DataExportTag"]]
        for q in questions
    ]
    at = tags.index(["iguv1", "iguv2", "iguv3"])
    assert tags[at + 1 : at + 3] == [["iguv1then", "iguv2then"], ["iguv3then"]]
    then_matrix = questions[at + 1]
    assert then_matrix["QuestionText"] == "Innan programmet"
    assert [a["Display"] for a in then_matrix["Answers"].values()][-1] == "Stämde helt"
    assert [a["Display"] for a in questions[at]["Answers"].values()][-1] == "Stämmer helt"


@needs_node
def test_apps_script_builds_the_then_grid_after_the_current_grid(v2, tmp_path):
    path = export(v2, "followup", "google-apps-script", tmp_path / "f.gs", role="mentor", lang="sv")
    built = _run_script(path.read_text(encoding="utf-8"), tmp_path)
    grids = [q for q in built["items"] if q["type"] == "grid"]
    titles = [g["setTitle"] for g in grids]
    at = titles.index("Innan programmet")
    assert grids[at - 1]["setRows"] == [
        v2.items[i].wording("mentor", "sv") for i in ("iguv1", "iguv2", "iguv3")
    ]
    assert grids[at]["setRows"] == [v2.items[i].wording("mentor", "sv") for i in ("iguv1then", "iguv2then")]
    assert grids[at]["setColumns"][-1] == "Stämde helt"


# --------------------------------------------------------------------------------------------------
# Round trips: export the v2 form, answer it as the platform exports it, ingest unaided
# --------------------------------------------------------------------------------------------------

FILES = [("followup", "mentor", "sv"), ("followup", "adept", "en")]


def _cohort(tmp_path: Path, templates: Templates, platform: str, builder) -> tuple[Path, list[Built]]:
    folder = tmp_path / platform
    forms = tmp_path / "forms"
    names = [builder.file_name(instrument, role) for instrument, role, _ in FILES]
    write_cohort(
        folder, templates, PEOPLE, [SourceSpec(i, r, n) for (i, r, _), n in zip(FILES, names, strict=True)]
    )
    config = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
    assert all(set(s) == {"instrument", "role", "wave", "file"} for s in config["sources"]), "unaided"
    raw = folder / "raw"
    raw.mkdir(exist_ok=True)
    out = []
    for (instrument, role, lang), name in zip(FILES, names, strict=True):
        submissions = _answers(templates, platform, instrument, role)
        assert any(s.answers.get("iguv1then") is not None for s in submissions)
        path = forms / f"{instrument}-{role}-{lang}{builder.suffix}"
        form = export(templates, instrument, builder.fmt, path, role=role, lang=lang)
        builder.write(raw / name, form, templates, instrument, role, lang, submissions)
        out.append(Built(name, instrument, role, submissions))
    return folder, out


class KoboV2(Kobo):
    """KoboToolbox's CSV download of the v2 XLSForm (see `Kobo`): pair groups add to the group path."""

    @staticmethod
    def write(path, form, templates, instrument_id, role, lang, submissions):
        Kobo.write(path, form, templates, instrument_id, role, lang, submissions)
        text = path.read_text(encoding="utf-8")
        header = text.split("\r\n", 1)[0]
        if role == "mentor":  # "Include groups in headers": the pair's own group is in the path
            assert '"understanding/pair_iguv1/iguv1";"understanding/pair_iguv1/iguv1then"' in header
        else:
            assert '"iguv1";"iguv1then"' in header


def test_v2_xlsform_roundtrips_through_a_kobotoolbox_export(v2, tmp_path):
    folder, built = _cohort(tmp_path, v2, "kobo", KoboV2)
    _ingest_and_check(folder, v2, built)


class GoogleV2:
    """Google Forms' CSV download (see tests/test_form_roundtrip.py) of the v2 Apps Script form.

    The then-items follow their current items' grid, so the download's columns are in form order,
    not item order: each column is matched to its item by its statement.
    """

    fmt, suffix = "google-apps-script", ".gs"

    @staticmethod
    def file_name(instrument: str, role: str) -> str:
        return f"Uppföljningsenkät efter programmet ({role}).csv"

    @staticmethod
    def write(path, form, templates, instrument_id, role, lang, submissions):
        sandbox = form.parent / f"node-{form.stem}"
        sandbox.mkdir()
        columns = _headers(_run_script(form.read_text(encoding="utf-8"), sandbox))
        items = list(templates.instrument(instrument_id).items_for(role))
        by_text = {i.wording(role, lang): i for i in items}
        assert len(by_text) == len(items), "every statement names one item"
        assert columns[0][0] == PARTICIPANT_CODE_TEXT[lang]
        asked = columns[1:]
        matched = [(by_text[row if row is not None else q["setTitle"]], q) for _, q, row in asked]
        assert sorted(i.id for i, _ in matched) == sorted(i.id for i in items)
        order = [i.id for i, _ in matched]
        assert order.index("iguv1then") > order.index("iguv3"), "the then-grid follows the current grid"
        assert len({h for h, _, _ in columns}) == len(columns), "every header is unique"

        def cell(item: Item, question: dict, answer: object) -> str:
            if answer is None:
                return ""
            scale = templates.scale_of(item)
            if question["type"] == "scale":
                return str(answer)
            if question["type"] in ("grid", "multiplechoice"):
                label = _label(scale, answer, lang)
                assert label in question.get("setColumns", question.get("setChoiceValues")), item.id
                return label
            if question["type"] == "checkbox":
                picked = {_label(scale, c, lang) for c in answer}
                return ", ".join(v for v in question["setChoiceValues"] if v in picked)
            return str(answer)

        rows = [["Tidstämpel" if lang == "sv" else "Timestamp", *[h for h, _, _ in columns]]]
        for s in submissions:
            row = [_google_timestamp(s.submitted, lang), s.person.participant_id]
            row += [cell(item, q, s.answers.get(item.id)) for item, q in matched]
            rows.append(row)
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")


@needs_node
def test_v2_apps_script_form_roundtrips_through_a_google_forms_download(v2, tmp_path):
    folder, built = _cohort(tmp_path, v2, "google-forms", GoogleV2)
    _ingest_and_check(folder, v2, built)


class LimeSurveyV2:
    """LimeSurvey's response export (codes as headings and values) of the v2 survey structure.

    As tests/test_form_roundtrip.py's LimeSurvey writer, plus the Array dual scale: one column per
    sub-question and scale, ``NT1[iguv1][1]`` and ``NT1[iguv1][2]`` (LimeSurvey's
    ``viewHelper::getFieldCode``: question code, ``[sub-question]``, ``[scale id + 1]``), each
    holding the answer code of its scale.
    """

    fmt, suffix = "limesurvey", ".txt"

    @staticmethod
    def file_name(instrument: str, role: str) -> str:
        return f"results-survey{_seed(instrument, role) % 900000 + 100000}.csv"

    @staticmethod
    def write(path, form, templates, instrument_id, role, lang, submissions):
        rows = [r for r in _limesurvey_rows(form) if r["language"] == lang]
        questions: list[dict] = []
        for r in rows:
            if r["class"] == "Q":
                questions.append(
                    {"code": r["name"], "type": r["type/scale"], "text": r["text"], "sq": [], "a": []}
                )
            elif r["class"] == "SQ":
                questions[-1]["sq"].append(r["name"])
            elif r["class"] == "A":
                questions[-1]["a"].append((int(r["type/scale"] or 0), r["name"], r["text"]))
        pairs = {i.then_of: i.id for i in templates.instrument(instrument_id).items_for(role) if i.then_of}
        columns: list[tuple[str, str | None, int | None, dict]] = []  # header, item, scale, question
        for q in questions:
            if q["type"] == "1":
                for sq in q["sq"]:
                    columns.append((f"{q['code']}[{sq}][1]", sq, 0, q))
                    columns.append((f"{q['code']}[{sq}][2]", pairs[sq], 1, q))
            elif q["type"] == "M":
                columns += [(f"{q['code']}[{sq}]", q["code"], None, q) for sq in q["sq"]]
            else:
                columns.append((q["code"], q["code"], None, q))
        covered = [c[1] for c in columns if c[1] not in (PARTICIPANT_CODE, VERSION_FIELD)]
        items = [i.id for i in templates.instrument(instrument_id).items_for(role)]
        assert list(dict.fromkeys(covered)) == items, "every item has its column(s), in form order"
        header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
        out = [header + [c[0] for c in columns]]
        for n, s in enumerate(submissions, start=1):
            stamp = s.submitted.strftime("%Y-%m-%d %H:%M:%S")
            row = [str(n), stamp, "4", lang, str(1000 + n), s.started.strftime("%Y-%m-%d %H:%M:%S"), stamp]
            for name, item_id, scale_id, q in columns:
                if item_id == PARTICIPANT_CODE:
                    row.append(s.person.participant_id)
                    continue
                if q["type"] == "*":
                    row.append(q["text"])
                    continue
                answer = s.answers.get(item_id)
                scale = templates.scale_of(templates.items[item_id])
                if q["type"] == "M":
                    option = re.search(r"\[(c\d+)\]$", name)[1]  # type: ignore[index]
                    picked = {f"c{c}" for c in answer} if answer is not None else set()
                    row.append("Y" if option in picked else "")
                elif answer is None:
                    row.append("")
                elif q["type"] in ("L", "1"):
                    label = _label(scale, answer, lang)
                    wanted = scale_id or 0
                    (code,) = [c for k, c, t in q["a"] if k == wanted and t == label]
                    row.append(code)
                else:
                    row.append(str(answer))
            out.append(row)
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(out)
        path.write_bytes(b"\xef\xbb\xbf" + (buffer.getvalue() + "\n").encode("utf-8"))


def test_v2_limesurvey_structure_roundtrips_through_a_limesurvey_export(v2, tmp_path):
    folder, built = _cohort(tmp_path, v2, "limesurvey", LimeSurveyV2)
    header = (folder / "raw" / built[0].file).read_text(encoding="utf-8-sig").splitlines()[0]
    assert '"NT1[iguv1][1]","NT1[iguv1][2]","NT1[iguv2][1]","NT1[iguv2][2]"' in header
    _ingest_and_check(folder, v2, built)


def test_generator_shapes_follow_the_v2_forms(v2):
    from evaluation.formats.layout import blocks, layout_for
    from evaluation.formats.limesurvey import LIMESURVEY

    shape = layout_for(v2, "followup", "mentor", "sv")
    found = blocks(shape)
    assert found["iguv1then"].text == "Innan programmet" and found["iguv1then"].grid
    assert found["iguv1then"].number == found["iguv1"].number + 1
    headers = dict(zip(shape.item_ids, LIMESURVEY.item_headers(shape), strict=True))
    assert (headers["iguv3"], headers["iguv3then"]) == ("NT2[iguv3][1]", "NT2[iguv3][2]")
    assert json.dumps(headers)  # plain strings
