"""Report build speed on the demo cohort: naive papermill + nbconvert CLI loop, cold, and unchanged.

Run: ``.venv/bin/python benchmarks/report_speed.py [cohort_dir]`` (default data/demo, ingested; e.g.
after ``make demo``), or ``benchmarks/report_speed.py --synth 200 30`` for a synthetic cohort of 200
pairs in 30 agencies (made with `evaluation synth` and `evaluation ingest` in a temporary folder; the
issue's size). Measures, in one run: (1) the naive loop, the papermill CLI then the nbconvert CLI for
every report notebook, with the same notebooks and parameters; (2) `evaluation report --force` (cold:
every report runs, two workers; the brief, the feedback pages and the audit are part of the command
and of its time); (3) `evaluation report` again with nothing changed (audit included).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evaluation.report.build import plan

BIN = Path(sys.executable).parent
os.environ.setdefault("EVALUATION_PSEUDONYM_KEY", "benchmark-nyckel-som-bara-finns-här")


def naive(cohort_dir: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        tasks, _ = plan(cohort_dir, Path(tmp))
        start = time.perf_counter()
        for i, task in enumerate(tasks):
            executed = Path(tmp) / f"{i}.ipynb"
            params = Path(tmp) / f"{i}.yml"
            params.write_text(json.dumps(task.parameters), encoding="utf-8")  # JSON is YAML
            subprocess.run(
                [
                    BIN / "papermill",
                    str(task.notebook),
                    str(executed),
                    "-f",
                    str(params),
                    "--no-progress-bar",
                ],
                check=True,
                capture_output=True,
            )
            subprocess.run(
                [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", str(executed)],
                check=True,
                capture_output=True,
            )
        return time.perf_counter() - start, len(tasks)


def cli(cohort_dir: Path, out: Path, *extra: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [BIN / "evaluation", "report", str(cohort_dir), "--out", str(out), *extra],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main(cohort_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "reports"
        shutil.rmtree(cohort_dir / "processed" / ".cache", ignore_errors=True)  # cold: no fitted models
        cold = cli(cohort_dir, out, "--force", "--jobs", "2")
        unchanged = cli(cohort_dir, out)
    loop, n = naive(cohort_dir)
    print(
        f"{n} reports: naive loop {loop:.1f} s ({loop / n:.2f} s per report); "
        f"evaluation report cold {cold:.1f} s ({cold / n:.2f} s per report, {loop / cold:.1f}x faster); "
        f"unchanged re-run {unchanged:.2f} s"
    )


def synthetic(folder: Path, pairs: int, agencies: int) -> Path:
    """Make and ingest a synthetic cohort of `pairs` pairs in `agencies` agencies."""
    subprocess.run(
        [BIN / "evaluation", "synth", str(folder), "--pairs", str(pairs), "--agencies", str(agencies)],
        check=True,
        capture_output=True,
    )
    subprocess.run([BIN / "evaluation", "ingest", str(folder)], check=True, capture_output=True)
    return folder


if __name__ == "__main__":
    if sys.argv[1:2] == ["--synth"]:
        with tempfile.TemporaryDirectory() as root:
            main(synthetic(Path(root) / "cohort", int(sys.argv[2]), int(sys.argv[3])))
    else:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data/demo"))
