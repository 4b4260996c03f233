"""Respondent burden: item counts per role and the documented minutes estimate.

Reference: the survey methodologist's review of version 1.0.0 (../shared/instrument-review.md, §5.1),
which counted the items per instrument and role and modelled the typical minutes with the same
per-kind seconds (its table "Current instruments"), and the targets of issue 12 for version 2.0.0
(follow-up at most 60 items for mentors and 55 for mentees, baseline at most 45 per role).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.survey.burden import SECONDS, burden, seconds_for

runner = CliRunner()

# (instrument, role): (items, typical minutes) from the review's §5.1 table.
REVIEW = {
    ("baseline", "mentor"): (68, 11.2),
    ("baseline", "adept"): (61, 10.2),
    ("followup", "mentor"): (103, 18.9),
    ("followup", "adept"): (88, 16.2),
    ("inspiration", "mentor"): (6, 2.2),
    ("meeting_log", "adept"): (4, 1.9),
}


@pytest.mark.parametrize(("key", "expected"), list(REVIEW.items()))
def test_items_equal_the_reviews_count_and_minutes_are_within_half_a_minute(templates, key, expected):
    instrument, role = key
    found = burden(templates, templates.instrument(instrument, "1.0.0"), role)
    assert found.items == expected[0]
    assert found.minutes == pytest.approx(expected[1], abs=0.5)


def test_each_kind_of_question_takes_its_documented_seconds(templates):
    items = templates.instrument("followup", "1.0.0").items_for("mentor")
    by_kind = {}
    for item in items:
        scale = templates.scale_of(item)
        if item.then_of:
            by_kind["then"] = seconds_for(item, scale)
        elif item.perception_of:
            by_kind["perception"] = seconds_for(item, scale)
        elif scale.id == "recommend11":
            by_kind["numbered"] = seconds_for(item, scale)
        elif scale.type == "text":
            by_kind["text"] = seconds_for(item, scale)
        elif scale.type == "multiple":
            by_kind["multiple"] = seconds_for(item, scale)
        elif scale.id == "agree5":
            by_kind["choice"] = seconds_for(item, scale)
    assert by_kind == {k: SECONDS[k] for k in by_kind} and len(by_kind) == 6


def test_survey_list_prints_items_and_minutes_per_instrument_version_and_role(templates):
    result = runner.invoke(app, ["survey", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {tuple(sorted(r)) for r in rows} == {("instrument", "items", "minutes", "role", "version")}
    expected = {
        (i, v, r)
        for i in templates.instruments
        for v in templates.versions(i)
        for r in templates.instrument(i, v).roles
    }
    assert {(r["instrument"], r["version"], r["role"]) for r in rows} == expected
    assert ("followup", "1.0.0", "mentor") in expected and ("followup", "2.0.0", "mentor") in expected
    row = next(
        r for r in rows if (r["instrument"], r["version"], r["role"]) == ("followup", "1.0.0", "mentor")
    )
    assert row["items"] == 103
    table = runner.invoke(app, ["survey", "list"])
    assert table.exit_code == 0 and "minutes" in table.output and "103" in table.output


# Issue 12, "What to build" 1: the version 2 targets, every question counted (then-items included).
TARGETS = {
    ("baseline", "mentor"): 45,
    ("baseline", "adept"): 45,
    ("followup", "mentor"): 60,
    ("followup", "adept"): 55,
}


def test_version_2_is_within_the_item_targets_in_survey_list():
    result = runner.invoke(app, ["survey", "list", "--format", "json"])
    rows = {(r["instrument"], r["version"], r["role"]): r for r in json.loads(result.output)}
    for (instrument, role), most in TARGETS.items():
        v1, v2 = rows[(instrument, "1.0.0", role)], rows[(instrument, "2.0.0", role)]
        assert v2["items"] <= most, (instrument, role, v2["items"])
        assert v2["minutes"] < v1["minutes"], (instrument, role)


def test_version_2_counts_then_items_as_items(templates):
    followup = templates.instrument("followup", "2.0.0")
    for role in ("mentor", "adept"):
        asked = followup.items_for(role)
        then = [i for i in asked if i.then_of]
        assert len(then) == 8  # four key items, each asked now and before the program
        assert burden(templates, followup, role).items == len(asked)
