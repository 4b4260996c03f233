"""The synthetic cohort: deterministic, parseable in every format, messy as promised, true to its truth.

The default (realistic) effects are small, and change varies between pairs and agencies; the truth
checks compare estimates with the truth within standard errors that allow for agencies.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import yaml
from scipy.stats import combine_pvalues, f_oneway, linregress
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.cohort import load_cohort
from evaluation.formats import PLATFORMS, layout_for, platform
from evaluation.survey import pinned
from evaluation.synth import synthesize
from evaluation.synth.model import CONSTRUCT_EFFECTS, resolve_effects
from evaluation.synth.people import draw_cohort, followup_dropout, standardized

runner = CliRunner()


def _tables(folder, templates, truth):
    """Read every export back through the format layer: (source, raw export, canonical table)."""
    for source in truth["sources"]:
        shape = platform(source["format"])
        role = "mentor" if source["role"] == "both" else source["role"]
        layout = layout_for(templates, source["instrument"], role, source["lang"])
        raw = shape.read(folder / source["file"])
        yield source, layout, raw, shape.to_table(raw, layout)


def test_same_seed_gives_byte_identical_files(templates, tmp_path):
    a = synthesize(tmp_path / "a", templates, pairs=8, agencies=2, seed=7, fmt="mixed", mess=True, mnar=1.0)
    synthesize(tmp_path / "b", templates, pairs=8, agencies=2, seed=7, fmt="mixed", mess=True, mnar=1.0)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == len(a["sources"]) + 6  # + cohort.yml, roster.csv, truth.json, 3 READMEs
    for name in files:
        content_a = (tmp_path / "a" / name).read_bytes()
        content_b = (tmp_path / "b" / name).read_bytes()
        if name.name == "cohort.yml":  # the cohort id is the folder's name
            content_a, content_b = content_a.replace(b"id: a", b""), content_b.replace(b"id: b", b"")
        assert content_a == content_b, name
    synthesize(tmp_path / "c", templates, pairs=8, agencies=2, seed=8, fmt="mixed", mess=True)
    assert (tmp_path / "c" / "roster.csv").read_bytes() != (tmp_path / "a" / "roster.csv").read_bytes()


@pytest.mark.parametrize("fmt", sorted(PLATFORMS))
def test_every_format_parses_back(templates, tmp_path, fmt):
    folder = tmp_path / "cohort"
    truth = synthesize(folder, templates, pairs=6, agencies=2, seed=3, fmt=fmt)
    roster = pd.read_csv(folder / "roster.csv")
    config = load_cohort(folder)
    assert config.synthetic and len(config.sources) == len(truth["sources"]) == 13
    for source, layout, _, table in _tables(folder, templates, truth):
        assert len(table) == source["rows"] > 0, source["file"]
        assert set(table["participantcode"]) <= set(roster["participant_id"]), source["file"]
        for column in layout.columns:
            assert column.key in table, (source["file"], column.key)
            if column.scale.type in ("ordinal", "nominal"):
                values = table[column.key].dropna()
                assert values.map(lambda v, c=column: v in c.scale.codes).all(), column.key


def test_every_planted_fault_is_in_its_file(templates, tmp_path):
    folder = tmp_path / "messy"
    truth = synthesize(folder, templates, pairs=12, agencies=3, seed=11, fmt="mixed", mess=True)
    roster = set(pd.read_csv(folder / "roster.csv")["participant_id"])
    kinds = {f["kind"] for f in truth["faults"]}
    assert kinds == {
        "duplicate_submission", "test_response", "unknown_respondent", "out_of_range",
        "label_as_text", "label_case_whitespace", "email_in_comment",
    }  # fmt: skip
    sources = {s["file"]: (s, layout, raw) for s, layout, raw, _ in _tables(folder, templates, truth)}
    for fault in truth["faults"]:
        source, layout, raw = sources[fault["file"]]
        shape = platform(source["format"])
        row = raw.frame.iloc[fault["row"] - 1]
        code = row[shape.participant_header(layout)]
        if fault["kind"] == "duplicate_submission":
            assert code == fault["participant_id"]
            codes = raw.frame[shape.participant_header(layout)]
            assert (codes == code).sum() == 2
        elif fault["kind"] == "test_response":
            assert code == "TEST"
        elif fault["kind"] == "unknown_respondent":
            assert code not in roster and code == fault["value"]
        else:
            cell = row[shape.item_column_names(layout)[fault["column"]]]
            assert code == fault["participant_id"] in roster
            if fault["kind"] == "email_in_comment":
                assert "@example.se" in cell
            else:
                assert cell == str(fault["value"]), fault


def _mean_se(values, clusters):
    """Return the mean and its standard error: the larger of the naive and the cluster-robust one.

    Agencies differ in their mean change, so a cohort's mean varies with its few agencies as well as
    with its participants.
    """
    values = pd.Series(values, dtype=float)
    n = len(values)
    naive = values.std(ddof=1) / math.sqrt(n)
    residual = values - values.mean()
    k = pd.Series(clusters).nunique()
    robust = math.sqrt((residual.groupby(np.asarray(clusters)).sum() ** 2).sum() * k / (k - 1)) / n
    return float(values.mean()), max(naive, robust)


def _change(tables, templates, construct_id, role):
    """Return a participant's observed change (post - pre) with pre, post, pair and agency."""
    pre = tables[("baseline", role, "pre")].set_index("participantcode")
    post = tables[("followup", role, "post")].set_index("participantcode")
    frame = pd.DataFrame({"pre": _score(pre, templates, construct_id, role)[1]})
    frame["post"] = _score(post, templates, construct_id, role)[1].reindex(frame.index)
    frame = frame.dropna()
    roster = tables["roster"].set_index("participant_id")
    frame["diff"] = frame["post"] - frame["pre"]
    frame["pair"] = roster.loc[frame.index, "pair_id"].to_numpy()
    frame["agency"] = roster.loc[frame.index, "agency"].to_numpy()
    return frame


