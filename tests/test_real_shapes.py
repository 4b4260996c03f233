"""Issue 11: exports in the platforms' real shapes ingest unaided, and nothing silently changes an answer.

Every fixture is built by hand in `tests.realshapes` from the platforms' documentation and real files
(not by `evaluation.formats` or `evaluation.synth`): Google Forms (grids as "Title [statement]",
Swedish and English UI timestamps), Qualtrics (three header rows, Q<n>_<k> export tags, choice text
and numeric values, a survey preview reusing a participant's code, an unfinished response), Microsoft
Forms with a Swedish UI (xlsx), paper forms typed into Swedish Excel (title rows, cp1252, semicolons,
decimal comma, Swedish dates) and LimeSurvey (codes, BOM). For baseline and follow-up, mentor and
adept, cohort.yml lists each file with only instrument, role, wave and file; ingest must then hold
every answer exactly as given, each at the time written, and account for every row.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evaluation.errors import EvaluationError
from evaluation.ingest import ingest_cohort
from evaluation.ingest.pseudonym import pseudonym

from .realshapes import (
    Response,
    SourceSpec,
    expected_long,
    google_forms_columns,
    google_forms_csv,
    limesurvey_csv,
    list_sources,
    make_people,
    make_responses,
    ms_forms_xlsx,
    qualtrics_csv,
    swedish_excel_csv,
    write_cohort,
)

KEY = "en-nyckel-bara-för-testerna-av-verkliga-exporter"
PEOPLE = make_people()
FILES = [("baseline", "mentor"), ("baseline", "adept"), ("followup", "mentor"), ("followup", "adept")]

PREVIEW = re.compile(r"preview|test", re.IGNORECASE)
UNFINISHED = re.compile(r"incomplete|unfinished|partial", re.IGNORECASE)
BLANK = re.compile(r"blank|empty", re.IGNORECASE)
SUMMARY = re.compile(r"summary|total", re.IGNORECASE)
TEST = re.compile(r"test", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    """A real (not synthetic) cohort: the pseudonym key comes from the environment."""
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY_FILE", raising=False)


def _pseudo(participant_id: str) -> str:
    return pseudonym(KEY.encode("utf-8"), participant_id)


# --------------------------------------------------------------------------------------------------
# Building one platform's four files
# --------------------------------------------------------------------------------------------------


def _seed(platform: str, instrument: str, role: str) -> int:
    return sum(ord(c) for c in f"{platform}/{instrument}/{role}") * 7919


def _responses(templates, platform, instrument, role, **kwargs) -> list[Response]:
    respondents = 6 if instrument == "baseline" else 5  # one participant skips the follow-up
    return make_responses(
        templates,
        instrument,
        role,
        PEOPLE,
        seed=_seed(platform, instrument, role),
        respondents=respondents,
        **kwargs,
    )


def _build(platform: str, raw: Path, templates) -> list[tuple[SourceSpec, list[Response], list[dict] | None]]:
    """Write the platform's four exports into `raw`; return (source, responses as meant, rows written)."""
    built = []
    for n, (instrument, role) in enumerate(FILES):
        rows = None
        if platform == "google-forms":
            responses = _responses(templates, platform, instrument, role)
            lang = "en" if (instrument, role) == ("baseline", "adept") else "sv"
            sheet = (instrument, role) == ("followup", "adept")
            title = "Enkät inför programmet" if instrument == "baseline" else "Uppföljningsenkät"
            name = f"{title} ({role}er) - Formulärsvar 1.csv" if sheet else f"{title} ({role}er).csv"
            google_forms_csv(
                raw / name,
                responses,
                templates,
                instrument,
                role,
                lang,
                timestamps="sheet" if sheet else "csv",
                grid_title="intro" if sheet else "title",
            )
        elif platform == "qualtrics":
            responses = _responses(
                templates, platform, instrument, role, unfinished_last=True, preview_of_first=True
            )
            values = "text" if n % 2 == 0 else "numeric"
            name = f"{instrument.capitalize()}+{role}_January+24,+2027_12.24.csv"
            rows = qualtrics_csv(raw / name, responses, templates, instrument, role, "sv", values=values)
        elif platform == "ms-forms":
            responses = _responses(templates, platform, instrument, role)
            name = f"Enkät {instrument} – {role}er(1-{len(responses)}).xlsx"
            ms_forms_xlsx(raw / name, responses, templates, instrument, role, "sv")
        elif platform == "swedish-excel":
            responses = _responses(templates, platform, instrument, role)
            name = f"pappersenkäter {instrument} {role}er.csv"
            headers = "ids" if role == "mentor" else "text"
            responses = swedish_excel_csv(raw / name, responses, templates, instrument, role, headers=headers)
        elif platform == "limesurvey":
            responses = _responses(templates, platform, instrument, role, unfinished_last=True)
            name = f"results-survey{4821 + n}.csv"
            rows = limesurvey_csv(raw / name, responses, templates, instrument, role, "sv", headings="code")
        else:
            raise AssertionError(platform)
        built.append((SourceSpec(instrument, role, name), responses, rows))
    return built


