"""The prose sections of report pages: summaries, comments, comparisons and an agency's overview.

Each displays text from the message catalogue in the report's language, with every number from a
table that passed disclosure control (`evaluation.report.tables`), and every claim decided by the
analysis plan's adjusted p (`evaluation.claims`, `evaluation.summary`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evaluation.cohort import load_cohort
from evaluation.disclosure import Protected
from evaluation.report.data import CohortData, analysis_plan, construct_name
from evaluation.report.render import Shown, paragraph, piece, show, table
from evaluation.report.tables import agency_claims, change_by_agency, primary_change, response_rates
from evaluation.report.text import role_name, topic_name
from evaluation.survey import load_templates, pinned
from evaluation.text import message, number

__all__ = [
    "agency_overview",
    "agency_summary",
    "comments",
    "comparability_note",
    "comparison_sentences",
    "not_comparable",
    "summary",
]


def summary(data: CohortData, lang: str):
    """Display the plain-language summary that opens the cohort report (see `evaluation.summary`)."""
    from evaluation.summary import summarise_change

    change = primary_change(data).frame.rename(columns={"estimate": "mean_diff", "g": "hedges_gav"})
    names = {c: construct_name(data, c, lang) for c in change["construct"]}
    parts = summarise_change(change, names, _dropouts(data.scores), lang)
    return _summary_section(parts, lang)


def agency_summary(data: CohortData, agency: str, lang: str):
    """Display the plain-language summary of an agency's change (groups below the minimum left out)."""
    from evaluation.summary import summarise_change

    known = analysis_plan(data)
    table = change_by_agency(data).frame
    own = table[table["agency"] == agency]
    own = own[[(c, r) in known.primary for c, r in zip(own["construct"], own["role"], strict=True)]]
    claimed = agency_claims(data)
    claimed = claimed.loc[claimed["scope"] == agency, ["construct", "role", "p_adj", "claim"]]
    own = own.merge(claimed, on=["construct", "role"], how="left").assign(family="primary")
    names = {c: construct_name(data, c, lang) for c in own["construct"]}
    parts = summarise_change(own, names, _dropouts(data.scores[data.scores["agency"] == agency]), lang)
    return _summary_section(parts, lang)


def _dropouts(scores) -> float:
    """Return the dropout share a summary's caveat names (`evaluation.outcomes.dropout_share`; 0 if none)."""
    from evaluation.outcomes import dropout_share

    share = dropout_share(scores)
    return 0.0 if np.isnan(share) else share


def _summary_section(parts: dict[str, list[str]], lang: str) -> Shown:
    """Display summary parts (`evaluation.summary.summarise_change`) as a titled section."""
    lists = (parts["changed"], parts["unchanged"], parts.get("too_small", []), parts["caveats"])
    keys = ("changed", "unchanged", "too_small", "caveats")
    shown = []
    for index, (key, texts) in enumerate(zip(keys, lists, strict=True)):
        if index == 2 and not texts:
            continue  # no group too small for claims: say nothing
        if index in (0, 1) and not texts and not parts["changed"] and not parts["unchanged"]:
            continue  # every group too small for claims: the list below says so
        shown.append((message(f"summary.{key}", lang), texts))
    return show(piece("summary", message("summary.title", lang), shown))


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
    return show(piece("bullets", sorted(texts["value_text"].astype(str)), "comments"))


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
    for construct, role in analysis_plan(data).primary:
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
                    topic=topic_name(data, construct, lang),
                    who=role_name(role, lang),
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
    return show(piece("bullets", items), piece("paragraph", message("comparison.sentence.exploratory", lang)))


def not_comparable(cohort_dirs: list[str | Path]) -> list[str]:
    """Return the ids of constructs some compared cohort was asked but that share no item across them.

    Cohorts that answered different instrument versions are compared on shared items only
    (`evaluation.report.tables.compare`); a construct whose items all changed between the versions
    (new wording, new scale) cannot be compared at all, and the comparison page says so.
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


def agency_overview(data: CohortData, agency: str, lang: str, results_dir: str | Path) -> Shown:
    """Display what an agency's page can always say: who took part, the meetings logged, what is hidden.

    Participation (invited and answered per wave and role) comes from
    `evaluation.report.tables.response_rates`, so the page hides exactly what the data-quality report hides;
    an agency pooled there into ``Övriga myndigheter`` says so. Meetings and hours are the pairs' logged
    meetings, shown when the agency has at least the minimum number of pairs. The closing sentences say, per
    role, whether its change is shown and whether conclusions are drawn, and why not (`min_group_size`,
    `min_n_for_claims`). The participation table is written to ``results/agency_<agency>_participation.csv``.
    """
    least = data.config.min_group_size
    parts = [piece("heading", message("agency.participation.heading", lang), 2)]
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
            )
        )
    else:
        parts.append(piece("paragraph", message("agency.participation.pooled", lang, min=least)))
    pairs = data.scores.loc[data.scores["agency"] == agency, "pair_id"].nunique()
    log = (
        data.meeting_log[data.meeting_log["agency"] == agency] if len(data.meeting_log) else data.meeting_log
    )
    if pairs >= least and len(log):
        meetings = log.drop_duplicates(["pair_id", "date"])
        hours = meetings.groupby("pair_id")["minutes"].sum() / 60
        said = message(
            "agency.meetings",
            lang,
            pairs=pairs,
            meetings=len(meetings),
            hours=number(float(hours.sum() / pairs), lang, 0),
        )
        parts.append(piece("paragraph", said))
    elif pairs < least:
        parts.append(piece("paragraph", message("agency.meetings.hidden", lang, min=least)))
    parts.append(piece("heading", message("agency.hidden.heading", lang), 2))
    from evaluation.agencies import answered_both_waves, role_status

    both = answered_both_waves(data.responses)
    statuses = [
        message(
            "agency.hidden." + role_status(both.get((agency, role), 0), data.config),
            lang,
            who=message(f"role.{role}.plural_cap", lang),
            min=least,
            claims=data.config.min_n_for_claims,
        )
        for role in ("mentor", "adept")
    ]
    parts.append(piece("bullets", statuses))
    return show(*parts)