def _score(table, templates, construct_id, role):
    construct = templates.constructs[construct_id]
    items = [templates.items[i] for i in construct.scoring.items if role in templates.items[i].roles]
    scale = templates.scale_of(items[0])
    low, high = min(scale.codes), max(scale.codes)
    codes = table[[i.id for i in items]].astype(float)
    for item in items:
        if item.reverse:
            codes[item.id] = low + high - codes[item.id]
    return codes, codes.mean(axis=1, skipna=False)


@pytest.fixture(scope="module", params=["2.0.0", "1.0.0"])
def large(request, templates, tmp_path_factory):
    """A 300-pair cohort answering the version of the baseline and follow-up surveys in the param.

    Returns the truth, the canonical tables and the templates as that cohort sees them
    (`evaluation.survey.pinned`): the generator works on the current version and on version 1.
    """
    version = request.param
    folder = tmp_path_factory.mktemp("large") / "cohort"
    versions = {"baseline": version, "followup": version}
    truth = synthesize(folder, templates, pairs=300, agencies=10, seed=99, fmt="generic", versions=versions)
    assert truth["effects"] == "realistic" and truth["mnar"] == 0
    view = pinned(templates, versions)
    assert load_cohort(folder).instruments["followup"].version == version
    tables = {(s["instrument"], s["role"], s["wave"]): t for s, _, _, t in _tables(folder, view, truth)}
    tables["roster"] = pd.read_csv(folder / "roster.csv")
    return truth, tables, view


def test_change_recovers_the_true_mean_difference(large):
    truth, tables, templates = large
    checked = 0
    for entry in truth["change"]:
        change = _change(tables, templates, entry["construct"], entry["role"])
        mean, se = _mean_se(change["diff"], change["agency"])
        assert abs(mean - entry["true_mean_diff"]) < 4 * se + 0.01, entry
        checked += 1
    assert checked == len(truth["change"]) >= 15  # every construct asked at both waves, per role


