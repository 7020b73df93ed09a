"""UI strings used by several routers, so each sentence is written (and translated) once."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __


def country_name(code: str) -> str:
    names = {
        "FI": _("Finland"), "SE": _("Sweden"), "NO": _("Norway"), "DK": _("Denmark"), "IS": _("Iceland"),
        "RU-SPE": _("St Petersburg"), "RU-KR": _("Karelia"), "OTHER": _("Another country"),
    }
    return names.get(code, code)


def group_name(group: str) -> str:
    names = {
        "arrest": _("Arrest and the first days"), "contact": _("Visits, calls, letters, money"),
        "inside": _("Life in prison, health, safety"), "sentence": _("Sentence, parole, expulsion"),
        "release": _("After release"), "family": _("Family and children"), "service": _("Help and this service"),
    }
    return names.get(group, group)


def privacy_notice() -> str:
    return _(
        "<b>Your privacy</b>\n\n"
        "Lykta is run by non-governmental organisations that help prisoners' families and ex-prisoners. "
        "To help you we keep only: your chat number, the language and country you choose, and when you "
        "accepted this notice. We do not keep your name or your messages, except the messages of a "
        "conversation with a person at an organisation if you ask for one. Staff see a pseudonym, not your "
        "name, unless you agree.\n\n"
        "You can see what we keep with /mydata and erase it at any time with /forget. Data of closed "
        "conversations is deleted after a fixed period.\n\n"
        "The answers are general information, not legal advice."
    )


def help_text() -> str:
    return _(
        "Write your question in your own words, in your language — for example "
        "<i>how can I send money to my son in prison?</i>\n\n"
        "/topics — browse all subjects\n"
        "/case — talk to a person at an organisation\n"
        "/language — change the language\n"
        "/country — change the country\n"
        "/privacy — what we keep about you\n"
        "/mydata — see it · /forget — erase it\n"
        "/help — this message\n\n"
        "If someone is in danger right now, call <b>112</b>."
    )


DISCLAIMER = __("General information, not legal advice.")
MACHINE_NOTE = __("This text was drafted with machine help and has not yet been checked by the organisation.")
BUTTON_STALE = __("This button is no longer valid. Please use /help.")
