"""Ingest of whole cohorts: exactly the planted faults quarantined, identities pseudonymized, nothing lost."""

from __future__ import annotations

import hashlib
import shutil

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.errors import EvaluationError, IngestError
from evaluation.formats import PLATFORMS
from evaluation.ingest import ingest_cohort
from evaluation.ingest.pseudonym import SYNTHETIC_KEY, pseudonym
from evaluation.synth import synthesize

runner = CliRunner()


def _processed(folder, name):
    return folder / "processed" / name


def _quarantine(folder) -> pd.DataFrame:
    return pd.read_csv(_processed(folder, "quarantine.csv"), dtype={"column": object})


@pytest.mark.parametrize("fmt", [*sorted(PLATFORMS), "mixed"])
def test_ingest_quarantines_exactly_the_planted_faults(templates, tmp_path, fmt):
    folder = tmp_path / "c"
    truth = synthesize(folder, templates, pairs=10, agencies=2, seed=31, fmt=fmt, mess=True)
    report = ingest_cohort(folder, templates)
    quarantine = _quarantine(folder)
    planted_rows = {
        (f["file"].removeprefix("raw/"), f["row"], f["kind"])
        for f in truth["faults"]
        if f["expected"] == "quarantine_row"
    }
    found_rows = {(r.file, r.row, r.kind) for r in quarantine.itertuples() if pd.isna(r.column)}
    assert found_rows == planted_rows
    planted_cells = {
        (f["file"].removeprefix("raw/"), f["row"], f["column"])
        for f in truth["faults"]
        if f["expected"] == "quarantine_cell"
    }
    found_cells = {(r.file, r.row, r.column) for r in quarantine.itertuples() if not pd.isna(r.column)}
    assert found_cells == planted_cells
    assert set(quarantine.loc[quarantine["column"].notna(), "kind"]) == {"out_of_range"}
    redacted = sum(s["redactions"] for s in report["sources"])
    assert redacted == sum(f["expected"] == "redact" for f in truth["faults"])
    for source in report["sources"]:
        assert source["rows_read"] == source["rows_accepted"] + source["rows_quarantined"], source


def _answers(folder) -> pd.DataFrame:
    long = pd.read_parquet(_processed(folder, "responses.parquet"))
    return long.set_index(["pseudonym", "instrument", "wave", "item"])[["value", "value_text"]]


def test_accepted_data_equals_the_clean_truth(templates, tmp_path):
    messy, clean = tmp_path / "messy", tmp_path / "clean"
    truth = synthesize(messy, templates, pairs=12, agencies=3, seed=5, fmt="mixed", mess=True)
    synthesize(clean, templates, pairs=12, agencies=3, seed=5, fmt="mixed", mess=False)
    ingest_cohort(messy, templates)
    ingest_cohort(clean, templates)
    a, b = _answers(messy), _answers(clean)
    changed = set()
    for fault in truth["faults"]:
        if fault["expected"] in ("quarantine_cell", "redact"):
            key = pseudonym(SYNTHETIC_KEY, fault["participant_id"])
            instrument = fault["file"].split("/")[1].split("_")[0]
            wave = "pre" if instrument == "baseline" else "post"
            changed.add((key, instrument, wave, fault["column"]))
    assert set(b.index) - set(a.index) <= changed
    common = a.index.intersection(b.index).difference(list(changed))
    pd.testing.assert_frame_equal(a.loc[common].sort_index(), b.loc[common].sort_index())
    assert len(common) > 1000


def test_rerun_is_identical_and_raw_is_never_written(templates, tmp_path):
    folder = tmp_path / "c"
    synthesize(folder, templates, pairs=8, agencies=2, seed=2, fmt="mixed", mess=True)
    raw_before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (folder / "raw").iterdir()}
    ingest_cohort(folder, templates)
    first = {p.name: p.read_bytes() for p in (folder / "processed").iterdir()}
    ingest_cohort(folder, templates)
    second = {p.name: p.read_bytes() for p in (folder / "processed").iterdir()}
    assert first == second and {"responses.parquet", "quarantine.csv", "ingest_report.json"} <= set(first)
    assert raw_before == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (folder / "raw").iterdir()}


