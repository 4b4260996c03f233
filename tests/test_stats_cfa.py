"""CFA (evaluation.stats.cfa) against lavaan's published output, and the report tables built on it.

References
----------
- Three-factor CFA of HolzingerSwineford1939 (301 pupils; visual =~ x1 + x2 + x3, textual =~ x4 + x5 +
  x6, speed =~ x7 + x8 + x9): the lavaan tutorial https://lavaan.ugent.be/tutorial/cfa.html prints
  ``summary(fit, fit.measures = TRUE)``: chi-square 85.306 on 24 df, CFI 0.931, TLI 0.896, RMSEA 0.092,
  loadings x2 0.554 (SE 0.100), x3 0.729 (0.109), x5 1.113 (0.065), x6 0.926 (0.055), x8 1.180
  (0.165), x9 1.082 (0.151). The standardized loadings (``std.all``) are those lavaan 0.6-19 prints
  with ``summary(fit, standardized = TRUE)`` for the same model, e.g. in
  https://r-statistics.co/CFA-and-Structural-Equation-Modeling-in-R.html (x1 0.772, x2 0.424, x3 0.581)
  and in public lesson material showing the full output (x4 0.852, x5 0.855, x6 0.838, x7 0.570,
  x8 0.723, x9 0.665).
- Measurement invariance of the same model across the two schools: lavaan's tutorial on multiple
  groups (https://lavaan.ugent.be/tutorial/groups.html) and semTools' ``measurementInvariance(model,
  data = HolzingerSwineford1939, group = "school")`` print configural chi-square 115.85 on 48 df,
  loadings-equal 124.04 on 54 df, difference 8.192 on 6 df, p 0.2244; CFI 0.923 and 0.921, RMSEA
  0.097 and 0.093.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from evaluation import scale_quality
from evaluation.stats import CFAResult, cfa, measurement_invariance

THREE_FACTORS = """
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"""

LAVAAN_STD = {
    "x1": 0.772,
    "x2": 0.424,
    "x3": 0.581,
    "x4": 0.852,
    "x5": 0.855,
    "x6": 0.838,
    "x7": 0.570,
    "x8": 0.723,
    "x9": 0.665,
}
LAVAAN_EST = {"x2": 0.554, "x3": 0.729, "x5": 1.113, "x6": 0.926, "x8": 1.180, "x9": 1.082}
LAVAAN_SE = {"x2": 0.100, "x3": 0.109, "x5": 0.065, "x6": 0.055, "x8": 0.165, "x9": 0.151}


@pytest.fixture(scope="module")
def holzinger() -> pd.DataFrame:
    from semopy.examples import holzinger39

    data = holzinger39.get_data()
    assert len(data) == 301
    return data


@pytest.fixture(scope="module")
def three(holzinger) -> CFAResult:
    return cfa(THREE_FACTORS, holzinger)


def _printed(value: float, expected: float, decimals: int = 3) -> bool:
    """Whether `value` prints as `expected` with lavaan's decimals (half a unit of the last digit)."""
    return abs(value - expected) <= 0.5 * 10**-decimals + 1e-9


# --- cfa against lavaan ---------------------------------------------------------------------------


def test_fit_matches_lavaan(three):
    fit = three.fit
    assert _printed(fit["chi2"], 85.306)
    assert fit["df"] == 24
    assert fit["p"] < 0.001
    assert _printed(fit["cfi"], 0.931)
    assert _printed(fit["tli"], 0.896)
    assert _printed(fit["rmsea"], 0.092)
    assert fit["n"] == 301
    assert fit["n_parameters"] == 21


def test_standardized_loadings_match_lavaan(three):
    loadings = three.loadings.set_index("item")
    assert list(three.loadings.columns) == ["factor", "item", "estimate", "std_estimate", "se", "p"]
    assert list(loadings.index) == list(LAVAAN_STD)  # in the model's order
    assert list(three.loadings["factor"]) == ["visual"] * 3 + ["textual"] * 3 + ["speed"] * 3
    for item, expected in LAVAAN_STD.items():
        assert _printed(loadings.loc[item, "std_estimate"], expected), (item, loadings.loc[item])


