"""Issue 11, item 8: form exports that round-trip through each platform's real response export.

For every platform the toolkit exports a form to (XLSForm for KoboToolbox/ODK, the LimeSurvey TSV
survey structure, the Google Apps Script that builds a Google Form, the Qualtrics .qsf), each test:

1. exports the form for baseline and follow-up, mentor and adept (Swedish; baseline/adept in English),
   in the current version (2.0.0: now/then pairs, "Kan inte bedöma" choices) and in version 1.0.0 as a
   cohort that pinned it (`evaluation.survey.pinned`) gets it;
2. reads the exported form file itself to learn what the platform would show and store (XLSForm: the
   survey sheet's type/name/label columns, its groups and the choices sheet, via openpyxl; LimeSurvey:
   the TSV's question codes, sub-question codes and answer codes; Apps Script: the script run under
   Node.js against the stand-in ``FormApp`` of `tests.test_forms_platforms`, which records the items;
   Qualtrics: the QSF's questions, ``DataExportTag``, ``ChoiceDataExportTags`` and ``RecodeValues``);
3. lets five respondents per file "answer" that form: each picks the option whose label means the
   known answer, and the test writes, by hand, the response export that platform produces for a
   form built from that file, following the platform's documentation (cited beside each writer);
   nothing here uses `evaluation.formats` or `evaluation.synth`;
4. fills it with known answers drawn with a seeded numpy generator, always including a skipped
   answer, a multiple-choice answer (one, and three, options), a number (including 0), free text
   with å/ä/ö, a comma, a semicolon and quotes, the 0-10 scale's end points 0 and 10, and a choice
   that is read as a missing answer ("Kan inte bedöma", "Jag har inte deltagit") where a scale has one;
5. lists the four files in cohort.yml with only ``instrument``, ``role``, ``wave`` and ``file``, runs
   `evaluation.ingest.ingest_cohort` unaided, and asserts that every answered value is in
   ``processed/responses.parquet`` exactly as answered (pseudonym, item, value/value_text), that no
   skipped answer and no missing choice got a value, that every response was accepted, that rows
   read = accepted + quarantined (``processed/ingest_report.json``), that ``submitted_at`` is the
   moment the platform recorded (as Swedish wall-clock time, as `evaluation.formats.dates`
   documents), and that the version stored with the answers is the one the cohort pinned.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from evaluation.forms import export
from evaluation.forms.fields import LANGUAGE_NAMES
from evaluation.ingest import ingest_cohort
from evaluation.ingest.pseudonym import pseudonym
from evaluation.survey import (
    PARTICIPANT_CODE,
    PARTICIPANT_CODE_TEXT,
    VERSION_FIELD,
    Item,
    Scale,
    Templates,
    pinned,
)

from .realshapes import Person, SourceSpec, make_people, write_cohort
from .test_forms_platforms import _headers, _run_script, needs_node

KEY = "rundtursnyckel-för-formulärexporterna-åäö"
PEOPLE = make_people()
STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = ZoneInfo("UTC")
RESPONDENTS = 5
FILES = [  # (instrument, role, form language)
    ("baseline", "mentor", "sv"),
    ("baseline", "adept", "en"),
    ("followup", "mentor", "sv"),
    ("followup", "adept", "sv"),
]
WAVES = {"baseline": "pre", "followup": "post"}
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# Free text: å/ä/ö, a comma, a semicolon, double quotes, an en dash; no roster name or e-mail part.
COMMENTS = [
    "Vi träffades på Sjöfartsverket, och samtalen gav mig mycket – särskilt om AI och arbetsplatsen.",
    'Bra upplägg, men för få träffar; önskar fler "fikamöten" nästa år.',
    None,
    "Lärorikt, öppet och ärligt.",
    "Givande för båda, tack!",
]


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    """A real cohort: the pseudonym key comes from the environment, never from a key file."""
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY_FILE", raising=False)


@pytest.fixture(params=["current", "1.0.0"])
def versions(request, templates) -> Templates:
    """The templates as a new cohort (current versions) or a cohort that pinned version 1.0.0 sees them."""
    if request.param == "current":
        return templates
    view = pinned(templates, {"baseline": "1.0.0", "followup": "1.0.0"})
    assert view.instrument("followup").version == "1.0.0"
    return view


# --------------------------------------------------------------------------------------------------
# Known answers
# --------------------------------------------------------------------------------------------------


@dataclass
class Submission:
    """One respondent's answers (item id -> code, tuple of codes, int, str or None) and times."""

    person: Person
    answers: dict[str, object]
    started: datetime  # aware, Europe/Stockholm
    submitted: datetime  # aware, Europe/Stockholm


def _seed(*parts: str) -> int:
    return zlib.crc32("/".join(parts).encode("utf-8"))


