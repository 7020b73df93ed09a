"""The inverted index: per language, stems of each topic's keywords, title and example questions.

Built once when the matcher is created. A word of a message finds index keys in this order:
1. its stem (exact key);
2. the longest key that is a prefix of the word (at least 4 letters): inflected and compound words,
   "besøkstider" → "besøk", "posylku" → "posilk";
3. for long words in compounding languages, a key inside the word ("videotapaamisia" → "tapaami");
4. a fuzzy match against the vocabulary of that language (rapidfuzz, cached): typos.
Keys carry IDF weights (rare words count more than words every topic has) and a field weight
(keywords weigh more than words that happen to be in an example question).
Russian, Ukrainian, Tajik and Uzbek keys are sound skeletons, so Latin-letter spelling meets Cyrillic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from knowledge.normalize import CYRILLIC, fold_word, is_stopword, skeleton, stem, tokens

SKELETON_LANGS = frozenset({"ru", "uk", "tg", "uz"})
COMPOUND_LANGS = frozenset({"fi", "sv", "nb", "da", "et"})
STEM_AS = {"uk": "ru"}  # Ukrainian has no Snowball stemmer; the Russian one strips the shared endings

FIELD_WEIGHTS = {"keyword": 1.0, "lexicon": 1.0, "title": 0.9, "example": 0.55}
EXAMPLE_DF = 0.5
IDF_POWER = 1.5  # above 1 sharpens the difference between rare and common words
TF_SHARE = 0.5  # how much repeated use of a word within a topic adds (0: none)
EXAMPLE_IDF_CAP = 2.0
MIN_PREFIX = 4
FUZZY_MIN_LEN = 5
FUZZY_CUTOFF = 84.0
# General-language frequency (Zipf, knowledge/wordfreq.py): the IDF of a word more common than
# COMMON_ZIPF is multiplied by 1 - COMMON_SLOPE per Zipf unit above it, down to COMMON_FLOOR.
COMMON_ZIPF = 4.5
COMMON_SLOPE = 0.4
COMMON_FLOOR = 0.2


def commonness(zipf: float) -> float:
    """The factor on a word's IDF for its general frequency: 1 for a rare word, less for an everyday one."""
    if zipf <= COMMON_ZIPF:
        return 1.0
    return max(COMMON_FLOOR, 1.0 - COMMON_SLOPE * (zipf - COMMON_ZIPF))


@dataclass(frozen=True)
class Hit:
    """One index key found for one word of a message, with how well it fits (0..1)."""

    key: str
    quality: float


