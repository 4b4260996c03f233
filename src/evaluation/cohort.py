"""A cohort folder: ``cohort.yml``, the roster, ``raw/`` (exports as received) and ``processed/``.

`new_cohort` scaffolds the folder for a new cohort with the current instrument versions pinned;
`load_cohort` reads and validates ``cohort.yml``. Paths inside a cohort folder are defined here once.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from evaluation.disclosure import DEFAULT_MIN_GROUP_SIZE, MIN_GROUP_SIZE_FLOOR, DisclosurePolicy
from evaluation.errors import CohortError
from evaluation.survey import Templates, content_hash
from evaluation.survey.notices import Information
from evaluation.workspace import WORKSPACE_FILE

__all__ = [
    "AGE_BANDS",
    "ROSTER_COLUMNS",
    "CohortConfig",
    "CohortText",
    "InstrumentPin",
    "Source",
    "load_cohort",
    "new_cohort",
]

COHORT_FILE = "cohort.yml"
ROSTER_FILE = "roster.csv"
RAW_DIR = "raw"
PROCESSED_DIR = "processed"

ROSTER_COLUMNS = ["participant_id", "role", "pair_id", "agency", "age_band", "email"]
"""The roster's columns; ``email`` is optional and is replaced by a keyed pseudonym at ingest.

A roster may also have an optional ``name`` column (header ``name`` or ``namn``): each participant's
full name, e.g. "Göran Åström". Ingest never writes it out; it removes each part of it (and of the
e-mail address) from free-text answers and the quarantine (`evaluation.ingest.redact`).
"""

AGE_BANDS = ["-29", "30-39", "40-49", "50-59", "60-"]
"""Allowed age bands; mentors are 29 or younger by the program's definition."""

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InstrumentPin(_Model):
    """The instrument version a cohort uses, with its content hash."""

    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Source(_Model):
    """One export file in ``raw/``: which instrument, role and wave it holds, and how to read it."""

    instrument: str
    role: Literal["mentor", "adept", "both"]
    wave: str
    file: str
    format: str = "auto"
    columns: dict[str, str] = Field(default_factory=dict)
    ignore: list[str] = Field(default_factory=list)
    accept_partial: bool = False


class Period(_Model):
    """The program period as year-months, e.g. 2027-01 to 2027-12."""

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _month(cls, value: str) -> str:
        if not _MONTH.match(str(value)):
            raise ValueError(f"expected a year and month like 2027-01, found {value!r}")
        return str(value)

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")
        return self


class CohortText(_Model):
    """A text of cohort.yml that respondents read: Swedish, optionally with an English variant.

    Written either as a plain string (Swedish, also shown in English forms) or as
    ``{sv: ..., en: ...}``.
    """

    sv: str = Field(min_length=1)
    en: str | None = Field(default=None, min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, value: object) -> object:
        return {"sv": value} if isinstance(value, str) else value

    def texts(self) -> dict[str, str]:
        """Return the text by language; a missing English variant is left out (forms use Swedish)."""
        return {"sv": self.sv} | ({"en": self.en} if self.en else {})


class Outcome(_Model):
    """A primary outcome of the analysis plan: a construct for one role."""

    construct: str = Field(min_length=1)
    role: Literal["mentor", "adept"]


