"""The generating model of a synthetic cohort: latent scores, items, and their true population values.

Model
-----
Every participant *i* has, for every construct *c*, a latent score on a standard-normal scale:

    theta_pre[i, c] = level[c] +/- gap[c] / 2 + agency[a(i), c] + pair[p(i), c] + person[i, c]

with ``+`` for mentors and ``-`` for adepts, agency intercepts of variance 0.04, a pair effect of
variance 0.09 that mentor and adept share, and a person residual of variance 0.87 (total 1). At
follow-up

    theta_post = theta_pre + change[c, role] + dose[c] * (hours[p] - 20) / 10 + N(0, 0.3^2)

where ``hours[p]`` are the hours the pair met (about 20, more for engaged pairs). Retrospective "then"
answers, given at follow-up about the start of the program, are
``theta_then = theta_pre + response_shift[c, role] + N(0, 0.2^2)``.

An item is the latent score plus noise, mapped onto its scale and cut to it:
``x = round(mid + spread * (theta + e))``, ``mid`` the scale's midpoint, ``spread`` a fifth of its
range, ``e ~ N(0, s^2)``; a reverse-keyed item is flipped (``min + max - x``). The item noise ``s`` of
each construct is calibrated (by bisection on a large simulated population) so that Cronbach's alpha
of its items, on the observed scale, equals the requested reliability (default 0.80).

Work values are single items (a profile): each participant values each aspect at
``level[v] +/- gap[v] / 2 + N(0, 0.7^2)``. A belief about what the other generation values mixes the
truth and a stereotype, ``w * truth + (1 - w) * stereotype[v] + N(0, 0.5^2)``: ``w`` = 0.35 at
baseline; at follow-up ``w`` = 0.7 and the truth is half one's own partner's value, half the other
generation's mean. Perception accuracy is measured per cohort as the distance between a generation's
mean belief and the other generation's mean answer, and per pair as the absolute difference between a
participant's belief and the partner's own answer (lower is more accurate).

Engagement ``E ~ N(0, 1)`` per participant raises a pair's meeting hours and lowers the chance of
leaving the follow-up unanswered: ``P(no follow-up) = logistic(logit(attrition) - 0.7 E)``.

True values are reported on the observed scale, as the analysis estimates them: the population mean
of (post - pre) scale scores per construct and role, computed by simulating 100,000 participants per
role with the same model (`population_truth`).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from evaluation.survey import Scale

__all__ = [
    "CONSTRUCT_EFFECTS",
    "STEREOTYPES",
    "VALUE_EFFECTS",
    "Effects",
    "calibrate_noise",
    "cronbach_alpha",
    "flip_reverse",
    "ordinal_items",
    "scale_score",
]

VARIANCE = {"agency": 0.04, "pair": 0.09, "person": 0.87}
"""Shares of the baseline latent variance."""

CHANGE_NOISE_SD = 0.3
THEN_NOISE_SD = 0.2
MEAN_HOURS = 20.0
PERCEPTION_WEIGHT = {"pre": 0.35, "post": 0.7}
PARTNER_SHARE = 0.5
VALUE_SD = 0.7
PERCEPTION_NOISE_SD = 0.5


@dataclass(frozen=True)
class Effects:
    """The true parameters of one construct, in latent standard deviations.

    level: mean location; gap: mentor minus adept at baseline; change: per role, follow-up minus
    baseline; dose: extra change per 10 pair-meeting hours above 20; response_shift: per role, the
    retrospective "then" answer minus the baseline answer.
    """

    level: float = 0.3
    gap: float = 0.0
    change: dict[str, float] = field(default_factory=dict)
    dose: float = 0.0
    response_shift: dict[str, float] = field(default_factory=dict)


CONSTRUCT_EFFECTS: dict[str, Effects] = {
    "intergen_understanding": Effects(
        0.3, 0.0, {"mentor": 0.35, "adept": 0.5}, 0.15, {"mentor": -0.15, "adept": -0.3}
    ),
    "intergen_climate": Effects(0.2, 0.0, {"mentor": 0.1, "adept": 0.1}),
    "tech_use": Effects(0.0, 0.5, {"mentor": 0.0, "adept": 0.25}, 0.1),
    "tech_confidence": Effects(0.4, 0.4, {"mentor": 0.0, "adept": 0.4}, 0.1, {"mentor": 0.0, "adept": -0.2}),
    "tech_attitude": Effects(0.5, 0.2, {"mentor": 0.1, "adept": 0.3}),
    "digital_readiness": Effects(0.0, -0.2, {"mentor": 0.0, "adept": 0.0}),
    "employer_young": Effects(0.1, -0.3, {"mentor": 0.2, "adept": 0.3}),
    "employer_self": Effects(0.5, 0.0, {"mentor": 0.25, "adept": 0.0}),
    "intention_to_stay": Effects(0.4, -0.3, {"mentor": 0.2, "adept": 0.0}),
    "recommend_workplace": Effects(0.6, 0.0, {"mentor": 0.2, "adept": 0.1}),
    "org_understanding": Effects(-0.2, 0.0, {"mentor": 0.6}, 0.2, {"mentor": -0.4}),
    "relationship_quality": Effects(1.0),
    "program_learning": Effects(0.8),
    "program_application": Effects(0.6),
    "value_inspiration": Effects(0.7),
    "value_coaching": Effects(0.8),
    "recommend_program": Effects(1.2),
    "inspiration_rating": Effects(0.7),
    "meta_stereotypes": Effects(0.2, 0.0, {"mentor": 0.15, "adept": 0.15}),
    "tech_understanding": Effects(0.0, 0.3, {"mentor": 0.15, "adept": 0.35}),
    "attractiveness_understanding": Effects(0.0, 0.4, {"mentor": 0.1, "adept": 0.4}),
}
"""True effects per construct; constructs not listed have level 0.3 and no gap or change."""

VALUE_EFFECTS: dict[str, tuple[float, float]] = {
    "wvmeaning": (0.9, 0.0),
    "wvdevelop": (0.8, 0.35),
    "wvbalance": (0.7, 0.3),
    "wvterms": (0.6, 0.1),
    "wvbelong": (0.6, 0.2),
    "wvinfluence": (0.7, -0.15),
    "wvsociety": (0.6, -0.2),
    # Version 2: the same aspects, flexibility on its own, pay and security apart.
    "wvmeaning2": (0.9, 0.0),
    "wvdevelop2": (0.8, 0.35),
    "wvflex2": (0.7, 0.3),
    "wvpay2": (0.6, 0.15),
    "wvsecure2": (0.6, -0.1),
    "wvbelong2": (0.6, 0.2),
    "wvinfluence2": (0.7, -0.15),
    "wvsociety2": (0.6, -0.2),
}
"""Work values: (level, mentor minus adept gap) per self item, in latent units.

