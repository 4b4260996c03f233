"""Models for nested and dyadic data: linear mixed models, GLS for dyads, and the APIM.

`mixed_model` wraps statsmodels' MixedLM (REML by default) and matches lme4's ``lmer``.
`dyadic_model` is generalised least squares with compound symmetry within dyads, fitted here as R's
``nlme::gls(..., correlation = corCompSymm(form = ~ 1 | dyad))`` fits it: the within-dyad correlation
may be negative (a random intercept cannot), and the standard errors are the GLS ones,
``sigma^2 (X' R^-1 X)^-1`` at the estimated correlation. statsmodels' MixedLM reports standard errors
from the observed information of the joint likelihood instead, which differ from nlme's on dyadic data
with within-dyad predictors; the tests show both against the published nlme output.
`apim` builds the actor-partner interdependence model on `dyadic_model`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import patsy
import statsmodels.formula.api as smf
from scipy import optimize, stats

__all__ = ["ModelResult", "apim", "dyadic_model", "mixed_model"]

_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "p"]


@dataclass
class ModelResult:
    """A fitted model.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        Indexed by term (statsmodels/patsy names such as ``Intercept``): estimate, se, ci_low, ci_high,
        p, and statistic (z for mixed models, t for GLS).
    variance : pandas.Series
        Variance components: one per grouping level (e.g. ``Subject``) and ``residual``; for GLS the
        residual variance and, with role-specific variances, one ``residual_<role>`` per role.
    rho : float or None
        Within-dyad residual correlation (GLS only).
    n_obs, n_groups : int
        Observations used and top-level groups (dyads, subjects).
    method : str
        ``REML`` or ``ML``.
    loglik : float
        Log-likelihood (restricted for REML) at the estimate, on R's scale.
    converged : bool
        Whether the optimiser converged.
    """

    coefficients: pd.DataFrame
    variance: pd.Series
    rho: float | None = None
    n_obs: int = 0
    n_groups: int = 0
    method: str = "REML"
    loglik: float = float("nan")
    converged: bool = True
    notes: list[str] = field(default_factory=list)


def _check_columns(data: pd.DataFrame, columns: list[str]) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ValueError("data must be a pandas DataFrame")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the data; it has {list(data.columns)}")


def _table(estimate, se, statistic_dist, df, confidence) -> pd.DataFrame:
    statistic = estimate / se
    if statistic_dist == "t":
        p = 2 * stats.t.sf(np.abs(statistic), df)
        crit = stats.t.ppf(1 - (1 - confidence) / 2, df)
    else:
        p = 2 * stats.norm.sf(np.abs(statistic))
        crit = stats.norm.ppf(1 - (1 - confidence) / 2)
    return pd.DataFrame(
        {
            "estimate": estimate,
            "se": se,
            "ci_low": estimate - crit * se,
            "ci_high": estimate + crit * se,
            "p": p,
            "statistic": statistic,
        }
    )


def mixed_model(
    formula: str,
    data: pd.DataFrame,
    groups: str,
    *,
    nested: str | None = None,
    reml: bool = True,
    confidence: float = 0.95,
) -> ModelResult:
    """Linear mixed model with a random intercept per group (and optionally per nested group).

    Parameters
    ----------
    formula : str
        Fixed part, e.g. ``"score ~ wave * role"``.
    data : pandas.DataFrame
        Long data; rows with a missing value in a used column are dropped.
    groups : str
        Column of the top-level grouping (random intercept), e.g. ``"agency"`` or ``"Subject"``.
    nested : str, optional
        Column of a grouping nested in `groups` with its own random intercept, e.g. participants
        within agencies: lme4's ``(1 | agency) + (1 | agency:participant)``.
    reml : bool
        Restricted maximum likelihood (lme4's default) or maximum likelihood.
    confidence : float
        Level of the Wald confidence intervals.

    Returns
    -------
    ModelResult
        coefficients (Wald z tests and intervals, as ``confint(method = "Wald")`` in lme4) and
        variance (``groups``, ``nested`` if given, ``residual``).

    Raises
    ------
    ValueError
        For missing columns, fewer than two groups, or fewer observations than parameters.

    References
    ----------
    Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects models
    using lme4. Journal of Statistical Software, 67(1), 1-48.
    """
    needed = [groups] + ([nested] if nested else [])
    _check_columns(data, needed)
    _, x = patsy.dmatrices(formula, data, return_type="dataframe", NA_action="drop")
    used = data.loc[x.index].dropna(subset=needed)
    if used[groups].nunique() < 2:
        raise ValueError(f"need at least two groups in {groups!r}, got {used[groups].nunique()}")
    if len(used) <= x.shape[1] + 1:
        raise ValueError(f"{len(used)} observations are too few for {x.shape[1]} fixed effects")
    vc = {nested: f"0 + C({nested})"} if nested else None
    model = smf.mixedlm(formula, used, groups=used[groups], re_formula="1", vc_formula=vc)
    fits, caught = [], []
    for method in ("bfgs", "powell", "lbfgs"):  # the REML surface is flat: keep the best optimum found
        with warnings.catch_warnings(record=True) as found:
            warnings.simplefilter("always")
            try:
                fits.append(
                    model.fit(reml=reml, method=method, gtol=1e-10)
                    if method != "powell"
                    else model.fit(reml=reml, method=method)
                )
            except (np.linalg.LinAlgError, ValueError):
                continue
        caught += found
    if not fits:
        raise ValueError("the mixed model could not be fitted (singular design or no variation)")
    fit = max(fits, key=lambda f: (bool(f.converged), f.llf))
    fe = fit.fe_params
    variance = {groups: float(fit.cov_re.iloc[0, 0])}
    if nested:
        variance[nested] = float(fit.vcomp[0])
    variance["residual"] = float(fit.scale)
    se = _gls_se(x.loc[used.index].to_numpy(), used, groups, nested, variance)
    coefficients = _table(fe, pd.Series(se, index=x.columns)[fe.index], "z", None, confidence)
    return ModelResult(
        coefficients=coefficients,
        variance=pd.Series(variance),
        n_obs=int(fit.nobs),
        n_groups=int(used[groups].nunique()),
        method="REML" if reml else "ML",
        loglik=float(fit.llf),
        converged=bool(fit.converged),
        notes=[str(w.message) for w in caught],
    )


def _gls_se(x: np.ndarray, data: pd.DataFrame, groups: str, nested: str | None, variance: dict) -> np.ndarray:
    """Return the fixed effects' standard errors as lme4 computes them: sqrt(diag((X' V^-1 X)^-1)).

    V is block-diagonal by group, sigma^2 I + Z D Z', inverted per group with the Woodbury identity
    (statsmodels' ``bse_fe`` comes from the observed information of the joint likelihood instead,
    which differs slightly).
    """
    sigma2 = variance["residual"]
    xtvx = np.zeros((x.shape[1], x.shape[1]))
    codes = pd.factorize(data[groups])[0]
    nested_codes = pd.factorize(data[nested])[0] if nested else None
    for g in range(codes.max() + 1):
        rows = np.flatnonzero(codes == g)
        xg = x[rows]
        columns = [np.ones((len(rows), 1))]
        d = [variance[groups]]
        if nested:
            levels, inverse = np.unique(nested_codes[rows], return_inverse=True)
            columns.append(np.eye(len(levels))[inverse])
            d += [variance[nested]] * len(levels)
        z = np.hstack(columns)
        d = np.asarray(d)
        with np.errstate(divide="ignore"):
            inner = np.diag(np.where(d > 0, sigma2 / d, 1e12)) + z.T @ z
        zx = z.T @ xg
        xtvx += (xg.T @ xg - zx.T @ np.linalg.solve(inner, zx)) / sigma2
    return np.sqrt(np.diag(np.linalg.inv(xtvx)))


def _dyad_index(dyads: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return positions of the first and second member of each two-member dyad, and singletons."""
    codes, _ = pd.factorize(dyads)
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes)
    if (sizes > 2).any():
        raise ValueError(f"a dyad has {sizes.max()} members; dyads have at most two")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pairs = sizes == 2
    first = order[starts[pairs]]
    second = order[starts[pairs] + 1]
    singles = order[starts[~pairs]]
    return np.column_stack([first, second]), singles


