"""The format layer: every platform shape writes a canonical table and reads it back unchanged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.formats import PLATFORMS, layout_for, platform
from evaluation.formats.values import decode, encode, parse_number
from evaluation.survey import pinned


def _table(layout, n=6, seed=1):
    rng = np.random.default_rng(seed)
    table = {
        "participantcode": [f"ABCD-{i:04d}" for i in range(n)],
        "startedat": pd.date_range("2027-12-01 09:50", periods=n, freq="h"),
        "submittedat": pd.date_range("2027-12-01 10:00", periods=n, freq="h"),
        "finished": [True] * n,
        "progress": [100] * n,
        "email": [f"person{i}@example.se" for i in range(n)],
        "name": ["Anna Andersson"] * n,
        "responseid": list(range(1, n + 1)),
        "instrumentversion": [f"{layout.instrument.id} {layout.instrument.version}"] * n,
    }
    for column in layout.columns:
        scale = column.scale
        if scale.type in ("ordinal", "nominal"):
            values = [int(v) for v in rng.choice(scale.codes, n)]
        elif scale.type == "multiple":
            values = ["1;3", "2", None, "1;2;4", "3", "1"][:n]
        elif scale.type in ("integer", "decimal"):
            values = [int(v) for v in rng.integers(scale.min, scale.max, n)]
        elif scale.type == "date":
            values = ["2027-03-01"] * n
        else:
            values = ["Bra, tack; å ä ö", None, "Lärorikt", "", "Ok", "Mycket bra"][:n]
        table[column.key] = [None if v == "" else v for v in values]
    frame = pd.DataFrame(table)
    frame.loc[0, layout.columns[0].key] = None  # item non-response
    return frame


def _norm(values):
    """None for missing, whole floats as int: how pandas may hold what was written."""
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
        elif isinstance(v, float) and v.is_integer():
            out.append(int(v))
        else:
            out.append(v)
    return out


@pytest.mark.parametrize("name", sorted(PLATFORMS))
@pytest.mark.parametrize(
    ("instrument", "role", "lang"), [("followup", "mentor", "sv"), ("meeting_log", "adept", "en")]
)
def test_every_platform_reads_back_what_it_wrote(templates, tmp_path, name, instrument, role, lang):
    layout = layout_for(templates, instrument, role, lang)
    table = _table(layout)
    shape = platform(name)
    path = tmp_path / f"export{shape.suffix}"
    shape.write(table, layout, path)
    back = shape.to_table(shape.read(path), layout)
    assert len(back) == len(table)
    for column in layout.columns:
        assert _norm(back[column.key]) == _norm(table[column.key]), column.key
    assert back["participantcode"].tolist() == table["participantcode"].tolist()
    assert (back["submittedat"] == table["submittedat"]).all()
    if shape.version_column:
        assert back["instrumentversion"].tolist() == table["instrumentversion"].tolist()


@pytest.mark.parametrize("name", ["google-forms", "ms-forms"])
def test_retrospective_items_share_their_statement_and_read_back_apart(templates, tmp_path, name):
    # Version 1 repeats the statement word for word in its then-items. Google Forms puts it in two
    # grids with different titles ("Title [statement]"); Microsoft Forms' Likert columns repeat the
    # statement alone, told apart by order.
    v1 = pinned(templates, {"baseline": "1.0.0", "followup": "1.0.0"})
    layout = layout_for(v1, "followup", "adept", "sv")
    shape = platform(name)
    headers = shape.item_headers(layout)
    then = next(c for c in layout.columns if c.item.then_of)
    original = next(c for c in layout.columns if c.key == then.item.then_of)
    sharing = [h for h in headers if h == original.text or h.endswith(f"[{original.text}]")]
    assert len(sharing) == 2
    assert len(set(sharing)) == (2 if name == "google-forms" else 1)
    table = _table(layout)
    table[original.key] = [1] * len(table)
    table[then.key] = [5] * len(table)
    path = tmp_path / f"g{shape.suffix}"
    shape.write(table, layout, path)
    back = shape.to_table(shape.read(path), layout)
    assert set(back[original.key]) == {1} and set(back[then.key]) == {5}


def test_swedish_excel_is_windows_1252_with_semicolons_and_swedish_labels(templates, tmp_path):
    layout = layout_for(templates, "baseline", "mentor", "sv")
    path = tmp_path / "s.csv"
    platform("swedish-excel").write(_table(layout), layout, path)
    raw = path.read_bytes()
    assert "Instämmer".encode("cp1252") in raw or "viktigt".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    title, header = raw.splitlines()[:2]
    assert title.count(b";") == 0 and "inmatad".encode("cp1252") in title  # a title row above the header
    assert header.count(b";") > 10


def test_values_decode_labels_in_either_language_case_and_whitespace(templates):
    scale = templates.scales["agree5"]
    top = scale.choices[-1]
    assert decode(f"  {top.label.sv.upper()} ", scale) == top.code
    assert decode(top.label.en.lower(), scale) == top.code
    assert decode(str(top.code), scale) == top.code
    assert decode("6", scale) == 6  # out of range stays a number, for the caller to reject
    assert decode("kanske", scale) == "kanske"  # nothing is guessed
    assert encode(top.code, scale, "sv", labels=True) == top.label.sv
    assert parse_number("12,5") == 12.5 and parse_number("1 200") == 1200.0
    assert parse_number("tolv") is None
