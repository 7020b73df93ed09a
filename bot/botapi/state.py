"""In-memory state of the local Bot API server: bots, chats, messages, updates and what clients see.

A "client" is whoever plays the other side of a chat: a browser session of the web chat, or a test
playing a Telegram user or staff member. Each chat keeps an event log (messages the bot sent, edits,
deletions, callback answers) that its client reads by sequence number.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

MAX_EVENTS_PER_CHAT = 2000
MAX_PENDING_UPDATES = 10000


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    first_name: str | None = None
    username: str | None = None
    is_forum: bool = False
    blocked: bool = False  # the user blocked the bot
    lang: str | None = None  # the browser's language, for web sessions
    next_message_id: int = 1
    next_event: int = 1
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)  # thread id -> {name, closed, ...}
    members: dict[int, dict[str, Any]] = field(default_factory=dict)  # user id -> {"status", "user"}
    pinned: list[int] = field(default_factory=list)
    bot_can_manage_topics: bool = True  # admins with this right may still write in closed topics
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            out["first_name"] = self.first_name or "User"
            if self.username:
                out["username"] = self.username
        else:
            out["title"] = self.title or "Group"
            if self.is_forum:
                out["is_forum"] = True
        return out

    def new_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid

    def emit(self, kind: str, **payload: Any) -> dict[str, Any]:
        event = {"seq": self.next_event, "type": kind, **payload}
        self.next_event += 1
        self.events.append(event)
        if len(self.events) > MAX_EVENTS_PER_CHAT:
            del self.events[: len(self.events) - MAX_EVENTS_PER_CHAT]
        self.changed.set()
        self.changed = asyncio.Event()
        return event

    async def wait_events(self, after: int, timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            fresh = [e for e in self.events if e["seq"] > after]
            remaining = deadline - time.monotonic()
            if fresh or remaining <= 0:
                return fresh
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                pass


@dataclass
class Fault:
    """An injected failure for the next `count` calls of `method` ("*" for any)."""

    method: str
    count: int = 1
    error_code: int = 429
    description: str = "Too Many Requests: retry after 1"
    retry_after: int | None = None
    delay: float = 0.0
    drop: bool = False  # close the connection without an answer


@dataclass
class BotState:
    token: str
    id: int
    username: str
    first_name: str = "Lykta"
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 1
    update_added: asyncio.Event = field(default_factory=asyncio.Event)
    allowed_updates: list[str] | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    chats: dict[int, Chat] = field(default_factory=dict)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    callback_queries: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (chat, message)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    polling: bool = False

    def me(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
                "can_connect_to_business": False, "has_main_web_app": False}

    def user_json(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def add_update(self, kind: str, payload: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
        if update_id is None:
            update_id = self.next_update_id
        self.next_update_id = max(self.next_update_id, update_id + 1)
        update = {"update_id": update_id, kind: payload}
        self.updates.append(update)
        if len(self.updates) > MAX_PENDING_UPDATES:
            del self.updates[: len(self.updates) - MAX_PENDING_UPDATES]
        self.update_added.set()
        self.update_added = asyncio.Event()
        return update

    def take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method in (method, "*") and fault.count > 0:
                fault.count -= 1
                if fault.count == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def chat(self, chat_id: int) -> Chat | None:
        return self.chats.get(chat_id)


class Registry:
    """All bots known to the server, created on first use of their token."""

    def __init__(self) -> None:
        self.bots: dict[str, BotState] = {}
        self.sessions: dict[str, tuple[str, int]] = {}  # browser token -> (bot token, chat id)
        self._chat_ids = itertools.count(700_000_001)
        self._callback_ids = itertools.count(1)

    def bot(self, token: str) -> BotState:
        state = self.bots.get(token)
        if state is None:
            bot_id = int(token.split(":", 1)[0])
            state = BotState(token=token, id=bot_id, username=f"lykta_{bot_id}_bot")
            self.bots[token] = state
        return state

    def new_chat_id(self) -> int:
        return next(self._chat_ids)

    def new_callback_id(self) -> str:
        return f"{next(self._callback_ids)}{secrets.token_hex(4)}"

    def new_session(self, bot_token: str, first_name: str = "Guest") -> tuple[str, Chat]:
        bot = self.bot(bot_token)
        chat = Chat(id=self.new_chat_id(), type="private", first_name=first_name)
        bot.chats[chat.id] = chat
        token = secrets.token_urlsafe(32)
        self.sessions[token] = (bot_token, chat.id)
        return token, chat

    def session(self, token: str) -> tuple[BotState, Chat] | None:
        found = self.sessions.get(token)
        if not found:
            return None
        bot = self.bots.get(found[0])
        chat = bot.chats.get(found[1]) if bot else None
        return (bot, chat) if bot and chat else None