def _whiten(values: np.ndarray, pairs: np.ndarray, singles: np.ndarray, rho: float) -> np.ndarray:
    """Rotate each pair into sum and difference, scaled to unit variance under correlation rho."""
    a, b = values[pairs[:, 0]], values[pairs[:, 1]]
    total = (a + b) / np.sqrt(2 * (1 + rho))
    diff = (a - b) / np.sqrt(2 * (1 - rho))
    return np.concatenate([total, diff, values[singles]])


def _gls_fit(y, x, pairs, singles, rho, scale, reml):
    yw = _whiten(y / scale, pairs, singles, rho)
    xw = _whiten(x / scale[:, None], pairs, singles, rho)
    beta, *_ = np.linalg.lstsq(xw, yw, rcond=None)
    rss = float(((yw - xw @ beta) ** 2).sum())
    n, p = x.shape
    logdet_r = len(pairs) * np.log(1 - rho**2) + 2 * np.log(scale).sum()
    xtx = xw.T @ xw
    if reml:
        sigma2 = rss / (n - p)
        _, logdet_x = np.linalg.slogdet(xtx)
        loglik = -0.5 * ((n - p) * (np.log(2 * np.pi * sigma2) + 1) + logdet_r + logdet_x)
    else:
        sigma2 = rss / n
        loglik = -0.5 * (n * (np.log(2 * np.pi * sigma2) + 1) + logdet_r)
    return beta, sigma2, xtx, loglik


