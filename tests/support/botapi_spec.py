"""Check JSON objects against the machine-readable Bot API spec (shared/botapi/api.json) and python-telegram-bot.

Two independent judges of the local server: the spec's declared fields and types, and another client
library's parser. Neither is ours, so neither can drift along with a bug in the server.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "botapi" / "api.json"


@cache
def spec() -> dict[str, Any]:
    path = SPEC_PATH if SPEC_PATH.exists() else Path(__file__).resolve().parents[2].parent / "shared/botapi/api.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _matches(value: Any, type_name: str, path: str, errors: list[str]) -> bool:
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            return False
        inner = type_name.removeprefix("Array of ")
        return all(_matches(v, inner, f"{path}[{i}]", errors) for i, v in enumerate(value))
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_name == "String":
        return isinstance(value, str)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "True":
        return value is True
    types = spec()["types"]
    if type_name not in types:
        errors.append(f"{path}: unknown type {type_name}")
        return False
    definition = types[type_name]
    if "subtypes" in definition:
        return any(not object_errors(value, sub, path) for sub in definition["subtypes"])
    sub_errors = object_errors(value, type_name, path)
    errors.extend(sub_errors)
    return not sub_errors


def object_errors(obj: Any, type_name: str, path: str = "$") -> list[str]:
    """Everything wrong with `obj` as a `type_name`: missing required fields, wrong types, undeclared fields."""
    errors: list[str] = []
    definition = spec()["types"].get(type_name)
    if definition is None:
        return [f"{path}: unknown type {type_name}"]
    if "subtypes" in definition:
        if any(not object_errors(obj, sub, path) for sub in definition["subtypes"]):
            return []
        return [f"{path}: matches none of {definition['subtypes']}"]
    if not isinstance(obj, dict):
        return [f"{path}: {type_name} must be an object"]
    fields = {f["name"]: f for f in definition.get("fields", [])}
    for name, field in fields.items():
        if field["required"] and name not in obj:
            errors.append(f"{path}.{name}: required field of {type_name} is missing")
    for name, value in obj.items():
        field = fields.get(name)
        if field is None:
            errors.append(f"{path}.{name}: {type_name} declares no such field")
            continue
        nested: list[str] = []
        if not any(_matches(value, t, f"{path}.{name}", nested) for t in field["types"]):
            errors.append(f"{path}.{name}: expected {' or '.join(field['types'])}, got {json.dumps(value)[:80]}")
            errors.extend(nested)
    return errors


def value_errors(value: Any, type_name: str, path: str = "$") -> list[str]:
    """Like object_errors, for any declared type, primitives and arrays included."""
    errors: list[str] = []
    if not _matches(value, type_name, path, errors):
        return errors or [f"{path}: expected {type_name}, got {json.dumps(value)[:80]}"]
    return []


def method_parameters(name: str) -> list[dict[str, Any]]:
    return spec()["methods"][name].get("fields", [])


def ptb_errors(obj: Any, type_name: str) -> list[str]:
    """Parse with python-telegram-bot's class of the same name; report what it refuses."""
    import telegram

    cls = getattr(telegram, type_name, None)
    if cls is None or not hasattr(cls, "de_json"):
        return []
    try:
        parsed = cls.de_json(obj, None)
    except Exception as exc:  # noqa: BLE001 - any refusal is the finding
        return [f"python-telegram-bot cannot parse {type_name}: {type(exc).__name__}: {exc}"]
    if parsed is None:
        return [f"python-telegram-bot parsed {type_name} as None"]
    return []
