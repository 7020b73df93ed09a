"""/materials: browse the network's publications by audience and language (staff-only ones for staff only)."""

from __future__ import annotations

import html
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, FSInputFile, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db import Repos, User
from handlers.callbacks import MaterialFileCB, MaterialsCB
from handlers.deps import LANGUAGE_NAMES, AppInfo
from handlers.guide import staff_language
from handlers.texts import BUTTON_STALE, country_name
from knowledge.materials import Audience, Material

router = Router(name="materials")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")
MAX_LISTED = 10


def audience_name(audience: str) -> str:
    names = {"families": _("For families"), "ex_prisoners": _("For ex-prisoners"), "staff": _("For staff")}
    return names.get(audience, audience)


def audience_keyboard(staff: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for aud in Audience:
        if aud is Audience.staff and not staff:
            continue
        builder.button(text=audience_name(aud.value), callback_data=MaterialsCB(aud=aud.value))
    builder.adjust(1)
    return builder.as_markup()


def render_material(m: Material) -> str:
    langs = ", ".join(LANGUAGE_NAMES.get(code, code) for code in m.languages)
    where = ", ".join(country_name(j) for j in m.jurisdictions)
    lines = [f"<b>{html.escape(m.title)}</b>", html.escape(m.summary),
             f"<i>{m.date.isoformat()} · {html.escape(langs)}{' · ' + html.escape(where) if where else ''}</i>"]
    if m.url is not None:
        lines.append(f'<a href="{html.escape(str(m.url), quote=True)}">{html.escape(str(m.url))}</a>')
    return "\n".join(lines)


async def _is_staff(event_chat, user_id: int, bot: Bot, repos: Repos, app: AppInfo, user: User | None,
                    state: FSMContext | None) -> bool:
    return await staff_language(event_chat, user_id, bot, repos, app, user, state) is not None


@router.message(Command("materials"))
async def materials(message: Message, bot: Bot, repos: Repos, app: AppInfo, user: User,
                    state: FSMContext) -> None:
    if app.materials is None or not len(app.materials):
        await message.answer(_("There are no materials yet."))
        return
    staff = bool(message.from_user) and await _is_staff(message.chat, message.from_user.id, bot, repos, app, user,
                                                        state)
    await message.answer(_("Publications of the network. Who are they for?"), reply_markup=audience_keyboard(staff))


@router.callback_query(MaterialsCB.filter())
async def browse(query: CallbackQuery, callback_data: MaterialsCB, bot: Bot, repos: Repos, app: AppInfo,
                 user: User, state: FSMContext) -> None:
    aud = callback_data.aud
    if app.materials is None or aud not in {a.value for a in Audience}:
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    if aud == Audience.staff and not await _is_staff(query.message.chat, query.from_user.id, bot, repos, app, user,
                                                     state):
        await query.answer(_("Only staff can do this."), show_alert=True)
        return
    await query.answer()
    langs = app.materials.languages(aud)
    if not callback_data.lang and len(langs) > 1:
        builder = InlineKeyboardBuilder()
        for code in langs:
            builder.button(text=LANGUAGE_NAMES.get(code, code), callback_data=MaterialsCB(aud=aud, lang=code))
        builder.button(text=_("Any language"), callback_data=MaterialsCB(aud=aud, lang="any"))
        builder.adjust(2)
        await query.message.answer(_("In which language?"), reply_markup=builder.as_markup())
        return
    lang = None if callback_data.lang in ("", "any") else callback_data.lang
    found = app.materials.browse(aud, lang)
    if not found:
        await query.message.answer(_("Nothing here yet."))
        return
    for m in found[:MAX_LISTED]:
        markup = None
        if m.file is not None:
            builder = InlineKeyboardBuilder()
            builder.button(text=_("📄 Send me the file"), callback_data=MaterialFileCB(id=m.id))
            markup = builder.as_markup()
        await query.message.answer(render_material(m), reply_markup=markup)


@router.callback_query(MaterialFileCB.filter())
async def send_file(query: CallbackQuery, callback_data: MaterialFileCB, bot: Bot, repos: Repos, app: AppInfo,
                    user: User, state: FSMContext) -> None:
    m = app.materials.get(callback_data.id) if app.materials is not None else None
    if m is None or m.file is None or not Path(m.file).is_file():
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    if Audience.staff in m.audience and len(m.audience) == 1 and not await _is_staff(
            query.message.chat, query.from_user.id, bot, repos, app, user, state):
        await query.answer(_("Only staff can do this."), show_alert=True)
        return
    await query.answer()
    await query.message.answer_document(FSInputFile(m.file), caption=html.escape(m.title[:1000]))
