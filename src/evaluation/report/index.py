"""The index of a cohort's reports (``index.html``): the brief first, then what each page shows.

Leadership reports, each agency's page with what it shows and hides (or why it has none), the
analysts' pages, the reports that failed and the survey versions, in the reports' language.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

import pandas as pd

from evaluation.cohort import load_cohort
from evaluation.report.brief import BRIEF_FILE
from evaluation.templating import render
from evaluation.text import message

__all__ = ["write_index"]


class Task(Protocol):
    """A report page as the index needs it (`evaluation.report.build.Task`)."""

    kind: str
    html: Path
    parameters: dict


class Result(Protocol):
    """What happened to a page in this build (`evaluation.report.build.Result`)."""

    task: Task
    status: str


def write_index(
    out_dir: Path,
    cohort_dir: Path,
    tasks: list[Task],
    results: list[Result],
    small: list[str],
    lang: str,
    fingerprint: str,
) -> Path:
    """Write ``index.html`` in `lang` and return its path.

    Parameters
    ----------
    out_dir : pathlib.Path
        The reports folder.
    cohort_dir : pathlib.Path
        The cohort folder.
    tasks : list of evaluation.report.build.Task
        Every report page the cohort has (not only those this build ran).
    results : list of evaluation.report.build.Result
        What happened in this build (failed pages are listed as failed, not linked).
    small : list of str
        Agencies too small for a page of their own.
    lang : str
        The index's language.
    fingerprint : str
        The cohort data's fingerprint (`evaluation.report.build.data_fingerprint`), shown shortened.

    Returns
    -------
    pathlib.Path
        ``index.html``.
    """
    from evaluation.agencies import answered_both_waves, role_status

    config = load_cohort(cohort_dir)
    failed = {r.task.html for r in results if r.status == "failed"}
    shown = {t.html: t for t in tasks if t.html not in failed and t.html.exists()}

    def link(task: Task) -> dict:
        return {
            "href": task.html.relative_to(out_dir).as_posix(),
            "label": message(f"index.kind.{task.kind}", lang),
        }

    leadership = []
    if (out_dir / BRIEF_FILE).exists():
        leadership.append({"href": BRIEF_FILE, "label": message("index.brief", lang), "first": True})
    leadership += [link(t) for t in shown.values() if t.kind in ("cohort", "comparison")]
    analyst = [
        link(t) for t in shown.values() if t.kind in ("data-quality", "instrument-quality", "appendix")
    ]
    both = answered_both_waves(pd.read_parquet(cohort_dir / "processed" / "responses.parquet"))
    pages = {t.parameters["agency"]: t for t in shown.values() if t.kind == "agency"}
    agencies = []
    for agency in sorted({*pages, *small, *(a for a, _ in both)}):
        if agency in small:
            agencies.append(
                {"label": agency, "status": message("index.agency.small", lang, min=config.min_group_size)}
            )
            continue
        roles = {
            role: message(
                f"index.agency.role.{role_status(both.get((agency, role), 0), config)}",
                lang,
                who=message(f"role.{role}.plural_cap", lang),
                min=config.min_group_size,
                claims=config.min_n_for_claims,
            )
            for role in ("mentor", "adept")
        }
        task = pages.get(agency)
        agencies.append(
            {
                "href": task.html.relative_to(out_dir).as_posix() if task else None,
                "label": agency,
                "status": message(
                    "index.agency.status", lang, mentors=roles["mentor"], adepts=roles["adept"]
                ),
            }
        )
    context = {
        "lang": lang,
        "title": message("index.title", lang, cohort=config.name),
        "built": message(
            "index.built",
            lang,
            date=date.today().isoformat(),
            start=config.period.start,
            end=config.period.end,
            fingerprint=fingerprint[:16],
        ),
        "leadership_heading": message("index.leadership", lang),
        "leadership": leadership,
        "agencies_heading": message("index.agencies", lang),
        "agencies": agencies,
        "no_agencies": message("index.no_agencies", lang),
        "analyst_heading": message("index.analyst", lang),
        "analyst": analyst,
        "failed_heading": message("index.failed", lang),
        "failed": sorted(p.relative_to(out_dir).as_posix() for p in failed),
        "versions_heading": message("index.versions", lang),
        "versions": [
            message("index.version", lang, survey=message(f"survey.{i}", lang), version=p.version)
            for i, p in sorted(config.instruments.items())
        ],
    }
    path = out_dir / "index.html"
    path.write_text(render("index.html.j2", **context), encoding="utf-8")
    return path