def test_reliability_matches_the_requested_value(large):
    truth, tables, templates = large
    baseline = pd.concat([tables[("baseline", r, "pre")] for r in ("mentor", "adept")])
    for entry in truth["reliability"]:
        assert abs(entry["population_alpha"] - entry["requested"]) < 0.01, entry
        construct = templates.constructs[entry["construct"]]
        if not set(construct.scoring.items) <= set(baseline.columns):
            continue  # follow-up or inspiration constructs
        roles = {r for i in construct.scoring.items for r in templates.items[i].roles}
        role = "mentor" if "mentor" in roles else "adept"
        rows = baseline if len(roles) == 2 else tables[("baseline", role, "pre")]
        codes, _ = _score(rows, templates, construct.id, role)
        alpha, ci = pg.cronbach_alpha(data=codes.dropna())
        # 300-600 respondents: the sample alpha lies within about +-0.05 of the population value;
        # pooling roles with different means adds a little between-role variance, hence the margin.
        assert ci[0] - 0.03 <= entry["population_alpha"] <= ci[1] + 0.03, (entry, alpha, ci)


def test_role_gaps_and_attrition_follow_the_model(large):
    truth, tables, templates = large
    gaps = {g.get("construct") or g.get("item"): g["true_mean_diff"] for g in truth["role_gap"]}
    mentor, adept = tables[("baseline", "mentor", "pre")], tables[("baseline", "adept", "pre")]
    v1 = "wvdevelop" in templates.constructs["work_values"].scoring.items
    keys = ("tech_use", "wvdevelop", "intention_to_stay") if v1 else ("tech_understanding", "wvdevelop2")
    for key in keys:
        if key in templates.constructs:
            a, b = _score(mentor, templates, key, "mentor")[1], _score(adept, templates, key, "adept")[1]
        else:
            a, b = mentor[key].astype(float), adept[key].astype(float)
        a, b = a.dropna(), b.dropna()
        observed = a.mean() - b.mean()
        se = math.sqrt(a.var() / len(a) + b.var() / len(b))
        # Realistic gaps are small (at most 0.2 SD, more for the use of technology and for
        # development among work values): the estimate lies within 4 standard errors of the truth.
        assert abs(observed - gaps[key]) < 4 * se, (key, observed, gaps[key], se)
    n = 600
    rate = truth["attrition"]["observed"]
    assert abs(rate - 0.15) < 4 * math.sqrt(0.15 * 0.85 / n)
    followed = set(tables[("followup", "mentor", "post")]["participantcode"]) | set(
        tables[("followup", "adept", "post")]["participantcode"]
    )
    assert followed.isdisjoint(truth["attrition"]["no_followup"])
    assert len(followed) + len(truth["attrition"]["no_followup"]) == n
    log = tables[("meeting_log", "both", "log")]
    hours = log.groupby("participantcode")["mminutes"].sum().sum() / 60 / 300
    assert 17 < hours < 23  # about 20 hours of meetings per pair


def test_identities_are_fictitious(templates, tmp_path):
    folder = tmp_path / "c"
    synthesize(folder, templates, pairs=10, agencies=2, seed=5, fmt="qualtrics", mess=True)
    roster = pd.read_csv(folder / "roster.csv")
    assert roster["email"].str.endswith("@example.se").all()
    assert set(roster["role"]) == {"mentor", "adept"}
    assert (roster.loc[roster["role"] == "mentor", "age_band"] == "-29").all()
    text = "".join(p.read_text(encoding="utf-8") for p in (folder / "raw").glob("*.csv"))
    emails = set(pd.Series(text.split(",")).str.extract(r"([\w.]+@[\w.]+)")[0].dropna())
    assert emails and all(e.endswith("@example.se") or e.endswith("example.se.") for e in emails)
    assert "192.0.2." in text  # documentation-range IP addresses only


