"""What a form tells respondents about their answers: one catalogue, Swedish first.

Every exported form (`evaluation.forms`) opens with an *information text* built here from a cohort's
settings (`Information`, made from cohort.yml by `evaluation.cohort.CohortConfig.information`): that
answering is voluntary and can be stopped at any time; what is collected; who sees what (results only
for groups of at least ``min_group_size``, never individual answers to the employer, and exactly what
the partner in the program sees, `ANNOUNCEMENTS`); that answers to a public authority may be official
documents; the data controller, purpose, legal basis and retention; the respondent's rights; and whom
to contact. Each form ends with `thanks`. Nothing here promises confidentiality: a cohort that can
promise it (e.g. because statistical secrecy applies) says so in its own texts in cohort.yml.

`evaluation.report.feedback` writes the feedback pages that keep the partner announcement. Which sentences of
an instrument's own introduction the information text replaces is `SUPERSEDED`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from evaluation.survey.model import LANGUAGES, Instrument

__all__ = [
    "ANNOUNCEMENTS",
    "FIELDS",
    "MESSAGES",
    "PLACEHOLDERS",
    "SUPERSEDED",
    "Information",
    "announcement",
    "information_heading",
    "information_text",
    "thanks",
    "without_superseded",
]

ANNOUNCEMENTS: dict[str, dict[str, str]] = {
    "sv": {
        "individual": (
            "Din partner i programmet ser inga av dina svar. Du får en egen återkoppling som bara du "
            "ser. Där finns också några resultat för ert par som helhet, som ni båda ser: hur väl ni "
            "uppfattade varandras värderingar, som ett enda tal för er båda, och hur många möten ni "
            "har loggat."
        ),
        "shared": (
            "Din partner i programmet får se dina resultat på de frågor som inte är känsliga, "
            "sammanfattade per område. Dina svar på känsliga frågor, till exempel om du vill stanna "
            "kvar på myndigheten, hur du ser på myndigheten som arbetsgivare och hur du upplever "
            "relationen i ert par, ser bara du. Du får en egen återkoppling med dina resultat, din "
            "partners resultat på de frågor som inte är känsliga och några resultat för ert par som "
            "helhet."
        ),
        "off": (
            "Din partner i programmet ser inga av dina svar. Ingen får någon personlig återkoppling, "
            "varken du eller ert par: resultaten redovisas bara för grupper."
        ),
    },
    "en": {
        "individual": (
            "Your partner in the program sees none of your answers. You get your own feedback, which "
            "only you see. It also shows a few results for your pair as a whole, which you both see: "
            "how well you perceived each other's values, as one number for the two of you, and how "
            "many meetings you have logged."
        ),
        "shared": (
            "Your partner in the program will see your results on the questions that are not "
            "sensitive, summarised by topic. Your answers to sensitive questions, for example whether "
            "you want to stay at the agency, how you see the agency as an employer and how you "
            "experience the relationship in your pair, are seen by you alone. You get your own "
            "feedback with your results, your partner's results on the questions that are not "
            "sensitive and a few results for your pair as a whole."
        ),
        "off": (
            "Your partner in the program sees none of your answers. Nobody gets personal feedback, "
            "neither you nor your pair: results are reported for groups only."
        ),
    },
}
"""What a form announces the partner will see, by language and feedback setting.

