"""Shared fixtures: the repository's templates, and a writable copy of them to plant faults in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from evaluation.instruments import Templates, load_templates

REPO = Path(__file__).resolve().parents[1]
SURVEYS = REPO / "surveys"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def templates() -> Templates:
    return load_templates(SURVEYS)


@pytest.fixture
def surveys_copy(tmp_path: Path) -> Path:
    """A copy of surveys/ that a test may break."""
    target = tmp_path / "surveys"
    shutil.copytree(SURVEYS, target)
    return target


def read_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_yaml(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
