"""Which column of an export is which: metadata, an item, one option of a multiple-choice item.

A column maps, in this order:

1. by an explicit mapping in cohort.yml (``columns: {header: item id}``; ``ignore`` or the source's
   ``ignore:`` list leave a column out);
2. as metadata the platform writes (`METADATA_NAMES`), the participant code or the hidden version field;
3. by item id (``igu1``; ``mtopics[c2]`` and ``mtopics/2`` for one option), as the toolkit's own forms
   set it (XLSForm names, LimeSurvey codes, export tags); a LimeSurvey dual-scale array of now/then
   pairs exports ``NT1[igu1][1]`` for the current item ``igu1`` and ``NT1[igu1][2]`` for its
   retrospective item (`evaluation.forms.limesurvey`);
4. by text, compared after Unicode (NFKC) and whitespace normalisation, in Swedish or English, in each
   way a platform writes a grid or matrix row: the header alone (Microsoft Forms, one column per
   statement), ``Title [statement]`` (Google Forms grids, LimeSurvey sub-questions) and
   ``Question - statement`` (Qualtrics matrices, whose own export tags such as ``Q2_1`` mean nothing
   here, so their question-text header row is read).

A retrospective ("then") item shares its statement with the item it repeats. Such twins are told apart
by their block (the grid or matrix title matching the section's title or introduction), then by order:
the n-th column with the statement is the n-th twin in form order, but only when there are as many
columns as twins and the columns around each twin agree (every item column before it comes earlier in
the form, every one after it later). Otherwise the column is refused with both candidates named:
nothing is guessed, and a file whose columns were reordered never gets its twins swapped.

Every problem of an export is collected before anything is refused, so that one run lists them all:
columns that match no item (with the closest candidates), two columns on one item, ambiguous twins,
explicit mappings to unknown items, and, when a column is unmatched, the items left without a column.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from evaluation.errors import IngestError
from evaluation.formats import RawExport, platform
from evaluation.formats.values import label_index
from evaluation.survey import PARTICIPANT_CODE, PARTICIPANT_CODE_TEXT, VERSION_FIELD, Instrument, Item, Scale

__all__ = ["DROP", "METADATA_NAMES", "ColumnPlan", "Mapped", "map_columns", "normalise", "plan_columns"]

DROP = "drop"

METADATA_NAMES: dict[str, tuple[str, ...]] = {
    "responseid": ("ResponseId", "ResponseID", "Response ID", "id", "Respondent ID", "_uuid", "ID", "_id"),
    "submittedat": (
        "EndDate",
        "submitdate",
        "Date submitted",
        "End Date",
        "Timestamp",
        "Tidstämpel",
        "Tidsstämpel",
        "Completion time",
        "Sluttid",
        "Slutförandetid",
        "_submission_time",
        "submittedat",
        "Inskickad",
        "Datum",
    ),
    "startedat": ("StartDate", "startdate", "Date started", "Start Date", "Start time", "Starttid", "start"),
    "finished": ("Finished",),
    "progress": ("Progress",),
    "status": ("Status", "Response Type"),
    "channel": ("DistributionChannel", "Distribution Channel"),
    "reference": ("ExternalReference", "ExternalDataReference", "External Data Reference"),
    "email": (
        "RecipientEmail",
        "Email Address",
        "Email",
        "E-post",
        "E-postadress",
        "EmailAddress",
        "email",
    ),
    "name": (
        "Name",
        "Namn",
        "RecipientFirstName",
        "RecipientLastName",
        "First Name",
        "Last Name",
        "_submitted_by",
    ),
    "ipaddress": ("IPAddress", "IP Address", "ipaddr"),
    DROP: (
        "Duration (in seconds)",
        "RecordedDate",
        "Recorded Date",
        "LocationLatitude",
        "LocationLongitude",
        "LocationAccuracy",
        "UserLanguage",
        "User Language",
        "ResponseSet",
        "Collector ID",
        "Custom Data 1",
        "lastpage",
        "Last page",
        "startlanguage",
        "Start language",
        "seed",
        "Seed",
        "datestamp",
        "Date last action",
        "token",
        "refurl",
        "Last modified time",
        "Senaste ändringstid",
        "Senast ändrad",
        "meta/instanceID",
        "formhub/uuid",
        "end",
        "today",
        "deviceid",
        "imei",
        "phonenumber",
        "start_time",
        "end_time",
    ),
}
"""Metadata columns of the platforms, by the canonical column they hold; ``drop`` is left out.

