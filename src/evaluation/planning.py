"""Power for the next cohort, from what this cohort showed.

For each primary outcome of the analysis plan (`evaluation.claims`), this cohort gives the SD of
change among those who answered both waves, the correlation of baseline and follow-up, and how many
dropped out. With those, `plan_next_cohort` says which change a cohort of N pairs could detect with
80 % power (two-sided paired t, `evaluation.stats.paired_power`), at the level the primary family
needs: alpha divided by the number of primary outcomes (Bonferroni, the level Holm's first step
uses: conservative), and, when the analyst names a change, how many pairs to invite for it.

References
----------
Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences (2nd ed.). Erlbaum.
Faul, F., Erdfelder, E., Lang, A.-G., & Buchner, A. (2007). G*Power 3. Behavior Research Methods,
39(2), 175-191.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.stats import detectable_change, pairs_needed

__all__ = ["PLAN_COLUMNS", "plan_next_cohort"]

PLAN_COLUMNS = [
    "construct",
    "role",
    "n_now",
    "sd_change",
    "r_pre_post",
    "attrition",
    "pairs",
    "n_expected",
    "alpha",
    "detectable_change",
    "detectable_d",
    "change",
    "pairs_needed",
]
"""Columns of `plan_next_cohort`."""


def plan_next_cohort(
    scores: pd.DataFrame,
    primary: list[tuple[str, str]],
    pairs: int,
    *,
    attrition: float | None = None,
    change: float | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Return, per primary outcome, the smallest detectable change for a cohort of `pairs` pairs.

    Parameters
    ----------
    scores : pandas.DataFrame
        This cohort's scores (`evaluation.scoring.score`).
    primary : list of (construct, role)
        The primary outcomes (`evaluation.claims.AnalysisPlan.primary`).
    pairs : int
        Pairs in the next cohort (one participant per role and pair).
    attrition : float, optional
        Share without a follow-up in the next cohort; default: this cohort's share per role.
    change : float, optional
        A change in scale points the analyst wants to detect; gives ``pairs_needed``.
    power, alpha : float
        The power wanted and the family's alpha (divided by the number of primary outcomes).

    Returns
    -------
    pandas.DataFrame
        `PLAN_COLUMNS`: construct, role, n_now (with both waves now), sd_change, r_pre_post,
        attrition (used), pairs, n_expected (pairs x (1 - attrition)), alpha (per outcome),
        detectable_change (scale points) and detectable_d (in SDs of change), change and
        pairs_needed (unrounded; invite the next whole number).

    Raises
    ------
    ValueError
        If `pairs` < 2, `attrition` is outside [0, 1), or no primary outcome has a change to learn from.
    """
    if pairs < 2:
        raise ValueError(f"pairs must be at least 2, got {pairs}")
    if attrition is not None and not 0 <= attrition < 1:
        raise ValueError(f"attrition must be in [0, 1), got {attrition}")
    level = alpha / max(len(primary), 1)
    rows = []
    for construct, role in primary:
        data = scores[(scores["construct"] == construct) & (scores["role"] == role) & scores["score"].notna()]
        wide = data.pivot_table(index="pseudonym", columns="wave", values="score", aggfunc="first")
        if not {"pre", "post"} <= set(wide.columns):
            continue
        complete = wide[["pre", "post"]].dropna()
        if len(complete) < 3:
            continue
        diff = complete["post"] - complete["pre"]
        sd = float(diff.std(ddof=1))
        dropped = float(wide["post"].isna()[wide["pre"].notna()].mean())
        share = dropped if attrition is None else attrition
        expected = pairs * (1 - share)
        smallest = detectable_change(expected, sd, power=power, alpha=level) if expected >= 2 else np.nan
        needed = (
            pairs_needed(change, sd, power=power, alpha=level, attrition=share)
            if change is not None
            else np.nan
        )
        rows.append(
            {
                "construct": construct,
                "role": role,
                "n_now": len(complete),
                "sd_change": sd,
                "r_pre_post": float(complete["pre"].corr(complete["post"])),
                "attrition": share,
                "pairs": pairs,
                "n_expected": expected,
                "alpha": level,
                "detectable_change": smallest,
                "detectable_d": smallest / sd if sd > 0 else np.nan,
                "change": change if change is not None else np.nan,
                "pairs_needed": needed,
            }
        )
    if not rows:
        raise ValueError("no primary outcome has participants with both waves to learn the SD of change from")
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)
