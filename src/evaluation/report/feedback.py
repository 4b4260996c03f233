"""Feedback to participants: one private page per participant, never one page per pair.

`write_feedback` writes ``feedback/<pseudonym>.html`` for every participant with a score: their own
scores before and after the program per construct, next to the mean of everyone in their role in
the cohort (shown only for groups at or above the minimum reporting size, through
`evaluation.disclosure`), and results for the pair that reveal none of the partner's answers (how
accurately the two perceived each other's work values, as one number for both; the meetings they
logged). With cohort.yml ``pair_feedback: shared`` a page also shows the partner's scores on the
constructs that are not sensitive (`evaluation.survey.Construct.sensitive`); a sensitive score is
shown to nobody but its owner. ``pair_feedback: off`` writes nothing.

The pages are rendered from one computation per cohort (scores pivoted once, reference means computed
once) and one Jinja2 template filled per participant: no notebook, no figure and no pandas operation
per page, so that a national cohort of 20,000 participants builds in about a minute.

Every text a participant reads on the feedback pages is in `MESSAGES`, Swedish first; what the forms
announce the partner will see is in `evaluation.survey.notices`, the one place both read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evaluation.disclosure import DisclosurePolicy
from evaluation.errors import EvaluationError
from evaluation.outcomes import beliefs_with_partner
from evaluation.survey import Templates, content_hash
from evaluation.templating import ENVIRONMENT

if TYPE_CHECKING:
    from evaluation.cohort import CohortConfig
    from evaluation.report.data import CohortData

__all__ = [
    "FEEDBACK_DIR",
    "MESSAGES",
    "MIN_PERCEIVED_VALUES",
    "check_pair_feedback",
    "pair_accuracy",
    "write_feedback",
]

FEEDBACK_DIR = "feedback"
"""The folder under a cohort's reports that holds the pages (never linked from any report)."""

MIN_PERCEIVED_VALUES = 3
"""The fewest work values each member must have perceived before the pair's accuracy is shown.

With fewer, one number would come close to revealing the partner's own answers."""

WAVES = ("pre", "post")
"""The waves a feedback page compares: before and after the program."""