def test_unstandardized_loadings_and_standard_errors_match_lavaan(three):
    loadings = three.loadings.set_index("item")
    for marker in ("x1", "x4", "x7"):
        assert loadings.loc[marker, "estimate"] == 1.0
        assert math.isnan(loadings.loc[marker, "se"]) and math.isnan(loadings.loc[marker, "p"])
    for item, expected in LAVAAN_EST.items():
        # lavaan prints three decimals; optimisers agree to about one unit of the third
        assert abs(loadings.loc[item, "estimate"] - expected) < 1e-3, item
        assert abs(loadings.loc[item, "se"] - LAVAAN_SE[item]) < 1e-3, item
        assert loadings.loc[item, "p"] < 0.001


def test_omega_from_lavaans_published_loadings(three):
    """Omega by hand from lavaan's printed standardized loadings: (sum l)^2 / ((sum l)^2 + sum(1 - l^2))."""
    by_hand = {}
    for factor, items in {"visual": "x1 x2 x3", "textual": "x4 x5 x6", "speed": "x7 x8 x9"}.items():
        loadings = np.array([LAVAAN_STD[i] for i in items.split()])
        by_hand[factor] = loadings.sum() ** 2 / (loadings.sum() ** 2 + (1 - loadings**2).sum())
    assert by_hand == pytest.approx({"visual": 0.6260, "textual": 0.8851, "speed": 0.6915}, abs=1e-4)
    omega = three.omega.set_index("factor")
    assert list(three.omega.columns) == ["factor", "n_items", "omega", "note"]
    for factor, expected in by_hand.items():
        assert omega.loc[factor, "omega"] == pytest.approx(expected, abs=2e-3)  # loadings rounded
        assert omega.loc[factor, "n_items"] == 3 and omega.loc[factor, "note"] == ""


def test_omega_is_computed_from_the_fitted_loadings(three):
    for factor, group in three.loadings.groupby("factor"):
        total = group["std_estimate"].sum()
        expected = total**2 / (total**2 + (1 - group["std_estimate"] ** 2).sum())
        assert three.omega.set_index("factor").loc[factor, "omega"] == pytest.approx(expected, rel=1e-12)


def test_omega_recovers_a_known_population_value():
    """One factor with standardized loadings .8, .7, .6, .5: omega = 2.6^2 / (2.6^2 + 2.26) = 0.7494."""
    rng = np.random.default_rng(7)
    loadings = np.array([0.8, 0.7, 0.6, 0.5])
    factor = rng.standard_normal(20000)
    noise = rng.standard_normal((20000, 4)) * np.sqrt(1 - loadings**2)
    data = pd.DataFrame(factor[:, None] * loadings + noise, columns=["a", "b", "c", "d"])
    result = cfa("f =~ a + b + c + d", data)
    assert result.omega.loc[0, "omega"] == pytest.approx(6.76 / 9.02, abs=0.01)
    assert result.loadings["std_estimate"].to_numpy() == pytest.approx(loadings, abs=0.03)
    assert result.fit["df"] == 2 and result.fit["p"] > 0.001  # the model is true


def test_a_just_identified_model_has_no_fit_indices(holzinger):
    result = cfa("visual =~ x1 + x2 + x3", holzinger)
    assert result.fit["df"] == 0 and result.fit["chi2"] == 0.0
    for index in ("p", "cfi", "tli", "rmsea"):
        assert math.isnan(result.fit[index]), index
    assert not math.isnan(result.omega.loc[0, "omega"])


def test_listwise_deletion_counts_complete_rows(holzinger):
    data = holzinger.copy()
    data.loc[data.index[:10], "x2"] = np.nan
    result = cfa("visual =~ x1 + x2 + x3 + x4", data)
    assert result.fit["n"] == 291


