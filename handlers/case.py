"""The user's side of a case: ask for a person, confirm what is shared, talk through the case, close it."""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.filters import Command, Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db import Repos, User
from db.models import Case
from db.repositories.cases import CaseAlreadyOpen
from handlers import casework
from handlers.callbacks import CaseFeedbackCB, CaseOpenCB, CaseUserCB, HumanCB
from handlers.deps import LANGUAGE_NAMES, AppInfo
from handlers.prefs import user_prefs
from handlers.render.answer import render_topic
from handlers.texts import BUTTON_STALE, country_name

router = Router(name="case")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


class CaseFlow(StatesGroup):
    confirm = State()
    describe = State()


class HasOpenCase(Filter):
    """Passes when the user has an open case; hands the case to the handler."""

    async def __call__(self, message: Message, repos: Repos, user: User | None = None) -> bool | dict:
        if user is None:
            return False
        case = await repos.cases.open_for_user(user.id)
        return {"case": case} if case is not None else False


def consent_keyboard(share_name: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Open the case"), callback_data=CaseOpenCB(action="open"))
    builder.button(text=_("✏️ Add a description"), callback_data=CaseOpenCB(action="describe"))
    if share_name:
        builder.button(text=_("☑ Share my Telegram name (on)"), callback_data=CaseOpenCB(action="noshare"))
    else:
        builder.button(text=_("☐ Also share my Telegram name"), callback_data=CaseOpenCB(action="share"))
    builder.button(text=_("✖ Cancel"), callback_data=CaseOpenCB(action="cancel"))
    builder.adjust(1)
    return builder.as_markup()


def consent_text(app: AppInfo, user: User, data: dict, lang: str, jurisdiction: str | None, channel: str) -> str:
    recent = data.get("recent") or []
    topic = data.get("case_topic")
    lines = [_("<b>Talk to a person</b>"),
             _("A worker of {org} will see:").format(org=html.escape(app.network.route(jurisdiction, lang)[0].name)),
             "• " + _("a pseudonym instead of your name"),
             "• " + _("your language ({language}) and country ({country})").format(
                 language=LANGUAGE_NAMES.get(lang, lang),
                 country=country_name(jurisdiction) if jurisdiction else "—")]
    if topic in app.kb.topics:
        lines.append("• " + _("the subject: {title}").format(title=html.escape(app.kb.title(topic, lang))))
    if recent:
        lines.append("• " + _("your last messages here:"))
        lines.append("<blockquote>" + "\n".join(html.escape(r) for r in recent) + "</blockquote>")
    if data.get("case_description"):
        lines.append("• " + _("your description:"))
        lines.append("<blockquote>" + html.escape(data["case_description"]) + "</blockquote>")
    if channel == casework.STAFF_CHANNEL:
        lines.append("• " + (_("your Telegram name") if data.get("share_name") else
                             _("not your Telegram name, unless you tick the box below")))
    lines.append("")
    lines.append(_("Nothing else is shared. You can close the case at any time with /case."))
    return "\n".join(lines)


async def start_case(message: Message, state: FSMContext, user: User, repos: Repos, app: AppInfo,
                     channel: str, topic: str | None) -> None:
    """Entry for every way of asking for a person: button, /case, handoff, refer-topic offer."""
    lang, jurisdiction = await user_prefs(user, state, app)
    lang = lang or app.default_language
    if app.network is None:
        await message.answer(html.escape(_("Talking to a person through this chat is not available yet. The "
                                           "organisations below can help.")))
        if "ngo.contacts" in app.kb.topics:
            await message.answer(render_topic(app.kb, "ngo.contacts", lang, jurisdiction))
        return
    case = await repos.cases.open_for_user(user.id)
    if case is not None:
        await message.answer(_("Your case #{number} is already open: just write here and a worker will see it.")
                             .format(number=case.id))
        return
    await state.update_data(case_topic=topic, share_name=False, case_description=None)
    if not user.consent_at:
        await state.update_data(pending_case=True)
        from handlers.onboarding import privacy_keyboard
        from handlers.texts import privacy_notice

        await message.answer(privacy_notice() + "\n\n" + _("To talk to a person, please accept this notice first."),
                             reply_markup=privacy_keyboard())
        return
    await state.set_state(CaseFlow.confirm)
    data = await state.get_data()
    await message.answer(consent_text(app, user, data, lang, jurisdiction, channel),
                         reply_markup=consent_keyboard(False))


@router.callback_query(HumanCB.filter())
async def human_button(query: CallbackQuery, callback_data: HumanCB, state: FSMContext, user: User, repos: Repos,
                       app: AppInfo, channel: str) -> None:
    topic = callback_data.id if callback_data.id in app.kb.topics else None
    await query.answer()
    await start_case(query.message, state, user, repos, app, channel, topic)


@router.message(Command("case"))
async def case_command(message: Message, state: FSMContext, user: User, repos: Repos, app: AppInfo,
                       channel: str) -> None:
    case = await repos.cases.open_for_user(user.id)
    if case is None:
        await start_case(message, state, user, repos, app, channel, None)
        return
    status = _("waiting for a worker") if case.status == "open" else _("a worker is handling it")
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Close the case"), callback_data=CaseUserCB(action="close", case=case.id))
    await message.answer(_("Case #{number}: {status}. Write here to add to it.").format(number=case.id, status=status),
                         reply_markup=builder.as_markup())


@router.callback_query(CaseOpenCB.filter(), CaseFlow.confirm)
async def confirm_case(query: CallbackQuery, callback_data: CaseOpenCB, state: FSMContext, user: User,
                       repos: Repos, app: AppInfo, channel: str) -> None:
    data = await state.get_data()
    lang, jurisdiction = await user_prefs(user, state, app)
    lang = lang or app.default_language
    action = callback_data.action
    if action in ("share", "noshare"):
        await state.update_data(share_name=action == "share")
        data = await state.get_data()
        await query.answer()
        await query.message.edit_text(consent_text(app, user, data, lang, jurisdiction, channel),
                                      reply_markup=consent_keyboard(action == "share"))
        return
    if action == "describe":
        await state.set_state(CaseFlow.describe)
        await query.answer()
        await query.message.answer(_("Write your description in one message."))
        return
    if action == "cancel":
        await state.set_state(None)
        await query.answer()
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(_("All right, no case was opened."))
        return
    if action != "open":
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    summary = "\n".join([*(data.get("recent") or []),
                         *([_("Description:") + " " + data["case_description"]] if data.get("case_description") else [])])
    shared = None
    if data.get("share_name") and channel == casework.STAFF_CHANNEL and query.from_user:
        shared = " ".join(p for p in (query.from_user.first_name, query.from_user.last_name) if p)
        if query.from_user.username:
            shared += f" (@{query.from_user.username})"
    try:
        case = await casework.open_case(repos, app, user, language=lang, jurisdiction=jurisdiction,
                                        topic=data.get("case_topic"), summary=summary or None, shared_name=shared)
    except CaseAlreadyOpen:
        await query.answer()
        await query.message.answer(_("You already have an open case: just write here."))
        return
    await state.set_state(None)
    await state.update_data(recent=[], case_description=None)
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(_("Your case number is <b>#{number}</b>.").format(number=case.id) + " "
                               + casework.expectation_text(app.network.of_case(case)) + "\n\n"
                               + _("Write here whatever you want the worker to know. /case shows the status."))


@router.message(CaseFlow.describe, F.text & ~F.text.startswith("/"))
async def case_description(message: Message, state: FSMContext, user: User, app: AppInfo, channel: str) -> None:
    await state.update_data(case_description=(message.text or "")[:1500])
    await state.set_state(CaseFlow.confirm)
    data = await state.get_data()
    lang, jurisdiction = await user_prefs(user, state, app)
    await message.answer(consent_text(app, user, data, lang or app.default_language, jurisdiction, channel),
                         reply_markup=consent_keyboard(bool(data.get("share_name"))))


@router.callback_query(CaseUserCB.filter(F.action == "close"))
async def user_closes(query: CallbackQuery, callback_data: CaseUserCB, user: User, repos: Repos, app: AppInfo,
                      i18n: I18n) -> None:
    case = await repos.cases.get(callback_data.case)
    if case is None or case.user_id != user.id or case.status == "closed" or app.network is None:
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    await casework.close_case(repos, app, case, i18n, closed_by=_("the person"))
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)


