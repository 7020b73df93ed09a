"""The composition root: build everything once, run the channels, shut down in order."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import secrets
import signal
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from aiohttp import web

from bot.botapi import BotApiServer
from bot.config import Settings
from bot.metrics import CountingMiddleware, MeteredMatcher, metrics_handler
from bot.organisations import load_network
from bot.ratelimit import MemoryLimiter, RateLimitMiddleware, RedisLimiter
from bot.outbox import OutboxWorker
from bot.middlewares import DbSessionMiddleware, UserLocaleMiddleware
from bot.telegram import CHANNEL_TELEGRAM, CHANNEL_WEB, make_bot
from db import create_engine, create_sessionmaker
from handlers import build_root_router
from handlers.deps import AppInfo, Channels
from knowledge import CORE_LANGUAGES, EXTRA_LANGUAGES, KnowledgeBase, load_knowledge_base
from knowledge.directory import load_directory
from knowledge.materials import load_catalogue

log = logging.getLogger("lykta.app")
LOCALES = Path(__file__).resolve().parent.parent / "locales"
COMMANDS = ("start", "topics", "help_near_me", "case", "materials", "news", "stop_news", "language", "country",
            "privacy", "mydata", "forget", "help")


def load_kb(partial: bool = False) -> KnowledgeBase:
    if partial:
        from knowledge import check_content

        kb, _p, _w = check_content(partial=True)
        assert kb is not None
        return kb
    return load_knowledge_base()


def build_matcher(kb: KnowledgeBase) -> object:
    from knowledge import Matcher  # type: ignore[attr-defined]

    return Matcher(kb)


def load_guidance() -> tuple[KnowledgeBase, object]:
    """The staff guidance and its own matcher (the public matcher never sees a guide)."""
    from knowledge import load_guides
    from knowledge.matcher import guide_matcher

    guides = load_guides()
    return guides, guide_matcher(guides)


def limiter_for(settings: Settings) -> MemoryLimiter | RedisLimiter:
    if settings.redis_url:
        import redis.asyncio as redis

        return RedisLimiter(redis.from_url(settings.redis_url))
    return MemoryLimiter()


def storage_for(settings: Settings) -> tuple[BaseStorage, BaseEventIsolation]:
    """Memory for one process; Redis (FSM and per-chat locks) when several workers share the load."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisStorage

        storage = RedisStorage.from_url(settings.redis_url, key_builder=DefaultKeyBuilder(with_bot_id=True))
        return storage, storage.create_isolation()
    return MemoryStorage(), SimpleEventIsolation()


COMMAND_DESCRIPTIONS = {
    "start": __("Start again"), "topics": __("Browse all subjects"), "language": __("Change the language"),
    "country": __("Change the country"), "privacy": __("What we keep about you"), "help": __("How to use this bot"),
    "case": __("Talk to a person, or see your case"), "mydata": __("See everything stored about you"),
    "forget": __("Erase everything stored about you"),
    "help_near_me": __("Organisations that can help, near you"),
    "materials": __("Publications for families and ex-prisoners"),
    "news": __("Subscribe to short news"), "stop_news": __("Stop the news"),
}


def command_list(i18n: I18n, locale: str) -> list[BotCommand]:
    with i18n.context(), i18n.use_locale(locale):
        return [BotCommand(command=c, description=str(COMMAND_DESCRIPTIONS[c])) for c in COMMANDS]


async def set_commands(bot: Bot, i18n: I18n, languages: tuple[str, ...], default: str) -> None:
    await bot.set_my_commands(command_list(i18n, default))
    for lang in languages:
        await bot.set_my_commands(command_list(i18n, lang), language_code=lang)


def offered_languages(kb: KnowledgeBase, i18n: I18n) -> tuple[str, ...]:
    """Languages the picker offers: those with every topic answered and a user-interface catalog."""
    return tuple(code for code in (*CORE_LANGUAGES, *EXTRA_LANGUAGES)
                 if code in kb.languages and (code == "en" or code in i18n.available_locales))


def build_dispatcher(settings: Settings, app_info: AppInfo, i18n: I18n,
                     sessionmaker: async_sessionmaker[AsyncSession], channels: Channels,
                     storage: BaseStorage, isolation: BaseEventIsolation) -> Dispatcher:
    """The Dispatcher with its middlewares in order (rate limit, database session, locale) and every router."""
    dp = Dispatcher(storage=storage, events_isolation=isolation, app=app_info, i18n=i18n)
    dp.update.outer_middleware(RateLimitMiddleware(limiter_for(settings), settings.rate_limit_per_minute, i18n,
                                                   settings.default_language))
    dp.update.outer_middleware(DbSessionMiddleware(sessionmaker, channels))
    UserLocaleMiddleware(i18n, settings.default_language).setup(dp)
    dp.include_router(build_root_router())
    return dp


