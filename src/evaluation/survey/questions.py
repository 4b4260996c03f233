"""How a form groups the toolkit's items: a role's sections, grids of items sharing a scale, now/then pairs.

One rule for every form built for a platform (the Google Apps Script and the Qualtrics survey file, in
`evaluation.forms`) and for the export shapes a coordinator's hand-built form produces
(`evaluation.formats.layout.blocks`), so that what the toolkit builds and what it expects to read back
are the same.

A retrospective ("then") item with its own past-tense wording (``then_text``, version 2) sits directly
after its current item (`evaluation.survey.checks`) and is shown with it: `segments` gives a section as
single items and runs of now/then pairs (`ThenPair`), which the XLSForm shows as one group per pair
(``field-list``, or ``table-list`` when both use one scale), the printable form as one table per run
("Nu" | "Innan programmet") and LimeSurvey as one dual-scale array per run. Platforms whose grids have
one set of columns (Google Forms, Qualtrics) get the then-items as a grid of their own, titled
"Innan programmet", right after the grid (or question) holding their current items (`form_questions`).
A version 1 then-item, worded like its current item in a section of its own, is an ordinary item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from evaluation.survey.model import Instrument, Item, Scale, Section, Templates, Text

__all__ = [
    "NOW_TITLE",
    "PAIR_TITLE",
    "THEN_TITLE",
    "FormSection",
    "Kind",
    "Question",
    "Segment",
    "ThenPair",
    "form_questions",
    "form_sections",
    "is_numbered_scale",
    "pair_array_codes",
    "segments",
]

Kind = Literal["grid", "scale", "choice", "multiple", "number", "text", "date"]

NOW_TITLE = Text(sv="Nu", en="Now")
"""The heading over a current item's answers beside its retrospective item."""

THEN_TITLE = Text(sv="Innan programmet", en="Before the program")
"""The heading over a retrospective item's answers, and the title of a grid of retrospective items."""

PAIR_TITLE = Text(sv="Nu / Innan programmet", en="Now / Before the program")
"""The label of a group (XLSForm) or question (LimeSurvey) holding current and retrospective items."""


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
            sections.append(FormSection(section.for_role(role), items))
    return sections


@dataclass(frozen=True)
class ThenPair:
    """A current item and its retrospective item with its own wording, shown side by side."""

    current: Item
    current_scale: Scale
    then: Item
    then_scale: Scale

    @property
    def scale_ids(self) -> tuple[str, str]:
        """The ids of the two scales: pairs on the same two scales share a table or array."""
        return (self.current_scale.id, self.then_scale.id)

    @property
    def both_scales(self) -> tuple[Scale, Scale]:
        """The two scales: the current item's, then the retrospective item's."""
        return (self.current_scale, self.then_scale)

    @property
    def required(self) -> bool:
        """Whether both items must be answered."""
        return self.current.required and self.then.required


@dataclass(frozen=True)
class Segment:
    """Part of a section as a form lays it out: one item, or a run of now/then pairs on the same scales."""

    item: tuple[Item, Scale] | None = None
    pairs: tuple[ThenPair, ...] = ()


def segments(items: tuple[tuple[Item, Scale], ...]) -> list[Segment]:
    """Split a section's items (as a role sees them) into single items and runs of now/then pairs.

    A pair is an item with ``then_text`` (`Item.has_then_wording`) directly followed by its
    retrospective item; consecutive pairs on the same two scales form one run.
    """
    out: list[Segment] = []
    index = 0
    while index < len(items):
        item, scale = items[index]
        after = items[index + 1] if index + 1 < len(items) else None
        if after is not None and after[0].then_of == item.id and item.has_then_wording:
            pair = ThenPair(item, scale, after[0], after[1])
            if out and out[-1].pairs and out[-1].pairs[-1].scale_ids == pair.scale_ids:
                out[-1] = Segment(pairs=(*out[-1].pairs, pair))
            else:
                out.append(Segment(pairs=(pair,)))
            index += 2
            continue
        out.append(Segment(item=(item, scale)))
        index += 1
    return out


def pair_array_codes(sections: list[FormSection], taken: set[str]) -> dict[str, str]:
    """Return the LimeSurvey question code of each run of now/then pairs, by its first current item's id.

    ``NT1``, ``NT2``, ... in form order, skipping a code that is an item id (compared in lower case, as
    in `taken`); LimeSurvey's export then heads the answers ``NT1[<current item id>][1]`` (now) and
    ``NT1[<current item id>][2]`` (before the program).
    """
    codes: dict[str, str] = {}
    number = 0
    for part in sections:
        for segment in segments(part.items):
            if not segment.pairs:
                continue
            number += 1
            while f"nt{number}" in taken:
                number += 1
            codes[segment.pairs[0].current.id] = f"NT{number}"
    return codes


@dataclass(frozen=True)
class Question:
    """One question as a platform form shows it: a grid of items sharing a scale, or one item.

    ``title`` is the grid's title (see `form_questions`) and empty for a single item, whose title is its
    wording. ``then`` marks the retrospective items shown after the question holding their current
    items.
    """

    kind: Kind
    items: tuple[tuple[Item, Scale], ...]
    title: str = ""
    then: bool = False

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
    ``Title [wording]`` then repeat an earlier one (a version 1 retrospective item under the same
    introduction as the item it repeats), the section's title is used, then the title with `` (2)``,
    `` (3)``, ... so that every exported column names one item.

    Retrospective items with their own wording (see the module docstring) are left out of the runs:
    after each question holding their current items come the retrospective items, grouped the same
    way, as a grid titled "Innan programmet" ("Before the program"; `THEN_TITLE`) or, alone, a
    question whose title is its own past-tense wording. Their statements differ from the current
    ones, so every ``Title [statement]`` names one item.

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
        paired = {pair.then.id: pair.current.id for s in segments(part.items) for pair in s.pairs}
        later: dict[str, list[tuple[Item, Scale]]] = {}
        for item, scale in part.items:
            if item.id in paired:
                later.setdefault(paired[item.id], []).append((item, scale))
        current = tuple(member for member in part.items if member[0].id not in paired)
        questions: list[Question] = []
        for kind, members in _runs(current):
            questions.append(_question(kind, members, section, headers, role, lang))
            then = tuple(m for item, _ in members for m in later.get(item.id, ()))
            for then_kind, then_members in _runs(then):
                questions.append(_question(then_kind, then_members, section, headers, role, lang, then=True))
        result.append((part, questions))
    return result


def _question(
    kind: Kind,
    members: tuple[tuple[Item, Scale], ...],
    section: Section,
    headers: set[str],
    role: str,
    lang: str,
    *,
    then: bool = False,
) -> Question:
    """Return one question: a single item, or a grid titled so that its ``Title [row]`` are new."""
    if kind != "grid" or len(members) == 1:
        return Question("choice" if kind == "grid" else kind, members, then=then)
    rows = [item.wording(role, lang) for item, _ in members]
    if then:
        base = f"{THEN_TITLE[lang]} – {section.title[lang]}"
        candidates = [THEN_TITLE[lang]]
    else:
        base = section.title[lang]
        candidates = [section.intro[lang]] if section.intro else []
    candidates += [base] + [f"{base} ({n})" for n in range(2, len(headers) + 3)]
    title = next(t for t in candidates if not {f"{t} [{r}]" for r in rows} & headers)
    headers.update(f"{title} [{r}]" for r in rows)
    return Question("grid", members, title, then=then)


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
