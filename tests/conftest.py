"""Shared fixtures: the repository's templates, and a writable copy of them to plant faults in."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from evaluation.survey import Templates, load_templates

REPO = Path(__file__).resolve().parents[1]
SURVEYS = REPO / "surveys"
DATA = Path(__file__).parent / "data"  # published R reference datasets (tests/data/README.md)


def _shared() -> Path:
    """Return the shared folder (real exports, reference data).

    $EVALUATION_SHARED, else ../shared beside the repository, else the workplace's /work/shared.
    """
    for candidate in (os.environ.get("EVALUATION_SHARED"), REPO.parent / "shared", "/work/shared"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return REPO.parent / "shared"


SHARED = _shared()


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


@pytest.fixture(scope="session")
def cohorts(templates, tmp_path_factory):
    """Two small messy synthetic cohorts, ingested."""
    from evaluation.ingest import ingest_cohort
    from evaluation.synth import synthesize

    root = tmp_path_factory.mktemp("reporting")
    folders = []
    for seed in (1, 2):
        folder = root / f"cohort{seed}"
        synthesize(folder, templates, pairs=6, agencies=2, seed=seed, fmt="mixed", mess=True)
        ingest_cohort(folder, templates)
        folders.append(folder)
    return root, folders


@pytest.fixture(scope="session")
def built(cohorts):
    """The reports of the first cohort (with a comparison against the second)."""
    from evaluation.report.build import build_reports

    root, (first, second) = cohorts
    out = root / "reports" / "cohort1"
    index, results = build_reports(first, out, jobs=2, compare=[second], progress=False)
    return out, index, results
