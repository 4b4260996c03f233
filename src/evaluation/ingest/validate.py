"""Answers to canonical values, validated against a schema generated from the instrument (pandera).

Labels in either language become codes and numbers with a decimal comma become numbers
(`evaluation.formats.values.decode`); then `instrument_schema` checks every item column: the scale's
codes for choices, the bounds for numbers, codes joined by ``;`` for multiple choice, ISO dates. A
value that fails is never coerced: ingest sets the cell missing and quarantines it.
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from evaluation.formats.dates import parse_timestamp
from evaluation.formats.values import decode
from evaluation.survey import Item, Scale

__all__ = ["decode_column", "instrument_schema", "invalid_cells"]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODES = re.compile(r"^\d+(;\d+)*$")


def decode_column(values: pd.Series, scale: Scale) -> pd.Series:
    """Decode every cell of a column (each distinct value once); see `evaluation.formats.values`."""
    cache: dict[object, object] = {}
    separators = (";", ",")
    out = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        if value not in cache:
            decoded = decode(value, scale, separators=separators)
            if scale.type == "date" and isinstance(decoded, str) and not _ISO_DATE.match(decoded):
                parsed = parse_timestamp(decoded)  # never a guess: an ambiguous date stays invalid
                decoded = decoded if parsed is None else parsed.strftime("%Y-%m-%d")
            cache[value] = decoded
        out.append(cache[value])
    return pd.Series(out, index=values.index, dtype=object)


def _check(scale: Scale) -> pa.Check | None:
    if scale.type in ("ordinal", "nominal"):
        codes = set(scale.codes)
        return pa.Check(
            lambda s: s.map(lambda v: isinstance(v, int) and v in codes), name=f"code of {scale.id}"
        )
    if scale.type == "multiple":
        codes = {str(c) for c in scale.codes}
        return pa.Check(
            lambda s: s.map(
                lambda v: isinstance(v, str) and bool(_CODES.match(v)) and set(v.split(";")) <= codes
            ),
            name=f"codes of {scale.id}",
        )
    if scale.type in ("integer", "decimal"):
        low, high = scale.min, scale.max
        return pa.Check(
            lambda s: s.map(
                lambda v: isinstance(v, int | float) and not isinstance(v, bool) and low <= v <= high
            ),
            name=f"number {low:g}-{high:g}",
        )
    if scale.type == "date":
        return pa.Check(
            lambda s: s.map(lambda v: isinstance(v, str) and bool(_ISO_DATE.match(v))), name="date"
        )
    return None


def instrument_schema(items: list[tuple[Item, Scale]]) -> pa.DataFrameSchema:
    """Return the pandera schema of a wide response table with these items (missing cells allowed)."""
    columns = {}
    for item, scale in items:
        check = _check(scale)
        columns[item.id] = pa.Column(object, checks=[check] if check else [], nullable=True, required=False)
    return pa.DataFrameSchema(columns, coerce=False, strict=False)


def invalid_cells(table: pd.DataFrame, items: list[tuple[Item, Scale]]) -> list[tuple[object, str, object]]:
    """Return (row index, item id, value) of every cell that fails the instrument's schema."""
    schema = instrument_schema(items)
    try:
        schema.validate(table, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna() & cases["column"].isin([i.id for i, _ in items])]
        return list(zip(cases["index"], cases["column"], cases["failure_case"], strict=True))
    return []
