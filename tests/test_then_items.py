"""Issue 12, finding 1 and "What to build" item 2: retrospective ("then") items with their own wording.

Version 2.0.0 of the follow-up (surveys/instruments/followup.yml, released beside 1.0.0) asks each key
item and then, directly after it in the same section, its retrospective item in the past tense
(``then_text`` / ``then_role_text``, ``then_scale: stammerthen5`` in surveys/items.yml): ugen1..4
(both roles), tconf1..4 (mentees) and uorg1..4 (mentors). The tests check that the then-item reads in
the past tense; that every form shows the pair together (XLSForm group "Nu / Innan programmet" that
pyxform converts, one printable table, a LimeSurvey dual-scale array, a grid "Innan programmet" right
after the current grid in the Google Form and the Qualtrics file); that the checks refuse, in a copy of
surveys/, a reverse-keyed then-item, a then-item away from its current item, a then_scale unlike its
scale and a version 1 then-item in version 2; that the released hashes do not move; and that exports
of the v2 forms, answered as each platform exports them, ingest unaided with every value as answered.
"""

from __future__ import annotations

import csv
import json
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
    Item,
    Templates,
    Text,
    check_templates,
    content_hash,
    load_templates,
    pinned,
    release,
)
from evaluation.survey.checks import cross_check
from evaluation.survey.questions import segments

from .conftest import SURVEYS, read_yaml, write_yaml
from .realshapes import SourceSpec, write_cohort
from .test_form_roundtrip import (
    KEY,
    PEOPLE,
    Built,
    GoogleForms,
    Kobo,
    LimeSurvey,
    _answers,
    _ingest_and_check,
)
from .test_forms_platforms import _run_script, needs_node

PAIRS = {
    "mentor": {f"{stem}{n}": f"{stem}{n}then" for stem in ("ugen", "uorg") for n in range(1, 5)},
    "adept": {f"{stem}{n}": f"{stem}{n}then" for stem in ("ugen", "tconf") for n in range(1, 5)},
}
"""Each role's current items (surveys/items.yml) and their then-items in follow-up 2.0.0."""

ROLE_SECTION = {"mentor": "organisation", "adept": "technology_confidence"}
"""The section of pairs only one role answers: uorg (mentors), tconf (mentees)."""


@pytest.fixture(scope="module")
def v2(templates) -> Templates:
    """The real templates, whose current follow-up is the released version 2.0.0 (read-only)."""
    assert templates.instrument("followup").version == "2.0.0"
    return templates


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    """A real cohort: the pseudonym key comes from the environment, never from a key file."""
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY_FILE", raising=False)


def _with(instrument, *items: Item):
    """Return `instrument` with `items` in place of the items with their ids (no other change)."""
    new = {i.id: i for i in items}
    sections = tuple(
        s.model_copy(update={"items": tuple(new.get(i.id, i) for i in s.items)}) for s in instrument.sections
    )
    return instrument.model_copy(update={"sections": sections})


def _one_list(templates: Templates, *then_ids: str) -> Templates:
    """Return `templates` whose follow-up asks the then-items `then_ids` on their current item's scale.

    As the templates load a then-item whose current item gives ``then_text`` but no ``then_scale``
    (`test_a_then_item_without_then_scale_keeps_the_current_scale`); the real version 2 gives every
    then-item the "Stämde ..." scale.
    """
    followup = templates.instrument("followup")
    items = [followup.item(i) for i in then_ids]
    changed = [i.model_copy(update={"scale": followup.item(i.then_of).scale}) for i in items]
    instruments = {**templates.instruments, "followup": _with(followup, *changed)}
    return templates.model_copy(update={"instruments": instruments})


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


def _section(spec: dict, section_id: str) -> dict:
    return next(s for s in spec["sections"] if s["id"] == section_id)


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


def test_v2_release_keeps_v1_and_records_v2(v2, surveys_copy):
    for instrument_id in ("baseline", "followup"):
        assert v2.versions(instrument_id) == ["1.0.0", "2.0.0"]
        current, kept = v2.instrument(instrument_id), v2.archive[instrument_id]["2.0.0"]
        assert current.version == "2.0.0"
        assert v2.released[instrument_id]["2.0.0"] == content_hash(v2, current) == content_hash(v2, kept)
        assert v2.released[instrument_id]["1.0.0"] != v2.released[instrument_id]["2.0.0"]
        assert not v2.instrument(instrument_id, "1.0.0").uses_then_text
    assert v2.instrument("followup").uses_then_text and not v2.instrument("baseline").uses_then_text
    # Releasing version 2 again changes nothing: its recorded hash is its content's.
    before = read_yaml(surveys_copy / "versions.yml")
    assert release(load_templates(surveys_copy), "followup") == ("2.0.0", before["followup"]["2.0.0"])
    assert read_yaml(surveys_copy / "versions.yml") == before
    assert check_templates(surveys_copy) == []