def _answers(templates: Templates, platform: str, instrument_id: str, role: str) -> list[Submission]:
    """Five respondents' answers, drawn with a seeded generator, with the required cases forced in."""
    rng = np.random.default_rng(_seed(platform, instrument_id, role))
    items = templates.instrument(instrument_id).items_for(role)
    people = [p for p in PEOPLE if p.role == role][:RESPONDENTS]
    day0 = (
        datetime(2027, 1, 18, tzinfo=STOCKHOLM)
        if instrument_id == "baseline"
        else datetime(2027, 12, 6, tzinfo=STOCKHOLM)
    )
    clock = [(9, 5), (12, 24), (14, 2), (8, 47), (16, 31)]  # fm, 12 em, em, fm, em
    out = []
    for n, person in enumerate(people):
        answers: dict[str, object] = {}
        for item in items:
            scale = templates.scale_of(item)
            if rng.random() < 0.05:
                answers[item.id] = None
            elif scale.type == "multiple":
                k = int(rng.integers(1, (scale.max_choices or 3) + 1))
                picked = rng.choice(np.array(scale.codes), size=k, replace=False)
                answers[item.id] = tuple(sorted(int(c) for c in picked))
            elif scale.has_choices:
                answers[item.id] = int(rng.choice(np.array(scale.codes)))
            elif scale.type == "integer":
                answers[item.id] = int(rng.integers(int(scale.min or 0), min(int(scale.max or 100), 120) + 1))
            elif scale.type == "text":
                answers[item.id] = COMMENTS[n % len(COMMENTS)]
            else:
                raise AssertionError(f"no answer drawn for {scale.type} items ({item.id})")
        hour, minute = clock[n % len(clock)]
        submitted = day0 + timedelta(days=n, hours=hour, minutes=minute, seconds=int(rng.integers(0, 60)))
        started = submitted - timedelta(seconds=int(rng.integers(400, 1500)))
        out.append(Submission(person, answers, started, submitted))
    # The cases every file must hold, whatever the draw gave.
    for n, item in enumerate(items):
        scale = templates.scale_of(item)
        if scale.missing_codes:  # "Kan inte bedöma": offered, and read as no answer
            out[2 + n % 3].answers[item.id] = min(scale.missing_codes)
        if scale.type == "multiple":
            codes = scale.codes
            out[0].answers[item.id] = (codes[1], codes[2], codes[4])[: scale.max_choices or 3]
            out[1].answers[item.id] = (codes[3],)
            out[2].answers[item.id] = None
        elif scale.has_choices and scale.codes[0] == 0 and scale.codes[-1] == 10:
            out[1].answers[item.id] = 0
            out[2].answers[item.id] = 10
        elif scale.type == "integer":
            out[0].answers[item.id] = 37
            out[4].answers[item.id] = 0
        elif scale.type == "text":
            for k, submission in enumerate(out):
                submission.answers[item.id] = COMMENTS[k % len(COMMENTS)]
    out[0].answers[items[0].id] = None  # a skipped answer
    out[3].answers[items[1].id] = None
    return out


def _label(scale: Scale, code: int, lang: str) -> str:
    return next(c.label[lang] for c in scale.choices if c.code == code)


def _pseudo(participant_id: str) -> str:
    return pseudonym(KEY.encode("utf-8"), participant_id)


def _expected(
    templates: Templates, submissions: list[Submission]
) -> dict[tuple[str, str], tuple[str, object]]:
    """What responses.parquet must hold: (pseudonym, item) -> ("value", float) or ("text", str).

    A skipped answer and a choice read as missing ("Kan inte bedöma") hold nothing.
    """
    want: dict[tuple[str, str], tuple[str, object]] = {}
    for s in submissions:
        key = _pseudo(s.person.participant_id)
        for item_id, answer in s.answers.items():
            scale = templates.scale_of(templates.items[item_id])
            if answer is None or answer in scale.missing_codes:
                continue
            if scale.type == "multiple":
                want[(key, item_id)] = ("text", ";".join(str(c) for c in answer))  # type: ignore[union-attr]
            elif scale.type in ("text", "date"):
                want[(key, item_id)] = ("text", str(answer))
            else:
                want[(key, item_id)] = ("value", float(answer))  # type: ignore[arg-type]
    return want


def _local(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM).replace(tzinfo=None)


# --------------------------------------------------------------------------------------------------
# Running ingest and checking what it wrote
# --------------------------------------------------------------------------------------------------


@dataclass
class Built:
    file: str
    instrument: str
    role: str
    submissions: list[Submission]


def _cohort(tmp_path: Path, templates: Templates, platform: str, builder) -> tuple[Path, list[Built]]:
    """Scaffold the cohort, export each form, write its response export into raw/, list the sources."""
    folder = tmp_path / platform
    forms = tmp_path / "forms"
    names = [builder.file_name(instrument, role) for instrument, role, _ in FILES]
    sources = [SourceSpec(i, r, name) for (i, r, _), name in zip(FILES, names, strict=True)]
    write_cohort(folder, templates, PEOPLE, sources)
    raw = folder / "raw"
    raw.mkdir(exist_ok=True)
    out = []
    for (instrument, role, lang), name in zip(FILES, names, strict=True):
        submissions = _answers(templates, platform, instrument, role)
        form = export(
            templates,
            instrument,
            builder.fmt,
            forms / f"{instrument}-{role}-{lang}{builder.suffix}",
            role=role,
            lang=lang,
        )
        builder.write(raw / name, form, templates, instrument, role, lang, submissions)
        out.append(Built(name, instrument, role, submissions))
    config = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
    assert all(set(s) == {"instrument", "role", "wave", "file"} for s in config["sources"]), "unaided"
    return folder, out


