"""Survey exports in the shapes the platforms really produce, written by hand from their documentation.

Issue 11: an agency admin builds the toolkit's forms by hand (from the printable form, the XLSForm or
the LimeSurvey file), collects answers and downloads the platform's export. The builders here write
such exports for known answers, so that `evaluation.ingest` can be tested against what agencies send.
They deliberately do NOT use `evaluation.formats` or `evaluation.synth` (our own generator): the
shapes come from the platforms' public documentation and from real exports (cited beside each
builder). They use only the instrument templates, because the admin copies the toolkit's texts.

Everything is deterministic: `make_people` gives a fixed roster of six pairs (names with å ä ö),
`make_responses` draws answers with a seeded numpy generator, `expected_long` says what
``processed/responses.parquet`` must then hold, and `write_cohort` writes roster.csv and a cohort.yml
whose sources name only ``instrument``, ``role``, ``wave`` and ``file``.

Canonical answers, per item id: an int code (choice scales), a tuple of int codes (multiple choice),
an int (numbers), a str (free text), or None (skipped).
"""

from __future__ import annotations

import csv
import io
import random
import string
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import yaml

from evaluation.cohort import ROSTER_COLUMNS, new_cohort
from evaluation.survey import PARTICIPANT_CODE_TEXT, Instrument, Item, Scale, Templates

__all__ = [
    "WAVES",
    "Block",
    "Person",
    "Response",
    "SourceSpec",
    "expected_long",
    "form_blocks",
    "google_forms_columns",
    "google_forms_csv",
    "google_timestamp",
    "limesurvey_csv",
    "list_sources",
    "make_people",
    "make_responses",
    "ms_forms_xlsx",
    "qualtrics_columns",
    "qualtrics_csv",
    "swedish_date",
    "swedish_excel_csv",
    "write_cohort",
]

WAVES = {"baseline": "pre", "followup": "post"}


# --------------------------------------------------------------------------------------------------
# People and answers
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """One roster row, with the name the platforms show (never written to roster.csv)."""

    participant_id: str
    role: str
    pair_id: str
    agency: str
    age_band: str
    first: str
    last: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


_MENTORS = [
    ("R4K8M2", "Åsa", "Lindqvist", "asa.lindqvist"),
    ("T7P3X9", "Ömer", "Yilmaz", "omer.yilmaz"),
    ("J2W6C4", "Elin", "Sjögren", "elin.sjogren"),
    ("H9D5N7", "Hampus", "Öhman", "hampus.ohman"),
    ("V3L8Q6", "Linnéa", "Wikström", "linnea.wikstrom"),
    ("Z5F2B8", "Noah", "Ekström", "noah.ekstrom"),
]
_ADEPTS = [
    ("G6S4Y3", "Göran", "Åström", "goran.astrom"),
    ("B8N2K5", "Birgitta", "Nordén", "birgitta.norden"),
    ("L4Q7A9", "Lars-Åke", "Persson", "lars-ake.persson"),
    ("K3U9E2", "Kerstin", "Ågren", "kerstin.agren"),
    ("M7C5R4", "Mikael", "Strömberg", "mikael.stromberg"),
    ("I2H8T6", "Ingela", "Håkansson", "ingela.hakansson"),
]
_AGENCIES = ["Tullverket", "Sjöfartsverket"]


def make_people() -> list[Person]:
    """Six pairs in two agencies: mentors aged 29 or younger, adepts older."""
    people = []
    adept_bands = ["50-59", "40-49", "60-", "50-59", "40-49", "50-59"]
    for n, (mentor, adept) in enumerate(zip(_MENTORS, _ADEPTS, strict=True)):
        pair, agency = f"P{n + 1}", _AGENCIES[n % 2]
        for role, (code, first, last, local), band in (
            ("mentor", mentor, "-29"),
            ("adept", adept, adept_bands[n]),
        ):
            email = f"{local}@{agency.lower().replace('ö', 'o')}.se"
            people.append(Person(code, role, pair, agency, band, first, last, email))
    return people


@dataclass
class Response:
    """One submission as the platform recorded it."""

    person: Person | None
    code: str
    answers: dict[str, object]
    started: datetime
    submitted: datetime
    finished: bool = True
    progress: int = 100
    preview: bool = False
    test: bool = False

    @property
    def counted(self) -> bool:
        """Whether ingest must accept this response (a participant's finished, real submission)."""
        return self.person is not None and self.finished and not self.preview and not self.test


# Free-text answers: commas, a semicolon, quotes, a line break, å ä ö, an en dash; no person's name.
_COMMENTS = [
    "Mycket givande samtal, särskilt om AI-verktyg i vardagen.",
    "Bra upplägg.\nTräffarna kunde ha varit fler.",
    'Vi pratade om "framtidens arbetsplats" – inspirerande!',
    "Svårt att hitta tid; annars bra.",
    "Jag har lärt mig mycket om hur myndigheten fattar beslut.",
    None,
]


