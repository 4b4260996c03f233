"""Where the report templates live, what their parameters default to, and the analyst's workspace.

The report templates are the notebooks in ``notebooks/`` at the repository root, where analysts and
developers edit them. They ship inside the package as ``evaluation/notebooks`` (in a checkout a
symbolic link to the root folder, like the survey templates), so that an installed wheel builds
reports too: `packaged_notebooks_dir`.

Three things keep exploring from changing what leadership gets:

- **The lock.** ``notebooks/templates.lock`` holds the SHA-256 of each template's cells (type, source
  and tags; not outputs, execution counts or other metadata). `evaluation report` checks every
  template it runs against it (`check_templates`) and stops, naming the file and the cells, when a
  template changed on disk without the lock being refreshed: an exploratory cell autosaved by
  JupyterLab never reaches a report. A developer who changed a template on purpose refreshes the
  lock with ``evaluation templates lock`` (`lock_templates`) and commits both.
- **The workspace.** ``make lab`` (``evaluation lab``) opens JupyterLab on a git-ignored copy of the
  templates (``lab/``), never on ``notebooks/``: `prepare_lab`. The copy is made once and refreshed
  only on request (``--refresh``, which keeps edited copies under ``lab/backup/``).
- **The defaults.** A template's parameters cell reads its defaults from here: the cohort
  (`cohort_dir`: ``$EVALUATION_COHORT``, the cohort the workspace was opened with, or the
  repository's demo) and a scratch results folder (`results_dir`: ``$EVALUATION_RESULTS``, or
  ``results/`` in the workspace, or ``lab/results/`` in a checkout, or a temporary folder). So a
  notebook runs from any working directory and never writes into ``reports/``; `evaluation report`
  injects the real parameters.

This module imports nothing of the toolkit but `evaluation.errors`, and nothing heavy: every
template's parameters cell imports it.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from evaluation.errors import EvaluationError

__all__ = [
    "LOCK_FILE",
    "WORKSPACE_FILE",
    "LabWorkspace",
    "TemplateChanged",
    "agency",
    "changed_templates",
    "check_templates",
    "cohort_dir",
    "lock_templates",
    "packaged_notebooks_dir",
    "prepare_lab",
    "repository_root",
    "results_dir",
    "template_cells",
    "template_digest",
]

_PACKAGED = Path(__file__).resolve().parent / "notebooks"
"""Where ``notebooks/`` ships inside the package; see `packaged_notebooks_dir`."""

LOCK_FILE = "templates.lock"
"""The manifest beside the templates: each notebook's SHA-256 over its cells (`template_digest`)."""

WORKSPACE_FILE = "workspace.yml"
"""Marks the analyst's workspace folder and records its cohort (`prepare_lab`)."""

COHORT_ENV = "EVALUATION_COHORT"
RESULTS_ENV = "EVALUATION_RESULTS"
DEMO = Path("data") / "demo"
LAB = "lab"
BACKUP = "backup"
LOCK_COMMAND = "evaluation templates lock"


def packaged_notebooks_dir() -> Path:
    """Return the report templates that ship inside the package (``evaluation/notebooks``).

    In a checkout (an editable install) a symbolic link to the repository's ``notebooks/``; in an
    installed wheel a folder of its own.
    """
    return _PACKAGED


def repository_root() -> Path | None:
    """Return the repository's root when the package runs from a checkout, else None.

    Found through the link ``evaluation/notebooks`` -> ``<root>/notebooks``, not by counting parent
    folders: an installed wheel has a real folder there, and no repository.
    """
    if not _PACKAGED.is_symlink():
        return None
    root = _PACKAGED.resolve().parent
    return root if (root / "pyproject.toml").is_file() else None


# --------------------------------------------------------------------------------------------------
# The lock


