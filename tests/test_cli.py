"""The command line: help everywhere, exit codes, and errors a user can act on."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from evaluation.cli import app

from .conftest import SURVEYS, read_yaml, write_yaml

runner = CliRunner()

COMMANDS = [
    [],
    ["survey"],
    ["survey", "check"],
    ["survey", "list"],
    ["survey", "release"],
    ["survey", "export"],
    ["survey", "export-all"],
    ["cohort"],
    ["cohort", "new"],
    ["lab"],
    ["templates"],
    ["templates", "lock"],
    ["templates", "check"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "evaluation")
def test_every_command_explains_itself(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    assert "/" in result.output  # Swedish / English


def test_python_dash_m_works():
    result = subprocess.run(
        [sys.executable, "-m", "evaluation", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "survey" in result.stdout


def test_survey_check_passes_on_the_repository():
    result = runner.invoke(app, ["survey", "check", "--surveys", str(SURVEYS)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_survey_check_fails_naming_file_and_item(surveys_copy):
    data = read_yaml(surveys_copy / "items.yml")
    victim = data["items"][2]
    victim["scale"] = "agree9"
    write_yaml(surveys_copy / "items.yml", data)
    result = runner.invoke(app, ["survey", "check", "--surveys", str(surveys_copy)])
    assert result.exit_code == 1
    assert "items.yml" in result.output and victim["id"] in result.output
    assert "agree9" in result.output


def test_survey_list_shows_versions_and_counts(templates):
    result = runner.invoke(app, ["survey", "list", "--surveys", str(SURVEYS)])
    assert result.exit_code == 0, result.output
    for instrument in templates.instruments.values():
        assert instrument.id in result.output
        assert str(len(instrument.items_for("mentor"))) in result.output


def test_survey_export_writes_and_rejects(tmp_path):
    out = tmp_path / "baseline.xlsx"
    args = ["survey", "export", "baseline", "--role", "adept", "--lang", "en"]
    ok = runner.invoke(app, [*args, "--format", "xlsform", "-o", str(out)])
    assert ok.exit_code == 0, ok.output and out.exists()
    bad = runner.invoke(
        app,
        [
            "survey",
            "export",
            "nosuch",
            "--role",
            "adept",
            "--format",
            "html",
            "-o",
            str(tmp_path / "x.html"),
        ],
    )
    assert bad.exit_code == 2 and "no instrument 'nosuch'" in bad.output
    no_role = runner.invoke(
        app, ["survey", "export", "baseline", "--format", "html", "-o", str(tmp_path / "x.html")]
    )
    assert no_role.exit_code == 2 and "needs a role" in no_role.output


def test_export_all_writes_every_combination(tmp_path, templates):
    result = runner.invoke(app, ["survey", "export-all", str(tmp_path / "forms")])
    assert result.exit_code == 0, result.output
    expected = sum(len(i.roles) for i in templates.instruments.values()) * 2 * 6  # six form formats
    written = [p for p in (tmp_path / "forms").rglob("*") if p.is_file()]
    assert len(written) == expected + 2  # + codebook.md and codebook.csv


def test_cohort_new_and_refusal(tmp_path):
    folder = tmp_path / "2027"
    args = ["cohort", "new", str(folder), "--name", "Kohort 2027", "--start", "2027-01"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert (folder / "cohort.yml").exists()
    (folder / "raw" / "x.csv").write_text("keep", encoding="utf-8")
    again = subprocess.run(
        [sys.executable, "-m", "evaluation", *args], capture_output=True, text=True, check=False
    )
    assert again.returncode == 1
    assert "nothing is overwritten" in again.stderr and "Traceback" not in again.stderr


def test_survey_release_workflow(surveys_copy):
    path = surveys_copy / "instruments" / "meeting_log.yml"
    data = read_yaml(path)
    data["title"]["en"] = "Log of meetings"
    write_yaml(path, data)
    check = runner.invoke(app, ["survey", "check", "--surveys", str(surveys_copy)])
    assert check.exit_code == 1 and "meeting_log.yml: version 1.0.0" in check.output
    refused = runner.invoke(app, ["survey", "release", "meeting_log", "--surveys", str(surveys_copy)])
    assert refused.exit_code != 0
    data["version"] = "1.0.1"
    write_yaml(path, data)
    released = runner.invoke(app, ["survey", "release", "meeting_log", "--surveys", str(surveys_copy)])
    assert released.exit_code == 0, released.output
    assert "meeting_log 1.0.1" in released.output
    again = runner.invoke(app, ["survey", "check", "--surveys", str(surveys_copy)])
    assert again.exit_code == 0, again.output
    unknown = runner.invoke(app, ["survey", "release", "nosuch", "--surveys", str(surveys_copy)])
    assert unknown.exit_code == 2 and "no instrument 'nosuch'" in unknown.output


def test_version_prints_the_package_version():
    from evaluation import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"evaluation {__version__}"
