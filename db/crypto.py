"""Encryption at rest for message contents (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

The key comes from LYKTA_DATA_KEY (or a key file the bot creates on first start); several keys may be
active at once (newest first) so a key can be rotated: `lykta keys rotate` re-encrypts every value.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

_fernet: MultiFernet | None = None


def configure(keys: list[str]) -> None:
    """Set the keys, newest first. Without keys, values are stored in clear (tests of the pure layer only)."""
    global _fernet
    _fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys]) if keys else None


def new_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(value: str) -> str:
    return _fernet.encrypt(value.encode()).decode() if _fernet else value


def decrypt(value: str) -> str:
    if _fernet is None or not value.startswith("gAAAA"):
        return value
    try:
        return _fernet.decrypt(value.encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt a stored value: is LYKTA_DATA_KEY the key it was written with?") from None


def rotate(value: str) -> str:
    """Re-encrypt with the newest key."""
    return _fernet.rotate(value.encode()).decode() if _fernet and value.startswith("gAAAA") else encrypt(value)


class EncryptedText(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(decrypt(value))
