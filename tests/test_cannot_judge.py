"""A "Kan inte bedöma" (cannot judge) choice is offered, read as a missing answer, never as the
midpoint, and leaves the released content hashes as they were (issue 12, item 5; review §2.1)."""

from __future__ import annotations

import pytest

from evaluation.formats.values import decode
from evaluation.survey import content_hash
from evaluation.survey.model import Choice, Scale, Text


def _scale() -> Scale:
    labels = ["Tar helt avstånd", "Tar delvis avstånd", "Varken eller", "Instämmer delvis", "Instämmer helt"]
    choices = [Choice(code=n, label=Text(sv=label, en=label)) for n, label in enumerate(labels, start=1)]
    choices.append(Choice(code=9, label=Text(sv="Kan inte bedöma", en="Cannot judge"), missing=True))
    return Scale(id="opinion5", type="ordinal", name=Text(sv="Åsikt", en="Opinion"), choices=tuple(choices))


def test_cannot_judge_is_read_as_missing_never_as_a_position():
    scale = _scale()
    assert scale.codes == (1, 2, 3, 4, 5) and scale.missing_codes == {9}
    for cell in ("Kan inte bedöma", "kan inte BEDÖMA ", "Cannot judge", "9", 9):
        assert decode(cell, scale) is None, cell
    assert decode("Varken eller", scale) == 3
    assert decode("6", scale) == 6  # outside the scale: kept for the caller to quarantine


def test_a_missing_choice_does_not_break_an_ordinal_scales_order_but_a_scale_needs_two_positions():
    _scale()  # 1-5 consecutive, 9 set apart
    with pytest.raises(ValueError, match="at least two choices"):
        Scale(
            id="x",
            type="ordinal",
            name=Text(sv="x", en="x"),
            choices=(
                Choice(code=1, label=Text(sv="a", en="a")),
                Choice(code=9, label=Text(sv="Kan inte bedöma", en="Cannot judge"), missing=True),
            ),
        )


def test_released_hashes_do_not_change_with_the_new_flag(templates):
    for instrument in templates.instruments.values():
        assert content_hash(templates, instrument) == templates.released[instrument.id][instrument.version]


# The methodologist's proposed Swedish labels (../shared/instrument-review.md, §2.1, "Proposed Swedish").
REVIEW_LABELS = {
    "stammer5": [
        "Stämmer inte alls",
        "Stämmer ganska dåligt",
        "Stämmer varken bra eller dåligt",
        "Stämmer ganska bra",
        "Stämmer helt",
    ],
    "opinion5": [
        "Tar helt avstånd",
        "Tar delvis avstånd",
        "Varken instämmer eller tar avstånd",
        "Instämmer delvis",
        "Instämmer helt",
    ],
    "importance5v2": [
        "Inte alls viktigt",
        "Inte särskilt viktigt",
        "Ganska viktigt",
        "Mycket viktigt",
        "Helt avgörande",
    ],
    "frequency5v2": [
        "Aldrig",
        "Mer sällan än en gång i månaden",
        "En eller några gånger i månaden",
        "En eller några gånger i veckan",
        "Dagligen eller nästan dagligen",
    ],
    "extent5": ["Inte alls", "I liten grad", "I viss grad", "I hög grad", "I mycket hög grad"],
}


@pytest.mark.parametrize(("scale_id", "labels"), list(REVIEW_LABELS.items()))
def test_version_2_scales_carry_the_reviewed_labels(templates, scale_id, labels):
    scale = templates.scales[scale_id]
    assert [scale.label(code, "sv") for code in scale.codes] == labels
    assert scale.codes == (1, 2, 3, 4, 5)


def test_version_2_scales_offer_cannot_judge_as_missing_and_end_the_0_10_scale_plainly(templates):
    assert templates.scales["opinion5"].label(9, "sv") == "Kan inte bedöma"
    assert templates.scales["opinion5"].missing_codes == {9}
    assert templates.scales["extent5"].label(9, "sv") == "Jag har inte deltagit"
    assert decode("Kan inte bedöma", templates.scales["opinion5"]) is None
    assert templates.scales["recommend11v2"].label(10, "sv") == "10 – Mycket troligt"  # not "Extremt"
    assert templates.scales["stammerthen5"].label(1, "sv").startswith("Stämde")
