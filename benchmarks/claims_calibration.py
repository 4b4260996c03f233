"""Do the reports' claims keep their error rates, find real changes, and cover the truth? (issue 13)

Run: ``.venv/bin/python benchmarks/claims_calibration.py [null] [agency] [realistic] [flat]``
(cohorts of each kind; defaults 200, 100, 100, 0; two worker processes; hours on 2 cores, most of
it in the 150-pair agency cohorts; progress every 20 cohorts, each result appended to
``$TMPDIR/claims_calibration.jsonl``; ``--from-log`` summarises that file, even of an interrupted
run; ``CALIBRATION_FIRST_SEED=1000`` draws further cohorts for a second run;
``CALIBRATION_REALISTIC_PAIRS=120`` makes the realistic cohorts that size). Every cohort goes the
whole way:
`evaluation.synth.synthesize` (generic exports), `evaluation.ingest.ingest_cohort`,
`evaluation.report.load`, then the claims the reports write (`evaluation.report.claims`) and the
primary estimates (`evaluation.report.primary_change`). It prints:

1. **Null cohorts** (``effects="null"``, 40 pairs, 6 agencies): the share of cohorts with any
   cohort-scope claim other than ``no_clear_change`` in the primary family (target <= 5 %) and over
   both families (target <= 10 %), each with its Monte Carlo standard error.
2. **Null agency cohorts** (150 pairs in 3 agencies, so that agency groups reach ``min_n_for_claims``;
   ``agency_variation=False``, so that every agency's true change is zero too): the share with any
   agency-scope claim (target <= 5 %).
3. **Realistic cohorts** (60 pairs, 6 agencies): the share of primary outcomes with a true change of
   at least 0.3 latent SD that the primary claims find (target >= 50 %), and the coverage of the
   primary estimates' 95 % intervals of the true change (target 93-97 %).
4. **Flat realistic cohorts** (the same, but agencies do not differ in true change): what the power
   and coverage are when the only heterogeneity is between people and pairs.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import sys
import tempfile
import time
import warnings
from multiprocessing import Pool
from pathlib import Path

os.environ.setdefault("EVALUATION_PSEUDONYM_KEY", "benchmark-nyckel-som-bara-finns-här")


def _cohort(args: tuple[str, int, int, int]) -> dict:
    kind, seed, pairs, agencies = args
    warnings.simplefilter("ignore")
    from evaluation import report
    from evaluation.ingest import ingest_cohort
    from evaluation.report.data import analysis_plan
    from evaluation.survey import load_templates
    from evaluation.synth import synthesize

    templates = load_templates()
    effects = "realistic" if kind in ("realistic", "flat") else "null"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "c"
        truth = synthesize(
            folder,
            templates,
            pairs=pairs,
            agencies=agencies,
            seed=seed,
            fmt="generic",
            effects=effects,
            agency_variation=kind not in ("agency", "flat"),  # every agency's true change is the cohort's
        )
        ingest_cohort(folder, templates)
        data = report.load(folder)
        claims = report.claims(data).frame
        primary = report.primary_change(data).frame
    cohort = claims[claims["scope"] == "cohort"]
    claimed = cohort["claim"] != "no_clear_change"
    result = {
        "kind": kind,
        "pairs": pairs,
        "primary_claim": bool((claimed & (cohort["family"] == "primary")).any()),
        "any_claim": bool(claimed.any()),
        "agency_claim": bool((claims.loc[claims["scope"] != "cohort", "claim"] != "no_clear_change").any()),
        "found": 0,
        "targets": 0,
        "covered": 0,
        "intervals": 0,
    }
    if kind in ("realistic", "flat"):
        plan = analysis_plan(data)
        table = primary.set_index(["construct", "role"])
        for entry in truth["change"]:
            key = (entry["construct"], entry["role"])
            if key not in plan.primary or key not in table.index or math.isnan(table.loc[key, "ci_low"]):
                continue
            row = table.loc[key]
            result["intervals"] += 1
            result["covered"] += int(row["ci_low"] <= entry["true_mean_diff"] <= row["ci_high"])
            if entry["latent_shift"] >= 0.3:
                result["targets"] += 1
                result["found"] += int(row["claim"] == "increase")
    return result


def _share(hits: int, n: int) -> str:
    if n == 0:
        return "–"
    p = hits / n
    return f"{100 * p:.1f} % (± {100 * math.sqrt(p * (1 - p) / n):.1f}, n = {n})"


PROGRESS = Path(tempfile.gettempdir()) / "claims_calibration.jsonl"
REALISTIC = {
    "realistic": "Realistic cohorts, {pairs} pairs, 6 agencies:",
    "flat": "Realistic cohorts without agency variation in change, {pairs} pairs, 6 agencies:",
}


def main(null: int, agency: int, realistic: int, flat: int = 0) -> None:
    first = int(os.environ.get("CALIBRATION_FIRST_SEED", "0"))  # a further run: new cohorts, not the same
    size = int(os.environ.get("CALIBRATION_REALISTIC_PAIRS", "60"))  # realistic cohorts of another size
    kinds = (
        [("null", 10_000 + first + i, 40, 6) for i in range(null)],
        [("agency", 20_000 + first + i, 150, 3) for i in range(agency)],
        [("realistic", 30_000 + first + i, size, 6) for i in range(realistic)],
        [("flat", 30_000 + first + i, size, 6) for i in range(flat)],
    )
    # interleaved, so that an interrupted run still has results of every kind
    jobs = [job for group in itertools.zip_longest(*kinds) for job in group if job is not None]
    start = time.perf_counter()
    results = []
    with Pool(2) as pool, PROGRESS.open("w", encoding="utf-8") as log:
        for done, result in enumerate(pool.imap_unordered(_cohort, jobs), start=1):
            results.append(result)
            log.write(json.dumps(result) + "\n")  # partial results survive an interrupted run
            log.flush()
            if done % 20 == 0:
                print(f"{done}/{len(jobs)} cohorts, {(time.perf_counter() - start) / 60:.1f} min", flush=True)
    print(f"{len(results)} cohorts in {(time.perf_counter() - start) / 60:.1f} min")
    summarise(results)


def summarise(results: list[dict]) -> None:
    """Print the shares the issue's targets name."""
    nulls = [r for r in results if r["kind"] == "null"]
    agencies = [r for r in results if r["kind"] == "agency"]
    print("Null cohorts, 40 pairs, 6 agencies:")
    print("  any primary claim:             ", _share(sum(r["primary_claim"] for r in nulls), len(nulls)))
    print("  any claim, both families:      ", _share(sum(r["any_claim"] for r in nulls), len(nulls)))
    print("Null cohorts, 150 pairs, 3 agencies:")
    print(
        "  any agency claim:              ", _share(sum(r["agency_claim"] for r in agencies), len(agencies))
    )
    print(
        "  any primary claim (cohort):    ", _share(sum(r["primary_claim"] for r in agencies), len(agencies))
    )
    for kind, pairs in sorted({(r["kind"], r.get("pairs", 60)) for r in results if r["kind"] in REALISTIC}):
        group = [r for r in results if r["kind"] == kind and r.get("pairs", 60) == pairs]
        print(REALISTIC[kind].format(pairs=pairs))
        print(
            "  true changes >= 0.3 SD found:  ",
            _share(sum(r["found"] for r in group), sum(r["targets"] for r in group)),
        )
        print(
            "  coverage of primary 95% CIs:   ",
            _share(sum(r["covered"] for r in group), sum(r["intervals"] for r in group)),
        )


if __name__ == "__main__":
    if sys.argv[1:] == ["--from-log"]:  # summarise a partial or finished run
        summarise([json.loads(line) for line in PROGRESS.read_text(encoding="utf-8").splitlines()])
        sys.exit()
    counts = [int(a) for a in sys.argv[1:5]] + [200, 100, 100, 0][len(sys.argv[1:5]) :]
    main(*counts)
