"""Time of `evaluation.report.feedback.write_feedback` for a national rollout: 10,000 pairs, 20,000 pages
(the issue's target: about a minute; one pair notebook used to cost about 0.8 s).

Run: ``.venv/bin/python benchmarks/feedback_scale.py [pairs]``. The cohort is synthesized, ingested
and loaded first (each timed separately, not part of the figure), then the pages are written twice:
with ``pair_feedback: individual`` (the default) and with ``shared`` (the partner's non-sensitive
scores added; the instruments re-pinned as if their forms had announced it). Prints seconds and
pages per second for each.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from evaluation.ingest import ingest_cohort
from evaluation.report.data import load
from evaluation.report.feedback import write_feedback
from evaluation.survey import load_templates
from evaluation.synth import as_if_announced_shared, synthesize


def _timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label:<34} {time.perf_counter() - start:7.1f} s", flush=True)
    return result


def main(pairs: int) -> None:
    templates = load_templates()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cohort"
        _timed(f"synthesize {pairs} pairs", synthesize, folder, templates, pairs=pairs, agencies=20, seed=1)
        _timed("ingest", ingest_cohort, folder, templates)
        data = _timed("load and score", load, folder)
        print(f"scores: {len(data.scores):,} rows; responses: {len(data.responses):,} rows")
        for mode, cohort in (("individual", data), ("shared", as_if_announced_shared(data))):
            out = Path(tmp) / f"reports-{mode}"
            start = time.perf_counter()
            pages = write_feedback(cohort, out, lang="sv")
            seconds = time.perf_counter() - start
            size = sum(p.stat().st_size for p in pages) / len(pages) / 1024
            print(
                f"write_feedback ({mode:<10}) {len(pages):>6} pages  {seconds:6.1f} s  "
                f"{len(pages) / seconds:7.0f} pages/s  {size:.1f} kB/page",
                flush=True,
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
