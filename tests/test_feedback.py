"""Feedback pages: one per participant, own scores only, and never a partner's sensitive answer."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from evaluation import report
from evaluation.cohort import CohortConfig
from evaluation.errors import EvaluationError
from evaluation.forms import export
from evaluation.outcomes import perception_accuracy
from evaluation.report.feedback import (
    MESSAGES,
    MIN_PERCEIVED_VALUES,
    check_pair_feedback,
    pair_accuracy,
    write_feedback,
)
from evaluation.survey import content_hash
from evaluation.survey.notices import ANNOUNCEMENTS, announcement
from evaluation.synth import as_if_announced_shared

REQUIRED_SENSITIVE = {"intention_to_stay", "employer_self", "recommend_workplace", "relationship_quality"}


# --- helpers ------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """The parts of a feedback page the tests read: lang, visible text and every table."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.text: list[str] = []
        self.tables: dict[str, dict] = {}
        self._skip = 0
        self._table: dict | None = None
        self._row: list | None = None
        self._cell: dict | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "table":
            self._table = {"caption": "", "header": [], "rows": [], "scopes": []}
            self.tables[attrs.get("id", f"table{len(self.tables)}")] = self._table
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = {"tag": tag, "scope": attrs.get("scope"), "text": ""}

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if all(c["tag"] == "th" and c["scope"] == "col" for c in self._row):
                self._table["header"] = [c["text"].strip() for c in self._row]
            else:
                self._table["rows"].append([c["text"].strip() for c in self._row])
            self._table["scopes"] += [(c["tag"], c["scope"]) for c in self._row]
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._in_caption and self._table is not None:
            self._table["caption"] += data
        if self._cell is not None:
            self._cell["text"] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _fmt(value: float, lang: str = "sv") -> str:
    """Independent formatting: one decimal, decimal comma in Swedish, a dash for missing."""
    if pd.isna(value):
        return "–"
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "sv" else text


def _with_config(data: report.CohortData, **update) -> report.CohortData:
    return dataclasses.replace(data, config=data.config.model_copy(update=update))


def _scores(data: report.CohortData) -> pd.DataFrame:
    """The scores a feedback page may show: both waves, not the constructs reported for the cohort only."""
    s = data.scores
    cohort_only = {c.id for c in data.templates.constructs.values() if c.cohort_only}
    assert cohort_only == {"meta_stereotypes"} and (s["construct"] == "meta_stereotypes").any()
    return s[s["wave"].isin(["pre", "post"]) & s["score"].notna() & ~s["construct"].isin(cohort_only)]


def _name(data, construct: str, lang: str = "sv") -> str:
    return data.templates.constructs[construct].name[lang]


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data(cohorts) -> report.CohortData:
    _, (first, _) = cohorts
    return report.load(first)


