"""Pairs as pairs: role gaps at baseline, the change in each pair's mentor-adept gap, and a dyadic model.

A mentor and an adept of one pair are not independent: they meet for a year and answer about the same
conversations. These analyses keep them together.

- `role_gaps`: the difference between the roles at baseline, per construct, as the mean over pairs of
  (mentor - adept), with a paired t interval. It describes the mentors (29 or younger) and the adepts
  (senior managers) in this program, not generations: the roles differ in age, position and
  self-selection at once, and the generational literature finds differences near zero once age and
  period are separated (Costanza et al., 2012).
- `gap_change`: the signed change in each pair's mentor - adept gap (gap after - gap before), its
  mean over pairs with a t interval. Unlike the mean of |gap before| - |gap after|, it is unbiased
  for the change in the mean gap and moves as much as the gap does.
- `dyadic_change`: both members' change modelled at once, with the within-pair correlation of change
  (GLS with compound symmetry within pairs and a residual variance per role, `evaluation.stats.dyadic_model`).

References
----------
Costanza, D. P., Badger, J. M., Fraser, R. L., Severt, J. B., & Gade, P. A. (2012). Generational
differences in work-related attitudes: A meta-analysis. Journal of Business and Psychology, 27(4),
375-394.
Kenny, D. A., Kashy, D. A., & Cook, W. L. (2006). Dyadic Data Analysis. Guilford.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.stats import dyadic_model, paired_change

__all__ = ["dyadic_change", "gap_change", "role_gaps"]

_MEMBERS = ["mentor_pre", "mentor_post", "adept_pre", "adept_post"]


def _members(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per pair and construct: both members' scores before and after (missing where absent)."""
    data = scores[scores["wave"].isin(["pre", "post"]) & scores["score"].notna()]
    wide = data.pivot_table(
        index=["pair_id", "construct"], columns=["role", "wave"], values="score", aggfunc="first"
    )
    wide.columns = [f"{role}_{wave}" for role, wave in wide.columns]
    return wide.reindex(columns=_MEMBERS).reset_index()


def _t_row(first: pd.Series, second: pd.Series, confidence: float) -> dict:
    """Mean of second - first over complete rows with its paired t interval, or a note why not."""
    try:
        result = paired_change(first, second, confidence=confidence)
    except ValueError as exc:
        return {"pairs": int((first.notna() & second.notna()).sum()), "note": str(exc)}
    return {
        "pairs": int(result["n"]),
        "estimate": float(result["mean_diff"]),
        "ci_low": float(result["ci_low"]),
        "ci_high": float(result["ci_high"]),
        "p": float(result["p"]),
        "note": "",
    }


