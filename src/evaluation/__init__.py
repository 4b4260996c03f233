"""Evaluation toolkit for a reverse mentoring program in Swedish government agencies."""

__version__ = "0.1.0"
