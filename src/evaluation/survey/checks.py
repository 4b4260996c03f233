"""Cross-reference checks of the survey templates, beyond what each file's schema can see.

Items are defined once, in the item bank, and instruments list their ids. Constructs and items must
agree on membership and reverse keys, because scoring reads one and forms show the other; an item about
the partner (or the other generation) must be compared with an item some instrument asks (from version
2, own work values are asked at baseline only and beliefs about the partner at both waves).

Retrospective ("then") items with their own past-tense wording (``then_text``, version 2) follow
stricter rules in every instrument that has one: each then-item sits in the same section as its
current item, directly after it (the forms show the two side by side, "Nu / Innan programmet"), every
then-item has its own wording, and no then-item repeats a reverse-keyed item (a negated statement in
the past tense is a double negative that respondents misread; issue 12). A ``then_scale`` has the
same codes as the scale it stands in for, so that "then" and "now" are scored alike. Version 1
instruments, whose then-items repeat the present-tense wording in a section of their own, stay valid.
"""

from __future__ import annotations

from pathlib import Path

from evaluation.errors import Problem
from evaluation.survey.columns import RESERVED_COLUMNS
from evaluation.survey.model import Instrument, Item, Templates

__all__ = ["cross_check"]


_SCORING_SCALES = {
    "mean": {"ordinal"},
    "profile": {"ordinal"},
    "single": {"ordinal"},
    "choice": {"nominal", "multiple"},
    "number": {"integer", "decimal"},
    "text": {"text"},
}


def _check_instrument(
    templates: Templates, instrument: Instrument, path: Path, problems: list[Problem]
) -> None:
    section_ids = [s.id for s in instrument.sections]
    for section_id in sorted({s for s in section_ids if section_ids.count(s) > 1}):
        problems.append(Problem(path, section_id, "avsnittet finns två gånger", "duplicate section id"))
    ids = [item.id for item in instrument.items]
    for item_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(path, item_id, "frågan finns två gånger i instrumentet", "item listed twice"))
    for item in instrument.items:
        stray_roles = sorted(set(item.roles) - set(instrument.roles))
        if stray_roles:
            problems.append(
                Problem(
                    path,
                    item.id,
                    f"rollerna {stray_roles} besvarar inte instrumentet",
                    f"roles {stray_roles} do not answer this instrument",
                )
            )
        for link, target in (("then_of", item.then_of), ("perception_of", item.perception_of)):
            if link == "perception_of" and target is not None and target not in ids:
                # A belief about the partner's values may be compared with the partner's answer in
                # another instrument (own values are asked at baseline only from version 2).
                elsewhere = any(
                    target in {i.id for i in other.items} for other in templates.instruments.values()
                )
                if elsewhere:
                    continue
            if target is not None and target not in ids:
                problems.append(
                    Problem(
                        path,
                        item.id,
                        f"{link} pekar på {target!r}, som saknas i instrumentet",
                        f"{link} names {target!r}, which this instrument does not contain",
                    )
                )
    if instrument.uses_then_text:
        _check_then_items(templates, instrument, path, problems)


def _check_then_items(
    templates: Templates, instrument: Instrument, path: Path, problems: list[Problem]
) -> None:
    """Apply the rules for an instrument whose then-items have their own wording (module docstring)."""
    place = {
        item.id: (section.id, index)
        for section in instrument.sections
        for index, item in enumerate(section.items)
    }
    current = {item.id: item for item in instrument.items}
    for item in instrument.items:
        source = current.get(item.then_of or "")
        if source is None:
            continue  # not a then-item, or one whose missing source _check_instrument reports
        construct = templates.constructs.get(source.construct or "")
        keyed = source.reverse or (construct is not None and source.id in construct.scoring.reverse)
        if keyed:
            problems.append(
                Problem(
                    path,
                    item.id,
                    f"retrospektiv fråga om den omvända frågan {source.id!r}: ingen omvänd fråga får "
                    "ställas i dåtid (en dubbel negation); ta bort den retrospektiva frågan",
                    f"a then-item of the reverse-keyed item {source.id!r}: no reverse-keyed then-item "
                    "(in the past tense it becomes a double negative); remove the then-item",
                )
            )
        if not source.has_then_wording:
            problems.append(
                Problem(
                    path,
                    item.id,
                    f"{source.id!r} saknar then_text: i ett instrument med egna formuleringar för "
                    "retrospektiva frågor behöver varje retrospektiv fråga en egen formulering i dåtid",
                    f"{source.id!r} has no then_text: in an instrument whose then-items have their own "
                    "wording, every then-item needs its own past-tense wording",
                )
            )
        (section, index), (source_section, source_index) = place[item.id], place[source.id]
        if section != source_section or index != source_index + 1:
            problems.append(
                Problem(
                    path,
                    item.id,
                    f"den retrospektiva frågan ska stå direkt efter {source.id!r} i samma avsnitt "
                    f"({source_section!r}); den står i {section!r}",
                    f"a then-item must come directly after its current item {source.id!r} in the same "
                    f"section ({source_section!r}), so that forms show the two side by side; it is in "
                    f"{section!r}, position {index + 1}",
                )
            )


