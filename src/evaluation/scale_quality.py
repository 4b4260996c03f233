"""Scale quality for the instrument-quality report: a one-factor CFA per construct, and invariance by role.

Both tables use the baseline answers (wave ``pre``) to the items of each mean-scored construct, one
row per respondent (answers pivoted wide per pseudonym), reverse-keyed items flipped on their scale
(``min + max - x``) so that every loading should be positive, and only respondents who answered every
item (listwise deletion; "Kan inte bedöma" counts as not answered). Answers are treated as continuous
(maximum likelihood on the covariance matrix, `evaluation.stats.cfa`), an approximation for five-point
items that estimators for ordinal data avoid.

The sample-size rule: a one-factor model of k items has 2k free parameters (k - 1 loadings, the first
fixed to 1, k residual variances and the factor's variance); it is fitted only when the complete
respondents number at least ``max(50, 10 x 2k)``, i.e. 60 for three items, 80 for four, 100 for five
(ten respondents per free parameter, never fewer than 50). Below that the estimates are too unstable
to publish and the row says why instead. In `invariance_table` the rule applies to each role on its
own. A construct of three items is just-identified (df 0): its fit cannot be tested, so the table
reports its loadings and omega only and says so.

Every table passes the cohort's disclosure rules (`evaluation.disclosure`) on its respondent counts.
"""

from __future__ import annotations

import pandas as pd

from evaluation.disclosure import Protected
from evaluation.report.data import CohortData, construct_name
from evaluation.stats import cfa, measurement_invariance
from evaluation.text import in_language

__all__ = ["MIN_RESPONDENTS", "PER_PARAMETER", "cfa_table", "invariance_table", "required_respondents"]

MIN_RESPONDENTS = 50
"""The fewest complete respondents a factor model is fitted on."""

PER_PARAMETER = 10
"""Complete respondents required per free parameter of the model."""

ROLES = ("mentor", "adept")

BASELINE = "pre"
"""The wave both tables use; its column tells these baseline counts from the change analyses' counts."""

_WAVE_NAMES = {"sv": "före", "en": "before"}

_CFA_HEADERS = {
    "sv": {
        "construct": "Område",
        "wave": "Våg",
        "n_items": "Frågor",
        "n": "Svarande",
        "chi2": "χ²",
        "df": "df",
        "p": "p",
        "cfi": "CFI",
        "tli": "TLI",
        "rmsea": "RMSEA",
        "omega": "Omega (ω)",
        "min_loading": "Lägsta laddning",
        "note": "Kommentar",
    },
    "en": {
        "construct": "Construct",
        "wave": "Wave",
        "n_items": "Items",
        "n": "Respondents",
        "chi2": "χ²",
        "df": "df",
        "p": "p",
        "cfi": "CFI",
        "tli": "TLI",
        "rmsea": "RMSEA",
        "omega": "Omega (ω)",
        "min_loading": "Lowest loading",
        "note": "Note",
    },
}

_INVARIANCE_HEADERS = {
    "sv": {
        "construct": "Område",
        "wave": "Våg",
        "n_items": "Frågor",
        "n_mentor": "Mentorer",
        "n_adept": "Adepter",
        "chi2_configural": "χ² konfigural",
        "df_configural": "df konfigural",
        "chi2_metric": "χ² lika laddningar",
        "df_metric": "df lika laddningar",
        "delta_chi2": "Δχ²",
        "delta_df": "Δdf",
        "p": "p (Δχ²)",
        "cfi_configural": "CFI konfigural",
        "cfi_metric": "CFI lika laddningar",
        "delta_cfi": "ΔCFI",
        "note": "Kommentar",
    },
    "en": {
        "construct": "Construct",
        "wave": "Wave",
        "n_items": "Items",
        "n_mentor": "Mentors",
        "n_adept": "Adepts",
        "chi2_configural": "χ² configural",
        "df_configural": "df configural",
        "chi2_metric": "χ² equal loadings",
        "df_metric": "df equal loadings",
        "delta_chi2": "Δχ²",
        "delta_df": "Δdf",
        "p": "p (Δχ²)",
        "cfi_configural": "CFI configural",
        "cfi_metric": "CFI equal loadings",
        "delta_cfi": "ΔCFI",
        "note": "Note",
    },
}


def required_respondents(n_items: int) -> int:
    """Return the complete respondents a one-factor model of `n_items` items needs: max(50, 10 x 2k)."""
    return max(MIN_RESPONDENTS, PER_PARAMETER * 2 * n_items)


def _baseline(data: CohortData, construct) -> tuple[pd.DataFrame, list[str]]:
    """Return the baseline answers to a construct's items, one row per respondent (role, items), keyed.

    Items are those of the construct that someone answered at baseline, in the construct's order;
    reverse-keyed items are flipped on their scale. Rows keep missing answers.
    """
    listed = list(construct.scoring.items)
    answers = data.responses[(data.responses["wave"] == BASELINE) & data.responses["item"].isin(listed)]
    answers = answers[answers["value"].notna()]
    items = [i for i in listed if i in set(answers["item"])]
    if not items:
        return pd.DataFrame(columns=["role"]), []
    wide = answers.pivot_table(index=["pseudonym", "role"], columns="item", values="value", aggfunc="first")
    wide = wide.reindex(columns=items).reset_index(level="role")
    wide.columns.name = None
    for item in construct.scoring.reverse:
        if item in wide.columns:
            codes = data.templates.scale_of(data.templates.items[item]).codes
            wide[item] = min(codes) + max(codes) - wide[item]
    return wide, items


def _model(items: list[str]) -> tuple[str, dict[str, str]]:
    """Return a one-factor model over safe variable names (v1, v2, ...) and the names' items."""
    names = {f"v{k}": item for k, item in enumerate(items, start=1)}
    return "f =~ " + " + ".join(names), names


def _named(message: str, names: dict[str, str]) -> str:
    for safe, item in sorted(names.items(), key=lambda pair: -len(pair[0])):
        message = message.replace(f"'{safe}'", f"'{item}'")
    return message


_TOO_FEW_ITEMS = "färre än 3 frågor besvarade vid baslinjen / fewer than 3 items answered at baseline"
_NOT_ASKED = "inga svar vid baslinjen / no answers at baseline"
_JUST_IDENTIFIED = (
    "3 frågor: modellen är exakt identifierad (df 0), så anpassningen kan inte prövas; bara lägsta "
    "laddning och omega redovisas / 3 items: the model is just-identified (df 0), so its fit cannot be "
    "tested; only the lowest loading and omega are reported"
)


def _too_few(needed: int, per_role: bool = False) -> str:
    if per_role:
        return (
            f"för få fullständiga svar i en roll: minst {needed} per roll krävs / too few complete "
            f"answers in a role: at least {needed} per role needed"
        )
    return (
        f"för få fullständiga svar: minst {needed} krävs (max(50, 10 × fria parametrar)) / too few "
        f"complete answers: at least {needed} needed (max(50, 10 × free parameters))"
    )


def _failed(error: Exception, names: dict[str, str]) -> str:
    return f"modellen kunde inte skattas / the model could not be fitted: {_named(str(error), names)}"


def _in(text: object, lang: str | None) -> object:
    """Return the part of a bilingual "svenska / English" note in `lang` (both when `lang` is None)."""
    if lang is None or not isinstance(text, str):
        return text
    return in_language(text, lang)


def _view(table: Protected, data: CohortData, lang: str | None, headers: dict) -> Protected:
    if lang is None:
        return table
    view = table.frame.copy()
    view["construct"] = [construct_name(data, c, lang) for c in view["construct"]]
    view["wave"] = view["wave"].map(lambda w: _WAVE_NAMES[lang] if w == BASELINE else w)
    view["note"] = [_in(n, lang) for n in view["note"]]
    return table.with_view(view, headers[lang])


def _constructs(data: CohortData):
    return [c for c in data.templates.constructs.values() if c.scoring.method == "mean"]


def cfa_table(data: CohortData, lang: str | None = None) -> Protected:
    """Return a one-factor confirmatory factor analysis of each mean-scored construct at baseline.

    For each mean-scored construct, the baseline answers of every respondent (mentors and adepts
    together) to the construct's items are fitted by `evaluation.stats.cfa` as one factor (``f =~
    item1 + item2 + ...``, maximum likelihood, the first loading fixed to 1), when the construct has
    at least 3 answered items and at least ``required_respondents(k) = max(50, 10 x 2k)`` respondents
    answered all k of them (see the module's docstring). Otherwise the row says why it was not fitted.

    Parameters
    ----------
    data : evaluation.report.data.CohortData
        The cohort (`evaluation.report.data.load`).
    lang : {"sv", "en"}, optional
        If given, the table gets a reader view: construct names, headers and notes in `lang`.

    Returns
    -------
    evaluation.disclosure.Protected
        One row per mean-scored construct: construct (id), wave (``pre``: these are baseline counts, not
        the change analyses'), n_items (items answered at baseline), n
        (respondents who answered them all; the group size disclosure judges), chi2, df, p (of the
        chi-square test), cfi, tli, rmsea (missing for a just-identified model of 3 items, whose df is
        0), omega (McDonald's omega from the standardized loadings), min_loading (the lowest
        standardized loading), note (why a row was not fitted or has no fit indices, or the
        disclosure note for a hidden row; bilingual "svenska / English").
    """
    rows = []
    for construct in _constructs(data):
        wide, items = _baseline(data, construct)
        complete = wide[items].dropna() if items else wide
        row = {"construct": construct.id, "wave": BASELINE, "n_items": len(items), "n": len(complete)}
        needed = required_respondents(len(items))
        if len(items) < 3:
            row["note"] = _TOO_FEW_ITEMS if items else _NOT_ASKED
        elif len(complete) < needed:
            row["note"] = _too_few(needed)
        else:
            model, names = _model(items)
            try:
                result = cfa(model, complete.rename(columns={v: k for k, v in names.items()}))
            except (ValueError, RuntimeError) as error:
                row["note"] = _failed(error, names)
            else:
                fit, omega = result.fit, result.omega.iloc[0]
                row |= {k: float(fit[k]) for k in ("chi2", "p", "cfi", "tli", "rmsea")}
                row |= {"df": int(fit["df"]), "omega": float(omega["omega"])}
                row["min_loading"] = float(result.loadings["std_estimate"].min())
                notes = [_JUST_IDENTIFIED if len(items) == 3 else "", _named(omega["note"], names)]
                row["note"] = " ".join(n for n in notes if n)
        rows.append(row)
    columns = list(_CFA_HEADERS["en"])
    frame = pd.DataFrame(rows, columns=columns)
    frame["df"] = frame["df"].astype("Int64")
    table = data.config.disclosure.protect(frame, labels=("construct", "wave"))
    return _view(table, data, lang, _CFA_HEADERS)


