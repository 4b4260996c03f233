"""Perception accuracy with a bootstrap over pairs: how well each generation knows the other's work values.

Two measures, per perceiving role (``mentor``, ``adept``) and wave (``pre``, ``post``), plus their
change:

``partner`` (pair level)
    Each perceiver's mean absolute difference between their belief about a value and their partner's
    own answer to it (`evaluation.outcomes.beliefs_with_partner`), averaged over pairs. A mean over
    pairs is an unbiased estimator of the expected pair error, so it is not bias-corrected. It is the
    measure version 2 of the survey was built for (items ``pv*`` ask about one's own partner); for
    version 1 (items ``wvp*`` ask about "the other generation") it is still computable, and the row
    says that the items asked about the generation, not the partner.

``group`` (cohort level)
    The distance between the role's mean belief about each value and the other role's mean own answer
    at baseline, averaged over the values: ``mean_v |mean belief_v - mean answer_v|``. Because
    ``E|X| >= |E X|``, sampling noise in the two means makes the estimate too large in small cohorts;
    the row gives the raw estimate, the bootstrap's estimate of that bias and the bias-corrected
    estimate.

The uncertainty comes from a nonparametric bootstrap that resamples *pairs* with replacement: mentor
and adept of a pair travel together (the pair is the independent unit: the partner's answer is the
yardstick of the belief), and the same resampled pairs serve baseline, follow-up and the change, so
the interval of the change reflects how a pair's accuracy before and after are related (Davison &
Hinkley 1997, sec. 3.8, resample the top-level units of hierarchical data).

References
----------
Davison, A. C., & Hinkley, D. V. (1997). *Bootstrap methods and their application*. Cambridge
University Press. Ch. 5 (the basic bootstrap interval).
Efron, B., & Tibshirani, R. J. (1993). *An introduction to the bootstrap*. Chapman & Hall. Ch. 10
(the bootstrap estimate of bias and bias correction).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from evaluation.outcomes import beliefs_with_partner
from evaluation.survey import Templates

__all__ = ["COLUMNS", "PARTNER_CONSTRUCT", "REQUIRED", "accuracy"]

REQUIRED = ("pseudonym", "pair_id", "role", "wave", "item", "value")
"""The columns of the responses `accuracy` reads (ingest also writes agency, instrument and more)."""

COLUMNS = ["measure", "role", "wave", "pairs", "estimate", "bias", "estimate_bc", "ci_low", "ci_high", "note"]

PARTNER_CONSTRUCT = "partner_values_perceived"
"""The construct whose items ask about one's own partner (version 2); other perception items (version 1,
``work_values_perceived``) ask about the other generation."""

MIN_PAIRS = 3
"""Fewest contributing pairs for which a bootstrap bias and interval are given."""

_OTHER = {"mentor": "adept", "adept": "mentor"}
_WAVES = ("pre", "post")


def _check_arguments(responses: pd.DataFrame, n_boot: int, confidence: float) -> None:
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a number strictly between 0 and 1, not {confidence!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 2:
        raise ValueError(f"n_boot must be an integer of at least 2, not {n_boot!r}")
    missing = [column for column in REQUIRED if column not in responses.columns]
    if missing:
        raise ValueError(f"responses lack the column(s) {', '.join(missing)} (needed: {', '.join(REQUIRED)})")


def _weights(n_pairs: int, n_boot: int, seed: int) -> np.ndarray:
    """Return an ``(n_boot, n_pairs)`` matrix: how often each pair is drawn in each bootstrap resample."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_pairs, size=(n_boot, n_pairs))
    flat = draws + n_pairs * np.arange(n_boot)[:, None]
    return np.bincount(flat.ravel(), minlength=n_boot * n_pairs).reshape(n_boot, n_pairs).astype(float)


