"""/help_near_me: where, what kind of help, in which language — then the organisations, best matches first.

Each button carries the choices made so far (handlers/callbacks.py: NearPlaceCB, NearNeedCB, NearLangCB),
so the dialogue keeps no state and any earlier button still works. Values are checked on every press;
forged or outdated data gets the polite "button no longer valid". The ranking is knowledge.directory.search.
"""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db import User
from handlers.callbacks import HumanCB, NearLangCB, NearNeedCB, NearPlaceCB, NearStartCB
from handlers.deps import AppInfo
from handlers.prefs import user_prefs
from handlers.render.directory import language_name, org_card, pack, service_name
from handlers.texts import BUTTON_STALE, country_name
from knowledge.directory import DIRECTORY_LANGUAGES, Directory, Service, search
from knowledge.schema import JURISDICTIONS

router = Router(name="directory")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

ANY = "any"
MAX_RESULTS = 10


def _directory(app: AppInfo) -> Directory:
    return app.directory if app.directory is not None else Directory(())


def place_keyboard(directory: Directory, default: str | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    codes = [j for j in JURISDICTIONS if directory.in_jurisdiction(j)]
    if default in codes:
        codes.remove(default)
        codes.insert(0, default)
    for code in codes:
        mark = "📍 " if code == default else ""
        builder.button(text=mark + country_name(code), callback_data=NearPlaceCB(j=code))
    builder.adjust(1 if default in codes else 2, 2)
    return builder.as_markup()


def need_keyboard(directory: Directory, j: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for service in directory.services_in(j):
        builder.button(text=service_name(service), callback_data=NearNeedCB(j=j, need=service.value))
    builder.button(text=_("Any kind of help"), callback_data=NearNeedCB(j=j, need=ANY))
    builder.adjust(2)
    return builder.as_markup()


def language_keyboard(directory: Directory, j: str, need: str, default: str | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    spoken = directory.languages_in(j, None if need == ANY else need)
    codes = ([default] if default else []) + [code for code in spoken if code != default]
    for code in codes:
        mark = "✓ " if code == default else ""
        builder.button(text=mark + language_name(code), callback_data=NearLangCB(j=j, need=need, lang=code))
    builder.button(text=_("Any language"), callback_data=NearLangCB(j=j, need=need, lang=ANY))
    builder.adjust(2)
    return builder.as_markup()


def results_keyboard(j: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Another kind of help"), callback_data=NearPlaceCB(j=j))
    builder.button(text=_("Another country"), callback_data=NearStartCB())
    builder.button(text=_("🙋 Talk to a person"), callback_data=HumanCB(id="ngo.contacts"))
    builder.adjust(2, 1)
    return builder.as_markup()


async def ask_place(message: Message, state: FSMContext, user: User, app: AppInfo) -> None:
    _lang, jurisdiction = await user_prefs(user, state, app)
    await message.answer(_("<b>Organisations that can help</b>\n\nWhere do you need help?"),
                         reply_markup=place_keyboard(_directory(app), jurisdiction))


@router.message(Command("help_near_me"))
async def help_near_me(message: Message, state: FSMContext, user: User, app: AppInfo) -> None:
    await ask_place(message, state, user, app)


@router.callback_query(NearStartCB.filter())
async def start_from_button(query: CallbackQuery, state: FSMContext, user: User, app: AppInfo) -> None:
    await query.answer()
    await ask_place(query.message, state, user, app)


def _valid(directory: Directory, j: str, need: str | None = None, lang: str | None = None) -> bool:
    """Callback data is forgeable: every value must be one the dialogue could have offered."""
    if j not in JURISDICTIONS or not directory.in_jurisdiction(j):
        return False
    if need is not None and need != ANY and need not in Service.__members__:
        return False
    return lang is None or lang == ANY or lang in DIRECTORY_LANGUAGES


@router.callback_query(NearPlaceCB.filter())
async def chose_place(query: CallbackQuery, callback_data: NearPlaceCB, app: AppInfo) -> None:
    directory = _directory(app)
    if not _valid(directory, callback_data.j):
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    await query.answer(country_name(callback_data.j))
    await query.message.answer(_("What kind of help are you looking for in {country}?")
                               .format(country=html.escape(country_name(callback_data.j))),
                               reply_markup=need_keyboard(directory, callback_data.j))


@router.callback_query(NearNeedCB.filter())
async def chose_need(query: CallbackQuery, callback_data: NearNeedCB, state: FSMContext, user: User,
                     app: AppInfo) -> None:
    directory = _directory(app)
    if not _valid(directory, callback_data.j, callback_data.need):
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    lang, _j = await user_prefs(user, state, app)
    await query.answer()
    await query.message.answer(_("In which language would you like help?"),
                               reply_markup=language_keyboard(directory, callback_data.j, callback_data.need,
                                                              lang or app.default_language))


@router.callback_query(NearLangCB.filter())
async def show_results(query: CallbackQuery, callback_data: NearLangCB, state: FSMContext, user: User,
                       app: AppInfo) -> None:
    directory = _directory(app)
    j, need, wanted = callback_data.j, callback_data.need, callback_data.lang
    if not _valid(directory, j, need, wanted):
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    await query.answer()
    ui_lang, _j = await user_prefs(user, state, app)
    ui_lang = ui_lang or app.default_language
    found = search(directory, j, need=None if need == ANY else need, language=None if wanted == ANY else wanted)
    if not found:
        await query.message.answer(_("No organisation in the directory offers this in {country} yet. "
                                     "A worker of an organisation may still be able to help.")
                                   .format(country=html.escape(country_name(j))), reply_markup=results_keyboard(j))
        return
    what = _("any kind of help") if need == ANY else service_name(need)
    header = "<b>" + html.escape(_("{what} — {country}").format(what=what[:1].upper() + what[1:],
                                                               country=country_name(j))) + "</b>"
    if wanted != ANY:
        header += "\n" + html.escape(_("Best matches first; those that help in {language} come first.")
                                     .format(language=language_name(wanted)))
        if not any(wanted in o.languages for o in found):
            header += "\n" + html.escape(_("None of them lists {language} among the languages it helps in.")
                                         .format(language=language_name(wanted)))
    shown = found[:MAX_RESULTS]
    blocks = [org_card(org, ui_lang, n) for n, org in enumerate(shown, 1)]
    if len(found) > len(shown):
        blocks.append("<i>" + html.escape(_("…and {count} more. Choose a kind of help to narrow the list.")
                                          .format(count=len(found) - len(shown))) + "</i>")
    messages = pack(header, blocks)
    for n, text in enumerate(messages):
        last = n == len(messages) - 1
        await query.message.answer(text, reply_markup=results_keyboard(j) if last else None)
