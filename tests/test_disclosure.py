"""Disclosure control: one policy, primary and complementary suppression, pooled rows, no bypass.

The attacker's view follows Hundepool et al. (2012), *Statistical Disclosure Control*, §5.2–5.3: a
hidden cell of a table with published margins is disclosed when the linear constraints the
published cells impose (shown cells, pooled rows and totals add up; counts are non-negative, and a
listed group has at least one member) leave it a single feasible value. The tests compute each hidden
cell's feasible interval with linear programming (scipy's HiGHS) from the CSV as published, not from
the code that wrote it.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from evaluation.cohort import load_cohort
from evaluation.disclosure import (
    ALL,
    OTHER_AGENCIES,
    DisclosurePolicy,
    Protected,
    UnprotectedTableError,
)


def test_the_minimum_is_validated_once_with_a_floor_of_three():
    assert DisclosurePolicy().min_group_size == 5
    assert DisclosurePolicy(3).min_group_size == 3
    for bad in (2, 1, 0, -5, 4.5, True):
        with pytest.raises(ValueError, match="min_group_size"):
            DisclosurePolicy(bad)


def test_cohort_yml_below_the_floor_is_refused_and_gives_the_policy(tmp_path, templates):
    from evaluation.cohort import new_cohort
    from evaluation.errors import CohortError

    folder = tmp_path / "c"
    new_cohort(folder, name="Test", start="2027-01", templates=templates, min_group_size=4)
    assert load_cohort(folder).disclosure == DisclosurePolicy(4)
    text = (
        (folder / "cohort.yml").read_text(encoding="utf-8").replace("min_group_size: 4", "min_group_size: 2")
    )
    (folder / "cohort.yml").write_text(text, encoding="utf-8")
    with pytest.raises(CohortError, match="min_group_size"):
        load_cohort(folder)


def test_small_groups_are_blanked_and_labelled():
    table = pd.DataFrame(
        {
            "agency": ["A", "B", "C", "D"],
            "role": ["mentor"] * 4,
            "n": [12, 3, 0, np.nan],
            "mean_diff": [0.4, 1.2, np.nan, 0.3],
        }
    )
    result = DisclosurePolicy(5).protect(table, labels=("agency", "role"))
    frame = result.frame
    assert result.hidden.tolist() == [False, True, False, True]  # 0 people describe nobody; unknown hides
    assert frame.loc[0, "mean_diff"] == 0.4 and frame.loc[0, "n"] == 12
    assert frame.loc[1, ["n", "mean_diff"]].isna().all() and frame.loc[1, "agency"] == "B"
    assert frame.loc[3, "mean_diff"] is np.nan or pd.isna(frame.loc[3, "mean_diff"])
    assert "färre än 5" in frame.loc[1, "note"] and "fewer than 5" in frame.loc[1, "note"]
    assert frame.loc[0, "note"] == ""


def test_a_table_without_a_group_size_is_refused():
    with pytest.raises(ValueError, match="counts the people"):
        DisclosurePolicy().protect(pd.DataFrame({"mean": [1.0]}), labels=())


def test_protected_tables_cannot_be_made_outside_disclosure():
    frame = pd.DataFrame({"n": [2], "mean": [4.0]})
    with pytest.raises(UnprotectedTableError):
        Protected(frame, pd.Series([False]), 5)


def test_a_narrowed_table_cannot_bring_back_a_hidden_number():
    table = DisclosurePolicy(5).protect(
        pd.DataFrame({"g": ["a", "b"], "n": [9, 2], "m": [1.5, 2.5]}), labels=["g"]
    )
    relabelled = table.narrow(table.frame.assign(g=["x", "y"], cohort="K")[["cohort", "g", "n", "m"]])
    assert relabelled.frame["g"].tolist() == ["x", "y"] and relabelled.frame.loc[0, "m"] == 1.5
    with pytest.raises(UnprotectedTableError, match="row 1"):
        table.narrow(table.frame.assign(m=[1.5, 2.5]))  # the hidden 2.5 brought back
    with pytest.raises(UnprotectedTableError, match="rows"):
        table.narrow(pd.concat([table.frame, table.frame]))
    with pytest.raises(ValueError, match="rows"):
        table.with_view(table.frame.head(1))


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ({"A": 4, "B": 7, "C": 20}, {"A", "B"}),  # A alone would be total - B - C: B hides it
        ({"A": 4, "B": 5, "C": 5, "D": 9}, {"A", "B"}),  # the smallest shown complement, by name on ties
        ({"A": 2, "B": 2, "C": 20}, {"A", "B", "C"}),  # 2 + 2 < 5: C too, and only the total is left
        ({"A": 3, "B": 3, "C": 8}, {"A", "B"}),  # 3 + 3 >= 5: no complement needed
        ({"A": 6, "B": 9}, set()),
        ({"A": 0, "B": 9, "C": 4}, {"B", "C"}),  # an empty group is neither hidden nor a complement
    ],
)
def test_pooled_adds_the_smallest_complements_until_the_hidden_reach_the_minimum(sizes, hidden):
    assert DisclosurePolicy(5).pooled(sizes) == hidden


def _published(table: Protected) -> pd.DataFrame:
    """The table as a reader of results/*.csv gets it."""
    buffer = io.StringIO()
    table.frame.to_csv(buffer, index=False)
    buffer.seek(0)
    return pd.read_csv(buffer)


def _feasible_interval(published: pd.DataFrame, column: str, agency: str, role: str) -> tuple[float, float]:
    """Return the smallest and largest value of one hidden cell consistent with the published table.

    Unknowns: every empty cell of `column` among the role's agency rows. Constraints: shown agency
    cells + unknowns + the pooled row (if shown) = the total row (if shown); if the pooled row is
    shown, the unknowns sum to it; a listed agency has at least one member (column invited) or
    at least zero (other columns).
    """
    rows = published[published["role"] == role]
    agencies = rows[~rows["agency"].isin([ALL, OTHER_AGENCIES])]
    unknown = list(agencies.loc[agencies[column].isna(), "agency"])
    index = unknown.index(agency)
    lower = 1 if column == "invited" else 0
    equalities, targets = [], []
    total = rows.loc[rows["agency"] == ALL, column]
    pooled = rows.loc[rows["agency"] == OTHER_AGENCIES, column]
    shown = agencies[column].dropna().sum()
    if len(pooled) and pooled.notna().all():
        equalities.append([1.0] * len(unknown))
        targets.append(float(pooled.iloc[0]))
    elif len(total) and total.notna().all():
        equalities.append([1.0] * len(unknown))
        targets.append(float(total.iloc[0]) - shown)
    bounds = [(lower, None)] * len(unknown)
    cost = np.zeros(len(unknown))
    cost[index] = 1.0
    if not equalities:
        return float(lower), float("inf")
    low = linprog(cost, A_eq=equalities, b_eq=targets, bounds=bounds, method="highs")
    high = linprog(-cost, A_eq=equalities, b_eq=targets, bounds=bounds, method="highs")
    assert low.status == 0, low.message
    return low.fun, (-high.fun if high.status == 0 else float("inf"))


def _rates(sizes: dict[tuple[str, str], tuple[int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"agency": a, "role": r, "invited": i, "answered_baseline": b, "answered_followup": f}
            for (a, r), (i, b, f) in sizes.items()
        ]
    )


def test_the_seed_7_differencing_case_is_closed():
    # The found leak: 8 agencies, one with 4 mentors hidden, the total shown: total - shown = 4.
    sizes = {(a, "mentor"): (5, 5, 4) for a in "ABCDEFG"} | {("H", "mentor"): (4, 4, 4)}
    table = DisclosurePolicy(5).breakdown(
        _rates(sizes),
        by="agency",
        within=["role"],
        size="invited",
        additive=["invited", "answered_baseline", "answered_followup"],
    )
    published = _published(table)
    mentors = published.set_index("agency")
    assert mentors.loc[ALL, "invited"] == 39
    assert pd.isna(mentors.loc["H", "invited"]) and pd.isna(mentors.loc["A", "invited"])  # A: complement
    assert mentors.loc[OTHER_AGENCIES, "invited"] == 9
    shown = mentors.drop(index=[ALL, OTHER_AGENCIES])["invited"].dropna().sum()
    assert mentors.loc[ALL, "invited"] - shown - mentors.loc[OTHER_AGENCIES, "invited"] == 0
    low, high = _feasible_interval(published, "invited", "H", "mentor")
    assert (low, high) == (1, 8)  # anything from 1 to 8: not recoverable


def test_a_role_below_the_minimum_hides_everything_including_its_total():
    sizes = {("A", "adept"): (2, 2, 1), ("B", "adept"): (2, 1, 1), ("A", "mentor"): (6, 5, 5)}
    published = _published(
        DisclosurePolicy(5).breakdown(
            _rates(sizes),
            by="agency",
            within=["role"],
            size="invited",
            additive=["invited", "answered_baseline", "answered_followup"],
        )
    )
    adepts = published[published["role"] == "adept"]
    assert adepts[["invited", "answered_baseline", "answered_followup"]].isna().all().all()
    assert (
        published.loc[(published["role"] == "mentor") & (published["agency"] == "A"), "invited"].item() == 6
    )


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(list("ABCDEFGHIJ")),
        st.tuples(st.integers(1, 12), st.integers(1, 12)),
        min_size=1,
        max_size=10,
    ),
    st.integers(3, 6),
)
def test_no_hidden_agency_role_cell_below_the_minimum_can_be_recovered(sizes, minimum):
    rows = {}
    for agency, (mentors, adepts) in sizes.items():
        rows[(agency, "mentor")] = (mentors, mentors, max(0, mentors - 1))
        rows[(agency, "adept")] = (adepts, adepts - 1 if adepts > 1 else 1, adepts)
    table = DisclosurePolicy(minimum).breakdown(
        _rates(rows),
        by="agency",
        within=["role"],
        size="invited",
        additive=["invited", "answered_baseline", "answered_followup"],
        order=sorted(sizes),
    )
    published = _published(table)
    agencies = published[~published["agency"].isin([ALL, OTHER_AGENCIES])]
    # No shown group is below the minimum.
    shown = agencies["invited"].dropna()
    assert ((shown == 0) | (shown >= minimum)).all()
    for role in ("mentor", "adept"):
        truth = {a: rows[(a, role)][0] for a in sizes}
        for agency in agencies.loc[(agencies["role"] == role) & agencies["invited"].isna(), "agency"]:
            low, high = _feasible_interval(published, "invited", agency, role)
            assert low <= truth[agency] <= high  # the constraints are the real ones
            assert high - low >= 1, f"{agency} {role}: hidden {truth[agency]} recovered from {published}"
        # Shown rows, the pooled row and the total add up: nothing is left over to recover.
        block = published[published["role"] == role].set_index("agency")
        if pd.notna(block.loc[ALL, "invited"]):
            pooled = block["invited"].get(OTHER_AGENCIES, 0)
            rest = block.drop(index=[ALL, OTHER_AGENCIES], errors="ignore")["invited"].dropna().sum()
            assert block.loc[ALL, "invited"] == rest + (0 if pd.isna(pooled) else pooled)


def test_breakdown_refuses_negative_counts_and_missing_columns():
    policy = DisclosurePolicy()
    with pytest.raises(ValueError, match="negative"):
        policy.breakdown(
            _rates({("A", "mentor"): (-1, 0, 0)}), by="agency", size="invited", additive=["invited"]
        )
    with pytest.raises(ValueError, match="columns"):
        policy.breakdown(
            _rates({("A", "mentor"): (5, 5, 5)}), by="unit", size="invited", additive=["invited"]
        )


def _scores(sizes: dict[str, int], seed: int) -> pd.DataFrame:
    """Scores of one construct before and after: `sizes[agency]` mentors with both waves."""
    rng = np.random.default_rng(seed)
    rows = []
    for agency, size in sizes.items():
        for i in range(size):
            before = float(rng.integers(1, 6))
            for wave, value in (("pre", before), ("post", before + float(rng.integers(-1, 2)))):
                rows.append(
                    {"pseudonym": f"{agency}{i}", "agency": agency, "role": "mentor", "wave": wave}
                    | {"construct": "k", "score": value}
                )
    return pd.DataFrame(rows)


def test_agencies_of_one_each_get_no_breakdown_when_the_cohort_total_is_shown():
    # Five agencies with one mentor each: the cohort's change (n = 5) is shown, so listing the five
    # as hidden agencies (each has at least one, or it would read n = 0) would tell that each has one.
    from evaluation import outcomes

    policy = DisclosurePolicy(5)
    scores = _scores(dict.fromkeys("ABCDE", 1), 0)
    assert outcomes.cohort_change(scores)["n"].iloc[0] == 5
    assert outcomes.by_agency(scores, policy).empty
    # one agency more with one mentor: six hidden agencies with six members still tell each has one
    assert outcomes.by_agency(_scores(dict.fromkeys("ABCDEF", 1), 0), policy).empty
    # two members in one of them: the five hidden agencies pool safely, and are listed
    table = outcomes.by_agency(_scores(dict.fromkeys("ABCDE", 1) | {"A": 2}, 0), policy)
    assert list(table["agency"]) == [*"ABCDE", OTHER_AGENCIES] and table["n"].iloc[-1] == 6


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from(list("ABCDEFG")), st.integers(1, 9), min_size=1, max_size=7),
    st.integers(0, 10_000),
)
@example(sizes=dict.fromkeys("ABCDE", 1), seed=0)  # found in CI: every agency hidden, each with one
def test_no_hidden_agency_change_can_be_recovered_from_the_agency_and_cohort_tables(sizes, seed):
    # The tables the cohort and agency reports publish: change per agency (hidden agencies pooled)
    # and the cohort's change. Published together, n and n * mean add up over the agencies, so a
    # single hidden agency (or hidden ones below the minimum together) would be recovered.
    from evaluation import outcomes

    policy = DisclosurePolicy(5)
    scores = _scores(sizes, seed)
    by_agency = _published(
        policy.protect(outcomes.by_agency(scores, policy), labels=["agency", "construct", "role"])
    )
    cohort = _published(policy.protect(outcomes.cohort_change(scores), labels=["construct", "role"]))
    agencies = by_agency[by_agency["agency"] != OTHER_AGENCIES]
    hidden = agencies.loc[agencies["n"].isna(), "agency"].tolist()
    shown = agencies.dropna(subset=["n"])
    assert (shown["n"] >= 5).all()
    total = cohort["n"].iloc[0]
    if pd.isna(total) or not hidden:
        return
    pooled = by_agency.loc[by_agency["agency"] == OTHER_AGENCIES, "n"]
    residual = total - shown["n"].sum()
    assert residual == sum(sizes[a] for a in hidden)
    if len(pooled) and pooled.notna().all():
        assert pooled.iloc[0] == residual  # the pooled row is exactly the hidden agencies
    # What subtraction gives is the hidden agencies together: never one of them, never a small group.
    assert len(hidden) >= 2 and residual >= 5 and residual > len(hidden)
    # Their pooled mean change is all a reader can learn; each hidden agency's own mean stays open.
    if len(pooled) and pooled.notna().all():
        mean_total = cohort["mean_diff"].iloc[0] * total
        mean_shown = (shown["mean_diff"] * shown["n"]).sum()
        pooled_mean = by_agency.loc[by_agency["agency"] == OTHER_AGENCIES, "mean_diff"].iloc[0]
        if pd.notna(pooled_mean) and pd.notna(mean_total) and shown["mean_diff"].notna().all():
            assert (mean_total - mean_shown) / residual == pytest.approx(pooled_mean)
