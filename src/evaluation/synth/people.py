"""The synthetic participants: roster, engagement, meeting hours and latent scores.

Names and e-mail addresses are obviously fictitious: common Swedish names at ``@example.se``, a
domain reserved for examples (RFC 2606 style), never a real agency's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.survey import Templates
from evaluation.synth.model import (
    CHANGE_SD,
    CONSTRUCT_EFFECTS,
    MEAN_HOURS,
    STABILITY,
    THEN_NOISE_SD,
    VALUE_EFFECTS,
    VALUE_SD,
    VARIANCE,
    Effects,
)

__all__ = ["Cohort", "draw_cohort", "followup_dropout", "latent_waves", "pair_hours", "standardized"]

FIRST_NAMES = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Emma", "Elin", "Ida", "Lina", "Maja", "Alva", "Ebba",
    "Erik", "Lars", "Karl", "Johan", "Anders", "Per", "Nils", "Oskar", "Hugo", "Liam", "Axel", "Elias",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Lindberg",
    "Åberg", "Öberg", "Ström", "Lindqvist",
]  # fmt: skip
AGENCIES = [
    "Alfaverket", "Betamyndigheten", "Gammastyrelsen", "Deltainspektionen", "Epsilonverket",
    "Zetakommissionen", "Etaakademien", "Thetarådet", "Jotaverket", "Kappamyndigheten",
]  # fmt: skip
CODE_ALPHABET = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))


@dataclass
class Cohort:
    """Everything drawn about the participants.

    Attributes
    ----------
    roster : pandas.DataFrame
        participant_id, role, pair_id, agency, age_band, email; plus name (kept out of roster.csv),
        engagement and the pair's meeting hours, for the generator only.
    latent : dict
        Construct id to {"pre", "post", "then"} arrays aligned with the roster.
    values : numpy.ndarray
        Work values (participants x self items) in latent units, in `VALUE_EFFECTS` order.
    change : dict
        Construct id to each participant's latent change (post - pre).
    effects : dict
        Construct id to the true `Effects` the cohort was drawn with.
    """

    roster: pd.DataFrame
    latent: dict[str, dict[str, np.ndarray]]
    values: np.ndarray
    change: dict[str, np.ndarray] = field(default_factory=dict)
    effects: Mapping[str, Effects] = field(default_factory=lambda: dict(CONSTRUCT_EFFECTS))


def pair_hours(pair_engagement: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return the hours each pair met: about 20, more for engaged pairs, between 4 and 50."""
    return np.clip(rng.normal(MEAN_HOURS + 4 * pair_engagement, 5), 4, 50)


