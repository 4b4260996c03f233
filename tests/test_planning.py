"""Power for the next cohort (issue 13, "What to build" 8): checked against pingouin's power_ttest
(paired, two-sided; Vallat 2018, JOSS 3(31), 1026), which agrees with G*Power (Faul et al., 2007)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from evaluation.planning import plan_next_cohort


def _scores(n: int, seed: int, drop: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        pre = rng.normal(3, 0.6)
        rows.append((f"x{i}", "adept", "c", "pre", pre))
        if i >= drop:
            rows.append((f"x{i}", "adept", "c", "post", pre + 0.2 + rng.normal(0, 0.5)))
    return pd.DataFrame(rows, columns=["pseudonym", "role", "construct", "wave", "score"])


def test_detectable_change_and_pairs_needed_match_pingouin():
    scores = _scores(40, seed=1, drop=8)
    row = plan_next_cohort(scores, [("c", "adept"), ("d", "mentor")], 50, change=0.3).iloc[0]
    assert row["attrition"] == pytest.approx(8 / 40) and row["n_expected"] == pytest.approx(40)
    assert row["alpha"] == pytest.approx(0.025)  # alpha over the two primary outcomes
    d = pg.power_ttest(n=40, power=0.8, alpha=0.025, contrast="paired")
    assert row["detectable_d"] == pytest.approx(d, rel=1e-3)
    assert row["detectable_change"] == pytest.approx(d * row["sd_change"], rel=1e-3)
    n = pg.power_ttest(d=0.3 / row["sd_change"], power=0.8, alpha=0.025, contrast="paired")
    assert row["pairs_needed"] == pytest.approx(n / (1 - 0.2), rel=1e-3)


def test_a_larger_cohort_detects_smaller_changes_and_errors_are_named():
    scores = _scores(40, seed=2, drop=4)
    small = plan_next_cohort(scores, [("c", "adept")], 20).iloc[0]
    large = plan_next_cohort(scores, [("c", "adept")], 80, attrition=0.1).iloc[0]
    assert large["detectable_change"] < small["detectable_change"]
    assert np.isnan(small["pairs_needed"])
    with pytest.raises(ValueError, match="attrition"):
        plan_next_cohort(scores, [("c", "adept")], 20, attrition=1.0)
    with pytest.raises(ValueError, match="no primary outcome"):
        plan_next_cohort(scores, [("z", "adept")], 20)


def test_the_plan_command_prints_every_primary_outcome(cohorts):
    from typer.testing import CliRunner

    from evaluation.cli import app

    _, (first, _) = cohorts
    result = CliRunner().invoke(
        app, ["plan", str(first), "--pairs", "60", "--change", "0.3"], terminal_width=200
    )
    if result.exit_code == 2:  # a 6-pair cohort may have fewer than 3 complete answers per outcome
        assert "no primary outcome" in result.output
        return
    assert result.exit_code == 0, result.output
    assert "60 par / pairs" in result.output and "intergen_understanding" in result.output
    bad = CliRunner().invoke(app, ["plan", str(first), "--pairs", "1"])
    assert bad.exit_code == 2 and "pairs must be at least 2" in bad.output
