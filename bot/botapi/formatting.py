"""Telegram's HTML parse mode: parse to text + entities (UTF-16 offsets), and render entities back as safe HTML."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

TAG_ENTITY = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "code": "code", "pre": "pre",
    "a": "text_link", "blockquote": "blockquote", "tg-spoiler": "spoiler", "span": "spoiler",
}
ENTITY_TAG = {"bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "code": "code", "pre": "pre",
              "text_link": "a", "blockquote": "blockquote", "spoiler": "span", "url": "a"}


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message mimics Telegram's."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self.pos = 0  # in UTF-16 units (HTMLParser's own `offset` attribute is something else)
        self.stack: list[tuple[str, int, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAG_ENTITY:
            raise EntityParseError(f"Bad Request: can't parse entities: Unsupported start tag \"{tag}\"")
        extra: dict[str, Any] = {}
        if tag == "a":
            href = dict(attrs).get("href")
            if not href:
                raise EntityParseError("Bad Request: can't parse entities: Can't find end of href")
            extra["url"] = href
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            raise EntityParseError("Bad Request: can't parse entities: Unsupported start tag \"span\"")
        self.stack.append((tag, self.pos, extra))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            raise EntityParseError(f"Bad Request: can't parse entities: Unmatched end tag \"{tag}\"")
        _, start, extra = self.stack.pop()
        if self.pos > start:
            self.entities.append({"type": TAG_ENTITY[tag], "offset": start, "length": self.pos - start, **extra})

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.pos += utf16_len(data)

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            raise EntityParseError(f"Bad Request: can't parse entities: Unsupported HTML entity \"&{name};\"")
        self.handle_data(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.handle_data(html.unescape(f"&#{name};"))


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities, as Telegram derives them from `parse_mode=HTML`."""
    stray = re.search(r"<(?![a-zA-Z/])|<(?=/[^a-zA-Z])", text)
    if stray:
        raise EntityParseError(f"Bad Request: can't parse entities: Unexpected character at byte offset "
                               f"{len(text[:stray.start()].encode())}")
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise EntityParseError(f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
                               f"\"{parser.stack[-1][0]}\"")
    parser.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.parts), parser.entities


def render_html(text: str, entities: list[dict[str, Any]] | None) -> str:
    """Safe HTML for the browser: every character escaped, only entity tags added (links limited to http/https)."""
    units = text.encode("utf-16-le")
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for ent in entities or []:
        tag = ENTITY_TAG.get(ent.get("type", ""))
        if not tag:
            continue
        n_units = len(units) // 2
        start = min(max(int(ent.get("offset", 0)), 0), n_units)
        end = min(start + max(int(ent.get("length", 0)), 0), n_units)
        if tag == "a":
            url = str(ent.get("url") or text_slice(units, start, end))
            if not url.startswith(("http://", "https://")):
                continue
            open_tag = f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
        elif tag == "span":
            open_tag = '<span class="spoiler">'
        else:
            open_tag = f"<{tag}>"
        opens.setdefault(start, []).append(open_tag)
        closes.setdefault(end, []).insert(0, f"</{tag}>")
    out: list[str] = []
    n = len(units) // 2
    i = 0
    while i <= n:
        out.extend(closes.get(i, []))
        out.extend(opens.get(i, []))
        if i == n:
            break
        j = i + 1
        ch = units[2 * i: 2 * i + 2]
        if 0xD800 <= int.from_bytes(ch, "little") <= 0xDBFF:
            j = i + 2
        out.append(html.escape(units[2 * i: 2 * j].decode("utf-16-le", errors="replace"), quote=False))
        i = j
    return "".join(out)


def text_slice(units: bytes, start: int, end: int) -> str:
    return units[2 * start: 2 * end].decode("utf-16-le", errors="replace")


def command_entities(text: str) -> list[dict[str, Any]]:
    """A bot_command entity for a leading /command, as Telegram adds to incoming messages."""
    if text.startswith("/"):
        word = text.split(maxsplit=1)[0]
        return [{"type": "bot_command", "offset": 0, "length": utf16_len(word)}]
    return []
