"""Building a cohort's reports: plan, run each notebook with papermill on warm kernels, convert to HTML.

papermill itself is sequential and starts a kernel for every notebook (about 0.5 s), which then
imports pandas, statsmodels, seaborn and pingouin again (about 2 s). Here each worker thread owns one
kernel, started once (one start at a time: concurrent starts race for ports, papermill issues 239 and
552) and warmed with the imports; papermill runs every notebook of that worker on it, with
``%reset -f`` as the first cell, so that no variable of one report reaches the next, while the
cohort loaded by the first report stays loaded for the next (`evaluation.report.data.load`). Paths
are absolute: papermill's ``cwd`` changes the process's working directory and is not thread-safe (473).

A report whose inputs (notebook, processed data, parameters, package version and code) are unchanged
is not run again (``.build.json``). A failing notebook is reported with its parameters, cell and error,
its partially executed notebook is kept, and the other reports still run.

The notebooks run are the package's templates (`NOTEBOOKS`: the repository's ``notebooks/``, shipped
as package data), or those of a folder the cohort names on purpose in cohort.yml
(``report_templates``, an agency's adapted reports). A template that differs from its lock
(``templates.lock``, `evaluation.workspace.check_templates`) stops the build before anything runs,
naming the file and its cells: a notebook that merely changed on disk (an exploratory cell autosaved
from JupyterLab) is never run. Analysts explore in a copy (``make lab``, `evaluation.workspace`).

Only what `evaluation.report` displays is published: a notebook with any other output (a raw
DataFrame, a print, a plot drawn directly) fails, naming the cell, so an analyst's exploratory cell
saved into a report notebook can never reach leadership. Executed notebooks keep no machine paths: the
cohort, report, notebook and home folders in their parameters, sources and outputs are replaced by
placeholders, and warnings written to stderr are dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd

import evaluation
from evaluation import __version__
from evaluation.cohort import cohort_files, load_cohort
from evaluation.errors import EvaluationError
from evaluation.report.brief import BRIEF_FILE
from evaluation.report.index import write_index
from evaluation.report.pdf import write_pdfs
from evaluation.report.progress import BuildProgress
from evaluation.workspace import check_templates, packaged_notebooks_dir

__all__ = [
    "BRIEF",
    "FEEDBACK",
    "KINDS",
    "NOTEBOOKS",
    "Result",
    "Task",
    "build_reports",
    "plan",
    "sanitise",
    "summary_line",
    "unpublishable_outputs",
]

PACKAGE = Path(evaluation.__file__).resolve().parent
"""The installed package's folder (its code, catalogue and templates: what a report depends on)."""


NOTEBOOKS = packaged_notebooks_dir()
"""The report templates that ship with the package (the repository's ``notebooks/`` in a checkout),
locked by ``templates.lock`` (`evaluation.workspace.check_templates`)."""


KINDS = {
    "data-quality": "data_quality",
    "instrument-quality": "instrument_quality",
    "cohort": "cohort",
    "appendix": "appendix",
    "agency": "agency",
    "comparison": "comparison",
}
"""Report kind (as in ``--only``) to notebook name."""


FEEDBACK = "feedback"
"""The report kind of the participants' own pages (`evaluation.report.feedback`), rendered without
notebooks."""


BRIEF = "brief"
"""The report kind of the one-page brief for leadership (`evaluation.report.brief`), rendered without
notebooks."""


CACHE_FILE = ".build.json"


WARM_UP = (
    "import evaluation.report.tables, evaluation.report.figures, evaluation.report.sections, "
    "evaluation.outcomes, evaluation.stats, pingouin, statsmodels.api"
)


@dataclass(frozen=True)
class Task:
    """One report: the notebook, its parameters, where it goes, and the hash of its inputs."""

    kind: str
    notebook: Path
    parameters: dict
    html: Path
    executed: Path
    key: str
    title: str


@dataclass
class Result:
    """What happened to one task: ok, skipped (unchanged) or failed (with cell and error)."""

    task: Task
    status: str
    seconds: float = 0.0
    error: str = ""
    cell: int | None = None


def _digest(*parts: bytes | str) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        sha.update(b"\0")
    return sha.hexdigest()


