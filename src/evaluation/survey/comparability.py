"""Which items make a construct comparable across cohorts that answered different instrument versions.

A cohort pins the instrument versions it used (cohort.yml ``instruments``). Two cohorts are compared
on a construct only over the items every one of them was asked, in the versions it pinned: a
construct whose items changed between versions is scored on the shared items, and the comparison says
so. Change within one cohort is unaffected (it uses one version before and after).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from evaluation.survey.model import Templates

__all__ = ["Shared", "items_asked", "pinned", "restrict", "shared_items"]


@dataclass(frozen=True)
class Shared:
    """A construct's items: all it defines, and those every compared cohort was asked."""

    construct: str
    items: tuple[str, ...]
    shared: tuple[str, ...]

    @property
    def reduced(self) -> bool:
        """Whether the comparison uses fewer items than the construct defines for some cohort."""
        return self.shared != self.items


def items_asked(templates: Templates, pins: Mapping[str, str]) -> set[str]:
    """Return the ids of the items (retrospective items included) the pinned versions ask.

    Parameters
    ----------
    templates : Templates
        With every released version kept (``templates.archive``).
    pins : mapping
        Instrument id to the version a cohort pinned.
    """
    asked: set[str] = set()
    for instrument_id, version in pins.items():
        if instrument_id in templates.instruments:
            asked |= {item.id for item in templates.instrument(instrument_id, version).items}
    return asked


def shared_items(templates: Templates, cohorts: Iterable[Mapping[str, str]]) -> dict[str, Shared]:
    """Return, per scored construct, the items that every cohort (its pinned versions) was asked.

    Parameters
    ----------
    templates : Templates
        The templates (all kept versions).
    cohorts : iterable of mappings
        Each cohort's pins: instrument id to version.

    Returns
    -------
    dict
        Construct id to `Shared`. A construct's retrospective items count with the items they repeat.
    """
    asked = [items_asked(templates, pins) for pins in cohorts]
    out = {}
    for construct in templates.constructs.values():
        items = tuple(construct.scoring.items)
        common = tuple(i for i in items if all(i in seen for seen in asked))
        out[construct.id] = Shared(construct.id, items, common)
    return out


def restrict(templates: Templates, shared: Mapping[str, Shared]) -> Templates:
    """Return templates whose constructs are scored on their shared items only.

    Items left out keep their definition but belong to no construct, so that `evaluation.scoring.score`
    neither scores them nor expects them; a construct with no shared item is left out.
    """
    constructs = {}
    dropped: set[str] = set()
    for construct in templates.constructs.values():
        found = shared.get(construct.id)
        if found is None or not found.reduced:
            constructs[construct.id] = construct
            continue
        dropped |= set(found.items) - set(found.shared)
        if found.shared:
            scoring = construct.scoring.model_copy(
                update={
                    "items": found.shared,
                    "reverse": tuple(i for i in construct.scoring.reverse if i in found.shared),
                }
            )
            constructs[construct.id] = construct.model_copy(update={"scoring": scoring})
    items = {
        item_id: (
            item.model_copy(update={"construct": None})
            if item_id in dropped or (item.then_of is not None and item.then_of in dropped)
            else item
        )
        for item_id, item in templates.items.items()
    }
    return templates.model_copy(update={"constructs": constructs, "items": items})


def pinned(templates: Templates, pins: Mapping[str, str]) -> Templates:
    """Return the templates as a cohort that pinned `pins` sees them.

    Each pinned instrument is replaced by its pinned version (``templates.instrument(id)`` then returns
    it), and every construct is scored on the items those versions ask: a construct that lists the
    items of several versions (``intergen_understanding`` lists ``igu1`` ... of version 1 and
    ``ugen1`` ... of version 2) expects only the ones the cohort was asked, and a construct none of the
    instruments asks is left out. Scoring, the synthetic generator and the reports of a cohort all read
    the templates through this function.

    Parameters
    ----------
    templates : Templates
        All templates, with every released version kept (``templates.archive``).
    pins : mapping
        Instrument id to the version the cohort uses (cohort.yml ``instruments``); instruments not
        pinned keep their current version.

    Returns
    -------
    Templates

    Raises
    ------
    KeyError
        If a pinned version is neither the current version nor a kept release.
    """
    instruments = {
        instrument_id: templates.instrument(instrument_id, pins.get(instrument_id))
        for instrument_id in templates.instruments
    }
    view = templates.model_copy(update={"instruments": instruments})
    asked = items_asked(view, {i: inst.version for i, inst in instruments.items()})
    shared = {}
    for construct in view.constructs.values():
        items = tuple(construct.scoring.items)
        shared[construct.id] = Shared(construct.id, items, tuple(i for i in items if i in asked))
    return restrict(view, shared)
