"""Change in paired measurements: paired t, Wilcoxon signed rank, effect sizes, reliable change."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, stats

__all__ = ["paired_change", "reliable_change"]


def _paired(pre: ArrayLike, post: ArrayLike) -> tuple[np.ndarray, np.ndarray, int, pd.Index | None]:
    index = pre.index if isinstance(pre, pd.Series) else None
    a = np.asarray(pre, dtype=float)
    b = np.asarray(post, dtype=float)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError("pre and post must be one-dimensional")
    if len(a) != len(b):
        raise ValueError(f"pre and post differ in length: {len(a)} and {len(b)}")
    complete = ~(np.isnan(a) | np.isnan(b))
    kept = index[complete] if index is not None else None
    return a[complete], b[complete], int((~complete).sum()), kept


def _wilcoxon(d: np.ndarray) -> tuple[float, float, str]:
    """Signed-rank test as R's wilcox.test(paired = TRUE) does it, for d = post - pre.

    Zeros are dropped (R's and Wilcoxon's rule); the exact distribution is used for fewer than 50
    non-zero differences without ties, else the normal approximation with tie correction and
    continuity correction. The statistic is V, the sum of the ranks of positive differences.
    """
    nonzero = d[d != 0]
    if len(nonzero) == 0:
        raise ValueError("every difference is zero: the signed-rank test is undefined")
    ranks = stats.rankdata(np.abs(nonzero))
    v = float(ranks[nonzero > 0].sum())
    ties = len(np.unique(np.abs(nonzero))) < len(nonzero)
    exact = len(nonzero) < 50 and not ties and len(nonzero) == len(d)
    method = "exact" if exact else "approx"
    result = stats.wilcoxon(nonzero, zero_method="wilcox", correction=not exact, method=method)
    label = (
        "exact"
        if exact
        else "normal approximation with continuity correction"
        + (", zeros dropped" if len(nonzero) < len(d) else "")
    )
    return v, float(result.pvalue), label


def _ncp_interval(t: float, df: int, confidence: float) -> tuple[float, float]:
    """Confidence interval of the noncentrality parameter of a t statistic (Cumming & Finch 2001).

    Each bound is bracketed around t, widening step by step; where scipy's noncentral t cannot be
    evaluated (extreme t with few degrees of freedom) the normal approximation
    t +- z * sqrt(1 + t^2 / 2df) is used for that bound.
    """
    alpha = 1 - confidence
    spread = np.sqrt(1 + t**2 / (2 * df))

    def bound(q: float, direction: int) -> float:
        def f(ncp: float) -> float:
            return float(stats.nct.cdf(t, df, ncp) - q)

        near, step = t, spread
        for _ in range(30):
            far = t + direction * step
            low, high = sorted((near, far))
            f_low, f_high = f(low), f(high)
            if not (np.isfinite(f_low) and np.isfinite(f_high)):
                break
            if f_low * f_high <= 0:
                return optimize.brentq(f, low, high)
            near, step = far, step * 1.6
        return t + direction * stats.norm.ppf(1 - alpha / 2) * spread

    return bound(1 - alpha / 2, -1), bound(alpha / 2, +1)


def paired_change(pre: ArrayLike, post: ArrayLike, *, confidence: float = 0.95) -> pd.Series:
    """Change from pre to post in paired measurements.

    Parameters
    ----------
    pre, post : array-like of float
        The same units measured twice; pairs with a missing side are dropped and counted.
    confidence : float
        Level of the confidence intervals, between 0 and 1.

    Returns
    -------
    pandas.Series
        n (complete pairs), n_dropped, mean_pre, mean_post, mean_diff (post - pre), sd_diff,
        ci_low, ci_high (t-based interval of mean_diff), t, df, p (two-sided paired t-test);
        wilcoxon_stat (V: the sum of ranks of positive differences, as R reports it),
        wilcoxon_p, wilcoxon_method (exact, or normal approximation with continuity correction and
        zeros dropped, as R's ``wilcox.test``); cohen_dz (mean_diff / sd_diff) with dz_ci_low,
        dz_ci_high (noncentral t); hedges_gav (mean_diff over the mean of the two SDs, times Hedges'
        correction 1 - 3 / (4 * 2n - 9), as Lakens 2013) with gav_ci_low, gav_ci_high (Algina &
        Keselman's approximation: the noncentral-t interval rescaled from dz to d_av, then corrected).

    Raises
    ------
    ValueError
        If pre and post differ in length, fewer than 3 complete pairs remain, the differences have
        no variance, or `confidence` is not in (0, 1).

    References
    ----------
    Student (1908). The probable error of a mean. Biometrika, 6(1), 1-25.
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science: a
    practical primer for t-tests and ANOVAs. Frontiers in Psychology, 4, 863.
    Algina, J., & Keselman, H. J. (2003). Approximate confidence intervals for effect sizes.
    Educational and Psychological Measurement, 63(4), 537-553.
    Cumming, G., & Finch, S. (2001). A primer on the understanding, use, and calculation of
    confidence intervals that are based on central and noncentral distributions. Educational and
    Psychological Measurement, 61(4), 532-574.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    a, b, dropped, _ = _paired(pre, post)
    n = len(a)
    if n < 3:
        raise ValueError(f"need at least 3 complete pairs, got {n} ({dropped} dropped for a missing side)")
    d = b - a
    sd_diff = float(d.std(ddof=1))
    if sd_diff == 0:
        raise ValueError("the differences have no variance: t and effect sizes are undefined")
    mean_diff = float(d.mean())
    df = n - 1
    se = sd_diff / np.sqrt(n)
    t = mean_diff / se
    crit = stats.t.ppf(1 - (1 - confidence) / 2, df)
    v, wilcoxon_p, method = _wilcoxon(d)
    dz = mean_diff / sd_diff
    ncp_low, ncp_high = _ncp_interval(t, df, confidence)
    sd_av = (a.std(ddof=1) + b.std(ddof=1)) / 2
    if sd_av == 0:
        raise ValueError("pre and post have no variance: d_av is undefined")
    correction = 1 - 3 / (4 * 2 * n - 9)  # Lakens (2013): as for two groups of n, N = 2n
    to_av = sd_diff / sd_av
    return pd.Series(
        {
            "n": n,
            "n_dropped": dropped,
            "mean_pre": float(a.mean()),
            "mean_post": float(b.mean()),
            "mean_diff": mean_diff,
            "sd_diff": sd_diff,
            "ci_low": mean_diff - crit * se,
            "ci_high": mean_diff + crit * se,
            "t": t,
            "df": df,
            "p": float(2 * stats.t.sf(abs(t), df)),
            "wilcoxon_stat": v,
            "wilcoxon_p": wilcoxon_p,
            "wilcoxon_method": method,
            "cohen_dz": dz,
            "dz_ci_low": ncp_low / np.sqrt(n),
            "dz_ci_high": ncp_high / np.sqrt(n),
            "hedges_gav": mean_diff / sd_av * correction,
            "gav_ci_low": ncp_low / np.sqrt(n) * to_av * correction,
            "gav_ci_high": ncp_high / np.sqrt(n) * to_av * correction,
        },
        dtype=object,
    )


def reliable_change(
    pre: ArrayLike,
    post: ArrayLike,
    *,
    sd: float | None = None,
    reliability: float | None = None,
    sem: float | None = None,
    z: float = 1.96,
) -> pd.DataFrame:
    """Reliable change index per person (Jacobson & Truax, 1991).

    Parameters
    ----------
    pre, post : array-like of float
        Each person's score before and after; persons with a missing side are left out (counted in
        ``attrs["n_dropped"]``). A pandas Series keeps its index.
    sd : float, optional
        Standard deviation of the measure in the reference population; the SD of `pre` when omitted.
    reliability : float, optional
        Reliability of the measure (e.g. Cronbach's alpha), in (0, 1); needed unless `sem` is given.
    sem : float, optional
        Standard error of measurement; when omitted, ``sd * sqrt(1 - reliability)``.
    z : float
        Threshold of |RCI| for a reliable change (1.96: 95 %).

    Returns
    -------
    pandas.DataFrame
        One row per complete person: change (post - pre), rci (change / S_diff, where S_diff =
        sqrt(2) * SEM), reliable_improvement (rci > z), reliable_deterioration (rci < -z). Higher
        scores are taken as better; for a measure where lower is better, swap pre and post.

    Raises
    ------
    ValueError
        If neither `sem` nor `reliability` is given, reliability is outside (0, 1), the SEM is not
        positive, or no person has both scores.

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining
    meaningful change in psychotherapy research. Journal of Consulting and Clinical Psychology,
    59(1), 12-19.
    """
    a, b, dropped, index = _paired(pre, post)
    if len(a) == 0:
        raise ValueError("no person has both a pre and a post score")
    if sem is None:
        if reliability is None:
            raise ValueError("give the reliability (or the SEM) of the measure")
        if not 0 < reliability < 1:
            raise ValueError(f"reliability must be between 0 and 1, got {reliability}")
        spread = float(np.std(a, ddof=1)) if sd is None else sd
        sem = spread * np.sqrt(1 - reliability)
    if not sem > 0:
        raise ValueError(f"the standard error of measurement must be positive, got {sem}")
    s_diff = np.sqrt(2) * sem
    change = b - a
    rci = change / s_diff
    result = pd.DataFrame(
        {
            "change": change,
            "rci": rci,
            "reliable_improvement": rci > z,
            "reliable_deterioration": rci < -z,
        },
        index=index,
    )
    result.attrs.update({"n_dropped": dropped, "sem": float(sem), "s_diff": float(s_diff), "z": z})
    return result
