"""An independent audit of everything published under a reports folder.

`audit_reports` reads what was published (CSV files, HTML pages, executed notebooks, PDF text and any
other text file under the reports folder) and the cohort's roster, and returns one `Finding` per
problem; `format_findings` prints them. The audit checks what was published, not the code that
published it: it imports nothing from `evaluation.disclosure`, `evaluation.report` or
`evaluation.outcomes`, and reads ``cohort.yml`` itself.

Checks (``Finding.problem``):

``small-group``
    A shown value in a group-size column (`GROUP_SIZE_COLUMNS`, each value counts people) between 1 and
    ``min_group_size - 1``, in a CSV file or in an HTML column whose ``data-col`` names such a column.
``differencing``
    A hidden (empty) cell that can be recovered by subtracting shown cells from shown totals, or a
    group below the minimum that can be recovered that way (even spread over several agencies), or
    shown cells that do not add up where an ``Övriga myndigheter`` row claims they do. Every CSV cell
    of an additive column (`ADDITIVE_COLUMNS`) is read as the sum of agency x role cells of the roster:
    a roster agency or an ``Alla`` (all agencies / both roles) or ``Övriga myndigheter`` (the agencies
    the same file does not show for that key). Totals minus parts are subtracted until nothing new
    follows, within each file and over all CSV files of the folder together.
``identifier``
    A roster participant id, e-mail or name (whole words, case-insensitive) anywhere.
``participant-level``
    A pseudonym or pair id anywhere except the pseudonym's own feedback page; a column named like an
    identifier.
``absolute-path``
    The reports, cohort, home or working folder, or any absolute machine path.
``unaudited-table``
    An HTML table without ``data-results`` (outside ``feedback/``), one naming a missing CSV or column,
    or a file the audit cannot read.
``feedback-linked``
    A page outside ``feedback/`` that links to a feedback page.
``participant-rows``
    A table on a leadership page (`LEADERSHIP_PAGES`) with one row per participant or pair: a cell
    holding a pseudonym (``p`` and 16 hex digits, or one of the cohort's), a pair id (the roster's, or
    shaped like ``par001``) or a participant id; a header naming such a column; or rows that repeat
    the same group (the same labels on several rows, as a table of people has and an aggregate never
    does), or, in a table without labels, more rows than the cohort has agency x role groups.

Rows in findings are 1-based data rows (the CSV header is not counted); identifiers in findings are
masked.

Result cache
------------
The findings depend on nothing but the audit's inputs, so an unchanged folder that passed is not read
again. Before auditing, `audit_reports` hashes (SHA-256) every input: the relative path and bytes of
every file under the reports folder; ``cohort.yml``, ``roster.csv`` and every ``processed/*.parquet``
of the cohort folder (what `_load_cohort` reads); the folders as given and every absolute path the
``absolute-path`` check looks for (reports, cohort, working and home folder, `_known_paths`); and the
audit's code (this module's source and that of `evaluation.ingest.redact`, whose ``fold`` it uses,
the package version, and the versions of Python, pandas, NumPy, PyArrow, PyYAML and pypdf). If the
digest equals the one the last clean audit of the same reports folder recorded, the audit returns
``[]`` at once; any other digest means a full audit. A digest is recorded only when the full audit
found nothing, every ``results/`` CSV an HTML table named was one of the hashed files, and the digest
is the same after the audit as before it (nothing changed while the audit read). Findings are never
cached: a folder with a finding is audited in full every time.

The digest is kept in the cohort folder, never in the reports folder (it is not published, so the
audit's file walk never meets it): ``<cohort>/processed/.cache/audit-<slot>.txt``, one line of 64 hex
digits, where ``<slot>`` is 16 hex digits of the SHA-256 of the reports folder's resolved path (one
slot per reports folder). It holds no identifier, only digests; the report build's data fingerprint
reads only the files directly in ``processed/``, so the cache does not make reports stale. Without a
``processed/`` folder, or if ``processed/.cache`` would lie inside the reports folder, nothing is
cached; an unwritable cohort folder just means a full audit next time. ``use_cache=False`` (the
``evaluation audit`` command) always audits in full and records nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.parquet as pq
import yaml

from evaluation.errors import CohortError
from evaluation.ingest.redact import fold

__all__ = [
    "ADDITIVE_COLUMNS",
    "GROUP_SIZE_COLUMNS",
    "LABEL_COLUMNS",
    "LEADERSHIP_PAGES",
    "PROBLEMS",
    "Finding",
    "audit_reports",
    "format_findings",
]

GROUP_SIZE_COLUMNS: frozenset[str] = frozenset(
    {
        "n",
        "invited",
        "n_completers",
        "n_dropouts",
        "pairs",
        "participants",
        "respondents",
        "writers",
        "rows",
        "n_pre",
        "n_post",
        "n_pairs",
        "n_mentor",
        "n_adept",
    }
)
"""Columns whose every value counts people: a shown value must be 0 or at least the minimum."""

ADDITIVE_COLUMNS: frozenset[str] = GROUP_SIZE_COLUMNS | {
    "answered_baseline",
    "answered_followup",
    "responded",
    "answered",
    "count",
}
"""Columns whose values add up over agencies and roles (checked for differencing)."""

LABEL_COLUMNS: tuple[str, ...] = (
    "agency",
    "role",
    "construct",
    "wave",
    "instrument",
    "item",
    "file",
    "kind",
    "measure",
    "scope",
    "cohort",
    "family",
    "claim",
)
"""Columns that label a row; any other non-numeric column also labels rows (see `_label_columns`)."""

PROBLEMS: tuple[str, ...] = (
    "small-group",
    "differencing",
    "identifier",
    "participant-level",
    "absolute-path",
    "unaudited-table",
    "feedback-linked",
    "participant-rows",
)
"""Every kind of finding."""

LEADERSHIP_PAGES: tuple[str, ...] = (
    "index.html",
    "brief.html",
    "cohort.html",
    "comparison.html",
    "agencies/*.html",
)
"""The pages leadership reads (relative to the reports folder): no table there has a row per person."""

POOLED = "Övriga myndigheter"
TOTAL = "Alla"
ROLES = ("mentor", "adept")
FEEDBACK = "feedback"
RESULTS = "results"

PARTICIPANT_COLUMNS = frozenset(
    {"pseudonym", "participant_id", "pair_id", "email", "e-mail", "e-post", "epost", "name", "namn"}
)
ANNOTATION_PREFIXES = ("not", "suppressed", "anmärkning", "comment", "kommentar", "fotnot")
DATA_FORMATS = frozenset(
    {".xlsx", ".xls", ".parquet", ".feather", ".pkl", ".pickle", ".sav", ".dta", ".rds", ".sqlite", ".db"}
)
HIDDEN_MARKS = frozenset({"", "–", "—", "-", "−", "..", "…", "nan", "NaN", "NA", "n/a", "*"})
TOL = 1e-6
_MAX_KNOWN = 4000

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_RUN = re.compile(r"\w+(?:[^\w\s]\w+)*")
_WORD = re.compile(r"\w+")
_NAME_GAP = re.compile(r"[\s,.'’\-]{1,3}")
_PSEUDONYM_SHAPE = re.compile(r"(?<![\w])p[0-9a-f]{16}(?![\w])")
_PAIR_SHAPE = re.compile(r"(?<![\w-])par[-_]?\d{2,}(?![\w-])", re.IGNORECASE)
_IDENTIFIER_HEADINGS = frozenset(
    {"pseudonym", "pair_id", "pair id", "participant_id", "participant id", "par-id", "parid", "deltagarkod",
     "deltagar-id", "deltagare-id", "respondent", "respondent id", "e-post", "email", "e-mail"}
)  # fmt: skip
_GENERIC_PATH = re.compile(
    r"(?<![\w.~/\\-])/(?:home|Users|root|tmp|var|mnt|media|work|opt|srv|private)"
    r"(?:/[^\s/\\\"'<>|)\]},;]+)+"
)
_FILE_URL = re.compile(r"(?<![\w])file:/+[^\s\"'<>)]*", re.IGNORECASE)
_WINDOWS_PATH = re.compile(
    r"(?<![\w])[A-Za-z]:(?:\\{1,2}|/)[A-Za-z0-9_$][^\s\\/:*?\"'<>|]*(?:(?:\\{1,2}|/)[^\s\\/:*?\"'<>|]+)*"
)
_UNC_PATH = re.compile(r"(?<![\w\\])\\\\[A-Za-z0-9_.$-]+\\[A-Za-z0-9_.$-]+")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009](?=\d{3}(?!\d))")
_COMMA_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?![\d,])")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Finding:
    """One problem found in a published file.

    Attributes
    ----------
    file : str
        The file, relative to the reports folder (POSIX separators).
    table : str
        The table: a CSV file name, an HTML table's ``data-results`` or caption, a notebook cell, a PDF
        page; empty when the problem is in running text.
    cell : str
        Where in the table or text: a row and column, or an excerpt in which identifiers are masked.
    problem : str
        The kind of problem, one of `PROBLEMS`.
    detail : str
        What was found and what was expected, one sentence.
    """

    file: str
    table: str
    cell: str
    problem: str
    detail: str


# --------------------------------------------------------------------------------------------------
# What the audit knows about the cohort


@dataclass
class _Cohort:
    min_size: int
    agencies: list[str]
    roles: list[str]
    people: dict[tuple[str, str], int]
    codes: dict[str, str]
    code_first_words: set[str]
    max_code_parts: int
    emails: set[str]
    names: set[tuple[str, ...]]
    name_lengths: list[int]
    name_first_words: set[str]
    pseudonyms: set[str]
    paths: list[tuple[str, str]]
    reports_dir: Path

    def zero(self, agency: str, role: str) -> bool:
        """Return whether the roster has nobody of `role` at roster agency `agency`."""
        return agency in self.agencies and self.people.get((agency, role), 0) == 0


def _min_group_size(cohort_dir: Path) -> int:
    path = cohort_dir / "cohort.yml"
    if not path.exists():
        return 5
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        value = int(data.get("min_group_size", 5)) if isinstance(data, dict) else 5
    except (yaml.YAMLError, TypeError, ValueError) as error:
        raise CohortError(f"{path}: min_group_size kunde inte läsas / could not be read: {error}") from error
    if value < 3:
        raise CohortError(
            f"{path}: min_group_size är {value}, minst 3 krävs / min_group_size is {value}, at least 3 "
            "is required"
        )
    return value


def _pseudonyms(processed: Path) -> set[str]:
    found: set[str] = set()
    if not processed.is_dir():
        return found
    for path in sorted(processed.glob("*.parquet")):
        try:
            if "pseudonym" not in pq.read_schema(path).names:
                continue
            column = pq.read_table(path, columns=["pseudonym"]).column(0).to_pylist()
        except (OSError, ValueError):
            continue
        found.update(str(p).strip().lower() for p in column if p is not None and str(p).strip())
    return found


def _is_code(value: str) -> bool:
    """Return whether a roster code can be told apart from numbers in published tables."""
    return len(value) >= 2 and not value.isdigit() and bool(_WORD.search(value))


def _known_paths(reports_dir: Path, cohort_dir: Path) -> list[tuple[str, str]]:
    candidates: list[tuple[Path, str]] = [
        (reports_dir, "the reports folder"),
        (cohort_dir, "the cohort folder"),
        (Path.cwd(), "the working folder"),
    ]
    with contextlib.suppress(RuntimeError):
        candidates.append((Path.home(), "the home folder"))
    paths: dict[str, str] = {}
    for folder, what in candidates:
        for form in (folder.absolute(), folder.resolve()):
            text = str(form)
            if len(form.parts) >= 2 and text not in paths:
                paths[text] = what
    return sorted(paths.items(), key=lambda pair: -len(pair[0]))


def _load_cohort(reports_dir: Path, cohort_dir: Path) -> _Cohort:
    roster_path = cohort_dir / "roster.csv"
    if not roster_path.exists():
        raise CohortError(
            f"{roster_path}: deltagarlistan saknas, granskningen behöver den / the roster is missing; "
            "the audit needs it"
        )
    roster = pd.read_csv(roster_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    roster.columns = [str(c).strip().lower() for c in roster.columns]
    for column in ("participant_id", "role", "pair_id", "agency"):
        if column not in roster.columns:
            raise CohortError(f"{roster_path}: kolumnen {column} saknas / the column {column} is missing")
    roster = roster.apply(lambda column: column.str.strip())
    roster["role"] = roster["role"].str.lower()
    agencies = list(dict.fromkeys(a for a in roster["agency"] if a))
    roles = list(ROLES) + sorted(set(roster["role"]) - set(ROLES) - {""})
    people = roster.groupby(["agency", "role"]).size().to_dict()
    codes: dict[str, str] = {}
    for column, kind in (("pair_id", "pair_id"), ("participant_id", "participant_id")):
        for value in roster[column]:
            if _is_code(value):
                codes[value.lower()] = kind
    emails = {e.lower() for e in roster.get("email", pd.Series(dtype=str)) if "@" in e}
    names: set[tuple[str, ...]] = set()
    for value in roster.get("name", pd.Series(dtype=str)):
        words = tuple(fold(w.lower()) for w in _WORD.findall(value))
        if len("".join(words)) >= 3:
            names.add(words)
            if len(words) >= 2:
                names.add((*words[1:], words[0]))
    return _Cohort(
        min_size=_min_group_size(cohort_dir),
        agencies=agencies,
        roles=roles,
        people={(str(a), str(r)): int(n) for (a, r), n in people.items()},
        codes=codes,
        code_first_words={_WORD.findall(c)[0] for c in codes},
        max_code_parts=max((len(_WORD.findall(c)) for c in codes), default=1),
        emails=emails,
        names=names,
        name_lengths=sorted({len(n) for n in names}),
        name_first_words={n[0] for n in names},
        pseudonyms=_pseudonyms(cohort_dir / "processed"),
        paths=_known_paths(reports_dir, cohort_dir),
        reports_dir=reports_dir,
    )


# --------------------------------------------------------------------------------------------------
# Text: identifiers, participant-level codes, machine paths


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    problem: str
    kind: str
    value: str
    masked: str


def _mask_word(word: str) -> str:
    return "".join(
        part if not part[0].isalnum() else part[0] + "*" * (len(part) - 1)
        for part in re.findall(r"\w+|\W+", word)
    )


def _mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    *host, tld = domain.split(".")
    return f"{local[:1]}***@{'.'.join(h[:1] + '***' for h in host)}.{tld}"


def _mask_path(path: str) -> str:
    found = re.match(r"(file:/+|[A-Za-z]:[\\/]{1,2}|\\\\|/)([^\\/]*)(?:([\\/]+)(.))?", path, re.IGNORECASE)
    if not found:
        return path[:3] + "…"
    prefix, first, sep, char = found.groups()
    return f"{prefix}{first}{sep or ''}{char or ''}…"


def _scan_text(text: str, cohort: _Cohort, owner: str = "") -> list[_Hit]:
    """Return every identifier, participant-level code and machine path in `text`."""
    if not text:
        return []
    hits: list[_Hit] = []
    lowered = text.lower()
    if len(lowered) != len(text):  # keep offsets aligned (a few characters lower-case to two)
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    lowered = fold(lowered)  # "Astrom" is "Åström": names are compared without diacritics
    if "@" in text and cohort.emails:
        for found in _EMAIL.finditer(text):
            value = found.group().lower()
            if value in cohort.emails:
                hits.append(
                    _Hit(found.start(), found.end(), "identifier", "e-post/e-mail", value, _mask_email(value))
                )
    seen_pseudonym: set[int] = set()
    words_in_text = set(_WORD.findall(lowered))  # cheap pre-check: most texts hold no candidate at all
    if words_in_text & cohort.code_first_words or words_in_text & cohort.pseudonyms:
        for run in _RUN.finditer(text):
            segments = list(_WORD.finditer(run.group()))
            base = run.start()
            for i, first in enumerate(segments):
                for j in range(i, min(len(segments), i + cohort.max_code_parts)):
                    start, end = base + first.start(), base + segments[j].end()
                    value = lowered[start:end]
                    kind = cohort.codes.get(value)
                    if kind == "participant_id":
                        hits.append(
                            _Hit(
                                start,
                                end,
                                "identifier",
                                "deltagarkod/participant id",
                                value,
                                _mask_word(value),
                            )
                        )
                    elif kind == "pair_id":
                        hits.append(
                            _Hit(start, end, "participant-level", "par-id/pair id", value, _mask_word(value))
                        )
                    elif j == i and value in cohort.pseudonyms and value != owner:
                        seen_pseudonym.add(start)
                        hits.append(
                            _Hit(start, end, "participant-level", "pseudonym", value, value[:3] + "…")
                        )
    for found in _PSEUDONYM_SHAPE.finditer(text):
        value = found.group()
        if found.start() not in seen_pseudonym and value != owner:
            hits.append(
                _Hit(found.start(), found.end(), "participant-level", "pseudonym", value, value[:3] + "…")
            )
    if words_in_text & cohort.name_first_words:
        words = list(_WORD.finditer(lowered))
        for i, word in enumerate(words):
            if word.group() not in cohort.name_first_words:
                continue
            for length in cohort.name_lengths:
                if i + length > len(words):
                    break
                span = words[i : i + length]
                if tuple(w.group() for w in span) not in cohort.names:
                    continue
                if all(_NAME_GAP.fullmatch(text[a.end() : b.start()]) for a, b in itertools.pairwise(span)):
                    value = text[span[0].start() : span[-1].end()]
                    hits.append(
                        _Hit(
                            span[0].start(),
                            span[-1].end(),
                            "identifier",
                            "namn/name",
                            value.lower(),
                            _mask_word(value),
                        )
                    )
    hits.extend(_scan_paths(text, cohort))
    return hits


def _scan_paths(text: str, cohort: _Cohort) -> list[_Hit]:
    candidates: list[tuple[int, int, str]] = []
    for literal, what in cohort.paths:
        if literal not in text:
            continue
        pattern = re.compile(r"(?<![\w.~/\\-])" + re.escape(literal) + r"(?![\w.-])")
        candidates += [(m.start(), m.end(), what) for m in pattern.finditer(text)]
    for pattern, what, needed in (
        (_FILE_URL, "a file:// URL", ":"),
        (_WINDOWS_PATH, "a Windows path", ":"),
        (_UNC_PATH, "a network path", "\\\\"),
        (_GENERIC_PATH, "a machine path", "/"),
    ):
        if needed not in text:
            continue
        candidates += [(m.start(), m.end(), what) for m in pattern.finditer(text)]
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []
    for start, end, what in candidates:  # literal paths first: the more telling description wins
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        value = text[start:end]
        hits.append(_Hit(start, end, "absolute-path", what, value, _mask_path(value)))
    return hits


def _excerpt(text: str, hit: _Hit, hits: list[_Hit], width: int = 25) -> str:
    start, end = max(0, hit.start - width), min(len(text), hit.end + width)
    for other in hits:  # never cut an identifier in half at the edges
        if other.start < start < other.end:
            start = other.start
        if other.start < end < other.end:
            end = other.end
    parts, position = [], start
    for other in sorted(hits, key=lambda h: (h.start, -h.end)):
        if other.end <= start or other.start >= end or other.start < position:
            continue
        parts += [text[position : other.start], other.masked]
        position = other.end
    parts.append(text[position:end])
    body = " ".join("".join(parts).split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


_TEXT_DETAIL = {
    "identifier": "a roster {kind} appears in a published file; expected no roster identifier outside ingest",
    "participant-level": "a participant's {kind} appears outside their own feedback page; expected no "
    "participant-level code in published files",
    "absolute-path": "{kind} appears; expected no machine path (paths relative to the cohort, or redacted)",
}


class _Collector:
    """Findings of one audit; text hits are merged to one finding per leaked value and file."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self._text: dict[tuple[str, str, str], list] = {}

    def add(self, file: str, table: str, cell: str, problem: str, detail: str) -> None:
        self.findings.append(Finding(file, table, cell, problem, detail))

    def text(self, file: str, table: str, where: str, text: str, cohort: _Cohort, owner: str = "") -> None:
        hits = _scan_text(text, cohort, owner)
        for hit in hits:
            key = (file, hit.problem, hit.value.lower())
            if key in self._text:
                self._text[key][1] += 1
                continue
            excerpt = _excerpt(text, hit, hits)
            cell = f'{where + ": " if where else ""}{hit.kind} {hit.masked} in "{excerpt}"'
            self._text[key] = [(file, table, cell, hit), 1]

    def result(self) -> list[Finding]:
        findings = list(self.findings)
        for (file, table, cell, hit), count in self._text.values():
            kind = hit.kind.split("/")[-1]
            if hit.problem == "participant-level" and file.startswith(FEEDBACK + "/"):
                detail = (
                    f"another participant's {kind} appears on this feedback page; expected only the "
                    "owner's own pseudonym"
                )
            else:
                detail = _TEXT_DETAIL[hit.problem].format(kind=kind)
            if count > 1:
                detail += f" (found {count} times in this file)"
            findings.append(Finding(file, table, cell, hit.problem, detail))
        unique = list(dict.fromkeys(findings))
        return sorted(unique, key=lambda f: (f.file, PROBLEMS.index(f.problem), f.table, f.cell))


