"""The outbox worker: the only sender of relays and staff-group messages.

It also sends opt-in news (op "news"), after any relay that is due and under one global pace.
It leases due rows (first in line per chat, so each chat keeps its order), paces itself per chat
(~1/s to a person, ~20/min to a group), creates a case's forum topic on first use, honours
retry_after, retries 5xx and network errors with back-off, and records each delivery once.
A crash between a send and its record can repeat that one message after the lease expires: Telegram
offers no idempotency key, so this window is kept to one database round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import defaultdict
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import Repos, User
from db.models import Case, Outbox, utcnow
from db.retention import purge
from bot.metrics import DELIVERY_ERRORS, OPEN_CASES, OUTBOX_AGE, OUTBOX_DEPTH
from handlers.deps import AppInfo
from handlers.render.case_card import card_keyboard, card_text, topic_name

log = logging.getLogger("lykta.outbox")
RED = 16478047
BLUE = 7322096


class Pacer:
    """Token buckets per chat: private chats ~1 message/s (burst 3), groups ~20/min (burst 3)."""

    def __init__(self) -> None:
        self.state: dict[int, tuple[float, float]] = {}

    @staticmethod
    def _rate(chat_id: int) -> tuple[float, float]:
        return (1 / 3.0, 3.0) if chat_id < 0 else (1.0, 3.0)

    async def wait(self, chat_id: int) -> None:
        rate, burst = self._rate(chat_id)
        tokens, stamp = self.state.get(chat_id, (burst, time.monotonic()))
        now = time.monotonic()
        tokens = min(burst, tokens + (now - stamp) * rate)
        if tokens < 1:
            await asyncio.sleep((1 - tokens) / rate)
            now = time.monotonic()
            tokens = 1.0
        self.state[chat_id] = (tokens - 1, now)


class GlobalPacer:
    """One token bucket for all news rows together: Telegram allows about 30 messages a second in total."""

    def __init__(self, per_second: float) -> None:
        self.rate = per_second
        self.tokens = 1.0
        self.stamp = time.monotonic()
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self.lock:
            now = time.monotonic()
            self.tokens = min(1.0, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens < 1:
                await asyncio.sleep((1 - self.tokens) / self.rate)
                self.stamp = time.monotonic()
                self.tokens = 1.0
            self.tokens -= 1


def backoff(attempts: int) -> float:
    return min(2.0 ** attempts, 300.0)


class OutboxWorker:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], bots: dict[str, Bot], app: AppInfo,
                 i18n: I18n, *, single_process: bool, poll_interval: float = 0.3, retention_days: int = 180,
                 news_per_second: float = 25.0) -> None:
        self.news_pacer = GlobalPacer(news_per_second)
        self.retention_days = retention_days
        self._last_purge = 0.0
        self._last_observe = 0.0
        self.sessionmaker = sessionmaker
        self.bots = bots
        self.app = app
        self.i18n = i18n
        self.single_process = single_process
        self.poll_interval = poll_interval
        self.pacer = Pacer()
        self._last_reminder_check = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        if self.single_process:
            async with self.sessionmaker() as session:
                await Repos(session).outbox.release_all_leases()
                await session.commit()
        while not stop.is_set():
            try:
                worked = await self.run_once()
                await self.observe_if_due()
                await self.remind_if_due()
                await self.purge_if_due()
            except Exception:  # noqa: BLE001 - the worker must outlive any one bad row or database hiccup
                log.exception("outbox pass failed")
                worked = False
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_interval)

    async def run_once(self) -> bool:
        async with self.sessionmaker() as session:
            rows = await Repos(session).outbox.claim_due()
            await session.commit()
        if not rows:
            return False
        by_chat: dict[int, list[Outbox]] = defaultdict(list)
        for row in rows:
            by_chat[row.chat_id].append(row)
        await asyncio.gather(*(self._deliver_chat(chat_rows) for chat_rows in by_chat.values()))
        return True

    async def _deliver_chat(self, rows: list[Outbox]) -> None:
        for index, row in enumerate(rows):
            if not await self.deliver(row):
                async with self.sessionmaker() as session:  # keep the chat's order: give back the rest
                    for later in rows[index + 1:]:
                        await Repos(session).outbox.release(later.id)
                    await session.commit()
                return

    async def deliver(self, row: Outbox) -> bool:
        """Send one row; True when it is done (sent or failed for good), False when it waits."""
        bot = self.bots.get(row.channel)
        async with self.sessionmaker() as session:
            repos = Repos(session)
            if bot is None:
                await repos.outbox.mark_failed(row.id, f"no bot for channel {row.channel}")
                await session.commit()
                return True
            try:
                if row.op == "news":
                    await self.news_pacer.wait()
                await self.pacer.wait(row.chat_id)
                message_id = await self.perform(repos, bot, row)
            except TelegramRetryAfter as exc:
                DELIVERY_ERRORS.labels("429").inc()
                await repos.outbox.retry_later(row.id, exc.retry_after, "429")
                await session.commit()
                return False
            except (TelegramServerError, TelegramNetworkError) as exc:
                DELIVERY_ERRORS.labels("server").inc()
                await repos.outbox.retry_later(row.id, backoff(row.attempts), type(exc).__name__)
                await session.commit()
                return False
            except TelegramForbiddenError as exc:
                DELIVERY_ERRORS.labels("forbidden").inc()
                log.warning("recipient unreachable", extra={"outbox_id": row.id, "case_id": row.case_id})
                await repos.outbox.mark_failed(row.id, exc.message)
                if row.chat_id > 0:  # a person blocked the bot: their news is skipped from now on
                    await repos.news.mark_blocked(row.channel, row.chat_id)
                await session.commit()
                return True
            except TelegramBadRequest as exc:
                DELIVERY_ERRORS.labels("bad_request").inc()
                text = exc.message.lower()
                if "not modified" in text or "topic_not_modified" in text:
                    await repos.outbox.mark_sent(row.id, None)
                elif "thread not found" in text and row.case_id:
                    await repos.cases.set_thread(row.case_id, None)  # recreate the topic on the next try
                    await repos.outbox.retry_later(row.id, 0.1, "thread not found")
                    await session.commit()
                    return False
                else:
                    log.error("outbox row refused", extra={"outbox_id": row.id, "op": row.op, "error": exc.message})
                    await repos.outbox.mark_failed(row.id, exc.message)
                await session.commit()
                return True
            await repos.outbox.mark_sent(row.id, message_id)
            await session.commit()
            return True

    async def _thread(self, repos: Repos, bot: Bot, case: Case) -> int:
        if case.thread_id:
            return int(case.thread_id)
        topic = await bot.create_forum_topic(case.staff_chat_id, topic_name(case),
                                             icon_color=RED if case.urgent else BLUE)
        await repos.cases.set_thread(case.id, topic.message_thread_id)
        await repos.session.commit()
        return topic.message_thread_id

    def _card(self, case: Case, history: list[Case], on_duty: list, channel: str) -> tuple[str, InlineKeyboardMarkup | None]:
        assert self.app.network is not None
        cw = self.app.network.of_case(case)
        with self.i18n.context(), self.i18n.use_locale(cw.staff_language):
            return card_text(case, self.app.kb, cw.staff_language, history, on_duty, channel), card_keyboard(case)

    async def perform(self, repos: Repos, bot: Bot, row: Outbox) -> int | None:
        payload: dict[str, Any] = row.payload or {}
        case = await repos.cases.get(row.case_id) if row.case_id else None
        thread = await self._thread(repos, bot, case) if row.to_thread and case is not None else None
        if payload.get("thread_id"):  # a message for a topic the case has since left (after a transfer)
            thread = int(payload["thread_id"])
        markup = InlineKeyboardMarkup.model_validate(payload["reply_markup"]) if payload.get("reply_markup") else None
        if row.op == "news":  # opt-in news (`lykta news send`): plain text with its unsubscribe button
            sent = await bot.send_message(row.chat_id, payload["text"], reply_markup=markup)
            return sent.message_id
        if row.op == "send":
            sent = await bot.send_message(row.chat_id, payload["text"], message_thread_id=thread, reply_markup=markup)
            return sent.message_id
        if row.op == "copy":
            result = await bot.copy_message(row.chat_id, payload["from_chat_id"], payload["message_id"],
                                            message_thread_id=thread, caption=payload.get("caption"))
            return result.message_id
        if case is None:
            raise TelegramBadRequest(method=None, message=f"{row.op} needs a case")  # type: ignore[arg-type]
        if row.op == "card" or (row.op == "edit_card" and not case.card_message_id):
            user = await repos.session.get(User, case.user_id) if case.user_id else None
            history = await repos.cases.history(case.user_id) if case.user_id else []
            on_duty = await repos.staff.on_duty() if case.crisis else await repos.staff.on_duty_for(case.language)
            on_duty = [m for m in on_duty if m.organisation in (case.organisation, "*")]
            text, keyboard = self._card(case, history, on_duty, user.channel if user else "?")
            sent = await bot.send_message(row.chat_id, text, message_thread_id=thread, reply_markup=keyboard)
            await repos.cases.set_card(case.id, sent.message_id)
            if payload.get("pin"):
                with contextlib.suppress(TelegramBadRequest):
                    await bot.pin_chat_message(row.chat_id, sent.message_id, disable_notification=False)
            return sent.message_id
        if row.op == "edit_card":
            user = await repos.session.get(User, case.user_id) if case.user_id else None
            history = await repos.cases.history(case.user_id) if case.user_id else []
            text, keyboard = self._card(case, history, [], user.channel if user else "?")
            await bot.edit_message_text(text, chat_id=row.chat_id, message_id=case.card_message_id,
                                        reply_markup=keyboard)
            return case.card_message_id
        if row.op in ("close_topic", "reopen_topic"):
            call = bot.close_forum_topic if row.op == "close_topic" else bot.reopen_forum_topic
            await call(row.chat_id, thread)
            return None
        raise TelegramBadRequest(method=None, message=f"unknown outbox op {row.op}")  # type: ignore[arg-type]

    async def observe_if_due(self) -> None:
        """Refresh the gauges /metrics shows: outbox depth and age, open cases."""
        if time.monotonic() - self._last_observe < 5:
            return
        self._last_observe = time.monotonic()
        async with self.sessionmaker() as session:
            depth, oldest, open_cases = await Repos(session).outbox.health()
        OUTBOX_DEPTH.set(depth)
        OUTBOX_AGE.set((utcnow() - oldest).total_seconds() if oldest else 0)
        OPEN_CASES.set(open_cases)

    async def purge_if_due(self) -> None:
        """Once an hour: apply the retention limits (docs/privacy.md)."""
        if time.monotonic() - self._last_purge < 3600 and self._last_purge:
            return
        self._last_purge = time.monotonic()
        async with self.sessionmaker() as session:
            purged = await purge(session, self.retention_days)
            await session.commit()
        log.info("retention applied", extra={"case_contents": purged.case_contents, "users": purged.users,
                                             "texts": purged.unanswered_texts, "update_ids": purged.update_ids})

    async def remind_if_due(self) -> None:
        """Unclaimed cases get a reminder in their topic after their organisation's interval."""
        network = self.app.network
        if network is None:
            return
        check_every = min([20.0] + [min(o.urgent_reminder_minutes, o.reminder_minutes) * 30
                                    for o in network.organisations])
        if time.monotonic() - self._last_reminder_check < check_every:
            return
        self._last_reminder_check = time.monotonic()
        now = utcnow()
        async with self.sessionmaker() as session:
            repos = Repos(session)
            for org in network.organisations:
                due = await repos.cases.due_reminders(now, dt.timedelta(minutes=org.reminder_minutes),
                                                      dt.timedelta(minutes=org.urgent_reminder_minutes), org.id)
                for case in due:
                    with self.i18n.context(), self.i18n.use_locale(org.staff_language):
                        text = _("⏰ Case #{number} is still waiting for someone to claim it.").format(number=case.id)
                    await repos.outbox.enqueue(f"remind:{case.id}:{int(now.timestamp())}", channel="telegram",
                                               op="send", chat_id=case.staff_chat_id, payload={"text": text},
                                               case_id=case.id, to_thread=True)
                    await repos.cases.mark_reminded(case.id, now)
            await session.commit()