def test_omega_is_withheld_where_its_formula_does_not_apply(holzinger):
    correlated = cfa(THREE_FACTORS + "x2 ~~ x3\nx1 ~~ x4", holzinger).omega.set_index("factor")
    assert math.isnan(correlated.loc["visual", "omega"])
    assert "x2" in correlated.loc["visual", "note"] and "correlated" in correlated.loc["visual", "note"]
    assert not math.isnan(correlated.loc["textual", "omega"])  # x1 ~~ x4 crosses factors: no effect
    cross = cfa(THREE_FACTORS + "visual =~ x9", holzinger).omega.set_index("factor")
    assert math.isnan(cross.loc["visual", "omega"]) and "x9" in cross.loc["visual", "note"]
    flipped = holzinger.assign(x3=-holzinger["x3"])
    negative = cfa("visual =~ x1 + x2 + x3", flipped).omega
    assert "negative" in negative.loc[0, "note"] and negative.loc[0, "omega"] < 0.5


# --- cfa: bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("f =~ ", "could not be read"),
        ("x1 ~ x2", "no factor"),
    ],
)
def test_unreadable_models_are_refused(holzinger, model, message):
    with pytest.raises(ValueError, match=message):
        cfa(model, holzinger)


def test_missing_columns_are_named(holzinger):
    with pytest.raises(ValueError, match=r"not in the data: \['y9'\]; the data has \['id'"):
        cfa("f =~ x1 + x2 + y9", holzinger)


def test_non_numeric_columns_are_named(holzinger):
    with pytest.raises(ValueError, match=r"numeric; found \{'school': 'str'\}"):
        cfa("f =~ x1 + x2 + school", holzinger)
    with pytest.raises(ValueError, match=r"\{'x3': 'bool'\}"):
        cfa("f =~ x1 + x2 + x3", holzinger.assign(x3=holzinger["x3"] > 2))


def test_fewer_complete_rows_than_parameters_are_refused(holzinger):
    with pytest.raises(ValueError, match=r"5 complete rows .* 6 free parameters"):
        cfa("f =~ x1 + x2 + x3", holzinger.head(5))
    with pytest.raises(ValueError, match="0 complete rows"):
        cfa("f =~ x1 + x2 + x3", holzinger.assign(x2=np.nan))
    assert cfa("f =~ x1 + x2 + x3", holzinger.head(6)).fit["n"] == 6


def test_constant_items_and_non_frames_are_refused(holzinger):
    with pytest.raises(ValueError, match=r"items \['x3'\] do not vary"):
        cfa("f =~ x1 + x2 + x3", holzinger.assign(x3=1.0))
    with pytest.raises(ValueError, match="pandas DataFrame"):
        cfa("f =~ x1 + x2 + x3", holzinger.to_numpy())


# --- measurement invariance -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def schools(holzinger) -> pd.DataFrame:
    return measurement_invariance(THREE_FACTORS, holzinger, "school").set_index("model")


def test_invariance_matches_lavaan_and_semtools(schools):
    configural, metric = schools.loc["configural"], schools.loc["metric"]
    assert _printed(configural["chi2"], 115.85, 2) and configural["df"] == 48
    assert _printed(metric["chi2"], 124.04, 2) and metric["df"] == 54
    assert _printed(metric["delta_chi2"], 8.192) and metric["delta_df"] == 6
    assert _printed(metric["p_delta"], 0.2244, 4)
    assert _printed(configural["cfi"], 0.923) and _printed(metric["cfi"], 0.921)
    assert _printed(configural["rmsea"], 0.097) and _printed(metric["rmsea"], 0.093)
    assert metric["delta_cfi"] == pytest.approx(metric["cfi"] - configural["cfi"])
    assert -0.01 < metric["delta_cfi"] < 0  # semTools prints the drop as cfi.delta 0.002
    assert configural["n"] == metric["n"] == 301
    assert pd.isna(configural["delta_chi2"]) and pd.isna(configural["p_delta"])


def test_configural_is_the_sum_of_separate_semopy_fits(holzinger, schools):
    separate = [cfa(THREE_FACTORS, group).fit for _, group in holzinger.groupby("school")]
    assert schools.loc["configural", "chi2"] == pytest.approx(sum(f["chi2"] for f in separate), abs=1e-3)
    assert schools.loc["configural", "df"] == sum(f["df"] for f in separate)


