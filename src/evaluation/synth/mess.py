"""Planted faults: what real exports contain, each recorded so that tests can check ingest's handling.

Every fault is a dict with ``id``, ``kind``, ``file`` (relative to the cohort folder), ``row`` (the
record's 1-based position among the file's data rows, header rows not counted), ``column`` (the item
id, or None for a whole row), ``participant_id`` (the roster id concerned, or None), ``value`` (what
was planted) and ``expected``, what ingest must do:

- ``duplicate_submission``: an earlier submission (with only the first half answered) by a participant
  who submitted again later; expected ``quarantine_row`` (keep the latest complete one);
- ``test_response``: a response by "Test Testsson" with code ``TEST``; ``quarantine_row``;
- ``unknown_respondent``: a code and e-mail that are not in the roster; ``quarantine_row``;
- ``out_of_range``: a value outside the item's scale (6 on a 1-5 scale, 11 on 0-10);
  ``quarantine_cell`` (row kept, the cell set missing);
- ``label_as_text``: the label of the answer where the platform writes codes; ``convert`` to the
  code in ``code`` (the answer given, so converted data equals the clean data);
- ``label_case_whitespace``: the same with stray whitespace and capitalisation; ``convert``;
- ``email_in_comment``: an e-mail address in a free-text answer; ``redact``.

Faults are planted in the canonical tables before they are written; a hidden ``_fault`` column marks
the rows, and `number_faults` sets each fault's row once the rows are in their final order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.formats import Layout, Platform
from evaluation.synth.people import CODE_ALPHABET

__all__ = ["FAULT_COLUMN", "Source", "number_faults", "plant_faults"]

FAULT_COLUMN = "_fault"


@dataclass
class Source:
    """One export being generated: where it goes, its shape, its layout and its rows."""

    file: str
    instrument: str
    role: str
    wave: str
    platform: Platform
    layout: Layout
    table: pd.DataFrame
    faults: list[dict] = field(default_factory=list)


def _mark(table: pd.DataFrame, row: int, fault: dict) -> None:
    table.at[row, FAULT_COLUMN] = [*(table.at[row, FAULT_COLUMN] or []), fault["id"]]


def _add(source: Source, faults: list[dict], kind: str, row: int, **details) -> dict:
    fault = {
        "id": len(faults) + 1,
        "kind": kind,
        "file": source.file,
        "row": None,
        "column": None,
        "participant_id": None,
        "value": None,
        "expected": None,
        **details,
    }
    faults.append(fault)
    source.faults.append(fault)
    _mark(source.table, row, fault)
    return fault


def _append_row(source: Source, row: dict) -> int:
    table = source.table
    position = len(table)
    source.table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    source.table[FAULT_COLUMN] = source.table[FAULT_COLUMN].astype(object)
    return position


def _ordinal_columns(source: Source, scale_type: str = "ordinal") -> list:
    return [c for c in source.layout.columns if c.scale.type == scale_type and not c.item.then_of]


def _duplicate(source: Source, faults: list[dict], rng: np.random.Generator) -> None:
    table = source.table
    complete = np.flatnonzero(table["finished"].to_numpy(dtype=bool))
    complete = complete if len(complete) else np.arange(len(table))
    original = table.iloc[int(rng.choice(complete))].to_dict()
    copy = dict(original)
    later = [c.key for c in source.layout.columns[len(source.layout.columns) // 2 :]]
    for key in later:
        copy[key] = None
    copy["submittedat"] = original["submittedat"] - pd.Timedelta(days=2)
    copy["startedat"] = copy["submittedat"] - pd.Timedelta(minutes=6)
    copy["finished"], copy["progress"] = True, 100  # submitted: an unfinished one is another fault
    copy["responseid"] = int(table["responseid"].max()) + 1
    copy[FAULT_COLUMN] = None
    row = _append_row(source, copy)
    _add(
        source,
        faults,
        "duplicate_submission",
        row,
        participant_id=original["participantcode"],
        expected="quarantine_row",
    )


def _stranger(source: Source, faults: list[dict], rng, *, kind: str) -> None:
    base = source.table.iloc[0].to_dict()
    row = {**base, FAULT_COLUMN: None, "responseid": int(source.table["responseid"].max()) + 1}
    if kind == "test_response":
        row |= {"participantcode": "TEST", "email": "test@example.se", "name": "Test Testsson"}
    else:
        letters = "".join(rng.choice(CODE_ALPHABET, 8))
        row |= {
            "participantcode": f"{letters[:4]}-{letters[4:]}",
            "email": "okand.person@example.se",
            "name": "Okänd Person",
        }
    row["submittedat"] = base["submittedat"] + pd.Timedelta(hours=3)
    position = _append_row(source, row)
    _add(source, faults, kind, position, value=row["participantcode"], expected="quarantine_row")


def _cell(source: Source, faults, rng, kind: str, column, make, expected: str) -> None:
    """Replace one answered cell of `column` (any unmarked row if none is answered).

    `make` takes the cell's answer and returns the planted value and any extra fault details.
    """
    table = source.table
    free = table[FAULT_COLUMN].isna().to_numpy()
    answered = np.flatnonzero(table[column.key].notna().to_numpy() & free)
    row = int(rng.choice(answered if len(answered) else np.flatnonzero(free)))
    value, details = make(table.at[row, column.key])
    table.at[row, column.key] = value
    _add(
        source,
        faults,
        kind,
        row,
        column=column.key,
        participant_id=table.at[row, "participantcode"],
        value=value,
        expected=expected,
        **details,
    )


def _relabel(source: Source, faults, rng, kind: str, column, spoil) -> None:
    """Replace an answered code by its own label, spoiled by `spoil`: converting it restores the code."""

    def make(code):
        return spoil(column.scale.label(int(code), source.layout.lang)), {"code": int(code)}

    _cell(source, faults, rng, kind, column, make, "convert")


def plant_faults(sources: list[Source], rng: np.random.Generator) -> list[dict]:
    """Plant every kind of fault in the surveys' exports and return the list of faults.

    Parameters
    ----------
    sources : list of Source
        The exports, before writing; tables are changed in place (rows appended, cells replaced).
    rng : numpy.random.Generator
        Chooses the rows and cells.

    Returns
    -------
    list of dict
        The faults (see the module's docstring); rows are numbered later by `number_faults`.
    """
    faults: list[dict] = []
    for source in sources:
        source.table[FAULT_COLUMN] = pd.Series([None] * len(source.table), dtype=object)
    surveys = [s for s in sources if s.instrument in ("baseline", "followup")]
    by_key = {(s.instrument, s.role): s for s in surveys}
    _duplicate(by_key[("baseline", "mentor")], faults, rng)
    _duplicate(by_key[("followup", "adept")], faults, rng)
    _stranger(by_key[("baseline", "adept")], faults, rng, kind="test_response")
    _stranger(by_key[("followup", "mentor")], faults, rng, kind="unknown_respondent")
    agree = _ordinal_columns(by_key[("baseline", "mentor")])[8]
    _cell(
        by_key[("baseline", "mentor")],
        faults,
        rng,
        "out_of_range",
        agree,
        lambda _: (max(agree.scale.codes) + 1, {}),
        "quarantine_cell",
    )
    eleven = next(c for c in _ordinal_columns(by_key[("followup", "adept")]) if max(c.scale.codes) == 10)
    _cell(
        by_key[("followup", "adept")],
        faults,
        rng,
        "out_of_range",
        eleven,
        lambda _: (11, {}),
        "quarantine_cell",
    )
    for source in surveys + [s for s in sources if s.instrument == "inspiration"][:1]:
        column = _ordinal_columns(source)[3]
        if not source.platform.labels:
            _relabel(source, faults, rng, "label_as_text", column, lambda label: label)
        _relabel(source, faults, rng, "label_case_whitespace", column, lambda label: f"  {label.upper()} ")
    for source in surveys:
        texts = [c for c in source.layout.columns if c.scale.type == "text"]
        if texts and source.instrument == "followup" and source.role == "mentor":
            value = "Tack för ett bra program! Kontakta mig gärna på kim.exempel@example.se."
            _cell(source, faults, rng, "email_in_comment", texts[0], lambda _, v=value: (v, {}), "redact")
    return faults


def number_faults(source: Source) -> None:
    """Set each fault's ``row`` from the position of its marked row in the final table."""
    by_id = {f["id"]: f for f in source.faults}
    for position, marks in enumerate(source.table[FAULT_COLUMN].tolist(), start=1):
        for fault_id in marks or []:
            by_id[fault_id]["row"] = position