@dataclass
class LangIndex:
    lang: str
    postings: dict[str, dict[str, float]] = field(default_factory=dict)  # key -> topic -> field weight
    idf: dict[str, float] = field(default_factory=dict)
    n_topics: int = 0
    vocabulary: list[str] = field(default_factory=list)
    solo: dict[str, set[str]] = field(default_factory=dict)  # keys that are a whole keyword by themselves
    weights: dict[str, dict[str, float]] = field(default_factory=dict)  # key -> topic -> evidence
    best: dict[str, float] = field(default_factory=dict)  # key -> its largest evidence for any topic
    # Phrases (keywords, titles, examples) as wholes: which phrases hold a key, and each phrase's IDF mass.
    phrase_topic: list[str] = field(default_factory=list)
    phrase_postings: dict[str, list[int]] = field(default_factory=dict)
    phrase_total: list[float] = field(default_factory=list)
    _phrase_keys: list[set[str]] = field(default_factory=list)
    _tf: dict[str, dict[str, int]] = field(default_factory=dict)
    zipf: dict[str, float] = field(default_factory=dict)  # content word -> general frequency (Zipf)
    _key_zipf: dict[str, float] = field(default_factory=dict)  # key -> Zipf of its most common word

    # --- building -------------------------------------------------------------------------

    def keys_of(self, word: str) -> list[str]:
        """The index keys a word of the content contributes (two spellings: with and without accents)."""
        if self.lang in SKELETON_LANGS:
            if CYRILLIC.search(word):
                # The Cyrillic stem first (exact, so ШИЗО and СИЗО stay apart), then its sound skeleton,
                # which is what Latin-letter spellings meet.
                st = fold_word(stem(word, STEM_AS.get(self.lang, self.lang)))
                return [st, skeleton(st)]
            return [skeleton(word)]
        st = stem(word, self.lang)
        keys = [fold_word(st)]
        alt = stem(fold_word(word), self.lang)
        if alt != keys[0]:
            keys.append(alt)
        return keys

    def add(self, topic: str, text: str, kind: str) -> None:
        weight = FIELD_WEIGHTS[kind]
        content = [w for w in tokens(text) if not is_stopword(w, self.lang) and len(w) > 1]
        prev: str | None = None
        if len(content) == 1 and kind in ("keyword", "lexicon", "title"):
            for k in self.keys_of(content[0]):
                self.solo.setdefault(k, set()).add(topic)
        if content:
            pkeys = {self.phrase_key(self.keys_of(w)[0]) for w in content}
            pid = len(self.phrase_topic)
            self.phrase_topic.append(topic)
            self._phrase_keys.append(pkeys)
            for k in pkeys:
                self.phrase_postings.setdefault(k, []).append(pid)
        for w in content:
            keys = self.keys_of(w)
            z = self.zipf.get(w)
            for k in keys:
                if z is not None and z > self._key_zipf.get(k, -1.0):
                    self._key_zipf[k] = z
                slot = self.postings.setdefault(k, {})
                slot[topic] = max(slot.get(topic, 0.0), weight)
                tf = self._tf.setdefault(k, {})
                tf[topic] = tf.get(topic, 0) + 1
            pk = self.phrase_key(keys[0])
            if prev is not None:
                bigram = prev + " " + pk
                slot = self.postings.setdefault(bigram, {})
                slot[topic] = max(slot.get(topic, 0.0), weight)
            prev = pk

    def finish(self) -> None:
        topics = {t for slot in self.postings.values() for t in slot}
        self.n_topics = max(len(topics), 1)
        n = self.n_topics
        # BM25's IDF: words most topics share count little; a word of one topic counts a lot.
        # A topic that only mentions a word in passing (in an example question) counts as part of a topic.
        self.idf = {}
        for k, slot in self.postings.items():
            df = sum(1.0 if w >= FIELD_WEIGHTS["title"] else EXAMPLE_DF for w in slot.values())
            self.idf[k] = math.log(1.0 + (n - df + 0.5) / (df + 0.5)) ** IDF_POWER
            z = self._key_zipf.get(k)
            if z is not None:
                # An everyday word says little about the topic, however few topics happen to use it.
                self.idf[k] *= commonness(z)
        # Precomputed evidence per key and topic: field weight x IDF x saturated term frequency (a topic
        # that uses a word in many phrases is more about it). A word a topic has only in an example
        # question is incidental: however rare, its IDF is capped.
        self.weights = {}
        for k, slot in self.postings.items():
            tfs = self._tf.get(k, {})
            idf = self.idf[k]
            out = {}
            for t, fw in slot.items():
                tf = tfs.get(t, 1)
                eff_idf = idf if fw >= FIELD_WEIGHTS["title"] else min(idf, EXAMPLE_IDF_CAP)
                out[t] = fw * eff_idf * (1.0 - TF_SHARE + TF_SHARE * min(tf, 4) / 4)
            self.weights[k] = out
            self.best[k] = max(out.values())
        self.phrase_total = [sum(self.idf.get(k, 0.0) for k in keys) for keys in self._phrase_keys]
        self._phrase_keys = []
        self.vocabulary = sorted(k for k in self.postings if " " not in k)
        self._keyset = frozenset(self.vocabulary)
        self._buckets: dict[tuple[str, int], list[str]] = {}
        for k in self.vocabulary:
            if len(k) >= FUZZY_MIN_LEN - 2:
                self._buckets.setdefault((k[0], len(k)), []).append(k)
        self._lookup = lru_cache(maxsize=50000)(self._lookup_uncached)
        self._exact = lru_cache(maxsize=50000)(self._exact_uncached)
        self._knows = lru_cache(maxsize=50000)(self._knows_uncached)

    # --- lookup ---------------------------------------------------------------------------

    def phrase_key(self, key: str) -> str:
        """The spelling-independent form of a key, used for whole-phrase evidence."""
        return skeleton(key) if self.lang in SKELETON_LANGS else key

    def surface(self, word: str) -> str:
        return skeleton(word) if self.lang in SKELETON_LANGS else fold_word(word)

    def lookup(self, word: str) -> tuple[Hit, ...]:
        """Index keys for one (cleaned) word of a message, best first; empty when unknown."""
        return self._lookup(word)

    def knows(self, word: str) -> bool:
        """Whether the word is in this language's vocabulary (exact stem or a close prefix); cheap."""
        return self._knows(word)

    def lookup_exact(self, word: str) -> tuple[Hit, ...]:
        """Only exact stems: how words of another language are recognised in a mixed message."""
        return self._exact(word)

    def _exact_uncached(self, word: str) -> tuple[Hit, ...]:
        for k in self.keys_of(word):
            if k in self._keyset:
                return (Hit(k, 1.0),)
        return ()

    def _knows_uncached(self, word: str) -> bool:
        if self._exact(word):
            return True
        surf = self.surface(word)
        p = self._longest_prefix(surf) if len(surf) >= MIN_PREFIX else None
        return p is not None and len(p) / len(surf) >= 0.6

    def _longest_prefix(self, s: str, min_len: int = MIN_PREFIX) -> str | None:
        for end in range(len(s), min_len - 1, -1):
            if s[:end] in self._keyset:
                return s[:end]
        return None

    def _lookup_uncached(self, word: str) -> tuple[Hit, ...]:
        if self.lang in SKELETON_LANGS and CYRILLIC.search(word):
            # Cyrillic written in Cyrillic: its own spelling first (exact stem, then prefix), and only then
            # the lossy skeleton shared with Latin spellings (where "чаще" and "час" meet), a little lower.
            st = fold_word(stem(word, STEM_AS.get(self.lang, self.lang)))
            if st in self._keyset:
                return (Hit(st, 1.0),)
            hits = self._search(fold_word(word), compound=False)
            if hits:
                return hits
            sk = skeleton(st)
            if len(sk) >= MIN_PREFIX and sk in self._keyset:
                return (Hit(sk, 0.85),)
            return tuple(Hit(h.key, h.quality * 0.85) for h in self._search(skeleton(word), compound=False,
                                                                             fuzzy_probe=sk))
        for k in self.keys_of(word):
            if k in self._keyset:
                return (Hit(k, 1.0),) if self.lang in SKELETON_LANGS else self._all_exact(word)
        return self._search(self.surface(word), compound=self.lang in COMPOUND_LANGS,
                            fuzzy_probe=self.keys_of(word)[0])

    def _all_exact(self, word: str) -> tuple[Hit, ...]:
        return tuple(Hit(k, 1.0) for k in self.keys_of(word) if k in self._keyset)

    def _search(self, surf: str, *, compound: bool, fuzzy_probe: str | None = None) -> tuple[Hit, ...]:
        """Prefix, compound-part and fuzzy matches of a word's surface form, best first."""
        hits: list[Hit] = []
        if len(surf) >= MIN_PREFIX:
            p = self._longest_prefix(surf)
            if p is not None:
                cover = len(p) / len(surf)
                hits.append(Hit(p, 0.95 if cover >= 0.6 else 0.8 if cover >= 0.45 else 0.6))
                if not compound or cover >= 0.6:
                    return tuple(hits)
        if compound and len(surf) >= 8:
            best: str | None = None
            for j in range(3, len(surf) - MIN_PREFIX + 1):
                p = self._longest_prefix(surf[j:], 5)
                if p is not None and (best is None or len(p) > len(best)):
                    best = p
            if best is not None and (not hits or len(best) > len(hits[0].key)):
                hits.append(Hit(best, 0.75))
        if hits:
            return tuple(hits)
        if len(surf) >= FUZZY_MIN_LEN and self.vocabulary:
            # Typos rarely hit the first letter, and keep the length within two: compare with that bucket
            # only. The stem is compared (the vocabulary is of stems), then the word as typed.
            for probe in dict.fromkeys(p for p in (fuzzy_probe, surf) if p):
                if len(probe) < FUZZY_MIN_LEN - 1:
                    continue
                pool: list[str] = []
                for n in range(len(probe) - 2, len(probe) + 3):
                    pool.extend(self._buckets.get((probe[0], n), ()))
                if pool:
                    m = process.extractOne(probe, pool, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                    if m is not None:
                        hits.append(Hit(m[0], 0.75 * m[1] / 100.0))
                        break
        return tuple(hits)


def build_index(lang: str, entries: list[tuple[str, str, str]], zipf: dict[str, float] | None = None) -> LangIndex:
    """An index of (topic, text, kind) entries in one language (`zipf`: general frequency of its words)."""
    idx = LangIndex(lang, zipf=zipf or {})
    for topic, text, kind in entries:
        idx.add(topic, text, kind)
    idx.finish()
    return idx
