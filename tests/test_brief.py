"""The one-page brief (issue 14, item 1) and the message catalogue it reads (item 2)."""

from __future__ import annotations

import re

import pytest

from evaluation import report
from evaluation.report.brief import BRIEF_FILE, confidence_word, write_brief
from evaluation.text import (
    LANGUAGES,
    catalogue,
    foreign_text,
    in_language,
    message,
    number,
    p_value,
    percent,
    placeholders,
)


def test_every_message_has_swedish_and_english_with_the_same_placeholders():
    for key, entry in catalogue().items():
        assert set(entry) == set(LANGUAGES), key
        assert all(entry[lang].strip() for lang in LANGUAGES), key
        assert placeholders(entry["sv"]) == placeholders(entry["en"]), key
    with pytest.raises(KeyError, match="no message"):
        message("brief.nonexistent", "sv")


def test_numbers_are_written_the_readers_way():
    assert number(240000, "sv", 0) == "240\u2009000" and number(240000, "en", 0) == "240,000"
    assert number(-0.25, "sv", 2) == "−0,25" and number(0.5, "en", 1) == "0.5"
    assert number(-0.004, "sv", 2) == "0,00"  # rounds to zero: no sign
    assert percent(0.12, "sv") == "12\u00a0%" and percent(0.12, "en") == "12%"
    assert in_language("visas inte / not shown", "sv") == "visas inte"
    assert in_language(("testsvar", "test response"), "en") == "test response"
    assert in_language("bara svenska", "en") == "bara svenska"  # one language only: as it is
    assert p_value(0.0004, "sv") == "< 0,001" and p_value(0.0123, "en") == "= 0.012"
    assert confidence_word(0.0004, "sv").startswith("mycket säkert")
    assert confidence_word(0.03, "sv").startswith("ganska säkert")


@pytest.fixture(scope="module")
def strong(templates, tmp_path_factory):
    from evaluation.ingest import ingest_cohort
    from evaluation.synth import synthesize

    folder = tmp_path_factory.mktemp("brief") / "c"
    synthesize(folder, templates, pairs=40, agencies=4, seed=12, fmt="generic", effects="strong")
    with pytest.MonkeyPatch.context() as patch:  # the key for this cohort only, not for other tests
        patch.setenv("EVALUATION_PSEUDONYM_KEY", "en-lång-nyckel-för-testerna-av-kortversionen")
        ingest_cohort(folder, templates)
    return report.load(folder)


def test_the_briefs_key_messages_agree_with_the_claims(strong, tmp_path):
    page = write_brief(strong, tmp_path, "sv").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="sv">' in page
    claims = report.claims(strong).frame
    primary = claims[(claims["scope"] == "cohort") & (claims["family"] == "primary")]
    items = re.findall(r"<li>(Bland [^<]*)</li>", page)
    assert 1 <= len(items) <= 5
    for row in primary.itertuples():
        who = message(f"role.{row.role}.plural", "sv")
        what = report.construct_name(strong, row.construct, "sv")
        what = what[:1].lower() + what[1:]
        said = [t for t in items if t.startswith(f"Bland {who} ") and what in t]
        if not said:
            continue  # more than five primary outcomes: the rest are in the cohort report
        verb = {"increase": "ökade", "decrease": "minskade", "no_clear_change": "ingen tydlig förändring"}
        assert verb[row.claim] in said[0], (row, said)
    assert "Analytikerns bedömning" in page and "Ord som används" in page


def test_the_analysts_conclusions_are_shown_as_judgement(strong, tmp_path):
    from evaluation.cohort import CohortText

    config = strong.config.model_copy(update={"conclusions": CohortText(sv="Fortsätt med programmet.")})
    page = write_brief(
        report.CohortData(**{**strong.__dict__, "config": config, "memo": {}}), tmp_path, "sv"
    ).read_text(encoding="utf-8")
    assert "Det här är analytikerns egen tolkning" in page and "Fortsätt med programmet." in page


def test_the_english_brief_calls_the_adept_a_mentee(strong, tmp_path):
    page = write_brief(strong, tmp_path, "en").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "mentee" in page and " adept" not in page
    assert foreign_text(page, "en") == []  # no Swedish word or decimal comma in the English brief


def test_the_build_links_the_brief_first(built):
    out, index, _ = built
    assert (out / BRIEF_FILE).exists()
    links = re.findall(r'href="([^"]+)"', index.read_text(encoding="utf-8"))
    assert links[0] == BRIEF_FILE
