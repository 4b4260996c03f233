"""Pairs as pairs (issue 13, "What to build" 3): role gaps, the signed change of the pairs' gap, and
the dyadic model of change.

References: the paired t-test as R's ``t.test(x, y, paired = TRUE)`` (checked here against
``scipy.stats.ttest_rel``, an independent implementation); the dyadic GLS as ``nlme::gls`` with
``corCompSymm`` and ``varIdent`` (the model itself is checked against R in test_stats_models.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.pairs import dyadic_change, gap_change, role_gaps


def _scores(rows):
    return pd.DataFrame(rows, columns=["pair_id", "pseudonym", "role", "wave", "construct", "score"])


def _cohort(n_pairs: int, *, gap_pre: float, gap_post: float, pair_sd: float = 0.0, seed: int = 0):
    """Pairs whose mentor - adept gap moves from gap_pre to gap_post, with noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n_pairs):
        shared = rng.normal(0, pair_sd)
        base = rng.normal(3, 0.5)
        for role, sign in (("mentor", 0.5), ("adept", -0.5)):
            pre = base + sign * gap_pre + rng.normal(0, 0.2)
            post = base + sign * gap_post + shared + rng.normal(0, 0.2)
            for wave, value in (("pre", pre), ("post", post)):
                rows.append((f"P{p}", f"P{p}{role}", role, wave, "c", value))
    return _scores(rows)


def test_role_gaps_are_paired_differences_over_pairs():
    scores = _cohort(30, gap_pre=0.4, gap_post=0.4, seed=1)
    wide = scores[scores["wave"] == "pre"].pivot(index="pair_id", columns="role", values="score")
    expected = stats.ttest_rel(wide["mentor"], wide["adept"])
    ci = expected.confidence_interval(0.95)
    row = role_gaps(scores).iloc[0]
    assert row["pairs"] == 30
    assert row["gap"] == pytest.approx((wide["mentor"] - wide["adept"]).mean())
    assert row["p"] == pytest.approx(expected.pvalue)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))


def test_a_gap_that_closes_reads_as_the_change_of_the_gap():
    # The example: a gap of 0.29 that closes fully. The old |gap before| - |gap after| over
    # noisy pairs hardly moved; the signed change of the gap recovers -0.29.
    scores = _cohort(200, gap_pre=0.29, gap_post=0.0, seed=2)
    row = gap_change(scores).iloc[0]
    # 200 pairs, gap noise SD 0.28 per pair and wave: standard error about 0.02.
    assert row["gap_pre"] == pytest.approx(0.29, abs=0.08) and row["gap_post"] == pytest.approx(0, abs=0.08)
    se = (row["ci_high"] - row["ci_low"]) / (2 * 1.972)  # t quantile at 199 df
    assert abs(row["gap_change"] + 0.29) < 4 * se
    assert row["ci_high"] < 0 and row["p"] < 0.001
    unchanged = gap_change(_cohort(200, gap_pre=0.29, gap_post=0.29, seed=3)).iloc[0]
    assert unchanged["ci_low"] < 0 < unchanged["ci_high"]


def test_one_role_constructs_and_single_wave_constructs_have_no_gap():
    scores = _cohort(10, gap_pre=0.2, gap_post=0.2)
    adept_only = scores[scores["role"] == "adept"].assign(construct="a")
    baseline_only = scores[scores["wave"] == "pre"].assign(construct="b")
    combined = pd.concat([scores, adept_only, baseline_only])
    assert gap_change(combined)["construct"].tolist() == ["c"]
    assert role_gaps(combined)["construct"].tolist() == ["b", "c"]


def test_dyadic_change_estimates_each_roles_change_and_the_pair_correlation():
    independent = _cohort(150, gap_pre=0.4, gap_post=0.0, pair_sd=0.0, seed=4)
    shared = _cohort(150, gap_pre=0.4, gap_post=0.0, pair_sd=0.4, seed=4)
    flat = dyadic_change(independent, "c").set_index("role")
    together = dyadic_change(shared, "c").set_index("role")
    # Balanced complete dyads: the GLS role means are the plain mean changes.
    wide = independent.pivot_table(index=["pseudonym", "role"], columns="wave", values="score")
    means = (wide["post"] - wide["pre"]).groupby(level="role").mean()
    assert flat.loc["mentor", "change"] == pytest.approx(means["mentor"])
    assert flat.loc["adept", "change"] == pytest.approx(means["adept"])
    assert flat.loc["mentor", "change"] < 0 < flat.loc["adept", "change"]  # the gap closes from both sides
    assert abs(flat.loc["mentor", "rho"]) < 0.2 < together.loc["mentor", "rho"]
    with pytest.raises(ValueError, match="only one role"):
        dyadic_change(independent[independent["role"] == "adept"], "c")
