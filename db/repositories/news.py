"""Opt-in news: subscriptions, recipients of one send, and people who blocked the bot."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import NewsSubscription, Outbox, User, utcnow
from db.repositories.base import insert_for


@dataclass(frozen=True)
class Recipient:
    user_id: int
    channel: str
    chat_id: int


def news_key(news_id: str, user_id: int) -> str:
    """The outbox dedupe key of one news item to one person: enqueuing it twice is a no-op."""
    return f"news:{news_id}:{user_id}"


class NewsRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> NewsSubscription | None:
        return await self.session.get(NewsSubscription, user_id)

    async def subscribe(self, user_id: int, language: str, country: str) -> None:
        """Subscribe (or change language and country); subscribing again clears an earlier block."""
        stmt = insert_for(self.session, NewsSubscription).values(user_id=user_id, language=language, country=country,
                                                                 blocked_at=None, created_at=utcnow())
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=["user_id"], set_={"language": language, "country": country, "blocked_at": None}))

    async def unsubscribe(self, user_id: int) -> bool:
        result = await self.session.execute(delete(NewsSubscription).where(NewsSubscription.user_id == user_id))
        return bool(result.rowcount)

    async def recipients(self, language: str, country: str) -> list[Recipient]:
        """Subscribers of this language and country who have not blocked the bot, in a stable order."""
        rows = await self.session.execute(
            select(User.id, User.channel, User.chat_id).join(NewsSubscription, NewsSubscription.user_id == User.id)
            .where(NewsSubscription.language == language, NewsSubscription.country == country,
                   NewsSubscription.blocked_at.is_(None)).order_by(User.id))
        return [Recipient(*row) for row in rows]

    async def enqueue(self, news_id: str, recipients: list[Recipient], payload: dict) -> int:
        """One outbox row per recipient (op "news"); returns how many were new (re-running is safe)."""
        from db.repositories.outbox import OutboxRepo

        outbox = OutboxRepo(self.session)
        added = 0
        for r in recipients:
            added += await outbox.enqueue(news_key(news_id, r.user_id), channel=r.channel, op="news",
                                          chat_id=r.chat_id, payload=payload)
        return added

    async def progress(self, news_id: str) -> dict[str, int]:
        """How many rows of one news item are pending, sent or failed."""
        rows = await self.session.execute(select(Outbox.status, func.count()).where(
            Outbox.dedupe_key.like(f"news:{news_id}:%")).group_by(Outbox.status))
        return {status: int(n) for status, n in rows}

    async def mark_blocked(self, channel: str, chat_id: int) -> None:
        """The person blocked the bot (403): their subscription is kept but skipped until they subscribe again."""
        user_ids = select(User.id).where(User.channel == channel, User.chat_id == chat_id).scalar_subquery()
        await self.session.execute(update(NewsSubscription).where(NewsSubscription.user_id == user_ids,
                                                                  NewsSubscription.blocked_at.is_(None))
                                   .values(blocked_at=utcnow()))
