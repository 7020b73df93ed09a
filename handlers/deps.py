"""What the composition root (bot/app.py) gives handlers: small frozen values, no framework objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from knowledge import KnowledgeBase

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "ru": "Русский", "fi": "Suomi", "sv": "Svenska", "nb": "Norsk (bokmål)", "da": "Dansk",
    "uk": "Українська", "pl": "Polski", "lt": "Lietuvių", "et": "Eesti", "ro": "Română", "ar": "العربية",
    "uz": "Oʻzbekcha", "tg": "Тоҷикӣ",
}
COUNTRIES: tuple[str, ...] = ("FI", "SE", "NO", "DK", "IS", "RU-SPE", "RU-KR", "OTHER")


@dataclass(frozen=True)
class Channels:
    """Which bot is which channel, by bot id."""

    by_bot_id: dict[int, str] = field(default_factory=dict)

    def of(self, bot: Any) -> str:
        return self.by_bot_id.get(bot.id, "telegram")


@dataclass(frozen=True)
class CaseSettings:
    """How the organisation takes cases: where, in which language, signed how, when."""

    staff_chat_id: int
    org_name: str
    staff_language: str
    signature: str  # name | anonymous
    working_hours: str
    timezone: str
    reminder_minutes: float
    urgent_reminder_minutes: float
    templates: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> language -> text


@dataclass(frozen=True)
class AppInfo:
    """Deployment facts handlers show or use."""

    languages: tuple[str, ...]
    default_language: str
    kb: KnowledgeBase
    matcher: Any
    casework: CaseSettings | None = None
