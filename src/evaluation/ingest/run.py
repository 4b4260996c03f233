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

The same inputs give byte-identical outputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from evaluation.cohort import PROCESSED_DIR, ROSTER_COLUMNS, ROSTER_FILE, CohortConfig, load_cohort
from evaluation.errors import IngestError
from evaluation.ingest.pipeline import RosterIndex, SourceResult, ingest_source
from evaluation.ingest.pseudonym import load_key
from evaluation.ingest.report import build_report, write_report
from evaluation.instruments import Templates

__all__ = ["OUTPUTS", "ingest_cohort", "read_roster"]

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

    Raises
    ------
    IngestError
        Naming the file, the row and the column of the first problem of each kind.
    """
    path = folder / ROSTER_FILE
    if not path.is_file():
        raise IngestError(path, "deltagarlistan saknas / the roster is missing")
    roster = pd.read_csv(path, dtype=str, keep_default_na=False).replace({"": None})
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
    results = [ingest_source(folder, s, templates, index) for s in config.sources]
    quarantined = [q for r in results for q in r.quarantine if q["column"] is None]
    if strict and quarantined:
        first = quarantined[0]
        raise IngestError(
            first["file"],
            f"--strict: {len(quarantined)} rader i karantän / rows quarantined; first: {first['reason_en']}",
            row=first["row"],
        )
    out = folder / PROCESSED_DIR
    out.mkdir(exist_ok=True)
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
