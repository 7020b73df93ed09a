"""News goes only to subscribers; an interrupted send, run again, queues nobody twice; blocked people are skipped."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from db import Repos, create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models import Outbox


@pytest.fixture
async def sessions(database_url):
    await asyncio.to_thread(upgrade, database_url)
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _people(repos: Repos, n: int, lang: str = "ru", country: str = "FI") -> list[int]:
    ids = []
    for i in range(n):
        user = await repos.users.get_or_create("telegram", 7000 + i)
        await repos.news.subscribe(user.id, lang, country)
        ids.append(user.id)
    return ids


async def test_an_interrupted_send_run_again_queues_each_person_once(sessions):
    async with sessions() as s:
        repos = Repos(s)
        await _people(repos, 5)
        await repos.users.get_or_create("telegram", 7999)  # never subscribed
        other = await repos.users.get_or_create("telegram", 7998)
        await repos.news.subscribe(other.id, "fi", "FI")  # another language
        await s.commit()
    async with sessions() as s:
        repos = Repos(s)
        recipients = await repos.news.recipients("ru", "FI")
        assert len(recipients) == 5
        assert await repos.news.enqueue("n1", recipients[:2], {"text": "x"}) == 2
        await s.commit()  # ...and the command dies here
    async with sessions() as s:
        repos = Repos(s)
        assert await repos.news.enqueue("n1", await repos.news.recipients("ru", "FI"), {"text": "x"}) == 3
        assert await repos.news.enqueue("n1", await repos.news.recipients("ru", "FI"), {"text": "x"}) == 0
        await s.commit()
        rows = list(await s.scalars(select(Outbox.chat_id).where(Outbox.op == "news")))
    assert sorted(rows) == [7000, 7001, 7002, 7003, 7004]


async def test_blocked_people_are_skipped_and_unsubscribing_stops_the_news(sessions):
    async with sessions() as s:
        repos = Repos(s)
        ids = await _people(repos, 3, "en", "SE")
        await s.commit()
    async with sessions() as s:
        repos = Repos(s)
        await repos.news.mark_blocked("telegram", 7001)
        assert await repos.news.unsubscribe(ids[2]) is True
        assert await repos.news.unsubscribe(ids[2]) is False
        await s.commit()
        assert [r.chat_id for r in await repos.news.recipients("en", "SE")] == [7000]
        await repos.news.subscribe(ids[1], "en", "SE")  # subscribing again clears the block
        await s.commit()
        assert [r.chat_id for r in await repos.news.recipients("en", "SE")] == [7000, 7001]
        count = await s.scalar(select(func.count()).select_from(Outbox))
    assert count == 0
