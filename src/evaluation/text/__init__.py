"""One message catalogue for every text a leader or participant reads (Swedish first, then English).

`message` returns a text by key in a language, with its placeholders filled; the catalogue is
``messages.yml`` beside this module. A missing key or language is an error, never a silent fallback
to another language, and a test checks that every key has both languages with the same placeholders.
Numbers are written the reader's way with `number` (decimal comma and a thin space between
thousands in Swedish, "< 0,001" for tiny p-values).
"""

from __future__ import annotations

import math
import string
from functools import cache
from pathlib import Path

import yaml

__all__ = ["LANGUAGES", "catalogue", "message", "number", "p_value"]

LANGUAGES = ("sv", "en")
CATALOGUE = Path(__file__).with_name("messages.yml")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Return the catalogue: key to {language: text}."""
    return yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    """Return the names of the placeholders in a text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def message(key: str, lang: str, **values: object) -> str:
    """Return the text `key` in `lang` with its placeholders filled from `values`.

    Raises
    ------
    KeyError
        If the catalogue has no such key, or the key no text in `lang`, or a placeholder is not given.
    """
    entry = catalogue().get(key)
    if entry is None:
        raise KeyError(f"no message {key!r} in {CATALOGUE.name}")
    if lang not in entry:
        raise KeyError(f"message {key!r} has no {lang!r} text in {CATALOGUE.name}")
    return entry[lang].format(**values)


def number(value: float, lang: str, digits: int = 1) -> str:
    """Write a number the reader's way: decimal comma and thin-space thousands in Swedish, a minus sign."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "sv":
        text = text.replace(",", "\u2009").replace(".", ",")
    return text.replace("-", "−")


def p_value(p: float, lang: str) -> str:
    """Write a p-value: "< 0,001" below a thousandth, else "= 0,012" (three decimals)."""
    return f"< {number(0.001, lang, 3)}" if p < 0.001 else f"= {number(p, lang, 3)}"