Direct identifiers (e-mail, name, IP address, coordinates, response ids) are read only to link a
response to the roster or to tell test responses apart, and never reach processed data. ``status`` and
``channel`` (Qualtrics) tell previews and test responses from real ones; ``reference`` (Qualtrics'
external data reference, set from a contact list) links a response when it holds a roster code.
"""

_BY_NAME = {name: canonical for canonical, names in METADATA_NAMES.items() for name in names}
_OPTION = re.compile(r"^(?P<item>[A-Za-z][A-Za-z0-9]*)(?:\[c?(?P<a>\d+)\]|/(?P<b>\d+))$")
_DUAL_SCALE = re.compile(r"^[A-Za-z][A-Za-z0-9]*\[(?P<item>[A-Za-z][A-Za-z0-9]*)\]\[(?P<scale>[12])\]$")
"""LimeSurvey's export header of one scale of an Array dual scale row: ``code[sub-question][scale]``."""
_SUFFIX = re.compile(r"\.\d+$")
_BRACKETS = re.compile(r"^(?P<title>.*?)\s*\[(?P<statement>[^\[\]]+)\]\s*$", re.S)
_SPACES = re.compile(r"\s+")
_VERSION_TAG = re.compile(r"^[a-z][a-z0-9_]* \d+\.\d+\.\d+$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_QUOTES = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "–": "-", "—": "-"}
)


def normalise(text: str) -> str:
    """Return `text` compared as people read it: NFKC, no invisible characters, one space, casefolded.

    Typographic quotes and dashes become plain ones, and a trailing ``*`` (a required-question mark
    some platforms add) is dropped.
    """
    text = unicodedata.normalize("NFKC", str(text)).translate(_INVISIBLE).translate(_QUOTES)
    text = _SPACES.sub(" ", text).strip()
    return text.rstrip("*").strip().casefold()


@dataclass(frozen=True)
class Mapped:
    """What one export column holds.

    kind is ``meta`` (target: a canonical metadata column), ``item`` (target: an item id),
    ``option`` (target: a multiple-choice item id, code: the option) or ``drop``; how says which rule
    mapped it (``mapping``, ``ignore``, ``metadata``, ``id``, ``text``, ``block``, ``order``, ``empty``).
    """

    kind: str
    target: str
    how: str
    code: int | None = None


@dataclass
class ColumnPlan:
    """The mapping of every column of one export, and every problem found on the way.

    Attributes
    ----------
    mapped : dict
        Column name (as in ``raw.frame``) to `Mapped`, for the columns that map.
    unmatched : dict
        Column name to its closest candidates ``[(item id, text), ...]`` (best first).
    missing : list of str
        Items of the instrument (for the source's role) without a column.
    errors : list of str
        Conflicts: two columns on one item, ambiguous twins, mappings to unknown items.
    ignored : list of str
        Columns left out by ``ignore``.
    """

    mapped: dict[str, Mapped] = field(default_factory=dict)
    unmatched: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every column maps and every item has a column."""
        return not (self.unmatched or self.missing or self.errors)

    def problems(self) -> list[str]:
        """Return every problem as a line: conflicts, unmatched columns (with candidates), missing items."""
        lines = list(self.errors)
        for column, close in self.unmatched.items():
            hint = "; ".join(f"{item}: {text!r}" for item, text in close) or "inga / none"
            lines.append(
                f"kolumnen {column!r} motsvarar ingen fråga / column {column!r} matches no item; "
                f"närmast / closest: {hint}"
            )
        if self.missing and (self.unmatched or self.errors):
            lines.append(f"frågor utan kolumn / items without a column: {', '.join(self.missing)}")
        return lines


@dataclass(frozen=True)
class _Candidate:
    item: Item
    position: int
    blocks: frozenset[str]


def _texts(item: Item, role: str) -> set[str]:
    texts = set()
    for lang in ("sv", "en"):
        roles = [role] if role in item.roles else list(item.roles)
        for r in roles:
            texts.add(normalise(item.wording(r, lang)))
        if item.text is not None:
            texts.add(normalise(item.text[lang]))
    return texts


def _participant_names() -> set[str]:
    names = {normalise(PARTICIPANT_CODE_TEXT[lang]) for lang in ("sv", "en")}
    return names | {normalise(PARTICIPANT_CODE), "deltagarkod", "participant code", "participant_code"}


def _readings(texts: list[str]) -> list[tuple[str | None, str]]:
    """Return every (block title, statement) a column's header texts can be read as, most literal first."""
    out: list[tuple[str | None, str]] = []
    for text in texts:
        if not text or not str(text).strip():
            continue
        text = str(text)
        out.append((None, text))
        match = _BRACKETS.match(text)
        if match:
            out.append((match["title"], match["statement"]))
        for found in re.finditer(r" - ", text):
            out.append((text[: found.start()], text[found.end() :]))
    return out