def test_no_identifier_reaches_processed_data(templates, tmp_path):
    folder = tmp_path / "c"
    synthesize(folder, templates, pairs=10, agencies=2, seed=4, fmt="ms-forms", mess=True)
    ingest_cohort(folder, templates)
    roster = pd.read_csv(folder / "roster.csv")
    secrets = set(roster["participant_id"]) | set(roster["email"])
    secrets |= {e.split("@")[0] for e in roster["email"]} | {"192.0.2.", "TEST", "Testsson", "kim.exempel"}
    blob = b""
    for path in (folder / "processed").iterdir():
        if path.suffix == ".parquet":
            blob += pd.read_parquet(path).to_csv().encode()
        else:
            blob += path.read_bytes()
    text = blob.decode("utf-8")
    leaks = [s for s in secrets if s in text]
    assert not leaks


def test_pseudonyms_are_stable_across_waves_and_cohorts_and_keyed(templates, tmp_path, monkeypatch):
    one, two = tmp_path / "one", tmp_path / "two"
    synthesize(one, templates, pairs=6, agencies=2, seed=9, fmt="generic")
    shutil.copytree(one, two)
    ingest_cohort(one, templates)
    ingest_cohort(two, templates)
    a = pd.read_parquet(_processed(one, "responses.parquet"))
    b = pd.read_parquet(_processed(two, "responses.parquet"))
    assert set(a["pseudonym"]) == set(b["pseudonym"])
    pre = set(a.loc[a["wave"] == "pre", "pseudonym"])
    post = set(a.loc[a["wave"] == "post", "pseudonym"])
    assert pre & post  # the same people at both waves, under the same pseudonym
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", "another key, long enough")
    ingest_cohort(two, templates)
    c = pd.read_parquet(_processed(two, "responses.parquet"))
    assert set(c["pseudonym"]).isdisjoint(set(a["pseudonym"]))


def _as_real_cohort(folder):
    path = folder / "cohort.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["synthetic"] = False
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_real_cohort_needs_a_key_outside_the_repository(templates, tmp_path, monkeypatch):
    folder = tmp_path / "real"
    synthesize(folder, templates, pairs=6, agencies=2, seed=1, fmt="generic")
    _as_real_cohort(folder)
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(EvaluationError, match="no pseudonym key"):
        ingest_cohort(folder, templates)
    inside = folder / "pseudonym.key"  # the cohort folder is not in a git repository here
    inside.write_text("s3cret-but-long-enough", encoding="utf-8")
    ingest_cohort(folder, templates, key_file=inside)
    from .conftest import REPO

    in_repo = REPO / "tests" / "leaked.key"
    in_repo.write_text("s3cret-but-long-enough", encoding="utf-8")
    try:
        with pytest.raises(EvaluationError, match="inside the repository"):
            ingest_cohort(folder, templates, key_file=in_repo)
    finally:
        in_repo.unlink()


def _source_file(folder, instrument, role):
    config = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
    source = next(s for s in config["sources"] if s["instrument"] == instrument and s["role"] == role)
    return folder / "raw" / source["file"]


