"""The outbox: durable outgoing messages, claimed with a lease, in order per chat, sent once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models import Outbox, utcnow
from db.repositories.base import insert_for

LEASE = dt.timedelta(seconds=30)


class OutboxRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(self, dedupe_key: str, *, channel: str, op: str, chat_id: int, payload: dict[str, Any],
                      case_id: int | None = None, to_thread: bool = False) -> bool:
        """Add one piece of outgoing work; a second enqueue with the same key is a no-op (idempotent)."""
        now = utcnow()
        stmt = insert_for(self.session, Outbox).values(
            dedupe_key=dedupe_key[:128], channel=channel, op=op, chat_id=chat_id, payload=payload, case_id=case_id,
            to_thread=to_thread, status="pending", attempts=0, next_attempt_at=now, created_at=now)
        result = await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]))
        return bool(result.rowcount)

    async def claim_due(self, limit: int = 50) -> list[Outbox]:
        """Lease the due rows that are first in line for their chat (so each chat's order is kept).

        On PostgreSQL the rows are locked with SKIP LOCKED while the lease is written, so several
        processes never take the same row.
        """
        now = utcnow()
        earlier = aliased(Outbox)
        blocked = exists().where(earlier.chat_id == Outbox.chat_id, earlier.status == "pending",
                                 earlier.id < Outbox.id)
        stmt = (select(Outbox).where(Outbox.status == "pending", Outbox.next_attempt_at <= now,
                                     or_(Outbox.locked_until.is_(None), Outbox.locked_until < now), ~blocked)
                .order_by(case((Outbox.op == "news", 1), else_=0), Outbox.id).limit(limit))
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=Outbox)
        rows = list(await self.session.scalars(stmt))
        if rows:
            await self.session.execute(update(Outbox).where(Outbox.id.in_([r.id for r in rows]))
                                       .values(locked_until=now + LEASE)
                                       .execution_options(synchronize_session=False))
        return rows

    async def mark_sent(self, row_id: int, message_id: int | None) -> None:
        await self.session.execute(update(Outbox).where(Outbox.id == row_id, Outbox.status == "pending")
                                   .values(status="sent", sent_at=utcnow(), result_message_id=message_id,
                                           locked_until=None, payload={}))  # delivered: keep no content

    async def retry_later(self, row_id: int, delay: float, error: str) -> None:
        await self.session.execute(update(Outbox).where(Outbox.id == row_id).values(
            attempts=Outbox.attempts + 1, next_attempt_at=utcnow() + dt.timedelta(seconds=delay),
            locked_until=None, last_error=error[:200]))

    async def release(self, row_id: int, delay: float = 0.0) -> None:
        """Give a leased row back without counting an attempt (e.g. it is waiting for its topic)."""
        await self.session.execute(update(Outbox).where(Outbox.id == row_id).values(
            next_attempt_at=utcnow() + dt.timedelta(seconds=delay), locked_until=None))

    async def mark_failed(self, row_id: int, error: str) -> None:
        await self.session.execute(update(Outbox).where(Outbox.id == row_id).values(
            status="failed", attempts=Outbox.attempts + 1, locked_until=None, last_error=error[:200]))

    async def release_all_leases(self) -> None:
        """At start-up of the only process (SQLite): leases of a crashed run are void."""
        await self.session.execute(update(Outbox).where(and_(Outbox.status == "pending",
                                                             Outbox.locked_until.is_not(None)))
                                   .values(locked_until=None))

    async def health(self) -> tuple[int, dt.datetime | None, int]:
        """(pending rows, oldest pending row's time, open cases) for the metrics."""
        from sqlalchemy import func

        from db.models import Case

        depth = int(await self.session.scalar(select(func.count()).where(Outbox.status == "pending")) or 0)
        oldest = await self.session.scalar(select(func.min(Outbox.created_at)).where(Outbox.status == "pending"))
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        open_cases = int(await self.session.scalar(select(func.count()).where(Case.status != "closed")) or 0)
        return depth, oldest, open_cases
