"""paired_power, detectable_change and pairs_needed against G*Power output, pingouin and first principles.

The paired t-test is G*Power's "Means: difference between two dependent means (matched pairs)", i.e. a
one-sample t-test on the differences (Faul, Erdfelder, Lang & Buchner, 2007, Behavior Research Methods
39(2), 175-191).
"""

from __future__ import annotations

import math

import numpy as np
import pingouin as pg
import pytest
from scipy import integrate, stats

from evaluation.stats import detectable_change, paired_power, pairs_needed

EFFECTS = [0.2, 0.3, 0.5, 0.8]
SIZES = [10, 20, 40, 100]


def sig3(x: float) -> float:
    """Round to 3 significant digits."""
    return float(f"{x:.3g}")


# --- published G*Power values -------------------------------------------------------------------------


def test_gpower_a_priori_medium_effect():
    # G*Power 3.1, t tests, matched pairs, a priori, two tails, dz = 0.5, alpha = .05, power = .80:
    #   noncentrality 2.9154759, critical t 2.0345153, Df 33, total sample size 34, actual power 0.8077775
    n = paired_power(effect=0.5, power=0.80, alpha=0.05)
    assert n == pytest.approx(33.367, abs=5e-4)
    assert math.ceil(n) == 34
    assert paired_power(effect=0.5, n=34) == pytest.approx(0.8077775, abs=5e-8)
    assert 0.5 * math.sqrt(34) == pytest.approx(2.9154759, abs=5e-8)  # the noncentrality G*Power prints


def test_gpower_manual_cohen_matched_pairs_example():
    # G*Power 3.1 manual, "Means: difference between two dependent means (matched pairs)", replicating
    # Cohen (1969, p. 48): d = 0.4 between groups, r = .55 between IQ-matched pupils, 50 pairs, two-sided
    # alpha = .05 -> dz = 0.4 / sqrt(2 (1 - .55)) = 0.421637, post hoc power 0.832114.
    dz = 0.4 / math.sqrt(2 * (1 - 0.55))
    assert dz == pytest.approx(0.421637, abs=5e-7)
    assert paired_power(effect=dz, n=50) == pytest.approx(0.832114, abs=5e-7)


def test_gpower_one_sample_post_hoc_handout():
    # Wuensch, K. L., "G*Power: t Tests" (East Carolina University handout, GPower3-T): one sample,
    # d = 5/15 = 1/3, N = 25, two tails, alpha = .05 -> G*Power power = 0.360. (A paired test is this
    # one-sample test on the differences.)
    assert paired_power(effect=1 / 3, n=25) == pytest.approx(0.360, abs=5e-4)


def test_gpower_weight_loss_example():
    # UCLA OARC, "Power analysis for paired sample t-test | G*Power data analysis examples", example 1:
    # mean weight change 5 lb, SD of the change 5 lb (dz = 1), power .80, two tails -> total sample size 10,
    # actual power 0.8030969.
    needed = pairs_needed(change=5, sd_change=5, power=0.80)
    assert math.ceil(needed) == 10
    assert needed == pytest.approx(9.938, abs=5e-4)
    assert paired_power(effect=1.0, n=10) == pytest.approx(0.8030969, abs=5e-7)
    assert paired_power(effect=1.0, n=9) < 0.80  # so 9 pairs are not enough


# --- independent of the noncentral-t code --------------------------------------------------------------


def power_by_quadrature(d: float, n: int, alpha: float = 0.05) -> float:
    """Two-sided power from the definition T = (Z + delta) / S, S = sqrt(V / df), V ~ chi2(df).

    P(|T| > c) = E_V[Phi(delta - c S) + Phi(-delta - c S)], integrated numerically over the chi-square
    density: no noncentral-t routine is involved.
    """
    df = n - 1
    delta = d * math.sqrt(n)
    crit = stats.t.ppf(1 - alpha / 2, df)

    def integrand(v: float) -> float:
        s = math.sqrt(v / df)
        return (stats.norm.cdf(delta - crit * s) + stats.norm.cdf(-delta - crit * s)) * stats.chi2.pdf(v, df)

    value, _ = integrate.quad(integrand, 0, np.inf, limit=200, epsabs=1e-12)
    return value


@pytest.mark.parametrize("d", EFFECTS)
@pytest.mark.parametrize("n", SIZES)
def test_power_matches_quadrature_of_definition(d, n):
    assert paired_power(effect=d, n=n) == pytest.approx(power_by_quadrature(d, n), abs=1e-7)