@pytest.fixture(scope="module")
def individual(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("feedback-individual")
    return write_feedback(data, out)


@pytest.fixture(scope="module")
def shared(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("feedback-shared")
    cohort = as_if_announced_shared(data)
    return cohort, write_feedback(cohort, out)


# --- templates and settings ---------------------------------------------------------------------


def test_required_constructs_are_sensitive(templates):
    sensitive = {c.id for c in templates.constructs.values() if c.sensitive}
    assert sensitive >= REQUIRED_SENSITIVE
    assert not templates.constructs["intergen_understanding"].sensitive


def test_partner_feedback_left_out_of_the_hash_only_at_its_default(templates):
    for instrument in templates.instruments.values():
        assert instrument.partner_feedback == "individual"
        released = templates.released[instrument.id][instrument.version]
        assert content_hash(templates, instrument) == released
        changed = instrument.model_copy(update={"partner_feedback": "shared"})
        assert content_hash(templates, changed) != released


def test_cohort_setting_defaults_to_individual(data):
    raw = data.config.model_dump(mode="json")
    raw.pop("pair_feedback")
    assert CohortConfig.model_validate(raw).pair_feedback == "individual"
    with pytest.raises(ValueError, match="pair_feedback"):
        CohortConfig.model_validate({**raw, "pair_feedback": "pairs"})


def test_check_pair_feedback_refuses_shared_unless_the_forms_said_so(data):
    check_pair_feedback(data.config, data.templates)  # individual: nothing to check
    config = data.config.model_copy(update={"pair_feedback": "shared"})
    with pytest.raises(EvaluationError) as caught:
        check_pair_feedback(config, data.templates)
    message = str(caught.value)
    assert "pair_feedback: shared" in message and "cohort.yml" in message
    for instrument_id, pin in data.config.instruments.items():
        assert f"{instrument_id} {pin.version}" in message
    assert "är inte tillåtet" in message and "is not allowed" in message  # Swedish and English

    announced = as_if_announced_shared(data)
    check_pair_feedback(announced.config, announced.templates)  # accepted

    # Templates saying "shared" do not help answers collected under other pins (other content).
    with pytest.raises(
        EvaluationError, match=rf"baseline {re.escape(data.config.instruments['baseline'].version)}"
    ):
        check_pair_feedback(config, announced.templates)
    # One instrument that did not announce it is enough to refuse.
    one_off = dict(announced.templates.instruments)
    one_off["inspiration"] = one_off["inspiration"].model_copy(update={"partner_feedback": "individual"})
    templates = announced.templates.model_copy(update={"instruments": one_off})
    with pytest.raises(EvaluationError) as caught:
        check_pair_feedback(announced.config, templates)
    assert "inspiration" in str(caught.value) and "baseline" not in str(caught.value)


def test_write_feedback_refuses_unannounced_shared(data, tmp_path):
    with pytest.raises(EvaluationError, match="pair_feedback"):
        write_feedback(_with_config(data, pair_feedback="shared"), tmp_path)
    assert not (tmp_path / "feedback").exists()


# --- forms announce what the partner will see ----------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_forms_announce_what_the_partner_sees(templates, tmp_path, lang):
    path = export(templates, "baseline", "html", tmp_path / "f.html", role="mentor", lang=lang)
    page = _parse(path)
    intro = "".join(page.text)
    assert ANNOUNCEMENTS[lang]["individual"] in intro
    assert ANNOUNCEMENTS[lang]["shared"] not in intro
    expected = {
        "sv": "Din partner i programmet ser inga av dina svar. Du får en egen återkoppling som bara du ser.",
        "en": "Your partner in the program sees none of your answers. You get your own feedback, which only",
    }
    assert expected[lang] in intro

    instruments = dict(templates.instruments)
    instruments["baseline"] = instruments["baseline"].model_copy(update={"partner_feedback": "shared"})
    sharing = templates.model_copy(update={"instruments": instruments})
    path = export(sharing, "baseline", "html", tmp_path / "s.html", role="adept", lang=lang)
    text = "".join(_parse(path).text)
    assert announcement("shared", lang) in text and announcement("individual", lang) not in text
    assert ("inte är känsliga" if lang == "sv" else "not sensitive") in text


def test_platform_forms_announce_in_both_languages(templates, tmp_path):
    path = export(templates, "followup", "xlsform", tmp_path / "f.xlsx", role="adept")
    rows = list(load_workbook(path, read_only=True)["survey"].iter_rows(values_only=True))
    header, intro = rows[0], next(r for r in rows if r[1] == "intro")
    labels = dict(zip(header, intro, strict=False))
    assert ANNOUNCEMENTS["sv"]["individual"] in labels["label::Svenska (sv)"]
    assert ANNOUNCEMENTS["en"]["individual"] in labels["label::English (en)"]

    path = export(templates, "followup", "limesurvey", tmp_path / "ls.txt", role="mentor", lang="en")
    text = path.read_text(encoding="utf-8-sig")
    for lang in ("sv", "en"):
        assert ANNOUNCEMENTS[lang]["individual"] in text


# --- pages --------------------------------------------------------------------------------------


def test_one_page_per_participant(data, individual):
    expected = set(_scores(data)["pseudonym"])
    assert {p.stem for p in individual} == expected
    assert len(individual) == len(expected)
    assert all(p.parent.name == "feedback" and p.suffix == ".html" for p in individual)
    assert individual == sorted(individual)


def test_pages_are_accessible(individual):
    for path in individual:
        page = _parse(path)
        assert page.lang == "sv"
        html = path.read_text(encoding="utf-8")
        assert html.count("<h1>") == 1 and "<title>" in html
        own = page.tables["own"]
        assert own["caption"].strip()
        assert ("th", "col") in own["scopes"] and ("th", "row") in own["scopes"]
        assert all(scope in ("col", "row") for tag, scope in own["scopes"] if tag == "th")


def test_meta_stereotypes_are_reported_for_the_cohort_only(data, individual):
    # Issue 12, item 3: beliefs about how the other group sees one's own group are cohort-level only:
    # never on a feedback page, never per agency.
    name = _name(data, "meta_stereotypes")
    assert individual
    for path in individual:
        assert name not in path.read_text(encoding="utf-8")
    assert "meta_stereotypes" not in set(report.change_by_agency(data).frame["construct"])
    assert "meta_stereotypes" in set(report.cohort_change(data).frame["construct"])


def test_own_values_match_the_scores(data, individual):
    scores = _scores(data)
    for path in individual:
        mine = scores[scores["pseudonym"] == path.stem]
        expected = {}
        for construct, group in mine.groupby("construct"):
            values = group.set_index("wave")["score"]
            expected[_name(data, construct)] = (_fmt(values.get("pre")), _fmt(values.get("post")))
        own = _parse(path).tables["own"]
        assert own["header"][:3] == ["Område", "Skala", "Du, före"]
        shown = {row[0]: (row[2], row[4]) for row in own["rows"]}
        assert shown == expected


def test_cohort_mean_of_own_role_only_when_the_group_is_large_enough(data, individual):
    scores = _scores(data)
    groups = scores.groupby(["construct", "role", "wave"])["score"].agg(["mean", "count"])
    minimum = data.config.min_group_size
    roles = scores.drop_duplicates("pseudonym").set_index("pseudonym")["role"]
    seen_hidden = seen_shown = False
    for path in individual:
        role = roles[path.stem]
        names = {_name(data, c): c for c in data.templates.constructs}
        for row in _parse(path).tables["own"]["rows"]:
            construct = names[row[0]]
            for wave, cell in (("pre", row[3]), ("post", row[5])):
                key = (construct, role, wave)
                if key not in groups.index:
                    assert cell == "–"
                elif groups.loc[key, "count"] - 1 < minimum:  # the others, without the reader
                    assert cell == "visas inte"
                    seen_hidden = True
                else:
                    assert cell == _fmt(groups.loc[key, "mean"])
                    seen_shown = True
    assert seen_hidden and seen_shown  # the small synthetic cohort has both kinds


def test_cohort_mean_hidden_below_a_high_minimum(data, tmp_path):
    pages = write_feedback(_with_config(data, min_group_size=100), tmp_path)
    assert pages
    for path in pages:
        page = _parse(path)
        cells = [c for row in page.tables["own"]["rows"] for c in (row[3], row[5])]
        assert set(cells) <= {"visas inte", "–"}
        assert "visas inte" in cells
        text = "".join(page.text)
        assert "minst 100 personer utöver dig" in text
        assert "För alla par i kohorten" not in text and "Ett par i kohorten" not in text


def test_individual_pages_hold_no_partner_data(data, individual):
    for path in individual:
        page = _parse(path)
        assert set(page.tables) == {"own"}, "only the participant's own table"
        header = page.tables["own"]["header"]
        assert header[:3] == ["Område", "Skala", "Du, före"] and header[4] == "Du, efter"
        assert header[3].startswith("Alla ") and header[5].startswith("Alla ") and len(header) == 6
        text = "".join(page.text)
        assert "ser inga av dina svar" in text and "markerade med *" not in text
        assert "Din mentors resultat" not in text and "Din adepts resultat" not in text


def test_no_identifier_on_any_page(data, cohorts, individual, shared):
    _, (first, _) = cohorts
    roster = pd.read_csv(first / "roster.csv", dtype=str)
    identifiers = set(data.scores["pseudonym"]) | set(data.responses["pseudonym"])
    identifiers |= set(data.scores["pair_id"].dropna()) | set(roster["pair_id"])
    identifiers |= set(roster["participant_id"]) | set(roster["email"].dropna())
    if not data.meeting_log.empty:
        identifiers |= set(data.meeting_log["pseudonym"])
    identifiers = {str(i) for i in identifiers if str(i).strip()}
    assert identifiers
    for path in [*individual, *shared[1]]:
        html = path.read_text(encoding="utf-8")
        found = [i for i in identifiers if i in html]
        assert not found, (path.name, found)


def test_pair_results_are_one_number_and_the_meetings(data, individual):
    scores = _scores(data)
    pair_of = scores.drop_duplicates("pseudonym").set_index("pseudonym")["pair_id"]
    log = data.meeting_log
    accuracy = pair_accuracy(data.responses, data.templates)
    for path in individual:
        pair = pair_of[path.stem]
        text = " ".join(_parse(path).text)
        meetings = log[log["pair_id"] == pair]
        if len(meetings) > 1:
            hours = _fmt(meetings["minutes"].sum() / 60)
            assert f"Ni har loggat {len(meetings)} möten, sammanlagt {hours} timmar." in text
        elif len(meetings) == 0:
            assert "Ni har inte loggat några möten." in text
        mine = accuracy[accuracy["pair_id"] == pair]
        if mine.empty:
            assert MESSAGES["sv"]["accuracy_none"] in text
        else:
            latest = mine.loc[mine["wave"].map({"pre": 0, "post": 1}).idxmax()]
            assert f"i genomsnitt {_fmt(latest['accuracy'])} steg" in text
            # one pair-level number, not a value per member
            assert len(re.findall(r"i genomsnitt \S+ steg", text)) == 1


def test_pair_accuracy_agrees_with_outcomes(data):
    ours = pair_accuracy(data.responses, data.templates)
    per_member, _ = perception_accuracy(data.responses, data.templates)
    usable = per_member[per_member["n_values"] >= MIN_PERCEIVED_VALUES]
    both = usable.groupby(["pair_id", "wave"]).filter(lambda g: g["role"].nunique() == 2)
    expected = both.groupby(["pair_id", "wave"])["mae"].mean()
    assert len(ours) == len(expected) > 0
    got = ours.set_index(["pair_id", "wave"])["accuracy"].sort_index()
    np.testing.assert_allclose(got.to_numpy(), expected.sort_index().to_numpy())


def test_shared_pages_add_partner_non_sensitive_scores_only(shared):
    data, pages = shared
    scores = _scores(data)
    sensitive = {c.id for c in data.templates.constructs.values() if c.sensitive}
    sensitive_names = {_name(data, c) for c in sensitive}
    members = scores.drop_duplicates("pseudonym").set_index("pseudonym")[["pair_id", "role"]]
    partner_of = {}
    for pseudonym, row in members.iterrows():
        other = members[(members["pair_id"] == row["pair_id"]) & (members["role"] != row["role"])]
        if len(other) == 1:
            partner_of[pseudonym] = other.index[0]
    checked_sensitive = 0
    for path in pages:
        page = _parse(path)
        assert "partner" in page.tables or "inga resultat" in "".join(page.text)
        partner = partner_of.get(path.stem)
        rows = page.tables.get("partner", {"rows": [], "header": []})["rows"]
        shown = {row[0]: (row[2], row[3]) for row in rows}
        assert not set(shown) & sensitive_names, "a sensitive construct in the partner's table"
        expected = {}
        if partner is not None:
            theirs = scores[scores["pseudonym"] == partner]
            for construct, group in theirs.groupby("construct"):
                if construct in sensitive:
                    checked_sensitive += 1
                    continue
                values = group.set_index("wave")["score"]
                expected[_name(data, construct)] = (_fmt(values.get("pre")), _fmt(values.get("post")))
        assert shown == expected
        if rows:
            assert page.tables["partner"]["header"] == ["Område", "Skala", "Före", "Efter"]
        # The participant's own sensitive rows are marked as never shown to the partner.
        for row in page.tables["own"]["rows"]:
            name = row[0].removesuffix(" *")
            assert row[0].endswith(" *") == (name in sensitive_names)
    assert checked_sensitive > 0  # partners did have sensitive scores, and none was shown


def test_off_writes_nothing_and_removes_nothing(data, tmp_path):
    keep = tmp_path / "feedback" / "earlier.html"
    keep.parent.mkdir()
    keep.write_text("kept", encoding="utf-8")
    (tmp_path / "index.html").write_text("kept", encoding="utf-8")
    assert write_feedback(_with_config(data, pair_feedback="off"), tmp_path) == []
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["earlier.html", "index.html"]


def test_english_pages(data, tmp_path):
    pages = write_feedback(data, tmp_path, lang="en")
    page = _parse(pages[0])
    assert page.lang == "en"
    assert page.tables["own"]["header"][:3] == ["Topic", "Scale", "You, before"]
    cells = [c for row in page.tables["own"]["rows"] for c in (row[2], row[4]) if c != "–"]
    assert cells and all("," not in c and re.fullmatch(r"\d+\.\d", c) for c in cells)
    names = {c.name["en"] for c in data.templates.constructs.values()}
    assert {row[0] for row in page.tables["own"]["rows"]} <= names
    with pytest.raises(ValueError, match="unknown language"):
        write_feedback(data, tmp_path, lang="de")
