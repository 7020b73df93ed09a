"""Which topic is available in which language, and in what state: for `lykta kb coverage`."""

from __future__ import annotations

from knowledge.base import KnowledgeBase
from knowledge.schema import CORE_LANGUAGES, EXTRA_LANGUAGES

MISSING, DRAFTED, REVIEWED, STALE = "missing", "machine-drafted", "reviewed", "stale"


def coverage(kb: KnowledgeBase, languages: tuple[str, ...] = (*CORE_LANGUAGES, *EXTRA_LANGUAGES),
             ) -> dict[str, dict[str, str]]:
    """{topic: {language: state}}. A reviewed translation is stale when one of its sources changed after the
    topic's `reviewed` date."""
    table: dict[str, dict[str, str]] = {}
    for topic_id, topic in kb.topics.items():
        changed = [kb.sources[s].changed for s in topic.sources if kb.sources[s].changed]
        newest = max(changed) if changed else None
        row: dict[str, str] = {}
        for lang in languages:
            tr = topic.translations.get(lang)
            if tr is None:
                row[lang] = MISSING
            elif tr.status.value == "machine-drafted":
                row[lang] = DRAFTED
            elif newest is not None and newest > topic.reviewed:
                row[lang] = STALE
            else:
                row[lang] = REVIEWED
        table[topic_id] = row
    return table
