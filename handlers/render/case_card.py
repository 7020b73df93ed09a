"""The case card staff see at the top of each case topic, and the topic's name."""

from __future__ import annotations

import html

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db.models import Case, StaffMember
from handlers.callbacks import StaffCB
from handlers.deps import LANGUAGE_NAMES
from handlers.texts import country_name
from knowledge import KnowledgeBase


def topic_name(case: Case) -> str:
    """"#17 · ru · FI · parcels.send" (Telegram allows 128 characters)."""
    parts = [f"#{case.id}", case.language, case.jurisdiction or "—", case.topic or "general"]
    name = " · ".join(parts)
    return ("🆘 " + name if case.crisis else name)[:128]


def card_text(case: Case, kb: KnowledgeBase, lang: str, history: list[Case], on_duty: list[StaffMember],
              channel: str) -> str:
    title = kb.title(case.topic, lang) if case.topic in kb.topics else _("no topic")
    lines = [("🆘 " if case.crisis else "") + _("<b>Case #{number}</b>").format(number=case.id)]
    if case.urgent:
        lines[0] += " · " + _("🔴 URGENT")
    who = html.escape(case.pseudonym)
    if case.shared_name:
        who += " · " + _("shared name: {name}").format(name=html.escape(case.shared_name))
    lines += [
        _("Person: {who}").format(who=who),
        _("Language: {language} · Country: {country}").format(
            language=LANGUAGE_NAMES.get(case.language, case.language),
            country=country_name(case.jurisdiction) if case.jurisdiction else "—"),
        _("Topic: {title}").format(title=html.escape(title)),
        _("Channel: {channel} · opened {time} UTC").format(channel=channel,
                                                           time=case.created_at.strftime("%Y-%m-%d %H:%M")),
    ]
    if case.status == "closed":
        lines.append(_("Status: closed"))
    elif case.claimed_by:
        lines.append(_("Status: handled by {name}").format(name=html.escape(case.claimed_name or "?")))
    else:
        lines.append(_("Status: waiting for someone to claim it"))
    if history:
        earlier = ", ".join(f"#{c.id}" + (f" ({c.feedback})" if c.feedback else "") for c in history)
        lines.append(_("Earlier cases: {cases}").format(cases=earlier))
    if case.summary:
        lines.append(_("What the person shared:") + f"\n<blockquote>{html.escape(case.summary[:2500])}</blockquote>")
    if on_duty and case.status != "closed":
        mentions = ", ".join(f'<a href="tg://user?id={m.telegram_id}">{html.escape(m.name)}</a>' for m in on_duty)
        lines.append(_("On duty: {names}").format(names=mentions))
    lines.append("<i>" + _("Write in this topic to answer. Messages starting with // are internal notes.") + "</i>")
    return "\n".join(lines)


def card_keyboard(case: Case) -> InlineKeyboardMarkup | None:
    if case.status == "closed":
        return None
    builder = InlineKeyboardBuilder()
    if case.claimed_by:
        builder.button(text=_("Release"), callback_data=StaffCB(action="release", case=case.id))
    else:
        builder.button(text=_("Claim"), callback_data=StaffCB(action="claim", case=case.id))
    if case.urgent:
        builder.button(text=_("Urgent: off"), callback_data=StaffCB(action="calm", case=case.id))
    else:
        builder.button(text=_("Urgent: on"), callback_data=StaffCB(action="urgent", case=case.id))
    builder.button(text=_("Close case"), callback_data=StaffCB(action="close", case=case.id))
    builder.adjust(2, 1)
    return builder.as_markup()
