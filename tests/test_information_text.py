"""The information text every exported form opens with, and the thank-you it ends with (issue 12, item 6).

A cohort folder made by `new_cohort`, its cohort.yml edited as a coordinator would, fills in the
controller, contact, purpose, legal basis, retention, the minimum group size and what the partner
sees (``pair_feedback``); without ``--cohort`` the forms show placeholders. Each format is read back
the way its platform shows it: the printable page's paragraphs, the XLSForm's first and last notes,
LimeSurvey's first group description and end text, the Google Form's description and confirmation
message, the Qualtrics survey's first and last descriptive texts.
"""

from __future__ import annotations

import csv
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.cohort import load_cohort, new_cohort
from evaluation.errors import CohortError
from evaluation.forms import INFORMED, export
from evaluation.forms.fields import LANGUAGE_NAMES
from evaluation.survey import load_templates
from evaluation.survey.notices import (
    ANNOUNCEMENTS,
    FIELDS,
    MESSAGES,
    PLACEHOLDERS,
    Information,
    information_text,
    without_superseded,
)

from .conftest import SURVEYS, read_yaml, write_yaml

FORMS = ["html", "xlsform", "limesurvey", "google-apps-script", "qsf"]
SUFFIX = {
    "html": ".html",
    "xlsform": ".xlsx",
    "limesurvey": ".txt",
    "google-apps-script": ".gs",
    "qsf": ".qsf",
}
CONFIDENTIAL = re.compile(r"konfidentiell|confidential", re.IGNORECASE)

# What the coordinator writes into cohort.yml: some texts with an English variant, one Swedish only.
TEXTS = {
    "controller": {"sv": "Myndigheten för provning (org.nr 202100-0001)", "en": "The Testing Agency"},
    "contact": {"sv": "Kim Kontakt, kim.kontakt@provning.se", "en": "Kim Contact, kim.kontakt@provning.se"},
    "purpose": {"sv": "Att utvärdera mentorprogrammet 2027", "en": "To evaluate the 2027 mentoring program"},
    "legal_basis": "Uppgift av allmänt intresse, artikel 6.1 e dataskyddsförordningen",
    "retention": {"sv": "Svaren gallras i december 2030", "en": "The answers are deleted in December 2030"},
}


def _expected(field: str, lang: str) -> str:
    value = TEXTS[field]
    return value if isinstance(value, str) else value[lang]


def _make_cohort(
    folder: Path, *, pair_feedback: str = "individual", min_group_size: int = 7, **extra
) -> Path:
    new_cohort(folder, name="Provkohort 2027", start="2027-01", templates=load_templates(SURVEYS))
    data = read_yaml(folder / "cohort.yml")
    data |= {**TEXTS, "pair_feedback": pair_feedback, "min_group_size": min_group_size, **extra}
    write_yaml(folder / "cohort.yml", data)
    return folder


def _sharing(templates):
    """The templates as if every instrument announced ``partner_feedback: shared``."""
    instruments = {
        k: v.model_copy(update={"partner_feedback": "shared"}) for k, v in templates.instruments.items()
    }
    return templates.model_copy(update={"instruments": instruments})


# --- reading each format back --------------------------------------------------------------------


