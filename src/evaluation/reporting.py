"""Building a cohort's reports: plan, run each notebook with papermill on warm kernels, convert to HTML.

papermill itself is sequential and starts a kernel for every notebook (about 0.5 s), which then
imports pandas, statsmodels, seaborn and pingouin again (about 2 s). Here each worker thread owns one
kernel, started once (one start at a time: concurrent starts race for ports, papermill issues 239 and
552) and warmed with the imports; papermill runs every notebook of that worker on it, with
``%reset -f`` as the first cell, so that no variable of one report reaches the next. Paths are
absolute: papermill's ``cwd`` changes the process's working directory and is not thread-safe (473).

A report whose inputs (notebook, processed data, parameters, package version and code) are unchanged is not
run again. A failing notebook is reported with its parameters, cell and error, its partially executed
notebook is kept, and the other reports still run.

Only what `evaluation.reports` displays is published: a notebook with any other output (a raw
DataFrame, a print, a plot drawn directly) fails, naming the cell, so an analyst's exploratory cell
saved into a report notebook can never reach leadership. Executed notebooks keep no machine paths: the
cohort, report, notebook and home folders in their parameters, sources and outputs are replaced by
placeholders, and warnings written to stderr are dropped.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import html
import json
import os
import re
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import nbformat
import pandas as pd

from evaluation import __version__
from evaluation.brief import BRIEF_FILE
from evaluation.cohort import load_cohort
from evaluation.errors import EvaluationError
from evaluation.text import message

__all__ = ["KINDS", "Result", "Task", "build_reports", "plan", "write_pdfs"]

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
KINDS = {
    "data-quality": "data_quality",
    "instrument-quality": "instrument_quality",
    "cohort": "cohort",
    "agency": "agency",
    "comparison": "comparison",
}
"""Report kind (as in ``--only``) to notebook name."""

FEEDBACK = "feedback"
"""The report kind of the participants' own pages (`evaluation.feedback`), rendered without notebooks."""

BRIEF = "brief"
"""The report kind of the one-page brief for leadership (`evaluation.brief`), rendered without notebooks."""

REMOVED_TAGS = {"remove_cell", "parameters", "injected-parameters", "evaluation-reset"}
CACHE_FILE = ".build.json"
WARM_UP = "import evaluation.reports, evaluation.outcomes, evaluation.stats, pingouin, statsmodels.api"


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
    root = Path(__file__).resolve().parent
    files = sorted(root.rglob("*.py")) + sorted((root / "templates").glob("*"))
    return _digest(__version__, *(p.read_bytes() for p in files))


def data_fingerprint(cohort_dir: Path) -> str:
    """Return the SHA-256 of the cohort's processed data and settings (what reports read)."""
    files = [*sorted((cohort_dir / "processed").glob("*")), cohort_dir / "cohort.yml"]
    return _digest(*(p.name.encode() + p.read_bytes() for p in files if p.is_file()))


