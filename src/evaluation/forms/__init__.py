"""Forms for survey platforms, printable forms and the codebook, all made from the survey templates.

One module per output format; `export` picks the right one. Every form opens with the information
text (`evaluation.forms.fields`, texts in `evaluation.survey.notices`), built from a cohort's settings
when given (`evaluation.cohort.CohortConfig.information`), asks for the participant code, carries the
instrument's id and version in a hidden field, so that every export records the version its
respondents saw, and ends with a thank-you. The codebook and the CSV template are not forms and have
neither.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from evaluation.forms import apps_script, codebook, limesurvey, printable, qsf, xlsform
from evaluation.survey import Templates
from evaluation.survey.notices import Information

__all__ = ["FORMATS", "INFORMED", "export"]

FORMATS: dict[str, tuple[str, Callable[..., None]]] = {
    "xlsform": (".xlsx", xlsform.write),
    "limesurvey": (".txt", limesurvey.write),
    "html": (".html", printable.write),
    "codebook": (".md", codebook.write),
    "csv-template": (".csv", codebook.write_csv_template),
    "google-apps-script": (".gs", apps_script.write),
    "qsf": (".qsf", qsf.write),
}
"""Format name to (file suffix, writer(templates, instrument, role, lang, path)).

The writers of the formats in `INFORMED` also take ``information=`` (the cohort's settings).
"""

INFORMED = frozenset({"xlsform", "limesurvey", "html", "google-apps-script", "qsf"})
"""The formats respondents read: they open with the information text and end with a thank-you."""

ALL = "all"
"""The instrument name that asks the codebook for every instrument."""


def export(
    templates: Templates,
    instrument_id: str,
    fmt: str,
    path: Path,
    *,
    role: str | None = None,
    lang: str = "sv",
    version: str | None = None,
    information: Information | None = None,
) -> Path:
    """Write one instrument as one role sees it, in one language, in format `fmt`.

    Parameters
    ----------
    templates : Templates
        Loaded templates.
    instrument_id : str
        The instrument, e.g. ``"baseline"``; ``"all"`` for a codebook of every instrument.
    fmt : str
        One of `FORMATS`.
    path : pathlib.Path
        The file to write; its folder is created. A codebook is written as Markdown and CSV, with
        this path's stem.
    role : {"mentor", "adept"}, optional
        Whose wording and items; required for every format but the codebook, where it filters.
    lang : {"sv", "en"}
        The form's main language (XLSForm and LimeSurvey forms carry the other language too; the
        codebook always has both).
    version : str, optional
        A released version of the instrument (kept in ``surveys/instruments/released``); the current
        version when omitted.
    information : Information, optional
        What the information text at the start of the form says: the cohort's controller, contact,
        purpose, legal basis, retention, minimum group size and ``pair_feedback``
        (`evaluation.cohort.CohortConfig.information`). Without it the form shows placeholders such
        as "[personuppgiftsansvarig]", the default minimum group size and the instrument's own
        ``partner_feedback``. Ignored by the codebook and the CSV template.

    Returns
    -------
    pathlib.Path
        The file written (for the codebook, the Markdown file).

    Raises
    ------
    ValueError
        If the format, role or language is unknown, the role does not answer the instrument, or
        `information` sets ``pair_feedback: shared`` for an instrument that does not announce it.
    KeyError
        If the instrument is unknown.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if version is not None and instrument_id != ALL:
        chosen_version = templates.instrument(instrument_id, version)  # KeyError lists the versions
        templates = templates.model_copy(
            update={"instruments": {**templates.instruments, instrument_id: chosen_version}}
        )
    if lang not in ("sv", "en"):
        raise ValueError(f"unknown language {lang!r}; expected sv or en")
    if role is not None and role not in ("mentor", "adept"):
        raise ValueError(f"unknown role {role!r}; expected mentor or adept")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "codebook":
        chosen = None if instrument_id == ALL else templates.instrument(instrument_id).id
        codebook.write(templates, chosen, role, lang, path)
        return path.with_suffix(".md")
    instrument = templates.instrument(instrument_id)
    if role is None:
        raise ValueError(f"format {fmt!r} needs a role: mentor or adept")
    if role not in instrument.roles:
        raise ValueError(f"role {role!r} does not answer {instrument_id!r}")
    if fmt in INFORMED:
        FORMATS[fmt][1](templates, instrument_id, role, lang, path, information=information)
    else:
        FORMATS[fmt][1](templates, instrument_id, role, lang, path)
    return path