def role_items(instrument: Instrument, role: str) -> list[Item]:
    return [i for i in instrument.items if role in i.roles]


def _draw(item: Item, scale: Scale, rng: np.random.Generator, n: int) -> object:
    if scale.type == "multiple":
        k = int(rng.integers(1, (scale.max_choices or 3) + 1))
        picked = rng.choice(np.array(scale.codes), size=k, replace=False)
        return tuple(sorted(int(c) for c in picked))
    if scale.has_choices:
        return int(rng.choice(np.array(scale.codes)))
    if scale.type == "integer":
        return int(rng.integers(max(int(scale.min or 0), 4), min(int(scale.max or 100), 90)))
    if scale.type == "text":
        return _COMMENTS[n % len(_COMMENTS)]
    raise AssertionError(f"no answers drawn for {scale.type} items ({item.id})")


def make_responses(
    templates: Templates,
    instrument_id: str,
    role: str,
    people: list[Person],
    *,
    seed: int,
    respondents: int = 6,
    unfinished_last: bool = False,
    preview_of_first: bool = False,
) -> list[Response]:
    """Known answers of the first `respondents` people of `role`, drawn with a seeded generator.

    About 4 % of answers are skipped (None). Baseline responses come in January 2027, follow-up in
    December 2027, at times of day that cover morning, noon and afternoon. With `unfinished_last`,
    the last person stops at 40 % of the form (the rest unanswered, Finished 0); with
    `preview_of_first`, a survey preview by the admin, typed with the first person's code and
    different answers, is appended (submitted later than the real answer).
    """
    rng = np.random.default_rng(seed)
    instrument = templates.instrument(instrument_id)
    items = role_items(instrument, role)
    mine = [p for p in people if p.role == role][:respondents]
    day0 = datetime(2027, 1, 18) if instrument_id == "baseline" else datetime(2027, 12, 6)
    clock = [(9, 5), (12, 24), (14, 2), (16, 47), (10, 31), (13, 58), (8, 12)]
    out = []
    for n, person in enumerate(mine):
        answers = {}
        for item in items:
            scale = templates.scale_of(item)
            skip = rng.random() < 0.04
            answers[item.id] = None if skip else _draw(item, scale, rng, n)
        hour, minute = clock[n % len(clock)]
        submitted = day0 + timedelta(days=n, hours=hour, minutes=minute, seconds=int(rng.integers(0, 60)))
        started = submitted - timedelta(seconds=int(rng.integers(400, 1500)))
        out.append(Response(person, person.participant_id, answers, started, submitted))
    # A participant types their own code; one types it in lower case with a stray space.
    if len(out) > 2:
        out[2].code = " " + out[2].code.lower()
    if unfinished_last:
        last = out[-1]
        cut = int(len(items) * 0.4)
        last.answers = {i.id: (last.answers[i.id] if k < cut else None) for k, i in enumerate(items)}
        last.finished, last.progress = False, 40
    if preview_of_first:
        real = out[0]
        answers = {}
        for item in items:
            scale = templates.scale_of(item)
            value = real.answers[item.id]
            if scale.type == "ordinal" and value is not None:
                codes = scale.codes
                answers[item.id] = codes[(codes.index(value) + 1) % len(codes)]  # never the real answer
            elif scale.type == "ordinal":
                answers[item.id] = scale.codes[0]
            elif scale.type == "integer" and value is not None:
                answers[item.id] = value + 7
            else:
                answers[item.id] = value
        preview = Response(
            real.person,
            real.code,
            {k: v for k, v in answers.items() if k in real.answers},
            real.submitted + timedelta(days=9),
            real.submitted + timedelta(days=9, minutes=4),
            preview=True,
        )
        out.append(preview)
    return out


def expected_long(responses: list[Response], templates: Templates, *, include_partial: bool = False):
    """What responses.parquet must hold for these responses.

    Returns ``(values, times)``: ``{(participant_id, item): ("value", float) | ("text", str)}`` for
    every answered item of every counted response, and ``{participant_id: submitted datetime}``.
    """
    values, times = {}, {}
    for r in responses:
        ok = r.counted or (include_partial and r.person is not None and not r.preview and not r.test)
        if not ok:
            continue
        assert r.person is not None
        pid = r.person.participant_id
        times[pid] = r.submitted
        for item_id, answer in r.answers.items():
            if answer is None:
                continue
            scale = templates.scale_of(templates.items[item_id])
            if scale.type == "multiple":
                values[(pid, item_id)] = ("text", ";".join(str(c) for c in answer))  # type: ignore[union-attr]
            elif scale.type in ("text", "date"):
                values[(pid, item_id)] = ("text", str(answer))
            else:
                values[(pid, item_id)] = ("value", float(answer))  # type: ignore[arg-type]
    return values, times