def _cohort(tmp_path, templates, platform, *, settings=None, extra=None):
    folder = tmp_path / platform
    write_cohort(folder, templates, PEOPLE, [])
    built = _build(platform, folder / "raw", templates)
    for source, _, _ in built:
        source.extra.update((extra or {}).get((source.instrument, source.role), {}))
    list_sources(folder, [s for s, _, _ in built], **(settings or {}))
    return folder, built


# --------------------------------------------------------------------------------------------------
# Reading back what ingest wrote
# --------------------------------------------------------------------------------------------------


def _ingest(folder: Path, templates):
    ingest_cohort(folder, templates)
    processed = folder / "processed"
    long = pd.read_parquet(processed / "responses.parquet")
    quarantine = pd.read_csv(processed / "quarantine.csv", dtype={"column": object, "kind": object})
    report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    return long, quarantine, report


def _got(long: pd.DataFrame, file: str):
    rows = long[long["source_file"] == file]
    values = {}
    for r in rows.itertuples():
        key = (r.pseudonym, r.item)
        assert key not in values, f"{file}: two rows for {key}"
        if pd.notna(r.value):
            values[key] = ("value", float(r.value))
        else:
            values[key] = ("text", r.value_text)
    times = {p: sorted(set(g)) for p, g in rows.groupby("pseudonym")["submitted_at"]}
    return rows, values, times


def _expected(responses, templates, *, include_partial=False):
    values, times = expected_long(responses, templates, include_partial=include_partial)
    return (
        {(_pseudo(pid), item): v for (pid, item), v in values.items()},
        {_pseudo(pid): [pd.Timestamp(t)] for pid, t in times.items()},
    )


def _source(report: dict, file: str) -> dict:
    return next(s for s in report["sources"] if s["file"] == file)


def _row_quarantine(quarantine: pd.DataFrame, file: str) -> dict[int, str]:
    rows = quarantine[(quarantine["file"] == file) & quarantine["column"].isna()]
    return {int(r.row): str(r.kind) for r in rows.itertuples()}


def _check_source(long, report, source: SourceSpec, responses, templates, *, include_partial=False):
    """Every value equal, every timestamp as written, every row accounted for."""
    rows, got, times = _got(long, source.file)
    want, want_times = _expected(responses, templates, include_partial=include_partial)
    missing = sorted(set(want) - set(got))[:5]
    extra = sorted(set(got) - set(want))[:5]
    wrong = [(k, got[k], want[k]) for k in sorted(set(got) & set(want)) if got[k] != want[k]][:5]
    assert not (missing or extra or wrong), (
        f"{source.file}: {len(set(want) - set(got))} answers missing (e.g. {missing}), "
        f"{len(set(got) - set(want))} unexpected (e.g. {extra}), wrong values (got, want): {wrong}"
    )
    assert times == want_times, f"{source.file}: submitted_at differs from the written timestamps"
    assert set(rows["instrument"]) == {source.instrument} and set(rows["role"]) == {source.role}
    assert set(rows["wave"]) == {"pre" if source.instrument == "baseline" else "post"}
    counted = sum(
        1 for r in responses if r.counted or (include_partial and r.person and not r.preview and not r.test)
    )
    stats = _source(report, source.file)
    assert stats["rows_read"] == len(responses), stats
    assert stats["rows_accepted"] == counted, stats
    assert stats["rows_read"] == stats["rows_accepted"] + stats["rows_quarantined"], stats


# --------------------------------------------------------------------------------------------------
# Done means: files in each real shape, baseline and follow-up, mentor and adept, every value equal
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["google-forms", "qualtrics", "ms-forms", "swedish-excel", "limesurvey"])
def test_real_export_shapes_ingest_unaided_with_every_value_equal(templates, tmp_path, platform):
    folder, built = _cohort(tmp_path, templates, platform)
    config = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
    assert all(set(s) == {"instrument", "role", "wave", "file"} for s in config["sources"])  # unaided
    long, quarantine, report = _ingest(folder, templates)
    for source, responses, rows in built:
        _check_source(long, report, source, responses, templates)
        flagged = _row_quarantine(quarantine, source.file)
        if rows is None:
            assert flagged == {}, f"{source.file}: rows quarantined: {flagged}"
            continue
        # Qualtrics and LimeSurvey: exactly the preview and the unfinished response, each with its own reason.
        preview = [r["row"] for r in rows if r["kind"] == "preview"]
        unfinished = [r["row"] for r in rows if r["kind"] == "unfinished"]
        assert set(flagged) == set(preview + unfinished), f"{source.file}: {flagged}"
        for row in preview:
            assert PREVIEW.search(flagged[row]), (
                f"{source.file} row {row}: a preview quarantined as {flagged[row]}"
            )
        for row in unfinished:
            assert UNFINISHED.search(flagged[row]), (
                f"{source.file} row {row}: unfinished, quarantined as {flagged[row]}"
            )
        if preview and unfinished:
            assert flagged[preview[0]] != flagged[unfinished[0]]


