"""The survey templates as data: scales, constructs, items and instruments, validated on creation.

Pure models, no I/O: `evaluation.survey.load` reads them from the YAML files under ``surveys/``,
`evaluation.survey.checks` checks references between them and `evaluation.survey.versioning` hashes
an instrument's content. Item ids become the column names that survey platforms export, so they must be
valid in every platform: a letter, then letters or digits (at most 20 characters), which is
LimeSurvey's rule for question codes and a valid XLSForm name.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "ITEM_ID",
    "LANGUAGES",
    "ROLES",
    "Choice",
    "Construct",
    "Instrument",
    "InstrumentSpec",
    "Item",
    "PartnerFeedback",
    "Role",
    "Scale",
    "Scoring",
    "Section",
    "SectionSpec",
    "Templates",
    "Text",
]

LANGUAGES: tuple[str, ...] = ("sv", "en")
"""Languages every participant-facing text must have, Swedish first."""

ROLES: tuple[str, ...] = ("mentor", "adept")
"""Program roles: the young mentor and the senior adept."""

ITEM_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,19}$")
Role = Literal["mentor", "adept"]
PartnerFeedback = Literal["individual", "shared"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A text in every language of the program."""

    sv: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __getitem__(self, lang: str) -> str:
        if lang not in LANGUAGES:
            raise KeyError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
        return str(getattr(self, lang))


class Choice(_Model):
    """One answer option of a choice scale: an integer code and its label.

    ``missing`` marks an answer that is no position on the scale, such as "Kan inte bedöma" (cannot
    judge): it is offered to respondents, read as a missing answer (never as the midpoint) and left out
    of the scale's `Scale.codes`.
    """

    code: int
    label: Text
    missing: bool = False


class Scale(_Model):
    """A response scale.

    ``ordinal`` scales (agreement, importance, frequency, 0-10) have consecutive integer codes in order;
    ``nominal`` (one choice) and ``multiple`` (several choices) have integer codes in any order;
    ``integer`` and ``decimal`` have bounds; ``text`` and ``date`` have neither.
    """

    id: str
    type: Literal["ordinal", "nominal", "multiple", "text", "integer", "decimal", "date"]
    name: Text
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    max_choices: int | None = Field(default=None, ge=1)
    unit: Text | None = None

    @property
    def has_choices(self) -> bool:
        """Whether answers are codes from a list of choices."""
        return self.type in ("ordinal", "nominal", "multiple")

    @property
    def codes(self) -> tuple[int, ...]:
        """The codes of the scale's positions in order (choices marked ``missing`` left out)."""
        return tuple(c.code for c in self.choices if not c.missing)

    @property
    def missing_codes(self) -> frozenset[int]:
        """The codes of choices that are read as a missing answer ("Kan inte bedöma")."""
        return frozenset(c.code for c in self.choices if c.missing)

    def label(self, code: int, lang: str) -> str:
        """Return the label of `code` in `lang`."""
        for choice in self.choices:
            if choice.code == code:
                return choice.label[lang]
        raise KeyError(f"scale {self.id!r} has no code {code!r}")

    @model_validator(mode="after")
    def _consistent(self) -> Scale:
        if self.has_choices:
            if len(self.choices) < 2:
                raise ValueError(f"a {self.type} scale needs at least two choices")
            every = [c.code for c in self.choices]
            if len(set(every)) != len(every):
                raise ValueError(f"choice codes repeat: {sorted(every)}")
            codes = self.codes
            if len(codes) < 2:
                raise ValueError("a choice scale needs at least two choices that are not 'missing'")
            if self.type == "ordinal" and list(codes) != list(range(codes[0], codes[0] + len(codes))):
                raise ValueError(f"ordinal codes must be consecutive and ascending, got {list(codes)}")
            if self.min is not None or self.max is not None:
                raise ValueError("a choice scale takes its range from its choices; remove min/max")
        elif self.choices:
            raise ValueError(f"a {self.type} scale has no choices")
        if self.type in ("integer", "decimal"):
            if self.min is None or self.max is None or self.min >= self.max:
                raise ValueError(f"a {self.type} scale needs bounds min < max")
        elif self.type in ("text", "date") and (self.min is not None or self.max is not None):
            raise ValueError(f"a {self.type} scale has no bounds")
        if self.max_choices is not None and self.type != "multiple":
            raise ValueError("max_choices applies to multiple-choice scales only")
        return self