def package_fingerprint() -> str:
    """Return the SHA-256 of the package's source (version and code): reports depend on both."""
    root = PACKAGE
    files = sorted(root.rglob("*.py")) + sorted(root.rglob("*.yml")) + sorted((root / "templates").glob("*"))
    return _digest(__version__, *(p.read_bytes() for p in files))


def data_fingerprint(cohort_dir: Path) -> str:
    """Return the SHA-256 of the cohort's processed data and settings (what reports read)."""
    return _digest(*(p.name.encode() + p.read_bytes() for p in cohort_files(cohort_dir)))


def template_folders(cohort_dir: Path, config=None) -> list[Path]:
    """Return where a cohort's report templates are found, in order: its own folder, then the package's.

    A cohort names a folder of its own adapted templates (an agency's reports) in cohort.yml as
    ``report_templates``; a notebook that folder lacks comes from the package (`NOTEBOOKS`).
    """
    config = config if config is not None else load_cohort(cohort_dir)
    own = config.report_templates_dir(cohort_dir)
    return [own, NOTEBOOKS] if own is not None else [NOTEBOOKS]


def _template(folders: list[Path], name: str) -> Path:
    return next((f / name for f in folders if (f / name).is_file()), folders[-1] / name)


def check_planned(tasks: list[Task]) -> None:
    """Stop (`evaluation.workspace.TemplateChanged`) if a template the tasks run differs from its lock.

    The package's templates must match their ``templates.lock``; a cohort's own folder is checked
    against its lock when it has one (``evaluation templates lock FOLDER``).
    """
    by_folder: dict[Path, set[str]] = {}
    for task in tasks:
        by_folder.setdefault(task.notebook.parent, set()).add(task.notebook.name)
    for folder, names in by_folder.items():
        package = folder.resolve() == NOTEBOOKS.resolve()
        check_templates(folder, sorted(names), required=package)


def plan(
    cohort_dir: Path,
    out_dir: Path,
    *,
    lang: str = "sv",
    only: str | None = None,
    compare: list[Path] | None = None,
    check: bool = True,
) -> tuple[list[Task], list[str]]:
    """Return the report tasks for a cohort, and the agencies left without a report (too small).

    Parameters
    ----------
    cohort_dir : pathlib.Path
        The cohort folder, ingested.
    out_dir : pathlib.Path
        ``reports/<cohort id>``.
    lang : {"sv", "en"}
        Language of the reports.
    only : str, optional
        One report kind (`KINDS`).
    compare : list of pathlib.Path, optional
        Further cohort folders for the comparison report (which runs only when asked for or given).
    check : bool
        Check the templates to run against their lock (`check_planned`); off only for listing pages.

    Raises
    ------
    EvaluationError
        If the cohort has not been ingested or the kind is unknown.
    evaluation.workspace.TemplateChanged
        If a template to run changed since it was locked (`check_planned`): the build never runs a
        notebook that merely changed on disk.
    """
    if only is not None and only not in (*KINDS, FEEDBACK, BRIEF):
        raise EvaluationError(
            f"okänd rapporttyp / unknown report kind {only!r}; "
            f"expected one of {', '.join([*KINDS, FEEDBACK, BRIEF])}"
        )
    cohort_dir = cohort_dir.resolve()
    if not (cohort_dir / "processed" / "responses.parquet").exists():
        raise EvaluationError(f"{cohort_dir}: kör först / run first: evaluation ingest {cohort_dir}")
    config = load_cohort(cohort_dir)
    templates = template_folders(cohort_dir, config)
    roster = pd.read_csv(cohort_dir / "roster.csv", dtype=str)
    fingerprint = data_fingerprint(cohort_dir)
    package = package_fingerprint()
    results = str((out_dir / "results").resolve())
    common = {"cohort_dir": str(cohort_dir), "lang": lang, "results_dir": results}
    wanted: list[tuple[str, str, dict, str, str]] = []
    for kind, name in (
        ("data-quality", "data-quality"),
        ("instrument-quality", "instrument-quality"),
        ("cohort", "cohort"),
        ("appendix", "appendix"),
    ):
        wanted.append((kind, f"{name}.html", {}, name, kind))
    sizes = roster.groupby("agency")["participant_id"].nunique()
    small = sorted(a for a, n in sizes.items() if n < config.min_group_size)
    for agency in sorted(a for a, n in sizes.items() if n >= config.min_group_size):
        wanted.append(("agency", f"agencies/{agency}.html", {"agency": agency}, f"agency-{agency}", agency))
    if compare or only == "comparison":
        folders = [str(cohort_dir)] + [str(Path(c).resolve()) for c in compare or []]
        wanted.append(("comparison", "comparison.html", {"cohort_dirs": folders}, "comparison", "comparison"))
        fingerprint = _digest(fingerprint, *(data_fingerprint(Path(f)) for f in folders[1:]))
    tasks = []
    for kind, html_name, extra, stem, title in wanted:
        if only is not None and kind != only:
            continue
        notebook = _template(templates, f"{KINDS[kind]}.ipynb")
        if not notebook.is_file():
            raise EvaluationError(f"{notebook}: rapportmallen saknas / the report template is missing")
        parameters = {**common, **extra}
        if kind == "comparison":
            del parameters["cohort_dir"]  # the comparison reads its list of cohorts
        key = _digest(notebook.read_bytes(), fingerprint, json.dumps(parameters, sort_keys=True), package)
        tasks.append(
            Task(
                kind,
                notebook,
                parameters,
                out_dir / html_name,
                out_dir / "notebooks" / f"{stem}.ipynb",
                key,
                title,
            )
        )
    if check:
        check_planned(tasks)
    return tasks, small


