"""Message contents are encrypted at rest, keys rotate, and retention removes what is old."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Text, column, select, table

from db import Repos, create_engine, create_sessionmaker, crypto
from db.migrate import upgrade
from db.models import Case, CaseMessage, UnansweredText, User, utcnow
from db.retention import purge

ROOT = Path(__file__).resolve().parents[2]
KEY_A, KEY_B = crypto.new_key(), crypto.new_key()


@pytest.fixture
async def sessions(database_url):
    await asyncio.to_thread(upgrade, database_url)
    crypto.configure([KEY_A])
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()
    crypto.configure([])


async def raw_texts(sessions) -> list[str]:
    raw = table("unanswered_texts", column("text", Text))
    async with sessions() as s:
        return list(await s.scalars(select(raw.c.text)))


async def test_stored_question_texts_are_unreadable_without_the_key(sessions):
    async with sessions() as s:
        repos = Repos(s)
        user = await repos.users.get_or_create("telegram", 1)
        await repos.users.accept_privacy(user, share_unanswered=True)
        await repos.stats.count_unanswered("en", user, "my brother's case number 123-456")
        await s.commit()
    stored = await raw_texts(sessions)
    assert len(stored) == 1 and "brother" not in stored[0] and stored[0].startswith("gAAAA")
    async with sessions() as s:
        assert (await s.scalar(select(UnansweredText))).text == "my brother's case number 123-456"


async def test_keys_rotate_with_the_cli(sessions, database_url, tmp_path):
    async with sessions() as s:
        repos = Repos(s)
        user = await repos.users.get_or_create("telegram", 2)
        await repos.users.accept_privacy(user, share_unanswered=True)
        await repos.stats.count_unanswered("en", user, "rotate me")
        await s.commit()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LYKTA_")}
    env.update(LYKTA_DATABASE_URL=database_url, LYKTA_DATA_KEY=f"{KEY_B},{KEY_A}", LYKTA_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "bot", "keys", "rotate"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    crypto.configure([KEY_B])  # the old key is gone
    async with sessions() as s:
        assert (await s.scalar(select(UnansweredText))).text == "rotate me"


async def test_retention_purges_old_case_contents_and_inactive_users(sessions):
    old = utcnow() - dt.timedelta(days=200)
    async with sessions() as s:
        repos = Repos(s)
        gone = await repos.users.get_or_create("telegram", 3)
        kept = await repos.users.get_or_create("telegram", 4)
        case = Case(user_id=kept.id, staff_chat_id=-1, status="closed", language="en", pseudonym="Blue Owl 11",
                    summary="old story", created_at=old, closed_at=old)
        s.add(case)
        await s.flush()
        s.add(CaseMessage(case_id=case.id, direction="in", channel="telegram", update_id=1, chat_id=4, message_id=1,
                          kind="text", created_at=old))
        gone.last_seen_at = old
        await s.commit()
        case_id = case.id
    async with sessions() as s:
        purged = await purge(s, 180)
        await s.commit()
    assert purged.users == 1 and purged.case_contents == 1
    async with sessions() as s:
        assert await s.scalar(select(User).where(User.chat_id == 3)) is None
        assert await s.scalar(select(User).where(User.chat_id == 4)) is not None
        case = await s.get(Case, case_id)
        assert case.summary is None and case.status == "closed"  # the statistics stay
        assert (await s.scalars(select(CaseMessage))).all() == []
