"""Bot construction for both channels, and the request middleware that honours 429 and retries 5xx."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType

log = logging.getLogger("lykta.telegram")

CHANNEL_TELEGRAM = "telegram"
CHANNEL_WEB = "web"


# aiogram parses every response as `Response[<return type>]`; pydantic keeps such generic classes only in a
# weak cache, so each garbage collection drops them and the next call builds the class again (~1 ms each,
# the largest single cost per update under load). Keeping a reference to each one makes them built once.
_RESPONSE_TYPES: dict[Any, Any] = {}


def pin_response_type(method: TelegramMethod[Any]) -> None:
    returning = method.__returning__
    if returning not in _RESPONSE_TYPES:
        _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]


class RetryMiddleware(BaseRequestMiddleware):
    """Wait out 429 (retry_after) and retry 5xx and network errors a few times with back-off.

    Polling has its own retry loop, so getUpdates passes straight through.
    """

    def __init__(self, attempts: int = 5, max_wait: float = 30.0) -> None:
        self.attempts = attempts
        self.max_wait = max_wait

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        pin_response_type(method)
        if isinstance(method, GetUpdates):
            return await make_request(bot, method)
        delay = 0.5
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self.attempts or exc.retry_after > self.max_wait:
                    raise
                log.warning("rate limited", extra={"method": method.__api_method__, "retry_after": exc.retry_after})
                await asyncio.sleep(exc.retry_after)
            except (TelegramServerError, TelegramNetworkError) as exc:
                if attempt == self.attempts:
                    raise
                log.warning("telegram error, retrying", extra={"method": method.__api_method__,
                                                                "error": type(exc).__name__})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 8.0)
        raise AssertionError("unreachable")


def make_bot(token: str, api_url: str, **session_kwargs: Any) -> Bot:
    """A Bot talking HTTP to `api_url` (Telegram's own, or our local server), HTML by default."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")), **session_kwargs)
    session.middleware(RetryMiddleware())
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML,
                                                                          link_preview_is_disabled=True))
