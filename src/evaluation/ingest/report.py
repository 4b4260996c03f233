"""The ingest report: what came in, what was accepted, what was quarantined and why.

`build_report` returns a dict (written as ``ingest_report.json`` for programs) with ``policy``,
``sources`` (one ``{file, instrument, role, wave, platform, rows_read, rows_accepted,
rows_quarantined, reasons, cells_quarantined, redactions}`` per source), ``totals``,
``response_rates`` (per instrument, wave, role and agency: invited, responded, rate),
``item_missingness`` (per instrument, wave and item), ``versions_seen`` and ``warnings``.
`write_report` writes the same as Markdown and as an accessible HTML page for people. This report is
for the analyst: it shows counts for small groups, and is never published.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from evaluation.cohort import CohortConfig
from evaluation.ingest.pipeline import SourceResult
from evaluation.survey import Templates, content_hash
from evaluation.templating import render

__all__ = ["POLICY", "build_report", "write_report"]

POLICY = {
    "sv": (
        "Varje rad i varje export hamnar antingen i de bearbetade data eller i karantän med ett eget skäl: "
        "tom rad, summeringsrad, förhandsgranskning, testsvar, okänd respondent, fel roll, ofullständigt "
        "svar (om inte källan har accept_partial: true) eller tidigare dubblett (den senaste kompletta "
        "inskickningen behålls). En förhandsgranskning eller ett testsvar ersätter aldrig en deltagares "
        "svar. Ett värde utanför frågans skala, utan motsvarighet i skalan, eller en tidpunkt som inte "
        "kan tolkas säkert ändras aldrig: raden behålls, cellen sätts till saknad och cellen sätts i "
        "karantän med sin råtext. E-postadresser, telefonnummer och deltagarnas namn i fritext ersätts med "
        "[borttaget]."
    ),
    "en": (
        "Every row of every export ends in processed data or in quarantine with its own reason: blank "
        "row, summary row, survey preview, test response, unknown respondent, wrong role, unfinished "
        "response (unless the source sets accept_partial: true) or earlier duplicate (the latest "
        "complete submission is kept). A preview or test never replaces a participant's answer. A value "
        "outside the item's scale, matching nothing in it, or a timestamp that cannot be read with "
        "certainty is never coerced: the row is kept, the cell is set missing and quarantined with its "
        "raw text. E-mail addresses, phone numbers and participants' names in free text are replaced "
        "by [borttaget]."
    ),
}


def _rates(roster: pd.DataFrame, results: list[SourceResult]) -> list[dict]:
    rows = []
    for result in results:
        source = result.source
        if source.instrument == "meeting_log":
            continue
        roles = ["mentor", "adept"] if source.role == "both" else [source.role]
        accepted = result.accepted
        for role in roles:
            invited = roster[roster["role"] == role]
            for agency, group in invited.groupby("agency", sort=True):
                responded = accepted[(accepted["role"] == role) & (accepted["agency"] == agency)]
                rows.append(
                    {
                        "instrument": source.instrument,
                        "wave": source.wave,
                        "role": role,
                        "agency": agency,
                        "invited": len(group),
                        "responded": int(responded["pseudonym"].nunique()),
                        "rate": round(responded["pseudonym"].nunique() / len(group), 4),
                    }
                )
    return rows


def _missingness(results: list[SourceResult], templates: Templates) -> list[dict]:
    rows = []
    for result in results:
        table = result.accepted
        for item in [c for c in table.columns if c in templates.items]:
            missing = int(table[item].isna().sum())
            rows.append(
                {
                    "instrument": result.source.instrument,
                    "wave": result.source.wave,
                    "role": result.source.role,
                    "item": item,
                    "answered": len(table) - missing,
                    "missing": missing,
                    "missing_share": round(missing / len(table), 4) if len(table) else None,
                }
            )
    return rows


def build_report(
    config: CohortConfig, roster: pd.DataFrame, results: list[SourceResult], templates: Templates
) -> dict:
    """Return the ingest report of a cohort (see the module's docstring for its fields)."""
    sources = []
    for result in results:
        rows = [q for q in result.quarantine if q["column"] is None]
        cells = [q for q in result.quarantine if q["column"] is not None]
        sources.append(
            {
                "file": result.source.file,
                "instrument": result.source.instrument,
                "role": result.source.role,
                "wave": result.source.wave,
                "platform": result.platform,
                "rows_read": result.rows_read,
                "rows_accepted": len(result.accepted),
                "rows_quarantined": result.rows_quarantined,
                "reasons": dict(sorted(Counter(q["kind"] for q in rows).items())),
                "cells_quarantined": dict(sorted(Counter(q["kind"] for q in cells).items())),
                "redactions": len(result.redactions),
            }
        )
    warnings = []
    versions = Counter()
    for result in results:
        for version, count in result.versions.items():
            versions[version] += count
    seen = []
    for tag, count in sorted(versions.items()):
        instrument_id, _, version = tag.partition(" ")
        pin = config.instruments.get(instrument_id)
        seen.append(
            {
                "instrument": instrument_id,
                "version": version,
                "rows": count,
                "pinned": pin.version if pin else None,
            }
        )
        if pin is None or pin.version != version:
            warnings.append(f"{tag}: not the version pinned in cohort.yml ({pin.version if pin else 'none'})")
    for instrument_id, pin in sorted(config.instruments.items()):
        if instrument_id not in templates.instruments:
            continue
        try:
            # The pinned version (the current one or a kept release), not the current one: a cohort
            # on version 1 is not "changed" because version 2 exists.
            answered = templates.instrument(instrument_id, pin.version)
        except KeyError:
            warnings.append(f"{instrument_id}: version {pin.version} pinned in cohort.yml is not kept")
            continue
        if content_hash(templates, answered) != pin.sha256:
            warnings.append(
                f"{instrument_id}: the templates have changed since the cohort pinned {pin.version}"
            )
    return {
        "cohort": config.id,
        "synthetic": config.synthetic,
        "policy": POLICY,
        "sources": sources,
        "totals": {
            key: sum(s[key] for s in sources) for key in ("rows_read", "rows_accepted", "rows_quarantined")
        }
        | {
            "cells_quarantined": sum(sum(s["cells_quarantined"].values()) for s in sources),
            "redactions": sum(s["redactions"] for s in sources),
        },
        "response_rates": _rates(roster, results),
        "item_missingness": _missingness(results, templates),
        "versions_seen": seen,
        "warnings": warnings,
    }


def _markdown_table(rows: list[dict], columns: list[str]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in columns) + " |" for r in rows]
    return lines