def test_power_matches_monte_carlo_simulation():
    # 40,000 simulated studies of 34 pairs with dz = 0.5, each tested with a plain paired t statistic.
    # Binomial SE of the rejection rate is sqrt(.81 * .19 / 40000) = 0.002; allow 4 SE.
    rng = np.random.default_rng(20240613)
    diffs = rng.normal(loc=0.5, scale=1.0, size=(40_000, 34))
    t = diffs.mean(axis=1) / (diffs.std(axis=1, ddof=1) / math.sqrt(34))
    rejected = np.mean(np.abs(t) > stats.t.ppf(0.975, 33))
    assert paired_power(effect=0.5, n=34) == pytest.approx(rejected, abs=0.008)


def test_normal_approximation_is_close_but_below():
    # Large-sample formula with Guenther's correction: n ~ ((z_{1-a/2} + z_{1-b}) / d)^2 + z_{1-a/2}^2 / 2
    # (Cohen 1988, ch. 2 uses the same normal logic); the exact t answer is slightly larger.
    z_a, z_b = stats.norm.ppf(0.975), stats.norm.ppf(0.80)
    approx = ((z_a + z_b) / 0.5) ** 2 + z_a**2 / 2
    exact = paired_power(effect=0.5, power=0.80)
    assert approx < exact < approx + 0.2


# --- against pingouin, all three directions ------------------------------------------------------------


@pytest.mark.parametrize("d", EFFECTS)
@pytest.mark.parametrize("n", SIZES)
def test_power_matches_pingouin(d, n):
    # pingouin.power_ttest(d, n, contrast="paired", alternative="two-sided")
    expected = pg.power_ttest(d=d, n=n, contrast="paired", alternative="two-sided")
    assert sig3(paired_power(effect=d, n=n)) == sig3(expected)


@pytest.mark.parametrize("d", EFFECTS)
@pytest.mark.parametrize("power", [0.8, 0.9])
def test_n_matches_pingouin(d, power):
    expected = pg.power_ttest(d=d, power=power, contrast="paired", alternative="two-sided")
    assert sig3(paired_power(effect=d, power=power)) == sig3(expected)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("power", [0.8, 0.9])
def test_effect_matches_pingouin(n, power):
    expected = pg.power_ttest(n=n, power=power, contrast="paired", alternative="two-sided")
    assert sig3(paired_power(n=n, power=power)) == sig3(expected)


def test_alpha_is_used():
    # stricter alpha -> more pairs; pingouin agrees at alpha = .01
    strict = paired_power(effect=0.5, power=0.8, alpha=0.01)
    expected = pg.power_ttest(d=0.5, power=0.8, alpha=0.01, contrast="paired")
    assert strict > paired_power(effect=0.5, power=0.8)
    assert sig3(strict) == sig3(expected)


# --- round trips and shape of the answer ---------------------------------------------------------------


@pytest.mark.parametrize("d", EFFECTS)
@pytest.mark.parametrize("power", [0.5, 0.8, 0.95])
def test_round_trip_n_then_power(d, power):
    n = paired_power(effect=d, power=power)
    assert paired_power(effect=d, n=n) == pytest.approx(power, abs=1e-9)
    assert paired_power(n=n, power=power) == pytest.approx(d, rel=1e-8)


@pytest.mark.parametrize("n", SIZES)
def test_round_trip_effect_then_power(n):
    d = paired_power(n=n, power=0.8)
    assert paired_power(effect=d, n=n) == pytest.approx(0.8, abs=1e-9)


def test_returns_python_floats():
    for value in (
        paired_power(effect=0.5, n=34),
        paired_power(effect=0.5, power=0.8),
        paired_power(n=34, power=0.8),
        detectable_change(34, 2.0),
        pairs_needed(1.0, 2.0),
    ):
        assert type(value) is float


def test_power_increases_with_n_and_effect():
    powers = [paired_power(effect=0.5, n=n) for n in (5, 10, 20, 40)]
    assert powers == sorted(powers) and len(set(powers)) == 4
    assert paired_power(effect=0.2, n=20) < paired_power(effect=0.8, n=20)


def test_large_n_stays_finite():
    # scipy's nct.cdf gives NaN far in the lower tail; a tiny effect needs ~2e5 pairs and must still solve
    n = paired_power(effect=0.01, power=0.9)
    assert n == pytest.approx(105076, rel=1e-4)
    assert paired_power(effect=0.01, n=n) == pytest.approx(0.9, abs=1e-9)
    assert paired_power(effect=0.5, n=5000) == pytest.approx(1.0)


