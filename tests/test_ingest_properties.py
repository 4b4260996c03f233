"""Reconciliation under hostile input (hypothesis): every row accepted or quarantined, cells traceable."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.formats.values import decode
from evaluation.ingest import ingest_cohort
from evaluation.ingest.pseudonym import SYNTHETIC_KEY, pseudonym
from evaluation.survey import load_templates
from evaluation.synth import synthesize

TEMPLATES = load_templates()  # module-level, so that hypothesis does not print it with a failing case


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("base") / "cohort"
    synthesize(folder, TEMPLATES, pairs=6, agencies=2, seed=1, fmt="generic")
    return folder


def _cells(scale):
    junk = st.sampled_from(["", " ", "n/a", "kanske", "99", "-1", "3,5", "VIKTIGT", "1;2", "\u00a0"])
    if scale.has_choices:
        labels = [c.label[lang] for c in scale.choices for lang in ("sv", "en")]
        return st.one_of(
            st.sampled_from([str(c) for c in scale.codes]),
            st.sampled_from(labels).map(lambda s: f"  {s.upper()} "),
            junk,
            st.text(max_size=6),
        )
    return st.one_of(st.text(max_size=20), junk)


@st.composite
def hostile_exports(draw, templates, roster):
    layout_items = templates.instrument("inspiration").items_for("mentor")
    codes = list(roster.loc[roster["role"] == "mentor", "participant_id"]) + list(
        roster.loc[roster["role"] == "adept", "participant_id"][:1]
    )
    n = draw(st.integers(0, 25))
    rows = []
    for i in range(n):
        code = draw(
            st.one_of(st.sampled_from(codes), st.sampled_from(["", "TEST", "ZZZZ-ZZZZ"]), st.text(max_size=9))
        )
        row = {"participantcode": code, "submittedat": f"2027-02-{1 + i % 27:02d} 10:{i % 60:02d}:00"}
        for item in layout_items:
            row[item.id] = draw(_cells(templates.scale_of(item)))
        rows.append(row)
    return pd.DataFrame(rows, columns=["participantcode", "submittedat", *[i.id for i in layout_items]])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_row_is_accepted_or_quarantined_and_every_cell_traceable(base, data):
    templates = TEMPLATES
    roster = pd.read_csv(base / "roster.csv", dtype=str)
    table = data.draw(hostile_exports(templates, roster))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cohort"
        shutil.copytree(base, folder, ignore=shutil.ignore_patterns("processed", "*.csv", "*.xlsx"))
        shutil.copy(base / "roster.csv", folder / "roster.csv")
        (folder / "raw").mkdir(exist_ok=True)
        table.to_csv(folder / "raw" / "hostile.csv", index=False, lineterminator="\r\n")  # RFC 4180
        config = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
        config["sources"] = [
            {
                "instrument": "inspiration",
                "role": "mentor",
                "wave": "meeting1",
                "file": "hostile.csv",
                "format": "generic",
            }
        ]
        (folder / "cohort.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        report = ingest_cohort(folder, templates)
        source = report["sources"][0]
        raw = pd.read_csv(folder / "raw" / "hostile.csv", dtype=str, keep_default_na=False)
        assert source["rows_read"] == len(raw) == source["rows_accepted"] + source["rows_quarantined"]
        long = pd.read_parquet(folder / "processed" / "inspiration.parquet")
        quarantine = pd.read_csv(folder / "processed" / "quarantine.csv", dtype={"column": object})
        rejected = set(quarantine.loc[quarantine["column"].isna(), "row"])
        assert set(long["source_row"]).isdisjoint(rejected)
        for record in long.itertuples():
            cell = raw.iloc[record.source_row - 1]
            assert pseudonym(SYNTHETIC_KEY, cell["participantcode"]) == record.pseudonym
            scale = templates.scale_of(templates.items[record.item])
            expected = decode(cell[record.item], scale, separators=(";", ","))
            got = record.value_text if pd.isna(record.value) else record.value
            assert str(expected) == str(int(got) if isinstance(got, float) and got.is_integer() else got)
