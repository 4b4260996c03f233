"""Agency estimates that do not over-claim: empirical-Bayes (shrunken) change per agency.

An agency of five pairs gives a noisy change; read alone, the largest and smallest agencies' changes
are mostly noise. Treating the agencies' true changes as draws around the cohort's change (a
random-effects model across agencies), each agency's estimate is pulled towards the cohort's by the
share of its variance that is noise:

    shrunken_a = mu + B_a (d_a - mu),   B_a = tau^2 / (tau^2 + v_a)

with d_a the agency's mean change over its participants with both waves, v_a = s^2 / n_a its sampling
variance (s^2 pooled within agencies), tau^2 the between-agency variance of true change
(DerSimonian-Laird moment estimator, floored at zero) and mu the precision-weighted mean. The
interval uses the posterior variance B_a v_a + (1 - B_a)^2 Var(mu) (Morris, 1983). With no variation
between agencies beyond chance (tau^2 = 0), every agency's estimate is the cohort's.

Agencies that disclosure control hides get no estimate; they still inform tau^2 and mu, as the
pooled "Övriga myndigheter" row already does.

References
----------
DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. Controlled Clinical Trials,
7(3), 177-188.
Morris, C. N. (1983). Parametric empirical Bayes inference: Theory and applications. Journal of the
American Statistical Association, 78(381), 47-55.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

__all__ = ["SHRUNKEN_COLUMNS", "answered_both_waves", "role_status", "shrunken_changes"]


def answered_both_waves(responses: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Return per (agency, role) how many participants answered both the baseline and the follow-up.

    Parameters
    ----------
    responses : pandas.DataFrame
        Long responses as ingest writes them (pseudonym, agency, role, wave, value).

    Returns
    -------
    dict
        (agency, role) to the number of participants with an answer at wave ``pre`` and at ``post``.
    """
    answered = responses[responses["wave"].isin(["pre", "post"])]
    waves = answered.groupby(["agency", "role", "pseudonym"], observed=True)["wave"].nunique()
    return {key: int(n) for key, n in (waves == 2).groupby(level=["agency", "role"]).sum().items()}


def role_status(answered_both: int, config) -> str:
    """Return what an agency page shows of a role: ``none``, ``no_claims`` (change only) or ``shown``.

    Parameters
    ----------
    answered_both : int
        The agency's participants in the role who answered both waves (`answered_both_waves`).
    config : evaluation.cohort.CohortConfig
        The cohort's settings: ``min_group_size`` (below it nothing is shown) and ``min_n_for_claims``
        (below it the change is shown without a conclusion).
    """
    if answered_both < config.min_group_size:
        return "none"
    return "no_claims" if answered_both < config.min_n_for_claims else "shown"


SHRUNKEN_COLUMNS = [
    "agency", "construct", "role", "n", "raw", "shrunken", "ci_low", "ci_high", "weight", "tau", "note",
]  # fmt: skip
"""Columns of `shrunken_changes`."""


def _one(changes: pd.DataFrame, z: float) -> pd.DataFrame:
    """Shrink the agencies' mean changes of one construct and role (rows: agency, change)."""
    groups = changes.groupby("agency")["change"]
    n = groups.size().astype(float)
    d = groups.mean()
    within = groups.var(ddof=1).fillna(0.0)
    dof = float((n - 1).clip(lower=0).sum())
    s2 = float(((n - 1).clip(lower=0) * within).sum() / dof) if dof > 0 else np.nan
    if not np.isfinite(s2) or s2 <= 0 or len(d) < 2:
        return pd.DataFrame()
    v = s2 / n
    w = 1 / v
    fixed = float((w * d).sum() / w.sum())
    q = float((w * (d - fixed) ** 2).sum())
    c = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (q - (len(d) - 1)) / c) if c > 0 else 0.0
    w_star = 1 / (v + tau2)
    mu = float((w_star * d).sum() / w_star.sum())
    var_mu = float(1 / w_star.sum())
    b = tau2 / (tau2 + v)
    shrunken = mu + b * (d - mu)
    variance = b * v + (1 - b) ** 2 * var_mu
    return pd.DataFrame(
        {
            "agency": d.index,
            "n": n.astype(int).to_numpy(),
            "raw": d.to_numpy(),
            "shrunken": shrunken.to_numpy(),
            "ci_low": (shrunken - z * np.sqrt(variance)).to_numpy(),
            "ci_high": (shrunken + z * np.sqrt(variance)).to_numpy(),
            "weight": b.to_numpy(),
            "tau": np.sqrt(tau2),
        }
    )


def shrunken_changes(
    scores: pd.DataFrame, agency_change: pd.DataFrame, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Return each shown agency's change shrunken towards the cohort's, per construct and role.

    Parameters
    ----------
    scores : pandas.DataFrame
        From `evaluation.scoring.score` (pseudonym, agency, role, wave, construct, score).
    agency_change : pandas.DataFrame
        `evaluation.outcomes.by_agency` after disclosure control: only agencies whose row has a
        ``mean_diff`` get an estimate.
    confidence : float
        Level of the intervals.

    Returns
    -------
    pandas.DataFrame
        `SHRUNKEN_COLUMNS`: agency, construct, role, n (participants with both waves), raw (the
        agency's own mean change), shrunken (the empirical-Bayes estimate) with ci_low and ci_high,
        weight (B_a: 1 keeps the agency's own estimate, 0 gives the cohort's), tau (between-agency SD
        of true change), note.
    """
    z = float(sps.norm.ppf(0.5 + confidence / 2))
    data = scores[scores["wave"].isin(["pre", "post"]) & scores["score"].notna()]
    wide = data.pivot_table(
        index=["agency", "construct", "role", "pseudonym"], columns="wave", values="score", aggfunc="first"
    )
    if not {"pre", "post"} <= set(wide.columns):
        return pd.DataFrame(columns=SHRUNKEN_COLUMNS)
    change = (wide["post"] - wide["pre"]).dropna().rename("change").reset_index()
    shown = agency_change.loc[agency_change["mean_diff"].notna(), ["agency", "construct", "role"]]
    frames = []
    for (construct, role), group in change.groupby(["construct", "role"], sort=True):
        result = _one(group, z)
        if result.empty:
            continue
        result = result.assign(construct=construct, role=role, note="")
        frames.append(result.merge(shown, on=["agency", "construct", "role"], how="inner"))
    if not frames:
        return pd.DataFrame(columns=SHRUNKEN_COLUMNS)
    return pd.concat(frames, ignore_index=True).reindex(columns=SHRUNKEN_COLUMNS)
