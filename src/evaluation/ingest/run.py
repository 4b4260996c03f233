"""`ingest_cohort`: the whole cohort folder in, ``processed/`` out.

Writes into ``processed/`` (and nowhere else; ``raw/`` is only read):

- ``responses.parquet``: the baseline and follow-up answers, long, one row per answered item:
  pseudonym, pair_id, agency, role, instrument, version (as pinned in cohort.yml), wave, item,
  value (numeric answers: codes and numbers), value_text (free text, dates, multiple choice as
  ``"1;4"``), submitted_at, source_file, source_row;
- ``inspiration.parquet``: the inspiration-meeting feedback, in the same long shape;
- ``meeting_log.parquet``: one row per logged meeting: pseudonym (who logged it), pair_id, agency,
  role, date, minutes, mode, topics, submitted_at, source_file, source_row;
- ``quarantine.csv``: file, row, line, column, kind, reason_sv, reason_en, detail (no identifiers);
- ``ingest_report.json`` / ``.md`` / ``.html`` (`evaluation.ingest.report`).

The same inputs give byte-identical outputs. The outputs are written to a temporary folder beside
``processed/`` and replace it only when everything succeeded, so a failed ingest leaves the previous
outputs untouched and nothing half-written that looks current.

`check_cohort` (``evaluation ingest DIR --check``) reads every source and maps its columns without
writing ``processed/``: it lists every unmatched column and item at once, with the closest candidates,
and writes a suggested ``columns:`` block to ``DIR/columns.suggested.yml``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from evaluation.cohort import PROCESSED_DIR, ROSTER_COLUMNS, ROSTER_FILE, CohortConfig, load_cohort
from evaluation.errors import IngestError
from evaluation.ingest.pipeline import RosterIndex, SourceResult, ingest_source
from evaluation.ingest.pseudonym import load_key
from evaluation.ingest.report import build_report, write_report
from evaluation.survey import Templates

__all__ = ["OUTPUTS", "SUGGESTED_FILE", "CheckResult", "check_cohort", "ingest_cohort", "read_roster"]

SUGGESTED_FILE = "columns.suggested.yml"

OUTPUTS = (
    "responses.parquet",
    "inspiration.parquet",
    "meeting_log.parquet",
    "quarantine.csv",
    "ingest_report.json",
    "ingest_report.md",
    "ingest_report.html",
)
LONG_COLUMNS = [
    "pseudonym",
    "pair_id",
    "agency",
    "role",
    "instrument",
    "version",
    "wave",
    "item",
    "value",
    "value_text",
    "submitted_at",
    "source_file",
    "source_row",
]
QUARANTINE_COLUMNS = ["file", "row", "line", "column", "kind", "reason_sv", "reason_en", "detail"]
_TEXT_TYPES = ("text", "date", "multiple")


def read_roster(folder: Path) -> pd.DataFrame:
    """Read and check ``roster.csv``: required columns, known roles, unique ids, two roles per pair.

    The optional ``email`` and ``name`` columns are passed on; a name column headed ``namn`` or in
    another case (``Name``) is renamed ``name``, so that its names are redacted from free text.

    Raises
    ------
    IngestError
        Naming the file, the row and the column of the first problem of each kind.
    """
    path = folder / ROSTER_FILE
    if not path.is_file():
        raise IngestError(path, "deltagarlistan saknas / the roster is missing")
    roster = pd.read_csv(path, dtype=str, keep_default_na=False).replace({"": None})
    names = [c for c in roster.columns if str(c).strip().casefold() in ("name", "namn")]
    if names and "name" not in roster:
        roster = roster.rename(columns={names[0]: "name"})
    missing = [c for c in ROSTER_COLUMNS if c != "email" and c not in roster]
    if missing:
        raise IngestError(
            path, f"kolumner saknas / columns missing: {missing}; expected {ROSTER_COLUMNS}", row=0
        )
    for column in ("participant_id", "role", "pair_id", "agency"):
        empty = roster.index[roster[column].isna()]
        if len(empty):
            raise IngestError(path, "tomt värde / empty value", row=int(empty[0]) + 1, column=column)
    bad = roster.index[~roster["role"].isin(["mentor", "adept"])]
    if len(bad):
        raise IngestError(
            path,
            f"okänd roll / unknown role {roster.at[bad[0], 'role']!r}; expected mentor or adept",
            row=int(bad[0]) + 1,
            column="role",
        )
    dup = roster.index[roster["participant_id"].str.upper().duplicated()]
    if len(dup):
        raise IngestError(
            path,
            "deltagar-id:t finns två gånger / duplicate participant id",
            row=int(dup[0]) + 1,
            column="participant_id",
        )
    return roster


def _pinned(config: CohortConfig, instrument_id: str) -> str | None:
    """Return the instrument version the cohort pinned (the one its participants answered)."""
    pin = config.instruments.get(instrument_id)
    return pin.version if pin else None


def _long(result: SourceResult, config: CohortConfig, templates: Templates) -> pd.DataFrame:
    table = result.accepted
    items = [c for c in table.columns if c in templates.items]
    if table.empty or not items:
        return pd.DataFrame(columns=LONG_COLUMNS)
    ids = ["pseudonym", "pair_id", "agency", "role", "submitted_at", "source_row"]
    long = table[ids + items].melt(id_vars=ids, var_name="item", value_name="answer")
    long = long[long["answer"].notna()]
    kinds = {i: templates.scale_of(templates.items[i]).type in _TEXT_TYPES for i in items}
    textual = long["item"].map(kinds).astype(bool)
    long["value"] = pd.to_numeric(long["answer"].where(~textual), errors="coerce").astype("float64")
    long["value_text"] = long["answer"].where(textual).astype("string")
    pin = config.instruments.get(result.source.instrument)
    long["instrument"] = result.source.instrument
    long["version"] = pin.version if pin else None
    long["wave"] = result.source.wave
    long["source_file"] = result.source.file
    return long[LONG_COLUMNS]


def _meeting_log(result: SourceResult) -> pd.DataFrame:
    table = result.accepted
    return pd.DataFrame(
        {
            "pseudonym": table["pseudonym"],
            "pair_id": table["pair_id"],
            "agency": table["agency"],
            "role": table["role"],
            "date": pd.to_datetime(table.get("mdate"), errors="coerce"),
            "minutes": pd.to_numeric(table.get("mminutes"), errors="coerce"),
            "mode": pd.to_numeric(table.get("mmode"), errors="coerce"),
            "topics": table.get("mtopics", pd.Series(dtype=object)).astype("string"),
            "submitted_at": table["submitted_at"],
            "source_file": result.source.file,
            "source_row": table["source_row"],
        }
    )


def _write_parquet(frame: pd.DataFrame, path: Path, sort: list[str]) -> None:
    """Write `frame` sorted by `sort` (in Arrow, which sorts strings much faster than pandas)."""
    frame = frame.reset_index(drop=True)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"]).astype("datetime64[ms]")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.sort_by([(column, "ascending") for column in sort])
    pq.write_table(table, path, compression="zstd")


def ingest_cohort(
    folder: Path, templates: Templates, *, key_file: Path | None = None, strict: bool = False
) -> dict:
    """Ingest every source of a cohort and write ``processed/``.

    Parameters
    ----------
    folder : pathlib.Path
        The cohort folder (cohort.yml, roster.csv, raw/).
    templates : Templates
        The survey templates.
    key_file : pathlib.Path, optional
        The pseudonym key file (see `evaluation.ingest.pseudonym.load_key`).
    strict : bool
        Fail, writing nothing, if any row is quarantined.

    Returns
    -------
    dict
        The ingest report (`evaluation.ingest.report.build_report`).

    Raises
    ------
    IngestError
        For structural problems (and for any quarantined row with `strict`).
    CohortError
        If cohort.yml is missing or invalid.
    EvaluationError
        If there is no pseudonym key for a real cohort.
    """
    config = load_cohort(folder)
    roster = read_roster(folder)
    key = load_key(synthetic=config.synthetic, key_file=key_file, cohort_dir=folder)
    if not config.sources:
        raise IngestError(folder / "cohort.yml", "inga källor / no sources listed under sources:")
    index = RosterIndex.build(roster, key)
    tests = frozenset(c.strip().upper() for c in config.test_codes)
    results = [
        ingest_source(folder, s, templates, index, test_codes=tests, version=_pinned(config, s.instrument))
        for s in config.sources
    ]
    quarantined = [q for r in results for q in r.quarantine if q["column"] is None]
    if strict and quarantined:
        first = quarantined[0]
        raise IngestError(
            first["file"],
            f"--strict: {len(quarantined)} rader i karantän / rows quarantined; first: {first['reason_en']}",
            row=first["row"],
        )
    target = folder / PROCESSED_DIR
    out = Path(tempfile.mkdtemp(prefix=".processed-", dir=folder))
    try:
        report = _write_outputs(out, folder, config, roster, results, templates)
        for kept in target.glob("*") if target.is_dir() else []:
            if kept.name not in OUTPUTS and not (out / kept.name).exists():
                shutil.copy2(kept, out / kept.name)  # e.g. the folder's README
        if target.exists():
            old = target.with_name(f".processed-old-{out.name}")
            target.rename(old)
            out.rename(target)
            shutil.rmtree(old)
        else:
            out.rename(target)
    finally:
        if out.exists():
            shutil.rmtree(out)
    return report


def _write_outputs(out: Path, folder: Path, config, roster, results, templates) -> dict:
    """Write every output of an ingest into `out` and return the report."""
    surveys = [r for r in results if r.source.instrument not in ("inspiration", "meeting_log")]
    order = ["instrument", "wave", "role", "pseudonym", "item", "source_file", "source_row"]
    _write_parquet(
        pd.concat([_long(r, config, templates) for r in surveys] or [pd.DataFrame(columns=LONG_COLUMNS)]),
        out / "responses.parquet",
        order,
    )
    feedback = [_long(r, config, templates) for r in results if r.source.instrument == "inspiration"]
    _write_parquet(
        pd.concat(feedback or [pd.DataFrame(columns=LONG_COLUMNS)]), out / "inspiration.parquet", order
    )
    logs = [_meeting_log(r) for r in results if r.source.instrument == "meeting_log"]
    if logs:
        _write_parquet(
            pd.concat(logs), out / "meeting_log.parquet", ["pair_id", "date", "source_file", "source_row"]
        )
    quarantine = pd.DataFrame([q for r in results for q in r.quarantine], columns=QUARANTINE_COLUMNS)
    quarantine = quarantine.sort_values(["file", "row", "column"], na_position="first", kind="stable")
    quarantine.to_csv(out / "quarantine.csv", index=False, lineterminator="\n")
    report = build_report(config, roster, results, templates)
    (out / "ingest_report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    write_report(report, out)
    return report


@dataclass
class CheckResult:
    """What `check_cohort` found, per source file.

    Attributes
    ----------
    problems : dict
        Source file to its problems (unreadable file, unmatched columns with candidates, conflicts,
        items without a column); empty lists for sources that map completely.
    suggested : pathlib.Path or None
        The written ``columns.suggested.yml`` (None when nothing needed suggesting).
    """

    problems: dict[str, list[str]] = field(default_factory=dict)
    suggested: Path | None = None

    @property
    def ok(self) -> bool:
        """Whether every source maps completely."""
        return not any(self.problems.values())


def check_cohort(folder: Path, templates: Templates) -> CheckResult:
    """Read every source and map its columns, writing nothing but ``columns.suggested.yml``.

    Parameters
    ----------
    folder : pathlib.Path
        The cohort folder.
    templates : Templates
        The survey templates.

    Returns
    -------
    CheckResult
        Every problem of every source at once; ``ok`` only when each maps completely. The suggested
        ``columns:`` block (one entry per unmatched column: its closest item, the alternatives in a
        comment) is written to ``folder/columns.suggested.yml`` for the analyst to review and paste
        into cohort.yml; an old suggestion file is removed when nothing is left to suggest.

    Raises
    ------
    CohortError
        If cohort.yml is missing or invalid.
    """
    from evaluation.ingest.columns import plan_columns
    from evaluation.ingest.read import read_export

    config = load_cohort(folder)
    result = CheckResult()
    blocks: list[str] = []
    for source in config.sources:
        try:
            raw = read_export(folder / "raw" / source.file, source.format)
        except IngestError as exc:
            result.problems[source.file] = [str(exc)]
            continue
        raw.path = source.file
        instrument = templates.instrument(source.instrument, _pinned(config, source.instrument))
        plan = plan_columns(raw, instrument, source.role, source.columns, source.ignore, templates.scale_of)
        problems = plan.problems()
        if plan.missing and not (plan.unmatched or plan.errors):
            problems.append(f"frågor utan kolumn / items without a column: {', '.join(plan.missing)}")
        result.problems[source.file] = problems
        if plan.unmatched:
            lines = [f"# {source.file} ({source.instrument}, {source.role}, {source.wave}): columns:"]
            for column, close in plan.unmatched.items():
                best = close[0][0] if close else "ignore"
                others = ", ".join(f"{i} ({t})" for i, t in close[1:]) or "–"
                lines.append(
                    f"{json.dumps(column, ensure_ascii=False)}: {best}  # alternativ / other: {others}"
                )
            blocks.append("\n".join(lines))
    path = folder / SUGGESTED_FILE
    if blocks:
        header = (
            "# Förslag från evaluation ingest --check: granska och klistra in under rätt källa i cohort.yml\n"
            "# (columns:). Suggestions from evaluation ingest --check: review, then paste under the right\n"
            "# source in cohort.yml (columns:). Nothing here is applied automatically.\n\n"
        )
        path.write_text(header + "\n\n".join(blocks) + "\n", encoding="utf-8")
        result.suggested = path
    elif path.exists():
        path.unlink()
    return result
