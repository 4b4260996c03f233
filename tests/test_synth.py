"""The synthetic cohort: deterministic, parseable in every format, messy as promised, true to its truth."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy.stats import linregress
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.cohort import load_cohort
from evaluation.formats import PLATFORMS, layout_for, platform
from evaluation.survey import pinned
from evaluation.synth import synthesize

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
    a = synthesize(tmp_path / "a", templates, pairs=8, agencies=2, seed=7, fmt="mixed", mess=True)
    synthesize(tmp_path / "b", templates, pairs=8, agencies=2, seed=7, fmt="mixed", mess=True)
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
    view = pinned(templates, versions)
    assert load_cohort(folder).instruments["followup"].version == version
    tables = {(s["instrument"], s["role"], s["wave"]): t for s, _, _, t in _tables(folder, view, truth)}
    tables["roster"] = pd.read_csv(folder / "roster.csv")
    return truth, tables, view


def test_change_recovers_the_true_mean_difference(large):
    truth, tables, templates = large
    checked = 0
    for entry in truth["change"]:
        role = entry["role"]
        pre = tables[("baseline", role, "pre")].set_index("participantcode")
        post = tables[("followup", role, "post")].set_index("participantcode")
        _, score_pre = _score(pre, templates, entry["construct"], role)
        _, score_post = _score(post, templates, entry["construct"], role)
        diff = (score_post - score_pre.reindex(score_post.index)).dropna()
        se = diff.std(ddof=1) / math.sqrt(len(diff))
        assert abs(diff.mean() - entry["true_mean_diff"]) < 4 * se + 0.01, entry
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
            observed = (
                _score(mentor, templates, key, "mentor")[1].mean()
                - _score(adept, templates, key, "adept")[1].mean()
            )
        else:
            observed = mentor[key].astype(float).mean() - adept[key].astype(float).mean()
        assert np.sign(observed) == np.sign(gaps[key]) and abs(observed - gaps[key]) < 0.15, key
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
