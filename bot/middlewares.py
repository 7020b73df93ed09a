"""Per-update plumbing: one database session committed once, redelivery dedupe, the user row, the locale."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram.utils.i18n import I18n, I18nMiddleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics import UPDATES
from db import Repos
from handlers.deps import Channels

log = logging.getLogger("lykta.updates")

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    """Open one session per update, skip updates already handled, load the user, commit once at the end.

    The update id is recorded in the same transaction as the handler's effects: if the handler fails,
    both roll back, and a redelivered update is handled again; if it succeeded, a redelivery is a no-op.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], channels: Channels) -> None:
        self.sessionmaker = sessionmaker
        self.channels = channels

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        channel = self.channels.of(data["bot"])
        UPDATES.labels(channel).inc()
        async with self.sessionmaker() as session:
            repos = Repos(session)
            if not await repos.updates.claim(channel, event.update_id):
                log.info("duplicate update skipped", extra={"update_id": event.update_id, "channel": channel})
                return None
            data["repos"] = repos
            data["channel"] = channel
            chat = data.get("event_chat")
            if chat is not None and chat.type == "private":
                user = await repos.users.get_or_create(channel, chat.id)
                await repos.users.touch(user)
                data["user"] = user
            result = await handler(event, data)
            await session.commit()
            return result


LANGUAGE_ALIASES = {"no": "nb", "nn": "nb", "nb": "nb"}


class UserLocaleMiddleware(I18nMiddleware):
    """The user's chosen language (database, or FSM during onboarding), then Telegram's hint, then the default."""

    def __init__(self, i18n: I18n, default: str) -> None:
        super().__init__(i18n=i18n)
        self.default = default

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user = data.get("user")
        if user is not None and user.language in self.i18n.available_locales:
            return str(user.language)
        state = data.get("state")
        if state is not None:
            chosen = (await state.get_data()).get("lang")
            if chosen in self.i18n.available_locales:
                return str(chosen)
        tg_user = data.get("event_from_user")
        code = (getattr(tg_user, "language_code", None) or "").split("-")[0].lower()
        code = LANGUAGE_ALIASES.get(code, code)
        if code in self.i18n.available_locales:
            return code
        return self.default
