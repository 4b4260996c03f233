"""Answer values: codes to the labels platforms show, and any label or code back to its code.

Defined once and used both by the writers (synthetic exports) and by the readers (ingest): a label is
recognised in Swedish or English, in any case and with stray whitespace; a number may have a decimal
comma. Nothing is guessed: a value that matches no label and is not a number is returned unchanged,
for the caller to reject.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from evaluation.survey import Scale

__all__ = ["decode", "encode", "is_missing", "label_index", "normalise_text", "parse_number"]

_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Return `text` in lower case with runs of whitespace as one space and no leading or trailing."""
    return _SPACES.sub(" ", text).strip().casefold()


def is_missing(value: object) -> bool:
    """Whether a cell is empty: None, NaN or a blank string."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def label_index(scale: Scale) -> dict[str, int]:
    """Map every label of `scale` (both languages, normalised) and every code as text to its code."""
    index = {}
    for choice in scale.choices:
        index[str(choice.code)] = choice.code
        for lang in ("sv", "en"):
            index[normalise_text(choice.label[lang])] = choice.code
    return index


def parse_number(text: str) -> float | None:
    """Parse ``12``, ``12.5``, ``12,5`` or `` 12 `` as a number; None if it is not one."""
    cleaned = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"-?\d+([.,]\d+)?", cleaned):
        return float(cleaned.replace(",", "."))
    return None


def encode(value: object, scale: Scale, lang: str, *, labels: bool, separator: str = ";") -> object:
    """Return a canonical value as a platform writes it.

    Parameters
    ----------
    value : object
        A canonical value (a code, ``"1;4"`` for multiple choice, a number, text); anything else is
        passed through unchanged, which is how planted faults reach the file.
    scale : Scale
        The item's scale.
    lang : {"sv", "en"}
        Language of labels.
    labels : bool
        Write choice labels instead of codes.
    separator : str
        How several choices are joined.

    Returns
    -------
    object
        The cell value; None for a missing value.
    """
    if is_missing(value):
        return None
    if not scale.has_choices:
        return value
    if scale.type == "multiple":
        if not isinstance(value, str) or not re.fullmatch(r"\d+(;\d+)*", value):
            return value
        codes = [int(code) for code in value.split(";")]
        parts = [scale.label(code, lang) if labels else str(code) for code in codes]
        return separator.join(parts)
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        code = int(value)
        if labels and code in scale.codes:
            return scale.label(code, lang)
        return code
    return value


def decode(value: object, scale: Scale, *, separators: Iterable[str] = (";",)) -> object:
    """Return the canonical value of a cell, or the cell unchanged if it cannot be read.

    Choice scales: a code or a label in either language (case and whitespace ignored) becomes the
    code; a code outside the scale stays as the number it is, for the caller to reject. Multiple
    choice: the parts, split on any of `separators`, each decoded, joined as ``"1;4"``. Numbers: a
    decimal comma is accepted. Text and dates are returned stripped.
    """
    if is_missing(value):
        return None
    text = str(value).strip()
    if scale.type == "multiple":
        pattern = "|".join(re.escape(s) for s in separators)
        parts = [p for p in re.split(pattern, text) if p.strip()]
        index = label_index(scale)
        codes = [index.get(normalise_text(p)) for p in parts]
        if not parts or any(c is None for c in codes):
            return text
        return ";".join(str(c) for c in sorted(set(codes)))
    if scale.has_choices:
        code = label_index(scale).get(normalise_text(text))
        if code is not None:
            return None if code in scale.missing_codes else code  # "Kan inte bedöma": no answer
        number = parse_number(text)
        if number is not None and number.is_integer() and int(number) in scale.missing_codes:
            return None
        return int(number) if number is not None and number.is_integer() else text
    if scale.type in ("integer", "decimal"):
        number = parse_number(text)
        if number is None:
            return text
        return int(number) if scale.type == "integer" and number.is_integer() else number
    return text
