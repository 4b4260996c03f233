"""The tables of a cohort's reports, each protected by the cohort's disclosure policy.

Every function takes a loaded cohort (`evaluation.report.data.load`) and returns an
`evaluation.disclosure.Protected` table: the tidy numbers (written as ``results/<name>.csv`` by
`evaluation.report.render.table`) with groups below the minimum hidden. The statistics come from
`evaluation.outcomes`, `evaluation.primary`, `evaluation.claims`, `evaluation.pairs`,
`evaluation.perception`, `evaluation.agencies` and `evaluation.planning`; tables computed from the
same cohort more than once in a build are computed once (`evaluation.report.data.CohortData.once`).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path

import pandas as pd

from evaluation.disclosure import ALL, Protected
from evaluation.report.data import CohortData, analysis_plan, construct_name, load, protect
from evaluation.report.text import group_name, interval, role_name
from evaluation.report.views import cost_view, rates_view, reader_view, whole_counts
from evaluation.scoring import score
from evaluation.survey import load_templates, pinned
from evaluation.text import message

__all__ = [
    "agency_claims",
    "agency_experience",
    "agency_vs_cohort",
    "change_by_agency",
    "claims",
    "cohort_change",
    "compare",
    "cost_table",
    "dyadic_table",
    "gap_change_table",
    "inspiration_response_rates",
    "missing_items",
    "model_details",
    "model_table",
    "perception_table",
    "planning_table",
    "primary_change",
    "quarantine_summary",
    "reliabilities",
    "reliability_table",
    "reliable_change_table",
    "response_rates",
    "role_gap_table",
    "shrunken_agency_change",
]


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
    return rates_view(table, ["answered_baseline", "answered_followup"], lang)


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
    return rates_view(table, ["answered"], lang)


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


def _everyone(data: CohortData) -> pd.DataFrame:
    """Return the primary estimates (`evaluation.primary.change_from_everyone`), fitted once per cohort.

    The mixed models are the slowest part of a build, and the brief and the cohort report both need
    them: they are kept beside the cohort's processed data (``processed/.cache/``, derived numbers
    per construct and role only) under a key of the scores and the code that fits them, so that
    every process of a build fits them once.
    """

    def fitted_or_cached() -> pd.DataFrame:
        import hashlib
        import os

        import statsmodels

        from evaluation import primary

        digest = hashlib.sha256()
        digest.update(pd.util.hash_pandas_object(data.scores, index=False).to_numpy().tobytes())
        digest.update(Path(primary.__file__).read_bytes() + statsmodels.__version__.encode())
        cached = data.folder / "processed" / ".cache" / f"primary-{digest.hexdigest()[:24]}.parquet"
        if cached.exists():
            return pd.read_parquet(cached)
        fitted = _fit_everyone(data)
        with contextlib.suppress(OSError):  # a read-only data folder: fit again next time
            cached.parent.mkdir(exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            fitted.to_parquet(partial, index=False)
            partial.replace(cached)
        return fitted

    return data.once("everyone", fitted_or_cached)


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

    known = analysis_plan(data)
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


def cohort_change(data: CohortData) -> Protected:
    """Return the complete-case change per construct and role (the sensitivity analysis), protected.

    Paired change of the participants who answered both waves (`evaluation.outcomes.cohort_change`);
    ``p_adj`` is adjusted within the row's family of the analysis plan (`evaluation.claims`) and
    ``family`` says which. The claims come from the primary estimates (`primary_change`), which use
    everyone; this table shows whether the completers alone tell the same story.
    """
    return data.once("cohort_change", lambda: _cohort_change(data))


def _cohort_change(data: CohortData) -> Protected:
    from evaluation import outcomes
    from evaluation.claims import cohort_claims

    known = analysis_plan(data)
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

    known = analysis_plan(data)
    cohort = cohort_claims(_everyone(data), known)
    agencies = agency_claims(data)
    table = pd.concat([cohort, agencies], ignore_index=True) if len(agencies) else cohort
    protected = protect(table, data, "scope", "construct", "role", "family")
    return protected.narrow(protected.frame[CLAIM_COLUMNS])


def agency_claims(data: CohortData) -> pd.DataFrame:
    """Return the agency-scope claims (`evaluation.claims.agency_claims`), once per loaded cohort."""
    from evaluation import claims as rules

    return data.once(
        "agency_claims",
        lambda: rules.agency_claims(data.scores, change_by_agency(data).frame, analysis_plan(data)),
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

    return data.once("change_by_agency", compute)


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

    table = data.once("shrunken", lambda: shrunken_changes(data.scores, change_by_agency(data).frame))
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
            "agency": [group_name(a, lang) for a in frame["agency"]],
            "construct": [construct_name(data, c, lang) for c in frame["construct"]],
            "role": [role_name(r, lang) for r in frame["role"]],
            "n": whole_counts(frame["n"]),
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

    primary = analysis_plan(data).primary
    both = sorted({c for c, _ in primary if (c, "mentor") in primary and (c, "adept") in primary})
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
        plan_next_cohort(data.scores, list(analysis_plan(data).primary), size, change=change),
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
    net = outcomes.net_reliable_change(improved, analysis_plan(data).primary)
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
    return table if lang is None else cost_view(table, lang)


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


def _shared_note(shared: tuple[str, ...], total: int) -> str:
    return (
        f"jämförs på de {len(shared)} av {total} frågor som alla kohorter fick / compared on the "
        f"{len(shared)} of {total} items every cohort was asked ({', '.join(shared)})"
    )


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
    if len(per_role) and (per_role["n"] >= data.config.min_group_size).all():
        return protect(per_role, data, "construct", "role")
    pooled = outcomes.program_experience(own.assign(role="all"), data.templates)
    return protect(pooled, data, "construct", "role")
