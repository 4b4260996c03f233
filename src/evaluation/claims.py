"""The declared analysis plan and the claims a report may make: which change is called an increase.

A cohort declares its primary outcomes in cohort.yml (``primary_outcomes: [{construct, role}, ...]``;
by default the key constructs, ``key: true`` in surveys/constructs.yml, for the roles that answer them).
Every other construct x role is secondary (exploratory). The rules, applied to every summary:

- **One family of primary outcomes**, over all roles: Holm's step-down adjustment controls the
  family-wise error rate, so that the chance of any false claim among the primary outcomes of a
  cohort with no true change is at most 5 %.
- **Secondary outcomes** form one family adjusted with Benjamini-Hochberg (false discovery rate) and
  are labelled exploratory wherever they are described.
- **A claim** ("increase", "decrease") is made only when the adjusted p of its family is below
  alpha (0.05); otherwise the claim is "no_clear_change", whatever the unadjusted interval says.
- **Groups too small for claims** (fewer than ``min_n_for_claims`` participants answering both
  waves, cohort.yml, default 10; never fewer than the minimum reporting size) get no claim and are not
  written; they do not count in the family either.
- **Agencies**: claims for an agency are made for the primary outcomes only; all agencies x roles x
  primary outcomes of the cohort form one Holm family, so that the chance of any false agency claim in
  a cohort is at most 5 %.

Every claim is written to ``results/claims.csv`` with the columns `CLAIM_COLUMNS`.

References
----------
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of
Statistics, 6(2), 65-70.
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. Journal of the Royal
Statistical Society B, 57(1), 289-300.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.errors import CohortError
from evaluation.stats import adjust_pvalues, paired_change
from evaluation.survey import Templates

__all__ = [
    "ALPHA",
    "CLAIMS",
    "CLAIM_COLUMNS",
    "AnalysisPlan",
    "agency_claims",
    "analysis_plan",
    "cohort_claims",
    "decide",
]

ALPHA = 0.05
"""The level below which an adjusted p-value supports a claim."""

CLAIMS = ("increase", "decrease", "no_clear_change")
"""The three claims a report can make about a change."""

CLAIM_COLUMNS = ["scope", "construct", "role", "family", "estimate", "ci_low", "ci_high", "p_adj", "claim"]
"""The pinned columns of ``results/claims.csv``: scope (``cohort`` or the agency's name), construct,
role, family (``primary`` or ``secondary``), estimate and its 95 % interval in scale points, the
family-adjusted p and the claim."""

_SCORED = ("mean", "single")


@dataclass(frozen=True)
class AnalysisPlan:
    """A cohort's declared analysis plan: its primary outcomes and the minimum group for claims."""

    primary: tuple[tuple[str, str], ...]
    """The primary outcomes as (construct, role)."""
    min_n_for_claims: int = 10
    """Fewest participants answering both waves for a group to get a claim."""
    alpha: float = ALPHA

    def family(self, construct: str, role: str) -> str:
        """Return ``primary`` or ``secondary`` for a construct and role."""
        return "primary" if (construct, role) in self.primary else "secondary"


def analysis_plan(config, templates: Templates) -> AnalysisPlan:
    """Return the analysis plan a cohort declared, or the default one.

    Parameters
    ----------
    config : evaluation.cohort.CohortConfig
        The cohort's settings: ``primary_outcomes`` (None for the default), ``min_n_for_claims`` and
        ``min_group_size``.
    templates : Templates
        The templates as the cohort answered them (`evaluation.survey.pinned`): which constructs are
        key and which roles answer their items.

    Returns
    -------
    AnalysisPlan

    Raises
    ------
    evaluation.errors.CohortError
        If a declared primary outcome names a construct that is not scored in the cohort's versions, or
        a role that does not answer it; the message names cohort.yml and the entry.
    """
    answered = {
        (construct.id, role)
        for construct in templates.constructs.values()
        if construct.scoring.method in _SCORED
        for role in ("mentor", "adept")
        if any(role in templates.items[i].roles for i in construct.scoring.items)
    }
    declared = getattr(config, "primary_outcomes", None)
    if declared is None:
        keys = {c.id for c in templates.constructs.values() if c.key}
        primary = tuple(sorted(pair for pair in answered if pair[0] in keys))
    else:
        primary = tuple((o.construct, o.role) for o in declared)
        for construct, role in primary:
            if (construct, role) not in answered:
                known = ", ".join(f"{c}/{r}" for c, r in sorted(answered))
                raise CohortError(
                    f"cohort.yml: primary_outcomes: {construct}/{role} finns inte i kohortens enkäter / "
                    f"is not scored in the cohort's survey versions (construct and role answering it); "
                    f"known: {known}"
                )
    minimum = max(int(getattr(config, "min_n_for_claims", 10)), int(config.min_group_size))
    return AnalysisPlan(primary=primary, min_n_for_claims=minimum)


def decide(estimate: float, p_adj: float, alpha: float = ALPHA) -> str:
    """Return the claim for an estimate whose family-adjusted p is `p_adj`.

    ``increase`` or ``decrease`` (by the sign of the estimate) when ``p_adj < alpha``, otherwise
    ``no_clear_change`` (also for a missing p).
    """
    if p_adj is None or np.isnan(p_adj) or p_adj >= alpha or estimate == 0:
        return "no_clear_change"
    return "increase" if estimate > 0 else "decrease"


def _adjust(table: pd.DataFrame, plan: AnalysisPlan, primary_method: str = "holm") -> pd.DataFrame:
    table = table.copy()
    table["p_adj"] = np.nan
    for family, method in (("primary", primary_method), ("secondary", "fdr_bh")):
        rows = table.index[table["family"] == family]
        if len(rows):
            table.loc[rows, "p_adj"] = adjust_pvalues(table.loc[rows, "p"].astype(float), method)
    table["claim"] = [
        decide(e, p, plan.alpha) for e, p in zip(table["estimate"], table["p_adj"], strict=True)
    ]
    return table


def cohort_claims(change: pd.DataFrame, plan: AnalysisPlan) -> pd.DataFrame:
    """Return the cohort-scope claims: one per construct x role with enough participants.

    Parameters
    ----------
    change : pandas.DataFrame
        Change per construct and role with construct, role, n (participants answering both waves),
        mean_diff (or estimate), ci_low, ci_high and p, e.g. `evaluation.outcomes.cohort_change`.
    plan : AnalysisPlan
        Which outcomes are primary, and the minimum group for claims.

    Returns
    -------
    pandas.DataFrame
        `CLAIM_COLUMNS` plus n and p (the unadjusted p), one row per construct x role with n at least
        ``plan.min_n_for_claims`` and a p-value, primary outcomes first. ``p_adj`` is adjusted within
        the row's family (Holm for primary, Benjamini-Hochberg for secondary).
    """
    table = change.rename(columns={"mean_diff": "estimate"}).copy()
    table = table[table["p"].notna() & (table["n"] >= plan.min_n_for_claims)]
    table = table.assign(
        scope="cohort",
        family=[plan.family(c, r) for c, r in zip(table["construct"], table["role"], strict=True)],
    )
    table = _adjust(table.reset_index(drop=True), plan)
    table = table.sort_values(["family", "construct", "role"], kind="stable", key=_family_first)
    return table[[*CLAIM_COLUMNS, "n", "p"]].reset_index(drop=True)


def agency_claims(scores: pd.DataFrame, agency_change: pd.DataFrame, plan: AnalysisPlan) -> pd.DataFrame:
    """Return the agency-scope claims: primary outcomes of agencies with enough participants.

    Parameters
    ----------
    scores : pandas.DataFrame
        From `evaluation.scoring.score` (pseudonym, agency, role, wave, construct, score).
    agency_change : pandas.DataFrame
        `evaluation.outcomes.by_agency` after disclosure control: an agency whose row has no
        ``mean_diff`` is hidden and gets no claim.
    plan : AnalysisPlan
        The primary outcomes and the minimum group for claims.

    Returns
    -------
    pandas.DataFrame
        `CLAIM_COLUMNS` plus n and p; scope is the agency's name. One Holm family over every agency x
        role x primary outcome that has at least ``plan.min_n_for_claims`` participants answering both
        waves and is shown; other groups get no row.
    """
    primary = pd.Series(
        [
            (c, r) in plan.primary
            for c, r in zip(agency_change["construct"], agency_change["role"], strict=True)
        ],
        index=agency_change.index,
        dtype=bool,
    )
    shown = agency_change[
        agency_change["mean_diff"].notna() & agency_change["n"].ge(plan.min_n_for_claims) & primary
    ]
    rows = []
    for _, row in shown.iterrows():
        group = scores[
            (scores["agency"] == row["agency"])
            & (scores["construct"] == row["construct"])
            & (scores["role"] == row["role"])
            & scores["score"].notna()
        ]
        wide = group.pivot_table(index="pseudonym", columns="wave", values="score", aggfunc="first")
        if not {"pre", "post"} <= set(wide.columns):
            continue
        result = paired_change(wide["pre"], wide["post"])
        rows.append(
            {
                "scope": row["agency"],
                "construct": row["construct"],
                "role": row["role"],
                "family": "primary",
                "estimate": float(result["mean_diff"]),
                "ci_low": float(result["ci_low"]),
                "ci_high": float(result["ci_high"]),
                "n": int(result["n"]),
                "p": float(result["p"]),
            }
        )
    if not rows:
        return pd.DataFrame(columns=[*CLAIM_COLUMNS, "n", "p"])
    table = _adjust(pd.DataFrame(rows), plan)
    return (
        table[[*CLAIM_COLUMNS, "n", "p"]].sort_values(["scope", "construct", "role"]).reset_index(drop=True)
    )


def _family_first(column: pd.Series) -> pd.Series:
    return column.map({"primary": 0, "secondary": 1}) if column.name == "family" else column
