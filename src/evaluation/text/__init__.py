"""One message catalogue for every text a leader or participant reads (Swedish first, then English).

`message` returns a text by key in a language, with its placeholders filled; the catalogue is
``messages.yml`` beside this module. A missing key or language is an error, never a silent fallback
to another language, and a test checks that every key has both languages with the same placeholders.
Numbers are written the reader's way with `number` (decimal comma and a thin space between
thousands in Swedish, "< 0,001" for tiny p-values).
"""

from __future__ import annotations

import math
import re
import string
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import yaml

__all__ = [
    "LANGUAGES",
    "catalogue",
    "foreign_text",
    "in_language",
    "message",
    "number",
    "p_value",
    "percent",
    "visible_text",
]

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
    if float(text.replace(",", "")) == 0:
        text = text.lstrip("-")  # a number that rounds to zero has no sign: "0,00", never "−0,00"
    if lang == "sv":
        text = text.replace(",", "\u2009").replace(".", ",")
    return text.replace("-", "−")


def in_language(bilingual: str | tuple[str, str], lang: str) -> str:
    """Return the `lang` part of a Swedish-English pair: a ``(sv, en)`` tuple or a "svenska / English" text.

    Texts made outside the catalogue (disclosure notes, ingest reasons) carry both languages this way;
    a text without " / " is returned as it is.
    """
    parts = bilingual.split(" / ", 1) if isinstance(bilingual, str) else list(bilingual)
    return parts[LANGUAGES.index(lang)] if len(parts) == len(LANGUAGES) else bilingual


def percent(share: float, lang: str, digits: int = 0) -> str:
    """Write a share (0-1) as per cent: "12 %" in Swedish (with a no-break space), "12%" in English."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return message("format.percent", lang, value=number(100 * share, lang, digits))


def p_value(p: float, lang: str) -> str:
    """Write a p-value: "< 0,001" below a thousandth, else "= 0,012" (three decimals)."""
    return f"< {number(0.001, lang, 3)}" if p < 0.001 else f"= {number(p, lang, 3)}"


ENGLISH_WORDS = frozenset(
    """
    the and of with from change changed construct constructs mean means role roles pairs pair note
    notes estimate estimates suppressed adjusted confidence interval before after agency agencies
    cohort report reports true false none nan yes no effect size value values share answered invited
    cost costs intercept error deviation significance level weight raw shrunken gap shown hidden
    too few answers increase increased decrease decreased clear unclear participants participant
    mentee mentees completers dropouts attrition reliability reliable summary caveats experience
    programme comments items item quality rates response
    """.split()  # noqa: SIM905
)
"""Common English words that are not Swedish words (so not "data", "term", "program", "total",
"standard"): their presence marks an untranslated text."""

SWEDISH_WORDS = frozenset(
    """
    och för med inte att som är på av till från eller visas svarade förändring förändringen kronor
    myndigheten myndigheter mentorerna adepter adepterna alla övriga före efter antal andel skalsteg
    """.split()  # noqa: SIM905
)
"""Common Swedish words that are not English words: on an English page they mark an untranslated text."""

_DECIMAL_COMMA = re.compile(r"\b\d+,\d{1,2}\b")

_SEMVER = re.compile(r"\b\d+\.\d+\.\d+\b")
_FILE_NAME = re.compile(r"[\w.-]+\.(?:yml|yaml|csv|xlsx|json|html|pdf|ipynb|parquet)\b")
_WITH_DIGITS = re.compile(r"\b[A-Za-z_]+\d\w*\b")
_DECIMAL_POINT = re.compile(r"\d\.\d")
_FOREIGN = {
    "sv": (ENGLISH_WORDS, _DECIMAL_POINT, "engelska ord / English words"),
    "en": (SWEDISH_WORDS, _DECIMAL_COMMA, "svenska ord / Swedish words"),
}
"""Per page language: the other language's words, the wrong decimal separator, and the finding's name."""
_IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\[T\.")
_WORD = re.compile(r"[A-Za-zÅÄÖåäöÉé]+")


class _VisibleText(HTMLParser):
    """Collect the text a reader sees or hears (alt texts included), minus parts in another language."""

    _SKIP = frozenset({"script", "style", "template"})
    _VOID = frozenset({"img", "br", "hr", "meta", "link", "input", "col", "area", "base", "source", "wbr"})

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.stack: list[bool] = []  # per open element: whether its content is skipped
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        skipped = bool(self.stack and self.stack[-1]) or tag in self._SKIP
        own = attributes.get("lang")
        if own and tag != "html" and own.split("-")[0] != self.lang:
            skipped = True
        if not skipped and attributes.get("alt"):
            self.texts.append(attributes["alt"] or "")
        if tag not in self._VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]) and data.strip():
            self.texts.append(data.strip())


def visible_text(markup: str, lang: str) -> list[str]:
    """Return the pieces of text of an HTML page a reader in `lang` sees (and alt texts), in order.

    Script, style and elements marked with another ``lang`` (a deliberate English gloss) are left out.
    """
    parser = _VisibleText(lang)
    parser.feed(markup)
    return parser.texts


def foreign_text(markup: str, lang: str = "sv", *, ids: bool = True) -> list[str]:
    """Return what in a page's visible text is not written for a reader in `lang` (empty when all is).

    For a Swedish page: English words (`ENGLISH_WORDS`), ``True``/``False``/``NaN``/``None``, numbers
    with a decimal point (version numbers such as 2.0.0 and file names excepted) and, with `ids`,
    identifiers (``snake_case`` names, model terms such as ``wave[T.post]``). For an English page the
    same with Swedish words (`SWEDISH_WORDS`) and a decimal comma. Each finding names the text it was
    found in.

    Parameters
    ----------
    markup : str
        An HTML page.
    lang : str
        The page's language, ``sv`` or ``en`` (names of agencies and cohorts stay as they are).
    ids : bool
        Also report identifiers (leadership pages); analyst pages may show item ids.

    Returns
    -------
    list of str
        ``"<what>: <text>"`` per finding.
    """
    foreign, separator, label = _FOREIGN[lang]
    found = []
    for text in visible_text(markup, lang):
        plain = _FILE_NAME.sub("", _SEMVER.sub("", text))
        if not ids:
            plain = _WITH_DIGITS.sub("", plain)  # item ids such as pair1 on an analyst's page
        words = {w for w in _WORD.findall(plain)}
        wrong = sorted(w for w in words if w.lower() in foreign and not w.isupper())
        wrong += sorted(w for w in words if w in {"True", "False", "NaN", "None"})
        if wrong:
            found.append(f"{label} {wrong}: {text[:120]}")
        if separator.search(plain):
            found.append(f"decimaltecken / decimal separator: {text[:120]}")
        if ids and _IDENTIFIER.search(plain):
            found.append(f"id / identifier {_IDENTIFIER.search(plain).group(0)!r}: {text[:120]}")
    return found