def test_invariance_of_three_items_tests_equal_loadings_on_two_df(holzinger):
    table = measurement_invariance("visual =~ x1 + x2 + x3", holzinger, "school").set_index("model")
    assert table.loc["configural", "df"] == 0 and table.loc["configural", "chi2"] == 0.0
    assert table.loc["configural", "cfi"] == 1.0 and math.isnan(table.loc["configural", "rmsea"])
    assert table.loc["metric", "df"] == 2 and table.loc["metric", "delta_df"] == 2
    assert table.loc["metric", "chi2"] > 0 and 0 < table.loc["metric", "p_delta"] < 1


def test_different_loadings_are_detected():
    """Two groups whose second item loads 0.9 and 0.2: equal loadings must be rejected."""
    rng = np.random.default_rng(11)
    frames = []
    for name, second in (("a", 0.9), ("b", 0.2)):
        factor = rng.standard_normal(400)
        loadings = np.array([0.8, second, 0.7, 0.6])
        items = factor[:, None] * loadings + rng.standard_normal((400, 4)) * 0.5
        frames.append(pd.DataFrame(items, columns=["a1", "a2", "a3", "a4"]).assign(group=name))
    table = measurement_invariance("f =~ a1 + a2 + a3 + a4", pd.concat(frames), "group")
    metric = table.set_index("model").loc["metric"]
    assert metric["p_delta"] < 0.001 and metric["delta_cfi"] < -0.01


@pytest.mark.parametrize(
    ("model", "group", "message"),
    [
        ("f =~ x1 + x2 + x3", "nope", "group column 'nope' is not in the data"),
        ("f ~ x1", "school", "reads only lines"),
        ("f =~ x1 + x2 + x1", "school", "lists an item twice"),
        ("f =~ x1 + f", "school", "both a factor and an item"),
        ("f =~ x1 + x2 + y9", "school", r"not in the data: \['y9'\]"),
        ("", "school", "empty"),
    ],
)
def test_invariance_refuses_bad_input(holzinger, model, group, message):
    with pytest.raises(ValueError, match=message):
        measurement_invariance(model, holzinger, group)


def test_invariance_needs_two_groups_each_large_enough(holzinger):
    with pytest.raises(ValueError, match="at least two groups"):
        measurement_invariance("f =~ x1 + x2 + x3", holzinger[holzinger["school"] == "Pasteur"], "school")
    with pytest.raises(ValueError, match=r"'Grant-White' has 4 complete rows; .* 6 free parameters"):
        measurement_invariance("f =~ x1 + x2 + x3", holzinger.head(160), "school")


# --- the report tables ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cohort(templates, tmp_path_factory):
    from evaluation import report
    from evaluation.ingest import ingest_cohort
    from evaluation.synth import synthesize

    folder = tmp_path_factory.mktemp("cfa") / "cohort"
    synthesize(folder, templates, pairs=80, agencies=3, seed=5)
    ingest_cohort(folder, templates)
    return report.load(folder)


def test_required_respondents_rule():
    assert [scale_quality.required_respondents(k) for k in (1, 2, 3, 4, 5, 6)] == [50, 50, 60, 80, 100, 120]


def test_cfa_table_fits_where_the_rule_allows(cohort):
    table = scale_quality.cfa_table(cohort)
    frame = table.frame
    mean_scored = [c.id for c in cohort.templates.constructs.values() if c.scoring.method == "mean"]
    assert list(frame["construct"]) == mean_scored
    assert list(frame.columns) == [
        "construct",
        "wave",
        "n_items",
        "n",
        "chi2",
        "df",
        "p",
        "cfi",
        "tli",
        "rmsea",
        "omega",
        "min_loading",
        "note",
    ]
    fitted = 0
    for row in frame.itertuples():
        allowed = row.n_items >= 3 and row.n >= scale_quality.required_respondents(row.n_items)
        assert pd.notna(row.omega) == allowed, row
        if not allowed:
            assert pd.isna(row.chi2) and row.note, row
            continue
        fitted += 1
        assert 0 < row.min_loading <= 1 and 0 < row.omega < 1
        if row.n_items == 3:
            assert row.df == 0 and pd.isna(row.cfi) and "just-identified" in row.note
        else:
            assert row.df == row.n_items * (row.n_items + 1) // 2 - 2 * row.n_items
            assert pd.notna(row.cfi) and pd.notna(row.rmsea)
    assert fitted >= 5
    not_asked = frame[frame["n_items"] == 0]
    assert len(not_asked) and (not_asked["note"] == "inga svar vid baslinjen / no answers at baseline").all()