MESSAGES: dict[str, dict[str, Any]] = {
    "sv": {
        # The feedback page.
        "roles": {
            "mentor": {
                "plural": "mentorer",
                "partner": "din mentor",
                "partner_cap": "Din mentor",
                "partner_gen": "din mentors",
                "partner_gen_cap": "Din mentors",
            },
            "adept": {
                "plural": "adepter",
                "partner": "din adept",
                "partner_cap": "Din adept",
                "partner_gen": "din adepts",
                "partner_gen_cap": "Din adepts",
            },
        },
        "title": "Din återkoppling – {cohort}",
        "heading": "Din återkoppling från utvärderingen",
        "cohort": "Kohort: {cohort}",
        "intro": (
            "Här ser du dina egna resultat från enkäterna före och efter programmet, "
            "bredvid genomsnittet för alla {plural} i kohorten. Sidan är gjord bara för dig och "
            "länkas inte från någon rapport."
        ),
        "privacy_individual": (
            "{partner_cap} ser inga av dina svar, och du ser inga av {partner_gen} svar. "
            "Resultaten för ert par längst ned gäller er båda tillsammans och visar inte vad någon "
            "av er har svarat."
        ),
        "privacy_shared": (
            "{partner_cap} ser dina resultat för de områden som inte är känsliga, på samma sätt som "
            "du ser {partner_gen} nedan. Områden markerade med * är känsliga: dem ser bara du."
        ),
        "own_heading": "Dina resultat",
        "own_caption": (
            "Dina värden före och efter programmet, bredvid genomsnittet för alla {plural} i kohorten"
        ),
        "own_columns": (
            "Område",
            "Skala",
            "Du, före",
            "Alla {plural}, före",
            "Du, efter",
            "Alla {plural}, efter",
        ),
        "own_none": "Det finns inga resultat från dina svar att visa.",
        "how_to_read": (
            "Varje värde är medelvärdet av dina svar på frågorna inom området, på områdets skala. Ett "
            "högre värde betyder mer av det som området beskriver. Ett streck (–) betyder att det "
            "inte finns något värde: frågorna ställdes inte då eller besvarades inte."
        ),
        "sensitive_note": "* Känsligt område: ditt värde visas bara för dig, aldrig för {partner}.",
        "hidden": "visas inte",
        "hidden_note": "”Visas inte”: ett genomsnitt visas bara när minst {min} personer utöver dig ingår.",
        "partner_heading": "{partner_gen_cap} resultat",
        "partner_caption": (
            "{partner_gen_cap} värden före och efter programmet, för områden som inte är känsliga"
        ),
        "partner_columns": ("Område", "Skala", "Före", "Efter"),
        "partner_none": "Det finns inga resultat från {partner_gen} svar att visa.",
        "pair_heading": "Ert par",
        "accuracy": (
            "Hur väl ni uppfattade varandras värderingar i arbetslivet: {when} skilde sig er bild av "
            "den andras värderingar i genomsnitt {value} steg från den andras egna svar, på skalan "
            "{scale}. 0 hade betytt att ni bedömde varandra helt rätt. Talet gäller er båda "
            "tillsammans och visar inte vad någon av er har svarat."
        ),
        "accuracy_cohort": " För alla par i kohorten var genomsnittet {value} steg.",
        "accuracy_none": (
            "Hur väl ni uppfattade varandras värderingar kan inte visas: det kräver att ni båda har "
            "besvarat tillräckligt många av de frågorna."
        ),
        "when": {"pre": "vid programmets start", "post": "när programmet var slut"},
        "meetings": "Ni har loggat {count} möten, sammanlagt {hours} timmar.",
        "meetings_one": "Ni har loggat 1 möte, sammanlagt {hours} timmar.",
        "meetings_none": "Ni har inte loggat några möten.",
        "meetings_cohort": " Ett par i kohorten loggade i genomsnitt {count} möten och {hours} timmar.",
        "footer": (
            "Sidan är personlig och bygger på dina svar i utvärderingen. Dela den bara om du själv vill."
        ),
        # For the analyst who sets cohort.yml (check_pair_feedback).
        "refuse_shared": (
            "cohort.yml: pair_feedback: shared är inte tillåtet, eftersom formulären som kohorten "
            "besvarade inte sa att partnern får se svaren"
        ),
        "refuse_fix": (
            "Sätt pair_feedback: individual, eller samla in svaren med formulär från en "
            "instrumentversion med partner_feedback: shared"
        ),
        "announced": "formulären sa partner_feedback: {value}",
        "unknown_version": "versionen finns inte i mallarna; det går inte att se vad formulären sa",
        "other_content": (
            "mallarnas innehåll skiljer sig från kohortens fastlåsta hash; det går inte att se vad "
            "formulären sa"
        ),
    },
    "en": {
        "roles": {
            "mentor": {
                "plural": "mentors",
                "partner": "your mentor",
                "partner_cap": "Your mentor",
                "partner_gen": "your mentor's",
                "partner_gen_cap": "Your mentor's",
            },
            "adept": {
                "plural": "adepts",
                "partner": "your adept",
                "partner_cap": "Your adept",
                "partner_gen": "your adept's",
                "partner_gen_cap": "Your adept's",
            },
        },
        "title": "Your feedback – {cohort}",
        "heading": "Your feedback from the evaluation",
        "cohort": "Cohort: {cohort}",
        "intro": (
            "Here are your own results from the surveys before and after the program, "
            "next to the mean of all {plural} in the cohort. This page is made for you alone and is "
            "not linked from any report."
        ),
        "privacy_individual": (
            "{partner_cap} sees none of your answers, and you see none of {partner_gen} answers. The "
            "results for your pair at the end are for the two of you together and do not show what "
            "either of you answered."
        ),
        "privacy_shared": (
            "{partner_cap} sees your results for the topics that are not sensitive, just as you see "
            "{partner_gen} below. Topics marked * are sensitive: only you see them."
        ),
        "own_heading": "Your results",
        "own_caption": (
            "Your scores before and after the program, next to the mean of all {plural} in the cohort"
        ),
        "own_columns": (
            "Topic",
            "Scale",
            "You, before",
            "All {plural}, before",
            "You, after",
            "All {plural}, after",
        ),
        "own_none": "There are no results from your answers to show.",
        "how_to_read": (
            "Each score is the mean of your answers to the questions on the topic, on the topic's "
            "scale. A higher score means more of what the topic describes. A dash (–) means there is "
            "no score: the questions were not asked then, or not answered."
        ),
        "sensitive_note": "* Sensitive topic: your score is shown to you only, never to {partner}.",
        "hidden": "not shown",
        "hidden_note": "“Not shown”: a mean is shown only when at least {min} people besides you are in it.",
        "partner_heading": "{partner_gen_cap} results",
        "partner_caption": (
            "{partner_gen_cap} scores before and after the program, for topics that are not sensitive"
        ),
        "partner_columns": ("Topic", "Scale", "Before", "After"),
        "partner_none": "There are no results from {partner_gen} answers to show.",
        "pair_heading": "Your pair",
        "accuracy": (
            "How well you perceived each other's work values: {when}, your picture of the other's "
            "values differed on average by {value} steps from the other's own answers, on the scale "
            "{scale}. 0 would have meant that you judged each other exactly right. The number is for "
            "the two of you together and does not show what either of you answered."
        ),
        "accuracy_cohort": " Across all pairs in the cohort the mean was {value} steps.",
        "accuracy_none": (
            "How well you perceived each other's values cannot be shown: that needs enough answers to "
            "those questions from both of you."
        ),
        "when": {"pre": "at the start of the program", "post": "at the end of the program"},
        "meetings": "You have logged {count} meetings, {hours} hours in total.",
        "meetings_one": "You have logged 1 meeting, {hours} hours in total.",
        "meetings_none": "You have not logged any meetings.",
        "meetings_cohort": " A pair in the cohort logged {count} meetings and {hours} hours on average.",
        "footer": (
            "This page is personal and based on your answers in the evaluation. Share it only if you want to."
        ),
        "refuse_shared": (
            "cohort.yml: pair_feedback: shared is not allowed, because the forms the cohort answered "
            "did not tell respondents that their partner would see their answers"
        ),
        "refuse_fix": (
            "Set pair_feedback: individual, or collect the answers with forms of an instrument version "
            "with partner_feedback: shared"
        ),
        "announced": "the forms said partner_feedback: {value}",
        "unknown_version": "the version is not in the templates; what its forms said cannot be checked",
        "other_content": (
            "the templates' content differs from the hash the cohort pinned; what its forms said "
            "cannot be checked"
        ),
    },
}
"""Every text of the feedback pages (and of `check_pair_feedback`), Swedish and English; placeholders in
braces. What the forms announce is in `evaluation.survey.notices.ANNOUNCEMENTS`."""

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DASH = "–"