def plan_columns(
    raw: RawExport,
    instrument: Instrument,
    role: str,
    explicit: dict[str, str] | None = None,
    ignore: list[str] | tuple[str, ...] = (),
    scale_of: Callable[[Item], Scale] | None = None,
) -> ColumnPlan:
    """Map every column of `raw` and collect every problem (see the module's docstring).

    Parameters
    ----------
    raw : RawExport
        The export as read.
    instrument : Instrument
        The instrument the export answers.
    role : str
        ``mentor``, ``adept`` or ``both``: whose items the export may hold.
    explicit : dict, optional
        cohort.yml's ``columns`` for this source: header to item id, metadata name or ``ignore``.
    ignore : sequence of str
        cohort.yml's ``ignore`` for this source: headers to leave out.
    scale_of : callable, optional
        An item's scale (`evaluation.survey.Templates.scale_of`); with it, a multiple-choice
        option headed ``Question [option label]`` maps to its option.

    Returns
    -------
    ColumnPlan
        The mapping and the problems; nothing is raised.
    """
    explicit = explicit or {}
    roles = ("mentor", "adept") if role == "both" else (role,)
    items = [i for i in instrument.items if any(r in i.roles for r in roles)]
    by_id = {i.id: i for i in items}
    by_lower = {i.id.lower(): i for i in items}
    then_of = {i.then_of.lower(): i for i in items if i.then_of}
    blocks: dict[str, frozenset[str]] = {}
    for section in instrument.sections:
        texts: set[str] = set()
        for reader in roles:
            seen = section.for_role(reader)
            texts |= {normalise(seen.title[lang]) for lang in ("sv", "en")}
            if seen.intro is not None:
                texts |= {normalise(seen.intro[lang]) for lang in ("sv", "en")}
        for item in section.items:
            blocks[item.id] = frozenset(texts)
    by_text: dict[str, list[_Candidate]] = {}
    for position, item in enumerate(items):
        candidate = _Candidate(item, position, blocks.get(item.id, frozenset()))
        for text in _texts(item, roles[0]):
            by_text.setdefault(text, []).append(candidate)
    options: dict[str, tuple[Item, dict[str, int]]] = {}
    if scale_of is not None:
        for item in items:
            scale = scale_of(item)
            if scale.type == "multiple":
                for text in _texts(item, roles[0]):
                    options[text] = (item, {normalise(k): v for k, v in label_index(scale).items()})
    shape_meta = platform(raw.platform).meta if raw.platform else {}
    participant = _participant_names()
    ignored = {normalise(c) for c in ignore}
    plan = ColumnPlan()
    twins: dict[tuple[str, ...], list[tuple[str, int]]] = {}
    taken_meta: set[str] = set()
    for index, column in enumerate(raw.frame.columns):
        header = str(column)
        base = _SUFFIX.sub("", header)
        repeated = base != header and base in raw.frame.columns  # read_export made a repeat unique
        texts = [base if repeated else header, *raw.headers.get(column, [])[1:]]
        if header in explicit or normalise(header) in ignored:
            result = _explicit(header, explicit, ignored, by_id, plan)
        else:
            result = _fixed(header, texts, shape_meta, participant, by_lower, then_of)
        if result is None:
            result = _by_option(texts, options) or _by_text(header, index, texts, by_text, twins)
            if result == "twin":
                continue
        if result is None and raw.frame[column].isna().all():
            result = Mapped(DROP, "", "empty")
        if result is None:
            plan.unmatched[header] = _closest(texts, items, roles[0])
            continue
        if result.kind == "meta" and result.target in taken_meta:
            result = Mapped(DROP, result.target, "duplicate metadata")
        if result.kind == "meta":
            taken_meta.add(result.target)
        if result.how == "ignore":
            plan.ignored.append(header)
        plan.mapped[column] = result
    positions = {item.id: n for n, item in enumerate(items)}
    _resolve_twins(twins, plan, list(raw.frame.columns), positions)
    _check_one_column_per_item(plan)
    covered = {m.target for m in plan.mapped.values() if m.kind in ("item", "option")}
    plan.missing = [i.id for i in items if i.id not in covered]
    return plan