def _ingest_and_check(
    folder: Path, templates: Templates, built: list[Built], *, versioned: bool = True
) -> None:
    """Ingest the cohort and compare what it wrote with the answers given.

    `versioned`: whether the form stores the instrument version in every response (Google Forms has
    no hidden field, so its download has no version column).
    """
    ingest_cohort(folder, templates)
    processed = folder / "processed"
    long = pd.read_parquet(processed / "responses.parquet")
    report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    problems: list[str] = []
    for b in built:
        rows = long[long["source_file"] == b.file]
        got: dict[tuple[str, str], tuple[str, object]] = {}
        for r in rows.itertuples():
            key = (r.pseudonym, r.item)
            if key in got:
                problems.append(f"{b.file}: two rows for {key}")
            got[key] = ("value", float(r.value)) if pd.notna(r.value) else ("text", r.value_text)
        want = _expected(templates, b.submissions)
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        wrong = [(k, got[k], want[k]) for k in sorted(set(got) & set(want)) if got[k] != want[k]]
        if missing or extra or wrong:
            problems.append(
                f"{b.file}: {len(missing)} of {len(want)} answers missing (e.g. {missing[:3]}), "
                f"{len(extra)} unexpected (e.g. {[(k, got[k]) for k in extra[:3]]}), "
                f"{len(wrong)} wrong (got, want) e.g. {wrong[:3]}"
            )
        if len(rows):
            if set(rows["instrument"]) != {b.instrument} or set(rows["role"]) != {b.role}:
                problems.append(f"{b.file}: instrument/role {set(rows['instrument'])}/{set(rows['role'])}")
            if set(rows["wave"]) != {WAVES[b.instrument]}:
                problems.append(f"{b.file}: wave {set(rows['wave'])}")
            for s in b.submissions:
                mine = rows[rows["pseudonym"] == _pseudo(s.person.participant_id)]
                times = sorted(set(mine["submitted_at"]))
                if len(mine) and times != [pd.Timestamp(_local(s.submitted))]:
                    problems.append(
                        f"{b.file}: submitted_at {times} for a response submitted {_local(s.submitted)} "
                        "(Swedish time)"
                    )
                    break
        stats = next((s for s in report["sources"] if s["file"] == b.file), None)
        if stats is None:
            problems.append(f"{b.file}: not in ingest_report.json")
            continue
        read, accepted, quarantined = stats["rows_read"], stats["rows_accepted"], stats["rows_quarantined"]
        if read != accepted + quarantined:
            problems.append(f"{b.file}: rows read {read} != accepted {accepted} + quarantined {quarantined}")
        if (read, accepted) != (len(b.submissions), len(b.submissions)):
            problems.append(
                f"{b.file}: {len(b.submissions)} responses written, rows read {read}, accepted {accepted}, "
                f"quarantined {quarantined}: {stats.get('reasons')}"
            )
    assert not problems, "\n".join(problems)
    # The forms store the version the respondents answered, which is the one the cohort pinned.
    seen = {(v["instrument"], v["version"], v["pinned"]) for v in report["versions_seen"]}
    asked = {(b.instrument, templates.instrument(b.instrument).version) for b in built}
    assert seen == ({(i, v, v) for i, v in asked} if versioned else set()), report["versions_seen"]
    assert report["warnings"] == []


def _ordered_items(templates: Templates, instrument_id: str, role: str) -> list[Item]:
    return list(templates.instrument(instrument_id).items_for(role))


# --------------------------------------------------------------------------------------------------
# KoboToolbox (XLSForm)
# --------------------------------------------------------------------------------------------------
# Shape: KoboToolbox "DATA > Downloads", export type CSV, "Value and header format: XML values and
# headers" (question names as headers, choice names as values; "recommended for importing your data
# into data analysis software"), the defaults otherwise: "Export Select Many questions as: Single and
# separate columns" (one column with the chosen options separated by spaces, then one column per
# option headed `name/option` holding 1 or 0), and "Include groups in headers" off by default (then
# the header is the question name alone; on, it is the group path `group/name`, "/" being the default
# group separator). Metadata questions start/end/today/deviceid come first when the admin turns them
# on (formbuilder "Layout & Settings > Form metadata", or rows of those types in the XLSForm), then
# the questions in form order (groups add no column; notes are left out of exports since 2021,
# kobotoolbox/kpi#2251 "Suppress export of question types that never contain data"), then `_id`, `_notes`,
# `_status`, `_submission_time` (UTC, no zone), `_submitted_by` ("None" for an anonymous web
# submission), `_tags`, `_uuid`, `_validation_status`, `_index`. Every field in double quotes,
# separated by ";", each line ended by CRLF, UTF-8.
#   - Kobo docs, "Exporting and downloading your data" (value and header format) and "Advanced
#     options for exporting data" (select many: single and separate columns, "1" selected, "0" not;
#     "Include groups in headers"): kobotoolbox/docs source/export_download.md, advanced_export.md;
#     "Form Settings and Metadata" (start, end, today, deviceid): source/form_meta.md.
#   - kpi's ExportTask (kobotoolbox/kpi kpi/models/import_export_task.py): COPY_FIELDS, the
#     `hierarchy_in_labels` option (default False), `group_sep` "/", `multiple_select` "both", and
#     `line + "\r\n"` for CSV; formpack (kobotoolbox/formpack src/formpack/reporting/export.py
#     `to_csv(sep=";", quote='"')`; schema/fields.py: with XML headers a group path is the group
#     names joined by group_sep, select-multiple details are `name/option` with "1"/"0", an
#     unanswered select-multiple leaves every column empty).
#   - kpi's own expected CSV lines (kpi/tests/test_mock_data_exports.py, test_csv_export_*): the
#     column order above, `"2017-10-23T05:40:39.000-04:00"` for start/end, `"2017-10-23T09:41:19"`
#     for _submission_time, `"None"` for _submitted_by, `"submitted_via_web"` for _status.
#   - /work/shared/real-exports/kobo_odk/kobocat_good.csv: `enketo.org:...` device ids, `today`.


