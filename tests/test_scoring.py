"""Scoring: reverse keys, the minimum-answered rule, retrospective scores, item statistics."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.scoring import item_statistics, score


def _long(rows):
    base = {"pair_id": "par001", "agency": "A", "instrument": "baseline", "role": "adept"}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_score_reverses_keys_and_applies_the_minimum_rule(templates):
    construct = templates.constructs["intergen_understanding"]
    items = list(construct.scoring.items)
    reverse = set(construct.scoring.reverse)
    assert reverse, "the construct has a reverse-keyed item"
    # Person 1 answers every item 4; the reverse-keyed ones count as 6 - 4 = 2 on the 1-5 scale.
    rows = [{"pseudonym": "p1", "wave": "pre", "item": i, "value": 4.0} for i in items]
    # Person 2 answers only one item: below the minimum share, so no score.
    rows += [{"pseudonym": "p2", "wave": "pre", "item": items[0], "value": 5.0}]
    # Person 1's retrospective answers score into the same construct at wave "then".
    then = {i.then_of: i.id for i in templates.items.values() if i.then_of}
    rows += [
        {"pseudonym": "p1", "wave": "post", "item": then[i], "value": 3.0, "instrument": "followup"}
        for i in items
    ]
    scores = score(_long(rows), templates).set_index(["pseudonym", "wave", "construct"])
    expected = (4 * (len(items) - len(reverse)) + 2 * len(reverse)) / len(items)
    p1 = scores.loc[("p1", "pre", construct.id)]
    assert p1["score"] == pytest.approx(expected) and p1["n_items"] == len(items) and p1["sufficient"]
    p2 = scores.loc[("p2", "pre", construct.id)]
    assert not p2["sufficient"] and pd.isna(p2["score"]) and p2["n_items"] == 1
    then_score = scores.loc[("p1", "then", construct.id), "score"]
    assert then_score == pytest.approx((3 * (len(items) - len(reverse)) + 3 * len(reverse)) / len(items))


def test_score_needs_the_response_columns(templates):
    with pytest.raises(ValueError, match="lack the columns"):
        score(pd.DataFrame({"item": ["igu1"]}), templates)


def test_item_statistics_floor_ceiling_and_missing(templates):
    rows = [
        {"pseudonym": f"p{i}", "wave": "pre", "item": "igu1", "value": v} for i, v in enumerate([1, 5, 5, 3])
    ]
    rows += [{"pseudonym": "p4", "wave": "pre", "item": "igu2", "value": 2.0}]
    table = item_statistics(_long(rows), templates).set_index("item")
    assert table.loc["igu1", "n"] == 4 and table.loc["igu1", "mean"] == pytest.approx(3.5)
    assert table.loc["igu1", "floor_share"] == pytest.approx(0.25)
    assert table.loc["igu1", "ceiling_share"] == pytest.approx(0.5)
    assert table.loc["igu1", "missing_share"] == pytest.approx(0.2)  # 5 respondents, 4 answered igu1
    assert table.loc["igu2", "missing_share"] == pytest.approx(0.8)
