"""True population values on the observed scale, computed by simulating a very large cohort.

The analysis estimates changes in observed scale scores (means of 1-5 items, 0-10 ratings), not in the
latent scores the model moves; cutting to the scale and rounding make the two differ. So every true
value here is what the analysis would find in an infinite cohort: 100,000 simulated pairs (a mentor
and an adept sharing the pair's and the agency's random change, and the pair's meeting hours), drawn
with the same functions as the cohort itself (`evaluation.synth.people`, `evaluation.synth.model`),
with a fixed seed so that the truth does not depend on the cohort's seed. Every variance component
of the cohort is included, so ``true_mean_diff`` is the mean of observed post - pre over infinitely
many participants, pairs and agencies.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from evaluation.survey import Templates
from evaluation.synth.answers import SINGLE_ITEM_NOISE, VALUE_ITEM_NOISE, item_noise
from evaluation.synth.model import (
    CHANGE_SD,
    CONSTRUCT_EFFECTS,
    PARTNER_SHARE,
    PERCEPTION_NOISE_SD,
    PERCEPTION_WEIGHT,
    STABILITY,
    STEREOTYPES,
    VALUE_EFFECTS,
    VALUE_SD,
    VARIANCE,
    Effects,
    cronbach_alpha,
    flip_reverse,
    ordinal_items,
    scale_score,
)
from evaluation.synth.people import latent_waves, pair_hours

__all__ = ["population_truth"]

TRUTH_SEED = 20_211
ROLES = ("mentor", "adept")


def _asked(templates: Templates) -> set[str]:
    """Return the ids of the items the baseline and follow-up surveys (as pinned) ask anyone."""
    return {i.id for name in ("baseline", "followup") for i in templates.instrument(name).items}


def _items_of(templates: Templates, construct_id: str, role: str) -> list:
    construct = templates.constructs[construct_id]
    asked = {i.id for i in templates.instrument("baseline").items_for(role)} & {
        i.id for i in templates.instrument("followup").items_for(role)
    }
    return [templates.items[i] for i in construct.scoring.items if i in asked]


def _construct_truth(templates, construct_id, effects, reliability, n, rng) -> dict[str, dict]:
    """Return, per role answering the construct at both waves, its observed-scale truths.

    Simulates `n` pairs; mentor and adept share the pair's meeting hours, baseline offset (agency +
    pair) and random change (agency + pair), as in a cohort. Besides each role's values, the result
    holds the within-pair correlation of observed change under ``"pair"`` (when both roles answer).
    """
    construct = templates.constructs[construct_id]
    roles = [r for r in ROLES if _items_of(templates, construct_id, r)]
    if not roles:
        return {}
    hours = pair_hours((rng.normal(0, 1, n) + rng.normal(0, 1, n)) / 2, rng)
    shared_offset = rng.normal(0, np.sqrt(VARIANCE["agency"] + VARIANCE["pair"]), n)
    shared_change = rng.normal(0, np.hypot(CHANGE_SD["agency"], CHANGE_SD["pair"]), n)
    result: dict[str, dict] = {}
    for role in roles:
        items = _items_of(templates, construct_id, role)
        scale = templates.scale_of(items[0])
        if construct.scoring.method == "mean":
            k = len(construct.scoring.items)
            noise = item_noise(construct_id, scale, k, reliability, effects.level)
        else:
            noise = SINGLE_ITEM_NOISE
        offset = shared_offset + rng.normal(0, np.sqrt(VARIANCE["person"]), n)
        waves, _ = latent_waves(effects, np.full(n, role), offset, shared_change, hours, rng)
        reverse = [i.reverse for i in items]
        codes = {w: ordinal_items(theta, scale, reverse, noise, rng) for w, theta in waves.items()}
        scores = {w: scale_score(c, scale, reverse) for w, c in codes.items()}
        change = scores["post"] - scores["pre"]
        # Without a mean change or dose the latent distribution at follow-up is the one at baseline
        # (variance 1 at both waves), so the observed one is too: the true change is exactly 0.
        moves = bool(effects.change.get(role, 0.0) or effects.dose)
        result[role] = {
            "pre": float(scores["pre"].mean()),
            "change": float(change.mean()) if moves else 0.0,
            "change_scores": change,
            "then_shift": float((scores["then"] - scores["pre"]).mean()),
            "dose_slope": float(np.polyfit(hours, change, 1)[0]),
            "pre_post_r": float(np.corrcoef(scores["pre"], scores["post"])[0, 1]),
        }
    if len(result) == 2:
        r = np.corrcoef(result["mentor"]["change_scores"], result["adept"]["change_scores"])[0, 1]
        result["pair"] = {"within_pair_r": float(r)}
    return result


def _reliability(templates: Templates, construct_id: str, level: float, reliability: float, n, rng) -> dict:
    """Return the population alpha of a construct's items, all participants at baseline."""
    construct = templates.constructs[construct_id]
    items = [templates.items[i] for i in construct.scoring.items]
    scale = templates.scale_of(items[0])
    noise = item_noise(construct_id, scale, len(items), reliability, level)
    theta = rng.normal(level, 1.0, n)
    reverse = [i.reverse for i in items]
    codes = flip_reverse(ordinal_items(theta, scale, reverse, noise, rng), scale, reverse)
    return {
        "construct": construct_id,
        "requested": reliability,
        "item_noise_sd": noise,
        "population_alpha": cronbach_alpha(codes),
    }


