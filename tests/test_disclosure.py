"""Disclosure control: groups below the minimum lose every number, keep their labels, and say why."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.disclosure import protect


def test_small_groups_are_blanked_and_labelled():
    table = pd.DataFrame(
        {
            "agency": ["A", "B"],
            "role": ["mentor", "mentor"],
            "n": [12, 3],
            "mean_diff": [0.4, 1.2],
            "ci_low": [0.1, 0.2],
        }
    )
    result = protect(table, 5, labels=("agency", "role"))
    assert result["suppressed"].tolist() == [False, True]
    assert result.loc[1, ["n", "mean_diff", "ci_low"]].isna().all()
    assert result.loc[1, "agency"] == "B" and "fewer than 5" in result.loc[1, "note"]
    assert result.loc[0, "mean_diff"] == 0.4 and table.loc[1, "mean_diff"] == 1.2  # the input is not changed


def test_any_small_count_column_hides_the_row():
    table = pd.DataFrame({"construct": ["k"], "n_completers": [40], "n_dropouts": [2], "difference": [0.3]})
    assert protect(table, 5, labels=("construct",))["suppressed"].tolist() == [True]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="count column"):
        protect(pd.DataFrame({"mean": [1.0]}), 5)
    with pytest.raises(ValueError, match="at least 1"):
        protect(pd.DataFrame({"n": [10]}), 0)
