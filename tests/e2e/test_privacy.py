"""A user sees everything stored about them, and /forget leaves no trace of them in any table."""

from __future__ import annotations

import json

from sqlalchemy import MetaData, select

from db import create_engine
from tests.e2e.test_cases import STAFF_CHAT, open_case_en
from tests.e2e.test_onboarding import onboard
from tests.support.harness import GroupMember, Person, staff_group


async def scan_for(database_url: str, needles: set[int | str]) -> list[str]:
    """Every table and column where one of the needles still appears."""
    engine = create_engine(database_url)
    found: list[str] = []
    try:
        async with engine.connect() as conn:
            meta = MetaData()
            await conn.run_sync(meta.reflect)
            for table in meta.sorted_tables:
                for row in (await conn.execute(select(table))).mappings():
                    for column, value in row.items():
                        text = json.dumps(value, default=str, ensure_ascii=False) if value is not None else ""
                        numbers = {n for n in needles if isinstance(n, int)}
                        if (isinstance(value, int) and value in numbers) or any(
                                str(n) in text for n in needles if isinstance(n, str)):
                            found.append(f"{table.name}.{column}")
    finally:
        await engine.dispose()
    return found


async def test_forget_erases_the_user_everywhere_and_tells_the_staff(sim, database_url, start_bot):
    group = staff_group(sim, STAFF_CHAT)
    sofia = GroupMember(sim, group, 9001, "Sofia")
    await start_bot(database_url, LYKTA_STAFF_CHAT_ID=str(STAFF_CHAT), LYKTA_WORKING_HOURS="")
    lina = Person(sim, chat_id=770001, first_name="Lina")
    lina.send("/start")
    ask = await lina.reply()
    lina.press(ask, "lang:en")
    country = await lina.reply(lambda m: "ctry:" in json.dumps(m.get("reply_markup", {})))
    lina.press(country, "ctry:DK")
    notice = await lina.reply(lambda m: "priv:" in json.dumps(m.get("reply_markup", {})))
    lina.press(notice, "priv:share")  # agrees to keep unanswered questions
    await lina.reply()
    lina.send("zxqv blorft snark wibble")  # nothing matches: kept, since she agreed
    await lina.reply()
    number = await open_case_en(lina)
    card = await sofia.reply(lambda m: "st:claim" in json.dumps(m))
    lina.send("my secret family matter 4711")
    await sofia.reply(lambda m: "4711" in m.get("text", ""))

    lina.send("/mydata")
    mine = await lina.reply()
    assert "DK" in mine["text"] or "Denmark" in mine["text"]
    assert f"#{number}" in mine["text"] and "zxqv blorft" in mine["text"]

    lina.send("/forget")
    confirm = await lina.reply()
    lina.press(confirm, "fg:yes")
    done = await lina.reply(lambda m: "erased" in m["text"])
    assert "new user" in done["text"]
    told = await sofia.reply(lambda m: m.get("message_thread_id") == card["message_thread_id"]
                             and "erased their data" in m.get("text", ""), timeout=20)
    assert told

    leftovers = await scan_for(database_url, {770001, "4711", "zxqv blorft", "Lina"})
    assert leftovers == [], leftovers
    sofia.write("hello?", card["message_thread_id"])
    assert await lina.quiet(1.5) == []
