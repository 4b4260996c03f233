"""The generating model of a synthetic cohort: latent scores, items, and their true population values.

Model
-----
Every participant *i* has, for every construct *c*, a latent score on a standard-normal scale. At
baseline

    theta_pre[i, c] = m[c, role] + u[i, c],   m[c, role] = level[c] +/- gap[c] / 2
    u[i, c] = agency[a(i), c] + pair[p(i), c] + person[i, c]

with ``+`` for mentors and ``-`` for adepts, agency intercepts of variance 0.04, a pair effect of
variance 0.09 that mentor and adept share, and a person residual of variance 0.87 (total 1). At
follow-up

    theta_post[i, c] = m[c, role] + change[c, role] + dose[c] * (hours[p] - 20) / 10
                       + 0.75 * u[i, c] + agency_change[a(i), c] + pair_change[p(i), c] + own[i, c]

where ``hours[p]`` are the hours the pair met (about 20, more for engaged pairs). The deviation from
the role mean is stable with correlation 0.75 (`STABILITY`); the new part of it is shared by everyone
in an agency (``agency_change``, SD 0.2), by mentor and adept (``pair_change``, SD 0.39) and one's
own (SD 0.50), adding up to variance 1 - 0.75^2 (`CHANGE_SD`): the latent variance is 1 at both
waves, and without a mean change (``change`` and ``dose`` 0) the follow-up looks like the baseline.
A participant's latent change (post - pre) thus varies with SD 0.71 around its mean, regression
toward the mean included; mentor and adept of a pair correlate 0.40 in it, and agencies differ in
their mean change (SD 0.2, about 4 % of the variance of observed change). On the observed scale
scores (reliability 0.80), in an infinite cohort, the within-pair correlation of change is about
0.20 (0.19-0.20 per construct) and the pre-post correlation of a scale score about 0.60 (0.58-0.60;
latent 0.75). `population_truth` reports both per construct in truth.json (``variance_of_change``).

Retrospective "then" answers, given at follow-up about the start of the program, are
``theta_then = theta_pre + response_shift[c, role] + N(0, 0.2^2)``.

Effect sizes
------------
`CONSTRUCT_EFFECTS` (``effects="realistic"``, the default) follows the literature on workplace
mentoring: true mean changes of 0.2-0.4 latent SD on what the program targets (intergenerational
understanding, the mentors' understanding of the organisation, the adepts' confidence with
technology, understanding of technology and of employer attractiveness), 0-0.05 on what it should
leave alone (the climate between generations, the employer's appeal to the young, intention to stay,
recommending the workplace, the mentors' use of technology), a little on meta-stereotypes
(Eby et al. 2008: mentoring effects are small). Role (generation) gaps at baseline are small
(Costanza et al. 2012: generational differences in work attitudes are near zero), at most 0.2 SD,
except where the roles' situations differ: use of and confidence with technology (0.5 and 0.3), and
work values tied to career stage (development). ``effects="null"`` sets every change, dose and
response shift to zero and leaves the rest; ``effects="strong"`` (profiles/strong.yml) restores the
large effects of generator version 1 on the constructs (the work-value gaps stay small), for tests
that need power; a profile file overrides any of level, gap, change, dose and response_shift per
construct (`resolve_effects`). The variance components above belong to the model, not to the
effects: they are the same under every setting.

Items
-----
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

Attrition
---------
Engagement ``E ~ N(0, 1)`` per participant raises a pair's meeting hours and lowers the chance of
leaving the follow-up unanswered: ``P(no follow-up) = logistic(logit(attrition) - 0.7 E - mnar * z)``,
``z`` the participant's latent change (post - pre) of the key construct (`MNAR_CONSTRUCT`),
standardized within role. With ``mnar`` = 0 (the default) dropout is missing at random given
engagement; with ``mnar`` > 0 those who changed least leave most often (missing not at random), so
the completers' mean change overstates the true one.

True values are reported on the observed scale, as the analysis estimates them: the population mean
of (post - pre) scale scores per construct and role, computed by simulating 100,000 pairs with the
same model, every variance component included (`population_truth`); exactly 0 where the latent
distribution does not move (no mean change and no dose).

References: Costanza, D. P., Badger, J. M., Fraser, R. L., Severt, J. B., & Gade, P. A. (2012).
Generational differences in work-related attitudes: a meta-analysis. Journal of Business and
Psychology, 27, 375-394. Eby, L. T., Allen, T. D., Evans, S. C., Ng, T., & DuBois, D. L. (2008).
Does mentoring matter? A multidisciplinary meta-analysis comparing mentored and non-mentored
individuals. Journal of Vocational Behavior, 72, 254-267.
"""

