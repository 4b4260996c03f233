"""The primary estimate of change: one mixed model per construct that uses every answer given.

Complete-case change (`evaluation.outcomes.cohort_change`) drops everyone who missed a wave. Here each
construct gets one linear mixed model

    score ~ wave * role,  random intercepts for pairs and for participants within pairs
    (and, when the cohort has at least three agencies and their variance is not zero, a random
    intercept and a random wave effect per agency: agencies differ in how much they change)

fitted by REML to every score at baseline and follow-up (missing at random given the model: a
participant who dropped out still informs the baseline level, their pair and their agency). Its
validity under MAR rests on the model: random intercepts imply equal variances at both waves and one
correlation between them (compound symmetry), which is what regression to the mean looks like when
those who start low are the ones who leave; the complete-case change is kept as the sensitivity
analysis, and `tipping_point` says how far from MAR the dropouts would have to be. The
change per role is the wave effect for adepts and wave + wave:role for mentors, with a Wald interval
on a t distribution; ``g`` divides it by the role's baseline SD. When agencies vary in change (the
agency level is in the model), part of the change's variance is agency-to-agency variation estimated
from few agencies. Its degrees of freedom come from Satterthwaite's approximation for a sum of two
variance estimates: the agency part ``a = tau^2 / G`` (tau^2 the variance of the agency's wave
effect, G agencies, G - 1 df) and the rest ``b = se^2 - a`` (participants, N - p df),
``df = se^4 / (a^2 / (G - 1) + b^2 / (N - p))``; it lies between G - 1 (all agency) and N - p (no
agency variation in change). Without the agency level, the normal distribution. With six agencies a
Wald z was anti-conservative: on realistic synthetic cohorts its 95 % intervals covered the true
change 90 % of the time (benchmarks/claims_calibration.py); the containment rule (G - 1 df always)
was needlessly wide when agencies hardly vary in change.

`tipping_point` asks how different the dropouts would have to be to overturn a claim: under a
delta-adjusted pattern-mixture assumption, the dropouts' unobserved change is their MAR prediction
plus delta (in scale points), which moves the estimate by delta x (share of dropouts); the tipping
delta is the one at which the adjusted p would reach alpha.

References
----------
Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance components.
Biometrics Bulletin, 2(6), 110-114.
Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects models using
lme4. Journal of Statistical Software, 67(1), 1-48.
Ratitch, B., O'Kelly, M., & Tosiello, R. (2013). Missing data in clinical trials: from clinical
assumptions to statistical analysis using pattern mixture models. Pharmaceutical Statistics, 12(6),
337-347.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats as sps

__all__ = ["CHANGE_COLUMNS", "change_from_everyone", "tipping_point"]

CHANGE_COLUMNS = [
    "construct",
    "role",
    "n",
    "n_any",
    "n_dropouts",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p",
    "df",
    "g",
    "g_ci_low",
    "g_ci_high",
    "levels",
    "note",
]
"""Columns of `change_from_everyone`."""


_LEVELS = {
    "agency": "agency (level and change), pair, participant",
    "agency1": "agency (level and change), participant",
    "pair": "pair, participant",
    "participant": "participant",
}


def _fit(data: pd.DataFrame, formula: str, level: str):
    """Fit the model with random intercepts down from `level` (agency, pair or participant)."""
    both_roles = data["role"].nunique() == 2
    if level == "agency":
        vc = {"participant": "0 + C(pseudonym)"}
        if both_roles:  # a pair level only where pairs have two members answering
            vc = {"pair": "0 + C(pair_id)"} | vc
        # Agencies differ in level and in change: a random intercept and a random wave effect, so
        # that the change's interval allows for agency-to-agency variation in change.
        model = smf.mixedlm(formula, data, groups=data["agency"], vc_formula=vc, re_formula="1 + wave")
    elif level == "pair":
        vc = {"participant": "0 + C(pseudonym)"}
        model = smf.mixedlm(formula, data, groups=data["pair_id"], vc_formula=vc, re_formula="1")
    else:
        model = smf.mixedlm(formula, data, groups=data["pseudonym"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(reml=True, method=["lbfgs", "powell"])


def _fit_cascade(data: pd.DataFrame, formula: str) -> tuple[object, str, str]:
    """Fit the richest model the data support: agencies (three or more, with variance), pairs, people."""
    notes = []
    pairs = ["pair"] if data["role"].nunique() == 2 else []
    candidates = (["agency"] if data["agency"].nunique() >= 3 else []) + pairs + ["participant"]
    for level in candidates:
        try:
            result = _fit(data, formula, level)
        except (np.linalg.LinAlgError, ValueError) as exc:
            notes.append(f"{level} level not estimable ({type(exc).__name__})")
            continue
        variances = np.diag(result.cov_re.to_numpy()) if result.cov_re.size else np.zeros(1)
        if level == "agency" and not (np.all(np.isfinite(variances)) and variances.max() > 1e-6):
            notes.append("agency variance zero: agency level left out")
            continue
        if not result.converged:
            notes.append("the optimiser did not converge")
        name = "agency1" if level == "agency" and not pairs else level
        return result, _LEVELS[name], "; ".join(notes)
    raise ValueError("no mixed model could be fitted: " + "; ".join(notes))


def change_from_everyone(scores: pd.DataFrame, construct: str, *, confidence: float = 0.95) -> pd.DataFrame:
    """Return the change per role of one construct from a mixed model of every answer given.

    Parameters
    ----------
    scores : pandas.DataFrame
        From `evaluation.scoring.score` (pseudonym, pair_id, agency, role, wave, construct, score).
    construct : str
        A construct asked at baseline and follow-up.
    confidence : float
        Level of the Wald intervals.

    Returns
    -------
    pandas.DataFrame
        One row per role answering the construct, columns `CHANGE_COLUMNS`: n (participants with both
        waves, the group size for claims), n_any (with at least one), n_dropouts (baseline only),
        estimate (change in scale points), se, ci_low, ci_high, p (Wald, on t with ``df``), df (agencies
        - 1 to N - p by Satterthwaite with the agency level, else infinite: the normal distribution),
        g (estimate over the
        role's baseline SD) with its interval, levels (the random intercepts used), note.

    Raises
    ------
    ValueError
        If the construct has no scores at both waves.
    """
    data = scores[
        (scores["construct"] == construct) & scores["wave"].isin(["pre", "post"]) & scores["score"].notna()
    ]
    data = data.copy()
    if data["wave"].nunique() < 2:
        raise ValueError(f"{construct!r} has no scores at both baseline and follow-up")
    data["wave"] = pd.Categorical(data["wave"], ["pre", "post"])
    roles = sorted(data["role"].unique(), key=["adept", "mentor"].index)
    data["role"] = pd.Categorical(data["role"], roles)
    formula = "score ~ wave * role" if len(roles) == 2 else "score ~ wave"
    result, levels, note = _fit_cascade(data, formula)
    params, cov = result.fe_params, result.cov_params()
    agencies = data["agency"].nunique()
    slope = "wave[T.post]"
    tau2 = float(result.cov_re.loc[slope, slope]) if levels.startswith("agency") else 0.0
    residual_df = max(data["pseudonym"].nunique() - len(params), 1)
    waves = data.pivot_table(
        index=["pseudonym", "role"], columns="wave", values="score", aggfunc="first", observed=True
    )
    rows = []
    for role in roles:
        terms = ["wave[T.post]"] + ([f"wave[T.post]:role[T.{role}]"] if role != roles[0] else [])
        estimate = float(sum(params[t] for t in terms))
        variance = float(sum(cov.loc[a, b] for a in terms for b in terms))
        se = float(np.sqrt(variance)) if variance >= 0 else np.nan  # a failed fit: no interval
        df = _satterthwaite(variance, tau2, agencies, residual_df)
        z = float(sps.t.ppf(0.5 + confidence / 2, df))
        mine = waves.xs(role, level="role")
        complete = int(mine[["pre", "post"]].notna().all(axis=1).sum()) if "post" in mine else 0
        dropouts = int((mine["pre"].notna() & mine["post"].isna()).sum()) if "post" in mine else 0
        sd = float(mine["pre"].std(ddof=1))
        low, high = estimate - z * se, estimate + z * se
        rows.append(
            {
                "construct": construct,
                "role": role,
                "n": complete,
                "n_any": len(mine),
                "n_dropouts": dropouts,
                "estimate": estimate,
                "se": se,
                "ci_low": low,
                "ci_high": high,
                "p": float(2 * sps.t.sf(abs(estimate / se), df)) if se > 0 else np.nan,
                "df": df,
                "g": estimate / sd if sd > 0 else np.nan,
                "g_ci_low": low / sd if sd > 0 else np.nan,
                "g_ci_high": high / sd if sd > 0 else np.nan,
                "levels": levels,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _satterthwaite(variance: float, tau2: float, agencies: int, residual_df: int) -> float:
    """Return the df of a change whose variance has an agency part tau2 / G (G - 1 df) and a rest.

    Infinite (the normal distribution) without agency variation in change.
    """
    if not (tau2 > 0 and variance > 0 and agencies > 1):
        return np.inf
    agency = min(tau2 / agencies, variance)
    rest = variance - agency
    return float(variance**2 / (agency**2 / (agencies - 1) + rest**2 / residual_df))


def tipping_point(
    estimate: float,
    se: float,
    p: float,
    p_adj: float,
    n: int,
    n_dropouts: int,
    *,
    alpha: float = 0.05,
    df: float = np.inf,
) -> float:
    """Return the shift in the dropouts' change (scale points) that would overturn a claim.

    Under the delta-adjusted assumption, the estimate becomes ``estimate + delta * f`` with ``f =
    n_dropouts / (n + n_dropouts)``; the claim is overturned when its adjusted p reaches `alpha`, i.e.
    when ``|t|`` falls to the critical value of the outcome's own threshold ``alpha * p / p_adj``
    (its place in the family's adjustment). The standard error is kept (the imputed values add no
    information), which makes the tipping point slightly conservative.

    Parameters
    ----------
    estimate, se, p, p_adj : float
        The primary estimate, its standard error, and its unadjusted and family-adjusted p.
    n, n_dropouts : int
        Participants with both waves, and with baseline only.
    alpha : float
        The level of the claim.
    df : float
        The degrees of freedom of the estimate's t reference (`change_from_everyone`; infinite: normal).

    Returns
    -------
    float
        delta (negative for an increase: how much lower the dropouts' change would have to be);
        NaN when there is no claim to overturn or no dropout.
    """
    if not (p_adj < alpha) or n_dropouts == 0 or not se > 0 or not p > 0:
        return float("nan")
    threshold = alpha * p / p_adj
    critical = float(sps.t.isf(threshold / 2, df))
    share = n_dropouts / (n + n_dropouts)
    sign = 1.0 if estimate > 0 else -1.0
    return (sign * critical * se - estimate) / share
