"""Program-level analyses built on `evaluation.scoring` and `evaluation.stats`.

Every function takes the tidy scores (`evaluation.scoring.score`) or responses and returns a tidy
DataFrame whose columns are listed in its docstring. Where a group is too small to estimate
something, the row says so in ``note`` instead of carrying a silent NaN.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats as sps

from evaluation.disclosure import OTHER_AGENCIES, DisclosurePolicy
from evaluation.pairs import role_gaps
from evaluation.stats import ModelResult, adjust_pvalues, mixed_model, paired_change, reliable_change
from evaluation.survey import Templates

__all__ = [
    "OTHER_AGENCIES",
    "attrition",
    "beliefs_with_partner",
    "by_agency",
    "change_model",
    "cohort_change",
    "convergence",
    "cost_summary",
    "dose_response",
    "net_reliable_change",
    "pair_change",
    "pairs_improved",
    "perception_accuracy",
    "program_experience",
    "reliable_improvement",
    "response_shift",
    "role_gaps",
]

CHANGE_FIELDS = [
    "n",
    "n_dropped",
    "mean_pre",
    "mean_post",
    "mean_diff",
    "sd_diff",
    "ci_low",
    "ci_high",
    "t",
    "df",
    "p",
    "wilcoxon_p",
    "cohen_dz",
    "hedges_gav",
    "gav_ci_low",
    "gav_ci_high",
]


def _wide(scores: pd.DataFrame, construct: str, role: str | None = None) -> pd.DataFrame:
    data = scores[(scores["construct"] == construct) & scores["score"].notna()]
    if role is not None:
        data = data[data["role"] == role]
    return data.pivot_table(index="pseudonym", columns="wave", values="score", aggfunc="first")


def _change_row(a: pd.Series, b: pd.Series, confidence: float) -> dict:
    try:
        result = paired_change(a, b, confidence=confidence)
    except ValueError as exc:
        complete = int((a.notna() & b.notna()).sum())
        return {"n": complete, "note": str(exc)}
    return {**{k: result[k] for k in CHANGE_FIELDS}, "note": ""}


def cohort_change(
    scores: pd.DataFrame,
    *,
    first: str = "pre",
    second: str = "post",
    method: str = "holm",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired change per construct and role, adjusted for multiplicity across constructs.

    Parameters
    ----------
    scores : pandas.DataFrame
        From `evaluation.scoring.score`.
    first, second : str
        The waves compared (``pre`` and ``post``; ``then`` and ``post`` for the change measured
        against the retrospective baseline).
    method : {"holm", "fdr_bh"}
        p-value adjustment, within each role across its constructs.
    confidence : float
        Level of the confidence intervals.

    Returns
    -------
    pandas.DataFrame
        One row per construct x role: construct, role, the fields of `evaluation.stats.paired_change`
        (n, n_dropped, mean_pre, mean_post, mean_diff, sd_diff, ci_low, ci_high, t, df, p,
        wilcoxon_p, cohen_dz, hedges_gav, gav_ci_low, gav_ci_high), p_adj, and note (why a row has
        no estimate: fewer than 3 complete pairs, no variance).
    """
    rows = []
    for (construct, role), _ in scores.groupby(["construct", "role"], sort=True):
        wide = _wide(scores, construct, role)
        if first not in wide or second not in wide:
            continue
        rows.append(
            {"construct": construct, "role": role, **_change_row(wide[first], wide[second], confidence)}
        )
    table = pd.DataFrame(rows).reindex(columns=["construct", "role", *CHANGE_FIELDS, "note"])
    table["p_adj"] = np.nan
    if table.empty:
        return table
    for _, group in table.groupby("role"):
        table.loc[group.index, "p_adj"] = adjust_pvalues(group["p"].astype(float), method)
    return table


def change_model(scores: pd.DataFrame, construct: str) -> ModelResult:
    """Mixed model ``score ~ wave * role`` with random intercepts for agencies and participants in them.

    Uses everyone with a score at either wave, completers or not (missing at random given the
    baseline). With a single agency the agency level is left out (noted in ``notes``).

    Returns
    -------
    ModelResult
        See `evaluation.stats.mixed_model`; the terms are ``Intercept``, ``wave[T.post]``,
        ``role[T.mentor]`` and ``wave[T.post]:role[T.mentor]`` (adept at baseline is the reference).
    """
    data = scores[(scores["construct"] == construct) & scores["wave"].isin(["pre", "post"])]
    data = data[data["score"].notna()].copy()
    data["wave"] = pd.Categorical(data["wave"], ["pre", "post"])
    data["role"] = pd.Categorical(data["role"], ["adept", "mentor"])
    formula = "score ~ wave * role" if data["role"].nunique() == 2 else "score ~ wave"
    if data["agency"].nunique() >= 2:
        return mixed_model(formula, data, "agency", nested="pseudonym")
    result = mixed_model(formula, data, "pseudonym")
    result.notes.append("one agency: random intercepts for participants only")
    return result