# --------------------------------------------------------------------------------------------------
# Numbers


def _number(text: str, *, leading: bool = False) -> float | None:
    """Return the number `text` shows, or None for a hidden or non-numeric cell.

    Accepts a decimal comma and a (narrow no-break) space as thousands separator; with `leading`, the
    number at the start of the text (e.g. ``12`` in ``12 (80 %)``).
    """
    value = text.strip()
    if value in HIDDEN_MARKS:
        return None
    value = _THOUSANDS.sub("", value.replace("−", "-"))
    value = _COMMA_THOUSANDS.sub(lambda m: m.group().replace(",", ""), value)  # English 1,234
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    found = _NUMBER.match(value) if leading else _NUMBER.fullmatch(value)
    if not found:
        return None
    number = float(found.group())
    return number if math.isfinite(number) else None


def _small(value: float | None, min_size: int) -> bool:
    return value is not None and 0 < value < min_size


def _fmt(value: float) -> str:
    return str(round(value)) if abs(value - round(value)) < TOL else f"{value:g}"


# --------------------------------------------------------------------------------------------------
# CSV files and differencing


@dataclass(frozen=True)
class _Obs:
    """One cell of an additive column: which agency x role cells it sums, and what it shows."""

    file: str
    row: int
    key: tuple[tuple[str, str], ...]
    agency: str
    role: str
    column: str
    value: float | None
    labels: str


