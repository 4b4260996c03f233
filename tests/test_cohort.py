"""Scaffolding a cohort: pinned versions, roster template, READMEs, and nothing overwritten."""

from __future__ import annotations

import pytest

from evaluation.cohort import ROSTER_COLUMNS, load_cohort, new_cohort
from evaluation.errors import CohortError
from evaluation.survey import content_hash

from .conftest import read_yaml, write_yaml


def test_new_cohort_writes_the_folder(templates, tmp_path):
    folder = tmp_path / "2027"
    config = new_cohort(folder, name="Omvänt mentorskap 2027", start="2027-01", templates=templates)
    assert config.period.end == "2027-12"
    assert (folder / "raw" / "README.md").exists() and (folder / "processed" / "README.md").exists()
    assert (folder / "roster.csv").read_text(encoding="utf-8").strip() == ",".join(ROSTER_COLUMNS)
    loaded = load_cohort(folder)
    assert loaded == config
    assert loaded.id == "2027" and loaded.min_group_size == 5 and loaded.cost_per_adept_sek == 6000
    for instrument in templates.instruments.values():
        pin = loaded.instruments[instrument.id]
        assert pin.version == instrument.version
        assert pin.sha256 == content_hash(templates, instrument)


def test_period_crossing_the_year(templates, tmp_path):
    config = new_cohort(tmp_path / "c", name="C", start="2027-09", templates=templates)
    assert config.period.end == "2028-08"


def test_new_cohort_never_overwrites(templates, tmp_path):
    folder = tmp_path / "2027"
    (folder / "raw").mkdir(parents=True)
    (folder / "raw" / "export.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CohortError, match="not empty; nothing is overwritten"):
        new_cohort(folder, name="X", start="2027-01", templates=templates)
    assert (folder / "raw" / "export.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("januari 2027", None, "expected a year and month like 2027-01"),
        ("2027-13", None, "expected a year and month like 2027-01"),
        ("2027-06", "2027-01", "ends (2027-01) before it starts (2027-06)"),
    ],
)
def test_bad_period_is_rejected_with_the_field(templates, tmp_path, start, end, message):
    with pytest.raises(CohortError) as caught:
        new_cohort(tmp_path / "c", name="C", start=start, end=end, templates=templates)
    assert message in str(caught.value)
    assert "cohort.yml" in str(caught.value)
    assert not (tmp_path / "c" / "cohort.yml").exists()


def test_load_cohort_names_file_and_field(templates, tmp_path):
    folder = tmp_path / "c"
    new_cohort(folder, name="C", start="2027-01", templates=templates)
    data = read_yaml(folder / "cohort.yml")
    data["min_group_size"] = 1
    write_yaml(folder / "cohort.yml", data)
    with pytest.raises(CohortError) as caught:
        load_cohort(folder)
    assert "cohort.yml" in str(caught.value) and "min_group_size" in str(caught.value)


def test_load_cohort_without_file(tmp_path):
    with pytest.raises(CohortError, match="the file is missing"):
        load_cohort(tmp_path)
