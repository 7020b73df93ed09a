"""/topics: browse every topic by group, without typing."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db import User
from handlers.callbacks import GroupCB
from handlers.deps import AppInfo
from handlers.prefs import user_prefs
from handlers.render.answer import topic_buttons
from handlers.texts import BUTTON_STALE, group_name

router = Router(name="topics")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


def groups_keyboard(app: AppInfo) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for group in app.kb.taxonomy.groups:
        builder.button(text=group_name(group), callback_data=GroupCB(group=group))
    builder.adjust(1)
    return builder.as_markup()


@router.message(Command("topics", "menu"))
async def topics_menu(message: Message, app: AppInfo) -> None:
    await message.answer(_("Choose a subject:"), reply_markup=groups_keyboard(app))


@router.callback_query(GroupCB.filter())
async def group_topics(query: CallbackQuery, callback_data: GroupCB, state: FSMContext, user: User,
                       app: AppInfo) -> None:
    if callback_data.group not in app.kb.taxonomy.groups:
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    lang, _j = await user_prefs(user, state, app)
    await query.answer()
    ids = app.kb.topics_in_group(callback_data.group)
    await query.message.answer(f"<b>{group_name(callback_data.group)}</b>",
                               reply_markup=topic_buttons(app.kb, ids, lang or app.default_language).as_markup())