class Scoring(_Model):
    """How a construct is scored from its items.

    ``mean``: mean of the items (reverse-keyed items flipped) when at least ``min_answered`` of them
    are answered; ``profile``: a set of single-item values analysed item by item (work values);
    ``single``, ``choice``, ``number``, ``text``: one item reported as it is.

    A construct lists its items in every instrument version: an instrument asks one item of a
    ``single`` (``choice``, ``number``, ``text``) construct, and a version whose wording or scale
    changed lists its new item beside the old one (`evaluation.survey.checks`). A cohort scores the
    items its pinned versions ask (`Templates.pinned`).
    """

    method: Literal["mean", "profile", "single", "choice", "number", "text"]
    items: tuple[str, ...] = Field(min_length=1)
    reverse: tuple[str, ...] = ()
    min_answered: float = Field(default=0.5, gt=0, le=1)

    @model_validator(mode="after")
    def _consistent(self) -> Scoring:
        if len(set(self.items)) != len(self.items):
            raise ValueError("an item is listed twice")
        if self.method in ("mean", "profile") and len(self.items) < 3:
            raise ValueError(f"a {self.method} construct needs at least three items")
        stray = sorted(set(self.reverse) - set(self.items))
        if stray:
            raise ValueError(f"reverse-keyed items {stray} are not among the construct's items")
        if self.reverse and self.method != "mean":
            raise ValueError("only mean-scored constructs have reverse-keyed items")
        return self


class Reference(_Model):
    """A citation and what it supports for the construct citing it (``uses``), stated plainly.

    ``uses`` keeps a reference from being read as support for more than it shows, e.g. that a paper
    on readiness for one specific change is background for, not a measure of, an agency's digital
    readiness.
    """

    cite: str = Field(min_length=10)
    uses: str = Field(min_length=10)


class Construct(_Model):
    """A construct: what it measures, how it is scored and the literature it draws on."""

    id: str
    domain: Literal[
        "work_values",
        "intergenerational",
        "technology",
        "employer_attractiveness",
        "organisation",
        "program",
    ]
    name: Text
    definition: Text
    scoring: Scoring
    references: tuple[str | Reference, ...] = Field(min_length=1)
    """The literature the construct draws on: a citation, or a citation with what it is used for."""
    key: bool = False
    cohort_only: bool = False
    """Whether the construct is reported for the whole cohort only: never per agency, pair or person.

    Meta-stereotypes (beliefs about how the other group sees one's own) describe groups, not a
    person or a partner; `evaluation.outcomes.by_agency` and the feedback pages leave them out.
    """
    sensitive: bool = False
    """Whether a person's score on this construct is shown to nobody but that person.

    A sensitive score (e.g. the intention to stay, one's view of the agency as an employer, the rating
    of the mentoring relationship) never appears on the partner's feedback page, whatever the cohort's
    ``pair_feedback`` setting (see `evaluation.report.feedback`). Cohort figures over groups at or above the
    minimum reporting size are not affected. Not part of any instrument's content hash.
    """


# An item's ``construct`` field shadows pydantic's deprecated ``BaseModel.construct``, which this
# package never calls; the field name is what coordinators write in items.yml.
warnings.filterwarnings("ignore", message='Field name "construct"', category=UserWarning)