def test_then_wording_is_hashed_where_respondents_read_it(v2):
    followup, baseline = v2.instrument("followup"), v2.instrument("baseline")
    other = Text(sv="Innan programmet visste jag inte det.", en="Before the program, I did not know.")
    digest = content_hash(v2, followup)
    then = followup.item("ugen2then")
    # The retrospective item's own text and scale are content of the instruments that ask it ...
    changed_text = then.model_copy(update={"text": other, "role_text": {}})
    assert content_hash(v2, _with(followup, changed_text)) != digest
    assert content_hash(v2, _with(followup, then.model_copy(update={"scale": "stammer5"}))) != digest
    # ... the fields on the current item are not, so the baseline, which asks only the current item,
    # keeps its hash when they change.
    assert "ugen2" in {i.id for i in baseline.items} and "ugen2then" not in {i.id for i in baseline.items}
    edited = baseline.item("ugen2").model_copy(
        update={"then_text": other, "then_role_text": {}, "then_scale": "agree5"}
    )
    assert content_hash(v2, _with(baseline, edited)) == content_hash(v2, baseline)
    assert content_hash(v2, baseline) == v2.released["baseline"]["2.0.0"]


def test_then_item_reads_in_the_past_tense(v2):
    followup = v2.instrument("followup")
    assert followup.version == "2.0.0" and followup.uses_then_text
    then = followup.item("ugen1then")
    assert then.then_of == "ugen1" and then.scale == "stammerthen5"
    assert then.wording("mentor", "sv") == (
        "Innan programmet förstod jag vad seniora medarbetare tycker är viktigt i arbetslivet."
    )
    assert then.wording("adept", "en") == (
        "Before the program, I understood what young employees consider important in working life."
    )
    assert v2.items["tconf2then"].wording("adept", "sv") == (
        "Innan programmet kunde jag sätta mig in i nya digitala verktyg på egen hand."
    )
    assert v2.items["uorg1then"].wording("mentor", "en") == (
        "Before the program, I understood how decisions are made at my agency."
    )
    assert v2.items["tconf1then"].roles == ("adept",) and v2.items["uorg1then"].roles == ("mentor",)
    assert v2.scale_of(then).label(5, "sv") == "Stämde helt"
    assert v2.scale_of(followup.item("ugen1")).label(5, "sv") == "Stämmer helt"
    worded = {i.id for i in followup.worded_then_items()}
    assert worded == set(PAIRS["mentor"].values()) | set(PAIRS["adept"].values())
    for role, pairs in PAIRS.items():
        asked = [i.id for i in followup.items_for(role)]
        assert {i for i in asked if i in worded} == set(pairs.values()), role
        for current, then_id in pairs.items():
            assert asked.index(then_id) == asked.index(current) + 1, "each then-item follows its item"
    # Version 1's then-items still repeat their item word for word.
    assert v2.items["igu1then"].wording("mentor", "sv") == v2.items["igu1"].wording("mentor", "sv")
    assert not v2.instrument("followup", "1.0.0").uses_then_text


