"""/guide: practice notes for staff (knowledge/content/guides/), in the staff group or a private chat with staff.

The notes are a knowledge base of their own with a matcher of their own: the public matcher cannot
return one, and every command and button here re-checks that the person is staff before showing one.
"""

from __future__ import annotations

import html
import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Chat, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db import Repos, User
from handlers.callbacks import GuideCB
from handlers.deps import AppInfo
from handlers.prefs import user_prefs
from handlers.render.answer import TELEGRAM_LIMIT, _link, jurisdiction_block
from handlers.staff import is_staff, is_staff_anywhere
from handlers.texts import MACHINE_NOTE
from knowledge import KnowledgeBase

log = logging.getLogger("lykta.guide")
router = Router(name="guide")


async def staff_language(chat: Chat, user_id: int, bot: Bot, repos: Repos, app: AppInfo, user: User | None,
                         state: FSMContext | None) -> str | None:
    """The language to show guidance in when this person is staff here; None when they are not."""
    if app.guides is None:
        return None
    if chat.type == "private":
        if user is None or user.channel != "telegram":  # staff are Telegram accounts; web sessions never are
            return None
        if not await is_staff_anywhere(bot, repos, app.network, user_id):
            return None
        lang, _j = await user_prefs(user, state, app)
        return lang or app.default_language
    org = app.network.by_chat(chat.id) if app.network is not None else None
    if org is None or not await is_staff(bot, repos, org, chat.id, user_id):
        return None
    return org.staff_language


def render_guide(guides: KnowledgeBase, guide_id: str, lang: str) -> str:
    """Title, the note, what applies in each jurisdiction, and the sources."""
    used, tr = guides.translation(guide_id, lang)
    topic = guides.topics[guide_id]
    parts = [f"<b>{html.escape(tr.title)}</b>", tr.answer.strip()]
    blocks = [b for b in (jurisdiction_block(guides, guide_id, used, code) for code in topic.jurisdictions) if b]
    sources = [guides.sources[s] for s in topic.sources[:5]]
    tail = [_("Sources:") + "\n" + "\n".join(f"• {html.escape(s.title)} — {_link(str(s.url))}" for s in sources)]
    if tr.status.value == "machine-drafted":
        tail.append("<i>" + html.escape(str(MACHINE_NOTE)) + "</i>")
    text = "\n\n".join([*parts, *blocks, *tail])
    if len(text.encode("utf-16-le")) // 2 > TELEGRAM_LIMIT:
        text = "\n\n".join([*parts, *tail])
    return text


def guide_list(guides: KnowledgeBase, lang: str) -> InlineKeyboardBuilder:
    builder = InlineKeyboardBuilder()
    for meta in guides.taxonomy.topics:
        builder.button(text=guides.title(meta.id, lang), callback_data=GuideCB(id=meta.id))
    builder.adjust(1)
    return builder


@router.message(Command("guide"))
async def guide(message: Message, command: CommandObject, bot: Bot, repos: Repos, app: AppInfo, i18n: I18n,
                user: User | None = None, state: FSMContext | None = None) -> None:
    if message.from_user is None:
        return
    lang = await staff_language(message.chat, message.from_user.id, bot, repos, app, user, state)
    if lang is None or app.guides is None:
        log.warning("guide refused", extra={"user_id": message.from_user.id})
        if message.chat.type == "private":
            await message.answer(_("This command is for staff of the organisations."))
        return
    question = (command.args or "").strip()
    with i18n.use_locale(lang if lang in i18n.available_locales else "en"):
        if not question:
            await message.reply(_("<b>Guidance for staff</b>. Choose a note, or write /guide followed by a question."),
                                reply_markup=guide_list(app.guides, lang).as_markup())
            return
        decision = app.guide_matcher.match(question, lang=lang)
        found = [t for t, _s in decision.candidates if t in app.guides.topics]
        if str(decision.action) == "answer" and decision.topic in app.guides.topics:
            await message.reply(render_guide(app.guides, decision.topic, lang))
        elif found:
            await message.reply(_("Is it one of these?"),
                                reply_markup=guide_list_of(app.guides, found[:3], lang).as_markup())
        else:
            await message.reply(_("No note matches that. All notes:"),
                                reply_markup=guide_list(app.guides, lang).as_markup())


def guide_list_of(guides: KnowledgeBase, ids: list[str], lang: str) -> InlineKeyboardBuilder:
    builder = InlineKeyboardBuilder()
    for gid in ids:
        builder.button(text=guides.title(gid, lang), callback_data=GuideCB(id=gid))
    builder.adjust(1)
    return builder


@router.callback_query(GuideCB.filter(), F.message)
async def guide_button(query: CallbackQuery, callback_data: GuideCB, bot: Bot, repos: Repos, app: AppInfo,
                       i18n: I18n, user: User | None = None, state: FSMContext | None = None) -> None:
    lang = await staff_language(query.message.chat, query.from_user.id, bot, repos, app, user, state)
    if lang is None or app.guides is None:
        log.warning("guide refused", extra={"user_id": query.from_user.id})
        await query.answer(_("Only staff can do this."), show_alert=True)
        return
    if callback_data.id not in app.guides.topics:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    with i18n.use_locale(lang if lang in i18n.available_locales else "en"):
        await query.message.reply(render_guide(app.guides, callback_data.id, lang))
