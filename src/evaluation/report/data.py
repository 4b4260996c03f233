"""A cohort as the reports read it: loaded and scored once per process, shared by all its reports.

A build runs many reports of one cohort on the same warm kernel (`evaluation.report.build`); `load`
reads the cohort's ``processed/`` outputs and scores them once, and everything computed from them
(the mixed models behind the primary estimates, the agency tables) is kept with the loaded cohort
(`CohortData.once`) for as long as its files and settings are unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from evaluation.cohort import CohortConfig, cohort_files, load_cohort
from evaluation.disclosure import Protected
from evaluation.scoring import score
from evaluation.survey import Templates, load_templates, pinned

if TYPE_CHECKING:
    from evaluation.claims import AnalysisPlan

__all__ = ["CohortData", "analysis_plan", "construct_name", "current_templates", "load", "protect"]


@dataclass
class CohortData:
    """A cohort's processed data and the derived scores."""

    folder: Path
    config: CohortConfig
    templates: Templates
    responses: pd.DataFrame
    scores: pd.DataFrame
    inspiration: pd.DataFrame
    meeting_log: pd.DataFrame
    quarantine: pd.DataFrame
    ingest: dict
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    """Results computed once per loaded cohort (the mixed models behind the primary estimates)."""

    def once(self, key: object, compute: Callable[[], Any]) -> Any:
        """Return what `compute` returns, computed once per loaded cohort and kept under `key`."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


_LOADED: dict[tuple, CohortData] = {}
"""Cohorts loaded in this process, by folder and the state of their files (`load`)."""


def _state(folder: Path) -> tuple:
    """Return what identifies a cohort's data on disk: each processed file's name, size and mtime."""
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in cohort_files(folder))


def load(cohort_dir: str | Path) -> CohortData:
    """Load a cohort's ``processed/`` outputs (run ``evaluation ingest`` first) and score them.

    A build runs many reports of one cohort in the same warm kernel: the cohort is read and scored
    once per process and shared, with everything computed from it (`CohortData.once`), for as long
    as its files are unchanged (each file's size and modification time) and its settings as they are
    in cohort.yml (a caller that changed ``data.config`` gets a fresh cohort).
    """
    folder = Path(cohort_dir)
    processed = folder / "processed"
    key = (str(folder.resolve()), _state(folder)) if (processed / "responses.parquet").exists() else None
    if key in _LOADED and _LOADED[key].config == load_cohort(folder):
        return _LOADED[key]
    data = _read(folder)
    _LOADED.clear()  # one cohort at a time: a build, or an analyst's session
    _LOADED[key] = data
    return data


def _read(folder: Path) -> CohortData:
    processed = folder / "processed"
    if not (processed / "responses.parquet").exists():
        raise FileNotFoundError(
            f"{processed / 'responses.parquet'} saknas / is missing: run `evaluation ingest {folder}` first"
        )
    config = load_cohort(folder)
    templates = pinned(load_templates(), {i: pin.version for i, pin in config.instruments.items()})
    responses = pd.read_parquet(processed / "responses.parquet")
    log_path = processed / "meeting_log.parquet"
    return CohortData(
        folder=folder,
        config=config,
        templates=templates,
        responses=responses,
        scores=score(responses, templates),
        inspiration=pd.read_parquet(processed / "inspiration.parquet"),
        meeting_log=pd.read_parquet(log_path) if log_path.exists() else pd.DataFrame(),
        quarantine=pd.read_csv(processed / "quarantine.csv"),
        ingest=json.loads((processed / "ingest_report.json").read_text(encoding="utf-8")),
    )


def construct_name(data: CohortData, construct: str, lang: str) -> str:
    """Return a construct's name in `lang`."""
    found = data.templates.constructs.get(construct)
    return found.name[lang] if found else construct


@cache
def current_templates() -> Templates:
    """Return the current survey templates (read once per process), for ids without a cohort."""
    return load_templates()


def protect(frame: pd.DataFrame, data: CohortData, *labels: str) -> Protected:
    """Return `frame` protected by the cohort's disclosure policy (`evaluation.disclosure`).

    `labels` are the columns that name a row and stay visible; every group-size column present
    (`evaluation.disclosure.GROUP_SIZE_COLUMNS`) decides whether a row's numbers are shown.
    """
    return data.config.disclosure.protect(frame, labels=labels)


def analysis_plan(data: CohortData) -> AnalysisPlan:
    """Return the cohort's analysis plan: its primary outcomes and families (`evaluation.claims`)."""
    from evaluation import claims

    return claims.analysis_plan(data.config, data.templates)
