"""Whatever a user types, the matcher returns a well-formed decision and never raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge import Action

LANGS = st.one_of(st.none(), st.sampled_from(["en", "ru", "fi", "sv", "nb", "da", "uk", "pl", "lt", "et",
                                              "ro", "ar", "uz", "tg", "xx", ""]))
JURS = st.one_of(st.none(), st.sampled_from(["FI", "SE", "NO", "DK", "IS", "RU-SPE", "RU-KR", "??"]))
WORDS = st.sampled_from(["posylka", "посылка", "visit", "besøk", "vankila", "money", "УДО", "selvmord",
                         "\u200b", "\u202e", "🙂", "'", "-", "ё", "ї", "ҷ", "ø", "ß", "İ", "ǅ", "ﬁ"])
TEXT = st.one_of(st.text(max_size=400), st.lists(WORDS, max_size=40).map(" ".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, lang=LANGS, jurisdiction=JURS)
def test_match_never_raises_and_is_well_formed(small_matcher, text, lang, jurisdiction):
    d = small_matcher.match(text, lang, jurisdiction)
    assert d.action in set(Action)
    assert 0.0 <= d.score <= 1.0
    assert len(d.candidates) <= 3
    assert all(0.0 <= s <= 1.0 for _, s in d.candidates)
    assert d.topic is None or d.action == Action.crisis or d.topic == d.candidates[0][0]
    assert isinstance(d.lang, str) and d.lang
