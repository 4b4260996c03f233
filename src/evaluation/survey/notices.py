"""What a form tells respondents about their answers: the announcement of what the partner will see.

An instrument's ``partner_feedback`` (`evaluation.survey.model.Instrument`) is content respondents read:
every exported form states it in its introduction (`evaluation.forms`), and `evaluation.feedback`
writes the feedback pages that keep the promise. The texts are here, once, Swedish first.
"""

from __future__ import annotations

from evaluation.survey.model import LANGUAGES, Instrument

__all__ = ["ANNOUNCEMENTS", "announcement"]

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
    },
}
"""What a form announces the partner will see, by language and ``partner_feedback`` value."""


def announcement(partner_feedback: str | Instrument, lang: str) -> str:
    """Return what a form tells respondents their partner will see, in `lang`.

    Parameters
    ----------
    partner_feedback : {"individual", "shared"} or Instrument
        The setting, or an instrument whose ``partner_feedback`` to announce.
    lang : {"sv", "en"}
        The language.

    Returns
    -------
    str
        One short paragraph from `ANNOUNCEMENTS`.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    value = (
        partner_feedback.partner_feedback if isinstance(partner_feedback, Instrument) else partner_feedback
    )
    if value not in ("individual", "shared"):
        raise ValueError(f"unknown partner_feedback {value!r}; expected individual or shared")
    return ANNOUNCEMENTS[lang][value]
