"""Crisis detection: runs first on every message, in every language at once.

The lexicon (knowledge/content/crisis/<lang>.yaml, schema `CrisisLexicon`) is compiled at start-up
into one regular expression per crisis topic, matched against the sound skeleton of the message
(see `normalize.skeleton`), so diacritics, case and Latin-letter Russian or Ukrainian do not
matter. Exclusions ("death certificate", "killed time") are cut out of the text first.
A phrase that starts with `=` is matched on the folded text instead (`normalize.fold_word`: case and
diacritics ignored, letters kept), for words whose skeletons collide with everyday words of another
language: Estonian "=vägistati" (was raped) and "vahistati" (was arrested) share one skeleton.
Exclusions apply to the skeleton only (an `=` exclusion is ignored).
All languages are matched on every message: people mix languages, and a missed crisis is the one
mistake the bot must not make.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge.errors import ContentError, ContentProblem
from knowledge.normalize import fold_word, skeleton, tokens
from knowledge.schema import CrisisLexicon

CRISIS_DIR = Path(__file__).parent / "content" / "crisis"
SUICIDE = "crisis.suicide"
VIOLENCE = "violence.threats"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class CrisisHit:
    topic: str
    hits: int


def load_lexicons(directory: Path | None = None) -> list[CrisisLexicon]:
    """Read and validate every crisis lexicon file; raise `ContentError` listing every problem."""
    root = Path(directory or CRISIS_DIR)
    out: list[CrisisLexicon] = []
    problems: list[ContentProblem] = []
    for path in sorted(root.glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
            lex = CrisisLexicon.model_validate(data)
        except (yaml.YAMLError, OSError) as exc:
            problems.append(ContentProblem(str(path), None, f"cannot read: {exc}"))
            continue
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(ContentProblem(str(path), None, f"{'.'.join(map(str, err['loc']))}: {err['msg']}"))
            continue
        if lex.lang != path.stem:
            problems.append(ContentProblem(str(path), None, f"file name should be {lex.lang}.yaml"))
        for topic, phrases in lex.phrases.items():
            if topic not in (SUICIDE, VIOLENCE):
                problems.append(ContentProblem(str(path), None, f"unknown crisis topic {topic!r}"))
            for phrase in phrases:
                try:
                    compile_phrase(phrase)
                except ValueError as exc:
                    problems.append(ContentProblem(str(path), None, f"phrase {phrase!r}: {exc}"))
        out.append(lex)
    if problems:
        raise ContentError(problems)
    return out


def _key(word: str) -> str:
    """The folded form of one word, as `_fold_text` makes it (apostrophes dropped, like the skeleton)."""
    return fold_word(word).replace("'", "")


def _fold_text(text: str) -> str:
    return " ".join(_key(w) for w in tokens(text))


def _split(phrase: str) -> tuple[str, bool]:
    """The phrase without its `=` mark, and whether it is matched on the folded text."""
    phrase = phrase.strip()
    if phrase.startswith("="):
        return phrase[1:].strip(), True
    return phrase, False


def _alternatives(word: str, folded: bool = False) -> list[str]:
    """Regular expressions of the alternatives of one slot (`a|b*`), each starting with a literal letter."""
    key = _key if folded else skeleton
    alts = []
    for alt in word.split("|"):
        star = alt.endswith("*")
        parts = tokens(alt.rstrip("*"))
        if not parts:
            raise ValueError(f"empty word in {word!r}")
        sk = " ".join(key(p) for p in parts)
        if not sk:
            raise ValueError(f"word {alt!r} has no letters")
        alts.append(sk + ("*" if star else ""))
    return alts


def _prefix(lit: str) -> str:
    """A prefix (`word*`) as a regular expression. The skeleton merges a final `t` with the next
    letter (`threat*` + "s" is "threac", `wrist*` + "s" is "vrisc"), so a final `t` also accepts `c`."""
    if lit.endswith("t"):
        return re.escape(lit[:-1]) + r"[tc]\S*"
    return re.escape(lit) + r"\S*"


def _esc(alt: str) -> str:
    return _prefix(alt.rstrip("*")) if alt.endswith("*") else re.escape(alt)


def _variants(phrase: str) -> list[tuple[str, str]]:
    """(first letter, rest of the regular expression) for each alternative of the phrase's first word.

    Grouping all phrases by their first letter lets one regular expression branch on that letter
    instead of trying every phrase at every word. Text and phrases are words separated by one space.
    """
    phrase, folded = _split(phrase)
    parts = phrase.split()
    if not parts or parts[0] in ("~", "~~") or parts[-1] in ("~", "~~"):
        raise ValueError("a phrase must start and end with a word")
    first = _alternatives(parts[0], folded)
    tail = ""
    for word in parts[1:]:
        if word == "~":
            tail += r"(?: \S+){0,3}"
        elif word == "~~":
            tail += r"(?: \S+){0,6}"
        else:
            tail += " (?:" + "|".join(_esc(a) for a in _alternatives(word, folded)) + ")"
    out = []
    for a in first:
        lit = a.rstrip("*")
        if a.endswith("*") and len(lit) > 1:
            rest = _prefix(lit)[len(re.escape(lit[0])):]
        else:
            rest = re.escape(lit[1:]) + (r"\S*" if a.endswith("*") else "")
        out.append((lit[0], rest + tail + r"(?!\S)"))
    return out


def compile_phrase(phrase: str) -> str:
    """The regular expression (over a skeleton text) of one lexicon phrase."""
    return r"(?<!\S)(?:" + "|".join(re.escape(c) + r for c, r in _variants(phrase)) + ")"


def _combine(phrases: list[str]) -> re.Pattern[str]:
    groups: dict[str, list[str]] = {}
    for p in phrases:
        for c, rest in _variants(p):
            groups.setdefault(c, []).append(rest)
    body = "|".join(re.escape(c) + "(?:" + "|".join(rests) + ")" for c, rests in sorted(groups.items()))
    return re.compile(r"(?<!\S)(?:" + body + ")")


@lru_cache(maxsize=4096)
def _compiled(phrase: str) -> re.Pattern[str]:
    return re.compile(compile_phrase(phrase))


class CrisisDetector:
    """All crisis lexicons compiled into one regular expression per topic."""

    def __init__(self, lexicons: list[CrisisLexicon]) -> None:
        by_topic: dict[str, list[tuple[str, str]]] = {}
        for lex in lexicons:
            for topic, phrases in lex.phrases.items():
                for phrase in phrases:
                    by_topic.setdefault(topic, []).append((lex.lang, phrase))
        excl_phrases = [p for lex in lexicons for p in lex.exclude if not _split(p)[1]]
        self._exclude = _combine(excl_phrases) if excl_phrases else None
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._fold_patterns: dict[str, re.Pattern[str]] = {}  # `=` phrases, matched on the folded text
        self._phrases: dict[str, list[tuple[str, str]]] = {}
        for topic, items in by_topic.items():
            plain = [p for _, p in items if not _split(p)[1]]
            folded = [p for _, p in items if _split(p)[1]]
            if plain:
                self._patterns[topic] = _combine(plain)
            if folded:
                self._fold_patterns[topic] = _combine(folded)
            self._phrases[topic] = list(items)

    @classmethod
    def load(cls, directory: Path | None = None) -> CrisisDetector:
        return cls(load_lexicons(directory))

    def prepare(self, text: str) -> str:
        sk = " ".join(skeleton(w) for w in tokens(text))
        if self._exclude is not None:
            sk = self._exclude.sub(" _ ", sk)
        return " ".join(sk.split())

    def detect(self, text: str) -> CrisisHit | None:
        """The crisis topic the message signals, or None."""
        sk = self.prepare(text)
        if not sk:
            return None
        counts: dict[str, int] = {}
        for topic, pattern in self._patterns.items():
            n = len(pattern.findall(sk))
            if n:
                counts[topic] = n
        if self._fold_patterns:
            ft = _fold_text(text)
            for topic, pattern in self._fold_patterns.items():
                n = len(pattern.findall(ft))
                if n:
                    counts[topic] = counts.get(topic, 0) + n
        if not counts:
            return None
        # Tie: self-harm comes first (its emergency path also covers the relative who writes).
        topic = max(counts, key=lambda t: (counts[t], t == SUICIDE))
        return CrisisHit(topic=topic, hits=counts[topic])

    def explain(self, text: str) -> list[tuple[str, str, str]]:
        """(topic, language, phrase) of every lexicon phrase the message matches: for tests and reviews
        (slow: it compiles phrases one by one)."""
        sk = self.prepare(text)
        ft = _fold_text(text)
        return [(topic, lang, p) for topic, items in self._phrases.items() for lang, p in items
                if _compiled(p).search(ft if _split(p)[1] else sk)]