def test_cli_synth_refuses_real_data_and_replaces_synthetic(tmp_path):
    folder = tmp_path / "demo"
    first = runner.invoke(app, ["synth", str(folder), "--pairs", "6", "--agencies", "2"])
    assert first.exit_code == 0, first.output
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    assert truth["pairs"] == 6 and truth["change"]
    again = runner.invoke(app, ["synth", str(folder), "--pairs", "6", "--agencies", "2"])
    assert again.exit_code != 0
    forced = runner.invoke(app, ["synth", str(folder), "--pairs", "6", "--agencies", "2", "--force"])
    assert forced.exit_code == 0, forced.output
    real = tmp_path / "real"
    runner.invoke(app, ["cohort", "new", str(real), "--name", "Riktig", "--start", "2027-01"])
    refused = runner.invoke(app, ["synth", str(real), "--force"])
    assert refused.exit_code != 0 and (real / "cohort.yml").exists()
    bad = runner.invoke(app, ["synth", str(tmp_path / "x"), "--format", "paper"])
    assert bad.exit_code == 2 and "unknown format 'paper'" in bad.output


def test_cli_synth_takes_effects_and_mnar(tmp_path):
    folder = tmp_path / "null"
    result = runner.invoke(
        app, ["synth", str(folder), "--pairs", "6", "--agencies", "2", "--effects", "null", "--mnar", "0.5"]
    )
    assert result.exit_code == 0, result.output
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    assert truth["effects"] == "null" and truth["mnar"] == 0.5
    assert all(e["true_mean_diff"] == 0 for e in truth["change"])
    profile = tmp_path / "typo.yml"
    yaml.safe_dump({"tech_use": {"gap": "wide"}}, profile.open("w", encoding="utf-8"))
    bad = runner.invoke(app, ["synth", str(tmp_path / "x"), "--effects", str(profile)])
    assert bad.exit_code == 2 and "typo.yml" in bad.output and "tech_use.gap" in bad.output


def test_response_shift_and_perception_gain_follow_the_truth(large):
    truth, tables, templates = large
    for entry in truth["response_shift"]:
        role = entry["role"]
        pre = tables[("baseline", role, "pre")].set_index("participantcode")
        post = tables[("followup", role, "post")].set_index("participantcode")
        construct = templates.constructs[entry["construct"]]
        then_ids = {i.then_of: i.id for i in templates.items.values() if i.then_of}
        renamed = post.rename(columns={then_ids[i]: i for i in construct.scoring.items}, errors="ignore")
        renamed = renamed.loc[:, ~renamed.columns.duplicated(keep="last")]
        _, then_score = _score(renamed, templates, construct.id, role)
        _, pre_score = _score(pre, templates, construct.id, role)
        diff = (then_score - pre_score.reindex(then_score.index)).dropna()
        se = diff.std(ddof=1) / math.sqrt(len(diff))
        assert abs(diff.mean() - entry["true_mean_diff"]) < 4 * se + 0.01, entry
    values = [i for i in templates.constructs["work_values"].scoring.items]
    perceived = {i.perception_of: i.id for i in templates.instrument("followup").items if i.perception_of}
    assert set(perceived) == set(values)
    for entry in truth["perception"]:
        role, other = entry["role"], "adept" if entry["role"] == "mentor" else "mentor"
        actual = tables[("baseline", other, "pre")][values].astype(float).mean()
        errors = {}
        for wave, instrument in (("pre", "baseline"), ("post", "followup")):
            beliefs = tables[(instrument, role, wave)][[perceived[v] for v in values]].astype(float).mean()
            errors[wave] = float(np.abs(beliefs.to_numpy() - actual.to_numpy()).mean())
        assert errors["pre"] > errors["post"]
        assert abs(errors["pre"] - entry["group_error_pre"]) < 0.08, (entry, errors)
        assert abs(errors["post"] - entry["group_error_post"]) < 0.08, (entry, errors)