@dataclass
class _XlsField:
    type: str
    name: str
    groups: tuple[str, ...]
    label: str | None
    calculation: str | None


def _read_xlsform(path: Path, lang: str) -> tuple[list[_XlsField], dict[str, list[tuple[str, str]]]]:
    """The survey sheet's data fields (with their group path) and the choices, as the file has them."""
    book = openpyxl.load_workbook(path, read_only=True)
    survey = [
        ["" if c is None else str(c) for c in row] for row in book["survey"].iter_rows(values_only=True)
    ]
    head = {name: i for i, name in enumerate(survey[0])}
    label = head[f"label::{LANGUAGE_NAMES[lang]}"]
    fields, groups = [], []
    for row in survey[1:]:
        kind = re.sub(r"\s+", " ", row[head["type"]].strip()).replace("begin group", "begin_group")
        kind = kind.replace("end group", "end_group")
        name = row[head["name"]].strip()
        if kind == "begin_group":
            groups.append(name)
        elif kind == "end_group":
            groups.pop()
        elif kind and kind != "note":
            calculation = row[head["calculation"]] if "calculation" in head else ""
            fields.append(_XlsField(kind, name, tuple(groups), row[label] or None, calculation or None))
    assert not groups, "unbalanced begin_group/end_group"
    choices: dict[str, list[tuple[str, str]]] = {}
    rows = [["" if c is None else str(c) for c in r] for r in book["choices"].iter_rows(values_only=True)]
    chead = {name: i for i, name in enumerate(rows[0])}
    for row in rows[1:]:
        choices.setdefault(row[chead["list_name"]], []).append(
            (row[chead["name"]], row[chead[f"label::{LANGUAGE_NAMES[lang]}"]])
        )
    return fields, choices


class Kobo:
    fmt, suffix = "xlsform", ".xlsx"

    @staticmethod
    def file_name(instrument: str, role: str) -> str:
        title = "Enkat_infor_programmet" if instrument == "baseline" else "Uppfoljningsenkat"
        return f"{title}_{role} - all versions - False - 2028-01-09-10-11-12.csv"

    @staticmethod
    def write(path, form, templates, instrument_id, role, lang, submissions):
        fields, choices = _read_xlsform(form, lang)
        items = _ordered_items(templates, instrument_id, role)
        questions = [f for f in fields if f.name not in (PARTICIPANT_CODE, VERSION_FIELD)]
        assert [f.name for f in fields[:2]] == [PARTICIPANT_CODE, VERSION_FIELD]
        assert [f.name for f in questions] == [i.id for i in items], "XLSForm names are the item ids"
        for f, item in zip(questions, items, strict=True):
            assert f.label == item.wording(role, lang), item.id
        groups_in_headers = role == "mentor"  # "Include groups in headers": on for mentors, off for adepts
        rng = np.random.default_rng(_seed("kobo-meta", instrument_id, role))

        def header(f: _XlsField) -> str:
            return "/".join((*f.groups, f.name)) if groups_in_headers else f.name

        columns: list[tuple[str, object]] = [("start", "start"), ("end", "end"), ("today", "today")]
        columns.append(("deviceid", "deviceid"))
        for f in fields:
            columns.append((header(f), f))
            if f.type.startswith("select_multiple "):
                for option, _ in choices[f.type.split()[1]]:
                    columns.append((f"{header(f)}/{option}", (f, option)))
        meta = ["_id", "_notes", "_status", "_submission_time", "_submitted_by", "_tags", "_uuid"]
        columns += [(m, m) for m in (*meta, "_validation_status", "_index")]

        def metadata(s: Submission, n: int) -> dict[str, str]:
            device = "".join(BASE62[int(i)] for i in rng.integers(0, 62, 16))
            return {
                "start": s.started.isoformat(timespec="milliseconds"),  # 2027-01-18T08:47:12.000+01:00
                "end": s.submitted.isoformat(timespec="milliseconds"),
                "today": s.submitted.date().isoformat(),
                "deviceid": f"ee.kobotoolbox.org:{device}",  # Enketo web form
                "_id": str(40210 + n),
                "_notes": "",
                "_status": "submitted_via_web",
                "_submission_time": s.submitted.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),  # UTC
                "_submitted_by": "None",  # an anonymous web submission, as formpack writes it
                "_tags": "",
                "_uuid": str(uuid.UUID(bytes=bytes(int(b) for b in rng.integers(0, 256, 16)), version=4)),
                "_validation_status": "",
                "_index": str(n),
            }

        def cell(s: Submission, meta: dict[str, str], what: object) -> str:
            if isinstance(what, str):
                return meta[what]
            if isinstance(what, tuple):  # a select_multiple option column
                f, option = what
                answer = s.answers.get(f.name)
                if answer is None:
                    return ""
                names = _chosen_names(f, answer, choices, templates, lang)
                return "1" if option in names else "0"
            f = what
            assert isinstance(f, _XlsField)
            if f.name == PARTICIPANT_CODE:
                return s.person.participant_id
            if f.type == "calculate":
                return (f.calculation or "").strip().strip("'")
            answer = s.answers.get(f.name)
            if answer is None:
                return ""
            if f.type.startswith("select_multiple "):
                return " ".join(_chosen_names(f, answer, choices, templates, lang))
            if f.type.startswith("select_one "):
                (name,) = _chosen_names(f, (answer,), choices, templates, lang)
                return name
            return str(answer)

        lines = [[h for h, _ in columns]]
        for n, s in enumerate(submissions, start=1):
            meta = metadata(s, n)
            lines.append([cell(s, meta, what) for _, what in columns])
        text = "".join('"' + '";"'.join(v.replace('"', '""') for v in line) + '"\r\n' for line in lines)
        path.write_bytes(text.encode("utf-8"))