def _check_lang(lang: str) -> None:
    if lang not in MESSAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(MESSAGES)}")


def check_pair_feedback(config: CohortConfig, templates: Templates) -> None:
    """Refuse ``pair_feedback: shared`` unless every form the cohort answered announced it.

    The cohort's answers were collected with the instrument versions pinned in cohort.yml
    (``instruments``: version and content hash). A pinned instrument counts as having announced
    ``shared`` only if the templates hold that version with that content hash and its
    ``partner_feedback`` is ``shared`` (the hash includes the setting, so a matching hash proves what
    the forms said).

    Parameters
    ----------
    config : CohortConfig
        The cohort's settings (``pair_feedback``, ``instruments``).
    templates : Templates
        The survey templates.

    Raises
    ------
    EvaluationError
        If ``pair_feedback`` is ``shared`` and any pinned instrument did not announce it; the message,
        in Swedish and English, names the cohort.yml setting and each such instrument and version.
    """
    if getattr(config, "pair_feedback", "individual") != "shared":
        return
    sv, en = MESSAGES["sv"], MESSAGES["en"]
    failures = []
    for instrument_id, pin in sorted(config.instruments.items()):
        instrument = templates.instruments.get(instrument_id)
        if instrument is None or instrument.version != pin.version:
            reason = f"{sv['unknown_version']} / {en['unknown_version']}"
        elif content_hash(templates, instrument) != pin.sha256:
            reason = f"{sv['other_content']} / {en['other_content']}"
        elif instrument.partner_feedback != "shared":
            value = instrument.partner_feedback
            reason = f"{sv['announced'].format(value=value)} / {en['announced'].format(value=value)}"
        else:
            continue
        failures.append(f"  - {instrument_id} {pin.version}: {reason}")
    if failures:
        lines = [f"{sv['refuse_shared']} / {en['refuse_shared']}:", *failures]
        lines.append(f"{sv['refuse_fix']}. / {en['refuse_fix']}.")
        raise EvaluationError("\n".join(lines))


