"""`ingest_cohort`: every export of a cohort in, tidy pseudonymized tables and a quarantine out.

Per source listed in cohort.yml: read the export (`read_export`), map its columns
(`map_columns`), decode answers, link each row to the roster by participant code or else by e-mail,
and sort every row into accepted or quarantined, each with its own reason, checked in this order:
a blank row; a summary row (``Totalt``, ``Medel``, ...); a survey preview (Qualtrics ``Status``
*Survey Preview* or distribution channel ``preview``); a test response (Qualtrics *Survey Test*, a code
listed under ``test_codes:`` in cohort.yml, or an unknown respondent whose code, name or e-mail says
"test"); an unknown respondent; a role mismatch; an unfinished response (unless the source sets
``accept_partial: true``, when it is accepted and counted); a duplicate submission (the latest complete
submission is kept). A preview or test therefore never replaces a participant's answer. Cell-level
problems keep the row: a value outside the item's scale is set missing, a timestamp that cannot be read
with certainty is left missing, and the cell is quarantined with its (cleaned) raw text. E-mail
addresses, phone numbers and participants' names in free text are replaced by ``[borttaget]``.
Reconciliation holds for every source: rows read = rows accepted + rows quarantined.
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
from evaluation.formats import RawExport
from evaluation.formats.dates import parse_timestamps
from evaluation.ingest.columns import DROP, map_columns
from evaluation.ingest.pseudonym import pseudonym
from evaluation.ingest.read import read_export
from evaluation.ingest.redact import Redactor
from evaluation.ingest.validate import decode_column, invalid_cells
from evaluation.survey import PARTICIPANT_CODE, VERSION_FIELD, Templates

__all__ = ["REASONS", "SourceResult", "ingest_source"]

REASONS: dict[str, tuple[str, str]] = {
    "blank_row": ("tom rad: inga svar och ingen deltagare", "blank row: no answers and no respondent"),
    "summary_row": (
        "summeringsrad (t.ex. Totalt eller Medel), inget svar",
        "summary row (such as Total or Mean), not a response",
    ),
    "preview": (
        "förhandsgranskning av enkäten, inget riktigt svar",
        "survey preview, not a real response",
    ),
    "incomplete_response": (
        "ofullständigt svar: enkäten skickades inte in (accept_partial: true tar med det)",
        "unfinished response: the survey was not submitted (accept_partial: true keeps it)",
    ),
    "invalid_timestamp": (
        "tidpunkten kan inte tolkas säkert; cellen sattes till saknad",
        "the timestamp cannot be read with certainty; the cell was set missing",
    ),
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

_TEST = re.compile(r"\btest", re.IGNORECASE)
_ZONED = re.compile(r"(Z|[+-]\d\d:?\d\d)\s*$")
_SUMMARY = frozenset(
    {"totalt", "total", "totals", "summa", "sum", "medel", "medelvärde", "average", "mean", "antal", "count"}
)
_PREVIEW_STATUS = frozenset({"1", "9", "17", "survey preview", "preview", "preview spam", "offline preview"})
_TEST_STATUS = frozenset({"2", "survey test", "test"})
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
    """The roster as look-ups, built once per ingest.

    Ids by code and e-mail, each id's facts, and the redactor of the roster's names (its ``name``
    column, else the names in e-mail addresses).
    """

    by_code: dict[str, str]
    by_email: dict[str, str]
    role: dict[str, str]
    pair: dict[str, str]
    agency: dict[str, str]
    pseudonym: dict[str, str]
    redactor: Redactor

    @classmethod
    def build(cls, roster: pd.DataFrame, key: bytes) -> RosterIndex:
        """Index `roster`; `key` makes the pseudonyms."""
        ids = [str(c) for c in roster["participant_id"]]
        emails = roster["email"] if "email" in roster else pd.Series([None] * len(roster))
        by_email = {str(e).strip().lower(): i for e, i in zip(emails, ids, strict=True) if isinstance(e, str)}
        names = roster["name"].dropna().astype(str) if "name" in roster else pd.Series(dtype=str)
        return cls(
            by_code={i.strip().upper(): i for i in ids},
            by_email=by_email,
            role=dict(zip(ids, roster["role"], strict=True)),
            pair=dict(zip(ids, roster["pair_id"], strict=True)),
            agency=dict(zip(ids, roster["agency"], strict=True)),
            pseudonym={i: pseudonym(key, i) for i in ids},
            redactor=Redactor.build(names, list(by_email)),
        )


def _classify(
    table: pd.DataFrame, answered: pd.Series, roster: RosterIndex, source, raw, test_codes: frozenset[str]
) -> tuple[pd.Series, list[dict]]:
    """Link rows to roster ids (by code, else e-mail); return ids and row-level quarantines.

    See the module docstring for the reasons and their order.
    """
    empty = pd.Series([None] * len(table), index=table.index)
    codes, emails, names = (table.get(c, empty) for c in (PARTICIPANT_CODE, "email", "name"))
    statuses, channels, references = (table.get(c, empty) for c in ("status", "channel", "reference"))
    complete = table["_complete"]
    first_cells = raw.frame.apply(lambda row: next((v for v in row if v is not None), None), axis=1)
    ids, problems = [], []
    rows = zip(table.index, codes, emails, names, statuses, channels, references, strict=True)
    for index, code, email, name, status, channel, reference in rows:
        if code is None and reference is not None and str(reference).strip().upper() in roster.by_code:
            code = reference  # a Qualtrics contact list's external reference holding the roster code
        found = roster.by_code.get(str(code).strip().upper()) if code is not None else None
        if found is None and email is not None:
            found = roster.by_email.get(str(email).strip().lower())
        status_text = str(status).strip().casefold() if status is not None else ""
        channel_text = str(channel).strip().casefold() if channel is not None else ""
        label = (
            str(first_cells[index]).strip().rstrip(":").casefold() if first_cells[index] is not None else ""
        )
        kind, detail = None, ""
        if code is None and email is None and not answered[index]:
            kind, detail = "blank_row", "no participant code, e-mail or answer"
        elif found is None and label in _SUMMARY:
            kind, detail = "summary_row", f"first cell {first_cells[index]!r}; expected a response"
        elif status_text in _PREVIEW_STATUS or channel_text == "preview":
            kind, detail = "preview", f"Status {status!r}, DistributionChannel {channel!r}"
        elif status_text in _TEST_STATUS or channel_text == "test":
            kind, detail = "test_response", f"Status {status!r}, DistributionChannel {channel!r}"
        elif code is not None and str(code).strip().upper() in test_codes:
            kind, detail = "test_response", "the code is listed under test_codes in cohort.yml"
        elif found is None and any(_TEST.search(str(v)) for v in (code, name, email) if v is not None):
            kind, detail = "test_response", "code, name or e-mail says 'test' and is not in the roster"
        elif found is None:
            kind, detail = "unknown_respondent", "expected a code or e-mail of roster.csv"
        elif source.role != "both" and roster.role[found] != source.role:
            kind, detail = "role_mismatch", f"roster: {roster.role[found]}; this source: {source.role}"
        elif not complete[index] and not source.accept_partial:
            kind = "incomplete_response"
            detail = "not submitted (Finished 0, or no submit date); accept_partial: true keeps it"
        ids.append(found if kind is None else None)
        if kind:
            problems.append(_problem(source, raw, index, None, kind, detail))
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


def _moments(table: pd.DataFrame, source, raw) -> tuple[pd.Series, pd.Series, list[dict]]:
    """Return when each row was submitted (else started), and cell quarantines for unreadable times."""
    problems = []
    parsed = {}
    for column in ("submittedat", "startedat"):
        if column not in table:
            continue
        text = table[column]
        if raw.platform == "kobo":  # Kobo's _submission_time is UTC without a zone
            text = text.map(lambda v: v if v is None or _ZONED.search(str(v)) else f"{v}Z")
        values, failed = parse_timestamps(text)
        parsed[column] = values
        for index in failed[failed].index:
            problems.append(
                _problem(source, raw, index, column, "invalid_timestamp", repr(table.at[index, column]))
            )
    missing = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns]")
    when, started = parsed.get("submittedat"), parsed.get("startedat")
    moment = when if when is not None else (started if started is not None else missing)
    if started is not None:
        moment = moment.fillna(started)
    return moment, (when if when is not None else missing), problems


def _complete(table: pd.DataFrame, raw: RawExport, submitted: pd.Series) -> pd.Series:
    """Whether each response was finished: Qualtrics ``Finished``, LimeSurvey's submit date, else yes."""
    if "finished" in table:
        return table["finished"].map(lambda v: _flag(v) is not False)
    if raw.platform == "limesurvey" and "submittedat" in table:
        return submitted.notna() | table["submittedat"].notna()
    return pd.Series(True, index=table.index)


