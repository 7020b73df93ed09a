"""Three workers in webhook mode behind a balancer, on PostgreSQL and Redis: one is killed under load,
and no update, case or relay is lost or doubled."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from db import create_engine, create_sessionmaker
from db.models import Case, CaseMessage, ProcessedUpdate
from tests.e2e.test_cases import STAFF_CHAT, open_case_en
from tests.e2e.test_onboarding import free_port, onboard
from tests.support.balancer import Balancer
from tests.support.harness import GroupMember, Person, eventually, staff_group


async def test_three_workers_lose_nothing_when_one_is_killed(sim, postgres_url, redis_url, start_bot):
    group = staff_group(sim, STAFF_CHAT)
    sofia = GroupMember(sim, group, 9001, "Sofia")
    ports = [free_port() for _ in range(3)]
    balancer = Balancer([f"http://127.0.0.1:{p}" for p in ports])
    lb_port = await balancer.start()
    try:
        workers = []
        for port in ports:
            workers.append(await start_bot(
                postgres_url, LYKTA_STAFF_CHAT_ID=str(STAFF_CHAT), LYKTA_WORKING_HOURS="", LYKTA_REDIS_URL=redis_url,
                LYKTA_WEBHOOK_URL=f"http://127.0.0.1:{lb_port}/telegram/webhook", LYKTA_WEBHOOK_SECRET="scale-out-1",
                LYKTA_WEBHOOK_PORT=str(port)))
        people = [Person(sim, chat_id=9500 + i) for i in range(4)]
        numbers = []
        for person in people:
            await onboard(person, "en", "SE")
            numbers.append(await open_case_en(person))
        threads = {}
        for number in numbers:
            card = await sofia.reply(lambda m, n=number: f"#{n}" in m.get("text", "") and "st:claim" in json.dumps(m),
                                     timeout=30)
            threads[number] = card["message_thread_id"]

        sent: dict[int, list[str]] = {n: [] for n in numbers}
        for round_ in range(6):
            for person, number in zip(people, numbers):
                text = f"case {number} line {round_}"
                sent[number].append(text)
                person.send(text)
            if round_ == 2:
                workers[0].kill()  # SIGKILL, mid-stream
            await asyncio.sleep(0.2)

        def relayed(number: int) -> list[str]:
            return [e["message"]["text"] for e in group.events if e["type"] == "message"
                    and e["message"].get("message_thread_id") == threads[number]
                    and e["message"].get("text", "").startswith(f"case {number} ")]

        await eventually(lambda: all(len(relayed(n)) >= len(sent[n]) for n in numbers), timeout=90,
                         what="every relay")
        await asyncio.sleep(3)  # room for a duplicate to show up
        for number in numbers:
            assert relayed(number) == sent[number]  # each once, in order
        engine = create_engine(postgres_url)
        async with create_sessionmaker(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(Case)) == len(numbers)
            assert await session.scalar(select(func.count()).select_from(CaseMessage)) == 6 * len(numbers)
            handled = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
        await engine.dispose()
        assert handled == sim.registry.bot(people[0].bot.token).next_update_id - 1  # every update, once
        assert sum(1 for b, n in balancer.forwarded.items() if n) == 3  # the load was spread
    finally:
        await balancer.stop()