def pair_change(scores: pd.DataFrame) -> pd.DataFrame:
    """Per pair and construct: each member's change and the mentor-adept gap before and after.

    Returns
    -------
    pandas.DataFrame
        pair_id, construct, mentor_pre, mentor_post, adept_pre, adept_post, mentor_change,
        adept_change, gap_pre and gap_post (mentor - adept), convergence (|gap_pre| - |gap_post|:
        positive when the two came closer), note (e.g. "one member answered").
    """
    data = scores[scores["wave"].isin(["pre", "post"]) & scores["score"].notna()]
    wide = data.pivot_table(
        index=["pair_id", "construct"], columns=["role", "wave"], values="score", aggfunc="first"
    )
    wide.columns = [f"{role}_{wave}" for role, wave in wide.columns]
    for column in ("mentor_pre", "mentor_post", "adept_pre", "adept_post"):
        if column not in wide:
            wide[column] = np.nan
    out = wide[["mentor_pre", "mentor_post", "adept_pre", "adept_post"]].copy()
    out["mentor_change"] = out["mentor_post"] - out["mentor_pre"]
    out["adept_change"] = out["adept_post"] - out["adept_pre"]
    out["gap_pre"] = out["mentor_pre"] - out["adept_pre"]
    out["gap_post"] = out["mentor_post"] - out["adept_post"]
    out["convergence"] = out["gap_pre"].abs() - out["gap_post"].abs()
    both = out[["mentor_pre", "adept_pre"]].notna().all(axis=1) & out[
        ["mentor_post", "adept_post"]
    ].notna().all(axis=1)
    out["note"] = np.where(both, "", "one member, or one wave, missing: no gap change")
    return out.reset_index()


