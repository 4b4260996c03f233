"""Reader views: what a leadership page shows of a table, in the reader's language.

A view names topics, roles and groups instead of ids, writes numbers the reader's way (decimal
comma, thin-space thousands, "< 0,001", per cent), puts an interval in one column and takes every
header from the message catalogue; the tidy table (the CSV the page names) is unchanged.
"""

from __future__ import annotations

import re

import pandas as pd

from evaluation.disclosure import Protected
from evaluation.report.data import CohortData, construct_name
from evaluation.report.text import (
    group_name,
    interval,
    levels_text,
    note_text,
    reason_text,
    role_name,
    topic_name,
)
from evaluation.text import message, number, p_value, percent

__all__ = [
    "change_table",
    "cost_view",
    "model_view",
    "primary_view",
    "rates_view",
    "reader_view",
    "whole_counts",
]


_INTERVAL_PREFIXES = ("", "shift_", "change_pre_", "change_then_")
_P_COLUMNS = frozenset({"p", "p_adj", "shift_p"})
_SHARE_COLUMNS = frozenset({"missing_share", "floor_share", "ceiling_share", "attrition", "net"})
_WORD_COLUMNS = ("wave", "measure", "family", "claim", "source", "instrument")
"""Columns whose values are words of the catalogue (``<column>.<value>``)."""


def reader_view(
    protected: Protected,
    lang: str,
    data: CohortData | None = None,
    digits: int = 2,
    keys: dict[str, str] | None = None,
) -> Protected:
    """Return a table with the catalogue's reader view: what a leadership page shows of it.

    Every header comes from the catalogue (``column.<name>``); topics, roles and the words of
    `_WORD_COLUMNS` are named in `lang`; an interval (``ci_low``/``ci_high``, also with a prefix such
    as ``shift_``) is one column; p-values read "< 0,001"; shares read as per cent; notes are in
    `lang` (`evaluation.report.text.note_text`). The tidy table (the CSV) is unchanged.

    Parameters
    ----------
    protected : evaluation.disclosure.Protected
        A table without a view.
    lang : str
        ``sv`` or ``en``.
    data : CohortData, optional
        The cohort, for its topics' names (without it the ids are looked up in the current templates).
    digits : int
        Decimals of numbers.
    keys : dict, optional
        Column to the catalogue key of its header, where ``column.<name>`` would say the wrong thing
        (``alpha`` is Cronbach's alpha in one table and a significance level in another).

    Returns
    -------
    evaluation.disclosure.Protected
        The same table with its view and headers.

    Raises
    ------
    KeyError
        If the catalogue has no header for a column or no word for a value.
    """
    frame = protected.frame
    view = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        prefix = column.removesuffix("ci_low")
        if column.endswith("ci_low") and prefix in _INTERVAL_PREFIXES and f"{prefix}ci_high" in frame:
            highs = frame[f"{prefix}ci_high"]
            view[f"{prefix}ci"] = [
                interval(lo, hi, lang, digits) for lo, hi in zip(values, highs, strict=True)
            ]
        elif column.endswith("ci_high") and column.removesuffix("ci_high") in _INTERVAL_PREFIXES:
            continue
        elif column == "construct":
            view[column] = [topic_name(data, c, lang) for c in values]
        elif column == "role":
            view[column] = [role_name(r, lang) for r in values]
        elif column in _WORD_COLUMNS:
            view[column] = [
                message(f"{column}.{v}", lang) if isinstance(v, str) and v else "" for v in values
            ]
        elif column == "kind":
            view[column] = [reason_text(v, lang) for v in values]
        elif column in _P_COLUMNS:
            view[column] = ["–" if pd.isna(p) else p_value(p, lang).removeprefix("= ") for p in values]
        elif column in _SHARE_COLUMNS:
            view[column] = ["–" if pd.isna(v) else percent(v, lang) for v in values]
        elif column == "note":
            view[column] = [note_text(n, lang) for n in values]
        elif column == "levels":
            view[column] = [levels_text(v, lang) for v in values]
        else:
            view[column] = values
    for column in view.columns:
        if column in _COUNT_COLUMNS or column.startswith("n_"):
            view[column] = whole_counts(view[column])
    headers = {c: message((keys or {}).get(c, f"column.{c}"), lang) for c in view.columns}
    return protected.with_view(view, headers)


_COUNT_COLUMNS = frozenset(
    {"n", "pairs", "rows", "invited", "answered", "answered_baseline", "answered_followup"}
)


