"""/mydata shows everything stored about the user; /forget erases it after a confirmation."""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from db import Repos, User
from db.erase import erase_user
from handlers import casework
from handlers.callbacks import ForgetCB
from handlers.deps import LANGUAGE_NAMES, AppInfo
from handlers.texts import BUTTON_STALE, country_name

router = Router(name="privacy")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


@router.message(Command("mydata"))
async def my_data(message: Message, user: User, repos: Repos, channel: str) -> None:
    def fmt(value: object) -> str:
        return "—" if value in (None, "") else html.escape(str(value))

    lines = [_("<b>What Lykta stores about you</b>"),
             _("Channel and chat number: {channel} {chat}").format(channel=channel, chat=user.chat_id),
             _("Language: {value}").format(value=fmt(LANGUAGE_NAMES.get(user.language or "", user.language))),
             _("Country: {value}").format(value=fmt(country_name(user.jurisdiction) if user.jurisdiction else None)),
             _("Privacy notice accepted: {value}").format(
                 value=fmt(user.consent_at.strftime("%Y-%m-%d %H:%M") if user.consent_at else None)),
             _("Unanswered questions may be kept: {value}").format(value=_("yes") if user.share_unanswered else _("no")),
             _("Pseudonym shown to staff: {value}").format(value=fmt(user.pseudonym)),
             _("First seen: {value}").format(value=user.created_at.strftime("%Y-%m-%d"))]
    cases = await repos.cases.of_user(user.id)
    for case in cases:
        count = len(await repos.case_messages.for_case(case.id))
        lines.append(_("Case #{number}: {status}, opened {date}, {count} messages relayed").format(
            number=case.id, status=case.status, date=case.created_at.strftime("%Y-%m-%d"), count=count))
    texts = await repos.stats.kept_texts(user.id)
    if texts:
        lines.append(_("Questions kept to improve the answers:"))
        lines += [f"• {html.escape(t.text[:200])}" for t in texts]
    lines.append("")
    lines.append(_("Messages of a case are kept until the case is closed and the retention period has passed. "
                   "/forget erases everything now."))
    await message.answer("\n".join(lines))


@router.message(Command("forget"))
async def forget(message: Message) -> None:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, erase everything"), callback_data=ForgetCB(action="yes"))
    builder.button(text=_("No, keep it"), callback_data=ForgetCB(action="no"))
    builder.adjust(1)
    await message.answer(_("Erase everything Lykta stores about you, including open cases and their messages? "
                           "This cannot be undone."), reply_markup=builder.as_markup())


@router.callback_query(ForgetCB.filter())
async def forget_confirmed(query: CallbackQuery, callback_data: ForgetCB, state: FSMContext, user: User,
                           repos: Repos, app: AppInfo, i18n: I18n) -> None:
    if callback_data.action not in ("yes", "no"):
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    if callback_data.action == "no":
        await query.message.answer(_("Nothing was erased."))
        return
    open_case = await repos.cases.open_for_user(user.id)
    if open_case is not None:
        await repos.cases.close(open_case.id)
    case_ids = await erase_user(repos.session, user)
    if app.network is not None:
        for case_id in case_ids:
            case = await repos.cases.get(case_id)
            if case is not None:
                with i18n.use_locale(app.network.of_case(case).staff_language):
                    notice = _("The person has erased their data. This case is closed; nothing more can be sent.")
                await repos.outbox.enqueue(f"erased:{case_id}", channel=casework.STAFF_CHANNEL, op="send",
                                           chat_id=case.staff_chat_id, payload={"text": notice}, case_id=case_id,
                                           to_thread=True)
                await repos.outbox.enqueue(f"card-edit:{case_id}:erased", channel=casework.STAFF_CHANNEL,
                                           op="edit_card", chat_id=case.staff_chat_id, payload={}, case_id=case_id,
                                           to_thread=True)
    await state.clear()
    await query.message.answer(_("Everything we stored about you has been erased. If you write again, you will "
                                 "start as a new user."))
