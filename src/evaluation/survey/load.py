"""Reading the survey templates from YAML: `load_templates`, `check_templates`, `default_surveys_dir`.

The templates under ``surveys/`` are data that a coordinator reads and edits:

- ``scales.yml``: response scales with value labels in Swedish and English;
- ``constructs.yml``: what each construct measures, how it is scored, the literature behind it, and
  whether it is sensitive (a score nobody but the respondent may see);
- ``items.yml``: the item bank; every item defined once, with the id that becomes its column name;
- ``instruments/<id>.yml``: an instrument (baseline, followup, ...): its version, what its forms tell
  respondents their partner will see (``partner_feedback``, default ``individual``) and sections,
  each listing item ids from the bank;
- ``versions.yml``: the content hash of every released instrument version (see
  `evaluation.survey.versioning`).

`load_templates` reads them all, validates each file against `evaluation.survey.model`, runs the
cross-reference checks of `evaluation.survey.checks` and the version checks, and raises
`TemplateError` listing every problem with file, place and reason; `check_templates` returns the
problems instead.

``surveys/`` lives at the repository root, where coordinators edit it, and ships inside the package
as ``evaluation/survey/templates`` (in a checkout a symbolic link to the root folder), so that an
installed wheel has the templates too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from evaluation.errors import Problem, TemplateError
from evaluation.survey import checks, versioning
from evaluation.survey.model import (
    Construct,
    Instrument,
    InstrumentSpec,
    Item,
    Scale,
    Section,
    Templates,
    _Model,
)

__all__ = ["check_templates", "default_surveys_dir", "load_templates", "packaged_surveys_dir"]

_PACKAGED = Path(__file__).resolve().parent / "templates"
"""Where ``surveys/`` ships inside the package; see `packaged_surveys_dir`."""


RELEASED_DIR = "released"
"""Under ``instruments/``: a frozen copy of every released version, ``<id>-<version>.yml``."""


def packaged_surveys_dir() -> Path:
    """Return the copy of ``surveys/`` that ships inside the package (``evaluation/survey/templates``)."""
    return _PACKAGED


def default_surveys_dir() -> Path:
    """Return the templates folder.

    ``$EVALUATION_SURVEYS`` when set, else ``./surveys`` in the working directory, else the
    repository's ``surveys/`` when the package runs from a checkout (an editable install), else the
    copy packaged with the package (`packaged_surveys_dir`).
    """
    env = os.environ.get("EVALUATION_SURVEYS")
    if env:
        return Path(env)
    here = Path.cwd() / "surveys"
    if here.is_dir():
        return here
    checkout = _checkout_surveys_dir()
    return checkout if checkout is not None else packaged_surveys_dir()


def _checkout_surveys_dir() -> Path | None:
    """Return the repository's ``surveys/`` when this module runs from a checkout's ``src/``, else None."""
    parents = Path(__file__).resolve().parents
    if len(parents) < 4:
        return None
    root = parents[3]  # <root>/src/evaluation/survey/load.py
    surveys = root / "surveys"
    return surveys if surveys.is_dir() and (root / "pyproject.toml").is_file() else None


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        problems.append(Problem(path, "-", "filen saknas", "the file is missing"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "-"
        problems.append(Problem(path, where, "ogiltig YAML", f"invalid YAML: {exc}"))
    return None


def _locate(raw: Any, loc: tuple[Any, ...]) -> str:
    """Describe a pydantic error location by the innermost id found on the way, plus the field path."""
    where = raw["id"] if isinstance(raw, dict) and isinstance(raw.get("id"), str) else ""
    node, path = raw, []
    for key in loc:
        path.append(str(key))
        inside = (isinstance(node, dict) and key in node) or (
            isinstance(node, list) and isinstance(key, int) and key < len(node)
        )
        node = node[key] if inside else None
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            where, path = node["id"], []
    field = ".".join(path)
    return f"{where}: {field}" if where and field else where or field or "-"


def _validate(model: type[_Model], raw: Any, path: Path, problems: list[Problem]) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            where = _locate(raw, tuple(err["loc"]))
            msg = err["msg"].removeprefix("Value error, ")
            found = err.get("input")
            if err["type"] == "missing":
                problems.append(Problem(path, where, "fält saknas", "field required"))
            else:
                shown = repr(found) if not isinstance(found, dict | list) else type(found).__name__
                problems.append(Problem(path, where, f"ogiltigt värde {shown}", f"{msg}"))
        return None


def _read_scales(path: Path, problems: list[Problem]) -> dict[str, Scale]:
    raw = _read_yaml(path, problems)
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not isinstance(raw.get("scales"), dict):
        problems.append(Problem(path, "-", "toppnyckeln 'scales' saknas", "expected a 'scales' map"))
        return {}
    scales = {}
    for scale_id, body in raw["scales"].items():
        body = {"id": scale_id, **body} if isinstance(body, dict) else body
        scale = _validate(Scale, body, path, problems)
        if scale is not None:
            scales[scale_id] = scale
    return scales


def _read_list(path: Path, key: str, model: type[_Model], problems: list[Problem]) -> dict[str, Any]:
    """Read a file holding a list of records under `key`, each validated by `model`, by id."""
    raw = _read_yaml(path, problems)
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not isinstance(raw.get(key), list):
        problems.append(Problem(path, "-", f"toppnyckeln '{key}' saknas", f"expected a '{key}' list"))
        return {}
    records: dict[str, Any] = {}
    for body in raw[key]:
        record = _validate(model, body, path, problems)
        if record is None:
            continue
        if record.id in records:
            problems.append(Problem(path, record.id, "id:t finns två gånger", f"duplicate {key[:-1]} id"))
        records[record.id] = record
    return records


def _resolve_retrospective(items: dict[str, Item], path: Path, problems: list[Problem]) -> dict[str, Item]:
    """Give every ``then_of`` item the definition of the item it repeats.

    Its wording is the repeated item's ``then_text`` / ``then_role_text`` and its scale the
    ``then_scale`` when given (the past tense of version 2); otherwise the repeated item's own wording
    and scale (version 1).
    """
    resolved = dict(items)
    for item_id, item in items.items():
        if item.then_of is None:
            continue
        source = items.get(item.then_of)
        if source is None or source.then_of is not None:
            problems.append(
                Problem(
                    path,
                    item_id,
                    f"then_of pekar på {item.then_of!r}, som inte är en vanlig fråga",
                    f"then_of names {item.then_of!r}, which is not an ordinary item",
                )
            )
            del resolved[item_id]
            continue
        update: dict[str, object] = {"id": item_id, "then_of": source.id}
        if source.has_then_wording:
            update |= {
                "text": source.then_text,
                "role_text": dict(source.then_role_text),
                "scale": source.then_scale or source.scale,
                "then_text": None,
                "then_role_text": {},
                "then_scale": None,
            }
        resolved[item_id] = source.model_copy(update=update)
    return resolved


def _resolve(spec: InstrumentSpec, bank: dict[str, Item], path: Path, problems: list[Problem]):
    sections = []
    for section in spec.sections:
        items = []
        for item_id in section.items:
            if item_id in bank:
                items.append(bank[item_id])
            else:
                problems.append(
                    Problem(
                        path,
                        f"{section.id}: {item_id}",
                        "frågan finns inte i items.yml",
                        "the item is not defined in items.yml",
                    )
                )
        sections.append(Section(**section.model_dump(exclude={"items"}), items=tuple(items)))
    return Instrument(
        id=spec.id,
        version=spec.version,
        title=spec.title,
        intro=spec.intro,
        roles=spec.roles,
        sections=tuple(sections),
        partner_feedback=spec.partner_feedback,
    )


def _read_instruments(folder: Path, bank: dict[str, Item], problems: list[Problem]) -> dict[str, Instrument]:
    instruments: dict[str, Instrument] = {}
    files = sorted(folder.glob("*.yml"))
    if not files:
        problems.append(Problem(folder, "-", "inga instrument hittades", "no instrument files found"))
    for path in files:
        raw = _read_yaml(path, problems)
        if raw is None:
            continue
        spec = _validate(InstrumentSpec, raw, path, problems)
        if spec is None:
            continue
        if spec.id != path.stem:
            problems.append(
                Problem(
                    path,
                    spec.id,
                    f"id {spec.id!r} ska vara samma som filnamnet {path.stem!r}",
                    f"id {spec.id!r} must equal the file name {path.stem!r}",
                )
            )
        instruments[spec.id] = _resolve(spec, bank, path, problems)
    return instruments


def _read_archive(
    folder: Path, bank: dict[str, Item], problems: list[Problem]
) -> dict[str, dict[str, Instrument]]:
    """Read the frozen copies of released versions, ``released/<id>-<version>.yml``."""
    archive: dict[str, dict[str, Instrument]] = {}
    for path in sorted((folder / RELEASED_DIR).glob("*.yml")):
        raw = _read_yaml(path, problems)
        spec = _validate(InstrumentSpec, raw, path, problems) if raw is not None else None
        if spec is None:
            continue
        if path.stem != f"{spec.id}-{spec.version}":
            problems.append(
                Problem(
                    path,
                    spec.id,
                    f"filnamnet ska vara {spec.id}-{spec.version}.yml",
                    f"the file name must be {spec.id}-{spec.version}.yml",
                )
            )
            continue
        archive.setdefault(spec.id, {})[spec.version] = _resolve(spec, bank, path, problems)
    return archive


def _read_all(surveys_dir: Path) -> tuple[Templates | None, list[Problem]]:
    problems: list[Problem] = []
    if not surveys_dir.is_dir():
        problems.append(
            Problem(surveys_dir, "-", "mappen med enkätmallar saknas", "the templates folder is missing")
        )
        return None, problems
    scales = _read_scales(surveys_dir / "scales.yml", problems)
    constructs = _read_list(surveys_dir / "constructs.yml", "constructs", Construct, problems)
    items = _read_list(surveys_dir / "items.yml", "items", Item, problems)
    items = _resolve_retrospective(items, surveys_dir / "items.yml", problems)
    instruments = _read_instruments(surveys_dir / "instruments", items, problems)
    archive = _read_archive(surveys_dir / "instruments", items, problems)
    released = versioning.read_released(surveys_dir, problems)
    templates = Templates(
        directory=surveys_dir,
        scales=scales,
        constructs=constructs,
        items=items,
        instruments=instruments,
        released=released,
        archive=archive,
    )
    problems += checks.cross_check(templates)
    problems += versioning.check_versions(templates)
    return templates, problems


def check_templates(surveys_dir: Path | None = None) -> list[Problem]:
    """Check every template and return the problems found (an empty list when all is well).

    Parameters
    ----------
    surveys_dir : pathlib.Path, optional
        The templates folder; `default_surveys_dir` when omitted.

    Returns
    -------
    list of Problem
        Each with the file, the item (or construct, scale, field) and the reason in Swedish and English.
    """
    return _read_all(surveys_dir or default_surveys_dir())[1]


def load_templates(surveys_dir: Path | None = None, *, require_released: bool = True) -> Templates:
    """Load and check every template.

    Parameters
    ----------
    surveys_dir : pathlib.Path, optional
        The templates folder; `default_surveys_dir` when omitted.
    require_released : bool
        Whether an instrument version not yet released is a problem (False only for releasing it).

    Returns
    -------
    Templates
        Scales, constructs and instruments by id (retrospective items resolved) and released versions.

    Raises
    ------
    TemplateError
        If any template has a problem; the error lists them all.
    """
    templates, problems = _read_all(surveys_dir or default_surveys_dir())
    if not require_released:
        problems = [p for p in problems if p.kind != "unreleased"]
    if problems or templates is None:
        raise TemplateError(problems)
    return templates
