"""Time and peak memory of `evaluation ingest` on a 10,000-pair synthetic cohort (the issue's target:
under 20 s and under 2 GB on 2 cores).

Run: ``.venv/bin/python benchmarks/ingest_scale.py [pairs] [format ...]``. The cohort is generated
first (not timed); ingest then runs in a fresh process, whose wall time and peak resident memory
(ru_maxrss of the child) are printed.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evaluation.survey import load_templates
from evaluation.synth import synthesize


def main(pairs: int, formats: list[str]) -> None:
    templates = load_templates()
    for fmt in formats:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "cohort"
            truth = synthesize(folder, templates, pairs=pairs, agencies=20, seed=1, fmt=fmt, mess=True)
            rows = sum(s["rows"] for s in truth["sources"])
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "evaluation", "ingest", str(folder)], check=True, capture_output=True
            )
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            size = (folder / "processed" / "responses.parquet").stat().st_size
            rss = max(peak, before) / 1024
            print(
                f"{pairs:>6} pairs  {fmt:<9} ingest {seconds:6.1f} s  peak RSS {rss:7.0f} MB"
                f"  {rows} rows read  responses.parquet {size / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 10_000, args[1:] or ["generic", "mixed"])