def _flat(markup: str) -> str:
    """Visible text of an HTML fragment: tags become spaces, entities are decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


class _Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self.text: list[str] = []
        self._open: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title"):
            self._skip += 1
        if tag == "p":
            self._open = []

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1
        if tag == "p" and self._open is not None:
            self.paragraphs.append(re.sub(r"\s+", " ", "".join(self._open)).strip())
            self._open = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._open is not None:
            self._open.append(data)


def _read(fmt: str, path: Path, lang: str) -> tuple[str, str, str]:
    """Return (the form's opening text, its last text element, all its text) as a respondent sees them."""
    if fmt == "html":
        source = path.read_text(encoding="utf-8")
        page, head = _Paragraphs(), _Paragraphs()
        page.feed(source)
        head.feed(source.split("<form>")[0])  # the opening: what comes before the questions
        text = [re.sub(r"\s+", " ", " ".join(p.text)) for p in (head, page)]
        return text[0], page.paragraphs[-1], text[1]
    if fmt == "xlsform":
        rows = list(load_workbook(path, read_only=True)["survey"].iter_rows(values_only=True))
        survey = [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]
        label = f"label::{LANGUAGE_NAMES[lang]}"
        assert survey[0]["type"] == "note" and survey[-1]["type"] == "note", "first and last rows are notes"
        every = " ".join(
            str(r[c]) for r in survey for c in r if c and c.startswith(("label", "hint")) and r[c]
        )
        return survey[0][label], survey[-1][label], every
    if fmt == "limesurvey":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        own = [r for r in rows if r["language"] == lang]
        first_group = next(r for r in own if r["class"] == "G")
        (end,) = [r for r in own if r["class"] == "SL" and r["name"] == "surveyls_endtext"]
        every = " ".join(_flat(r["text"] + " " + r["help"]) for r in rows if r["class"] != "S")
        return _flat(first_group["text"]), _flat(end["text"]), every
    if fmt == "google-apps-script":
        source = path.read_text(encoding="utf-8")
        literal = r'("(?:[^"\\\n]|\\.)*")'
        (description,) = re.findall(rf"form\.setDescription\({literal}\);", source)
        (confirmation,) = re.findall(rf"form\.setConfirmationMessage\({literal}\);", source)
        every = " ".join(json.loads(m) for m in re.findall(literal, source))
        return json.loads(description), json.loads(confirmation), every
    document = json.loads(path.read_text(encoding="utf-8"))
    elements = document["SurveyElements"]
    questions = {e["PrimaryAttribute"]: e["Payload"] for e in elements if e["Element"] == "SQ"}
    (blocks,) = [e["Payload"] for e in elements if e["Element"] == "BL"]
    (flow,) = [e["Payload"] for e in elements if e["Element"] == "FL"]
    by_id = {b["ID"]: b for b in blocks}
    shown = [by_id[f["ID"]] for f in flow["Flow"] if f.get("ID") in by_id]
    first = questions[shown[0]["BlockElements"][0]["QuestionID"]]
    last = questions[shown[-1]["BlockElements"][-1]["QuestionID"]]
    assert first["QuestionType"] == "DB" and last["QuestionType"] == "DB", "descriptive texts"
    every = " ".join(_flat(q["QuestionText"]) for q in questions.values())
    return _flat(first["QuestionText"]), _flat(last["QuestionText"]), every


def _export(templates, fmt, folder, *, instrument="baseline", role="mentor", lang="sv", information=None):
    path = folder / f"{instrument}-{role}-{lang}{SUFFIX[fmt]}"
    return export(templates, instrument, fmt, path, role=role, lang=lang, information=information)


# --- with a cohort ----------------------------------------------------------------------------


def test_every_informed_format_is_tested():
    assert set(FORMS) == set(INFORMED)


@pytest.mark.parametrize("pair_feedback", ["individual", "shared", "off"])
@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("fmt", FORMS)
def test_forms_open_with_the_cohorts_information(templates, tmp_path, fmt, lang, pair_feedback):
    information = load_cohort(_make_cohort(tmp_path / "2027", pair_feedback=pair_feedback)).information
    sharing = _sharing(templates) if pair_feedback == "shared" else templates
    path = _export(sharing, fmt, tmp_path, lang=lang, information=information)
    opening, last, every = _read(fmt, path, lang)

    for field in TEXTS:
        assert _expected(field, lang) in opening, field
    assert "Uppgift av allmänt intresse" in opening, "a Swedish-only text is shown in English forms too"
    for placeholder in PLACEHOLDERS[lang].values():
        assert placeholder not in every
    assert ("minst 7 personer" if lang == "sv" else "at least 7 people") in opening
    assert "minst 5" not in every and "at least 5" not in every
    # Exactly what the partner sees, and nothing said about the other settings.
    assert ANNOUNCEMENTS[lang][pair_feedback] in opening
    for other in set(ANNOUNCEMENTS[lang]) - {pair_feedback}:
        assert ANNOUNCEMENTS[lang][other] not in every, other
    # Voluntary, what is collected, rights with IMY; before the instrument's own introduction.
    for key in ("voluntary", "collected", "rights"):
        assert MESSAGES[lang][key] in opening, key
    assert "Integritetsskyddsmyndigheten" in opening
    welcome = templates.instrument("baseline").intro[lang].split("!")[0]
    assert opening.index(MESSAGES[lang]["voluntary"]) < opening.index(welcome)
    # No promise of confidentiality the cohort did not make, anywhere in the form.
    assert not CONFIDENTIAL.search(every)
    # The thank-you is the last thing the form says.
    assert last.startswith(MESSAGES[lang]["thanks"])


@pytest.mark.parametrize("fmt", FORMS)
def test_forms_without_a_cohort_show_placeholders(templates, tmp_path, fmt):
    for lang in ("sv", "en"):
        path = _export(templates, fmt, tmp_path, role="adept", lang=lang)
        opening, last, every = _read(fmt, path, lang)
        for placeholder in PLACEHOLDERS[lang].values():
            assert placeholder in opening
        assert ("minst 5 personer" if lang == "sv" else "at least 5 people") in opening
        assert ANNOUNCEMENTS[lang]["individual"] in opening, "the instrument's own partner_feedback"
        assert not CONFIDENTIAL.search(every)
        assert last.startswith(MESSAGES[lang]["thanks"])
    assert PLACEHOLDERS["sv"]["controller"] == "[personuppgiftsansvarig]"
    assert PLACEHOLDERS["en"]["controller"] == "[data controller]"


@pytest.mark.parametrize("instrument", ["baseline", "followup", "inspiration", "meeting_log"])
def test_every_instrument_and_role_closes_with_thanks(templates, tmp_path, instrument):
    information = load_cohort(_make_cohort(tmp_path / "c")).information
    for role in templates.instrument(instrument).roles:
        for fmt in FORMS:
            lang = "en" if fmt in ("xlsform", "qsf") else "sv"
            path = _export(
                templates, fmt, tmp_path, instrument=instrument, role=role, lang=lang, information=information
            )
            opening, last, every = _read(fmt, path, lang)
            assert _expected("controller", lang) in opening
            assert ("minst 7 personer" if lang == "sv" else "at least 7 people") in opening
            assert not CONFIDENTIAL.search(every), (instrument, role, fmt)
            assert last.startswith(MESSAGES[lang]["thanks"]), (instrument, role, fmt)


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("role", ["mentor", "adept"])
@pytest.mark.parametrize("instrument", ["baseline", "followup", "inspiration", "meeting_log"])
def test_pyxform_converts_every_xlsform_with_the_information(templates, tmp_path, instrument, role, lang):
    if role not in templates.instrument(instrument).roles:
        pytest.skip(f"{role} does not answer {instrument}")
    information = load_cohort(_make_cohort(tmp_path / "c", pair_feedback="off")).information
    path = _export(
        templates, "xlsform", tmp_path, instrument=instrument, role=role, lang=lang, information=information
    )
    result = convert(xlsform=str(path), validate=False, pretty_print=False)
    assert "<h:html" in result.xform
    assert _expected("purpose", "sv") in result.xform and _expected("purpose", "en") in result.xform
    assert MESSAGES["sv"]["thanks"] in result.xform and MESSAGES["en"]["thanks"] in result.xform


def test_both_languages_of_a_platform_form_are_filled_in(templates, tmp_path):
    """XLSForm and LimeSurvey carry both languages: each reads the cohort's text in its own."""
    information = load_cohort(_make_cohort(tmp_path / "c")).information
    xlsform = _export(templates, "xlsform", tmp_path, lang="sv", information=information)
    limesurvey = _export(templates, "limesurvey", tmp_path, lang="sv", information=information)
    for lang in ("sv", "en"):
        for path, fmt in ((xlsform, "xlsform"), (limesurvey, "limesurvey")):
            opening, last, _ = _read(fmt, path, lang)
            assert _expected("retention", lang) in opening and last.startswith(MESSAGES[lang]["thanks"])


def test_confidentiality_is_said_only_when_the_cohort_says_it(templates, tmp_path):
    secrecy = "Svaren skyddas av statistiksekretess och behandlas konfidentiellt"
    folder = _make_cohort(tmp_path / "c", legal_basis=secrecy)
    path = _export(templates, "html", tmp_path, information=load_cohort(folder).information)
    opening, _, _ = _read("html", path, "sv")
    assert secrecy in opening and CONFIDENTIAL.search(opening)
    for lang in ("sv", "en"):
        paragraphs = information_text(Information(min_group_size=5, pair_feedback="shared"), lang)
        assert not CONFIDENTIAL.search(" ".join(paragraphs))


def test_v1_introductions_lose_only_their_superseded_sentences(templates):
    for instrument_id in templates.instruments:
        instrument = templates.instrument(instrument_id, "1.0.0")
        for lang in ("sv", "en"):
            intro = instrument.intro[lang]
            kept = without_superseded(intro)
            assert CONFIDENTIAL.search(intro) and not CONFIDENTIAL.search(kept), instrument.id
            assert not re.search(r"minst fem|at least five|återkoppling|feedback", kept), instrument.id
            assert kept and intro.startswith(kept.split(". ")[0]), "the first sentence stays"
            assert set(kept.split()) <= set(intro.split()), "nothing added"


def test_v2_introductions_promise_no_confidentiality_and_address_no_other_role(templates):
    # Issue 12, findings 7 and 8: what respondents are promised comes from cohort.yml only, and a
    # role's form never speaks to the other role.
    for instrument_id in ("baseline", "followup"):
        instrument = templates.instrument(instrument_id, "2.0.0")
        for lang in ("sv", "en"):
            assert not CONFIDENTIAL.search(instrument.intro[lang]), instrument_id
            for role in instrument.roles:
                for section in instrument.sections:
                    seen = section.for_role(role)
                    text = f"{seen.title[lang]} {seen.intro[lang] if seen.intro else ''}"
                    assert not CONFIDENTIAL.search(text)
                    assert not re.search(r"Är du (mentor|adept)|If you are a|mentor eller adept", text), text


def test_shared_is_refused_unless_the_instrument_announces_it(templates, tmp_path):
    information = Information(min_group_size=5, pair_feedback="shared")
    for fmt in FORMS:
        with pytest.raises(ValueError, match="pair_feedback: shared"):
            _export(templates, fmt, tmp_path, information=information)
        assert not list(tmp_path.glob(f"*{SUFFIX[fmt]}")), "nothing is written"


# --- cohort.yml -------------------------------------------------------------------------------


def test_cohort_texts_are_a_string_or_sv_and_en(tmp_path):
    config = load_cohort(_make_cohort(tmp_path / "c"))
    assert config.legal_basis is not None and config.legal_basis.en is None
    assert config.information.text("legal_basis", "en") == TEXTS["legal_basis"]
    assert config.information.text("controller", "en") == "The Testing Agency"
    assert config.information.min_group_size == 7 and config.information.missing() == []

    bare = tmp_path / "bare"
    new_cohort(bare, name="B", start="2027-01", templates=load_templates(SURVEYS))
    header = (bare / "cohort.yml").read_text(encoding="utf-8")
    for field in TEXTS:
        assert f"# {field}:" in header, f"the header shows how to write {field}"
    plain = load_cohort(bare)
    assert plain.controller is None and plain.information.missing() == list(FIELDS)
    assert plain.information.text("contact", "sv") == "[kontaktperson]"
    assert plain.information.pair_feedback == "individual" and plain.information.min_group_size == 5

    for bad in ({"sv": "x", "fr": "y"}, {"en": "only English"}, ""):
        data = read_yaml(bare / "cohort.yml")
        write_yaml(bare / "cohort.yml", data | {"controller": bad})
        with pytest.raises(CohortError, match="controller"):
            load_cohort(bare)


# --- the command line -------------------------------------------------------------------------


def test_cli_export_with_and_without_cohort(tmp_path):
    folder = _make_cohort(tmp_path / "2027", pair_feedback="off", min_group_size=6)
    with_cohort, without = tmp_path / "with.html", tmp_path / "without.html"
    runner = CliRunner()
    common = ["survey", "export", "followup", "--role", "adept", "--format", "html", "--lang", "en"]
    result = runner.invoke(app, [*common, "-o", str(with_cohort), "--cohort", str(folder)])
    assert result.exit_code == 0, result.output
    opening, last, _ = _read("html", with_cohort, "en")
    assert _expected("contact", "en") in opening and "at least 6 people" in opening
    assert ANNOUNCEMENTS["en"]["off"] in opening and last == MESSAGES["en"]["thanks"]
    assert "placeholders" not in result.output

    result = runner.invoke(app, [*common, "-o", str(without)])
    assert result.exit_code == 0, result.output
    opening, _, _ = _read("html", without, "en")
    assert "[data controller]" in opening and "[retention period]" in opening
    assert "placeholders" in result.output

    shared = _make_cohort(tmp_path / "shared", pair_feedback="shared")
    result = runner.invoke(app, [*common, "-o", str(tmp_path / "s.html"), "--cohort", str(shared)])
    assert result.exit_code == 2 and "pair_feedback: shared" in result.output
    assert not (tmp_path / "s.html").exists()

    result = runner.invoke(app, [*common, "-o", str(tmp_path / "m.html"), "--cohort", str(tmp_path / "none")])
    assert result.exit_code != 0 and not (tmp_path / "m.html").exists()


def test_cli_export_all_with_cohort(tmp_path):
    folder = _make_cohort(tmp_path / "2027")
    out = tmp_path / "forms"
    result = CliRunner().invoke(app, ["survey", "export-all", str(out), "--cohort", str(folder)])
    assert result.exit_code == 0, result.output
    checked = 0
    for fmt in FORMS:
        for path in sorted((out / fmt).iterdir()):
            lang = path.stem.rsplit("-", 1)[1]
            opening, last, every = _read(fmt, path, lang)
            assert _expected("controller", lang) in opening, path.name
            assert not CONFIDENTIAL.search(every), path.name
            assert last.startswith(MESSAGES[lang]["thanks"]), path.name
            checked += 1
    assert checked == 5 * 2 * sum(len(i.roles) for i in load_templates(SURVEYS).instruments.values())
