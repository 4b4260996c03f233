"""What the report notebooks call: loading a cohort, Swedish/English text, accessible tables and figures.

Notebooks stay thin: a parameters cell, then one-line calls into this module and
`evaluation.outcomes`. Everything a reader sees comes from here, in the report's language; every
figure gets a title and a text alternative that states its finding.

Privacy by construction: `table` shows and writes only `evaluation.disclosure.Protected` tables (it
raises `evaluation.disclosure.UnprotectedTableError` for anything else), and writes each to
``results/<name>.csv`` with exactly the suppression the page shows. Every output of this module
carries a mark (`OUTPUT_MARK`) in its display metadata; the report builder (`evaluation.reporting`)
refuses a notebook whose outputs lack it, so a raw table printed in a notebook is never published.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import re
import textwrap
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from evaluation.cohort import CohortConfig, load_cohort
from evaluation.disclosure import ALL, OTHER_AGENCIES, Protected, UnprotectedTableError
from evaluation.scoring import score
from evaluation.survey import Templates, load_templates, pinned
from evaluation.text import catalogue, in_language, message, number, p_value, percent

__all__ = [
    "OUTPUT_MARK",
    "CohortData",
    "agency_heatmap",
    "agency_heatmaps",
    "agency_summary",
    "agency_vs_cohort",
    "change_by_agency",
    "change_table",
    "claims",
    "cohort_change",
    "comments",
    "comparability_note",
    "construct_name",
    "cost_table",
    "dyadic_table",
    "figure",
    "forest_plot",
    "gap_change_table",
    "heading",
    "inspiration_response_rates",
    "load",
    "missing_items",
    "model_table",
    "not_comparable",
    "paragraph",
    "perception_table",
    "plan",
    "planning_table",
    "primary_change",
    "primary_view",
    "protect",
    "quarantine_summary",
    "reliabilities",
    "reliability_table",
    "reliable_change_table",
    "response_rates",
    "role_gap_table",
    "save",
    "shrunken_agency_change",
    "slope_plot",
    "summary",
    "table",
]

OUTPUT_MARK = "evaluation.reports"
"""The display-metadata mark of every output this module makes (see `evaluation.reporting`)."""

PALETTE = {"mentor": "#0072B2", "adept": "#D55E00"}
"""Okabe-Ito colours, distinguishable with colour-vision deficiencies, with enough contrast on white."""


def _role(role: object, lang: str) -> object:
    """Return a role's name as a group ("mentorer", "adepter"; "mentors", "mentees"; both roles)."""
    return message(f"role.{role}.group", lang) if role in ("mentor", "adept", "all") else role


def _group(agency: object, lang: str) -> object:
    """Return an agency's name, or the catalogue's name for all agencies and the pooled others."""
    names = {ALL: "group.all", OTHER_AGENCIES: "group.other"}
    return message(names[agency], lang) if agency in names else agency


@dataclass
class CohortData:
    """A cohort's processed data and the derived scores."""

    folder: Path
    config: CohortConfig
    templates: Templates
    responses: pd.DataFrame
    scores: pd.DataFrame
    inspiration: pd.DataFrame
    meeting_log: pd.DataFrame
    quarantine: pd.DataFrame
    ingest: dict
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    """Results computed once per loaded cohort (the mixed models behind the primary estimates)."""


_LOADED: dict[tuple, CohortData] = {}
"""Cohorts loaded in this process, by folder and the state of their files (`load`)."""


def _state(folder: Path) -> tuple:
    """Return what identifies a cohort's data on disk: each processed file's name, size and mtime."""
    files = [*sorted((folder / "processed").glob("*")), folder / "cohort.yml"]
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files if p.is_file())


def load(cohort_dir: str | Path) -> CohortData:
    """Load a cohort's ``processed/`` outputs (run ``evaluation ingest`` first) and score them.

    A build runs many reports of one cohort in the same warm kernel: the cohort is read and scored
    once per process and shared, with everything computed from it (`CohortData.memo`), for as long
    as its files are unchanged (each file's size and modification time) and its settings as they are
    in cohort.yml (a caller that changed ``data.config`` gets a fresh cohort).
    """
    folder = Path(cohort_dir)
    processed = folder / "processed"
    key = (str(folder.resolve()), _state(folder)) if (processed / "responses.parquet").exists() else None
    if key in _LOADED and _LOADED[key].config == load_cohort(folder):
        return _LOADED[key]
    data = _read(folder)
    _LOADED.clear()  # one cohort at a time: a build, or an analyst's session
    _LOADED[key] = data
    return data


def _memo(data: CohortData, key: object, compute):
    """Return ``data.memo[key]``, computing it once per loaded cohort."""
    if key not in data.memo:
        data.memo[key] = compute()
    return data.memo[key]


def _read(folder: Path) -> CohortData:
    processed = folder / "processed"
    if not (processed / "responses.parquet").exists():
        raise FileNotFoundError(
            f"{processed / 'responses.parquet'} saknas / is missing: run `evaluation ingest {folder}` first"
        )
    config = load_cohort(folder)
    templates = pinned(load_templates(), {i: pin.version for i, pin in config.instruments.items()})
    responses = pd.read_parquet(processed / "responses.parquet")
    log_path = processed / "meeting_log.parquet"
    return CohortData(
        folder=folder,
        config=config,
        templates=templates,
        responses=responses,
        scores=score(responses, templates),
        inspiration=pd.read_parquet(processed / "inspiration.parquet"),
        meeting_log=pd.read_parquet(log_path) if log_path.exists() else pd.DataFrame(),
        quarantine=pd.read_csv(processed / "quarantine.csv"),
        ingest=json.loads((processed / "ingest_report.json").read_text(encoding="utf-8")),
    )


def construct_name(data: CohortData, construct: str, lang: str) -> str:
    """Return a construct's name in `lang`."""
    found = data.templates.constructs.get(construct)
    return found.name[lang] if found else construct


class Shown:
    """A piece of a report page made by this module: HTML with the mark `OUTPUT_MARK`."""

    def __init__(self, markup: str) -> None:
        self.data = markup

    def _repr_html_(self) -> tuple[str, dict]:
        return self.data, {OUTPUT_MARK: True}

    def __repr__(self) -> str:
        return ""


def _show(markup: str) -> Shown:
    return Shown(markup)


def heading(key: str, lang: str, level: int = 2, **values: object) -> Shown:
    """Display the catalogue's text `key` (`evaluation.text`) as a heading in the report's language."""
    return _show(f"<h{level}>{html.escape(message(key, lang, **values))}</h{level}>")


def paragraph(key: str, lang: str, **values: object) -> Shown:
    """Display the catalogue's text `key` (`evaluation.text`) as a paragraph in the report's language."""
    return _show(f"<p>{html.escape(message(key, lang, **values))}</p>")


