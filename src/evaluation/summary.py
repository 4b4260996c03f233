"""Plain-language summaries for leadership: what changed, for whom, how sure we are, and the caveats.

Wording rules (tested):

- effect size in words from |Hedges' g| (Cohen, 1988): below 0.2 "ingen eller mycket liten"
  (negligible), from 0.2 "liten" (small), from 0.5 "måttlig" (moderate), from 0.8 "stor" (large);
- certainty from the declared analysis plan (`evaluation.claims`): a change is described as an
  increase or a decrease only when its family-adjusted p is below 0.05 (Holm over the primary
  outcomes, Benjamini-Hochberg over the exploratory ones), whatever the unadjusted interval says;
  exploratory results are labelled so; groups too small for claims are listed without a claim;
- numbers in Swedish with a decimal comma, in English with a point; every claim carries g, its
  interval, n and the multiplicity-adjusted p;
- groups hidden by disclosure control are never described with a number.

References
----------
Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences (2nd ed.). Erlbaum.
"""

from __future__ import annotations

import math

import pandas as pd

from evaluation.claims import ALPHA
from evaluation.text import catalogue, message, number, p_value

__all__ = ["certainty_words", "effect_words", "summarise_change"]

_EFFECT = ("negligible", "small", "moderate", "large")


def effect_words(g: float, lang: str) -> str:
    """Return the size of an effect in words, by |g| against Cohen's 0.2, 0.5 and 0.8."""
    if g is None or math.isnan(g):
        raise ValueError("no effect size to describe")
    size = abs(g)
    index = 0 if size < 0.2 else 1 if size < 0.5 else 2 if size < 0.8 else 3
    return message(f"effect.{_EFFECT[index]}", lang)


def certainty_words(p_adj: float, lang: str) -> str:
    """Return "tydlig"/"clear" when the family-adjusted p is below 0.05, else "osäker"/"uncertain"."""
    clear = p_adj is not None and not math.isnan(p_adj) and p_adj < ALPHA
    return message("certainty.clear" if clear else "certainty.uncertain", lang)


def _who(role: str, lang: str) -> str:
    key = f"role.{role}.plural"
    return message(key, lang) if key in catalogue() else role


def _sentence(row: pd.Series, name: str, lang: str) -> str:
    name = name[:1].lower() + name[1:]  # mid-sentence, but keep "AI" and other capitals
    adjusted = row.get("p_adj")
    p_text = (
        "" if adjusted is None or pd.isna(adjusted) else message("summary.p", lang, p=p_value(adjusted, lang))
    )
    sentence = message(
        "summary.sentence.increase" if row["mean_diff"] > 0 else "summary.sentence.decrease",
        lang,
        who=_who(row["role"], lang),
        what=name,
        change=number(abs(row["mean_diff"]), lang, 2),
        size=effect_words(row["hedges_gav"], lang),
        g=number(row["hedges_gav"], lang, 2),
        low=number(row["ci_low"], lang, 2),
        high=number(row["ci_high"], lang, 2),
        n=int(row["n"]),
        p=p_text,
    )
    if row.get("family") == "secondary":
        return message("summary.exploratory", lang, sentence=sentence)
    return sentence


def summarise_change(
    change: pd.DataFrame, names: dict[str, str], attrition: float, lang: str
) -> dict[str, list[str]]:
    """Return the summary's paragraphs: what changed, what did not clearly change, and the caveats.

    Parameters
    ----------
    change : pandas.DataFrame
        Change per construct and role after disclosure control (hidden rows have no numbers), with the
        claims of the analysis plan (`evaluation.claims`): columns construct, role, n, mean_diff,
        ci_low, ci_high, hedges_gav, p_adj (adjusted within its family), family (``primary`` or
        ``secondary``) and claim (``increase``, ``decrease``, ``no_clear_change``, or missing for a
        group too small for claims).
    names : dict
        Construct id to its name in `lang`.
    attrition : float
        Share of participants without a follow-up, in [0, 1].
    lang : {"sv", "en"}
        Language.

    Returns
    -------
    dict
        ``changed`` (one sentence per claimed increase or decrease: primary outcomes first, then the
        exploratory ones, each by effect size), ``unchanged`` (no clear change), ``too_small`` (groups
        with too few participants for a claim, or hidden by disclosure control: named, never numbered)
        and ``caveats``.

    Raises
    ------
    ValueError
        If `change` has no ``claim`` and ``family`` columns (decide claims with `evaluation.claims`).
    """
    missing = [c for c in ("claim", "family") if c not in change.columns]
    if missing:
        raise ValueError(f"change lacks {missing}: decide the claims with evaluation.claims first")
    shown = change[change["mean_diff"].notna() & change["ci_low"].notna()].copy()
    shown = shown.assign(
        size=shown["hedges_gav"].abs(), order=(shown["family"] != "primary").astype(int)
    ).sort_values(["order", "size"], ascending=[True, False], kind="stable")
    claimed = shown["claim"].isin(["increase", "decrease"])

    def label(r: pd.Series) -> str:
        key = "summary.label.secondary" if r["family"] == "secondary" else "summary.label.primary"
        return message(key, lang, what=names.get(r["construct"], r["construct"]), who=_who(r["role"], lang))

    changed = [
        _sentence(r, names.get(r["construct"], r["construct"]), lang) for _, r in shown[claimed].iterrows()
    ]
    unchanged = [label(r) for _, r in shown[shown["claim"] == "no_clear_change"].iterrows()]
    # Shown groups below the minimum for claims, and groups hidden by disclosure control (named, never
    # numbered): the reader learns that nothing is said about them, and why.
    unclaimed = change[change["claim"].isna() | (change["claim"] == "")]
    too_small = [label(r) for _, r in unclaimed.iterrows()]
    caveats = [
        message("brief.caveat.comparison", lang),
        message("brief.caveat.attrition", lang, share=number(100 * attrition, lang, 0)),
        message("brief.caveat.self_report", lang),
    ]
    return {"changed": changed, "unchanged": unchanged, "too_small": too_small, "caveats": caveats}
