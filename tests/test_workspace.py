"""Report templates found through the package, locked against accidental change; the analyst's workspace.

Exploring never changes what leadership gets: the build runs the package's templates (or a folder a
cohort names on purpose), never a notebook that changed on disk without its lock; notebooks run by
hand read the demo (or the chosen cohort) from any working directory and write only to a scratch
folder; ``make lab`` opens a git-ignored copy of the templates, refreshed only on request.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath

import nbformat
import pytest
import yaml
from typer.testing import CliRunner

from evaluation import workspace
from evaluation.cli import app
from evaluation.cohort import load_cohort, new_cohort
from evaluation.errors import CohortError
from evaluation.report import build
from evaluation.text import message
from evaluation.workspace import (
    LOCK_FILE,
    WORKSPACE_FILE,
    TemplateChanged,
    changed_templates,
    lock_templates,
    prepare_lab,
)

from .conftest import REPO

runner = CliRunner()

NOTEBOOKS = REPO / "notebooks"
PARAMETERS = {
    "cohort": {"cohort_dir", "lang", "results_dir"},
    "data_quality": {"cohort_dir", "lang", "results_dir"},
    "instrument_quality": {"cohort_dir", "lang", "results_dir"},
    "appendix": {"cohort_dir", "lang", "results_dir"},
    "agency": {"cohort_dir", "lang", "results_dir", "agency"},
    "comparison": {"cohort_dirs", "lang", "results_dir"},
}
"""What `evaluation report` injects into each template (`build.plan`)."""


@pytest.fixture
def templates_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the package's templates (with their lock) that the build uses instead."""
    folder = tmp_path / "notebooks"
    shutil.copytree(build.NOTEBOOKS, folder)
    monkeypatch.setattr(build, "NOTEBOOKS", folder)
    return folder


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv(workspace.COHORT_ENV, raising=False)
    monkeypatch.delenv(workspace.RESULTS_ENV, raising=False)