def test_structural_problems_stop_ingest_naming_file_and_column(templates, tmp_path):
    folder = tmp_path / "c"
    synthesize(folder, templates, pairs=6, agencies=2, seed=1, fmt="generic")
    path = _source_file(folder, "baseline", "mentor")
    original = path.read_text(encoding="utf-8")
    table = pd.read_csv(path, dtype=str)
    table.insert(5, "Hur trivs du på jobbet?", "bra")
    table.to_csv(path, index=False)
    with pytest.raises(IngestError) as caught:
        ingest_cohort(folder, templates)
    assert path.name in str(caught.value) and "'Hur trivs du på jobbet?'" in str(caught.value)
    assert "closest" in str(caught.value)
    table.drop(columns=["Hur trivs du på jobbet?", "participantcode"]).to_csv(path, index=False)
    with pytest.raises(IngestError, match="no column with the participant code or e-mail"):
        ingest_cohort(folder, templates)
    path.unlink()
    with pytest.raises(IngestError, match="the file is missing"):
        ingest_cohort(folder, templates)
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    path.rename(path.with_suffix(".xlsx"))
    config = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
    for source in config["sources"]:
        if source["file"] == path.name:
            source["file"] = path.with_suffix(".xlsx").name
    (folder / "cohort.yml").write_text(
        yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(IngestError, match="cannot read the workbook"):
        ingest_cohort(folder, templates)
    assert original  # the raw file was replaced by the test itself, never by ingest


def test_explicit_mapping_labels_role_mismatch_and_email_linking(templates, tmp_path):
    folder = tmp_path / "c"
    synthesize(folder, templates, pairs=6, agencies=2, seed=3, fmt="generic")
    path = _source_file(folder, "baseline", "mentor")
    table = pd.read_csv(path, dtype=str)
    roster = pd.read_csv(folder / "roster.csv")
    adept = roster.loc[roster["role"] == "adept", "participant_id"].iloc[0]
    table.loc[0, "participantcode"] = adept  # an adept in the mentor file
    table.loc[1, "participantcode"] = ""  # no code: linked by e-mail below
    table = table.rename(columns={"ugen1": "Fråga 1 (egen rubrik)"})
    table.insert(1, "submittedat_email", "")
    table = table.rename(columns={"submittedat_email": "Email"})
    mentor = roster.set_index("participant_id")
    table.loc[1, "Email"] = (
        "  " + mentor.loc[pd.read_csv(path, dtype=str).loc[1, "participantcode"], "email"].upper()
    )
    table.to_csv(path, index=False)
    config = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
    for source in config["sources"]:
        if source["file"] == path.name:
            source["columns"] = {"Fråga 1 (egen rubrik)": "ugen1"}
    (folder / "cohort.yml").write_text(
        yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    report = ingest_cohort(folder, templates)
    mine = next(s for s in report["sources"] if s["file"] == path.name)
    assert mine["reasons"] == {"role_mismatch": 1}
    long = pd.read_parquet(_processed(folder, "responses.parquet"))
    assert "ugen1" in set(long["item"])
    assert mine["rows_accepted"] == mine["rows_read"] - 1


def test_strict_fails_on_quarantine_and_cli_reports(templates, tmp_path):
    folder = tmp_path / "c"
    synthesize(folder, templates, pairs=6, agencies=2, seed=3, fmt="generic", mess=True)
    with pytest.raises(IngestError, match="--strict"):
        ingest_cohort(folder, templates, strict=True)
    assert not (folder / "processed" / "responses.parquet").exists()
    result = runner.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 0 and "quarantined" in result.output
    report_html = _processed(folder, "ingest_report.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in report_html and '<th scope="col">' in report_html
    assert "cellen sätts i karantän" in _processed(folder, "ingest_report.md").read_text(encoding="utf-8")


def test_quarantine_detail_never_carries_an_identifier(templates, tmp_path):
    folder = tmp_path / "c"
    synthesize(folder, templates, pairs=6, agencies=2, seed=3, fmt="generic")
    path = _source_file(folder, "baseline", "adept")
    table = pd.read_csv(path, dtype=str)
    table.loc[0, "ugen1"] = "ring mig 070-123 45 67 eller mejla a.b@example.se"
    table.to_csv(path, index=False)
    ingest_cohort(folder, templates)
    quarantine = _quarantine(folder)
    detail = quarantine.loc[quarantine["column"] == "ugen1", "detail"].iloc[0]
    assert quarantine.loc[quarantine["column"] == "ugen1", "kind"].iloc[0] == "invalid_value"
    assert "@" not in detail and "45 67" not in detail and "[borttaget]" in detail
