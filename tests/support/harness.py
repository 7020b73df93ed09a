"""End-to-end harness: the local Bot API server in the test's event loop, the real bot as a subprocess.

Tests play Telegram users (and later staff) through the server; the bot talks to it over HTTP exactly
as it talks to Telegram.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.botapi.server import BotApiServer
from bot.botapi.state import BotState, Chat

ROOT = Path(__file__).resolve().parents[2]
BOT_TOKEN = "123456:TEST-token-for-the-telegram-double"
SENT_TEXTS: list[str] = []  # every text a test typed as a user or worker: none may appear in the bot's logs
TEST_DATA_KEY = "yR1ktOQd0zl2k0vq6Y8bX3n2b9J3P6mQ8l0tS4uV5wQ="


class BotProcess:
    """`lykta run` as a real process, pointed at the local server instead of Telegram."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.proc: asyncio.subprocess.Process | None = None
        self.web_url: str | None = None

    async def start(self, timeout: float = 30.0) -> None:
        self._log = self.log_path.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=str(ROOT), env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=self._log)
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
            if not line:
                break
            match = re.search(rb"Web chat: (http://\S+)", line)
            if match:
                self.web_url = match.group(1).decode().rstrip("/")
                asyncio.get_running_loop().create_task(self._drain())
                return
        raise RuntimeError(f"the bot did not start; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}")

    async def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while await self.proc.stdout.readline():
            pass

    async def stop(self) -> int:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


class Person:
    """A Telegram user in a private chat with the bot, played through the local server."""

    def __init__(self, server: BotApiServer, chat_id: int, first_name: str = "Anna",
                 language_code: str | None = None, token: str = BOT_TOKEN) -> None:
        self.server = server
        self.bot: BotState = server.registry.bot(token)
        self.chat = self.bot.chats.get(chat_id) or Chat(id=chat_id, type="private", first_name=first_name)
        self.bot.chats[chat_id] = self.chat
        self.user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.user["language_code"] = language_code
        self.cursor = 0

    def send(self, text: str | None = None, **extra: Any) -> dict[str, Any]:
        if text and len(text) >= 6 and not text.startswith("/"):
            SENT_TEXTS.append(text)
        return self.server.user_message(self.bot, self.chat, self.user, text=text, extra=extra or None)

    def press(self, message: dict[str, Any], data: str) -> dict[str, Any]:
        update = self.server.press(self.bot, self.chat, self.user, message["message_id"], data)
        self.last_query = update["callback_query"]["id"]
        return update

    def press_button(self, message: dict[str, Any], startswith: str) -> dict[str, Any]:
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                if str(button.get("callback_data", "")).startswith(startswith):
                    return self.press(message, button["callback_data"])
        raise AssertionError(f"no button {startswith!r} in {buttons(message)}")

    async def next_event(self, kinds: tuple[str, ...], predicate: Callable[[dict[str, Any]], bool] | None,
                         timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kinds} from the bot in {timeout}s; seen: "
                                     f"{[e.get('message', {}).get('text', e['type'])[:60] for e in self.chat.events]}")
            events = await self.chat.wait_events(self.cursor, remaining)
            for event in events:
                self.cursor = max(self.cursor, event["seq"])
                if event["type"] in kinds and (predicate is None or predicate(event)):
                    return event

    async def reply(self, predicate: Callable[[dict[str, Any]], bool] | None = None,
                    timeout: float = 15.0) -> dict[str, Any]:
        """The next message the bot sends to this chat (optionally the next one matching `predicate`)."""
        event = await self.next_event(("message",), lambda e: predicate is None or predicate(e["message"]), timeout)
        return event["message"]

    async def callback_answer(self, timeout: float = 10.0) -> dict[str, Any]:
        """The bot's answer to this person's last button press."""
        query = getattr(self, "last_query", None)
        return await self.next_event(("callback_answer",), lambda e: e["callback_query_id"] == query, timeout)

    async def quiet(self, seconds: float = 1.0) -> list[dict[str, Any]]:
        """Messages the bot sends within `seconds` (for asserting it sent nothing more)."""
        await asyncio.sleep(seconds)
        fresh = [e["message"] for e in self.chat.events if e["seq"] > self.cursor and e["type"] == "message"]
        if self.chat.events:
            self.cursor = max(self.cursor, self.chat.events[-1]["seq"])
        return fresh


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [(b.get("text", ""), b.get("callback_data", "")) for row in
            message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def bot_env(api_url: str, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LYKTA_") or k == "LYKTA_KB_PARTIAL"}
    env.update({
        "LYKTA_TELEGRAM_TOKEN": BOT_TOKEN,
        "LYKTA_TELEGRAM_API_URL": api_url,
        "LYKTA_DATABASE_URL": database_url,
        "LYKTA_WEB_HOST": "127.0.0.1",
        "LYKTA_WEB_PORT": "0",
        "LYKTA_LOG_LEVEL": "INFO",
        "LYKTA_DATA_KEY": TEST_DATA_KEY,
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


class GroupMember(Person):
    """A staff member in the staff supergroup (a forum); writes in case topics and presses card buttons."""

    def __init__(self, server: BotApiServer, group: Chat, user_id: int, first_name: str,
                 token: str = BOT_TOKEN, status: str = "member") -> None:
        self.server = server
        self.bot = server.registry.bot(token)
        self.chat = group
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if status:
            group.members[user_id] = {"status": status, "user": self.user}
        self.cursor = 0

    def write(self, text: str | None, thread: int, **extra: Any) -> dict[str, Any]:
        if text and len(text) >= 6 and not text.startswith("/"):
            SENT_TEXTS.append(text)
        return self.server.user_message(self.bot, self.chat, self.user, text=text, thread=thread, extra=extra or None)


def staff_group(server: BotApiServer, chat_id: int = -1001234567, token: str = BOT_TOKEN) -> Chat:
    bot = server.registry.bot(token)
    group = Chat(id=chat_id, type="supergroup", title="Lykta staff", is_forum=True)
    bot.chats[chat_id] = group
    return group


PHOTO = [{"file_id": "AgACphoto1", "file_unique_id": "uniq1", "width": 640, "height": 480, "file_size": 20480}]


async def eventually(condition: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
    """Wait until `condition()` holds (the outbox paces group messages, so some effects take seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s")
        await asyncio.sleep(0.1)
