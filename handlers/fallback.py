"""The last routers: whatever nothing else took gets a polite, translated reply, never silence or a traceback."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.types import CallbackQuery, ErrorEvent, Message
from aiogram.utils.i18n import gettext as _

from handlers.texts import BUTTON_STALE

log = logging.getLogger("lykta.errors")
router = Router(name="fallback")


@router.message(F.chat.type == "private", F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    await message.answer(_("I don't know that command. /help shows what I can do."))


@router.message(F.chat.type == "private")
async def not_text(message: Message) -> None:
    await message.answer(_("I can only read text messages for now. Please write your question in words."))


@router.callback_query()
async def stale_button(query: CallbackQuery) -> None:
    """Forged, stale or unknown callback data: answer it, so the user's button stops spinning."""
    await query.answer(str(BUTTON_STALE), show_alert=True)


errors = Router(name="errors")


@errors.errors()
async def on_error(event: ErrorEvent) -> None:
    """One log line with ids (never a message text), and an apology to the user."""
    update = event.update
    log.error("handler failed", extra={"update_id": update.update_id, "error": type(event.exception).__name__},
              exc_info=event.exception)
    message = update.message or (update.callback_query.message if update.callback_query else None)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        if message is not None and message.chat.type == "private":
            await message.answer(_("Sorry, something went wrong on our side. Please try again in a moment."))
    except Exception:  # noqa: BLE001 - the apology itself must never raise
        log.warning("apology failed", extra={"update_id": update.update_id})