def _check_item(templates: Templates, item: Item, path: Path, problems: list[Problem]) -> None:
    if item.id.lower() in RESERVED_COLUMNS:
        problems.append(
            Problem(
                path,
                item.id,
                "id:t är reserverat för metadata",
                f"the id is reserved for metadata ({sorted(RESERVED_COLUMNS)})",
            )
        )
    scale = templates.scales.get(item.scale or "")
    if scale is None:
        problems.append(
            Problem(
                path,
                item.id,
                f"skalan {item.scale!r} finns inte i scales.yml",
                f"scale {item.scale!r} is not defined in scales.yml; "
                f"known: {', '.join(sorted(templates.scales))}",
            )
        )
    elif item.reverse and scale.type != "ordinal":
        problems.append(
            Problem(
                path,
                item.id,
                "bara frågor med ordinalskala kan vara omvända",
                f"only items on ordinal scales can be reverse-keyed, not {scale.type}",
            )
        )
    if item.then_scale is not None:
        _check_then_scale(templates, item, path, problems)
    if item.construct is not None:
        _check_membership(templates, item, path, problems)
    if item.perception_of is not None:
        _check_perception(templates, item, path, problems)


def _check_then_scale(templates: Templates, item: Item, path: Path, problems: list[Problem]) -> None:
    """Check that a then-scale exists and has the codes of the item's scale: "then" is compared with "now"."""
    then_scale = templates.scales.get(item.then_scale or "")
    if then_scale is None:
        problems.append(
            Problem(
                path,
                item.id,
                f"then_scale {item.then_scale!r} finns inte i scales.yml",
                f"then_scale {item.then_scale!r} is not defined in scales.yml",
            )
        )
        return
    scale = templates.scales.get(item.scale or "")
    if scale is not None and (then_scale.type != scale.type or then_scale.codes != scale.codes):
        problems.append(
            Problem(
                path,
                item.id,
                f"then_scale {then_scale.id!r} måste ha samma typ och koder som skalan {scale.id!r}",
                f"then_scale {then_scale.id!r} must have the type and codes of the scale {scale.id!r} "
                f"({scale.type} {list(scale.codes)}), found {then_scale.type} {list(then_scale.codes)}",
            )
        )


def _check_membership(templates: Templates, item: Item, path: Path, problems: list[Problem]) -> None:
    construct = templates.constructs.get(item.construct or "")
    if construct is None:
        problems.append(
            Problem(
                path,
                item.id,
                f"konstruktet {item.construct!r} finns inte i constructs.yml",
                f"construct {item.construct!r} is not defined in constructs.yml",
            )
        )
        return
    member = item.then_of or item.id
    if member not in construct.scoring.items:
        problems.append(
            Problem(
                path,
                item.id,
                f"frågan saknas i konstruktet {construct.id!r}s lista över frågor",
                f"the item is not listed in the items of construct {construct.id!r}",
            )
        )
    keyed = member in construct.scoring.reverse
    if keyed != item.reverse:
        problems.append(
            Problem(
                path,
                item.id,
                f"omvänd nyckel: frågan säger {item.reverse}, konstruktet säger {keyed}",
                f"reverse key: the item says {item.reverse}, construct {construct.id!r} says {keyed}",
            )
        )


def _check_perception(templates: Templates, item: Item, path: Path, problems: list[Problem]) -> None:
    target = templates.items.get(item.perception_of or "")
    if target is None:
        problems.append(
            Problem(
                path,
                item.id,
                f"perception_of pekar på {item.perception_of!r}, som inte finns i items.yml",
                f"perception_of names {item.perception_of!r}, which items.yml does not define",
            )
        )
        return
    if target.scale != item.scale:
        problems.append(
            Problem(
                path,
                item.id,
                f"skalan {item.scale!r} skiljer sig från {target.id!r}s skala {target.scale!r}",
                f"scale {item.scale!r} differs from the scale {target.scale!r} of {target.id!r}",
            )
        )
    missing = sorted(set(item.roles) - set(item.role_text))
    if missing:
        problems.append(
            Problem(
                path,
                item.id,
                f"en fråga om den andra generationen behöver role_text för {missing}",
                f"an item about the other generation needs role_text for {missing}",
            )
        )


