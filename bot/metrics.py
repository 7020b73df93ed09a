"""Prometheus metrics, served at /metrics on the bot's web server. Labels carry no personal data."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry()
UPDATES = Counter("lykta_updates_total", "Updates handled", ["channel"], registry=REGISTRY)
API_CALLS = Counter("lykta_api_calls_total", "Bot API calls", ["method", "outcome"], registry=REGISTRY)
DECISIONS = Counter("lykta_matcher_decisions_total", "Matcher decisions", ["action", "lang"], registry=REGISTRY)
MATCH_SECONDS = Histogram("lykta_matcher_seconds", "Matcher latency", registry=REGISTRY,
                          buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.05))
OPEN_CASES = Gauge("lykta_open_cases", "Cases not closed", registry=REGISTRY)
OUTBOX_DEPTH = Gauge("lykta_outbox_pending", "Outbox rows waiting to be sent", registry=REGISTRY)
OUTBOX_AGE = Gauge("lykta_outbox_oldest_seconds", "Age of the oldest pending outbox row", registry=REGISTRY)
DELIVERY_ERRORS = Counter("lykta_delivery_errors_total", "Outbox delivery failures", ["kind"], registry=REGISTRY)


class MeteredMatcher:
    """The matcher, counting decisions and timing them."""

    def __init__(self, matcher: Any) -> None:
        self.matcher = matcher

    def match(self, text: str, lang: str | None = None, jurisdiction: str | None = None) -> Any:
        with MATCH_SECONDS.time():
            decision = self.matcher.match(text, lang=lang, jurisdiction=jurisdiction)
        DECISIONS.labels(str(decision.action), decision.lang).inc()
        return decision


class CountingMiddleware(BaseRequestMiddleware):
    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        name = method.__api_method__
        try:
            result = await make_request(bot, method)
        except Exception as exc:
            API_CALLS.labels(name, type(exc).__name__).inc()
            raise
        API_CALLS.labels(name, "ok").inc()
        return result


async def metrics_handler(_request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})
