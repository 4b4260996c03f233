"""The plain-language summary's wording rules."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evaluation.summary import certainty_words, effect_words, summarise_change
from evaluation.text import number


@pytest.mark.parametrize(
    ("g", "sv", "en"),
    [
        (0.0, "ingen eller mycket liten", "negligible"),
        (0.19, "ingen eller mycket liten", "negligible"),
        (0.2, "liten", "small"),
        (-0.49, "liten", "small"),
        (0.5, "måttlig", "moderate"),
        (0.79, "måttlig", "moderate"),
        (0.8, "stor", "large"),
        (-1.4, "stor", "large"),
    ],
)
def test_effect_words_follow_cohens_thresholds(g, sv, en):
    # Cohen (1988): 0.2 small, 0.5 medium, 0.8 large, whatever the sign.
    assert effect_words(g, "sv") == sv and effect_words(g, "en") == en


def test_certainty_and_numbers():
    # Decided by the family-adjusted p (evaluation.claims), not by the unadjusted interval.
    assert certainty_words(0.049, "sv") == "tydlig" and certainty_words(0.001, "en") == "clear"
    assert certainty_words(0.05, "sv") == "osäker" and certainty_words(math.nan, "en") == "uncertain"
    assert number(0.456, "sv", 2) == "0,46" and number(-1.5, "en", 2) == "−1.50"
    with pytest.raises(ValueError):
        effect_words(math.nan, "sv")


def test_summary_sorts_clear_changes_and_never_numbers_hidden_groups():
    change = pd.DataFrame(
        {
            "construct": ["a", "b", "c", "d"],
            "role": ["adept", "mentor", "adept", "mentor"],
            "n": [30, 28, 30, None],
            "mean_diff": [0.2, 0.6, 0.05, None],
            "ci_low": [0.05, 0.3, -0.1, None],
            "ci_high": [0.35, 0.9, 0.2, None],
            "hedges_gav": [0.3, 0.9, 0.06, None],
            "p_adj": [0.02, 0.001, 0.4, None],
            "family": ["primary", "primary", "primary", "primary"],
            "claim": ["increase", "increase", "no_clear_change", None],
        }
    )
    parts = summarise_change(
        change, {"a": "Förståelse", "b": "Tilltro", "c": "Klimat", "d": "Dold"}, 0.2, "sv"
    )
    assert len(parts["changed"]) == 2 and parts["changed"][0].startswith("Bland mentorerna ökade tilltro")
    assert "stor effekt, g = 0,90" in parts["changed"][0] and "n = 28" in parts["changed"][0]
    assert parts["unchanged"] == ["Klimat (adepterna)"]
    assert not any("Dold" in t for t in parts["changed"] + parts["unchanged"])
    assert parts["too_small"] == ["Dold (mentorerna)"]  # named as too small, with no number
    assert any("jämförelsegrupp" in c for c in parts["caveats"]) and any(
        "20 %" in c for c in parts["caveats"]
    )
    english = summarise_change(change, {"a": "Understanding", "b": "Confidence", "c": "Climate"}, 0.2, "en")
    assert english["changed"][1].startswith("Among the mentees, understanding increased by 0.20 scale points")


def test_summary_states_the_adjusted_p_and_keeps_capitals():
    change = pd.DataFrame(
        {
            "construct": ["t"],
            "role": ["adept"],
            "n": [30],
            "mean_diff": [0.4],
            "ci_low": [0.1],
            "ci_high": [0.7],
            "hedges_gav": [0.5],
            "p_adj": [0.0123],
            "family": ["primary"],
            "claim": ["increase"],
        }
    )
    sentence = summarise_change(change, {"t": "Användning av AI"}, 0.1, "sv")["changed"][0]
    assert "användning av AI" in sentence and "justerat p = 0,012" in sentence


def test_tiny_adjusted_p_is_written_as_below_a_thousandth():
    change = pd.DataFrame(
        {
            "construct": ["t"],
            "role": ["mentor"],
            "n": [30],
            "mean_diff": [0.4],
            "ci_low": [0.1],
            "ci_high": [0.7],
            "hedges_gav": [0.5],
            "p_adj": [0.00001],
            "family": ["primary"],
            "claim": ["increase"],
        }
    )
    assert "justerat p < 0,001" in summarise_change(change, {"t": "X"}, 0.1, "sv")["changed"][0]
    assert "adjusted p < 0.001" in summarise_change(change, {"t": "X"}, 0.1, "en")["changed"][0]


def _row(**values):
    base = {
        "construct": "t",
        "role": "adept",
        "n": 30,
        "mean_diff": 0.3,
        "ci_low": 0.05,
        "ci_high": 0.55,
        "hedges_gav": 0.4,
        "p_adj": 0.2,
        "family": "primary",
        "claim": "no_clear_change",
    }
    return pd.DataFrame([base | values])


def test_an_interval_that_excludes_zero_is_no_claim_when_the_adjusted_p_says_so():
    # Issue 13: the unadjusted interval (0.05 to 0.55) excludes zero, but the family-adjusted p is 0.2:
    # the summary must not call it a change.
    parts = summarise_change(_row(), {"t": "Tilltro"}, 0.1, "sv")
    assert parts["changed"] == [] and parts["unchanged"] == ["Tilltro (adepterna)"]


def test_exploratory_claims_are_labelled_and_come_after_the_primary_ones():
    change = pd.concat(
        [
            _row(construct="s", family="secondary", claim="increase", p_adj=0.01, hedges_gav=0.9),
            _row(construct="t", claim="increase", p_adj=0.03, hedges_gav=0.3),
        ]
    )
    changed = summarise_change(change, {"s": "Klimat", "t": "Tilltro"}, 0.1, "sv")["changed"]
    assert changed[0].startswith("Bland adepterna ökade tilltro")
    assert changed[1].startswith("Utforskande: Bland adepterna ökade klimat")
    english = summarise_change(change, {"s": "Climate", "t": "Confidence"}, 0.1, "en")["changed"]
    assert english[1].startswith("Exploratory: Among the mentees")


def test_groups_too_small_for_claims_are_listed_without_a_claim():
    parts = summarise_change(_row(claim=None, p_adj=None, n=8), {"t": "Tilltro"}, 0.1, "sv")
    assert (
        parts["changed"] == [] and parts["unchanged"] == [] and parts["too_small"] == ["Tilltro (adepterna)"]
    )


def test_summary_refuses_a_table_without_claims():
    with pytest.raises(ValueError, match=r"evaluation\.claims"):
        summarise_change(_row().drop(columns=["claim", "family"]), {}, 0.1, "sv")
