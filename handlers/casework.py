"""Decisions about cases, kept out of the routers: open, relay both ways, close. All sending goes via the outbox."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db import Repos, User
from db.models import Case, utcnow
from db.policy import next_opening
from handlers.callbacks import CaseFeedbackCB
from handlers.deps import AppInfo, Organisation

STAFF_CHANNEL = "telegram"  # staff groups live in Telegram, whatever channel the user came from
RECENT_KEEP = 3


def message_kind(message: Message) -> str:
    for kind in ("text", "photo", "document", "voice", "audio", "video", "video_note", "sticker", "animation"):
        if getattr(message, kind, None):
            return kind
    return "other"


def markup_payload(markup: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
    return markup.model_dump(mode="json", exclude_none=True) if markup else None


def when_staff_back(cw: Organisation, now: dt.datetime | None = None) -> dt.datetime | None:
    return next_opening(cw.working_hours, cw.timezone, now or utcnow())


def expectation_text(cw: Organisation) -> str:
    """What the user is told about when to expect an answer."""
    back = when_staff_back(cw)
    text = _("Someone from {org} will answer here, usually within one working day.").format(org=html.escape(cw.org_name))
    if back is not None:
        text += " " + _("The team is not working right now; they are back on {day} at {time} ({tz}).").format(
            day=back.strftime("%Y-%m-%d"), time=back.strftime("%H:%M"), tz=cw.timezone)
    return text


async def open_case(repos: Repos, app: AppInfo, user: User, *, language: str, jurisdiction: str | None,
                    topic: str | None, summary: str | None, shared_name: str | None, crisis: bool = False) -> Case:
    """Create the case, routed to its organisation, and queue its forum topic and card."""
    assert app.network is not None
    cw, staff_chat = app.network.route(jurisdiction, language)
    case = await repos.cases.open(user, staff_chat_id=staff_chat, organisation=cw.id,
                                  language=language, jurisdiction=jurisdiction, topic=topic, summary=summary,
                                  shared_name=shared_name, crisis=crisis)
    await repos.outbox.enqueue(f"card:{case.id}", channel=STAFF_CHANNEL, op="card", chat_id=staff_chat,
                               payload={"pin": crisis}, case_id=case.id, to_thread=True)
    return case


async def relay_from_user(repos: Repos, app: AppInfo, case: Case, message: Message, channel: str,
                          update_id: int) -> bool:
    """Queue the user's message for the case topic, once per update."""
    kind = message_kind(message)
    if not await repos.case_messages.record(case.id, "in", channel, update_id, message.chat.id,
                                            message.message_id, kind):
        return False
    key = f"in:{channel}:{update_id}"
    if channel == STAFF_CHANNEL:
        payload: dict[str, Any] = {"from_chat_id": message.chat.id, "message_id": message.message_id}
        await repos.outbox.enqueue(key, channel=STAFF_CHANNEL, op="copy", chat_id=case.staff_chat_id,
                                   payload=payload, case_id=case.id, to_thread=True)
    else:
        text = message.text or _("[an attachment the web chat cannot pass on]")
        await repos.outbox.enqueue(key, channel=STAFF_CHANNEL, op="send", chat_id=case.staff_chat_id,
                                   payload={"text": "💬 " + html.escape(text)}, case_id=case.id, to_thread=True)
    return True


def signature(cw: Organisation, first_name: str) -> str:
    if cw.signature == "anonymous":
        return f"— {cw.org_name}"
    return f"— {first_name}, {cw.org_name}"


async def relay_from_staff(repos: Repos, app: AppInfo, case: Case, message: Message, update_id: int,
                           text_override: str | None = None) -> str:
    """Queue a worker's message for the user; returns 'sent', 'duplicate', 'closed' or 'gone'."""
    assert app.network is not None
    cw = app.network.of_case(case)
    if case.status == "closed":
        return "closed"
    user = await repos.session.get(User, case.user_id) if case.user_id else None
    if user is None:
        return "gone"
    kind = "text" if text_override else message_kind(message)
    author = message.from_user.id if message.from_user else None
    if not await repos.case_messages.record(case.id, "out", STAFF_CHANNEL, update_id, message.chat.id,
                                            message.message_id, kind, author):
        return "duplicate"
    sign = html.escape(signature(cw, message.from_user.first_name if message.from_user else ""))
    key = f"out:{update_id}"
    text = text_override if text_override is not None else message.text
    if text is not None:
        body = (text_override if text_override is not None else html.escape(text)) + f"\n\n<i>{sign}</i>"
        await repos.outbox.enqueue(key, channel=user.channel, op="send", chat_id=user.chat_id,
                                   payload={"text": body}, case_id=case.id)
    elif user.channel == STAFF_CHANNEL:
        caption = html.escape(message.caption or "")
        await repos.outbox.enqueue(key, channel=STAFF_CHANNEL, op="copy", chat_id=user.chat_id,
                                   payload={"from_chat_id": message.chat.id, "message_id": message.message_id,
                                            "caption": (caption + "\n\n" if caption else "") + f"<i>{sign}</i>"},
                                   case_id=case.id)
    else:
        with_user_locale = _("The worker sent a file that the web chat cannot show yet. Ask them to describe it "
                             "in a message.")
        await repos.outbox.enqueue(key, channel=user.channel, op="send", chat_id=user.chat_id,
                                   payload={"text": html.escape(with_user_locale) + f"\n\n<i>{sign}</i>"},
                                   case_id=case.id)
    await repos.cases.mark_first_reply(case.id)
    return "sent"


