"""`evaluation report` shows each report by name on a terminal, and in a pipe or a log only one
summary line: no progress bar, no escape codes."""

from __future__ import annotations

import io
import re
import shutil

from rich.console import Console
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.report.build import Result, _execute, _Kernels, summary_line
from evaluation.report.progress import BuildProgress

from .test_reporting import _notebook, _task

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SUMMARY = re.compile(
    r"(\d+) rapport(?:er)? byggda?, (\d+) oförändrade?, (\d+) misslyckades på \d+,\d s / "
    r"\1 reports? built, \2 unchanged, \3 failed in \d+\.\d s"
)


def _terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=120, color_system="standard")


def test_summary_counts_reports_in_both_languages():
    def result(status):
        return Result(_task_stub(), status)

    line = summary_line([result("ok")] * 12 + [result("skipped")] * 3, 14.24)
    assert line == (
        "12 rapporter byggda, 3 oförändrade, 0 misslyckades på 14,2 s / "
        "12 reports built, 3 unchanged, 0 failed in 14.2 s"
    )
    assert summary_line([result("ok"), result("skipped"), result("failed")], 0.5).startswith(
        "1 rapport byggd, 1 oförändrad, 1 misslyckades på 0,5 s / 1 report built"
    )
    assert SUMMARY.fullmatch(line) and SUMMARY.fullmatch(summary_line([], 3.0))


def _task_stub():
    from pathlib import Path

    from evaluation.report.build import Task

    return Task("cohort", Path("x.ipynb"), {}, Path("x.html"), Path("x.ipynb"), "", "x")


def test_report_in_a_pipe_prints_the_summary_and_no_progress(cohorts, built, tmp_path):
    _, (first, _) = cohorts
    out, _, _ = built
    copy = tmp_path / "reports"
    shutil.copytree(out, copy)  # the brief is rebuilt there: --force
    result = CliRunner().invoke(app, ["report", str(first), "--only", "brief", "--force", "--out", str(copy)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert SUMMARY.fullmatch(lines[0]), lines
    assert lines[0].startswith("1 rapport byggd, 0 oförändrade, 0 misslyckades på ")
    assert not ESCAPE.search(result.output), "no escape codes where no terminal reads them"
    assert not any(mark in result.output for mark in "✓✗━⠋"), "no progress outside a terminal"
    assert [line for line in lines[1:] if not line.startswith(("Index: ", "Granskning / audit: "))] == []


def test_progress_shows_nothing_without_a_terminal():
    quiet = Console(file=io.StringIO())  # a file, a pipe: not a terminal
    with BuildProgress(True, quiet) as shown, shown.step("brief.html"):
        pass
    assert not shown.enabled and quiet.file.getvalue() == ""


def test_on_a_terminal_each_report_shows_by_name_while_running_and_when_done(tmp_path):
    good = _notebook(tmp_path / "good.ipynb", "x = value + 1")
    bad = _notebook(tmp_path / "bad.ipynb", "raise RuntimeError('planted failure')")
    terminal = _terminal()
    kernels = _Kernels()
    try:
        with BuildProgress(True, terminal) as shown:
            shown.unchanged(["agencies/Alfaverket.html"])
            with shown.step("brief.html (kortfattat / brief)"):
                pass
            tasks = [_task(tmp_path, good, "good", {"value": 1}), _task(tmp_path, bad, "bad", {"value": 2})]
            results = _execute(tasks, kernels, 1, shown)
    finally:
        kernels.shutdown()
    assert sorted(r.status for r in results) == ["failed", "ok"]
    raw = terminal.file.getvalue()
    assert ESCAPE.search(raw), "a live display on a terminal"
    text = ESCAPE.sub("", raw)
    assert "oförändrade / unchanged (1): agencies/Alfaverket.html" in text
    assert re.search(r"✓ brief\.html \(kortfattat / brief\) \d+,\d s", text)
    assert re.search(r"✓ good\.html \d+,\d s", text)
    assert "✗ bad.html: misslyckades / failed RuntimeError: planted failure" in text
    assert re.search(r"\s{2}good\.html", text), "the running report is named while it runs"
    assert "Rapporter / reports" in text
