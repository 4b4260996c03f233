"""The codebook (data dictionary) and the empty response template with the canonical columns."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from evaluation.survey import PARTICIPANT_CODE, SUBMITTED_AT, VERSION_FIELD, Item, Scale, Templates

__all__ = ["MULTIPLE_SEPARATOR", "codebook", "csv_columns", "write", "write_csv_template"]

MULTIPLE_SEPARATOR = ";"
"""How the csv template holds a multiple-choice answer: the chosen codes joined, e.g. ``1;4``."""

CODEBOOK_COLUMNS = [
    "item_id",
    "instruments",
    "construct",
    "construct_sv",
    "construct_en",
    "scale",
    "scale_type",
    "values_sv",
    "values_en",
    "reverse",
    "roles",
    "text_sv",
    "text_en",
    "mentor_text_sv",
    "mentor_text_en",
    "adept_text_sv",
    "adept_text_en",
    "then_of",
    "perception_of",
]


def _values(scale: Scale, lang: str) -> str:
    if scale.has_choices:
        values = "; ".join(f"{c.code} = {c.label[lang]}" for c in scale.choices)
        if scale.type == "multiple":
            note = {
                "sv": "flera val, koder åtskilda med ;",
                "en": "several choices, codes joined by ;",
            }
            values += f" ({note[lang]})"
        return values
    if scale.type in ("integer", "decimal"):
        unit = f" {scale.unit[lang]}" if scale.unit else ""
        return f"{scale.min:g}–{scale.max:g}{unit}"
    return scale.name[lang]


def _row(templates: Templates, item: Item, instruments: list[str]) -> dict[str, object]:
    scale = templates.scale_of(item)
    construct = templates.constructs.get(item.construct or "")
    row: dict[str, object] = {
        "item_id": item.id,
        "instruments": ", ".join(instruments),
        "construct": item.construct or "",
        "construct_sv": construct.name.sv if construct else "",
        "construct_en": construct.name.en if construct else "",
        "scale": scale.id,
        "scale_type": scale.type,
        "values_sv": _values(scale, "sv"),
        "values_en": _values(scale, "en"),
        "reverse": item.reverse,
        "roles": ", ".join(item.roles),
        "text_sv": item.text.sv if item.text else "",
        "text_en": item.text.en if item.text else "",
        "then_of": item.then_of or "",
        "perception_of": item.perception_of or "",
    }
    for role in ("mentor", "adept"):
        for lang in ("sv", "en"):
            row[f"{role}_text_{lang}"] = item.role_text[role][lang] if role in item.role_text else ""
    return row


def codebook(templates: Templates, instrument_id: str | None = None, role: str | None = None) -> pd.DataFrame:
    """Return the data dictionary: one row per item.

    Parameters
    ----------
    templates : Templates
        Loaded templates.
    instrument_id : str, optional
        Only the items of this instrument; all instruments when omitted.
    role : {"mentor", "adept"}, optional
        Only the items this role answers.

    Returns
    -------
    pandas.DataFrame
        item_id; instruments (``id version`` of each instrument that asks the item); construct and its
        names construct_sv, construct_en; scale and scale_type; values_sv, values_en (codes with their
        labels, or the bounds); reverse (bool); roles; text_sv, text_en (the common wording);
        mentor_text_sv, mentor_text_en, adept_text_sv, adept_text_en (role-specific wording, empty
        where there is none); then_of (the item a retrospective item repeats); perception_of (the item
        a perception of the other generation is compared with).
    """
    chosen = [templates.instrument(instrument_id)] if instrument_id else list(templates.instruments.values())
    asked: dict[str, list[str]] = {}
    order: list[Item] = []
    for instrument in chosen:
        items = instrument.items_for(role) if role else instrument.items
        for item in items:
            if item.id not in asked:
                asked[item.id] = []
                order.append(item)
            asked[item.id].append(f"{instrument.id} {instrument.version}")
    rows = [_row(templates, item, asked[item.id]) for item in order]
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)


def _markdown(table: pd.DataFrame, title: str) -> str:
    lines = [f"# {title}", ""]
    header = [
        "item_id",
        "construct",
        "scale",
        "values_sv",
        "reverse",
        "roles",
        "text_sv",
        "text_en",
        "then_of",
        "perception_of",
    ]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for _, row in table.iterrows():
        cells = [str(row[c]).replace("|", "\\|").replace("\n", " ") for c in header]
        lines.append("| " + " | ".join(cells) + " |")
    role_specific = table[(table["mentor_text_sv"] != "") | (table["adept_text_sv"] != "")]
    if not role_specific.empty:
        lines += ["", "## Rollspecifika formuleringar / Role-specific wording", ""]
        for _, row in role_specific.iterrows():
            lines.append(f"- **{row['item_id']}**")
            for role in ("mentor", "adept"):
                if row[f"{role}_text_sv"]:
                    lines.append(f"  - {role}: {row[f'{role}_text_sv']} / {row[f'{role}_text_en']}")
    return "\n".join(lines) + "\n"


def write(templates: Templates, instrument_id: str | None, role: str | None, lang: str, path: Path):
    """Write the codebook as Markdown (``path`` with suffix .md) and CSV (suffix .csv) side by side."""
    table = codebook(templates, instrument_id, role)
    scope = instrument_id or "alla instrument / all instruments"
    title = f"Kodbok / Codebook: {scope}" + (f" ({role})" if role else "")
    path.with_suffix(".csv").write_text(table.to_csv(index=False), encoding="utf-8")
    path.with_suffix(".md").write_text(_markdown(table, title), encoding="utf-8")


def csv_columns(templates: Templates, instrument_id: str, role: str) -> list[str]:
    """Return the canonical columns of a response file: metadata, then the role's item ids."""
    instrument = templates.instrument(instrument_id)
    items = [item.id for item in instrument.items_for(role)]
    return [PARTICIPANT_CODE, SUBMITTED_AT, VERSION_FIELD, *items]


def write_csv_template(templates: Templates, instrument_id: str, role: str, lang: str, path: Path) -> None:
    """Write an empty response file (header only) with the canonical columns, in UTF-8."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(csv_columns(templates, instrument_id, role))
