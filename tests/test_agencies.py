"""Empirical-Bayes agency changes (issue 13, "What to build" 4).

The between-agency variance and the random-effects mean are checked against statsmodels'
``combine_effects(..., method_re="dl")`` (DerSimonian & Laird, 1986), an independent implementation;
the shrinkage against its definition (Morris, 1983) and by simulation: shrunken estimates are closer
to the agencies' true changes than the agencies' own means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from evaluation.agencies import shrunken_changes


def _scores(true: dict[str, float], n: int, seed: int, sd: float = 0.5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for agency, change in true.items():
        for i in range(n):
            pre = rng.normal(3, 0.5)
            post = pre + change + rng.normal(0, sd)
            for wave, value in (("pre", pre), ("post", post)):
                rows.append((f"{agency}{i}", agency, "adept", "c", wave, value))
    return pd.DataFrame(rows, columns=["pseudonym", "agency", "role", "construct", "wave", "score"])


def _shown(scores: pd.DataFrame, hidden=()):
    agencies = sorted(scores["agency"].unique())
    return pd.DataFrame(
        {
            "agency": agencies,
            "construct": "c",
            "role": "adept",
            "mean_diff": [np.nan if a in hidden else 0.0 for a in agencies],
        }
    )


def test_tau_and_the_cohort_mean_match_dersimonian_laird():
    scores = _scores({"A": -0.2, "B": 0.1, "C": 0.5, "D": 0.9, "E": 0.3}, n=12, seed=1)
    table = shrunken_changes(scores, _shown(scores)).set_index("agency")
    wide = scores.pivot_table(index=["agency", "pseudonym"], columns="wave", values="score")
    change = (wide["post"] - wide["pre"]).groupby(level="agency")
    counts = change.size()
    pooled = float(((counts - 1) * change.var()).sum() / (counts - 1).sum())
    reference = combine_effects(change.mean().to_numpy(), (pooled / counts).to_numpy(), method_re="dl")
    assert table["tau"].iloc[0] ** 2 == pytest.approx(reference.tau2)
    weight = table["weight"]
    mu = (table["shrunken"] - weight * table["raw"]) / (1 - weight)
    assert mu.to_numpy() == pytest.approx(np.full(5, reference.mean_effect_re))
    assert (table["ci_low"] < table["shrunken"]).all() and (table["shrunken"] < table["ci_high"]).all()


def test_no_variation_beyond_chance_gives_every_agency_the_cohort_estimate():
    scores = _scores({a: 0.3 for a in "ABCDEF"}, n=6, seed=2, sd=0.8)
    table = shrunken_changes(scores, _shown(scores))
    if table["tau"].iloc[0] == 0:
        assert table["shrunken"].nunique() == 1 and (table["weight"] == 0).all()
    assert table["shrunken"].std() < table["raw"].std()


def test_shrunken_estimates_are_closer_to_the_truth_than_the_agencies_own_means():
    rng = np.random.default_rng(3)
    raw_error = shrunk_error = 0.0
    for seed in range(40):
        true = {a: float(rng.normal(0.3, 0.15)) for a in "ABCDEFGH"}
        table = shrunken_changes(_scores(true, n=6, seed=seed), _shown(_scores(true, n=6, seed=seed)))
        truth = table["agency"].map(true)
        raw_error += float(((table["raw"] - truth) ** 2).sum())
        shrunk_error += float(((table["shrunken"] - truth) ** 2).sum())
    assert shrunk_error < 0.8 * raw_error


def test_hidden_agencies_get_no_estimate():
    scores = _scores({"A": 0.0, "B": 0.2, "C": 0.4}, n=8, seed=4)
    table = shrunken_changes(scores, _shown(scores, hidden={"B"}))
    assert table["agency"].tolist() == ["A", "C"]
