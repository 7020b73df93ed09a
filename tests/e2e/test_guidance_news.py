"""Staff read guidance that users never see; people browse materials and choose news; a news send survives a crash."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from db import Repos, create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models import utcnow
from tests.e2e.test_cases import STAFF_CHAT
from tests.e2e.test_onboarding import onboard
from tests.support.harness import TEST_DATA_KEY, GroupMember, Person, buttons, staff_group

ROOT = Path(__file__).resolve().parents[2]


async def test_guidance_is_for_staff_only_and_users_browse_materials_and_choose_news(sim, sqlite_url, start_bot):
    group = staff_group(sim, STAFF_CHAT)
    sofia = GroupMember(sim, group, 9001, "Sofia")
    await start_bot(sqlite_url, LYKTA_STAFF_CHAT_ID=str(STAFF_CHAT))
    sofia.write("/guide should we contact the consulate", 0)
    note = await sofia.reply(lambda m: "Vienna" in m.get("text", ""))
    assert "art. 36" in note["text"]
    sofia_private = Person(sim, chat_id=9001, first_name="Sofia")  # staff, in a private chat with the bot
    sofia_private.send("/guide")
    listing = await sofia_private.reply(lambda m: "gd:" in json.dumps(m.get("reply_markup", {})))
    assert len(buttons(listing)) >= 7

    olga = Person(sim, chat_id=6201)
    await onboard(olga, "en", "FI")
    await olga.reply()
    olga.send("/guide how to accompany a complaint to the ombudsman")
    assert "for staff" in (await olga.reply())["text"]
    olga.press(listing, "gd:guide.safeguarding_crisis")  # a forged button
    assert "Only staff" in (await olga.callback_answer())["text"]
    olga.send("Should we contact the consulate for a client? Consulates and interpreters")
    answer = await olga.reply()
    assert "Consulates and interpreters" not in answer["text"]  # the public matcher knows no guide

    olga.send("/materials")
    audiences = await olga.reply(lambda m: "mt:" in json.dumps(m.get("reply_markup", {})))
    assert not any("staff" in data for _t, data in buttons(audiences))
    olga.press_button(audiences, "mt:families")
    material = await olga.reply(lambda m: "CM/Rec(2012)12" in m.get("text", ""))
    assert "rm.coe.int" in material["text"]
    olga.press(audiences, "mt:staff:")
    assert "Only staff" in (await olga.callback_answer())["text"]

    olga.send("/news")
    countries = await olga.reply(lambda m: "nw:sub" in json.dumps(m.get("reply_markup", {})))
    olga.press(countries, "nw:sub:FI")
    done = await olga.reply(lambda m: "/stop_news" in m.get("text", ""))
    assert "nw:stop" in json.dumps(done["reply_markup"])
    olga.send("/stop_news")
    assert "no longer" in (await olga.reply())["text"]
    olga.send("/stop_news")
    assert "not subscribed" in (await olga.reply())["text"]


def lykta(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("LYKTA_")}
    env.update({"LYKTA_DATABASE_URL": database_url, "LYKTA_DATA_KEY": TEST_DATA_KEY})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                          timeout=60)


async def test_a_news_send_interrupted_and_run_again_reaches_each_subscriber_once(sim, sqlite_url, start_bot,
                                                                                   tmp_path):
    await asyncio.to_thread(upgrade, sqlite_url)
    engine = create_engine(sqlite_url)
    async with create_sessionmaker(engine)() as s:
        repos = Repos(s)
        for chat in (6301, 6302, 6303):
            user = await repos.users.get_or_create("telegram", chat)
            user.language, user.jurisdiction, user.consent_at = "ru", "FI", utcnow()
            await repos.news.subscribe(user.id, "ru", "FI")
        await repos.users.get_or_create("telegram", 6304)  # never subscribed
        await s.commit()
    await engine.dispose()
    people = {chat: Person(sim, chat_id=chat) for chat in (6301, 6302, 6303, 6304)}
    people[6303].chat.blocked = True  # this one blocked the bot
    news = tmp_path / "news.html"
    news.write_text("<b>Новое</b>: часы посещений изменились.", encoding="utf-8")

    dry = lykta(sqlite_url, "news", "send", str(news), "--lang", "ru", "--country", "FI", "--dry-run")
    assert dry.returncode == 0 and "3 subscriber(s)" in dry.stdout, dry.stderr
    sent = lykta(sqlite_url, "news", "send", str(news), "--lang", "ru", "--country", "FI")
    assert "3 queued" in sent.stdout, sent.stderr

    bot = await start_bot(sqlite_url)
    for chat in (6301, 6302):
        got = await people[chat].reply(lambda m: "Новое" in m.get("text", ""))
        assert "nw:stop" in json.dumps(got["reply_markup"])
    await asyncio.sleep(1.0)  # the blocked one is tried and marked
    bot.kill()  # a crash
    await bot.proc.wait()
    again = lykta(sqlite_url, "news", "send", str(news), "--lang", "ru", "--country", "FI")
    assert "0 queued" in again.stdout, again.stderr  # running it again is safe
    await start_bot(sqlite_url)
    for person in people.values():
        assert not [m for m in await person.quiet(1.5) if "Новое" in m.get("text", "")]
    next_time = lykta(sqlite_url, "news", "send", str(news), "--lang", "ru", "--country", "FI", "--dry-run")
    assert "2 subscriber(s)" in next_time.stdout  # the one who blocked the bot is skipped
    assert not [e for e in people[6304].chat.events if e["type"] == "message"]  # never subscribed: nothing