def test_a_preview_never_replaces_the_real_answer_of_the_participant_whose_code_it_reused(
    templates, tmp_path
):
    folder, built = _cohort(tmp_path, templates, "qualtrics")
    long, quarantine, _ = _ingest(folder, templates)
    for source, responses, _ in built:
        real = responses[0]
        preview = next(r for r in responses if r.preview)
        assert preview.code == real.code and preview.submitted > real.submitted
        mine = long[(long["source_file"] == source.file) & (long["pseudonym"] == _pseudo(real.code))]
        got = {r.item: r.value for r in mine.itertuples() if pd.notna(r.value)}
        differing = [i for i, v in preview.answers.items() if v is not None and v != real.answers.get(i)]
        assert len(differing) > 20
        for item in differing:
            if real.answers.get(item) is not None and not isinstance(real.answers[item], str | tuple):
                assert got.get(item) == float(real.answers[item]), (source.file, item)  # type: ignore[arg-type]
        assert set(mine["submitted_at"]) == {pd.Timestamp(real.submitted)}
        details = quarantine[(quarantine["file"] == source.file) & quarantine["column"].isna()]
        assert details["reason_en"].notna().all() and (details["reason_en"].str.len() > 0).all()


def test_accept_partial_accepts_and_counts_the_unfinished_qualtrics_response(templates, tmp_path):
    extra = {("baseline", "mentor"): {"accept_partial": True}}
    folder, built = _cohort(tmp_path, templates, "qualtrics", extra=extra)
    long, quarantine, report = _ingest(folder, templates)
    source, responses, _ = built[0]
    assert (source.instrument, source.role) == ("baseline", "mentor")
    partial = next(r for r in responses if not r.finished)
    mine = long[(long["source_file"] == source.file) & (long["pseudonym"] == _pseudo(partial.code))]
    answered = {i: v for i, v in partial.answers.items() if v is not None}
    assert set(mine["item"]) == set(answered), "the partial response's answers, exactly"
    _, got, _ = _got(long, source.file)
    want, _ = _expected(responses, templates, include_partial=True)
    assert got == want
    stats = _source(report, source.file)
    assert stats["rows_accepted"] == len(responses) - 1  # all but the preview
    assert stats["rows_read"] == stats["rows_accepted"] + stats["rows_quarantined"]
    flagged = _row_quarantine(quarantine, source.file)
    assert list(flagged.values()) and all(PREVIEW.search(k) for k in flagged.values()), flagged
    # the other Qualtrics sources, without accept_partial, still quarantine their unfinished response
    for other, _, other_rows in built[1:]:
        unfinished = [r["row"] for r in other_rows if r["kind"] == "unfinished"]
        assert all(UNFINISHED.search(_row_quarantine(quarantine, other.file).get(u, "")) for u in unfinished)


# --------------------------------------------------------------------------------------------------
# Hostile variants
# --------------------------------------------------------------------------------------------------


def _google_hostile(folder: Path, templates, *, ignore: bool):
    write_cohort(folder, templates, PEOPLE, [])
    responses = _responses(templates, "google-forms", "baseline", "mentor")
    name = "Enkät inför programmet (mentorer) - Formulärsvar 1.csv"
    google_forms_csv(
        folder / "raw" / name,
        responses,
        templates,
        "baseline",
        "mentor",
        "sv",
        shuffle=True,
        extra_columns={"Kontrollerad av admin": "ja"},
        blank_and_summary_rows=True,
        crlf=True,
        bom=True,
    )
    source = SourceSpec("baseline", "mentor", name, {"ignore": ["Kontrollerad av admin"]} if ignore else {})
    list_sources(folder, [source])
    return source, responses