@router.callback_query(CaseFeedbackCB.filter())
async def case_feedback(query: CallbackQuery, callback_data: CaseFeedbackCB, user: User, repos: Repos) -> None:
    if callback_data.answer not in ("yes", "partly", "no") or not await repos.cases.set_feedback(
            callback_data.case, user.id, callback_data.answer):
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    await query.answer(_("Thank you for telling us."))
    await query.message.edit_reply_markup(reply_markup=None)


@router.message(HasOpenCase(), ~F.text.startswith("/"))
async def relay_to_case(message: Message, case: Case, repos: Repos, app: AppInfo, channel: str, event_update: Update,
                        state: FSMContext, user: User) -> None:
    """While a case is open, everything the user writes goes to it (crisis words still get help at once)."""
    if message.text:
        _lang, jurisdiction = await user_prefs(user, state, app)
        decision = app.matcher.match(message.text, lang=case.language, jurisdiction=jurisdiction)
        if str(decision.action) == "crisis":
            from handlers.questions import emergency_text

            await message.answer(emergency_text(app, jurisdiction))
            if not case.urgent and await repos.cases.set_urgent(case.id, True):
                await casework.refresh_card(repos, case, "urgent")
    await casework.relay_from_user(repos, app, case, message, channel, event_update.update_id)
