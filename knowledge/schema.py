"""The typed shape of the knowledge base content, validated when it is loaded.

A topic file holds one topic in every language it has; jurisdiction parts refer to the
registry of authorities and laws (jurisdictions.yaml) and to sources by id, so a fact and its
source are written once.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints

CORE_LANGUAGES: tuple[str, ...] = ("en", "ru", "fi", "sv", "nb", "da")
EXTRA_LANGUAGES: tuple[str, ...] = ("uk", "pl", "lt", "et", "ro", "ar", "uz", "tg")
JURISDICTIONS: tuple[str, ...] = ("FI", "SE", "NO", "DK", "IS", "RU-SPE", "RU-KR")

LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
JurisdictionCode = Annotated[str, StringConstraints(pattern=r"^(FI|SE|NO|DK|IS|RU-SPE|RU-KR)$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Policy(StrEnum):
    answer = "answer"
    refer = "refer"
    crisis = "crisis"


class TranslationStatus(StrEnum):
    reviewed = "reviewed"
    machine_drafted = "machine-drafted"


class Source(Strict):
    """A public document an answer rests on."""

    title: NonEmpty
    publisher: NonEmpty
    url: AnyHttpUrl
    changed: dt.date | None = None  # when the source last changed: reviewed translations older than this are stale


class TaxonomyTopic(Strict):
    id: Ident
    group: Ident
    policy: Policy
    covers: NonEmpty


class Taxonomy(Strict):
    groups: list[Ident]
    topics: list[TaxonomyTopic]


class LocalName(Strict):
    """A body's or law's name in its own language, with translations of what it is."""

    local: NonEmpty
    translations: dict[LangCode, NonEmpty] = Field(default_factory=dict)

    def in_language(self, lang: str) -> str:
        """The local name, followed by a translation when the reader's language differs."""
        tr = self.translations.get(lang) or self.translations.get("en")
        if not tr or tr == self.local:
            return self.local
        return f"{self.local} ({tr})"


class Body(Strict):
    """An authority, ombudsman, monitoring or legal aid body of one jurisdiction."""

    name: LocalName
    url: AnyHttpUrl | None = None
    source: Ident


class Law(Strict):
    name: LocalName
    url: AnyHttpUrl | None = None
    source: Ident


class Jurisdiction(Strict):
    names: dict[LangCode, NonEmpty]
    emergency: list[NonEmpty]
    bodies: dict[Ident, Body] = Field(default_factory=dict)
    laws: dict[Ident, Law] = Field(default_factory=dict)


class JurisdictionPart(Strict):
    """What differs in one jurisdiction: which bodies and laws apply, and an optional note."""

    bodies: list[Ident] = Field(default_factory=list)
    laws: list[Ident] = Field(default_factory=list)
    complaint: list[Ident] = Field(default_factory=list)
    sources: list[Ident] = Field(default_factory=list)
    note: dict[LangCode, NonEmpty] = Field(default_factory=dict)


class Translation(Strict):
    status: TranslationStatus
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    answer: NonEmpty
    keywords: list[NonEmpty] = Field(min_length=3)
    examples: list[NonEmpty] = Field(min_length=3, max_length=8)


class Topic(Strict):
    id: Ident
    reviewed: dt.date
    sources: list[Ident] = Field(min_length=1)
    related: list[Ident] = Field(default_factory=list)
    jurisdictions: dict[JurisdictionCode, JurisdictionPart] = Field(default_factory=dict)
    translations: dict[LangCode, Translation]


class CrisisLexicon(Strict):
    """One language's crisis phrases (knowledge/content/crisis/<lang>.yaml): matched before any topic.

    A phrase is words separated by spaces, compared on the sound skeleton of the text (diacritics,
    case and Cyrillic/Latin spelling ignored): `word*` matches any word starting with `word`,
    `a|b` either word, `~` up to three words in between and `~~` up to six. `exclude` phrases are
    cut out of the text before matching (e.g. "death certificate", "killed time").
    """

    lang: LangCode
    phrases: dict[Ident, list[NonEmpty]]
    exclude: list[NonEmpty] = Field(default_factory=list)


class TopicLexicon(Strict):
    """Extra matching terms per topic for one language (knowledge/content/lexicon/<lang>.yaml).

    Used for the languages that have no topic translations yet, so their users still reach the
    right topic (the answer is shown in the best available language).
    """

    lang: LangCode
    topics: dict[Ident, list[NonEmpty]]
