"""Dates and times as survey platforms and Swedish spreadsheets write them, read as Swedish wall-clock time.

Every timestamp becomes a naive `datetime` in local Swedish time (the Europe/Stockholm wall clock). A
time written with a zone or offset (``CET``, ``CEST``, ``GMT+1``, ``UTC``, ``Z``, ``+01:00``) is
converted to that wall clock (with `zoneinfo`) and its zone dropped; a time written without one is
taken as already local.

The shapes read (each a whole cell; surrounding and repeated white space, including no-break spaces,
ignored; letters in any case):

==========================================  ========================================================
``2027/01/24 12:24:08 em CET``              Google Forms CSV, Swedish UI (``fm`` = AM, ``em`` = PM)
``2027/01/24 12:24:08 PM GMT+1``            Google Forms CSV, English UI
``1/24/2027 12:24:08``, ``… 12:24:08 PM``   Google Forms, US English UI: month first
``2027-12-10 09:40:17``                     the linked Google Sheet saved as CSV; Qualtrics; LimeSurvey;
                                            Microsoft Forms xlsx cells (`evaluation.xlsx.read_rows`)
``2027-12-10 9:40:17``                      Google Sheets with Swedish settings
``2027-01-24T12:24:08Z``                    Qualtrics with "use ISO format"
``2027-01-24T12:24:08.123+01:00``           KoboToolbox
``2027-01-24 12:24``                        Microsoft Forms, Swedish UI
``1/2 2027``, ``1/2-2027``                  Swedish, typed by hand: day/month, then the year (1 February)
``20 jan. 2027 14.05``, ``20 januari 2027``  Swedish month names and abbreviations, with or without a dot
``2027-01-20 kl. 14.05``, ``2027-01-20``    Swedish Excel typed by hand
==========================================  ========================================================

Nothing is guessed. A cell that cannot be read with certainty gives None (and `parse_timestamps`
marks it, so that ingest can quarantine it with its raw text):

- ``01/02/2027`` (slashes, year last) is January 2 in the US and 1 February in Europe: None, unless a
  12-hour marker (AM/PM/fm/em) shows Google's US English UI (month first), or a number above 12 shows
  which is the day, or the caller knows the source's order (``month_first``); ``5/5/2027`` is the
  same date either way;
- impossible dates and times (2027-02-30, 25:00, 0:30 PM, a seconds field of 60), two-digit years,
  years outside 1900–2199, unknown month names or zones, bare numbers (Excel serial days) and every
  other shape.

Speed: a column is parsed vectorised (Arrow's RE2 regular expressions and NumPy arithmetic), each
distinct cell once; 100,000 distinct timestamps take about a tenth of a second.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["STOCKHOLM", "parse_timestamp", "parse_timestamps"]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
"""The wall clock every parsed time is expressed in."""

_MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "mars": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "maj": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "augusti": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
"""Swedish month names and their abbreviations (lower case; a trailing dot is allowed in the text)."""

_YEARS = (1900, 2199)
_NAT = np.datetime64("NaT", "ns")

# The patterns are RE2 (Arrow), matched against text whose white space is single ASCII spaces.
# After the date: "T", or a space (optionally after a comma, optionally "kl." before the time); hours
# and minutes (":" or the Swedish "."), optional seconds and fraction, a 12-hour marker, a zone.
_TIME = (
    r"(?:T|,? (?:kl\.? ?)?)"
    r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?"
    r"(?: ?(?P<P>[afep]\.? ?m\.?))?"
    r"(?: ?(?P<Z>z|utc|gmt|cest|cet|(?:utc|gmt) ?[+-] ?\d{1,2}(?::?\d{2})?|[+-]\d{2}(?::?\d{2})?))?"
)
_DATES = (
    # year first (ISO order; Google's 2027/01/24): month, then day
    ("ymd", r"(?P<Y>\d{4})-(?P<A>\d{1,2})-(?P<B>\d{1,2})"),
    ("ymd", r"(?P<Y>\d{4})/(?P<A>\d{1,2})/(?P<B>\d{1,2})"),
    # slashes, year last: US month/day or European day/month, see `_assemble`
    ("slash", r"(?P<A>\d{1,2})/(?P<B>\d{1,2})/(?P<Y>\d{4})"),
    # Swedish "1/2 2027" and "1/2-2027": day/month, then the year
    ("dm", r"(?P<A>\d{1,2})/(?P<B>\d{1,2})[ -](?P<Y>\d{4})"),
    # "20 jan. 2027", "20 januari 2027"
    ("named", r"(?P<A>\d{1,2}) (?P<N>\pL+)\.? (?P<Y>\d{4})"),
)
_PATTERNS = tuple((kind, rf"(?i)^{body}(?:{_TIME})?$") for kind, body in _DATES)
_ZONES = {"z": 0, "utc": 0, "gmt": 0, "cet": 60, "cest": 120}


def parse_timestamp(text: object, *, month_first: bool | None = None) -> datetime | None:
    """Return the Swedish wall-clock time a cell shows, or None if it cannot be read with certainty.

    Parameters
    ----------
    text : object
        A cell: text in one of the shapes in the module's docstring, or a `datetime` (an aware one is
        converted to Swedish time) or `date` (midnight). None, NaN and blank text give None.
    month_first : bool, optional
        Only for dates with slashes and the year last (``01/02/2027``): True when the source is known
        to write month/day (a US locale), False when known to write day/month. By default such a date
        is read only when it is unambiguous (see the module's docstring).

    Returns
    -------
    datetime or None
        Naive, Europe/Stockholm wall clock, microsecond precision.

    Notes
    -----
    For a whole column use `parse_timestamps`, which reads each distinct value once, vectorised.
    """
    parsed, _ = parse_timestamps(pd.Series([text], dtype=object), month_first=month_first)
    value = parsed.iloc[0]
    return None if pd.isna(value) else value.to_pydatetime()


def parse_timestamps(values: pd.Series, *, month_first: bool | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse a column of timestamps (see `parse_timestamp` for the rules and `month_first`).

    Parameters
    ----------
    values : pandas.Series
        Cells as read from an export: text, or already date-times.
    month_first : bool, optional
        See `parse_timestamp`.

    Returns
    -------
    tuple of pandas.Series
        The times (``datetime64[ns]``, naive Swedish wall clock, NaT where missing or unreadable) and a
        boolean mask of the cells that held text but could not be read; both on `values`' index.
    """
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        times = values
        if getattr(values.dtype, "tz", None) is not None:
            times = values.dt.tz_convert(STOCKHOLM).dt.tz_localize(None)
        failed = times.notna() & ~times.dt.year.between(*_YEARS)
        return times.where(~failed).astype("datetime64[ns]"), failed.astype(bool)
    cells = values.astype(object)
    present = cells.notna().to_numpy()
    codes, uniques = pd.factorize(cells[present])
    parsed, blank = _parse_unique(np.asarray(uniques, dtype=object), month_first)
    times = np.full(len(values), _NAT)
    times[present] = parsed[codes]
    failed = np.zeros(len(values), dtype=bool)
    failed[present] = np.isnat(parsed[codes]) & ~blank[codes]
    return (
        pd.Series(times, index=index, name=values.name, dtype="datetime64[ns]"),
        pd.Series(failed, index=index, name=values.name, dtype=bool),
    )


def _parse_unique(cells: np.ndarray, month_first: bool | None) -> tuple[np.ndarray, np.ndarray]:
    """Parse distinct cells; return their times (datetime64[ns]) and which of them were blank."""
    parsed = np.full(len(cells), _NAT)
    given = np.zeros(len(cells), dtype=bool)  # date-times already, not text
    if pd.api.types.infer_dtype(cells, skipna=False) == "string":
        texts = list(cells)
    else:
        texts = []
        for i, cell in enumerate(cells):
            if isinstance(cell, datetime | date):
                parsed[i], given[i] = _from_datetime(cell), True
                texts.append("")
            else:
                texts.append(str(cell))
    normal = pc.utf8_trim_whitespace(
        pc.replace_substring_regex(pa.array(texts, pa.string()), r"[\s\pZ]+", " ")
    )
    blank = (pc.utf8_length(normal).to_numpy(zero_copy_only=False) == 0) & ~given
    todo = np.flatnonzero(~blank & ~given)
    for kind, pattern in _PATTERNS:
        if not len(todo):
            break
        parts = pc.extract_regex(normal.take(pa.array(todo)), pattern)
        hit = parts.is_valid().to_numpy(zero_copy_only=False)
        if hit.any():
            parsed[todo[hit]] = _assemble(kind, parts.filter(pa.array(hit)), month_first)
            todo = todo[~hit]
    return parsed, blank


def _from_datetime(value: date) -> np.datetime64:
    """Return a date-time cell as Swedish wall clock (a date as midnight); NaT outside the years read."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if pd.isna(value) or not _YEARS[0] <= value.year <= _YEARS[1]:
        return _NAT
    if value.tzinfo is not None:
        value = value.astimezone(STOCKHOLM).replace(tzinfo=None)
    return np.datetime64(value, "ns")


def _assemble(kind: str, parts: pa.StructArray, month_first: bool | None) -> np.ndarray:
    """Turn one shape's regex groups into times (datetime64[ns]); NaT where impossible or ambiguous."""
    groups = dict(zip([f.name for f in parts.type], parts.flatten(), strict=True))

    def number(name: str, default: float = np.nan) -> np.ndarray:
        if name not in groups:
            return np.full(len(parts), default)
        text = groups[name]
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        value = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
        return np.where(np.isnan(value), default, value)

    year, first, second = number("Y"), number("A"), number("B")
    marker = pc.replace_substring_regex(pc.utf8_lower(groups["P"]), r"[. ]", "")
    twelve = pc.not_equal(marker, "").to_numpy(zero_copy_only=False)
    pm = pc.is_in(marker, value_set=pa.array(["pm", "em"])).to_numpy(zero_copy_only=False)
    if kind == "ymd":
        day = _dates(year, first, second)
    elif kind == "dm":
        day = _dates(year, second, first)
    elif kind == "named":
        index = pc.index_in(pc.utf8_lower(groups["N"]), value_set=pa.array(list(_MONTHS)))
        index = pc.fill_null(index, -1).to_numpy(zero_copy_only=False)
        month = np.where(index >= 0, np.array([*_MONTHS.values(), 0])[index], np.nan)
        day = _dates(year, month, first)
    else:  # slashes, year last
        us, eu = _dates(year, first, second), _dates(year, second, first)
        if month_first is not None:
            day = us if month_first else eu
        else:
            both = ~np.isnat(us) & ~np.isnat(eu) & (first != second)
            day = np.where(np.isnat(us), eu, us)  # the only valid reading; if both are, month first ...
            day = np.where(both & ~twelve, _NAT, day)  # ... only where a 12-hour marker shows Google's US UI
    hour, minute, second = number("H", 0), number("M", 0), number("S", 0)
    fraction = pc.utf8_rpad(pc.utf8_slice_codeunits(groups["F"], 0, 6), 6, "0")
    micro = pc.cast(fraction, pa.float64()).to_numpy(zero_copy_only=False)
    valid = np.where(twelve, (hour >= 1) & (hour <= 12), hour <= 23) & (minute <= 59) & (second <= 59)
    hour = np.where(twelve, hour % 12 + np.where(pm, 12, 0), hour)
    micros = ((hour * 60 + minute) * 60 + second) * 1_000_000 + micro
    times = day + (np.where(valid, micros, 0).astype("int64") * 1000).astype("timedelta64[ns]")
    zone = pc.utf8_lower(groups["Z"])
    zoned = pc.not_equal(zone, "").to_numpy(zero_copy_only=False)
    if zoned.any():
        names = pc.unique(zone)
        known = np.array([_offset_minutes(z) for z in names.to_pylist()])
        offset = known[pc.index_in(zone, value_set=names).to_numpy(zero_copy_only=False)]
        valid &= ~(zoned & np.isnan(offset))
        shift = (np.nan_to_num(offset[zoned]).astype("int64") * 60_000_000_000).astype("timedelta64[ns]")
        utc = pd.DatetimeIndex(times[zoned] - shift).tz_localize("UTC")
        times[zoned] = utc.tz_convert(STOCKHOLM).tz_localize(None).to_numpy("datetime64[ns]")
    return np.where(valid, times, _NAT)


def _dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Return midnight of each valid (year, month, day) as datetime64[ns]; NaT for impossible parts."""
    ok = (year >= _YEARS[0]) & (year <= _YEARS[1]) & (month >= 1) & (month <= 12) & (day >= 1)
    start = ((np.where(ok, year, 2000) - 1970) * 12 + np.where(ok, month, 1) - 1).astype("int64")
    start = start.astype("datetime64[M]")
    length = ((start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")).astype("int64")
    ok &= day <= length
    dates = start.astype("datetime64[D]") + (np.where(ok, day, 1) - 1).astype("int64")
    return np.where(ok, dates.astype("datetime64[ns]"), _NAT)


def _offset_minutes(zone: str) -> float:
    """Return a zone's offset from UTC in minutes (``cet`` 60, ``gmt+2`` 120, ``-05:30`` -330), or NaN."""
    zone = zone.replace(" ", "")
    if zone in _ZONES:
        return float(_ZONES[zone])
    rest = zone.removeprefix("utc").removeprefix("gmt")
    if len(rest) < 2 or rest[0] not in "+-":
        return np.nan
    hours, _, minutes = rest[1:].partition(":")
    if not minutes and len(hours) == 4:  # +0100
        hours, minutes = hours[:2], hours[2:]
    if not hours.isdigit() or not (minutes or "0").isdigit():
        return np.nan
    h, m = int(hours), int(minutes or 0)
    if h > 14 or m > 59:
        return np.nan
    return float((1 if rest[0] == "+" else -1) * (h * 60 + m))
