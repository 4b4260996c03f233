"""The one-page brief for leadership: ``reports/<cohort>/brief.html``, linked first from the index.

Who took part, how many answered, 3-5 key messages from the primary outcomes (each with a confidence
word decided by the adjusted p of the analysis plan, `evaluation.claims`), how participants rated the
program, what it cost and how much the pairs met, the caveats, the analyst's own judgement from
cohort.yml (``conclusions``, labelled as such) and a glossary of the few terms used. Every text comes
from the message catalogue (`evaluation.text`); every number from a table that passed disclosure
control (`evaluation.report.tables`), so that the brief shows no group below the minimum.

Confidence words (from the family-adjusted p of a claimed change): below 0.001 "mycket säkert", below
0.01 "säkert", below 0.05 "ganska säkert"; otherwise no claim ("ingen tydlig förändring").
"""

from __future__ import annotations

import math
from pathlib import Path

from evaluation.text import message, number, p_value

__all__ = ["BRIEF_FILE", "MAX_MESSAGES", "brief_context", "confidence_word", "write_brief"]

BRIEF_FILE = "brief.html"
MAX_MESSAGES = 5
"""At most this many key messages (primary outcomes, claimed changes first)."""


def confidence_word(p_adj: float, lang: str) -> str:
    """Return the confidence words for a claimed change from its family-adjusted p."""
    key = "very_sure" if p_adj < 0.001 else "sure" if p_adj < 0.01 else "fairly_sure"
    return message(f"confidence.{key}", lang, p=p_value(p_adj, lang))


def _key_messages(data, lang: str) -> list[str]:
    from evaluation.report import data as cohort
    from evaluation.report import tables

    primary = tables.primary_change(data).frame
    known = cohort.analysis_plan(data)
    rows = primary[
        [(c, r) in known.primary for c, r in zip(primary["construct"], primary["role"], strict=True)]
    ]
    rows = rows.assign(
        order=rows["claim"].map({"increase": 0, "decrease": 0, "no_clear_change": 1}).fillna(2),
        size=rows["g"].abs().fillna(0),
    ).sort_values(["order", "size"], ascending=[True, False])
    texts = []
    for row in rows.head(MAX_MESSAGES).itertuples():
        who = message(f"role.{row.role}.plural", lang)
        what = cohort.construct_name(data, row.construct, lang)
        what = what[:1].lower() + what[1:]
        claim = row.claim if isinstance(row.claim, str) and row.claim else "too_small"
        values = {"who": who, "what": what}
        if claim in ("increase", "decrease"):
            values |= {
                "change": number(abs(row.estimate), lang, 2),
                "confidence": confidence_word(row.p_adj, lang),
            }
        texts.append(message(f"brief.message.{claim}", lang, **values))
    return texts


def _response_shares(data) -> tuple[float, float]:
    from evaluation.report import tables

    frame = tables.response_rates(data).frame
    total = frame[frame["agency"] == "Alla"]
    invited = float(total["invited"].sum())
    if not invited:
        return math.nan, math.nan
    return 100 * total["answered_baseline"].sum() / invited, 100 * total["answered_followup"].sum() / invited


def _experience(data, lang: str) -> list[str]:
    from evaluation import outcomes
    from evaluation.report import data as cohort

    table = cohort.protect(
        outcomes.program_experience(data.scores, data.templates), data, "construct", "role"
    )
    frame = table.frame
    rows = frame[(frame["construct"] == "recommend_program") & frame["mean"].notna()]
    return [
        message(
            "brief.experience.text",
            lang,
            who=message(f"role.{r.role}.plural_cap", lang),
            value=number(r.mean, lang, 1),
            n=int(r.n),
        )
        for r in rows.itertuples()
    ]


def _cost(data, lang: str) -> str:
    from evaluation.report import tables

    cost = tables.cost_table(data).frame.set_index("measure")["value"]
    log = data.meeting_log
    pairs = data.scores["pair_id"].nunique()
    hours = (
        float(log["minutes"].sum() / 60 / pairs)
        if len(log) and pairs >= data.config.min_group_size
        else math.nan
    )
    return message(
        "brief.cost.text",
        lang,
        cost_per_adept=number(cost.get("cost_per_adept", math.nan), lang, 0),
        total=number(cost.get("total_cost", math.nan), lang, 0),
        hours=number(hours, lang, 0),
    )


def brief_context(data, lang: str) -> dict:
    """Return everything the brief shows, as texts in `lang` (the template only lays them out).

    Parameters
    ----------
    data : evaluation.report.data.CohortData
        The loaded cohort.
    lang : {"sv", "en"}
        The reader's language.

    Returns
    -------
    dict
        lang, title, who, response, messages (list), experience (list), cost, caveats (list),
        conclusions (the analyst's text or None), headings, glossary (list), footer.
    """
    from evaluation.outcomes import dropout_share
    from evaluation.report import data as cohort

    config = data.config
    baseline, followup = _response_shares(data)
    known = cohort.analysis_plan(data)
    attrition = 100 * dropout_share(data.scores)
    conclusions = config.conclusions.texts().get(lang, config.conclusions.sv) if config.conclusions else None
    headings = {
        key: message(f"brief.{key}.heading", lang)
        for key in ("who", "messages", "experience", "cost", "caveats", "conclusions", "glossary")
    }
    return {
        "lang": lang,
        "title": message("brief.title", lang, cohort=config.name),
        "headings": headings,
        "who": message(
            "brief.who.text",
            lang,
            pairs=data.scores["pair_id"].nunique(),
            agencies=data.scores["agency"].nunique(),
            start=config.period.start,
            end=config.period.end,
        ),
        "response": message(
            "brief.response.text",
            lang,
            baseline=number(baseline, lang, 0),
            followup=number(followup, lang, 0),
        ),
        "messages": _key_messages(data, lang) or [message("brief.messages.none", lang)],
        "experience": _experience(data, lang),
        "cost": _cost(data, lang),
        "caveats": [
            message("brief.caveat.plan", lang, n=len(known.primary)),
            message("brief.caveat.comparison", lang),
            message("brief.caveat.attrition", lang, share=number(attrition, lang, 0)),
            message("brief.caveat.self_report", lang),
        ],
        "conclusions": conclusions,
        "conclusions_label": message("brief.conclusions.label", lang),
        "conclusions_none": message("brief.conclusions.none", lang),
        "glossary": [
            message(f"glossary.{k}", lang) for k in ("primary", "area", "scale_point", "adjusted_p")
        ],
        "footer": message("brief.footer", lang, min=config.min_group_size),
    }


def write_brief(data, out_dir: Path, lang: str) -> Path:
    """Write ``brief.html`` into `out_dir` and return its path."""
    from evaluation.templating import render

    html = render("brief.html.j2", **brief_context(data, lang))
    path = Path(out_dir) / BRIEF_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