def _label_columns(frame: pd.DataFrame) -> list[str]:
    """Return the columns that label rows: the known labels, and every other non-numeric column.

    Not labels: annotations (a column named like a note, or text only on rows whose counts are all
    hidden, such as "färre än 5: visas inte") and yes/no flags, which differ between hidden and shown
    rows of the same group.
    """
    additive = [c for c in frame.columns if c in ADDITIVE_COLUMNS]
    hidden_rows = (
        frame[additive].apply(lambda column: column.str.strip().isin(HIDDEN_MARKS)).all(axis=1).to_numpy()
        if additive
        else np.zeros(len(frame), dtype=bool)
    )
    labels = []
    for column in frame.columns:
        if column in LABEL_COLUMNS:
            labels.append(column)
            continue
        lowered = column.lower()
        if column in ADDITIVE_COLUMNS or lowered.startswith(ANNOTATION_PREFIXES):
            continue
        filled = ~frame[column].str.strip().isin(HIDDEN_MARKS).to_numpy()
        values = [v.strip() for v in frame[column][filled]]
        if not values:
            continue
        if additive and hidden_rows[filled].all() and not hidden_rows.all():
            continue
        if {v.lower() for v in values} <= {"true", "false", "ja", "nej", "yes", "no"}:
            continue
        if any(_number(v) is None for v in values):
            labels.append(column)
    return labels


