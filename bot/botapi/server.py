"""aiohttp routes of the local Bot API server.

- `/bot<token>/<method>`: the Bot API, as aiogram (or any client) calls it.
- `/api/...`: the browser side of the web chat (documented in docs/webchat-api.md).
- `/sim/...`: test-only controls (play users and staff, inject updates and faults); enabled only with `sim=True`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from bot.botapi.formatting import command_entities, render_html, utf16_len
from bot.botapi.methods import METHODS, RETURNS, ApiError, Params, canonical_name
from bot.botapi.state import BotState, Chat, Fault, Registry

log = logging.getLogger("lykta.botapi")
STATIC = Path(__file__).parent / "static"
DEMO_PAGE = Path(__file__).parent / "demo" / "demo.html"
DEFAULT_QUICK_EXIT = "https://en.wikipedia.org/wiki/Weather"
MAX_BODY = 60 * 1024 * 1024
WEB_MAX_TEXT = 4096
WEB_RATE = (20, 10.0)  # at most 20 sends per 10 s per browser session


def ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def fail(err: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": err.code, "description": err.description}
    if err.parameters:
        body["parameters"] = err.parameters
    return web.json_response(body, status=err.code)


class BotApiServer:
    """One server for the web chat and the tests; `sim` turns on the test controls."""

    def __init__(self, *, sim: bool = False, web_token: str | None = None, allowed_tokens: set[str] | None = None,
                 allowed_origins: list[str] | None = None, record: bool = False,
                 quick_exit_url: str = DEFAULT_QUICK_EXIT, demo_page: bool = False,
                 extra_routes: list[tuple[str, str, Any]] | None = None) -> None:
        self.extra_routes = extra_routes or []
        self.registry = Registry()
        self.sim = sim
        self.web_token = web_token
        self.allowed_tokens = allowed_tokens
        self.allowed_origins = allowed_origins or []
        self.quick_exit_url = quick_exit_url
        self.demo_page = demo_page
        self.record = record
        self.emitted: list[dict[str, Any]] = []
        self.calls: dict[str, int] = {}
        self._webhook_tasks: dict[str, asyncio.Task[None]] = {}
        self._http: ClientSession | None = None
        self._rate: dict[str, list[float]] = {}
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._headers])
        app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        app.router.add_get("/file/bot{token}/{file_id}/{name}", self.handle_file)
        app.router.add_post("/api/session", self.api_session)
        app.router.add_post("/api/send", self.api_send)
        app.router.add_post("/api/press", self.api_press)
        app.router.add_get("/api/events", self.api_events)
        app.router.add_post("/api/end", self.api_end)
        app.router.add_get("/api/config", self.api_config)
        app.router.add_get("/healthz", self.healthz)
        for method, path, handler in self.extra_routes:
            app.router.add_route(method, path, handler)
        if self.sim:
            app.router.add_post("/sim/chats", self.sim_chat)
            app.router.add_post("/sim/message", self.sim_message)
            app.router.add_post("/sim/callback", self.sim_callback)
            app.router.add_post("/sim/update", self.sim_update)
            app.router.add_get("/sim/events", self.sim_events)
            app.router.add_post("/sim/faults", self.sim_faults)
            app.router.add_post("/sim/block", self.sim_block)
            app.router.add_post("/sim/member", self.sim_member)
            app.router.add_get("/sim/log", self.sim_log)
            app.router.add_get("/sim/calls", self.sim_calls)
        app.router.add_get("/", self.index)
        app.router.add_get("/widget.js", self.widget_script)
        if self.demo_page:
            app.router.add_get("/demo.html", self.demo)
        app.router.add_static("/static/", STATIC, show_index=False)
        app.on_cleanup.append(self._cleanup)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _cleanup(self, _app: web.Application) -> None:
        for task in self._webhook_tasks.values():
            task.cancel()
        if self._http is not None:
            await self._http.close()

    @web.middleware
    async def _headers(self, request: web.Request, handler: Any) -> web.StreamResponse:
        response = await handler(request)
        if not request.path.startswith(("/bot", "/sim", "/file")):
            ancestors = " ".join(["'self'", *self.allowed_origins])
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                f"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    def _record(self, type_name: str, obj: Any, method: str | None = None) -> None:
        if self.record:
            self.emitted.append({"type": type_name, "object": obj, "method": method})

    # --- Bot API -------------------------------------------------------------------------------------------
    async def handle_method(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        name = canonical_name(request.match_info["method"])
        head, _, tail = token.partition(":")
        if not head.isdigit() or not tail or (self.allowed_tokens is not None and token not in self.allowed_tokens):
            return fail(ApiError(401, "Unauthorized"))
        if name is None:
            return fail(ApiError(404, "Not Found: method not found"))
        bot = self.registry.bot(token)
        self.calls[name] = self.calls.get(name, 0) + 1
        fault = bot.take_fault(name)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.drop:
                if request.transport is not None:
                    request.transport.close()
                raise asyncio.CancelledError
            if fault.error_code:
                params = {"retry_after": fault.retry_after} if fault.retry_after is not None else None
                return fail(ApiError(fault.error_code, fault.description, params))
        try:
            raw = await self._read_params(request)
            result = await METHODS[name](self.registry, bot, Params(raw))
        except ApiError as err:
            return fail(err)
        returns = RETURNS[name]
        if " or " in returns:  # e.g. "Message or Boolean": the first object type for objects
            returns = returns.split(" or ")[0] if isinstance(result, dict) else returns.split(" or ")[-1]
        if returns.startswith("Array of "):
            for item in result:
                self._record(returns.removeprefix("Array of "), item, name)
        else:
            self._record(returns, result, name)
        if name in ("setwebhook", "deletewebhook"):
            self._ensure_webhook_pusher(bot)
        return ok(result)

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return params
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError:
                raise ApiError(400, "Bad Request: can't parse JSON") from None
            if isinstance(body, dict):
                params.update(body)
        elif ctype.startswith("multipart/"):
            reader = await request.multipart()
            files: dict[str, tuple[str, bytes]] = {}
            async for part in reader:
                if part.name is None:
                    continue
                if part.filename:
                    files[part.name] = (part.filename, await part.read())
                else:
                    params[part.name] = await part.text()
            for key, value in list(params.items()):
                if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                    params[key] = files[value[9:]]
            for key, value in files.items():
                params.setdefault(key, value)
        else:
            params.update(await request.post())
        return {k: v for k, v in params.items()}

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        bot = self.registry.bots.get(request.match_info["token"])
        found = bot.files.get(request.match_info["file_id"]) if bot else None
        if not found:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=found[1], content_type="application/octet-stream")

    # --- webhook delivery ----------------------------------------------------------------------------------
    def _ensure_webhook_pusher(self, bot: BotState) -> None:
        task = self._webhook_tasks.get(bot.token)
        if bot.webhook_url and (task is None or task.done()):
            self._webhook_tasks[bot.token] = asyncio.create_task(self._push_webhook(bot))

    async def _push_webhook(self, bot: BotState) -> None:
        if self._http is None:
            self._http = ClientSession(timeout=ClientTimeout(total=60))
        delay = 0.2
        while bot.webhook_url:
            if not bot.updates:
                event = bot.update_added
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), 1.0)
                continue
            update = bot.updates[0]
            headers = {"X-Telegram-Bot-Api-Secret-Token": bot.webhook_secret} if bot.webhook_secret else {}
            try:
                async with self._http.post(bot.webhook_url, json=update, headers=headers) as resp:
                    delivered = 200 <= resp.status < 300
            except Exception:  # noqa: BLE001 - any failure means "try again later", as Telegram does
                delivered = False
            if delivered:
                if bot.updates and bot.updates[0] is update:
                    bot.updates.pop(0)
                delay = 0.2
            else:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    # --- updates from clients --------------------------------------------------------------------------
    def user_message(self, bot: BotState, chat: Chat, sender: dict[str, Any], *, text: str | None = None,
                     thread: int | None = None, extra: dict[str, Any] | None = None,
                     update_id: int | None = None) -> dict[str, Any]:
        msg: dict[str, Any] = {"message_id": chat.new_message_id(), "from": sender, "chat": chat.as_json(),
                               "date": int(time.time())}
        if thread is not None and thread in chat.topics:
            msg["message_thread_id"] = thread
            msg["is_topic_message"] = True
            msg["reply_to_message"] = chat.topics[thread]["root"]
        if chat.type != "private" and sender.get("id") not in chat.members:
            chat.members[sender["id"]] = {"status": "member", "user": sender}
        if text is not None:
            msg["text"] = text
            entities = command_entities(text)
            if entities:
                msg["entities"] = entities
        if extra:
            msg.update(extra)
        chat.messages[msg["message_id"]] = msg
        chat.emit("own_message", message=msg)
        update = bot.add_update("message", msg, update_id)
        self._record("Update", update)
        return update

    def press(self, bot: BotState, chat: Chat, sender: dict[str, Any], message_id: int, data: str) -> dict[str, Any]:
        msg = chat.messages.get(message_id)
        if msg is None:
            raise ApiError(400, "Bad Request: message not found")
        qid = self.registry.new_callback_id()
        bot.callback_queries[qid] = (chat.id, message_id)
        query = {"id": qid, "from": sender, "message": msg, "chat_instance": str(chat.id), "data": data}
        update = bot.add_update("callback_query", query)
        self._record("Update", update)
        return update

    # --- browser API -------------------------------------------------------------------------------------
    def _session(self, request: web.Request) -> tuple[BotState, Chat]:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        found = self.registry.session(token) if token else None
        if found is None:
            raise web.HTTPUnauthorized(text=json.dumps({"error": "unknown session"}), content_type="application/json")
        return found

    @staticmethod
    def _browser_user(chat: Chat, lang: str | None = None) -> dict[str, Any]:
        user = {"id": chat.id, "is_bot": False, "first_name": chat.first_name or "Guest"}
        if lang:
            user["language_code"] = lang
        return user

    def _allow(self, token: str) -> bool:
        now = time.monotonic()
        limit, window = WEB_RATE
        stamps = [t for t in self._rate.get(token, []) if now - t < window]
        allowed = len(stamps) < limit
        if allowed:
            stamps.append(now)
        self._rate[token] = stamps
        return allowed

    async def _json_body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise web.HTTPBadRequest(text=json.dumps({"error": "bad JSON"}), content_type="application/json") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text=json.dumps({"error": "bad JSON"}), content_type="application/json")
        return body

    async def api_session(self, request: web.Request) -> web.Response:
        if not self.web_token:
            return web.json_response({"error": "web chat is not enabled"}, status=503)
        body = await self._json_body(request) if request.can_read_body else {}
        token, chat = self.registry.new_session(self.web_token)
        lang = body.get("lang") if isinstance(body.get("lang"), str) and len(body["lang"]) <= 8 else None
        chat.first_name = "Guest"
        chat.username = None
        chat.topics = {}
        chat.lang = lang
        return web.json_response({"token": token, "chat_id": chat.id})

    async def api_send(self, request: web.Request) -> web.Response:
        bot, chat = self._session(request)
        body = await self._json_body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return web.json_response({"error": "empty"}, status=400)
        if utf16_len(text) > WEB_MAX_TEXT:
            return web.json_response({"error": "too_long", "limit": WEB_MAX_TEXT}, status=413)
        if not self._allow(request.headers["Authorization"]):
            return web.json_response({"error": "rate_limited", "retry_after": WEB_RATE[1]}, status=429)
        update = self.user_message(bot, chat, self._browser_user(chat, chat.lang), text=text)
        return web.json_response({"message_id": update["message"]["message_id"]})

    async def api_press(self, request: web.Request) -> web.Response:
        bot, chat = self._session(request)
        body = await self._json_body(request)
        data, mid = body.get("data"), body.get("message_id")
        if not isinstance(data, str) or not isinstance(mid, int) or len(data.encode()) > 64:
            return web.json_response({"error": "bad button"}, status=400)
        msg = chat.messages.get(mid)
        buttons = [b.get("callback_data") for row in (msg or {}).get("reply_markup", {}).get("inline_keyboard", [])
                   for b in row]
        if data not in buttons:
            return web.json_response({"error": "no such button"}, status=400)
        if not self._allow(request.headers["Authorization"]):
            return web.json_response({"error": "rate_limited", "retry_after": WEB_RATE[1]}, status=429)
        self.press(bot, chat, self._browser_user(chat, chat.lang), mid, data)
        return web.json_response({"ok": True})

    async def api_events(self, request: web.Request) -> web.Response:
        _bot, chat = self._session(request)
        try:
            after = int(request.query.get("after", "0"))
            timeout = min(float(request.query.get("timeout", "25")), 30.0)
        except ValueError:
            return web.json_response({"error": "bad query"}, status=400)
        events = await chat.wait_events(after, timeout)
        return web.json_response({"events": [self._for_browser(e) for e in events]})

    async def api_end(self, request: web.Request) -> web.Response:
        _bot, chat = self._session(request)
        token = request.headers["Authorization"].removeprefix("Bearer ").strip()
        self.registry.sessions.pop(token, None)
        chat.events.clear()
        chat.messages.clear()
        return web.json_response({"ok": True})

    @staticmethod
    def _for_browser(event: dict[str, Any]) -> dict[str, Any]:
        """What a page needs to draw an event: escaped HTML, never the raw text as markup."""
        out = {k: v for k, v in event.items() if k not in ("message",)}
        msg = event.get("message")
        if msg is not None:
            text = msg.get("text") or msg.get("caption") or ""
            entities = msg.get("entities") or msg.get("caption_entities") or []
            out["message"] = {
                "message_id": msg["message_id"],
                "outgoing": not msg.get("from", {}).get("is_bot", False),
                "html": render_html(text, entities),
                "buttons": [[{"text": b.get("text", ""), "data": b.get("callback_data"), "url": b.get("url")}
                             for b in row] for row in (msg.get("reply_markup") or {}).get("inline_keyboard", [])],
                "document": (msg.get("document") or {}).get("file_name"),
                "date": msg.get("date"),
            }
        return out

    async def api_config(self, request: web.Request) -> web.Response:
        """What a page needs before it has a session: public, the same for everyone."""
        return web.json_response({"quick_exit_url": self.quick_exit_url, "max_text": WEB_MAX_TEXT},
                                 headers={"Cache-Control": "no-store"})

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def widget_script(self, request: web.Request) -> web.StreamResponse:
        """The embed script at a short address: `<script src="https://chat.example.org/widget.js">`."""
        return web.FileResponse(STATIC / "widget.js")

    async def demo(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(DEMO_PAGE, headers={"Cache-Control": "no-store"})

    # --- test controls ------------------------------------------------------------------------------------
    def _bot_chat(self, body: dict[str, Any]) -> tuple[BotState, Chat]:
        bot = self.registry.bot(str(body["bot_token"]))
        chat_id = int(body["chat_id"])
        chat = bot.chat(chat_id)
        if chat is None:
            chat = Chat(id=chat_id, type="private", first_name=str(body.get("first_name") or "User"))
            bot.chats[chat_id] = chat
        return bot, chat

    async def sim_chat(self, request: web.Request) -> web.Response:
        body = await self._json_body(request)
        bot = self.registry.bot(str(body["bot_token"]))
        chat = Chat(id=int(body.get("chat_id") or self.registry.new_chat_id()), type=body.get("type", "private"),
                    title=body.get("title"), first_name=body.get("first_name"), username=body.get("username"),
                    is_forum=bool(body.get("is_forum")))
        bot.chats[chat.id] = chat
        return web.json_response(chat.as_json())

    async def sim_message(self, request: web.Request) -> web.Response:
        body = await self._json_body(request)
        bot, chat = self._bot_chat(body)
        sender = body.get("from") or {"id": chat.id, "is_bot": False, "first_name": chat.first_name or "User"}
        update = self.user_message(bot, chat, sender, text=body.get("text"), thread=body.get("message_thread_id"),
                                   extra=body.get("extra"), update_id=body.get("update_id"))
        return web.json_response(update)

    async def sim_callback(self, request: web.Request) -> web.Response:
        body = await self._json_body(request)
        bot, chat = self._bot_chat(body)
        sender = body.get("from") or {"id": chat.id, "is_bot": False, "first_name": chat.first_name or "User"}
        msg = chat.messages.get(int(body["message_id"]))
        if msg is None:
            return web.json_response({"error": "message not found"}, status=404)
        update = self.press(bot, chat, sender, int(body["message_id"]), str(body["data"]))
        return web.json_response(update)

    async def sim_update(self, request: web.Request) -> web.Response:
        body = await self._json_body(request)
        bot = self.registry.bot(str(body["bot_token"]))
        raw = dict(body["update"])
        update_id = int(raw.pop("update_id"))
        (kind, payload), = raw.items()
        if kind == "callback_query":
            msg = payload.get("message") or {}
            bot.callback_queries[payload["id"]] = (msg.get("chat", {}).get("id", 0), msg.get("message_id", 0))
        update = bot.add_update(kind, payload, update_id)
        return web.json_response(update)

    async def sim_events(self, request: web.Request) -> web.Response:
        bot = self.registry.bot(request.query["bot_token"])
        chat = bot.chat(int(request.query["chat_id"]))
        if chat is None:
            return web.json_response({"events": []})
        events = await chat.wait_events(int(request.query.get("after", "0")), float(request.query.get("timeout", "0")))
        return web.json_response({"events": events})

    async def sim_faults(self, request: web.Request) -> web.Response:
        body = await self._json_body(request)
        bot = self.registry.bot(str(body.pop("bot_token")))
        fault = Fault(method=str(body.pop("method", "*")).lower(), **body)
        bot.faults.append(fault)
        return web.json_response({"ok": True})

    async def sim_block(self, request: web.Request) -> web.Response:
        body = await self._json_body(request)
        _bot, chat = self._bot_chat(body)
        chat.blocked = bool(body.get("blocked", True))
        return web.json_response({"ok": True})

    async def sim_member(self, request: web.Request) -> web.Response:
        body = await self._json_body(request)
        bot = self.registry.bot(str(body["bot_token"]))
        chat = bot.chat(int(body["chat_id"]))
        if chat is None:
            return web.json_response({"error": "chat not found"}, status=404)
        user = body["user"]
        chat.members[int(user["id"])] = {"status": body.get("status", "member"), "user": user}
        return web.json_response({"ok": True})

    async def sim_log(self, request: web.Request) -> web.Response:
        return web.json_response({"emitted": self.emitted})

    async def sim_calls(self, request: web.Request) -> web.Response:
        return web.json_response(self.calls)


def build_app(**kwargs: Any) -> web.Application:
    return BotApiServer(**kwargs).app()
