"""`ingest_cohort`: every export of a cohort in, tidy pseudonymized tables and a quarantine out.

Per source listed in cohort.yml: read the export (`read_export`), map its columns
(`map_columns`), decode answers, link each row to the roster by participant code or else by e-mail,
and sort every row into accepted or quarantined. Row-level problems quarantine the row: unknown
respondent, test response, role mismatch, duplicate submission (the latest complete submission is
kept). Cell-level problems keep the row: a value outside the item's scale is set missing and the cell
is quarantined. E-mail addresses, phone numbers and participants' names in free text are replaced by
``[borttaget]``. Reconciliation holds for every source: rows read = rows accepted + rows quarantined.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.cohort import Source
from evaluation.errors import IngestError
from evaluation.formats import RawExport, platform
from evaluation.forms.fields import PARTICIPANT_CODE, VERSION_FIELD
from evaluation.ingest.columns import DROP, map_columns
from evaluation.ingest.pseudonym import pseudonym
from evaluation.ingest.read import read_export
from evaluation.ingest.validate import decode_column, invalid_cells
from evaluation.instruments import Templates

__all__ = ["REASONS", "SourceResult", "ingest_source"]

REASONS: dict[str, tuple[str, str]] = {
    "unknown_respondent": (
        "okänd respondent: koden och e-posten finns inte i deltagarlistan",
        "unknown respondent: neither code nor e-mail is in the roster",
    ),
    "test_response": ("testsvar", "test response"),
    "role_mismatch": (
        "fel roll: deltagaren har en annan roll i deltagarlistan",
        "role mismatch: the roster gives the participant another role",
    ),
    "duplicate_submission": (
        "dubblett: en senare komplett inskickning behålls",
        "duplicate submission: a later complete submission is kept",
    ),
    "out_of_range": (
        "värdet ligger utanför skalan; cellen sattes till saknad",
        "value outside the item's scale; the cell was set missing",
    ),
    "invalid_value": (
        "värdet är ingen kod eller etikett i skalan; cellen sattes till saknad",
        "value is no code or label of the scale; the cell was set missing",
    ),
}
"""Quarantine reasons by kind, Swedish and English."""

REDACTED = "[borttaget]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+46|0)[\s-]?\d{1,3}([\s-]?\d{2,4}){2,4}(?!\d)")
_TEST = re.compile(r"\btest", re.IGNORECASE)
_TRUE = {"1", "true", "yes", "ja", "y"}
_FALSE = {"0", "false", "no", "nej", "n"}


@dataclass
class SourceResult:
    """What ingest made of one source.

    Attributes
    ----------
    source : Source
        The cohort.yml entry.
    platform : str
        The detected (or given) platform.
    rows_read : int
        Data rows in the file.
    accepted : pandas.DataFrame
        One row per accepted submission: pseudonym, pair_id, agency, role, submitted_at,
        instrument_version, source_row, and one column per item (canonical values).
    quarantine : list of dict
        file, row, line, column, kind, reason_sv, reason_en, detail.
    redactions : list of dict
        file, row, column, what (email, phone, name): free-text cells that were cleaned.
    versions : collections.Counter
        Instrument version strings seen in the hidden version field.
    """

    source: Source
    platform: str
    rows_read: int
    accepted: pd.DataFrame
    quarantine: list[dict] = field(default_factory=list)
    redactions: list[dict] = field(default_factory=list)
    versions: Counter = field(default_factory=Counter)

    @property
    def rows_quarantined(self) -> int:
        """Rows quarantined as a whole (cell-level quarantines keep their row)."""
        return len({q["row"] for q in self.quarantine if q["column"] is None})


def _timestamps(values: pd.Series, fmt: str) -> pd.Series:
    parsed = pd.to_datetime(values, format=fmt, errors="coerce")
    retry = parsed.isna() & values.notna()
    if retry.any():
        parsed[retry] = pd.to_datetime(values[retry], format="mixed", errors="coerce")
    return parsed


def _flag(value: object) -> bool | None:
    text = str(value).strip().casefold() if value is not None else ""
    return True if text in _TRUE else False if text in _FALSE else None


def _canonical(raw: RawExport, mapped, items) -> pd.DataFrame:
    """Return the export as canonical columns: metadata and one per item (options folded)."""
    frame = raw.frame
    data: dict[str, pd.Series] = {}
    options: dict[str, list[tuple[int, pd.Series]]] = {}
    for column, m in mapped.items():
        if m.kind == "meta" or m.kind == "item":
            data[m.target] = frame[column]
        elif m.kind == "option":
            options.setdefault(m.target, []).append((m.code, frame[column]))
    for item_id, parts in options.items():
        chosen = pd.DataFrame(
            {code: s.map(lambda v: _flag(v) is True or str(v).strip().upper() == "Y") for code, s in parts}
        )
        answered = pd.concat([s.notna() for _, s in parts], axis=1).any(axis=1)
        data[item_id] = pd.Series(
            [
                ";".join(str(c) for c in sorted(chosen.columns) if row[c]) or None if ok else None
                for (_, row), ok in zip(chosen.iterrows(), answered, strict=True)
            ],
            index=frame.index,
            dtype=object,
        )
    table = pd.DataFrame(data, index=frame.index)
    for item, scale in items:
        if item.id in table:
            table[item.id] = decode_column(table[item.id], scale)
    return table


@dataclass(frozen=True)
class RosterIndex:
    """The roster as look-ups, built once per ingest: ids by code and e-mail, and each id's facts."""

    by_code: dict[str, str]
    by_email: dict[str, str]
    role: dict[str, str]
    pair: dict[str, str]
    agency: dict[str, str]
    pseudonym: dict[str, str]
    names: frozenset[str]

    @classmethod
    def build(cls, roster: pd.DataFrame, key: bytes) -> RosterIndex:
        """Index `roster`; `key` makes the pseudonyms."""
        ids = [str(c) for c in roster["participant_id"]]
        emails = roster["email"] if "email" in roster else pd.Series([None] * len(roster))
        by_email = {str(e).strip().lower(): i for e, i in zip(emails, ids, strict=True) if isinstance(e, str)}
        names = set()
        for email in by_email:
            names.update(part for part in re.split(r"[._\d-]+", email.split("@")[0]) if len(part) > 2)
        return cls(
            by_code={i.strip().upper(): i for i in ids},
            by_email=by_email,
            role=dict(zip(ids, roster["role"], strict=True)),
            pair=dict(zip(ids, roster["pair_id"], strict=True)),
            agency=dict(zip(ids, roster["agency"], strict=True)),
            pseudonym={i: pseudonym(key, i) for i in ids},
            names=frozenset(names),
        )