def pair_accuracy(responses: pd.DataFrame, templates: Templates) -> pd.DataFrame:
    """Return how accurately the two members of each pair perceived each other's work values.

    For each perception item (``perception_of``) a member's belief about the other generation is
    compared with their partner's own answer, as in `evaluation.outcomes.perception_accuracy`; its
    per-member mean absolute differences (``mae``) are averaged over the two members into one number
    per pair and wave. Vectorised: one merge for the whole cohort.

    Parameters
    ----------
    responses : pandas.DataFrame
        Long responses as ingest writes them (pair_id, role, wave, item, value).
    templates : Templates
        The survey templates (which items are perceptions of which).

    Returns
    -------
    pandas.DataFrame
        pair_id, wave, accuracy (mean over the two members of their mean absolute difference; lower is
        more accurate), n_values (the fewer values either member perceived). Only pairs and waves where
        both members perceived at least `MIN_PERCEIVED_VALUES` values, so that the number reveals
        neither member's answers.
    """
    columns = ["pair_id", "wave", "accuracy", "n_values"]
    merged = beliefs_with_partner(responses, templates)
    if merged.empty:
        return pd.DataFrame(columns=columns)
    merged = merged.assign(
        error=(merged["value"].astype(float) - merged["value_partner"].astype(float)).abs()
    )
    per_member = merged.groupby(["pair_id", "role", "wave"], sort=False)["error"].agg(["mean", "size"])
    per_member = per_member[per_member["size"] >= MIN_PERCEIVED_VALUES].reset_index()
    per_pair = per_member.groupby(["pair_id", "wave"], sort=True).agg(
        accuracy=("mean", "mean"), n_values=("size", "min"), members=("role", "nunique")
    )
    per_pair = per_pair[per_pair["members"] == 2].reset_index()
    return per_pair[columns].reset_index(drop=True)


def _numbers(values: Iterable[float], lang: str, digits: int = 1) -> list[str]:
    """Format numbers for readers: one decimal, a decimal comma in Swedish, a dash for missing."""
    out = []
    for value in values:
        if value is None or value != value:  # NaN
            out.append(_DASH)
        else:
            out.append(f"{value:.{digits}f}")
    if lang == "sv":
        out = [text.replace(".", ",") for text in out]
    return out


def _scale_ranges(templates: Templates) -> dict[str, str]:
    """Construct id to the range of its scale, e.g. ``1–5`` or ``0–10``."""
    ranges = {}
    for construct in templates.constructs.values():
        item = templates.items.get(construct.scoring.items[0])
        if item is None or item.scale not in templates.scales:
            continue
        scale = templates.scale_of(item)
        if scale.has_choices:
            ranges[construct.id] = f"{min(scale.codes)}–{max(scale.codes)}"
        elif scale.min is not None and scale.max is not None:
            ranges[construct.id] = f"{scale.min:g}–{scale.max:g}"
    return ranges


def _split(frame: pd.DataFrame, key: str, columns: list[str]) -> dict[str, list[tuple]]:
    """Group the rows of `frame` (sorted by `key`) into lists of tuples by `key`, without groupby."""
    if frame.empty:
        return {}
    keys = frame[key].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    rows = list(zip(*(frame[c].tolist() for c in columns), strict=True))
    return {keys[s]: rows[s:e] for s, e in zip(starts, ends, strict=True)}