class _Kernels:
    """One warm kernel per worker thread; started one at a time."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._start_lock = threading.Lock()
        self._all: list = []

    def get(self):
        km = getattr(self._local, "km", None)
        if km is None or not km.is_alive():
            import papermill as pm
            from jupyter_client.manager import KernelManager

            with self._start_lock:
                km = KernelManager(kernel_name="python3")
                km.start_kernel(stderr=subprocess.DEVNULL)  # the kernel's start-up chatter is noise here
                self._all.append(km)
            warm = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WARM_UP)])
            warm.metadata["kernelspec"] = {
                "name": "python3",
                "display_name": "Python 3",
                "language": "python",
            }
            pm.execute_notebook(
                warm, None, km=km, kernel_name="python3", progress_bar=False, log_output=False
            )
            self._local.km = km
        return km

    def shutdown(self) -> None:
        for km in self._all:
            with contextlib.suppress(Exception):  # a kernel that already died
                km.shutdown_kernel(now=True)


def _declared(notebook: Path) -> set[str]:
    import papermill as pm

    return set(pm.inspect_notebook(str(notebook)))


def _marked(output: nbformat.NotebookNode) -> bool:
    from evaluation.report.render import OUTPUT_MARK

    metadata = output.get("metadata", {})
    return output.output_type in {"display_data", "execute_result"} and bool(
        metadata.get("text/html", {}).get(OUTPUT_MARK) or metadata.get(OUTPUT_MARK)
    )


def unpublishable_outputs(executed: nbformat.NotebookNode, *, strip: bool = False) -> list[str]:
    """Return one line per output of a notebook that did not come from `evaluation.report`.

    Parameters
    ----------
    executed : nbformat.NotebookNode
        An executed report notebook.
    strip : bool
        Also remove those outputs from `executed` (in place), so that they are not kept either.

    Returns
    -------
    list of str
        "cell N: ..." per unmarked output (a raw DataFrame, a print, a plot drawn directly).
    """
    problems = []
    own = [
        c
        for c in executed.cells
        if not {"evaluation-reset", "injected-parameters"} & set(c.metadata.get("tags", []))
    ]
    for number, cell in enumerate(own, start=1):  # numbered as in the notebook the analyst edits
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if _marked(output) or output.output_type == "error":
                kept.append(output)
                continue
            kind = output.get("name", output.output_type)
            problems.append(
                f"cell {number}: output ({kind}) that did not come from evaluation.report "
                "(a raw table, print or plot); reports publish only protected tables and figures"
            )
        if strip:
            cell.outputs = kept
    return problems


def _redact(value, replacements: list[tuple[str, str]]):
    """Return `value` (JSON-like) with every occurrence of a machine path replaced by its placeholder."""
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_redact(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, replacements) for k, v in value.items()}
    return value


def _machine_paths(task: Task) -> list[tuple[str, str]]:
    """Return the machine paths a task's notebook may record, longest first, with their placeholders."""
    paths = {str(task.notebook.parent.resolve()): "<notebooks>", str(Path.home()): "<home>"}
    out = task.html.parent
    while out.name in {"agencies", "notebooks"}:
        out = out.parent
    paths[str(out.resolve())] = "<reports>"
    for key in ("cohort_dir", "results_dir"):
        if key in task.parameters:
            paths[str(Path(task.parameters[key]).resolve())] = f"<{key}>"
    for number, folder in enumerate(task.parameters.get("cohort_dirs", []), start=1):
        paths[str(Path(folder).resolve())] = f"<cohort_dir_{number}>"
    paths[str(PACKAGE.parent)] = "<package>"
    return sorted(paths.items(), key=lambda pair: -len(pair[0]))


