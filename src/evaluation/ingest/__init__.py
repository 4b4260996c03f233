"""Ingest: survey exports in, validated, pseudonymized, tidy data out, and nothing lost.

`read_export` reads any export as it is; `ingest_cohort` turns a cohort folder's exports into
``processed/`` with a quarantine and a report (`evaluation.ingest.run`).
"""

from evaluation.ingest.read import detect_platform, read_export
from evaluation.ingest.run import ingest_cohort

__all__ = ["detect_platform", "ingest_cohort", "read_export"]