# --------------------------------------------------------------------------------------------------
# How an admin lays the instrument out in a form builder
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A question as the admin builds it: a grid/matrix/Likert of several statements, or one item."""

    section_id: str
    title: str
    intro: str | None
    kind: str  # "grid" or "single"
    items: tuple[Item, ...]


def _gridable(scale: Scale) -> bool:
    """Agreement-type scales (5 labelled choices) become one grid per section; 0-10 is a linear scale."""
    return scale.type == "ordinal" and len(scale.choices) <= 7


def form_blocks(templates: Templates, instrument: Instrument, role: str, lang: str) -> list[Block]:
    """The role's sections as form questions: the gridable items of a section in one grid."""
    blocks = []
    for section in instrument.sections:
        items = [i for i in section.items if role in i.roles]
        if not items:
            continue
        title = section.title[lang]
        intro = section.intro[lang] if section.intro else None
        grid = tuple(i for i in items if _gridable(templates.scale_of(i)))
        if grid:
            blocks.append(Block(section.id, title, intro, "grid", grid))
        for item in items:
            if not _gridable(templates.scale_of(item)):
                blocks.append(Block(section.id, title, intro, "single", (item,)))
    return blocks


def _label(scale: Scale, code: int, lang: str) -> str:
    return scale.label(code, lang)


def _labels(scale: Scale, codes, lang: str, sep: str) -> str:
    return sep.join(_label(scale, c, lang) for c in codes)