from __future__ import annotations

import dataclasses
import math
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from evaluation.survey import Scale

__all__ = [
    "CHANGE_SD",
    "CONSTRUCT_EFFECTS",
    "EFFECT_NAMES",
    "MNAR_CONSTRUCT",
    "PROFILES_DIR",
    "STEREOTYPES",
    "VALUE_EFFECTS",
    "Effects",
    "calibrate_noise",
    "cronbach_alpha",
    "effects_json",
    "flip_reverse",
    "load_profile",
    "null_effects",
    "ordinal_items",
    "resolve_effects",
    "scale_score",
]

VARIANCE = {"agency": 0.04, "pair": 0.09, "person": 0.87}
"""Shares of the baseline latent variance."""

STABILITY = 0.75
"""Latent correlation of a participant's deviation from the role mean between baseline and follow-up."""

_SHARED_CHANGE_SD = {"agency": 0.2, "pair": 0.39}
CHANGE_SD = {
    **_SHARED_CHANGE_SD,
    "person": math.sqrt(1 - STABILITY**2 - sum(sd**2 for sd in _SHARED_CHANGE_SD.values())),
}
"""Standard deviations of the new deviation at follow-up: shared in an agency, in a pair, one's own.

Their variances add up to ``1 - STABILITY**2``, so the latent variance is 1 at both waves."""

CHANGE_NOISE_SD = CHANGE_SD["person"]
THEN_NOISE_SD = 0.2
MEAN_HOURS = 20.0
PERCEPTION_WEIGHT = {"pre": 0.35, "post": 0.7}
PARTNER_SHARE = 0.5
VALUE_SD = 0.7
PERCEPTION_NOISE_SD = 0.5
MNAR_CONSTRUCT = "intergen_understanding"
"""The key construct whose true change drives missing-not-at-random dropout."""

PROFILES_DIR = Path(__file__).parent / "profiles"
"""Named effect profiles shipped with the package (``strong.yml``)."""

EFFECT_NAMES = ("null", "realistic")
"""Built-in effect settings besides the profiles in `PROFILES_DIR`."""

PROFILE_KEYS = ("level", "gap", "change", "dose", "response_shift")
PROFILE_ROLES = ("mentor", "adept")
PROFILE_LIMIT = 3.0


@dataclass(frozen=True)
class Effects:
    """The true parameters of one construct, in latent standard deviations.

    level: mean location; gap: mentor minus adept at baseline; change: per role, the mean of follow-up
    minus baseline; dose: extra change per 10 pair-meeting hours above 20; response_shift: per role,
    the retrospective "then" answer minus the baseline answer.
    """

    level: float = 0.3
    gap: float = 0.0
    change: dict[str, float] = field(default_factory=dict)
    dose: float = 0.0
    response_shift: dict[str, float] = field(default_factory=dict)


