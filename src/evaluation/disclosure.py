"""Disclosure control: no statistic of a group smaller than the cohort's minimum reporting size.

`protect` is what every report table goes through: rows whose group is smaller than the minimum keep
their labels but lose every number, and say so. Pair feedback reports are the one exception by
design (a pair sees only itself) and do not use it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["COUNT_COLUMNS", "protect"]

COUNT_COLUMNS: tuple[str, ...] = ("n", "invited", "responded", "pairs", "n_completers", "n_dropouts")
"""Columns that count a group's members; the smallest of those present decides a row's fate."""


def protect(
    frame: pd.DataFrame, min_size: int, *, counts: Sequence[str] | None = None, labels: Sequence[str] = ()
) -> pd.DataFrame:
    """Hide every number of a row whose group is below the minimum reporting size.

    Parameters
    ----------
    frame : pandas.DataFrame
        A report table with one or more count columns (`COUNT_COLUMNS` by default).
    min_size : int
        The cohort's minimum reporting group size (cohort.yml ``min_group_size``).
    counts : sequence of str, optional
        The count columns to judge rows by; those of `COUNT_COLUMNS` present when omitted.
    labels : sequence of str
        Columns that identify the row (kept as they are); every other column is blanked.

    Returns
    -------
    pandas.DataFrame
        A copy with a ``suppressed`` column; suppressed rows keep their labels, every other value is
        missing, and a ``note`` column (added if absent) says why.

    Raises
    ------
    ValueError
        If `min_size` is below 1 or no count column is present.
    """
    if min_size < 1:
        raise ValueError(f"the minimum reporting size must be at least 1, got {min_size}")
    counts = [c for c in (counts or COUNT_COLUMNS) if c in frame.columns]
    if not counts:
        raise ValueError(f"no count column to judge group sizes by; expected one of {COUNT_COLUMNS}")
    table = frame.copy()
    sizes = table[counts].apply(pd.to_numeric, errors="coerce")
    small = (sizes < min_size).any(axis=1).to_numpy()
    hidden = [c for c in table.columns if c not in labels]
    table[hidden] = table[hidden].astype(object)
    table.loc[small, hidden] = np.nan
    if "note" not in table.columns:
        table["note"] = ""
    table.loc[small, "note"] = f"färre än {min_size}: visas inte / fewer than {min_size}: not shown"
    table["suppressed"] = small
    return table
