"""The matcher: one message in, one decision out (answer, clarify, handoff or crisis).

Pipeline (docs/matching.md explains each stage and its thresholds):
1. crisis lexicon, on every message, in every language, before anything else;
2. language: the user's choice as a strong prior, corrected by script, letters and vocabulary;
3. words → index keys (stem, prefix, compound part, fuzzy) in the message's language, then in its
   fallback language (e.g. Russian for Tajik) and, for words still unknown, exact words of the other
   languages (mixed messages);
4. topic scores: IDF-weighted evidence, plus bigram, phrase and character n-gram evidence (knowledge/ngrams.py),
   turned into a confidence and a margin;
5. the decision, by the thresholds in knowledge/thresholds.py.
`match` does no I/O and never raises.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml

from knowledge import thresholds as th
from knowledge.base import KnowledgeBase
from knowledge.crisis import SUICIDE, VIOLENCE, CrisisDetector
from knowledge.index import LangIndex, build_index
from knowledge.language import ALL_LANGUAGES, detect
from knowledge.ngrams import GramIndex, build_gram_index
from knowledge.normalize import MAX_CHARS, clean, is_stopword, skeleton, words
from knowledge.schema import CORE_LANGUAGES, Policy, TopicLexicon
from knowledge.wordfreq import load_table

LEXICON_DIR = Path(__file__).parent / "content" / "lexicon"
CRISIS_TOPICS = (SUICIDE, VIOLENCE)

# Where a language without its own topic translations looks next.
SIBLINGS: dict[str, tuple[str, ...]] = {"nb": ("da", "sv"), "da": ("nb", "sv"), "sv": ("nb", "da")}
# Related languages (shared roots, Russian loanwords) allow prefix and fuzzy matches; the others only
# exact words (international words such as "advokat", "deportation").
FALLBACKS: dict[str, tuple[str, ...]] = {
    "uk": ("ru",), "tg": ("ru",), "uz": ("ru",), "et": ("fi",), "sv": ("nb", "da"), "nb": ("da", "sv"),
    "da": ("nb", "sv"),
}
# Requests the bot cannot fulfil (fill in a form, translate, write for me): never answered outright.
_TASK_REQUESTS = [
    "fill in", "fill out", "write it for me", "write for me", "do it for me",
    "заполни", "заполните", "напиши за меня", "напишите за меня", "составь за меня",
    "заповни", "заповніть", "напиши замість",
    "täytä", "täyttäkää", "täytä puolesta", "kirjoita puolestani",
    "fylla i", "fyll i", "fyller i", "skriv åt mig",
    "fylle ut", "fyll ut", "skriv for meg",
    "udfylde", "udfyld", "skriv for mig",
]
_TASK_KEYS = [" ".join(skeleton(w) for w in words(clean(t))) for t in _TASK_REQUESTS]
# "Can you ... for me": asking the bot to do something, not asking a question about rights.
_FOR_ME = [" ".join(skeleton(w) for w in words(clean(t))) for t in (
    "for me", "за меня", "за мене", "замість мене", "puolestani", "minun puolesta", "åt mig", "for meg", "for mig",
    "dla mnie", "pentru mine", "man uchun", "мен учун", "барои ман")]
_CAN_YOU = [" ".join(skeleton(w) for w in words(clean(t))) for t in (
    "can you", "could you", "would you", "можешь", "можете", "не могли бы", "можеш", "voitko", "voisitko", "voitteko",
    "kan du", "kan ni", "kan dere", "kunne du", "kunde du", "czy możesz", "poți", "poti", "puteți")]
# Imperatives that open a request to translate something: not a question about rights.
_OPENERS = "translate переведи переведите перекладіть переклади käännä översätt oversett oversæt"
_TASK_OPENERS = frozenset(skeleton(w) for w in _OPENERS.split())

# Greetings, thanks and small talk: alone, they are not a question (the bot greets and offers a person).
_SMALLTALK = frozenset(clean("""
hi hello hey hiya morning good evening afternoon night thanks thank thx ty ok okay bye goodbye cheers great nice
привет здравствуйте здрасте добрый день утро вечер доброе спасибо благодарю пока ок хорошо понятно ясно
привіт вітаю добрий доброго дякую дуже спасибі бувай
moi hei heippa terve huomenta päivää iltaa kiitos kiitti kiitoksia okei selvä moikka
hej hejsan hallå tjena god morgon kväll tack tackar okej bra
hallo morgen kveld takk tusen ha det
hejsa godmorgen godaften tak mange fint
cześć czesc dzień dobry dziękuję dziekuje dzięki dzieki
labas laba diena ačiū aciu labai
tere tänan aitäh aitah
bună buna salut mulțumesc multumesc mersi
مرحبا اهلا أهلا السلام عليكم صباح الخير مساء شكرا شكراً
salom assalomu alaykum rahmat raxmat katta
салом ассалому алейкум ташаккур рахмат
""").split())


_CLAUSE = re.compile(r"[^.!?;\n]+[.!?;\n]*")


def _question_positions(cleaned: str) -> frozenset[int]:
    """Word positions inside the clauses that end with a question mark, when there are other clauses:
    in a long message the question carries the topic, the story around it less so."""
    clauses = _CLAUSE.findall(cleaned)
    if len(clauses) < 2:
        return frozenset()
    out: set[int] = set()
    pos = 0
    for clause in clauses:
        n = len(words(clause))
        if "?" in clause:
            out.update(range(pos, pos + n))
        pos += n
    return frozenset(out) if len(out) < pos else frozenset()


class Action(StrEnum):
    answer = "answer"
    clarify = "clarify"
    handoff = "handoff"
    crisis = "crisis"


@dataclass(frozen=True)
class Decision:
    action: Action
    topic: str | None
    lang: str
    score: float
    candidates: list[tuple[str, float]] = field(default_factory=list)

    def to_json(self, id_: object = None) -> dict:
        out: dict = {} if id_ is None else {"id": id_}
        out.update({
            "action": str(self.action), "topic": self.topic, "lang": self.lang, "score": round(self.score, 4),
            "candidates": [[t, round(s, 4)] for t, s in self.candidates],
        })
        return out


@dataclass
class _Scored:
    raw: dict[str, float]
    mass: float
    unknown: float
    content_words: int
    matched: dict[str, int]  # topic -> how many words of the message support it
    solo: set[str]  # topics one of whose whole keywords is a word of the message
    unknown_long: int


def load_lexicons(directory: Path | None = None) -> list[TopicLexicon]:
    root = Path(directory or LEXICON_DIR)
    out = []
    for path in sorted(root.glob("*.yaml")):
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        out.append(TopicLexicon.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=loader)))
    return out


def index_entries(kb: KnowledgeBase, lexicons: list[TopicLexicon]) -> dict[str, list[tuple[str, str, str]]]:
    """What the indexes are built from, per language: (topic, text, kind) for each title, keyword, example
    question and lexicon term."""
    known = set(kb.topics) | set(kb.meta)
    entries: dict[str, list[tuple[str, str, str]]] = {}
    for tid, topic in kb.topics.items():
        for lang, tr in topic.translations.items():
            bucket = entries.setdefault(lang, [])
            bucket.append((tid, tr.title, "title"))
            bucket.extend((tid, kw, "keyword") for kw in tr.keywords)
            bucket.extend((tid, ex, "example") for ex in tr.examples)
    for lex in lexicons:
        bucket = entries.setdefault(lex.lang, [])
        for tid, terms in lex.topics.items():
            if tid in known:
                bucket.extend((tid, term, "lexicon") for term in terms)
    return entries


class Matcher:
    """Indexes the knowledge base once; `match` turns a message into a `Decision`."""

    def __init__(self, kb: KnowledgeBase, *, crisis: CrisisDetector | None = None,
                 lexicons: list[TopicLexicon] | None = None) -> None:
        self.kb = kb
        self.crisis = crisis if crisis is not None else CrisisDetector.load()
        if lexicons is None:
            lexicons = load_lexicons()
        entries = index_entries(kb, lexicons)
        self.zipf = load_table()
        self._build(entries)

    def _build(self, entries: dict[str, list[tuple[str, str, str]]]) -> None:
        """The per-language word indexes and character n-gram indexes of (topic, text, kind) entries."""
        self._entries = entries  # kept for bench/heldout.py, which rebuilds without a fold of examples
        self.indexes: dict[str, LangIndex] = {lang: build_index(lang, e, self.zipf.get(lang))
                                              for lang, e in entries.items() if e}
        # N-grams only where the topics are written in the language (see `_score`).
        self.grams: dict[str, GramIndex] = {lang: build_gram_index(lang, e) for lang, e in entries.items()
                                            if e and lang in CORE_LANGUAGES}
        self.core = [lang for lang in CORE_LANGUAGES if lang in self.indexes]

    # --- public ---------------------------------------------------------------------------

    def match(self, text: str, lang: str | None = None, jurisdiction: str | None = None) -> Decision:
        """The decision for one message. Never raises: on any internal error the answer is a handoff."""
        try:
            return self._match(text, lang, jurisdiction)
        except Exception:  # noqa: BLE001  # pragma: no cover - last line of defence; a person will answer
            return Decision(Action.handoff, None, lang if lang in ALL_LANGUAGES else "en", 0.0, [])

    # --- stages ---------------------------------------------------------------------------

    def _knows(self, lang: str, word: str) -> bool:
        idx = self.indexes.get(lang)
        return idx is not None and idx.knows(word)

    def _chain(self, lang: str) -> list[tuple[LangIndex, float]]:
        chain: list[tuple[LangIndex, float]] = []
        if lang in self.indexes:
            chain.append((self.indexes[lang], 1.0))
        for fb in FALLBACKS.get(lang, ()):
            if fb in self.indexes and fb != lang:
                chain.append((self.indexes[fb], th.FALLBACK_DISCOUNT))
        if not chain and "en" in self.indexes:
            chain.append((self.indexes["en"], th.FALLBACK_DISCOUNT))
        return chain

    def _score(self, words_: list[str], lang: str, boosted: frozenset[int] = frozenset()) -> _Scored:
        chain = self._chain(lang)
        chained = {id(ix) for ix, _ in chain}
        foreign = [self.indexes[lg] for lg in self.core if id(self.indexes[lg]) not in chained]
        raw: dict[str, float] = {}
        phrase_acc: dict[int, float] = {}
        primary = chain[0][0] if chain else None
        concepts: set[str] = set()
        siblings = [self.indexes[sl] for sl in SIBLINGS.get(lang, ()) if sl in self.indexes]
        matched: dict[str, int] = {}
        solo: set[str] = set()
        mass = 0.0
        unknown = 0.0
        unknown_long = 0
        content = 0
        prev: tuple[LangIndex, str] | None = None
        seen: set[str] = set()
        for pos, w in enumerate(words_):
            boost = th.QUESTION_BOOST if pos in boosted else 1.0
            if w in seen or is_stopword(w, lang) or len(w) < 2 or w.isdigit():
                continue  # (the index builds its bigrams without stopwords too)
            seen.add(w)
            content += 1
            found: tuple[LangIndex, tuple, float] | None = None
            for ix, disc in chain:
                hits = ix.lookup(w)
                if hits:
                    found = (ix, hits, disc)
                    break
            if found is None and len(w) >= 4:
                for ix in foreign:
                    hits = ix.lookup_exact(w)
                    if hits:
                        found = (ix, hits, th.FOREIGN_DISCOUNT)
                        break
            if found is None:
                if w in _SMALLTALK:
                    continue
                unknown += th.UNKNOWN_LONG if len(w) >= 4 else th.UNKNOWN_SHORT
                unknown_long += len(w) >= 4
                prev = None
                continue
            ix, hits, disc = found
            concept = ix.phrase_key(hits[0].key)[:5]
            if len(concept) >= 5 and concept in concepts:
                # Another form of a word already counted ("vabanejale ... vabanemist"): no double evidence.
                continue
            concepts.add(concept)
            best_mass = 0.0
            per_topic: dict[str, float] = {}
            for h in hits:
                q = h.quality * disc * boost
                best_mass = max(best_mass, q * ix.best.get(h.key, 0.0))
                for topic, ev in ix.weights.get(h.key, {}).items():
                    v = q * ev
                    if v > per_topic.get(topic, 0.0):
                        per_topic[topic] = v
            if ix is primary and th.SIBLING_DISCOUNT > 0:
                # Close relatives (Scandinavian languages) share most words: their keywords add evidence.
                for sib in siblings:
                    for h in sib.lookup_exact(w):
                        q = h.quality * th.SIBLING_DISCOUNT
                        for topic, ev in sib.weights.get(h.key, {}).items():
                            v = q * ev
                            if v > per_topic.get(topic, 0.0):
                                per_topic[topic] = v
                        best_mass = max(best_mass, q * sib.best.get(h.key, 0.0))
                        break
            mass += best_mass
            if ix is primary:
                for h in hits:
                    plist = ix.phrase_postings.get(ix.phrase_key(h.key))
                    if plist and len(plist) <= th.PHRASE_MAX_POSTINGS:
                        v = h.quality * ix.idf.get(h.key, 0.0)
                        for pid in plist:
                            phrase_acc[pid] = phrase_acc.get(pid, 0.0) + v
                    break
            for topic, v in per_topic.items():
                raw[topic] = raw.get(topic, 0.0) + v
                matched[topic] = matched.get(topic, 0) + 1
            for h in hits:
                if h.quality >= 0.9:
                    solo.update(ix.solo.get(h.key, ()))
            key = ix.phrase_key(hits[0].key)
            if prev is not None and prev[0] is ix:
                bigram = prev[1] + " " + key
                slot = ix.weights.get(bigram)
                if slot:
                    b = th.BIGRAM_WEIGHT * disc
                    mass += b * ix.best[bigram]
                    for topic, ev in slot.items():
                        raw[topic] = raw.get(topic, 0.0) + b * ev
            prev = (ix, key)
        for t in CRISIS_TOPICS:
            # Crisis topics are found by the crisis lexicon; their keywords are common words ("want",
            # "live", "self") that must not pull ordinary questions towards them.
            if t in raw:
                raw[t] *= th.CRISIS_TOPIC_WEIGHT
        if phrase_acc and primary is not None and th.PHRASE_WEIGHT > 0:
            # The best single phrase of each topic, as a weighted Jaccard overlap with the message:
            # words that co-occur in one example question are stronger evidence than scattered ones.
            best_phrase: dict[str, float] = {}
            q_total = mass + unknown
            for pid, inter in phrase_acc.items():
                union = primary.phrase_total[pid] + q_total - inter
                j = inter / union if union > 0 else 0.0
                t = primary.phrase_topic[pid]
                if j > best_phrase.get(t, 0.0):
                    best_phrase[t] = j
            for t, j in best_phrase.items():
                if t in raw:
                    raw[t] += th.PHRASE_WEIGHT * j * q_total
        gi = self.grams.get(chain[0][0].lang) if chain and chain[0][0].lang in CORE_LANGUAGES else None
        if gi is not None and th.NGRAM_WEIGHT > 0:
            # Character n-gram similarity with each topic's text (knowledge/ngrams.py): case endings,
            # compounds and typos that the word lookup missed still count, in proportion to how much the
            # message says. Only where the topics are written in the language: a short term list (the
            # lexicons of the extra languages) is too thin a document for n-gram statistics.
            scale = th.NGRAM_WEIGHT * (mass + unknown)
            for t, v in gi.similarity(sorted(seen)).items():
                if t in CRISIS_TOPICS:
                    v *= th.CRISIS_TOPIC_WEIGHT
                raw[t] = raw.get(t, 0.0) + scale * v
            mass += scale  # what a topic identical to the message would get: coverage stays in [0, 1]
        return _Scored(raw, mass, unknown, content, matched, solo, unknown_long)

    def _confidence(self, s: float, scored: _Scored) -> float:
        denom = scored.mass + scored.unknown
        if denom <= 0 or s <= 0:
            return 0.0
        coverage = min(1.0, s / denom)
        strength = 1.0 - math.exp(-s / th.STRENGTH_SCALE)
        return max(0.0, min(1.0, math.sqrt(coverage) * strength))

    def _match(self, text: object, lang: str | None, jurisdiction: str | None) -> Decision:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        text = text[: MAX_CHARS * 2]
        given = lang if isinstance(lang, str) and lang in ALL_LANGUAGES else None

        hit = self.crisis.detect(text)
        work_lang = detect(text, given, self._knows)
        if hit is not None:
            return Decision(Action.crisis, hit.topic, work_lang, th.CRISIS_SCORE, [(hit.topic, th.CRISIS_SCORE)])

        cleaned = clean(text)
        ws = words(cleaned)
        if all(w in _SMALLTALK or is_stopword(w, work_lang) or w.isdigit() for w in ws):
            return Decision(Action.handoff, None, work_lang, 0.0, [])  # greetings, thanks, nothing to match
        scored = self._score(ws, work_lang, _question_positions(cleaned))
        if not scored.raw:
            return Decision(Action.handoff, None, work_lang, 0.0, [])
        ranked = sorted(scored.raw.items(), key=lambda kv: (-kv[1], kv[0]))
        best_topic, best_raw = ranked[0]
        second_raw = ranked[1][1] if len(ranked) > 1 else 0.0
        conf = self._confidence(best_raw, scored)
        margin = (best_raw - second_raw) / best_raw if best_raw > 0 else 0.0
        candidates = [(best_topic, round(conf, 4))]
        for topic, s in ranked[1:]:
            if len(candidates) >= th.MAX_CANDIDATES or s < th.CANDIDATE_MIN_SHARE * best_raw:
                break
            candidates.append((topic, round(self._confidence(s, scored), 4)))

        answerable = (conf >= th.ANSWER_MIN and margin >= th.ANSWER_MIN_MARGIN) or (
            conf >= th.ANSWER_MIN_WITH_STRONG_MARGIN and margin >= th.ANSWER_STRONG_MARGIN)
        if answerable and scored.matched.get(best_topic, 0) < 2:
            # One word is enough only when it is a whole keyword and nothing else is left unexplained.
            answerable = best_topic in scored.solo and scored.unknown_long == 0
        if answerable and self._is_task_request(ws):
            answerable = False
        if answerable:
            if best_topic in CRISIS_TOPICS or self._policy(best_topic) == Policy.crisis:
                return Decision(Action.crisis, best_topic, work_lang, conf, candidates)
            return Decision(Action.answer, best_topic, work_lang, conf, candidates)
        if conf >= th.CLARIFY_MIN:
            return Decision(Action.clarify, best_topic, work_lang, conf, candidates)
        return Decision(Action.handoff, best_topic, work_lang, conf, candidates)

    def _policy(self, topic: str) -> Policy | None:
        meta = self.kb.meta.get(topic)
        return meta.policy if meta else None

    @staticmethod
    def _is_task_request(ws: list[str]) -> bool:
        sks = [skeleton(w) for w in ws]
        if sks and sks[0] in _TASK_OPENERS:
            return True
        sk = " " + " ".join(sks) + " "
        if any(f" {k} " in sk for k in _TASK_KEYS):
            return True
        return any(f" {k} " in sk for k in _FOR_ME) and any(f" {k} " in sk for k in _CAN_YOU)


def guide_matcher(guides: KnowledgeBase) -> Matcher:
    """The same matcher over the staff guidance (a knowledge base of its own).

    Staff ask about crisis procedure in words the crisis lexicon watches for ("suicide risk"): here
    those words are a question about a guide, not a person in danger, so no crisis detector is used.
    """
    return Matcher(guides, crisis=CrisisDetector([]), lexicons=[])