Both versions' items are listed; a cohort answers those its pinned versions ask (version 2 asks own
values at baseline only, and beliefs about the partner at both waves).
"""

STEREOTYPES: dict[str, dict[str, float]] = {
    # What adepts believe younger colleagues value, before meeting them.
    "adept": {
        "wvmeaning": 0.2,
        "wvdevelop": 1.0,
        "wvbalance": 1.2,
        "wvterms": 0.9,
        "wvbelong": 0.3,
        "wvinfluence": 0.5,
        "wvsociety": 0.0,
        "wvmeaning2": 0.2,
        "wvdevelop2": 1.0,
        "wvflex2": 1.2,
        "wvpay2": 0.9,
        "wvsecure2": 0.2,
        "wvbelong2": 0.3,
        "wvinfluence2": 0.5,
        "wvsociety2": 0.0,
    },
    # What mentors believe senior colleagues value.
    "mentor": {
        "wvmeaning": 0.4,
        "wvdevelop": 0.0,
        "wvbalance": -0.2,
        "wvterms": 0.8,
        "wvbelong": 0.2,
        "wvinfluence": 1.0,
        "wvsociety": 0.5,
        "wvmeaning2": 0.4,
        "wvdevelop2": 0.0,
        "wvflex2": -0.2,
        "wvpay2": 0.8,
        "wvsecure2": 0.9,
        "wvbelong2": 0.2,
        "wvinfluence2": 1.0,
        "wvsociety2": 0.5,
    },
}
"""Stereotypes, in latent units, of the other generation's work values."""


def ordinal_items(
    theta: np.ndarray, scale: Scale, reverse: list[bool], noise_sd: float, rng: np.random.Generator
) -> np.ndarray:
    """Return item codes (participants x items) for latent scores `theta`.

    Parameters
    ----------
    theta : numpy.ndarray
        Latent scores, one per participant.
    scale : Scale
        The items' ordinal scale.
    reverse : list of bool
        Per item, whether it is reverse-keyed (flipped after cutting to the scale).
    noise_sd : float
        Item noise in latent units.
    rng : numpy.random.Generator
        Source of the noise.

    Returns
    -------
    numpy.ndarray
        Float codes within the scale's range.
    """
    low, high = min(scale.codes), max(scale.codes)
    mid, spread = (low + high) / 2, (high - low) / 5
    noise = rng.normal(0.0, noise_sd, size=(len(theta), len(reverse)))
    codes = np.clip(np.rint(mid + spread * (theta[:, None] + noise)), low, high)
    return flip_reverse(codes, scale, reverse)


def flip_reverse(codes: np.ndarray, scale: Scale, reverse: list[bool]) -> np.ndarray:
    """Return a copy of item codes with the reverse-keyed columns flipped (``min + max - x``)."""
    low, high = min(scale.codes), max(scale.codes)
    flipped = codes.copy()
    flip = np.asarray(reverse, dtype=bool)
    flipped[:, flip] = low + high - flipped[:, flip]
    return flipped


def cronbach_alpha(items: np.ndarray) -> float:
    """Cronbach's alpha of complete item scores (rows participants, columns items)."""
    k = items.shape[1]
    total = items.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / total))


def calibrate_noise(construct_id: str, scale: Scale, k: int, level: float, reliability: float) -> float:
    """Return the item noise that gives Cronbach's alpha `reliability` on the observed scale.

    Bisection on a population of 20,000 simulated participants with latent scores ``N(level, 1)``;
    the random numbers depend only on the construct id, so the result is the same for every cohort.
    """
    rng_seed = zlib.crc32(construct_id.encode())
    low, high = 0.02, 5.0
    for _ in range(22):
        mid = (low + high) / 2
        rng = np.random.default_rng(rng_seed)
        theta = rng.normal(level, 1.0, 20_000)
        alpha = cronbach_alpha(ordinal_items(theta, scale, [False] * k, mid, rng))
        low, high = (mid, high) if alpha > reliability else (low, mid)
    return (low + high) / 2


def scale_score(codes: np.ndarray, scale: Scale, reverse: list[bool]) -> np.ndarray:
    """Return the mean of items with reverse-keyed items flipped back (complete rows)."""
    return flip_reverse(codes, scale, reverse).mean(axis=1)
