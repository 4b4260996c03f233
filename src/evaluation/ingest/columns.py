"""Which column of an export is which: metadata, an item, one option of a multiple-choice item.

A column maps, in this order, by an explicit mapping in cohort.yml (``columns: {header: item id}``,
``ignore`` to leave a column out), as metadata the platform writes (`METADATA_NAMES`), as the
participant code or the hidden version field, by item id (``igu1``; ``mtopics[c2]`` and ``mtopics/2``
for one option), and finally by the item's exact text in Swedish or English after normalising case and
whitespace. A text that two items share (a retrospective item repeats its original's wording) maps by
order: its n-th column is the n-th item with that text. Anything else is an error that names the column
and the closest item texts.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from evaluation.errors import IngestError
from evaluation.formats import RawExport, platform
from evaluation.formats.values import normalise_text
from evaluation.forms.fields import PARTICIPANT_CODE, PARTICIPANT_CODE_TEXT, VERSION_FIELD
from evaluation.instruments import Instrument, Item

__all__ = ["DROP", "METADATA_NAMES", "Mapped", "map_columns"]

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
        "Completion time",
        "Sluttid",
        "_submission_time",
        "submittedat",
        "Inskickad",
    ),
    "startedat": ("StartDate", "startdate", "Date started", "Start Date", "Start time", "Starttid", "start"),
    "finished": ("Finished",),
    "progress": ("Progress",),
    "email": ("RecipientEmail", "Email Address", "Email", "E-post", "E-postadress", "EmailAddress", "email"),
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
        "Status",
        "Duration (in seconds)",
        "RecordedDate",
        "ExternalReference",
        "ExternalDataReference",
        "LocationLatitude",
        "LocationLongitude",
        "LocationAccuracy",
        "DistributionChannel",
        "UserLanguage",
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
response to the roster or to tell test responses apart, and never reach processed data.
"""

_BY_NAME = {name: canonical for canonical, names in METADATA_NAMES.items() for name in names}
_OPTION = re.compile(r"^(?P<item>[A-Za-z][A-Za-z0-9]*)(?:\[c?(?P<a>\d+)\]|/(?P<b>\d+))$")
_SUFFIX = re.compile(r"\.\d+$")


@dataclass(frozen=True)
class Mapped:
    """What one export column holds.

    kind is ``meta`` (target: a canonical metadata column), ``item`` (target: an item id),
    ``option`` (target: a multiple-choice item id, code: the option) or ``drop``; how says which rule
    mapped it (``mapping``, ``metadata``, ``id``, ``text``, ``empty``).
    """

    kind: str
    target: str
    how: str
    code: int | None = None


def _texts(item: Item, role: str) -> set[str]:
    texts = set()
    for lang in ("sv", "en"):
        roles = [role] if role in item.roles else list(item.roles)
        for r in roles:
            texts.add(normalise_text(item.wording(r, lang)))
        if item.text is not None:
            texts.add(normalise_text(item.text[lang]))
    return texts


def _participant_names() -> set[str]:
    names = {normalise_text(PARTICIPANT_CODE_TEXT[lang]) for lang in ("sv", "en")}
    return names | {PARTICIPANT_CODE, "deltagarkod", "participant code", "participant_code"}


def map_columns(
    raw: RawExport, instrument: Instrument, role: str, explicit: dict[str, str] | None = None
) -> dict[str, Mapped]:
    """Map every column of `raw` to metadata, an item, an option, or nothing.

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

    Returns
    -------
    dict
        Column name (as in ``raw.frame``) to `Mapped`.

    Raises
    ------
    IngestError
        For a column that maps to nothing and is not empty, naming the column and the closest item
        texts; for an explicit mapping to an unknown item.
    """
    explicit = explicit or {}
    roles = ("mentor", "adept") if role == "both" else (role,)
    items = [i for i in instrument.items if any(r in i.roles for r in roles)]
    by_id = {i.id: i for i in items}
    by_lower = {i.id.lower(): i for i in items}
    by_text: dict[str, list[Item]] = {}
    for item in items:
        for text in _texts(item, roles[0]):
            by_text.setdefault(text, []).append(item)
    shape_meta = platform(raw.platform).meta if raw.platform else {}
    participant = _participant_names()
    seen_text: dict[str, int] = {}
    mapped: dict[str, Mapped] = {}
    taken: set[str] = set()
    for column in raw.frame.columns:
        header = str(column)
        texts = [header, *raw.headers.get(column, [])]
        result = _map_one(header, texts, explicit, shape_meta, participant, by_id, by_lower, raw.path)
        if result is None:
            key = normalise_text(_SUFFIX.sub("", header))
            candidates = by_text.get(key) or next(
                (by_text[normalise_text(t)] for t in texts[1:] if normalise_text(t) in by_text), None
            )
            if candidates:
                n = seen_text.get(key, 0)
                seen_text[key] = n + 1
                if n < len(candidates):
                    result = Mapped("item", candidates[n].id, "text")
        if result is None and raw.frame[column].isna().all():
            result = Mapped(DROP, "", "empty")
        if result is None:
            raise IngestError(raw.path, _unmapped_message(header, items, roles[0]), column=header)
        if result.kind == "meta" and result.target in taken:
            result = Mapped(DROP, result.target, "duplicate metadata")
        if result.kind == "meta":
            taken.add(result.target)
        mapped[column] = result
    return mapped


def _map_one(header, texts, explicit, shape_meta, participant, by_id, by_lower, path) -> Mapped | None:
    if header in explicit:
        target = explicit[header]
        if target == "ignore":
            return Mapped(DROP, "", "mapping")
        if target in by_id:
            return Mapped("item", target, "mapping")
        if target in METADATA_NAMES or target in (PARTICIPANT_CODE, VERSION_FIELD):
            return Mapped("meta", target, "mapping")
        raise IngestError(
            path,
            f"mappningen pekar på okänd fråga / the mapping names an unknown item {target!r}",
            column=header,
        )
    if header in shape_meta:
        return Mapped("meta", shape_meta[header], "metadata")
    if header in _BY_NAME:
        target = _BY_NAME[header]
        return Mapped(DROP, target, "metadata") if target == DROP else Mapped("meta", target, "metadata")
    if header.startswith("_"):
        return Mapped(DROP, "", "metadata")
    if any(normalise_text(t) in participant for t in texts):
        return Mapped("meta", PARTICIPANT_CODE, "metadata")
    if header == VERSION_FIELD:
        return Mapped("meta", VERSION_FIELD, "metadata")
    if header in by_id or header.lower() in by_lower:
        return Mapped("item", by_lower[header.lower()].id, "id")
    option = _OPTION.match(header)
    if option and option["item"].lower() in by_lower:
        return Mapped("option", by_lower[option["item"].lower()].id, "id", int(option["a"] or option["b"]))
    return None


def _unmapped_message(header: str, items: list[Item], role: str) -> str:
    wordings = {
        i.wording(role if role in i.roles else i.roles[0], lang): i.id for i in items for lang in ("sv", "en")
    }
    close = difflib.get_close_matches(header, list(wordings), n=3, cutoff=0.4)
    hint = "; ".join(f"{wordings[c]}: {c!r}" for c in close) or "inga / none"
    return (
        "kolumnen motsvarar ingen fråga; mappa den i cohort.yml (columns:) / the column matches no item "
        f"by id or exact text; map it in cohort.yml (columns:). Närmaste / closest: {hint}"
    )
