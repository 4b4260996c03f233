"""LimeSurvey's response export as CSV, with question codes as headers and answer codes as values.

Metadata columns ``id``, ``submitdate`` (empty for an incomplete response), ``lastpage``,
``startlanguage``, ``seed``, ``startdate``, ``datestamp``; then one column per question code. A
multiple-choice question has one column per option, ``code[option]``, holding ``Y`` when chosen. A
current item and its retrospective item with its own wording are a row of an Array dual scale question
in the toolkit's LimeSurvey form (`evaluation.forms.limesurvey`), exported as ``NT1[igu1][1]`` (the
current item) and ``NT1[igu1][2]`` (the retrospective item), answer codes as values.
UTF-8 with a byte-order mark, every field quoted.

References
----------
LimeSurvey manual, "Export responses"; the shape of limonaid's fixture ``survey_998192_R_data_file.csv``
(in ``../shared/real-exports/limesurvey/``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import pandas as pd

from evaluation.formats.base import Platform, is_missing
from evaluation.formats.layout import Layout, RawExport, layout_sections
from evaluation.survey.questions import pair_array_codes, segments

__all__ = ["LIMESURVEY"]


def _option(item_id: str, code: int) -> str:
    return f"{item_id}[c{code}]"


@dataclass(frozen=True)
class LimeSurvey(Platform):
    """LimeSurvey: code headers, one ``Y`` column per multiple-choice option."""

    def item_headers(self, layout: Layout) -> list[str]:
        """Return one header per item (a now/then pair: dual-scale columns); `columns` expands options."""
        sections = layout_sections(layout)
        codes = pair_array_codes(sections, {item.id.lower() for item in layout.instrument.items})
        dual: dict[str, str] = {}
        for part in sections:
            for segment in segments(part.items):
                for pair in segment.pairs:
                    code = codes[segment.pairs[0].current.id]
                    dual[pair.current.id] = f"{code}[{pair.current.id}][1]"
                    dual[pair.then.id] = f"{code}[{pair.current.id}][2]"
        return [dual.get(item_id, item_id) for item_id in layout.item_ids]

    def columns(self, table: pd.DataFrame, layout: Layout) -> list[tuple[str, list[object]]]:
        """Expand multiple-choice items into ``item[cN]`` columns and derive LimeSurvey's metadata."""
        out = dict(super().columns(table, layout))
        n = len(table)
        finished = table.get("finished", pd.Series([True] * n)).fillna(False).astype(bool)
        out["submitdate"] = [v if done else "" for v, done in zip(out["submitdate"], finished, strict=True)]
        out["lastpage"] = [len(layout.instrument.sections) if done else 1 for done in finished]
        out["startlanguage"] = [layout.lang] * n
        out["seed"] = [""] * n
        out["datestamp"] = out["submitdate"]
        expanded: dict[str, list[object]] = {}
        for name, values in out.items():
            column = next((c for c in layout.columns if c.key == name), None)
            if column is None or column.scale.type != "multiple":
                expanded[name] = values
                continue
            chosen = [str(v).split(";") if not is_missing(v) else None for v in values]
            for code in column.scale.codes:
                expanded[_option(name, code)] = [
                    "" if parts is None else ("Y" if str(code) in parts else "") for parts in chosen
                ]
        order = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
        return [(k, expanded[k]) for k in order] + [(k, v) for k, v in expanded.items() if k not in order]

    def to_table(self, raw: RawExport, layout: Layout) -> pd.DataFrame:
        """Fold ``item[cN]`` columns into ``"1;3"`` before decoding."""
        frame = raw.frame
        folded_columns: dict[str, list[object]] = {}
        dropped: list[str] = []
        for column in layout.columns:
            if column.scale.type != "multiple":
                continue
            options = [(code, _option(column.key, code)) for code in column.scale.codes]
            present = [(code, name) for code, name in options if name in frame]
            if not present:
                continue
            folded = []
            for _, row in frame[[name for _, name in present]].iterrows():
                chosen = [str(code) for code, name in present if str(row[name] or "").strip().upper() == "Y"]
                folded.append(";".join(chosen) if chosen else None)
            dropped += [name for _, name in present]
            folded_columns[column.key] = folded
        frame = pd.concat(
            [frame.drop(columns=dropped), pd.DataFrame(folded_columns, index=frame.index)], axis=1
        )
        return super().to_table(RawExport(frame, raw.headers, raw.platform, raw.path), layout)


LIMESURVEY = LimeSurvey(
    name="limesurvey",
    meta={"id": "responseid", "submitdate": "submittedat", "startdate": "startedat"},
    encoding="utf-8-sig",
    quoting=csv.QUOTE_ALL,
)