class CohortConfig(_Model):
    """The content of ``cohort.yml``."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str = Field(min_length=1)
    period: Period
    instruments: dict[str, InstrumentPin]
    min_group_size: int = Field(default=DEFAULT_MIN_GROUP_SIZE, ge=MIN_GROUP_SIZE_FLOOR)
    cost_per_adept_sek: float = Field(default=6000, ge=0)
    synthetic: bool = False
    comments_in_reports: bool = False
    pair_feedback: Literal["individual", "shared", "off"] = "individual"
    test_codes: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    controller: CohortText | None = None
    """Who is responsible for the personal data (personuppgiftsansvarig), e.g. the agency's name and
    organisation number. Shown in the information text every exported form opens with
    (`evaluation.survey.notices`); unset, forms show "[personuppgiftsansvarig]"."""
    contact: CohortText | None = None
    """Whom respondents ask about the survey or their personal data (name, e-mail, phone; the data
    protection officer if there is one). Unset, forms show "[kontaktperson]"."""
    purpose: CohortText | None = None
    """Why the answers are collected, e.g. "att utvärdera programmet ...". Unset, forms show
    "[syfte]"."""
    legal_basis: CohortText | None = None
    """The legal basis of the processing under the GDPR (rättslig grund), as the controller's lawyer or
    data protection officer states it. Unset, forms show "[rättslig grund]". Forms promise no
    confidentiality of their own: if secrecy applies (offentlighets- och sekretesslagen), say so here."""
    primary_outcomes: list[Outcome] | None = Field(default=None, min_length=1)
    """The declared primary outcomes (`evaluation.claims`): one Holm family over them, across roles.
    Unset: the key constructs (``key: true`` in surveys/constructs.yml) for the roles that answer them.
    Everything else is secondary (exploratory)."""
    min_n_for_claims: int = Field(default=10, ge=3)
    """Fewest participants answering both waves for a group (the cohort or an agency x role) to be
    described as having increased or decreased; smaller groups get no claim (`evaluation.claims`)."""
    reliability: dict[str, Annotated[float, Field(gt=0, lt=1)]] = Field(default_factory=dict)
    """Reliability per construct for reliable change (e.g. from a pilot or the literature); a construct
    not listed uses the cohort's pooled baseline alpha, and the report says which."""
    conclusions: CohortText | None = None
    """The analyst's own conclusions and recommendation, shown in the brief (``brief.html``) under
    "Analytikerns bedömning" and labelled as judgement, not computation."""
    retention: CohortText | None = None
    """How long the answers are kept and when they are deleted (lagringstid, gallring). Unset, forms
    show "[lagringstid]"."""
    report_templates: str | None = Field(default=None, min_length=1)
    """A folder of the cohort's own report notebooks (an agency's adapted reports), relative to the
    cohort folder or absolute. `evaluation report` runs the notebooks found there instead of the
    package's templates (a report the folder has no notebook for uses the package's); with a
    ``templates.lock`` of its own (``evaluation templates lock FOLDER``) they are checked against it
    too. Unset: the package's templates, which must match their lock. Never the analyst's workspace
    (``lab/``), whose notebooks are for exploring."""

    def report_templates_dir(self, folder: Path) -> Path | None:
        """Return the folder `report_templates` names, resolved against the cohort folder, or None."""
        if self.report_templates is None:
            return None
        return (Path(folder) / Path(self.report_templates).expanduser()).resolve()

    @property
    def disclosure(self) -> DisclosurePolicy:
        """The cohort's disclosure rules (`evaluation.disclosure.DisclosurePolicy`)."""
        return DisclosurePolicy(self.min_group_size)

    @property
    def information(self) -> Information:
        """What the cohort's forms tell respondents (`evaluation.survey.notices.Information`).

        The texts above, ``min_group_size`` and ``pair_feedback``, for
        ``evaluation survey export ... --cohort DIR``.
        """
        texts = {
            field: text.texts() if text is not None else None
            for field, text in (
                ("controller", self.controller),
                ("contact", self.contact),
                ("purpose", self.purpose),
                ("legal_basis", self.legal_basis),
                ("retention", self.retention),
            )
        }
        return Information(min_group_size=self.min_group_size, pair_feedback=self.pair_feedback, **texts)


def _end_of_year(start: str) -> str:
    year, month = (int(part) for part in start.split("-"))
    month += 11
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return f"{year:04d}-{month:02d}"


