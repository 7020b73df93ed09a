"""The batch interface of MATCHING.md: JSON Lines in, one JSON line out per input line, same order."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from knowledge.schema import JURISDICTIONS


def _error(id_: Any, reason: str) -> str:
    return json.dumps({"id": id_, "error": reason}, ensure_ascii=False)


def run_batch(lines: Iterable[str], matcher: Any) -> Iterator[str]:
    """Match every line; a malformed line yields {"id": ..., "error": "..."} and the run goes on.

    Blank lines are skipped (they are not items). Unknown `lang` or `jurisdiction` values are
    treated as null rather than refused: the message still deserves an answer.
    """
    for n, line in enumerate(lines, 1):
        if isinstance(line, bytes):
            line = line.decode("utf-8", errors="replace")
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (json.JSONDecodeError, ValueError) as exc:
            yield _error(None, f"line {n}: not JSON: {exc.msg if hasattr(exc, 'msg') else exc}")
            continue
        if not isinstance(item, dict):
            yield _error(None, f"line {n}: expected a JSON object")
            continue
        id_ = item.get("id")
        text = item.get("text")
        if not isinstance(text, str):
            yield _error(id_, f"line {n}: 'text' must be a string")
            continue
        lang = item.get("lang")
        lang = lang.strip().lower() if isinstance(lang, str) and lang.strip() else None
        jur = item.get("jurisdiction")
        jur = jur.strip().upper() if isinstance(jur, str) and jur.strip().upper() in JURISDICTIONS else None
        try:
            decision = matcher.match(text, lang, jur)
        except Exception as exc:  # noqa: BLE001 - the matcher never raises; this guards a stand-in
            yield _error(id_, f"line {n}: matcher failed: {type(exc).__name__}")
            continue
        yield json.dumps(decision.to_json(id_), ensure_ascii=False)