def write_report(report: dict, folder: Path) -> None:
    """Write ``ingest_report.md`` and ``ingest_report.html`` into `folder`."""
    by_role = pd.DataFrame(report["response_rates"])
    summary = []
    if not by_role.empty:
        grouped = by_role.groupby(["instrument", "wave", "role"], sort=True)[["invited", "responded"]].sum()
        grouped["rate"] = (grouped["responded"] / grouped["invited"]).round(3)
        summary = grouped.reset_index().to_dict("records")
    sources = [
        s
        | {
            "reasons": ", ".join(f"{k}: {v}" for k, v in s["reasons"].items()) or "-",
            "cells_quarantined": ", ".join(f"{k}: {v}" for k, v in s["cells_quarantined"].items()) or "-",
        }
        for s in report["sources"]
    ]
    source_columns = [
        "file",
        "platform",
        "rows_read",
        "rows_accepted",
        "rows_quarantined",
        "reasons",
        "cells_quarantined",
        "redactions",
    ]
    rate_columns = ["instrument", "wave", "role", "invited", "responded", "rate"]
    lines = [
        f"# Importrapport / Ingest report: {report['cohort']}",
        "",
        "## Policy",
        "",
        report["policy"]["sv"],
        "",
        report["policy"]["en"],
        "",
        "## Källor / Sources",
        "",
    ]
    lines += _markdown_table(sources, source_columns)
    lines += ["", "## Svarsfrekvens / Response rates", "", *_markdown_table(summary, rate_columns)]
    if report["warnings"]:
        lines += ["", "## Varningar / Warnings", "", *(f"- {w}" for w in report["warnings"])]
    (folder / "ingest_report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    html = render(
        "ingest_report.html.j2",
        report=report,
        sources=sources,
        source_columns=source_columns,
        summary=summary,
        rate_columns=rate_columns,
    )
    (folder / "ingest_report.html").write_text(html, encoding="utf-8")