def test_a_then_item_without_then_scale_keeps_the_current_scale(surveys_copy):
    _append(
        surveys_copy / "items.yml",
        """
  - id: extra1
    scale: stammer5
    text:
      sv: Jag förstår hur mina kollegor arbetar.
      en: I understand how my colleagues work.
    then_text:
      sv: Innan programmet förstod jag hur mina kollegor arbetar.
      en: Before the program, I understood how my colleagues worked.

  - id: extra1then
    then_of: extra1
""",
    )
    templates = load_templates(surveys_copy)
    then = templates.items["extra1then"]
    assert then.scale == "stammer5", "without then_scale the current scale is kept"
    assert then.wording("adept", "sv") == "Innan programmet förstod jag hur mina kollegor arbetar."
    assert templates.items["ugen1then"].scale == "stammerthen5"


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
    _append(
        surveys_copy / "items.yml",
        """
  - id: ugen5
    construct: intergen_understanding
    scale: stammer5
    then_scale: stammerthen5
    reverse: true
    text:
      sv: Jag har svårt att förstå den andra gruppen.
      en: I find the other group hard to understand.
    then_text:
      sv: Innan programmet hade jag svårt att förstå den andra gruppen.
      en: Before the program, I found the other group hard to understand.

  - id: ugen5then
    then_of: ugen5
""",
    )
    listed = "items: [igu1, igu2, igu3, igu4, igu5, ugen1, ugen2, ugen3, ugen4]\n      reverse: [igu4]"
    constructs = (surveys_copy / "constructs.yml").read_text(encoding="utf-8")
    assert constructs.count(listed) == 1
    added = listed.replace("ugen4]", "ugen4, ugen5]").replace("[igu4]", "[igu4, ugen5]")
    constructs = constructs.replace(listed, added)
    (surveys_copy / "constructs.yml").write_text(constructs, encoding="utf-8")
    understanding = next(
        c
        for c in read_yaml(surveys_copy / "constructs.yml")["constructs"]
        if c["id"] == "intergen_understanding"
    )
    assert understanding["scoring"]["reverse"] == ["igu4", "ugen5"]
    path = surveys_copy / "instruments" / "followup.yml"
    spec = read_yaml(path)
    _section(spec, "generations")["items"] += ["ugen5", "ugen5then"]
    write_yaml(path, spec)
    problems = _problems(surveys_copy, "ugen5then")
    assert len(problems) == 1 and "no reverse-keyed then-item" in problems[0], problems
    assert _problems(surveys_copy, "ugen5") == []


def test_checks_refuse_a_version_1_then_item_in_a_v2_instrument(surveys_copy):
    path = surveys_copy / "instruments" / "followup.yml"
    spec = read_yaml(path)
    _section(spec, "generations")["items"] += ["igu4", "igu4then"]  # right after it, but v1's
    write_yaml(path, spec)
    problems = _problems(surveys_copy, "igu4then")
    assert any("no reverse-keyed then-item" in p for p in problems), problems
    assert any("needs its own past-tense wording" in p for p in problems), problems
    assert not any("directly after" in p for p in problems), problems


@pytest.mark.parametrize("where", ["other section", "same section"])
def test_checks_refuse_a_then_item_away_from_its_current_item(surveys_copy, where):
    path = surveys_copy / "instruments" / "followup.yml"
    spec = read_yaml(path)
    _section(spec, "generations")["items"].remove("ugen2then")
    if where == "other section":
        _section(spec, "meta_stereotypes")["items"].append("ugen2then")
    else:
        _section(spec, "generations")["items"].append("ugen2then")  # after ugen4then
    write_yaml(path, spec)
    problems = _problems(surveys_copy, "ugen2then")
    assert len(problems) == 1 and "directly after its current item 'ugen2'" in problems[0], problems


def test_checks_refuse_a_then_scale_unlike_its_scale(surveys_copy):
    items = (surveys_copy / "items.yml").read_text(encoding="utf-8")
    pair = "  - id: ugen1\n    construct: intergen_understanding\n    scale: stammer5\n"
    pair += "    then_scale: stammerthen5\n"
    assert items.count(pair) == 1
    (surveys_copy / "items.yml").write_text(
        items.replace(pair, pair.replace("then_scale: stammerthen5", "then_scale: recommend11v2")),
        encoding="utf-8",
    )
    problems = _problems(surveys_copy, "ugen1")
    assert len(problems) == 1 and "must have the type and codes of the scale 'stammer5'" in problems[0], (
        problems
    )


def test_version_1_instruments_stay_valid(templates):
    v1 = pinned(templates, {"baseline": "1.0.0", "followup": "1.0.0"})
    followup = v1.instrument("followup")
    assert followup.version == "1.0.0" and not followup.uses_then_text
    # Version 1's then-items repeat their item in a section of their own, one of a reverse-keyed item:
    # the rules for then-items with their own wording would refuse both, and do not apply to it.
    looking_back = next(s for s in followup.sections if s.id == "looking_back")
    assert "igu4then" in {i.id for i in looking_back.items} and followup.item("igu4").reverse
    assert cross_check(v1) == []
    assert check_templates(SURVEYS) == []


# --------------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------------