def test_cfa_table_matches_cfa_on_the_pivoted_answers(cohort):
    frame = scale_quality.cfa_table(cohort).frame.set_index("construct")
    construct = next(
        c for c in frame.index if frame.loc[c, "n_items"] == 4 and pd.notna(frame.loc[c, "omega"])
    )
    items = [
        i for i in cohort.templates.constructs[construct].scoring.items if i in set(cohort.responses["item"])
    ]
    pre = cohort.responses[(cohort.responses["wave"] == "pre") & cohort.responses["item"].isin(items)]
    wide = pre.pivot_table(index="pseudonym", columns="item", values="value")[items].dropna()
    wide.columns = ["a", "b", "c", "d"]
    assert not cohort.templates.constructs[construct].scoring.reverse
    direct = cfa("f =~ a + b + c + d", wide)
    assert frame.loc[construct, "n"] == len(wide)
    assert frame.loc[construct, "chi2"] == pytest.approx(direct.fit["chi2"])
    assert frame.loc[construct, "omega"] == pytest.approx(direct.omega.loc[0, "omega"])


def test_cfa_table_reverse_keys_before_fitting(cohort):
    construct = next(
        c for c in cohort.templates.constructs.values() if c.scoring.method == "mean" and c.scoring.reverse
    )
    keyed = scale_quality.cfa_table(cohort).frame.set_index("construct").loc[construct.id]
    assert pd.notna(keyed["min_loading"]), keyed  # fitted in this cohort
    assert keyed["min_loading"] > 0 and "negative" not in keyed["note"]


def test_cfa_table_has_a_reader_view(cohort):
    table = scale_quality.cfa_table(cohort, lang="sv")
    assert table.headers["construct"] == "Område" and table.headers["note"] == "Kommentar"
    assert set(table.frame["wave"]) == {"pre"} and set(table.view["wave"]) == {"före"}
    assert "/" not in " ".join(table.view["note"].astype(str))
    assert (
        table.view.loc[0, "construct"]
        == cohort.templates.constructs[table.frame.loc[0, "construct"]].name["sv"]
    )


def test_small_groups_are_hidden(cohort):
    few = sorted(cohort.responses["pseudonym"].unique())[:3]
    small = dataclasses.replace(cohort, responses=cohort.responses[cohort.responses["pseudonym"].isin(few)])
    table = scale_quality.cfa_table(small)
    hidden = table.frame[table.hidden.to_numpy()]
    assert len(hidden) and hidden["n"].isna().all() and hidden["n_items"].isna().all()
    assert hidden["note"].str.contains("visas inte").all()
    invariance = scale_quality.invariance_table(small)
    assert invariance.hidden.any()
    assert invariance.frame.loc[invariance.hidden.to_numpy(), "n_mentor"].isna().all()


def test_invariance_table_compares_roles_where_both_are_large_enough(cohort):
    frame = scale_quality.invariance_table(cohort, lang="en").frame
    assert "p" in frame.columns and "delta_cfi" in frame.columns
    compared = 0
    for row in frame.itertuples():
        both = min(row.n_mentor, row.n_adept)
        allowed = row.n_items >= 3 and both >= scale_quality.required_respondents(row.n_items)
        assert pd.notna(row.delta_chi2) == allowed, row
        if not allowed:
            assert row.note, row
            if row.n_items >= 3 and both == 0:
                assert "one role only" in row.note
            continue
        compared += 1
        assert row.df_metric - row.df_configural == row.delta_df == row.n_items - 1
        assert row.delta_chi2 == pytest.approx(row.chi2_metric - row.chi2_configural)
        assert 0 <= row.p <= 1
    assert compared >= 3
