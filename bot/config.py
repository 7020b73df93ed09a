"""Typed settings from LYKTA_* environment variables or `.env`; no instance at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

LANGUAGES = ("en", "ru", "fi", "sv", "nb", "da")


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line naming it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LYKTA_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_token: SecretStr | None = Field(None, description="Telegram bot token; without it only the web chat runs")
    telegram_api_url: str = Field("https://api.telegram.org", description="Base URL of the Bot API server")
    database_url: str = Field("sqlite+aiosqlite:///./data/lykta.db", description="SQLAlchemy async URL")
    redis_url: str | None = Field(None, description="Redis for FSM storage and event isolation across workers")
    web_host: str = "127.0.0.1"
    web_port: int = Field(8080, ge=0, le=65535)
    web_token: str | None = Field(None, description="Token of the web-chat bot (random per start when unset)")
    web_allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    web_quick_exit_url: str = Field("https://en.wikipedia.org/wiki/Weather",
                                    description="The neutral page the web chat's quick exit opens")
    web_demo_page: bool = Field(False, description="Serve /demo.html, a partner page with the widget")
    staff_chat_id: int | None = None
    org_name: str = Field("Lykta", description="The organisation's name, shown to users and in signatures")
    staff_language: str = "en"
    staff_signature: str = Field("name", pattern="^(name|anonymous)$",
                                 description="Sign staff replies with the worker's first name, or anonymously")
    working_hours: str = Field("mon-fri 09:00-17:00", description="When staff answer, e.g. 'mon-fri 09:00-17:00'")
    timezone: str = "Europe/Helsinki"
    reminder_minutes: float = Field(120, gt=0)
    urgent_reminder_minutes: float = Field(15, gt=0)
    templates_file: Path = Path("templates.yaml")
    organisations_file: Path | None = Field(None, description="organisations.yaml: several organisations, "
                                            "routing by jurisdiction and language")
    default_language: str = "en"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(8081, ge=0, le=65535)
    webhook_path: str = "/telegram/webhook"
    data_dir: Path = Path("./data")
    directory_file: Path | None = Field(
        None, description="Local directory entries, loaded on top of the shipped ones and written by "
                          "`lykta directory import` (default: data_dir/directory.local.yaml)")
    log_level: str = "INFO"
    log_json: bool = False
    materials_file: Path | None = Field(
        None, description="Local catalogue of publications, written by `lykta materials add|remove` "
                          "(default: data_dir/materials.local.yaml)")
    news_per_second: float = Field(25, gt=0, le=30, description="Global pace of news messages (Telegram allows ~30/s)")
    data_key: SecretStr | None = Field(None, description="Fernet key(s), newest first, comma-separated")
    retention_days: int = Field(180, ge=1)
    rate_limit_per_minute: int = Field(30, ge=1, description="Messages and button presses per person per minute")
    kb_partial: bool = Field(False, description="Development only: start with the topics that load")
    telegram_admins: Annotated[list[int], NoDecode] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _timezone_known(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (e.g. Europe/Helsinki)") from None
        return v

    @field_validator("working_hours")
    @classmethod
    def _hours_valid(cls, v: str) -> str:
        from db.policy import parse_hours

        try:
            parse_hours(v)
        except ValueError:
            raise ValueError("write it like 'mon-fri 09:00-17:00'") from None
        return v

    @field_validator("default_language")
    @classmethod
    def _language_known(cls, v: str) -> str:
        if v not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return v

    @field_validator("database_url")
    @classmethod
    def _database_url_valid(cls, v: str) -> str:
        try:
            url = make_url(v)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL ({exc})") from None
        driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
        if url.drivername in driver:
            url = url.set(drivername=driver[url.drivername])
        if url.drivername not in {"sqlite+aiosqlite", "postgresql+asyncpg"}:
            raise ValueError(f"unsupported driver {url.drivername!r}; use sqlite+aiosqlite:// or postgresql+asyncpg://")
        if url.drivername.startswith("postgresql") and not url.database:
            raise ValueError("names no database")
        return url.render_as_string(hide_password=False)

    @field_validator("telegram_token")
    @classmethod
    def _token_shape(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and v.get_secret_value() == "":
            return None
        if v is not None:
            head, _, tail = v.get_secret_value().partition(":")
            if not head.isdigit() or not tail:
                raise ValueError("must look like 123456:ABC... (from @BotFather)")
        return v

    @field_validator("telegram_admins", "web_allowed_origins", mode="before")
    @classmethod
    def _split_ids(cls, v: object) -> object:
        if isinstance(v, str):
            return v.replace(",", " ").split()
        return v

    @field_validator("web_quick_exit_url")
    @classmethod
    def _exit_url_valid(cls, v: str) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(v.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) address, e.g. https://en.wikipedia.org/wiki/Weather")
        return v.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None:
            s = v.get_secret_value()
            if not 1 <= len(s) <= 256 or not all(c.isalnum() or c in "_-" for c in s):
                raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return v

    @property
    def directory_path(self) -> Path:
        """The local directory overrides file (it may not exist yet)."""
        return self.directory_file or self.data_dir / "directory.local.yaml"

    @property
    def materials_path(self) -> Path:
        """The local materials file (it may not exist yet)."""
        return self.materials_file or self.data_dir / "materials.local.yaml"

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a wrong value raises `SettingsError` with one line naming the setting."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "LYKTA_" + str(err["loc"][0]).upper() if err["loc"] else "settings"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name}: {msg}") from None
    if settings.webhook_url and settings.webhook_secret is None:
        raise SettingsError("LYKTA_WEBHOOK_SECRET: required when LYKTA_WEBHOOK_URL is set")
    if settings.webhook_url and settings.telegram_token is None:
        raise SettingsError("LYKTA_TELEGRAM_TOKEN: required when LYKTA_WEBHOOK_URL is set")
    return settings


def data_keys(settings: Settings) -> list[str]:
    """The encryption keys, newest first; without LYKTA_DATA_KEY, a key file is created in the data folder.

    A key file is fine for one machine; several workers must share LYKTA_DATA_KEY.
    """
    from cryptography.fernet import Fernet

    if settings.data_key is not None:
        keys = [k.strip() for k in settings.data_key.get_secret_value().split(",") if k.strip()]
        for key in keys:
            try:
                Fernet(key.encode())
            except ValueError:
                raise SettingsError("LYKTA_DATA_KEY: not a Fernet key (make one with `lykta keys new`)") from None
        return keys
    path = settings.data_dir / "data.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return [path.read_text().strip()]