def _survey_rows(path: Path) -> list[dict]:
    rows = list(openpyxl.load_workbook(path, read_only=True)["survey"].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def _pair_groups(templates: Templates, path: Path, role: str, lang: str) -> dict[str, str]:
    """Check each of `role`'s pairs is one group of two questions; return its appearance by current item."""
    rows = _survey_rows(path)
    names = [r["name"] for r in rows]
    appearances = {}
    for current, then in PAIRS[role].items():
        start = names.index(f"pair_{current}")
        group, first, second, end = rows[start : start + 4]
        assert group["type"] == "begin_group" and end["type"] == "end_group"
        assert group["label::Svenska (sv)"] == "Nu / Innan programmet"
        assert group["label::English (en)"] == "Now / Before the program"
        assert (first["name"], second["name"]) == (current, then)
        assert first[f"label::{LANGUAGE_NAMES[lang]}"] == templates.items[current].wording(role, lang)
        assert second[f"label::{LANGUAGE_NAMES[lang]}"] == templates.items[then].wording(role, lang)
        then_scale = templates.instrument("followup").item(then).scale
        assert (first["type"], second["type"]) == ("select_one stammer5", f"select_one {then_scale}")
        appearances[current] = group["appearance"]
    groups = [
        r["name"]
        for r in rows
        if r["type"] == "begin_group" and r["label::English (en)"] == "Now / Before the program"
    ]
    assert groups == [f"pair_{current}" for current in PAIRS[role]], "one group per pair, in form order"
    return appearances


@pytest.mark.parametrize("role", ["mentor", "adept"])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_xlsform_puts_each_pair_in_one_group_and_pyxform_converts_it(v2, tmp_path, role, lang):
    path = export(v2, "followup", "xlsform", tmp_path / "f.xlsx", role=role, lang=lang)
    xform = convert(xlsform=str(path), validate=False, pretty_print=False).xform
    # "Stämmer ..." now, "Stämde ..." before: two lists, so one screen with a list each.
    assert set(_pair_groups(v2, path, role, lang).values()) == {"field-list"}
    assert 'appearance="field-list"' in xform
    choices = list(openpyxl.load_workbook(path, read_only=True)["choices"].iter_rows(values_only=True))
    assert {r[0] for r in choices[1:]} >= {"stammer5", "stammerthen5"}


def test_xlsform_shows_a_pair_on_one_list_as_a_table(v2, tmp_path):
    one_list = _one_list(v2, "ugen3then", "ugen4then")
    path = export(one_list, "followup", "xlsform", tmp_path / "f.xlsx", role="mentor", lang="sv")
    xform = convert(xlsform=str(path), validate=False, pretty_print=False).xform
    appearances = _pair_groups(one_list, path, "mentor", "sv")
    assert appearances["ugen1"] == appearances["ugen2"] == "field-list"
    assert appearances["ugen3"] == appearances["ugen4"] == "table-list"
    # Both appearances reach the XForm (table-list becomes field-list there, with its label row).
    assert 'appearance="field-list"' in xform
    assert "reserved_name_for_field_list_labels_" in xform
    assert "list-nolabel" in xform


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
    # One table per run of pairs: ugen1-4 (generations) and tconf1-4 (technology_confidence).
    assert len(parser.tables) == 2, parser.tables
    first, second = parser.tables
    then_title = {"sv": "Innan programmet", "en": "Before the program"}[lang]
    now_title = {"sv": "Nu", "en": "Now"}[lang]
    top = {"sv": ("Stämmer helt", "Stämde helt"), "en": ("Completely true", "Was completely true")}[lang]
    for table in (first, second):
        assert table["headers"][:2] == [now_title, then_title]
        assert set(top) <= set(table["headers"])
    assert {n for n, _, _ in first["radios"]} == {
        x for n in range(1, 5) for x in (f"ugen{n}", f"ugen{n}then")
    }
    assert {n for n, _, _ in second["radios"]} == {
        x for n in range(1, 5) for x in (f"tconf{n}", f"tconf{n}then")
    }
    for name, value, labelled_by in first["radios"] + second["radios"]:
        parts = [parser.ids[i] for i in labelled_by.split()]
        item = v2.items[name]
        assert parts[0] == item.wording("adept", lang), "a radio is named by its item's own statement"
        assert parts[-1] == v2.scale_of(item).label(int(value), lang)
        if item.then_of:
            assert parts[0].startswith(then_title)
        else:
            assert now_title in parts
    assert html.count('type="radio" name="ugen1then"') == 5


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium is not installed")
def test_printable_pair_tables_pass_axe(v2, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from evaluation.report.pdf import CHROMIUM_ARGS

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
        assert all(a["text"] == f"{now} / {then}" for a in arrays)
        for array, stem in zip(arrays, ("ugen", "uorg"), strict=True):
            start = mine.index(array) + 1
            stop = next(n for n in range(start, len(mine)) if mine[n]["class"] in ("Q", "G"))
            block = mine[start:stop]
            subquestions = [r for r in block if r["class"] == "SQ"]
            assert [(r["name"], r["type/scale"]) for r in subquestions] == [
                (f"{stem}{n}", "0") for n in range(1, 5)
            ]
            assert [r["text"] for r in subquestions] == [
                v2.items[f"{stem}{n}"].wording("mentor", lang) for n in range(1, 5)
            ]
            answers = [(r["type/scale"], r["name"], r["text"]) for r in block if r["class"] == "A"]
            assert [a for a in answers if a[0] == "0"] == [
                ("0", str(c.code), c.label[lang]) for c in v2.scales["stammer5"].choices
            ]
            assert [a for a in answers if a[0] == "1"] == [
                ("1", str(c.code), c.label[lang]) for c in v2.scales["stammerthen5"].choices
            ]
        codes = {r["name"] for r in mine if r["class"] == "Q"}
        assert not (set(PAIRS["mentor"]) | set(PAIRS["mentor"].values())) & codes


def _shape(sections, section_id: str) -> list[tuple]:
    questions = next(q for p, q in sections if p.section.id == section_id)
    return [(q.kind, [i.id for i, _ in q.items], q.title, q.then) for q in questions]


@pytest.mark.parametrize("role", ["mentor", "adept"])
def test_platform_grids_put_the_then_items_right_after_their_current_items(v2, role):
    followup = v2.instrument("followup")
    for section_id in ("generations", ROLE_SECTION[role]):
        stem = {"generations": "ugen", "organisation": "uorg", "technology_confidence": "tconf"}[section_id]
        intro = next(s for s in followup.sections if s.id == section_id).intro_for(role)
        assert intro is not None
        assert _shape(layout(v2, "followup", role, "sv"), section_id) == [
            ("grid", [f"{stem}{n}" for n in range(1, 5)], intro["sv"], False),
            ("grid", [f"{stem}{n}then" for n in range(1, 5)], "Innan programmet", True),
        ]
    # A then-item on another scale than its neighbours' is a question of its own, after their grid.
    split = layout(_one_list(v2, "ugen4then"), "followup", role, "sv")
    assert _shape(split, "generations")[1:] == [
        ("grid", ["ugen1then", "ugen2then", "ugen3then"], "Innan programmet", True),
        ("choice", ["ugen4then"], "", True),
    ]
    part = next(p for p, _ in split if p.section.id == "generations")
    assert [s.pairs and [p.then.id for p in s.pairs] for s in segments(part.items)] == [
        ["ugen1then", "ugen2then", "ugen3then"],
        ["ugen4then"],
    ]
    # Every Google column header names one item.
    for sections in (layout(v2, "followup", role, "sv"), split):
        headers = [
            f"{q.title} [{i.wording(role, 'sv')}]" if q.kind == "grid" else i.wording(role, "sv")
            for _, qs in sections
            for q in qs
            for i, _ in q.items
        ]
        assert len(headers) == len(set(headers)) == len(followup.items_for(role))


def test_qsf_matrix_of_then_items_follows_the_current_matrix(v2):
    document = qsf(v2, "followup", "adept", "sv")
    questions = [e["Payload"] for e in document["SurveyElements"] if e["Element"] == "SQ"]
    tags = [
        list(q["ChoiceDataExportTags"].values()) if q["QuestionType"] == "Matrix" else [q["DataExportTag"]]
        for q in questions
    ]
    for stem in ("ugen", "tconf"):
        at = tags.index([f"{stem}{n}" for n in range(1, 5)])
        assert tags[at + 1] == [f"{stem}{n}then" for n in range(1, 5)]
        then_matrix = questions[at + 1]
        assert then_matrix["QuestionText"] == "Innan programmet"
        assert [a["Display"] for a in then_matrix["Answers"].values()][-1] == "Stämde helt"
        assert [a["Display"] for a in questions[at]["Answers"].values()][-1] == "Stämmer helt"
        assert [c["Display"] for c in then_matrix["Choices"].values()] == [
            v2.items[f"{stem}{n}then"].wording("adept", "sv") for n in range(1, 5)
        ]


@needs_node
def test_apps_script_builds_the_then_grid_after_the_current_grid(v2, tmp_path):
    path = export(v2, "followup", "google-apps-script", tmp_path / "f.gs", role="mentor", lang="sv")
    built = _run_script(path.read_text(encoding="utf-8"), tmp_path)
    items = built["items"]
    then_grids = [
        n for n, q in enumerate(items) if q["type"] == "grid" and q["setTitle"] == "Innan programmet"
    ]
    assert len(then_grids) == 2
    for at, stem in zip(then_grids, ("ugen", "uorg"), strict=True):
        assert items[at - 1]["type"] == "grid"
        assert items[at - 1]["setRows"] == [
            v2.items[f"{stem}{n}"].wording("mentor", "sv") for n in range(1, 5)
        ]
        assert items[at]["setRows"] == [
            v2.items[f"{stem}{n}then"].wording("mentor", "sv") for n in range(1, 5)
        ]
        assert items[at]["setColumns"][-1] == "Stämde helt"
        assert items[at - 1]["setColumns"][-1] == "Stämmer helt"


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
    assert config["instruments"]["followup"]["version"] == "2.0.0"
    raw = folder / "raw"
    raw.mkdir(exist_ok=True)
    out = []
    for (instrument, role, lang), name in zip(FILES, names, strict=True):
        submissions = _answers(templates, platform, instrument, role)
        assert any(s.answers.get("ugen1then") is not None for s in submissions)
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
            assert '"generations/pair_ugen1/ugen1";"generations/pair_ugen1/ugen1then"' in header
        else:
            assert '"ugen1";"ugen1then"' in header


def test_v2_xlsform_roundtrips_through_a_kobotoolbox_export(v2, tmp_path):
    folder, built = _cohort(tmp_path, v2, "kobo", KoboV2)
    _ingest_and_check(folder, v2, built)


class GoogleV2(GoogleForms):
    """Google Forms' CSV download of the v2 Apps Script form (see `GoogleForms`).

    The then-items follow their current items' grid, so the download's columns are in form order,
    not item order: ``Innan programmet [<past-tense statement>]`` after every current statement.
    """

    @staticmethod
    def write(path, form, templates, instrument_id, role, lang, submissions):
        GoogleForms.write(path, form, templates, instrument_id, role, lang, submissions)
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        then_title = {"sv": "Innan programmet", "en": "Before the program"}[lang]
        column = {}
        for item_id in (*PAIRS[role], *PAIRS[role].values()):
            statement = templates.items[item_id].wording(role, lang)
            (column[item_id],) = [n for n, h in enumerate(header) if h.endswith(f"[{statement}]")]
        for current, then in PAIRS[role].items():
            assert header[column[then]].startswith(f"{then_title} ["), header[column[then]]
            grid = [c for c in PAIRS[role] if c.rstrip("1234") == current.rstrip("1234")]
            assert column[then] > max(column[c] for c in grid), f"{then} follows the grid of {grid}"


@needs_node
def test_v2_apps_script_form_roundtrips_through_a_google_forms_download(v2, tmp_path):
    folder, built = _cohort(tmp_path, v2, "google-forms", GoogleV2)
    _ingest_and_check(folder, v2, built, versioned=False)


def test_v2_limesurvey_structure_roundtrips_through_a_limesurvey_export(v2, tmp_path):
    folder, built = _cohort(tmp_path, v2, "limesurvey", LimeSurvey)
    header = (folder / "raw" / built[0].file).read_text(encoding="utf-8-sig").splitlines()[0]
    assert '"NT1[ugen1][1]","NT1[ugen1][2]","NT1[ugen2][1]","NT1[ugen2][2]"' in header
    assert '"NT2[uorg4][1]","NT2[uorg4][2]"' in header
    _ingest_and_check(folder, v2, built)


def test_generator_shapes_follow_the_v2_forms(v2):
    from evaluation.formats.layout import blocks, layout_for
    from evaluation.formats.limesurvey import LIMESURVEY

    shape = layout_for(v2, "followup", "mentor", "sv")
    found = blocks(shape)
    assert found["ugen1then"].text == "Innan programmet" and found["ugen1then"].grid
    assert found["ugen1then"].number == found["ugen1"].number + 1
    assert found["ugen4then"].row == found["ugen4"].row == 4
    headers = dict(zip(shape.item_ids, LIMESURVEY.item_headers(shape), strict=True))
    assert (headers["ugen4"], headers["ugen4then"]) == ("NT1[ugen4][1]", "NT1[ugen4][2]")
    assert (headers["uorg1"], headers["uorg1then"]) == ("NT2[uorg1][1]", "NT2[uorg1][2]")
    assert json.dumps(headers)  # plain strings