CONSTRUCT_EFFECTS: dict[str, Effects] = {
    # What the program targets: 0.2-0.4 latent SD.
    "intergen_understanding": Effects(
        0.3, 0.0, {"mentor": 0.25, "adept": 0.35}, 0.1, {"mentor": -0.1, "adept": -0.2}
    ),
    "org_understanding": Effects(-0.2, 0.0, {"mentor": 0.35}, 0.1, {"mentor": -0.25}),
    "tech_confidence": Effects(0.4, 0.3, {"mentor": 0.0, "adept": 0.3}, 0.1, {"mentor": 0.0, "adept": -0.15}),
    "tech_understanding": Effects(0.0, 0.2, {"mentor": 0.2, "adept": 0.3}),
    "attractiveness_understanding": Effects(0.0, 0.2, {"mentor": 0.2, "adept": 0.35}),
    # Near the targets: small.
    "tech_use": Effects(0.0, 0.5, {"mentor": 0.0, "adept": 0.15}, 0.05),
    "tech_attitude": Effects(0.5, 0.1, {"mentor": 0.05, "adept": 0.15}),
    "employer_self": Effects(0.5, 0.0, {"mentor": 0.1, "adept": 0.0}),
    "meta_stereotypes": Effects(0.2, 0.0, {"mentor": 0.1, "adept": 0.1}),
    # What the program should leave alone: 0-0.05.
    "intergen_climate": Effects(0.2, 0.0, {"mentor": 0.05, "adept": 0.05}),
    "digital_readiness": Effects(0.0, -0.1, {"mentor": 0.0, "adept": 0.0}),
    "employer_young": Effects(0.1, -0.15, {"mentor": 0.05, "adept": 0.05}),
    "intention_to_stay": Effects(0.4, -0.2, {"mentor": 0.05, "adept": 0.0}),
    "recommend_workplace": Effects(0.6, 0.0, {"mentor": 0.05, "adept": 0.0}),
    # Program experience, answered once at follow-up: levels only.
    "relationship_quality": Effects(1.0),
    "program_learning": Effects(0.8),
    "program_application": Effects(0.6),
    "value_inspiration": Effects(0.7),
    "value_coaching": Effects(0.8),
    "recommend_program": Effects(1.2),
    "inspiration_rating": Effects(0.7),
}
"""Realistic true effects per construct (the default); constructs not listed have level 0.3 and no gap
or mean change."""

VALUE_EFFECTS: dict[str, tuple[float, float]] = {
    "wvmeaning": (0.9, 0.0),
    "wvdevelop": (0.8, 0.25),
    "wvbalance": (0.7, 0.15),
    "wvterms": (0.6, 0.05),
    "wvbelong": (0.6, 0.1),
    "wvinfluence": (0.7, -0.1),
    "wvsociety": (0.6, -0.1),
    # Version 2: the same aspects, flexibility on its own, pay and security apart.
    "wvmeaning2": (0.9, 0.0),
    "wvdevelop2": (0.8, 0.25),
    "wvflex2": (0.7, 0.15),
    "wvpay2": (0.6, 0.1),
    "wvsecure2": (0.6, -0.1),
    "wvbelong2": (0.6, 0.1),
    "wvinfluence2": (0.7, -0.1),
    "wvsociety2": (0.6, -0.1),
}
"""Work values: (level, mentor minus adept gap) per self item, in latent units.

Gaps are at most 0.2 of the spread of values between people (SD 0.76 with the item noise), except
development (career stage: the young value it more). Both versions' items are listed; a cohort
answers those its pinned versions ask (version 2 asks own values at baseline only, and beliefs about
the partner at both waves). Values do not change.
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


def null_effects(table: Mapping[str, Effects]) -> dict[str, Effects]:
    """Return `table` with every mean change, dose and response shift set to zero (the rest kept)."""
    return {
        c: dataclasses.replace(
            e,
            change=dict.fromkeys(e.change, 0.0),
            dose=0.0,
            response_shift=dict.fromkeys(e.response_shift, 0.0),
        )
        for c, e in table.items()
    }


def _number(value: object, path: Path, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{path}: {where}: {value!r} is not a number")
    if abs(value) > PROFILE_LIMIT:
        raise ValueError(
            f"{path}: {where}: {value!r} is out of range (latent SD units, "
            f"-{PROFILE_LIMIT:g} to {PROFILE_LIMIT:g})"
        )
    return float(value)


def _per_role(value: object, path: Path, where: str) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ValueError(
            f"{path}: {where}: expected a mapping of role to value, e.g. {{mentor: 0.2, adept: 0.3}}"
        )
    unknown = [r for r in value if r not in PROFILE_ROLES]
    if unknown:
        raise ValueError(f"{path}: {where}: unknown role {unknown[0]!r}; expected mentor or adept")
    return {str(r): _number(v, path, f"{where}.{r}") for r, v in value.items()}


def load_profile(path: Path, constructs: Mapping[str, object]) -> dict[str, dict]:
    """Read and validate an effect profile.

    A profile is a YAML mapping of construct id to any of ``level``, ``gap``, ``dose`` (numbers) and
    ``change``, ``response_shift`` (mappings of ``mentor``/``adept`` to numbers), in latent SD
    units between -3 and 3, e.g. ``intergen_understanding: {change: {mentor: 0.3, adept: 0.4}}``.

    Parameters
    ----------
    path : pathlib.Path
        The profile file.
    constructs : mapping
        The templates' constructs (id to `evaluation.survey.Construct`): a profile may set the
        mean- and single-scored ones, and those of `CONSTRUCT_EFFECTS`.

    Returns
    -------
    dict
        Construct id to the validated overrides.

    Raises
    ------
    ValueError
        Naming the file, the construct and the bad key or value.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(
            f"{path}: cannot read the effect profile ({exc.strerror}); effects are "
            f"{', '.join(_effect_names())} or a profile YAML file"
        ) from exc
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: expected a mapping of construct id to its effects")
    profile: dict[str, dict] = {}
    for construct_id, spec in data.items():
        construct = constructs.get(construct_id)
        method = getattr(getattr(construct, "scoring", None), "method", None)
        if construct_id not in CONSTRUCT_EFFECTS and method not in ("mean", "single"):
            if construct is None:
                raise ValueError(f"{path}: unknown construct {construct_id!r}")
            raise ValueError(
                f"{path}: {construct_id}: scored as {method!r}, not a scale with a latent score; "
                "its effects cannot be set"
            )
        if not isinstance(spec, Mapping):
            raise ValueError(f"{path}: {construct_id}: expected a mapping of {', '.join(PROFILE_KEYS)}")
        overrides: dict[str, object] = {}
        for key, value in spec.items():
            where = f"{construct_id}.{key}"
            if key in ("change", "response_shift"):
                overrides[key] = _per_role(value, path, where)
            elif key in ("level", "gap", "dose"):
                overrides[key] = _number(value, path, where)
            else:
                raise ValueError(
                    f"{path}: {construct_id}: unknown key {key!r}; expected {', '.join(PROFILE_KEYS)}"
                )
        profile[str(construct_id)] = overrides
    return profile


