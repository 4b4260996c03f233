"""Adjusting p-values for multiple comparisons."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from statsmodels.stats.multitest import multipletests

__all__ = ["METHODS", "adjust_pvalues"]

METHODS = {"holm": "holm", "fdr_bh": "fdr_bh", "bonferroni": "bonferroni"}
"""Supported methods: Holm (family-wise error), Benjamini-Hochberg (false discovery rate), Bonferroni."""


def adjust_pvalues(p: ArrayLike, method: str = "holm") -> pd.Series | np.ndarray:
    """Adjust p-values for multiple comparisons, as R's ``p.adjust``.

    Parameters
    ----------
    p : array-like of float
        p-values in [0, 1]; missing values stay missing and do not count as tests.
    method : {"holm", "fdr_bh", "bonferroni"}
        ``holm`` controls the family-wise error rate (R's "holm"); ``fdr_bh`` the false discovery
        rate (R's "BH").

    Returns
    -------
    pandas.Series or numpy.ndarray
        Adjusted p-values in the input's order (a Series keeps its index).

    Raises
    ------
    ValueError
        For an unknown method or a p-value outside [0, 1].

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal
    of Statistics, 6(2), 65-70.
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. Journal of the Royal
    Statistical Society B, 57(1), 289-300.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    values = np.asarray(p, dtype=float)
    present = ~np.isnan(values)
    if ((values[present] < 0) | (values[present] > 1)).any():
        raise ValueError("p-values must lie between 0 and 1")
    adjusted = np.full(values.shape, np.nan)
    if present.any():
        adjusted[present] = multipletests(values[present], method=METHODS[method])[1]
    if isinstance(p, pd.Series):
        return pd.Series(adjusted, index=p.index, name=p.name)
    return adjusted
