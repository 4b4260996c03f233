"""Reading any survey export as it is: encoding, separator, header rows and platform detected.

`read_export` reads CSV/TSV text (UTF-8 with or without byte-order mark, or Windows-1252; comma,
semicolon or tab; any line endings) and Excel workbooks (first sheet), skips title rows above the header
(a spreadsheet's "Enkät inför programmet – inmatad från papper"), recognises the platform from its
headers (English or Swedish user interface), and returns a `RawExport`: one row per submission, every
cell as text or missing (``n/a``-style markers and blanks are missing), the header rows kept per column,
trailing empty columns dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

from evaluation.errors import IngestError
from evaluation.formats import READABLE, RawExport, platform
from evaluation.formats.base import title_rows
from evaluation.xlsx import read_rows

__all__ = ["detect_platform", "read_export"]

_DELIMITERS = (",", ";", "\t")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^-?\d+\.\d+$")


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise IngestError(
            path, f"okänd teckenkodning / unknown text encoding (not UTF-8 or Windows-1252): {exc}"
        ) from None


def _delimiter(text: str) -> str:
    """Pick the delimiter that splits the first lines into the most consistent number of columns."""
    sample = text[:200_000]
    best, best_score = ",", (-1.0, 0)
    for delimiter in _DELIMITERS:
        rows = []
        try:
            for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
                rows.append(row)
                if len(rows) == 50:
                    break
        except csv.Error:
            pass  # a quoted field cut by the sample's end: judge by the rows before it
        widths = [len(r) for r in rows if r]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        score = (count / len(widths) if width > 1 else 0.0, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _xlsx_records(path: Path) -> list[list[str]]:
    try:
        return read_rows(path)
    except ValueError as exc:
        raise IngestError(path, f"kan inte läsa Excel-filen / cannot read the workbook: {exc}") from None


def detect_platform(records: list[list[str]], *, spreadsheet: bool = False) -> str:
    """Return the name of the platform whose export shape `records` (rows of cells) has.

    Recognises Microsoft Forms (``ID``, ``Start time``, ``Completion time``, or in Swedish ``ID``,
    ``Starttid``, ``Sluttid``), Qualtrics (third row of
    ``{"ImportId": ...}``), legacy Qualtrics (``V1`` over ``ResponseID``), SurveyMonkey (``Respondent
    ID`` and ``Collector ID``), LimeSurvey (``submitdate`` or ``Date submitted``), KoboToolbox/ODK
    (``_uuid``, ``_submission_time``), Google Forms (``Timestamp``), a Swedish spreadsheet
    (``Deltagarkod``) and otherwise a generic table with one header row.
    """
    top = [c.strip() for c in records[0]] if records else []
    second = [c.strip() for c in records[1]] if len(records) > 1 else []
    third = [c.strip() for c in records[2]] if len(records) > 2 else []
    if spreadsheet and top[:3] in (["ID", "Start time", "Completion time"], ["ID", "Starttid", "Sluttid"]):
        return "ms-forms"
    if third and third[0].startswith('{"ImportId"'):
        return "qualtrics"
    if top[:1] == ["V1"] and "ResponseID" in second:
        return "qualtrics-legacy"
    if "Respondent ID" in top and "Collector ID" in top:
        return "surveymonkey"
    if {"submitdate", "Date submitted"} & set(top) or top[:2] == ["Response ID", "Date submitted"]:
        return "limesurvey"
    if {"_uuid", "_submission_time", "meta/instanceID"} & set(top):
        return "kobo"
    if top[:1] in (["Timestamp"], ["Tidstämpel"], ["Tidsstämpel"]):
        return "google-forms"
    if "Deltagarkod" in top:
        return "swedish-excel"
    return "generic"


def read_export(path: str | Path, format: str = "auto") -> RawExport:
    """Read a survey platform's export as it is.

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV/TSV/TXT file or an Excel workbook (.xlsx).
    format : str
        ``"auto"`` to detect the platform, or a name from `evaluation.formats.READABLE`.

    Returns
    -------
    RawExport
        ``frame``: one row per submission, columns named by the first header row (made unique),
        cells as text or None; ``headers``: per column, the header rows as written (codes, question
        texts, import ids); ``platform``, ``encoding``, ``delimiter``, ``header_rows`` and
        ``decimal_comma`` as detected.

    Raises
    ------
    IngestError
        If the file is missing, unreadable, empty, of an unknown format, or an old binary .xls.
    """
    path = Path(path)
    if format != "auto" and format not in READABLE:
        raise IngestError(
            path, f"okänt format / unknown format {format!r}; expected auto or one of {', '.join(READABLE)}"
        )
    if not path.is_file():
        raise IngestError(path, "filen saknas / the file is missing")
    suffix = path.suffix.lower()
    encoding = delimiter = ""
    if suffix in (".xlsx", ".xlsm"):
        records = _xlsx_records(path)
    elif suffix == ".xls":
        raise IngestError(path, "gammalt Excel-format: spara som .xlsx / old .xls format: save it as .xlsx")
    else:
        text, encoding = _decode(path.read_bytes(), path)
        delimiter = _delimiter(text)
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise IngestError(path, f"trasig CSV / malformed CSV: {exc}") from None
    while records and not any(c.strip() for c in records[-1]):
        records.pop()
    if not records:
        raise IngestError(path, "filen är tom / the file is empty")
    if [c.strip() for c in records[0][:4]] == ["id", "related_id", "class", "type/scale"]:
        raise IngestError(
            path,
            "detta är LimeSurveys enkätstruktur, inte svar: exportera svaren / this is a LimeSurvey survey "
            "structure (questions), not responses: export the responses instead",
        )
    titles = title_rows(records)
    records = records[titles:]
    name = format if format != "auto" else detect_platform(records, spreadsheet=not encoding)
    shape = platform(name)
    raw = shape.from_records(records, path)
    raw.header_rows += titles  # so that quarantine lines are the file's lines
    raw = _drop_empty_columns(raw)
    values = [v for col in raw.frame.columns for v in raw.frame[col].dropna().head(200)]
    raw.decimal_comma = any(_DECIMAL_COMMA.match(str(v)) for v in values) and not any(
        _DECIMAL_POINT.match(str(v)) for v in values
    )
    raw.encoding, raw.delimiter = encoding, delimiter
    return raw


def _drop_empty_columns(raw: RawExport) -> RawExport:
    """Drop columns with an empty header and no values (a trailing separator on every line)."""
    empty = [c for c in raw.frame.columns if not str(c).strip() and raw.frame[c].isna().all()]
    empty += [c for c in raw.frame.columns if re.fullmatch(r"\.\d+", str(c)) and raw.frame[c].isna().all()]
    if empty:
        raw.frame = raw.frame.drop(columns=empty)
        raw.headers = {k: v for k, v in raw.headers.items() if k not in empty}
    return raw