def _write_csv(
    path: Path,
    rows: list[list[object]],
    *,
    delimiter: str = ",",
    quoting: int = csv.QUOTE_MINIMAL,
    newline: str = "\n",
    encoding: str = "utf-8",
    bom: bool = False,
    trailing_blank_line: bool = False,
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    text = buffer.getvalue() + (newline if trailing_blank_line else "")
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


# --------------------------------------------------------------------------------------------------
# Google Forms
# --------------------------------------------------------------------------------------------------
# Shape: Google Forms "Responses > Download responses (.csv)" or the linked response Sheet saved as
# CSV (File > Download > CSV). First column "Timestamp" ("Tidstämpel" in a Swedish UI), then
# "Email Address" ("E-postadress") when the form collects e-mail addresses, then one column per
# question headed by the question title; answers are the option labels; a "Checkboxes" answer joins
# the chosen labels with ", "; a "Linear scale" answer is the digit; a "Multiple choice grid" becomes
# one column per row, headed "Grid title [Row text]".
#   - Google Forms API, Item/QuestionGroupItem (a grid is a group of row questions sharing one
#     title): https://developers.google.com/forms/api/reference/rest/v1/forms
#   - Apps Script reading the response sheet by "title [row]" for FormApp.ItemType.GRID:
#     https://github.com/transpose-publishing/policies-database/issues/36
#     (ques = items[i].getTitle()+" ["+ itemrows[j]+"]")
#   - Every field quoted: public code that finds the header line of a downloaded response CSV by
#     searching for '"Timestamp","Email Address"' (code search; the README of
#     /work/shared/real-exports lists "Timestamp, question text as headers, multi-select joined
#     with ', '").
#   - Multiple choice grid answers are the column labels (words, not numbers):
#     http://danaleeling.blogspot.com/2023/05/converting-likert-survey-words-in.html
#   - A Swedish "Tidstämpel" response column in public code reading a Swedish Google Forms sheet
#     (columns: ['Tidstämpel', 'Klass', ...]).
#   - Timestamp text by UI locale, as listed in issue 11 ("What real exports look like"):
#     "2027/01/24 12:24:08 em CET" (Swedish), "2027/01/24 12:24:08 PM GMT+1" (English), and
#     "2027-12-10 09:40:17" when the linked Sheet is saved as CSV. (Assumed: the hour is not
#     zero-padded, "9:05:08 fm".)


def google_timestamp(moment: datetime, lang: str, style: str = "csv") -> str:
    """A response timestamp as Google writes it: 12-hour clock with fm/em (sv) or AM/PM (en)."""
    if style == "sheet":
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    hour = moment.hour % 12 or 12
    if lang == "sv":
        half = "fm" if moment.hour < 12 else "em"
        zone = "CEST" if 4 <= moment.month <= 9 else "CET"
    else:
        half = "AM" if moment.hour < 12 else "PM"
        zone = "GMT+2" if 4 <= moment.month <= 9 else "GMT+1"
    return f"{moment:%Y/%m/%d} {hour}:{moment:%M:%S} {half} {zone}"


def google_forms_columns(
    templates: Templates, instrument: Instrument, role: str, lang: str, grid_title: str = "title"
) -> list[tuple[str, Item | None]]:
    """The question columns of the admin's Google Form: (header, item) in form order."""
    columns: list[tuple[str, Item | None]] = [(PARTICIPANT_CODE_TEXT[lang], None)]
    for block in form_blocks(templates, instrument, role, lang):
        if block.kind == "grid":
            title = block.intro if (grid_title == "intro" and block.intro) else block.title
            for item in block.items:
                columns.append((f"{title} [{item.wording(role, lang)}]", item))
        else:
            item = block.items[0]
            columns.append((item.wording(role, lang), item))
    return columns


def _numeric_answer(scale: Scale) -> bool:
    """Answers written as numbers: a 0-10 linear scale, a number."""
    return scale.type in ("integer", "decimal") or (scale.type == "ordinal" and not _gridable(scale))


def _google_cell(item: Item, scale: Scale, value: object, lang: str) -> str:
    if value is None:
        return ""
    if scale.type == "multiple":
        return _labels(scale, value, lang, ", ")  # Checkboxes: labels joined by ", "
    if scale.has_choices and _gridable(scale):
        return _label(scale, value, lang)  # grid row / multiple choice: the label  # type: ignore[arg-type]
    return str(value)  # linear scale digit, short answer number, paragraph text


def google_forms_csv(
    path: Path,
    responses: list[Response],
    templates: Templates,
    instrument_id: str,
    role: str,
    lang: str = "sv",
    *,
    timestamps: str = "csv",
    grid_title: str = "title",
    collect_email: bool = True,
    shuffle: bool = False,
    extra_columns: dict[str, str] | None = None,
    blank_and_summary_rows: bool = False,
    crlf: bool = False,
    bom: bool = False,
) -> list[str]:
    """Write a Google Forms response CSV; return the header row as written.

    `timestamps` ``"csv"`` writes the locale's 12-hour text, ``"sheet"`` the linked Sheet's
    ``2027-12-10 09:40:17``. `grid_title` ``"intro"`` titles each grid with the section's intro
    question instead of its title. The hostile options add columns (`extra_columns`, header to the
    value in every response row), shuffle the column order, append a blank row and the "Totalt" /
    "Medel" rows someone typed under the responses in the Sheet, and write CRLF and a BOM.
    """
    instrument = templates.instrument(instrument_id)
    meta = ["Tidstämpel" if lang == "sv" else "Timestamp"]
    if collect_email:
        meta.append("E-postadress" if lang == "sv" else "Email Address")
    questions = google_forms_columns(templates, instrument, role, lang, grid_title)
    header = meta + [h for h, _ in questions] + list(extra_columns or {})
    rows = []
    for r in responses:
        row: list[object] = [google_timestamp(r.submitted, lang, timestamps)]
        if collect_email:
            row.append(r.person.email if r.person else "hr.admin@tullverket.se")
        for _, item in questions:
            if item is None:
                row.append(r.code)
            else:
                row.append(_google_cell(item, templates.scale_of(item), r.answers.get(item.id), lang))
        row += list((extra_columns or {}).values())
        rows.append(row)
    table = [header, *rows]
    if shuffle:
        order = list(range(len(header)))
        random.Random(11).shuffle(order)
        table = [[row[i] for i in order] for row in table]
    if blank_and_summary_rows:
        # Someone typed a count and a mean under the responses in the Sheet, labels in column A.
        numeric = {
            h for h, item in questions if item is not None and _numeric_answer(templates.scale_of(item))
        }
        body = table[1:]
        total = ["Totalt"] + [str(sum(1 for row in body if row[c])) for c in range(1, len(header))]
        mean = ["Medel"] + [""] * (len(header) - 1)
        for c, name in enumerate(table[0]):
            if c and name in numeric:
                numbers = [float(row[c]) for row in body if row[c]]
                mean[c] = f"{sum(numbers) / len(numbers):.1f}".replace(".", ",")
        table += [[""] * len(header), total, mean]
    _write_csv(path, table, quoting=csv.QUOTE_ALL, newline="\r\n" if crlf else "\n", bom=bom)
    return table[0]  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------------
# Qualtrics
# --------------------------------------------------------------------------------------------------
# Shape: Qualtrics "Data & Analysis > Export & Import > Export data > CSV" (the data table export,
# not legacy), "Use choice text" or "Use numeric values". Three header rows: export tags (Q1, Q2_1,
# ...: Qualtrics' own question numbers, a matrix statement as Q<n>_<k>), the question text (for a
# matrix, "question text - statement"), and {"ImportId":"QID2_1"} / {"ImportId":"QID1_TEXT"}.
# Metadata first: StartDate, EndDate, Status, IPAddress, Progress, Duration (in seconds), Finished,
# RecordedDate, ResponseId, RecipientLastName, RecipientFirstName, RecipientEmail, ExternalReference,
# LocationLatitude, LocationLongitude, DistributionChannel, UserLanguage.
#   - Qualtrics, "Understanding Your Dataset": "CSV and TSV files come with 3 rows of headers. The
#     first header is the internal Qualtrics ID of the field (e.g., EndDate, Q1, Q2 ...)"; Finished
#     1/TRUE vs 0/FALSE, Progress, Duration; Status = the response type:
#     https://www.qualtrics.com/support/survey-platform/data-and-analysis-module/data/download-data/understanding-your-dataset/
#     Response types (numeric / choice text), as listed in the brief of issue 11: 0 IP Address,
#     1 Survey Preview, 2 Survey Test, 4 Imported, 8 Spam, 16 Offline; DistributionChannel
#     "preview" / "anonymous" / "email".
#   - Numeric values vs choice text, recode values (default 1, 2, ... in choice order):
#     https://www.qualtrics.com/support/survey-platform/survey-module/question-options/recode-values/
#   - Matrix statements get the export tag Q<n>_<k> (question export tags + recode values):
#     https://gist.github.com/ctesta01/9763dc35eee5301feb30c4fbfce6d2a0
#   - kutils::importQualtrics: "3 metadata rows, 1 = name, 2 = question, 3 = ImportId":
#     https://search.r-project.org/CRAN/refmans/kutils/html/importQualtrics.html
#   - Real export: /work/shared/real-exports/qualtrics/qualtRics_sample.csv (ropensci/qualtRics
#     tests/testthat/files/sample.csv): metadata order, ImportIds (startDate, _recordId,
#     QID2_TEXT, ...), "2017-07-18 08:28:09" dates, DistributionChannel "anonymous", LF endings.
#   - Analysts filter Status == "Survey Preview" and Finished "False" out of choice-text exports
#     (e.g. public R/Stata cleaning scripts: filter(Progress == 100 & Status != "Survey Preview")).
# Multiple choice, multiple answer (assumed, not found in the documentation searched): one column,
# the chosen choices joined by "," (choice text or recode values). The 0-10 question is a
# horizontal multiple choice with the toolkit's labels whose recode values the admin set to the
# toolkit's codes 0-10 (as the printable form shows them; Qualtrics' default would be 1-11).

_QUALTRICS_META = [
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
]


def qualtrics_columns(
    templates: Templates, instrument: Instrument, role: str, lang: str
) -> list[tuple[str, str, str, Item | None]]:
    """(export tag, question text, ImportId, item) of every question column, in survey order."""
    columns: list[tuple[str, str, str, Item | None]] = [
        ("Q1", PARTICIPANT_CODE_TEXT[lang], "QID1_TEXT", None)
    ]
    number = 1
    for block in form_blocks(templates, instrument, role, lang):
        number += 1
        if block.kind == "grid":
            question = block.intro or block.title
            for k, item in enumerate(block.items, start=1):
                columns.append(
                    (f"Q{number}_{k}", f"{question} - {item.wording(role, lang)}", f"QID{number}_{k}", item)
                )
        else:
            item = block.items[0]
            scale = templates.scale_of(item)
            import_id = f"QID{number}" if scale.has_choices else f"QID{number}_TEXT"
            columns.append((f"Q{number}", item.wording(role, lang), import_id, item))
    return columns


def _import_id(name: str) -> str:
    return '{"ImportId":"' + name + '"}'


def _response_id(rng: random.Random) -> str:
    return "R_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(15))


def qualtrics_csv(
    path: Path,
    responses: list[Response],
    templates: Templates,
    instrument_id: str,
    role: str,
    lang: str = "sv",
    *,
    values: str = "text",
) -> list[dict]:
    """Write a Qualtrics data-table CSV ("Use choice text" with values="text", numeric otherwise).

    Returns one dict per data row written: ``{"row": n, "kind": "response"|"preview"|"unfinished",
    "code": ...}``.
    """
    instrument = templates.instrument(instrument_id)
    questions = qualtrics_columns(templates, instrument, role, lang)
    rng = random.Random(f"{instrument_id}-{role}-{values}")
    text = values == "text"
    rows = [
        [m[0] for m in _QUALTRICS_META] + [q[0] for q in questions],
        [m[1] for m in _QUALTRICS_META] + [q[1] for q in questions],
        [_import_id(m[2]) for m in _QUALTRICS_META] + [_import_id(q[2]) for q in questions],
    ]
    written = []
    for n, r in enumerate(responses, start=1):
        by_email = n % 2 == 1 and not r.preview
        end = r.submitted
        recorded = end if r.finished else end + timedelta(days=7)  # a partial is closed on expiry
        status = ("Survey Preview" if text else "1") if r.preview else ("IP Address" if text else "0")
        meta = [
            r.started.strftime("%Y-%m-%d %H:%M:%S"),
            end.strftime("%Y-%m-%d %H:%M:%S"),
            status,
            "" if r.preview else f"192.0.2.{10 + n}",
            str(r.progress),
            str(int((end - r.started).total_seconds())),
            ("True" if r.finished else "False") if text else ("1" if r.finished else "0"),
            recorded.strftime("%Y-%m-%d %H:%M:%S"),
            _response_id(rng),
            r.person.last if (by_email and r.person) else "",
            r.person.first if (by_email and r.person) else "",
            r.person.email if (by_email and r.person) else "",
            "",
            "59.3293",
            "18.0686",
            "preview" if r.preview else ("email" if by_email else "anonymous"),
            lang.upper(),
        ]
        cells = []
        for _, _, _, item in questions:
            if item is None:
                cells.append(r.code)
                continue
            value = r.answers.get(item.id)
            scale = templates.scale_of(item)
            if value is None:
                cells.append("")
            elif scale.type == "multiple":
                cells.append(",".join(_label(scale, c, lang) if text else str(c) for c in value))  # type: ignore[union-attr]
            elif scale.has_choices:
                cells.append(_label(scale, value, lang) if text else str(value))  # type: ignore[arg-type]
            else:
                cells.append(str(value))
        rows.append(meta + cells)
        kind = "preview" if r.preview else ("unfinished" if not r.finished else "response")
        written.append({"row": n, "kind": kind, "code": r.code})
    _write_csv(path, rows)
    return written


# --------------------------------------------------------------------------------------------------
# Microsoft Forms
# --------------------------------------------------------------------------------------------------
# Shape: Microsoft Forms "Responses > Open in Excel" / "Download a copy" (.xlsx), one sheet. With a
# Swedish UI the metadata headers are ID, Starttid, Sluttid, E-post, Namn, Senaste ändringstid
# (English: ID, Start time, Completion time, Email, Name, Last modified time), then one column per
# question headed by its text; a Likert question exports one column per statement, headed by the
# statement alone; answers are the choice texts; a multi-select answer lists the chosen texts, each
# followed by ";" ("A;B;"); Net Promoter Score and numbers are numbers; Start/Completion time are
# Excel date-times ("Senaste ändringstid" only for a response the respondent edited afterwards; the
# answers are then the edited ones, "Sluttid" still the first completion). "E-post" is "anonymous"
# when the form does not record names.
#   - /work/shared/real-exports/README.md (Microsoft Forms XLSX: ID, Start time, Completion time,
#     Email, Name, then question text; multi-select as "A;B;").
#   - Issue 11, "What real exports look like": the Swedish UI headers listed above; "Likert questions
#     export one column per statement".
#   - The research question "Microsoft Forms export: column layout for Likert and grid questions"
#     (one column per row): https://github.com/AndrewGodlewsky/AI-Dev-Survey/issues/10


def ms_forms_xlsx(
    path: Path,
    responses: list[Response],
    templates: Templates,
    instrument_id: str,
    role: str,
    lang: str = "sv",
) -> list[str]:
    """Write a Microsoft Forms export workbook with a Swedish (or English) UI; return the header."""
    from openpyxl import Workbook

    instrument = templates.instrument(instrument_id)
    meta = (
        ["ID", "Starttid", "Sluttid", "E-post", "Namn", "Senaste ändringstid"]
        if lang == "sv"
        else ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
    )
    questions: list[tuple[str, Item | None]] = [(PARTICIPANT_CODE_TEXT[lang], None)]
    for block in form_blocks(templates, instrument, role, lang):
        for item in block.items:  # a Likert question: one column per statement, the statement alone
            questions.append((item.wording(role, lang), item))
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    header = meta + [h for h, _ in questions]
    sheet.append(header)
    for n, r in enumerate(responses, start=1):
        anonymous = n == 4
        edited = n == 2  # "Allow respondents to edit responses": the second respondent edited later
        row: list[object] = [
            n,
            r.started,
            r.submitted,
            "anonymous" if anonymous or r.person is None else r.person.email,
            None if anonymous or r.person is None else r.person.name,
            r.submitted + timedelta(days=2, minutes=17) if edited else None,
        ]
        for _, item in questions:
            if item is None:
                row.append(r.code)
                continue
            value = r.answers.get(item.id)
            scale = templates.scale_of(item)
            if value is None:
                row.append(None)
            elif scale.type == "multiple":
                row.append("".join(_label(scale, c, lang) + ";" for c in value))  # type: ignore[union-attr]
            elif scale.has_choices and _gridable(scale):
                row.append(_label(scale, value, lang))  # type: ignore[arg-type]
            elif scale.has_choices:
                row.append(int(value))  # Net Promoter Score: the number  # type: ignore[arg-type]
            elif scale.type == "integer":
                row.append(str(value))  # a Text question restricted to numbers
            else:
                row.append(value)
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2, min_col=2, max_col=6):
        for cell in cells:
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
    book.save(path)
    return header


