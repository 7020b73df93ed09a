"""What the composition root (bot/app.py) gives handlers: small frozen values, no framework objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from knowledge import KnowledgeBase
from knowledge.directory import Directory
from knowledge.materials import Catalogue

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
class StaffGroup:
    """One Telegram staff supergroup of an organisation; cases in these languages go here."""

    chat_id: int
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organisation:
    """An organisation that takes cases: where its staff work, what it covers, how it signs and reminds."""

    id: str
    name: str
    staff_chat_id: int
    groups: tuple[StaffGroup, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    staff_language: str = "en"
    signature: str = "name"  # name | anonymous
    working_hours: str = ""
    timezone: str = "Europe/Helsinki"
    reminder_minutes: float = 120
    urgent_reminder_minutes: float = 15
    templates: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> language -> text

    @property
    def org_name(self) -> str:
        return self.name

    @property
    def chat_ids(self) -> set[int]:
        return {self.staff_chat_id, *(g.chat_id for g in self.groups)}

    def group_for(self, language: str) -> int:
        """Spread cases over the organisation's groups by language (one group takes ~20 relays a minute)."""
        for group in self.groups:
            if language in group.languages:
                return group.chat_id
        return self.staff_chat_id


@dataclass(frozen=True)
class Network:
    """All organisations of the deployment; routing and isolation go through here."""

    organisations: tuple[Organisation, ...]
    default: str

    def by_id(self, org_id: str | None) -> Organisation | None:
        return next((o for o in self.organisations if o.id == org_id), None)

    def by_chat(self, chat_id: int) -> Organisation | None:
        return next((o for o in self.organisations if chat_id in o.chat_ids), None)

    def of_case(self, case: Any) -> Organisation:
        org = self.by_id(case.organisation) or self.by_chat(case.staff_chat_id) or self.by_id(self.default)
        assert org is not None
        return org

    @property
    def chat_ids(self) -> set[int]:
        return {c for o in self.organisations for c in o.chat_ids}

    def route(self, jurisdiction: str | None, language: str) -> tuple[Organisation, int]:
        """The organisation and staff group a new case goes to (the rule itself: db.policy.choose_organisation)."""
        from db.policy import choose_organisation

        chosen = choose_organisation([(o.id, o.jurisdictions, o.languages) for o in self.organisations],
                                     self.default, jurisdiction, language)
        org = self.by_id(chosen)
        assert org is not None
        return org, org.group_for(language)


@dataclass(frozen=True)
class AppInfo:
    """Deployment facts handlers show or use."""

    languages: tuple[str, ...]
    default_language: str
    kb: KnowledgeBase
    matcher: Any
    network: Network | None = None
    directory: Directory | None = None  # organisations for /help_near_me and the end of answers
    guides: KnowledgeBase | None = None  # staff guidance (/guide): never shown to users
    guide_matcher: Any = None  # the same matcher, over the guides only
    materials: Catalogue | None = None  # publications behind /materials
