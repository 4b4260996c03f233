"""Net reliable change for the primary outcomes, and response shift as two bounds (issue 13, items 6-7).

References: Jacobson & Truax (1991) for the reliable change index; the variance of a difference of two
shares from one multinomial sample, var(p1 - p2) = (p1 + p2 - (p1 - p2)^2) / n (Wild & Seber, 1993,
Journal of the American Statistical Association, 88, 1353-1359); paired t intervals as R's
``t.test(paired = TRUE)``, checked against ``scipy.stats.ttest_rel``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation import outcomes


def _flags(n: int, up: int, down: int, construct="c", role="adept"):
    return pd.DataFrame(
        {
            "pseudonym": [f"x{i}" for i in range(n)],
            "pair_id": [f"p{i}" for i in range(n)],
            "role": role,
            "construct": construct,
            "reliable_improvement": [i < up for i in range(n)],
            "reliable_deterioration": [up <= i < up + down for i in range(n)],
        }
    )


def test_net_reliable_change_and_its_wald_interval():
    # n = 100, 30 improved, 10 deteriorated: net 0.20, var = (0.3 + 0.1 - 0.04) / 100, se 0.06.
    table = outcomes.net_reliable_change(_flags(100, 30, 10), [("c", "adept")])
    row = table[table["construct"] == "c"].iloc[0]
    assert (row["n"], row["improved"], row["deteriorated"]) == (100, 30, 10)
    assert row["net"] == pytest.approx(0.2)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.2 - 1.959964 * 0.06, 0.2 + 1.959964 * 0.06))


def test_only_primary_outcomes_count_and_a_person_counts_once_over_them():
    first = _flags(10, 4, 0, construct="a")
    second = _flags(10, 0, 2, construct="b")  # x0, x1 deteriorate on b but improved on a
    other = _flags(10, 10, 0, construct="z")  # secondary: never counted
    table = outcomes.net_reliable_change(pd.concat([first, second, other]), [("a", "adept"), ("b", "adept")])
    assert set(table["construct"]) == {"a", "b", "any_primary"}
    both = table[table["construct"] == "any_primary"].iloc[0]
    # x0, x1: improved on a and deteriorated on b -> neither; x2, x3: improved only.
    assert (both["improved"], both["deteriorated"], both["n"]) == (2, 0, 10)


def test_under_no_true_change_net_reliable_change_is_near_zero_while_improvement_alone_is_not():
    rng = np.random.default_rng(11)
    true = rng.normal(3, 0.6, 4000)
    reliability = 0.8
    error = 0.6 * np.sqrt(1 - reliability)
    scores = pd.DataFrame(
        {
            "pseudonym": np.repeat([f"x{i}" for i in range(4000)], 2),
            "pair_id": np.repeat([f"p{i}" for i in range(4000)], 2),
            "role": "adept",
            "construct": "c",
            "wave": ["pre", "post"] * 4000,
            "score": np.ravel(
                np.column_stack([true + rng.normal(0, error, 4000), true + rng.normal(0, error, 4000)])
            ),
        }
    )
    improved = outcomes.reliable_improvement(scores, {"c": reliability})
    row = outcomes.net_reliable_change(improved, [("c", "adept")]).iloc[0]
    assert row["improved"] / row["n"] > 0.01  # "reliable improvement" alone finds some
    assert abs(row["net"]) < 0.5 * row["improved"] / row["n"]  # the net does not: about as many deteriorate


def test_response_shift_reports_both_bounds_with_their_intervals():
    rng = np.random.default_rng(5)
    n = 40
    pre = rng.normal(3, 0.5, n)
    then = pre - 0.3 + rng.normal(0, 0.3, n)
    post = pre + 0.2 + rng.normal(0, 0.3, n)
    rows = []
    for i in range(n):
        for wave, value in (("pre", pre[i]), ("then", then[i]), ("post", post[i])):
            rows.append(
                {
                    "pseudonym": f"x{i}",
                    "pair_id": f"p{i}",
                    "agency": "A",
                    "role": "adept",
                    "construct": "c",
                    "wave": wave,
                    "score": value,
                }
            )
    row = outcomes.response_shift(pd.DataFrame(rows)).iloc[0]
    for prefix, first in (("change_pre", pre), ("change_then", then)):
        test = stats.ttest_rel(post, first)
        ci = test.confidence_interval(0.95)
        assert row[prefix] == pytest.approx((post - first).mean())
        assert (row[f"{prefix}_ci_low"], row[f"{prefix}_ci_high"]) == pytest.approx((ci.low, ci.high))
    assert row["change_then"] > row["change_pre"]  # the retrospective bound is the larger here
