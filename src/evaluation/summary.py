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

__all__ = ["certainty_words", "effect_words", "number", "summarise_change"]

_EFFECT = {
    "sv": ["ingen eller mycket liten", "liten", "måttlig", "stor"],
    "en": ["negligible", "small", "moderate", "large"],
}
_ROLE = {"sv": {"mentor": "mentorerna", "adept": "adepterna"}, "en": {"mentor": "mentors", "adept": "adepts"}}


def number(value: float, lang: str, digits: int = 2) -> str:
    """Format a number the way a reader in `lang` writes it (decimal comma in Swedish)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",").replace("-", "−") if lang == "sv" else text.replace("-", "−")


def effect_words(g: float, lang: str) -> str:
    """Return the size of an effect in words, by |g| against Cohen's 0.2, 0.5 and 0.8."""
    if g is None or math.isnan(g):
        raise ValueError("no effect size to describe")
    size = abs(g)
    index = 0 if size < 0.2 else 1 if size < 0.5 else 2 if size < 0.8 else 3
    return _EFFECT[lang][index]


def certainty_words(p_adj: float, lang: str) -> str:
    """Return "tydlig"/"clear" when the family-adjusted p is below 0.05, else "osäker"/"uncertain"."""
    clear = p_adj is not None and not math.isnan(p_adj) and p_adj < ALPHA
    return ("tydlig" if clear else "osäker") if lang == "sv" else ("clear" if clear else "uncertain")


def _sentence(row: pd.Series, name: str, lang: str) -> str:
    up = row["mean_diff"] > 0
    name = name[:1].lower() + name[1:]  # mid-sentence, but keep "AI" and other capitals
    adjusted = row.get("p_adj")
    p_text = ""
    if adjusted is not None and not pd.isna(adjusted):
        shown = f"< {number(0.001, lang, 3)}" if adjusted < 0.001 else f"= {number(adjusted, lang, 3)}"
        p_text = f"; justerat p {shown}" if lang == "sv" else f"; adjusted p {shown}"
    who = _ROLE[lang].get(row["role"], row["role"])
    interval = (
        f"{number(row['ci_low'], lang)} till {number(row['ci_high'], lang)}"
        if lang == "sv"
        else (f"{number(row['ci_low'], lang)} to {number(row['ci_high'], lang)}")
    )
    exploratory = row.get("family") == "secondary"
    if lang == "sv":
        verb = "ökade" if up else "minskade"
        return ("Utforskande: " if exploratory else "") + (
            f"Bland {who} {verb} {name} med {number(abs(row['mean_diff']), lang)} skalsteg "
            f"({effect_words(row['hedges_gav'], lang)} effekt, g = {number(row['hedges_gav'], lang)}; "
            f"95 % konfidensintervall för förändringen {interval}; n = {int(row['n'])}{p_text})."
        )
    verb = "increased" if up else "decreased"
    return ("Exploratory: " if exploratory else "") + (
        f"Among {who}, {name} {verb} by {number(abs(row['mean_diff']), lang)} scale points "
        f"({effect_words(row['hedges_gav'], lang)} effect, g = {number(row['hedges_gav'], lang)}; "
        f"95% confidence interval of the change {interval}; n = {int(row['n'])}{p_text})."
    )


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
        text = f"{names.get(r['construct'], r['construct'])} ({_ROLE[lang].get(r['role'], r['role'])})"
        if r["family"] == "secondary":
            text += ", utforskande" if lang == "sv" else ", exploratory"
        return text

    changed = [
        _sentence(r, names.get(r["construct"], r["construct"]), lang) for _, r in shown[claimed].iterrows()
    ]
    unchanged = [label(r) for _, r in shown[shown["claim"] == "no_clear_change"].iterrows()]
    # Shown groups below the minimum for claims, and groups hidden by disclosure control (named, never
    # numbered): the reader learns that nothing is said about them, and why.
    unclaimed = change[change["claim"].isna() | (change["claim"] == "")]
    too_small = [label(r) for _, r in unclaimed.iterrows()]
    share = number(100 * attrition, lang, 0)
    caveats = {
        "sv": [
            "Det finns ingen jämförelsegrupp: förändringen kan delvis bero på annat än programmet.",
            f"{share} % av deltagarna svarade inte på uppföljningen; de som svarade kan skilja sig "
            "från dem som inte gjorde det.",
            "Alla mått bygger på deltagarnas egna svar.",
        ],
        "en": [
            "There is no comparison group: part of the change may be due to other things than the program.",
            f"{share}% of participants did not answer the follow-up; those who did may differ from "
            "those who did not.",
            "All measures are self-reports.",
        ],
    }[lang]
    return {"changed": changed, "unchanged": unchanged, "too_small": too_small, "caveats": caveats}
