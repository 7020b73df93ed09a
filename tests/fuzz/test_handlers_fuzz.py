"""Arbitrary input never breaks the bot: the whole Dispatcher with every router, fed hostile updates.

The bot talks to the local Bot API server, which refuses broken HTML exactly as Telegram does, so an
unescaped user string reaching Telegram shows up as a refused call.
"""

from __future__ import annotations

import asyncio
import logging
from functools import cache

import pytest
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.types import Update
from aiogram.utils.i18n import I18n
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import LOCALES, build_dispatcher, build_matcher
from bot.botapi.formatting import render_html
from bot.botapi.server import BotApiServer
from bot.config import load_settings
from bot.telegram import make_bot
from db import create_engine, create_sessionmaker
from db.migrate import upgrade
from handlers.deps import AppInfo, Channels
from knowledge import load_knowledge_base
from tests.support.harness import BOT_TOKEN, Person

HOSTILE = st.one_of(
    st.text(min_size=1, max_size=300),
    st.text(alphabet=st.sampled_from(list("<>&\"'/\\\u200b\u200e\u200f\u202e\u2066\ufeff\u0000бя😀ؤ")), min_size=1,
            max_size=200),
    st.sampled_from(["<b>bold</b>", "<script>alert(1)</script>", "&amp;&lt;", "/start@other_bot", "/", "//",
                     "x" * 5000, "\u202eevil", "a\u0000b", "<a href='javascript:x'>y</a>", "🙂" * 3000]),
)


@cache
def _kb_and_matcher():
    kb = load_knowledge_base()
    return kb, build_matcher(kb)


@pytest.fixture
async def wired(tmp_path):
    server = BotApiServer(sim=True, record=True)
    await server.start("127.0.0.1", 0)
    url = f"sqlite+aiosqlite:///{tmp_path}/fuzz.db"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    settings_ = load_settings(database_url=url, rate_limit_per_minute=10**6)
    kb, matcher = _kb_and_matcher()
    i18n = I18n(path=LOCALES, default_locale="en", domain="messages")
    bot = make_bot(BOT_TOKEN, f"http://127.0.0.1:{server.port}")
    app_info = AppInfo(languages=("en", "ru", "fi", "sv", "nb", "da"), default_language="en", kb=kb, matcher=matcher)
    dp = build_dispatcher(settings_, app_info, i18n, create_sessionmaker(engine), Channels({bot.id: "telegram"}),
                          MemoryStorage(), SimpleEventIsolation())
    yield server, bot, dp
    await bot.session.close()
    await engine.dispose()
    await server.stop()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(HOSTILE, min_size=1, max_size=3), chat=st.integers(min_value=1, max_value=10**9))
async def test_hostile_messages_get_polite_replies_and_nothing_breaks(wired, texts, chat, caplog):
    server, bot, dp = wired
    person = Person(server, chat_id=chat, token=BOT_TOKEN)
    before = dict(server.calls)
    with caplog.at_level(logging.ERROR, logger="lykta.errors"):
        for text in texts:
            update = person.send(text)
            await dp.feed_update(bot, Update.model_validate(update, context={"bot": bot}))
    assert not [r for r in caplog.records if r.name == "lykta.errors"], "a handler failed"
    sent = sum(server.calls.get(m, 0) - before.get(m, 0) for m in ("sendmessage", "editmessagetext"))
    assert sent >= len(texts)  # every message got an answer


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_whatever_text_a_page_receives_is_escaped(text):
    html = render_html(text, [{"type": "bold", "offset": 0, "length": len(text.encode("utf-16-le")) // 2}])
    assert "<script" not in html.lower() and html.count("<b>") <= 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.text(max_size=80))
async def test_forged_callback_data_is_answered_not_crashed(wired, data, caplog):
    server, bot, dp = wired
    person = Person(server, chat_id=4242, token=BOT_TOKEN)
    msg = {"message_id": 1, "from": {"id": bot.id, "is_bot": True, "first_name": "Lykta"},
           "chat": person.chat.as_json(), "date": 0, "text": "menu"}
    person.chat.messages[1] = msg
    update = server.press(server.registry.bot(BOT_TOKEN), person.chat, person.user, 1, data or "x")
    with caplog.at_level(logging.ERROR, logger="lykta.errors"):
        await dp.feed_update(bot, Update.model_validate(update, context={"bot": bot}))
    assert not [r for r in caplog.records if r.name == "lykta.errors"]
    answers = [e for e in person.chat.events if e["type"] == "callback_answer"
               and e["callback_query_id"] == update["callback_query"]["id"]]
    assert len(answers) == 1