def dyadic_model(
    formula: str,
    data: pd.DataFrame,
    dyad: str,
    *,
    reml: bool = True,
    variance_by: str | None = None,
    confidence: float = 0.95,
) -> ModelResult:
    """GLS with compound symmetry within dyads, as ``nlme::gls`` with ``corCompSymm(form = ~1 | dyad)``.

    Parameters
    ----------
    formula : str
        Model formula, e.g. ``"satisfaction ~ tension_A + tension_P"``.
    data : pandas.DataFrame
        One row per dyad member; rows with a missing value in a used column are dropped (a dyad left
        with one member counts as a singleton).
    dyad : str
        Column identifying the dyad.
    reml : bool
        Restricted maximum likelihood (nlme's default) or maximum likelihood.
    variance_by : str, optional
        Column (e.g. role) with its own residual variance per level, as nlme's
        ``weights = varIdent(form = ~ 1 | role)``: for distinguishable dyads.
    confidence : float
        Level of the t-based confidence intervals.

    Returns
    -------
    ModelResult
        coefficients with t tests on N - p degrees of freedom (as nlme prints them), rho, and
        variance (``residual`` and, with `variance_by`, ``residual_<level>`` per level).

    Raises
    ------
    ValueError
        For missing columns, a dyad with more than two members, or too few observations.

    References
    ----------
    Pinheiro, J. C., & Bates, D. M. (2000). Mixed-Effects Models in S and S-PLUS. Springer (ch. 5).
    Kenny, D. A., Kashy, D. A., & Cook, W. L. (2006). Dyadic Data Analysis. Guilford.
    """
    _check_columns(data, [dyad] + ([variance_by] if variance_by else []))
    y_frame, x_frame = patsy.dmatrices(formula, data, return_type="dataframe", NA_action="drop")
    used = data.loc[x_frame.index]
    keep = used[dyad].notna() & (used[variance_by].notna() if variance_by else True)
    y = y_frame.loc[keep].to_numpy()[:, 0]
    x = x_frame.loc[keep].to_numpy()
    used = used.loc[keep]
    n, p = x.shape
    if n <= p + 2:
        raise ValueError(f"{n} observations are too few for {p} coefficients and a correlation")
    pairs, singles = _dyad_index(used[dyad].reset_index(drop=True))
    if len(pairs) == 0:
        raise ValueError("no dyad has two members: the within-dyad correlation cannot be estimated")
    levels = sorted(used[variance_by].unique()) if variance_by else [None]
    level_of = pd.Categorical(used[variance_by], categories=levels).codes if variance_by else np.zeros(n, int)

    def unpack(theta):
        rho = np.tanh(theta[0])
        ratios = np.concatenate([[1.0], np.exp(theta[1:])])
        return rho, ratios[level_of]

    def negloglik(theta):
        rho, scale = unpack(theta)
        return -_gls_fit(y, x, pairs, singles, rho, scale, reml)[3]

    start = np.zeros(len(levels))
    if len(levels) == 1:
        best = optimize.minimize_scalar(
            lambda t: negloglik([t]), bounds=(-7, 7), method="bounded", options={"xatol": 1e-10}
        )
        theta, converged = np.array([best.x]), bool(best.success)
    else:
        best = optimize.minimize(
            negloglik, start, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000}
        )
        theta, converged = best.x, bool(best.success)
    rho, scale = unpack(theta)
    beta, sigma2, xtx, loglik = _gls_fit(y, x, pairs, singles, rho, scale, reml)
    cov = sigma2 * np.linalg.inv(xtx)
    terms = list(x_frame.columns)
    coefficients = _table(
        pd.Series(beta, index=terms), pd.Series(np.sqrt(np.diag(cov)), index=terms), "t", n - p, confidence
    )
    variance = {"residual": float(sigma2)}
    if variance_by:
        ratios = np.concatenate([[1.0], np.exp(theta[1:])])
        variance |= {
            f"residual_{level}": float(sigma2 * r**2) for level, r in zip(levels, ratios, strict=True)
        }
    return ModelResult(
        coefficients=coefficients,
        variance=pd.Series(variance),
        rho=float(rho),
        n_obs=n,
        n_groups=len(pairs) + len(singles),
        method="REML" if reml else "ML",
        loglik=float(loglik),
        converged=converged,
    )


