"""Coverage of the 95% confidence intervals of change on synthetic cohorts with known truth.

Run: ``.venv/bin/python benchmarks/coverage.py [repetitions] [pairs]``. Each repetition generates a
cohort with a new seed, ingests it, scores it and computes `evaluation.outcomes.cohort_change`; the
script prints, per construct and role and overall, the share of intervals that contain the true
change from truth.json (expected: about 0.95), and the mean estimated perception-accuracy gain
against the true one.
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from evaluation import outcomes
from evaluation.ingest import ingest_cohort
from evaluation.scoring import score
from evaluation.survey import load_templates
from evaluation.synth import synthesize


def main(repetitions: int, pairs: int) -> None:
    warnings.simplefilter("ignore")
    templates = load_templates()
    hits, gains = [], []
    start = time.perf_counter()
    for rep in range(repetitions):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "c"
            truth = synthesize(folder, templates, pairs=pairs, agencies=8, seed=1000 + rep, fmt="generic")
            ingest_cohort(folder, templates)
            responses = pd.read_parquet(folder / "processed" / "responses.parquet")
        table = outcomes.cohort_change(score(responses, templates)).set_index(["construct", "role"])
        for entry in truth["change"]:
            row = table.loc[(entry["construct"], entry["role"])]
            hits.append(
                {
                    "construct": entry["construct"],
                    "role": entry["role"],
                    "covered": row["ci_low"] <= entry["true_mean_diff"] <= row["ci_high"],
                }
            )
        _, group = outcomes.perception_accuracy(responses, templates)
        group = group.set_index(["role", "wave"])["group_error"]
        for entry in truth["perception"]:
            role = entry["role"]
            gains.append(
                {
                    "role": role,
                    "estimated": group[(role, "pre")] - group[(role, "post")],
                    "true": entry["gain_group"],
                }
            )
    hits = pd.DataFrame(hits)
    print(f"{repetitions} cohorts of {pairs} pairs in {time.perf_counter() - start:.0f} s")
    print(hits.groupby(["construct", "role"])["covered"].mean().round(3).to_string())
    print(f"overall coverage: {hits['covered'].mean():.3f} over {len(hits)} intervals")
    print(pd.DataFrame(gains).groupby("role")[["estimated", "true"]].mean().round(3).to_string())


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if args else 100, args[1] if len(args) > 1 else 40)
