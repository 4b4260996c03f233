"""mixed_model against lme4, dyadic_model and apim against nlme::gls (published outputs).

The R calls behind the expected values: tests/R/stats_models.R (data in tests/data/).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from evaluation.stats import apim, dyadic_model, mixed_model

from .conftest import DATA


def test_mixed_model_matches_lmer_on_sleepstudy():
    data = pd.read_csv(DATA / "sleepstudy.csv")
    result = mixed_model("Reaction ~ Days", data, "Subject")
    # R: summary(lmer(Reaction ~ Days + (1 | Subject), sleepstudy)) (selva86.github.io,
    # Random-Intercepts-and-Slopes-in-R): Subject variance 1378.2, Residual 960.5;
    # (Intercept) 251.4051 (SE 9.7467, t 25.79), Days 10.4673 (SE 0.8042, t 13.02).
    coef = result.coefficients
    assert coef.loc["Intercept", "estimate"] == pytest.approx(251.4051, abs=5e-5)
    assert coef.loc["Intercept", "se"] == pytest.approx(9.7467, abs=5e-5)
    assert coef.loc["Days", "estimate"] == pytest.approx(10.4673, abs=5e-5)
    assert coef.loc["Days", "se"] == pytest.approx(0.8042, abs=5e-5)
    assert coef.loc["Days", "statistic"] == pytest.approx(13.02, abs=5e-3)
    assert result.variance["Subject"] == pytest.approx(1378.2, abs=0.05)
    assert result.variance["residual"] == pytest.approx(960.5, abs=0.05)
    assert result.converged and result.n_groups == 18 and result.n_obs == 180


def test_mixed_model_with_nested_groups_and_bad_input():
    rng = np.random.default_rng(3)
    agency = np.repeat(np.arange(6), 20)
    person = np.repeat(np.arange(60), 2)
    wave = np.tile([0, 1], 60)
    y = 0.5 * wave + rng.normal(0, 0.5, 6)[agency] + rng.normal(0, 1, 60)[person] + rng.normal(0, 0.7, 120)
    data = pd.DataFrame({"y": y, "wave": wave, "agency": agency, "person": person})
    result = mixed_model("y ~ wave", data, "agency", nested="person")
    assert set(result.variance.index) == {"agency", "person", "residual"}
    low, high = result.coefficients.loc["wave", ["ci_low", "ci_high"]]
    assert low < 0.5 < high
    with pytest.raises(ValueError, match="not in the data"):
        mixed_model("y ~ wave", data, "team")
    with pytest.raises(ValueError, match="at least two groups"):
        mixed_model("y ~ wave", data.assign(agency=1), "agency")


@pytest.fixture
def acipair():
    return pd.read_csv(DATA / "acipair.csv")


def test_dyadic_model_matches_nlme_gls_indistinguishable(acipair):
    result = dyadic_model("Satisfaction_A ~ OtherPos_A + OtherPos_P", acipair, "CoupleID")
    # R: gls(satisfaction_A ~ other_pos_A + other_pos_P, correlation = corCompSymm(form = ~1|cuplid),
    #        na.action = na.omit)
    # (RandiLGarcia/2day-dyad-workshop, Day 1/R Code/Day_1-Actor-Partner_Interdependence_Model):
    #   Rho 0.4693414; logLik -148.3591; residual standard error 0.4173659
    #   (Intercept) 0.6697541 (0.3224381, t 2.077155); other_pos_A 0.4004231 (0.0473141, t 8.463075);
    #   other_pos_P 0.2879705 (0.0473141, t 6.086351)
    coef = result.coefficients
    expected = {"Intercept": (0.6697541, 0.3224381), "OtherPos_A": (0.4004231, 0.0473141),
                "OtherPos_P": (0.2879705, 0.0473141)}  # fmt: skip
    for term, (estimate, se) in expected.items():
        assert coef.loc[term, "estimate"] == pytest.approx(estimate, abs=5e-7)
        assert coef.loc[term, "se"] == pytest.approx(se, abs=5e-7)
    assert coef.loc["OtherPos_A", "statistic"] == pytest.approx(8.463075, abs=5e-6)
    assert result.rho == pytest.approx(0.4693414, abs=5e-7)
    assert result.loglik == pytest.approx(-148.3591, abs=5e-5)
    assert np.sqrt(result.variance["residual"]) == pytest.approx(0.4173659, abs=5e-7)
    empty = dyadic_model("Satisfaction_A ~ 1", acipair, "CoupleID")
    # Empty model in the same source: intercept 3.60473 (SE 0.03674615), Rho 0.61847.
    assert empty.coefficients.loc["Intercept", "se"] == pytest.approx(0.03674615, abs=5e-9)
    assert empty.rho == pytest.approx(0.61847, abs=5e-6)


def test_apim_matches_nlme_two_intercept_model(acipair):
    indistinguishable = apim(acipair, outcome="Satisfaction_A", predictor="OtherPos_A", dyad="CoupleID")
    assert indistinguishable.coefficients.loc["actor", "estimate"] == pytest.approx(0.4004231, abs=5e-7)
    assert indistinguishable.coefficients.loc["partner", "estimate"] == pytest.approx(0.2879705, abs=5e-7)
    result = apim(acipair, outcome="Satisfaction_A", predictor="OtherPos_A", dyad="CoupleID", role="Gender_A")
    # R: gls(satisfaction_A ~ gender_A + other_pos_A:gender_A + other_pos_P:gender_A - 1,
    #        correlation = corCompSymm(form = ~1|cuplid), weights = varIdent(form = ~1|gender_A))
    # (same source): logLik -150.1108; husband intercept 0.6904589, actor 0.4243866 (0.0677157),
    # partner 0.2616498 (0.0614025); wife intercept 0.6112485, actor 0.3777000 (0.0739222),
    # partner 0.3214782 (0.0815225); rho 0.4751092 (from the equivalent interaction model).
    coef = result.coefficients
    expected = {"actor:Husband": (0.4243866, 0.0677157), "partner:Husband": (0.2616498, 0.0614025),
                "actor:Wife": (0.3777000, 0.0739222), "partner:Wife": (0.3214782, 0.0815225)}  # fmt: skip
    for term, (estimate, se) in expected.items():
        assert coef.loc[term, "estimate"] == pytest.approx(estimate, abs=5e-7)
        assert coef.loc[term, "se"] == pytest.approx(se, abs=5e-7)
    assert coef.loc["Husband", "estimate"] == pytest.approx(0.6904589, abs=5e-7)
    assert coef.loc["Wife", "estimate"] == pytest.approx(0.6112485, abs=5e-7)
    assert result.loglik == pytest.approx(-150.1108, abs=5e-5)
    assert result.rho == pytest.approx(0.4751092, abs=5e-6)


def test_negative_within_dyad_correlation_where_mixedlm_cannot_follow():
    # Dyad members who compete (one high, the other low) are negatively correlated. nlme's
    # corCompSymm estimates rho < 0; a random intercept (statsmodels MixedLM, lmer) cannot, collapses
    # its variance to zero and reports standard errors that ignore the dependence.
    rng = np.random.default_rng(11)
    n = 400
    dyad = np.repeat(np.arange(n), 2)
    x = rng.normal(0, 1, 2 * n)
    shared = rng.normal(0, 1, n)[dyad] * np.tile([1, -1], n)  # opposite signs within a dyad
    y = 1 + 0.5 * x + 0.8 * shared + rng.normal(0, 0.6, 2 * n)
    data = pd.DataFrame({"y": y, "x": x, "dyad": dyad, "xbar": pd.Series(x).groupby(dyad).transform("mean")})
    result = dyadic_model("y ~ xbar", data, "dyad")
    true_rho = -0.64 / (0.64 + 0.36)
    assert result.rho == pytest.approx(true_rho, abs=0.08)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MixedLM warns that it cannot converge: that is the point
        mixed = smf.mixedlm("y ~ xbar", data, groups=data["dyad"]).fit(reml=True)
    # The dyad-level predictor's SE: GLS accounts for the negative dependence, MixedLM does not.
    assert result.coefficients.loc["xbar", "se"] < 0.8 * mixed.bse_fe["xbar"]
    # The GLS SE is the analytic one: Var(b) = sigma^2 (1 + rho) / 2 / sum((xbar - mean)^2) per dyad.
    dyads = data.drop_duplicates("dyad")
    analytic = np.sqrt(
        result.variance["residual"]
        * (1 + result.rho)
        / 2
        / ((dyads["xbar"] - dyads["xbar"].mean()) ** 2).sum()
    )
    assert result.coefficients.loc["xbar", "se"] == pytest.approx(analytic, rel=1e-6)


def test_dyadic_inputs_are_validated():
    data = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "x": [1.0, 2, 3, 1, 2, 3], "d": [1, 1, 1, 2, 2, 2]})
    with pytest.raises(ValueError, match="at most two"):
        dyadic_model("y ~ x", data, "d")
    with pytest.raises(ValueError, match="no dyad has two members"):
        dyadic_model("y ~ x", data.assign(d=range(6)), "d")
    with pytest.raises(ValueError, match="must differ"):
        apim(data.assign(d=[1, 1, 2, 2, 3, 3], r="same"), outcome="y", predictor="x", dyad="d", role="r")
