"""cronbach_alpha and item_analysis against psych::alpha on the bfi data, icc against psych::ICC.

The R calls behind the expected values: tests/R/stats_reliability.R (data in tests/data/).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.stats import cronbach_alpha, icc, item_analysis

from .conftest import DATA

# psych::alpha on each Big Five scale with the reverse keys of bfi_keys.csv (reversed as 7 - x on
# the 1-6 scale), as printed in jimmyrigby94/regcleaner, README.md: raw_alpha to 7 digits, then the
# "Reliability if an item is dropped" raw_alpha and the "Item statistics" r.drop to 2 digits.
PUBLISHED = {
    "agree": (0.7030184, {"A1": (0.72, 0.31), "A2": (0.62, 0.56), "A3": (0.60, 0.59), "A4": (0.69, 0.39),
                          "A5": (0.64, 0.49)}),
    "conscientious": (0.7267350, {"C1": (0.69, 0.45), "C2": (0.67, 0.50), "C3": (0.69, 0.46),
                                  "C4": (0.65, 0.55), "C5": (0.69, 0.48)}),
    "extraversion": (0.7617328, {"E1": (0.73, 0.52), "E2": (0.69, 0.61), "E3": (0.73, 0.50),
                                 "E4": (0.70, 0.58), "E5": (0.74, 0.45)}),
    "neuroticism": (0.8139629, {"N1": (0.76, 0.67), "N2": (0.76, 0.65), "N3": (0.76, 0.67),
                                "N4": (0.80, 0.54), "N5": (0.81, 0.49)}),
    "openness": (0.6001725, {"O1": (0.53, 0.39), "O2": (0.57, 0.33), "O3": (0.50, 0.45), "O4": (0.61, 0.22),
                             "O5": (0.51, 0.42)}),
}  # fmt: skip


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(DATA / "bfi.csv"), pd.read_csv(DATA / "bfi_keys.csv")


@pytest.mark.parametrize("scale", sorted(PUBLISHED))
def test_alpha_matches_psych(bfi, scale):
    data, keys = bfi
    items = [k.lstrip("-") for k in keys[scale]]
    reverse = [k.lstrip("-") for k in keys[scale] if k.startswith("-")]
    result = cronbach_alpha(data[items], reverse=reverse, scale_min=1, scale_max=6)
    raw_alpha, per_item = PUBLISHED[scale]
    assert result["alpha"] == pytest.approx(raw_alpha, abs=5e-8)
    table = item_analysis(data[items], reverse=reverse, scale_min=1, scale_max=6)
    for item, (if_dropped, r_drop) in per_item.items():
        assert round(table.loc[item, "alpha_if_deleted"], 2) == pytest.approx(if_dropped)
        assert round(table.loc[item, "item_rest_r"], 2) == pytest.approx(r_drop)


def test_feldt_interval_matches_psych_for_agreeableness(bfi):
    data, _ = bfi
    # psych::alpha(agreeableness, check.keys = TRUE): "Feldt 0.69 0.7 0.72" (m-clark.github.io,
    # posts/2020-04-10-psych-explained).
    result = cronbach_alpha(data[["A1", "A2", "A3", "A4", "A5"]], reverse=["A1"])
    assert (round(result["ci_low"], 2), round(result["ci_high"], 2)) == (0.69, 0.72)
    assert result["n"] == len(data[["A1", "A2", "A3", "A4", "A5"]].dropna())


def test_alpha_without_reverse_keys_is_lower_and_bad_input_is_refused(bfi):
    data, _ = bfi
    items = data[["A1", "A2", "A3", "A4", "A5"]]
    assert cronbach_alpha(items)["alpha"] < cronbach_alpha(items, reverse=["A1"])["alpha"]
    with pytest.raises(ValueError, match="not columns"):
        cronbach_alpha(items, reverse=["A9"])
    with pytest.raises(ValueError, match="at least two items"):
        cronbach_alpha(items[["A1"]])
    with pytest.raises(ValueError, match="3 complete cases"):
        cronbach_alpha(pd.DataFrame({"a": [1, np.nan, 2], "b": [np.nan, 1, 2]}))
    with pytest.raises(ValueError, match="no item varies"):
        cronbach_alpha(pd.DataFrame({"a": [1, 1, 1], "b": [2, 2, 2]}))


def test_icc_matches_psych_on_shrout_fleiss():
    data = pd.read_csv(DATA / "sf_shrout_fleiss.csv").melt(
        id_vars="target", var_name="judge", value_name="rating"
    )
    result = icc(data, targets="target", raters="judge", ratings="rating")
    # psych::ICC on Shrout & Fleiss's 6 targets x 4 judges (dwoll/RExRepos, content/posts/interRaterICC.md):
    #        ICC    F df1 df2       p lower bound upper bound
    # ICC1  0.17  1.8   5  18 0.16477      -0.133        0.72
    # ICC2  0.29 11.0   5  15 0.00013       0.019        0.76
    # ICC3  0.71 11.0   5  15 0.00013       0.342        0.95
    # ICC1k 0.44  1.8   5  18 0.16477      -0.884        0.91
    # ICC2k 0.62 11.0   5  15 0.00013       0.071        0.93
    # ICC3k 0.91 11.0   5  15 0.00013       0.676        0.99
    published = {
        "ICC1": (0.17, 1.8, 5, 18, 0.16477, -0.133, 0.72),
        "ICC2": (0.29, 11.0, 5, 15, 0.00013, 0.019, 0.76),
        "ICC3": (0.71, 11.0, 5, 15, 0.00013, 0.342, 0.95),
        "ICC1k": (0.44, 1.8, 5, 18, 0.16477, -0.884, 0.91),
        "ICC2k": (0.62, 11.0, 5, 15, 0.00013, 0.071, 0.93),
        "ICC3k": (0.91, 11.0, 5, 15, 0.00013, 0.676, 0.99),
    }
    for kind, (value, f, df1, df2, p, low, high) in published.items():
        row = result.loc[kind]
        assert round(row["icc"], 2) == value and round(row["F"], 1) == f
        assert (row["df1"], row["df2"]) == (df1, df2)
        assert round(row["p"], 5) == p
        assert round(row["ci_low"], 3) == low and round(row["ci_high"], 2) == high
    with pytest.raises(ValueError, match="complete two-way"):
        icc(data.iloc[1:], targets="target", raters="judge", ratings="rating")
