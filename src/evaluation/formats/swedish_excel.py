"""A Swedish spreadsheet saved as CSV: semicolons, decimal comma, Windows-1252, Swedish labels.

What an agency gets when someone keeps responses in Excel with Swedish settings and saves as CSV:
item ids as headers, answers as the Swedish labels (å ä ö in Windows-1252), numbers like ``12,5``.
"""

from evaluation.formats.base import Platform

SWEDISH_EXCEL = Platform(
    name="swedish-excel",
    meta={"Inskickad": "submittedat", "E-post": "email"},
    labels=True,
    multi_separator=", ",
    time_format="%Y-%m-%d %H:%M",
    encoding="cp1252",
    delimiter=";",
    decimal_comma=True,
    participant_column="Deltagarkod",
    version_column=False,
)
