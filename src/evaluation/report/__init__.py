"""A cohort's reports: what the report notebooks call, and the build that runs them.

Notebooks stay thin: a parameters cell, then one-line calls such as ``report.load(cohort_dir)``,
``report.table(report.response_rates(data, lang), ...)`` or ``report.heading("cohort.title", lang)``.
Everything a reader sees comes from here, in the report's language; every figure gets a title and a
text alternative that states its finding; every table passed disclosure control.

Modules, one concern each:

`evaluation.report.data`
    Load and score a cohort once per build (`load`), shared by all its reports.
`evaluation.report.tables`
    The protected tables (`evaluation.disclosure.Protected`) the reports show and write.
`evaluation.report.views`
    Reader views of those tables: names, not ids; numbers the reader's way.
`evaluation.report.text`
    The words of a page from the message catalogue (`evaluation.text`): roles, groups, topics, notes.
`evaluation.report.sections`
    Prose sections: summaries, comments, comparisons, an agency's overview.
`evaluation.report.figures`
    Figures with their findings.
`evaluation.report.render`
    HTML pieces from jinja2 templates (`evaluation.templating`): tables, headings, paragraphs.
`evaluation.report.page`
    An executed notebook as an HTML page for screen and print.
`evaluation.report.brief`, `evaluation.report.index`, `evaluation.report.feedback`
    The one-page brief for leadership, the index of a cohort's reports, and each participant's own
    feedback page.
`evaluation.report.build`, `evaluation.report.progress`, `evaluation.report.pdf`
    Plan, run on warm kernels, cache and convert; progress on a terminal; print to PDF.

The names below are imported on first use, so that a build with nothing to do stays fast.
"""

from __future__ import annotations

import importlib

_MODULES = ("data", "tables", "views", "text", "sections", "figures", "render", "build", "pdf")
"""The modules whose public names (their ``__all__``) the package offers, searched in this order."""


def __getattr__(name: str) -> object:
    """Import `name` from the first of `_MODULES` that exports it, on first use (PEP 562)."""
    for module in _MODULES:
        found = importlib.import_module(f"evaluation.report.{module}")
        if name in found.__all__:
            value = getattr(found, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module 'evaluation.report' has no attribute {name!r}")


def __dir__() -> list[str]:
    names = {n for m in _MODULES for n in importlib.import_module(f"evaluation.report.{m}").__all__}
    return sorted({*globals(), *names})