def test_huge_effect_needs_the_minimum_two_pairs():
    assert paired_power(effect=50, power=0.8) == 2.0


# --- detectable_change and pairs_needed ----------------------------------------------------------------


def test_detectable_change_in_scale_points():
    # 34 complete pairs detect dz = 0.49503 with power .80 (just under the 0.5 that needs 33.37 pairs; the
    # quadrature of the definition confirms the power); with SD of change 2.0 that is 0.990 points.
    dz = paired_power(n=34, power=0.8)
    assert dz == pytest.approx(0.49503, abs=5e-6)
    assert power_by_quadrature(dz, 34) == pytest.approx(0.8, abs=1e-7)
    assert detectable_change(34, 2.0) == pytest.approx(2.0 * dz)
    assert detectable_change(34, 2.0) == pytest.approx(0.990, abs=5e-4)
    assert detectable_change(34, 2.0, power=0.9) > detectable_change(34, 2.0)


def test_pairs_needed_inverts_detectable_change():
    change = detectable_change(40, 1.5, power=0.85, alpha=0.01)
    assert pairs_needed(change, 1.5, power=0.85, alpha=0.01) == pytest.approx(40, rel=1e-8)


def test_pairs_needed_attrition_and_sign():
    complete = pairs_needed(0.5, 1.0)
    assert complete == pytest.approx(33.367, abs=5e-4)
    assert pairs_needed(-0.5, 1.0) == pytest.approx(complete)  # a decline is as detectable as a gain
    # 20 % without both waves: invite 33.367 / 0.8 = 41.71, i.e. 42 per role
    invited = pairs_needed(0.5, 1.0, attrition=0.2)
    assert invited == pytest.approx(complete / 0.8)
    assert math.ceil(invited) == 42


# --- error paths ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"effect": 0.5},
        {"n": 30},
        {"power": 0.8},
        {},
        {"effect": 0.5, "n": 30, "power": 0.8},
    ],
)
def test_exactly_one_none(kwargs):
    with pytest.raises(ValueError, match="exactly one of effect, n, power"):
        paired_power(**kwargs)


@pytest.mark.parametrize("alpha", [0, 1, -0.05, 1.5, float("nan")])
def test_bad_alpha(alpha):
    with pytest.raises(ValueError, match=r"alpha .*got"):
        paired_power(effect=0.5, n=30, alpha=alpha)


@pytest.mark.parametrize("power", [0, 1, 1.2, -0.1])
def test_bad_power(power):
    with pytest.raises(ValueError, match=r"power must lie strictly between 0 and 1; got"):
        paired_power(effect=0.5, power=power)


@pytest.mark.parametrize("n", [1, 1.5, 0, -3])
def test_bad_n(n):
    with pytest.raises(ValueError, match=rf"n must be at least 2 .*got {n!r}"):
        paired_power(effect=0.5, n=n)


@pytest.mark.parametrize("effect", [0, -0.5])
def test_bad_effect(effect):
    with pytest.raises(ValueError, match=rf"effect must be greater than 0; got {float(effect)!r}"):
        paired_power(effect=effect, n=30)


def test_not_a_number():
    with pytest.raises(ValueError, match="n must be a number; got '30'"):
        paired_power(effect=0.5, n="30")
    with pytest.raises(ValueError, match="effect must be a number; got True"):
        paired_power(effect=True, n=30)


@pytest.mark.parametrize("power", [0.03, 0.05])
def test_unreachable_power(power):
    # power of a two-sided test is above alpha for every positive effect: asking for <= alpha cannot be met
    with pytest.raises(ValueError, match=rf"power {power!r} cannot be reached.*alpha 0.05"):
        paired_power(effect=0.5, power=power)
    with pytest.raises(ValueError, match="cannot be reached"):
        paired_power(n=30, power=power)


def test_too_many_pairs():
    with pytest.raises(ValueError, match="needs more than 1e\\+07 pairs"):
        paired_power(effect=1e-4, power=0.8)


def test_helpers_validate():
    with pytest.raises(ValueError, match=r"sd_change must be greater than 0; got 0.0"):
        detectable_change(30, 0)
    with pytest.raises(ValueError, match=r"sd_change must be greater than 0; got -1.0"):
        pairs_needed(1.0, -1)
    with pytest.raises(ValueError, match="change must not be 0"):
        pairs_needed(0, 1.0)
    with pytest.raises(ValueError, match=r"attrition must lie in \[0, 1\); got 1.0"):
        pairs_needed(1.0, 1.0, attrition=1)
    with pytest.raises(ValueError, match="n must be at least 2"):
        detectable_change(1, 1.0)
