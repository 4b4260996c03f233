"""The synthetic participants: roster, engagement, meeting hours and latent scores.

Names and e-mail addresses are obviously fictitious: common Swedish names at ``@example.se``, a
domain reserved for examples (RFC 2606 style), never a real agency's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.survey import Templates
from evaluation.synth.model import (
    CHANGE_NOISE_SD,
    CONSTRUCT_EFFECTS,
    MEAN_HOURS,
    THEN_NOISE_SD,
    VALUE_EFFECTS,
    VALUE_SD,
    VARIANCE,
    Effects,
)

__all__ = ["Cohort", "draw_cohort", "latent_waves", "pair_hours"]

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
    """

    roster: pd.DataFrame
    latent: dict[str, dict[str, np.ndarray]]
    values: np.ndarray


def pair_hours(pair_engagement: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return the hours each pair met: about 20, more for engaged pairs, between 4 and 50."""
    return np.clip(rng.normal(MEAN_HOURS + 4 * pair_engagement, 5), 4, 50)


def latent_waves(
    effects: Effects, roles: np.ndarray, offset: np.ndarray, hours: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Return latent scores at baseline ("pre"), follow-up ("post") and retrospectively ("then").

    Parameters
    ----------
    effects : Effects
        The construct's true parameters.
    roles : numpy.ndarray of str
        Each participant's role.
    offset : numpy.ndarray
        Each participant's deviation from the role mean (agency + pair + person), variance 1.
    hours : numpy.ndarray
        Each participant's pair meeting hours.
    rng : numpy.random.Generator
        Source of the change and recall noise.
    """
    sign = np.where(roles == "mentor", 0.5, -0.5)
    pre = effects.level + sign * effects.gap + offset
    change = np.array([effects.change.get(r, 0.0) for r in roles])
    shift = np.array([effects.response_shift.get(r, 0.0) for r in roles])
    post = (
        pre + change + effects.dose * (hours - MEAN_HOURS) / 10 + rng.normal(0, CHANGE_NOISE_SD, len(roles))
    )
    then = pre + shift + rng.normal(0, THEN_NOISE_SD, len(roles))
    return {"pre": pre, "post": post, "then": then}


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


def draw_cohort(templates: Templates, n_pairs: int, n_agencies: int, rng: np.random.Generator) -> Cohort:
    """Draw the roster, engagement, hours and latent scores of a cohort of `n_pairs` pairs."""
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
    latent = {}
    for construct_id in templates.constructs:
        effects = CONSTRUCT_EFFECTS.get(construct_id, Effects())
        offset = (
            rng.normal(0, np.sqrt(VARIANCE["agency"]), n_agencies)[pair_agency[pair]]
            + rng.normal(0, np.sqrt(VARIANCE["pair"]), n_pairs)[pair]
            + rng.normal(0, np.sqrt(VARIANCE["person"]), n)
        )
        latent[construct_id] = latent_waves(effects, roles, offset, roster["hours"].to_numpy(), rng)
    values = np.column_stack(
        [
            level + np.where(roles == "mentor", 0.5, -0.5) * gap + rng.normal(0, VALUE_SD, n)
            for level, gap in VALUE_EFFECTS.values()
        ]
    )
    return Cohort(roster=roster, latent=latent, values=values)