def _explicit(header, explicit, ignored, by_id, plan) -> Mapped | None:
    if normalise(header) in ignored:
        return Mapped(DROP, "", "ignore")
    target = explicit[header]
    if target == "ignore":
        return Mapped(DROP, "", "ignore")
    if target in by_id:
        return Mapped("item", target, "mapping")
    if target in METADATA_NAMES or target in (PARTICIPANT_CODE, VERSION_FIELD):
        return Mapped("meta", target, "mapping")
    plan.errors.append(
        f"kolumnen {header!r}: mappningen pekar på okänd fråga / the mapping names an unknown item {target!r}"
    )
    return Mapped(DROP, "", "mapping error")


def _fixed(header, texts, shape_meta, participant, by_lower, then_of) -> Mapped | None:
    """Map by platform metadata, participant code, version field or item id; None if none applies."""
    if header in shape_meta:
        return Mapped("meta", shape_meta[header], "metadata")
    if header in _BY_NAME:
        target = _BY_NAME[header]
        return Mapped(DROP, target, "metadata") if target == DROP else Mapped("meta", target, "metadata")
    if header.startswith("_"):
        return Mapped(DROP, "", "metadata")
    if any(normalise(t) in participant for t in texts):
        return Mapped("meta", PARTICIPANT_CODE, "metadata")
    if header == VERSION_FIELD or any(_VERSION_TAG.match(str(t).strip()) for t in texts):
        return Mapped("meta", VERSION_FIELD, "metadata")
    parts = header.split("/")
    for start in range(len(parts)):  # KoboToolbox/ODK prefix a name with its groups: group/name
        name = "/".join(parts[start:])
        if name.lower() in by_lower:
            return Mapped("item", by_lower[name.lower()].id, "id")
        option = _OPTION.match(name)
        if option and option["item"].lower() in by_lower:
            code = int(option["a"] or option["b"])
            return Mapped("option", by_lower[option["item"].lower()].id, "id", code)
        dual = _DUAL_SCALE.match(name)
        if dual and dual["item"].lower() in by_lower:
            current = dual["item"].lower()
            target = by_lower[current] if dual["scale"] == "1" else then_of.get(current)
            if target is not None:
                return Mapped("item", target.id, "id")
    return None


def _by_option(texts, options) -> Mapped | None:
    """Map ``Question [option label]`` (a multiple-choice option's own column) to the option."""
    for title, statement in _readings(texts):
        if title is None or normalise(title) not in options:
            continue
        item, labels = options[normalise(title)]
        code = labels.get(normalise(statement))
        if code is not None:
            return Mapped("option", item.id, "text", code)
    return None


def _by_text(header, index, texts, by_text, twins) -> Mapped | str | None:
    """Map by statement; ``"twin"`` when the column waits for its twins to be resolved."""
    for title, statement in _readings(texts):
        candidates = by_text.get(normalise(statement))
        if not candidates:
            continue
        if len(candidates) == 1:
            return Mapped("item", candidates[0].item.id, "text")
        if title is not None:
            block = normalise(title)
            fitting = [
                c
                for c in candidates
                if block and any(block == b or block in b or b in block for b in c.blocks if b)
            ]
            if len(fitting) == 1:
                return Mapped("item", fitting[0].item.id, "block")
        key = tuple(c.item.id for c in sorted(candidates, key=lambda c: c.position))
        twins.setdefault(key, []).append((header, index))
        return "twin"
    return None


