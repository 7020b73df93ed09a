"""Repositories: intent-named queries over one AsyncSession. They never commit; the caller does, once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ProcessedUpdate, TopicFeedback, UnansweredDay, UnansweredText, User, utcnow


def insert_for(session: AsyncSession, table: type) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that knows ON CONFLICT for the dialect in use."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


class UsersRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, channel: str, chat_id: int) -> User | None:
        return await self.session.scalar(select(User).where(User.channel == channel, User.chat_id == chat_id))

    async def get_or_create(self, channel: str, chat_id: int) -> User:
        """The user row for this chat, created with nothing but channel and chat id.

        One round trip for a known user (a SELECT, no write); a new one is inserted with RETURNING.
        """
        user = await self.get(channel, chat_id)
        return user if user is not None else await self.create(channel, chat_id)

    async def create(self, channel: str, chat_id: int) -> User:
        """Insert the row for a chat not seen before (or return the one a concurrent update just inserted)."""
        now = utcnow()
        stmt = insert_for(self.session, User).values(channel=channel, chat_id=chat_id, created_at=now,
                                                  last_seen_at=now)
        user = await self.session.scalar(stmt.on_conflict_do_nothing(index_elements=["channel", "chat_id"])
                                         .returning(User))
        if user is None:  # lost a race with another worker: the row exists now
            user = await self.get(channel, chat_id)
        assert user is not None
        return user

    async def touch(self, user: User) -> None:
        now = utcnow()
        if user.last_seen_at is None or now - _aware(user.last_seen_at) > dt.timedelta(minutes=5):
            user.last_seen_at = now

    async def set_language(self, user: User, language: str) -> None:
        user.language = language

    async def set_jurisdiction(self, user: User, jurisdiction: str) -> None:
        user.jurisdiction = jurisdiction

    async def accept_privacy(self, user: User, share_unanswered: bool) -> None:
        user.consent_at = utcnow()
        user.share_unanswered = share_unanswered


class UpdatesRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, channel: str, update_id: int) -> bool:
        """Record the update as handled; False when it already was (Telegram redelivered it)."""
        stmt = insert_for(self.session, ProcessedUpdate).values(channel=channel, update_id=update_id,
                                                             processed_at=utcnow())
        result = await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["channel", "update_id"]))
        return bool(result.rowcount)

    async def forget_older_than(self, days: int) -> int:
        cutoff = utcnow() - dt.timedelta(days=days)
        result = await self.session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < cutoff))
        return int(result.rowcount or 0)


class StatsRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_unanswered(self, language: str, user: User | None = None, text: str | None = None) -> None:
        """Count a message that found no answer; keep its text only if its writer agreed to that."""
        day = utcnow().date()
        stmt = insert_for(self.session, UnansweredDay).values(day=day, language=language, count=1)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["day", "language"],
                                                              set_={"count": UnansweredDay.count + 1}))
        if user is not None and text and user.share_unanswered:
            self.session.add(UnansweredText(user_id=user.id, language=language, text=text[:2000]))

    async def record_feedback(self, topic: str, language: str, helped: bool) -> None:
        column = "helped" if helped else "not_helped"
        stmt = insert_for(self.session, TopicFeedback).values(topic=topic, language=language,
                                                           helped=int(helped), not_helped=int(not helped))
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=["topic", "language"], set_={column: getattr(TopicFeedback, column) + 1}))

    async def unanswered(self, since: dt.date) -> list[UnansweredDay]:
        rows = await self.session.scalars(select(UnansweredDay).where(UnansweredDay.day >= since)
                                          .order_by(UnansweredDay.day, UnansweredDay.language))
        return list(rows)

    async def kept_texts(self, user_id: int) -> list[UnansweredText]:
        return list(await self.session.scalars(select(UnansweredText).where(UnansweredText.user_id == user_id)
                                               .order_by(UnansweredText.id)))

    async def feedback(self) -> list[TopicFeedback]:
        return list(await self.session.scalars(select(TopicFeedback).order_by(TopicFeedback.topic)))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass
class Repos:
    """All repositories over one session: what a handler gets as `repos`."""

    session: AsyncSession

    def __post_init__(self) -> None:
        from db.repositories.cases import CaseMessagesRepo, CasesRepo, StaffRepo
        from db.repositories.news import NewsRepo
        from db.repositories.outbox import OutboxRepo

        self.users = UsersRepo(self.session)
        self.updates = UpdatesRepo(self.session)
        self.stats = StatsRepo(self.session)
        self.cases = CasesRepo(self.session)
        self.case_messages = CaseMessagesRepo(self.session)
        self.staff = StaffRepo(self.session)
        self.outbox = OutboxRepo(self.session)
        self.news = NewsRepo(self.session)