def sanitise(executed: nbformat.NotebookNode, task: Task) -> nbformat.NotebookNode:
    """Return an executed notebook without machine paths and without stderr output (see module)."""
    replacements = _machine_paths(task)
    for cell in executed.cells:
        if "outputs" in cell:
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.get("name") == "stderr")
            ]
            for output in cell.outputs:
                if output.output_type == "error":
                    output["traceback"] = [output.get("ename", "Error") + ": " + output.get("evalue", "")]
    cleaned = _redact(dict(executed), replacements)
    return nbformat.from_dict(cleaned)


def _run_one(task: Task, kernels: _Kernels) -> Result:
    import time

    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    unknown = set(task.parameters) - _declared(task.notebook)
    if unknown:
        return Result(
            task, "failed", error=f"parameters not declared by {task.notebook.name}: {sorted(unknown)}"
        )
    notebook = nbformat.read(task.notebook, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell("%reset -f", metadata={"tags": ["evaluation-reset"]}))
    task.executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        executed = pm.execute_notebook(
            notebook,
            str(task.executed),
            parameters=task.parameters,
            km=kernels.get(),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            execution_timeout=900,
        )
    except PapermillExecutionError as exc:
        _sanitise_file(task)
        return Result(
            task,
            "failed",
            time.perf_counter() - start,
            error=f"{exc.ename}: {exc.evalue}",
            cell=exc.exec_count,
        )
    except Exception as exc:  # a dead kernel, a timeout: still report it and go on
        _sanitise_file(task)
        return Result(task, "failed", time.perf_counter() - start, error=f"{type(exc).__name__}: {exc}")
    executed = sanitise(executed, task)
    problems = unpublishable_outputs(executed, strip=True)
    nbformat.write(executed, task.executed)
    if problems:
        task.html.unlink(missing_ok=True)
        return Result(task, "failed", time.perf_counter() - start, error="; ".join(problems))
    task.html.parent.mkdir(parents=True, exist_ok=True)
    task.html.write_text(_page(executed, task), encoding="utf-8")
    return Result(task, "ok", time.perf_counter() - start)


def _page(executed: nbformat.NotebookNode, task: Task) -> str:
    """Return a task's executed notebook as its HTML page (`evaluation.report.page.notebook_html`)."""
    from evaluation.report.page import notebook_html

    cohort = task.parameters.get("cohort_dir")  # the comparison names several cohorts, so none
    return notebook_html(
        executed,
        lang=task.parameters.get("lang", "sv"),
        fallback_title=task.title,
        cohort_dir=Path(cohort) if cohort else None,
    )


def _sanitise_file(task: Task) -> None:
    if task.executed.exists():
        executed = sanitise(nbformat.read(task.executed, as_version=4), task)
        unpublishable_outputs(executed, strip=True)
        nbformat.write(executed, task.executed)


