"""Confirmatory factor analysis: a model's fit, loadings and omega, and measurement invariance.

`cfa` fits a model written in semopy's (lavaan-like) syntax with semopy's maximum likelihood and
reports what lavaan reports for it: the chi-square test, CFI, TLI, RMSEA, unstandardized and
standardized loadings with standard errors, and McDonald's omega per factor. On lavaan's published
three-factor model of HolzingerSwineford1939 it reproduces lavaan's fit measures and standardized
loadings to the printed three decimals, and the unstandardized loadings and standard errors to within
0.001 (see the tests).

`measurement_invariance` compares a configural model (the same pattern in every group, every
parameter free per group) with a metric model (loadings equal across groups) by maximum likelihood
over the groups' covariance matrices. semopy fits groups only separately (configural), so both models
are fitted here by the module's own estimator; the configural one equals semopy's separate fits
summed, and both reproduce lavaan's published comparison of HolzingerSwineford1939 by school.

Both treat the answers as continuous (normal-theory ML on the covariance matrix, listwise deletion);
for five-point items that is an approximation that estimators for ordinal data (WLSMV) avoid.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = ["CFAResult", "cfa", "measurement_invariance"]

_SOLVER = "L-BFGS-B"
_OPTIONS = {"ftol": 1e-14, "gtol": 1e-9, "maxiter": 10000}
"""semopy's default (SLSQP) stops early on HolzingerSwineford1939 (x3's loading 0.7305 where lavaan
converges to 0.729); L-BFGS-B with these tolerances reaches lavaan's optimum to its printed decimals."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")

_HEYWOOD = 0.999
"""A standardized loading at or above this (a residual variance at its bound of 0) is a Heywood case."""


@dataclass(frozen=True)
class CFAResult:
    """A fitted confirmatory factor model (see `cfa`).

    Attributes
    ----------
    fit : pandas.Series
        chi2, df, p (of the chi-square test), cfi, tli, rmsea, n (complete rows used), n_parameters
        (free parameters).
    loadings : pandas.DataFrame
        One row per factor and item: factor, item, estimate, std_estimate, se, p.
    omega : pandas.DataFrame
        One row per factor: factor, n_items, omega, note.
    """

    fit: pd.Series
    loadings: pd.DataFrame
    omega: pd.DataFrame