def test_google_forms_with_blank_and_summary_rows_shuffled_columns_admin_column_crlf_and_bom(
    templates, tmp_path
):
    folder = tmp_path / "hostile"
    source, responses = _google_hostile(folder, templates, ignore=True)
    data = (folder / "raw" / source.file).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    long, quarantine, report = _ingest(folder, templates)
    _, got, times = _got(long, source.file)
    want, want_times = _expected(responses, templates)
    assert got == want
    assert times == want_times
    stats = _source(report, source.file)
    assert stats["rows_accepted"] == len(responses)
    assert stats["rows_read"] == stats["rows_accepted"] + stats["rows_quarantined"], stats
    flagged = _row_quarantine(quarantine, source.file)
    n = len(responses)
    assert set(flagged) == {n + 1, n + 2, n + 3}, flagged  # the blank row, "Totalt", "Medel"
    assert BLANK.search(flagged[n + 1]), flagged
    assert SUMMARY.search(flagged[n + 2]) and SUMMARY.search(flagged[n + 3]), flagged
    assert flagged[n + 1] != flagged[n + 2]


def test_an_extra_admin_column_is_reported_when_not_ignored(templates, tmp_path):
    folder = tmp_path / "admin-column"
    _google_hostile(folder, templates, ignore=False)
    try:
        ingest_cohort(folder, templates)
    except EvaluationError as exc:
        assert "Kontrollerad av admin" in str(exc)
        return
    report = (folder / "processed" / "ingest_report.json").read_text(encoding="utf-8")
    assert "Kontrollerad av admin" in report, "an unmapped admin column must be reported"


def test_an_explicit_mapping_of_two_columns_onto_one_item_is_refused_naming_both(templates, tmp_path):
    folder = tmp_path / "mapping"
    write_cohort(folder, templates, PEOPLE, [])
    responses = _responses(templates, "google-forms", "baseline", "mentor")
    name = "Enkät inför programmet (mentorer).csv"
    google_forms_csv(folder / "raw" / name, responses, templates, "baseline", "mentor", "sv")
    columns = dict(
        (item.id, header)
        for header, item in google_forms_columns(templates, templates.instrument("baseline"), "mentor", "sv")
        if item is not None
    )
    first, second = columns["ugen1"], columns["ugen2"]
    mapping = {"columns": {first: "ugen1", second: "ugen1"}}
    list_sources(folder, [SourceSpec("baseline", "mentor", name, mapping)])
    with pytest.raises(EvaluationError) as caught:
        ingest_cohort(folder, templates)
    message = str(caught.value)
    assert first in message and second in message, message
    assert not (folder / "processed" / "responses.parquet").exists()


def test_codes_listed_under_test_codes_are_quarantined_as_test_responses(templates, tmp_path):
    folder = tmp_path / "test-codes"
    write_cohort(folder, templates, PEOPLE, [])
    responses = _responses(templates, "google-forms", "baseline", "mentor")
    tests = []
    for n, code in enumerate(["TEST01", "KLAR99"]):
        moment = datetime(2027, 1, 15, 10 + n, 3, 12)
        tests.append(
            Response(None, code, dict(responses[1].answers), moment - timedelta(minutes=9), moment, test=True)
        )
    written = [tests[0], *responses[:3], tests[1], *responses[3:]]
    name = "Enkät inför programmet (mentorer).csv"
    google_forms_csv(folder / "raw" / name, written, templates, "baseline", "mentor", "sv")
    list_sources(folder, [SourceSpec("baseline", "mentor", name)], test_codes=["TEST01", "KLAR99"])
    long, quarantine, report = _ingest(folder, templates)
    _check_source(long, report, SourceSpec("baseline", "mentor", name), written, templates)
    flagged = _row_quarantine(quarantine, name)
    assert set(flagged) == {1, 5}, flagged
    assert all(TEST.search(kind) for kind in flagged.values()), flagged


def test_limesurvey_with_full_question_text_headings(templates, tmp_path):
    folder = tmp_path / "limesurvey-text"
    write_cohort(folder, templates, PEOPLE, [])
    built = []
    for instrument, role in [("baseline", "mentor"), ("followup", "mentor"), ("followup", "adept")]:
        responses = _responses(templates, "limesurvey-text", instrument, role, unfinished_last=True)
        name = f"results-survey-{instrument}-{role}.csv"
        rows = limesurvey_csv(
            folder / "raw" / name, responses, templates, instrument, role, "sv", headings="full"
        )
        built.append((SourceSpec(instrument, role, name), responses, rows))
    list_sources(folder, [s for s, _, _ in built])
    long, quarantine, report = _ingest(folder, templates)
    for source, responses, rows in built:
        _check_source(long, report, source, responses, templates)
        flagged = _row_quarantine(quarantine, source.file)
        assert set(flagged) == {r["row"] for r in rows if r["kind"] == "unfinished"}, flagged
        assert all(UNFINISHED.search(k) for k in flagged.values()), flagged
