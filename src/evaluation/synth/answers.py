"""Answers of the synthetic participants: one canonical response table per instrument, role and wave.

Tables have the columns described in `evaluation.formats.layout`. Besides the model's answers they
carry what real surveys have: item non-response (2 % of cells), partial responses (4 % of
submissions stop after a random section), submission times spread over the days after an invitation,
and the platform's own metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from evaluation.formats.layout import Column, Layout
from evaluation.survey import Scale, Templates
from evaluation.synth.model import (
    PARTNER_SHARE,
    PERCEPTION_NOISE_SD,
    PERCEPTION_WEIGHT,
    STEREOTYPES,
    VALUE_EFFECTS,
    Effects,
    calibrate_noise,
    ordinal_items,
)
from evaluation.synth.people import Cohort

__all__ = ["AnswerSettings", "answer_table", "item_noise", "meeting_log_table"]

SINGLE_ITEM_NOISE = 0.5
VALUE_ITEM_NOISE = 0.3
INSPIRATION_EFFECT = {1: 0.0, 2: 0.3, 3: 0.1, 4: 0.4}
COMMENTS = {
    "sv": [
        "Mycket givande samtal, jag har fått nya perspektiv.",
        "Svårt att hitta tid till mötena ibland.",
        "Bra upplägg, men fler gemensamma träffar hade varit bra.",
        "Jag har lärt mig mycket om hur beslut fattas på myndigheten.",
        "Inspirerande föreläsningar.",
        "Vi pratade mycket om AI och digitala verktyg.",
    ],
    "en": [
        "Very rewarding conversations, I have gained new perspectives.",
        "Sometimes hard to find time for the meetings.",
        "Good structure, but more joint meetings would have been good.",
        "I have learned a lot about how decisions are made at the agency.",
        "Inspiring lectures.",
        "We talked a lot about AI and digital tools.",
    ],
}
CHOICE_UTILITY = {
    "attraction_factors": {
        "mentor": np.array([0.8, 1.0, 1.0, 0.9, 0.4, 0.5, 0.7, 0.8, 0.7]),
        "adept": np.array([0.3, 0.8, 1.0, 1.1, 0.3, 0.2, 0.9, 0.5, 0.4]),
    },
    "attraction_factors2": {
        "mentor": np.array([0.8, 1.0, 1.0, 0.9, 0.4, 0.6, 0.5, 0.8, 0.7, 0.7]),
        "adept": np.array([0.3, 0.8, 1.1, 1.1, 0.3, 0.5, 0.3, 0.5, 0.9, 0.4]),
    },
}
"""Utilities of the choices (in scale order) of multiple-choice items: what each role believes attracts
the young. Other multiple-choice items (a checklist of actions) pick up to three of their options at
random, the last ("Inget av detta") only when none is picked."""


@dataclass(frozen=True)
class AnswerSettings:
    """Rates of imperfect answering."""

    item_missing: float = 0.02
    partial: float = 0.04
    reliability: float = 0.8


@cache
def item_noise(construct_id: str, scale: Scale, k: int, reliability: float, level: float) -> float:
    """Return the calibrated item noise of a mean-scored construct at latent `level` (`calibrate_noise`)."""
    return calibrate_noise(construct_id, scale, k, level, reliability)


def _column_values(
    templates: Templates,
    cohort: Cohort,
    column: Column,
    who: np.ndarray,
    wave: str,
    lang: str,
    settings: AnswerSettings,
    rng: np.random.Generator,
) -> list[object]:
    item, scale = column.item, column.scale
    roles = cohort.roster["role"].to_numpy()[who]
    construct = templates.constructs.get(item.construct or "")
    value_ids = list(VALUE_EFFECTS)
    if item.id in VALUE_EFFECTS:
        latent = cohort.values[who, value_ids.index(item.id)]
        return _codes(ordinal_items(latent, scale, [False], VALUE_ITEM_NOISE, rng)[:, 0])
    if item.perception_of in VALUE_EFFECTS:
        return _codes(
            ordinal_items(
                _perceived(cohort, item.perception_of, who, roles, wave, rng), scale, [False], 0.0, rng
            )[:, 0]
        )
    if construct is not None and construct.scoring.method in ("mean", "single"):
        when = "then" if item.then_of else ("post" if wave == "post" else "pre")
        theta = cohort.latent[construct.id][when][who]
        if wave.startswith("meeting"):
            theta = theta + INSPIRATION_EFFECT[int(wave[-1])]
        if construct.scoring.method == "mean":
            level = cohort.effects.get(construct.id, Effects()).level
            noise = item_noise(construct.id, scale, len(construct.scoring.items), settings.reliability, level)
        else:
            noise = SINGLE_ITEM_NOISE
        return _codes(ordinal_items(theta, scale, [item.reverse], noise, rng)[:, 0])
    if scale.type == "multiple":
        return [_choose(scale, role, wave, rng) for role in roles]
    if scale.type == "integer":
        hours = cohort.roster["hours"].to_numpy()[who]
        total = np.clip(np.rint(hours + 12 + rng.normal(8, 4, len(who))), scale.min, scale.max)
        return [int(v) for v in total]
    if scale.type == "text":
        picks = rng.integers(0, len(COMMENTS[lang]), len(who))
        said = rng.random(len(who)) < 0.35
        return [COMMENTS[lang][p] if s else None for p, s in zip(picks, said, strict=True)]
    return [None] * len(who)


def _codes(values: np.ndarray) -> list[object]:
    return [int(v) for v in values]


def _perceived(cohort: Cohort, value_id: str, who, roles, wave, rng) -> np.ndarray:
    level, gap = VALUE_EFFECTS[value_id]
    other_mean = np.where(roles == "mentor", level - gap / 2, level + gap / 2)
    stereotype = np.array([STEREOTYPES[r][value_id] for r in roles])
    truth = other_mean
    if wave == "post":
        partner = cohort.values[who ^ 1, list(VALUE_EFFECTS).index(value_id)]
        truth = PARTNER_SHARE * partner + (1 - PARTNER_SHARE) * other_mean
    weight = PERCEPTION_WEIGHT["post" if wave == "post" else "pre"]
    return weight * truth + (1 - weight) * stereotype + rng.normal(0, PERCEPTION_NOISE_SD, len(who))


def _choose(scale: Scale, role: str, wave: str, rng: np.random.Generator) -> str:
    utilities = CHOICE_UTILITY.get(scale.id)
    if utilities is None:
        picked = int(rng.integers(0, 4))
        if picked == 0:
            return str(scale.codes[-1])
        chosen = rng.choice(len(scale.codes) - 1, size=picked, replace=False)
        return ";".join(str(scale.codes[i]) for i in sorted(chosen))
    utility = utilities[role]
    if role == "adept" and wave == "post":
        utility = (utilities["adept"] + utilities["mentor"]) / 2
    noisy = utility[: len(scale.codes)] + rng.gumbel(0, 0.4, len(scale.codes))
    chosen = np.argsort(-noisy)[: scale.max_choices or 3]
    return ";".join(str(scale.codes[i]) for i in sorted(chosen))


def answer_table(
    templates: Templates,
    cohort: Cohort,
    layout: Layout,
    who: np.ndarray,
    wave: str,
    opened: pd.Timestamp,
    settings: AnswerSettings,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Return the canonical response table of participants `who` answering `layout` in `wave`.

    Parameters
    ----------
    templates, cohort : Templates, Cohort
        The instruments and the drawn participants.
    layout : Layout
        What the respondents see.
    who : numpy.ndarray of int
        Positions in the roster of those who answer.
    wave : str
        ``"pre"``, ``"post"`` or ``"meeting1"`` ... ``"meeting4"``.
    opened : pandas.Timestamp
        When the survey opened; submissions follow over about two weeks.
    settings : AnswerSettings
        Rates of item non-response and partial responses, and the reliability.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    pandas.DataFrame
        The canonical columns (`evaluation.formats.layout`), one row per submission.
    """
    roster = cohort.roster.iloc[who]
    n = len(who)
    items = {
        c.key: _column_values(templates, cohort, c, who, wave, layout.lang, settings, rng)
        for c in layout.columns
    }
    if "inspmeeting" in items:
        items["inspmeeting"] = [int(wave[-1])] * n
    table = pd.DataFrame(items, dtype=object)
    missing = rng.random(table.shape) < settings.item_missing
    table = table.mask(missing, None)
    finished = np.ones(n, dtype=bool)
    progress = np.full(n, 100)
    section_of = {item.id: i for i, s in enumerate(layout.instrument.sections) for item in s.items}
    used = sorted({section_of[c.key] for c in layout.columns})
    if len(used) > 1:
        position = np.array([used.index(section_of[c.key]) for c in layout.columns])
        partial = rng.random(n) < settings.partial
        cut = np.where(partial, rng.integers(1, len(used), n), len(used))
        table = table.mask(position[None, :] >= cut[:, None], None)
        finished = ~partial
        progress = np.where(partial, (100 * cut / len(used)).astype(int), 100)
    started = opened + pd.to_timedelta(rng.uniform(0, 14 * 24 * 3600, n).round(), unit="s")
    minutes = np.clip(rng.normal(4 + 0.12 * len(layout.columns), 3, n), 2, 60)
    submitted = started + pd.to_timedelta((minutes * 60).round(), unit="s")
    meta = pd.DataFrame(
        {
            "responseid": np.arange(1, n + 1),
            "startedat": started,
            "submittedat": submitted,
            "finished": finished,
            "progress": progress,
            "email": roster["email"].to_numpy(),
            "name": roster["name"].to_numpy(),
            "ipaddress": [f"192.0.2.{int(x)}" for x in rng.integers(1, 255, n)],
            "latitude": np.round(59.33 + rng.normal(0, 0.05, n), 4),
            "longitude": np.round(18.06 + rng.normal(0, 0.05, n), 4),
            "participantcode": roster["participant_id"].to_numpy(),
            "instrumentversion": f"{layout.instrument.id} {layout.instrument.version}",
        }
    )
    return pd.concat([meta, table], axis=1)