def feedback_keyboard(case_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes"), callback_data=CaseFeedbackCB(case=case_id, answer="yes"))
    builder.button(text=_("Partly"), callback_data=CaseFeedbackCB(case=case_id, answer="partly"))
    builder.button(text=_("No"), callback_data=CaseFeedbackCB(case=case_id, answer="no"))
    builder.adjust(3)
    return builder.as_markup()


async def close_case(repos: Repos, app: AppInfo, case: Case, i18n: Any, closed_by: str) -> bool:
    """Close once (a second close does nothing); tell both sides and ask the user whether they got help."""
    if not await repos.cases.close(case.id):
        return False
    assert app.network is not None
    cw = app.network.of_case(case)
    user = await repos.session.get(User, case.user_id) if case.user_id else None
    with i18n.use_locale(cw.staff_language):
        notice = _("Case closed by {who}.").format(who=html.escape(closed_by))
    await repos.outbox.enqueue(f"closed-note:{case.id}", channel=STAFF_CHANNEL, op="send", chat_id=case.staff_chat_id,
                               payload={"text": notice}, case_id=case.id, to_thread=True)
    await repos.outbox.enqueue(f"card-edit:{case.id}:closed", channel=STAFF_CHANNEL, op="edit_card",
                               chat_id=case.staff_chat_id, payload={}, case_id=case.id, to_thread=True)
    await repos.outbox.enqueue(f"close-topic:{case.id}", channel=STAFF_CHANNEL, op="close_topic",
                               chat_id=case.staff_chat_id, payload={}, case_id=case.id, to_thread=True)
    if user is not None:
        with i18n.use_locale(case.language if case.language in i18n.available_locales else cw.staff_language):
            text = _("Your case #{number} is closed. Did you get the help you needed?").format(number=case.id)
            markup = markup_payload(feedback_keyboard(case.id))
        await repos.outbox.enqueue(f"closed-user:{case.id}", channel=user.channel, op="send", chat_id=user.chat_id,
                                   payload={"text": text, "reply_markup": markup}, case_id=case.id)
    return True


async def refresh_card(repos: Repos, case: Case, reason: str) -> None:
    await repos.outbox.enqueue(f"card-edit:{case.id}:{reason}:{utcnow().timestamp()}", channel=STAFF_CHANNEL,
                               op="edit_card", chat_id=case.staff_chat_id, payload={}, case_id=case.id,
                               to_thread=True)


def remember(recent: list[str], text: str) -> list[str]:
    """The last few things the user asked, kept only in the conversation state until a case is opened."""
    return [*recent, text[:600]][-RECENT_KEEP:]


async def transfer_case(repos: Repos, app: AppInfo, case: Case, target: Organisation, i18n: Any, by: str) -> bool:
    """Hand an open case to another organisation: a new topic there, the old one closed, the user told."""
    assert app.network is not None
    source = app.network.of_case(case)
    old_chat, old_thread = case.staff_chat_id, case.thread_id
    new_chat = target.group_for(case.language)
    if not await repos.cases.transfer(case.id, target.id, new_chat):
        return False
    with i18n.use_locale(source.staff_language):
        note = _("Case transferred to {org} by {who}.").format(org=html.escape(target.name), who=html.escape(by))
    if old_thread:
        await repos.outbox.enqueue(f"moved-note:{case.id}:{target.id}", channel=STAFF_CHANNEL, op="send",
                                   chat_id=old_chat, payload={"text": note, "thread_id": old_thread}, case_id=case.id)
        await repos.outbox.enqueue(f"moved-close:{case.id}:{target.id}", channel=STAFF_CHANNEL, op="close_topic",
                                   chat_id=old_chat, payload={"thread_id": old_thread}, case_id=case.id)
    await repos.outbox.enqueue(f"card:{case.id}:{target.id}", channel=STAFF_CHANNEL, op="card", chat_id=new_chat,
                               payload={"pin": case.crisis}, case_id=case.id, to_thread=True)
    user = await repos.session.get(User, case.user_id) if case.user_id else None
    if user is not None:
        with i18n.use_locale(case.language if case.language in i18n.available_locales else target.staff_language):
            text = _("Your case #{number} has been passed to {org}, who can help you better with this. Just keep "
                     "writing here.").format(number=case.id, org=html.escape(target.name))
        await repos.outbox.enqueue(f"moved-user:{case.id}:{target.id}", channel=user.channel, op="send",
                                   chat_id=user.chat_id, payload={"text": text}, case_id=case.id)
    return True