def build_reports(
    cohort_dir: Path,
    out_dir: Path,
    *,
    lang: str = "sv",
    only: str | None = None,
    jobs: int = 2,
    force: bool = False,
    compare: list[Path] | None = None,
    progress: bool = True,
    pdf: bool = False,
    console=None,
) -> tuple[Path, list[Result]]:
    """Plan, run and convert a cohort's reports; return the index path and what happened to each.

    Parameters
    ----------
    cohort_dir, out_dir, lang, only, compare
        As for `plan`.
    jobs : int
        Worker threads, each with its own warm kernel.
    force : bool
        Run every report, unchanged or not.
    progress : bool
        Show each report as it runs and ends, on a terminal only (`BuildProgress`); elsewhere the
        build is silent and the caller ends with `summary_line`.
    pdf : bool
        Also print every leadership report (not the feedback pages) to a PDF beside it (`write_pdfs`).
    console : rich.console.Console, optional
        Where progress shows (default: standard output).
    """
    out_dir = out_dir.resolve()
    tasks, small = plan(cohort_dir, out_dir, lang=lang, only=only, compare=compare)
    cache_path = out_dir / CACHE_FILE
    cache = json.loads(cache_path.read_text(encoding="utf-8")) if cache_path.exists() and not force else {}
    todo = [t for t in tasks if force or cache.get(_cache_key(t, out_dir)) != t.key or not t.html.exists()]
    results = [Result(t, "skipped") for t in tasks if t not in todo]
    with BuildProgress(progress, console) as shown:
        shown.unchanged([_label(r.task, out_dir) for r in results])
        if only in (None, FEEDBACK):
            with shown.step(_label_of(FEEDBACK)) as step:
                step.result = _build_feedback(cohort_dir.resolve(), out_dir, lang, cache, force)
            results.append(step.result)
        if only in (None, BRIEF):
            with shown.step(_label_of(BRIEF)) as step:
                step.result = _build_brief(cohort_dir.resolve(), out_dir, lang, cache, force)
            results.append(step.result)
        if todo:
            kernels = _Kernels()
            try:
                results += _execute(todo, kernels, max(1, min(jobs, len(todo))), shown)
            finally:
                kernels.shutdown()
        for result in results:
            if result.task.kind in (FEEDBACK, BRIEF):
                continue  # kept by _build_feedback and _build_brief
            if result.status == "ok":
                cache[_cache_key(result.task, out_dir)] = result.task.key
            elif result.status == "failed":
                cache.pop(_cache_key(result.task, out_dir), None)
        out_dir.mkdir(parents=True, exist_ok=True)
        cache_path.write_text(json.dumps(cache, indent=1, sort_keys=True), encoding="utf-8")
        # the index lists every page the cohort has, not only those this run (--only) built
        every = (
            tasks if only is None else plan(cohort_dir, out_dir, lang=lang, compare=compare, check=False)[0]
        )
        index = write_index(
            out_dir, cohort_dir.resolve(), every, results, small, lang, data_fingerprint(cohort_dir.resolve())
        )
        if pdf:
            leadership = [t.html for t in tasks if t.html.exists()]
            if (out_dir / BRIEF_FILE).exists():
                leadership.insert(0, out_dir / BRIEF_FILE)
            write_pdfs([index, *leadership], progress=shown)
    return index, results


def _execute(todo: list[Task], kernels: _Kernels, jobs: int, progress: bool | BuildProgress) -> list[Result]:
    """Run the tasks on `jobs` warm kernels; show each as it starts and ends (`BuildProgress`)."""
    shown = progress if isinstance(progress, BuildProgress) else None
    outer = BuildProgress(bool(progress)) if shown is None else contextlib.nullcontext(shown)
    results = []
    with outer as shown, ThreadPoolExecutor(max_workers=jobs) as pool:
        shown.expect(len(todo))
        out_dir = _reports_folder(todo[0]) if todo else Path()
        tokens: dict[int, object] = {}  # by id: a task holds a dict, so it has no hash

        def run(task: Task) -> Result:
            tokens[id(task)] = shown.start(_label(task, out_dir))
            return _run_one(task, kernels)

        futures = [pool.submit(run, task) for task in todo]
        for future in as_completed(futures):
            result = future.result()
            name = _label(result.task, out_dir)
            shown.finish(tokens.pop(id(result.task), None), name, result.status, result.seconds, result.error)
            results.append(result)
    return results