def _perception_truth(templates: Templates, n: int, rng: np.random.Generator) -> tuple[list, list]:
    """Return role gaps in work values and perception accuracy before and after, per role."""
    asked = _asked(templates)
    values = {v: effect for v, effect in VALUE_EFFECTS.items() if v in asked}
    if not values:
        return [], []
    scale = templates.scale_of(templates.items[next(iter(values))])
    answers = {}
    latent = {}
    for role in ROLES:
        sign = 0.5 if role == "mentor" else -0.5
        latent[role] = np.column_stack(
            [lvl + sign * gap + rng.normal(0, VALUE_SD, n) for lvl, gap in values.values()]
        )
        answers[role] = np.column_stack(
            [
                ordinal_items(latent[role][:, j], scale, [False], VALUE_ITEM_NOISE, rng)[:, 0]
                for j in range(len(values))
            ]
        )
    gaps = [
        {"item": v, "true_mean_diff": float(answers["mentor"][:, j].mean() - answers["adept"][:, j].mean())}
        for j, v in enumerate(values)
    ]
    accuracy = []
    for role in ROLES:
        other = "adept" if role == "mentor" else "mentor"
        other_mean = answers[other].mean(axis=0)
        sign = -0.5 if role == "mentor" else 0.5  # the other generation's side of the gap
        result = {"role": role}
        for wave in ("pre", "post"):
            weight = PERCEPTION_WEIGHT[wave]
            perceived, partner_answer = [], []
            for j, (value_id, (level, gap)) in enumerate(values.items()):
                truth = np.full(n, level + sign * gap)
                partner_latent = latent[other][:, j]
                if wave == "post":
                    truth = PARTNER_SHARE * partner_latent + (1 - PARTNER_SHARE) * truth
                belief = weight * truth + (1 - weight) * STEREOTYPES[role][value_id]
                belief = belief + rng.normal(0, PERCEPTION_NOISE_SD, n)
                perceived.append(ordinal_items(belief, scale, [False], 0.0, rng)[:, 0])
                partner_answer.append(answers[other][:, j])
            perceived_codes = np.column_stack(perceived)
            result[f"group_error_{wave}"] = float(np.abs(perceived_codes.mean(axis=0) - other_mean).mean())
            result[f"mae_partner_{wave}"] = float(
                np.abs(perceived_codes - np.column_stack(partner_answer)).mean()
            )
        result["gain_group"] = result["group_error_pre"] - result["group_error_post"]
        result["gain_partner"] = result["mae_partner_pre"] - result["mae_partner_post"]
        accuracy.append(result)
    return gaps, accuracy


