"""A synthetic cohort with known truth: realistic, messy platform exports for the demo, tests and benchmarks.

`synthesize` writes a complete cohort folder as a coordinator would have it after the program:
``cohort.yml`` (marked ``synthetic: true``, every export listed under ``sources``), ``roster.csv``,
``raw/`` with one export per instrument, role and wave (the pairs' meeting log and the feedback on
each of the four inspiration meetings included), and ``truth.json`` beside ``raw/`` with every true
parameter. The generating model and its effect settings (``effects``: realistic, null, strong or a
profile file; ``mnar``: dropout that depends on change) are documented in `evaluation.synth.model`;
the planted faults in `evaluation.synth.mess`. The same seed gives byte-identical files.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from evaluation.cohort import (
    COHORT_FILE,
    RAW_DIR,
    ROSTER_COLUMNS,
    ROSTER_FILE,
    InstrumentPin,
    load_cohort,
    new_cohort,
)
from evaluation.errors import CohortError
from evaluation.formats import PLATFORMS, layout_for, platform
from evaluation.survey import Templates, content_hash, pinned
from evaluation.synth.answers import AnswerSettings, answer_table, meeting_log_table
from evaluation.synth.mess import FAULT_COLUMN, Source, number_faults, plant_faults
from evaluation.synth.model import (
    CONSTRUCT_EFFECTS,
    MNAR_CONSTRUCT,
    Effects,
    effects_json,
    resolve_effects,
)
from evaluation.synth.people import draw_cohort, followup_dropout, standardized
from evaluation.synth.truth import population_truth

__all__ = ["FORMAT_CHOICES", "MIXED", "TRUTH_FILE", "as_if_announced_shared", "synthesize"]

TRUTH_FILE = "truth.json"
GENERATOR_VERSION = "2"

MIXED: dict[tuple[str, str], tuple[str, str]] = {
    ("baseline", "mentor"): ("ms-forms", "sv"),
    ("baseline", "adept"): ("qualtrics", "sv"),
    ("followup", "mentor"): ("google-forms", "en"),
    ("followup", "adept"): ("limesurvey", "sv"),
    ("inspiration", "mentor"): ("swedish-excel", "sv"),
    ("inspiration", "adept"): ("swedish-excel", "sv"),
    ("meeting_log", "both"): ("generic", "sv"),
}
"""Format and language of each source with ``--format mixed``: different sources in different shapes."""

FORMAT_CHOICES = (*PLATFORMS, "mixed")
BASELINE_NONRESPONSE = 0.02
INSPIRATION_ANSWERS = 0.68
_TRUTH_CACHE: dict[tuple, dict] = {}


def _truth(templates: Templates, reliability: float, effects: Mapping[str, Effects] | None = None) -> dict:
    effects = CONSTRUCT_EFFECTS if effects is None else effects
    key = (
        tuple((i, content_hash(templates, inst)) for i, inst in sorted(templates.instruments.items())),
        reliability,
        json.dumps(effects_json(effects), sort_keys=True),
    )
    if key not in _TRUTH_CACHE:
        _TRUTH_CACHE[key] = population_truth(templates, reliability, effects)
    return _TRUTH_CACHE[key]


def _mnar_construct(templates: Templates) -> str:
    """Return the key construct whose change drives MNAR dropout (`MNAR_CONSTRUCT` if asked)."""
    if MNAR_CONSTRUCT in templates.constructs:
        return MNAR_CONSTRUCT
    keys = [c.id for c in templates.constructs.values() if c.key and c.scoring.method in ("mean", "single")]
    if not keys:
        raise ValueError("mnar needs a key construct (key: true) in the templates")
    return keys[0]


def _prepare(folder: Path, force: bool) -> None:
    if not folder.exists() or not any(folder.iterdir()):
        return
    if not force:
        raise CohortError(
            f"{folder}: mappen finns redan och är inte tom (använd --force för en syntetisk kohort) / "
            "the folder exists and is not empty (use --force to replace a synthetic cohort)"
        )
    if not (folder / COHORT_FILE).exists() or not load_cohort(folder).synthetic:
        raise CohortError(
            f"{folder}: --force ersätter bara syntetiska kohorter / --force only replaces synthetic "
            "cohorts (cohort.yml with synthetic: true); real data is never deleted"
        )
    shutil.rmtree(folder)


def _response_ids(name: str, n: int, rng: np.random.Generator) -> list[object]:
    if name != "qualtrics":
        return list(range(1, n + 1))
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    return ["R_" + "".join(rng.choice(alphabet, 15)) for _ in range(n)]


def synthesize(
    folder: Path,
    templates: Templates,
    *,
    pairs: int = 40,
    agencies: int = 8,
    seed: int = 2021,
    fmt: str = "generic",
    mess: bool = False,
    start: str = "2027-01",
    reliability: float = 0.8,
    attrition: float = 0.15,
    force: bool = False,
    versions: Mapping[str, str] | None = None,
    effects: str | Path = "realistic",
    mnar: float = 0.0,
    agency_variation: bool = True,
) -> dict:
    """Write a synthetic cohort folder and return its truth.

    Parameters
    ----------
    folder : pathlib.Path
        The cohort folder; it must be new or empty, or (with `force`) a synthetic cohort to replace.
    templates : Templates
        The instruments to answer.
    pairs, agencies : int
        Cohort size: pairs of one mentor and one adept, spread over agencies (at least 1 each,
        at most as many agencies as pairs; `mess` needs at least 5 pairs).
    seed : int
        Seed of every random draw; the same seed gives byte-identical files.
    fmt : str
        Export shape of every source (`evaluation.formats.PLATFORMS`), or ``"mixed"`` (`MIXED`).
    mess : bool
        Plant the faults of real exports (`evaluation.synth.mess`).
    start : str
        First month of the program, ``YYYY-MM``.
    reliability : float
        Cronbach's alpha of every mean-scored construct on the observed scale, in (0, 1).
    attrition : float
        Share of participants who never answer the follow-up (more among the less engaged).
    force : bool
        Replace an existing synthetic cohort in `folder`.
    versions : mapping, optional
        Instrument id to the released version to answer (e.g. ``{"baseline": "1.0.0", "followup":
        "1.0.0"}``); the cohort pins them. Default: every instrument's current version.
    effects : str or pathlib.Path
        The true effects (`evaluation.synth.model.resolve_effects`): ``"realistic"`` (changes of
        0.2-0.4 latent SD where the program aims, about 0 elsewhere, small role gaps), ``"null"`` (no
        mean change, dose or response shift at all), ``"strong"`` (the large effects of generator
        version 1, for tests that need power), or the path of a profile YAML file overriding the
        realistic values per construct and role.
    mnar : float
        Dropout missing not at random: the log-odds of no follow-up fall by `mnar` per standard
        deviation of the participant's latent change (post - pre) of the key construct (`mnar` > 0 loses those
        who changed least). 0 (the default): missing at random given engagement.
    agency_variation : bool
        Whether agencies differ in their true change (the default). False makes every agency's true
        change the cohort's, so that with ``effects="null"`` any agency claim is false (benchmarks).

    Returns
    -------
    dict
        The content of ``truth.json``: seed and settings (``effects`` as given, ``mnar``),
        ``latent_effects`` (the true parameters per construct, in latent SD), ``change``
        ({construct, role, true_mean_diff, latent_shift}), ``role_gap``, ``response_shift``,
        ``dose_response``, ``reliability``, ``variance_of_change`` (the random parts of change and
        the within-pair and pre-post correlations they give), ``perception``, ``attrition`` (rate,
        observed, the participants without follow-up), ``meetings``, ``sources`` (file, format,
        rows) and ``faults``.

    Raises
    ------
    ValueError
        If a size, rate, format or effect setting is out of range, or a profile file is invalid
        (the message names the file, the construct and the bad key or value).
    CohortError
        If the folder holds anything but a synthetic cohort to be replaced with `force`.
    """
    if fmt not in FORMAT_CHOICES:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMAT_CHOICES)}")
    if pairs < (5 if mess else 1) or not 1 <= agencies <= pairs:
        raise ValueError(
            f"need at least {5 if mess else 1} pairs and 1 to {pairs} agencies; got {pairs} pairs "
            f"and {agencies} agencies"
        )
    if not 0 < reliability < 1 or not 0 <= attrition < 1:
        raise ValueError("reliability must be in (0, 1) and attrition in [0, 1)")
    if isinstance(mnar, bool) or not isinstance(mnar, int | float) or not math.isfinite(mnar):
        raise ValueError(f"mnar must be a finite number; got {mnar!r}")
    templates = pinned(templates, versions or {})
    effects_name, effect_table = resolve_effects(effects, templates.constructs)
    mnar_construct = _mnar_construct(templates) if mnar else None
    _prepare(folder, force)
    rng = np.random.default_rng(seed)
    settings = AnswerSettings(reliability=reliability)
    cohort = draw_cohort(templates, pairs, agencies, rng, effect_table, agency_variation=agency_variation)
    roster = cohort.roster
    n = len(roster)
    roles = roster["role"].to_numpy()
    answered_pre = rng.random(n) >= BASELINE_NONRESPONSE
    change_z = standardized(cohort.change[mnar_construct], roles) if mnar_construct else np.zeros(n)
    dropped = followup_dropout(roster["engagement"].to_numpy(), change_z, attrition, mnar, rng)
    opened = pd.Timestamp(f"{start}-01")

    plan: list[tuple[str, str, str, np.ndarray, pd.Timestamp]] = []
    for role in ("mentor", "adept"):
        plan.append(("baseline", role, "pre", answered_pre & (roles == role), opened + pd.Timedelta(days=3)))
        plan.append(("followup", role, "post", ~dropped & (roles == role), opened + pd.DateOffset(months=11)))
    for meeting in range(1, 5):
        when = opened + pd.DateOffset(months=1 + 3 * (meeting - 1), days=14)
        for role in ("mentor", "adept"):
            came = rng.random(n) < INSPIRATION_ANSWERS
            plan.append(("inspiration", role, f"meeting{meeting}", came & (roles == role), when))

    sources: list[Source] = []
    for instrument, role, wave, mask, when in plan:
        shape, lang = MIXED[(instrument, role)] if fmt == "mixed" else (fmt, "sv")
        layout = layout_for(templates, instrument, role, lang)
        who = np.flatnonzero(mask)
        table = answer_table(templates, cohort, layout, who, wave, when, settings, rng)
        name = f"{instrument}_{role}_{wave}{platform(shape).suffix}"
        sources.append(Source(f"{RAW_DIR}/{name}", instrument, role, wave, platform(shape), layout, table))
    shape, lang = MIXED[("meeting_log", "both")] if fmt == "mixed" else (fmt, "sv")
    layout = layout_for(templates, "meeting_log", "mentor", lang)
    log = meeting_log_table(cohort, layout, opened, rng)
    sources.append(
        Source(
            f"{RAW_DIR}/meeting_log_both_log{platform(shape).suffix}",
            "meeting_log",
            "both",
            "log",
            platform(shape),
            layout,
            log,
        )
    )

    faults = plant_faults(sources, rng) if mess else []
    for source in sources:
        table = source.table.sort_values("submittedat", kind="stable").reset_index(drop=True)
        table["responseid"] = _response_ids(source.platform.name, len(table), rng)
        source.table = table
        if mess:
            number_faults(source)

    new_cohort(
        folder,
        name=f"Syntetisk kohort (seed {seed})",
        start=start,
        templates=templates,
        created=opened.date(),
    )
    for source in sources:
        source.platform.write(
            source.table.drop(columns=[FAULT_COLUMN], errors="ignore"), source.layout, folder / source.file
        )
    roster[ROSTER_COLUMNS].to_csv(folder / ROSTER_FILE, index=False, lineterminator="\n")
    _write_cohort_yml(folder, sources)

    truth = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "pairs": pairs,
        "agencies": agencies,
        "format": fmt,
        "mess": mess,
        "reliability_requested": reliability,
        "effects": effects_name,
        "mnar": float(mnar),
        "agency_variation": bool(agency_variation),
        "latent_effects": effects_json(effect_table),
        **_truth(templates, reliability, effect_table),
        "attrition": {
            "rate": attrition,
            "mnar": float(mnar),
            "mnar_construct": mnar_construct,
            "observed": float(dropped.mean()),
            "no_followup": roster.loc[dropped, "participant_id"].tolist(),
        },
        "meetings": {
            "mean_hours_per_pair": float(roster["hours"].iloc[0::2].mean()),
            "pairs": {
                pid: round(float(h), 2)
                for pid, h in zip(roster["pair_id"].iloc[0::2], roster["hours"].iloc[0::2], strict=True)
            },
        },
        "sources": [
            {
                "file": s.file,
                "instrument": s.instrument,
                "role": s.role,
                "wave": s.wave,
                "format": s.platform.name,
                "lang": s.layout.lang,
                "rows": len(s.table),
            }
            for s in sources
        ],
        "faults": faults,
    }
    text = json.dumps(truth, indent=2, ensure_ascii=False, default=_json_default)
    (folder / TRUTH_FILE).write_text(text + "\n", encoding="utf-8")
    return json.loads(text)


def _json_default(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _write_cohort_yml(folder: Path, sources: list[Source]) -> None:
    path = folder / COHORT_FILE
    text = path.read_text(encoding="utf-8")
    header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
    config = yaml.safe_load(text)
    config["synthetic"] = True
    # As an agency declares its exports: instrument, role, wave and file; the shape is detected.
    # The generator's participants who stop mid-form are part of its model of attrition, so their
    # unfinished responses are accepted (and counted) rather than quarantined.
    config["sources"] = [
        {
            "instrument": s.instrument,
            "role": s.role,
            "wave": s.wave,
            "file": s.file.removeprefix(f"{RAW_DIR}/"),
            "accept_partial": True,
        }
        for s in sources
    ]
    path.write_text(header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


def as_if_announced_shared(data):
    """Return a loaded synthetic cohort as if its forms had announced ``partner_feedback: shared``.

    For tests and benchmarks of shared feedback pages: every instrument is copied with
    ``partner_feedback: shared``, the cohort re-pinned to those copies and set to
    ``pair_feedback: shared``. A real cohort gets shared pages only when the forms it answered said so
    (`evaluation.report.feedback.check_pair_feedback`).

    Parameters
    ----------
    data : evaluation.report.data.CohortData
        A loaded cohort.

    Returns
    -------
    evaluation.report.data.CohortData
        A copy with the announcing templates and the re-pinned settings.
    """
    instruments = {
        i: inst.model_copy(update={"partner_feedback": "shared"})
        for i, inst in data.templates.instruments.items()
    }
    templates = data.templates.model_copy(update={"instruments": instruments})
    pins = {
        i: InstrumentPin(version=inst.version, sha256=content_hash(templates, inst))
        for i, inst in instruments.items()
    }
    config = data.config.model_copy(update={"pair_feedback": "shared", "instruments": pins})
    return dataclasses.replace(data, templates=templates, config=config)
