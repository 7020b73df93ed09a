"""Cases, their messages and staff: every state change is one conditional UPDATE, so two workers can't both win."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case, CaseMessage, StaffMember, User, utcnow
from db.policy import new_pseudonym
from db.repositories.base import insert_for


class CaseAlreadyOpen(Exception):
    """The user already has an open case; messages go there."""


@dataclass(frozen=True)
class CaseStats:
    open: int
    claimed: int
    closed_this_week: int
    median_first_reply_minutes: float | None
    open_by_language: dict[str, int]


class CasesRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, case_id: int) -> Case | None:
        return await self.session.get(Case, case_id)

    async def open_for_user(self, user_id: int) -> Case | None:
        return await self.session.scalar(select(Case).where(Case.user_id == user_id, Case.status != "closed"))

    async def of_user(self, user_id: int) -> list[Case]:
        return list(await self.session.scalars(select(Case).where(Case.user_id == user_id).order_by(Case.id)))

    async def history(self, user_id: int, limit: int = 5) -> list[Case]:
        rows = await self.session.scalars(select(Case).where(Case.user_id == user_id, Case.status == "closed")
                                          .order_by(Case.id.desc()).limit(limit))
        return list(rows)

    async def by_thread(self, staff_chat_id: int, thread_id: int) -> Case | None:
        return await self.session.scalar(select(Case).where(Case.staff_chat_id == staff_chat_id,
                                                            Case.thread_id == thread_id))

    async def open(self, user: User, *, staff_chat_id: int, organisation: str, language: str,
                   jurisdiction: str | None, topic: str | None, summary: str | None, shared_name: str | None,
                   urgent: bool = False, crisis: bool = False) -> Case:
        """Open a case; raise CaseAlreadyOpen if the user has one (the partial unique index decides races)."""
        if await self.open_for_user(user.id) is not None:
            raise CaseAlreadyOpen
        if not user.pseudonym:
            user.pseudonym = new_pseudonym()
        earlier = await self.session.scalar(select(func.max(Case.id)).where(Case.user_id == user.id))
        case = Case(user_id=user.id, previous_id=earlier, organisation=organisation, staff_chat_id=staff_chat_id,
                    status="open", urgent=urgent or crisis, crisis=crisis, language=language,
                    jurisdiction=jurisdiction, topic=topic, pseudonym=user.pseudonym, summary=summary,
                    shared_name=shared_name, created_at=utcnow())
        try:
            async with self.session.begin_nested():
                self.session.add(case)
                await self.session.flush()
        except IntegrityError:
            raise CaseAlreadyOpen from None
        return case

    async def _change(self, case_id: int, where: list, **values: object) -> bool:
        result = await self.session.execute(update(Case).where(Case.id == case_id, *where).values(**values)
                                            .execution_options(synchronize_session="fetch"))
        return bool(result.rowcount)

    async def claim(self, case_id: int, staff_id: int, staff_name: str) -> bool:
        return await self._change(case_id, [Case.status == "open", Case.claimed_by.is_(None)],
                                  status="claimed", claimed_by=staff_id, claimed_name=staff_name)

    async def release(self, case_id: int, staff_id: int) -> bool:
        return await self._change(case_id, [Case.status == "claimed", Case.claimed_by == staff_id],
                                  status="open", claimed_by=None, claimed_name=None)

    async def set_urgent(self, case_id: int, urgent: bool) -> bool:
        return await self._change(case_id, [Case.status != "closed", Case.urgent.is_(not urgent)], urgent=urgent)

    async def close(self, case_id: int) -> bool:
        return await self._change(case_id, [Case.status != "closed"], status="closed", closed_at=utcnow())

    async def transfer(self, case_id: int, organisation: str, staff_chat_id: int) -> bool:
        """Move an open case to another organisation's group: a fresh topic and card there, unclaimed."""
        return await self._change(case_id, [Case.status != "closed"], organisation=organisation,
                                  staff_chat_id=staff_chat_id, thread_id=None, card_message_id=None, status="open",
                                  claimed_by=None, claimed_name=None, reminded_at=None)

    async def set_thread(self, case_id: int, thread_id: int | None) -> None:
        await self._change(case_id, [], thread_id=thread_id)

    async def set_card(self, case_id: int, message_id: int) -> None:
        await self._change(case_id, [], card_message_id=message_id)

    async def mark_first_reply(self, case_id: int) -> None:
        await self._change(case_id, [Case.first_reply_at.is_(None)], first_reply_at=utcnow())

    async def set_feedback(self, case_id: int, user_id: int, answer: str) -> bool:
        return await self._change(case_id, [Case.user_id == user_id, Case.status == "closed",
                                            Case.feedback.is_(None)], feedback=answer)

    async def queue(self, organisation: str | None = None, limit: int = 30) -> list[Case]:
        """Open cases: unclaimed first, then urgent, then oldest."""
        stmt = select(Case).where(Case.status != "closed")
        if organisation:
            stmt = stmt.where(Case.organisation == organisation)
        stmt = stmt.order_by(Case.claimed_by.is_not(None), Case.urgent.desc(), Case.created_at).limit(limit)
        return list(await self.session.scalars(stmt))

    async def mine(self, staff_id: int) -> list[Case]:
        return list(await self.session.scalars(select(Case).where(Case.claimed_by == staff_id,
                                                                  Case.status == "claimed")
                                               .order_by(Case.created_at)))

    async def due_reminders(self, now: dt.datetime, after: dt.timedelta, urgent_after: dt.timedelta,
                            organisation: str | None = None) -> list[Case]:
        """Unclaimed open cases waiting longer than their reminder interval since opening or the last reminder."""
        def waited(delta: dt.timedelta):  # noqa: ANN202
            return or_(and_(Case.reminded_at.is_(None), Case.created_at <= now - delta), Case.reminded_at <= now - delta)

        stmt = select(Case).where(Case.status == "open", Case.thread_id.is_not(None),
                                  or_(and_(Case.urgent.is_(True), waited(urgent_after)),
                                      and_(Case.urgent.is_(False), waited(after))))
        if organisation is not None:
            stmt = stmt.where(Case.organisation == organisation)
        return list(await self.session.scalars(stmt))

    async def mark_reminded(self, case_id: int, now: dt.datetime) -> None:
        await self._change(case_id, [], reminded_at=now)

    async def stats(self, now: dt.datetime, organisation: str | None = None) -> CaseStats:
        mine = [Case.organisation == organisation] if organisation else []
        open_ = await self.session.scalar(select(func.count()).where(Case.status == "open", *mine)) or 0
        claimed = await self.session.scalar(select(func.count()).where(Case.status == "claimed", *mine)) or 0
        week = now - dt.timedelta(days=7)
        closed = await self.session.scalar(select(func.count()).where(Case.status == "closed",
                                                                      Case.closed_at >= week, *mine)) or 0
        rows = (await self.session.execute(select(Case.created_at, Case.first_reply_at)
                                           .where(Case.first_reply_at.is_not(None), Case.created_at >= week,
                                                  *mine))).all()
        waits = sorted((_aware(r.first_reply_at) - _aware(r.created_at)).total_seconds() / 60 for r in rows)
        median = None
        if waits:
            mid = len(waits) // 2
            median = waits[mid] if len(waits) % 2 else (waits[mid - 1] + waits[mid]) / 2
        by_lang = dict((await self.session.execute(select(Case.language, func.count()).where(Case.status != "closed",
                                                                                               *mine)
                                                   .group_by(Case.language))).all())
        return CaseStats(open_, claimed, closed, median, {k: int(v) for k, v in by_lang.items()})

    async def all(self, status: str | None = None) -> list[Case]:
        stmt = select(Case).order_by(Case.id)
        if status:
            stmt = stmt.where(Case.status == status)
        return list(await self.session.scalars(stmt))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class CaseMessagesRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, case_id: int, direction: str, channel: str, update_id: int, chat_id: int,
                     message_id: int, kind: str, author_id: int | None = None) -> bool:
        """Record a case message once per update; False if this update was already recorded."""
        stmt = insert_for(self.session, CaseMessage).values(
            case_id=case_id, direction=direction, channel=channel, update_id=update_id, chat_id=chat_id,
            message_id=message_id, kind=kind, author_id=author_id, created_at=utcnow())
        result = await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["channel", "update_id"]))
        return bool(result.rowcount)

    async def for_case(self, case_id: int) -> list[CaseMessage]:
        return list(await self.session.scalars(select(CaseMessage).where(CaseMessage.case_id == case_id)
                                               .order_by(CaseMessage.id)))


class StaffRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, telegram_id: int) -> StaffMember | None:
        return await self.session.get(StaffMember, telegram_id)

    async def add(self, telegram_id: int, name: str, languages: list[str], organisation: str = "default") -> None:
        stmt = insert_for(self.session, StaffMember).values(telegram_id=telegram_id, name=name,
                                                            languages=" ".join(languages),
                                                            organisation=organisation, on_duty=True,
                                                            added_at=utcnow())
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=["telegram_id"], set_={"name": name, "languages": " ".join(languages),
                                                  "organisation": organisation}))

    async def remove(self, telegram_id: int) -> bool:
        member = await self.get(telegram_id)
        if member is None:
            return False
        await self.session.delete(member)
        return True

    async def all(self) -> list[StaffMember]:
        return list(await self.session.scalars(select(StaffMember).order_by(StaffMember.name)))

    async def on_duty_for(self, language: str) -> list[StaffMember]:
        members = await self.session.scalars(select(StaffMember).where(StaffMember.on_duty.is_(True)))
        return [m for m in members if language in m.languages.split()]

    async def on_duty(self) -> list[StaffMember]:
        return list(await self.session.scalars(select(StaffMember).where(StaffMember.on_duty.is_(True))))
