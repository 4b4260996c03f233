"""paired_change, reliable_change and adjust_pvalues against published reference output.

The R calls behind the expected values: tests/R/stats_change.R (data in tests/data/).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.stats import adjust_pvalues, paired_change, reliable_change

from .conftest import DATA


@pytest.fixture
def sleep():
    data = pd.read_csv(DATA / "sleep.csv")
    wide = data.pivot(index="ID", columns="group", values="extra")
    return wide[1], wide[2]


def test_paired_change_matches_r_t_test(sleep):
    pre, post = sleep
    result = paired_change(pre, post)
    # R: t.test(extra ~ group, data = sleep, paired = TRUE)
    #   t = -4.0621, df = 9, p-value = 0.002833
    #   95 percent confidence interval: -2.4598858 -0.7001142; mean difference -1.58
    # (R subtracts group 2 from group 1; paired_change reports post - pre, so the signs flip.)
    assert result["t"] == pytest.approx(4.0621, abs=5e-5)
    assert result["df"] == 9
    assert result["p"] == pytest.approx(0.002833, abs=5e-7)
    assert result["mean_diff"] == pytest.approx(1.58)
    assert result["ci_low"] == pytest.approx(0.7001142, abs=5e-8)
    assert result["ci_high"] == pytest.approx(2.4598858, abs=5e-8)
    assert result["n"] == 10 and result["n_dropped"] == 0


def test_paired_change_wilcoxon_matches_r(sleep):
    pre, post = sleep
    result = paired_change(pre, post)
    # R: wilcox.test(extra ~ group, data = sleep, paired = TRUE)
    #   Wilcoxon signed rank test with continuity correction: V = 0, p-value = 0.009091
    #   (warnings: cannot compute exact p-value with ties / with zeroes)
    # V = 0 is the sum of positive ranks of group 1 - group 2; for post - pre it is 9 * 10 / 2 = 45.
    assert result["wilcoxon_p"] == pytest.approx(0.009091, abs=5e-7)
    assert result["wilcoxon_stat"] == 45
    assert (
        "continuity correction" in result["wilcoxon_method"] and "zeros dropped" in result["wilcoxon_method"]
    )


def test_paired_change_effect_sizes(sleep):
    pre, post = sleep
    result = paired_change(pre, post)
    diff = post - pre
    # effectsize (easystats/effectsize, reference/cohens_d.md):
    #   cohens_d(Pair(extra[group == 1], extra[group == 2]) ~ 1, data = sleep) -> -1.28 [-2.12, -0.41]
    # (d_z with a noncentral-t interval; group 1 - group 2, so the signs flip for post - pre).
    assert round(result["cohen_dz"], 2) == 1.28
    assert (round(result["dz_ci_low"], 2), round(result["dz_ci_high"], 2)) == (0.41, 2.12)
    # Lakens (2013), eq. 6 and 10: d_z = M_diff / SD_diff; d_av = M_diff / ((SD1 + SD2) / 2),
    # g_av = d_av * (1 - 3 / (4 (n1 + n2) - 9)). Sleep: SD_diff 1.229995, SD1 1.789010, SD2 2.002249.
    assert result["cohen_dz"] == pytest.approx(1.58 / 1.229995, rel=1e-6)
    assert result["hedges_gav"] == pytest.approx(1.58 / ((1.789010 + 2.002249) / 2) * (1 - 3 / 71), rel=1e-5)
    assert result["dz_ci_low"] < result["cohen_dz"] < result["dz_ci_high"]
    assert result["gav_ci_low"] < result["hedges_gav"] < result["gav_ci_high"]
    assert diff.mean() == pytest.approx(result["mean_diff"])


def test_paired_change_drops_and_counts_missing_and_rejects_bad_input():
    result = paired_change([1, 2, 3, np.nan, 5], [2, 2, 5, 4, np.nan])
    assert result["n"] == 3 and result["n_dropped"] == 2
    with pytest.raises(ValueError, match="at least 3 complete pairs"):
        paired_change([1, 2], [2, 3])
    with pytest.raises(ValueError, match="differ in length"):
        paired_change([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="no variance"):
        paired_change([1, 2, 3, 4], [2, 3, 4, 5])
    with pytest.raises(ValueError, match="at least 3 complete pairs"):
        paired_change([np.nan] * 5, [1, 2, 3, 4, 5])


def test_reliable_change_jacobson_truax():
    # Jacobson & Truax (1991): SE = s1 * sqrt(1 - r_xx), S_diff = sqrt(2 * SE^2), RC = (x2 - x1) / S_diff,
    # reliable when |RC| > 1.96. Published value: cpsyctc/CECPfuns,
    # tests/testthat/test-getRCIfromSDandAlpha.R: getRCIfromSDandAlpha(7.5, .8, conf = 0.95) ==
    # 9.296925484568419051357, the smallest reliable change (qnorm(.975) * S_diff).
    result = reliable_change([20, 20, 20, 20], [30, 29, 12, 10], sd=7.5, reliability=0.8)
    assert result.attrs["s_diff"] * 1.959963984540054 == pytest.approx(9.296925484568419, rel=1e-12)
    # changes of +10 and -10 exceed 9.297, +9 and -8 do not
    assert result["reliable_improvement"].tolist() == [True, False, False, False]
    assert result["reliable_deterioration"].tolist() == [False, False, False, True]
    assert result["rci"].iloc[0] == pytest.approx(10 / result.attrs["s_diff"])
    with pytest.raises(ValueError, match="reliability"):
        reliable_change([1, 2], [2, 3])
    with pytest.raises(ValueError, match="between 0 and 1"):
        reliable_change([1, 2], [2, 3], reliability=1.2)
    with pytest.raises(ValueError, match="no person"):
        reliable_change([np.nan], [1.0], reliability=0.8, sd=1)


def test_adjust_pvalues_benjamini_hochberg_example():
    # Benjamini & Hochberg (1995), section 4: 15 p-values from a study of myocardial infarction;
    # at q = 0.05 the BH procedure rejects the four smallest, Bonferroni-type control only three.
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
         0.5719, 0.6528, 0.7590, 1.000]  # fmt: skip
    assert (adjust_pvalues(p, "fdr_bh") <= 0.05).sum() == 4
    assert (adjust_pvalues(p, "holm") <= 0.05).sum() == 3
    # R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm") -> 0.05 0.08 0.09 0.09 0.09
    assert adjust_pvalues([0.01, 0.02, 0.03, 0.04, 0.05]) == pytest.approx([0.05, 0.08, 0.09, 0.09, 0.09])
    series = adjust_pvalues(pd.Series([0.02, np.nan, 0.01], index=list("abc")))
    assert series.index.tolist() == list("abc") and np.isnan(series["b"])
    assert series["c"] == pytest.approx(0.02) and series["a"] == pytest.approx(0.02)
    with pytest.raises(ValueError, match="between 0 and 1"):
        adjust_pvalues([0.5, 1.5])
    with pytest.raises(ValueError, match="unknown method"):
        adjust_pvalues([0.5], "sidak-ish")


def test_hedges_gav_matches_lakens_movie_example():
    # Lakens (2013), worked example (movie ratings, n = 10 paired): g_av = 1.08, d_av 95% CI [0.42, 1.80]
    # (as reproduced in dgromer/apa, tests/testthat/test-cohens-d.R: Hedges' g 1.08).
    movie1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
    movie2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]
    result = paired_change(movie2, movie1)
    assert round(result["hedges_gav"], 2) == 1.08
    assert result["t"] == pytest.approx(4.74, abs=0.005)  # apa: t(9) = 4.74, d_z = 1.50
    assert round(result["cohen_dz"], 2) == 1.50