def plan(
    cohort_dir: Path,
    out_dir: Path,
    *,
    lang: str = "sv",
    only: str | None = None,
    compare: list[Path] | None = None,
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

    Raises
    ------
    EvaluationError
        If the cohort has not been ingested or the kind is unknown.
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
        notebook = NOTEBOOKS / f"{KINDS[kind]}.ipynb"
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


def _to_html(executed: nbformat.NotebookNode, task: Task) -> str:
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="lab", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    remover = TagRemovePreprocessor(remove_cell_tags=REMOVED_TAGS, enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(
        copy.deepcopy(executed), resources={"metadata": {"name": task.title}}
    )
    lang = html.escape(task.parameters.get("lang", "sv"))
    body = re.sub(r"<html[^>]*>", f'<html lang="{lang}">', body, count=1)
    style = (
        "<style>table.report{border-collapse:collapse;margin:1rem 0}table.report th,table.report td"
        "{border:1px solid #6b6b6b;padding:.25rem .5rem}table.report td.num{text-align:right}"
        "figure img{max-width:100%}"
        "@media print{.jp-Cell,.jp-OutputArea,.jp-OutputArea-child{break-inside:auto!important}"
        "figure,tr{break-inside:avoid}h1,h2,h3{break-after:avoid}}</style>"
    )
    return body.replace("</head>", style + "</head>", 1)


def _marked(output: nbformat.NotebookNode) -> bool:
    from evaluation.reports import OUTPUT_MARK

    metadata = output.get("metadata", {})
    return output.output_type in {"display_data", "execute_result"} and bool(
        metadata.get("text/html", {}).get(OUTPUT_MARK) or metadata.get(OUTPUT_MARK)
    )


def unpublishable_outputs(executed: nbformat.NotebookNode, *, strip: bool = False) -> list[str]:
    """Return one line per output of a notebook that did not come from `evaluation.reports`.

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
                f"cell {number}: output ({kind}) that did not come from evaluation.reports "
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
    paths[str(Path(__file__).resolve().parents[1])] = "<package>"
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
    task.html.write_text(_to_html(executed, task), encoding="utf-8")
    return Result(task, "ok", time.perf_counter() - start)


def _sanitise_file(task: Task) -> None:
    if task.executed.exists():
        executed = sanitise(nbformat.read(task.executed, as_version=4), task)
        unpublishable_outputs(executed, strip=True)
        nbformat.write(executed, task.executed)


def _write_index(
    out_dir: Path, cohort_dir: Path, tasks: list[Task], results: list[Result], small: list[str]
) -> Path:
    config = load_cohort(cohort_dir)
    failed = {r.task.html for r in results if r.status == "failed"}
    links = []
    brief = out_dir / BRIEF_FILE
    if brief.exists() and brief not in failed:
        label = f"{message('index.brief', 'sv')} / {message('index.brief', 'en')}"
        links.append(f'<li><a href="{BRIEF_FILE}"><strong>{html.escape(label)}</strong></a></li>')
    for task in tasks:
        if task.html in failed or not task.html.exists():
            continue
        target = html.escape(str(task.html.relative_to(out_dir)))
        links.append(f'<li><a href="{target}">{html.escape(task.title)}</a></li>')
    versions = "".join(
        f"<li>{html.escape(i)} {html.escape(p.version)}</li>" for i, p in sorted(config.instruments.items())
    )
    note = "".join(
        f"<li>{html.escape(a)}: färre än {config.min_group_size} deltagare, ingen rapport / fewer than "
        f"{config.min_group_size} participants, no report</li>"
        for a in small
    )
    page = f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Rapporter – {html.escape(config.name)}</title></head>
<body><main>
<h1>Rapporter <span lang="en">/ Reports</span>: {html.escape(config.name)}</h1>
<p>Skapad / built {date.today().isoformat()}. Period {config.period.start} – {config.period.end}.
Datafingeravtryck / data fingerprint <code>{data_fingerprint(cohort_dir)[:16]}</code>.</p>
<h2>Rapporter <span lang="en">/ Reports</span></h2><ul>{"".join(links)}</ul>
<h2>Instrumentversioner <span lang="en">/ Instrument versions</span></h2><ul>{versions}</ul>
<h2>Myndigheter utan rapport <span lang="en">/ Agencies without a report</span></h2>
<ul>{note or "<li>–</li>"}</ul>
</main></body></html>
"""
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


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
        Show a progress bar.
    pdf : bool
        Also print every leadership report (not the feedback pages) to a PDF beside it (`write_pdfs`).
    """
    out_dir = out_dir.resolve()
    tasks, small = plan(cohort_dir, out_dir, lang=lang, only=only, compare=compare)
    cache_path = out_dir / CACHE_FILE
    cache = json.loads(cache_path.read_text(encoding="utf-8")) if cache_path.exists() and not force else {}
    todo = [t for t in tasks if force or cache.get(_cache_key(t, out_dir)) != t.key or not t.html.exists()]
    results = [Result(t, "skipped") for t in tasks if t not in todo]
    if only in (None, FEEDBACK):
        results.append(_build_feedback(cohort_dir.resolve(), out_dir, lang, cache, force))
    if only in (None, BRIEF):
        results.append(_build_brief(cohort_dir.resolve(), out_dir, lang, cache, force))
    if todo:
        kernels = _Kernels()
        try:
            results += _execute(todo, kernels, max(1, min(jobs, len(todo))), progress)
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
    index = _write_index(out_dir, cohort_dir.resolve(), tasks, results, small)
    if pdf:
        leadership = [t.html for t in tasks if t.html.exists()]
        if (out_dir / BRIEF_FILE).exists():
            leadership.insert(0, out_dir / BRIEF_FILE)
        write_pdfs([index, *leadership])
    return index, results


def _build_feedback(cohort_dir: Path, out_dir: Path, lang: str, cache: dict, force: bool) -> Result:
    """Write every participant's feedback page (`evaluation.feedback`) unless nothing changed.

    Pages of participants no longer in the cohort (or all of them, with ``pair_feedback: off``) are
    removed, so that a withdrawn participant's page does not linger.
    """
    import time

    from evaluation.feedback import write_feedback
    from evaluation.reports import load

    key = _digest(FEEDBACK, data_fingerprint(cohort_dir), package_fingerprint(), lang)
    folder = out_dir / FEEDBACK
    task = Task(FEEDBACK, Path(FEEDBACK), {"lang": lang}, folder, folder, key, FEEDBACK)
    if not force and cache.get(f"{FEEDBACK}/") == key and folder.exists():
        return Result(task, "skipped")
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
    """Write the one-page brief (`evaluation.brief`) unless nothing it reads changed."""
    import time

    from evaluation.brief import write_brief
    from evaluation.reports import load

    key = _digest(BRIEF, data_fingerprint(cohort_dir), package_fingerprint(), lang)
    path = out_dir / BRIEF_FILE
    task = Task(BRIEF, Path(BRIEF_FILE), {"lang": lang}, path, path, key, BRIEF)
    if not force and cache.get(BRIEF_FILE) == key and path.exists():
        return Result(task, "skipped")
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


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def write_pdfs(pages: list[Path], chromium: str = "/usr/bin/chromium") -> list[Path]:
    """Print each HTML page to a PDF beside it (A4, backgrounds kept) with Chromium; return the PDFs.

    Raises
    ------
    EvaluationError
        If Chromium is not installed (``apt-get install chromium``).
    """
    if not Path(chromium).exists():
        raise EvaluationError(f"{chromium} saknas / is missing: install Debian's chromium to write PDFs")
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        for html_page in pages:
            page.goto(html_page.resolve().as_uri())
            target = html_page.with_suffix(".pdf")
            page.pdf(
                path=str(target),
                format="A4",
                print_background=True,
                margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
            )
            _relative_links(target)
            written.append(target)
        browser.close()
    return written


def _relative_links(pdf: Path) -> None:
    """Rewrite the PDF's links to local pages as paths relative to the PDF's own folder.

    Chromium prints a relative link as an absolute ``file://`` URI, which holds the machine's path.
    """
    from urllib.parse import unquote, urlparse

    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=str(pdf))
    changed = False
    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith("file:"):
                target = Path(unquote(urlparse(uri).path))
                relative = os.path.relpath(target, pdf.parent)
                action[NameObject("/URI")] = TextStringObject(Path(relative).as_posix())
                changed = True
    if changed:
        with pdf.open("wb") as handle:
            writer.write(handle)


def _execute(todo: list[Task], kernels: _Kernels, jobs: int, progress: bool) -> list[Result]:
    from rich.progress import Progress

    results = []
    with Progress(disable=not progress, transient=True) as bar, ThreadPoolExecutor(max_workers=jobs) as pool:
        job = bar.add_task("Rapporter / reports", total=len(todo))
        futures = [pool.submit(_run_one, task, kernels) for task in todo]
        for future in as_completed(futures):
            results.append(future.result())
            bar.advance(job)
    return results
