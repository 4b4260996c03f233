"""The declared analysis plan and the claims reports make (issue 13, "What to build" 1 and 4).

Adjusted p-values are checked against R's ``p.adjust`` (R Core Team, stats package documentation,
``?p.adjust``; Holm 1979, Benjamini & Hochberg 1995), computed by hand below from the definitions:
Holm multiplies the i-th smallest of m p-values by (m - i + 1) and takes the running maximum;
Benjamini-Hochberg multiplies the i-th smallest by m / i and takes the running minimum from the top.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from evaluation import report
from evaluation.claims import CLAIM_COLUMNS, AnalysisPlan, agency_claims, analysis_plan, cohort_claims, decide
from evaluation.cohort import load_cohort
from evaluation.errors import CohortError
from evaluation.survey import pinned


def _change(rows):
    return pd.DataFrame(rows, columns=["construct", "role", "n", "mean_diff", "ci_low", "ci_high", "p"])


PLAN = AnalysisPlan(
    primary=(("u", "mentor"), ("u", "adept"), ("o", "mentor"), ("t", "adept")), min_n_for_claims=10
)


def test_primary_outcomes_form_one_holm_family_across_roles():
    # p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
    change = _change(
        [
            ("u", "mentor", 30, 0.3, 0.1, 0.5, 0.01),
            ("u", "adept", 30, 0.2, 0.0, 0.4, 0.04),
            ("o", "mentor", 30, 0.25, 0.02, 0.48, 0.03),
            ("t", "adept", 30, 0.4, 0.2, 0.6, 0.005),
        ]
    )
    claims = cohort_claims(change, PLAN).set_index(["construct", "role"])
    assert claims["p_adj"].to_dict() == pytest.approx(
        {("u", "mentor"): 0.03, ("u", "adept"): 0.06, ("o", "mentor"): 0.06, ("t", "adept"): 0.02}
    )
    assert (claims["family"] == "primary").all() and (claims["scope"] == "cohort").all()
    # In a family of the mentors' outcomes only (p = 0.01 and 0.03), Holm gives 0.02 and 0.03 and the
    # mentors' governance understanding would be called an increase; in the one family over both roles
    # its adjusted p is 0.06, so no claim.
    assert claims.loc[("o", "mentor"), "claim"] == "no_clear_change"
    assert claims.loc[("t", "adept"), "claim"] == "increase"


def test_secondary_outcomes_are_adjusted_with_benjamini_hochberg():
    # p.adjust(c(0.02, 0.03, 0.04, 0.045, 0.06), "BH") = 0.05625 0.05625 0.05625 0.05625 0.06
    ps = [0.02, 0.03, 0.04, 0.045, 0.06]
    change = _change([(f"s{i}", "mentor", 30, -0.2, -0.4, -0.01, p) for i, p in enumerate(ps)])
    claims = cohort_claims(change, PLAN)
    assert (claims["family"] == "secondary").all()
    assert claims["p_adj"].tolist() == pytest.approx([0.05625] * 4 + [0.06])
    # Every unadjusted p and interval says "changed"; no adjusted p does: no claim.
    assert set(claims["claim"]) == {"no_clear_change"}
    alone = cohort_claims(change.assign(construct="u").head(1), PLAN)  # a primary outcome, alone
    assert alone["claim"].tolist() == ["decrease"]


def test_claims_follow_the_adjusted_p_and_the_sign():
    assert decide(0.3, 0.049) == "increase" and decide(-0.3, 0.001) == "decrease"
    assert decide(0.3, 0.05) == "no_clear_change" and decide(0.3, math.nan) == "no_clear_change"


def test_groups_below_the_minimum_get_no_claim_and_do_not_count_in_the_family():
    change = _change(
        [
            ("u", "mentor", 30, 0.3, 0.1, 0.5, 0.02),
            ("u", "adept", 9, 0.9, 0.5, 1.3, 0.0001),  # too few with both waves: not tested
        ]
    )
    claims = cohort_claims(change, PLAN)
    assert claims[["construct", "role"]].values.tolist() == [["u", "mentor"]]
    assert claims["p_adj"].tolist() == pytest.approx([0.02])  # a family of one, not of two


def test_agency_claims_form_one_holm_family_over_agencies_roles_and_primary_outcomes():
    rng = np.random.default_rng(3)
    rows = []
    shifts = {"A": 0.8, "B": 0.0}
    sizes = {"A": 12, "B": 12, "C": 6}
    for agency, n in sizes.items():
        for i in range(n):
            pre = float(rng.normal(3, 0.5))
            post = pre + shifts.get(agency, 0.0) + float(rng.normal(0, 0.4))
            for wave, value in (("pre", pre), ("post", post)):
                rows.append(
                    {
                        "pseudonym": f"{agency}{i}",
                        "agency": agency,
                        "role": "adept",
                        "construct": "t",
                        "wave": wave,
                        "score": value,
                    }
                )
    scores = pd.DataFrame(rows)
    table = pd.DataFrame(
        {
            "agency": ["A", "B", "C"],
            "construct": "t",
            "role": "adept",
            "n": [12, 12, 6],
            "mean_diff": [0.8, 0.0, 0.1],
        }
    )
    claims = agency_claims(scores, table, PLAN)
    assert claims["scope"].tolist() == ["A", "B"]  # C has 6 < 10 with both waves: no claim
    raw = claims.set_index("scope")["p"]
    expected = np.minimum(1, np.maximum.accumulate(np.sort(raw.to_numpy()) * np.array([2, 1])))
    assert sorted(claims["p_adj"]) == pytest.approx(sorted(expected))
    assert claims.set_index("scope").loc["A", "claim"] == "increase"
    hidden = table.assign(mean_diff=[None, 0.0, 0.1])  # disclosure control hid A: no claim about it
    assert agency_claims(scores, hidden, PLAN)["scope"].tolist() == ["B"]
    secondary = table.assign(construct="x")
    assert agency_claims(scores.assign(construct="x"), secondary, PLAN).empty  # primary outcomes only


def test_the_default_plan_is_the_key_constructs_for_the_roles_that_answer_them(templates, tmp_path):
    from evaluation.synth import synthesize

    folder = tmp_path / "c"
    synthesize(folder, templates, pairs=4, agencies=1, seed=1)
    config = load_cohort(folder)
    view = pinned(templates, {i: p.version for i, p in config.instruments.items()})
    plan = analysis_plan(config, view)
    assert set(plan.primary) == {
        ("intergen_understanding", "mentor"),
        ("intergen_understanding", "adept"),
        ("org_understanding", "mentor"),
        ("tech_confidence", "adept"),
    }
    assert plan.min_n_for_claims == 10 and plan.family("tech_use", "adept") == "secondary"
    raw = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
    raw["primary_outcomes"] = [{"construct": "tech_understanding", "role": "adept"}]
    raw["min_n_for_claims"] = 3  # never below the minimum reporting size (5)
    (folder / "cohort.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    declared = analysis_plan(load_cohort(folder), view)
    assert declared.primary == (("tech_understanding", "adept"),) and declared.min_n_for_claims == 5
    raw["primary_outcomes"] = [{"construct": "org_understanding", "role": "adept"}]  # mentors only
    (folder / "cohort.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CohortError, match=r"cohort\.yml: primary_outcomes: org_understanding/adept"):
        analysis_plan(load_cohort(folder), view)


def test_the_build_writes_every_claim_and_the_summary_makes_no_other(built):
    out, _, _ = built
    claims = pd.read_csv(out / "results" / "claims.csv")
    assert list(claims.columns) == CLAIM_COLUMNS
    assert set(claims["claim"]) <= {"increase", "decrease", "no_clear_change"}
    assert set(claims["family"]) <= {"primary", "secondary"}
    cohort = claims[claims["scope"] == "cohort"]
    change = pd.read_csv(out / "results" / "primary_change.csv")
    # The claims are the primary estimates' (mixed model of everyone), with the same adjusted p and
    # claim, and only for groups of at least 10 with both waves.
    merged = cohort.merge(change, on=["construct", "role"], suffixes=("", "_primary"))
    assert len(merged) == len(cohort)
    assert merged["p_adj"].to_numpy() == pytest.approx(merged["p_adj_primary"].to_numpy())
    assert (merged["claim"] == merged["claim_primary"]).all() and (merged["n"] >= 10).all()
    page = (out / "cohort.html").read_text(encoding="utf-8")
    summary = page[page.index('class="summary"') : page.index("</section>", page.index('class="summary"'))]
    claimed = cohort[cohort["claim"] != "no_clear_change"]
    assert summary.count("<li>Bland ") + summary.count("<li>Utforskande: ") == len(claimed)


def test_a_cohort_too_small_for_claims_says_so_and_claims_nothing(cohorts):
    _, (first, _) = cohorts  # 6 pairs: no group reaches 10 participants with both waves
    data = report.load(first)
    table = report.claims(data).frame
    assert list(table.columns) == CLAIM_COLUMNS and table.empty
    summary = report.summary(data, "sv").data
    assert "För få svar för att dra slutsatser" in summary and "Bland " not in summary