def test_meeting_hours_drive_change(large):
    truth, tables, templates = large
    for entry in truth["dose_response"]:
        role = entry["role"]
        roster = tables["roster"].set_index("participant_id")
        hours = roster["pair_id"].map(truth["meetings"]["pairs"])
        pre = tables[("baseline", role, "pre")].set_index("participantcode")
        post = tables[("followup", role, "post")].set_index("participantcode")
        change = (
            _score(post, templates, entry["construct"], role)[1]
            - _score(pre, templates, entry["construct"], role)[1]
        ).dropna()
        fit = linregress(hours.reindex(change.index), change)
        assert abs(fit.slope - entry["slope_per_hour"]) < 4 * fit.stderr, (entry, fit)
    log = tables[("meeting_log", "both", "log")]
    logged = log.groupby(log["participantcode"].map(tables["roster"].set_index("participant_id")["pair_id"]))
    true_hours = pd.Series(truth["meetings"]["pairs"])
    per_pair = logged["mminutes"].sum() / 60
    assert np.corrcoef(per_pair, true_hours.reindex(per_pair.index))[0, 1] > 0.95


def _both_roles(truth):
    """Return the constructs whose change is known for both roles."""
    roles: dict[str, set] = {}
    for entry in truth["change"]:
        roles.setdefault(entry["construct"], set()).add(entry["role"])
    return [c for c, r in roles.items() if r == {"mentor", "adept"}]


def test_change_is_shared_in_pairs_and_agencies(large):
    truth, tables, templates = large
    correlations, pvalues = [], []
    for construct in _both_roles(truth):
        mentor = _change(tables, templates, construct, "mentor")
        adept = _change(tables, templates, construct, "adept")
        both = mentor[["pair", "diff"]].merge(adept[["pair", "diff"]], on="pair")
        correlations.append(np.corrcoef(both["diff_x"], both["diff_y"])[0, 1])
        # Agencies: one-way ANOVA of the pairs' mean change (each role centred on its mean), so that
        # the units are independent pairs and the roles' different mean changes do not count.
        centred = pd.concat([m.assign(diff=m["diff"] - m["diff"].mean()) for m in (mentor, adept)])
        pairs = centred.groupby(["agency", "pair"])["diff"].mean().reset_index()
        pvalues.append(f_oneway(*[g["diff"].to_numpy() for _, g in pairs.groupby("agency")]).pvalue)
    assert len(correlations) >= 5
    observed = {o["construct"]: o for o in truth["variance_of_change"]["observed"]}
    expected = np.mean([observed[c]["within_pair_r"] for c in _both_roles(truth)])
    # About 0.2 per construct in an infinite cohort; about 140 complete pairs per construct here.
    assert 0.15 < expected < 0.3
    assert np.mean(correlations) > 0.1, correlations
    # Agencies differ in their mean change beyond sampling error (the tests combined over constructs).
    assert combine_pvalues(pvalues, method="fisher").pvalue < 0.01, pvalues
    latent = truth["variance_of_change"]["latent"]
    assert latent["pair_sd"] > 0 and latent["agency_sd"] > 0 and 0.3 < latent["within_pair_r"] < 0.5


def test_pre_post_correlation_is_moderate(large):
    truth, tables, templates = large
    key = "intergen_understanding"
    # Each role centred at each wave, then pooled: the correlation within roles.
    frames = [_change(tables, templates, key, role) for role in ("mentor", "adept")]
    pooled = pd.concat([f[["pre", "post"]] - f[["pre", "post"]].mean() for f in frames])
    r = np.corrcoef(pooled["pre"], pooled["post"])[0, 1]
    assert 0.5 < r < 0.7, r
    true_r = next(o for o in truth["variance_of_change"]["observed"] if o["construct"] == key)["pre_post_r"]
    assert all(0.55 < v < 0.65 for v in true_r.values()), true_r


