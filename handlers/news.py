"""/news and /stop_news: opt-in news per language and country; nobody receives news without asking for it."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db import Repos, User
from handlers.callbacks import NewsCB
from handlers.deps import COUNTRIES, AppInfo
from handlers.prefs import user_prefs
from handlers.texts import BUTTON_STALE, country_name

router = Router(name="news")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")
NEWS_COUNTRIES = tuple(c for c in COUNTRIES if c != "OTHER")


def stop_keyboard() -> InlineKeyboardMarkup:
    """The one-tap unsubscribe button every news message carries."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🔕 Stop the news"), callback_data=NewsCB(action="stop"))
    return builder.as_markup()


@router.message(Command("news"))
async def news(message: Message, user: User, repos: Repos, state: FSMContext, app: AppInfo) -> None:
    if user.consent_at is None:
        await message.answer(_("To receive news, first accept the privacy notice: /privacy"))
        return
    current = await repos.news.get(user.id)
    _lang, country = await user_prefs(user, state, app)
    order = sorted(NEWS_COUNTRIES, key=lambda c: c != country)
    builder = InlineKeyboardBuilder()
    for code in order:
        builder.button(text=country_name(code), callback_data=NewsCB(action="sub", country=code))
    if current is not None:
        builder.button(text=_("🔕 Stop the news"), callback_data=NewsCB(action="stop"))
    builder.adjust(2)
    text = _("Short news from the organisations, now and then, in your language. Which country's news?")
    if current is not None:
        text = _("You receive news about {country}. Choose another country, or stop the news.").format(
            country=country_name(current.country))
    await message.answer(text, reply_markup=builder.as_markup())


@router.message(Command("stop_news"))
async def stop_news(message: Message, user: User, repos: Repos) -> None:
    stopped = await repos.news.unsubscribe(user.id)
    await message.answer(_("You will no longer receive news.") if stopped else _("You are not subscribed to news."))


@router.callback_query(NewsCB.filter())
async def news_button(query: CallbackQuery, callback_data: NewsCB, user: User, repos: Repos, state: FSMContext,
                      app: AppInfo) -> None:
    if callback_data.action == "stop":
        await repos.news.unsubscribe(user.id)
        await query.answer(_("You will no longer receive news."), show_alert=True)
        return
    if callback_data.action != "sub" or callback_data.country not in NEWS_COUNTRIES or user.consent_at is None:
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    lang, _j = await user_prefs(user, state, app)
    lang = lang or app.default_language
    await repos.news.subscribe(user.id, lang, callback_data.country)
    await query.answer()
    await query.message.answer(_("Subscribed: news about {country}. Stop at any time with /stop_news or the "
                                 "button under each news message.").format(country=country_name(callback_data.country)),
                               reply_markup=stop_keyboard())
