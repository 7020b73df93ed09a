"""ORM models. Only what the service needs is stored: no names, no message texts unless the user agreed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.crypto import EncryptedJSON, EncryptedText


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class User(Base):
    """A person talking to the bot, identified by channel and chat id only."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_users_channel_chat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str | None] = mapped_column(String(8))
    jurisdiction: Mapped[str | None] = mapped_column(String(8))
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    share_unanswered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pseudonym: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())


class ProcessedUpdate(Base):
    """Update ids already handled, so a redelivered update has one effect."""

    __tablename__ = "processed_updates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    processed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())


class UnansweredDay(Base):
    """How many messages found no answer, per day and language: a count, never the text."""

    __tablename__ = "unanswered_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class UnansweredText(Base):
    """The text of an unanswered question, kept only when its writer agreed in the privacy notice."""

    __tablename__ = "unanswered_texts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())


class TopicFeedback(Base):
    """"This helped" / "did not help" counts per topic and language; not linked to a person."""

    __tablename__ = "topic_feedback"

    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    helped: Mapped[int] = mapped_column(Integer, default=0)
    not_helped: Mapped[int] = mapped_column(Integer, default=0)


class StaffMember(Base):
    """An NGO worker allowed to act on cases (besides members of the staff group)."""

    __tablename__ = "staff_members"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str] = mapped_column(String(64), default="default")
    languages: Mapped[str] = mapped_column(String(128), default="")  # space-separated codes
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())


class Case(Base):
    """A user's request for a person, handled by staff in one forum topic of a staff group."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("uq_cases_one_open_per_user", "user_id", unique=True,
              sqlite_where=text("status != 'closed'"), postgresql_where=text("status != 'closed'")),
        Index("ix_cases_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    organisation: Mapped[str] = mapped_column(String(64), default="default")
    staff_chat_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | claimed | closed
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    crisis: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    language: Mapped[str] = mapped_column(String(8))
    jurisdiction: Mapped[str | None] = mapped_column(String(8))
    topic: Mapped[str | None] = mapped_column(String(64))
    pseudonym: Mapped[str] = mapped_column(String(64))
    shared_name: Mapped[str | None] = mapped_column(String(128))  # only when the user ticked "share my name"
    summary: Mapped[str | None] = mapped_column(EncryptedText)  # what the user chose to share when opening
    claimed_by: Mapped[int | None] = mapped_column(BigInteger)
    claimed_name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
    first_reply_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    feedback: Mapped[str | None] = mapped_column(String(16))  # yes | partly | no


class CaseMessage(Base):
    """One message of a case: from the user, from staff, or an internal note. Ids, not texts, for relays."""

    __tablename__ = "case_messages"
    __table_args__ = (UniqueConstraint("channel", "update_id", name="uq_case_messages_update"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # in | out | note
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16), default="text")
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())


class Outbox(Base):
    """Durable outgoing work: each row is sent once by the outbox worker, paced and retried."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # which bot sends it
    op: Mapped[str] = mapped_column(String(24))  # send | copy | create_topic | close_topic | reopen_topic | edit | pin
    chat_id: Mapped[int] = mapped_column(BigInteger)
    to_thread: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    payload: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    result_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())


class NewsSubscription(Base):
    """Opt-in news: one row per person who asked for it (language and country), removed when they stop."""

    __tablename__ = "news_subscriptions"
    __table_args__ = (Index("ix_news_subscriptions_lang_country", "language", "country"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    language: Mapped[str] = mapped_column(String(8))
    country: Mapped[str] = mapped_column(String(8))
    blocked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # 403: skipped from then on
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
