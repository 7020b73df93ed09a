"""The database keeps one row per chat, one claim per update, and counts without texts — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from db import Repos, create_engine, create_sessionmaker
from db.migrate import downgrade, upgrade
from db.models import TopicFeedback, UnansweredDay, UnansweredText, User


@pytest.fixture
async def sessions(database_url):
    await asyncio.to_thread(upgrade, database_url)
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def test_a_chat_gets_one_user_row_however_often_it_writes(sessions):
    async with sessions() as s:
        repos = Repos(s)
        first = await repos.users.get_or_create("telegram", 42)
        again = await repos.users.get_or_create("telegram", 42)
        other_channel = await repos.users.get_or_create("web", 42)
        await s.commit()
    assert first.id == again.id != other_channel.id
    assert (first.language, first.jurisdiction, first.consent_at) == (None, None, None)


async def test_an_update_can_be_claimed_once(sessions):
    async with sessions() as s:
        repos = Repos(s)
        assert await repos.updates.claim("telegram", 1001) is True
        assert await repos.updates.claim("telegram", 1001) is False
        assert await repos.updates.claim("web", 1001) is True
        await s.commit()
    async with sessions() as s:
        assert await Repos(s).updates.claim("telegram", 1001) is False


async def test_unanswered_questions_are_counted_and_their_text_kept_only_with_consent(sessions):
    async with sessions() as s:
        repos = Repos(s)
        agreed = await repos.users.get_or_create("telegram", 1)
        await repos.users.accept_privacy(agreed, share_unanswered=True)
        silent = await repos.users.get_or_create("telegram", 2)
        await repos.users.accept_privacy(silent, share_unanswered=False)
        await repos.stats.count_unanswered("ru", agreed, "вопрос без ответа")
        await repos.stats.count_unanswered("ru", silent, "private words")
        await repos.stats.count_unanswered("fi", None, "ei vastausta")
        await s.commit()
    async with sessions() as s:
        counts = {r.language: r.count for r in (await s.scalars(select(UnansweredDay))).all()}
        texts = [t.text for t in (await s.scalars(select(UnansweredText))).all()]
    assert counts == {"ru": 2, "fi": 1}
    assert texts == ["вопрос без ответа"]


async def test_feedback_is_counted_per_topic_and_language(sessions):
    async with sessions() as s:
        repos = Repos(s)
        for helped in (True, True, False):
            await repos.stats.record_feedback("parcels.send", "ru", helped)
        await s.commit()
    async with sessions() as s:
        row = await s.scalar(select(TopicFeedback))
    assert (row.topic, row.language, row.helped, row.not_helped) == ("parcels.send", "ru", 2, 1)


async def test_migrations_go_down_and_up_again(database_url):
    await asyncio.to_thread(upgrade, database_url)
    await asyncio.to_thread(downgrade, database_url, "base")
    await asyncio.to_thread(upgrade, database_url)
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as s:
        assert await s.scalar(select(func.count()).select_from(User)) == 0
    await engine.dispose()
