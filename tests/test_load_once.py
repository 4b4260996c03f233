"""A build loads and scores a cohort once per process, and sees when its data change (issue 14, item 12)."""

from __future__ import annotations

import os

from evaluation import report


def test_a_cohort_is_loaded_once_and_again_when_its_files_change(cohorts):
    _, (first, second) = cohorts
    data = report.load(first)
    assert report.load(first) is data  # the same scored cohort, with its memo
    assert report.change_by_agency(data) is report.change_by_agency(data)  # computed once per cohort
    data.config.min_group_size = 100  # a caller's change to the settings is never shared
    changed = report.load(first)
    assert changed is not data and changed.config.min_group_size != 100
    data = changed
    other = report.load(second)
    assert other is not data and other.folder == second
    responses = first / "processed" / "responses.parquet"
    stat = responses.stat()
    os.utime(responses, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # an ingest re-run
    again = report.load(first)
    assert again is not data and "change_by_agency" not in again.memo
