"""Render a knowledge-base topic as one Telegram HTML message in the user's language and jurisdiction."""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import FeedbackCB, HumanCB, NearStartCB, RelatedCB, TopicCB
from handlers.render.directory import footer as directory_footer
from handlers.texts import DISCLAIMER, MACHINE_NOTE, country_name
from knowledge import KnowledgeBase
from knowledge.directory import Directory, for_topic

TELEGRAM_LIMIT = 4096
RTL_LANGUAGES = {"ar"}


def _link(url: str) -> str:
    host = urlparse(url).netloc.removeprefix("www.") or url
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(host)}</a>'


def jurisdiction_block(kb: KnowledgeBase, topic_id: str, lang: str, jurisdiction: str | None) -> str:
    """The part of an answer that is specific to the user's country: bodies, laws, where to complain."""
    topic = kb.topics[topic_id]
    if not jurisdiction or jurisdiction not in topic.jurisdictions or jurisdiction not in kb.jurisdictions:
        return ""
    part = topic.jurisdictions[jurisdiction]
    registry = kb.jurisdictions[jurisdiction]
    lines = [f"<b>{html.escape(country_name(jurisdiction))}</b>"]
    note = part.note.get(lang) or part.note.get("en")
    if note:
        lines.append(note)
    for key in part.bodies:
        body = registry.bodies[key]
        link = f" — {_link(str(body.url))}" if body.url else ""
        lines.append(f"• {html.escape(body.name.in_language(lang))}{link}")
    for key in part.laws:
        law = registry.laws[key]
        link = f" — {_link(str(law.url))}" if law.url else ""
        lines.append("• " + _("Law: {name}").format(name=html.escape(law.name.in_language(lang))) + link)
    for key in part.complaint:
        body = registry.bodies[key]
        link = f" — {_link(str(body.url))}" if body.url else ""
        lines.append("• " + _("Complaints: {name}").format(name=html.escape(body.name.in_language(lang))) + link)
    return "\n".join(lines)


DIRECTORY_TOPIC = "ngo.contacts"  # its answer offers the /help_near_me dialogue instead of a short list


def organisations_block(directory: Directory | None, topic_id: str, lang: str, jurisdiction: str | None,
                        shown: str) -> str:
    """One or two organisations of the user's country offering this topic's kind of help (not already linked)."""
    if directory is None or not jurisdiction or topic_id == DIRECTORY_TOPIC:
        return ""
    hosts = {urlparse(h).hostname or "" for h in re.findall(r'href="([^"]+)"', shown)}
    return directory_footer(for_topic(directory, topic_id, jurisdiction, lang, exclude_hosts=hosts))


def render_topic(kb: KnowledgeBase, topic_id: str, lang: str, jurisdiction: str | None,
                 directory: Directory | None = None) -> str:
    """Title, answer, the jurisdiction part, organisations that can help, sources and the notes every answer carries.

    The organisations come from the directory, for the user's country only (`organisations_block`).
    """
    used_lang, tr = kb.translation(topic_id, lang)
    topic = kb.topics[topic_id]
    parts = [f"<b>{html.escape(tr.title)}</b>", tr.answer.strip()]
    block = jurisdiction_block(kb, topic_id, used_lang, jurisdiction)
    if block:
        parts.append(block)
    elif not jurisdiction and topic.jurisdictions:
        parts.append("<i>" + _("Choose your country with /country to see the authorities and laws there.") + "</i>")
    orgs = organisations_block(directory, topic_id, lang, jurisdiction, "\n".join(parts))
    if orgs:
        parts.append(orgs)
    source_ids = list(dict.fromkeys([*topic.sources, *(topic.jurisdictions[jurisdiction].sources
                                                        if jurisdiction in topic.jurisdictions else [])]))
    sources = [kb.sources[s] for s in source_ids]
    if sources:
        items = [f"{html.escape(s.title)} ({html.escape(s.publisher)}) — {_link(str(s.url))}" for s in sources[:5]]
        parts.append(_("Sources:") + "\n" + "\n".join(f"• {i}" for i in items))
    notes = [str(DISCLAIMER)]
    if tr.status.value == "machine-drafted":
        notes.append(str(MACHINE_NOTE))
    parts.append("<i>" + " ".join(html.escape(n) for n in notes) + "</i>")
    if used_lang in RTL_LANGUAGES:  # a right-to-left mark keeps paragraphs that start with Latin text RTL
        parts = ["\u200f" + p.replace("\n", "\n\u200f") for p in parts]
    text = "\n\n".join(parts)
    if len(text.encode("utf-16-le")) // 2 > TELEGRAM_LIMIT:  # sources are the part that can go, then organisations
        text = "\n\n".join(p for p in parts if not p.lstrip("\u200f").startswith(_("Sources:")))
    if len(text.encode("utf-16-le")) // 2 > TELEGRAM_LIMIT and orgs:
        text = "\n\n".join(p for p in parts if not p.lstrip("\u200f").startswith(_("Sources:"))
                             and p.lstrip("\u200f") != orgs.replace("\n", "\n\u200f"))
    return text


def answer_keyboard(kb: KnowledgeBase, topic_id: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("👍 This helped"), callback_data=FeedbackCB(id=topic_id, helped=True))
    builder.button(text=_("🙋 Talk to a person"), callback_data=HumanCB(id=topic_id))
    if kb.topics[topic_id].related:
        builder.button(text=_("Related topics"), callback_data=RelatedCB(id=topic_id))
    if topic_id == DIRECTORY_TOPIC:
        builder.button(text=_("🔎 Find organisations near me"), callback_data=NearStartCB())
    builder.adjust(2, 1, 1)
    return builder.as_markup()


def topic_buttons(kb: KnowledgeBase, topic_ids: list[str], lang: str) -> InlineKeyboardBuilder:
    builder = InlineKeyboardBuilder()
    for tid in topic_ids:
        builder.button(text=kb.title(tid, lang), callback_data=TopicCB(id=tid))
    builder.adjust(1)
    return builder
