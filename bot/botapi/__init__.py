"""The local Bot API server: the web chat channel and Telegram's test double, one code base."""

from bot.botapi.server import BotApiServer, build_app

__all__ = ["BotApiServer", "build_app"]
