"""Respondent burden: how many questions an instrument asks a role, and about how long it takes.

The estimate is a model, not an observation: typical seconds per question by its kind, plus reading
the instrument's and its sections' introductions at 200 words a minute. The seconds are the
"typical" end of the survey methodologist's review of version 1.0.0 (../shared/instrument-review.md,
§5.1), which drew on response-time studies of web surveys (Yan & Tourangeau, 2008):

=============================  ==========
question                        seconds
=============================  ==========
ordinal or nominal choice       8
perception of the other role    11
retrospective ("then") item     13
numbered 0–10 scale             9
multiple choice, number         30
free text                       60
date                            15
=============================  ==========

Every question a respondent answers counts as an item, retrospective items included.

References
----------
Yan, T. & Tourangeau, R. (2008). Fast times and easy questions: the effects of age, experience and
question complexity on web survey response times. *Applied Cognitive Psychology*, 22(1), 51–68.
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.survey.model import Instrument, Item, Scale, Templates
from evaluation.survey.questions import is_numbered_scale

__all__ = ["READING_WORDS_PER_MINUTE", "SECONDS", "Burden", "burden", "seconds_for"]

SECONDS: dict[str, int] = {
    "choice": 8,
    "perception": 11,
    "then": 13,
    "numbered": 9,
    "multiple": 30,
    "number": 30,
    "text": 60,
    "date": 15,
}
"""Typical seconds to answer one question, by kind (see the module docstring)."""

READING_WORDS_PER_MINUTE = 200
"""Reading speed for introductions."""


@dataclass(frozen=True)
class Burden:
    """What an instrument asks of one role: its number of items and the estimated minutes."""

    instrument: str
    version: str
    role: str
    items: int
    minutes: float

    def as_dict(self) -> dict[str, object]:
        """Return the burden as ``{"instrument", "version", "role", "items", "minutes"}``."""
        return {
            "instrument": self.instrument,
            "version": self.version,
            "role": self.role,
            "items": self.items,
            "minutes": self.minutes,
        }


def seconds_for(item: Item, scale: Scale) -> int:
    """Return the typical seconds one item takes (see `SECONDS`)."""
    if item.then_of is not None:
        return SECONDS["then"]
    if item.perception_of is not None:
        return SECONDS["perception"]
    if scale.type in ("ordinal", "nominal"):
        return SECONDS["numbered" if is_numbered_scale(scale) else "choice"]
    if scale.type in ("integer", "decimal"):
        return SECONDS["number"]
    return SECONDS[scale.type]


def _words(text: str) -> int:
    return len(text.split())


def burden(templates: Templates, instrument: Instrument, role: str, lang: str = "sv") -> Burden:
    """Return the items and estimated minutes `instrument` asks of `role`.

    Parameters
    ----------
    templates : Templates
        Supplies the items' scales.
    instrument : Instrument
        The instrument.
    role : {"mentor", "adept"}
        Whose form.
    lang : {"sv", "en"}
        The language whose introductions are read.

    Returns
    -------
    Burden
        ``items`` (every question the role answers) and ``minutes`` (rounded to a tenth).
    """
    items = instrument.items_for(role)
    seconds = sum(seconds_for(item, templates.scale_of(item)) for item in items)
    words = _words(instrument.intro[lang])
    for section in instrument.sections:
        intro = section.intro_for(role)
        if any(role in item.roles for item in section.items) and intro is not None:
            words += _words(intro[lang])
    seconds += 60 * words / READING_WORDS_PER_MINUTE
    return Burden(instrument.id, instrument.version, role, len(items), round(seconds / 60, 1))
