"""Power and sample size for the paired (pre/post) t-test, as G*Power's "matched pairs" test.

The paired t-test is a one-sample t-test on the differences. With ``n`` complete pairs and Cohen's
``d_z`` (mean difference / SD of the differences) the test statistic follows a noncentral t
distribution with ``n - 1`` degrees of freedom and noncentrality ``d_z * sqrt(n)``; the two-sided power
is ``P(|T| > t_crit)`` with ``t_crit`` the upper ``alpha / 2`` quantile of the central t.
"""

from __future__ import annotations

import math
from numbers import Real

from scipy import optimize, stats

__all__ = ["detectable_change", "paired_power", "pairs_needed"]

N_MIN = 2.0
"""Fewest pairs a paired t-test can use (one degree of freedom)."""

N_MAX = 1e7
"""Upper end of the search when solving for the number of pairs."""

_EFFECT_MIN = 1e-10
_EFFECT_MAX = 1e6


def _power(effect: float, n: float, alpha: float) -> float:
    """Two-sided power of the paired t-test for ``d_z = effect`` and ``n`` pairs (``n`` may be fractional)."""
    df = n - 1.0
    noncentrality = effect * math.sqrt(n)
    t_crit = stats.t.isf(alpha / 2.0, df)
    upper = stats.nct.sf(t_crit, df, noncentrality)
    # P(T' < -t_crit) written as P(-T' > t_crit) with -T' ~ nct(df, -delta): scipy's nct.cdf returns NaN
    # in this far tail for delta above about 7.7, the sf of the mirrored distribution does not. Should it
    # still fail, P(T' < -t_crit) <= P(T' < 0) = Phi(-delta) bounds the term (< 1e-14 where that happens).
    lower = stats.nct.sf(t_crit, df, -noncentrality)
    if not math.isfinite(lower):
        lower = stats.norm.sf(noncentrality)
    return float(upper + lower)


def _check_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return value


