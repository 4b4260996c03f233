"""Released versions stay loadable: a frozen copy per version, checked against versions.yml, and a
cohort that answered an older version is read, scored and exported with that version (issue 12: "v1
stays loadable"; the current version is 2.0.0, a copy of surveys/ makes a 3.0.0 where a test needs a
newer one)."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from evaluation.errors import TemplateError
from evaluation.ingest import ingest_cohort
from evaluation.scoring import score
from evaluation.survey import content_hash, load_templates, pinned, release
from evaluation.synth import synthesize


def test_every_released_version_has_a_frozen_copy_with_its_released_hash(templates):
    for instrument_id, versions in templates.released.items():
        for version, digest in versions.items():
            assert content_hash(templates, templates.instrument(instrument_id, version)) == digest
    with pytest.raises(KeyError, match=r"known: 1\.0\.0, 2\.0\.0"):
        templates.instrument("baseline", "9.9.9")


V1 = {"baseline": "1.0.0", "followup": "1.0.0"}


def _new_version(surveys, instrument_id: str, drop: str) -> None:
    """Make version 3.0.0 of an instrument without item `drop` and with another introduction."""
    path = surveys / "instruments" / f"{instrument_id}.yml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec["version"] = "3.0.0"
    spec["intro"]["sv"] += " Version tre."
    for section in spec["sections"]:
        section["items"] = [i for i in section["items"] if i != drop]
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_new_version_keeps_the_old_ones_loadable_and_their_hashes_byte_identical(surveys_copy):
    before = yaml.safe_load((surveys_copy / "versions.yml").read_text(encoding="utf-8"))
    _new_version(surveys_copy, "baseline", "gclim3")
    release(load_templates(surveys_copy, require_released=False), "baseline")
    after = load_templates(surveys_copy)
    assert after.instrument("baseline").version == "3.0.0"
    assert after.versions("baseline") == ["1.0.0", "2.0.0", "3.0.0"]
    old = after.instrument("baseline", "2.0.0")
    assert "gclim3" in {i.id for i in old.items}
    assert "gclim3" not in {i.id for i in after.instrument("baseline").items}
    released = yaml.safe_load((surveys_copy / "versions.yml").read_text(encoding="utf-8"))
    assert released["baseline"]["1.0.0"] == before["baseline"]["1.0.0"]
    assert released["baseline"]["2.0.0"] == before["baseline"]["2.0.0"]
    assert (surveys_copy / "instruments" / "released" / "baseline-3.0.0.yml").exists()


def test_an_edited_frozen_copy_is_refused(surveys_copy):
    path = surveys_copy / "instruments" / "released" / "baseline-1.0.0.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Välkommen", "Hej och välkommen", 1), encoding="utf-8"
    )
    with pytest.raises(TemplateError, match="kept copy does not match"):
        load_templates(surveys_copy)


def test_a_released_version_without_its_copy_is_refused(surveys_copy):
    (surveys_copy / "instruments" / "released" / "baseline-1.0.0.yml").unlink()
    with pytest.raises(TemplateError, match="no kept copy"):
        load_templates(surveys_copy)


def test_a_cohort_that_answered_version_1_is_read_and_scored_with_version_1(templates, tmp_path):
    folder = tmp_path / "cohort"
    synthesize(folder, templates, pairs=6, agencies=2, seed=3, fmt="generic", versions=V1)
    report = ingest_cohort(folder, templates)  # the current templates: baseline and follow-up 2.0.0
    assert not [w for w in report["warnings"] if "changed since the cohort pinned" in w], report["warnings"]
    data = pd.read_parquet(folder / "processed" / "responses.parquet")
    baseline = data[data["instrument"] == "baseline"]
    assert set(baseline["version"]) == {"1.0.0"}
    assert (baseline["item"] == "clim5").any()  # an item only version 1 asks, read with version 1
    assert not data["item"].isin(["ugen1", "wvmeaning2"]).any()
    # Scored on the items version 1 asked: five understanding items expected, not nine.
    scores = score(data, templates)
    understanding = scores[scores["construct"] == "intergen_understanding"]
    assert set(understanding["n_expected"]) == {5} and understanding["score"].notna().mean() > 0.9
    assert "tech_understanding" not in set(scores["construct"])  # a version 2 construct


def test_an_old_version_exports_with_version_and_a_cohort_exports_the_version_it_pinned(templates, tmp_path):
    from typer.testing import CliRunner

    from evaluation.cli import app
    from evaluation.cohort import new_cohort

    runner = CliRunner()
    cohort = tmp_path / "cohort"
    new_cohort(cohort, name="K", start="2027-01", templates=pinned(templates, V1))  # pins 1.0.0
    wording = templates.items["clim5"].wording("mentor", "sv")  # asked in version 1 only
    base = ["survey", "export", "baseline", "--role", "mentor", "--format", "html"]
    for extra, name, asked in (
        ([], "current.html", False),
        (["--version", "1.0.0"], "old.html", True),
        (["--cohort", str(cohort)], "cohort.html", True),
    ):
        result = runner.invoke(app, [*base, "-o", str(tmp_path / name), *extra])
        assert result.exit_code == 0, result.output
        assert (wording in (tmp_path / name).read_text(encoding="utf-8")) is asked, name
    result = runner.invoke(app, [*base, "-o", str(tmp_path / "x.html"), "--version", "9.0.0"])
    assert result.exit_code == 2 and "1.0.0, 2.0.0" in result.output


def test_cohorts_on_different_versions_are_compared_on_the_items_both_were_asked(
    templates, surveys_copy, tmp_path, monkeypatch
):
    from evaluation import report

    first = tmp_path / "v2"
    synthesize(first, templates, pairs=12, agencies=1, seed=4, fmt="generic")  # baseline/followup 2.0.0
    for instrument in ("baseline", "followup"):
        _new_version(surveys_copy, instrument, "eay3")
        release(load_templates(surveys_copy, require_released=False), instrument)
    monkeypatch.setenv("EVALUATION_SURVEYS", str(surveys_copy))
    v3 = load_templates(surveys_copy)
    second = tmp_path / "v3"
    synthesize(second, v3, pairs=12, agencies=1, seed=5, fmt="generic")  # 3.0.0
    ingest_cohort(first, v3)
    ingest_cohort(second, v3)
    table = report.compare([first, second]).frame
    employer = table[table["construct"] == "employer_young"]
    assert len(employer) == 4 and employer["note"].str.contains("2 av 3").all()
    assert employer["note"].str.contains("eay1").all() and not employer["note"].str.contains("eay3").any()
    others = table[table["construct"] == "intergen_understanding"]
    assert len(others) == 4 and (others["note"] == "").all()  # unchanged items: compared in full
    assert report.not_comparable([first, second]) == []


def test_cohorts_on_version_1_and_2_say_what_cannot_be_compared(templates, tmp_path):
    from evaluation import report

    first, second = tmp_path / "v1", tmp_path / "v2"
    synthesize(first, templates, pairs=8, agencies=1, seed=4, fmt="generic", versions=V1)
    synthesize(second, templates, pairs=8, agencies=1, seed=5, fmt="generic")
    ingest_cohort(first, templates)
    ingest_cohort(second, templates)
    missing = report.not_comparable([first, second])
    # Version 2 rewrote the understanding items (new terms, "Stämmer" labels): no shared item; the
    # free-text comment kept its item and stays comparable.
    assert {"intergen_understanding", "tech_understanding", "intention_to_stay"} <= set(missing)
    assert "program_comment" not in missing
    table = report.compare([first, second]).frame
    assert not table["construct"].isin(missing).any()
    note = report.comparability_note([first, second], "sv").data
    assert "Förståelse för den andra generationen" in note and "Kan inte jämföras" in note