def _build_feedback(cohort_dir: Path, out_dir: Path, lang: str, cache: dict, force: bool) -> Result:
    """Write every participant's feedback page (`evaluation.report.feedback`) unless nothing changed.

    Pages of participants no longer in the cohort (or all of them, with ``pair_feedback: off``) are
    removed, so that a withdrawn participant's page does not linger.
    """
    import time

    key = _digest(FEEDBACK, data_fingerprint(cohort_dir), package_fingerprint(), lang)
    folder = out_dir / FEEDBACK
    task = Task(FEEDBACK, Path(FEEDBACK), {"lang": lang}, folder, folder, key, FEEDBACK)
    if not force and cache.get(f"{FEEDBACK}/") == key and folder.exists():
        return Result(task, "skipped")
    from evaluation.report.data import load
    from evaluation.report.feedback import write_feedback  # imported only to build: a skip stays fast

    start = time.perf_counter()
    cache.pop(f"{FEEDBACK}/", None)
    try:
        pages = set(write_feedback(load(cohort_dir), out_dir, lang))
    except EvaluationError:
        raise
    except Exception as exc:  # reported like a failing notebook; the other reports still stand
        return Result(task, "failed", time.perf_counter() - start, error=f"{type(exc).__name__}: {exc}")
    for stale in folder.glob("*.html") if folder.exists() else []:
        if stale not in pages and re.fullmatch(r"p[0-9a-f]{16}\.html", stale.name):
            stale.unlink()
    cache[f"{FEEDBACK}/"] = key
    return Result(task, "ok", time.perf_counter() - start)


def _build_brief(cohort_dir: Path, out_dir: Path, lang: str, cache: dict, force: bool) -> Result:
    """Write the one-page brief (`evaluation.report.brief`) unless nothing it reads changed."""
    import time

    key = _digest(BRIEF, data_fingerprint(cohort_dir), package_fingerprint(), lang)
    path = out_dir / BRIEF_FILE
    task = Task(BRIEF, Path(BRIEF_FILE), {"lang": lang}, path, path, key, BRIEF)
    if not force and cache.get(BRIEF_FILE) == key and path.exists():
        return Result(task, "skipped")
    from evaluation.report.brief import write_brief  # imported only to build: a skip stays fast
    from evaluation.report.data import load

    start = time.perf_counter()
    cache.pop(BRIEF_FILE, None)
    try:
        write_brief(load(cohort_dir), out_dir, lang)
    except EvaluationError:
        raise
    except Exception as exc:  # reported like a failing notebook; the other reports still stand
        return Result(task, "failed", time.perf_counter() - start, error=f"{type(exc).__name__}: {exc}")
    cache[BRIEF_FILE] = key
    return Result(task, "ok", time.perf_counter() - start)


def _cache_key(task: Task, out_dir: Path) -> str:
    """Return the task's page relative to the reports folder (the cache records no machine path)."""
    return task.html.relative_to(out_dir).as_posix()


def _label(task: Task, out_dir: Path) -> str:
    """Return how progress names a report: its page, relative to the reports folder."""
    if task.kind in (FEEDBACK, BRIEF):
        return _label_of(task.kind)
    return task.html.relative_to(out_dir).as_posix() if task.html.is_relative_to(out_dir) else task.html.name


def _label_of(kind: str) -> str:
    return {
        FEEDBACK: "feedback/ (deltagarnas sidor / participants' pages)",
        BRIEF: f"{BRIEF_FILE} (kortfattat / brief)",
    }[kind]


def _reports_folder(task: Task) -> Path:
    """Return the reports folder a task's page lies in (``agencies/`` pages one level down)."""
    folder = task.html.parent
    return folder.parent if folder.name == "agencies" else folder


def summary_line(results: list[Result], seconds: float) -> str:
    """Return the one line that ends a build: reports built, unchanged and failed, and the time taken.

    In Swedish and English: "12 rapporter byggda, 3 oförändrade, 0 misslyckades på 14,2 s / 12 reports
    built, 3 unchanged, 0 failed in 14.2 s". The feedback pages count as one report.
    """
    built = sum(r.status == "ok" for r in results)
    unchanged = sum(r.status == "skipped" for r in results)
    failed = sum(r.status == "failed" for r in results)
    sv = (
        f"{built} {'rapport byggd' if built == 1 else 'rapporter byggda'}, "
        f"{unchanged} {'oförändrad' if unchanged == 1 else 'oförändrade'}, "
        f"{failed} misslyckades på {seconds:.1f} s".replace(".", ",")
    )
    en = (
        f"{built} {'report' if built == 1 else 'reports'} built, {unchanged} unchanged, "
        f"{failed} failed in {seconds:.1f} s"
    )
    return f"{sv} / {en}"