def meeting_log_table(
    cohort: Cohort, layout: Layout, start: pd.Timestamp, rng: np.random.Generator
) -> pd.DataFrame:
    """Return the meeting log: one row per meeting of each pair, logged by one of its members.

    A pair meets 3 to 30 times (about one meeting per 1.5 hours it spends in total); the minutes of
    its meetings add up to its hours, in steps of 5; meetings are digital 55 % of the time; the mentor
    logs 60 % of them. Built with array operations: 10,000 pairs log about 130,000 meetings.
    """
    roster = cohort.roster
    hours = roster["hours"].to_numpy()[0::2]
    counts = np.clip(np.rint(hours / 1.5 + rng.normal(0, 1, len(hours))), 3, 30).astype(int)
    pair = np.repeat(np.arange(len(hours)), counts)
    weight = rng.gamma(8.0, 1.0, len(pair))
    share = weight / np.bincount(pair, weights=weight)[pair]
    minutes = np.clip(np.rint(share * hours[pair] * 60 / 5) * 5, 15, 480).astype(int)
    # One meeting a day at most: distinct days per pair, in order.
    days = np.concatenate([np.sort(rng.choice(np.arange(7, 330), k, replace=False)) for k in counts])
    who = 2 * pair + (rng.random(len(pair)) >= 0.6)
    wanted = rng.integers(1, 4, len(pair))
    keys = np.log(_TOPICS)[None, :] + rng.gumbel(size=(len(pair), len(_TOPICS)))
    ranked = np.argsort(-keys, axis=1) + 1
    topics = [";".join(map(str, sorted(row[:k]))) for row, k in zip(ranked.tolist(), wanted, strict=True)]
    when = start + pd.to_timedelta(days, unit="D")
    return pd.DataFrame(
        {
            "responseid": np.arange(1, len(pair) + 1),
            "startedat": when + pd.Timedelta(hours=17),
            "submittedat": when + pd.Timedelta(hours=17, minutes=2),
            "finished": True,
            "progress": 100,
            "email": roster["email"].to_numpy()[who],
            "name": roster["name"].to_numpy()[who],
            "participantcode": roster["participant_id"].to_numpy()[who],
            "instrumentversion": f"{layout.instrument.id} {layout.instrument.version}",
            "mdate": when.strftime("%Y-%m-%d"),
            "mminutes": minutes,
            "mmode": np.where(rng.random(len(pair)) < 0.55, 1, 2),
            "mtopics": topics,
        }
    )


_TOPICS = np.array([0.2, 0.2, 0.18, 0.14, 0.14, 0.11, 0.03])
