"""The primary estimate of change from everyone (issue 13, "What to build" 2).

Checks: with complete, balanced data a random-intercept model's wave effect is the paired mean change
(the GLS estimator reduces to the mean difference; Laird & Ware, 1982, Biometrics 38(4), 963-974);
under missing-at-random dropout that depends on the baseline, the model that keeps the dropouts is
unbiased where the completers' mean change is not (Little & Rubin, 2019, Statistical Analysis with
Missing Data, 3rd ed., ch. 1); the tipping point of a delta-adjusted analysis (Ratitch et al., 2013)
is checked by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.primary import change_from_everyone, tipping_point


def _cohort(n_pairs: int, *, change: dict, seed: int, drop=None, agencies: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n_pairs):
        pair = rng.normal(0, 0.3)
        agency = f"A{p % agencies}"
        for role in ("mentor", "adept"):
            person = rng.normal(3, 0.6) + pair
            pre = person + rng.normal(0, 0.3)
            post = person + change[role] + rng.normal(0, 0.3)
            rows.append((f"P{p}{role}", f"P{p}", agency, role, "pre", pre))
            if drop is None or not drop(pre, rng):
                rows.append((f"P{p}{role}", f"P{p}", agency, role, "post", post))
    return pd.DataFrame(rows, columns=["pseudonym", "pair_id", "agency", "role", "wave", "score"]).assign(
        construct="c"
    )


def test_with_complete_balanced_data_the_estimate_is_the_paired_mean_change():
    scores = _cohort(40, change={"mentor": 0.2, "adept": 0.4}, seed=1)
    table = change_from_everyone(scores, "c").set_index("role")
    for role in ("mentor", "adept"):
        wide = scores[scores["role"] == role].pivot(index="pseudonym", columns="wave", values="score")
        assert table.loc[role, "estimate"] == pytest.approx((wide["post"] - wide["pre"]).mean(), abs=1e-6)
        assert table.loc[role, "n"] == 40 and table.loc[role, "n_dropouts"] == 0
    assert table.loc["adept", "ci_low"] < table.loc["adept", "estimate"] < table.loc["adept", "ci_high"]
    assert table["levels"].iloc[0] == "pair, participant"  # one agency: no agency level


def test_everyone_corrects_the_completers_bias_under_missing_at_random():
    # Regression to the mean: a low baseline is partly measurement error, so those who start low gain
    # more by chance. When they answer the follow-up less often (missing at random given the
    # baseline), the completers' mean change understates the true change of 0.3; the model that keeps
    # everyone, whose compound-symmetry assumption holds here, does not.
    def drop(pre, rng):
        return rng.random() < (0.8 if pre < 3 else 0.05)

    scores = _cohort(1000, change={"mentor": 0.3, "adept": 0.3}, seed=2, drop=drop)
    row = change_from_everyone(scores, "c").set_index("role").loc["adept"]
    adept = scores[scores["role"] == "adept"].pivot(index="pseudonym", columns="wave", values="score")
    completers = (adept["post"] - adept["pre"]).mean()
    assert row["n_dropouts"] > 300
    assert abs(row["estimate"] - 0.3) < 3 * row["se"]
    assert completers < 0.3 - 3 * row["se"]


def test_agency_level_is_used_when_agencies_vary_and_left_out_when_not():
    scores = _cohort(60, change={"mentor": 0.2, "adept": 0.2}, seed=3, agencies=4)
    shift = scores["agency"].map({"A0": -0.6, "A1": 0.0, "A2": 0.6, "A3": 1.2})
    varied = change_from_everyone(scores.assign(score=scores["score"] + shift), "c")
    assert set(varied["levels"]) == {"agency (level and change), pair, participant"}
    one_role = change_from_everyone(scores[scores["role"] == "adept"], "c")
    assert len(one_role) == 1 and "pair" not in one_role["levels"].iloc[0]


def test_tipping_point_is_where_the_adjusted_claim_would_fall():
    estimate, se = 0.3, 0.1
    p = 2 * stats.norm.sf(3.0)
    delta = tipping_point(estimate, se, p, p, n=30, n_dropouts=10)
    assert delta == pytest.approx((1.959964 * 0.1 - 0.3) / 0.25, rel=1e-5)
    shifted = estimate + delta * 10 / 40
    assert 2 * stats.norm.sf(shifted / se) == pytest.approx(0.05, rel=1e-6)
    # In a family where the outcome's adjusted p is twice its p, the claim falls earlier.
    assert tipping_point(estimate, se, p, 2 * p, n=30, n_dropouts=10) > delta
    assert np.isnan(tipping_point(estimate, se, p, 0.2, n=30, n_dropouts=10))  # no claim: nothing to overturn
    assert np.isnan(tipping_point(estimate, se, p, p, n=30, n_dropouts=0))


def test_satterthwaite_df_is_welchs_for_two_variance_parts():
    # Welch (1947) / Satterthwaite (1946): a variance that is the sum of s1^2/n1 (n1 - 1 df) and
    # s2^2/n2 (n2 - 1 df) has df (v1 + v2)^2 / (v1^2/(n1 - 1) + v2^2/(n2 - 1)); scipy's Welch t-test
    # reports that df. Here the agency part is tau2 / G with G = n1 agencies and tau2 = s1^2.
    from evaluation.primary import _satterthwaite

    rng = np.random.default_rng(7)
    first, second = rng.normal(0, 2, 6), rng.normal(0, 1, 60)
    welch = stats.ttest_ind(first, second, equal_var=False)
    v1, v2 = first.var(ddof=1) / 6, second.var(ddof=1) / 60
    assert _satterthwaite(v1 + v2, first.var(ddof=1), 6, 59) == pytest.approx(welch.df, rel=1e-9)
    # the limits: no agency variation in change gives the normal distribution; all of it, G - 1
    assert _satterthwaite(0.02, 0.0, 6, 59) == np.inf
    assert _satterthwaite(0.02, 0.02 * 6, 6, 59) == pytest.approx(5)
