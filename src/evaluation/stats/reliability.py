"""Reliability: Cronbach's alpha with its interval, item analysis, and intraclass correlations."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["cronbach_alpha", "icc", "item_analysis"]


def _keyed(
    items: pd.DataFrame | np.ndarray,
    reverse: Sequence[str | int],
    scale_min: float | None,
    scale_max: float | None,
) -> pd.DataFrame:
    """Return the items as floats with reverse-keyed items flipped (all rows, missing kept)."""
    frame = pd.DataFrame(items).apply(pd.to_numeric, errors="raise").astype(float)
    if frame.shape[1] < 2:
        raise ValueError(f"need at least two items, got {frame.shape[1]}")
    unknown = [r for r in reverse if r not in frame.columns]
    if unknown:
        raise ValueError(f"reverse-keyed items {unknown} are not columns of the items")
    complete = len(frame.dropna())
    if complete < 3:
        raise ValueError(f"need at least 3 complete cases (listwise), got {complete}")
    if reverse:
        low = float(np.nanmin(frame.to_numpy())) if scale_min is None else scale_min
        high = float(np.nanmax(frame.to_numpy())) if scale_max is None else scale_max
        frame = frame.copy()
        for column in reverse:
            frame[column] = low + high - frame[column]
    if (frame.var(ddof=1) == 0).all():
        raise ValueError("no item varies: alpha is undefined")
    return frame


def _alpha(cov: np.ndarray) -> float:
    """Alpha from an item covariance matrix: k / (k - 1) * (1 - trace / total variance)."""
    k = cov.shape[0]
    total = cov.sum()
    if total <= 0:
        raise ValueError("the total score does not vary: alpha is undefined")
    return float(k / (k - 1) * (1 - np.trace(cov) / total))


def cronbach_alpha(
    items: pd.DataFrame | np.ndarray,
    *,
    reverse: Sequence[str | int] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
    confidence: float = 0.95,
) -> pd.Series:
    """Cronbach's alpha of a set of items, with Feldt's confidence interval.

    Parameters
    ----------
    items : pandas.DataFrame or 2-D array
        Rows are respondents, columns items; rows with any missing item are left out (listwise).
    reverse : sequence of column labels
        Reverse-keyed items, flipped as ``scale_min + scale_max - x`` before computing.
    scale_min, scale_max : float, optional
        The response scale's ends; by default the smallest and largest value in `items` (as
        psych::alpha does with its keys).
    confidence : float
        Level of the confidence interval.

    Returns
    -------
    pandas.Series
        alpha (raw alpha from the item covariances; as psych::alpha, each covariance uses every
        respondent who answered both items, which equals listwise deletion when nothing is missing),
        ci_low, ci_high (Feldt, Woodruff & Salih's F-based interval, on n_obs as psych), n (complete
        cases, listwise), n_obs (respondents who answered at least one item), n_items.

    Raises
    ------
    ValueError
        With fewer than two items or three complete cases, an unknown reverse-keyed item, or no
        variance.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika,
    16(3), 297-334.
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient
    alpha. Applied Psychological Measurement, 11(1), 93-103.
    Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality Research,
    function ``alpha``.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    frame = _keyed(items, reverse, scale_min, scale_max)
    alpha = _alpha(frame.cov(ddof=1).to_numpy())
    n, k = len(frame.dropna()), frame.shape[1]
    n_obs = int(frame.notna().any(axis=1).sum())
    df1, df2 = n_obs - 1, (n_obs - 1) * (k - 1)
    level = 1 - confidence
    return pd.Series(
        {
            "alpha": alpha,
            "ci_low": 1 - (1 - alpha) * stats.f.ppf(1 - level / 2, df1, df2),
            "ci_high": 1 - (1 - alpha) * stats.f.ppf(level / 2, df1, df2),
            "n": n,
            "n_obs": n_obs,
            "n_items": k,
        }
    )


