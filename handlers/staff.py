"""The staff workspace in the staff supergroup: case buttons, replies and notes in case topics, /queue, /mine, /stats, /t.

Every action re-checks that the person is staff (allowlist or current member of the staff group); the
callback data names a case, and the case's state is re-read from the database on every press.
"""

from __future__ import annotations

import html
import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from db import Repos
from db.models import utcnow
from handlers import casework
from handlers.callbacks import StaffCB
from db.models import Case
from handlers.deps import AppInfo, Network, Organisation

log = logging.getLogger("lykta.staff")
router = Router(name="staff")
STAFF_STATUSES = {"creator", "administrator", "member", "restricted"}


class InStaffChat(Filter):
    """The event comes from one of the organisations' staff groups; hands that organisation to the handler."""

    async def __call__(self, event: Message | CallbackQuery, app: AppInfo) -> bool | dict:
        chat = event.chat if isinstance(event, Message) else (event.message.chat if event.message else None)
        if app.network is None or chat is None:
            return False
        org = app.network.by_chat(chat.id)
        return {"org": org} if org is not None else False


async def is_staff(bot: Bot, repos: Repos, org: Organisation, chat_id: int, user_id: int) -> bool:
    """Staff of `org`: its allowlist, plus current members of the group the action happens in (asked each time)."""
    member_row = await repos.staff.get(user_id)
    if member_row is not None and member_row.organisation in (org.id, "*"):
        return True
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramAPIError:
        return False
    return member.status in STAFF_STATUSES


async def is_staff_anywhere(bot: Bot, repos: Repos, network: Network | None, user_id: int) -> bool:
    """Staff of any organisation (for private chats): the allowlist, or a current member of one of its groups."""
    if await repos.staff.get(user_id) is not None:
        return True
    if network is None:
        return False
    for chat_id in sorted(network.chat_ids):
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramAPIError:
            continue
        if member.status in STAFF_STATUSES:
            return True
    return False


def belongs(case: Case | None, org: Organisation, app: AppInfo, chat_id: int) -> bool:
    """Staff of one organisation never act on another's case, whatever a button or command says."""
    return case is not None and app.network is not None and app.network.of_case(case).id == org.id \
        and case.staff_chat_id == chat_id


router.message.filter(InStaffChat())
router.callback_query.filter(InStaffChat())


async def refuse(event: Message | CallbackQuery, user_id: int | None) -> None:
    log.warning("staff action refused", extra={"user_id": user_id})
    if isinstance(event, CallbackQuery):
        await event.answer(_("Only staff can do this."), show_alert=True)


@router.callback_query(StaffCB.filter())
async def staff_button(query: CallbackQuery, callback_data: StaffCB, bot: Bot, repos: Repos, app: AppInfo,
                       i18n: I18n, org: Organisation) -> None:
    chat_id = query.message.chat.id
    if not await is_staff(bot, repos, org, chat_id, query.from_user.id):
        await refuse(query, query.from_user.id)
        return
    case = await repos.cases.get(callback_data.case)
    if not belongs(case, org, app, chat_id):
        await query.answer(_("This case does not exist."), show_alert=True)
        return
    name = query.from_user.first_name
    with i18n.use_locale(org.staff_language):
        action = callback_data.action
        if action == "claim":
            ok = await repos.cases.claim(case.id, query.from_user.id, name)
            answer = _("You are handling case #{number}.") if ok else _("Someone else has already claimed it.")
        elif action == "release":
            ok = await repos.cases.release(case.id, query.from_user.id)
            answer = _("Released.") if ok else _("Only the worker who claimed the case can release it.")
        elif action in ("urgent", "calm"):
            ok = await repos.cases.set_urgent(case.id, action == "urgent")
            answer = _("Marked urgent.") if action == "urgent" else _("No longer urgent.")
        elif action == "close":
            ok = await casework.close_case(repos, app, case, i18n, closed_by=name)
            answer = _("Case closed.") if ok else _("The case was already closed.")
        else:
            await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        if ok and action != "close":
            await repos.session.refresh(case)
            await casework.refresh_card(repos, case, action)
        await query.answer(answer.format(number=case.id))


def _is_case_topic(message: Message) -> bool:
    return bool(message.is_topic_message and message.message_thread_id)


