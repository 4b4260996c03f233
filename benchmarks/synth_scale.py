"""How long `evaluation synth` takes for a national scale-up: 10,000 pairs (20,000 participants).

Run: ``.venv/bin/python benchmarks/synth_scale.py [pairs ...]``. Prints seconds per format, split into
the one-off truth simulation (independent of cohort size, cached per process) and the cohort itself.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from evaluation.survey import load_templates
from evaluation.synth import _truth, synthesize


def main(sizes: list[int]) -> None:
    templates = load_templates()
    start = time.perf_counter()
    _truth(templates, 0.8)
    print(f"truth simulation (once per process): {time.perf_counter() - start:.1f} s")
    for pairs in sizes:
        for fmt in ("generic", "mixed", "ms-forms"):
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                truth = synthesize(
                    Path(tmp) / "c", templates, pairs=pairs, agencies=20, seed=1, fmt=fmt, mess=True
                )
                seconds = time.perf_counter() - start
                rows = sum(s["rows"] for s in truth["sources"])
                size = sum(p.stat().st_size for p in (Path(tmp) / "c").rglob("*") if p.is_file())
            print(f"{pairs:>6} pairs  {fmt:<9} {seconds:6.1f} s  {rows:>8} rows  {size / 1e6:6.1f} MB")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [40, 10_000])