def ingest_source(
    folder: Path,
    source: Source,
    templates: Templates,
    roster: RosterIndex,
    *,
    test_codes: frozenset[str] = frozenset(),
    version: str | None = None,
) -> SourceResult:
    """Ingest one source of a cohort; see the module's docstring for what happens to each row.

    Parameters
    ----------
    folder : pathlib.Path
        The cohort folder.
    source : evaluation.cohort.Source
        The cohort.yml entry.
    templates : evaluation.survey.Templates
        The survey templates.
    roster : RosterIndex
        The roster, indexed.
    test_codes : frozenset of str
        Participant codes (upper case) used for testing the forms (cohort.yml ``test_codes``).
    version : str, optional
        The instrument version the cohort answered (its pin in cohort.yml); the current one if omitted.

    Raises
    ------
    IngestError
        For a structural problem: missing or unreadable file, unknown format, no column to identify
        respondents, columns that map to no item (all listed at once).
    """
    path = folder / "raw" / source.file
    raw = read_export(path, source.format)
    raw.path = source.file
    instrument = templates.instrument(source.instrument, version)
    mapped = map_columns(raw, instrument, source.role, source.columns, source.ignore, templates.scale_of)
    targets = {m.target for m in mapped.values() if m.kind == "meta"}
    if not {PARTICIPANT_CODE, "email", "reference"} & targets:
        raise IngestError(
            source.file,
            "ingen kolumn med deltagarkod eller e-post / no column with the participant code or e-mail "
            f"(expected {PARTICIPANT_CODE!r} or its question text, or an e-mail column)",
            row=0,
        )
    roles = ("mentor", "adept") if source.role == "both" else (source.role,)
    items = [(i, templates.scale_of(i)) for i in instrument.items if any(r in i.roles for r in roles)]
    present = [(i, s) for i, s in items if any(m.target == i.id for m in mapped.values() if m.kind != DROP)]
    table = _canonical(raw, mapped, present)
    moment, submitted, cell_problems = _moments(table, source, raw)
    complete = _complete(table, raw, submitted)
    answered = (
        table[[i.id for i, _ in present]].notna().any(axis=1)
        if present
        else pd.Series(False, index=table.index)
    )
    table = pd.concat(
        [table, pd.DataFrame({"_when": moment, "_complete": complete}, index=table.index)], axis=1
    )
    ids, quarantine = _classify(table, answered, roster, source, raw, test_codes)
    quarantine += _duplicates(table, ids, source, raw, roster.pair)
    rejected = {q["row"] - 1 for q in quarantine}
    keep = [i for i in table.index if i not in rejected]
    quarantine += [q for q in cell_problems if q["row"] - 1 not in rejected]
    accepted = table.loc[keep]
    redactor = roster.redactor.with_names(table.get("name", pd.Series(dtype=object)).dropna().astype(str))
    for index, item_id, value in invalid_cells(accepted, present):
        scale = templates.scale_of(templates.items[item_id])
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        kind = "out_of_range" if numeric else "invalid_value"
        quarantine.append(_problem(source, raw, index, item_id, kind, f"{repr(value)[:200]} ({scale.id})"))
        accepted.loc[index, item_id] = None
    # A stray e-mail or name in a cell must not reach the quarantine: clean first, then shorten.
    quarantine = [q | {"detail": redactor.redact(q["detail"])[0][:80]} for q in quarantine]
    redactions = []
    for item, scale in present:
        if scale.type != "text":
            continue
        for index, value in accepted[item.id].dropna().items():
            cleaned, found = redactor.redact(str(value))
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
