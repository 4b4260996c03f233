"""Generic CSV: one header row of item ids (the csv template's columns), codes as answers, UTF-8."""

from evaluation.formats.base import Platform

GENERIC = Platform(name="generic", meta={"submittedat": "submittedat"})
