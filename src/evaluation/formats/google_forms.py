"""Google Forms' CSV download: ``Timestamp``, ``Email Address``, then one column per question text.

Answers are labels; a multiple-choice answer joins the chosen labels with ``", "``. Google Forms has
no hidden fields, so the instrument version is not in the file (cohort.yml records it).
"""

from evaluation.formats.base import Platform

GOOGLE_FORMS = Platform(
    name="google-forms",
    meta={"Timestamp": "submittedat", "Email Address": "email"},
    item_header="text",
    labels=True,
    multi_separator=", ",
    time_format="%Y/%m/%d %I:%M:%S %p",
    version_column=False,
)
