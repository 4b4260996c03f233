"""Perception accuracy with a pair bootstrap (`evaluation.perception.accuracy`).

The simulations check the two properties the module claims: the bootstrap bias correction of the
group distance (Efron & Tibshirani 1993, ch. 10) and the coverage of the basic interval (Davison &
Hinkley 1997, ch. 5), and that pairs, not people or waves, are what is resampled.

References: Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman & Hall.
Davison, A. C., & Hinkley, D. V. (1997). Bootstrap methods and their application. Cambridge University
Press.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from evaluation.perception import COLUMNS, accuracy

ROLES = ("mentor", "adept")


def _items(templates, construct: str = "partner_values_perceived") -> tuple[list[str], list[str]]:
    beliefs = sorted(i.id for i in templates.items.values() if i.perception_of and i.construct == construct)
    return beliefs, [templates.items[i].perception_of for i in beliefs]


def _frame(pseudonym, pair_id, role, wave, item, value) -> pd.DataFrame:
    return pd.DataFrame(
        {"pseudonym": pseudonym, "pair_id": pair_id, "role": role, "wave": wave, "item": item, "value": value}
    )


def _cohort(templates, own: dict, beliefs: dict, construct: str = "partner_values_perceived") -> pd.DataFrame:
    """Long responses from arrays: ``own[role]`` (pairs x values) answered at pre, ``beliefs[role, wave]``."""
    belief_items, own_items = _items(templates, construct)
    parts = []
    for role, values in own.items():
        n, v = values.shape
        parts.append(
            _frame(
                np.repeat([f"{role}{p:03d}" for p in range(n)], v),
                np.repeat([f"par{p:03d}" for p in range(n)], v),
                role,
                "pre",
                np.tile(own_items[:v], n),
                values.ravel(),
            )
        )
    for (role, wave), values in beliefs.items():
        n, v = values.shape
        parts.append(
            _frame(
                np.repeat([f"{role}{p:03d}" for p in range(n)], v),
                np.repeat([f"par{p:03d}" for p in range(n)], v),
                role,
                wave,
                np.tile(belief_items[:v], n),
                values.ravel(),
            )
        )
    return pd.concat(parts, ignore_index=True)


def _row(table: pd.DataFrame, measure: str, role: str, wave: str) -> pd.Series:
    found = table[(table["measure"] == measure) & (table["role"] == role) & (table["wave"] == wave)]
    assert len(found) == 1, (measure, role, wave)
    return found.iloc[0]


def test_bootstrap_bias_correction_reduces_the_upward_bias_of_the_group_distance(templates):
    """Efron & Tibshirani (1993, ch. 10): 2 * estimate - mean(replicates) removes most of the bias.

    200 cohorts of 12 pairs, 8 values, beliefs and answers N(mean, 1). The mentors' beliefs are off by
    known amounts per value (true distance = mean |delta| = 0.4); the adepts' beliefs are on target
    for every value (true distance 0). E|X| > |E X| makes the raw distance too large in both.
    At a truth of exactly 0 the correction cannot remove half the bias: for one value with
    X = s z, E[2|X| - E*|X*|] = s (2 * 0.798 - 1.128) = 0.468 s against E|X| = 0.798 s, a 41%
    reduction; there we ask only for a clear reduction.
    """
    rng = np.random.default_rng(20260113)
    delta = np.array([-0.6, -0.4, -0.2, 0.0, 0.2, 0.4, 0.6, 0.8])
    truth = {"mentor": np.abs(delta).mean(), "adept": 0.0}
    raw = {role: [] for role in ROLES}
    corrected = {role: [] for role in ROLES}
    for _ in range(200):
        own = {role: rng.normal(3, 1, (12, 8)) for role in ROLES}
        beliefs = {
            ("mentor", "pre"): rng.normal(3 + delta, 1, (12, 8)),
            ("adept", "pre"): rng.normal(3, 1, (12, 8)),
        }
        table = accuracy(
            _cohort(templates, own, beliefs), templates, n_boot=200, seed=int(rng.integers(2**31))
        )
        for role in ROLES:
            row = _row(table, "group", role, "pre")
            raw[role].append(row["estimate"])
            corrected[role].append(row["estimate_bc"])
    bias_raw = {role: np.mean(raw[role]) - truth[role] for role in ROLES}
    bias_bc = {role: np.mean(corrected[role]) - truth[role] for role in ROLES}
    # the raw estimate is clearly too large: Monte Carlo SE of the mean over 200 cohorts is ~0.006
    assert bias_raw["mentor"] > 0.05
    assert bias_raw["adept"] > 0.2
    # away from 0 the correction removes at least half of the bias (measured with this seed: 0.12 -> 0.04)
    assert abs(bias_bc["mentor"]) <= 0.5 * bias_raw["mentor"]
    # at the boundary (truth 0) still a clear reduction (theory without the floor: 41%; measured: 35%)
    assert abs(bias_bc["adept"]) <= 0.75 * bias_raw["adept"]


def test_basic_interval_covers_the_true_partner_error(templates):
    """200 cohorts of 40 pairs: the 95% basic interval of the partner error covers the truth ~95%.

    Beliefs and the partner's answers are independent N(3 + delta_v, 1) and N(3, 1), so a pair's
    absolute difference on value v is folded normal with mean mu = delta_v and sigma = sqrt(2); the
    truth is the mean over values of its expectation. Both roles count: 400 intervals.
    """
    rng = np.random.default_rng(7)
    delta = np.array([0.0, 0.5, -0.5, 1.0])
    sigma = np.sqrt(2)
    folded = sigma * np.sqrt(2 / np.pi) * np.exp(-(delta**2) / (2 * sigma**2)) + delta * (
        1 - 2 * sps.norm.cdf(-delta / sigma)
    )
    truth = folded.mean()
    covered = []
    for _ in range(200):
        own = {role: rng.normal(3, 1, (40, 4)) for role in ROLES}
        beliefs = {(role, "pre"): rng.normal(3 + delta, 1, (40, 4)) for role in ROLES}
        table = accuracy(
            _cohort(templates, own, beliefs), templates, n_boot=400, seed=int(rng.integers(2**31))
        )
        for role in ROLES:
            row = _row(table, "partner", role, "pre")
            assert row["pairs"] == 40
            covered.append(row["ci_low"] <= truth <= row["ci_high"])
    coverage = float(np.mean(covered))
    assert 0.90 <= coverage <= 0.98, coverage


def test_pairs_are_resampled_as_wholes_exact_cohort(templates):
    """Statistics that are constant over pairs are constant over every pair resample.

    The mentors' error falls by exactly 0.5 in every pair: if pre and post were resampled apart the
    gain would vary between resamples; resampling the pair keeps it at 0.5. The adepts' beliefs
    equal their own mentor's answers: if mentor and adept were resampled apart the group distance
    would not stay 0.
    """
    rng = np.random.default_rng(3)
    n, v = 6, 8
    own = {role: rng.integers(1, 6, (n, v)).astype(float) for role in ROLES}
    level = np.array([1.0, 1.5, 2.0, 3.0, 0.75, 2.5])[:, None]
    beliefs = {
        ("mentor", "pre"): own["adept"] + level,
        ("mentor", "post"): own["adept"] + level - 0.5,
        ("adept", "pre"): own["mentor"].copy(),
    }
    table = accuracy(_cohort(templates, own, beliefs), templates, n_boot=500, seed=1)
    gain = _row(table, "partner", "mentor", "change")
    assert gain["pairs"] == n
    assert gain["estimate"] == pytest.approx(0.5)
    assert gain["ci_low"] == pytest.approx(0.5) and gain["ci_high"] == pytest.approx(0.5)
    assert gain["bias"] == pytest.approx(0.0, abs=1e-12)
    pre = _row(table, "partner", "mentor", "pre")
    assert pre["estimate"] == pytest.approx(level.mean())
    assert pre["ci_high"] - pre["ci_low"] > 0.3  # the levels differ between pairs: a real interval
    together = _row(table, "group", "adept", "pre")
    assert together["estimate"] == pytest.approx(0.0, abs=1e-12)
    assert together["bias"] == pytest.approx(0.0, abs=1e-12)
    assert together["ci_high"] == pytest.approx(0.0, abs=1e-12)


def test_change_interval_uses_the_within_pair_correlation(templates):
    """Pair errors that persist from pre to post make the paired change interval far narrower.

    The comparison resamples the pre and the post pair errors independently (as if they were two
    samples), with the same number of resamples and the basic interval.
    """
    rng = np.random.default_rng(11)
    n, v = 40, 8
    own = {role: rng.normal(3, 1, (n, v)) for role in ROLES}
    level = rng.uniform(0.5, 3.0, (n, 1))
    beliefs = {
        ("mentor", "pre"): own["adept"] + level + rng.normal(0, 0.1, (n, v)),
        ("mentor", "post"): own["adept"] + level - 0.3 + rng.normal(0, 0.1, (n, v)),
    }
    data = _cohort(templates, own, beliefs)
    table = accuracy(data, templates, n_boot=1000, seed=2)
    gain = _row(table, "partner", "mentor", "change")
    paired_width = gain["ci_high"] - gain["ci_low"]

    pre_error = np.abs(beliefs["mentor", "pre"] - own["adept"]).mean(axis=1)
    post_error = np.abs(beliefs["mentor", "post"] - own["adept"]).mean(axis=1)
    assert gain["estimate"] == pytest.approx((pre_error - post_error).mean())
    assert np.corrcoef(pre_error, post_error)[0, 1] > 0.9
    draw = np.random.default_rng(2)
    independent = pre_error[draw.integers(0, n, (1000, n))].mean(axis=1) - post_error[
        draw.integers(0, n, (1000, n))
    ].mean(axis=1)
    low, high = np.quantile(independent, [0.025, 0.975])
    assert paired_width < 0.5 * (high - low)
    assert gain["ci_low"] <= gain["estimate"] <= gain["ci_high"]


def test_version_1_items_are_noted_and_group_floor(templates):
    """Version 1 asks about the other generation: the partner rows say so; a floored estimate is noted."""
    rng = np.random.default_rng(5)
    n = 5
    v = len(_items(templates, "work_values_perceived")[0])
    own = {"adept": rng.integers(1, 6, (n, v)).astype(float)}
    # every value's mean belief equals the adepts' mean answer, but no mentor is right about their own
    # adept: the group distance is 0 and every resample's is at least 0, so the bias is positive.
    beliefs = {("mentor", "pre"): np.roll(own["adept"], 1, axis=0)}
    table = accuracy(_cohort(templates, own, beliefs, "work_values_perceived"), templates, n_boot=300)
    assert list(table.columns) == COLUMNS
    assert set(table["role"]) == {"mentor"}
    partner = _row(table, "partner", "mentor", "pre")
    assert "other generation" in partner["note"]
    assert partner["estimate_bc"] == partner["estimate"]
    group = _row(table, "group", "mentor", "pre")
    assert group["estimate"] == pytest.approx(0.0, abs=1e-12)
    assert group["bias"] > 0
    assert group["estimate_bc"] == 0.0
    assert "floored at 0" in group["note"]
    # basic interval [2t - q_hi, 2t - q_lo] with t = 0 lies below 0: both limits set to 0 (a percentile
    # interval would lie above 0); the note says so
    assert group["ci_low"] == 0.0 and group["ci_high"] == 0.0
    assert "interval limit below 0 set to 0" in group["note"]
    # no follow-up: the post and change rows carry no estimate and say why
    post = _row(table, "group", "mentor", "post")
    assert post["pairs"] == 0 and np.isnan(post["estimate"]) and "no pairs" in post["note"]


def test_partner_rows_of_version_2_have_no_generation_note(templates):
    rng = np.random.default_rng(6)
    own = {role: rng.normal(3, 1, (5, 8)) for role in ROLES}
    beliefs = {(role, "pre"): rng.normal(3, 1, (5, 8)) for role in ROLES}
    table = accuracy(_cohort(templates, own, beliefs), templates, n_boot=50)
    partner = table[table["measure"] == "partner"]
    assert not partner["note"].str.contains("generation").any()
    assert partner["note"].str.contains("partner's own answer").all()
    assert table["note"].str.contains("gain = pre - post").sum() == 4


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.2, float("nan"), "0.95", True])
def test_bad_confidence(templates, confidence):
    data = _cohort(templates, {"adept": np.ones((3, 8))}, {("mentor", "pre"): np.ones((3, 8))})
    with pytest.raises(ValueError, match="confidence"):
        accuracy(data, templates, confidence=confidence)


@pytest.mark.parametrize("n_boot", [0, 1, -5, 2.5, True, "100"])
def test_bad_n_boot(templates, n_boot):
    data = _cohort(templates, {"adept": np.ones((3, 8))}, {("mentor", "pre"): np.ones((3, 8))})
    with pytest.raises(ValueError, match="n_boot"):
        accuracy(data, templates, n_boot=n_boot)


def test_missing_columns_are_named(templates):
    data = _cohort(templates, {"adept": np.ones((3, 8))}, {("mentor", "pre"): np.ones((3, 8))})
    with pytest.raises(ValueError, match="pair_id, value"):
        accuracy(data.drop(columns=["pair_id", "value"]), templates)


def test_no_perception_items(templates):
    data = _cohort(templates, {"adept": np.ones((3, 8))}, {("mentor", "pre"): np.ones((3, 8))})
    plain = templates.model_copy(
        update={"items": {k: i for k, i in templates.items.items() if not i.perception_of}}
    )
    with pytest.raises(ValueError, match="no perception items"):
        accuracy(data, plain)
    own_only = data[~data["item"].str.startswith("pv")]
    with pytest.raises(ValueError, match="no perception item"):
        accuracy(own_only, templates)


def test_on_an_ingested_synthetic_cohort(templates, tmp_path: Path, monkeypatch):
    from evaluation.ingest import ingest_cohort
    from evaluation.survey import load_templates
    from evaluation.synth import synthesize

    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", "en-lång-testnyckel-för-perception")
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY_FILE", raising=False)
    folder = tmp_path / "cohort"
    synthesize(folder, load_templates(), pairs=60, agencies=3, seed=5)
    ingest_cohort(folder, templates)
    responses = pd.read_parquet(folder / "processed" / "responses.parquet")
    table = accuracy(responses, templates)
    assert list(table.columns) == COLUMNS
    assert len(table) == 12
    for measure in ("partner", "group"):
        for role in ROLES:
            for wave in ("pre", "post", "change"):
                row = _row(table, measure, role, wave)
                assert 10 <= row["pairs"] <= 60
                assert np.isfinite([row["estimate"], row["bias"], row["ci_low"], row["ci_high"]]).all()
                assert row["ci_low"] <= row["estimate_bc"] <= row["ci_high"]
                assert row["note"]
    # the pre and post partner rows are the mean of the pair errors that outcomes computes
    from evaluation.outcomes import perception_accuracy

    pair_table, cohort = perception_accuracy(responses, templates)
    for role in ROLES:
        for wave in ("pre", "post"):
            mae = pair_table[(pair_table["role"] == role) & (pair_table["wave"] == wave)]["mae"]
            assert _row(table, "partner", role, wave)["estimate"] == pytest.approx(mae.mean())
            group = cohort[(cohort["role"] == role) & (cohort["wave"] == wave)]["group_error"].iloc[0]
            assert _row(table, "group", role, wave)["estimate"] == pytest.approx(group)
