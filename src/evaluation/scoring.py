"""Construct scores and item statistics from the tidy responses ingest writes.

`score` turns the long responses (``processed/responses.parquet``: one row per answered item) into
one score per participant, wave and construct: the mean of the construct's items with reverse-keyed
items flipped (``min + max - x`` on the item's scale), provided at least the construct's
``min_answered`` share of the items the participant's role answers is answered. Retrospective items
(``then_of``) are scored into the same construct at the wave ``then``. Single-item constructs (0-10
ratings, values) are the item itself.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from evaluation.survey import Templates, pinned

__all__ = ["RESPONSE_COLUMNS", "as_answered", "item_statistics", "score"]

RESPONSE_COLUMNS = ["pseudonym", "pair_id", "agency", "role", "instrument", "wave", "item", "value"]
"""Columns `score` and `item_statistics` need in the long responses."""

_SCORED = ("mean", "single")


def _check(responses: pd.DataFrame) -> None:
    if not isinstance(responses, pd.DataFrame):
        raise ValueError("responses must be a pandas DataFrame (processed/responses.parquet)")
    missing = [c for c in RESPONSE_COLUMNS if c not in responses.columns]
    if missing:
        raise ValueError(f"responses lack the columns {missing}; expected {RESPONSE_COLUMNS}")


def as_answered(responses: pd.DataFrame, templates: Templates) -> Templates:
    """Return the templates as the responses' instrument versions ask them (`evaluation.survey.pinned`).

    Ingest records the version each response answered (column ``version``); a construct that lists
    the items of several versions then expects only the items that version asked. Responses without
    the column are scored with `templates` as given.

    Raises
    ------
    ValueError
        If one instrument's responses carry more than one version (a cohort answers one version).
    """
    if "version" not in responses.columns or responses.empty:
        return templates
    versions = responses.groupby("instrument", observed=True)["version"].unique()
    mixed = {i: sorted(map(str, v)) for i, v in versions.items() if len(v) > 1}
    if mixed:
        raise ValueError(f"responses mix instrument versions {mixed}; a cohort answers one version each")
    pins = {str(i): str(v[0]) for i, v in versions.items() if str(i) in templates.instruments}
    return pinned(templates, pins)


def _item_table(templates: Templates) -> pd.DataFrame:
    """One row per scored item: its construct, the item it repeats, reverse key and scale ends."""
    rows = []
    for item in templates.items.values():
        construct = templates.constructs.get(item.construct or "")
        if construct is None or construct.scoring.method not in _SCORED:
            continue
        scale = templates.scale_of(item)
        rows.append(
            {
                "item": item.id,
                "construct": construct.id,
                "base_item": item.then_of or item.id,
                "is_then": item.then_of is not None,
                "reverse": item.reverse,
                "low": min(scale.codes),
                "high": max(scale.codes),
            }
        )
    return pd.DataFrame(rows)


def score(responses: pd.DataFrame, instruments: Templates) -> pd.DataFrame:
    """Score every construct per participant and wave.

    Parameters
    ----------
    responses : pandas.DataFrame
        Long responses as ingest writes them (`RESPONSE_COLUMNS` at least).
    instruments : Templates
        The survey templates: construct membership, reverse keys, scales, the minimum share of
        items answered; read as the responses' versions ask them (`as_answered`).

    Returns
    -------
    pandas.DataFrame
        One row per participant x wave x construct: pseudonym, pair_id, agency, role, wave (``pre``,
        ``post``, or ``then`` for the retrospective items), construct, score (mean of the keyed items;
        NaN when too few are answered), n_items (answered), n_expected (items of the construct the
        role answers), sufficient (whether n_items reaches ``ceil(min_answered * n_expected)``).

    Raises
    ------
    ValueError
        If `responses` lacks a required column.
    """
    _check(responses)
    instruments = as_answered(responses, instruments)
    items = _item_table(instruments)
    data = responses.merge(items, on="item", how="inner")
    data = data[data["value"].notna()].copy()
    flip = data["reverse"].to_numpy(dtype=bool)
    values = data["value"].to_numpy(dtype=float)
    data["keyed"] = np.where(flip, data["low"] + data["high"] - values, values)
    data.loc[data["is_then"], "wave"] = "then"
    keys = ["pseudonym", "pair_id", "agency", "role", "wave", "construct"]
    grouped = data.groupby(keys, sort=True, observed=True)["keyed"].agg(["mean", "count"]).reset_index()
    expected = []
    for construct in instruments.constructs.values():
        if construct.scoring.method not in _SCORED:
            continue
        for role in ("mentor", "adept"):
            n = sum(role in instruments.items[i].roles for i in construct.scoring.items)
            needed = max(1, math.ceil(construct.scoring.min_answered * n - 1e-9))
            expected.append({"construct": construct.id, "role": role, "n_expected": n, "needed": needed})
    grouped = grouped.merge(pd.DataFrame(expected), on=["construct", "role"], how="left")
    grouped["sufficient"] = grouped["count"] >= grouped["needed"]
    grouped["score"] = grouped["mean"].where(grouped["sufficient"])
    result = grouped.rename(columns={"count": "n_items"})[
        [*keys, "score", "n_items", "n_expected", "sufficient"]
    ]
    return result.reset_index(drop=True)


def item_statistics(responses: pd.DataFrame, instruments: Templates) -> pd.DataFrame:
    """Descriptive statistics per item and wave.

    Parameters
    ----------
    responses : pandas.DataFrame
        Long responses as ingest writes them.
    instruments : Templates
        The survey templates (scales, and which roles answer each item).

    Returns
    -------
    pandas.DataFrame
        One row per instrument x wave x item with a numeric scale: instrument, wave, item,
        construct, n (answers), mean, sd, missing_share (the share of that wave's respondents whose
        role answers the item but who left it empty), floor_share and ceiling_share (shares of
        answers at the scale's lowest and highest code; NaN for open numbers).
    """
    _check(responses)
    respondents = responses.groupby(["instrument", "wave", "role"])["pseudonym"].nunique()
    rows = []
    for (instrument, wave, item_id), group in responses[responses["value"].notna()].groupby(
        ["instrument", "wave", "item"], sort=True
    ):
        item = instruments.items.get(item_id)
        if item is None:
            continue
        scale = instruments.scale_of(item)
        values = group["value"].astype(float)
        invited = sum(respondents.get((instrument, wave, role), 0) for role in item.roles)
        floor = ceiling = float("nan")
        if scale.has_choices and scale.type == "ordinal":
            floor = float((values == min(scale.codes)).mean())
            ceiling = float((values == max(scale.codes)).mean())
        rows.append(
            {
                "instrument": instrument,
                "wave": wave,
                "item": item_id,
                "construct": item.construct,
                "n": len(values),
                "mean": float(values.mean()),
                "sd": float(values.std(ddof=1)) if len(values) > 1 else float("nan"),
                "missing_share": 1 - len(values) / invited if invited else float("nan"),
                "floor_share": floor,
                "ceiling_share": ceiling,
            }
        )
    return pd.DataFrame(rows)