The setting is cohort.yml's ``pair_feedback`` when a form is exported for a cohort, else the
instrument's ``partner_feedback``: ``individual`` (nothing of your answers), ``shared`` (your scores on
areas that are not sensitive, never e.g. the intention to stay) or ``off`` (no feedback pages).
"""

FIELDS: tuple[str, ...] = ("controller", "purpose", "legal_basis", "retention", "contact")
"""The cohort.yml texts the information text names, in the order it names them."""

PLACEHOLDERS: dict[str, dict[str, str]] = {
    "sv": {
        "controller": "[personuppgiftsansvarig]",
        "purpose": "[syfte]",
        "legal_basis": "[rättslig grund]",
        "retention": "[lagringstid]",
        "contact": "[kontaktperson]",
    },
    "en": {
        "controller": "[data controller]",
        "purpose": "[purpose]",
        "legal_basis": "[legal basis]",
        "retention": "[retention period]",
        "contact": "[contact person]",
    },
}
"""What a form shows for a text cohort.yml does not set (or without ``--cohort``): visibly unfinished."""

MESSAGES: dict[str, dict[str, str]] = {
    "sv": {
        "heading": "Information om enkäten och dina personuppgifter",
        "voluntary": "Det är frivilligt att svara. Du kan avbryta när du vill.",
        "collected": (
            "Vi samlar in dina svar, din deltagarkod och när du svarade, men inte ditt namn. "
            "Deltagarkoden gör att svaren kan kopplas till dig, och därför räknas de som "
            "personuppgifter. Skriv inte ditt eller någon annans namn i svaren."
        ),
        "reporting": (
            "Resultaten redovisas bara för grupper om minst {min_group_size} personer, och enskilda "
            "svar redovisas aldrig för din arbetsgivare."
        ),
        "public": (
            "Om personuppgiftsansvarig är en myndighet kan svaren bli allmänna handlingar, som bara "
            "skyddas om sekretess gäller för dem enligt offentlighets- och sekretesslagen."
        ),
        "controller": "Personuppgiftsansvarig: {value}",
        "purpose": "Syfte: {value}",
        "legal_basis": "Rättslig grund: {value}",
        "retention": "Lagringstid: {value}",
        "rights": (
            "Du har rätt att få veta vilka uppgifter om dig som behandlas (registerutdrag), att få "
            "felaktiga uppgifter rättade och i vissa fall att få uppgifterna raderade. Du kan lämna "
            "klagomål till Integritetsskyddsmyndigheten (IMY)."
        ),
        "contact": "Kontakt vid frågor om enkäten eller dina personuppgifter: {value}",
        "thanks": "Tack för dina svar!",
        "submit": "Glöm inte att skicka in formuläret.",
    },
    "en": {
        "heading": "About this survey and your personal data",
        "voluntary": "Answering is voluntary. You can stop at any time.",
        "collected": (
            "We collect your answers, your participant code and when you answered, but not your "
            "name. The participant code makes it possible to link the answers to you, so they count "
            "as personal data. Do not write your own or anyone else's name in your answers."
        ),
        "reporting": (
            "Results are reported only for groups of at least {min_group_size} people, and "
            "individual answers are never reported to your employer."
        ),
        "public": (
            "If the data controller is a public authority, the answers may become official "
            "documents, which are protected only where secrecy applies to them under the Swedish "
            "Public Access to Information and Secrecy Act."
        ),
        "controller": "Data controller: {value}",
        "purpose": "Purpose: {value}",
        "legal_basis": "Legal basis: {value}",
        "retention": "Retention: {value}",
        "rights": (
            "You have the right to know which data about you are processed (access), to have "
            "incorrect data corrected and, in some cases, to have the data erased. You can lodge a "
            "complaint with the Swedish Authority for Privacy Protection (Integritetsskyddsmyndigheten, "
            "IMY)."
        ),
        "contact": "Contact for questions about the survey or your personal data: {value}",
        "thanks": "Thank you for your answers!",
        "submit": "Remember to submit the form.",
    },
}
"""Every sentence of the information text and of the closing, by language."""

SUPERSEDED = re.compile(
    r"konfidentiell|confidential|redovisas bara|reported only|återkoppling om ert|feedback on your own",
    re.IGNORECASE,
)
"""Sentences of an instrument's own introduction that the information text replaces.

