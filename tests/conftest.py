"""Shared fixtures: databases (SQLite and the real PostgreSQL), the local Bot API server, the bot process.

With CI=true, PostgreSQL and Redis must be reachable: tests that need them fail instead of skipping.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.botapi.server import BotApiServer
from tests.support.botapi_spec import ptb_errors, value_errors
from tests.support.harness import SENT_TEXTS, BotProcess, bot_env

PG_ADMIN_URL = os.environ.get("LYKTA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("LYKTA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _unavailable(what: str, exc: Exception) -> None:
    if IN_CI:
        pytest.fail(f"{what} is required in CI but unreachable: {exc}")
    pytest.skip(f"{what} unreachable here: {exc}")


@contextlib.asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import asyncpg

    name = f"lykta_t_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    except Exception as exc:  # noqa: BLE001
        _unavailable("PostgreSQL", exc)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres() as url:
        yield url


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001
        _unavailable("Redis", exc)
    await client.flushdb()
    yield REDIS_URL
    await client.flushdb()
    await client.aclose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'lykta.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each test using this runs twice: on SQLite and on the real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'lykta.db'}"
    else:
        async with fresh_postgres() as url:
            yield url


@pytest.fixture
async def sim() -> AsyncIterator[BotApiServer]:
    """The local Bot API server as Telegram's double; every object it emitted is checked against the spec."""
    server = BotApiServer(sim=True, record=True)
    await server.start("127.0.0.1", 0)
    yield server
    await server.stop()
    problems: list[str] = []
    for item in server.emitted:
        problems += [f"{item['method'] or 'update'}: {e}" for e in value_errors(item["object"], item["type"])]
        problems += [f"{item['method'] or 'update'}: {e}" for e in ptb_errors(item["object"], item["type"])]
    assert not problems, "objects that break the Bot API spec:\n" + "\n".join(problems[:20])


@pytest.fixture
def sim_url(sim: BotApiServer) -> str:
    return f"http://127.0.0.1:{sim.port}"


@pytest.fixture
async def start_bot(sim_url: str, tmp_path: Path) -> AsyncIterator:
    """Start `lykta run` processes against the sim; each is stopped (and its log checked) at the end.

    Request the database fixture before this one, so the bot stops before its database is dropped.
    """
    started: list[BotProcess] = []

    async def _start(database_url: str, **env: str) -> BotProcess:
        from db.migrate import upgrade

        await asyncio.to_thread(upgrade, database_url)
        proc = BotProcess(bot_env(sim_url, database_url, **env), tmp_path / f"bot{len(started)}.log")
        started.append(proc)
        await proc.start()
        return proc

    yield _start
    for proc in started:
        await proc.stop()
    for proc in started:
        logs = proc.logs()
        assert "Traceback" not in logs, f"the bot logged a traceback:\n{logs[-4000:]}"
        leaked = [t for t in SENT_TEXTS if t in logs]
        assert not leaked, f"message texts in the bot's logs: {leaked[:3]}"
    SENT_TEXTS.clear()

