"""A new user meets the bot: language, country, privacy notice; the choices are stored only after consent."""

from __future__ import annotations

import asyncio
import json
import socket

import aiohttp
from sqlalchemy import select

from db import User, create_engine, create_sessionmaker
from db.models import ProcessedUpdate
from tests.support.harness import Person, buttons


async def stored_user(database_url: str, chat_id: int) -> User | None:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await session.scalar(select(User).where(User.chat_id == chat_id))
    finally:
        await engine.dispose()


async def onboard(person: Person, lang: str = "ru", country: str = "FI", consent: str = "accept") -> dict:
    person.send("/start")
    ask = await person.reply()
    assert ("Русский", "lang:ru") in buttons(ask) and ("Suomi", "lang:fi") in buttons(ask)
    person.press(ask, f"lang:{lang}")
    country_q = await person.reply(lambda m: "ctry:" in json.dumps(m.get("reply_markup", {})))
    person.press(country_q, f"ctry:{country}")
    notice = await person.reply(lambda m: "priv:" in json.dumps(m.get("reply_markup", {})))
    person.press(notice, f"priv:{consent}")
    return notice


async def test_a_new_user_chooses_language_and_country_and_accepts_the_notice(sim, database_url, start_bot):
    await start_bot(database_url)
    anna = Person(sim, chat_id=5001, language_code="en")
    notice = await onboard(anna, "ru", "FI")
    assert "/forget" in notice["text"] and "/mydata" in notice["text"]
    assert "конфиденциальн" in notice["text"].lower()  # shown in the language just chosen
    welcome = await anna.reply()
    assert "/topics" in welcome["text"]
    user = await committed_user(database_url, 5001)
    assert user is not None and user.channel == "telegram"
    assert (user.language, user.jurisdiction) == ("ru", "FI")
    assert user.consent_at is not None


async def test_nothing_but_the_chat_id_is_stored_before_consent(sim, sqlite_url, start_bot):
    await start_bot(sqlite_url)
    olli = Person(sim, chat_id=5002)
    await onboard(olli, "fi", "SE", consent="decline")
    declined = await olli.reply()
    assert "/privacy" in declined["text"]
    user = await stored_user(sqlite_url, 5002)
    assert user is not None
    assert (user.language, user.jurisdiction, user.consent_at) == (None, None, None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_redelivered_update_has_one_effect(sim, database_url, start_bot):
    """Telegram redelivers a webhook update when it saw no answer in time; the bot must act once."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    await start_bot(database_url, LYKTA_WEBHOOK_URL=url, LYKTA_WEBHOOK_SECRET="s3cret-value",
                    LYKTA_WEBHOOK_PORT=str(port))
    maria = Person(sim, chat_id=5004)
    update = maria.send("/start")
    first = await maria.reply()
    assert buttons(first)
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=update) as resp:
            assert resp.status == 401  # no secret header: refused
        for _ in range(2):
            async with http.post(url, json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"}) as resp:
                assert resp.status == 200
    assert await maria.quiet(1.5) == []
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        rows = (await session.scalars(select(ProcessedUpdate).where(
            ProcessedUpdate.update_id == update["update_id"]))).all()
    await engine.dispose()
    assert len(rows) == 1


async def test_commands_work_at_any_time_and_unknown_input_gets_a_polite_reply(sim, sqlite_url, start_bot):
    await start_bot(sqlite_url)
    eero = Person(sim, chat_id=5003, language_code="fi")
    await onboard(eero, "en", "NO")
    await eero.reply()
    eero.send("/nonsense")
    assert "/help" in (await eero.reply())["text"]
    eero.send(None, sticker={"file_id": "STK1", "file_unique_id": "u1", "type": "regular", "width": 512,
                             "height": 512, "is_animated": False, "is_video": False})
    assert "text" in (await eero.reply())["text"].lower()
    eero.send(None, photo=[{"file_id": "PH1", "file_unique_id": "p1", "width": 90, "height": 90}])
    assert "text" in (await eero.reply())["text"].lower()
    eero.send("Why? " * 1000)  # 5,000 characters
    assert "long" in (await eero.reply())["text"].lower()
    eero.send("/language")
    menu_msg = await eero.reply()
    eero.press(menu_msg, "lang:xx")  # forged: a language that does not exist
    answer = await eero.callback_answer()
    assert answer["text"] and "no longer valid" in answer["text"]
    eero.press(menu_msg, "zz:forged:data")  # no handler matches this at all
    assert "no longer valid" in (await eero.callback_answer())["text"]
    eero.send("/help")
    assert "/country" in (await eero.reply())["text"]


async def committed_user(database_url: str, chat_id: int) -> User:
    """The user once the handler's transaction is committed (the reply is sent just before the commit)."""
    for _ in range(150):
        user = await stored_user(database_url, chat_id)
        if user is not None and user.consent_at is not None:
            return user
        await asyncio.sleep(0.1)
    raise AssertionError(f"user {chat_id} never accepted the notice")


async def test_a_deep_link_presets_language_and_country_and_still_asks_for_consent(sim, sqlite_url, start_bot):
    """`/start ru_FI` (t.me/<bot>?start=ru_FI, or the web widget's data-lang/data-country) skips those questions."""
    await start_bot(sqlite_url)
    vera = Person(sim, chat_id=5005, language_code="en")
    vera.send("/start ru_FI")
    notice = await vera.reply()
    assert "priv:accept" in json.dumps(notice["reply_markup"]) and "/mydata" in notice["text"]
    assert "конфиденциальн" in notice["text"].lower()
    vera.press(notice, "priv:accept")
    await vera.reply()
    user = await committed_user(sqlite_url, 5005)
    assert (user.language, user.jurisdiction) == ("ru", "FI") and user.consent_at is not None

    pekka = Person(sim, chat_id=5006)
    pekka.send("/start RU-KR")  # a country alone: the language is still asked, then straight to the notice
    ask = await pekka.reply()
    assert ("Suomi", "lang:fi") in buttons(ask)
    pekka.press(ask, "lang:fi")
    notice = await pekka.reply()
    assert "priv:accept" in json.dumps(notice["reply_markup"])
    pekka.press(notice, "priv:accept")
    await pekka.reply()
    user = await committed_user(sqlite_url, 5006)
    assert (user.language, user.jurisdiction) == ("fi", "RU-KR")