def latent_waves(
    effects: Effects,
    roles: np.ndarray,
    offset: np.ndarray,
    shared_change: np.ndarray,
    hours: np.ndarray,
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Return latent scores at baseline ("pre"), follow-up ("post") and retrospectively ("then").

    Parameters
    ----------
    effects : Effects
        The construct's true parameters.
    roles : numpy.ndarray of str
        Each participant's role.
    offset : numpy.ndarray
        Each participant's deviation from the role mean at baseline (agency + pair + person),
        variance 1.
    shared_change : numpy.ndarray
        Each participant's share of the agency's and the pair's new deviation at follow-up
        (variance ``CHANGE_SD["agency"]**2 + CHANGE_SD["pair"]**2``).
    hours : numpy.ndarray
        Each participant's pair meeting hours.
    rng : numpy.random.Generator
        Source of the individual change and the recall noise.

    Returns
    -------
    tuple
        The waves ({"pre", "post", "then"} arrays) and each participant's latent change (post - pre).
    """
    n = len(roles)
    sign = np.where(roles == "mentor", 0.5, -0.5)
    role_mean = effects.level + sign * effects.gap
    pre = role_mean + offset
    mean_change = np.array([effects.change.get(r, 0.0) for r in roles])
    dose = effects.dose * (hours - MEAN_HOURS) / 10
    deviation = STABILITY * offset + shared_change + rng.normal(0, CHANGE_SD["person"], n)
    post = role_mean + mean_change + dose + deviation
    shift = np.array([effects.response_shift.get(r, 0.0) for r in roles])
    then = pre + shift + rng.normal(0, THEN_NOISE_SD, n)
    return {"pre": pre, "post": post, "then": then}, post - pre


def standardized(values: np.ndarray, roles: np.ndarray) -> np.ndarray:
    """Return `values` standardized within each role (mean 0, SD 1; 0 where a role has no spread)."""
    z = np.zeros(len(values))
    for role in np.unique(roles):
        mask = roles == role
        sd = values[mask].std()
        if sd > 0:
            z[mask] = (values[mask] - values[mask].mean()) / sd
    return z


def followup_dropout(
    engagement: np.ndarray, change_z: np.ndarray, attrition: float, mnar: float, rng: np.random.Generator
) -> np.ndarray:
    """Return who never answers the follow-up.

    ``P(no follow-up) = logistic(logit(attrition) - 0.7 engagement - mnar * change_z)``: the less
    engaged leave more often, and with `mnar` > 0 those whose true change (`change_z`, standardized)
    is low leave more often too (missing not at random).
    """
    n = len(engagement)
    if attrition <= 0:
        return np.zeros(n, dtype=bool)
    logit = np.log(attrition / (1 - attrition)) - 0.7 * engagement
    if mnar:
        logit = logit - mnar * change_z
    return rng.random(n) < 1 / (1 + np.exp(-logit))


def _codes(n: int, rng: np.random.Generator) -> list[str]:
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < n:
        letters = "".join(rng.choice(CODE_ALPHABET, 8))
        code = f"{letters[:4]}-{letters[4:]}"
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def _emails(first: list[str], last: list[str]) -> list[str]:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "a", "Ä": "a", "Ö": "o"})
    seen: dict[str, int] = {}
    emails = []
    for f, la in zip(first, last, strict=True):
        base = f"{f}.{la}".lower().translate(table)
        seen[base] = seen.get(base, 0) + 1
        suffix = "" if seen[base] == 1 else str(seen[base])
        emails.append(f"{base}{suffix}@example.se")
    return emails


def draw_cohort(
    templates: Templates,
    n_pairs: int,
    n_agencies: int,
    rng: np.random.Generator,
    effects: Mapping[str, Effects] | None = None,
    agency_variation: bool = True,
) -> Cohort:
    """Draw the roster, engagement, hours and latent scores of a cohort of `n_pairs` pairs.

    `effects` maps construct ids to their true parameters (default `CONSTRUCT_EFFECTS`). Without
    `agency_variation`, every agency's true change is the cohort's: no agency share of change, and an
    agency's baseline offset carried to follow-up unchanged (for null tests at the agency scope).
    """
    effects = dict(CONSTRUCT_EFFECTS if effects is None else effects)
    n = 2 * n_pairs
    agencies = [AGENCIES[i] if i < len(AGENCIES) else f"Myndighet {i + 1:02d}" for i in range(n_agencies)]
    pair_agency = np.sort(rng.permutation(np.arange(n_pairs) % n_agencies))
    roles = np.tile(np.array(["mentor", "adept"]), n_pairs)
    pair = np.repeat(np.arange(n_pairs), 2)
    first = [str(x) for x in rng.choice(FIRST_NAMES, n)]
    last = [str(x) for x in rng.choice(LAST_NAMES, n)]
    engagement = rng.normal(0, 1, n)
    hours = pair_hours((engagement[0::2] + engagement[1::2]) / 2, rng)
    age_band = np.where(
        roles == "mentor", "-29", rng.choice(np.array(["40-49", "50-59", "60-"]), n, p=[0.35, 0.5, 0.15])
    )
    width = max(3, len(str(n_pairs)))
    roster = pd.DataFrame(
        {
            "participant_id": _codes(n, rng),
            "role": roles,
            "pair_id": [f"par{p + 1:0{width}d}" for p in pair],
            "agency": [agencies[pair_agency[p]] for p in pair],
            "age_band": age_band,
            "email": _emails(first, last),
            "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
            "engagement": engagement,
            "hours": hours[pair],
        }
    )
    agency_of = pair_agency[pair]
    latent, change = {}, {}
    for construct_id in templates.constructs:
        agency_offset = rng.normal(0, np.sqrt(VARIANCE["agency"]), n_agencies)[agency_of]
        offset = (
            agency_offset
            + rng.normal(0, np.sqrt(VARIANCE["pair"]), n_pairs)[pair]
            + rng.normal(0, np.sqrt(VARIANCE["person"]), n)
        )
        agency_change = rng.normal(0, CHANGE_SD["agency"], n_agencies)[agency_of]
        if not agency_variation:  # the agency's offset stays as it was; no agency share of change
            agency_change = (1 - STABILITY) * agency_offset
        shared_change = agency_change + rng.normal(0, CHANGE_SD["pair"], n_pairs)[pair]
        construct_effects = effects.get(construct_id, Effects())
        latent[construct_id], change[construct_id] = latent_waves(
            construct_effects, roles, offset, shared_change, roster["hours"].to_numpy(), rng
        )
    values = np.column_stack(
        [
            level + np.where(roles == "mentor", 0.5, -0.5) * gap + rng.normal(0, VALUE_SD, n)
            for level, gap in VALUE_EFFECTS.values()
        ]
    )
    return Cohort(roster=roster, latent=latent, values=values, change=change, effects=effects)