async def run(settings: Settings, *, kb_partial: bool = False) -> None:
    """Start the web chat server, the bots and the dispatcher; return when a stop signal arrives."""
    kb = load_kb(kb_partial)
    directory = load_directory(overrides=settings.directory_path)
    guides, guide_matcher = load_guidance()
    catalogue, material_problems = load_catalogue(settings.materials_path, known_topics=set(kb.topics))
    for problem in material_problems:
        log.warning("material left out", extra={"problem": str(problem)})
    matcher = MeteredMatcher(build_matcher(kb))
    i18n = I18n(path=LOCALES, default_locale=settings.default_language, domain="messages")
    languages = offered_languages(kb, i18n)
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    storage, isolation = storage_for(settings)

    web_token = settings.web_token or f"{secrets.randbelow(10**9) + 10**9}:{secrets.token_urlsafe(24)}"
    server = BotApiServer(web_token=web_token, allowed_tokens={web_token},
                          allowed_origins=settings.web_allowed_origins,
                          quick_exit_url=settings.web_quick_exit_url, demo_page=settings.web_demo_page,
                          extra_routes=[("GET", "/metrics", metrics_handler)])
    port = await server.start(settings.web_host, settings.web_port)
    local = "127.0.0.1" if settings.web_host in ("0.0.0.0", "::") else settings.web_host
    web_bot = make_bot(web_token, f"http://{local}:{port}")
    web_bot.session.middleware(CountingMiddleware())
    bots = [web_bot]
    channels = {web_bot.id: CHANNEL_WEB}
    tg_bot: Bot | None = None
    if settings.telegram_token is not None:
        tg_bot = make_bot(settings.telegram_token.get_secret_value(), settings.telegram_api_url)
        tg_bot.session.middleware(CountingMiddleware())
        bots.append(tg_bot)
        channels[tg_bot.id] = CHANNEL_TELEGRAM

    network = load_network(settings)
    if network is not None and tg_bot is None:
        log.warning("staff groups are configured but LYKTA_TELEGRAM_TOKEN is not: cases are disabled")
        network = None
    app_info = AppInfo(languages=languages, default_language=settings.default_language, kb=kb, matcher=matcher,
                       network=network, directory=directory, guides=guides, guide_matcher=guide_matcher,
                       materials=catalogue)
    dp = build_dispatcher(settings, app_info, i18n, sessionmaker, Channels(channels), storage, isolation)
    # The knowledge base and the matcher's index are millions of objects that live as long as the process:
    # move them out of the collector's sight, or every full collection walks them all (a pause of ~0.25 s).
    gc.collect()
    gc.freeze()
    allowed = dp.resolve_used_update_types()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    webhook_runner: web.AppRunner | None = None
    for bot in bots:
        await set_commands(bot, i18n, languages, settings.default_language)
    polled = list(bots)
    if tg_bot is not None and settings.webhook_url:
        assert settings.webhook_secret is not None
        secret = settings.webhook_secret.get_secret_value()
        wh_app = web.Application()
        # Handle before answering: a worker killed mid-update gives no 2xx, so Telegram (or the balancer)
        # delivers the update again, to another worker; the database makes a second delivery a no-op.
        SimpleRequestHandler(dispatcher=dp, bot=tg_bot, secret_token=secret, handle_in_background=False).register(
            wh_app, settings.webhook_path)
        webhook_runner = web.AppRunner(wh_app, access_log=None)
        await webhook_runner.setup()
        await web.TCPSite(webhook_runner, settings.webhook_host, settings.webhook_port).start()
        await tg_bot.set_webhook(settings.webhook_url, secret_token=secret, allowed_updates=allowed)
        polled.remove(tg_bot)
    else:
        for bot in polled:
            await bot.delete_webhook(drop_pending_updates=False)

    print(f"Lykta is running. Web chat: http://{settings.web_host}:{port}/", flush=True)
    log.info("started", extra={"web_port": port, "telegram": tg_bot is not None,
                               "webhook": bool(settings.webhook_url), "database": engine.dialect.name,
                               "topics": len(kb.topics)})
    worker = OutboxWorker(sessionmaker, {CHANNEL_WEB: web_bot, **({CHANNEL_TELEGRAM: tg_bot} if tg_bot else {})},
                          app_info, i18n, single_process=not settings.uses_postgres,
                          retention_days=settings.retention_days, news_per_second=settings.news_per_second)
    worker_task = asyncio.create_task(worker.run(stop))
    polling = asyncio.create_task(dp.start_polling(*polled, handle_signals=False, close_bot_session=False,
                                                   allowed_updates=allowed, polling_timeout=20))
    try:
        await asyncio.wait([polling, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
    finally:
        log.info("stopping")
        if not polling.done():
            # stop_polling waits for the current long poll to return; handlers in flight get a second, then
            # the poll itself is cut.
            stopper = asyncio.create_task(dp.stop_polling())
            done, _pending = await asyncio.wait([polling], timeout=1.0)
            stopper.cancel()
            if not done:
                polling.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await polling
        stop.set()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(worker_task, 5)
        if webhook_runner is not None:
            await webhook_runner.cleanup()
        for bot in bots:
            await bot.session.close()
        await server.stop()
        await storage.close()
        await engine.dispose()
    if polling.done() and polling.exception() is not None:
        raise polling.exception()  # type: ignore[misc]