def _effect_names() -> list[str]:
    return [*EFFECT_NAMES, *sorted(p.stem for p in PROFILES_DIR.glob("*.yml"))]


def resolve_effects(effects: str | Path, constructs: Mapping[str, object]) -> tuple[str, dict[str, Effects]]:
    """Return the name and the table of true effects that `effects` stands for.

    Parameters
    ----------
    effects : str or pathlib.Path
        ``"realistic"`` (`CONSTRUCT_EFFECTS`), ``"null"`` (`null_effects` of it), the name of a
        profile shipped in `PROFILES_DIR` (``"strong"``), or the path of a profile file
        (`load_profile`), whose values override the realistic ones (per role for ``change`` and
        ``response_shift``).
    constructs : mapping
        The templates' constructs, to validate a profile against.

    Returns
    -------
    tuple
        The name to record (the given name or path) and construct id to `Effects`.
    """
    if isinstance(effects, str) and effects == "realistic":
        return "realistic", dict(CONSTRUCT_EFFECTS)
    if isinstance(effects, str) and effects == "null":
        return "null", null_effects(CONSTRUCT_EFFECTS)
    name = str(effects)
    path = Path(effects)
    if isinstance(effects, str) and re.fullmatch(r"[a-z][a-z0-9_-]*", effects):
        shipped = PROFILES_DIR / f"{effects}.yml"
        if shipped.is_file():
            path = shipped
        elif not path.is_file():
            raise ValueError(
                f"unknown effects {effects!r}; expected {', '.join(_effect_names())} or a profile YAML file"
            )
    table = dict(CONSTRUCT_EFFECTS)
    for construct_id, overrides in load_profile(path, constructs).items():
        base = table.get(construct_id, Effects())
        for key in ("change", "response_shift"):
            if key in overrides:
                overrides[key] = {**getattr(base, key), **overrides[key]}
        table[construct_id] = dataclasses.replace(base, **overrides)
    return name, table


def effects_json(table: Mapping[str, Effects]) -> dict[str, dict]:
    """Return an effects table as plain data (for truth.json and cache keys), sorted by construct."""
    return {c: dataclasses.asdict(table[c]) for c in sorted(table)}


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
