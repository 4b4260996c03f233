"""How a form groups the toolkit's items: a role's sections, and grids of items sharing a scale.

One rule for every form built for a platform (the Google Apps Script and the Qualtrics survey file, in
`evaluation.forms`) and for the export shapes a coordinator's hand-built form produces
(`evaluation.formats.layout.blocks`), so that what the toolkit builds and what it expects to read back
are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from evaluation.survey.model import Instrument, Item, Scale, Section, Templates

__all__ = ["FormSection", "Kind", "Question", "form_questions", "form_sections", "is_numbered_scale"]

Kind = Literal["grid", "scale", "choice", "multiple", "number", "text", "date"]


@dataclass(frozen=True)
class FormSection:
    """A section as one role sees it: only the items that role answers, each with its scale."""

    section: Section
    items: tuple[tuple[Item, Scale], ...]


def form_sections(templates: Templates, instrument: Instrument, role: str) -> list[FormSection]:
    """Return the sections `role` sees, in order, leaving out sections with no item for the role."""
    sections = []
    for section in instrument.sections:
        items = tuple((i, templates.scale_of(i)) for i in section.items if role in i.roles)
        if items:
            sections.append(FormSection(section, items))
    return sections


@dataclass(frozen=True)
class Question:
    """One question as a platform form shows it: a grid of items sharing a scale, or one item.

    ``title`` is the grid's title (see `layout`) and empty for a single item, whose title is its
    wording.
    """

    kind: Kind
    items: tuple[tuple[Item, Scale], ...]
    title: str = ""

    @property
    def scale(self) -> Scale:
        """The scale every item of the question answers on."""
        return self.items[0][1]


def is_numbered_scale(scale: Scale) -> bool:
    """Whether `scale` is a numbered (linear) scale rather than one with a word for every point.

    True for an ordinal scale with codes from 0 or 1 up to 3-10 whose inner points are labelled only
    by their number in both languages (the 0-10 likelihood scale); Google's linear scale takes exactly
    such bounds.
    """
    if scale.type != "ordinal":
        return False
    codes = scale.codes
    if codes[0] not in (0, 1) or not 3 <= codes[-1] <= 10:
        return False
    inner = scale.choices[1:-1]
    return all(c.label.sv == str(c.code) and c.label.en == str(c.code) for c in inner)


def _kind(item: Item, scale: Scale) -> Kind:
    if scale.type == "ordinal":
        if is_numbered_scale(scale):
            return "scale"
        return "choice" if item.hint else "grid"
    return {
        "nominal": "choice",
        "multiple": "multiple",
        "integer": "number",
        "decimal": "number",
        "text": "text",
        "date": "date",
    }[scale.type]


def form_questions(
    sections: list[FormSection], role: str, lang: str
) -> list[tuple[FormSection, list[Question]]]:
    """Return each section `role` sees with its questions as a platform form shows them.

    Two or more consecutive agreement-type items on the same scale with the same ``required`` flag and
    no hint form one grid; every other item is a question of its own. A grid's title is its section's
    introduction (the question the section asks), else the section's title; should a grid's
    ``Title [wording]`` then repeat an earlier one (a retrospective item under the same introduction as
    the item it repeats), the section's title is used, then the title with `` (2)``, `` (3)``, ... so
    that every exported column names one item.

    Parameters
    ----------
    sections : list of FormSection
        The sections as the role sees them (`form_sections`).
    role, lang : str
        Whose wording, in which language.

    Returns
    -------
    list of (FormSection, list of Question)
        In form order.
    """
    headers: set[str] = set()
    result = []
    for part in sections:
        section = part.section
        questions: list[Question] = []
        for kind, members in _runs(part.items):
            if kind != "grid" or len(members) == 1:
                questions.append(Question("choice" if kind == "grid" else kind, members))
                continue
            rows = [item.wording(role, lang) for item, _ in members]
            base = section.title[lang]
            candidates = [section.intro[lang]] if section.intro else []
            candidates += [base] + [f"{base} ({n})" for n in range(2, len(headers) + 3)]
            title = next(t for t in candidates if not {f"{t} [{r}]" for r in rows} & headers)
            headers.update(f"{title} [{r}]" for r in rows)
            questions.append(Question("grid", members, title))
        result.append((part, questions))
    return result


def _runs(items: tuple[tuple[Item, Scale], ...]) -> list[tuple[Kind, tuple[tuple[Item, Scale], ...]]]:
    """Group a section's items: a run of grid items on one scale and ``required`` flag, else one item."""
    runs: list[tuple[Kind, list[tuple[Item, Scale]]]] = []
    for item, scale in items:
        kind = _kind(item, scale)
        if kind == "grid" and runs and runs[-1][0] == "grid":
            first_item, first_scale = runs[-1][1][0]
            if first_scale.id == scale.id and first_item.required == item.required:
                runs[-1][1].append((item, scale))
                continue
        runs.append((kind, [(item, scale)]))
    return [(kind, tuple(members)) for kind, members in runs]