def _reference(scores: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """Cohort mean per construct, role and wave, with a ``hidden`` flag.

    The reader's own score is shown beside the mean, so the reader could take it out and learn the
    mean of the others: a mean is shown only when the others alone reach the minimum (n - 1).
    """
    grouped = scores.groupby(["construct", "role", "wave"], sort=True, observed=True)["score"]
    table = grouped.agg(mean="mean", n="count").reset_index()
    table["others"] = table["n"] - 1
    protected = policy.protect(table, labels=["construct", "role", "wave"], counts=["others"])
    frame = protected.frame.assign(hidden=protected.hidden.to_numpy())
    frame["mean"] = pd.to_numeric(frame["mean"], errors="coerce")
    return frame[["construct", "role", "wave", "mean", "hidden"]]


def _pair_reference(values: pd.Series, policy: DisclosurePolicy) -> float:
    """Return the mean of a per-pair number over the cohort's pairs (NaN if too few pairs have one).

    As in `_reference`, the other pairs alone must reach the minimum (the reader knows their own).
    """
    values = values.dropna()
    table = pd.DataFrame({"value": [values.mean() if len(values) else np.nan], "others": [len(values) - 1]})
    protected = policy.protect(table, labels=[], counts=["others"])
    value = protected.frame["value"].iloc[0]
    return float(value) if not protected.hidden.iloc[0] and pd.notna(value) else float("nan")


def _pair_texts(data: CohortData, pair_ids: list[str], policy: DisclosurePolicy, lang: str) -> dict:
    """Per pair: the sentence on perception accuracy and the sentence on meetings, formatted once."""
    text = MESSAGES[lang]
    accuracy = pair_accuracy(data.responses, data.templates)
    cohort_accuracy = {
        wave: _pair_reference(accuracy.loc[accuracy["wave"] == wave, "accuracy"], policy) for wave in WAVES
    }
    # One number per pair: the latest wave at which both members perceived each other.
    latest = accuracy.assign(step=accuracy["wave"].map({w: i for i, w in enumerate(WAVES)}))
    latest = latest.sort_values(["pair_id", "step"]).drop_duplicates("pair_id", keep="last")
    latest = latest.set_index("pair_id")
    links = [i for i in data.templates.items.values() if i.perception_of]
    scale = ""
    if links:
        codes = data.templates.scale_of(links[0]).codes
        scale = f"{min(codes)}–{max(codes)}"
    log = data.meeting_log
    if log is not None and not log.empty and {"pair_id", "minutes"} <= set(log.columns):
        minutes = pd.to_numeric(log["minutes"], errors="coerce").fillna(0)
        per_pair = minutes.groupby(log["pair_id"]).agg(["size", "sum"])
    else:
        per_pair = pd.DataFrame(columns=["size", "sum"], dtype=float)
    per_pair = per_pair.reindex(pair_ids).fillna(0)
    mean_count = _pair_reference(per_pair["size"], policy)
    mean_hours = _pair_reference(per_pair["sum"] / 60, policy)
    meetings_cohort = ""
    if not np.isnan(mean_count):
        count, hours = _numbers([mean_count, mean_hours], lang)
        meetings_cohort = text["meetings_cohort"].format(count=count, hours=hours)

    out = {}
    acc_values = _numbers(latest["accuracy"].tolist(), lang, digits=1)
    acc_text = {}
    after = {
        wave: "" if np.isnan(ref) else text["accuracy_cohort"].format(value=_numbers([ref], lang)[0])
        for wave, ref in cohort_accuracy.items()
    }
    for pair_id, wave, value in zip(latest.index, latest["wave"], acc_values, strict=True):
        sentence = text["accuracy"].format(when=text["when"][wave], value=value, scale=scale)
        acc_text[pair_id] = sentence + after[wave]
    counts = per_pair["size"].astype(int).tolist()
    hours = _numbers((per_pair["sum"] / 60).tolist(), lang)
    for pair_id, count, hour in zip(per_pair.index, counts, hours, strict=True):
        if count == 0:
            meetings = text["meetings_none"]
        elif count == 1:
            meetings = text["meetings_one"].format(hours=hour)
        else:
            meetings = text["meetings"].format(count=count, hours=hour)
        out[pair_id] = (acc_text.get(pair_id, text["accuracy_none"]), meetings + meetings_cohort)
    return out


def _static_texts(data: CohortData, role: str, lang: str, shared: bool) -> dict[str, Any]:
    """Return the texts of a page that depend only on the cohort, the reader's role and the language."""
    text = MESSAGES[lang]
    own = text["roles"][role]
    other = text["roles"]["adept" if role == "mentor" else "mentor"]
    fields = {
        "cohort": data.config.name,
        "plural": own["plural"],
        "min": data.config.min_group_size,
        **{k: v for k, v in other.items() if k.startswith("partner")},
    }
    keys = [
        "title",
        "heading",
        "cohort",
        "intro",
        "own_heading",
        "own_caption",
        "own_none",
        "how_to_read",
        "sensitive_note",
        "hidden_note",
        "partner_heading",
        "partner_caption",
        "partner_none",
        "pair_heading",
        "footer",
    ]
    static = {key: text[key].format(**fields) for key in keys}
    static["privacy"] = text["privacy_shared" if shared else "privacy_individual"].format(**fields)
    static["own_columns"] = [c.format(**fields) for c in text["own_columns"]]
    static["partner_columns"] = list(text["partner_columns"])
    return static


def _partners(participants: pd.DataFrame) -> dict[str, str]:
    """Participant to partner: the one member of the other role in the same pair (when unambiguous)."""
    members = participants.dropna(subset=["pair_id"])
    counts = members.groupby(["pair_id", "role"])["pseudonym"].transform("size")
    members = members[counts == 1]
    other = members.assign(role=members["role"].map({"mentor": "adept", "adept": "mentor"}))
    merged = members.merge(other, on=["pair_id", "role"], suffixes=("", "_partner"))
    return dict(zip(merged["pseudonym"], merged["pseudonym_partner"], strict=True))


def write_feedback(data: CohortData, out_dir: Path, lang: str = "sv") -> list[Path]:
    """Write one private feedback page per participant: ``out_dir/feedback/<pseudonym>.html``.

    Parameters
    ----------
    data : evaluation.report.data.CohortData
        The cohort (`evaluation.report.data.load`): its settings (``pair_feedback``, ``min_group_size``),
        templates, responses, scores and meeting log.
    out_dir : pathlib.Path
        The cohort's reports folder; pages go to its ``feedback/`` folder (created). Nothing else is
        written or removed.
    lang : {"sv", "en"}
        The pages' language.

    Returns
    -------
    list of pathlib.Path
        The pages written, sorted; empty when cohort.yml sets ``pair_feedback: off``.

    Raises
    ------
    EvaluationError
        If ``pair_feedback`` is ``shared`` but the forms the cohort answered did not announce it
        (`check_pair_feedback`), or a pseudonym is not usable as a file name.
    ValueError
        If `lang` is unknown.

    Notes
    -----
    A page shows the participant's own scores, the cohort mean of their role where that group is at
    or above the minimum reporting size, the pair's perception accuracy (one number for both, only
    when both perceived enough values: `pair_accuracy`) and the meetings the pair logged. With
    ``pair_feedback: shared`` it adds the partner's scores on constructs that are not sensitive. It
    never shows a pseudonym, pair id or any other identifier: the file name alone says whose it is.
    """
    _check_lang(lang)
    config, templates = data.config, data.templates
    mode = getattr(config, "pair_feedback", "individual")
    if mode == "off":
        return []
    shared = mode == "shared"
    if shared:
        check_pair_feedback(config, templates)
    policy = DisclosurePolicy(config.min_group_size)

    # One computation per cohort: scores at the two waves, the reference means, the formatted rows.
    scores = data.scores
    shown = {c.id for c in templates.constructs.values() if not c.cohort_only}
    scores = scores.loc[
        scores["wave"].isin(WAVES) & scores["score"].notna() & scores["construct"].isin(shown),
        ["pseudonym", "pair_id", "role", "construct", "wave", "score"],
    ]
    if scores.empty:
        return []
    participants = scores.drop_duplicates("pseudonym")[["pseudonym", "pair_id", "role"]]
    bad = [p for p in participants["pseudonym"] if not _SAFE_NAME.match(str(p))]
    if bad:
        raise EvaluationError(
            f"{len(bad)} pseudonymer kan inte bli filnamn / pseudonyms cannot be file names "
            "(expected letters, digits, - and _)"
        )
    reference = _reference(scores, policy)
    wide = (
        scores.drop_duplicates(["pseudonym", "construct", "wave"])
        .set_index(["pseudonym", "construct", "wave"])["score"]
        .unstack("wave")
        .reindex(columns=list(WAVES))
        .reset_index()
    )
    wide["role"] = wide["pseudonym"].map(participants.set_index("pseudonym")["role"])
    for wave in WAVES:
        ref = reference[reference["wave"] == wave].set_index(["construct", "role"])
        index = pd.MultiIndex.from_frame(wide[["construct", "role"]])
        wide[f"ref_{wave}"] = ref["mean"].reindex(index).to_numpy()
        wide[f"hidden_{wave}"] = ref["hidden"].reindex(index).fillna(False).to_numpy(dtype=bool)
    order = {c: i for i, c in enumerate(templates.constructs)}
    wide["order"] = wide["construct"].map(order)
    wide = wide.sort_values(["pseudonym", "order"], kind="stable").reset_index(drop=True)

    text = MESSAGES[lang]
    sensitive = {c.id for c in templates.constructs.values() if c.sensitive}
    names = {c.id: c.name[lang] for c in templates.constructs.values()}
    scales = _scale_ranges(templates)
    is_sensitive = wide["construct"].isin(sensitive).to_numpy()
    wide["label"] = wide["construct"].map(names)
    wide["mark"] = is_sensitive & shared  # in shared mode, say which of one's own rows the partner never sees
    wide["scale"] = wide["construct"].map(scales).fillna("")
    for wave in WAVES:
        wide[f"you_{wave}"] = _numbers(wide[wave].tolist(), lang)
        shown = _numbers(wide[f"ref_{wave}"].tolist(), lang)
        wide[f"cohort_{wave}"] = np.where(wide[f"hidden_{wave}"], text["hidden"], shown)
    wide["any_hidden"] = wide["hidden_pre"] | wide["hidden_post"]
    own_rows = _split(
        wide,
        "pseudonym",
        ["label", "scale", "you_pre", "cohort_pre", "you_post", "cohort_post", "any_hidden", "mark"],
    )
    partner_rows: Mapping[str, list[tuple]] = {}
    partners: dict[str, str] = {}
    if shared:
        partner_rows = _split(wide.loc[~is_sensitive], "pseudonym", ["label", "scale", "you_pre", "you_post"])
        partners = _partners(participants)

    pair_ids = sorted(participants["pair_id"].dropna().astype(str).unique())
    pair_texts = _pair_texts(data, pair_ids, policy, lang)
    none = (text["accuracy_none"], text["meetings_none"])
    statics = {role: _static_texts(data, role, lang, shared) for role in ("mentor", "adept")}
    template = ENVIRONMENT.get_template("feedback.html.j2")

    folder = Path(out_dir) / FEEDBACK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for pseudonym, pair_id, role in participants.sort_values("pseudonym").itertuples(index=False):
        rows = own_rows.get(pseudonym, [])
        partner = partners.get(pseudonym)
        accuracy, meetings = pair_texts.get(pair_id, none) if isinstance(pair_id, str) else none
        html = template.render(
            lang=lang,
            text=statics[role],
            own=rows,
            hidden=any(row[6] for row in rows),
            marked=any(row[7] for row in rows),
            shared=shared,
            partner=partner_rows.get(partner, []) if partner else [],
            accuracy=accuracy,
            meetings=meetings,
        )
        path = folder / f"{pseudonym}.html"
        path.write_text(html, encoding="utf-8")
        written.append(path)
    return written