def _role_of(value: str, roles: list[str]) -> str | None:
    lowered = value.strip().lower()
    if lowered in roles:
        return lowered
    if lowered == TOTAL.lower():
        return TOTAL
    return None


def _agency_of(value: str) -> str:
    stripped = value.strip()
    if stripped.lower() == TOTAL.lower():
        return TOTAL
    if stripped.lower() == POOLED.lower():
        return POOLED
    return stripped


def _duplicated(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    if not columns:
        return np.full(len(frame), len(frame) > 1)
    return frame.duplicated(subset=columns, keep=False).to_numpy()


def _csv_observations(rel: str, frame: pd.DataFrame, cohort: _Cohort) -> list[_Obs]:
    """Return the cells of `frame`'s additive columns, keyed for differencing."""
    additive = [c for c in frame.columns if c in ADDITIVE_COLUMNS]
    if not additive or frame.empty:
        return []
    labels = [c for c in _label_columns(frame) if c not in ("agency", "role")]
    dims = [c for c in ("agency", "role") if c in frame.columns]
    key_columns = labels
    if _duplicated(frame, labels + dims).any():  # an unnamed dimension: try one more column as a label
        others = [c for c in frame.columns if c not in ADDITIVE_COLUMNS and c not in labels + dims]
        others.sort(key=lambda c: frame[c].nunique())
        key_columns = next(
            ([*labels, c] for c in others if not _duplicated(frame, [*labels, c, *dims]).any()), labels
        )
    ambiguous = _duplicated(frame, key_columns + dims)  # rows that cannot be told apart are skipped
    observations = []
    for position, row in enumerate(frame.to_dict("records")):
        if ambiguous[position]:
            continue
        key = [(c, str(row[c]).strip()) for c in key_columns]
        agency = _agency_of(row["agency"]) if "agency" in row else TOTAL
        if not agency:
            continue
        role = TOTAL
        if "role" in row:
            found = _role_of(row["role"], cohort.roles)
            if found is None:
                key.append(("role", str(row["role"]).strip()))
            else:
                role = found
        described = ", ".join(f"{c}={str(row[c]).strip()}" for c in [*dims, *key_columns])
        for column in additive:
            observations.append(
                _Obs(
                    rel, position + 1, tuple(key), agency, role, column, _number(str(row[column])), described
                )
            )
    return observations


@dataclass
class _Known:
    value: float
    sources: frozenset[tuple[str, int]]
    derived: bool
    pooled: bool


@dataclass
class _Space:
    """The agency x role cells of one key and column, as variable indices."""

    cohort: _Cohort
    agencies: list[str]
    index: dict[tuple[str, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for agency in self.agencies:
            for role in self.cohort.roles:
                if not self.cohort.zero(agency, role):
                    self.index[(agency, role)] = len(self.index)
        self.names = {i: pair for pair, i in self.index.items()}

    def cells(self, agencies: Iterable[str], role: str) -> frozenset[int]:
        roles = self.cohort.roles if role == TOTAL else [role]
        return frozenset(self.index[(a, r)] for a in agencies for r in roles if (a, r) in self.index)

    def describe(self, cells: frozenset[int]) -> str:
        if not cells:
            return "no agency (the total exceeds its parts)"
        by_agency: dict[str, list[str]] = defaultdict(list)
        for i in sorted(cells):
            agency, role = self.names[i]
            by_agency[agency].append(role)
        parts = []
        for agency, roles in by_agency.items():
            every = [r for r in self.cohort.roles if (agency, r) in self.index]
            parts.append(agency if roles == every else f"{agency} ({', '.join(roles)})")
        if len(parts) > 6:
            return f"{len(parts)} agencies: {' + '.join(parts[:3])} + …"
        return " + ".join(parts)


@dataclass
class _Equation:
    cells: frozenset[int]
    value: float
    sources: frozenset[tuple[str, int]]
    pooled: bool


def _equations(observations: list[_Obs], space: _Space) -> tuple[list[_Equation], dict[frozenset[int], _Obs]]:
    """Return the shown cells of one file as equations, and its hidden cells by the cells they sum."""
    shown: set[tuple[str, str]] = {(o.agency, o.role) for o in observations if o.value is not None}
    equations: list[_Equation] = []
    hidden: dict[frozenset[int], _Obs] = {}
    for obs in observations:
        if obs.agency == TOTAL:
            agencies: Iterable[str] = space.agencies
        elif obs.agency == POOLED:
            agencies = [a for a in space.agencies if (a, obs.role) not in shown]
        else:
            agencies = [obs.agency]
        cells = space.cells(agencies, obs.role)
        if obs.value is None:
            if cells:
                hidden.setdefault(cells, obs)
        else:
            equations.append(
                _Equation(cells, obs.value, frozenset({(obs.file, obs.row)}), obs.agency == POOLED)
            )
    return equations, hidden


def _close(equations: list[_Equation]) -> tuple[dict[frozenset[int], _Known], list[tuple]]:
    """Subtract known cells and nested sums until nothing new follows.

    Returns what is known (each set of cells with its sum, where it came from and whether it was
    derived) and the sets for which two different sums follow (shown cells that do not add up).
    """
    known: dict[frozenset[int], _Known] = {}
    conflicts: dict[frozenset[int], tuple] = {}

    def add(cells: frozenset[int], item: _Known) -> bool:
        if cells in known:
            if abs(known[cells].value - item.value) > TOL and cells not in conflicts:
                conflicts[cells] = (cells, known[cells], item)
            return False
        if len(known) >= _MAX_KNOWN:
            return False
        known[cells] = item
        return True

    def minus(big: _Known, parts: list[_Known]) -> _Known:
        return _Known(
            big.value - sum(p.value for p in parts),
            big.sources.union(*(p.sources for p in parts)),
            True,
            big.pooled or any(p.pooled for p in parts),
        )

    for equation in equations:
        add(equation.cells, _Known(equation.value, equation.sources, False, equation.pooled))
    changed, rounds = True, 0
    while changed and rounds < 100:
        changed, rounds = False, rounds + 1
        singles = {next(iter(c)): item for c, item in known.items() if len(c) == 1}
        reduced = []
        for cells, item in list(known.items()):
            inside = [i for i in cells if i in singles] if len(cells) > 1 else []
            if inside:  # a sum with known cells in it: subtract them
                changed |= add(cells - frozenset(inside), minus(item, [singles[i] for i in inside]))
            else:
                reduced.append(cells)
        for small in reduced:  # a sum nested in another: subtract it
            for big in reduced:
                if small < big:
                    changed |= add(big - small, minus(known[big], [known[small]]))
    found = list(conflicts.values())
    empty = known.get(frozenset())
    if empty is not None and abs(empty.value) > TOL and frozenset() not in conflicts:
        found.append((frozenset(), _Known(0.0, frozenset(), False, False), empty))
    return known, found


def _determined(equations: list[_Equation], cells: frozenset[int], size: int) -> float | None:
    """Return the value of the sum over `cells` if the equations determine it (linear algebra)."""
    if len(equations) < 2 or size == 0:
        return None
    matrix = np.zeros((len(equations), size))
    for row, equation in enumerate(equations):
        matrix[row, list(equation.cells)] = 1.0
    target = np.zeros(size)
    target[list(cells)] = 1.0
    rank = np.linalg.matrix_rank(matrix)
    if np.linalg.matrix_rank(np.vstack([matrix, target])) != rank:
        return None
    solution = np.linalg.lstsq(matrix, np.array([e.value for e in equations]), rcond=None)[0]
    return float(target @ solution)


def _sources(sources: Iterable[tuple[str, int]]) -> str:
    rows: dict[str, list[int]] = defaultdict(list)
    for file, row in sorted(sources):
        rows[file].append(row)
    parts = []
    for file, numbers in rows.items():
        shown = ", ".join(str(n) for n in numbers[:12]) + (", …" if len(numbers) > 12 else "")
        parts.append(f"{PurePosixPath(file).name} row{'s' if len(numbers) > 1 else ''} {shown}")
    return "; ".join(parts)


def _describe_key(key: tuple[tuple[str, str], ...], column: str) -> str:
    labels = ", ".join(f"{c}={v}" for c, v in key)
    return f"{labels + ', ' if labels else ''}column {column}"


def _difference(
    group: list[_Obs],
    cohort: _Cohort,
    files: list[str],
    union: bool,
    reported: set[tuple],
    collector: _Collector,
) -> None:
    """Check one key and column of one file (or of all files together) for recoverable cells."""
    key, column = group[0].key, group[0].column
    extras = {o.agency for o in group} - {TOTAL, POOLED} - set(cohort.agencies)
    space = _Space(cohort, cohort.agencies + sorted(extras))
    equations: list[_Equation] = []
    hidden: dict[frozenset[int], _Obs] = {}
    for file in files:
        file_equations, file_hidden = _equations([o for o in group if o.file == file], space)
        equations += file_equations
        for cells, obs in file_hidden.items():
            hidden.setdefault(cells, obs)
    if union:  # the same cells shown with different values in two files are different measures
        values: dict[frozenset[int], set[float]] = defaultdict(set)
        for equation in equations:
            values[equation.cells].add(round(equation.value, 6))
        merged: dict[frozenset[int], _Equation] = {}
        for equation in equations:
            if len(values[equation.cells]) > 1:
                continue
            if equation.cells in merged:
                first = merged[equation.cells]
                first.sources = first.sources | equation.sources
                first.pooled = first.pooled or equation.pooled
            else:
                merged[equation.cells] = _Equation(
                    equation.cells, equation.value, equation.sources, equation.pooled
                )
        equations = list(merged.values())
    if not equations or len(equations) < 2:
        return
    known, conflicts = _close(equations)
    shown_cells = {e.cells for e in equations}
    group_size = column in GROUP_SIZE_COLUMNS
    where = _describe_key(key, column)

    def report(signature: tuple, file: str, table: str, cell: str, detail: str) -> None:
        if signature in reported:
            return
        reported.add(signature)
        collector.add(file, table, cell, "differencing", detail)

    for cells, item in known.items():
        if not item.derived or not cells or cells in shown_cells:
            continue
        if cells in hidden:
            obs = hidden[cells]
            report(
                (key, column, cells, "recovered"),
                obs.file,
                PurePosixPath(obs.file).name,
                f"row {obs.row} ({obs.labels}), column {column}",
                f"this hidden cell is recovered as {_fmt(item.value)} by subtracting shown cells "
                f"({_sources(item.sources)}); expected no hidden cell to be recoverable (pool it under "
                f"'{POOLED}' with enough others, or hide a complementary cell)",
            )
        elif group_size and _small(item.value, cohort.min_size):
            files_used = sorted({f for f, _ in item.sources})
            report(
                (key, column, cells, "small"),
                files_used[0],
                ", ".join(PurePosixPath(f).name for f in files_used),
                f"{where}: {space.describe(cells)}",
                f"a group of {_fmt(item.value)} ({space.describe(cells)}) is recovered by subtracting shown "
                f"cells ({_sources(item.sources)}); expected no recoverable group smaller than "
                f"{cohort.min_size}",
            )
        elif item.value < -TOL and not union:
            report(
                (key, column, cells, "negative"),
                sorted(item.sources)[0][0],
                PurePosixPath(sorted(item.sources)[0][0]).name,
                f"{where}: {space.describe(cells)}",
                f"shown cells do not add up: subtracting them ({_sources(item.sources)}) leaves "
                f"{_fmt(item.value)}; expected parts that sum to their total",
            )
    for cells, first, second in conflicts:
        if union:
            continue
        difference = abs(first.value - second.value)
        pooled = first.pooled or second.pooled
        if not pooled and not (group_size and _small(difference, cohort.min_size)):
            continue
        sources = first.sources | second.sources
        file = sorted(sources)[0][0]
        if pooled:
            detail = (
                f"shown cells do not add up: the total minus the shown agencies and '{POOLED}' leaves "
                f"{_fmt(difference)} ({_sources(sources)}); expected '{POOLED}' to cover exactly the "
                "agencies not shown"
            )
        else:
            detail = (
                f"the total exceeds the sum of its shown parts by {_fmt(difference)} ({_sources(sources)}), "
                f"a group smaller than {cohort.min_size} recovered by subtraction; expected none"
            )
        report((key, column, cells, "conflict"), file, PurePosixPath(file).name, where, detail)
    for cells, obs in hidden.items():
        if cells in known or cells in shown_cells:
            continue
        value = _determined(equations, cells, len(space.index))
        if value is None:
            continue
        report(
            (key, column, cells, "recovered"),
            obs.file,
            PurePosixPath(obs.file).name,
            f"row {obs.row} ({obs.labels}), column {column}",
            f"this hidden cell is recovered as {_fmt(value)} by combining shown cells "
            f"({_sources(s for e in equations for s in e.sources)}); expected no hidden cell to be "
            "recoverable",
        )


def _audit_differencing(observations: list[_Obs], cohort: _Cohort, collector: _Collector) -> None:
    groups: dict[tuple, list[_Obs]] = defaultdict(list)
    for obs in observations:
        groups[(obs.key, obs.column)].append(obs)
    reported: set[tuple] = set()
    for group in groups.values():
        files = sorted({o.file for o in group})
        for file in files:
            _difference(group, cohort, [file], False, reported, collector)
        if len(files) > 1:
            _difference(group, cohort, files, True, reported, collector)


def _audit_csv(path: Path, rel: str, cohort: _Cohort, collector: _Collector) -> list[_Obs]:
    name = path.name
    try:
        raw = path.read_text(encoding="utf-8-sig")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        collector.add(
            rel,
            name,
            "",
            "unaudited-table",
            f"the file could not be read as UTF-8 CSV ({error}); expected CSV",
        )
        return []
    for number, line in enumerate(raw.splitlines(), start=1):
        collector.text(rel, name, f"line {number}", line, cohort)
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        if column.lower() in PARTICIPANT_COLUMNS:
            collector.add(
                rel,
                name,
                f"column {column}",
                "participant-level",
                f"a column named {column!r} publishes participant-level data; expected aggregated "
                "tables only",
            )
    labels = [c for c in frame.columns if c in LABEL_COLUMNS]
    for column in [c for c in frame.columns if c in GROUP_SIZE_COLUMNS]:
        for position, text in enumerate(frame[column]):
            value = _number(str(text))
            if _small(value, cohort.min_size):
                described = ", ".join(f"{c}={frame.at[position, c]}" for c in labels)
                collector.add(
                    rel,
                    name,
                    f"row {position + 1} ({described}), column {column}",
                    "small-group",
                    f"a group of {_fmt(value)} is shown; expected 0, an empty (hidden) cell or at least "
                    f"{cohort.min_size}",
                )
    return _csv_observations(rel, frame, cohort)


# --------------------------------------------------------------------------------------------------
# HTML


_INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "s",
     "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "label", "output"}
)  # fmt: skip
_SKIPPED = frozenset({"script", "style", "template"})
_PERCEIVABLE = ("alt", "title", "aria-label", "aria-description", "placeholder")


@dataclass
class _Cell:
    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    @property
    def span(self) -> int:
        try:
            return max(1, int(self.attrs.get("colspan") or 1))
        except ValueError:
            return 1


@dataclass
class _Table:
    attrs: dict[str, str]
    caption: list[str] = field(default_factory=list)
    header: dict[int, _Cell] = field(default_factory=dict)
    rows: list[dict[int, _Cell]] = field(default_factory=list)
    in_thead: bool = False
    in_caption: bool = False
    row: list[_Cell] | None = None
    cell: _Cell | None = None

    def close_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            self.row.append(self.cell)
        self.cell = None

    def close_row(self) -> None:
        self.close_cell()
        if not self.row:
            self.row = None
            return
        header = self.in_thead or any(c.tag == "th" and c.attrs.get("scope") == "col" for c in self.row)
        positions: dict[int, _Cell] = {}
        position = 0
        for cell in self.row:
            positions[position] = cell
            position += cell.span
        if header:
            self.header.update({p: c for p, c in positions.items() if c.tag == "th"})
        else:
            self.rows.append(positions)
        self.row = None


class _Page(HTMLParser):
    """Visible text, links and tables of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.links: list[str] = []
        self.tables: list[_Table] = []
        self._open: list[_Table] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag in _SKIPPED:
            self._skip += 1
            return
        if tag not in _INLINE:
            self.chunks.append("\n")
        if "href" in values:
            self.links.append(values["href"])
        if not self._skip:
            for name in _PERCEIVABLE:
                if values.get(name):
                    self.chunks.append(f"\n{values[name]}\n")
        table = self._open[-1] if self._open else None
        if tag == "table":
            created = _Table(values)
            self.tables.append(created)
            self._open.append(created)
        elif table is None:
            return
        elif tag == "caption":
            table.in_caption = True
        elif tag == "thead":
            table.in_thead = True
        elif tag in ("tbody", "tfoot"):
            table.close_row()
            table.in_thead = False
        elif tag == "tr":
            table.close_row()
            table.row = []
        elif tag in ("td", "th"):
            table.close_cell()
            if table.row is None:
                table.row = []
            table.cell = _Cell(tag, values)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
            return
        if tag not in _INLINE:
            self.chunks.append("\n")
        table = self._open[-1] if self._open else None
        if table is None:
            return
        if tag == "table":
            table.close_row()
            self._open.pop()
        elif tag == "caption":
            table.in_caption = False
        elif tag == "thead":
            table.close_row()
            table.in_thead = False
        elif tag == "tr":
            table.close_row()
        elif tag in ("td", "th"):
            table.close_cell()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.chunks.append(data)
        if self._open:
            table = self._open[-1]
            if table.in_caption:
                table.caption.append(data)
            elif table.cell is not None:
                table.cell.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def _csv_columns(path: Path) -> list[str] | None:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=0, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    return [str(c).strip() for c in frame.columns]


def _results_file(cohort: _Cohort, name: str) -> tuple[str, Path]:
    relative = PurePosixPath(name.strip().replace("\\", "/").lstrip("./"))
    if relative.parts[:1] != (RESULTS,):
        relative = PurePosixPath(RESULTS) / relative
    return str(relative), cohort.reports_dir.joinpath(*relative.parts)


def _audit_table(
    table: _Table,
    number: int,
    rel: str,
    prefix: str,
    cohort: _Cohort,
    collector: _Collector,
    columns_cache: dict[Path, list[str] | None],
) -> None:
    results = table.attrs.get("data-results", "").strip()
    caption = " ".join("".join(table.caption).split())
    name = prefix + (results or caption or f"table {number}")
    feedback = rel.startswith(FEEDBACK + "/")
    if not results:
        if not feedback:
            collector.add(
                rel,
                name,
                "",
                "unaudited-table",
                'the table has no data-results attribute; expected <table class="report" '
                'data-results="NAME.csv"> naming the CSV under results/ that it shows',
            )
        return
    wanted, path = _results_file(cohort, results)
    if path not in columns_cache:
        columns_cache[path] = _csv_columns(path) if path.is_file() else None
    csv_columns = columns_cache[path]
    if csv_columns is None:
        collector.add(
            rel,
            name,
            "",
            "unaudited-table",
            f"the table names {wanted}, which does not exist or cannot be read",
        )
    columns: dict[int, str] = {}
    for position, cell in sorted(table.header.items()):
        column = cell.attrs.get("data-col", "").strip()
        if not column:
            collector.add(
                rel,
                name,
                f"column {position + 1} ({cell.text})",
                "unaudited-table",
                "the header cell names no CSV column; expected data-col naming the column it shows",
            )
            continue
        columns[position] = column
        if column.lower() in PARTICIPANT_COLUMNS:
            collector.add(
                rel,
                name,
                f"column {column}",
                "participant-level",
                f"a column showing {column!r} publishes participant-level data; expected aggregates only",
            )
        if csv_columns is not None and column in ADDITIVE_COLUMNS and column not in csv_columns:
            collector.add(
                rel,
                name,
                f"column {column}",
                "unaudited-table",
                f"the count column is not in {wanted}, so differencing cannot be checked; expected "
                "every shown count in the table's CSV",
            )
    sizes = {p: c for p, c in columns.items() if c in GROUP_SIZE_COLUMNS}
    label_positions = [p for p, c in columns.items() if c in LABEL_COLUMNS]
    for number_, row in enumerate(table.rows, start=1):
        for position, column in sizes.items():
            cell = row.get(position)
            value = _number(cell.text, leading=True) if cell is not None else None
            if not _small(value, cohort.min_size):
                continue
            labels = [row[p].text for p in label_positions if p in row] or [
                c.text for c in row.values() if c.tag == "th"
            ]
            collector.add(
                rel,
                name,
                f"row {number_} ({', '.join(labels)}), column {column}",
                "small-group",
                f"a group of {_fmt(value)} is shown; expected 0, a hidden cell or at least {cohort.min_size}",
            )


def _audit_markup(
    markup: str,
    rel: str,
    table_name: str,
    cohort: _Cohort,
    collector: _Collector,
    owner: str,
    cache: dict[Path, list[str] | None],
) -> None:
    page = _Page()
    page.feed(markup)
    page.close()
    collector.text(rel, table_name, "", page.text, cohort, owner)
    if not rel.startswith(FEEDBACK + "/"):
        for link in page.links:
            target = link.replace("\\", "/").lower()
            if "feedback/" in target or target.rstrip("/").endswith(FEEDBACK):
                masked = _PSEUDONYM_SHAPE.sub(lambda m: m.group()[:3] + "…", link)
                collector.add(
                    rel,
                    table_name,
                    f'link "{masked}"',
                    "feedback-linked",
                    "the page links to a feedback page; expected feedback pages never linked from "
                    "other pages",
                )
    prefix = f"{table_name} › " if table_name else ""
    leadership = not table_name and _leadership(rel)
    for number, table in enumerate(page.tables, start=1):
        _audit_table(table, number, rel, prefix, cohort, collector, cache)
        if leadership:
            _audit_rows(table, number, rel, cohort, collector)


def _leadership(rel: str) -> bool:
    """Return whether a published file is a page leadership reads (`LEADERSHIP_PAGES`)."""
    path = PurePosixPath(rel)
    return any(path.match(pattern) and len(path.parts) == len(PurePosixPath(pattern).parts)
               for pattern in LEADERSHIP_PAGES)  # fmt: skip


def _participant_code(text: str, cohort: _Cohort) -> str | None:
    """Return what kind of participant-level code a table cell holds, if any."""
    if _PSEUDONYM_SHAPE.search(text):
        return "pseudonym"
    if _PAIR_SHAPE.search(text):
        return "pair id"
    lowered = text.lower()
    for run in {*_RUN.findall(lowered), *_WORD.findall(lowered)}:
        if run in cohort.pseudonyms:
            return "pseudonym"
        kind = cohort.codes.get(run)
        if kind is not None:
            return kind.replace("_", " ")
    return None


def _audit_rows(table: _Table, number: int, rel: str, cohort: _Cohort, collector: _Collector) -> None:
    """Add a ``participant-rows`` finding for a leadership table with a row per participant or pair."""
    caption = " ".join("".join(table.caption).split())
    name = table.attrs.get("data-results", "").strip() or caption or f"table {number}"
    rows = table.rows
    positions = sorted({p for row in rows for p in row} | set(table.header))

    def column(position: int) -> str:
        cell = table.header.get(position)
        label = cell.attrs.get("data-col", "").strip() or cell.text if cell is not None else ""
        return f"column {position + 1}" + (f" ({label})" if label else "")

    def add(cell: str, detail: str) -> None:
        collector.add(rel, name, cell, "participant-rows", detail)

    for position, cell in sorted(table.header.items()):
        heading = fold(cell.text.lower()).strip(" :")
        if heading in _IDENTIFIER_HEADINGS:
            add(
                column(position),
                f"the column is headed {cell.text!r}, naming participants or pairs; expected a leadership "
                "page to show groups (the cohort, agencies, roles) only",
            )
    for position in positions:
        found = [
            (r, _participant_code(row[position].text, cohort))
            for r, row in enumerate(rows)
            if position in row
        ]
        coded = [(r, kind) for r, kind in found if kind is not None]
        if coded:
            kinds = sorted({kind for _, kind in coded})
            add(
                column(position),
                f"{len(coded)} of the table's {len(rows)} rows hold a {' or '.join(kinds)}: a row per "
                "participant or pair; expected a leadership page to show groups only",
            )
            return
    if len(rows) < 2:
        return
    labels = [
        p
        for p in positions
        if any(
            position_text not in HIDDEN_MARKS and _number(position_text, leading=True) is None
            for position_text in (row[p].text for row in rows if p in row)
        )
    ]
    if labels:
        groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for r, row in enumerate(rows, start=1):
            groups[tuple(row[p].text if p in row else "" for p in labels)].append(r)
        repeated = {key: found for key, found in groups.items() if len(found) > 1}
        if repeated:
            key, found = max(repeated.items(), key=lambda item: len(item[1]))
            shown = ", ".join(str(r) for r in found[:6]) + (", …" if len(found) > 6 else "")
            add(
                f"rows {shown} ({', '.join(k for k in key if k) or 'no label'})",
                f"{len(rows)} rows show only {len(groups)} groups: the same labels on several rows, as a "
                "table of individual participants has; expected one row per group on a leadership page",
            )
        return
    groups_in_cohort = (len(cohort.agencies) + 2) * (len(cohort.roles) + 1)
    if len(rows) > groups_in_cohort:
        add(
            f"{len(rows)} rows",
            f"a table of {len(rows)} unlabelled rows, more than the cohort's {groups_in_cohort} agency x "
            "role groups (totals included): a row per participant; expected one row per group",
        )


# --------------------------------------------------------------------------------------------------
# Notebooks, PDFs, other files


def _strings(value: object, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", str(key)
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _strings(item, f"{path}[{position}]")


def _joined(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _audit_notebook(
    path: Path, rel: str, cohort: _Cohort, collector: _Collector, owner: str, cache: dict
) -> None:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook.get("cells", [])
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError) as error:
        collector.add(
            rel, "", "", "unaudited-table", f"the notebook could not be read ({error}); expected JSON"
        )
        return
    for where, text in _strings(notebook.get("metadata", {}), "metadata"):
        collector.text(rel, "metadata", where, text, cohort, owner)
    for number, cell in enumerate(cells, start=1):
        table = f"cell {number}"
        collector.text(rel, table, "source", _joined(cell.get("source")), cohort, owner)
        for where, text in _strings(cell.get("metadata", {}), "metadata"):
            collector.text(rel, table, where, text, cohort, owner)
        for index, output in enumerate(cell.get("outputs", []) or [], start=1):
            where = f"output {index}"
            kind = output.get("output_type")
            if kind == "stream":
                collector.text(rel, table, where, _joined(output.get("text")), cohort, owner)
            elif kind == "error":
                text = "\n".join([str(output.get("ename", "")), str(output.get("evalue", ""))])
                text += "\n" + _ANSI.sub("", "\n".join(output.get("traceback", []) or []))
                collector.text(rel, table, where, text, cohort, owner)
            for mime, content in (output.get("data") or {}).items():
                if mime in ("text/html", "image/svg+xml"):
                    _audit_markup(_joined(content), rel, table, cohort, collector, owner, cache)
                elif mime.startswith("text/"):
                    collector.text(rel, table, f"{where} {mime}", _joined(content), cohort, owner)
                elif mime.endswith("json"):
                    for key, text in _strings(content, mime):
                        collector.text(rel, table, f"{where} {key}", text, cohort, owner)
            for key, text in _strings(output.get("metadata", {}), "metadata"):
                collector.text(rel, table, f"{where} {key}", text, cohort, owner)


def _audit_pdf(path: Path, rel: str, cohort: _Cohort, collector: _Collector, owner: str) -> None:
    try:
        from pypdf import PdfReader
    except ImportError:
        collector.add(
            rel, "", "", "unaudited-table", "pypdf is not installed, so the PDF's text could not be checked"
        )
        return
    try:
        reader = PdfReader(path)
        for number, page in enumerate(reader.pages, start=1):
            collector.text(rel, f"page {number}", "", page.extract_text() or "", cohort, owner)
            for annotation in page.get("/Annots") or []:  # link targets are published too
                action = annotation.get_object().get("/A")
                uri = action.get("/URI") if action is not None else None
                if uri is not None:
                    collector.text(rel, f"page {number}", "link", str(uri), cohort, owner)
        for key, value in (reader.metadata or {}).items():
            collector.text(rel, "metadata", str(key), str(value), cohort, owner)
    except Exception as error:  # pypdf raises many kinds for damaged files
        collector.add(
            rel, "", "", "unaudited-table", f"the PDF's text could not be extracted ({type(error).__name__})"
        )


def _audit_other(path: Path, rel: str, cohort: _Cohort, collector: _Collector, owner: str) -> None:
    if path.suffix.lower() in DATA_FORMATS:
        collector.add(
            rel,
            "",
            "",
            "unaudited-table",
            f"a {path.suffix} data file cannot be audited; expected results as CSV under results/",
        )
        return
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        return  # an image or other binary: nothing to read
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    collector.text(rel, "", "", text, cohort, owner)


# --------------------------------------------------------------------------------------------------
# The result cache


_CACHE_VERSION = b"evaluation.audit result cache 1"
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


def _published_files(reports_dir: Path) -> list[Path]:
    """Return every file under the reports folder, sorted: what the audit reads and the cache hashes."""
    return sorted(p for p in reports_dir.rglob("*") if p.is_file())


def _code_fingerprint() -> bytes:
    """Return what the audit's code is: its source and `fold`'s, and the versions of what it runs on."""
    from evaluation import __version__

    try:
        import pypdf

        pdf_version = str(pypdf.__version__)
    except ImportError:
        pdf_version = "missing"
    versions = [__version__, sys.version, pd.__version__, np.__version__, pyarrow.__version__]
    versions += [yaml.__version__, pdf_version]
    fold_source = sys.modules[fold.__module__].__file__
    if fold_source is None:
        raise ValueError("evaluation.ingest.redact has no source file")
    return b"\0".join(
        [Path(__file__).read_bytes(), Path(fold_source).read_bytes(), *map(str.encode, versions)]
    )


class _Digest:
    """A SHA-256 of length-prefixed parts, so that no two different inputs hash the same bytes."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()

    def add(self, *parts: bytes | str) -> None:
        for part in parts:
            data = part.encode("utf-8") if isinstance(part, str) else part
            self._sha.update(len(data).to_bytes(8, "big"))
            self._sha.update(data)

    def add_path(self, label: str, path: Path) -> None:
        """Add a cohort input: a file's bytes, every file of a folder, or that it is missing."""
        if path.is_file():
            self.add(label, "file", path.read_bytes())
        elif path.is_dir():
            inner = sorted(p for p in path.rglob("*") if p.is_file())
            self.add(label, "folder", str(len(inner)))
            for file in inner:
                self.add(file.relative_to(path).as_posix(), file.read_bytes())
        else:
            self.add(label, "other" if path.exists() else "missing")

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def _inputs_digest(reports_dir: Path, cohort_dir: Path, files: list[Path]) -> str | None:
    """Return the SHA-256 of everything the audit's findings depend on, or None if it cannot be read.

    That is: the audit's code (`_code_fingerprint`); the folders as given and the absolute paths the
    audit looks for (`_known_paths`: reports, cohort, working and home folder); ``cohort.yml``,
    ``roster.csv`` and ``processed/*.parquet`` of the cohort folder (what `_load_cohort` reads); and the
    relative path and bytes of every file in `files`.
    """
    digest = _Digest()
    try:
        digest.add(_CACHE_VERSION, _code_fingerprint(), str(reports_dir), str(cohort_dir))
        digest.add(json.dumps(_known_paths(reports_dir, cohort_dir)))
        digest.add_path("cohort.yml", cohort_dir / "cohort.yml")
        digest.add_path("roster.csv", cohort_dir / "roster.csv")
        processed = cohort_dir / "processed"
        digest.add("processed", "folder" if processed.is_dir() else "none")
        if processed.is_dir():
            for path in sorted(processed.glob("*.parquet")):
                digest.add_path(f"processed/{path.name}", path)
        digest.add("published", str(len(files)))
        for path in files:
            digest.add(path.relative_to(reports_dir).as_posix(), path.read_bytes())
    except (OSError, RuntimeError, ValueError):
        return None  # something unreadable: audit in full, cache nothing
    return digest.hexdigest()


def _cache_file(reports_dir: Path, cohort_dir: Path) -> Path | None:
    """Return where the digest of the last clean audit of `reports_dir` is kept, or None for no cache.

    ``<cohort>/processed/.cache/audit-<16 hex digits of the reports folder's path>.txt``: one slot per
    reports folder, beside the cohort's processed data and never inside the reports folder.
    """
    processed = cohort_dir / "processed"
    if not processed.is_dir():
        return None
    try:
        reports, folder = reports_dir.resolve(), (processed / ".cache").resolve()
    except (OSError, RuntimeError):
        return None
    if folder == reports or reports in folder.parents:
        return None  # the cache file would be published, and audited
    slot = hashlib.sha256(str(reports).encode("utf-8")).hexdigest()[:16]
    return processed / ".cache" / f"audit-{slot}.txt"


def _cached_digest(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if _HEX_DIGEST.fullmatch(text) else None


def _store_digest(path: Path, digest: str) -> None:
    with contextlib.suppress(OSError):  # a read-only cohort folder: audit in full next time
        path.parent.mkdir(exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(digest + "\n", encoding="ascii")
        partial.replace(path)


# --------------------------------------------------------------------------------------------------
# The audit


def _audit_files(reports_dir: Path, cohort_dir: Path, files: list[Path]) -> tuple[list[Finding], set[Path]]:
    """Audit `files` (every file under `reports_dir`); return the findings and the CSV paths looked up.

    The looked-up paths are the ``results/`` files that HTML tables name (``data-results``), as joined
    to the reports folder; the cache checks that each is one of `files`.
    """
    cohort = _load_cohort(reports_dir, cohort_dir)
    collector = _Collector()
    observations: list[_Obs] = []
    cache: dict[Path, list[str] | None] = {}
    for path in files:
        rel = path.relative_to(reports_dir).as_posix()
        owner = path.stem.lower() if rel.startswith(FEEDBACK + "/") else ""
        collector.text(rel, "", "file name", rel, cohort, owner)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            observations += _audit_csv(path, rel, cohort, collector)
        elif suffix in (".html", ".htm"):
            try:
                markup = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                collector.add(rel, "", "", "unaudited-table", "the page could not be read as UTF-8")
                continue
            _audit_markup(markup, rel, "", cohort, collector, owner, cache)
        elif suffix == ".ipynb":
            _audit_notebook(path, rel, cohort, collector, owner, cache)
        elif suffix == ".pdf":
            _audit_pdf(path, rel, cohort, collector, owner)
        else:
            _audit_other(path, rel, cohort, collector, owner)
    _audit_differencing(observations, cohort, collector)
    return collector.result(), set(cache)


def audit_reports(reports_dir: Path, cohort_dir: Path, *, use_cache: bool = True) -> list[Finding]:
    """Check everything published under a reports folder; return every problem found.

    With `use_cache`, a folder whose every input is byte for byte what the last audit found clean is
    not read again (see the module's "Result cache"); any change, anywhere, means a full audit.

    Parameters
    ----------
    reports_dir : pathlib.Path
        The cohort's reports folder (``reports/<cohort>``), with ``results/*.csv``, HTML pages,
        ``notebooks/*.ipynb``, PDFs and ``feedback/<pseudonym>.html``.
    cohort_dir : pathlib.Path
        The cohort folder: ``cohort.yml`` (``min_group_size``, default 5), ``roster.csv`` (identifiers,
        agencies and roles) and ``processed/*.parquet`` (the pseudonyms, column ``pseudonym``).
    use_cache : bool, default True
        Whether to return ``[]`` at once when the inputs are those of the last clean audit, and to
        record a clean audit's inputs (``processed/.cache/`` of the cohort folder). False: audit in
        full and record nothing.

    Returns
    -------
    list of Finding
        Sorted by file; empty when the folder passes.

    Raises
    ------
    evaluation.errors.CohortError
        If the roster is missing or lacks a required column, or ``min_group_size`` is invalid.
    FileNotFoundError
        If `reports_dir` is not a folder.
    """
    reports_dir, cohort_dir = Path(reports_dir), Path(cohort_dir)
    if not reports_dir.is_dir():
        raise FileNotFoundError(f"{reports_dir}: rapportmappen saknas / the reports folder does not exist")
    files = _published_files(reports_dir)
    slot = _cache_file(reports_dir, cohort_dir) if use_cache else None
    before = _inputs_digest(reports_dir, cohort_dir, files) if slot is not None else None
    if slot is not None and before is not None and _cached_digest(slot) == before:
        return []
    findings, looked_up = _audit_files(reports_dir, cohort_dir, files)
    if findings or slot is None or before is None or not looked_up <= set(files):
        return findings  # findings are never cached; nor a result that read a file the digest did not
    if _inputs_digest(reports_dir, cohort_dir, _published_files(reports_dir)) == before:
        _store_digest(slot, before)  # only if nothing changed while the audit read the folder
    return findings


def format_findings(findings: list[Finding]) -> str:
    """Return the findings as text: a Swedish / English header, then one line per finding.

    Parameters
    ----------
    findings : list of Finding
        What `audit_reports` returned.

    Returns
    -------
    str
        ``[problem] file › table › cell: detail`` lines under a header that counts them.
    """
    if not findings:
        return "Granskningen hittade inga problem / The audit found no problems."
    lines = [f"Granskningen hittade {len(findings)} problem / The audit found {len(findings)} problem(s):"]
    for finding in findings:
        where = " › ".join(part for part in (finding.file, finding.table, finding.cell) if part)
        lines.append(f"  [{finding.problem}] {where}: {finding.detail}")
    return "\n".join(lines)