def _check_constructs(templates: Templates, problems: list[Problem]) -> None:
    path = templates.directory / "constructs.yml"
    for construct in templates.constructs.values():
        scale_ids = set()
        for item_id in construct.scoring.items:
            item = templates.items.get(item_id)
            if item is None:
                problems.append(
                    Problem(
                        path,
                        construct.id,
                        f"frågan {item_id!r} finns inte i items.yml",
                        f"item {item_id!r} is not defined in items.yml",
                    )
                )
                continue
            if item.construct != construct.id:
                problems.append(
                    Problem(
                        templates.directory / "items.yml",
                        item.id,
                        f"konstruktet {construct.id!r} listar frågan, men frågan anger {item.construct!r}",
                        f"construct {construct.id!r} lists the item, but the item says {item.construct!r}",
                    )
                )
            scale_ids.add(item.scale)
        allowed = _SCORING_SCALES[construct.scoring.method]
        types = {templates.scales[s].type for s in scale_ids if s in templates.scales}
        if types - allowed:
            problems.append(
                Problem(
                    path,
                    construct.id,
                    f"metoden {construct.scoring.method!r} kräver skaltyp {sorted(allowed)}",
                    f"method {construct.scoring.method!r} needs scale types {sorted(allowed)}, "
                    f"found {sorted(types)}",
                )
            )
        ranges = {
            (templates.scales[s].type, templates.scales[s].codes) for s in scale_ids if s in templates.scales
        }
        if construct.scoring.method in ("mean", "profile", "single") and len(ranges) > 1:
            problems.append(
                Problem(
                    path,
                    construct.id,
                    f"frågorna har skalor med olika koder {sorted(map(str, scale_ids))}",
                    f"the items use scales with different codes {sorted(map(str, scale_ids))}; scores "
                    "must be on one range in every version",
                )
            )
    for instrument in templates.instruments.values():
        _check_construct_versions(templates, instrument, problems)


def _check_construct_versions(templates: Templates, instrument: Instrument, problems: list[Problem]) -> None:
    """Within one instrument, a construct's items share one scale, and a one-item construct asks one item."""
    path = templates.directory / "instruments" / f"{instrument.id}.yml"
    asked: dict[str, list[Item]] = {}
    for item in instrument.items:
        if item.construct and item.then_of is None:
            asked.setdefault(item.construct, []).append(item)
    for construct_id, items in asked.items():
        construct = templates.constructs.get(construct_id)
        if construct is None:
            continue
        for role in instrument.roles:
            mine = [i for i in items if role in i.roles]
            scales = sorted({str(i.scale) for i in mine})
            if construct.scoring.method in ("mean", "profile") and len(scales) > 1:
                problems.append(
                    Problem(
                        path,
                        construct_id,
                        f"frågorna i konstruktet har olika skalor {scales} för {role}",
                        f"the construct's items use different scales {scales} for {role}; a mean needs one "
                        "scale",
                    )
                )
            if construct.scoring.method not in ("mean", "profile") and len(mine) > 1:
                problems.append(
                    Problem(
                        path,
                        construct_id,
                        f"ett konstrukt med en fråga ställer {[i.id for i in mine]} till {role}",
                        f"a one-item ({construct.scoring.method}) construct asks {[i.id for i in mine]} of "
                        f"{role}; an instrument asks one of its items",
                    )
                )


def _check_retrospective(templates: Templates, problems: list[Problem]) -> None:
    """Key constructs are asked again retrospectively, item by item; nothing else is."""
    repeated = {item.then_of: item.id for item in templates.items.values() if item.then_of}
    path = templates.directory / "constructs.yml"
    for construct in templates.constructs.values():
        missing = [i for i in construct.scoring.items if i not in repeated]
        if construct.key and missing:
            problems.append(
                Problem(
                    path,
                    construct.id,
                    f"nyckelkonstrukt utan retrospektiv fråga för {missing}",
                    f"a key construct needs a retrospective (then_of) item for {missing}",
                )
            )
        elif not construct.key and len(missing) < len(construct.scoring.items):
            problems.append(
                Problem(
                    path,
                    construct.id,
                    "retrospektiva frågor finns, men konstruktet är inte markerat key: true",
                    "retrospective items exist, but the construct is not marked key: true",
                )
            )


def cross_check(templates: Templates) -> list[Problem]:
    """Check references between scales, constructs, the item bank and the instruments.

    Parameters
    ----------
    templates : Templates
        The templates as read, each file already valid on its own.

    Returns
    -------
    list of Problem
        Unknown scales or constructs, reserved or duplicate ids, construct membership and reverse keys
        that disagree, retrospective and perception items without their counterpart in the instrument,
        key constructs without retrospective items, a ``then_scale`` unlike its scale, and in an
        instrument whose then-items have their own wording: a reverse-keyed then-item, a then-item
        without its own wording, or one not directly after its current item in the same section.
    """
    problems: list[Problem] = []
    bank = templates.directory / "items.yml"
    for item in templates.items.values():
        _check_item(templates, item, bank, problems)
    for instrument in templates.instruments.values():
        path = templates.directory / "instruments" / f"{instrument.id}.yml"
        _check_instrument(templates, instrument, path, problems)
    _check_constructs(templates, problems)
    _check_retrospective(templates, problems)
    return problems
