"""The general word-frequency table (knowledge/wordfreq.py) covers the knowledge base and lowers common words."""

from __future__ import annotations

from knowledge.index import COMMON_ZIPF, build_index, commonness
from knowledge.matcher import index_entries, load_lexicons
from knowledge.wordfreq import TABLE, load_table, vocabulary


def test_the_table_covers_the_vocabulary_of_the_knowledge_base(shipped_kb):
    table = load_table()
    assert table, f"{TABLE} is missing: run `.venv/bin/python -m knowledge.build_wordfreq`"
    missing = {lang: sorted(ws - set(table.get(lang, {})))[:10]
               for lang, ws in vocabulary(index_entries(shipped_kb, load_lexicons())).items()}
    missing = {lang: ws for lang, ws in missing.items() if ws}
    assert not missing, ("content/wordfreq.tsv is older than the content; regenerate it with "
                         f"`.venv/bin/python -m knowledge.build_wordfreq`. Missing, e.g.: {missing}")


def test_the_table_knows_everyday_words_from_subject_words():
    table = load_table()
    assert table["en"].get("prison", 0) < table["en"].get("first", 9) or "first" not in table["en"]
    for lang in ("en", "ru", "sv"):
        assert all(0.0 <= z <= 8.5 for z in table[lang].values())


def test_commonness_lowers_only_everyday_words():
    assert commonness(3.0) == 1.0 and commonness(COMMON_ZIPF) == 1.0
    assert commonness(6.0) < commonness(5.0) < 1.0
    assert commonness(9.0) > 0.0


def test_an_everyday_word_weighs_less_than_a_rare_one_used_by_as_few_topics():
    entries = [("a.topic", "first visit", "keyword"), ("b.topic", "parole hearing", "keyword")]
    plain = build_index("en", entries)
    weighted = build_index("en", entries, {"first": 6.0, "visit": 5.0, "parole": 3.5, "hearing": 4.6})
    assert plain.idf["first"] == plain.idf["parol"]
    assert weighted.idf["first"] < weighted.idf["parol"] == plain.idf["parol"]