def _check_probability(name: str, value: object) -> float:
    value = _check_number(name, value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1; got {value!r}")
    return value


def _check_positive(name: str, value: object) -> float:
    value = _check_number(name, value)
    if value <= 0.0:
        raise ValueError(f"{name} must be greater than 0; got {value!r}")
    return value


def _check_n(value: object) -> float:
    value = _check_number("n", value)
    if value < N_MIN:
        raise ValueError(f"n must be at least {N_MIN:g} pairs (n > 1); got {value!r}")
    return value


def paired_power(
    effect: float | None = None,
    n: float | None = None,
    power: float | None = None,
    alpha: float = 0.05,
) -> float:
    """Power, number of pairs or detectable effect of a two-sided paired t-test.

    Give two of ``effect``, ``n`` and ``power`` and leave the third ``None``: it is computed (power)
    or solved for with Brent's method (``n``, ``effect``).

    Parameters
    ----------
    effect : float, optional
        Cohen's ``d_z``: the mean of the paired differences divided by their standard deviation.
        Must be greater than 0 (the test is two-sided, so only the size matters).
    n : float, optional
        Number of complete pairs, at least 2. A fractional ``n`` is accepted (the solver returns one).
    power : float, optional
        Probability of rejecting H0 when the effect is ``effect``, strictly between 0 and 1.
    alpha : float
        Two-sided significance level, strictly between 0 and 1.

    Returns
    -------
    float
        The argument left as ``None``: the power; the number of pairs, unrounded (round it up to plan a
        study: d_z = 0.5, power .80, alpha .05 gives 33.37, i.e. 34 pairs); or the smallest positive
        ``d_z`` detected with the given power. If two pairs already give more than the requested power,
        ``n`` is returned as 2.0, the smallest sample the test can use.

    Raises
    ------
    ValueError
        If not exactly one of ``effect``, ``n``, ``power`` is None; if ``alpha`` or ``power`` is not
        strictly between 0 and 1; if ``n`` is below 2; if ``effect`` is not greater than 0; if the
        requested power is not above ``alpha`` (no positive effect or finite ``n`` reaches it); or if
        more than 1e7 pairs (or a ``d_z`` above 1e6) would be needed.

    Notes
    -----
    With ``df = n - 1``, ``delta = d_z * sqrt(n)`` and ``t_crit = t_{1 - alpha/2, df}``::

        power = P(T' > t_crit) + P(T' < -t_crit),   T' ~ noncentral t(df, delta)

    This is the exact power G*Power computes for "Means: difference between two dependent means
    (matched pairs)", and pingouin's ``power_ttest(contrast="paired")``.

    References
    ----------
    Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd ed.). Hillsdale, NJ:
    Lawrence Erlbaum.
    Faul, F., Erdfelder, E., Lang, A.-G., & Buchner, A. (2007). G*Power 3: A flexible statistical power
    analysis program for the social, behavioral, and biomedical sciences. Behavior Research Methods,
    39(2), 175-191.

    Examples
    --------
    >>> round(paired_power(effect=0.5, power=0.8), 2)
    33.37
    >>> round(paired_power(effect=0.5, n=34), 4)
    0.8078
    """
    missing = [name for name, value in (("effect", effect), ("n", n), ("power", power)) if value is None]
    if len(missing) != 1:
        given = ", ".join(missing) or "none of them"
        raise ValueError(f"exactly one of effect, n, power must be None (the one solved for); None: {given}")
    alpha = _check_probability("alpha", alpha)
    if effect is not None:
        effect = _check_positive("effect", effect)
    if n is not None:
        n = _check_n(n)
    if power is not None:
        power = _check_probability("power", power)

    if power is None:
        return _power(effect, n, alpha)

    if power <= alpha:
        raise ValueError(
            f"power {power!r} cannot be reached: a two-sided test with alpha {alpha!r} has power above "
            "alpha for every positive effect, so ask for a power greater than alpha"
        )

    if n is None:
        if _power(effect, N_MIN, alpha) >= power:
            return N_MIN
        if _power(effect, N_MAX, alpha) < power:
            raise ValueError(
                f"power {power!r} with effect {effect!r} needs more than {N_MAX:g} pairs; check the effect"
            )
        return float(optimize.brentq(lambda m: _power(effect, m, alpha) - power, N_MIN, N_MAX))

    upper = 10.0
    while _power(upper, n, alpha) < power:
        upper *= 10.0
        if upper > _EFFECT_MAX:
            raise ValueError(f"power {power!r} with n {n!r} pairs needs an effect above {_EFFECT_MAX:g}")
    return float(optimize.brentq(lambda d: _power(d, n, alpha) - power, _EFFECT_MIN, upper))


def detectable_change(n: float, sd_change: float, power: float = 0.8, alpha: float = 0.05) -> float:
    """Smallest mean change, in scale points, detectable with ``n`` complete pairs.

    Parameters
    ----------
    n : float
        Number of complete pairs (participants with both waves), at least 2.
    sd_change : float
        Standard deviation of the individual changes (post - pre), in scale points; greater than 0.
    power : float
        Power wanted, strictly between ``alpha`` and 1.
    alpha : float
        Two-sided significance level, strictly between 0 and 1.

    Returns
    -------
    float
        ``paired_power(n=n, power=power, alpha=alpha) * sd_change``: the size of the mean change that a
        two-sided paired t-test detects with the given power.

    Raises
    ------
    ValueError
        If ``sd_change`` is not greater than 0, or for the inputs :func:`paired_power` rejects.

    References
    ----------
    Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd ed.). Hillsdale, NJ:
    Lawrence Erlbaum.
    Faul, F., Erdfelder, E., Lang, A.-G., & Buchner, A. (2007). G*Power 3: A flexible statistical power
    analysis program for the social, behavioral, and biomedical sciences. Behavior Research Methods,
    39(2), 175-191.
    """
    sd_change = _check_positive("sd_change", sd_change)
    return paired_power(n=n, power=power, alpha=alpha) * sd_change


def pairs_needed(
    change: float,
    sd_change: float,
    power: float = 0.8,
    alpha: float = 0.05,
    attrition: float = 0.0,
) -> float:
    """Participants to invite per role so that the completers detect a mean change ``change``.

    Parameters
    ----------
    change : float
        Mean change (post - pre) to detect, in scale points; its sign is ignored (two-sided test), but it
        must not be 0.
    sd_change : float
        Standard deviation of the individual changes, in scale points; greater than 0.
    power : float
        Power wanted, strictly between ``alpha`` and 1.
    alpha : float
        Two-sided significance level, strictly between 0 and 1.
    attrition : float
        Expected share of invited participants without both waves, in [0, 1).

    Returns
    -------
    float
        Unrounded number ``N`` to invite such that ``N * (1 - attrition)`` complete pairs give the power;
        round it up to plan. With ``attrition=0`` this is the number of complete pairs needed.

    Raises
    ------
    ValueError
        If ``change`` is 0, ``sd_change`` is not greater than 0, ``attrition`` is outside [0, 1), or for
        the inputs :func:`paired_power` rejects.

    References
    ----------
    Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd ed.). Hillsdale, NJ:
    Lawrence Erlbaum.
    Faul, F., Erdfelder, E., Lang, A.-G., & Buchner, A. (2007). G*Power 3: A flexible statistical power
    analysis program for the social, behavioral, and biomedical sciences. Behavior Research Methods,
    39(2), 175-191.
    """
    change = _check_number("change", change)
    if change == 0.0:
        raise ValueError("change must not be 0: no sample size detects a zero change; got 0.0")
    sd_change = _check_positive("sd_change", sd_change)
    attrition = _check_number("attrition", attrition)
    if not 0.0 <= attrition < 1.0:
        raise ValueError(f"attrition must lie in [0, 1); got {attrition!r}")
    complete = paired_power(effect=abs(change) / sd_change, power=power, alpha=alpha)
    return complete / (1.0 - attrition)