def _plant(path: Path, source: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(notebook, path)


# -- item 1: the templates ship with the package ------------------------------------------------------


def test_the_templates_are_found_through_the_package():
    package = build.PACKAGE
    assert build.NOTEBOOKS == package / "notebooks" == workspace.packaged_notebooks_dir()
    # in a checkout a link to the repository's notebooks/, where analysts edit them (like surveys/)
    assert build.NOTEBOOKS.is_symlink() and build.NOTEBOOKS.resolve() == NOTEBOOKS.resolve()
    assert workspace.repository_root() == REPO.resolve()
    names = {f"{name}.ipynb" for name in build.KINDS.values()}
    assert names <= {p.name for p in build.NOTEBOOKS.glob("*.ipynb")}
    for path in (REPO / "src").rglob("*.py"):  # nothing finds them by counting parent folders
        assert "parents[2]" not in path.read_text(encoding="utf-8"), path


def test_a_wheel_ships_the_templates_and_their_lock():
    """The package data patterns cover every template and the lock, so a wheel has them."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["evaluation"]
    shipped = [
        f"notebooks/{p.name}" for p in NOTEBOOKS.iterdir() if p.suffix == ".ipynb" or p.name == LOCK_FILE
    ]
    assert f"notebooks/{LOCK_FILE}" in shipped and len(shipped) > len(PARAMETERS)
    for name in shipped:
        assert any(PurePosixPath(name).match(p) for p in patterns), name


# -- item 4: the lock --------------------------------------------------------------------------------


def test_the_committed_lock_matches_the_committed_notebooks():
    """Refresh it after changing a template on purpose: evaluation templates lock."""
    assert changed_templates(NOTEBOOKS) == []
    locked = json.loads((NOTEBOOKS / LOCK_FILE).read_text(encoding="utf-8"))["notebooks"]
    assert set(locked) == {p.name for p in NOTEBOOKS.glob("*.ipynb")}


def test_running_or_reopening_a_template_keeps_its_digest(tmp_path):
    path = shutil.copy(NOTEBOOKS / "cohort.ipynb", tmp_path / "cohort.ipynb")
    before = workspace.template_digest(path)
    notebook = nbformat.read(path, as_version=4)
    for number, cell in enumerate(notebook.cells, start=1):
        cell.metadata["collapsed"] = True
        if cell.cell_type == "code":
            cell.execution_count = number
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
    nbformat.write(notebook, path)
    assert workspace.template_digest(path) == before
    notebook.cells[3].metadata["tags"] = ["remove_cell"]  # a tag hides a cell: that is a change
    nbformat.write(notebook, path)
    assert workspace.template_digest(path) != before


def test_a_planted_exploratory_cell_stops_the_build_naming_the_file(cohorts, templates_copy, tmp_path):
    _, (first, _) = cohorts
    victim = templates_copy / "cohort.ipynb"
    cells = len(nbformat.read(victim, as_version=4).cells)
    _plant(victim, "data.scores[['pseudonym', 'agency', 'score']]  # exploring")
    out = tmp_path / "out"
    with pytest.raises(TemplateChanged) as raised:
        build.build_reports(first, out, progress=False)
    message = str(raised.value)
    assert str(victim) in message and f"cell {cells + 1} added" in message
    assert "evaluation templates lock" in message and "report_templates" in message and "make lab" in message
    assert not out.exists()  # nothing ran, nothing was written
    # the CLI names the file too, without a traceback
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _CLI_WITH_TEMPLATES,
            str(templates_copy),
            "report",
            str(first),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "cohort.ipynb" in result.stderr and "Traceback" not in result.stderr
    # another report still builds: only the templates a build runs are checked
    tasks, _ = build.plan(first, out, only="data-quality")
    assert [t.notebook.name for t in tasks] == ["data_quality.ipynb"]
    # refreshing the lock is the developer's way to say the change is meant
    locked = runner.invoke(app, ["templates", "lock", str(templates_copy)])
    assert locked.exit_code == 0, locked.output
    tasks, _ = build.plan(first, out, only="cohort")
    assert tasks[0].notebook == victim


_CLI_WITH_TEMPLATES = (
    "import sys; from pathlib import Path; from evaluation import cli; from evaluation.report import build; "
    "build.NOTEBOOKS = Path(sys.argv[1]); sys.argv = ['evaluation', *sys.argv[2:]]; cli.main()"
)


def test_a_missing_lock_or_template_stops_the_build(cohorts, templates_copy, tmp_path):
    _, (first, _) = cohorts
    (templates_copy / LOCK_FILE).unlink()
    with pytest.raises(TemplateChanged, match="lock is missing"):
        build.plan(first, tmp_path / "out")
    lock_templates(templates_copy)
    (templates_copy / "appendix.ipynb").unlink()
    with pytest.raises(Exception, match=r"appendix\.ipynb"):
        build.plan(first, tmp_path / "out")


def test_templates_check_command(templates_copy):
    assert runner.invoke(app, ["templates", "check", str(templates_copy)]).exit_code == 0
    _plant(templates_copy / "agency.ipynb", "1 + 1")
    result = runner.invoke(app, ["templates", "check", str(templates_copy)])
    assert result.exit_code != 0
    assert isinstance(result.exception, TemplateChanged) and "agency.ipynb" in str(result.exception)


# -- item 4: a cohort's own templates, on purpose ----------------------------------------------------


def _cohort_copy(cohorts, tmp_path) -> Path:
    _, (first, _) = cohorts
    folder = tmp_path / "cohort"
    shutil.copytree(first, folder)
    return folder


def _name_templates(cohort: Path, value: str) -> None:
    path = cohort / "cohort.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["report_templates"] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_cohort_runs_the_template_folder_it_names(cohorts, tmp_path):
    cohort = _cohort_copy(cohorts, tmp_path)
    adapted = cohort / "agency_reports"
    adapted.mkdir()
    shutil.copy(NOTEBOOKS / "data_quality.ipynb", adapted)
    _plant(adapted / "data_quality.ipynb", "report.paragraph('comments.too_few', lang, min=4242)")
    _name_templates(cohort, "agency_reports")
    assert load_cohort(cohort).report_templates_dir(cohort) == adapted.resolve()
    tasks, _ = build.plan(cohort, tmp_path / "out")
    by_kind = {t.kind: t.notebook for t in tasks}
    assert by_kind["data-quality"] == adapted.resolve() / "data_quality.ipynb"  # named on purpose: runs
    assert by_kind["cohort"].parent == build.NOTEBOOKS  # what it lacks comes from the package
    _, results = build.build_reports(cohort, tmp_path / "out", only="data-quality", progress=False)
    assert [r.status for r in results] == ["ok"], results[0].error
    planted = html.escape(message("comments.too_few", "sv", min=4242), quote=False)
    assert planted in (tmp_path / "out" / "data-quality.html").read_text(encoding="utf-8")
    # with a lock of its own, the folder is held to it too
    lock_templates(adapted)
    _plant(adapted / "data_quality.ipynb", "1 + 1")
    with pytest.raises(TemplateChanged, match=r"data_quality\.ipynb"):
        build.plan(cohort, tmp_path / "out")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda c: None, "does not exist"),
        (lambda c: (c / "x").mkdir(), "holds no notebooks"),
        (lambda c: prepare_lab(c / "x", cohort=c), "analyst's workspace"),
    ],
    ids=["missing", "empty", "workspace"],
)
def test_report_templates_is_validated(cohorts, tmp_path, make, message):
    cohort = _cohort_copy(cohorts, tmp_path)
    make(cohort)
    _name_templates(cohort, "x")
    with pytest.raises(CohortError, match=message) as raised:
        load_cohort(cohort)
    assert "cohort.yml" in str(raised.value) and "report_templates" in str(raised.value)


def test_cohort_new_documents_report_templates(templates, tmp_path):
    new_cohort(tmp_path / "2027", name="K", start="2027-01", templates=templates)
    header = (tmp_path / "2027" / "cohort.yml").read_text(encoding="utf-8")
    assert re.search(r"^# report_templates: path/to/folder", header, re.M)
    assert "make lab" in header


# -- item 2: defaults that run anywhere and write only to scratch --------------------------------------


def test_template_parameters_are_declared_and_default_to_the_workspace():
    import papermill as pm

    for name, expected in PARAMETERS.items():
        path = NOTEBOOKS / f"{name}.ipynb"
        assert set(pm.inspect_notebook(str(path))) == expected, name  # papermill parses every line
        notebook = nbformat.read(path, as_version=4)
        [cell] = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        assert "../" not in cell.source and "reports/" not in cell.source.replace("never reports/", "")
        assert "workspace.results_dir(" in cell.source, name


def test_defaults_from_any_directory_are_the_demo_and_a_scratch_folder(tmp_path, monkeypatch, clean_env):
    monkeypatch.chdir(tmp_path)
    assert Path(workspace.cohort_dir()) == REPO.resolve() / "data" / "demo"
    results = Path(workspace.results_dir(workspace.cohort_dir()))
    assert results == REPO.resolve() / "lab" / "results" / "demo"
    assert not results.is_relative_to(REPO.resolve() / "reports")
    monkeypatch.setenv(workspace.COHORT_ENV, str(tmp_path / "c2027"))
    monkeypatch.setenv(workspace.RESULTS_ENV, str(tmp_path / "scratch"))
    assert workspace.cohort_dir() == str(tmp_path / "c2027")
    assert workspace.results_dir(workspace.cohort_dir()) == str(tmp_path / "scratch")


def test_default_agency_is_the_cohorts_largest(cohorts, tmp_path):
    import pandas as pd

    _, (first, _) = cohorts
    sizes = pd.read_csv(first / "roster.csv").groupby("agency").size()
    assert workspace.agency(first) == sorted(sizes[sizes == sizes.max()].index)[0]
    assert workspace.agency(tmp_path) == ""  # no roster: never raises, a parameters cell must run


def test_a_notebook_run_by_hand_in_the_workspace_writes_only_there(cohorts, tmp_path, clean_env):
    """An analyst runs a copy, without parameters, from the workspace: results land in lab/results."""
    import papermill as pm

    _, (first, _) = cohorts
    lab = prepare_lab(tmp_path / "lab", cohort=first)
    before = sorted(p for p in first.rglob("*"))
    pm.execute_notebook(
        str(lab.folder / "data_quality.ipynb"),
        str(tmp_path / "ran.ipynb"),
        cwd=str(lab.folder),
        kernel_name="python3",
        progress_bar=False,
    )
    written = lab.folder / "results" / first.name
    assert (written / "response_rates.csv").is_file()
    assert sorted(p for p in first.rglob("*")) == before  # nothing written into the cohort
    assert not (REPO / "reports" / first.name).exists()


# -- item 3: the workspace ---------------------------------------------------------------------------


def test_prepare_lab_copies_once_and_refreshes_only_on_request(cohorts, tmp_path, monkeypatch, clean_env):
    _, (first, _) = cohorts
    lab = prepare_lab(tmp_path / "lab")
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert sorted(lab.copied) == names and lab.cohort == REPO.resolve() / "data" / "demo"
    assert (lab.folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    settings = yaml.safe_load((lab.folder / WORKSPACE_FILE).read_text(encoding="utf-8"))
    assert Path(settings["cohort"]) == lab.cohort
    # the analyst explores: the copy changes, the templates do not
    _plant(lab.folder / "cohort.ipynb", "data.scores.head()")
    again = prepare_lab(tmp_path / "lab", cohort=first)
    assert again.copied == [] and again.differ == ["cohort.ipynb"] and again.cohort == first.resolve()
    assert "data.scores.head()" in (lab.folder / "cohort.ipynb").read_text(encoding="utf-8")
    assert changed_templates(NOTEBOOKS) == []
    # notebooks in the workspace read the cohort it was opened with
    monkeypatch.chdir(lab.folder)
    assert workspace.cohort_dir() == str(first.resolve())
    assert workspace.results_dir(first) == str(lab.folder.resolve() / "results" / first.name)
    # refresh on request; the edited copy is kept
    refreshed = prepare_lab(tmp_path / "lab", refresh=True)
    assert refreshed.refreshed == ["cohort.ipynb"] and refreshed.cohort == first.resolve()
    [backup] = refreshed.backed_up
    assert "data.scores.head()" in (lab.folder / backup).read_text(encoding="utf-8")
    assert workspace.template_cells(lab.folder / "cohort.ipynb") == workspace.template_cells(
        NOTEBOOKS / "cohort.ipynb"
    )


def test_the_workspace_is_never_the_templates_folder(tmp_path):
    with pytest.raises(Exception, match="must not be the templates folder"):
        prepare_lab(NOTEBOOKS)
    with pytest.raises(Exception, match="not a cohort folder"):
        prepare_lab(tmp_path / "lab", cohort=tmp_path)


def test_evaluation_lab_command(cohorts, tmp_path, clean_env):
    _, (first, _) = cohorts
    result = runner.invoke(app, ["lab", "--dir", str(tmp_path / "lab"), "--cohort", str(first), "--no-open"])
    assert result.exit_code == 0, result.output
    assert "cohort.ipynb" in result.output and str(first.resolve()) in result.output
    assert runner.invoke(app, ["lab", "--help"]).exit_code == 0


def test_make_lab_opens_the_workspace_not_the_templates():
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^lab:.*\n((?:\t.*\n)+)", text, re.M).group(1)
    assert "evaluation lab" in recipe and "--refresh" in recipe and "--cohort" in recipe
    assert "notebooks" not in recipe and "jupyter lab" not in recipe
    assert "lab/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    if shutil.which("make"):
        shown = subprocess.run(
            ["make", "-n", "lab", "REFRESH=1", "COHORT=data/2027"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "MAKEFLAGS": ""},
        ).stdout
        assert 'evaluation lab --cohort "data/2027" --refresh' in shown


# -- item 6: a narrative per template ----------------------------------------------------------------


def test_each_template_opens_with_a_hidden_narrative_naming_its_parameters():
    for name, parameters in PARAMETERS.items():
        notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        first = notebook.cells[0]
        assert first.cell_type == "markdown" and "remove_cell" in first.metadata.get("tags", []), name
        assert re.search(r"^\d\. ", first.source, re.M), f"{name}: what each part shows, as a list"
        for parameter in parameters:
            assert f"`{parameter}`" in first.source, (name, parameter)
        assert "make lab" in first.source, name


def test_jupyterlab_opens_on_the_workspace_only(tmp_path):
    from evaluation.cli import jupyterlab_command

    command = jupyterlab_command(tmp_path / "lab", ["--no-browser"])
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path / 'lab'}" in command and command[-1] == "--no-browser"
    assert not any("notebooks" in part for part in command)
    assert ("--allow-root" in command) == (os.geteuid() == 0)
