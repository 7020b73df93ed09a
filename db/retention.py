"""Retention: what is kept, for how long. Run by the bot once an hour (and by `lykta retention run`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case, CaseMessage, Outbox, ProcessedUpdate, UnansweredText, User, utcnow

UPDATE_IDS_KEPT = dt.timedelta(days=7)


@dataclass(frozen=True)
class Purged:
    case_contents: int
    users: int
    unanswered_texts: int
    update_ids: int


async def purge(session: AsyncSession, days: int, now: dt.datetime | None = None) -> Purged:
    """Closed cases lose their contents after `days` (anonymous statistics stay); inactive users are deleted."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=days)
    old_cases = select(Case.id).where(Case.status == "closed", Case.closed_at < cutoff)
    messages = await session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(old_cases)))
    await session.execute(delete(Outbox).where(Outbox.case_id.in_(old_cases)))
    await session.execute(update(Case).where(Case.id.in_(old_cases), Case.summary.is_not(None))
                          .values(summary=None, shared_name=None))
    has_open_case = exists().where(Case.user_id == User.id, Case.status != "closed")
    inactive = list(await session.scalars(select(User.id).where(and_(User.last_seen_at < cutoff, ~has_open_case))))
    if inactive:
        await session.execute(update(Case).where(Case.user_id.in_(inactive)).values(user_id=None, pseudonym="(expired)"))
        await session.execute(delete(UnansweredText).where(UnansweredText.user_id.in_(inactive)))
        await session.execute(delete(User).where(User.id.in_(inactive)))
    texts = await session.execute(delete(UnansweredText).where(UnansweredText.created_at < cutoff))
    updates = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - UPDATE_IDS_KEPT))
    return Purged(int(messages.rowcount or 0), len(inactive), int(texts.rowcount or 0), int(updates.rowcount or 0))