# --------------------------------------------------------------------------------------------------
# Swedish Excel (paper forms typed in, saved as CSV)
# --------------------------------------------------------------------------------------------------
# Shape: Excel with Swedish regional settings, "Spara som > CSV (semikolonavgränsad)": ";" as the
# separator (the list separator when "," is the decimal sign), decimal comma, Windows-1252, CRLF,
# every row padded with ";" to the width of the used range (so title rows end in ";;;;"), fields
# quoted only when they hold ";", a quote or a line break. Typists put a title row or two above the
# header and write dates as they type them: "1/2 2027", "20 jan. 2027 14.05", "2027-01-20 kl. 14.05".
#   - /work/shared/real-exports/README.md ("Swedish-locale exports (semicolon separator, decimal
#     comma, Windows-1252 with å ä ö)") and issue 11 ("often a title row or two above the header,
#     dates like 1/2 2027, 20 jan. 2027 14.05, 2027-01-20 kl. 14.05").
#   - Headers either the toolkit's csv template (item ids: participantcode, submittedat,
#     instrumentversion, items; multiple choice as codes joined by ";", see
#     evaluation.forms.codebook.MULTIPLE_SEPARATOR) or the Swedish question texts of the printed form.

_SV_MONTHS = ["jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "dec."]


def swedish_date(moment: datetime, style: int) -> tuple[str, datetime]:
    """A date as a typist writes it in Swedish Excel, and the moment it means."""
    style %= 4
    if style == 0:
        return f"{moment.day}/{moment.month} {moment.year}", datetime(moment.year, moment.month, moment.day)
    minute = moment.replace(second=0, microsecond=0)
    if style == 1:
        return f"{moment.day} {_SV_MONTHS[moment.month - 1]} {moment.year} {moment:%H.%M}", minute
    if style == 2:
        return f"{moment:%Y-%m-%d} kl. {moment:%H.%M}", minute
    return f"{moment:%Y-%m-%d %H:%M}", minute


def swedish_excel_csv(
    path: Path,
    responses: list[Response],
    templates: Templates,
    instrument_id: str,
    role: str,
    *,
    headers: str = "ids",
) -> list[Response]:
    """Write paper-form answers typed into Swedish Excel and saved as CSV.

    `headers` ``"ids"``: the toolkit's csv template headers (item ids), codes as answers;
    ``"text"``: the Swedish question texts of the printed form, Swedish labels as answers. Returns
    the responses with ``submitted`` replaced by what the typed date means.
    """
    instrument = templates.instrument(instrument_id)
    items = role_items(instrument, role)
    ids = headers == "ids"
    if ids:
        header = ["participantcode", "submittedat", "instrumentversion", *[i.id for i in items]]
        titles = [[f"Pappersenkäter {instrument.title['sv'].lower()} – {role}er"]]
    else:
        header = ["Deltagarkod", "Datum", *[i.wording(role, "sv") for i in items]]
        titles = [
            [instrument.title["sv"]],
            [f"{'Mentorer' if role == 'mentor' else 'Adepter'}, inmatat från papper 2027-02-03"],
        ]
    width = len(header)
    rows: list[list[object]] = [t + [""] * (width - 1) for t in titles]
    rows.append(header)
    meant = []
    for n, r in enumerate(responses):
        typed, moment = swedish_date(r.submitted, n)
        meant.append(replace(r, submitted=moment))
        row: list[object] = [r.code, typed]
        if ids:
            row.append(f"{instrument.id} {instrument.version}")
        for item in items:
            value = r.answers.get(item.id)
            scale = templates.scale_of(item)
            if value is None:
                row.append("")
            elif scale.type == "multiple":
                row.append(";".join(str(c) for c in value) if ids else _labels(scale, value, "sv", ", "))  # type: ignore[union-attr]
            elif scale.has_choices and _gridable(scale):
                row.append(str(value) if ids else _label(scale, value, "sv"))  # type: ignore[arg-type]
            elif scale.type == "integer" and n == 1:
                row.append(f"{value},0")  # a cell formatted with one decimal: decimal comma
            else:
                row.append(str(value))
        rows.append(row)
    _write_csv(path, rows, delimiter=";", newline="\r\n", encoding="cp1252")
    return meant


# --------------------------------------------------------------------------------------------------
# LimeSurvey
# --------------------------------------------------------------------------------------------------
# Shape: LimeSurvey "Responses > Export > Export responses", CSV, "Headings: Question code" (or
# "Full question text"), "Responses: Answer codes". UTF-8 with BOM, every field quoted, LF, a blank
# line at the end. Metadata id, submitdate, lastpage, startlanguage, seed, startdate, datestamp
# (full text: Response ID, Date submitted, Last page, Start language, Seed, Date started, Date last
# action); an incomplete response has an empty submitdate. Question codes are the toolkit's item ids
# because the admin imported the toolkit's survey structure (evaluation.forms.limesurvey): list
# questions with answer codes = choice codes, multiple choice "attract" with subquestions c1..c9
# exported as attract[c1] = "Y" or "", the hidden equation question instrumentversion.
#   - Real export: /work/shared/real-exports/limesurvey/limonaid_survey_998192_R_data_file.csv
#     (gitlab-r-packages-mirror/limonaid): BOM, quoted fields, "Question text [Subquestion]"
#     headings, empty "Date submitted" for incomplete responses, trailing blank line.
#   - LimeSurvey RemoteControl export_responses: sHeadingType 'code', 'full' or 'abbreviated';
#     sResponseType 'short' (answer codes) or 'long':
#     https://rdrr.io/github/mbonoli/funcionesMBO/src/R/ls_get_responses.R and
#     https://rdrr.io/cran/limonaid/man/limer_get_responses.html
#   - LimeSurvey manual, "Tab Separated Value survey structure" (question codes, subquestions):
#     https://www.limesurvey.org/manual/Tab_Separated_Value_survey_structure


def limesurvey_csv(
    path: Path,
    responses: list[Response],
    templates: Templates,
    instrument_id: str,
    role: str,
    lang: str = "sv",
    *,
    headings: str = "code",
) -> list[dict]:
    """Write a LimeSurvey response export; return one ``{"row", "kind", "code"}`` per data row."""
    instrument = templates.instrument(instrument_id)
    items = role_items(instrument, role)
    code = headings == "code"
    meta = (
        ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
        if code
        else [
            "Response ID",
            "Date submitted",
            "Last page",
            "Start language",
            "Seed",
            "Date started",
            "Date last action",
        ]
    )
    version = f"{instrument.id} {instrument.version}"
    header = meta + (
        ["participantcode", "instrumentversion"] if code else [PARTICIPANT_CODE_TEXT[lang], version]
    )
    columns: list[tuple[Item, int | None]] = []
    for item in items:
        scale = templates.scale_of(item)
        if scale.type == "multiple":
            for choice in scale.choices:
                columns.append((item, choice.code))
                label = choice.label[lang]
                header.append(
                    f"{item.id}[c{choice.code}]" if code else f"{item.wording(role, lang)} [{label}]"
                )
        else:
            columns.append((item, None))
            header.append(item.id if code else item.wording(role, lang))
    pages = len({s.id for s in instrument.sections if any(role in i.roles for i in s.items)}) + 1
    rng = random.Random(f"ls-{instrument_id}-{role}")
    rows: list[list[object]] = [header]
    written = []
    for n, r in enumerate(responses, start=1):
        stamp = r.submitted.strftime("%Y-%m-%d %H:%M:%S")
        row: list[object] = [
            str(n),
            stamp if r.finished else "",
            str(pages if r.finished else 3),
            lang,
            str(rng.randrange(10**8, 2 * 10**9)),
            r.started.strftime("%Y-%m-%d %H:%M:%S"),
            stamp,
            r.code,
            version,
        ]
        for item, option in columns:
            value = r.answers.get(item.id)
            if option is not None:
                row.append("Y" if value is not None and option in value else "")  # type: ignore[operator]
            elif value is None:
                row.append("")
            else:
                row.append(str(value))
        rows.append(row)
        written.append({"row": n, "kind": "response" if r.finished else "unfinished", "code": r.code})
    _write_csv(path, rows, quoting=csv.QUOTE_ALL, bom=True, trailing_blank_line=True)
    return written


# --------------------------------------------------------------------------------------------------
# The cohort folder
# --------------------------------------------------------------------------------------------------


@dataclass
class SourceSpec:
    instrument: str
    role: str
    file: str
    extra: dict = field(default_factory=dict)


def write_cohort(
    folder: Path,
    templates: Templates,
    people: list[Person],
    sources: list[SourceSpec],
    **settings: object,
) -> None:
    """Scaffold a cohort with `new_cohort`, write roster.csv, and list `sources` in cohort.yml."""
    new_cohort(folder, name="Omvänd mentorskap 2027", start="2027-01", templates=templates)
    lines = [",".join(ROSTER_COLUMNS)]
    for p in people:
        lines.append(",".join([p.participant_id, p.role, p.pair_id, p.agency, p.age_band, p.email]))
    (folder / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    list_sources(folder, sources, **settings)


def list_sources(folder: Path, sources: list[SourceSpec], **settings: object) -> None:
    """Write `sources` (and cohort-level `settings`, e.g. ``test_codes``) into cohort.yml.

    Each source names only instrument, role, wave and file, plus what its `extra` adds (e.g.
    ``accept_partial``, ``ignore`` or ``columns`` in the tests that need them).
    """
    path = folder / "cohort.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config.update(settings)
    config["sources"] = [
        {"instrument": s.instrument, "role": s.role, "wave": WAVES[s.instrument], "file": s.file, **s.extra}
        for s in sources
    ]
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