_COHORT_HEADER = """\
# Kohortens inställningar / Cohort settings.
# instruments: the template versions this cohort uses, pinned with their content hash.
# min_group_size: no report shows a group smaller than this (default 5).
# comments_in_reports: show (cleaned) free-text comments in leadership reports; off unless opted in.
# pair_feedback: individual (own page) | shared (+ partner's non-sensitive scores, if forms said so) | off.
# sources: one entry per export file in raw/, e.g.
#   - {instrument: baseline, role: mentor, wave: pre, file: baseline_mentor.csv}
# (optional: format: qualtrics | google-forms | ms-forms | limesurvey | ..., columns: {export: item_id},
#  ignore: [admin columns to leave out], accept_partial: true to keep unfinished responses)
# test_codes: participant codes used for testing the forms; their rows are quarantined as tests.
# report_templates: path/to/folder (relative to this folder) of the cohort's own adapted report
#   notebooks, e.g. an agency's; evaluation report runs those instead of the toolkit's templates.
#   Unset: the toolkit's templates, checked against their lock, so a notebook that changed by
#   accident is never run. Explore in a copy instead: make lab (evaluation lab --cohort <this folder>).
#
# Analysis plan (declare it before the follow-up is answered): primary_outcomes lists the few
# outcomes the cohort is judged on, e.g.
#   primary_outcomes:
#     - {construct: intergen_understanding, role: adept}
#     - {construct: org_understanding, role: mentor}
# (default: the key constructs for the roles that answer them); everything else is exploratory.
# min_n_for_claims: fewest participants with both waves for a group to be called increased or
# decreased (default 10). reliability: {construct: value} for reliable change (default: baseline alpha).
#
# Information to respondents: every form exported with `evaluation survey export ... --cohort <this
# folder>` opens with a text built from these and from min_group_size and pair_feedback. Swedish text,
# or {sv: ..., en: ...} for an English variant. Unset, the forms show placeholders such as
# [personuppgiftsansvarig]. Check the texts with your data protection officer; promise confidentiality
# only if secrecy applies (offentlighets- och sekretesslagen), and say so in legal_basis. For example:
# controller: Myndigheten X (organisationsnummer 202100-0000)
# contact: [namn, funktionsbrevlåda och telefon till kontaktpersonen]
# purpose: {sv: "Att utvärdera programmet för omvänt mentorskap", en: "To evaluate the program"}
# legal_basis: {sv: "Uppgift av allmänt intresse (artikel 6.1 e i dataskyddsförordningen)", en: "..."}
# retention: {sv: "Svaren sparas till och med 2029 och gallras sedan", en: "..."}
"""

_README = {
    "": """\
# {name}

Kohortmapp / cohort folder, skapad / created {today}.

| fil / file | innehåll / content |
| --- | --- |
| `cohort.yml` | namn, period, instrumentversioner, minsta redovisningsgrupp, kostnad per adept, källfiler |
| `roster.csv` | deltagarlistan: {columns} |
| `raw/` | exporterna som de kom, ändras aldrig / exports as received, never edited |
| `processed/` | skrivs av `evaluation ingest` / written by `evaluation ingest` |

Roster: `role` är `mentor` eller `adept`; `age_band` är en av {bands}; `pair_id` är samma för
mentor och adept i ett par. `email` är frivillig och ersätts vid import med en nyckelad pseudonym.
En frivillig kolumn `name` (eller `namn`) med deltagarens fullständiga namn, t.ex. "Göran Åström",
gör att importen tar bort för- och efternamn ur fritextsvar och karantän, också skrivna utan å, ä, ö;
utan den tas namnen ur e-postadresserna. Optional `name` column: full names, removed from free text.
Mappen `data/` ska aldrig checkas in i git.
""",
    RAW_DIR: """\
# raw/

Lägg exporterna här precis som de laddades ned ur enkätverktyget. Ändra dem aldrig: rättelser görs i
`cohort.yml` (kolumnmappning) eller blir karantänrader vid import.

Put the exports here exactly as downloaded. Never edit them: corrections go into `cohort.yml` (column
mappings) or become quarantined rows at ingest. List each file under `sources:` in `cohort.yml`.
""",
    PROCESSED_DIR: """\
# processed/

Skrivs om av `evaluation ingest`: validerade, pseudonymiserade data och karantän. Redigera inte för hand.

Rewritten by `evaluation ingest`: validated, pseudonymized data and quarantine. Do not edit by hand.
""",
}


