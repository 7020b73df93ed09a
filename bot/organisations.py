"""organisations.yaml: the organisations that take cases, validated at start-up (one clear line when wrong)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.config import Settings, SettingsError
from handlers.deps import Network, Organisation, StaffGroup

JURISDICTIONS = {"FI", "SE", "NO", "DK", "IS", "RU-SPE", "RU-KR"}


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")
    chat_id: int
    languages: list[str] = Field(default_factory=list)


class _Org(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    staff_chat_id: int
    groups: list[_Group] = Field(default_factory=list)
    jurisdictions: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    staff_language: str = "en"
    signature: str = Field("name", pattern="^(name|anonymous)$")
    working_hours: str = "mon-fri 09:00-17:00"
    timezone: str = "Europe/Helsinki"
    reminder_minutes: float = Field(120, gt=0)
    urgent_reminder_minutes: float = Field(15, gt=0)
    templates_file: Path | None = None

    @field_validator("jurisdictions")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        unknown = set(v) - JURISDICTIONS
        if unknown:
            raise ValueError(f"unknown jurisdiction(s) {', '.join(sorted(unknown))}")
        return v


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default: str
    organisations: list[_Org] = Field(min_length=1)


def load_templates(path: Path) -> dict[str, dict[str, str]]:
    """Canned replies: {name: {language: text}}; a missing file means none."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    templates = data.get("templates", data)
    return {str(name): {str(k): str(v) for k, v in texts.items()} for name, texts in templates.items()}


def load_network(settings: Settings) -> Network | None:
    """The organisations file when there is one; otherwise one organisation from LYKTA_STAFF_CHAT_ID and friends."""
    path = settings.organisations_file
    default_templates = load_templates(settings.templates_file)
    if path is not None:
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
            parsed = _File.model_validate(raw)
        except OSError as exc:
            raise SettingsError(f"LYKTA_ORGANISATIONS_FILE: cannot read {path}: {exc.strerror}") from None
        except (yaml.YAMLError, ValidationError) as exc:
            first = exc.errors()[0] if isinstance(exc, ValidationError) else {"loc": (), "msg": str(exc)}
            where = ".".join(str(p) for p in first["loc"])
            raise SettingsError(f"LYKTA_ORGANISATIONS_FILE: {path}: {where}: {first['msg']}") from None
        orgs = tuple(Organisation(
            id=o.id, name=o.name, staff_chat_id=o.staff_chat_id,
            groups=tuple(StaffGroup(g.chat_id, tuple(g.languages)) for g in o.groups),
            jurisdictions=tuple(o.jurisdictions), languages=tuple(o.languages), staff_language=o.staff_language,
            signature=o.signature, working_hours=o.working_hours, timezone=o.timezone,
            reminder_minutes=o.reminder_minutes, urgent_reminder_minutes=o.urgent_reminder_minutes,
            templates=load_templates(o.templates_file) if o.templates_file else default_templates)
            for o in parsed.organisations)
        if parsed.default not in {o.id for o in orgs}:
            raise SettingsError(f"LYKTA_ORGANISATIONS_FILE: default organisation {parsed.default!r} is not listed")
        chats = [c for o in orgs for c in o.chat_ids]
        if len(chats) != len(set(chats)):
            raise SettingsError("LYKTA_ORGANISATIONS_FILE: a staff group belongs to two organisations")
        return Network(orgs, parsed.default)
    if settings.staff_chat_id is None:
        return None
    org = Organisation(id="default", name=settings.org_name, staff_chat_id=settings.staff_chat_id,
                       staff_language=settings.staff_language, signature=settings.staff_signature,
                       working_hours=settings.working_hours, timezone=settings.timezone,
                       reminder_minutes=settings.reminder_minutes,
                       urgent_reminder_minutes=settings.urgent_reminder_minutes, templates=default_templates)
    return Network((org,), "default")