def role_gaps(scores: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Return the mentor - adept difference at baseline per construct, over pairs with both members.

    Parameters
    ----------
    scores : pandas.DataFrame
        From `evaluation.scoring.score` (pair_id, role, wave, construct, score).
    confidence : float
        Level of the paired t intervals.

    Returns
    -------
    pandas.DataFrame
        construct, pairs (with both members at baseline), mean_mentor, mean_adept, gap (mean over pairs
        of mentor - adept, in scale points), ci_low, ci_high, p (paired t), note (why no interval).
        Constructs only one role answers are left out.
    """
    wide = _members(scores)
    rows = []
    for construct, group in wide.groupby("construct", sort=True):
        if group["mentor_pre"].notna().sum() == 0 or group["adept_pre"].notna().sum() == 0:
            continue
        both = group[["mentor_pre", "adept_pre"]].dropna()
        result = _t_row(group["adept_pre"], group["mentor_pre"], confidence)
        rows.append(
            {
                "construct": construct,
                "mean_mentor": float(both["mentor_pre"].mean()) if len(both) else np.nan,
                "mean_adept": float(both["adept_pre"].mean()) if len(both) else np.nan,
                **{("gap" if k == "estimate" else k): v for k, v in result.items()},
            }
        )
    columns = ["construct", "pairs", "mean_mentor", "mean_adept", "gap", "ci_low", "ci_high", "p", "note"]
    return pd.DataFrame(rows).reindex(columns=columns)


def gap_change(scores: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Return the signed change in the pairs' mentor - adept gap per construct.

    Parameters
    ----------
    scores : pandas.DataFrame
        From `evaluation.scoring.score`.
    confidence : float
        Level of the t intervals.

    Returns
    -------
    pandas.DataFrame
        construct, pairs (both members at both waves), gap_pre and gap_post (mean mentor - adept gap
        before and after), gap_change (mean over pairs of gap after - gap before: negative when mentors
        and adepts moved towards each other from a positive gap), ci_low, ci_high, p (paired t),
        note. Constructs only one role answers are left out.
    """
    wide = _members(scores)
    wide["gap_pre"] = wide["mentor_pre"] - wide["adept_pre"]
    wide["gap_post"] = wide["mentor_post"] - wide["adept_post"]
    rows = []
    for construct, group in wide.groupby("construct", sort=True):
        if group["gap_pre"].isna().all() or group["gap_post"].isna().all():
            continue  # one role only, or a construct asked at one wave
        complete = group[["gap_pre", "gap_post"]].dropna()
        result = _t_row(group["gap_pre"], group["gap_post"], confidence)
        rows.append(
            {
                "construct": construct,
                "gap_pre": float(complete["gap_pre"].mean()) if len(complete) else np.nan,
                "gap_post": float(complete["gap_post"].mean()) if len(complete) else np.nan,
                **{("gap_change" if k == "estimate" else k): v for k, v in result.items()},
            }
        )
    columns = ["construct", "pairs", "gap_pre", "gap_post", "gap_change", "ci_low", "ci_high", "p", "note"]
    return pd.DataFrame(rows).reindex(columns=columns)


def dyadic_change(scores: pd.DataFrame, construct: str, *, confidence: float = 0.95) -> pd.DataFrame:
    """Return each role's mean change and the within-pair correlation of change, modelled jointly.

    GLS of each member's change (post - pre) on role, with compound symmetry within pairs and a residual
    variance per role (distinguishable dyads; Kenny et al., 2006, ch. 7): a member whose partner
    changed a lot tends to have changed too, and the standard errors say so.

    Parameters
    ----------
    scores : pandas.DataFrame
        From `evaluation.scoring.score`.
    construct : str
        A construct both roles answer at both waves.
    confidence : float
        Level of the t intervals.

    Returns
    -------
    pandas.DataFrame
        One row per role: construct, role, members (with both waves), pairs (with both members),
        change (estimated mean change, scale points), ci_low, ci_high, p, rho (the within-pair
        correlation of change, the same on both rows).

    Raises
    ------
    ValueError
        If fewer than three pairs have both members' change, or only one role answers the construct.
    """
    data = scores[(scores["construct"] == construct) & scores["wave"].isin(["pre", "post"])]
    wide = data.pivot_table(
        index=["pair_id", "role", "pseudonym"], columns="wave", values="score", aggfunc="first"
    )
    if not {"pre", "post"} <= set(wide.columns):
        raise ValueError(f"{construct!r}: no participant answered both waves")
    change = (wide["post"] - wide["pre"]).dropna().rename("change").reset_index()
    if change["role"].nunique() < 2:
        raise ValueError(f"{construct!r}: only one role answers it; a dyadic model needs both")
    pairs = int((change.groupby("pair_id")["role"].nunique() == 2).sum())
    if pairs < 3:
        raise ValueError(f"{construct!r}: {pairs} pairs have both members' change; need at least 3")
    change["role"] = pd.Categorical(change["role"], ["adept", "mentor"])
    model = dyadic_model("change ~ 0 + role", change, "pair_id", variance_by="role", confidence=confidence)
    coefficients = model.coefficients
    rows = []
    for role in ("adept", "mentor"):
        term = f"role[{role}]"
        rows.append(
            {
                "construct": construct,
                "role": role,
                "members": int((change["role"] == role).sum()),
                "pairs": pairs,
                "change": float(coefficients.loc[term, "estimate"]),
                "ci_low": float(coefficients.loc[term, "ci_low"]),
                "ci_high": float(coefficients.loc[term, "ci_high"]),
                "p": float(coefficients.loc[term, "p"]),
                "rho": float(model.rho),
            }
        )
    return pd.DataFrame(rows)
