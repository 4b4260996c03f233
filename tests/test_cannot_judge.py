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
