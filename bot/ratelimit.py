"""Per-user rate limits: a flood from one person is answered once, politely, and does not slow anyone else.

Memory for one process; Redis (fixed windows shared by all workers) when LYKTA_REDIS_URL is set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram.utils.i18n import I18n

log = logging.getLogger("lykta.ratelimit")


class Limiter(Protocol):
    async def hit(self, key: str) -> int:
        """Count one event for `key` in the current window; return the count so far."""


class MemoryLimiter:
    def __init__(self, window: float = 60.0) -> None:
        self.window = window
        self.counts: dict[str, tuple[int, float]] = {}

    async def hit(self, key: str) -> int:
        now = time.monotonic()
        count, start = self.counts.get(key, (0, now))
        if now - start >= self.window:
            count, start = 0, now
        self.counts[key] = (count + 1, start)
        if len(self.counts) > 100_000:  # forget idle keys
            self.counts = {k: v for k, v in self.counts.items() if now - v[1] < self.window}
        return count + 1


class RedisLimiter:
    def __init__(self, redis: Any, window: int = 60) -> None:
        self.redis = redis
        self.window = window

    async def hit(self, key: str) -> int:
        bucket = f"lykta:rl:{key}:{int(time.time() // self.window)}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(bucket)
            pipe.expire(bucket, self.window * 2)
            count, _ = await pipe.execute()
        return int(count)


class RateLimitMiddleware(BaseMiddleware):
    """Drop private updates beyond `limit` per window; tell the person once per window."""

    def __init__(self, limiter: Limiter, limit: int, i18n: I18n, default_locale: str) -> None:
        self.limiter = limiter
        self.limit = limit
        self.i18n = i18n
        self.default_locale = default_locale

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        chat = data.get("event_chat")
        if chat is None or chat.type != "private" or not isinstance(event, Update):
            return await handler(event, data)
        count = await self.limiter.hit(f"{data['bot'].id}:{chat.id}")
        if count <= self.limit:
            return await handler(event, data)
        if count == self.limit + 1:
            log.warning("rate limited", extra={"chat_id": chat.id, "update_id": event.update_id})
            user = data.get("event_from_user")
            code = (getattr(user, "language_code", None) or "").split("-")[0]
            locale = code if code in self.i18n.available_locales else self.default_locale
            with self.i18n.context(), self.i18n.use_locale(locale):
                text = self.i18n.gettext("You are sending messages very quickly. Please wait a minute, then send "
                                         "your question again: the last few messages may not have been read.")
            await data["bot"].send_message(chat.id, text)
        return None