def convergence(scores: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Return the generational gaps in the pairs before and after, per construct.

    Kept for comparison: the mean of |gap before| - |gap after| is biased towards zero when gaps are
    noisy (a gap of 0.29 that closes fully can read as -0.02). The reports use the signed change of
    the gap, `evaluation.pairs.gap_change`.

    Returns
    -------
    pandas.DataFrame
        construct, pairs (with both members at both waves), mean_abs_gap_pre, mean_abs_gap_post,
        convergence (mean of |gap_pre| - |gap_post|: positive when pairs came closer), ci_low,
        ci_high (t interval of the mean convergence), note.
    """
    pairs = pair_change(scores)
    pairs = pairs[pairs["note"] == ""]
    rows = []
    for construct, group in pairs.groupby("construct", sort=True):
        row = {
            "construct": construct,
            "pairs": len(group),
            "mean_abs_gap_pre": group["gap_pre"].abs().mean(),
            "mean_abs_gap_post": group["gap_post"].abs().mean(),
            "convergence": group["convergence"].mean(),
        }
        if len(group) >= 3 and group["convergence"].std() > 0:
            crit = sps.t.ppf(0.5 + confidence / 2, len(group) - 1)
            half = crit * group["convergence"].std() / np.sqrt(len(group))
            row |= {"ci_low": row["convergence"] - half, "ci_high": row["convergence"] + half, "note": ""}
        else:
            row |= {"ci_low": np.nan, "ci_high": np.nan, "note": "fewer than 3 complete pairs or no variance"}
        rows.append(row)
    return pd.DataFrame(rows)


def program_experience(scores: pd.DataFrame, instruments: Templates) -> pd.DataFrame:
    """Return the follow-up-only constructs (the program experience) per role: n, mean and SD.

    Returns
    -------
    pandas.DataFrame
        construct, role, n, mean, sd.
    """
    program = {c.id for c in instruments.constructs.values() if c.domain == "program"}
    data = scores[scores["construct"].isin(program) & (scores["wave"] == "post") & scores["score"].notna()]
    table = (
        data.groupby(["construct", "role"], sort=True)["score"].agg(["count", "mean", "std"]).reset_index()
    )
    return table.rename(columns={"count": "n", "std": "sd"})


def beliefs_with_partner(responses: pd.DataFrame, instruments: Templates) -> pd.DataFrame:
    """Set each belief about the partner's (or the other generation's) values beside the partner's answer.

    A perception item (``perception_of``) answered at a wave is compared with the partner's own answer
    to the item it names at the same wave, or, when the partner was not asked their own values at that
    wave, at baseline (version 2 asks own work values at baseline only: values are stable over a year).

    Parameters
    ----------
    responses : pandas.DataFrame
        Long responses as ingest writes them (pseudonym, pair_id, role, wave, item, value).
    instruments : Templates
        The survey templates (which items are perceptions of which).

    Returns
    -------
    pandas.DataFrame
        One row per answered belief whose partner answered the value: pseudonym, pair_id, role (the
        perceiver), wave (of the belief), value_id (the own-value item), value (the belief),
        value_partner (the partner's own answer).
    """
    columns = ["pseudonym", "pair_id", "role", "wave", "value_id", "value", "value_partner"]
    links = {i.id: i.perception_of for i in instruments.items.values() if i.perception_of}
    data = responses[
        responses["wave"].isin(["pre", "post"]) & responses["value"].notna()
        & responses["item"].isin(set(links) | set(links.values()))
    ]  # fmt: skip
    if data.empty or not links:
        return pd.DataFrame(columns=columns)
    beliefs = data[data["item"].isin(links)]
    beliefs = beliefs.assign(value_id=beliefs["item"].map(links))
    own = data[data["item"].isin(set(links.values()))]
    partner = own.assign(role=own["role"].map({"mentor": "adept", "adept": "mentor"}))
    partner = partner.rename(columns={"item": "value_id", "value": "value_partner"})
    keys = ["pair_id", "role", "value_id"]
    same = beliefs.merge(partner[[*keys, "wave", "value_partner"]], on=[*keys, "wave"], how="left")
    baseline = partner.loc[partner["wave"] == "pre", [*keys, "value_partner"]].drop_duplicates(keys)
    fallback = beliefs.merge(baseline, on=keys, how="left")["value_partner"].to_numpy()
    same["value_partner"] = same["value_partner"].where(same["value_partner"].notna(), fallback)
    merged = same[same["value_partner"].notna()]
    return merged[columns].reset_index(drop=True)


def perception_accuracy(responses: pd.DataFrame, instruments: Templates) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How accurately each generation perceives the other's work values, per pair and per cohort.

    For each perception item (``perception_of``), a participant's belief about the partner (version 2)
    or the other generation (version 1) is compared with their partner's own answer (pair level, see
    `beliefs_with_partner`) and with the other role's mean answer at baseline (cohort level), at
    baseline (``pre``) and follow-up (``post``).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Pairs: pair_id, role (the perceiver), wave, n_values (values both answered), mae (mean
        absolute difference between belief and partner's answer), profile_r (Pearson correlation
        across values; NaN with a note when either profile has no variance), note.
        Cohort: role, wave, n (perceivers), group_error (mean over values of |mean belief - other
        role's mean answer|).
    """
    links = {i.id: i.perception_of for i in instruments.items.values() if i.perception_of}
    data = responses[responses["wave"].isin(["pre", "post"]) & responses["value"].notna()]
    beliefs = data[data["item"].isin(links)].assign(value_id=lambda d: d["item"].map(links))
    own = data[data["item"].isin(set(links.values()))].rename(columns={"item": "value_id"})
    merged = beliefs_with_partner(responses, instruments)
    pairs = []
    for (pair, role, wave), group in merged.groupby(["pair_id", "role", "wave"], sort=True):
        belief, actual = group["value"].astype(float), group["value_partner"].astype(float)
        row = {
            "pair_id": pair,
            "role": role,
            "wave": wave,
            "n_values": len(group),
            "mae": float((belief - actual).abs().mean()),
            "profile_r": np.nan,
            "note": "",
        }
        if len(group) < 3 or belief.std() == 0 or actual.std() == 0:
            row["note"] = "profile correlation undefined: fewer than 3 values or no variance"
        else:
            row["profile_r"] = float(np.corrcoef(belief, actual)[0, 1])
        pairs.append(row)
    cohort = []
    for (role, wave), group in beliefs.groupby(["role", "wave"], sort=True):
        other = own[(own["role"] != role) & (own["wave"] == "pre")]
        truth = other.groupby("value_id")["value"].mean()
        mean_belief = group.groupby("value_id")["value"].mean()
        common = mean_belief.index.intersection(truth.index)
        cohort.append(
            {
                "role": role,
                "wave": wave,
                "n": group["pseudonym"].nunique(),
                "group_error": float((mean_belief[common] - truth[common]).abs().mean()),
            }
        )
    return pd.DataFrame(pairs), pd.DataFrame(cohort)


def reliable_improvement(
    scores: pd.DataFrame, reliability: dict[str, float], *, z: float = 1.96
) -> pd.DataFrame:
    """Reliable change per participant and construct (Jacobson & Truax), SD from the baseline.

    Parameters
    ----------
    scores : pandas.DataFrame
        From `evaluation.scoring.score`.
    reliability : dict
        Construct id to the reliability used for its SEM (e.g. Cronbach's alpha at baseline).
    z : float
        Threshold of |RCI|.

    Returns
    -------
    pandas.DataFrame
        pseudonym, pair_id, role, construct, change, rci, reliable_improvement,
        reliable_deterioration.
    """
    rows = []
    for construct, rel in sorted(reliability.items()):
        wide = _wide(scores, construct)
        if not {"pre", "post"} <= set(wide.columns):
            continue
        sd = float(wide["pre"].std(ddof=1))
        complete = wide[["pre", "post"]].dropna()
        if len(complete) == 0 or not sd > 0:
            continue
        result = reliable_change(complete["pre"], complete["post"], sd=sd, reliability=rel, z=z)
        rows.append(result.assign(construct=construct).reset_index(names="pseudonym"))
    if not rows:
        return pd.DataFrame(columns=["pseudonym", "pair_id", "role", "construct", "change", "rci"])
    people = scores.drop_duplicates("pseudonym").set_index("pseudonym")[["pair_id", "role"]]
    table = pd.concat(rows, ignore_index=True).join(people, on="pseudonym")
    return table[
        [
            "pseudonym",
            "pair_id",
            "role",
            "construct",
            "change",
            "rci",
            "reliable_improvement",
            "reliable_deterioration",
        ]
    ]


def net_reliable_change(
    improved: pd.DataFrame, primary: Iterable[tuple[str, str]], *, confidence: float = 0.95
) -> pd.DataFrame:
    """Net reliable change (improved minus deteriorated) for the declared primary outcomes, with CI.

    Counting only improvements over ~10 constructs makes noise look like benefit: with a reliability
    of .8, about as many people deteriorate "reliably" as improve when nothing changes. So only the
    primary outcomes count, and deteriorations are subtracted.

    Parameters
    ----------
    improved : pandas.DataFrame
        From `reliable_improvement` (pseudonym, role, construct, reliable_improvement,
        reliable_deterioration).
    primary : iterable of (construct, role)
        The analysis plan's primary outcomes (`evaluation.claims.AnalysisPlan.primary`).
    confidence : float
        Level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per primary outcome and one per role over its primary outcomes (construct
        ``any_primary``: a person counts as improved when improved on at least one and deteriorated on
        none, as deteriorated in the mirror case): construct, role, n (people assessed), improved,
        deteriorated, net (improved - deteriorated, as a share of n), ci_low, ci_high (Wald interval of
        a difference of two multinomial shares, var = (p1 + p2 - (p1 - p2)^2) / n, clipped to [-1, 1]).

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance. Journal of Consulting and Clinical
    Psychology, 59(1), 12-19.
    """
    z = float(sps.norm.ppf(0.5 + confidence / 2))
    primary = list(primary)
    columns = ["construct", "role", "n", "improved", "deteriorated", "net", "ci_low", "ci_high"]

    def row(construct: str, role: str, up: pd.Series, down: pd.Series) -> dict:
        n = len(up)
        if n == 0:
            return {"construct": construct, "role": role, "n": 0, "improved": 0, "deteriorated": 0}
        p1, p2 = float(up.mean()), float(down.mean())
        half = z * float(np.sqrt(max(p1 + p2 - (p1 - p2) ** 2, 0.0) / n))
        return {
            "construct": construct,
            "role": role,
            "n": n,
            "improved": int(up.sum()),
            "deteriorated": int(down.sum()),
            "net": p1 - p2,
            "ci_low": max(-1.0, p1 - p2 - half),
            "ci_high": min(1.0, p1 - p2 + half),
        }

    rows = []
    if improved.empty:
        return pd.DataFrame(columns=columns)
    for construct, role in primary:
        mine = improved[(improved["construct"] == construct) & (improved["role"] == role)]
        rows.append(row(construct, role, mine["reliable_improvement"], mine["reliable_deterioration"]))
    for role in sorted({r for _, r in primary}):
        constructs = [c for c, r in primary if r == role]
        mine = improved[(improved["role"] == role) & improved["construct"].isin(constructs)]
        person = mine.groupby("pseudonym")[["reliable_improvement", "reliable_deterioration"]].any()
        up = person["reliable_improvement"] & ~person["reliable_deterioration"]
        down = person["reliable_deterioration"] & ~person["reliable_improvement"]
        rows.append(row("any_primary", role, up, down))
    return pd.DataFrame(rows).reindex(columns=columns)


def pairs_improved(improved: pd.DataFrame) -> pd.Series:
    """Count the pairs in which members improved reliably (on at least one construct).

    Parameters
    ----------
    improved : pandas.DataFrame
        From `reliable_improvement`.

    Returns
    -------
    pandas.Series
        pairs (with at least one member assessed), pairs_any (at least one member improved
        reliably), pairs_both (both members did), share_any (pairs_any / pairs).
    """
    if improved.empty:
        return pd.Series({"pairs": 0, "pairs_any": 0, "pairs_both": 0, "share_any": np.nan})
    person = improved.groupby(["pair_id", "pseudonym"])["reliable_improvement"].any()
    per_pair = person.groupby("pair_id").agg(["any", "all", "size"])
    both = per_pair["all"] & (per_pair["size"] == 2)
    pairs = len(per_pair)
    return pd.Series(
        {
            "pairs": pairs,
            "pairs_any": int(per_pair["any"].sum()),
            "pairs_both": int(both.sum()),
            "share_any": per_pair["any"].mean(),
        }
    )


def response_shift(scores: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Pre, retrospective "then" and post per construct and role: the change as two bounds, and the shift.

    The change is reported twice, each with its interval: pre -> post (the traditional pretest, which
    a response shift can bias towards zero) and then -> post (the retrospective pretest, which is free
    of that shift but can inflate change through implicit theories of change and effort
    justification: Hill & Betz, 2005; Taylor, Russ-Eft & Taylor, 2009). The truth is taken to lie
    between, not at either; the shift then - pre is their difference.

    Returns
    -------
    pandas.DataFrame
        construct, role, n (participants with all three), mean_pre, mean_then, mean_post,
        shift (then - pre) with shift_ci_low, shift_ci_high and shift_p (paired t),
        change_pre (post - pre) with change_pre_ci_low and change_pre_ci_high, change_then
        (post - then) with change_then_ci_low and change_then_ci_high, note.

    References
    ----------
    Howard, G. S. (1980). Response-shift bias. Evaluation Review, 4(1), 93-106.
    Hill, L. G., & Betz, D. L. (2005). Revisiting the retrospective pretest. American Journal of
    Evaluation, 26(4), 501-517.
    Taylor, P. J., Russ-Eft, D. F., & Taylor, H. (2009). Gilding the outcome by tarnishing the past:
    Inflationary biases in retrospective pretests. American Journal of Evaluation, 30(1), 31-43.
    """
    rows = []
    for (construct, role), _ in scores[scores["wave"] == "then"].groupby(["construct", "role"], sort=True):
        wide = _wide(scores, construct, role)
        if not {"pre", "then", "post"} <= set(wide.columns):
            continue
        complete = wide[["pre", "then", "post"]].dropna()
        row = {"construct": construct, "role": role, "n": len(complete), "note": ""}
        try:
            shift = paired_change(complete["pre"], complete["then"], confidence=confidence)
            from_pre = paired_change(complete["pre"], complete["post"], confidence=confidence)
            from_then = paired_change(complete["then"], complete["post"], confidence=confidence)
        except ValueError as exc:
            rows.append(row | {"note": str(exc)})
            continue
        row |= {
            "mean_pre": complete["pre"].mean(),
            "mean_then": complete["then"].mean(),
            "mean_post": complete["post"].mean(),
            "shift": shift["mean_diff"],
            "shift_ci_low": shift["ci_low"],
            "shift_ci_high": shift["ci_high"],
            "shift_p": shift["p"],
            "change_pre": from_pre["mean_diff"],
            "change_pre_ci_low": from_pre["ci_low"],
            "change_pre_ci_high": from_pre["ci_high"],
            "change_then": from_then["mean_diff"],
            "change_then_ci_low": from_then["ci_low"],
            "change_then_ci_high": from_then["ci_high"],
        }
        rows.append(row)
    return pd.DataFrame(rows)


def dropout_share(scores: pd.DataFrame) -> float:
    """Return the share of participants with a baseline score who have no follow-up score.

    Parameters
    ----------
    scores : pandas.DataFrame
        From `evaluation.scoring.score` (``pseudonym``, ``wave``).

    Returns
    -------
    float
        Dropouts over participants at baseline (0-1); NaN when nobody answered the baseline.
    """
    baseline = set(scores.loc[scores["wave"] == "pre", "pseudonym"])
    followed = set(scores.loc[scores["wave"] == "post", "pseudonym"])
    return len(baseline - followed) / len(baseline) if baseline else float("nan")


def attrition(scores: pd.DataFrame) -> pd.DataFrame:
    """Baseline scores of completers (with a follow-up) against non-completers, per construct.

    Returns
    -------
    pandas.DataFrame
        construct, n_completers, n_dropouts, mean_completers, mean_dropouts, difference
        (completers - dropouts), p (Welch's t-test), note.
    """
    followed = set(scores.loc[scores["wave"] == "post", "pseudonym"])
    baseline = scores[(scores["wave"] == "pre") & scores["score"].notna()]
    rows = []
    for construct, group in baseline.groupby("construct", sort=True):
        done = group.loc[group["pseudonym"].isin(followed), "score"]
        gone = group.loc[~group["pseudonym"].isin(followed), "score"]
        row = {
            "construct": construct,
            "n_completers": len(done),
            "n_dropouts": len(gone),
            "mean_completers": done.mean(),
            "mean_dropouts": gone.mean() if len(gone) else np.nan,
        }
        if len(done) >= 2 and len(gone) >= 2:
            row |= {
                "difference": done.mean() - gone.mean(),
                "p": float(sps.ttest_ind(done, gone, equal_var=False).pvalue),
                "note": "",
            }
        else:
            row |= {"difference": np.nan, "p": np.nan, "note": "fewer than 2 in a group: no comparison"}
        rows.append(row)
    return pd.DataFrame(rows)


def dose_response(
    scores: pd.DataFrame, meeting_log: pd.DataFrame, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Change against the hours a pair logged, per construct and role (least squares).

    Exploratory: hours are not assigned, so a slope mixes the effect of meeting more with whatever
    makes pairs meet more (engagement); the reports label it so.

    Returns
    -------
    pandas.DataFrame
        construct, role, n, slope (change in score per logged hour), se, ci_low, ci_high, p, note.
    """
    hours = meeting_log.groupby("pair_id")["minutes"].sum() / 60
    rows = []
    for (construct, role), _ in scores.groupby(["construct", "role"], sort=True):
        wide = _wide(scores, construct, role)
        if not {"pre", "post"} <= set(wide.columns):
            continue
        pairs = scores.drop_duplicates("pseudonym").set_index("pseudonym")["pair_id"]
        change = (wide["post"] - wide["pre"]).dropna()
        x = pairs.reindex(change.index).map(hours)
        keep = x.notna()
        row = {"construct": construct, "role": role, "n": int(keep.sum()), "note": ""}
        if keep.sum() < 3 or x[keep].std() == 0:
            rows.append(row | {"note": "fewer than 3 pairs with logged hours, or no spread in hours"})
            continue
        fit = sps.linregress(x[keep].astype(float), change[keep])
        crit = sps.t.ppf(0.5 + confidence / 2, keep.sum() - 2)
        rows.append(
            row
            | {
                "slope": fit.slope,
                "se": fit.stderr,
                "ci_low": fit.slope - crit * fit.stderr,
                "ci_high": fit.slope + crit * fit.stderr,
                "p": fit.pvalue,
            }
        )
    return pd.DataFrame(rows)


def _wide_change(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.pivot_table(index="pseudonym", columns="wave", values="score")


def by_agency(scores: pd.DataFrame, policy: DisclosurePolicy, *, confidence: float = 0.95) -> pd.DataFrame:
    """Change per agency, construct and role, with disclosure control against small groups.

    For each construct and role, the agencies that `policy.pooled` hides (those below the minimum
    reporting size and, so that none can be recovered by subtracting the shown ones from the cohort
    total, their complements) get no statistic: they keep a row with no numbers and are reported
    together in one `evaluation.disclosure.OTHER_AGENCIES` row, a group of at least the minimum.
    A construct and role whose hidden agencies cannot be pooled safely
    (`evaluation.disclosure.DisclosurePolicy.pool_is_safe`: every agency hidden and each with one
    member, which the cohort's total would reveal) gets no rows at all.

    Parameters
    ----------
    scores : pandas.DataFrame
        From `evaluation.scoring.score` (with an ``agency`` column).
    policy : evaluation.disclosure.DisclosurePolicy
        The cohort's disclosure rules.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        agency (or ``OTHER_AGENCIES``), construct, role, n, mean_pre, mean_post, mean_diff, ci_low,
        ci_high, hedges_gav, note; the numbers of hidden agencies are missing.
    """
    rows = []
    data = scores[scores["score"].notna() & scores["wave"].isin(["pre", "post"])]
    agencies = sorted(data["agency"].dropna().unique())
    for (construct, role), block in data.groupby(["construct", "role"], sort=True):
        complete = {}
        for agency, group in block.groupby("agency", sort=True):
            wide = _wide_change(group)
            if {"pre", "post"} <= set(wide.columns):
                complete[agency] = wide[["pre", "post"]].dropna()
        if not complete:
            continue
        sizes = {agency: len(complete.get(agency, ())) for agency in agencies}
        hidden = policy.pooled(sizes)
        if not policy.pool_is_safe(sizes, hidden):
            # every agency is hidden and each has one member: with the cohort's total, a listed
            # hidden agency would be known to have exactly one, so this breakdown says nothing
            continue
        for agency in agencies:
            row = {"agency": agency, "construct": construct, "role": role}
            if agency in hidden:
                row |= {"n": None, "note": policy.note}
            elif sizes[agency] == 0:
                row |= {"n": 0, "note": ""}
            else:
                row |= _shown(complete[agency], confidence)
            rows.append(row)
        if hidden:
            pooled = pd.concat([complete[h] for h in sorted(hidden) if h in complete])
            row = {"agency": OTHER_AGENCIES, "construct": construct, "role": role}
            rows.append(
                row | (_shown(pooled, confidence) if not policy.is_small(len(pooled)) else {"n": None})
            )
    columns = [
        "agency",
        "construct",
        "role",
        "n",
        "mean_pre",
        "mean_post",
        "mean_diff",
        "ci_low",
        "ci_high",
        "hedges_gav",
        "note",
    ]
    return pd.DataFrame(rows).reindex(columns=columns)


def _shown(wide: pd.DataFrame, confidence: float) -> dict:
    change = _change_row(wide["pre"], wide["post"], confidence)
    keys = ("mean_pre", "mean_post", "mean_diff", "ci_low", "ci_high", "hedges_gav", "note")
    return {"n": len(wide), **{k: change.get(k) for k in keys}}


def cost_summary(cost_per_adept: float, n_adepts: int, improved: pd.DataFrame) -> pd.Series:
    """Return the program's cost per adept and per participant with a reliable improvement.

    Parameters
    ----------
    cost_per_adept : float
        Program fee per adept in SEK (cohort.yml ``cost_per_adept_sek``; mentors take part free).
    n_adepts : int
        Adepts in the cohort.
    improved : pandas.DataFrame
        From `reliable_improvement`; a participant counts once however many constructs improved.

    Returns
    -------
    pandas.Series
        total_cost, cost_per_adept, n_participants_improved, cost_per_improved_participant (NaN with
        a note when nobody improved reliably), note.
    """
    if n_adepts < 0 or cost_per_adept < 0:
        raise ValueError("costs and counts must not be negative")
    total = cost_per_adept * n_adepts
    people = (
        int(improved.loc[improved["reliable_improvement"], "pseudonym"].nunique()) if len(improved) else 0
    )
    return pd.Series(
        {
            "total_cost": total,
            "cost_per_adept": cost_per_adept,
            "n_participants_improved": people,
            "cost_per_improved_participant": total / people if people else np.nan,
            "note": "" if people else "nobody improved reliably: no cost per improvement",
        }
    )