def invariance_table(data: CohortData, lang: str | None = None) -> Protected:
    """Return whether each construct's loadings are equal for mentors and adepts (metric invariance).

    For each mean-scored construct that both roles answered at baseline, with at least 3 items and
    at least ``required_respondents(k)`` complete respondents in each role, two one-factor models are
    fitted to the two roles' covariance matrices by `evaluation.stats.measurement_invariance`:

    - configural: the same one-factor model with every parameter free in each role; the roles share
      nothing, so its chi2 and df are the sums of the two roles' separate fits (as semopy's
      ``multigroup`` fits groups);
    - metric: one set of loadings shared by both roles (the model of our own that semopy lacks,
      lavaan's ``group.equal = "loadings"``), the factor variance and residual variances free per role.

    The metric model is nested in the configural one, so the likelihood-ratio test (delta_chi2 on
    delta_df degrees of freedom) tests whether the loadings differ between roles; delta_cfi (metric
    minus configural CFI) below -0.01 also suggests they do (Cheung & Rensvold, 2002). With 3 items the
    configural model is just-identified (chi2 0, df 0, CFI 1 by definition) and the test of equal
    loadings has 2 degrees of freedom. Means and intercepts are not compared (scalar invariance is not
    tested), so this table supports comparing relations within roles, not mean levels between them.

    Parameters
    ----------
    data : evaluation.report.data.CohortData
        The cohort (`evaluation.report.data.load`).
    lang : {"sv", "en"}, optional
        If given, the table gets a reader view: construct names, headers and notes in `lang`.

    Returns
    -------
    evaluation.disclosure.Protected
        One row per mean-scored construct: construct, wave (``pre``), n_items, n_mentor and n_adept (complete
        respondents per role; the group sizes disclosure judges), chi2_configural, df_configural,
        chi2_metric, df_metric, delta_chi2, delta_df, p (of the chi-square difference), cfi_configural,
        cfi_metric, delta_cfi, note (why a construct was not compared, e.g. asked of one role only or
        too few respondents in a role; bilingual "svenska / English").
    """
    rows = []
    for construct in _constructs(data):
        wide, items = _baseline(data, construct)
        complete = wide[["role", *items]].dropna() if items else wide
        sizes = complete["role"].value_counts()
        row = {"construct": construct.id, "wave": BASELINE, "n_items": len(items)}
        row |= {f"n_{role}": int(sizes.get(role, 0)) for role in ROLES}
        needed = required_respondents(len(items))
        if len(items) < 3:
            row["note"] = _TOO_FEW_ITEMS if items else _NOT_ASKED
        elif min(row["n_mentor"], row["n_adept"]) == 0:
            row["note"] = "besvaras vid baslinjen av en roll / answered at baseline by one role only"
        elif min(row["n_mentor"], row["n_adept"]) < needed:
            row["note"] = _too_few(needed, per_role=True)
        else:
            model, names = _model(items)
            renamed = complete[complete["role"].isin(ROLES)].rename(columns={v: k for k, v in names.items()})
            try:
                result = measurement_invariance(model, renamed, "role").set_index("model")
            except (ValueError, RuntimeError) as error:
                row["note"] = _failed(error, names)
            else:
                for name in ("configural", "metric"):
                    row[f"chi2_{name}"] = float(result.loc[name, "chi2"])
                    row[f"df_{name}"] = int(result.loc[name, "df"])
                    row[f"cfi_{name}"] = float(result.loc[name, "cfi"])
                row["delta_chi2"] = float(result.loc["metric", "delta_chi2"])
                row["delta_df"] = int(result.loc["metric", "delta_df"])
                row["p"] = float(result.loc["metric", "p_delta"])
                row["delta_cfi"] = float(result.loc["metric", "delta_cfi"])
                row["note"] = (
                    "3 frågor: den konfigurala modellen är exakt identifierad (df 0) / 3 items: the "
                    "configural model is just-identified (df 0)"
                    if len(items) == 3
                    else ""
                )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(_INVARIANCE_HEADERS["en"]))
    for column in ("df_configural", "df_metric", "delta_df"):
        frame[column] = frame[column].astype("Int64")
    table = data.config.disclosure.protect(
        frame, labels=("construct", "wave"), counts=("n_mentor", "n_adept")
    )
    return _view(table, data, lang, _INVARIANCE_HEADERS)
