"""The local Bot API server answers as Telegram does, and keeps browser sessions apart."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramServerError

from bot.botapi.methods import METHODS, RETURNS
from bot.botapi.server import BotApiServer
from bot.botapi.state import Fault
from bot.telegram import make_bot
from tests.support.botapi_spec import spec
from tests.support.harness import Person

TOKEN = "42:TEST"


def spec_name(lowered: str) -> str:
    return next(name for name in spec()["methods"] if name.lower() == lowered)


def test_every_implemented_method_exists_in_the_spec_with_the_same_return_type():
    for name in METHODS:
        official = spec()["methods"][spec_name(name)]
        assert " or ".join(official["returns"]) == RETURNS[name], name


@pytest.fixture
async def api(sim):
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{sim.port}") as http:
        yield http


async def call(api: aiohttp.ClientSession, method: str, **params) -> dict:
    async with api.post(f"/bot{TOKEN}/{method}", data={k: v if isinstance(v, str) else json.dumps(v)
                                                        for k, v in params.items()}) as resp:
        body = await resp.json()
        assert (resp.status == 200) == body["ok"]
        return body


async def test_a_method_called_without_its_required_parameters_gets_telegrams_400(api):
    for name in METHODS:
        required = [f["name"] for f in spec()["methods"][spec_name(name)].get("fields", []) if f["required"]]
        if not required:
            continue
        body = await call(api, spec_name(name))
        assert body["error_code"] == 400 and body["description"].startswith("Bad Request"), name


async def test_unknown_methods_and_malformed_tokens_are_refused(api):
    async with api.post(f"/bot{TOKEN}/sendPigeon") as resp:
        assert resp.status == 404 and (await resp.json())["description"] == "Not Found: method not found"
    async with api.post("/botnot-a-token/getMe") as resp:
        assert resp.status == 401


async def test_send_message_accepts_every_parameter_the_spec_lists(sim, api):
    Person(sim, chat_id=77, token=TOKEN)
    sample = {"Integer": 1, "String": "x", "Boolean": True}
    params = {}
    for field in spec()["methods"]["sendMessage"]["fields"]:
        kind = field["types"][0]
        params[field["name"]] = sample.get(kind, {})
    params.update(chat_id=77, text="<b>hello</b> &amp; welcome", parse_mode="HTML", message_thread_id=None,
                  entities=[], reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
                  reply_parameters=None, link_preview_options={"is_disabled": True}, suggested_post_parameters=None,
                  direct_messages_topic_id=None, business_connection_id=None, message_effect_id=None)
    body = await call(api, "sendMessage", **{k: v for k, v in params.items() if v is not None})
    assert body["ok"], body
    assert body["result"]["text"] == "hello & welcome"
    assert body["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 5}]


async def test_html_that_telegram_would_refuse_is_refused(sim, api):
    Person(sim, chat_id=78, token=TOKEN)
    for bad in ("<b>open", "<script>x</script>", "a < b", "</i>"):
        body = await call(api, "sendMessage", chat_id=78, text=bad, parse_mode="HTML")
        assert body["error_code"] == 400 and "can't parse entities" in body["description"], bad
    body = await call(api, "sendMessage", chat_id=78, text="x" * 4097)
    assert body["description"] == "Bad Request: message is too long"
    body = await call(api, "sendMessage", chat_id=999, text="hi")
    assert body["description"] == "Bad Request: chat not found"


async def test_forum_topics_work_like_telegrams(sim, api):
    sim.registry.bot(TOKEN)
    async with api.post("/sim/chats", json={"bot_token": TOKEN, "chat_id": -100500, "type": "supergroup",
                                           "title": "Staff", "is_forum": True}) as resp:
        assert resp.status == 200
    topic = (await call(api, "createForumTopic", chat_id=-100500, name="Case 17 · ru · FI"))["result"]
    sent = await call(api, "sendMessage", chat_id=-100500, text="card", message_thread_id=topic["message_thread_id"])
    assert sent["result"]["message_thread_id"] == topic["message_thread_id"] and sent["result"]["is_topic_message"]
    assert (await call(api, "closeForumTopic", chat_id=-100500, message_thread_id=topic["message_thread_id"]))["ok"]
    sim.registry.bot(TOKEN).chats[-100500].bot_can_manage_topics = False
    closed = await call(api, "sendMessage", chat_id=-100500, text="x", message_thread_id=topic["message_thread_id"])
    assert closed["description"] == "Bad Request: TOPIC_CLOSED"
    assert (await call(api, "reopenForumTopic", chat_id=-100500, message_thread_id=topic["message_thread_id"]))["ok"]
    missing = await call(api, "sendMessage", chat_id=-100500, text="x", message_thread_id=99999)
    assert missing["description"] == "Bad Request: message thread not found"


async def test_get_updates_long_polls_and_confirms_by_offset(sim, api):
    anna = Person(sim, chat_id=79, token=TOKEN)
    waiter = asyncio.create_task(call(api, "getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    anna.send("hello")
    first = (await waiter)["result"]
    assert [u["message"]["text"] for u in first] == ["hello"]
    again = (await call(api, "getUpdates", offset=first[-1]["update_id"] + 1, timeout=0))["result"]
    assert again == []


async def test_the_bot_waits_out_a_429_and_retries(sim):
    Person(sim, chat_id=80, token=TOKEN)
    bot = make_bot(TOKEN, f"http://127.0.0.1:{sim.port}")
    sim.registry.bot(TOKEN).faults.append(Fault(method="sendmessage", count=2, error_code=429,
                                                description="Too Many Requests: retry after 1", retry_after=1))
    try:
        message = await bot.send_message(80, "after the storm")
        assert message.text == "after the storm"
        assert sim.calls["sendmessage"] == 3
        with pytest.raises(TelegramBadRequest):
            await bot.send_message(80, "<b>broken", parse_mode="HTML")
    finally:
        await bot.session.close()


async def test_a_persistent_5xx_reaches_the_caller_after_bounded_retries(sim):
    Person(sim, chat_id=81, token=TOKEN)
    bot = make_bot(TOKEN, f"http://127.0.0.1:{sim.port}")
    sim.registry.bot(TOKEN).faults.append(Fault(method="sendmessage", count=50, error_code=502,
                                                description="Bad Gateway"))
    try:
        with pytest.raises(TelegramServerError):
            await bot.send_message(81, "lost?")
        assert sim.calls["sendmessage"] == 5
    finally:
        await bot.session.close()


@pytest.fixture
async def web():
    server = BotApiServer(web_token="9:WEB")
    await server.start("127.0.0.1", 0)
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{server.port}") as http:
        yield server, http
    await server.stop()


async def open_session(http: aiohttp.ClientSession) -> dict:
    async with http.post("/api/session", json={"lang": "ru"}) as resp:
        return await resp.json()


async def test_a_browser_session_sees_only_its_own_chat(web):
    server, http = web
    a, b = await open_session(http), await open_session(http)
    assert a["token"] != b["token"] and len(a["token"]) >= 40
    async with http.post("/api/send", json={"text": "secret of A"}, headers={"Authorization": f"Bearer {a['token']}"}):
        pass
    async with http.get("/api/events?after=0&timeout=0", headers={"Authorization": f"Bearer {b['token']}"}) as resp:
        assert (await resp.json())["events"] == []
    async with http.get("/api/events?after=0&timeout=0", headers={"Authorization": f"Bearer {a['token']}"}) as resp:
        events = (await resp.json())["events"]
    assert [e["message"]["html"] for e in events] == ["secret of A"]
    async with http.get("/api/events", headers={"Authorization": "Bearer forged"}) as resp:
        assert resp.status == 401


async def test_the_web_chat_limits_size_and_rate_and_refuses_forged_buttons(web):
    server, http = web
    s = await open_session(http)
    auth = {"Authorization": f"Bearer {s['token']}"}
    async with http.post("/api/send", json={"text": "x" * 5000}, headers=auth) as resp:
        assert resp.status == 413
    async with http.post("/api/press", json={"message_id": 1, "data": "priv:accept"}, headers=auth) as resp:
        assert resp.status == 400
    statuses = []
    for _ in range(25):
        async with http.post("/api/send", json={"text": "hi"}, headers=auth) as resp:
            statuses.append(resp.status)
    assert statuses.count(200) == 20 and statuses[-1] == 429


async def test_the_chat_page_is_served_with_a_strict_content_security_policy(web):
    server, http = web
    async with http.get("/") as resp:
        assert resp.status == 200
        csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'self'" in csp
    async with http.get("/healthz") as resp:
        assert (await resp.json()) == {"ok": True}


async def test_bot_messages_reach_the_page_as_escaped_html(web):
    server, http = web
    s = await open_session(http)
    bot = make_bot("9:WEB", f"http://127.0.0.1:{server.port}")
    try:
        await bot.send_message(s["chat_id"], "<b>Hi</b> &lt;script&gt;alert(1)&lt;/script&gt;",
                               parse_mode="HTML")
    finally:
        await bot.session.close()
    async with http.get("/api/events?after=0&timeout=0", headers={"Authorization": f"Bearer {s['token']}"}) as resp:
        html = (await resp.json())["events"][-1]["message"]["html"]
    assert html == "<b>Hi</b> &lt;script&gt;alert(1)&lt;/script&gt;"


async def test_the_page_learns_the_quick_exit_address_and_the_widget_is_served(web):
    _server, http = web
    async with http.get("/api/config") as resp:
        assert await resp.json() == {"quick_exit_url": "https://en.wikipedia.org/wiki/Weather", "max_text": 4096}
    async with http.get("/widget.js") as resp:
        assert resp.status == 200 and "javascript" in resp.content_type
        assert "attachShadow" in await resp.text()
    async with http.get("/demo.html") as resp:
        assert resp.status == 404  # only with LYKTA_WEB_DEMO_PAGE
    demo = BotApiServer(web_token="9:WEB", quick_exit_url="http://127.0.0.1:1/news", demo_page=True,
                        allowed_origins=["https://ngo.example.org"])
    await demo.start("127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{demo.port}") as other:
            async with other.get("/api/config") as resp:
                assert (await resp.json())["quick_exit_url"] == "http://127.0.0.1:1/news"
            async with other.get("/demo.html") as resp:
                assert resp.status == 200 and 'src="/widget.js"' in await resp.text()
            async with other.get("/") as resp:
                assert "frame-ancestors 'self' https://ngo.example.org" in resp.headers["Content-Security-Policy"]
    finally:
        await demo.stop()
