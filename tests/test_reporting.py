"""The report pipeline: every notebook runs, HTML without code, index, failures, caching, no leaks."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.report import build
from evaluation.report.build import Task, _execute, _Kernels, build_reports
from evaluation.workspace import lock_templates

runner = CliRunner()


def test_every_notebook_runs_and_writes_html_and_results(cohorts, built):
    _, (first, _) = cohorts
    out, _, results = built
    assert [r for r in results if r.status != "ok"] == []
    assert {r.task.kind for r in results} == {*build.KINDS, build.FEEDBACK, build.BRIEF}
    for name in ("cohort.html", "data-quality.html", "instrument-quality.html", "comparison.html"):
        assert (out / name).exists(), name
    assert not (out / "pairs").exists()
    participants = pd.read_parquet(first / "processed" / "responses.parquet")["pseudonym"].nunique()
    assert 0 < len(list((out / "feedback").glob("p*.html"))) <= participants
    assert len(list((out / "notebooks").glob("*.ipynb"))) == len(results) - 2  # feedback, brief: none
    change = (out / "results" / "cohort_change.csv").read_text(encoding="utf-8").splitlines()[0]
    assert change == (
        "construct,role,n,mean_pre,mean_post,mean_diff,ci_low,ci_high,p,p_adj,hedges_gav,note,family"
    )
    rates = (out / "results" / "response_rates.csv").read_text(encoding="utf-8").splitlines()
    assert rates[0] == "agency,role,invited,answered_baseline,answered_followup,note"
    assert not (out / "results" / "response_rates_by_agency.csv").exists()


def test_every_table_on_a_page_names_the_csv_that_holds_it(built):
    out, _, _ = built
    for page in [out / "cohort.html", out / "data-quality.html", out / "instrument-quality.html"]:
        text = page.read_text(encoding="utf-8")
        tables = re.findall(r"<table[^>]*>", text)
        assert tables, page
        for tag in tables:
            name = re.search(r'data-results="([^"]+)"', tag)
            assert name and (out / "results" / name.group(1)).exists(), (page.name, tag)


def test_reports_contain_no_code_and_declare_their_language(built):
    out, _, _ = built
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "report.load(" not in text and "from evaluation import" not in text, page
        if page.suffix == ".html":
            assert '<html lang="sv">' in text, page  # the language the reports were built in
        assert "<img" not in text or 'alt="' in text


def test_index_links_leadership_reports_but_never_feedback(built):
    out, index, results = built
    text = index.read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"]+)"', text))
    leadership = {str(r.task.html.relative_to(out)) for r in results if r.task.kind != build.FEEDBACK}
    assert leadership <= links
    assert not any("feedback" in link for link in links)
    assert "Enkätversioner" in text and "Datafingeravtryck" in text
    # the index tells the truth about each agency: its page's status per role, or why it has none
    for result in results:
        if result.task.kind == "agency":
            agency = result.task.parameters["agency"]
            assert re.search(rf">{re.escape(agency)}</a>\s*<span class=\"status\">Deltagande", text), agency


def test_unchanged_reports_are_not_rerun_and_force_reruns(cohorts, built):
    _, (first, second) = cohorts
    out, _, _ = built
    _, again = build_reports(first, out, jobs=2, compare=[second], progress=False)
    assert {r.status for r in again} == {"skipped"}
    _, forced = build_reports(first, out, only="data-quality", force=True, progress=False)
    assert [r.status for r in forced] == ["ok"]


def _notebook(path, *cells, parameters="value = 1"):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
            *(nbformat.v4.new_code_cell(c) for c in cells),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _task(tmp_path, notebook, name, parameters):
    return Task(
        "cohort", notebook, parameters, tmp_path / f"{name}.html", tmp_path / f"{name}.ipynb", name, name
    )


def test_failure_names_notebook_cell_and_error_and_others_finish(tmp_path):
    good = _notebook(
        tmp_path / "good.ipynb",
        "from evaluation import report\nreport.paragraph('comments.too_few', 'sv', min=value)",
    )
    bad = _notebook(tmp_path / "bad.ipynb", "x = 1", "raise RuntimeError('planted failure')")
    kernels = _Kernels()
    try:
        results = _execute(
            [_task(tmp_path, bad, "bad", {"value": 2}), _task(tmp_path, good, "good", {"value": 3})],
            kernels,
            1,
            progress=False,
        )
    finally:
        kernels.shutdown()
    by_name = {r.task.key: r for r in results}
    assert by_name["good"].status == "ok" and (tmp_path / "good.html").exists()
    failed = by_name["bad"]
    assert failed.status == "failed" and "RuntimeError: planted failure" in failed.error
    assert failed.cell is not None
    partial = nbformat.read(tmp_path / "bad.ipynb", as_version=4)  # kept for inspection
    assert any(o.get("ename") == "RuntimeError" for c in partial.cells for o in c.get("outputs", []))


def test_output_not_made_by_the_package_is_refused_and_not_kept(tmp_path):
    # An analyst's exploratory cell saved into a report notebook: a raw DataFrame and a print.
    raw = _notebook(
        tmp_path / "raw.ipynb",
        "import pandas as pd\npd.DataFrame({'pseudonym': ['p0123456789abcdef'], 'score': [4.0]})",
        "print('p0123456789abcdef')",
    )
    kernels = _Kernels()
    try:
        (result,) = _execute([_task(tmp_path, raw, "raw", {"value": 1})], kernels, 1, progress=False)
    finally:
        kernels.shutdown()
    assert result.status == "failed"
    assert "cell 2" in result.error and "cell 3" in result.error and "evaluation.report" in result.error
    assert not (tmp_path / "raw.html").exists()
    kept = nbformat.read(tmp_path / "raw.ipynb", as_version=4)
    assert "p0123456789abcdef" not in json.dumps([c.get("outputs", []) for c in kept.cells])


def test_executed_notebooks_keep_no_machine_paths(cohorts, built):
    _, (first, _) = cohorts
    out, _, _ = built
    for path in (out / "notebooks").glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        for machine in (str(first.resolve()), str(out.resolve()), str(build.NOTEBOOKS), str(Path.home())):
            assert machine not in text, (path.name, machine)
        parameters = json.loads(text)["metadata"]["papermill"]["parameters"]
        assert parameters.get("cohort_dir", "<cohort_dir>") == "<cohort_dir>"


def test_undeclared_parameters_are_an_error_and_no_state_leaks(tmp_path):
    first = _notebook(tmp_path / "first.ipynb", "leaked = 42")
    second = _notebook(
        tmp_path / "second.ipynb", "assert 'leaked' not in dir(), 'state leaked between reports'"
    )
    kernels = _Kernels()
    try:
        # one worker runs the three in order, on its one kernel
        results = _execute(
            [
                _task(tmp_path, first, "first", {"value": 1}),
                _task(tmp_path, first, "unknown", {"value": 1, "colour": "red"}),
                _task(tmp_path, second, "second", {"value": 1}),
            ],
            kernels,
            1,
            progress=False,
        )
    finally:
        kernels.shutdown()
    by_name = {r.task.key: r for r in results}
    assert by_name["first"].status == "ok"
    assert by_name["unknown"].status == "failed" and "colour" in by_name["unknown"].error
    assert by_name["second"].status == "ok", by_name["second"].error
    assert len(kernels._all) == 1  # one warm kernel served every report


def test_cli_report_exits_non_zero_on_a_failing_notebook(cohorts, tmp_path, monkeypatch):
    _, (first, _) = cohorts
    notebooks = tmp_path / "notebooks"
    shutil.copytree(build.NOTEBOOKS, notebooks)
    broken = nbformat.read(notebooks / "data_quality.ipynb", as_version=4)
    broken.cells.append(nbformat.v4.new_code_cell("1 / 0"))
    nbformat.write(broken, notebooks / "data_quality.ipynb")
    lock_templates(notebooks)  # changed on purpose: the build checks templates against their lock
    monkeypatch.setattr(build, "NOTEBOOKS", notebooks)
    result = runner.invoke(
        app, ["report", str(first), "--only", "data-quality", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert "ZeroDivisionError" in result.output and "data_quality.ipynb" in result.output
    assert json.loads((tmp_path / "out" / ".build.json").read_text(encoding="utf-8")) == {}


def test_notebooks_are_committed_thin_and_without_outputs():
    for path in sorted(build.NOTEBOOKS.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: exactly one parameters cell"
        for cell in code:
            assert not cell.get("outputs") and cell.get("execution_count") is None, path.name
            assert not re.search(r"^\s*(def |class |for |while )", cell.source, re.M), (
                path.name,
                cell.source,
            )


def _identifiers(cohort_dir) -> set[str]:
    """Every direct identifier the roster and the raw exports hold."""
    import pandas as pd

    from evaluation.formats import platform
    from evaluation.ingest import read_export

    roster = pd.read_csv(cohort_dir / "roster.csv", dtype=str)
    found = set(roster["participant_id"]) | set(roster["email"])
    found |= {e.split("@")[0] for e in roster["email"]}
    for path in (cohort_dir / "raw").iterdir():
        if path.name == "README.md":
            continue
        raw = read_export(path)
        shape = platform(raw.platform)
        for column, canonical in shape.meta.items():
            if canonical in ("email", "name", "responseid", "ipaddress") and column in raw.frame:
                values = {str(v) for v in raw.frame[column].dropna()}
                found |= {v for v in values if len(v) > 3}  # sequential ids 1, 2, 3 are not identifying
    return found


def _scan(out, secrets: set[str], minimum: int = 5) -> list[tuple[str, str]]:
    """Every identifier found in any file under `out`, and every group count below `minimum` in results."""
    import pandas as pd

    problems = []
    for path in sorted(out.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            problems += [(path.name, s) for s in sorted(secrets) if s in text]
    for path in sorted((out / "results").glob("*.csv")):
        table = pd.read_csv(path)
        for column in ("n", "invited", "pairs", "n_completers", "n_dropouts"):
            if column in table:
                sizes = pd.to_numeric(table[column], errors="coerce").dropna()
                small = sizes[(sizes > 0) & (sizes < minimum)]
                problems += [(path.name, f"{column}={int(v)}") for v in small]
    return problems


def test_no_identifier_or_small_group_reaches_any_report(cohorts, built):
    _, (first, _) = cohorts
    out, _, _ = built
    secrets = _identifiers(first)
    assert len(secrets) > 20
    assert _scan(out, secrets) == []


def test_the_scan_fails_when_a_leak_is_planted(cohorts, built, tmp_path):
    _, (first, _) = cohorts
    out, _, _ = built
    secrets = _identifiers(first)
    planted = tmp_path / "planted"
    shutil.copytree(out, planted)
    email = sorted(s for s in secrets if "@" in s)[0]
    page = planted / "cohort.html"
    page.write_text(page.read_text(encoding="utf-8") + f"<p>{email}</p>", encoding="utf-8")
    (planted / "results" / "small.csv").write_text("agency,n,mean\nX,3,4.2\n", encoding="utf-8")
    found = _scan(planted, secrets)
    assert ("cohort.html", email) in found and ("small.csv", "n=3") in found


def test_comments_only_with_opt_in_enough_writers_and_cleaned(cohorts, built):
    from evaluation import report

    _, (first, _) = cohorts
    out, _, _ = built
    page = (out / "cohort.html").read_text(encoding="utf-8")
    assert "Fritextsvar visas inte" in page and "Mycket givande samtal" not in page
    data = report.load(first)
    data.config.comments_in_reports = True
    data.config.min_group_size = 100
    assert "Fewer than 100" in report.comments(data, "en").data
    data.config.min_group_size = 1
    shown = report.comments(data, "sv").data
    assert "<li>" in shown and "@" not in shown
    assert "[borttaget]" in shown  # the planted e-mail in a comment was removed at ingest


def test_the_build_passes_the_independent_audit_and_a_planted_leak_fails_it(cohorts, built, tmp_path):
    from evaluation.audit import audit_reports

    _, (first, _) = cohorts
    out, _, _ = built
    assert audit_reports(out, first) == []
    result = runner.invoke(app, ["audit", str(out), "--cohort", str(first)])
    assert result.exit_code == 0, result.output
    planted = tmp_path / "planted"
    shutil.copytree(out, planted)
    rates = planted / "results" / "response_rates.csv"
    lines = rates.read_text(encoding="utf-8").splitlines()
    rates.write_text("\n".join([*lines, "Alfaverket,mentor,3,3,3,"]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(planted), "--cohort", str(first)])
    assert result.exit_code == 1 and "response_rates.csv" in result.output


def test_the_seed_7_differencing_leak_is_closed_in_the_published_reports(templates, tmp_path):
    # The case that broke the first version: with 39 pairs in 8 agencies one agency has 4 mentors;
    # its hidden cell could be recovered as the cohort total minus the agencies shown.
    from evaluation.audit import audit_reports
    from evaluation.ingest import ingest_cohort
    from evaluation.synth import synthesize

    folder = tmp_path / "seed7"
    synthesize(folder, templates, pairs=39, agencies=8, seed=7, fmt="generic", mess=False)
    ingest_cohort(folder, templates)
    roster = pd.read_csv(folder / "roster.csv")
    mentors = roster[roster["role"] == "mentor"].groupby("agency").size()
    assert (mentors < 5).any()  # the case is really there
    out = tmp_path / "reports"
    _, results = build_reports(folder, out, only="data-quality", progress=False)
    assert [r.status for r in results] == ["ok"]
    assert audit_reports(out, folder) == []
    rates = pd.read_csv(out / "results" / "response_rates.csv").query("role == 'mentor'").set_index("agency")
    small = mentors[mentors < 5].index
    assert rates.loc[small, "invited"].isna().all()
    shown = rates.drop(index=["Alla", "Övriga myndigheter"])["invited"].dropna().sum()
    assert rates.loc["Alla", "invited"] - shown == rates.loc["Övriga myndigheter", "invited"] >= 5


def test_only_feedback_builds_the_pages_and_report_exits_1_when_the_audit_fails(cohorts, tmp_path):
    _, (first, _) = cohorts
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", str(first), "--only", "feedback", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert list((out / "feedback").glob("p*.html")) and not (out / "cohort.html").exists()
    assert "no findings" in result.output
    assert runner.invoke(app, ["report", str(first), "--only", "pair", "--out", str(out)]).exit_code == 1
    roster = pd.read_csv(first / "roster.csv", dtype=str)
    (out / "note.html").write_text(f"<p>{roster['email'].iloc[0]}</p>", encoding="utf-8")  # planted
    result = runner.invoke(app, ["report", str(first), "--only", "feedback", "--out", str(out)])
    assert result.exit_code == 1 and "identifier" in result.output and "note.html" in result.output
