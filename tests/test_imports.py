"""The package's import graph, read with `ast` from src/evaluation: no circle, and the layers hold.

Every import statement counts, also one inside a function or under ``if TYPE_CHECKING``: a circle
hidden in a lazy import is still a circle. A *unit* is a top-level module (``evaluation.cohort``) or
sub-package (``evaluation.survey``, with everything in it).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import evaluation

ROOT = Path(evaluation.__file__).resolve().parent
PACKAGE = "evaluation"


def _units() -> set[str]:
    return {
        p.stem if p.is_file() else p.name
        for p in ROOT.iterdir()
        if (p.is_file() and p.suffix == ".py") or (p.is_dir() and (p / "__init__.py").is_file())
    }


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imports(path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """Yield every ``evaluation...`` module `path` imports, from-imports of submodules resolved."""
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                yield submodule if submodule in modules else module


def _unit(module: str, units: set[str]) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in units else "__init__"


def _unit_graph() -> dict[str, dict[str, set[str]]]:
    """Unit to {imported unit: the modules of the unit that import it}."""
    units, modules = _units(), _modules()
    graph: dict[str, dict[str, set[str]]] = {u: {} for u in [*units, "__init__"]}
    for name, path in modules.items():
        source = _unit(name, units) if name != PACKAGE else "__init__"
        for imported in _imports(path, modules):
            target = _unit(imported, units)
            if target != source:
                graph[source].setdefault(target, set()).add(name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return one path for every circle found by depth-first search (empty when the graph is acyclic)."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def _imported_units(unit: str) -> dict[str, set[str]]:
    return _unit_graph()[unit]


def test_the_graph_is_read():
    graph = _unit_graph()
    assert {"survey", "forms", "formats", "ingest", "report", "cli"} <= set(graph)
    assert "survey" in graph["forms"] and "survey" in graph["formats"] and "formats" in graph["ingest"]


def test_no_circle_between_top_level_modules_and_sub_packages():
    graph = {unit: set(targets) for unit, targets in _unit_graph().items()}
    assert _cycles(graph) == []


def test_no_circle_between_modules_apart_from_package_reexports():
    """Module by module, an import of a package's ``__init__`` (its public API) aside, nothing circles."""
    modules = _modules()
    packages = {_module_name(p) for p in modules.values() if p.name == "__init__.py"}
    graph = {
        name: {m for m in _imports(path, modules) if m in modules and m not in packages and m != name}
        for name, path in modules.items()
        if name not in packages
    }
    assert _cycles(graph) == []


def test_survey_imports_nothing_of_the_package_but_errors():
    assert set(_imported_units("survey")) == {"errors"}


@pytest.mark.parametrize(
    ("unit", "forbidden"),
    [
        ("formats", {"forms", "ingest", "report", "synth"}),
        ("forms", {"formats", "ingest", "report", "synth"}),
    ],
)
def test_forms_and_formats_build_on_survey_only(unit, forbidden):
    imported = _imported_units(unit)
    assert not forbidden & set(imported), {u: sorted(imported[u]) for u in forbidden & set(imported)}


def test_old_module_paths_are_gone():
    for old in ("instruments", "template_checks", "versioning"):
        assert not (ROOT / f"{old}.py").exists()
    assert not (ROOT / "forms" / "questions.py").exists()


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []
