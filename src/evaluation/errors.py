"""Exception types that carry what a user needs to find and fix a problem.

Every message a user reads names the file and the place in it (item, row, column), says what was found
and what was expected. Messages are written Swedish first, English second.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem found in a file.

    Attributes
    ----------
    file : pathlib.Path
        The file the problem is in.
    where : str
        The place in the file: an item id, a construct id, a scale id or a field path.
    sv, en : str
        What is wrong and what was expected, in Swedish and in English.
    kind : str
        ``"unreleased"`` for an instrument version not yet released (which `release` fixes), else
        ``"error"``.
    """

    file: Path
    where: str
    sv: str
    en: str
    kind: str = "error"

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.sv} / {self.en}"


class EvaluationError(Exception):
    """Base class of the toolkit's errors; the CLI prints them without a traceback."""


class TemplateError(EvaluationError):
    """The survey templates are invalid.

    Parameters
    ----------
    problems : list of Problem
        Every problem found; the message lists them all.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [f"{len(self.problems)} fel i enkätmallarna / errors in the survey templates:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class CohortError(EvaluationError):
    """A cohort folder or its cohort.yml is missing, invalid, or would be overwritten."""


class IngestError(EvaluationError):
    """A structural problem that stops ingest: a missing, unreadable or unmappable export.

    Parameters
    ----------
    file : str or pathlib.Path
        The file concerned.
    message : str
        What was found and what was expected (Swedish / English).
    row, column : optional
        Where in the file, when it is known (row: 1-based data row; column: the header as written).
    """

    def __init__(self, file: str | Path, message: str, *, row: int | None = None, column: str | None = None):
        self.file, self.row, self.column = str(file), row, column
        where = "".join(
            [f", rad/row {row}" if row is not None else "", f", kolumn/column {column!r}" if column else ""]
        )
        super().__init__(f"{file}{where}: {message}")