class Item(_Model):
    """A survey item; its id becomes the column name that survey platforms export.

    ``text`` is the wording for every role; ``role_text`` overrides it for a role whose meaning differs
    (``text`` may be left out when every role that answers has its own).
    A retrospective item names the item it repeats in ``then_of`` and takes everything else from it.
    The item it repeats may give it its own wording: ``then_text`` (the retrospective statement in
    the past tense, e.g. "Innan programmet förstod jag ..."), ``then_role_text`` (per role, for every
    role the item has ``role_text`` for) and ``then_scale`` (e.g. a "Stämde ..." scale with the same
    codes as ``scale``). Without them the retrospective item repeats the wording and scale (version 1).
    Forms show a retrospective item with its own wording next to the item it repeats
    (`evaluation.survey.questions.segments`). The three fields are hashed as the retrospective item's
    text and scale (`evaluation.survey.versioning.content_hash`), so versions released before they
    existed keep their hash.
    ``perception_of`` links an item about the other generation to the item that generation answers
    for itself.
    """

    id: str
    construct: str | None = None
    scale: str | None = None
    text: Text | None = None
    role_text: dict[Role, Text] = Field(default_factory=dict)
    roles: tuple[Role, ...] = ROLES
    reverse: bool = False
    required: bool = False
    then_of: str | None = None
    perception_of: str | None = None
    hint: Text | None = None
    then_text: Text | None = None
    then_role_text: dict[Role, Text] = Field(default_factory=dict)
    then_scale: str | None = None

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not ITEM_ID.match(value):
            raise ValueError(
                f"item id {value!r} must start with a letter and contain only letters and digits "
                "(at most 20): it becomes a column name in every survey platform"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Item:
        if self.then_of is not None:
            if self.has_then_wording or self.then_scale is not None:
                raise ValueError(
                    "a retrospective item takes its wording from the item it repeats: give that item "
                    "then_text (then_role_text, then_scale) instead"
                )
            return self
        if self.scale is None:
            raise ValueError("missing scale")
        if not self.roles or len(set(self.roles)) != len(self.roles):
            raise ValueError("roles must list mentor and/or adept, each once")
        unworded = sorted(set(self.roles) - set(self.role_text))
        if self.text is None and unworded:
            raise ValueError(f"missing text (or role_text for {unworded})")
        stray = sorted(set(self.role_text) - set(self.roles))
        if stray:
            raise ValueError(f"role_text for {stray}, who do not answer the item")
        self._consistent_then()
        return self

    def _consistent_then(self) -> None:
        """Check the retrospective wording: complete for every role, and a then_scale only with it."""
        if not self.has_then_wording:
            if self.then_scale is not None:
                raise ValueError("then_scale needs then_text (or then_role_text): the past-tense wording")
            return
        stray = sorted(set(self.then_role_text) - set(self.roles))
        if stray:
            raise ValueError(f"then_role_text for {stray}, who do not answer the item")
        unmirrored = sorted(set(self.role_text) - set(self.then_role_text))
        if unmirrored:
            raise ValueError(
                f"then_role_text is missing for {unmirrored}: a role with its own role_text needs its own "
                "past-tense wording too"
            )
        unworded = sorted(set(self.roles) - set(self.then_role_text))
        if self.then_text is None and unworded:
            raise ValueError(f"missing then_text (or then_role_text for {unworded})")

    @property
    def has_then_wording(self) -> bool:
        """Whether the item gives its retrospective item its own wording (then_text, then_role_text)."""
        return self.then_text is not None or bool(self.then_role_text)

    def then_wording(self, role: str, lang: str) -> str:
        """Return the past-tense wording `role` reads in `lang` for the retrospective item of this one.

        The item's own wording (`wording`) when it has no ``then_text``, as in version 1.
        """
        if not self.has_then_wording:
            return self.wording(role, lang)
        text = self.then_role_text.get(role, self.then_text)  # type: ignore[call-overload]
        assert text is not None
        return text[lang]

    def wording(self, role: str, lang: str) -> str:
        """Return the item text that `role` reads in `lang`."""
        text = self.role_text.get(role, self.text)  # type: ignore[call-overload]
        assert text is not None
        return text[lang]


class _RoleWording(_Model):
    """A section's title and intro, with their own wording per role where the meaning differs.

    A form is built for one role, so a role-specific form never says "Är du mentor ..." or "din mentor
    eller adept": ``role_title`` and ``role_intro`` give a role its own title and intro (e.g. "Du och
    din adept"), as ``role_text`` does for items. Both are part of the content hash only when set, so
    versions released before they existed keep their hash.
    """

    title: Text
    intro: Text | None = None
    role_title: dict[Role, Text] = Field(default_factory=dict)
    role_intro: dict[Role, Text] = Field(default_factory=dict)

    def title_for(self, role: str) -> Text:
        """Return the title `role` reads."""
        return self.role_title.get(role, self.title)  # type: ignore[call-overload]

    def intro_for(self, role: str) -> Text | None:
        """Return the intro `role` reads (None when the section has none)."""
        return self.role_intro.get(role, self.intro)  # type: ignore[call-overload]


class SectionSpec(_RoleWording):
    """A section as written in an instrument file: a title and the ids of its items."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    items: tuple[str, ...] = Field(min_length=1)


class InstrumentSpec(_Model):
    """An instrument as written in its file; `Instrument` is the same with the items resolved."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    title: Text
    intro: Text
    roles: tuple[Role, ...] = ROLES
    partner_feedback: PartnerFeedback = "individual"
    sections: tuple[SectionSpec, ...] = Field(min_length=1)


class Section(_RoleWording):
    """A titled group of items, shown as one page or group in a form."""

    id: str
    items: tuple[Item, ...]

    def for_role(self, role: str) -> Section:
        """Return the section as `role` reads it: the role's own title and intro replace the common ones."""
        update = {
            "title": self.title_for(role),
            "intro": self.intro_for(role),
            "role_title": {},
            "role_intro": {},
        }
        return self.model_copy(update=update)


class Instrument(_Model):
    """A versioned survey instrument; a changed item means a new version (`evaluation.survey.versioning`)."""

    id: str
    version: str
    title: Text
    intro: Text
    roles: tuple[Role, ...]
    sections: tuple[Section, ...]
    partner_feedback: PartnerFeedback = "individual"
    """What the instrument's forms tell respondents their partner in the program will see.

    ``individual`` (the default): nothing of their answers; ``shared``: their scores on constructs
    that are not sensitive. The exported forms state it in their introduction (texts in
    `evaluation.survey.notices`), and a cohort may set ``pair_feedback: shared`` only if every
    instrument it answered announced ``shared``. Part of the content hash when not the default.
    """

    @property
    def items(self) -> tuple[Item, ...]:
        """All items in form order."""
        return tuple(item for section in self.sections for item in section.items)

    def item(self, item_id: str) -> Item:
        """Return the item with id `item_id`."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"instrument {self.id!r} has no item {item_id!r}")

    def items_for(self, role: str) -> tuple[Item, ...]:
        """Return the items that `role` answers, in form order."""
        return tuple(item for item in self.items if role in item.roles)

    def worded_then_items(self) -> tuple[Item, ...]:
        """Return the retrospective items whose current item (in this instrument) gives them own wording.

        These are the items forms show next to their current item ("Nu / Innan programmet").
        """
        current = {item.id: item for item in self.items}
        return tuple(
            item
            for item in self.items
            if item.then_of is not None and item.then_of in current and current[item.then_of].has_then_wording
        )

    @property
    def uses_then_text(self) -> bool:
        """Whether any retrospective item of the instrument has its own (past-tense) wording."""
        return bool(self.worded_then_items())


class Templates(_Model):
    """Every survey template, loaded and checked; what exports, ingest and scoring read."""

    directory: Path
    scales: dict[str, Scale]
    constructs: dict[str, Construct]
    items: dict[str, Item]
    instruments: dict[str, Instrument]
    released: dict[str, dict[str, str]]
    archive: dict[str, dict[str, Instrument]] = Field(default_factory=dict)
    """Every released version kept in ``instruments/released/<id>-<version>.yml``, by id and version."""

    def instrument(self, instrument_id: str, version: str | None = None) -> Instrument:
        """Return an instrument by id: its current version, or the released `version` asked for.

        Raises
        ------
        KeyError
            Listing the known instruments, or the known versions of the instrument.
        """
        try:
            current = self.instruments[instrument_id]
        except KeyError:
            known = ", ".join(sorted(self.instruments))
            raise KeyError(f"no instrument {instrument_id!r}; known: {known}") from None
        if version is None or version == current.version:
            return current
        kept = self.archive.get(instrument_id, {})
        if version not in kept:
            known = ", ".join(sorted({current.version, *kept}))
            raise KeyError(f"no version {version!r} of {instrument_id!r}; known: {known}")
        return kept[version]

    def versions(self, instrument_id: str) -> list[str]:
        """Return the versions of an instrument that can be loaded (released copies and the current)."""
        current = self.instrument(instrument_id).version
        return sorted(
            {current, *self.archive.get(instrument_id, {})}, key=lambda v: tuple(map(int, v.split(".")))
        )

    def scale_of(self, item: Item) -> Scale:
        """Return the response scale of `item`."""
        assert item.scale is not None
        return self.scales[item.scale]
