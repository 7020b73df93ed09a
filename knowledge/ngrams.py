"""Character n-gram TF-IDF similarity between a message and each topic's text, per language.

Words are cut into overlapping pieces of four letters (a space marks the word's start and end), so
"vankilassa", "vankilaan" and "vankila" share most of their pieces, and so do "посылку" and "posylku"
(Cyrillic languages use the sound skeleton of `normalize.py`). This catches what stems and prefixes miss:
case endings of Finnish and Russian, compounds of the Nordic languages, typos, a word of the message that
only resembles a word of the content. Each topic is one document (its keywords, title and example
questions, by field weight); a topic's score is the cosine between the message's and the topic's TF-IDF
vectors, in [0, 1]. Built once at start-up; a message costs a few dictionary reads per word (cached).
(Pieces of 3 and 5 letters as well were measured: no better, three times the cost.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from knowledge.normalize import fold_word, is_stopword, skeleton, tokens

SKELETON_LANGS = frozenset({"ru", "uk", "tg", "uz"})
GRAM_SIZES = (4,)
FIELD_WEIGHTS = {"keyword": 1.0, "lexicon": 1.0, "title": 0.9, "example": 0.6}
MAX_DF_SHARE = 0.5  # pieces found in more than half of the topics say nothing about the topic


@lru_cache(maxsize=65536)
def grams(surface: str) -> frozenset[str]:
    """The pieces of one word's surface form."""
    w = f" {surface} "
    out: set[str] = set()
    for n in GRAM_SIZES:
        out.update(w[i:i + n] for i in range(len(w) - n + 1))
    return frozenset(out)


@dataclass
class GramIndex:
    lang: str
    postings: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)  # piece -> (topic, w)
    idf: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._word = lru_cache(maxsize=50000)(self._word_uncached)

    def surface(self, word: str) -> str:
        return skeleton(word) if self.lang in SKELETON_LANGS else fold_word(word)

    def _word_uncached(self, word: str) -> tuple[dict[str, float], dict[str, float]]:
        """One message word: its weighted pieces, and its (unnormalised) dot product with each topic."""
        q = {g: self.idf[g] for g in grams(self.surface(word)) if g in self.idf}
        dots: dict[str, float] = {}
        for g, qv in q.items():
            for t, tv in self.postings[g]:
                dots[t] = dots.get(t, 0.0) + qv * tv
        return q, dots

    def similarity(self, words_: list[str]) -> dict[str, float]:
        """Cosine between the message's words (cleaned, content words only) and every topic sharing a piece."""
        q: dict[str, float] = {}
        out: dict[str, float] = {}
        for w in words_:
            wq, dots = self._word(w)
            for g, v in wq.items():
                q[g] = q.get(g, 0.0) + v
            for t, v in dots.items():
                out[t] = out.get(t, 0.0) + v
        if not out:
            return {}
        norm = math.sqrt(sum(v * v for v in q.values()))
        return {t: v / norm for t, v in out.items()}


def build_gram_index(lang: str, entries: list[tuple[str, str, str]]) -> GramIndex:
    """The n-gram index of (topic, text, kind) entries in one language."""
    idx = GramIndex(lang)
    # Each phrase counts a word once, with its field weight; a topic's words are then cut into pieces.
    per_topic: dict[str, dict[str, float]] = {}
    for topic, text, kind in entries:
        fw = FIELD_WEIGHTS.get(kind, 0.6)
        bag = per_topic.setdefault(topic, {})
        for w in {w for w in tokens(text) if len(w) > 1 and not w.isdigit() and not is_stopword(w, lang)}:
            s = idx.surface(w)
            bag[s] = bag.get(s, 0.0) + fw
    tf: dict[str, dict[str, float]] = {}
    for topic, bag in per_topic.items():
        for s, fw in bag.items():
            for g in grams(s):
                slot = tf.setdefault(g, {})
                slot[topic] = slot.get(topic, 0.0) + fw
    n = max(len(per_topic), 1)
    vec: dict[str, dict[str, float]] = {t: {} for t in per_topic}
    for g, slot in tf.items():
        df = len(slot)
        if n > 4 and df > MAX_DF_SHARE * n:
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