The released 1.0.0 introductions promise confidentiality ("Dina svar behandlas konfidentiellt") and
state a fixed reporting rule and pair feedback ("minst fem personer", "återkoppling om ert eget
mentorspar"), which may contradict the cohort's settings. Their YAML stays as released (it is part of
the content hash); forms leave these sentences out (`without_superseded`) and say it in the
information text instead.
"""


@dataclass(frozen=True)
class Information:
    """What the information text says for one cohort (cohort.yml; `evaluation.cohort.CohortConfig`).

    Attributes
    ----------
    min_group_size : int
        The smallest group any result is reported for.
    pair_feedback : {"individual", "shared", "off"}
        What the partner in the program sees (`ANNOUNCEMENTS`).
    controller, purpose, legal_basis, retention, contact : mapping of language to text, optional
        The cohort's texts; a language missing falls back to Swedish, a text missing to its
        placeholder (`PLACEHOLDERS`).
    """

    min_group_size: int
    pair_feedback: str
    controller: Mapping[str, str] | None = None
    purpose: Mapping[str, str] | None = None
    legal_basis: Mapping[str, str] | None = None
    retention: Mapping[str, str] | None = None
    contact: Mapping[str, str] | None = None

    def text(self, field: str, lang: str) -> str:
        """Return the cohort's text `field` in `lang` (else Swedish), or its placeholder."""
        value: Mapping[str, str] | None = getattr(self, field)
        if not value:
            return PLACEHOLDERS[lang][field]
        return value.get(lang) or value["sv"]

    def missing(self) -> list[str]:
        """Return the fields (`FIELDS`) the cohort does not set, which forms show as placeholders."""
        return [field for field in FIELDS if not getattr(self, field)]


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")


def announcement(partner_feedback: str | Instrument, lang: str) -> str:
    """Return what a form tells respondents their partner will see, in `lang`.

    Parameters
    ----------
    partner_feedback : {"individual", "shared", "off"} or Instrument
        The setting, or an instrument whose ``partner_feedback`` to announce.
    lang : {"sv", "en"}
        The language.

    Returns
    -------
    str
        One short paragraph from `ANNOUNCEMENTS`.
    """
    _check_language(lang)
    value = (
        partner_feedback.partner_feedback if isinstance(partner_feedback, Instrument) else partner_feedback
    )
    if value not in ANNOUNCEMENTS[lang]:
        raise ValueError(f"unknown partner_feedback {value!r}; expected individual, shared or off")
    return ANNOUNCEMENTS[lang][value]


def information_heading(lang: str) -> str:
    """Return the information text's heading in `lang`."""
    _check_language(lang)
    return MESSAGES[lang]["heading"]


def information_text(information: Information, lang: str) -> list[str]:
    """Return the information text a form opens with, as paragraphs, in `lang`.

    Parameters
    ----------
    information : Information
        The cohort's settings and texts.
    lang : {"sv", "en"}
        The form's language.

    Returns
    -------
    list of str
        Voluntary; what is collected; who sees what (reporting rule and the partner's view, one
        paragraph); official documents; controller, purpose, legal basis, retention (one paragraph
        each); rights; contact. Without heading (`information_heading`).
    """
    _check_language(lang)
    say = MESSAGES[lang]
    who = say["reporting"].format(min_group_size=information.min_group_size)
    paragraphs = [
        say["voluntary"],
        say["collected"],
        f"{who} {announcement(information.pair_feedback, lang)}",
        say["public"],
    ]
    paragraphs += [
        say[field].format(value=information.text(field, lang)) for field in FIELDS if field != "contact"
    ]
    paragraphs.append(say["rights"])
    paragraphs.append(say["contact"].format(value=information.text("contact", lang)))
    return paragraphs


def thanks(lang: str, *, submit: bool = False) -> str:
    """Return the closing thank-you; with `submit`, followed by a reminder to submit the form.

    The reminder is for a closing shown before the form is sent (a note at the end of the form), not
    for a message shown after it (a confirmation or end text).
    """
    _check_language(lang)
    say = MESSAGES[lang]
    return f"{say['thanks']} {say['submit']}" if submit else say["thanks"]


def without_superseded(intro: str) -> str:
    """Return an instrument's introduction without the sentences the information text replaces.

    Sentences end at ``.``, ``!`` or ``?`` followed by white space; a sentence matching `SUPERSEDED`
    is left out, the others are kept unchanged and in order.
    """
    sentences = re.split(r"(?<=[.!?])\s+", intro.strip())
    return " ".join(s for s in sentences if s and not SUPERSEDED.search(s))