def whole_counts(values: pd.Series) -> pd.Series:
    """Return counts as whole numbers (a count is a float only because a hidden cell is missing)."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().any() and (numbers.dropna() % 1 == 0).all():
        return numbers.astype("Int64").astype(object).where(numbers.notna(), None)
    return values


def rates_view(table: Protected, answered: list[str], lang: str) -> Protected:
    """Return a response-rate table (`evaluation.report.tables.response_rates`) with its reader view.

    Groups and roles by name, the inspiration meetings as "Träff 2", and beside each `answered`
    column its share of the invited in per cent.
    """
    frame = table.frame
    view = pd.DataFrame({"agency": [group_name(a, lang) for a in frame["agency"]]})
    view["role"] = [role_name(r, lang) for r in frame["role"]]
    if "wave" in frame:  # the inspiration meetings: "meeting2" reads "Träff 2"
        view["wave"] = [
            message("occasion.meeting", lang, number=w.removeprefix("meeting"))
            if isinstance(w, str) and re.fullmatch(r"meeting\d+", w)
            else w
            for w in frame["wave"]
        ]
    view["invited"] = frame["invited"]
    for column in answered:
        view[column] = frame[column]
        share = frame[column].astype("Float64") / frame["invited"].astype("Float64")
        view[f"rate_{column}"] = [
            "–" if pd.isna(v) else percent(v, lang) for v in share.astype(object).where(share.notna(), None)
        ]
    view["note"] = [note_text(n, lang) for n in frame["note"]]
    headers = {c: message(f"column.{c}", lang) for c in view.columns} | {
        "wave": message("column.occasion", lang)
    }
    return table.with_view(view, headers)


def primary_view(primary: Protected, data: CohortData, lang: str) -> Protected:
    """Return the primary estimates (`evaluation.report.tables.primary_change`) with a reader view.

    The view has topic and role names, numbers the reader's way (decimal comma in Swedish), the
    interval in one column, "< 0,001" for tiny p-values, and the plan's family and the claim in words;
    every header and word from the message catalogue (`evaluation.text`). The tidy table (the CSV) is
    unchanged.
    """
    frame = primary.frame
    view = pd.DataFrame(
        {
            "construct": [construct_name(data, c, lang) for c in frame["construct"]],
            "role": [role_name(r, lang) for r in frame["role"]],
            "n": frame["n"],
            "estimate": [number(v, lang, 2) for v in frame["estimate"]],
            "ci": [interval(lo, hi, lang) for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)],
            "g": [number(v, lang, 2) for v in frame["g"]],
            "p_adj": ["–" if pd.isna(p) else p_value(p, lang).removeprefix("= ") for p in frame["p_adj"]],
            "family": [message(f"family.{f}", lang) for f in frame["family"]],
            "claim": [
                message(f"claim.{c}", lang) if isinstance(c, str) and c else message("claim.none", lang)
                for c in frame["claim"]
            ],
        }
    )
    headers = {c: message(f"table.primary.{c}", lang) for c in view.columns}
    return primary.with_view(view, headers)


def cost_view(table: Protected, lang: str) -> Protected:
    """Return the cost table (`evaluation.report.tables.cost_table`) with its reader view.

    Kronor without decimals, the net share of improved adepts in per cent, each interval one column.
    """
    frame = table.frame
    share = frame["measure"] == "net_improved_adepts"

    def shown(value: float, is_share: bool) -> str:
        if pd.isna(value):
            return "–"
        return percent(value, lang) if is_share else number(value, lang, 0)

    view = pd.DataFrame(
        {
            "measure": [message(f"measure.{m}", lang) for m in frame["measure"]],
            "value": [shown(v, s) for v, s in zip(frame["value"], share, strict=True)],
            "ci": [
                "–" if pd.isna(lo) else message("interval", lang, low=shown(lo, s), high=shown(hi, s))
                for lo, hi, s in zip(frame["ci_low"], frame["ci_high"], share, strict=True)
            ],
            "n": frame["n"],
            "note": [note_text(n, lang) for n in frame["note"]],
        }
    )
    return table.with_view(view, {c: message(f"column.{c}", lang) for c in view.columns})


_TERM_PARTS = {
    "Intercept": "term.intercept",
    "wave[T.post]": "term.post",
    "role[T.mentor]": "term.mentor",
    "Group Var": "term.group_var",
}


def model_view(model: Protected, lang: str) -> Protected:
    """Return a model's coefficient table (`model_table`) with its terms in words and a reader view."""
    frame = model.frame
    terms = [
        " × ".join(message(_TERM_PARTS[part], lang) if part in _TERM_PARTS else part for part in t.split(":"))
        for t in frame["term"].astype(str)
    ]
    viewed = reader_view(model, lang)
    view = viewed.view.assign(term=terms)
    return model.with_view(view, viewed.headers)


def change_table(change: Protected, data: CohortData, lang: str) -> Protected:
    """Return change per construct and role (`evaluation.report.tables.cohort_change`) with a reader view.

    The view has construct and role names in `lang`, the interval as one column and headers in
    `lang`; the tidy table (the CSV) is unchanged.
    """
    frame = change.frame
    view = frame.copy()
    view["construct"] = [construct_name(data, c, lang) for c in frame["construct"]]
    view["role"] = [role_name(r, lang) for r in frame["role"]]
    view["ci"] = [interval(lo, hi, lang) for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)]
    view["p_adj"] = ["–" if pd.isna(p) else p_value(p, lang).removeprefix("= ") for p in frame["p_adj"]]
    columns = ["construct", "role", "n", "mean_pre", "mean_post", "mean_diff", "ci", "p_adj", "hedges_gav"]
    return change.with_view(view[columns], {c: message(f"column.{c}", lang) for c in columns})
