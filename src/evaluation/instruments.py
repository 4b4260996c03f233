"""Survey templates: response scales, constructs and instruments, read from YAML and validated.

The templates under ``surveys/`` are data that a coordinator reads and edits:

- ``scales.yml``: response scales with value labels in Swedish and English;
- ``constructs.yml``: what each construct measures, how it is scored, the literature behind it, and
  whether it is sensitive (a score nobody but the respondent may see);
- ``items.yml``: the item bank; every item defined once, with the id that becomes its column name;
- ``instruments/<id>.yml``: an instrument (baseline, followup, ...): its version, what its forms tell
  respondents their partner will see (``partner_feedback``, default ``individual``) and sections,
  each listing item ids from the bank;
- ``versions.yml``: the content hash of every released instrument version (see `evaluation.versioning`).

`load_templates` reads and checks them all and raises `TemplateError` listing every problem with file,
place and reason; `check_templates` returns the problems instead. Item ids become the column names that
survey platforms export, so they must be valid in every platform: a letter, then letters or digits (at
most 20 characters), which is LimeSurvey's rule for question codes and a valid XLSForm name.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from evaluation.errors import Problem, TemplateError

__all__ = [
    "LANGUAGES",
    "ROLES",
    "Construct",
    "Instrument",
    "Item",
    "Scale",
    "Templates",
    "Text",
    "check_templates",
    "default_surveys_dir",
    "load_templates",
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
    """One answer option of a choice scale: an integer code and its label."""

    code: int
    label: Text


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
        """The choice codes in order."""
        return tuple(c.code for c in self.choices)

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
            codes = self.codes
            if len(set(codes)) != len(codes):
                raise ValueError(f"choice codes repeat: {sorted(codes)}")
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
        if self.method not in ("mean", "profile") and len(self.items) != 1:
            raise ValueError(f"a {self.method} construct has exactly one item")
        stray = sorted(set(self.reverse) - set(self.items))
        if stray:
            raise ValueError(f"reverse-keyed items {stray} are not among the construct's items")
        if self.reverse and self.method != "mean":
            raise ValueError("only mean-scored constructs have reverse-keyed items")
        return self


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
    references: tuple[str, ...] = Field(min_length=1)
    key: bool = False
    sensitive: bool = False
    """Whether a person's score on this construct is shown to nobody but that person.

    A sensitive score (e.g. the intention to stay, one's view of the agency as an employer, the rating
    of the mentoring relationship) never appears on the partner's feedback page, whatever the cohort's
    ``pair_feedback`` setting (see `evaluation.feedback`). Cohort figures over groups at or above the
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
        return self

    def wording(self, role: str, lang: str) -> str:
        """Return the item text that `role` reads in `lang`."""
        text = self.role_text.get(role, self.text)  # type: ignore[call-overload]
        assert text is not None
        return text[lang]