def _pair_mean(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Weighted mean over the pairs with a value (NaN where a row of weights draws none of them)."""
    present = np.isfinite(values)
    total = weights @ np.where(present, values, 0.0)
    count = weights @ present.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.where(count > 0, count, 1.0), np.nan)


def _group_distance(weights: np.ndarray, beliefs: tuple, answers: tuple) -> np.ndarray:
    """Return ``mean_v |mean belief_v - mean answer_v|`` per row of weights (from per-pair sums, counts)."""
    (b_sum, b_count), (a_sum, a_count) = beliefs, answers
    with np.errstate(invalid="ignore", divide="ignore"):
        belief = (weights @ b_sum) / (weights @ b_count)
        answer = (weights @ a_sum) / (weights @ a_count)
    gap = np.abs(belief - answer)
    present = np.isfinite(gap)
    count = present.sum(axis=1)
    total = np.where(present, gap, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _summarise(
    statistic, weights: np.ndarray, n_pairs: int, alpha: float, *, correct: bool, floor: bool
) -> dict[str, object]:
    """Estimate, bootstrap bias, bias-corrected estimate and basic interval of one statistic."""
    estimate = float(statistic(np.ones((1, weights.shape[1])))[0])
    row: dict[str, object] = {"pairs": n_pairs, "estimate": estimate, "bias": np.nan, "estimate_bc": np.nan}
    row |= {"ci_low": np.nan, "ci_high": np.nan}
    notes: list[str] = []
    if not np.isfinite(estimate):
        return row | {"note": ["no pairs with data"]}
    if not correct:
        row["estimate_bc"] = estimate
    if n_pairs < MIN_PAIRS:
        if correct:
            row["estimate_bc"] = estimate
        return row | {"note": [f"fewer than {MIN_PAIRS} pairs: no bootstrap bias or interval"]}
    replicates = statistic(weights)
    finite = replicates[np.isfinite(replicates)]
    if len(finite) < len(replicates):
        notes.append(f"{len(replicates) - len(finite)} resamples without a contributing pair left out")
    bias = float(finite.mean() - estimate)
    row["bias"] = bias
    if correct:
        corrected = estimate - bias
        if floor and corrected < 0:
            corrected = 0.0
            notes.append("bias-corrected estimate below 0, floored at 0")
        row["estimate_bc"] = corrected
    high, low = np.quantile(finite, [1 - alpha / 2, alpha / 2])
    ci_low, ci_high = 2 * estimate - high, 2 * estimate - low
    if floor and ci_low < 0:
        notes.append("interval limit below 0 set to 0")
        ci_low, ci_high = max(ci_low, 0.0), max(ci_high, 0.0)
    row |= {"ci_low": float(ci_low), "ci_high": float(ci_high)}
    return row | {"note": notes}


def _sums(
    rows: np.ndarray, columns: np.ndarray, values: np.ndarray, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Sum and count of `values` per pair (`rows`, codes) and value id (`columns`, codes)."""
    flat = rows * shape[1] + columns
    total = np.bincount(flat, weights=values, minlength=shape[0] * shape[1]).reshape(shape)
    return total, np.bincount(flat, minlength=shape[0] * shape[1]).reshape(shape).astype(float)


def _pair_errors(
    matched: pd.DataFrame, pairs: pd.Index, roles: list[str]
) -> dict[tuple[str, str], np.ndarray]:
    """Per role and wave, each pair's perception error (NaN without one), in the order of `pairs`.

    A perceiver's error is their mean |belief - partner's own answer| over values; a pair's is the
    mean over its perceivers of the role (normally one).
    """
    error = np.abs(matched["value"].to_numpy(float) - matched["value_partner"].to_numpy(float))
    person, _ = pd.factorize(matched["pseudonym"].astype(str).to_numpy(object))
    pair = pairs.get_indexer(matched["pair_id"].astype(str).to_numpy(object))
    role = matched["role"].to_numpy(object)
    wave = matched["wave"].to_numpy(object)
    out = {}
    for perceiver in roles:
        for period in _WAVES:
            mask = (role == perceiver) & (wave == period)
            people = person[mask]
            count = np.bincount(people, minlength=person.max(initial=-1) + 1)
            mean = np.bincount(people, weights=error[mask], minlength=len(count)) / np.maximum(count, 1)
            answered = np.flatnonzero(count)
            where = np.zeros(len(count), dtype=int)
            where[people] = pair[mask]
            total = np.bincount(where[answered], weights=mean[answered], minlength=len(pairs))
            n = np.bincount(where[answered], minlength=len(pairs))
            with np.errstate(invalid="ignore", divide="ignore"):
                out[perceiver, period] = np.where(n > 0, total / np.where(n > 0, n, 1), np.nan)
    return out


def accuracy(
    responses: pd.DataFrame,
    templates: Templates,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Perception accuracy per perceiving role and wave, and its change, with a pair bootstrap.

    Two measures (see the module docstring), each with one row per perceiving role and wave ``pre``
    and ``post``, and one for the change (wave ``change``):

    - ``partner``: the mean over pairs of the perceiver's mean absolute difference between belief and
      the partner's own answer (same wave, else the partner's baseline answer; version 2 asks own values
      at baseline only: `evaluation.outcomes.beliefs_with_partner`). Unbiased: ``estimate_bc`` equals
      ``estimate``; ``bias`` still shows the bootstrap's estimate (about 0). For version 1 items, which
      ask about the other generation, the note says so.
    - ``group``: ``mean_v |mean belief_v - mean answer_v|``, the role's mean belief about each value
      against the other role's mean own answer at baseline (from every pair in which the other role
      answered), over the values both sides answered. Biased upward in small cohorts; ``estimate_bc``
      is the bootstrap bias-corrected ``2 * estimate - mean(replicates)`` (Efron & Tibshirani 1993,
      ch. 10), floored at 0 (with a note) since a distance cannot be negative.

    For ``pre`` and ``post`` lower is more accurate. The ``change`` row is the gain ``pre - post``
    (positive: more accurate at follow-up), computed on the pairs whose perceiver contributes at both
    waves (for ``partner``: the mean over those pairs of the pair's pre error minus its post error; for
    ``group``: the distance at baseline minus that at follow-up, both from those pairs' beliefs), so
    it can differ from the difference of the ``pre`` and ``post`` rows, which use every pair with data
    at that wave. The change is neither floored nor, for ``partner``, corrected.

    Uncertainty: `n_boot` resamples of the pairs with replacement (``numpy.random.default_rng(seed)``);
    both members of a pair are drawn together and one set of resamples serves every row, so the change
    interval reflects the dependence between a pair's baseline and follow-up. The interval is the
    basic (reverse percentile) bootstrap interval ``[2 t - q(1 - a/2), 2 t - q(a/2)]``, ``t`` the
    estimate, ``q`` quantiles of the replicates, ``a = 1 - confidence`` (Davison & Hinkley 1997,
    ch. 5); for ``pre`` and ``post`` limits below 0 are set to 0 (with a note). Resamples in
    which no pair contributes to a statistic are left out of it (noted). Responses without a pair id
    cannot be resampled as pairs and are left out.

    Parameters
    ----------
    responses : pandas.DataFrame
        Long responses as ingest writes them (processed/responses.parquet); the columns read are
        pseudonym, pair_id, role, wave, item and value.
    templates : Templates
        The survey templates: items with ``perception_of`` are beliefs, the item they name the answer.
    n_boot : int
        Number of bootstrap resamples (at least 2; 2000 or more for a 95% interval).
    seed : int
        Seed of the resampling.
    confidence : float
        Level of the intervals, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per measure x role x wave, ordered measure (partner, group), role, wave (pre, post,
        change):

        - measure: ``partner`` or ``group``;
        - role: the perceiving role (``mentor`` or ``adept``);
        - wave: ``pre``, ``post`` or ``change`` (gain = pre - post, positive = improved);
        - pairs: the number of pairs contributing (for ``group``: pairs whose perceiver answered a
          belief; for ``change``: those contributing at both waves);
        - estimate: the measure on the data (mean absolute difference on the items' scale; gain for
          ``change``);
        - bias: the bootstrap estimate of bias, mean of the replicates minus the estimate (NaN with
          fewer than `MIN_PAIRS` pairs);
        - estimate_bc: the bias-corrected estimate ``estimate - bias`` for ``group`` (floored at 0 for
          pre and post); the estimate itself for ``partner``;
        - ci_low, ci_high: the basic bootstrap interval at `confidence` (NaN with fewer than
          `MIN_PAIRS` pairs);
        - note: the definition used and anything unusual (version 1 items, floored values, left-out
          resamples, too few pairs), separated by ``"; "``.

    Raises
    ------
    ValueError
        If `confidence` is not strictly between 0 and 1, `n_boot` is not an integer of at least 2,
        `responses` lack a needed column (named in the message), the templates have no perception
        items, or no perception item was answered at ``pre`` or ``post``.

    References
    ----------
    Davison, A. C., & Hinkley, D. V. (1997). *Bootstrap methods and their application*. Cambridge
    University Press. Ch. 5 (basic bootstrap interval); sec. 3.8 (resampling hierarchical data).
    Efron, B., & Tibshirani, R. J. (1993). *An introduction to the bootstrap*. Chapman & Hall. Ch. 10
    (the bootstrap estimate of bias; the bias-corrected estimate can be more variable than the raw one).
    """
    _check_arguments(responses, n_boot, confidence)
    perception = {i.id: i for i in templates.items.values() if i.perception_of}
    if not perception:
        raise ValueError("the templates have no perception items (items with perception_of)")
    links = {item_id: item.perception_of for item_id, item in perception.items()}
    about_partner = {item.perception_of: item.construct == PARTNER_CONSTRUCT for item in perception.values()}

    data = responses.loc[
        responses["wave"].isin(_WAVES) & responses["value"].notna() & responses["pair_id"].notna()
        & responses["item"].isin(set(links) | set(links.values())),
        list(REQUIRED),
    ]  # fmt: skip
    data = data.assign(value=data["value"].astype(float))
    item = data["item"].to_numpy(object)
    is_belief = np.isin(item, list(links))
    if not is_belief.any():
        raise ValueError("no perception item (items with perception_of) was answered at pre or post")
    pair_code, pairs = pd.factorize(data["pair_id"].astype(str).to_numpy(object), sort=True)
    pairs = pd.Index(pairs, name="pair_id")
    role = data["role"].to_numpy(object)
    wave = data["wave"].to_numpy(object)
    value = data["value"].to_numpy(float)
    target = np.array([links.get(i, i) for i in item], dtype=object)
    values = pd.Index(sorted(set(target[is_belief]) & set(target[~is_belief & (wave == "pre")])))
    value_code = values.get_indexer(target)

    weights = _weights(len(pairs), n_boot, seed)
    alpha = 1 - confidence
    roles = sorted(set(role[is_belief]))
    rows = []

    # partner: per perceiver the mean absolute difference, per pair the mean over its perceivers.
    matched = beliefs_with_partner(data, templates)
    errors = _pair_errors(matched, pairs, roles)
    matched_role = matched["role"].to_numpy(object)
    generation_items = np.array([not about_partner[i] for i in matched["value_id"]], dtype=bool)
    for perceiver in roles:
        generation = bool(generation_items[matched_role == perceiver].any())
        pre, post = errors[perceiver, "pre"], errors[perceiver, "post"]
        for period, per_pair in (("pre", pre), ("post", post), ("change", pre - post)):
            row = _summarise(
                lambda w, v=per_pair: _pair_mean(w, v),
                weights,
                int(np.isfinite(per_pair).sum()),
                alpha,
                correct=False,
                floor=period != "change",
            )
            definition = (
                "gain = pre - post of the pair's mean |belief - partner's own answer|, over pairs with both"
                if period == "change"
                else "mean over pairs of the perceiver's mean |belief - partner's own answer|"
            )
            notes = [definition, "unbiased: not bias-corrected"]
            if generation:
                notes.append("version 1 items ask about the other generation, not the partner")
            rows.append(
                {"measure": "partner", "role": perceiver, "wave": period, **row, "note": notes + row["note"]}
            )

    # group: sums and counts per pair x value, so that a resample's means are matrix products.
    def sums(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mask = mask & (value_code >= 0)
        return _sums(pair_code[mask], value_code[mask], value[mask], (len(pairs), len(values)))

    for perceiver in roles:
        answers = sums(~is_belief & (wave == "pre") & (role == _OTHER.get(perceiver)))
        answered_by = int((answers[1].sum(axis=1) > 0).sum())
        held = {period: sums(is_belief & (role == perceiver) & (wave == period)) for period in _WAVES}
        present = {period: held[period][1].sum(axis=1) > 0 for period in _WAVES}
        both = (present["pre"] & present["post"])[:, None]
        statistics = {
            period: (lambda w, b=held[period], a=answers: _group_distance(w, b, a)) for period in _WAVES
        }

        def change(w, both=both, held=held, answers=answers):
            (pre_sum, pre_count), (post_sum, post_count) = held["pre"], held["post"]
            pre = _group_distance(w, (pre_sum * both, pre_count * both), answers)
            return pre - _group_distance(w, (post_sum * both, post_count * both), answers)

        statistics["change"] = change
        contributing = {
            **{period: int(present[period].sum()) for period in _WAVES},
            "change": int(both.sum()),
        }
        for period in (*_WAVES, "change"):
            row = _summarise(
                statistics[period],
                weights,
                contributing[period],
                alpha,
                correct=True,
                floor=period != "change",
            )
            definition = (
                "gain = pre - post of mean over values |mean belief - other role's mean baseline answer|,"
                " beliefs of pairs with both"
                if period == "change"
                else "mean over values |mean belief - other role's mean baseline answer|"
            )
            notes = [
                definition,
                f"other role's answers from {answered_by} pairs",
                "bias-corrected: 2 * estimate - mean of bootstrap replicates",
            ]
            rows.append(
                {"measure": "group", "role": perceiver, "wave": period, **row, "note": notes + row["note"]}
            )

    table = pd.DataFrame(rows)
    table["note"] = table["note"].map("; ".join)
    table["pairs"] = table["pairs"].astype(int)
    return table[COLUMNS]