def _latent_change() -> dict:
    """Return the variance components of latent change and the within-pair correlation they give.

    Latent change is ``mean + (STABILITY - 1) * offset + agency + pair + own``; mentor and adept
    share the agency and pair parts of the offset and of the new deviation.
    """
    shared_new = CHANGE_SD["agency"] ** 2 + CHANGE_SD["pair"] ** 2
    shared_old = (1 - STABILITY) ** 2 * (VARIANCE["agency"] + VARIANCE["pair"])
    total = (1 - STABILITY) ** 2 + shared_new + CHANGE_SD["person"] ** 2
    return {
        "stability": STABILITY,
        "agency_sd": CHANGE_SD["agency"],
        "pair_sd": CHANGE_SD["pair"],
        "individual_sd": CHANGE_SD["person"],
        "sd": float(np.sqrt(total)),
        "within_pair_r": (shared_new + shared_old) / total,
    }


def population_truth(
    templates: Templates,
    reliability: float,
    effects: Mapping[str, Effects] | None = None,
    n: int = 100_000,
) -> dict:
    """Return the true values the analysis estimates, on the observed scale.

    Parameters
    ----------
    templates : Templates
        The instruments (which items each role answers at baseline and follow-up).
    reliability : float
        The requested reliability of every mean-scored construct.
    effects : mapping, optional
        Construct id to its true `Effects` (default `CONSTRUCT_EFFECTS`, the realistic ones).
    n : int
        Simulated pairs.

    Returns
    -------
    dict
        ``change``: {construct, role, true_mean_diff, latent_shift}; ``role_gap``: {construct or item,
        true_mean_diff (mentor - adept at baseline)}; ``response_shift``: {construct, role,
        true_mean_diff (then - pre)}; ``dose_response``: {construct, role, slope_per_hour};
        ``reliability``: {construct, requested, item_noise_sd, population_alpha};
        ``variance_of_change``: ``latent`` (the stability, the SDs of the agency, pair and
        individual parts of the new deviation at follow-up, the SD of latent change and its
        within-pair correlation) and ``observed`` per construct ({construct, within_pair_r of
        observed change, pre_post_r of the scale scores per role});
        ``perception``: per perceiving role, how far the role's mean belief about each work value lies
        from the other generation's mean answer, averaged over the values (``group_error_pre``,
        ``group_error_post``, ``gain_group`` = pre - post), and the mean absolute difference between
        a participant's belief and their own partner's answer (``mae_partner_pre``, ``_post``,
        ``gain_partner``). Lower errors are more accurate; a positive gain is an improvement.
    """
    effects = CONSTRUCT_EFFECTS if effects is None else effects
    rng = np.random.default_rng(TRUTH_SEED)
    truth: dict[str, list] = {
        "change": [], "role_gap": [], "response_shift": [], "dose_response": [], "reliability": [],
    }  # fmt: skip
    observed = []
    for construct_id, construct in templates.constructs.items():
        construct_effects = effects.get(construct_id, Effects())
        if construct.scoring.method == "mean":
            truth["reliability"].append(
                _reliability(templates, construct_id, construct_effects.level, reliability, n, rng)
            )
        if construct.scoring.method not in ("mean", "single"):
            continue
        per_role = _construct_truth(templates, construct_id, construct_effects, reliability, n, rng)
        pair = per_role.pop("pair", {})
        for role, result in per_role.items():
            truth["change"].append(
                {
                    "construct": construct_id,
                    "role": role,
                    "true_mean_diff": result["change"],
                    "latent_shift": construct_effects.change.get(role, 0.0),
                }
            )
            if construct.key:
                truth["response_shift"].append(
                    {"construct": construct_id, "role": role, "true_mean_diff": result["then_shift"]}
                )
            if construct_effects.dose:
                truth["dose_response"].append(
                    {"construct": construct_id, "role": role, "slope_per_hour": result["dose_slope"]}
                )
        if per_role:
            observed.append(
                {
                    "construct": construct_id,
                    "within_pair_r": pair.get("within_pair_r"),
                    "pre_post_r": {role: result["pre_post_r"] for role, result in per_role.items()},
                }
            )
        if len(per_role) == 2:
            truth["role_gap"].append(
                {
                    "construct": construct_id,
                    "true_mean_diff": per_role["mentor"]["pre"] - per_role["adept"]["pre"],
                }
            )
    truth["variance_of_change"] = {"latent": _latent_change(), "observed": observed}
    gaps, accuracy = _perception_truth(templates, n, rng)
    truth["role_gap"] += gaps
    truth["perception"] = accuracy
    return truth
