"""Character n-gram TF-IDF similarity between a message and each topic's text, per language.

Words are cut into overlapping pieces of 3 to 5 letters (with a space marking the word's start and end),
so "vankilassa", "vankilaan" and "vankila" share most of their pieces, and so do "посылку" and "posylku"
(Cyrillic languages use the sound skeleton of `normalize.py`). This catches what stems and prefixes miss:
case endings of Finnish and Russian, compounds of the Nordic languages, typos, and a message's word that
only resembles a word of the content. Each topic is one document (its keywords, title and example
questions, by field weight); the score of a topic is the cosine between the message's and the topic's
TF-IDF vectors, in [0, 1]. Built once at start-up; a lookup is a few dictionary reads per piece.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from knowledge.normalize import fold_word, is_stopword, skeleton, tokens

SKELETON_LANGS = frozenset({"ru", "uk", "tg", "uz"})
GRAM_SIZES = (3, 4, 5)
FIELD_WEIGHTS = {"keyword": 1.0, "lexicon": 1.0, "title": 0.9, "example": 0.6}
MAX_DF_SHARE = 0.5  # pieces found in more than half of the topics say nothing about the topic


def grams(word: str) -> set[str]:
    w = f" {word} "
    out = set()
    for n in GRAM_SIZES:
        if len(w) < n:
            break
        for i in range(len(w) - n + 1):
            out.add(w[i:i + n])
    return out


@dataclass
class GramIndex:
    lang: str
    postings: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)  # gram -> (topic, w)
    idf: dict[str, float] = field(default_factory=dict)

    def surface(self, word: str) -> str:
        return skeleton(word) if self.lang in SKELETON_LANGS else fold_word(word)

    def words(self, text: str) -> list[str]:
        return [self.surface(w) for w in tokens(text) if len(w) > 1 and not is_stopword(w, self.lang)
                and not w.isdigit()]

    def similarity(self, words_: list[str]) -> dict[str, float]:
        """Cosine between the message's surface words and every topic sharing a piece with it."""
        q: dict[str, float] = {}
        for w in words_:
            for g in grams(self.surface(w)):
                idf = self.idf.get(g)
                if idf is not None:
                    q[g] = q.get(g, 0.0) + idf
        if not q:
            return {}
        norm = math.sqrt(sum(v * v for v in q.values()))
        out: dict[str, float] = {}
        for g, qv in q.items():
            qv /= norm
            for t, tv in self.postings[g]:
                out[t] = out.get(t, 0.0) + qv * tv
        return out


def build_gram_index(lang: str, entries: list[tuple[str, str, str]], is_stop=is_stopword) -> GramIndex:
    idx = GramIndex(lang)
    tf: dict[str, dict[str, float]] = {}
    for topic, text, kind in entries:
        fw = FIELD_WEIGHTS.get(kind, 0.6)
        gs: set[str] = set()
        for w in idx.words(text):
            gs |= grams(w)
        for g in gs:
            slot = tf.setdefault(g, {})
            slot[topic] = slot.get(topic, 0.0) + fw
    topics = {t for slot in tf.values() for t in slot}
    n = max(len(topics), 1)
    vec: dict[str, dict[str, float]] = {t: {} for t in topics}
    for g, slot in tf.items():
        df = len(slot)
        if df > MAX_DF_SHARE * n and n > 4:
            continue
        idf = math.log((n + 1) / (df + 0.5))
        idx.idf[g] = idf
        for t, c in slot.items():
            vec[t][g] = (1.0 + math.log(c) if c >= 1 else c) * idf
    post: dict[str, list[tuple[str, float]]] = {}
    for t, v in vec.items():
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        for g, x in v.items():
            post.setdefault(g, []).append((t, x / norm))
    idx.postings = {g: tuple(p) for g, p in post.items()}
    return idx
