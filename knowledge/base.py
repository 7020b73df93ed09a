"""The loaded knowledge base: topics, their translations, sources and the jurisdiction registry."""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.schema import Jurisdiction, Policy, Source, Taxonomy, TaxonomyTopic, Topic, Translation


@dataclass(frozen=True)
class KnowledgeBase:
    taxonomy: Taxonomy
    topics: dict[str, Topic]
    sources: dict[str, Source]
    jurisdictions: dict[str, Jurisdiction]
    meta: dict[str, TaxonomyTopic] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "meta", {t.id: t for t in self.taxonomy.topics})

    @property
    def languages(self) -> set[str]:
        """Languages in which every topic has a translation."""
        langs: set[str] | None = None
        for topic in self.topics.values():
            langs = set(topic.translations) if langs is None else langs & set(topic.translations)
        return langs or set()

    def policy(self, topic_id: str) -> Policy:
        return self.meta[topic_id].policy

    def translation(self, topic_id: str, lang: str) -> tuple[str, Translation]:
        """The topic in `lang`, or in English when that language is missing; returns the language used."""
        topic = self.topics[topic_id]
        if lang in topic.translations:
            return lang, topic.translations[lang]
        return "en", topic.translations["en"]

    def title(self, topic_id: str, lang: str) -> str:
        return self.translation(topic_id, lang)[1].title

    def topics_in_group(self, group: str) -> list[str]:
        return [t.id for t in self.taxonomy.topics if t.group == group]
