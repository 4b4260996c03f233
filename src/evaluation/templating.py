"""The one jinja2 environment of every HTML page the package writes.

Report pieces and pages (`evaluation.report`), the participants' feedback pages
(`evaluation.report.feedback`), the ingest report (`evaluation.ingest.report`) and the printable forms
(`evaluation.forms.printable`) all come from the templates in ``evaluation/templates``, autoescaped,
with block tags that leave no blank lines behind.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

__all__ = ["ENVIRONMENT", "render"]

ENVIRONMENT = Environment(
    loader=PackageLoader("evaluation", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
"""The package's jinja2 environment (templates in ``evaluation/templates``)."""


def render(template: str, **context: object) -> str:
    """Return the package's template `template` (``evaluation/templates/``) filled with `context`."""
    return ENVIRONMENT.get_template(template).render(**context)
