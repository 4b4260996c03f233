"""Timestamps as platforms and Swedish spreadsheets write them, read to Swedish wall-clock time or refused.

Every expected value below is written out by hand (or computed with the standard library's zoneinfo,
independently of the parser), so that a wrong reading fails.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.formats.dates import parse_timestamp, parse_timestamps

from .conftest import SHARED

STOCKHOLM = ZoneInfo("Europe/Stockholm")
REAL = SHARED / "real-exports"

SHAPES = [
    # Google Forms, "Download responses (.csv)", Swedish UI (Google Forms Help, "View & manage form
    # responses"; shape as listed in issue 11): year/month/day, 12-hour clock, fm/em, zone name.
    ("2027/01/24 12:24:08 em CET", datetime(2027, 1, 24, 12, 24, 8)),
    ("2027/01/24 1:24:08 em CET", datetime(2027, 1, 24, 13, 24, 8)),
    ("2027/01/24 9:05:00 fm CET", datetime(2027, 1, 24, 9, 5)),
    ("2027/01/24 12:05:00 fm CET", datetime(2027, 1, 24, 0, 5)),  # 12 fm is just after midnight
    # Google Forms CSV, English UI: the same with AM/PM and GMT+1.
    ("2027/01/24 12:24:08 PM GMT+1", datetime(2027, 1, 24, 12, 24, 8)),
    ("2027/01/24 11:59:59 PM GMT+1", datetime(2027, 1, 24, 23, 59, 59)),
    ("2027/01/24 12:00:00 AM GMT+1", datetime(2027, 1, 24, 0, 0)),
    # Google Forms / the linked Sheet, US English UI: month/day/year, 24-hour or with AM/PM.
    ("1/24/2027 12:24:08", datetime(2027, 1, 24, 12, 24, 8)),
    ("1/24/2027 12:24:08 PM", datetime(2027, 1, 24, 12, 24, 8)),
    ("1/24/2027 8:03:00 PM", datetime(2027, 1, 24, 20, 3)),
    ("12/31/2027 23:59:59", datetime(2027, 12, 31, 23, 59, 59)),
    # The linked Google Sheet saved as CSV (File > Download > CSV), default and Swedish settings.
    ("2027-12-10 09:40:17", datetime(2027, 12, 10, 9, 40, 17)),
    ("2027-12-10 9:40:17", datetime(2027, 12, 10, 9, 40, 17)),
    # Qualtrics CSV export (Data & Analysis > Export data): StartDate, EndDate, RecordedDate;
    # and the ISO 8601 variant in UTC.
    ("2027-01-24 12:24:08", datetime(2027, 1, 24, 12, 24, 8)),
    ("2027-01-24T12:24:08Z", datetime(2027, 1, 24, 13, 24, 8)),  # UTC 12:24 is 13:24 in Stockholm (CET)
    ("2027-07-24T12:24:08Z", datetime(2027, 7, 24, 14, 24, 8)),  # ... and 14:24 in summer (CEST)
    # LimeSurvey response export: submitdate, startdate, datestamp.
    ("2027-01-24 12:24:08", datetime(2027, 1, 24, 12, 24, 8)),
    # KoboToolbox / ODK: start and end as XForms dateTime with the device's offset.
    ("2027-01-24T12:24:08.123+01:00", datetime(2027, 1, 24, 12, 24, 8, 123000)),
    ("2027-01-24T12:24:08.123+03:00", datetime(2027, 1, 24, 10, 24, 8, 123000)),
    ("2027-01-24T12:24:08.5-05:00", datetime(2027, 1, 24, 18, 24, 8, 500000)),
    # Microsoft Forms xlsx: date-time cells become "%Y-%m-%d %H:%M:%S" (evaluation.xlsx.read_rows);
    # text typed in the Swedish UI has no seconds.
    ("2027-01-24 12:24", datetime(2027, 1, 24, 12, 24)),
    # Swedish Excel typed by hand (issue 11): day/month then year, month names, "kl.", "14.05".
    ("1/2 2027", datetime(2027, 2, 1)),
    ("24/12 2027", datetime(2027, 12, 24)),
    ("1/2-2027", datetime(2027, 2, 1)),
    ("20 jan. 2027 14.05", datetime(2027, 1, 20, 14, 5)),
    ("20 jan 2027 14:05", datetime(2027, 1, 20, 14, 5)),
    ("20 januari 2027", datetime(2027, 1, 20)),
    ("3 mars 2027", datetime(2027, 3, 3)),
    ("3 mar. 2027", datetime(2027, 3, 3)),
    ("30 apr 2027", datetime(2027, 4, 30)),
    ("1 maj 2027", datetime(2027, 5, 1)),
    ("6 juni 2027", datetime(2027, 6, 6)),
    ("6 jun. 2027", datetime(2027, 6, 6)),
    ("14 juli 2027", datetime(2027, 7, 14)),
    ("14 jul 2027", datetime(2027, 7, 14)),
    ("15 aug. 2027", datetime(2027, 8, 15)),
    ("15 augusti 2027", datetime(2027, 8, 15)),
    ("9 sep 2027", datetime(2027, 9, 9)),
    ("9 sept. 2027", datetime(2027, 9, 9)),
    ("9 september 2027", datetime(2027, 9, 9)),
    ("31 okt. 2027", datetime(2027, 10, 31)),
    ("11 nov 2027", datetime(2027, 11, 11)),
    ("24 december 2027 kl. 15.00", datetime(2027, 12, 24, 15, 0)),
    ("2 FEBRUARI 2027", datetime(2027, 2, 2)),
    ("2027-01-20 kl. 14.05", datetime(2027, 1, 20, 14, 5)),
    ("2027-01-20 kl 14:05", datetime(2027, 1, 20, 14, 5)),
    ("2027-01-20 14.05", datetime(2027, 1, 20, 14, 5)),
    ("2027-01-20", datetime(2027, 1, 20)),
    # White space as spreadsheets leave it: padding, a no-break space, a narrow no-break space.
    ("  2027-01-20 14:05  ", datetime(2027, 1, 20, 14, 5)),
    ("2027-01-20\u00a014:05", datetime(2027, 1, 20, 14, 5)),
    ("1/24/2027 8:03:00\u202fPM", datetime(2027, 1, 24, 20, 3)),
]


@pytest.mark.parametrize(("text", "expected"), SHAPES)
def test_each_platform_shape_parses_to_stockholm_wall_clock(text, expected):
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A Google Forms timestamp in summer: the zone name or offset that Google writes is CEST/GMT+2,
        # which is local time already.
        ("2027/07/24 12:24:08 em CEST", datetime(2027, 7, 24, 12, 24, 8)),
        ("2027/07/24 12:24:08 PM GMT+2", datetime(2027, 7, 24, 12, 24, 8)),
        # GMT+1 in July is one hour behind the Swedish summer clock.
        ("2027/07/24 12:24:08 PM GMT+1", datetime(2027, 7, 24, 13, 24, 8)),
        ("2027-07-24 12:24:08 CET", datetime(2027, 7, 24, 13, 24, 8)),
        # CEST in winter is one hour ahead of the Swedish winter clock.
        ("2027-01-24 12:24:08 CEST", datetime(2027, 1, 24, 11, 24, 8)),
        ("2027-07-24 10:24:08 UTC", datetime(2027, 7, 24, 12, 24, 8)),
        ("2027-07-24 10:24:08 GMT", datetime(2027, 7, 24, 12, 24, 8)),
        ("2027-07-24T12:24:08+0200", datetime(2027, 7, 24, 12, 24, 8)),
        # Across the change to summer time (2027-03-28 01:00 UTC) and back (2027-10-31 01:00 UTC).
        ("2027-03-28T00:59:00Z", datetime(2027, 3, 28, 1, 59)),
        ("2027-03-28T01:00:00Z", datetime(2027, 3, 28, 3, 0)),
        ("2027-10-31T00:59:00Z", datetime(2027, 10, 31, 2, 59)),
        ("2027-10-31T01:00:00Z", datetime(2027, 10, 31, 2, 0)),
    ],
)
def test_zones_and_summer_time(text, expected):
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Slashes with the year last: January 2 in the US, 1 February in Europe. Never guessed.
        "01/02/2027",
        "1/2/2027",
        "01/02/2027 13:00",
        "11/12/2027 10:15:00",
    ],
)
def test_ambiguous_day_and_month_are_refused(text):
    assert parse_timestamp(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A 12-hour marker shows Google's US English UI: month first.
        ("01/02/2027 1:00:00 PM", datetime(2027, 1, 2, 13, 0)),
        # SurveyMonkey-style US export: month/day with AM/PM.
        ("01/24/2020 10:12:04 AM", datetime(2020, 1, 24, 10, 12, 4)),
        # A number above 12 shows which one is the day.
        ("13/01/2027", datetime(2027, 1, 13)),
        ("01/13/2027", datetime(2027, 1, 13)),
        ("24/1/2027 12:24:08", datetime(2027, 1, 24, 12, 24, 8)),
        # The same date whichever is first.
        ("5/5/2027", datetime(2027, 5, 5)),
    ],
)
def test_unambiguous_slash_dates(text, expected):
    assert parse_timestamp(text) == expected


def test_a_known_order_decides_slash_dates():
    assert parse_timestamp("01/02/2027", month_first=True) == datetime(2027, 1, 2)
    assert parse_timestamp("01/02/2027", month_first=False) == datetime(2027, 2, 1)
    # A declared order that the numbers contradict is refused, not swapped.
    assert parse_timestamp("13/01/2027", month_first=True) is None
    assert parse_timestamp("01/13/2027", month_first=False) is None
    # Swedish "1/2 2027" is day/month whatever the declared order of slash dates.
    assert parse_timestamp("1/2 2027", month_first=True) == datetime(2027, 2, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2027-02-30",  # no such day
        "2027-02-29 10:00",  # 2027 is no leap year
        "2027-13-01",
        "2027-00-10",
        "2027-01-00",
        "31/4 2027",
        "30 feb. 2027",
        "2027-01-01 25:00",
        "2027-01-01 24:00",
        "2027-01-01 12:60",
        "2027-01-01 12:30:60",
        "2027/01/24 0:30:00 PM GMT+1",  # no hour 0 on a 12-hour clock
        "2027/01/24 13:30:00 em CET",
        "1/2/27",  # two-digit years
        "24/1/27 12:00",
        "20 jan. 27",
        "27-01-24",
        "0027-01-24",  # out of the years read
        "1899-12-31",
        "2027-01-24 12:24:08 EST",  # an unknown zone name
        "2027-01-24T12:24:08+25:00",  # no such offset
        "20 foo 2027",  # no such month
        "20 may 2027",  # English month names are not read
        "24.1.2027 12:24",  # a shape not listed
        "46411.5",  # an Excel serial day
        "46411",
        "garbage",
        "2027",
        "ja",
        "2027-01-24 12:24:08 PM extra",
        "2014-0900",  # from a real KoboToolbox export's "today" column
    ],
)
def test_impossible_or_unknown_values_are_refused(text):
    assert parse_timestamp(text) is None


@pytest.mark.parametrize("value", [None, np.nan, pd.NA, pd.NaT, "", "   ", "\u00a0"])
def test_missing_and_blank_cells_give_none(value):
    assert parse_timestamp(value) is None


def test_date_times_already_parsed_are_kept_or_converted():
    assert parse_timestamp(datetime(2027, 1, 24, 12, 24, 8)) == datetime(2027, 1, 24, 12, 24, 8)
    assert parse_timestamp(date(2027, 1, 24)) == datetime(2027, 1, 24)
    aware = datetime(2027, 7, 24, 10, 24, 8, tzinfo=UTC)
    assert parse_timestamp(aware) == datetime(2027, 7, 24, 12, 24, 8)
    assert parse_timestamp(pd.Timestamp("2027-01-24 12:24:08")) == datetime(2027, 1, 24, 12, 24, 8)
    # A date-time outside the years read is refused, and marked as such, not taken for a blank.
    times, failed = parse_timestamps(pd.Series([datetime(1850, 1, 1), datetime(2027, 1, 1)], dtype=object))
    assert times.tolist() == [pd.NaT, pd.Timestamp("2027-01-01")]
    assert failed.tolist() == [True, False]
    times, failed = parse_timestamps(pd.Series(pd.to_datetime(["1850-01-01", "2027-01-01", None])))
    assert times.tolist() == [pd.NaT, pd.Timestamp("2027-01-01"), pd.NaT]
    assert failed.tolist() == [True, False, False]


def test_parse_timestamps_returns_times_and_a_mask_of_unreadable_text():
    values = pd.Series(
        [
            "2027/01/24 12:24:08 em CET",
            "01/02/2027",  # ambiguous: text that could not be read
            None,  # missing: not in the mask
            "",  # blank: not in the mask
            "2027-12-10 9:40:17",
            "not a date",
            "2027/01/24 12:24:08 em CET",  # a repeat
            46411.5,  # a number, not a timestamp
        ],
        index=[10, 11, 12, 13, 14, 15, 16, 17],
        name="Tidstämpel",
    )
    times, failed = parse_timestamps(values)
    assert times.dtype == "datetime64[ns]"
    assert failed.dtype == bool
    assert list(times.index) == list(values.index) == list(failed.index)
    assert times.name == "Tidstämpel"
    expected = [
        pd.Timestamp("2027-01-24 12:24:08"),
        pd.NaT,
        pd.NaT,
        pd.NaT,
        pd.Timestamp("2027-12-10 09:40:17"),
        pd.NaT,
        pd.Timestamp("2027-01-24 12:24:08"),
        pd.NaT,
    ]
    assert times.tolist() == expected
    assert failed.tolist() == [False, True, False, False, False, True, False, True]


def test_parse_timestamps_reads_string_and_datetime_columns():
    text = pd.Series(["2027-01-24 12:24:08", None, "1/2 2027"], dtype="string")
    times, failed = parse_timestamps(text)
    assert times.tolist() == [pd.Timestamp("2027-01-24 12:24:08"), pd.NaT, pd.Timestamp("2027-02-01")]
    assert not failed.any()
    aware = pd.Series(pd.to_datetime(["2027-07-24 10:24:08", None], utc=True))
    times, failed = parse_timestamps(aware)
    assert times.dtype == "datetime64[ns]"
    assert times.tolist() == [pd.Timestamp("2027-07-24 12:24:08"), pd.NaT]
    assert not failed.any()
    empty, failed = parse_timestamps(pd.Series([], dtype=object))
    assert empty.dtype == "datetime64[ns]" and len(empty) == 0 and len(failed) == 0


def test_a_large_column_of_one_shape_is_parsed_right():
    # 100,000 distinct Google Forms timestamps (Swedish UI) from UTC instants through a year; the
    # expected local times come from zoneinfo, independently of the parser.
    rng = np.random.default_rng(7)
    seconds = rng.integers(0, 365 * 86400, 100_000)
    start = datetime(2027, 1, 1, tzinfo=UTC)
    instants = [start + timedelta(seconds=int(s)) for s in seconds]
    texts, expected = [], []
    for instant in instants:
        local = instant.astimezone(STOCKHOLM)
        zone = "CEST" if local.dst() else "CET"
        marker = "em" if local.hour >= 12 else "fm"
        hour = local.hour % 12 or 12
        texts.append(f"{local:%Y/%m/%d} {hour}:{local:%M:%S} {marker} {zone}")
        expected.append(local.replace(tzinfo=None))
    times, failed = parse_timestamps(pd.Series(texts))
    assert not failed.any()
    assert times.tolist() == [pd.Timestamp(e) for e in expected]


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31)),
    st.sampled_from(["iso_z", "kobo", "sheet", "google_en", "limesurvey", "swedish_named", "us"]),
)
def test_round_trip_through_each_shape(moment, shape):
    # Write `moment` in a platform's shape with the standard library, read it back.
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    months = ["jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"]
    if shape == "iso_z":  # `moment` as a UTC instant
        text = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        expected = moment.replace(tzinfo=UTC, microsecond=0).astimezone(STOCKHOLM).replace(tzinfo=None)
    elif shape == "kobo":  # `moment` in a zone three and a half hours east of UTC
        zone = timezone(timedelta(hours=3, minutes=30))
        text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+03:30"
        expected = moment.replace(tzinfo=zone).astimezone(STOCKHOLM).replace(tzinfo=None)
    else:  # local wall clock
        moment = moment.replace(microsecond=0)
        expected = moment
        if shape == "sheet":
            text = f"{moment:%Y-%m-%d} {moment.hour}:{moment:%M:%S}"
        elif shape == "google_en":
            text = moment.strftime("%Y/%m/%d %I:%M:%S %p")
        elif shape == "limesurvey":
            text = moment.strftime("%Y-%m-%d %H:%M:%S")
        elif shape == "us":
            text = f"{moment.month}/{moment.day}/{moment.year} {moment.hour % 12 or 12}:{moment:%M:%S %p}"
        else:
            text = f"{moment.day} {months[moment.month - 1]}. {moment.year} {moment:%H.%M}"
            expected = moment.replace(second=0)
    assert parse_timestamp(text) == expected


# Real exports (copied unchanged from public repositories' fixtures; see real-exports/SOURCES.txt).


def _real(path: Path, **kwargs) -> pd.DataFrame:
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kwargs)


def test_real_qualtrics_dates():
    frame = _real(REAL / "qualtrics" / "qualtRics_sample.csv", skiprows=[1, 2])
    times, failed = parse_timestamps(frame["StartDate"])
    assert times.iloc[0] == pd.Timestamp("2017-07-18 08:28:09")
    assert not failed.any()


def test_real_limesurvey_dates():
    frame = _real(REAL / "limesurvey" / "limonaid_survey_998192_R_data_file.csv", encoding="utf-8-sig")
    times, failed = parse_timestamps(frame["Date started"])
    assert times.iloc[0] == pd.Timestamp("2021-09-24 11:33:56")
    assert not failed.any()
    submitted, failed = parse_timestamps(frame["Date submitted"])
    assert pd.isna(submitted.iloc[1])  # an unfinished response has no submit date: blank, not failed
    assert not failed.any()


def test_real_kobo_dates_with_offsets():
    frame = _real(REAL / "kobo_odk" / "kobocat_good.csv")
    times, failed = parse_timestamps(frame["start_time"])
    assert not failed.any()
    # 2014-09-04T15:06:01.000+03:00 is 12:06:01 UTC, 14:06:01 on the Swedish summer clock.
    assert times.iloc[0] == pd.Timestamp("2014-09-04 14:06:01")
    # ... and +03:01 is a minute further east: 09:18:31 UTC, 11:18:31 in Stockholm.
    assert times.iloc[2] == pd.Timestamp("2014-09-04 11:18:31")
    today, failed = parse_timestamps(frame["today"])
    assert today.iloc[0] == pd.Timestamp("2014-09-04")
    assert failed.tolist()[5] is True  # "2014-0900": quarantined, never guessed


def test_real_surveymonkey_us_dates():
    frame = _real(REAL / "surveymonkey" / "IPIP_Misc_Test_Data.csv", header=None, skiprows=2)
    times, failed = parse_timestamps(frame[2])
    assert times.iloc[0] == pd.Timestamp("2020-01-24 10:12:04")
    assert not failed.any()