def _chosen_names(f: _XlsField, codes, choices, templates: Templates, lang: str) -> list[str]:
    """The choice names whose labels the respondent picked (the labels that mean `codes`), in list order."""
    scale = templates.scale_of(templates.items[f.name])
    wanted = {_label(scale, c, lang) for c in codes}
    names = [name for name, label in choices[f.type.split()[1]] if label in wanted]
    assert len(names) == len(wanted), f"{f.name}: labels {wanted} not all in the XLSForm's choices"
    return names


def test_xlsform_roundtrips_through_a_kobotoolbox_csv_export(versions, tmp_path):
    folder, built = _cohort(tmp_path, versions, "kobo", Kobo)
    _ingest_and_check(folder, versions, built)


# --------------------------------------------------------------------------------------------------
# LimeSurvey (TSV survey structure)
# --------------------------------------------------------------------------------------------------
# Shape: LimeSurvey "Responses > Export > Export responses", CSV, "Headings: Question code",
# "Responses: Answer codes" (the defaults for data analysis). UTF-8 with BOM, every field in double
# quotes, LF line ends, a blank line at the end. Metadata id, submitdate, lastpage, startlanguage,
# seed, startdate, datestamp (datestamp because the structure sets datestamp=Y; no token column, no
# IP/referrer columns: anonymized=N without a participant table, ipaddr/refurl not set); then the
# questions in group order: a list question (L) holds the chosen answer code, a multiple-choice
# question (M) exports one column per sub-question headed `code[SQcode]` holding "Y" when ticked and
# "" otherwise, a numerical input (N) the number, a long free text (T) / short text (S) the text, an
# equation (*) its value. Dates are "YYYY-MM-DD HH:MM:SS" in the server's time (here Swedish time).
#   - LimeSurvey manual, "Tab Separated Value survey structure" (classes S/SL/G/Q/SQ/A, question
#     codes, sub-question and answer codes): https://www.limesurvey.org/manual/Tab_Separated_Value_survey_structure
#   - LimeSurvey RemoteControl export_responses: sHeadingType 'code'|'full'|'abbreviated',
#     sResponseType 'short' (answer codes) | 'long' (limonaid::limer_get_responses documentation).
#   - Real exports: /work/shared/real-exports/limesurvey/limonaid_survey_998192_R_data_file.csv
#     (BOM, every field quoted, LF, trailing blank line, "Response ID, Date submitted, Last page,
#     Start language, Seed, Date started, Date last action" = id, submitdate, lastpage,
#     startlanguage, seed, startdate, datestamp; numbers such as "66"; `Question [Sub-question]`
#     columns for array/multiple questions in full-text headings).


@dataclass
class _LsQuestion:
    code: str
    type: str
    text: str
    subquestions: list[tuple[str, str]]
    answers: list[tuple[int, str, str]]  # (scale: 0, or 1 for an Array dual scale's second, code, text)