class TemplateChanged(EvaluationError):
    """A report template differs from its lock: the build stops rather than publish it."""


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _read(notebook: Path) -> list[dict]:
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as exc:
        raise EvaluationError(
            f"{notebook}: anteckningsboken kunde inte läsas / the notebook could not be read: {exc}"
        ) from None
    return cells if isinstance(cells, list) else []


def template_cells(notebook: Path) -> list[str]:
    """Return the SHA-256 of each cell of a notebook: its type, source and tags, nothing else.

    Outputs, execution counts, cell ids and other metadata (collapsed, scrolled) are left out, so a
    template that was merely run or reopened keeps its digest; a cell added, removed or edited, or a
    tag changed (``remove_cell``, ``parameters``), changes it.
    """
    digests = []
    for cell in _read(notebook):
        tags = sorted(str(t) for t in (cell.get("metadata") or {}).get("tags", []) or [])
        payload = json.dumps([cell.get("cell_type", ""), _source(cell), tags], ensure_ascii=False)
        digests.append(hashlib.sha256(payload.encode("utf-8")).hexdigest())
    return digests


def template_digest(notebook: Path) -> str:
    """Return the SHA-256 of a notebook's cells (`template_cells`), in order."""
    return hashlib.sha256("\n".join(template_cells(notebook)).encode("ascii")).hexdigest()


def _short(digest: str) -> str:
    return digest[:12]