def _resolve_twins(
    twins: dict[tuple[str, ...], list[tuple[str, int]]],
    plan: ColumnPlan,
    columns: list[str],
    positions: dict[str, int],
) -> None:
    """Give twin columns their items by order, where the columns around them agree (module docstring)."""
    anchors = sorted(
        (columns.index(c), positions[m.target])
        for c, m in plan.mapped.items()
        if m.kind == "item" and m.target in positions
    )
    for candidates, found in twins.items():
        taken = {m.target for m in plan.mapped.values() if m.kind == "item"}
        free = [c for c in candidates if c not in taken]
        assigned = list(zip(found, free, strict=False)) if len(found) == len(free) else []
        consistent = bool(assigned) and all(
            all(p < positions[item] for i, p in anchors if i < index)
            and all(p > positions[item] for i, p in anchors if i > index)
            for (_, index), item in assigned
        )
        if consistent:
            for (header, _), item_id in assigned:
                plan.mapped[header] = Mapped("item", item_id, "order")
            continue
        names = ", ".join(repr(h) for h, _ in found)
        plan.errors.append(
            f"kolumnerna {names} kan vara flera frågor med samma text ({', '.join(candidates)}): ange "
            f"vilken i cohort.yml (columns:) / columns {names} could each be any of the items sharing "
            f"their text ({', '.join(candidates)}), and neither their block title nor their order "
            "tells which; map them in cohort.yml (columns:)"
        )


def _check_one_column_per_item(plan: ColumnPlan) -> None:
    by_item: dict[str, list[str]] = {}
    for column, mapped in plan.mapped.items():
        if mapped.kind == "item":
            by_item.setdefault(mapped.target, []).append(str(column))
    for item_id, columns in by_item.items():
        if len(columns) > 1:
            names = ", ".join(repr(c) for c in columns)
            plan.errors.append(
                f"två kolumner på samma fråga / two columns on one item {item_id!r}: {names}; "
                "expected one column per item"
            )
            for column in columns:
                plan.mapped.pop(column, None)


def _closest(texts: list[str], items: list[Item], role: str) -> list[tuple[str, str]]:
    wordings: dict[str, tuple[str, str]] = {}
    for item in items:
        for lang in ("sv", "en"):
            text = item.wording(role if role in item.roles else item.roles[0], lang)
            wordings[normalise(text)] = (item.id, text)
    scored: dict[str, float] = {}
    for _, statement in _readings(texts):
        key = normalise(statement)
        for match in difflib.get_close_matches(key, list(wordings), n=3, cutoff=0.4):
            score = difflib.SequenceMatcher(None, key, match).ratio()
            scored[match] = max(scored.get(match, 0.0), score)
        if key.lower() in {i.id.lower() for i in items}:
            scored[key] = 1.0
    best = sorted(scored, key=lambda k: -scored[k])[:3]
    return [wordings[k] for k in best if k in wordings]


def map_columns(
    raw: RawExport,
    instrument: Instrument,
    role: str,
    explicit: dict[str, str] | None = None,
    ignore: list[str] | tuple[str, ...] = (),
    scale_of: Callable[[Item], Scale] | None = None,
) -> dict[str, Mapped]:
    """Map every column of `raw` to metadata, an item, an option, or nothing; refuse any problem.

    Parameters
    ----------
    raw, instrument, role, explicit, ignore, scale_of
        As for `plan_columns`.

    Returns
    -------
    dict
        Column name (as in ``raw.frame``) to `Mapped`.

    Raises
    ------
    IngestError
        Listing every problem of the export at once (see `ColumnPlan.problems`): unmatched columns with
        their closest candidates, two columns on one item, ambiguous twins, unknown mapped items, and the
        items left without a column when a column is unmatched.
    """
    plan = plan_columns(raw, instrument, role, explicit, ignore, scale_of)
    if plan.errors or plan.unmatched:
        raise IngestError(raw.path, "\n  " + "\n  ".join(plan.problems()))
    return plan.mapped
