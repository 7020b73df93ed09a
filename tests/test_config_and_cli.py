"""Operators get one clear line naming the setting that is wrong, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]


def lykta(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LYKTA_")}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def test_a_malformed_database_url_stops_the_bot_with_one_clear_line():
    result = lykta("run", LYKTA_DATABASE_URL="this is not a url")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "LYKTA_DATABASE_URL" in lines[0] and "Traceback" not in result.stderr


def test_an_unreachable_database_stops_the_bot_with_one_clear_line():
    result = lykta("db", "upgrade", LYKTA_DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "LYKTA_DATABASE_URL" in result.stderr


@pytest.mark.parametrize(("overrides", "setting"), [
    ({"web_port": "eighty"}, "LYKTA_WEB_PORT"),
    ({"default_language": "xx"}, "LYKTA_DEFAULT_LANGUAGE"),
    ({"telegram_token": "not-a-token"}, "LYKTA_TELEGRAM_TOKEN"),
    ({"database_url": "mysql://root@localhost/x"}, "LYKTA_DATABASE_URL"),
    ({"webhook_url": "https://bot.example.org/wh", "telegram_token": "1:x"}, "LYKTA_WEBHOOK_SECRET"),
    ({"webhook_secret": "spaces are not allowed"}, "LYKTA_WEBHOOK_SECRET"),
])
def test_each_wrong_setting_is_named(overrides, setting):
    with pytest.raises(SettingsError) as err:
        load_settings(**overrides)
    assert str(err.value).startswith(setting + ":")
    assert "\n" not in str(err.value)


def test_plain_driver_names_are_upgraded_to_the_async_drivers():
    assert load_settings(database_url="postgresql://u@h/db").database_url == "postgresql+asyncpg://u@h/db"
    assert load_settings(database_url="sqlite:///./x.db").database_url == "sqlite+aiosqlite:///./x.db"


def test_version_and_module_entry_point_agree():
    from bot import __version__

    assert lykta("--version").stdout.strip() == f"lykta {__version__}"


def test_db_upgrade_creates_the_tables(tmp_path):
    result = lykta("db", "upgrade", LYKTA_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/new/lykta.db")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new" / "lykta.db").exists()
