"""The figures of a cohort's reports, each with a finding that serves as its text alternative.

Effects compared across topics are in Hedges' g (one scale) or in one panel per response scale;
axes, legends and findings in the report's language, sized to read on an A4 page. `figure` shows a
figure as an embedded PNG with its title and text alternative.
"""

from __future__ import annotations

import base64
import io
import textwrap

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from evaluation.disclosure import Protected
from evaluation.report.data import CohortData, construct_name
from evaluation.report.render import Shown, piece, show
from evaluation.report.tables import change_by_agency
from evaluation.report.text import group_name, role_name, topic_name
from evaluation.survey import Templates, load_templates
from evaluation.text import message, number

__all__ = [
    "PALETTE",
    "agency_heatmap",
    "agency_heatmaps",
    "comparison_plot",
    "figure",
    "forest_plot",
    "slope_plot",
]


PALETTE = {"mentor": "#0072B2", "adept": "#D55E00"}
"""Okabe-Ito colours, distinguishable with colour-vision deficiencies, with enough contrast on white."""


def figure(fig: plt.Figure, *, title: str, alt: str):
    """Display a figure as an embedded PNG with its title and a text alternative stating its finding."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return show(piece("figure", data, alt, title))


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
        _intervals_at(ax, group, order, offset, color=PALETTE[role], label=role_name(role, lang))
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
            label=role_name(role, lang),
        )
    ax.set_xticks([0, 1], [message("figure.slope.before", lang), message("figure.slope.after", lang)])
    ax.yaxis.set_major_formatter(_decimals(lang))
    ax.set_ylabel(construct_name(data, construct, lang))
    ax.legend()
    sns.despine(fig)
    up = float((wide["post"] > wide["pre"]).mean()) if len(wide) else float("nan")
    finding = message("figure.slope.finding", lang, share=number(100 * up, lang, 0))
    return fig, finding


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
        f"{topic_name(None, c, lang)} ({role_name(r, lang)})"
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


def agency_heatmap(data: CohortData, lang: str, role: str = "adept"):
    """Return a heatmap of one role's change per construct and agency in standard deviations, and its finding.

    Cells are Hedges' g from `evaluation.report.tables.change_by_agency`, so that topics on different response
    scales (1-5, 0-10) share one colour scale; a hidden group is never computed, and an agency whose every
    group of this role is hidden is left out and named in the finding; the pooled ``Övriga myndigheter`` is
    drawn like an agency. Topics are rows (their names read horizontally), agencies columns.
    """
    table = change_by_agency(data).frame
    table = table[table["role"] == role]
    grid = table.pivot(index="construct", columns="agency", values="hedges_gav").astype(float)
    hidden = [group_name(a, lang) for a in grid.columns[grid.isna().all()]]
    grid = grid.loc[:, grid.notna().any()]
    grid.index = [_wrapped(construct_name(data, c, lang)) for c in grid.index]
    grid.columns = [group_name(a, lang) for a in grid.columns]
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
        title = message("figure.heatmap.title", lang, role=role_name(role, lang))
        parts.append(figure(fig, title=title, alt=finding))
    return show(*parts)
