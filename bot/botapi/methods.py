"""The Bot API methods the local server implements, answering as Telegram does (including its errors)."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.botapi.formatting import EntityParseError, parse_html, utf16_len
from bot.botapi.state import BotState, Chat, Registry

MAX_TEXT = 4096
MAX_CAPTION = 1024
TOPIC_COLORS = {7322096, 16766590, 13338331, 9367192, 16749490, 16478047}


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


class Params:
    """Typed access to request parameters, which arrive as strings (form) or JSON values."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def str(self, name: str, required: bool = False) -> str | None:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                raise bad(f"{name} is empty" if name == "text" else f"parameter \"{name}\" is required")
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str, required: bool = False) -> int | None:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                raise bad(f"parameter \"{name}\" is required")
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad(f"invalid {name} specified") from None

    def bool(self, name: str) -> bool:
        value = self.raw.get(name)
        return value in (True, "true", "True", "1", 1)

    def json(self, name: str) -> Any:
        value = self.raw.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise bad(f"can't parse {name} JSON object") from None
        return value


Handler = Callable[[Registry, BotState, Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {}
RETURNS: dict[str, str] = {}


def method(name: str, returns: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        METHODS[name.lower()] = fn
        RETURNS[name.lower()] = returns
        return fn
    return register


def canonical_name(name: str) -> str | None:
    for known in METHODS:
        if known == name.lower():
            return known
    return None


# --- helpers -----------------------------------------------------------------------------------------

def _chat(bot: BotState, params: Params, name: str = "chat_id") -> Chat:
    raw = params.str(name, required=True)
    try:
        chat_id = int(raw or "")
    except ValueError:
        raise bad("chat not found") from None
    chat = bot.chat(chat_id)
    if chat is None:
        raise bad("chat not found")
    if chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat


def _thread(chat: Chat, params: Params) -> int | None:
    thread = params.int("message_thread_id")
    if thread is None:
        return None
    if chat.type == "private":
        return None
    topic = chat.topics.get(thread)
    if topic is None:
        raise bad("message thread not found")
    if topic.get("closed") and not chat.bot_can_manage_topics:
        raise bad("TOPIC_CLOSED")
    return thread


def _formatted(params: Params, field: str, limit: int) -> tuple[str, list[dict[str, Any]]]:
    text = params.str(field, required=field == "text") or ""
    entities: list[dict[str, Any]] = []
    mode = (params.str("parse_mode") or "").lower()
    if mode == "html":
        try:
            text, entities = parse_html(text)
        except EntityParseError as exc:
            raise ApiError(400, str(exc)) from None
    elif params.has(f"{field}_entities" if field == "caption" else "entities"):
        entities = params.json("caption_entities" if field == "caption" else "entities") or []
    if field == "text" and not text.strip():
        raise bad("message text is empty")
    if utf16_len(text) > limit:
        raise bad("message is too long" if field == "text" else "message caption is too long")
    return text, entities


def _markup(params: Params) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(inline keyboard to echo in the Message, any other keyboard for the client)."""
    markup = params.json("reply_markup")
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        count = 0
        for row in rows:
            for button in row:
                count += 1
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad("BUTTON_DATA_INVALID")
                if data is None and not any(k in button for k in ("url", "web_app", "copy_text", "switch_inline_query")):
                    raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        if count > 100:
            raise bad("reply markup is too long")
        return markup, None
    if "keyboard" in markup or "remove_keyboard" in markup or "force_reply" in markup:
        return None, markup
    raise bad("can't parse reply keyboard markup JSON object")


def _base_message(bot: BotState, chat: Chat, thread: int | None) -> dict[str, Any]:
    msg: dict[str, Any] = {"message_id": chat.new_message_id(), "from": bot.user_json(), "chat": chat.as_json(),
                           "date": int(time.time())}
    if thread is not None:
        msg["message_thread_id"] = thread
        msg["is_topic_message"] = True
    return msg


def _deliver(chat: Chat, msg: dict[str, Any], client_markup: dict[str, Any] | None, kind: str = "message") -> None:
    chat.messages[msg["message_id"]] = msg
    chat.emit(kind, message=msg, keyboard=client_markup)


def _file_id(bot: BotState, name: str, data: bytes) -> str:
    file_id = "F" + secrets.token_urlsafe(18)
    bot.files[file_id] = (name, data)
    return file_id


def _media(bot: BotState, params: Params, field: str) -> tuple[str, int, str]:
    """Accept an uploaded file or an existing file_id; return (file_id, size, name)."""
    value = params.raw.get(field)
    if isinstance(value, tuple):  # (filename, bytes) from multipart
        name, data = value
        if len(data) > 50 * 1024 * 1024:
            raise ApiError(413, "Request Entity Too Large")
        return _file_id(bot, name, data), len(data), name
    if isinstance(value, str) and value in bot.files:
        name, data = bot.files[value]
        return value, len(data), name
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        raise bad("failed to get HTTP URL content")
    raise bad("wrong file identifier/HTTP URL specified")


# --- methods --------------------------------------------------------------------------------------------

@method("getMe", "User")
async def get_me(reg: Registry, bot: BotState, params: Params) -> Any:
    return bot.me()


@method("logOut", "Boolean")
async def log_out(reg: Registry, bot: BotState, params: Params) -> Any:
    return True


@method("close", "Boolean")
async def close(reg: Registry, bot: BotState, params: Params) -> Any:
    return True


@method("getUpdates", "Array of Update")
async def get_updates(reg: Registry, bot: BotState, params: Params) -> Any:
    if bot.webhook_url:
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                            "delete the webhook first")
    offset = params.int("offset")
    limit = max(1, min(100, params.int("limit") or 100))
    timeout = max(0, min(50, params.int("timeout") or 0))
    allowed = params.json("allowed_updates")
    if allowed is not None:
        bot.allowed_updates = list(allowed) or None
    if offset is not None:
        bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
    deadline = time.monotonic() + timeout
    while True:
        wanted = [u for u in bot.updates if not bot.allowed_updates
                  or any(k in bot.allowed_updates for k in u if k != "update_id")]
        if wanted or time.monotonic() >= deadline:
            return wanted[:limit]
        event = bot.update_added
        try:
            await asyncio.wait_for(event.wait(), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            pass


@method("setWebhook", "Boolean")
async def set_webhook(reg: Registry, bot: BotState, params: Params) -> Any:
    if "url" not in params.raw:
        raise bad("parameter \"url\" is required")
    url = params.str("url") or None
    secret = params.str("secret_token")
    if secret is not None and (not 1 <= len(secret) <= 256 or not all(c.isalnum() or c in "_-" for c in secret)):
        raise bad("secret token contains unallowed characters")
    bot.webhook_url = url
    bot.webhook_secret = secret
    allowed = params.json("allowed_updates")
    if allowed is not None:
        bot.allowed_updates = list(allowed) or None
    if params.bool("drop_pending_updates"):
        bot.updates.clear()
    return True


@method("deleteWebhook", "Boolean")
async def delete_webhook(reg: Registry, bot: BotState, params: Params) -> Any:
    bot.webhook_url = None
    bot.webhook_secret = None
    if params.bool("drop_pending_updates"):
        bot.updates.clear()
    return True


@method("getWebhookInfo", "WebhookInfo")
async def get_webhook_info(reg: Registry, bot: BotState, params: Params) -> Any:
    return {"url": bot.webhook_url or "", "has_custom_certificate": False, "pending_update_count": len(bot.updates)}


@method("sendMessage", "Message")
async def send_message(reg: Registry, bot: BotState, params: Params) -> Any:
    chat = _chat(bot, params)
    thread = _thread(chat, params)
    text, entities = _formatted(params, "text", MAX_TEXT)
    inline, client = _markup(params)
    msg = _base_message(bot, chat, thread)
    msg["text"] = text
    if entities:
        msg["entities"] = entities
    if inline:
        msg["reply_markup"] = inline
    _deliver(chat, msg, client)
    return msg


@method("editMessageText", "Message or Boolean")
async def edit_message_text(reg: Registry, bot: BotState, params: Params) -> Any:
    chat = _chat(bot, params)
    mid = params.int("message_id", required=True)
    msg = chat.messages.get(mid or 0)
    if msg is None or msg.get("from", {}).get("id") != bot.id:
        raise bad("message to edit not found")
    text, entities = _formatted(params, "text", MAX_TEXT)
    inline, _ = _markup(params)
    if msg.get("text") == text and msg.get("entities", []) == entities and msg.get("reply_markup") == inline:
        raise bad("message is not modified: specified new message content and reply markup are exactly the same "
                  "as a current content and reply markup of the message")
    msg = {k: v for k, v in msg.items() if k not in ("entities", "reply_markup")}
    msg.update(text=text, edit_date=int(time.time()))
    if entities:
        msg["entities"] = entities
    if inline:
        msg["reply_markup"] = inline
    _deliver(chat, msg, None, "edit")
    return msg


@method("editMessageReplyMarkup", "Message or Boolean")
async def edit_message_reply_markup(reg: Registry, bot: BotState, params: Params) -> Any:
    chat = _chat(bot, params)
    mid = params.int("message_id", required=True)
    msg = chat.messages.get(mid or 0)
    if msg is None or msg.get("from", {}).get("id") != bot.id:
        raise bad("message to edit not found")
    inline, _ = _markup(params)
    if msg.get("reply_markup") == inline:
        raise bad("message is not modified: specified new message content and reply markup are exactly the same "
                  "as a current content and reply markup of the message")
    msg = {k: v for k, v in msg.items() if k != "reply_markup"}
    msg["edit_date"] = int(time.time())
    if inline:
        msg["reply_markup"] = inline
    _deliver(chat, msg, None, "edit")
    return msg


@method("deleteMessage", "Boolean")
async def delete_message(reg: Registry, bot: BotState, params: Params) -> Any:
    chat = _chat(bot, params)
    mid = params.int("message_id", required=True)
    if chat.messages.pop(mid or 0, None) is None:
        raise bad("message to delete not found")
    chat.emit("delete", message_id=mid)
    return True


@method("answerCallbackQuery", "Boolean")
async def answer_callback_query(reg: Registry, bot: BotState, params: Params) -> Any:
    qid = params.str("callback_query_id", required=True) or ""
    found = bot.callback_queries.pop(qid, None)
    if found is None:
        raise bad("query is too old and response timeout expired or query ID is invalid")
    text = params.str("text")
    if text and len(text) > 200:
        raise bad("MESSAGE_TOO_LONG")
    chat = bot.chat(found[0])
    if chat is not None:
        chat.emit("callback_answer", callback_query_id=qid, text=text, show_alert=params.bool("show_alert"))
    return True


@method("copyMessage", "MessageId")
async def copy_message(reg: Registry, bot: BotState, params: Params) -> Any:
    chat = _chat(bot, params)
    source = bot.chat(params.int("from_chat_id", required=True) or 0)
    if source is None:
        raise bad("chat not found")
    original = source.messages.get(params.int("message_id", required=True) or 0)
    if original is None:
        raise bad("message to copy not found")
    if not any(k in original for k in ("text", "photo", "document", "voice", "audio", "video", "sticker")):
        raise bad("message can't be copied")
    thread = _thread(chat, params)
    inline, client = _markup(params)
    msg = _base_message(bot, chat, thread)
    for key in ("text", "entities", "photo", "document", "voice", "audio", "video", "sticker", "caption",
                "caption_entities"):
        if key in original:
            msg[key] = original[key]
    if params.has("caption") and "text" not in original:
        caption, entities = _formatted(params, "caption", MAX_CAPTION)
        msg["caption"] = caption
        msg.pop("caption_entities", None)
        if entities:
            msg["caption_entities"] = entities
    if inline:
        msg["reply_markup"] = inline
    _deliver(chat, msg, client)
    return {"message_id": msg["message_id"]}


async def _send_file(bot: BotState, params: Params, field: str) -> dict[str, Any]:
    chat = _chat(bot, params)
    thread = _thread(chat, params)
    file_id, size, name = _media(bot, params, field)
    inline, client = _markup(params)
    msg = _base_message(bot, chat, thread)
    unique = file_id[-12:]
    if field == "document":
        msg["document"] = {"file_id": file_id, "file_unique_id": unique, "file_name": name, "file_size": size}
    else:
        msg["photo"] = [{"file_id": file_id, "file_unique_id": unique, "width": 800, "height": 600, "file_size": size}]
    if params.has("caption"):
        caption, entities = _formatted(params, "caption", MAX_CAPTION)
        msg["caption"] = caption
        if entities:
            msg["caption_entities"] = entities
    if inline:
        msg["reply_markup"] = inline
    _deliver(chat, msg, client)
    return msg


@method("sendDocument", "Message")
async def send_document(reg: Registry, bot: BotState, params: Params) -> Any:
    return await _send_file(bot, params, "document")


@method("sendPhoto", "Message")
async def send_photo(reg: Registry, bot: BotState, params: Params) -> Any:
    return await _send_file(bot, params, "photo")


@method("getFile", "File")
async def get_file(reg: Registry, bot: BotState, params: Params) -> Any:
    file_id = params.str("file_id", required=True) or ""
    if file_id not in bot.files:
        raise bad("invalid file_id")
    name, data = bot.files[file_id]
    return {"file_id": file_id, "file_unique_id": file_id[-12:], "file_size": len(data), "file_path": f"{file_id}/{name}"}


@method("setMyCommands", "Boolean")
async def set_my_commands(reg: Registry, bot: BotState, params: Params) -> Any:
    commands = params.json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad("parameter \"commands\" is required")
    for c in commands:
        if not isinstance(c, dict) or not 1 <= len(str(c.get("command", ""))) <= 32 \
                or not 1 <= len(str(c.get("description", ""))) <= 256:
            raise bad("BOT_COMMAND_INVALID")
    bot.commands[params.str("language_code") or ""] = [{"command": c["command"], "description": c["description"]}
                                                       for c in commands]
    return True


@method("getMyCommands", "Array of BotCommand")
async def get_my_commands(reg: Registry, bot: BotState, params: Params) -> Any:
    return bot.commands.get(params.str("language_code") or "", [])


@method("deleteMyCommands", "Boolean")
async def delete_my_commands(reg: Registry, bot: BotState, params: Params) -> Any:
    bot.commands.pop(params.str("language_code") or "", None)
    return True


def _forum(bot: BotState, params: Params) -> Chat:
    chat = _chat(bot, params)
    if chat.type != "supergroup" or not chat.is_forum:
        raise bad("the chat is not a forum")
    return chat


def _topic(chat: Chat, params: Params) -> dict[str, Any]:
    thread = params.int("message_thread_id", required=True)
    topic = chat.topics.get(thread or 0)
    if topic is None:
        raise bad("message thread not found")
    return topic


@method("createForumTopic", "ForumTopic")
async def create_forum_topic(reg: Registry, bot: BotState, params: Params) -> Any:
    chat = _forum(bot, params)
    name = params.str("name", required=True) or ""
    if not 1 <= len(name) <= 128:
        raise bad("TOPIC_NAME_INVALID")
    color = params.int("icon_color") or 7322096
    if color not in TOPIC_COLORS:
        raise bad("TOPIC_COLOR_INVALID")
    msg = _base_message(bot, chat, None)
    thread = msg["message_id"]
    msg["message_thread_id"] = thread
    msg["is_topic_message"] = True
    msg["forum_topic_created"] = {"name": name, "icon_color": color}
    chat.topics[thread] = {"name": name, "icon_color": color, "closed": False, "root": msg}
    _deliver(chat, msg, None)
    return {"message_thread_id": thread, "name": name, "icon_color": color}


@method("editForumTopic", "Boolean")
async def edit_forum_topic(reg: Registry, bot: BotState, params: Params) -> Any:
    chat = _forum(bot, params)
    topic = _topic(chat, params)
    if params.has("name"):
        name = params.str("name") or ""
        if not 1 <= len(name) <= 128:
            raise bad("TOPIC_NAME_INVALID")
        topic["name"] = name
    chat.emit("topic", message_thread_id=params.int("message_thread_id"), name=topic["name"], closed=topic["closed"])
    return True


async def _set_closed(bot: BotState, params: Params, closed: bool) -> bool:
    chat = _forum(bot, params)
    topic = _topic(chat, params)
    if topic["closed"] == closed:
        raise bad("TOPIC_NOT_MODIFIED")
    topic["closed"] = closed
    chat.emit("topic", message_thread_id=params.int("message_thread_id"), name=topic["name"], closed=closed)
    return True


@method("closeForumTopic", "Boolean")
async def close_forum_topic(reg: Registry, bot: BotState, params: Params) -> Any:
    return await _set_closed(bot, params, True)


@method("reopenForumTopic", "Boolean")
async def reopen_forum_topic(reg: Registry, bot: BotState, params: Params) -> Any:
    return await _set_closed(bot, params, False)


@method("deleteForumTopic", "Boolean")
async def delete_forum_topic(reg: Registry, bot: BotState, params: Params) -> Any:
    chat = _forum(bot, params)
    thread = params.int("message_thread_id", required=True)
    if chat.topics.pop(thread or 0, None) is None:
        raise bad("message thread not found")
    chat.emit("topic", message_thread_id=thread, name=None, closed=True, deleted=True)
    return True


@method("sendChatAction", "Boolean")
async def send_chat_action(reg: Registry, bot: BotState, params: Params) -> Any:
    chat = _chat(bot, params)
    chat.emit("action", action=params.str("action", required=True))
    return True


@method("getChatMember", "ChatMember")
async def get_chat_member(reg: Registry, bot: BotState, params: Params) -> Any:
    chat = _chat(bot, params)
    user_id = params.int("user_id", required=True) or 0
    member = chat.members.get(user_id)
    if chat.type == "private":
        if user_id != chat.id:
            raise bad("user not found")
        return {"status": "member", "user": {"id": chat.id, "is_bot": False, "first_name": chat.first_name or "User"}}
    if member is None:
        return {"status": "left", "user": {"id": user_id, "is_bot": False, "first_name": "User"}}
    if member["status"] == "creator":
        return {"status": "creator", "user": member["user"], "is_anonymous": False}
    return {"status": member["status"], "user": member["user"]}


@method("pinChatMessage", "Boolean")
async def pin_chat_message(reg: Registry, bot: BotState, params: Params) -> Any:
    chat = _chat(bot, params)
    mid = params.int("message_id", required=True) or 0
    if mid not in chat.messages:
        raise bad("message to pin not found")
    chat.pinned.append(mid)
    chat.emit("pin", message_id=mid)
    return True
