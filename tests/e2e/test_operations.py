"""What an operator relies on: a flood from one person doesn't slow others; health and metrics answer."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from tests.support.harness import Person


async def test_a_flood_from_one_person_is_answered_once_and_others_are_not_slowed(sim, sqlite_url, start_bot):
    proc = await start_bot(sqlite_url, LYKTA_RATE_LIMIT_PER_MINUTE="10")
    flooder, calm = Person(sim, chat_id=8001, language_code="en"), Person(sim, chat_id=8002)
    for i in range(40):
        flooder.send(f"spam spam {i}")
    started = time.monotonic()
    calm.send("/help")
    assert "/topics" in (await calm.reply())["text"]
    assert time.monotonic() - started < 5
    await asyncio.sleep(2)
    texts = [e["message"]["text"] for e in flooder.chat.events if e["type"] == "message"
             and e["message"]["from"]["is_bot"]]
    assert sum("very quickly" in t for t in texts) == 1
    assert len(texts) <= 11  # ten answers at most, then one notice

    async with aiohttp.ClientSession() as http:
        async with http.get(f"{proc.web_url}/healthz") as resp:
            assert resp.status == 200
        async with http.get(f"{proc.web_url}/metrics") as resp:
            body = await resp.text()
    assert 'lykta_updates_total{channel="telegram"}' in body
    assert "lykta_matcher_decisions_total" in body and "lykta_outbox_pending" in body
