"""/start, /language, /country, /privacy, /help: choose a language and a country, accept the privacy notice.

Until the notice is accepted, the choices live only in the conversation state (memory or Redis),
and the database holds nothing but the chat id.

`/start ru_FI` (a deep link: t.me/<bot>?start=ru_FI, or the web widget's data-lang/data-country) presets
the language and/or the country, and the questions already answered are skipped; the privacy notice is
always shown.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db import Repos, User
from handlers.callbacks import CountryCB, LangCB, PrivacyCB
from handlers.deps import COUNTRIES, LANGUAGE_NAMES, AppInfo
from handlers.texts import BUTTON_STALE, country_name, help_text, privacy_notice

router = Router(name="onboarding")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


class Onboarding(StatesGroup):
    language = State()
    country = State()
    privacy = State()


def language_keyboard(app: AppInfo) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in app.languages:
        builder.button(text=LANGUAGE_NAMES.get(code, code), callback_data=LangCB(code=code))
    builder.adjust(2)
    return builder.as_markup()


def country_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in COUNTRIES:
        builder.button(text=country_name(code), callback_data=CountryCB(code=code))
    builder.adjust(2)
    return builder.as_markup()


def privacy_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ I agree"), callback_data=PrivacyCB(action="accept"))
    builder.button(text=_("✅ I agree, and you may keep my unanswered questions to improve the answers"),
                   callback_data=PrivacyCB(action="share"))
    builder.button(text=_("✖ No, thank you"), callback_data=PrivacyCB(action="decline"))
    builder.adjust(1)
    return builder.as_markup()


def _choose_language_text() -> str:
    # Shown before a language is known: one line in each core language.
    return ("Choose your language · Выберите язык · Valitse kieli · Välj språk · Velg språk · Vælg sprog")


def start_presets(args: str | None, app: AppInfo) -> tuple[str | None, str | None]:
    """The language and country a deep-link payload names (`ru`, `FI`, `ru_FI`, `ru_RU-KR`); unknown parts ignored."""
    lang = country = None
    for part in (args or "").strip().split("_")[:2]:
        if part.lower() in app.languages and lang is None:
            lang = part.lower()
        elif part.upper() in COUNTRIES and country is None:
            country = part.upper()
    return lang, country


@router.message(CommandStart())
async def start(message: Message, command: CommandObject, state: FSMContext, user: User, app: AppInfo,
                i18n: I18n) -> None:
    if user.consent_at and user.language:
        await state.clear()
        await message.answer(_("Welcome back.") + "\n\n" + help_text())
        return
    lang, country = start_presets(command.args, app)
    if country:
        await state.update_data(country=country)
    if lang is None:
        await state.set_state(Onboarding.language)
        await message.answer(_choose_language_text(), reply_markup=language_keyboard(app))
        return
    await state.update_data(lang=lang)
    with i18n.use_locale(lang):
        if country is None:
            await state.set_state(Onboarding.country)
            await message.answer(_("Which country is your question about?"), reply_markup=country_keyboard())
        else:
            await state.set_state(Onboarding.privacy)
            await message.answer(privacy_notice(), reply_markup=privacy_keyboard())


@router.message(Command("language"))
async def ask_language(message: Message, app: AppInfo) -> None:
    await message.answer(_choose_language_text(), reply_markup=language_keyboard(app))


@router.message(Command("country"))
async def ask_country(message: Message) -> None:
    await message.answer(_("Which country is your question about?"), reply_markup=country_keyboard())


@router.message(Command("help"))
async def show_help(message: Message) -> None:
    await message.answer(help_text())


@router.message(Command("privacy"))
async def show_privacy(message: Message, user: User) -> None:
    if user.consent_at:
        accepted = _("You accepted this notice on {date}.").format(date=user.consent_at.date().isoformat())
        await message.answer(privacy_notice() + "\n\n" + accepted)
    else:
        await message.answer(privacy_notice(), reply_markup=privacy_keyboard())


@router.callback_query(LangCB.filter())
async def chose_language(query: CallbackQuery, callback_data: LangCB, state: FSMContext, user: User, repos: Repos,
                         app: AppInfo, i18n: I18n) -> None:
    if callback_data.code not in app.languages:
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    code = callback_data.code
    await state.update_data(lang=code)
    if user.consent_at:
        await repos.users.set_language(user, code)
    with i18n.use_locale(code):
        await query.answer(LANGUAGE_NAMES[code])
        if query.message is not None:
            await query.message.edit_reply_markup(reply_markup=None)
        if await state.get_state() == Onboarding.language.state and (await state.get_data()).get("country"):
            await state.set_state(Onboarding.privacy)  # the country came with /start (a deep link)
            await query.message.answer(privacy_notice(), reply_markup=privacy_keyboard())
        elif await state.get_state() == Onboarding.language.state:
            await state.set_state(Onboarding.country)
            await query.message.answer(_("Which country is your question about?"), reply_markup=country_keyboard())
        else:
            await query.message.answer(_("Language changed to {name}.").format(name=LANGUAGE_NAMES[code]))


@router.callback_query(CountryCB.filter())
async def chose_country(query: CallbackQuery, callback_data: CountryCB, state: FSMContext, user: User,
                        repos: Repos) -> None:
    if callback_data.code not in COUNTRIES:
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    code = callback_data.code
    await state.update_data(country=code)
    if user.consent_at:
        await repos.users.set_jurisdiction(user, code)
    await query.answer(country_name(code))
    if query.message is not None:
        await query.message.edit_reply_markup(reply_markup=None)
    if await state.get_state() == Onboarding.country.state or not user.consent_at:
        await state.set_state(Onboarding.privacy)
        await query.message.answer(privacy_notice(), reply_markup=privacy_keyboard())
    else:
        await query.message.answer(_("Country changed to {name}.").format(name=country_name(code)))


@router.callback_query(PrivacyCB.filter())
async def privacy_choice(query: CallbackQuery, callback_data: PrivacyCB, state: FSMContext, user: User,
                         repos: Repos, app: AppInfo, channel: str) -> None:
    if callback_data.action not in {"accept", "share", "decline"}:
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    await query.answer()
    if query.message is not None:
        await query.message.edit_reply_markup(reply_markup=None)
    data = await state.get_data()
    if callback_data.action == "decline":
        await state.set_state(None)
        await query.message.answer(_(
            "All right: nothing about you is stored. You can still read the answers with /topics or ask a "
            "question. To talk to a person at an organisation you will need to accept the notice: /privacy."))
        return
    await repos.users.accept_privacy(user, share_unanswered=callback_data.action == "share")
    if data.get("lang"):
        await repos.users.set_language(user, data["lang"])
    if data.get("country"):
        await repos.users.set_jurisdiction(user, data["country"])
    await state.set_state(None)
    if data.get("pending_case"):
        from handlers.case import start_case

        await state.update_data(pending_case=False)
        await repos.session.flush()
        await start_case(query.message, state, user, repos, app, channel, data.get("case_topic"))
        return
    await query.message.answer(_("Thank you. How can I help?") + "\n\n" + help_text())