class SectionSpec(_Model):
    """A section as written in an instrument file: a title and the ids of its items."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    intro: Text | None = None
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


class Section(_Model):
    """A titled group of items, shown as one page or group in a form."""

    id: str
    title: Text
    intro: Text | None = None
    items: tuple[Item, ...]


class Instrument(_Model):
    """A versioned survey instrument; a changed item means a new version (see `evaluation.versioning`)."""

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
    `evaluation.feedback.MESSAGES`), and a cohort may set ``pair_feedback: shared`` only if every
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


class Templates(_Model):
    """Every survey template, loaded and checked; what exports, ingest and scoring read."""

    directory: Path
    scales: dict[str, Scale]
    constructs: dict[str, Construct]
    items: dict[str, Item]
    instruments: dict[str, Instrument]
    released: dict[str, dict[str, str]]

    def instrument(self, instrument_id: str) -> Instrument:
        """Return an instrument by id, or raise a KeyError that lists the known ones."""
        try:
            return self.instruments[instrument_id]
        except KeyError:
            known = ", ".join(sorted(self.instruments))
            raise KeyError(f"no instrument {instrument_id!r}; known: {known}") from None

    def scale_of(self, item: Item) -> Scale:
        """Return the response scale of `item`."""
        assert item.scale is not None
        return self.scales[item.scale]


def default_surveys_dir() -> Path:
    """Return the templates folder: ``$EVALUATION_SURVEYS``, else ``./surveys``, else the repository's."""
    import os

    env = os.environ.get("EVALUATION_SURVEYS")
    if env:
        return Path(env)
    here = Path.cwd() / "surveys"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "surveys"


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        problems.append(Problem(path, "-", "filen saknas", "the file is missing"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "-"
        problems.append(Problem(path, where, "ogiltig YAML", f"invalid YAML: {exc}"))
    return None


def _locate(raw: Any, loc: tuple[Any, ...]) -> str:
    """Describe a pydantic error location by the innermost id found on the way, plus the field path."""
    where = raw["id"] if isinstance(raw, dict) and isinstance(raw.get("id"), str) else ""
    node, path = raw, []
    for key in loc:
        path.append(str(key))
        inside = (isinstance(node, dict) and key in node) or (
            isinstance(node, list) and isinstance(key, int) and key < len(node)
        )
        node = node[key] if inside else None
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            where, path = node["id"], []
    field = ".".join(path)
    return f"{where}: {field}" if where and field else where or field or "-"


def _validate(model: type[_Model], raw: Any, path: Path, problems: list[Problem]) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            where = _locate(raw, tuple(err["loc"]))
            msg = err["msg"].removeprefix("Value error, ")
            found = err.get("input")
            if err["type"] == "missing":
                problems.append(Problem(path, where, "fält saknas", "field required"))
            else:
                shown = repr(found) if not isinstance(found, dict | list) else type(found).__name__
                problems.append(Problem(path, where, f"ogiltigt värde {shown}", f"{msg}"))
        return None


def _read_scales(path: Path, problems: list[Problem]) -> dict[str, Scale]:
    raw = _read_yaml(path, problems)
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not isinstance(raw.get("scales"), dict):
        problems.append(Problem(path, "-", "toppnyckeln 'scales' saknas", "expected a 'scales' map"))
        return {}
    scales = {}
    for scale_id, body in raw["scales"].items():
        body = {"id": scale_id, **body} if isinstance(body, dict) else body
        scale = _validate(Scale, body, path, problems)
        if scale is not None:
            scales[scale_id] = scale
    return scales


def _read_list(path: Path, key: str, model: type[_Model], problems: list[Problem]) -> dict[str, Any]:
    """Read a file holding a list of records under `key`, each validated by `model`, by id."""
    raw = _read_yaml(path, problems)
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not isinstance(raw.get(key), list):
        problems.append(Problem(path, "-", f"toppnyckeln '{key}' saknas", f"expected a '{key}' list"))
        return {}
    records: dict[str, Any] = {}
    for body in raw[key]:
        record = _validate(model, body, path, problems)
        if record is None:
            continue
        if record.id in records:
            problems.append(Problem(path, record.id, "id:t finns två gånger", f"duplicate {key[:-1]} id"))
        records[record.id] = record
    return records


def _resolve_retrospective(items: dict[str, Item], path: Path, problems: list[Problem]) -> dict[str, Item]:
    """Give every ``then_of`` item the definition of the item it repeats."""
    resolved = dict(items)
    for item_id, item in items.items():
        if item.then_of is None:
            continue
        source = items.get(item.then_of)
        if source is None or source.then_of is not None:
            problems.append(
                Problem(
                    path,
                    item_id,
                    f"then_of pekar på {item.then_of!r}, som inte är en vanlig fråga",
                    f"then_of names {item.then_of!r}, which is not an ordinary item",
                )
            )
            del resolved[item_id]
            continue
        resolved[item_id] = source.model_copy(update={"id": item_id, "then_of": source.id})
    return resolved


def _resolve(spec: InstrumentSpec, bank: dict[str, Item], path: Path, problems: list[Problem]):
    sections = []
    for section in spec.sections:
        items = []
        for item_id in section.items:
            if item_id in bank:
                items.append(bank[item_id])
            else:
                problems.append(
                    Problem(
                        path,
                        f"{section.id}: {item_id}",
                        "frågan finns inte i items.yml",
                        "the item is not defined in items.yml",
                    )
                )
        sections.append(Section(id=section.id, title=section.title, intro=section.intro, items=tuple(items)))
    return Instrument(
        id=spec.id,
        version=spec.version,
        title=spec.title,
        intro=spec.intro,
        roles=spec.roles,
        sections=tuple(sections),
        partner_feedback=spec.partner_feedback,
    )


def _read_instruments(folder: Path, bank: dict[str, Item], problems: list[Problem]) -> dict[str, Instrument]:
    instruments: dict[str, Instrument] = {}
    files = sorted(folder.glob("*.yml"))
    if not files:
        problems.append(Problem(folder, "-", "inga instrument hittades", "no instrument files found"))
    for path in files:
        raw = _read_yaml(path, problems)
        if raw is None:
            continue
        spec = _validate(InstrumentSpec, raw, path, problems)
        if spec is None:
            continue
        if spec.id != path.stem:
            problems.append(
                Problem(
                    path,
                    spec.id,
                    f"id {spec.id!r} ska vara samma som filnamnet {path.stem!r}",
                    f"id {spec.id!r} must equal the file name {path.stem!r}",
                )
            )
        instruments[spec.id] = _resolve(spec, bank, path, problems)
    return instruments


def _read_all(surveys_dir: Path) -> tuple[Templates | None, list[Problem]]:
    from evaluation import template_checks, versioning

    problems: list[Problem] = []
    if not surveys_dir.is_dir():
        problems.append(
            Problem(surveys_dir, "-", "mappen med enkätmallar saknas", "the templates folder is missing")
        )
        return None, problems
    scales = _read_scales(surveys_dir / "scales.yml", problems)
    constructs = _read_list(surveys_dir / "constructs.yml", "constructs", Construct, problems)
    items = _read_list(surveys_dir / "items.yml", "items", Item, problems)
    items = _resolve_retrospective(items, surveys_dir / "items.yml", problems)
    instruments = _read_instruments(surveys_dir / "instruments", items, problems)
    released = versioning.read_released(surveys_dir, problems)
    templates = Templates(
        directory=surveys_dir,
        scales=scales,
        constructs=constructs,
        items=items,
        instruments=instruments,
        released=released,
    )
    problems += template_checks.cross_check(templates)
    problems += versioning.check_versions(templates)
    return templates, problems


def check_templates(surveys_dir: Path | None = None) -> list[Problem]:
    """Check every template and return the problems found (an empty list when all is well).

    Parameters
    ----------
    surveys_dir : pathlib.Path, optional
        The templates folder; `default_surveys_dir` when omitted.

    Returns
    -------
    list of Problem
        Each with the file, the item (or construct, scale, field) and the reason in Swedish and English.
    """
    return _read_all(surveys_dir or default_surveys_dir())[1]


def load_templates(surveys_dir: Path | None = None, *, require_released: bool = True) -> Templates:
    """Load and check every template.

    Parameters
    ----------
    surveys_dir : pathlib.Path, optional
        The templates folder; `default_surveys_dir` when omitted.
    require_released : bool
        Whether an instrument version not yet released is a problem (False only for releasing it).

    Returns
    -------
    Templates
        Scales, constructs and instruments by id (retrospective items resolved) and released versions.

    Raises
    ------
    TemplateError
        If any template has a problem; the error lists them all.
    """
    templates, problems = _read_all(surveys_dir or default_surveys_dir())
    if not require_released:
        problems = [p for p in problems if p.kind != "unreleased"]
    if problems or templates is None:
        raise TemplateError(problems)
    return templates
