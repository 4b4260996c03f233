"""Program-level analyses on a synthetic cohort with known truth, and their edge cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evaluation import outcomes
from evaluation.disclosure import OTHER_AGENCIES, DisclosurePolicy
from evaluation.ingest import ingest_cohort
from evaluation.scoring import score
from evaluation.synth import synthesize


@pytest.fixture(scope="module")
def cohort(templates, tmp_path_factory):
    # Realistic effects (the default): the tests here compare estimates with the truth within their
    # uncertainty or check structure, and none needs a large effect to have power.
    folder = tmp_path_factory.mktemp("outcomes") / "cohort"
    truth = synthesize(folder, templates, pairs=250, agencies=6, seed=17, fmt="generic")
    ingest_cohort(folder, templates)
    responses = pd.read_parquet(folder / "processed" / "responses.parquet")
    log = pd.read_parquet(folder / "processed" / "meeting_log.parquet")
    return truth, responses, score(responses, templates), log


@pytest.mark.xfail(
    strict=True,
    reason="Found by the realistic generator (issue 13, item 10): agencies differ in their mean change "
    "(SD 0.2 latent), and cohort_change's paired-t intervals ignore agencies, so with 250 pairs in 6 "
    "agencies its 95 % intervals cover the true change 80 % of the time (30 cohorts; 4 of 16 miss here, "
    "0-6 with other seeds). Remove this mark when cohort_change allows for agencies (e.g. cluster-robust).",
)
def test_cohort_change_covers_the_true_change(cohort):
    truth, _, scores, _ = cohort
    table = outcomes.cohort_change(scores).set_index(["construct", "role"])
    covered = [
        table.loc[(t["construct"], t["role"]), "ci_low"]
        <= t["true_mean_diff"]
        <= table.loc[(t["construct"], t["role"]), "ci_high"]
        for t in truth["change"]
    ]
    # 21 intervals at 95 %: expect about one miss; more than three would be improbable (p < 0.02).
    assert len(covered) == len(truth["change"]) and sum(not c for c in covered) <= 3
    assert table["p_adj"].ge(table["p"]).all()
    assert (table["note"] == "").all()


def test_change_model_uses_everyone_and_finds_the_adepts_change(cohort):
    truth, _, scores, _ = cohort
    result = outcomes.change_model(scores, "intergen_understanding")
    true_adept = next(
        t["true_mean_diff"]
        for t in truth["change"]
        if t["construct"] == "intergen_understanding" and t["role"] == "adept"
    )
    row = result.coefficients.loc["wave[T.post]"]
    assert row["ci_low"] < true_adept < row["ci_high"]
    assert set(result.variance.index) == {"agency", "pseudonym", "residual"}
    assert result.n_obs > (scores["wave"] == "post").groupby(scores["construct"]).sum().max()


def test_perception_accuracy_improves_as_in_the_truth(cohort, templates):
    truth, responses, _, _ = cohort
    pairs, group = outcomes.perception_accuracy(responses, templates)
    group = group.set_index(["role", "wave"])
    for entry in truth["perception"]:
        role = entry["role"]
        assert group.loc[(role, "pre"), "group_error"] > group.loc[(role, "post"), "group_error"]
        assert group.loc[(role, "pre"), "group_error"] == pytest.approx(entry["group_error_pre"], abs=0.08)
        mae = pairs[pairs["role"] == role].groupby("wave")["mae"].mean()
        assert mae["pre"] - mae["post"] == pytest.approx(entry["gain_partner"], abs=0.08)
    assert pairs["profile_r"].between(-1, 1).all() or pairs["note"].ne("").any()


def test_response_shift_and_dose_response_match_the_truth(cohort):
    truth, _, scores, log = cohort
    # Within 4 standard errors (a 95 % interval misses now and then; 4 SE almost never by chance).
    shift = outcomes.response_shift(scores).set_index(["construct", "role"])
    for entry in truth["response_shift"]:
        row = shift.loc[(entry["construct"], entry["role"])]
        se = (row["shift_ci_high"] - row["shift_ci_low"]) / (2 * 1.96)
        assert abs(row["shift"] - entry["true_mean_diff"]) < 4 * se, entry
    dose = outcomes.dose_response(scores, log).set_index(["construct", "role"])
    for entry in truth["dose_response"]:
        row = dose.loc[(entry["construct"], entry["role"])]
        assert abs(row["slope"] - entry["slope_per_hour"]) < 4 * row["se"], entry


def test_dropout_share_counts_people_with_a_baseline_and_no_follow_up():
    # four people answered the baseline (two constructs each), one of them never the follow-up; a fifth
    # answered only the follow-up and is no dropout
    rows = [(p, w, c) for p in "abcd" for w in ("pre",) for c in ("k", "m")]
    rows += [(p, "post", "k") for p in "abce"]
    scores = pd.DataFrame(rows, columns=["pseudonym", "wave", "construct"]).assign(score=3.0)
    assert outcomes.dropout_share(scores) == 0.25
    assert math.isnan(outcomes.dropout_share(scores[scores["wave"] == "post"]))


def test_attrition_compares_completers_with_dropouts(cohort):
    truth, _, scores, _ = cohort
    table = outcomes.attrition(scores).set_index("construct")
    baseline = (
        scores[(scores["wave"] == "pre") & scores["score"].notna()]
        .groupby("construct")["pseudonym"]
        .nunique()
    )
    assert (table["n_completers"] + table["n_dropouts"] == baseline.reindex(table.index)).all()
    # Everyone the generator kept from the follow-up is a dropout (others dropped out mid-form).
    never = set(truth["attrition"]["no_followup"])
    assert table["n_dropouts"].min() >= 0.8 * len(never & set(scores["pseudonym"])) or len(never) == 0
    assert (table.loc[table["note"] == "", "p"].between(0, 1)).all()


def test_agencies_below_the_minimum_are_suppressed(cohort):
    _, _, scores, _ = cohort
    table = outcomes.by_agency(scores, DisclosurePolicy(30))
    agencies = table[table["agency"] != OTHER_AGENCIES]
    hidden = agencies[agencies["n"].isna()]
    shown = agencies[agencies["n"].notna()]
    assert len(hidden) and len(shown)
    assert hidden["mean_diff"].isna().all()
    assert (shown["n"] >= 30).all() and shown["mean_diff"].notna().all()


def test_reliable_improvement_and_cost(cohort):
    truth, _, scores, _ = cohort
    reliability = {r["construct"]: r["population_alpha"] for r in truth["reliability"]}
    improved = outcomes.reliable_improvement(scores, reliability)
    assert improved["reliable_improvement"].any()
    counts = outcomes.pairs_improved(improved)
    assert 0 < counts["pairs_both"] <= counts["pairs_any"] <= counts["pairs"] <= 250
    by_person = improved.groupby("pseudonym")["reliable_improvement"].any()
    assert (
        counts["pairs_any"]
        == improved[improved["pseudonym"].isin(by_person[by_person].index)]["pair_id"].nunique()
    )
    cost = outcomes.cost_summary(6000, 250, improved)
    assert cost["total_cost"] == 1_500_000
    people = improved.loc[improved["reliable_improvement"], "pseudonym"].nunique()
    assert cost["cost_per_improved_participant"] == pytest.approx(1_500_000 / people)
    nobody = outcomes.cost_summary(6000, 10, improved.assign(reliable_improvement=False))
    assert math.isnan(nobody["cost_per_improved_participant"]) and nobody["note"]


def test_edge_cases_say_why_instead_of_silent_nan():
    scores = pd.DataFrame(
        {
            "pseudonym": ["a", "a", "b", "b", "c"],
            "pair_id": ["p1", "p1", "p1", "p1", "p2"],
            "agency": ["X"] * 5,
            "role": ["mentor", "mentor", "adept", "adept", "mentor"],
            "wave": ["pre", "post", "pre", "post", "pre"],
            "construct": ["k"] * 5,
            "score": [3.0, 4.0, 2.0, 2.5, 3.0],
        }
    )
    change = outcomes.cohort_change(scores)
    assert (change["note"].str.contains("at least 3 complete pairs")).all()
    pairs = outcomes.pair_change(scores).set_index("pair_id")
    assert pairs.loc["p1", "convergence"] == pytest.approx(abs(1.0) - abs(1.5))
    assert "one member" in pairs.loc["p2", "note"] and np.isnan(pairs.loc["p2", "gap_post"])
    flat = scores.assign(score=[3.0, 3.0, 2.0, 2.0, 3.0])
    more = pd.concat([flat.assign(pseudonym=flat["pseudonym"] + str(i)) for i in range(3)], ignore_index=True)
    assert outcomes.cohort_change(more)["note"].str.contains("no variance").all()
    one_agency = pd.concat(
        [
            scores.assign(pseudonym=scores["pseudonym"] + str(i), score=scores["score"] + i * 0.3)
            for i in range(6)
        ],
        ignore_index=True,
    )
    model = outcomes.change_model(one_agency, "k")
    assert "one agency" in " ".join(model.notes)


def test_convergence_and_program_experience(cohort, templates):
    _, _, scores, _ = cohort
    gaps = outcomes.convergence(scores).set_index("construct")
    pairs = outcomes.pair_change(scores)
    complete = pairs[(pairs["construct"] == "tech_understanding") & (pairs["note"] == "")]
    assert gaps.loc["tech_understanding", "pairs"] == len(complete)
    assert gaps.loc["tech_understanding", "convergence"] == pytest.approx(
        complete["gap_pre"].abs().mean() - complete["gap_post"].abs().mean()
    )
    assert (
        gaps.loc["tech_understanding", "ci_low"]
        < gaps.loc["tech_understanding", "convergence"]
        < gaps.loc["tech_understanding", "ci_high"]
    )
    experience = outcomes.program_experience(scores, templates).set_index(["construct", "role"])
    assert experience.loc[("relationship_quality", "adept"), "n"] > 100
    assert ("value_coaching", "adept") not in experience.index  # coaching is for mentors only


def _agency_scores(sizes: dict[str, int], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for agency, n in sizes.items():
        for i in range(n):
            pre = float(rng.normal(3, 0.5))
            for wave, value in (("pre", pre), ("post", pre + float(rng.normal(0.3, 0.4)))):
                rows.append(
                    {
                        "pseudonym": f"{agency}{i}",
                        "pair_id": f"{agency}p{i}",
                        "agency": agency,
                        "role": "mentor",
                        "wave": wave,
                        "construct": "k",
                        "score": value,
                    }
                )
    return pd.DataFrame(rows)


def test_subtraction_attack_cannot_recover_a_suppressed_agency():
    scores = _agency_scores({"A": 10, "B": 8, "C": 3})
    table = outcomes.by_agency(scores, DisclosurePolicy(5)).set_index("agency")
    # C alone (3) is suppressed. Shown alone, A and B would let a reader recover C from the cohort
    # total: mean_C = (N * mean_all - n_A * mean_A - n_B * mean_B) / n_C. So B is suppressed too,
    # and B and C are shown only pooled (11 >= 5).
    assert pd.isna(table.loc["C", "n"]) and pd.isna(table.loc["B", "n"]) and table.loc["A", "n"] == 10
    pooled = table.loc[OTHER_AGENCIES]
    assert pooled["n"] == 11
    total = outcomes.cohort_change(scores).iloc[0]
    recovered_n = total["n"] - table.loc["A", "n"] - pooled["n"]
    assert recovered_n == 0  # the shown numbers add up without a remainder: nothing left to recover
    change = scores.pivot_table(index=["pseudonym", "agency"], columns="wave", values="score").reset_index()
    change["d"] = change["post"] - change["pre"]
    expected = change[change["agency"].isin(["B", "C"])]["d"].mean()
    assert pooled["mean_diff"] == pytest.approx(expected)


@pytest.mark.parametrize(
    "sizes", [{"A": 6, "B": 2}, {"A": 3, "B": 3, "C": 20}, {"A": 4}, {"A": 7, "B": 9, "C": 12}]
)
def test_suppressed_agencies_always_total_zero_or_at_least_the_minimum(sizes):
    table = outcomes.by_agency(_agency_scores(sizes), DisclosurePolicy(5))
    agencies = table[table["agency"] != OTHER_AGENCIES]
    hidden = list(agencies.loc[agencies["n"].isna(), "agency"])
    total = sum(sizes[a] for a in hidden)
    shown = agencies[agencies["n"].notna()]
    # Either nothing is hidden, or the hidden agencies together reach the minimum, or nothing at all is
    # shown (a cohort too small to break down: its total is protected in the reports themselves).
    assert total == 0 or total >= 5 or shown.empty
    assert (shown["n"] >= 5).all()
    if total >= 5:
        assert OTHER_AGENCIES in set(table["agency"])
