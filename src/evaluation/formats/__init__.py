"""The format layer: each survey platform's export shape, defined once.

The synthetic cohort writes exports through these definitions and ingest reads them through the same
ones. Each platform is a `Platform` (see `evaluation.formats.base`) in its own module.
"""

from __future__ import annotations

from evaluation.formats.base import Platform
from evaluation.formats.generic import GENERIC
from evaluation.formats.google_forms import GOOGLE_FORMS
from evaluation.formats.layout import METADATA, Column, Layout, RawExport, layout_for
from evaluation.formats.limesurvey import LIMESURVEY
from evaluation.formats.ms_forms import MS_FORMS
from evaluation.formats.qualtrics import QUALTRICS
from evaluation.formats.readonly import KOBO, QUALTRICS_LEGACY, SURVEYMONKEY
from evaluation.formats.swedish_excel import SWEDISH_EXCEL

__all__ = [
    "METADATA",
    "PLATFORMS",
    "READABLE",
    "Column",
    "Layout",
    "Platform",
    "RawExport",
    "layout_for",
    "platform",
]

PLATFORMS: dict[str, Platform] = {
    p.name: p for p in (GENERIC, QUALTRICS, GOOGLE_FORMS, MS_FORMS, LIMESURVEY, SWEDISH_EXCEL)
}
"""Every platform shape the generator writes, by its ``--format`` name."""

READABLE: dict[str, Platform] = {**PLATFORMS, **{p.name: p for p in (QUALTRICS_LEGACY, SURVEYMONKEY, KOBO)}}
"""Every shape ingest reads: the written ones and the read-only ones of `evaluation.formats.readonly`."""


def platform(name: str) -> Platform:
    """Return a platform by name, or raise a ValueError that lists the known ones."""
    try:
        return READABLE[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; expected one of {', '.join(READABLE)}") from None