@pytest.fixture(scope="module")
def null_cohort(templates, tmp_path_factory):
    """A 300-pair cohort in 30 agencies without any true change."""
    folder = tmp_path_factory.mktemp("null") / "cohort"
    truth = synthesize(folder, templates, pairs=300, agencies=30, seed=5, fmt="generic", effects="null")
    view = pinned(templates, {})
    tables = {(s["instrument"], s["role"], s["wave"]): t for s, _, _, t in _tables(folder, view, truth)}
    tables["roster"] = pd.read_csv(folder / "roster.csv")
    return truth, tables, view


def test_null_effects_change_nothing(null_cohort):
    truth, tables, templates = null_cohort
    assert truth["effects"] == "null" and truth["change"]
    assert all(e["true_mean_diff"] == 0 and e["latent_shift"] == 0 for e in truth["change"])
    assert truth["dose_response"] == []
    assert all(not any(e["change"].values()) and e["dose"] == 0 for e in truth["latent_effects"].values())
    # Nothing else changes: levels and gaps are the realistic ones.
    assert truth["latent_effects"]["tech_use"]["gap"] == CONSTRUCT_EFFECTS["tech_use"].gap
    for entry in truth["change"]:
        change = _change(tables, templates, entry["construct"], entry["role"])
        mean, se = _mean_se(change["diff"], change["agency"])
        assert abs(mean) < 4 * se, (entry, mean, se)


def test_strong_profile_keeps_the_old_effects(templates, tmp_path):
    truth = synthesize(tmp_path / "strong", templates, pairs=6, agencies=2, seed=1, effects="strong")
    realistic = synthesize(tmp_path / "realistic", templates, pairs=6, agencies=2, seed=1)
    assert truth["effects"] == "strong"
    latent = truth["latent_effects"]["intergen_understanding"]
    assert latent["change"] == {"mentor": 0.35, "adept": 0.5} and latent["dose"] == 0.15
    assert truth["latent_effects"]["org_understanding"]["change"] == {"mentor": 0.6}
    strong = {(e["construct"], e["role"]): e["true_mean_diff"] for e in truth["change"]}
    weak = {(e["construct"], e["role"]): e["true_mean_diff"] for e in realistic["change"]}
    assert strong[("intergen_understanding", "adept")] > weak[("intergen_understanding", "adept")] + 0.1
    # Realistic: 0.2-0.4 latent SD where the program aims, at most 0.05 where it should not act.
    targets = {
        ("intergen_understanding", "adept"),
        ("org_understanding", "mentor"),
        ("tech_confidence", "adept"),
    }
    for construct, role in targets:
        assert 0.2 <= CONSTRUCT_EFFECTS[construct].change[role] <= 0.4
    for construct in ("intergen_climate", "employer_young", "intention_to_stay", "recommend_workplace"):
        assert max(CONSTRUCT_EFFECTS[construct].change.values()) <= 0.05
    assert all(
        abs(e.gap) <= 0.2 for c, e in CONSTRUCT_EFFECTS.items() if c not in ("tech_use", "tech_confidence")
    )