def new_cohort(
    folder: Path,
    *,
    name: str,
    start: str,
    templates: Templates,
    end: str | None = None,
    min_group_size: int = 5,
    cost_per_adept_sek: float = 6000,
    created: date | None = None,
) -> CohortConfig:
    """Scaffold a cohort folder with the current instrument versions pinned.

    Parameters
    ----------
    folder : pathlib.Path
        The cohort folder, e.g. ``data/2027``; its name becomes the cohort id. It must not exist or
        must be empty: nothing is ever overwritten.
    name : str
        The cohort's name, e.g. "Omvänd mentorskap 2027".
    start, end : str
        Year-months of the program period; `end` defaults to eleven months after `start`.
    templates : Templates
        Loaded templates; every instrument's current version and hash is pinned.
    min_group_size : int
        Minimum reporting group size (at least 3; default 5).
    cost_per_adept_sek : float
        Program fee per adept, in SEK.
    created : datetime.date, optional
        The date the folder's README gives as its creation (default today).

    Returns
    -------
    CohortConfig
        What was written to ``cohort.yml``.

    Raises
    ------
    CohortError
        If the folder exists and is not empty, or a setting is invalid.
    """
    if folder.exists() and any(folder.iterdir()):
        raise CohortError(
            f"{folder}: mappen finns redan och är inte tom; inget skrivs över / "
            "the folder exists and is not empty; nothing is overwritten"
        )
    if end is None:
        end = _end_of_year(start) if _MONTH.match(start) else start
    pins = {
        i.id: InstrumentPin(version=i.version, sha256=content_hash(templates, i))
        for i in templates.instruments.values()
    }
    try:
        config = CohortConfig(
            id=folder.name,
            name=name,
            period={"start": start, "end": end},
            instruments=pins,
            min_group_size=min_group_size,
            cost_per_adept_sek=cost_per_adept_sek,
        )
    except ValidationError as exc:
        raise CohortError(_describe(folder / COHORT_FILE, exc)) from None
    for sub in (RAW_DIR, PROCESSED_DIR):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    # The texts to respondents are left out until set: the header shows how to write them.
    body = yaml.safe_dump(
        config.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True
    )
    (folder / COHORT_FILE).write_text(_COHORT_HEADER + body, encoding="utf-8")
    (folder / ROSTER_FILE).write_text(",".join(ROSTER_COLUMNS) + "\n", encoding="utf-8")
    for sub, text in _README.items():
        readme = text.format(
            name=name,
            today=(created or date.today()).isoformat(),
            columns=", ".join(f"`{c}`" for c in ROSTER_COLUMNS),
            bands=", ".join(f"`{b}`" for b in AGE_BANDS),
        )
        (folder / sub / "README.md").write_text(readme, encoding="utf-8")
    return config


def _describe(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: ogiltiga inställningar / invalid settings:"]
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"])
        lines.append(f"  - {field}: {err['msg']} (found {err.get('input')!r})")
    return "\n".join(lines)


def cohort_files(cohort_dir: Path) -> list[Path]:
    """Return the files a cohort's reports read: each file in ``processed/`` (sorted), and ``cohort.yml``.

    Subfolders of ``processed/`` (its ``.cache``) are not among them.
    """
    files = [*sorted((cohort_dir / "processed").glob("*")), cohort_dir / "cohort.yml"]
    return [p for p in files if p.is_file()]


def load_cohort(folder: Path) -> CohortConfig:
    """Read and validate a cohort's ``cohort.yml``.

    Parameters
    ----------
    folder : pathlib.Path
        The cohort folder.

    Returns
    -------
    CohortConfig
        The validated settings.

    Raises
    ------
    CohortError
        If cohort.yml is missing, is not valid YAML, or a field is missing or invalid; the message
        names the file and the field.
    """
    path = folder / COHORT_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CohortError(f"{path}: filen saknas / the file is missing") from None
    except yaml.YAMLError as exc:
        raise CohortError(f"{path}: ogiltig YAML / invalid YAML: {exc}") from None
    try:
        config = CohortConfig.model_validate(raw)
    except ValidationError as exc:
        raise CohortError(_describe(path, exc)) from None
    _check_report_templates(path, config)
    return config


def _check_report_templates(path: Path, config: CohortConfig) -> None:
    """Raise `CohortError` unless ``report_templates`` names a folder of notebooks, not a workspace."""
    folder = config.report_templates_dir(path.parent)
    if folder is None:
        return
    where = f"{path}: report_templates ({config.report_templates!r} -> {folder})"
    if not folder.is_dir():
        raise CohortError(f"{where}: mappen finns inte / the folder does not exist")
    if not any(folder.glob("*.ipynb")):
        raise CohortError(
            f"{where}: mappen har inga anteckningsböcker / the folder holds no notebooks (*.ipynb); "
            "expected the cohort's own adapted report templates"
        )
    if (folder / WORKSPACE_FILE).is_file():
        raise CohortError(
            f"{where}: det är analytikerns arbetsyta (evaluation lab), som är till för att utforska / "
            "this is the analyst's workspace, which is for exploring; copy the adapted notebooks to a "
            "folder of their own and name that one"
        )