@router.message(Command("queue"))
async def queue(message: Message, bot: Bot, repos: Repos, app: AppInfo, i18n: I18n, org: Organisation) -> None:
    if not message.from_user or not await is_staff(bot, repos, org, message.chat.id, message.from_user.id):
        return await refuse(message, message.from_user.id if message.from_user else None)
    cases = await repos.cases.queue(org.id)
    with i18n.use_locale(org.staff_language):
        if not cases:
            await message.reply(_("No open cases."))
            return
        now = utcnow()
        lines = [_("<b>Open cases</b> (unclaimed first):")]
        for case in cases:
            age = int((now - casework_aware(case.created_at)).total_seconds() // 60)
            who = html.escape(case.claimed_name) if case.claimed_name else _("unclaimed")
            lines.append(f"{'🔴 ' if case.urgent else ''}#{case.id} · {case.language} · {case.jurisdiction or '—'} · "
                         f"{who} · {age} min")
        await message.reply("\n".join(lines))


def casework_aware(value):  # noqa: ANN001, ANN201
    import datetime as dt

    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@router.message(Command("mine"))
async def mine(message: Message, bot: Bot, repos: Repos, app: AppInfo, i18n: I18n, org: Organisation) -> None:
    if not message.from_user or not await is_staff(bot, repos, org, message.chat.id, message.from_user.id):
        return await refuse(message, message.from_user.id if message.from_user else None)
    cases = [c for c in await repos.cases.mine(message.from_user.id) if c.organisation == org.id]
    with i18n.use_locale(org.staff_language):
        if not cases:
            await message.reply(_("You hold no open cases."))
            return
        await message.reply(_("Your cases:") + " " + ", ".join(f"#{c.id}" for c in cases))


@router.message(Command("stats"))
async def stats(message: Message, bot: Bot, repos: Repos, app: AppInfo, i18n: I18n, org: Organisation) -> None:
    if not message.from_user or not await is_staff(bot, repos, org, message.chat.id, message.from_user.id):
        return await refuse(message, message.from_user.id if message.from_user else None)
    s = await repos.cases.stats(utcnow(), org.id)
    with i18n.use_locale(org.staff_language):
        median = f"{s.median_first_reply_minutes:.0f} min" if s.median_first_reply_minutes is not None else "—"
        by_lang = ", ".join(f"{k}: {v}" for k, v in sorted(s.open_by_language.items())) or "—"
        await message.reply(_("Open: {open} · being handled: {claimed} · closed in 7 days: {closed}\n"
                              "Median time to first reply (7 days): {median}\nOpen by language: {langs}")
                            .format(open=s.open, claimed=s.claimed, closed=s.closed_this_week, median=median,
                                    langs=by_lang))


@router.message(Command("t"), F.func(_is_case_topic))
async def template(message: Message, command: CommandObject, bot: Bot, repos: Repos, app: AppInfo,
                   event_update: Update, i18n: I18n, org: Organisation) -> None:
    if not message.from_user or not await is_staff(bot, repos, org, message.chat.id, message.from_user.id):
        return await refuse(message, message.from_user.id if message.from_user else None)
    case = await repos.cases.by_thread(message.chat.id, message.message_thread_id or 0)
    name = (command.args or "").strip()
    with i18n.use_locale(org.staff_language):
        if not belongs(case, org, app, message.chat.id):
            return
        texts = org.templates.get(name)
        if not texts:
            names = ", ".join(sorted(org.templates)) or "—"
            await message.reply(_("No template {name!r}. Templates: {names}").format(name=html.escape(name),
                                                                                    names=html.escape(names)))
            return
        text = texts.get(case.language) or texts.get("en") or next(iter(texts.values()))
        result = await casework.relay_from_staff(repos, app, case, message, event_update.update_id,
                                                 text_override=html.escape(text))
        if result == "closed":
            await message.reply(_("This case is closed: nothing was sent."))


@router.message(Command("transfer"), F.func(_is_case_topic))
async def transfer(message: Message, command: CommandObject, bot: Bot, repos: Repos, app: AppInfo, i18n: I18n,
                   org: Organisation) -> None:
    """/transfer ORG: hand this case to another organisation of the network."""
    if not message.from_user or not await is_staff(bot, repos, org, message.chat.id, message.from_user.id):
        return await refuse(message, message.from_user.id if message.from_user else None)
    case = await repos.cases.by_thread(message.chat.id, message.message_thread_id or 0)
    if not belongs(case, org, app, message.chat.id):
        return
    assert app.network is not None
    target = app.network.by_id((command.args or "").strip())
    with i18n.use_locale(org.staff_language):
        if target is None or target.id == org.id:
            names = ", ".join(o.id for o in app.network.organisations if o.id != org.id) or "—"
            await message.reply(_("Write /transfer followed by one of: {names}").format(names=html.escape(names)))
            return
        if not await casework.transfer_case(repos, app, case, target, i18n, message.from_user.first_name):
            await message.reply(_("This case is closed: it cannot be transferred."))


@router.message(F.func(_is_case_topic))
async def staff_writes_in_case(message: Message, bot: Bot, repos: Repos, app: AppInfo, event_update: Update,
                               i18n: I18n, org: Organisation) -> None:
    """A message in a case topic goes to the user, unless it is an internal note (starts with //)."""
    if message.from_user is None or message.from_user.is_bot:
        return
    case = await repos.cases.by_thread(message.chat.id, message.message_thread_id or 0)
    if not belongs(case, org, app, message.chat.id) or message.forum_topic_created or message.forum_topic_closed \
            or message.forum_topic_reopened:
        return
    if not await is_staff(bot, repos, org, message.chat.id, message.from_user.id):
        return await refuse(message, message.from_user.id)
    if (message.text or message.caption or "").startswith("//"):
        await repos.case_messages.record(case.id, "note", "telegram", event_update.update_id, message.chat.id,
                                         message.message_id, "note", message.from_user.id)
        return
    result = await casework.relay_from_staff(repos, app, case, message, event_update.update_id)
    with i18n.use_locale(org.staff_language):
        if result == "closed":
            await message.reply(_("This case is closed: the message was not sent."))
        elif result == "gone":
            await message.reply(_("The person has erased their data: the message cannot be delivered."))


@router.message()
async def elsewhere_in_staff_chat(message: Message) -> None:
    """Talk in the staff group outside case topics is not for the bot."""