def _identify(table, roster: RosterIndex, source, raw) -> tuple[pd.Series, list[dict]]:
    """Link rows to roster ids (by code, else e-mail); return ids and row-level quarantines."""
    empty = pd.Series([None] * len(table), index=table.index)
    codes, emails, names = (table.get(c, empty) for c in (PARTICIPANT_CODE, "email", "name"))
    ids, problems = [], []
    for index, code, email, name in zip(table.index, codes, emails, names, strict=True):
        found = roster.by_code.get(str(code).strip().upper()) if code is not None else None
        if found is None and email is not None:
            found = roster.by_email.get(str(email).strip().lower())
        kind = None
        if found is None and any(_TEST.search(str(v)) for v in (code, name, email) if v is not None):
            kind = "test_response"
        elif found is None:
            kind = "unknown_respondent"
        elif source.role != "both" and roster.role[found] != source.role:
            kind = "role_mismatch"
        ids.append(found if kind is None else None)
        if kind:
            problems.append(_problem(source, raw, index, None, kind, ""))
    return pd.Series(ids, index=table.index, dtype=object), problems


def _problem(source, raw: RawExport, index, column, kind: str, detail: str) -> dict:
    row = int(index) + 1
    return {
        "file": source.file,
        "row": row,
        "line": row + raw.header_rows,
        "column": column,
        "kind": kind,
        "reason_sv": REASONS[kind][0],
        "reason_en": REASONS[kind][1],
        "detail": detail,
    }


def _duplicates(table: pd.DataFrame, ids: pd.Series, source, raw, pair_of: dict[str, str]) -> list[dict]:
    """Quarantine all but the latest complete submission of each participant.

    In the meeting log, where a participant logs many meetings, a duplicate is a second log of the
    same meeting: the same pair on the same date.
    """
    problems = []
    linked = ids.dropna()
    key = linked
    if source.instrument == "meeting_log" and "mdate" in table:
        key = linked.map(pair_of) + "|" + table.loc[linked.index, "mdate"].astype(str)
    frame = pd.DataFrame(
        {
            "id": key,
            "complete": table.loc[linked.index, "_complete"],
            "when": table.loc[linked.index, "_when"],
            "position": np.arange(len(linked)),
        }
    )
    frame = frame.sort_values(["id", "complete", "when", "position"], na_position="first")
    frame["kept"] = frame.index.to_series(index=frame.index).groupby(frame["id"]).transform("last")
    for index, kept in frame.loc[frame.duplicated("id", keep="last"), "kept"].items():
        problems.append(
            _problem(source, raw, index, None, "duplicate_submission", f"kept row {int(kept) + 1}")
        )
    return problems