def _numeric(data: pd.DataFrame, columns: list[str]) -> None:
    """Raise a ValueError naming the model's columns that are missing or not numeric."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"the model names columns that are not in the data: {missing}; the data has {list(data.columns)}"
        )
    wrong = {
        c: str(data[c].dtype)
        for c in columns
        if pd.api.types.is_bool_dtype(data[c]) or not pd.api.types.is_numeric_dtype(data[c])
    }
    if wrong:
        raise ValueError(f"the model's columns must be numeric; found {wrong}")


def _constant(frame: pd.DataFrame, where: str = "") -> None:
    flat = [c for c in frame.columns if frame[c].nunique() < 2]
    if flat:
        raise ValueError(f"items {flat} do not vary{where}: a factor model needs variance in every item")


def _fit_indices(chi2: float, df: int, base_chi2: float, base_df: int, n: int, groups: int = 1) -> dict:
    """CFI, TLI and RMSEA as lavaan computes them (RMSEA on N, times sqrt(groups) across groups)."""
    if df <= 0:
        return {"p": np.nan, "cfi": np.nan, "tli": np.nan, "rmsea": np.nan}
    base = max(base_chi2 - base_df, chi2 - df, 0.0)
    cfi = 1.0 - max(chi2 - df, 0.0) / base if base > 0 else 1.0
    tli = ((base_chi2 / base_df) - (chi2 / df)) / ((base_chi2 / base_df) - 1.0)
    rmsea = np.sqrt(groups) * np.sqrt(max(chi2 - df, 0.0) / (df * n))
    return {"p": float(stats.chi2.sf(chi2, df)), "cfi": float(cfi), "tli": float(tli), "rmsea": float(rmsea)}


def _discrepancy(sample: np.ndarray, implied: np.ndarray) -> float:
    """Return the ML discrepancy log|Sigma| + tr(S Sigma^-1) - log|S| - p (lavaan's 2 * fmin per group)."""
    p = sample.shape[0]
    return float(
        np.linalg.slogdet(implied)[1]
        + np.trace(sample @ np.linalg.inv(implied))
        - np.linalg.slogdet(sample)[1]
        - p
    )


def _independence(sample: np.ndarray) -> float:
    """Return the ML discrepancy of the baseline model (uncorrelated items, free variances)."""
    return float(np.log(np.diag(sample)).sum() - np.linalg.slogdet(sample)[1])


def _omega(std: pd.Series, note: str) -> tuple[float, str]:
    """McDonald's omega from standardized loadings of a congeneric factor with uncorrelated errors."""
    if note:
        return np.nan, note
    if (std.abs() >= _HEYWOOD).any():
        return np.nan, "Heywood case (a standardized loading of 1, a residual variance of 0): omega undefined"
    total = std.sum()
    omega = total**2 / (total**2 + (1 - std**2).sum())
    if (std < 0).any():
        return float(omega), "negative loadings: reverse-key those items before reading omega"
    return float(omega), ""


def cfa(model: str, data: pd.DataFrame) -> CFAResult:
    """Fit a confirmatory factor model with semopy and report its fit, loadings and omega.

    The model is fitted by maximum likelihood (semopy's ``MLW`` objective, solved with L-BFGS-B) to
    the covariance matrix of the rows complete on the model's columns (listwise deletion), each
    factor scaled by fixing its first item's loading to 1, as lavaan's ``cfa()`` does by default.
    The mean structure is not modelled (it is saturated and leaves the fit unchanged).

    Parameters
    ----------
    model : str
        semopy model syntax, lavaan-like: one ``factor =~ item1 + item2 + item3`` line per factor;
        other semopy lines (``x1 ~~ x2`` residual covariances, regressions) are allowed.
    data : pandas.DataFrame
        One row per respondent; the model's observed variables are numeric columns. Other columns
        are ignored.

    Returns
    -------
    CFAResult
        ``fit``: a Series with chi2 (N times the ML discrepancy, as lavaan's test statistic), df, p
        (of the chi-square test), cfi (Bentler's CFI against the independence model), tli
        (Tucker-Lewis index), rmsea (lavaan's formula, on N), n (complete rows used), n_parameters
        (free parameters). For a just-identified model (df 0) the chi-square is 0 by construction
        and p, cfi, tli and rmsea are undefined (missing).
        ``loadings``: one row per factor and item: factor, item, estimate (unstandardized; 1 for
        the fixed first item), std_estimate (standardized loading, lavaan's ``std.all``), se
        (standard error from the information matrix; missing for a fixed loading), p (two-sided,
        z test; missing for a fixed loading).
        ``omega``: one row per factor: factor, n_items, omega (McDonald's omega, (sum of
        standardized loadings)^2 / ((sum)^2 + sum of (1 - loading^2))), note (why omega is missing
        or should be read with care: an item loading on several factors or residual covariances
        among a factor's items (omega's formula assumes neither), a Heywood case, negative
        loadings).

    Raises
    ------
    ValueError
        If the model is empty, unreadable or has no factor (``=~``); if a column it names is not in
        `data` or is not numeric; if fewer complete rows than free parameters remain; or if an item
        does not vary.
    RuntimeError
        If the optimiser does not converge.

    References
    ----------
    Igolkina, A. A., & Meshcheryakov, G. (2020). semopy: A Python package for structural equation
    modeling. Structural Equation Modeling, 27(6), 952-963.
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
    Statistical Software, 48(2), 1-36.
    McDonald, R. P. (1999). Test theory: A unified treatment. Lawrence Erlbaum.
    Bentler, P. M. (1990). Comparative fit indexes in structural models. Psychological Bulletin,
    107(2), 238-246.
    """
    import semopy  # imported here: about 2 s, paid only by callers who fit a model

    if not isinstance(model, str) or not model.strip():
        raise ValueError("the model is empty; expected lines such as 'f1 =~ x1 + x2 + x3'")
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    try:
        fitted = semopy.Model(model)
    except (SyntaxError, ValueError, KeyError) as error:
        raise ValueError(f"the model could not be read: {error}".strip()) from error
    factors = sorted(fitted.vars["latent"])
    if not factors:
        raise ValueError("the model defines no factor; expected at least one line 'factor =~ item + item'")
    observed = list(fitted.vars["observed"])
    _numeric(data, observed)
    complete = data[observed].dropna().astype(float)
    identity = pd.DataFrame(np.eye(len(observed)), index=observed, columns=observed)
    fitted.load(cov=identity, n_samples=len(observed) + 1)  # counts the free parameters
    n_parameters = len(fitted.param_vals)
    if len(complete) < n_parameters:
        raise ValueError(
            f"{len(complete)} complete rows on {observed}; the model has {n_parameters} free parameters "
            f"and needs at least as many complete rows"
        )
    _constant(complete)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        result = fitted.fit(complete, solver=_SOLVER, clean_slate=True, options=_OPTIONS)
        table = fitted.inspect(std_est=True)
    if not result.success:
        raise RuntimeError(f"the model did not converge ({result.message})")

    n = len(complete)
    sample = np.cov(complete.to_numpy().T, bias=True)
    implied = fitted.calc_sigma()[0]
    p = len(observed)
    chi2 = n * _discrepancy(sample, implied)
    df = p * (p + 1) // 2 - n_parameters
    fit = pd.Series(
        {"chi2": chi2 if df > 0 else 0.0, "df": df}
        | _fit_indices(chi2, df, n * _independence(sample), p * (p - 1) // 2, n)
        | {"n": n, "n_parameters": n_parameters}
    )

    measured = table[(table["op"] == "~") & table["rval"].isin(factors) & table["lval"].isin(observed)]
    loadings = pd.DataFrame(
        {
            "factor": measured["rval"].astype(str).to_numpy(),
            "item": measured["lval"].astype(str).to_numpy(),
            "estimate": measured["Estimate"].astype(float).to_numpy(),
            "std_estimate": measured["Est. Std"].astype(float).to_numpy(),
            "se": pd.to_numeric(measured["Std. Err"], errors="coerce").astype(float).to_numpy(),
            "p": pd.to_numeric(measured["p-value"], errors="coerce").astype(float).to_numpy(),
        }
    )
    order = {name: i for i, name in enumerate(dict.fromkeys(_NAME.findall(model)))}
    loadings = loadings.sort_values(["factor", "item"], key=lambda s: s.map(order)).reset_index(drop=True)

    shared = set(loadings["item"][loadings["item"].duplicated()])
    correlated = [
        {lval, rval}
        for lval, op, rval in table[["lval", "op", "rval"]].itertuples(index=False)
        if op == "~~" and lval != rval and lval in observed and rval in observed
    ]
    rows = []
    for factor, group in loadings.groupby("factor", sort=False):
        items = set(group["item"])
        within = sorted({i for pair in correlated if pair <= items for i in pair})
        note = ""
        if items & shared:
            note = f"items {sorted(items & shared)} load on several factors: omega's formula does not apply"
        elif within:
            note = f"items {within} have correlated residuals: omega's formula does not apply"
        value, note = _omega(group["std_estimate"], note)
        rows.append({"factor": factor, "n_items": len(group), "omega": value, "note": note})
    return CFAResult(fit=fit, loadings=loadings, omega=pd.DataFrame(rows))


def _measurement(model: str) -> dict[str, list[str]]:
    """Read a measurement model: ``factor =~ item + item`` lines (``;`` or new lines, ``#`` comments)."""
    if not isinstance(model, str) or not model.strip():
        raise ValueError("the model is empty; expected lines such as 'f1 =~ x1 + x2 + x3'")
    factors: dict[str, list[str]] = {}
    for raw in re.split(r"[\n;]", model):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        factor, sep, right = line.partition("=~")
        items = [t.strip() for t in right.split("+")]
        if not sep or not _NAME.fullmatch(factor.strip()) or not all(_NAME.fullmatch(i) for i in items):
            raise ValueError(
                f"measurement invariance reads only lines 'factor =~ item + item + ...', got {line!r}"
            )
        factors.setdefault(factor.strip(), []).extend(items)
    items = [i for listed in factors.values() for i in listed]
    if set(items) & set(factors):
        raise ValueError(f"{sorted(set(items) & set(factors))} are both a factor and an item")
    for factor, listed in factors.items():
        if len(set(listed)) != len(listed):
            raise ValueError(f"factor {factor} lists an item twice: {listed}")
    return factors


@dataclass
class _Layout:
    """Where each free parameter of a multi-group factor model sits in the parameter vector."""

    pattern: np.ndarray  # items x factors, True where an item loads
    free: list[tuple[int, int]]  # free loadings (the first item of each factor is fixed to 1)
    groups: int
    equal: bool

    @property
    def n_loadings(self) -> int:
        return len(self.free) * (1 if self.equal else self.groups)

    @property
    def per_group(self) -> int:
        p, m = self.pattern.shape
        return m * (m + 1) // 2 + p

    @property
    def size(self) -> int:
        return self.n_loadings + self.groups * self.per_group

    def unpack(self, x: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return group `g`'s loadings, factor covariance Cholesky factor and log residual variances."""
        p, m = self.pattern.shape
        lam = np.zeros((p, m))
        for j in range(m):
            lam[np.flatnonzero(self.pattern[:, j])[0], j] = 1.0
        start = 0 if self.equal else g * len(self.free)
        for k, (i, j) in enumerate(self.free):
            lam[i, j] = x[start + k]
        offset = self.n_loadings + g * self.per_group
        chol = np.zeros((m, m))
        chol[np.tril_indices(m)] = x[offset : offset + m * (m + 1) // 2]
        return lam, chol, x[offset + m * (m + 1) // 2 : offset + self.per_group]


def _objective(x: np.ndarray, layout: _Layout, samples: list[np.ndarray], weights: np.ndarray):
    """Sum over groups of w_g * F_ML(S_g, Sigma_g) and its gradient (Sigma_g = L Phi L' + Theta)."""
    value, grad = 0.0, np.zeros_like(x)
    m = layout.pattern.shape[1]
    rows, cols = np.tril_indices(m)
    for g, (sample, w) in enumerate(zip(samples, weights, strict=True)):
        lam, chol, log_theta = layout.unpack(x, g)
        phi = chol @ chol.T
        theta = np.exp(log_theta)
        sigma = lam @ phi @ lam.T + np.diag(theta)
        inv = np.linalg.inv(sigma)
        value += w * _discrepancy(sample, sigma)
        core = inv - inv @ sample @ inv  # dF/dSigma
        d_lam = 2 * core @ lam @ phi
        start = 0 if layout.equal else g * len(layout.free)
        for k, (i, j) in enumerate(layout.free):
            grad[start + k] += w * d_lam[i, j]
        offset = layout.n_loadings + g * layout.per_group
        d_chol = 2 * lam.T @ core @ lam @ chol
        grad[offset : offset + len(rows)] += w * d_chol[rows, cols]
        grad[offset + len(rows) : offset + layout.per_group] += w * np.diag(core) * theta
    return value, grad


def _start(layout: _Layout, samples: list[np.ndarray]) -> np.ndarray:
    """Return starting values: loadings 1, factor variances half the marker's, residuals half each item's."""
    x = np.ones(layout.size)
    m = layout.pattern.shape[1]
    for g, sample in enumerate(samples):
        offset = layout.n_loadings + g * layout.per_group
        chol = np.zeros((m, m))
        for j in range(m):
            marker = np.flatnonzero(layout.pattern[:, j])[0]
            chol[j, j] = np.sqrt(0.5 * sample[marker, marker])
        x[offset : offset + m * (m + 1) // 2] = chol[np.tril_indices(m)]
        x[offset + m * (m + 1) // 2 : offset + layout.per_group] = np.log(0.5 * np.diag(sample))
    return x


def _fit_groups(layout: _Layout, samples: list[np.ndarray], sizes: list[int], start=None):
    """Minimise the multi-group ML discrepancy; return the chi-square and the solution."""
    total = sum(sizes)
    weights = np.array(sizes, dtype=float) / total
    x0 = _start(layout, samples) if start is None else start
    result = optimize.minimize(
        _objective,
        x0,
        args=(layout, samples, weights),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 20000, "maxfun": 50000, "ftol": 1e-15, "gtol": 1e-10},
    )
    _, grad = _objective(result.x, layout, samples, weights)
    if not (result.success or np.max(np.abs(grad)) < 1e-6):
        raise RuntimeError(f"the multi-group model did not converge ({result.message})")
    return total * float(result.fun), result.x


def measurement_invariance(model: str, data: pd.DataFrame, group: str) -> pd.DataFrame:
    """Compare configural and metric (equal loadings) invariance of a factor model across groups.

    Both models are fitted by maximum likelihood to each group's covariance matrix (rows complete on
    the model's items, listwise within each group; divisor n, as lavaan), minimising
    ``sum_g n_g F_ML(S_g, Sigma_g)`` with ``Sigma_g = Lambda_g Phi_g Lambda_g' + Theta_g``. Each
    factor is scaled by fixing its first item's loading to 1 in every group; factor variances and
    covariances (``Phi_g``) and residual variances (``Theta_g``, diagonal: uncorrelated residuals)
    are free in every group. Residual variances are kept positive (``Theta = exp(t)``) and ``Phi_g``
    positive semi-definite (Cholesky factor): where lavaan would report a negative residual variance
    (a Heywood case) the chi-squares here are those of the bounded solution and differ from lavaan's.

    - configural: ``Lambda_g`` free in every group. The groups share no parameter, so this is the sum
      of separate fits (what semopy's ``multigroup`` does): chi2 and df are the groups' sums.
    - metric: one ``Lambda`` shared by every group (lavaan's ``group.equal = "loadings"``).

    Means and intercepts are not modelled: they are saturated in both models and change no chi2.

    Parameters
    ----------
    model : str
        A measurement model: lines ``factor =~ item1 + item2 + ...`` only (new lines or ``;``).
    data : pandas.DataFrame
        One row per respondent: the items (numeric) and the `group` column.
    group : str
        The column naming each respondent's group (two or more groups).

    Returns
    -------
    pandas.DataFrame
        Two rows, model ``configural`` and ``metric``: model, n (complete rows over all groups), chi2,
        df, p (of the chi-square test), cfi, tli, rmsea (lavaan's multi-group formulas: CFI and TLI
        against the independence model of every group, RMSEA ``sqrt(G) * sqrt(max(chi2 - df, 0) /
        (df * N))``), and on the metric row delta_chi2 (metric minus configural), delta_df, p_delta
        (the likelihood-ratio test of equal loadings) and delta_cfi (metric minus configural CFI; below
        -0.01 suggests the loadings differ, Cheung & Rensvold 2002). A just-identified configural model
        (df 0, e.g. one factor with three items) fits perfectly: chi2 0, CFI 1 by definition, TLI
        and RMSEA undefined; the metric model then still tests equal loadings.

    Raises
    ------
    ValueError
        If the model is not a measurement model, a column is missing or not numeric, there are fewer
        than two groups, a group has fewer complete rows than the configural model's free parameters
        per group, or an item does not vary within a group.
    RuntimeError
        If the optimiser does not converge.

    References
    ----------
    Meredith, W. (1993). Measurement invariance, factor analysis and factorial invariance.
    Psychometrika, 58(4), 525-543.
    Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing
    measurement invariance. Structural Equation Modeling, 9(2), 233-255.
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
    Statistical Software, 48(2), 1-36.
    """
    factors = _measurement(model)
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    items = list(dict.fromkeys(i for listed in factors.values() for i in listed))
    if group not in data.columns:
        raise ValueError(f"the group column {group!r} is not in the data; the data has {list(data.columns)}")
    _numeric(data, items)
    complete = data[[*items, group]].dropna()
    names = sorted(complete[group].unique(), key=str)
    if len(names) < 2:
        raise ValueError(f"need at least two groups in {group!r} with complete rows, found {names}")
    pattern = np.array([[i in factors[f] for f in factors] for i in items])
    free = [(i, j) for j in range(pattern.shape[1]) for i in np.flatnonzero(pattern[:, j])[1:]]
    samples, sizes = [], []
    per_group = len(free) + _Layout(pattern, free, 1, True).per_group
    for name in names:
        rows = complete.loc[complete[group] == name, items].astype(float)
        if len(rows) < per_group:
            raise ValueError(
                f"group {name!r} has {len(rows)} complete rows; the configural model has {per_group} free "
                f"parameters per group and needs at least as many"
            )
        _constant(rows, f" in group {name!r}")
        samples.append(np.cov(rows.to_numpy().T, bias=True))
        sizes.append(len(rows))
    n, p, g = sum(sizes), len(items), len(names)
    moments = g * p * (p + 1) // 2
    base_chi2 = sum(s * _independence(c) for s, c in zip(sizes, samples, strict=True))
    base_df = g * p * (p - 1) // 2

    configural = _Layout(pattern, free, g, equal=False)
    chi2_c, x_c = _fit_groups(configural, samples, sizes)
    metric = _Layout(pattern, free, g, equal=True)
    start = np.concatenate(
        [x_c[: len(free) * g].reshape(g, len(free)).mean(axis=0), x_c[configural.n_loadings :]]
    )
    chi2_m, _ = _fit_groups(metric, samples, sizes, start=start)

    rows = []
    for name, chi2, layout in (("configural", chi2_c, configural), ("metric", chi2_m, metric)):
        df = moments - layout.size
        indices = _fit_indices(max(chi2, 0.0), df, base_chi2, base_df, n, groups=g)
        if df == 0:
            chi2, indices["cfi"] = 0.0, 1.0
        rows.append({"model": name, "n": n, "chi2": max(chi2, 0.0), "df": df} | indices)
    table = pd.DataFrame(rows)
    delta = table.loc[1, "chi2"] - table.loc[0, "chi2"]
    delta_df = int(table.loc[1, "df"] - table.loc[0, "df"])
    table["delta_chi2"] = [np.nan, delta]
    table["delta_df"] = pd.array([pd.NA, delta_df], dtype="Int64")
    table["p_delta"] = [np.nan, float(stats.chi2.sf(max(delta, 0.0), delta_df))]
    table["delta_cfi"] = [np.nan, table.loc[1, "cfi"] - table.loc[0, "cfi"]]
    return table
