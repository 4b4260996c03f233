"""Released versions stay loadable: a frozen copy per version, checked against versions.yml, and a
cohort that answered an older version is read with that version (issue 12: "v1 stays loadable")."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from evaluation.errors import TemplateError
from evaluation.ingest import ingest_cohort
from evaluation.survey import content_hash, load_templates, release
from evaluation.synth import synthesize


def test_every_released_version_has_a_frozen_copy_with_its_released_hash(templates):
    for instrument_id, versions in templates.released.items():
        for version, digest in versions.items():
            assert content_hash(templates, templates.instrument(instrument_id, version)) == digest
    with pytest.raises(KeyError, match=r"known: 1\.0\.0"):
        templates.instrument("baseline", "9.9.9")


def _new_version(surveys, instrument_id: str, drop: str) -> None:
    """Make version 2.0.0 of an instrument without item `drop` and with another introduction."""
    path = surveys / "instruments" / f"{instrument_id}.yml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec["version"] = "2.0.0"
    spec["intro"]["sv"] += " Version två."
    for section in spec["sections"]:
        section["items"] = [i for i in section["items"] if i != drop]
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_new_version_keeps_the_old_one_loadable_and_its_hash_byte_identical(surveys_copy):
    before = (surveys_copy / "versions.yml").read_text(encoding="utf-8")
    _new_version(surveys_copy, "baseline", "clim5")
    release(load_templates(surveys_copy, require_released=False), "baseline")
    after = load_templates(surveys_copy)
    assert after.instrument("baseline").version == "2.0.0"
    assert after.versions("baseline") == ["1.0.0", "2.0.0"]
    old = after.instrument("baseline", "1.0.0")
    assert "clim5" in {i.id for i in old.items} and "clim5" not in {
        i.id for i in after.instrument("baseline").items
    }
    released = yaml.safe_load((surveys_copy / "versions.yml").read_text(encoding="utf-8"))
    assert released["baseline"]["1.0.0"] == yaml.safe_load(before)["baseline"]["1.0.0"]
    assert (surveys_copy / "instruments" / "released" / "baseline-2.0.0.yml").exists()


def test_an_edited_frozen_copy_is_refused(surveys_copy):
    path = surveys_copy / "instruments" / "released" / "baseline-1.0.0.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Välkommen", "Hej och välkommen", 1), encoding="utf-8"
    )
    with pytest.raises(TemplateError, match="kept copy does not match"):
        load_templates(surveys_copy)


def test_a_released_version_without_its_copy_is_refused(surveys_copy):
    _new_version(surveys_copy, "baseline", "clim5")
    release(load_templates(surveys_copy, require_released=False), "baseline")
    (surveys_copy / "instruments" / "released" / "baseline-1.0.0.yml").unlink()
    with pytest.raises(TemplateError, match="no kept copy"):
        load_templates(surveys_copy)


def test_a_cohort_that_answered_version_1_is_read_with_version_1_after_version_2(
    templates, surveys_copy, tmp_path
):
    folder = tmp_path / "cohort"
    synthesize(folder, templates, pairs=4, agencies=2, seed=3, fmt="generic")  # pins baseline 1.0.0
    _new_version(surveys_copy, "baseline", "clim5")
    release(load_templates(surveys_copy, require_released=False), "baseline")
    ingest_cohort(folder, load_templates(surveys_copy))
    data = pd.read_parquet(folder / "processed" / "responses.parquet")
    baseline = data[data["instrument"] == "baseline"]
    assert set(baseline["version"]) == {"1.0.0"}
    assert (baseline["item"] == "clim5").any()  # an item only version 1 asks, read with version 1


def test_an_old_version_exports_with_version_and_a_cohort_exports_the_version_it_pinned(
    surveys_copy, tmp_path
):
    from typer.testing import CliRunner

    from evaluation.cli import app
    from evaluation.cohort import new_cohort

    runner = CliRunner()
    cohort = tmp_path / "cohort"
    new_cohort(cohort, name="K", start="2027-01", templates=load_templates(surveys_copy))  # pins 1.0.0
    _new_version(surveys_copy, "baseline", "clim5")
    templates = load_templates(surveys_copy, require_released=False)
    release(templates, "baseline")
    wording = load_templates(surveys_copy).items["clim5"].wording("mentor", "sv")
    base = [
        "survey",
        "export",
        "baseline",
        "--role",
        "mentor",
        "--format",
        "html",
        "--surveys",
        str(surveys_copy),
    ]
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
    from evaluation import reports
    from evaluation.scoring import score

    first = tmp_path / "v1"
    synthesize(first, templates, pairs=8, agencies=1, seed=4, fmt="generic")  # baseline/followup 1.0.0
    for instrument in ("baseline", "followup"):
        _new_version(surveys_copy, instrument, "clim5")
        release(load_templates(surveys_copy, require_released=False), instrument)
    monkeypatch.setenv("EVALUATION_SURVEYS", str(surveys_copy))
    v2 = load_templates(surveys_copy)
    second = tmp_path / "v2"
    synthesize(second, v2, pairs=8, agencies=1, seed=5, fmt="generic")  # 2.0.0
    ingest_cohort(first, v2)
    ingest_cohort(second, v2)
    table = reports.compare([first, second]).frame
    climate = table[table["construct"] == "intergen_climate"]
    assert len(climate) == 4 and climate["note"].str.contains("4 av 5").all()
    assert climate["note"].str.contains("clim1").all() and not climate["note"].str.contains("clim5").any()
    # The first cohort's climate change, scored by hand on clim1-clim4 only.
    responses = pd.read_parquet(first / "processed" / "responses.parquet")
    data = reports.load(first)
    own = score(responses[responses["item"] != "clim5"], data.templates)
    own = own[(own["construct"] == "intergen_climate") & (own["role"] == "mentor")]
    if not own.empty:
        wide = own.pivot_table(index="pseudonym", columns="wave", values="score")
        if {"pre", "post"} <= set(wide.columns):
            expected = (wide["post"] - wide["pre"]).dropna().mean()
            got = climate[(climate["cohort"] == data.config.name) & (climate["role"] == "mentor")][
                "mean_diff"
            ]
            assert float(got.iloc[0]) == pytest.approx(expected)
    untouched = table[table["construct"] == "intergen_understanding"]
    assert not untouched["note"].str.contains("jämförs på").any()