def apim(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictor: str,
    dyad: str,
    role: str | None = None,
    reml: bool = True,
    confidence: float = 0.95,
) -> ModelResult:
    """Actor-partner interdependence model: one's outcome on one's own and one's partner's predictor.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per dyad member.
    outcome, predictor : str
        Columns; the partner's predictor is taken from the other member of the dyad.
    dyad : str
        Column identifying the dyad (two members each; dyads with one member are dropped).
    role : str, optional
        Column distinguishing the members (e.g. mentor, adept). Without it, members are
        indistinguishable: one actor and one partner effect. With it, each role gets its own
        intercept, actor and partner effect and residual variance (nlme's two-intercept model with
        ``varIdent``).
    reml, confidence
        As for `dyadic_model`.

    Returns
    -------
    ModelResult
        Coefficients named ``actor`` and ``partner`` (indistinguishable), or ``<role>``,
        ``actor:<role>`` and ``partner:<role>`` per role; rho is the residual correlation of the
        partners' outcomes after the predictors.

    Raises
    ------
    ValueError
        For missing columns, a dyad with more than two members, or two members with the same role.

    References
    ----------
    Kenny, D. A., Kashy, D. A., & Cook, W. L. (2006). Dyadic Data Analysis. Guilford (ch. 7).
    """
    _check_columns(data, [outcome, predictor, dyad] + ([role] if role else []))
    frame = data[[dyad, outcome, predictor] + ([role] if role else [])].dropna(subset=[dyad])
    sizes = frame.groupby(dyad)[dyad].transform("size")
    if (sizes > 2).any():
        raise ValueError("a dyad has more than two members")
    frame = frame[sizes == 2].copy()
    if role:
        if (frame.groupby(dyad)[role].nunique() != 2).any():
            raise ValueError(f"the two members of a dyad must differ in {role!r}")
        frame = frame.sort_values([dyad, role])
    else:
        frame = frame.sort_values(dyad, kind="stable")
    values = frame[predictor].to_numpy(dtype=float)
    partner = values.reshape(-1, 2)[:, ::-1].reshape(-1)
    frame = frame.assign(actor=values, partner=partner)
    if role is None:
        result = dyadic_model(
            f"Q('{outcome}') ~ actor + partner", frame, dyad, reml=reml, confidence=confidence
        )
        result.coefficients = result.coefficients.rename(index={"Intercept": "intercept"})
        return result
    frame["_role"] = frame[role].astype(str)
    result = dyadic_model(
        f"Q('{outcome}') ~ 0 + C(_role) + C(_role):actor + C(_role):partner",
        frame,
        dyad,
        reml=reml,
        variance_by="_role",
        confidence=confidence,
    )
    rename = {}
    for term in result.coefficients.index:
        level = term.split("[")[1].split("]")[0] if "[" in term else term
        if ":actor" in term:
            rename[term] = f"actor:{level}"
        elif ":partner" in term:
            rename[term] = f"partner:{level}"
        else:
            rename[term] = level
    result.coefficients = result.coefficients.rename(index=rename)
    return result