def _cell(value, digits: int, lang: str | None) -> str:
    if value is None or value is pd.NA or (isinstance(value, float | np.floating) and np.isnan(value)):
        return '<td class="num">–</td>'
    if isinstance(value, bool | np.bool_):
        shown = str(value) if lang is None else message(f"value.{'yes' if value else 'no'}", lang)
        return f"<td>{html.escape(shown)}</td>"
    if isinstance(value, int | np.integer):
        return f'<td class="num">{int(value) if lang is None else number(int(value), lang, 0)}</td>'
    if isinstance(value, float | np.floating):
        shown = f"{value:.{digits}f}" if lang is None else number(float(value), lang, digits)
        return f'<td class="num">{shown}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def save(protected: Protected, results_dir: str | Path, name: str) -> Path:
    """Write a protected table as ``results/<name>.csv`` (hidden cells empty) and return the path.

    Raises
    ------
    evaluation.disclosure.UnprotectedTableError
        If `protected` did not pass through `evaluation.disclosure`.
    """
    if not isinstance(protected, Protected):
        raise UnprotectedTableError(
            f"results/{name}.csv: only tables protected by evaluation.disclosure are published, "
            f"got {type(protected).__name__}; use reports.protect(...) first"
        )
    folder = Path(results_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    protected.frame.to_csv(path, index=False, lineterminator="\n")
    return path


def table(
    protected: Protected,
    caption: str,
    *,
    name: str,
    results_dir: str | Path,
    digits: int = 2,
    lang: str | None = None,
    data: CohortData | None = None,
) -> Shown:
    """Show an accessible table and write the same table to ``results/<name>.csv``.

    The page shows the table's reader view (or the table itself) with a caption, header cells with
    scope, numbers right-aligned and hidden cells as "–"; the CSV holds the tidy table with exactly
    the same cells hidden (empty). The HTML names its CSV (``data-results``) and each column the CSV
    column it shows (``data-col``), so that `evaluation.audit` can check what was published.

    Parameters
    ----------
    protected : evaluation.disclosure.Protected
        A table that passed disclosure control.
    caption : str
        The table's caption in the report's language.
    name : str
        The CSV's name under `results_dir`, without ``.csv``.
    results_dir : str or pathlib.Path
        ``reports/<cohort>/results``.
    digits : int
        Decimals of non-integer numbers.
    lang : str, optional
        The report's language. Given, numbers are written the reader's way (`evaluation.text.number`)
        and a table without a reader view gets the catalogue's one (`reader_view`), so that no column
        name, id, boolean or decimal point reaches a leadership page. Without it the tidy table is
        shown as it is (analysts' notebooks).
    data : CohortData, optional
        The cohort, for the names of its topics in `reader_view`.

    Raises
    ------
    evaluation.disclosure.UnprotectedTableError
        If `protected` did not pass through `evaluation.disclosure`.
    KeyError
        If `lang` is given and the catalogue has no header for one of the table's columns.
    """
    save(protected, results_dir, name)
    if lang is not None and protected.view is None:
        protected = reader_view(protected, lang, data, digits=digits)
    frame = protected.view if protected.view is not None else protected.frame
    if lang is not None and "note" in frame and not frame["note"].fillna("").astype(str).str.strip().any():
        frame = frame.drop(columns="note")  # a column of nothing tells the reader nothing
    head = "".join(
        f'<th scope="col" data-col="{html.escape(str(c), quote=True)}">'
        f"{html.escape(str(protected.headers.get(c, c)))}</th>"
        for c in frame.columns
    )
    rows = "".join(
        "<tr>" + "".join(_cell(v, digits, lang) for v in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return _show(
        f'<table class="report" data-results="{html.escape(name, quote=True)}.csv">'
        f"<caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


_INTERVAL_PREFIXES = ("", "shift_", "change_pre_", "change_then_")
_P_COLUMNS = frozenset({"p", "p_adj", "shift_p"})
_SHARE_COLUMNS = frozenset({"missing_share", "floor_share", "ceiling_share", "attrition", "net"})
_WORD_COLUMNS = ("wave", "measure", "family", "claim", "source", "instrument")
"""Columns whose values are words of the catalogue (``<column>.<value>``)."""


def interval(low: float, high: float, lang: str, digits: int = 2) -> str:
    """Write an interval the reader's way ("0,12 till 0,45"; "–" when hidden or not estimable)."""
    if pd.isna(low) or pd.isna(high):
        return "–"
    return message("interval", lang, low=number(low, lang, digits), high=number(high, lang, digits))


def note_text(note: object, lang: str) -> str:
    """Return a table's note in `lang`.

    Notes are "svenska / English" (disclosure, ingest) or English from the statistics (`outcomes`,
    `pairs`, `perception`, `primary`); each "; "-separated English part is looked up in the
    catalogue's ``note.*`` texts, and a part the catalogue does not know reads as
    ``note.technical`` in Swedish (the CSV keeps the full text).
    """
    if not isinstance(note, str) or not note:
        return ""
    if " / " in note:
        return in_language(note, lang)
    if lang == "en":
        return note
    known = _english_notes()
    parts = [message(known[part], lang) if part in known else None for part in note.split("; ")]
    texts = [p for p in parts if p is not None]
    if len(texts) < len(parts):
        texts.append(message("note.technical", lang))
    return "; ".join(dict.fromkeys(texts))


@cache
def _english_notes() -> dict[str, str]:
    return {entry["en"]: key for key, entry in catalogue().items() if key.startswith("note.")}


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
    `lang` (`note_text`). The tidy table (the CSV) is unchanged.

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
            view[column] = [_topic(data, c, lang) for c in values]
        elif column == "role":
            view[column] = [_role(r, lang) for r in values]
        elif column in _WORD_COLUMNS:
            view[column] = [
                message(f"{column}.{v}", lang) if isinstance(v, str) and v else "" for v in values
            ]
        elif column == "kind":
            view[column] = [_reason(v, lang) for v in values]
        elif column in _P_COLUMNS:
            view[column] = ["–" if pd.isna(p) else p_value(p, lang).removeprefix("= ") for p in values]
        elif column in _SHARE_COLUMNS:
            view[column] = ["–" if pd.isna(v) else percent(v, lang) for v in values]
        elif column == "note":
            view[column] = [note_text(n, lang) for n in values]
        elif column == "levels":
            view[column] = [_levels(v, lang) for v in values]
        else:
            view[column] = values
    for column in view.columns:
        if column in _COUNT_COLUMNS or column.startswith("n_"):
            view[column] = _counts(view[column])
    headers = {c: message((keys or {}).get(c, f"column.{c}"), lang) for c in view.columns}
    return protected.with_view(view, headers)


_COUNT_COLUMNS = frozenset(
    {"n", "pairs", "rows", "invited", "answered", "answered_baseline", "answered_followup"}
)


def _counts(values: pd.Series) -> pd.Series:
    """Return counts as whole numbers (a count is a float only because a hidden cell is missing)."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().any() and (numbers.dropna() % 1 == 0).all():
        return numbers.astype("Int64").astype(object).where(numbers.notna(), None)
    return values


def _levels(levels: object, lang: str) -> object:
    """Return a mixed model's levels ("agency (level and change), pair, participant") in `lang`."""
    if not isinstance(levels, str) or not levels:
        return levels
    names = {"agency (level and change)": "level.agency_change", "agency": "level.agency"}
    names |= {"pair": "level.pair", "participant": "level.participant"}
    return ", ".join(message(names[p], lang) if p in names else p for p in levels.split(", "))


def _topic(data: CohortData | None, construct: object, lang: str) -> object:
    if not isinstance(construct, str):
        return construct
    if f"topic.{construct}" in catalogue():  # a summary row such as any_primary
        return message(f"topic.{construct}", lang)
    if data is not None:
        return construct_name(data, construct, lang)
    found = _current_templates().constructs.get(construct)
    return found.name[lang] if found else construct


@cache
def _current_templates() -> Templates:
    return load_templates()


def _reason(kind: object, lang: str) -> object:
    from evaluation.ingest.pipeline import REASONS

    return in_language(REASONS[kind], lang) if kind in REASONS else kind


def figure(fig: plt.Figure, *, title: str, alt: str):
    """Display a figure as an embedded PNG with its title and a text alternative stating its finding."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return _show(
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'
        f"<figcaption>{html.escape(title)}</figcaption></figure>"
    )


def forest_plot(change: pd.DataFrame, data: CohortData, lang: str, measure: str = "points"):
    """Return a forest plot of change with 95% CIs per construct and role, and its finding.

    `measure` ``"points"`` plots ``mean_diff`` with ``ci_low``/``ci_high`` in scale points;
    ``"g"`` plots ``g`` with ``g_ci_low``/``g_ci_high`` (change in standard deviations), the one scale
    on which constructs with different response scales (1-5, 0-10) can be compared.
    """
    from evaluation.text import message

    columns = {"points": ("mean_diff", "ci_low", "ci_high"), "g": ("g", "g_ci_low", "g_ci_high")}[measure]
    frame = change[change[list(columns)].notna().all(axis=1)].rename(
        columns=dict(zip(columns, ("x", "lo", "hi"), strict=True))
    )
    frame["label"] = [construct_name(data, c, lang) for c in frame["construct"]]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(frame) + 1.2))
    order = sorted(frame["label"].unique())
    for offset, (role, group) in zip((-0.15, 0.15), frame.groupby("role"), strict=False):
        _intervals_at(ax, group, order, offset, color=PALETTE[role], label=_role(role, lang))
    ax.axvline(0, color="#333333", linewidth=1)
    ax.set_yticks(range(len(order)), [_wrapped(label) for label in order])
    ax.set_xlabel(message(f"figure.forest.x.{measure}", lang))
    ax.xaxis.set_major_formatter(_decimals(lang))
    ax.legend(loc="lower right")
    sns.despine(fig)
    clear = frame[(frame["lo"] > 0) | (frame["hi"] < 0)]
    finding = message("figure.forest.finding", lang, clear=len(clear), total=len(frame))
    return fig, finding


def _wrapped(label: str, width: int = 32) -> str:
    """Return a long axis label on several lines, so that a figure keeps its size on an A4 page."""
    return "\n".join(textwrap.wrap(label, width)) or label


def _decimals(lang: str) -> matplotlib.ticker.FuncFormatter:
    """Return an axis formatter that writes tick values the reader's way (decimal comma in Swedish)."""
    return matplotlib.ticker.FuncFormatter(lambda v, _: number(v, lang, 0 if float(v).is_integer() else 1))


def _intervals_at(ax, rows: pd.DataFrame, order: list[str], offset: float, *, color, label: str) -> None:
    """Draw estimates ``x`` with intervals ``lo``-``hi`` on the rows of `order` their ``label`` names."""
    y = np.array([order.index(name) for name in rows["label"]]) + offset
    ax.errorbar(
        rows["x"],
        y,
        xerr=[rows["x"] - rows["lo"], rows["hi"] - rows["x"]],
        fmt="o",
        color=color,
        label=label,
        capsize=3,
    )


def slope_plot(data: CohortData, construct: str, lang: str):
    """Return a paired slope plot (each participant before and after) for a construct, and its finding."""
    wide = data.scores[(data.scores["construct"] == construct) & data.scores["wave"].isin(["pre", "post"])]
    wide = (
        wide.pivot_table(index=["pseudonym", "role"], columns="wave", values="score").dropna().reset_index()
    )
    fig, ax = plt.subplots(figsize=(5, 4))
    for _, row in wide.iterrows():
        ax.plot([0, 1], [row["pre"], row["post"]], color=PALETTE[row["role"]], alpha=0.35, linewidth=1)
    for role, group in wide.groupby("role"):
        ax.plot(
            [0, 1],
            [group["pre"].mean(), group["post"].mean()],
            color=PALETTE[role],
            linewidth=3,
            label=_role(role, lang),
        )
    ax.set_xticks([0, 1], [message("figure.slope.before", lang), message("figure.slope.after", lang)])
    ax.yaxis.set_major_formatter(_decimals(lang))
    ax.set_ylabel(construct_name(data, construct, lang))
    ax.legend()
    sns.despine(fig)
    up = float((wide["post"] > wide["pre"]).mean()) if len(wide) else float("nan")
    finding = message("figure.slope.finding", lang, share=number(100 * up, lang, 0))
    return fig, finding


def _rates(data: CohortData) -> pd.DataFrame:
    rates = pd.DataFrame(data.ingest["response_rates"])
    if rates.empty:
        return pd.DataFrame(columns=["instrument", "wave", "role", "agency", "invited", "responded"])
    return rates


def _agencies(data: CohortData) -> list[str]:
    return sorted(pd.DataFrame(data.ingest["response_rates"]).get("agency", pd.Series(dtype=str)).unique())


def response_rates(data: CohortData, lang: str = "sv") -> Protected:
    """Return who answered the baseline and the follow-up, per agency and role, protected.

    Agencies too small to show (and their complements) are pooled as ``Övriga myndigheter``; rows
    whose agency is ``Alla`` hold the cohort totals per role (see
    `evaluation.disclosure.DisclosurePolicy.breakdown`).

    Returns
    -------
    evaluation.disclosure.Protected
        Columns agency, role, invited, answered_baseline, answered_followup, note; its reader view
        adds the response rates.
    """
    rates = _rates(data)
    keys = ["agency", "role"]
    invited = (
        rates[(rates["instrument"] == "baseline") & (rates["wave"] == "pre")].groupby(keys)["invited"].sum()
    )
    frame = invited.to_frame()
    for column, instrument, wave in (
        ("answered_baseline", "baseline", "pre"),
        ("answered_followup", "followup", "post"),
    ):
        picked = rates[(rates["instrument"] == instrument) & (rates["wave"] == wave)]
        frame[column] = picked.groupby(keys)["responded"].sum().reindex(frame.index, fill_value=0)
    table = data.config.disclosure.breakdown(
        frame.reset_index(),
        by="agency",
        within=["role"],
        size="invited",
        additive=["invited", "answered_baseline", "answered_followup"],
        order=_agencies(data),
    )
    return _rates_view(table, ["answered_baseline", "answered_followup"], lang)


def inspiration_response_rates(data: CohortData, lang: str = "sv") -> Protected:
    """Return who answered the feedback after each inspiration meeting, per agency and role.

    Returns
    -------
    evaluation.disclosure.Protected
        Columns agency, role, wave (the meeting), invited, answered, note; protected as
        `response_rates`.
    """
    rates = _rates(data)
    picked = rates[rates["instrument"] == "inspiration"].rename(columns={"responded": "answered"})
    frame = picked.groupby(["agency", "role", "wave"], as_index=False)[["invited", "answered"]].sum()
    table = data.config.disclosure.breakdown(
        frame,
        by="agency",
        within=["wave", "role"],
        size="invited",
        additive=["invited", "answered"],
        order=_agencies(data),
    )
    return _rates_view(table, ["answered"], lang)


def _rates_view(table: Protected, answered: list[str], lang: str) -> Protected:
    frame = table.frame
    view = pd.DataFrame({"agency": [_group(a, lang) for a in frame["agency"]]})
    view["role"] = [_role(r, lang) for r in frame["role"]]
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


def missing_items(data: CohortData, top: int = 10) -> Protected:
    """Return the items most often left unanswered, protected by the number who answered.

    Columns: instrument, wave, item, n, missing_share, note (see `evaluation.scoring.item_statistics`).
    """
    from evaluation.scoring import item_statistics

    items = item_statistics(data.responses, data.templates)
    items = items.sort_values("missing_share", ascending=False).head(top)
    return protect(
        items[["instrument", "wave", "item", "n", "missing_share"]], data, "instrument", "wave", "item"
    )


def plan(data: CohortData):
    """Return the cohort's analysis plan (`evaluation.claims.analysis_plan`)."""
    from evaluation.claims import analysis_plan

    return analysis_plan(data.config, data.templates)


def _everyone(data: CohortData) -> pd.DataFrame:
    """Return the primary estimates (`evaluation.primary.change_from_everyone`), fitted once per cohort.

    The mixed models are the slowest part of a build, and the brief and the cohort report both need
    them: they are kept beside the cohort's processed data (``processed/.cache/``, derived numbers
    per construct and role only) under a key of the scores and the code that fits them, so that
    every process of a build fits them once.
    """
    if "everyone" not in data.memo:
        import hashlib
        import os

        import statsmodels

        from evaluation import primary

        digest = hashlib.sha256()
        digest.update(pd.util.hash_pandas_object(data.scores, index=False).to_numpy().tobytes())
        digest.update(Path(primary.__file__).read_bytes() + statsmodels.__version__.encode())
        cached = data.folder / "processed" / ".cache" / f"primary-{digest.hexdigest()[:24]}.parquet"
        if cached.exists():
            data.memo["everyone"] = pd.read_parquet(cached)
        else:
            data.memo["everyone"] = _fit_everyone(data)
            with contextlib.suppress(OSError):  # a read-only data folder: fit again next time
                cached.parent.mkdir(exist_ok=True)
                partial = cached.with_suffix(f".{os.getpid()}.tmp")
                data.memo["everyone"].to_parquet(partial, index=False)
                partial.replace(cached)
    return data.memo["everyone"]


def _fit_everyone(data: CohortData) -> pd.DataFrame:
    from evaluation.primary import CHANGE_COLUMNS, change_from_everyone

    both = data.scores[data.scores["wave"].isin(["pre", "post"]) & data.scores["score"].notna()]
    asked = both.groupby("construct")["wave"].nunique()
    frames = []
    for construct in sorted(asked[asked == 2].index):
        try:
            frames.append(change_from_everyone(data.scores, construct))
        except ValueError as exc:  # too few answers for any model: a row per role, with the reason
            roles = sorted(both.loc[both["construct"] == construct, "role"].unique())
            frames.append(pd.DataFrame({"construct": construct, "role": roles, "note": str(exc)}))
    if not frames:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    return pd.concat(frames, ignore_index=True).reindex(columns=CHANGE_COLUMNS)


def _primary_with_claims(data: CohortData) -> pd.DataFrame:
    """Return the primary estimates with the plan's family, adjusted p, claim and tipping point."""
    from evaluation.claims import cohort_claims
    from evaluation.primary import tipping_point

    known = plan(data)
    everyone = _everyone(data).copy()
    claims = cohort_claims(everyone, known)
    table = everyone.merge(
        claims[["construct", "role", "p_adj", "claim"]], on=["construct", "role"], how="left"
    )
    table["family"] = [known.family(c, r) for c, r in zip(table["construct"], table["role"], strict=True)]
    table["tipping_delta"] = [
        tipping_point(r.estimate, r.se, r.p, r.p_adj, r.n, r.n_dropouts, alpha=known.alpha, df=r.df)
        for r in table.itertuples()
    ]
    return table


def primary_change(data: CohortData) -> Protected:
    """Return the primary estimates of change with the analysis plan's claims, protected.

    One mixed model per construct using every answer given (`evaluation.primary`); ``p_adj`` is
    adjusted within the row's family (`evaluation.claims`: Holm over the primary outcomes across
    roles, Benjamini-Hochberg over the rest), ``claim`` is what the reports say (missing for a group
    too small for claims), ``tipping_delta`` how much lower (higher) the dropouts' change would have
    to be to overturn an increase (decrease), in scale points.

    Returns
    -------
    evaluation.disclosure.Protected
        construct, role, n (with both waves), estimate, ci_low, ci_high, p, p_adj, family, claim, g,
        g_ci_low, g_ci_high, tipping_delta, levels, note. (The number of dropouts is not published: it
        can be a group below the minimum.)
    """
    columns = [
        "construct", "role", "n", "estimate", "ci_low", "ci_high", "p", "p_adj", "family",
        "claim", "g", "g_ci_low", "g_ci_high", "tipping_delta", "levels", "note",
    ]  # fmt: skip
    return protect(_primary_with_claims(data)[columns], data, "construct", "role", "family", "levels")


def primary_view(primary: Protected, data: CohortData, lang: str) -> Protected:
    """Return the primary estimates (`primary_change`) with a reader view for leadership.

    The view has topic and role names, numbers the reader's way (decimal comma in Swedish), the
    interval in one column, "< 0,001" for tiny p-values, and the plan's family and the claim in words;
    every header and word from the message catalogue (`evaluation.text`). The tidy table (the CSV) is
    unchanged.
    """
    frame = primary.frame
    view = pd.DataFrame(
        {
            "construct": [construct_name(data, c, lang) for c in frame["construct"]],
            "role": [_role(r, lang) for r in frame["role"]],
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


def cohort_change(data: CohortData) -> Protected:
    """Return the complete-case change per construct and role (the sensitivity analysis), protected.

    Paired change of the participants who answered both waves (`evaluation.outcomes.cohort_change`);
    ``p_adj`` is adjusted within the row's family of the analysis plan (`evaluation.claims`) and
    ``family`` says which. The claims come from the primary estimates (`primary_change`), which use
    everyone; this table shows whether the completers alone tell the same story.
    """
    return _memo(data, "cohort_change", lambda: _cohort_change(data))


def _cohort_change(data: CohortData) -> Protected:
    from evaluation import outcomes
    from evaluation.claims import cohort_claims

    known = plan(data)
    change = outcomes.cohort_change(data.scores)
    adjusted = cohort_claims(change, known)[["construct", "role", "p_adj"]]
    change = change.drop(columns=["p_adj"]).merge(adjusted, on=["construct", "role"], how="left")
    change["family"] = [known.family(c, r) for c, r in zip(change["construct"], change["role"], strict=True)]
    columns = ["construct", "role", "n", "mean_pre", "mean_post", "mean_diff", "ci_low", "ci_high"]
    return protect(
        change[[*columns, "p", "p_adj", "hedges_gav", "note", "family"]], data, "construct", "role", "family"
    )


def claims(data: CohortData) -> Protected:
    """Return every claim of the cohort's reports, protected: the table written as ``results/claims.csv``.

    Cohort scope: every construct x role with at least ``min_n_for_claims`` participants answering
    both waves; agency scope: the primary outcomes of agencies shown by disclosure control with at
    least that many (`evaluation.claims`). Columns `evaluation.claims.CLAIM_COLUMNS`.
    """
    from evaluation.claims import CLAIM_COLUMNS, cohort_claims

    known = plan(data)
    cohort = cohort_claims(_everyone(data), known)
    agencies = _agency_claims(data)
    table = pd.concat([cohort, agencies], ignore_index=True) if len(agencies) else cohort
    protected = protect(table, data, "scope", "construct", "role", "family")
    return protected.narrow(protected.frame[CLAIM_COLUMNS])


def _agency_claims(data: CohortData) -> pd.DataFrame:
    """Return the agency-scope claims (`evaluation.claims.agency_claims`), once per loaded cohort."""
    from evaluation.claims import agency_claims

    return _memo(
        data, "agency_claims", lambda: agency_claims(data.scores, change_by_agency(data).frame, plan(data))
    )


def change_by_agency(data: CohortData) -> Protected:
    """Return change per agency, construct and role (`evaluation.outcomes.by_agency`), protected.

    Hidden agencies keep a row without numbers and are reported together as ``Övriga myndigheter``;
    agency reports and the heatmap are views of this one table, so every agency number is published
    from a single protected computation. Constructs reported for the cohort only
    (`evaluation.survey.Construct.cohort_only`) are left out.
    """
    from evaluation import outcomes

    def compute() -> Protected:
        cohort_only = {c.id for c in data.templates.constructs.values() if c.cohort_only}
        scores = data.scores[~data.scores["construct"].isin(cohort_only)]
        return protect(
            outcomes.by_agency(scores, data.config.disclosure), data, "agency", "construct", "role"
        )

    return _memo(data, "change_by_agency", compute)


def shrunken_agency_change(data: CohortData, agency: str | None = None) -> Protected:
    """Return the agencies' empirical-Bayes change per construct and role (`evaluation.agencies`).

    Each shown agency's mean change pulled towards the cohort's by how noisy it is; hidden agencies get
    no row. With `agency`, that agency's rows only.

    Returns
    -------
    evaluation.disclosure.Protected
        agency, construct, role, n, raw, shrunken, ci_low, ci_high, weight, tau, note.
    """
    from evaluation.agencies import shrunken_changes

    table = _memo(data, "shrunken", lambda: shrunken_changes(data.scores, change_by_agency(data).frame))
    if agency is not None:
        table = table[table["agency"] == agency]
    return protect(table.reset_index(drop=True), data, "agency", "construct", "role")


def agency_vs_cohort(data: CohortData, agency: str, lang: str) -> Protected:
    """Return the agency's change next to the cohort's, per construct and role, protected.

    The agency's rows come from `change_by_agency` (so they hide exactly what the cohort report hides)
    and the cohort's from `cohort_change`; both land in the CSV, the agency's with ``agency`` set to
    its name and the cohort's with ``Alla``.

    Returns
    -------
    evaluation.disclosure.Protected
        Columns agency, construct, role, n, mean_diff, ci_low, ci_high, note: the agency's rows, then
        the cohort's; its reader view shows them with names and headers in `lang`.
    """
    keep = ["agency", "construct", "role", "n", "mean_diff", "ci_low", "ci_high", "note"]
    by_agency = change_by_agency(data)
    own = by_agency.select((by_agency.frame["agency"] == agency) & ~by_agency.hidden)  # hidden: said in words
    combined = Protected.concat([own, cohort_change(data)])
    frame = combined.frame.assign(agency=combined.frame["agency"].fillna(ALL)).reindex(columns=keep)
    combined = combined.narrow(frame)
    view = pd.DataFrame(
        {
            "agency": [_group(a, lang) for a in frame["agency"]],
            "construct": [construct_name(data, c, lang) for c in frame["construct"]],
            "role": [_role(r, lang) for r in frame["role"]],
            "n": _counts(frame["n"]),
            "mean_diff": frame["mean_diff"],
            "ci": [interval(lo, hi, lang) for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)],
        }
    )
    return combined.with_view(view, {c: message(f"column.{c}", lang) for c in view.columns})


def quarantine_summary(data: CohortData) -> Protected:
    """Return the rows and cells set aside at ingest, per source file and reason, protected.

    A count below the minimum reporting size is hidden (a quarantined row is a person's answers).

    Returns
    -------
    evaluation.disclosure.Protected
        Columns file, kind, rows, note.
    """
    if data.quarantine.empty:
        frame = pd.DataFrame(
            {"file": pd.Series(dtype=str), "kind": pd.Series(dtype=str), "rows": pd.Series(dtype=int)}
        )
    else:
        frame = data.quarantine.groupby(["file", "kind"]).size().rename("rows").reset_index()
    return protect(frame, data, "file", "kind")


def reliability_table(data: CohortData) -> pd.DataFrame:
    """Return Cronbach's alpha per mean-scored construct and wave.

    Columns: construct, wave, alpha, ci_low, ci_high, n, note.
    """
    from evaluation.stats import cronbach_alpha

    rows = []
    for construct in data.templates.constructs.values():
        if construct.scoring.method != "mean":
            continue
        items = list(construct.scoring.items)
        codes = data.templates.scale_of(data.templates.items[items[0]]).codes
        for wave, group in data.responses[data.responses["item"].isin(items)].groupby("wave", sort=True):
            wide = group.pivot_table(index="pseudonym", columns="item", values="value")
            row = {"construct": construct.id, "wave": wave}
            try:
                result = cronbach_alpha(
                    wide[[i for i in items if i in wide]],
                    reverse=list(construct.scoring.reverse),
                    scale_min=min(codes),
                    scale_max=max(codes),
                )
                row |= {k: result[k] for k in ("alpha", "ci_low", "ci_high", "n")} | {"note": ""}
            except (ValueError, KeyError) as exc:
                row |= {"note": str(exc)}
            rows.append(row)
    return pd.DataFrame(rows)


def role_gap_table(data: CohortData) -> Protected:
    """Return the mentor - adept differences at baseline per construct (`evaluation.pairs.role_gaps`).

    Differences between the roles (and ages) in this program, over pairs with both members; not
    differences between generations. Columns construct, pairs, mean_mentor, mean_adept, gap, ci_low,
    ci_high, p, note.
    """
    from evaluation.pairs import role_gaps

    return protect(role_gaps(data.scores), data, "construct")


def gap_change_table(data: CohortData) -> Protected:
    """Return the signed change of the pairs' mentor - adept gap per construct (`evaluation.pairs`).

    Columns construct, pairs, gap_pre, gap_post, gap_change, ci_low, ci_high, p, note.
    """
    from evaluation.pairs import gap_change

    return protect(gap_change(data.scores), data, "construct")


def dyadic_table(data: CohortData) -> Protected:
    """Return the dyadic model of change for the primary outcomes both roles answer.

    Each role's mean change estimated jointly with the within-pair correlation of change
    (`evaluation.pairs.dyadic_change`). Columns construct, role, n (members with both waves), pairs,
    change, ci_low, ci_high, p, rho, note.
    """
    from evaluation.pairs import dyadic_change

    both = sorted(
        {
            c
            for c, _ in plan(data).primary
            if (c, "mentor") in plan(data).primary and (c, "adept") in plan(data).primary
        }
    )
    frames = []
    for construct in both:
        try:
            frames.append(
                dyadic_change(data.scores, construct).rename(columns={"members": "n"}).assign(note="")
            )
        except ValueError as exc:
            frames.append(pd.DataFrame([{"construct": construct, "note": str(exc)}]))
    columns = ["construct", "role", "n", "pairs", "change", "ci_low", "ci_high", "p", "rho", "note"]
    table = (
        pd.concat(frames, ignore_index=True).reindex(columns=columns)
        if frames
        else pd.DataFrame(columns=columns)
    )
    return protect(table, data, "construct", "role")


def perception_table(data: CohortData) -> Protected:
    """Return how accurately the pairs perceive each other's work values (`evaluation.perception`).

    Two measures per perceiving role and wave (and their change): ``partner`` (the mean over pairs of
    the distance between one's belief and the partner's own answer; version 2 asks about the partner)
    and ``group`` (the distance between a role's mean belief and the other role's mean answer,
    bias-corrected), with bootstrap intervals that resample pairs.

    Returns
    -------
    evaluation.disclosure.Protected
        measure, role, wave, pairs, estimate, bias, estimate_bc, ci_low, ci_high, note.
    """
    from evaluation.perception import accuracy

    return protect(accuracy(data.responses, data.templates), data, "measure", "role", "wave")


def planning_table(
    data: CohortData, pairs: int | None = None, change: float | None = None, lang: str | None = None
) -> Protected:
    """Return the smallest detectable change for the next cohort per primary outcome (`evaluation.planning`).

    Default size: as many pairs as this cohort; with `change`, the pairs needed to detect it. With
    `lang`, the table has its reader view (`reader_view`; ``alpha`` is the significance level).

    Returns
    -------
    evaluation.disclosure.Protected
        `evaluation.planning.PLAN_COLUMNS`.
    """
    from evaluation.planning import plan_next_cohort

    size = pairs if pairs is not None else int(data.scores["pair_id"].nunique())
    table = protect(
        plan_next_cohort(data.scores, list(plan(data).primary), size, change=change),
        data,
        "construct",
        "role",
    )
    return table if lang is None else reader_view(table, lang, data, keys={"alpha": "column.significance"})


def reliabilities(data: CohortData) -> pd.DataFrame:
    """Return the reliability used for reliable change per construct, and where it comes from.

    cohort.yml ``reliability: {construct: value}`` first (e.g. from a pilot or a published
    validation); otherwise the cohort's own Cronbach's alpha at baseline, pooled over roles.

    Returns
    -------
    pandas.DataFrame
        construct, reliability, source (``cohort.yml`` or ``baseline alpha``).
    """
    alphas = reliability_table(data)
    pooled = alphas[alphas["wave"] == "pre"].set_index("construct")["alpha"].dropna().to_dict()
    rows = [
        {"construct": c, "reliability": r, "source": "cohort.yml"} for c, r in data.config.reliability.items()
    ]
    rows += [
        {"construct": c, "reliability": a, "source": "baseline alpha"}
        for c, a in pooled.items()
        if c not in data.config.reliability
    ]
    return pd.DataFrame(rows, columns=["construct", "reliability", "source"])


def _net_reliable(data: CohortData) -> pd.DataFrame:
    from evaluation import outcomes

    used = reliabilities(data)
    improved = outcomes.reliable_improvement(
        data.scores, used.set_index("construct")["reliability"].to_dict()
    )
    net = outcomes.net_reliable_change(improved, plan(data).primary)
    return net.merge(used, on="construct", how="left")


def reliable_change_table(data: CohortData) -> Protected:
    """Return net reliable change (improved - deteriorated) for the primary outcomes, protected.

    Jacobson-Truax reliable change on the declared primary outcomes only
    (`evaluation.outcomes.net_reliable_change`), with the reliability used and its source
    (`reliabilities`). The counts of improved and deteriorated people are not published (they can be
    groups below the minimum); the net share and its interval are.

    Returns
    -------
    evaluation.disclosure.Protected
        construct (``any_primary`` for a role over its primary outcomes), role, n, net, ci_low, ci_high,
        reliability, source.
    """
    net = _net_reliable(data)
    columns = ["construct", "role", "n", "net", "ci_low", "ci_high", "reliability", "source"]
    return protect(net.reindex(columns=columns), data, "construct", "role", "source")


def cost_table(data: CohortData, lang: str | None = None) -> Protected:
    """Return the program's cost per adept and per net reliably improved adept, protected.

    An adept counts as reliably improved when improved on at least one of the adepts' primary outcomes
    and deteriorated on none (`evaluation.outcomes.net_reliable_change`); the cost per net improved
    adept is the total cost over (improved - deteriorated) adepts, with the interval from the net
    share's interval. When the interval of the net share reaches zero, the cost is not determinable and
    the row says so.

    With `lang`, the table has a reader view: kronor without decimals, the net share in per cent.

    Returns
    -------
    evaluation.disclosure.Protected
        Columns measure, value, ci_low, ci_high, n (the people the value describes), note.
    """
    adepts = int((data.scores.drop_duplicates("pseudonym")["role"] == "adept").sum())
    total = data.config.cost_per_adept_sek * adepts
    rows = [
        {"measure": "total_cost", "value": total, "n": adepts, "note": ""},
        {"measure": "cost_per_adept", "value": data.config.cost_per_adept_sek, "n": adepts, "note": ""},
    ]
    net = _net_reliable(data)
    adept = net[(net["construct"] == "any_primary") & (net["role"] == "adept")]
    if len(adept) and adept["n"].iloc[0] > 0:
        share, low, high, n = (float(adept[c].iloc[0]) for c in ("net", "ci_low", "ci_high", "n"))
        assessed_cost = data.config.cost_per_adept_sek * n
        rows.append(
            {
                "measure": "net_improved_adepts",
                "value": share,
                "ci_low": low,
                "ci_high": high,
                "n": int(n),
                "note": "",
            }
        )
        if low > 0:
            rows.append(
                {
                    "measure": "cost_per_net_improved_adept",
                    "value": assessed_cost / (share * n),
                    "ci_low": assessed_cost / (high * n),
                    "ci_high": assessed_cost / (low * n),
                    "n": int(n),
                    "note": "",
                }
            )
        else:
            rows.append(
                {
                    "measure": "cost_per_net_improved_adept",
                    "n": int(n),
                    "note": "inte bestämbar: andelen förbättrade kan vara noll / not determinable: the net "
                    "share of improved adepts may be zero",
                }
            )
    frame = pd.DataFrame(rows).reindex(columns=["measure", "value", "ci_low", "ci_high", "n", "note"])
    frame["n"] = frame["n"].astype(int)
    table = protect(frame, data, "measure")
    return table if lang is None else _cost_view(table, lang)


def _cost_view(table: Protected, lang: str) -> Protected:
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


def model_table(data: CohortData, construct: str) -> Protected:
    """Return the mixed model of a construct (`evaluation.outcomes.change_model`) as a table, protected.

    Returns
    -------
    evaluation.disclosure.Protected
        Columns term and the model's coefficient columns, n (participants in the model), note.
    """
    from evaluation import outcomes

    model = outcomes.change_model(data.scores, construct)
    used = data.scores[
        (data.scores["construct"] == construct)
        & data.scores["wave"].isin(["pre", "post"])
        & data.scores["score"].notna()
    ]
    frame = model.coefficients.reset_index(names="term").assign(n=used["pseudonym"].nunique())
    return protect(frame, data, "term")


def model_details(data: CohortData) -> Protected:
    """Return how each primary estimate was modelled: the levels kept, the tipping point and notes.

    Returns
    -------
    evaluation.disclosure.Protected
        Columns construct, role, n, levels (the random levels the mixed model kept), tipping_delta
        (how much lower, in scale points, the dropouts' follow-up would have to be to overturn the
        claim; `evaluation.primary.tipping_point`), note.
    """
    primary = primary_change(data)
    columns = ["construct", "role", "n", "levels", "tipping_delta", "note"]
    return primary.narrow(primary.frame[columns])


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


def compare(cohort_dirs: list[str | Path]) -> Protected:
    """Return the change of several cohorts on the items they all answered, each cohort protected.

    Cohorts that pinned different instrument versions are compared per construct only over the items
    every one of them was asked (`evaluation.survey.comparability`); such rows say so in ``note``,
    naming the items. Each cohort's table passes its own cohort's disclosure rules.

    Returns
    -------
    evaluation.disclosure.Protected
        Columns cohort (its name), construct, role, n, mean_diff, ci_low, ci_high, hedges_gav, note.
    """
    from evaluation.survey.comparability import restrict, shared_items

    loaded = [load(folder) for folder in cohort_dirs]
    pins = [{i: p.version for i, p in data.config.instruments.items()} for data in loaded]
    every = load_templates()
    shared = shared_items(every, pins)
    asked = [pinned(every, p).constructs for p in pins]
    tables = []
    for data, pin in zip(loaded, pins, strict=True):
        restricted = restrict(pinned(every, pin), shared)
        scores = score(data.responses, restricted)
        change = cohort_change(replace(data, templates=restricted, scores=scores))
        frame = change.frame.assign(cohort=data.config.name)
        most = {
            c: max(len(a[c].scoring.items) for a in asked if c in a)
            for c in shared
            if any(c in a for a in asked)
        }
        frame["note"] = [
            _shared_note(shared[c].shared, most[c])
            if c in shared and len(shared[c].shared) < most.get(c, 0) and not hidden
            else note
            for c, note, hidden in zip(frame["construct"], frame["note"], change.hidden, strict=True)
        ]
        tables.append(change.narrow(frame))
    combined = Protected.concat(tables)
    columns = ["cohort", "construct", "role", "n", "mean_diff", "ci_low", "ci_high", "hedges_gav", "note"]
    return combined.narrow(combined.frame[columns])


def _scale_span(templates: Templates, construct: str) -> str:
    """Return a construct's response scale as "1–5" or "0–10" (its items' first scale in `templates`)."""
    found = templates.constructs.get(construct)
    for item_id in found.scoring.items if found else ():
        item = templates.items.get(item_id)
        if item is not None and item.scale is not None:
            codes = templates.scale_of(item).codes
            if codes:
                return f"{min(codes)}–{max(codes)}"
    return "–"


def comparison_plot(comparison: Protected, lang: str):
    """Return a figure of each cohort's change per topic and role, one panel per response scale.

    Also returns its finding. Changes are in scale points with their 95% intervals; topics on a 0-10
    scale get their own panel, so that no change is read against another scale's axis. Hidden groups
    are not drawn.
    """
    templates = load_templates()
    frame = comparison.frame[comparison.frame["mean_diff"].notna()].copy()
    frame["label"] = [
        f"{_topic(None, c, lang)} ({_role(r, lang)})"
        for c, r in zip(frame["construct"], frame["role"], strict=True)
    ]
    frame["span"] = [_scale_span(templates, c) for c in frame["construct"]]
    spans = sorted(frame["span"].unique(), key=lambda s: (len(s), s))
    cohorts = list(dict.fromkeys(frame["cohort"]))
    heights = [frame.loc[frame["span"] == s, "label"].nunique() for s in spans] or [1]
    fig, axes = plt.subplots(
        len(heights),
        1,
        figsize=(8, 0.32 * sum(heights) + 1.4 * len(heights)),
        height_ratios=heights,
        squeeze=False,
    )
    colours = sns.color_palette("colorblind", len(cohorts))
    for ax, span in zip(axes[:, 0], spans, strict=False):
        part = frame[frame["span"] == span]
        order = sorted(part["label"].unique())
        for index, cohort in enumerate(cohorts):
            rows = part[part["cohort"] == cohort].rename(
                columns={"mean_diff": "x", "ci_low": "lo", "ci_high": "hi"}
            )
            offset = (index - (len(cohorts) - 1) / 2) * 0.25
            _intervals_at(ax, rows, order, offset, color=colours[index], label=cohort)
        ax.axvline(0, color="#333333", linewidth=1)
        ax.set_yticks(range(len(order)), [_wrapped(label) for label in order])
        ax.set_xlabel(message("figure.comparison.x", lang, scale=span))
        ax.xaxis.set_major_formatter(_decimals(lang))
        sns.despine(ax=ax)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=min(3, len(labels)), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))
    finding = message("figure.comparison.finding", lang, cohorts=len(cohorts), rows=len(frame))
    return fig, finding


def comparison_sentences(comparison: Protected, data: CohortData, lang: str) -> Shown:
    """Display, per primary outcome of the first cohort, how its change compares with each other cohort's.

    The difference between two cohorts' changes gets a 95% interval from the two (independent)
    intervals, ``se = (ci_high - ci_low) / (2 × 1.96)``; it is called clear only when that interval
    excludes zero. These comparisons are exploratory (not part of any cohort's analysis plan), and
    say so.
    """
    frame = comparison.frame[comparison.frame["mean_diff"].notna()]
    cohorts = list(dict.fromkeys(comparison.frame["cohort"]))
    first, others = cohorts[0], cohorts[1:]
    items = []
    for construct, role in plan(data).primary:
        own = frame[(frame["cohort"] == first) & (frame["construct"] == construct) & (frame["role"] == role)]
        for other in others:
            theirs = frame[
                (frame["cohort"] == other) & (frame["construct"] == construct) & (frame["role"] == role)
            ]
            if own.empty or theirs.empty:
                continue
            a, b = own.iloc[0], theirs.iloc[0]
            se = np.hypot((a["ci_high"] - a["ci_low"]) / 3.92, (b["ci_high"] - b["ci_low"]) / 3.92)
            diff = a["mean_diff"] - b["mean_diff"]
            clear = abs(diff) > 1.96 * se
            items.append(
                message(
                    "comparison.sentence.clear" if clear else "comparison.sentence.unclear",
                    lang,
                    topic=_topic(data, construct, lang),
                    who=_role(role, lang),
                    first=first,
                    other=other,
                    a=number(a["mean_diff"], lang, 2),
                    b=number(b["mean_diff"], lang, 2),
                    diff=number(diff, lang, 2),
                    low=number(diff - 1.96 * se, lang, 2),
                    high=number(diff + 1.96 * se, lang, 2),
                )
            )
    if not items:
        return paragraph("comparison.sentence.none", lang)
    entries = "".join(f"<li>{html.escape(t)}</li>" for t in items)
    note = html.escape(message("comparison.sentence.exploratory", lang))
    return _show(f"<ul>{entries}</ul><p>{note}</p>")


def not_comparable(cohort_dirs: list[str | Path]) -> list[str]:
    """Return the ids of constructs some compared cohort was asked but that share no item across them.

    Cohorts that answered different instrument versions are compared on shared items only
    (`compare`); a construct whose items all changed between the versions (new wording, new scale)
    cannot be compared at all, and the comparison page says so.
    """
    from evaluation.survey.comparability import shared_items

    every = load_templates()
    pins = [{i: p.version for i, p in load_cohort(Path(d)).instruments.items()} for d in cohort_dirs]
    asked = set().union(*(pinned(every, p).constructs for p in pins))
    shared = shared_items(every, pins)
    return sorted(c for c in asked if c in shared and not shared[c].shared)


def comparability_note(cohort_dirs: list[str | Path], lang: str) -> Shown:
    """Display which constructs cannot be compared because the cohorts share none of their items."""
    missing = not_comparable(cohort_dirs)
    if not missing:
        return paragraph("comparison.all_compared", lang)
    names = ", ".join(load_templates().constructs[c].name[lang] for c in missing)
    return paragraph("comparison.not_comparable", lang, topics=names)


def _shared_note(shared: tuple[str, ...], total: int) -> str:
    return (
        f"jämförs på de {len(shared)} av {total} frågor som alla kohorter fick / compared on the "
        f"{len(shared)} of {total} items every cohort was asked ({', '.join(shared)})"
    )


def agency_heatmap(data: CohortData, lang: str, role: str = "adept"):
    """Return a heatmap of one role's change per construct and agency in standard deviations, and its finding.

    Cells are Hedges' g from `change_by_agency`, so that topics on different response scales (1-5,
    0-10) share one colour scale; a hidden group is never computed, and an agency whose every group of
    this role is hidden is left out and named in the finding; the pooled ``Övriga myndigheter`` is
    drawn like an agency. Topics are rows (their names read horizontally), agencies columns.
    """
    table = change_by_agency(data).frame
    table = table[table["role"] == role]
    grid = table.pivot(index="construct", columns="agency", values="hedges_gav").astype(float)
    hidden = [_group(a, lang) for a in grid.columns[grid.isna().all()]]
    grid = grid.loc[:, grid.notna().any()]
    grid.index = [_wrapped(construct_name(data, c, lang)) for c in grid.index]
    grid.columns = [_group(a, lang) for a in grid.columns]
    if grid.size == 0 or grid.notna().sum().sum() == 0:
        fig, ax = plt.subplots(figsize=(7, 1.2))
        ax.axis("off")
        empty = message("figure.heatmap.empty", lang)
        ax.text(0.5, 0.5, empty, ha="center", va="center")
        return fig, empty
    fig, ax = plt.subplots(figsize=(4.5 + 0.9 * grid.shape[1], 0.45 * grid.shape[0] + 1.8))
    labels = grid.map(lambda v: "" if np.isnan(v) else number(v, lang, 2))
    sns.heatmap(
        grid,
        ax=ax,
        cmap="vlag",
        center=0,
        annot=labels,
        fmt="",
        linewidths=0.5,
        cbar_kws={"label": message("figure.heatmap.colorbar", lang)},
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=30)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    colorbar = ax.collections[0].colorbar
    colorbar.ax.yaxis.set_major_formatter(_decimals(lang))
    shown = int(grid.notna().sum().sum())
    finding = message("figure.heatmap.finding", lang, shown=shown, total=grid.size)
    if hidden:
        finding += " " + message("figure.heatmap.hidden", lang, agencies=", ".join(hidden))
    return fig, finding


def agency_heatmaps(data: CohortData, lang: str) -> Shown:
    """Show one `agency_heatmap` per role, each with its title and finding."""
    parts = []
    for role in ("mentor", "adept"):
        fig, finding = agency_heatmap(data, lang, role)
        title = message("figure.heatmap.title", lang, role=_role(role, lang))
        parts.append(figure(fig, title=title, alt=finding).data)
    return _show("".join(parts))


def change_table(change: Protected, data: CohortData, lang: str) -> Protected:
    """Return change per construct and role (`cohort_change`) with a reader view.

    The view has construct and role names in `lang`, the interval as one column and headers in
    `lang`; the tidy table (the CSV) is unchanged.
    """
    frame = change.frame
    view = frame.copy()
    view["construct"] = [construct_name(data, c, lang) for c in frame["construct"]]
    view["role"] = [_role(r, lang) for r in frame["role"]]
    view["ci"] = [interval(lo, hi, lang) for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)]
    view["p_adj"] = ["–" if pd.isna(p) else p_value(p, lang).removeprefix("= ") for p in frame["p_adj"]]
    columns = ["construct", "role", "n", "mean_pre", "mean_post", "mean_diff", "ci", "p_adj", "hedges_gav"]
    return change.with_view(view[columns], {c: message(f"column.{c}", lang) for c in columns})


def protect(frame: pd.DataFrame, data: CohortData, *labels: str) -> Protected:
    """Return `frame` protected by the cohort's disclosure policy (`evaluation.disclosure`).

    `labels` are the columns that name a row and stay visible; every group-size column present
    (`evaluation.disclosure.GROUP_SIZE_COLUMNS`) decides whether a row's numbers are shown.
    """
    return data.config.disclosure.protect(frame, labels=labels)


def summary(data: CohortData, lang: str):
    """Display the plain-language summary that opens the cohort report (see `evaluation.summary`)."""
    from evaluation.summary import summarise_change

    change = primary_change(data).frame.rename(columns={"estimate": "mean_diff", "g": "hedges_gav"})
    names = {c: construct_name(data, c, lang) for c in change["construct"]}
    baseline = set(data.scores.loc[data.scores["wave"] == "pre", "pseudonym"])
    followed = set(data.scores.loc[data.scores["wave"] == "post", "pseudonym"])
    attrition = len(baseline - followed) / len(baseline) if baseline else 0.0
    parts = summarise_change(change, names, attrition, lang)
    return _summary_html(parts, lang)


def comments(data: CohortData, lang: str):
    """Display the free-text comments of the follow-up, if the cohort opted in and enough people wrote.

    Comments appear only when cohort.yml sets ``comments_in_reports: true`` and at least the minimum
    reporting group wrote one; ingest has already replaced e-mail addresses, phone numbers and the
    roster's names with ``[borttaget]``. Otherwise a sentence says why they are not shown.
    """
    ids = {i.id for i in data.templates.items.values() if data.templates.scale_of(i).type == "text"}
    texts = data.responses[data.responses["item"].isin(ids) & data.responses["value_text"].notna()]
    writers = texts["pseudonym"].nunique()
    if not data.config.comments_in_reports:
        return paragraph("comments.not_opted_in", lang)
    if writers < data.config.min_group_size:
        return paragraph("comments.too_few", lang, min=data.config.min_group_size)
    entries = "".join(f"<li>{html.escape(t)}</li>" for t in sorted(texts["value_text"].astype(str)))
    return _show(f'<ul class="comments">{entries}</ul>')


def agency_summary(data: CohortData, agency: str, lang: str):
    """Display the plain-language summary of an agency's change (groups below the minimum left out)."""
    from evaluation.summary import summarise_change

    known = plan(data)
    table = change_by_agency(data).frame
    own = table[table["agency"] == agency]
    own = own[[(c, r) in known.primary for c, r in zip(own["construct"], own["role"], strict=True)]]
    claimed = _agency_claims(data)
    claimed = claimed.loc[claimed["scope"] == agency, ["construct", "role", "p_adj", "claim"]]
    own = own.merge(claimed, on=["construct", "role"], how="left").assign(family="primary")
    names = {c: construct_name(data, c, lang) for c in own["construct"]}
    baseline = set(
        data.scores.loc[(data.scores["wave"] == "pre") & (data.scores["agency"] == agency), "pseudonym"]
    )
    followed = set(data.scores.loc[data.scores["wave"] == "post", "pseudonym"])
    attrition = len(baseline - followed) / len(baseline) if baseline else 0.0
    parts = summarise_change(own, names, attrition, lang)
    return _summary_html(parts, lang)


def agency_overview(data: CohortData, agency: str, lang: str, results_dir: str | Path) -> Shown:
    """Display what an agency's page can always say: who took part, the meetings logged, what is hidden.

    Participation (invited and answered per wave and role) comes from `response_rates`, so the page
    hides exactly what the data-quality report hides; an agency pooled there into ``Övriga
    myndigheter`` says so. Meetings and hours are the pairs' logged meetings, shown when the agency
    has at least the minimum number of pairs. The closing sentences say, per role, whether its change
    is shown and whether conclusions are drawn, and why not (`min_group_size`, `min_n_for_claims`).
    The participation table is written to ``results/agency_<agency>_participation.csv``.
    """
    parts = [f"<h2>{html.escape(message('agency.participation.heading', lang))}</h2>"]
    rates = response_rates(data, lang)
    own = rates.frame["agency"] == agency
    if own.any() and not rates.hidden[own].all():
        parts.append(
            table(
                rates.select(own),
                message("agency.participation.caption", lang, agency=agency),
                name=f"agency_{agency}_participation",
                results_dir=results_dir,
                lang=lang,
            ).data
        )
    else:
        parts.append(f"<p>{html.escape(message('agency.participation.pooled', lang, min=_min(data)))}</p>")
    pairs = data.scores.loc[data.scores["agency"] == agency, "pair_id"].nunique()
    log = (
        data.meeting_log[data.meeting_log["agency"] == agency] if len(data.meeting_log) else data.meeting_log
    )
    if pairs >= _min(data) and len(log):
        meetings = log.drop_duplicates(["pair_id", "date"])
        hours = meetings.groupby("pair_id")["minutes"].sum() / 60
        parts.append(
            "<p>"
            + html.escape(
                message(
                    "agency.meetings",
                    lang,
                    pairs=pairs,
                    meetings=len(meetings),
                    hours=number(float(hours.sum() / pairs), lang, 0),
                )
            )
            + "</p>"
        )
    elif pairs < _min(data):
        parts.append(f"<p>{html.escape(message('agency.meetings.hidden', lang, min=_min(data)))}</p>")
    parts.append(f"<h2>{html.escape(message('agency.hidden.heading', lang))}</h2><ul>")
    from evaluation.agencies import answered_both_waves, role_status

    both = answered_both_waves(data.responses)
    for role in ("mentor", "adept"):
        key = "agency.hidden." + role_status(both.get((agency, role), 0), data.config)
        text = message(
            key,
            lang,
            who=message(f"role.{role}.plural_cap", lang),
            min=data.config.min_group_size,
            claims=data.config.min_n_for_claims,
        )
        parts.append(f"<li>{html.escape(text)}</li>")
    parts.append("</ul>")
    return _show("".join(parts))


def _min(data: CohortData) -> int:
    return data.config.min_group_size


def agency_experience(data: CohortData, agency: str) -> Protected:
    """Return the agency's program experience at follow-up, per role or pooled over roles, protected.

    Per role when every role's group reaches the minimum reporting size; otherwise pooled over the
    roles (``role`` ``all``) when the pool reaches it, so that no role's group can be recovered by
    subtracting a shown one from the pool (no role is then shown on its own); otherwise hidden.

    Returns
    -------
    evaluation.disclosure.Protected
        Columns construct, role (``mentor``, ``adept`` or ``all``), n, mean, sd.
    """
    from evaluation import outcomes

    own = data.scores[data.scores["agency"] == agency]
    per_role = outcomes.program_experience(own, data.templates)
    if len(per_role) and (per_role["n"] >= _min(data)).all():
        return protect(per_role, data, "construct", "role")
    pooled = outcomes.program_experience(own.assign(role="all"), data.templates)
    return protect(pooled, data, "construct", "role")


def _summary_html(parts: dict[str, list[str]], lang: str):
    """Render summary parts (`evaluation.summary.summarise_change`) as a titled section."""
    titles = [
        message(f"summary.{k}", lang) for k in ("title", "changed", "unchanged", "too_small", "caveats")
    ]
    items = []
    for index, (title, texts) in enumerate(
        zip(
            titles[1:],
            (parts["changed"], parts["unchanged"], parts.get("too_small", []), parts["caveats"]),
            strict=True,
        )
    ):
        if index == 2 and not texts:
            continue  # no group too small for claims: say nothing
        if index in (0, 1) and not texts and not parts["changed"] and not parts["unchanged"]:
            continue  # every group too small for claims: the list below says so
        entries = "".join(f"<li>{html.escape(t)}</li>" for t in texts) or "<li>–</li>"
        items.append(f"<h3>{html.escape(title)}</h3><ul>{entries}</ul>")
    return _show(f'<section class="summary"><h2>{html.escape(titles[0])}</h2>{"".join(items)}</section>')
