"""How many cases an hour one staff group sustains: the outbox worker relaying into one forum supergroup,
paced at Telegram's ~20 messages a minute per group, against the local Bot API server.

    .venv/bin/python bench/staff_group.py [--seconds 60] [--relays-per-case 10]

Prints relays per minute into the group and the cases per hour that allows; 429s from the server (if any)
are counted. It uses a real SQLite database, the real outbox worker and real HTTP to the server.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiogram.utils.i18n import I18n  # noqa: E402

from bot.app import LOCALES  # noqa: E402
from bot.botapi.server import BotApiServer  # noqa: E402
from bot.outbox import OutboxWorker  # noqa: E402
from bot.telegram import make_bot  # noqa: E402
from db import Repos, create_engine, create_sessionmaker  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Case  # noqa: E402
from handlers.deps import AppInfo, Network, Organisation  # noqa: E402
from knowledge import load_knowledge_base  # noqa: E402
from tests.support.harness import BOT_TOKEN, staff_group  # noqa: E402

GROUP = -1009999


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--relays-per-case", type=int, default=10)
    args = parser.parse_args()
    server = BotApiServer(sim=True)
    await server.start("127.0.0.1", 0)
    group = staff_group(server, GROUP)
    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    org = Organisation(id="bench", name="Bench", staff_chat_id=GROUP)
    app = AppInfo(languages=("en",), default_language="en", kb=load_knowledge_base(), matcher=None,
                  network=Network((org,), "bench"))
    bot = make_bot(BOT_TOKEN, f"http://127.0.0.1:{server.port}")
    async with sessions() as session:
        case = Case(staff_chat_id=GROUP, organisation="bench", status="open", language="en", pseudonym="Bench 1")
        session.add(case)
        await session.flush()
        repos = Repos(session)
        for i in range(2000):  # far more than the group can take in the time
            await repos.outbox.enqueue(f"bench:{i}", channel="telegram", op="send", chat_id=GROUP,
                                       payload={"text": f"relay {i}"}, case_id=case.id, to_thread=True)
        await session.commit()
    worker = OutboxWorker(sessions, {"telegram": bot}, app, I18n(path=LOCALES, default_locale="en"),
                          single_process=True)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    started = time.monotonic()
    await asyncio.sleep(args.seconds)
    stop.set()
    await task
    elapsed = time.monotonic() - started
    relays = sum(1 for e in group.events if e["type"] == "message" and e["message"].get("text", "").startswith("relay"))
    per_minute = relays / elapsed * 60
    print(f"{relays} relays in {elapsed:.0f} s into one group: {per_minute:.1f} relays/min "
          f"(Telegram's limit ~20/min incl. a burst of 3 at the start)")
    print(f"at {args.relays_per_case} relays per case: {per_minute * 60 / args.relays_per_case:.0f} cases/hour "
          f"per staff group")
    await bot.session.close()
    await engine.dispose()
    await server.stop()


if __name__ == "__main__":
    asyncio.run(main())