def lock_templates(folder: Path | None = None) -> Path:
    """Write ``templates.lock`` for every notebook in `folder` (default: the package's templates).

    Run it (``evaluation templates lock``) after changing a template on purpose, and commit the lock
    with the template. Returns the lock's path.
    """
    folder = Path(folder) if folder is not None else packaged_notebooks_dir()
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        raise EvaluationError(f"{folder}: inga anteckningsböcker / no notebooks to lock")
    lock = {
        "about": (
            "SHA-256 of each report template's cells (type, source, tags), checked by evaluation "
            f"report. After changing a template on purpose: {LOCK_COMMAND}"
        ),
        "notebooks": {
            path.name: {
                "sha256": template_digest(path),
                "cells": " ".join(_short(c) for c in template_cells(path)),
            }
            for path in notebooks
        },
    }
    path = folder / LOCK_FILE
    path.write_text(json.dumps(lock, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path.resolve()


def _read_lock(folder: Path) -> dict[str, dict] | None:
    path = folder / LOCK_FILE
    if not path.is_file():
        return None
    try:
        notebooks = json.loads(path.read_text(encoding="utf-8"))["notebooks"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise EvaluationError(
            f"{path}: låsfilen kunde inte läsas / the lock could not be read ({exc}); "
            f"rewrite it with: {LOCK_COMMAND}"
        ) from None
    return notebooks if isinstance(notebooks, dict) else {}


def _what_changed(locked: list[str], now: list[str]) -> str:
    """Describe the cells that differ, numbered as in the notebook (1-based), e.g. "cell 35 added"."""
    parts = []
    matcher = difflib.SequenceMatcher(a=locked, b=[_short(c) for c in now], autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "insert":
            parts.append(f"{_cells(b1, b2)} added / tillagd")
        elif tag == "delete":
            parts.append(f"{_cells(a1, a2)} of the locked template removed / borttagen")
        else:
            parts.append(f"{_cells(b1, b2)} edited / ändrad")
    return ", ".join(parts) or "the cells were reordered / cellerna har flyttats"


def _cells(start: int, end: int) -> str:
    return f"cell {start + 1}" if end - start == 1 else f"cells {start + 1}-{end}"


def _restore_hint(path: Path) -> str:
    root = repository_root()
    resolved = path.resolve()
    if root is not None and resolved.is_relative_to(root):
        return f"git checkout -- {resolved.relative_to(root).as_posix()}"
    if resolved.parent == packaged_notebooks_dir().resolve():
        return "reinstall the toolkit (pip install --force-reinstall <the wheel or folder it came from>)"
    return f"restore {path.name} from where the folder came from"


def changed_templates(folder: Path, names: list[str] | None = None, *, required: bool = True) -> list[str]:
    """Return one line per template in `folder` that differs from the folder's lock.

    Parameters
    ----------
    folder : pathlib.Path
        A folder of report templates with a ``templates.lock``.
    names : list of str, optional
        The notebooks to check (file names); default every notebook in the folder and every one the
        lock names.
    required : bool
        Whether a missing lock is itself a problem (the package's templates), or means there is
        nothing to check (a cohort's own templates folder).
    """
    folder = Path(folder)
    locked = _read_lock(folder)
    if locked is None:
        if not required:
            return []
        return [f"{folder / LOCK_FILE}: låsfilen saknas / the lock is missing; write it with: {LOCK_COMMAND}"]
    wanted = (
        sorted(names) if names is not None else sorted({*locked, *(p.name for p in folder.glob("*.ipynb"))})
    )
    problems = []
    for name in wanted:
        path = folder / name
        entry = locked.get(name)
        if not path.is_file():
            if entry is not None:
                problems.append(f"{path}: mallen saknas / the template is missing")
            continue
        if entry is None:
            problems.append(f"{path}: mallen finns inte i låsfilen / the template is not in {LOCK_FILE}")
            continue
        if template_digest(path) != entry.get("sha256"):
            locked_cells = str(entry.get("cells", "")).split()
            problems.append(f"{path}: {_what_changed(locked_cells, template_cells(path))}")
    return problems


def check_templates(folder: Path, names: list[str] | None = None, *, required: bool = True) -> None:
    """Raise `TemplateChanged` naming every template in `folder` that differs from its lock.

    The message says what to do: restore the file (with git in a checkout), or, for a change made on
    purpose, refresh the lock (``evaluation templates lock``), or let the cohort name a folder of its
    own adapted templates in cohort.yml (``report_templates:``). Explore in ``make lab`` instead.
    """
    problems = changed_templates(folder, names, required=required)
    if not problems:
        return
    first = Path(problems[0].split(": ", 1)[0])
    package = Path(folder).resolve() == packaged_notebooks_dir().resolve()
    lock_command = LOCK_COMMAND if package else f"{LOCK_COMMAND} {folder}"
    lines = [
        "rapportmallen har ändrats sedan den låstes, bygget stoppas / a report template changed since "
        f"it was locked ({LOCK_FILE}), so the build stops:",
        *(f"  - {p}" for p in problems),
        "Bygget kör aldrig en mall som ändrats av misstag (t.ex. en utforskande cell som sparats) / The "
        "build never runs a template that changed by accident (such as an exploratory cell autosaved "
        "from JupyterLab). What to do:",
        f"  - återställ den / restore it: {_restore_hint(first)}",
        f"  - ändrad med avsikt / changed on purpose: {lock_command} (and commit the lock with it)",
        "  - en myndighets egna rapporter / an agency's own adapted reports: a folder of them, named in "
        "cohort.yml as report_templates: path/to/folder",
        "  - utforska i en kopia / explore in a copy: make lab (evaluation lab), never in notebooks/",
    ]
    raise TemplateChanged("\n".join(lines))


# --------------------------------------------------------------------------------------------------
# The parameters' defaults


def _workspace_of(start: Path) -> Path | None:
    """Return the workspace folder (with ``workspace.yml``) `start` is in, or None."""
    with contextlib.suppress(OSError):
        start = start.resolve()
        for folder in (start, *start.parents):
            if (folder / WORKSPACE_FILE).is_file():
                return folder
    return None


def _settings(workspace: Path) -> dict:
    import yaml

    try:
        data = yaml.safe_load((workspace / WORKSPACE_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _demo() -> Path:
    root = repository_root()
    return (root if root is not None else Path.cwd()) / DEMO


def cohort_dir() -> str:
    """Return the cohort a notebook reads when run by hand (`evaluation report` injects its own).

    ``$EVALUATION_COHORT`` when set; else the cohort of the workspace the working directory is in
    (``evaluation lab --cohort DIR``); else the repository's ``data/demo`` (``make demo``), or
    ``./data/demo`` outside a checkout. Never raises: a parameters cell must always run.
    """
    env = os.environ.get(COHORT_ENV)
    if env:
        return str(Path(env).expanduser().resolve())
    workspace = _workspace_of(Path.cwd())
    if workspace is not None:
        chosen = _settings(workspace).get("cohort")
        if chosen:
            return str((workspace / str(chosen)).resolve())
    return str(_demo().resolve())


def _scratch() -> Path:
    workspace = _workspace_of(Path.cwd())
    if workspace is not None:
        return workspace / "results"
    root = repository_root()
    if root is not None:
        return root / LAB / "results"
    return Path(tempfile.gettempdir()) / "evaluation-lab" / "results"


def results_dir(cohort: str | Path | None = None) -> str:
    """Return a scratch folder for a notebook run by hand to write its results to.

    ``$EVALUATION_RESULTS`` when set; else ``results/<cohort folder name>`` in the workspace the
    working directory is in, or in the checkout's git-ignored ``lab/``, or in a temporary folder.
    Never ``reports/``: only `evaluation report` writes there. The folder is not created here.
    """
    env = os.environ.get(RESULTS_ENV)
    if env:
        return str(Path(env).expanduser().resolve())
    name = Path(str(cohort)).name if cohort else ""
    folder = _scratch() / name if name else _scratch()
    return str(folder.resolve())


def agency(cohort: str | Path | None = None) -> str:
    """Return a default agency for the agency template: the cohort's largest (first by name on a tie).

    Read from the roster; an empty string when there is none to read. Never raises.
    """
    folder = Path(str(cohort)) if cohort else Path(cohort_dir())
    sizes: dict[str, int] = {}
    with (
        contextlib.suppress(OSError, UnicodeDecodeError, csv.Error),
        (folder / "roster.csv").open(encoding="utf-8-sig", newline="") as handle,
    ):
        for row in csv.DictReader(handle):
            name = (row.get("agency") or "").strip()
            if name:
                sizes[name] = sizes.get(name, 0) + 1
    return min(sizes, key=lambda a: (-sizes[a], a)) if sizes else ""


# --------------------------------------------------------------------------------------------------
# The analyst's workspace


_WORKSPACE_HEADER = """\
# Analytikerns arbetsyta / The analyst's workspace (evaluation lab, make lab).
# The notebooks here are copies of the report templates: explore, add cells, plot freely. Nothing
# here is published: evaluation report runs the package's templates (or the folder a cohort names as
# report_templates in cohort.yml), never these copies. Results of these notebooks go to results/.
# cohort: the cohort the notebooks read by default (evaluation lab --cohort DIR changes it;
# $EVALUATION_COHORT overrides it).
"""

_README = """\
# lab/ — analytikerns arbetsyta / the analyst's workspace

Kopior av rapportmallarna att utforska i. Inget här publiceras: `evaluation report` kör paketets mallar
(eller mappen som kohortens `cohort.yml` anger som `report_templates`), aldrig de här kopiorna.
Mappen hålls utanför git.

Copies of the report templates to explore in. Nothing here is published: `evaluation report` runs
the package's templates (or the folder cohort.yml names as `report_templates`), never these copies.
This folder is kept out of git.

- The notebooks read the cohort in `workspace.yml` (`make lab COHORT=data/2027`, or
  `evaluation lab --cohort data/2027`; `$EVALUATION_COHORT` overrides it) and write their results to
  `results/<cohort>/` here, never to `reports/`.
- `make lab REFRESH=1` (`evaluation lab --refresh`) replaces the copies with the current templates;
  copies you edited are kept in `backup/<time>/` first.
- An adapted report meant for publication belongs in a folder of its own, named in cohort.yml as
  `report_templates: path/to/folder`; a change to the toolkit's own templates goes into
  `notebooks/` followed by `evaluation templates lock`.
"""


@dataclass
class LabWorkspace:
    """What `prepare_lab` did: the folder, its cohort, and the notebooks copied, kept or backed up."""

    folder: Path
    cohort: Path
    copied: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    backed_up: list[str] = field(default_factory=list)
    differ: list[str] = field(default_factory=list)
    """Copies that differ from the current templates and were kept (refresh with ``--refresh``)."""


def _same_cells(a: Path, b: Path) -> bool:
    try:
        return template_cells(a) == template_cells(b)
    except EvaluationError:
        return False


def prepare_lab(
    folder: Path | None = None,
    *,
    cohort: Path | None = None,
    refresh: bool = False,
    templates: Path | None = None,
) -> LabWorkspace:
    """Create (or refresh, on request) the analyst's workspace: a copy of the report templates.

    Parameters
    ----------
    folder : pathlib.Path, optional
        The workspace (default ``lab/`` in the repository of a checkout, else ``./lab``). It must not
        be the templates folder itself.
    cohort : pathlib.Path, optional
        The cohort the notebooks read by default; recorded in ``workspace.yml``. Default: the one
        recorded already, else the demo (`cohort_dir`).
    refresh : bool
        Replace the copies with the current templates; a copy whose cells differ from its template
        is first moved to ``backup/<time>/``. Without it, only missing copies are added.
    templates : pathlib.Path, optional
        Where the templates are (default `packaged_notebooks_dir`).
    """
    import yaml

    templates = Path(templates) if templates is not None else packaged_notebooks_dir()
    if folder is None:
        root = repository_root()
        folder = (root if root is not None else Path.cwd()) / LAB
    folder = Path(folder).absolute()
    if folder.exists() and folder.resolve() == templates.resolve():
        raise EvaluationError(
            f"{folder}: arbetsytan får inte vara mallmappen / the workspace must not be the templates "
            "folder: a notebook saved there would change the reports"
        )
    if cohort is not None and not (Path(cohort) / "cohort.yml").is_file():
        raise EvaluationError(f"{cohort}: ingen kohortmapp (cohort.yml saknas) / not a cohort folder")
    folder.mkdir(parents=True, exist_ok=True)
    settings = _settings(folder) if (folder / WORKSPACE_FILE).is_file() else {}
    if cohort is not None:
        chosen = Path(cohort).resolve()
    elif settings.get("cohort"):
        chosen = (folder / str(settings["cohort"])).resolve()
    else:
        env = os.environ.get(COHORT_ENV)
        chosen = Path(env).resolve() if env else _demo().resolve()
    body = yaml.safe_dump({"cohort": str(chosen)}, allow_unicode=True, sort_keys=False)
    (folder / WORKSPACE_FILE).write_text(_WORKSPACE_HEADER + body, encoding="utf-8")
    (folder / ".gitignore").write_text("# the analyst's workspace stays out of git\n*\n", encoding="utf-8")
    if refresh or not (folder / "README.md").exists():
        (folder / "README.md").write_text(_README, encoding="utf-8")
    done = LabWorkspace(folder, chosen)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for template in sorted(templates.glob("*.ipynb")):
        copy = folder / template.name
        if not copy.exists():
            shutil.copyfile(template, copy)
            done.copied.append(template.name)
            continue
        if _same_cells(copy, template):
            if refresh:
                shutil.copyfile(template, copy)  # drops outputs too
            continue
        if not refresh:
            done.differ.append(template.name)
            continue
        backup = folder / BACKUP / stamp
        backup.mkdir(parents=True, exist_ok=True)
        shutil.move(copy, backup / template.name)
        shutil.copyfile(template, copy)
        done.backed_up.append(f"{BACKUP}/{stamp}/{template.name}")
        done.refreshed.append(template.name)
    (folder / "results").mkdir(exist_ok=True)
    return done