def item_analysis(
    items: pd.DataFrame | np.ndarray,
    *,
    reverse: Sequence[str | int] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
) -> pd.DataFrame:
    """Per item: alpha if the item is deleted and the item-rest correlation (psych's ``r.drop``).

    Parameters
    ----------
    items, reverse, scale_min, scale_max
        As for `cronbach_alpha`.

    Returns
    -------
    pandas.DataFrame
        Indexed by item: mean, sd (after reverse keying), alpha_if_deleted, item_rest_r (the
        correlation of the item with the sum of the other items, from the covariances as psych's
        ``r.drop``), n (respondents who answered the item).

    Raises
    ------
    ValueError
        As for `cronbach_alpha`; with fewer than three items alpha-if-deleted is undefined.
    """
    frame = _keyed(items, reverse, scale_min, scale_max)
    if frame.shape[1] < 3:
        raise ValueError("alpha if deleted needs at least three items")
    cov = frame.cov(ddof=1)
    rows = {}
    for column in frame.columns:
        others = [c for c in frame.columns if c != column]
        rest_var = cov.loc[others, others].to_numpy().sum()
        rows[column] = {
            "mean": frame[column].mean(),
            "sd": frame[column].std(ddof=1),
            "alpha_if_deleted": _alpha(cov.loc[others, others].to_numpy()),
            "item_rest_r": float(cov.loc[column, others].sum() / np.sqrt(cov.loc[column, column] * rest_var)),
            "n": int(frame[column].notna().sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def icc(
    data: pd.DataFrame, *, targets: str, raters: str, ratings: str, confidence: float = 0.95
) -> pd.DataFrame:
    """Return the six intraclass correlations of Shrout & Fleiss (1979), with F tests and intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data: one row per target x rater, every target rated by every rater.
    targets, raters, ratings : str
        Columns identifying the rated target, the rater, and the rating.
    confidence : float
        Level of the confidence intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by type (ICC1, ICC2, ICC3: single rater; ICC1k, ICC2k, ICC3k: mean of k raters):
        icc, F, df1, df2, p, ci_low, ci_high (F-based; Satterthwaite's approximation for ICC2, as
        psych::ICC).

    Raises
    ------
    ValueError
        If a column is missing, a target lacks a rater's rating, or there are fewer than 2 targets
        or raters.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater
    reliability. Psychological Bulletin, 86(2), 420-428.
    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
    coefficients. Psychological Methods, 1(1), 30-46.
    """
    missing = [c for c in (targets, raters, ratings) if c not in data.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the data")
    table = data.pivot_table(index=targets, columns=raters, values=ratings, aggfunc="first")
    if table.isna().any().any():
        raise ValueError("every target must be rated by every rater (complete two-way layout)")
    x = table.to_numpy(dtype=float)
    n, k = x.shape
    if n < 2 or k < 2:
        raise ValueError(f"need at least 2 targets and 2 raters, got {n} and {k}")
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_total = ((x - grand) ** 2).sum()
    ss_error = ss_total - ss_rows - ss_cols
    msr, msc = ss_rows / (n - 1), ss_cols / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    msw = (ss_cols + ss_error) / (n * (k - 1))
    level = 1 - confidence
    q = 1 - level / 2
    f1, df1_1, df2_1 = msr / msw, n - 1, n * (k - 1)
    f3, df2_3 = msr / mse, (n - 1) * (k - 1)
    icc1 = (msr - msw) / (msr + (k - 1) * msw)
    icc2 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    icc3 = (msr - mse) / (msr + (k - 1) * mse)
    f1l, f1u = f1 / stats.f.ppf(q, df1_1, df2_1), f1 * stats.f.ppf(q, df2_1, df1_1)
    f3l, f3u = f3 / stats.f.ppf(q, n - 1, df2_3), f3 * stats.f.ppf(q, df2_3, n - 1)
    fj = msc / mse
    vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd
    f2u, f2l = stats.f.ppf(q, n - 1, v), stats.f.ppf(q, v, n - 1)
    l2 = n * (msr - f2u * mse) / (f2u * (k * msc + (k * n - k - n) * mse) + n * msr)
    u2 = n * (f2l * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f2l * msr)
    p1, p3 = stats.f.sf(f1, df1_1, df2_1), stats.f.sf(f3, n - 1, df2_3)
    rows = {
        "ICC1": (icc1, f1, df1_1, df2_1, p1, (f1l - 1) / (f1l + k - 1), (f1u - 1) / (f1u + k - 1)),
        "ICC2": (icc2, f3, n - 1, df2_3, p3, l2, u2),
        "ICC3": (icc3, f3, n - 1, df2_3, p3, (f3l - 1) / (f3l + k - 1), (f3u - 1) / (f3u + k - 1)),
        "ICC1k": ((msr - msw) / msr, f1, df1_1, df2_1, p1, 1 - 1 / f1l, 1 - 1 / f1u),
        "ICC2k": (
            (msr - mse) / (msr + (msc - mse) / n),
            f3,
            n - 1,
            df2_3,
            p3,
            l2 * k / (1 + l2 * (k - 1)),
            u2 * k / (1 + u2 * (k - 1)),
        ),
        "ICC3k": ((msr - mse) / msr, f3, n - 1, df2_3, p3, 1 - 1 / f3l, 1 - 1 / f3u),
    }
    return pd.DataFrame.from_dict(
        rows, orient="index", columns=["icc", "F", "df1", "df2", "p", "ci_low", "ci_high"]
    )
