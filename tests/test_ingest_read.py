"""read_export on the real platform exports in ../shared/real-exports, read as they are."""

from __future__ import annotations

import pytest

from evaluation.errors import IngestError
from evaluation.ingest import read_export

from .conftest import SHARED

REAL = SHARED / "real-exports"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"the real exports are not at {REAL}")


@needs_real
def test_qualtrics_current_three_header_rows():
    raw = read_export(REAL / "qualtrics/qualtRics_sample.csv")
    assert raw.platform == "qualtrics" and raw.header_rows == 3 and len(raw.frame) == 1
    row = raw.frame.iloc[0]
    assert row["ResponseId"] == "R_2YPOQ602ER1jkf1" and row["Q1"] == "2" and row["Q2"] == "Hello World!"
    assert raw.headers["Q1"] == ["Q1", "This is a multiple choice question.", '{"ImportId":"QID1"}']
    assert row["RecipientEmail"] is None  # an empty cell is missing, not ""


@needs_real
def test_qualtrics_legacy_bom_two_header_rows_trailing_comma():
    raw = read_export(REAL / "qualtrics/qualtRics_sample_legacy.csv")
    assert raw.platform == "qualtrics-legacy" and raw.encoding == "utf-8-sig" and raw.header_rows == 2
    assert raw.frame.shape == (1, 15)  # the trailing empty column is dropped
    assert raw.headers["V1"] == ["V1", "ResponseID"]
    assert raw.frame.iloc[0]["V1"] == "R_2YPOQ602ER1jkf1" and raw.frame.iloc[0]["Q2"] == "Hello World!"


@needs_real
def test_surveymonkey_question_and_option_headers():
    raw = read_export(REAL / "surveymonkey/IPIP_Misc_Test_Data.csv")
    assert raw.platform == "surveymonkey" and len(raw.frame) == 3
    assert list(raw.frame["Respondent ID"]) == ["99297291016", "98297291016", "88297291016"]
    columns = list(raw.frame.columns)
    assert "In what country do you live? | Other (please specify):" in columns
    race = [c for c in columns if c.startswith("Select the racial/ethnic identity")]
    assert len(race) >= 5 and any(c.endswith("| Asian") for c in race)
    assert raw.frame.columns.is_unique


@needs_real
def test_limesurvey_responses_bom_full_text_headers():
    raw = read_export(REAL / "limesurvey/limonaid_survey_998192_R_data_file.csv")
    assert raw.platform == "limesurvey" and raw.encoding == "utf-8-sig" and len(raw.frame) == 7
    assert list(raw.frame["Response ID"]) == ["1", "4", "5", "6", "7", "8", "9"]
    assert raw.frame["Date submitted"].isna().sum() == 5  # incomplete responses have no submit date


@needs_real
def test_limesurvey_structure_is_refused_with_a_reason():
    path = REAL / "limesurvey/limonaid_export-of-survey-with-one-multi-choice-question-as-tsv.txt"
    with pytest.raises(IngestError, match="survey structure"):
        read_export(path)


@needs_real
@pytest.mark.parametrize(
    ("name", "rows", "columns"),
    [
        ("kobocat_good.csv", 9, 30),
        ("kobocat_transportation.csv", 1, 26),
        ("kobocat_tutorial_w_repeats.csv", 1, 23),
    ],
)
def test_kobo_group_paths_and_na_markers(name, rows, columns):
    raw = read_export(REAL / "kobo_odk" / name)
    assert raw.platform == "kobo" and raw.frame.shape == (rows, columns)
    assert not (raw.frame == "n/a").any().any()  # "n/a" (question not shown) is missing


@needs_real
def test_kobo_values():
    raw = read_export(REAL / "kobo_odk/kobocat_good.csv")
    assert raw.frame.iloc[1]["date"] == "2014-09-30" and raw.frame.iloc[0]["date"] is None
    repeats = read_export(REAL / "kobo_odk/kobocat_tutorial_w_repeats.csv")
    assert repeats.frame.iloc[0]["children[1]/childs_name"] == "Tom"
    assert repeats.frame.iloc[0]["picture"] is None


@needs_real
def test_every_real_export_is_read_or_refused_clearly():
    for path in sorted(REAL.rglob("*")):
        if not path.is_file() or path.suffix not in (".csv", ".txt") or path.name == "SOURCES.txt":
            continue
        try:
            raw = read_export(path)
        except IngestError as exc:
            assert str(path) in str(exc)
            continue
        assert len(raw.frame) > 0 and raw.frame.columns.is_unique, path


def test_hostile_shapes_are_detected(tmp_path):
    from evaluation.xlsx import write_workbook

    swedish = tmp_path / "svenska.csv"
    swedish.write_bytes(
        "Deltagarkod;Timmar;Kommentar\nABCD-1234;12,5;Bra möte, tack\nEFGH-5678;n/a;\n".encode("cp1252")
    )
    raw = read_export(swedish)
    assert (raw.encoding, raw.delimiter, raw.decimal_comma) == ("cp1252", ";", True)
    assert raw.frame.iloc[0]["Kommentar"] == "Bra möte, tack" and raw.frame.iloc[1]["Timmar"] is None

    tabbed = tmp_path / "tabbed.txt"
    tabbed.write_text("participantcode\tigu1\tigu2\t\t\nABCD-1234\t4\t5\t\t\n", encoding="utf-8")
    raw = read_export(tabbed)
    assert raw.delimiter == "\t" and list(raw.frame.columns) == ["participantcode", "igu1", "igu2"]

    workbook = tmp_path / "generic.xlsx"
    write_workbook(workbook, {"Svar": [["participantcode", "igu1"], ["ABCD-1234", 3], ["EFGH-5678", None]]})
    raw = read_export(workbook)
    assert raw.platform == "generic" and raw.frame["igu1"].tolist() == ["3", None]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "save it as .xlsx"),
        ("broken.xlsx", b"PK\x03\x04 no", "cannot read the workbook"),
        ("latin.csv", "a,b\n\x81\x8d,1\n".encode("latin-1"), "unknown text encoding"),
    ],
)
def test_unreadable_files_are_refused_with_the_file_named(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=message) as caught:
        read_export(path)
    assert name in str(caught.value)


def test_unknown_format_and_missing_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(IngestError, match="unknown format 'surveyx'"):
        read_export(path, format="surveyx")
    with pytest.raises(IngestError, match="the file is missing"):
        read_export(tmp_path / "nothing.csv")
