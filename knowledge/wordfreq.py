"""How common each word of the knowledge base is in general use of its language (a precomputed table).

A word that only one topic uses gets the largest IDF in the index, however ordinary it is ("первую",
"встать", "kommer"): one such word of a message could decide the topic. The general frequency of a word
(its Zipf value from the `wordfreq` package: log10 of occurrences per billion words; "the" ≈ 7.7,
"prison" ≈ 4.6, "parole" ≈ 3.6) tells an everyday word from a word that names a subject; the index
lowers the IDF of everyday words (`index.commonness`).

`wordfreq` takes about 0.15 s and tens of MB to load each language's list, so the matcher does not
import it: the Zipf values of the knowledge base's own vocabulary are precomputed into
`content/wordfreq.tsv` (one `lang<TAB>word<TAB>zipf` line per word), read at start-up in a few
milliseconds. Regenerate it after the content changes (a test checks that it covers the vocabulary):

    .venv/bin/python -m knowledge.build_wordfreq

A word missing from the table (content newer than the table) is simply not down-weighted.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from knowledge.normalize import is_stopword, tokens

TABLE = Path(__file__).parent / "content" / "wordfreq.tsv"
# The languages wordfreq 3.1 has lists for, among ours (et, uz, tg have none: nothing is down-weighted).
WORDFREQ_LANGS = frozenset({"en", "ru", "fi", "sv", "nb", "da", "uk", "pl", "lt", "ro", "ar"})


def content_words(text: str, lang: str) -> list[str]:
    """The words of a content phrase that the index keys (as `LangIndex.add` selects them)."""
    return [w for w in tokens(text) if not is_stopword(w, lang) and len(w) > 1]


def vocabulary(entries: dict[str, Iterable[tuple[str, str, str]]]) -> dict[str, set[str]]:
    """Per language with a word list, every word the index is built from."""
    out: dict[str, set[str]] = {}
    for lang, es in entries.items():
        if lang not in WORDFREQ_LANGS:
            continue
        bucket = out.setdefault(lang, set())
        for _topic, text, _kind in es:
            bucket.update(content_words(text, lang))
    return out


def load_table(path: Path = TABLE) -> dict[str, dict[str, float]]:
    """lang -> word -> Zipf value; empty when the table is missing."""
    out: dict[str, dict[str, float]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return out
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and not line.startswith("#"):
            out.setdefault(parts[0], {})[parts[1]] = float(parts[2])
    return out
