"""What the report notebooks call: loading a cohort, Swedish/English text, accessible tables and figures.

Notebooks stay thin: a parameters cell, then one-line calls into this module and
`evaluation.outcomes`. Everything a reader sees comes from here, in the report's language; every
figure gets a title and a text alternative that states its finding.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from evaluation.cohort import CohortConfig, load_cohort
from evaluation.instruments import Templates, load_templates
from evaluation.scoring import score

__all__ = [
    "CohortData",
    "agency_heatmap",
    "agency_response_rates",
    "agency_summary",
    "agency_vs_cohort",
    "change_table",
    "comments",
    "construct_name",
    "figure",
    "forest_plot",
    "heading",
    "load",
    "missing_items",
    "pair_dumbbell",
    "pair_table",
    "paragraph",
    "protect",
    "save_results",
    "slope_plot",
    "summary",
    "table",
]

PALETTE = {"mentor": "#0072B2", "adept": "#D55E00"}
"""Okabe-Ito colours, distinguishable with colour-vision deficiencies, with enough contrast on white."""

ROLE_NAMES = {
    "sv": {"mentor": "mentorer", "adept": "adepter"},
    "en": {"mentor": "mentors", "adept": "adepts"},
}


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


def load(cohort_dir: str | Path) -> CohortData:
    """Load a cohort's ``processed/`` outputs (run ``evaluation ingest`` first) and score them."""
    folder = Path(cohort_dir)
    processed = folder / "processed"
    if not (processed / "responses.parquet").exists():
        raise FileNotFoundError(
            f"{processed / 'responses.parquet'} saknas / is missing: run `evaluation ingest {folder}` first"
        )
    templates = load_templates()
    responses = pd.read_parquet(processed / "responses.parquet")
    log_path = processed / "meeting_log.parquet"
    return CohortData(
        folder=folder,
        config=load_cohort(folder),
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


def _show(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def heading(sv: str, en: str, lang: str, level: int = 2):
    """Display a heading in the report's language."""
    return _show(f"<h{level}>{html.escape(sv if lang == 'sv' else en)}</h{level}>")


def paragraph(sv: str, en: str, lang: str):
    """Display a paragraph in the report's language."""
    return _show(f"<p>{html.escape(sv if lang == 'sv' else en)}</p>")


def table(frame: pd.DataFrame, caption: str, *, digits: int = 2):
    """Display an accessible table: a caption, header cells with scope, numbers right-aligned."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for value in row:
            if isinstance(value, float | np.floating):
                text = "–" if np.isnan(value) else f"{value:.{digits}f}"
                cells.append(f'<td class="num">{text}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return _show(
        f'<table class="report"><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


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


def forest_plot(change: pd.DataFrame, data: CohortData, lang: str):
    """Return a forest plot of mean change with 95% CIs per construct and role, and its finding."""
    frame = change[change["mean_diff"].notna()].copy()
    frame["label"] = [construct_name(data, c, lang) for c in frame["construct"]]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(frame) + 1.2))
    order = sorted(frame["label"].unique())
    for offset, (role, group) in zip((-0.15, 0.15), frame.groupby("role"), strict=False):
        y = np.array([order.index(label) for label in group["label"]]) + offset
        ax.errorbar(
            group["mean_diff"],
            y,
            xerr=[group["mean_diff"] - group["ci_low"], group["ci_high"] - group["mean_diff"]],
            fmt="o",
            color=PALETTE[role],
            label=ROLE_NAMES[lang][role],
            capsize=3,
        )
    ax.axvline(0, color="#333333", linewidth=1)
    ax.set_yticks(range(len(order)), order)
    ax.set_xlabel("Förändring (efter − före)" if lang == "sv" else "Change (after − before)")
    ax.legend(loc="lower right")
    sns.despine(fig)
    clear = frame[(frame["ci_low"] > 0) | (frame["ci_high"] < 0)]
    if lang == "sv":
        finding = (
            f"{len(clear)} av {len(frame)} förändringar har ett konfidensintervall som inte omfattar noll."
        )
    else:
        finding = f"{len(clear)} of {len(frame)} changes have a confidence interval that excludes zero."
    return fig, finding


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
            label=ROLE_NAMES[lang][role],
        )
    ax.set_xticks([0, 1], ["Före", "Efter"] if lang == "sv" else ["Before", "After"])
    ax.set_ylabel(construct_name(data, construct, lang))
    ax.legend()
    sns.despine(fig)
    up = float((wide["post"] > wide["pre"]).mean()) if len(wide) else float("nan")
    finding = (
        f"{up:.0%} av deltagarna fick ett högre värde efter programmet."
        if lang == "sv"
        else f"{up:.0%} of participants scored higher after the program."
    )
    return fig, finding


def save_results(frame: pd.DataFrame, results_dir: str | Path, name: str) -> Path:
    """Write a report's key numbers as tidy CSV (``results/<name>.csv``) and return the path."""
    folder = Path(results_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def response_rates(data: CohortData) -> pd.DataFrame:
    """Return response rates per instrument, wave and role (the cohort as a whole).

    Columns: instrument, wave, role, invited, responded, rate.
    """
    rates = pd.DataFrame(data.ingest["response_rates"])
    if rates.empty:
        return rates
    grouped = (
        rates.groupby(["instrument", "wave", "role"], sort=True)[["invited", "responded"]].sum().reset_index()
    )
    grouped["rate"] = grouped["responded"] / grouped["invited"]
    return grouped


def agency_response_rates(data: CohortData) -> pd.DataFrame:
    """Return response rates per agency, instrument, wave and role; groups below the minimum are hidden.

    Columns: agency, instrument, wave, role, invited, responded, rate (invited, responded and rate are
    missing for a group smaller than the cohort's minimum reporting size).
    """
    rates = pd.DataFrame(data.ingest["response_rates"])
    if rates.empty:
        return rates
    small = rates["invited"] < data.config.min_group_size
    rates[["invited", "responded", "rate"]] = rates[["invited", "responded", "rate"]].astype(float)
    rates.loc[small, ["invited", "responded", "rate"]] = np.nan
    return rates[["agency", "instrument", "wave", "role", "invited", "responded", "rate"]]


def missing_items(data: CohortData, top: int = 10) -> pd.DataFrame:
    """Return the items most often left unanswered (columns as `evaluation.scoring.item_statistics`)."""
    from evaluation.scoring import item_statistics

    items = item_statistics(data.responses, data.templates)
    return items.sort_values("missing_share", ascending=False).head(top)[
        ["instrument", "wave", "item", "n", "missing_share"]
    ]


def agency_vs_cohort(data: CohortData, agency: str, lang: str) -> pd.DataFrame:
    """Return the agency's change next to the cohort's, per construct and role, for readers.

    Groups of the agency below the minimum reporting size show no number (see
    `evaluation.outcomes.by_agency`).
    """
    from evaluation import outcomes

    own = outcomes.by_agency(data.scores, data.config.min_group_size).query("agency == @agency")
    cohort = protect(outcomes.cohort_change(data.scores), data, "construct", "role")[
        ["construct", "role", "mean_diff"]
    ]
    merged = cohort.merge(
        own[["construct", "role", "mean_diff", "suppressed"]],
        on=["construct", "role"],
        how="left",
        suffixes=("_cohort", "_agency"),
    )
    merged["construct"] = [construct_name(data, c, lang) for c in merged["construct"]]
    merged["role"] = merged["role"].map(lambda r: ROLE_NAMES[lang].get(r, r))
    merged["mean_diff_agency"] = [
        ("visas inte" if lang == "sv" else "not shown") if s is True else v
        for v, s in zip(merged["mean_diff_agency"], merged["suppressed"], strict=True)
    ]
    headers = {
        "sv": ["Område", "Roll", "Förändring i kohorten", "Förändring på myndigheten"],
        "en": ["Construct", "Role", "Change in the cohort", "Change at the agency"],
    }
    out = merged[["construct", "role", "mean_diff_cohort", "mean_diff_agency"]]
    out.columns = headers[lang]
    return out


def quarantine_summary(data: CohortData) -> pd.DataFrame:
    """Return quarantined rows and cells per source file and reason (columns: file, kind, count)."""
    if data.quarantine.empty:
        return pd.DataFrame(columns=["file", "kind", "count"])
    return data.quarantine.groupby(["file", "kind"]).size().rename("count").reset_index()


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


def cost_table(data: CohortData) -> pd.DataFrame:
    """Return the program's cost per adept and per participant with a reliable improvement.

    Reliable change uses each construct's Cronbach's alpha at baseline as its reliability. Columns:
    measure, value.
    """
    from evaluation import outcomes

    alphas = reliability_table(data)
    reliability = alphas[alphas["wave"] == "pre"].set_index("construct")["alpha"].dropna().to_dict()
    improved = outcomes.reliable_improvement(data.scores, reliability)
    adepts = int((data.scores.drop_duplicates("pseudonym")["role"] == "adept").sum())
    cost = outcomes.cost_summary(data.config.cost_per_adept_sek, adepts, improved)
    pairs = outcomes.pairs_improved(improved)
    return pd.concat([cost, pairs]).to_frame("value").reset_index(names="measure")


def compare(cohort_dirs: list[str | Path]) -> pd.DataFrame:
    """Return `evaluation.outcomes.cohort_change` of several cohorts, with a ``cohort`` column (its name)."""
    from evaluation import outcomes

    frames = []
    for folder in cohort_dirs:
        data = load(folder)
        change = protect(outcomes.cohort_change(data.scores), data, "construct", "role")
        frames.append(change.assign(cohort=data.config.name))
    return pd.concat(frames, ignore_index=True)


def agency_heatmap(data: CohortData, lang: str):
    """Return a heatmap of mean change per agency and construct (groups below the minimum left blank).

    Cells come from `evaluation.outcomes.by_agency`: a suppressed group is never computed, only drawn
    as an empty cell. Returns the figure and its finding.
    """
    from evaluation import outcomes

    table = outcomes.by_agency(data.scores, data.config.min_group_size)
    table = table.groupby(["agency", "construct"], as_index=False)["mean_diff"].mean()
    grid = table.pivot(index="agency", columns="construct", values="mean_diff")
    grid.columns = [construct_name(data, c, lang) for c in grid.columns]
    fig, ax = plt.subplots(figsize=(1.0 + 0.6 * max(grid.shape[1], 4), 0.5 * grid.shape[0] + 2.5))
    if grid.notna().sum().sum() == 0:
        ax.axis("off")
        message = (
            "Ingen myndighet når minsta redovisningsstorlek."
            if lang == "sv"
            else "No agency reaches the minimum reporting size."
        )
        ax.text(0.5, 0.5, message, ha="center", va="center")
        return fig, message
    sns.heatmap(
        grid,
        ax=ax,
        cmap="vlag",
        center=0,
        annot=True,
        fmt=".2f",
        linewidths=0.5,
        cbar_kws={"label": "Förändring" if lang == "sv" else "Change"},
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    shown = grid.notna().sum().sum()
    finding = (
        f"{shown} av {grid.size} celler visas; tomma celler är grupper under minsta redovisningsstorlek."
        if lang == "sv"
        else f"{shown} of {grid.size} cells are shown; empty cells are groups below the minimum group size."
    )
    return fig, finding


def pair_dumbbell(data: CohortData, pair_id: str, lang: str):
    """Return a dumbbell chart of each member's scores before and after, per construct, for one pair."""
    from evaluation import outcomes

    pair = outcomes.pair_change(data.scores).query("pair_id == @pair_id")
    pair = pair.assign(label=[construct_name(data, c, lang) for c in pair["construct"]]).sort_values("label")
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(pair) + 1.2))
    y = np.arange(len(pair))
    for offset, role in ((-0.15, "mentor"), (0.15, "adept")):
        ax.hlines(y + offset, pair[f"{role}_pre"], pair[f"{role}_post"], color=PALETTE[role], linewidth=2)
        ax.scatter(
            pair[f"{role}_pre"],
            y + offset,
            color="white",
            edgecolor=PALETTE[role],
            zorder=3,
            label=f"{ROLE_NAMES[lang][role]}: {'före' if lang == 'sv' else 'before'}",
        )
        ax.scatter(
            pair[f"{role}_post"],
            y + offset,
            color=PALETTE[role],
            zorder=3,
            label=f"{ROLE_NAMES[lang][role]}: {'efter' if lang == 'sv' else 'after'}",
        )
    ax.set_yticks(y, pair["label"])
    ax.legend(loc="lower right", fontsize="small")
    sns.despine(fig)
    up = int((pair[["mentor_change", "adept_change"]] > 0).sum().sum())
    total = int(pair[["mentor_change", "adept_change"]].notna().sum().sum())
    finding = (
        f"{up} av {total} värden blev högre efter programmet."
        if lang == "sv"
        else f"{up} of {total} scores were higher after the program."
    )
    return fig, finding


_CHANGE_HEADERS = {
    "sv": {
        "construct": "Område",
        "role": "Roll",
        "n": "Antal",
        "mean_pre": "Före",
        "mean_post": "Efter",
        "mean_diff": "Förändring",
        "ci": "95 % konfidensintervall",
        "p_adj": "p (justerat)",
        "hedges_gav": "Effektstorlek (g)",
    },
    "en": {
        "construct": "Construct",
        "role": "Role",
        "n": "n",
        "mean_pre": "Before",
        "mean_post": "After",
        "mean_diff": "Change",
        "ci": "95% confidence interval",
        "p_adj": "p (adjusted)",
        "hedges_gav": "Effect size (g)",
    },
}


def change_table(change: pd.DataFrame, data: CohortData, lang: str) -> pd.DataFrame:
    """Return change per construct and role (`evaluation.outcomes.cohort_change`) for readers.

    Construct and role names in `lang`, the interval as one column, headers in `lang`; rows without
    an estimate keep their reason in the change column.
    """
    frame = change.copy()
    frame["construct"] = [construct_name(data, c, lang) for c in frame["construct"]]
    frame["role"] = frame["role"].map(lambda r: ROLE_NAMES[lang].get(r, r))
    frame["ci"] = [
        "–" if pd.isna(low) else f"[{low:.2f}, {high:.2f}]"
        for low, high in zip(frame["ci_low"], frame["ci_high"], strict=True)
    ]
    columns = [c for c in _CHANGE_HEADERS[lang] if c in frame.columns]
    return frame[columns].rename(columns=_CHANGE_HEADERS[lang])


def pair_table(data: CohortData, pair_id: str, lang: str) -> pd.DataFrame:
    """Return one pair's construct scores before and after, per member, for the pair's own report."""
    from evaluation import outcomes

    pair = outcomes.pair_change(data.scores).query("pair_id == @pair_id")
    pair = pair.dropna(subset=["mentor_pre", "mentor_post", "adept_pre", "adept_post"], how="all")
    names = {
        "sv": ["Område", "Mentor före", "Mentor efter", "Adept före", "Adept efter"],
        "en": ["Construct", "Mentor before", "Mentor after", "Adept before", "Adept after"],
    }
    out = pair[["construct", "mentor_pre", "mentor_post", "adept_pre", "adept_post"]].copy()
    out["construct"] = [construct_name(data, c, lang) for c in out["construct"]]
    out.columns = names[lang]
    return out


def protect(frame: pd.DataFrame, data: CohortData, *labels: str) -> pd.DataFrame:
    """Return `frame` with every group below the cohort's minimum reporting size hidden.

    See `evaluation.disclosure.protect`; `labels` are the columns that name a row and stay visible.
    """
    from evaluation.disclosure import protect as _protect

    return _protect(frame, data.config.min_group_size, labels=labels)


def summary(data: CohortData, lang: str):
    """Display the plain-language summary that opens the cohort report (see `evaluation.summary`)."""
    from evaluation import outcomes
    from evaluation.summary import summarise_change

    change = protect(outcomes.cohort_change(data.scores), data, "construct", "role")
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
        return paragraph(
            "Fritextsvar visas inte i ledningens rapporter (kohorten har inte valt att visa dem).",
            "Free-text comments are not shown in leadership reports (the cohort has not opted in).",
            lang,
        )
    if writers < data.config.min_group_size:
        return paragraph(
            f"Färre än {data.config.min_group_size} skrev en kommentar; de visas inte.",
            f"Fewer than {data.config.min_group_size} wrote a comment; they are not shown.",
            lang,
        )
    entries = "".join(f"<li>{html.escape(t)}</li>" for t in sorted(texts["value_text"].astype(str)))
    return _show(f'<ul class="comments">{entries}</ul>')


def agency_summary(data: CohortData, agency: str, lang: str):
    """Display the plain-language summary of an agency's change (groups below the minimum left out)."""
    from evaluation import outcomes
    from evaluation.summary import summarise_change

    own = outcomes.by_agency(data.scores, data.config.min_group_size).query("agency == @agency")
    own = own[~own["suppressed"].astype(bool)]
    names = {c: construct_name(data, c, lang) for c in own["construct"]}
    baseline = set(
        data.scores.loc[(data.scores["wave"] == "pre") & (data.scores["agency"] == agency), "pseudonym"]
    )
    followed = set(data.scores.loc[data.scores["wave"] == "post", "pseudonym"])
    attrition = len(baseline - followed) / len(baseline) if baseline else 0.0
    parts = summarise_change(own, names, attrition, lang)
    return _summary_html(parts, lang)


def _summary_html(parts: dict[str, list[str]], lang: str):
    """Render summary parts (`evaluation.summary.summarise_change`) as a titled section."""
    titles = {
        "sv": ("Sammanfattning", "Det här förändrades", "Här ser vi ingen tydlig förändring", "Att tänka på"),
        "en": ("Summary", "What changed", "No clear change", "Caveats"),
    }[lang]
    items = []
    for title, texts in zip(
        titles[1:], (parts["changed"], parts["unchanged"], parts["caveats"]), strict=True
    ):
        entries = "".join(f"<li>{html.escape(t)}</li>" for t in texts) or "<li>–</li>"
        items.append(f"<h3>{html.escape(title)}</h3><ul>{entries}</ul>")
    return _show(f'<section class="summary"><h2>{html.escape(titles[0])}</h2>{"".join(items)}</section>')