def _read_limesurvey(path: Path) -> tuple[str, int, list[_LsQuestion]]:
    """The base language, the number of groups (pages) and the questions of the TSV, in order."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    base = next(r["text"] for r in rows if r["class"] == "S" and r["name"] == "language")
    groups, questions = 0, []
    for r in rows:
        if r.get("language") != base:
            continue
        if r["class"] == "G":
            groups += 1
        elif r["class"] == "Q":
            questions.append(_LsQuestion(r["name"], r["type/scale"], r["text"], [], []))
        elif r["class"] == "SQ":
            questions[-1].subquestions.append((r["name"], r["text"]))
        elif r["class"] == "A":
            questions[-1].answers.append((int(r["type/scale"] or 0), r["name"], r["text"]))
    return base, groups, questions


class LimeSurvey:
    """The response export, plus the Array dual scale of now/then pairs (version 2).

    An Array dual scale (type ``1``) exports one column per sub-question and scale, headed
    ``NT1[ugen1][1]`` (the first scale: the current item, coded as the sub-question) and
    ``NT1[ugen1][2]`` (the second: its retrospective item), each holding the answer code of its scale
    (LimeSurvey's ``viewHelper::getFieldCode``: question code, ``[sub-question]``, ``[scale id + 1]``;
    the manual's "Question type - Array dual scale": "the answers are stored separately for each scale").
    """

    fmt, suffix = "limesurvey", ".txt"

    @staticmethod
    def file_name(instrument: str, role: str) -> str:
        return f"results-survey{_seed(instrument, role) % 900000 + 100000}.csv"

    @staticmethod
    def write(path, form, templates, instrument_id, role, lang, submissions):
        base, pages, questions = _read_limesurvey(form)
        assert base == lang
        items = _ordered_items(templates, instrument_id, role)
        then_of = {i.then_of: i.id for i in items if i.then_of}
        # (header, item id, scale of the answer codes, question), one per exported column
        columns: list[tuple[str, str, int, _LsQuestion]] = []
        for q in questions:
            if q.type == "1":
                for sq, _ in q.subquestions:
                    columns.append((f"{q.code}[{sq}][1]", sq, 0, q))
                    columns.append((f"{q.code}[{sq}][2]", then_of[sq], 1, q))
            elif q.type == "M":
                columns += [(f"{q.code}[{sq}]", q.code, 0, q) for sq, _ in q.subquestions]
            else:
                columns.append((q.code, q.code, 0, q))
        asked = list(dict.fromkeys(c[1] for c in columns if c[1] not in (PARTICIPANT_CODE, VERSION_FIELD)))
        assert asked == [i.id for i in items], "every item has its column(s), in form order"
        rng = np.random.default_rng(_seed("ls-meta", instrument_id, role))
        header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
        rows = [header + [c[0] for c in columns]]
        for n, s in enumerate(submissions, start=1):
            stamp = s.submitted.strftime("%Y-%m-%d %H:%M:%S")
            row = [str(n), stamp, str(pages), lang, str(int(rng.integers(10**8, 2 * 10**9)))]
            row += [s.started.strftime("%Y-%m-%d %H:%M:%S"), stamp]
            for name, item_id, scale_id, q in columns:
                if item_id == PARTICIPANT_CODE:
                    row.append(s.person.participant_id)
                    continue
                if q.type == "*":
                    row.append(q.text)  # the equation's value: the literal version text
                    continue
                answer = s.answers.get(item_id)
                scale = templates.scale_of(templates.items[item_id])
                if q.type == "M":
                    picked = {_label(scale, c, lang) for c in answer} if answer is not None else set()  # type: ignore[union-attr]
                    assert picked <= {t for _, t in q.subquestions}, q.code
                    option = name.removeprefix(f"{q.code}[").removesuffix("]")
                    row.append("Y" if dict(q.subquestions)[option] in picked else "")
                elif answer is None:
                    row.append("")
                elif q.type in ("L", "1"):
                    label = _label(scale, answer, lang)  # type: ignore[arg-type]
                    (code,) = [c for k, c, text in q.answers if k == scale_id and text == label]
                    row.append(code)
                else:
                    row.append(str(answer))
            rows.append(row)
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
        path.write_bytes(b"\xef\xbb\xbf" + (buffer.getvalue() + "\n").encode("utf-8"))


def test_limesurvey_structure_roundtrips_through_a_limesurvey_response_export(versions, tmp_path):
    folder, built = _cohort(tmp_path, versions, "limesurvey", LimeSurvey)
    _ingest_and_check(folder, versions, built)


# --------------------------------------------------------------------------------------------------
# Google Forms (Apps Script)
# --------------------------------------------------------------------------------------------------
# Shape: Google Forms "Responses > Download responses (.csv)". First column "Tidstämpel" (Swedish
# UI) / "Timestamp" (English UI); no e-mail column (the script does not collect addresses); then one
# column per question in form order headed by its title, a multiple choice grid giving one column per
# row headed "Grid title [row]"; answers are the option labels (grid columns, multiple choice), the
# digit for a linear scale, the typed text for short-answer and paragraph questions, and for
# checkboxes the ticked labels joined by ", " in the order the form lists them. Timestamps as the UI
# locale writes them: "2027/01/18 9:05:12 fm CET" (sv), "2027/01/18 9:05:12 AM GMT+1" (en). Every
# field quoted, UTF-8.
#   - The items come from running the exported script against the stand-in FormApp of
#     tests/test_forms_platforms.py (Apps Script reference, developers.google.com/apps-script/
#     reference/forms/), and the CSV headers from its `_headers`, which rebuilds Google's
#     "Title [row]" headers from the script's grids.
#   - Grid headers "title [row]" (Apps Script code reading the response sheet,
#     https://github.com/transpose-publishing/policies-database/issues/36), grid answers as the
#     column words (http://danaleeling.blogspot.com/2023/05/converting-likert-survey-words-in.html),
#     checkbox labels joined by ", " and Timestamp first (/work/shared/real-exports/README.md), the
#     Swedish timestamp text as issue 11 lists it ("2027/01/24 12:24:08 em CET"); see also the
#     sources cited in tests/realshapes.py ("Google Forms").


def _google_timestamp(moment: datetime, lang: str) -> str:
    local = _local(moment)
    hour = local.hour % 12 or 12
    summer = moment.astimezone(STOCKHOLM).utcoffset() == timedelta(hours=2)
    if lang == "sv":
        half, zone = ("fm" if local.hour < 12 else "em"), ("CEST" if summer else "CET")
    else:
        half, zone = ("AM" if local.hour < 12 else "PM"), ("GMT+2" if summer else "GMT+1")
    return f"{local:%Y/%m/%d} {hour}:{local:%M:%S} {half} {zone}"


class GoogleForms:
    fmt, suffix = "google-apps-script", ".gs"

    @staticmethod
    def file_name(instrument: str, role: str) -> str:
        title = "Enkät inför programmet" if instrument == "baseline" else "Uppföljningsenkät efter programmet"
        return f"{title} ({role}).csv"

    @staticmethod
    def write(path, form, templates, instrument_id, role, lang, submissions):
        sandbox = form.parent / f"node-{form.stem}"
        sandbox.mkdir()
        built = _run_script(form.read_text(encoding="utf-8"), sandbox)
        columns = _headers(built)  # (CSV header, question, grid row or None), in form order
        first, *asked = columns
        assert first[1]["setTitle"] == PARTICIPANT_CODE_TEXT[lang]
        assert len({h for h, _, _ in columns}) == len(columns), "every header is unique"
        # Each column answers the first item not yet matched whose statement it shows: the columns are
        # in form order, which puts version 2's then-items after their current items' grid; a version 1
        # then-item repeats its current item's statement and comes after it.
        unmatched = _ordered_items(templates, instrument_id, role)
        pairs = []
        for column in asked:
            _, question, row = column
            statement = row if row is not None else question["setTitle"]
            item = next((i for i in unmatched if i.wording(role, lang) == statement), None)
            assert item is not None, f"no item reads {statement!r}"
            unmatched.remove(item)
            pairs.append((item, column))
        assert not unmatched, [i.id for i in unmatched]

        def cell(item: Item, question: dict, answer: object) -> str:
            if answer is None:
                return ""
            scale = templates.scale_of(item)
            kind = question["type"]
            if kind == "grid":
                label = _label(scale, answer, lang)  # type: ignore[arg-type]
                assert label in question["setColumns"], item.id
                return label
            if kind == "scale":
                low, high = question["setBounds"]
                assert low <= answer <= high  # type: ignore[operator]
                return str(answer)  # a linear scale exports the digit the respondent clicked
            if kind == "multiplechoice":
                label = _label(scale, answer, lang)  # type: ignore[arg-type]
                assert label in question["setChoiceValues"], item.id
                return label
            if kind == "checkbox":
                picked = {_label(scale, c, lang) for c in answer}  # type: ignore[union-attr]
                assert picked <= set(question["setChoiceValues"]), item.id
                return ", ".join(v for v in question["setChoiceValues"] if v in picked)
            if kind in ("text", "paragraph"):
                return str(answer)
            raise AssertionError(f"{item.id}: no answer written for a {kind} item")

        rows = [["Tidstämpel" if lang == "sv" else "Timestamp", *[h for h, _, _ in columns]]]
        for s in submissions:
            row = [_google_timestamp(s.submitted, lang), s.person.participant_id]
            row += [cell(item, question, s.answers.get(item.id)) for item, (_, question, _) in pairs]
            rows.append(row)
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")


@needs_node
def test_apps_script_form_roundtrips_through_a_google_forms_csv_download(versions, tmp_path):
    folder, built = _cohort(tmp_path, versions, "google-forms", GoogleForms)
    _ingest_and_check(folder, versions, built, versioned=False)


# --------------------------------------------------------------------------------------------------
# Qualtrics (QSF)
# --------------------------------------------------------------------------------------------------
# Shape: Qualtrics "Data & Analysis > Export & Import > Export data > CSV", "Use numeric values"
# (followup/adept: "Use choice text"), "Split multi-value fields into columns" off (the default).
# Three header rows: the export tags (a question's DataExportTag; a matrix statement's
# ChoiceDataExportTag, which is the whole column name in the current exporter), the question text
# (for a matrix "question text - statement"), and {"ImportId":...}: "QID5_2" for a matrix
# statement (question id _ choice id), "QID7" for a multiple-choice question, "QID8_TEXT" for text
# entry, the embedded-data field's name for embedded data, and {"ImportId":"startDate","timeZone":
# "Europe/Stockholm"} for the dates. Metadata first: StartDate, EndDate, Status, IPAddress,
# Progress, Duration (in seconds), Finished, RecordedDate, ResponseId, RecipientLastName,
# RecipientFirstName, RecipientEmail, ExternalReference, LocationLatitude, LocationLongitude,
# DistributionChannel, UserLanguage; embedded data (instrumentversion) after the questions.
# Numeric values are the RecodeValues of the chosen choice/scale point; a multiple-answer question is
# one column with the chosen values joined by ","; descriptive text (DB) has no column.
#   - Qualtrics Support, "Understanding Your Dataset" (3 header rows; Status/response type, Finished,
#     Progress; matrix columns "Question Text - Statement Text"; multi-answer: "If you did not [split
#     multi-value fields into columns] (which is the default) ... every answer the respondent
#     selected is listed as comma-separated in the same column"), quoted in public code:
#     https://www.qualtrics.com/support/survey-platform/data-and-analysis-module/data/download-data/understanding-your-dataset/
#   - Qualtrics Support, "Recode Values" (numeric export = recode values); ctesta01's notes on export
#     tags and recode values (gist 9763dc35eee5301feb30c4fbfce6d2a0); ropensci/qualtRics #144/#222
#     (a statement's export tag is the whole column name).
#   - Real exports: /work/shared/real-exports/qualtrics/qualtRics_sample.csv (metadata order,
#     ImportIds QID1 / QID2_TEXT, "2017-07-18 08:28:09" dates, Status 0, Finished 1, LF, minimal
#     quoting); public cleaning scripts filtering the ImportId row '{"ImportId":"startDate",
#     "timeZone":"Europe/Zurich"}' (the export states the account's time zone).

_QUALTRICS_META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/Stockholm"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/Stockholm"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/Stockholm"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]


def _plain(text: str) -> str:
    """A QSF HTML text as the export's text row shows it: tags dropped, entities decoded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text))).strip()


def _key_for(mapping: dict[str, dict], label: str) -> str:
    (key,) = [k for k, v in mapping.items() if html.unescape(v["Display"]) == label]
    return key


class Qualtrics:
    fmt, suffix = "qsf", ".qsf"

    @staticmethod
    def file_name(instrument: str, role: str) -> str:
        title = "Enkät inför programmet" if instrument == "baseline" else "Uppföljningsenkät"
        return f"{title} ({role})_December 20, 2027_10.14.csv".replace(" ", "+")

    @staticmethod
    def write(path, form, templates, instrument_id, role, lang, submissions):
        document = json.loads(form.read_text(encoding="utf-8"))
        elements = document["SurveyElements"]
        questions = {e["PrimaryAttribute"]: e["Payload"] for e in elements if e["Element"] == "SQ"}
        (blocks,) = [e["Payload"] for e in elements if e["Element"] == "BL"]
        (flow,) = [e["Payload"] for e in elements if e["Element"] == "FL"]
        blocks_by_id = {b["ID"]: b for b in blocks}
        order = [
            el["QuestionID"]
            for f in flow["Flow"]
            if f["Type"] in ("Block", "Standard")
            for el in blocks_by_id[f["ID"]]["BlockElements"]
            if el["Type"] == "Question"
        ]
        embedded = [d for f in flow["Flow"] if f["Type"] == "EmbeddedData" for d in f["EmbeddedData"]]
        numeric = (instrument_id, role) != ("followup", "adept")
        items = {i.id: i for i in _ordered_items(templates, instrument_id, role)}

        # (tag, text row, ImportId, how to fill): one column per statement / question, as exported.
        columns: list[tuple[str, str, str, tuple]] = []
        for qid in order:
            q = questions[qid]
            if q["QuestionType"] == "DB":
                continue
            if q["QuestionType"] == "Matrix":
                for k in q["ChoiceOrder"]:
                    k = str(k)
                    tag = q["ChoiceDataExportTags"][k]
                    text = f"{_plain(q['QuestionText'])} - {_plain(q['Choices'][k]['Display'])}"
                    columns.append((tag, text, json.dumps({"ImportId": f"{qid}_{k}"}), ("matrix", q, tag)))
                continue
            tag = q["DataExportTag"]
            import_id = f"{qid}_TEXT" if q["QuestionType"] == "TE" else qid
            columns.append(
                (tag, _plain(q["QuestionText"]), json.dumps({"ImportId": import_id}), ("q", q, tag))
            )
        for d in embedded:
            columns.append((d["Field"], d["Field"], json.dumps({"ImportId": d["Field"]}), ("embedded", d)))
        tags = [c[0] for c in columns if c[3][0] != "embedded"]
        assert tags[0] == PARTICIPANT_CODE and sorted(tags[1:]) == sorted(items), "tags are the item ids"

        def cell(s: Submission, how: tuple) -> str:
            if how[0] == "embedded":
                return how[1]["Value"]
            _, q, tag = how
            if tag == PARTICIPANT_CODE:
                return s.person.participant_id
            answer = s.answers.get(tag)
            if answer is None:
                return ""
            scale = templates.scale_of(items[tag])
            if how[0] == "matrix":
                key = _key_for(q["Answers"], _label(scale, answer, lang))  # type: ignore[arg-type]
                return q["RecodeValues"][key] if numeric else html.unescape(q["Answers"][key]["Display"])
            if q["QuestionType"] == "MC":
                codes = answer if q["Selector"] == "MAVR" else (answer,)
                keys = [_key_for(q["Choices"], _label(scale, c, lang)) for c in codes]  # type: ignore[union-attr]
                keys = [str(k) for k in q["ChoiceOrder"] if str(k) in keys]
                if numeric:
                    return ",".join(q["RecodeValues"][k] for k in keys)
                return ",".join(html.unescape(q["Choices"][k]["Display"]) for k in keys)
            return str(answer)

        rows = [
            [m[0] for m in _QUALTRICS_META] + [c[0] for c in columns],
            [m[1] for m in _QUALTRICS_META] + [c[1] for c in columns],
            [m[2] for m in _QUALTRICS_META] + [c[2].replace(" ", "") for c in columns],
        ]
        rng = np.random.default_rng(_seed("qualtrics-meta", instrument_id, role))
        for n, s in enumerate(submissions, start=1):
            end = s.submitted.strftime("%Y-%m-%d %H:%M:%S")
            meta = [
                s.started.strftime("%Y-%m-%d %H:%M:%S"),
                end,
                "0" if numeric else "IP Address",
                f"192.0.2.{20 + n}",
                "100",
                str(int((s.submitted - s.started).total_seconds())),
                "1" if numeric else "True",
                end,
                "R_" + "".join(BASE62[int(i)] for i in rng.integers(0, 62, 15)),
                "",
                "",
                "",
                "",
                "59.3293",
                "18.0686",
                "anonymous",
                lang.upper(),
            ]
            rows.append(meta + [cell(s, c[3]) for c in columns])
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")


def test_qsf_roundtrips_through_a_qualtrics_csv_export(versions, tmp_path):
    folder, built = _cohort(tmp_path, versions, "qualtrics", Qualtrics)
    _ingest_and_check(folder, versions, built)