def _redact(value: str, names: re.Pattern | None) -> tuple[str, list[str]]:
    found = []
    if _EMAIL.search(value):
        value, found = _EMAIL.sub(REDACTED, value), [*found, "email"]
    if _PHONE.search(value):
        value, found = _PHONE.sub(REDACTED, value), [*found, "phone"]
    if names is not None and names.search(value):
        value, found = names.sub(REDACTED, value), [*found, "name"]
    return value, found


def _name_pattern(roster: RosterIndex, table: pd.DataFrame) -> re.Pattern | None:
    """Return a pattern of names to remove from free text: roster e-mail name parts, export names."""
    names = set(roster.names)
    for name in table.get("name", pd.Series(dtype=object)).dropna():
        names.update(p for p in str(name).split() if len(p) > 2)
    words = sorted({n.casefold() for n in names} - {"test"}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def ingest_source(folder: Path, source: Source, templates: Templates, roster: RosterIndex) -> SourceResult:
    """Ingest one source of a cohort; see the module's docstring for what happens to each row.

    Raises
    ------
    IngestError
        For a structural problem: missing or unreadable file, unknown format, no column to identify
        respondents, a column that maps to no item.
    """
    path = folder / "raw" / source.file
    raw = read_export(path, source.format)
    raw.path = source.file
    instrument = templates.instrument(source.instrument)
    mapped = map_columns(raw, instrument, source.role, source.columns)
    targets = {m.target for m in mapped.values() if m.kind == "meta"}
    if not {PARTICIPANT_CODE, "email"} & targets:
        raise IngestError(
            source.file,
            "ingen kolumn med deltagarkod eller e-post / no column with the participant code or e-mail "
            f"(expected {PARTICIPANT_CODE!r} or its question text, or an e-mail column)",
            row=0,
        )
    roles = ("mentor", "adept") if source.role == "both" else (source.role,)
    items = [(i, templates.scale_of(i)) for i in instrument.items if any(r in i.roles for r in roles)]
    present = [(i, s) for i, s in items if any(m.target == i.id for m in mapped.values() if m.kind != DROP)]
    shape = platform(raw.platform)
    table = _canonical(raw, mapped, present)
    when = _timestamps(table["submittedat"], shape.time_format) if "submittedat" in table else None
    started = _timestamps(table["startedat"], shape.time_format) if "startedat" in table else None
    moment = (
        when
        if when is not None
        else (started if started is not None else pd.Series(pd.NaT, index=table.index))
    )
    if raw.platform == "limesurvey" and when is not None:
        complete = when.notna()
        moment = moment.fillna(started) if started is not None else moment
    elif "finished" in table:
        complete = table["finished"].map(lambda v: _flag(v) is not False)
    else:
        complete = pd.Series(True, index=table.index)
    table = pd.concat(
        [table, pd.DataFrame({"_when": moment, "_complete": complete}, index=table.index)], axis=1
    )
    ids, quarantine = _identify(table, roster, source, raw)
    quarantine += _duplicates(table, ids, source, raw, roster.pair)
    rejected = {q["row"] - 1 for q in quarantine}
    keep = [i for i in table.index if i not in rejected]
    accepted = table.loc[keep]
    names = _name_pattern(roster, table)
    for index, item_id, value in invalid_cells(accepted, present):
        scale = templates.scale_of(templates.items[item_id])
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        kind = "out_of_range" if numeric else "invalid_value"
        shown = _redact(repr(value)[:60], names)[0]  # a stray e-mail in a cell must not reach the quarantine
        quarantine.append(_problem(source, raw, index, item_id, kind, f"{shown} ({scale.id})"))
        accepted.loc[index, item_id] = None
    redactions = []
    for item, scale in present:
        if scale.type != "text":
            continue
        for index, value in accepted[item.id].dropna().items():
            cleaned, found = _redact(str(value), names)
            if found:
                accepted.loc[index, item.id] = cleaned
                redactions.append(
                    {"file": source.file, "row": int(index) + 1, "column": item.id, "what": ",".join(found)}
                )
    linked = ids.loc[keep].tolist()
    meta = pd.DataFrame(
        {
            "pseudonym": [roster.pseudonym[i] for i in linked],
            "pair_id": [roster.pair[i] for i in linked],
            "agency": [roster.agency[i] for i in linked],
            "role": [roster.role[i] for i in linked],
            "submitted_at": accepted["_when"].to_numpy(),
            "instrument_version": accepted.get(VERSION_FIELD, pd.Series([None] * len(accepted))).to_numpy(),
            "source_row": [int(i) + 1 for i in accepted.index],
        }
    )
    answers = pd.DataFrame({item.id: accepted[item.id].to_numpy() for item, _ in present}, dtype=object)
    out = pd.concat([meta, answers], axis=1)
    versions = Counter(v for v in accepted.get(VERSION_FIELD, pd.Series(dtype=object)).dropna())
    return SourceResult(source, raw.platform, len(raw.frame), out, quarantine, redactions, versions)