def test_a_profile_overrides_the_realistic_effects(templates, tmp_path):
    profile = tmp_path / "profile.yml"
    profile.write_text(
        "intergen_understanding:\n  change: {adept: 0.0}\n  dose: 0\n  gap: 0.1\n", encoding="utf-8"
    )
    truth = synthesize(tmp_path / "c", templates, pairs=6, agencies=2, seed=1, effects=profile)
    assert truth["effects"] == str(profile)
    latent = truth["latent_effects"]["intergen_understanding"]
    assert latent["change"] == {"mentor": 0.25, "adept": 0.0} and latent["gap"] == 0.1
    true = {(e["construct"], e["role"]): e["true_mean_diff"] for e in truth["change"]}
    assert true[("intergen_understanding", "adept")] == 0 < true[("intergen_understanding", "mentor")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("intergen_understandng:\n  level: 0.1\n", "unknown construct 'intergen_understandng'"),
        ("intergen_understanding:\n  chnage: {adept: 0.1}\n", "intergen_understanding: unknown key 'chnage'"),
        ("intergen_understanding:\n  change: {adept: high}\n", "intergen_understanding.change.adept: 'high'"),
        ("intergen_understanding:\n  change: {senior: 0.1}\n", "unknown role 'senior'"),
        ("intergen_understanding:\n  change: 0.3\n", "intergen_understanding.change: expected a mapping"),
        ("intergen_understanding:\n  level: 35\n", "intergen_understanding.level: 35 is out of range"),
        ("work_values:\n  level: 0.1\n", "work_values: scored as 'profile'"),
        ("- intergen_understanding\n", "expected a mapping of construct id"),
        ("a: [\n", "not valid YAML"),
    ],
)
def test_a_bad_profile_is_refused_naming_file_and_key(templates, tmp_path, text, message):
    profile = tmp_path / "bad-profile.yml"
    profile.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad-profile\.yml") as error:
        synthesize(tmp_path / "c", templates, pairs=4, agencies=1, effects=profile)
    assert message in str(error.value)
    assert not (tmp_path / "c").exists()  # refused before anything is written


def test_unknown_effects_and_mnar_are_refused(templates, tmp_path):
    with pytest.raises(ValueError, match="unknown effects 'huge'; expected null, realistic, strong"):
        resolve_effects("huge", templates.constructs)
    with pytest.raises(ValueError, match=r"missing\.yml: cannot read"):
        resolve_effects(tmp_path / "missing.yml", templates.constructs)
    with pytest.raises(ValueError, match="mnar must be a finite number"):
        synthesize(tmp_path / "c", templates, pairs=4, agencies=1, mnar=float("nan"))


def test_mnar_raises_dropout_among_those_with_low_change(templates):
    rng = np.random.default_rng(3)
    cohort = draw_cohort(templates, 5000, 20, rng)
    roles = cohort.roster["role"].to_numpy()
    z = standardized(cohort.change["intergen_understanding"], roles)
    engagement = cohort.roster["engagement"].to_numpy()
    low, high = z < np.quantile(z, 0.25), z > np.quantile(z, 0.75)
    mar = followup_dropout(engagement, z, 0.15, 0.0, np.random.default_rng(4))
    mnar = followup_dropout(engagement, z, 0.15, 1.5, np.random.default_rng(4))
    assert abs(mar[low].mean() - mar[high].mean()) < 0.03  # MAR: the same among low and high change
    assert mnar[low].mean() > mar[low].mean() + 0.1 and mnar[low].mean() > 3 * mnar[high].mean()


def test_mnar_makes_completers_overstate_change(templates, tmp_path):
    folder = tmp_path / "mnar"
    truth = synthesize(folder, templates, pairs=400, agencies=40, seed=6, attrition=0.3, mnar=3.0)
    assert truth["mnar"] == 3.0 and truth["attrition"]["mnar_construct"] == "intergen_understanding"
    templates = pinned(templates, {})
    tables = {(s["instrument"], s["role"], s["wave"]): t for s, _, _, t in _tables(folder, templates, truth)}
    tables["roster"] = pd.read_csv(folder / "roster.csv")
    bias, variance = 0.0, 0.0
    for entry in truth["change"]:
        if entry["construct"] == "intergen_understanding":
            change = _change(tables, templates, entry["construct"], entry["role"])
            mean, se = _mean_se(change["diff"], change["agency"])
            bias, variance = bias + mean - entry["true_mean_diff"], variance + se**2
    # Those who changed least did not answer: the completers' mean change is too high.
    assert bias / 2 > 0.1 and bias > 3 * math.sqrt(variance), (bias, variance)
