"""Erase a user everywhere: what /forget does. Cases stay only as anonymous statistics."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case, CaseMessage, NewsSubscription, Outbox, UnansweredText, User


async def erase_user(session: AsyncSession, user: User) -> list[int]:
    """Delete the user, their messages and relayed content; unlink and strip their cases. Returns case ids."""
    case_ids = list(await session.scalars(select(Case.id).where(Case.user_id == user.id)))
    if case_ids:
        await session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(case_ids)))
        await session.execute(delete(Outbox).where(Outbox.case_id.in_(case_ids)))
        await session.execute(update(Case).where(Case.id.in_(case_ids)).values(
            user_id=None, summary=None, shared_name=None, pseudonym="(erased)"))
    await session.execute(delete(Outbox).where(Outbox.chat_id == user.chat_id, Outbox.channel == user.channel))
    await session.execute(delete(NewsSubscription).where(NewsSubscription.user_id == user.id))
    await session.execute(delete(UnansweredText).where(UnansweredText.user_id == user.id))
    await session.execute(delete(User).where(User.id == user.id))
    return case_ids
