"""What a user notices when they write to the bot: the right answer, a question back, or a person."""

from __future__ import annotations

import pytest

from knowledge import Action, Decision, Matcher


def test_a_relative_writing_latin_letter_russian_gets_the_parcels_answer(small_matcher):
    d = small_matcher.match("kak peredat posylku v SIZO", None)
    assert d.topic == "parcels.send"
    assert d.lang == "ru"


def test_the_same_question_in_cyrillic_and_in_latin_letters_reaches_the_same_topic(small_matcher):
    cyr = small_matcher.match("как перевести деньги на счёт сыну", "ru")
    lat = small_matcher.match("kak perevesti dengi na schet synu", "ru")
    assert cyr.topic == lat.topic == "money.send"


def test_a_clear_question_is_answered_in_the_users_language(small_matcher):
    d = small_matcher.match("How can I send a parcel with clothes to my brother?", "en")
    assert d.action == Action.answer
    assert d.topic == "parcels.send"
    assert d.lang == "en"


def test_a_typo_does_not_lose_the_topic(small_matcher):
    assert small_matcher.match("can i send him a parcle", "en").topic == "parcels.send"


def test_a_message_about_a_death_certificate_is_not_a_crisis(small_matcher):
    d = small_matcher.match("how do we get the death certificate for my father", "en")
    assert d.action != Action.crisis
    assert d.topic == "death.serious_illness"


def test_a_beating_is_a_crisis_at_once(small_matcher):
    d = small_matcher.match("they beat him up in the shower yesterday", "en")
    assert d.action == Action.crisis
    assert d.topic == "violence.threats"
    assert d.score == 1.0


def test_a_greeting_alone_goes_to_a_person_not_to_an_answer(small_matcher):
    for text, lang in [("hello", "en"), ("спасибо", "ru"), ("kiitos", "fi"), ("tack", "sv"), ("hejsa", "da")]:
        d = small_matcher.match(text, lang)
        assert d.action == Action.handoff, text
        assert d.topic is None


def test_a_question_about_something_else_entirely_is_not_answered(small_matcher):
    d = small_matcher.match("what is the weather in paris tomorrow", "en")
    assert d.action in (Action.clarify, Action.handoff)


def test_a_request_to_fill_in_a_form_is_not_answered_as_if_it_were_a_question(small_matcher):
    d = small_matcher.match("can you fill in the visit booking form for me", "en")
    assert d.action != Action.answer


def test_a_russian_message_in_a_finnish_session_is_worked_in_russian(small_matcher):
    d = small_matcher.match("как передать посылку мужу", "fi")
    assert d.lang == "ru"
    assert d.topic == "parcels.send"


def test_a_ukrainian_message_is_recognised_as_ukrainian(small_matcher):
    assert small_matcher.match("чи можна передати посилку чоловікові?", None).lang == "uk"


def test_the_decision_is_well_formed(small_matcher):
    d = small_matcher.match("send money or a parcel to my son", "en")
    assert isinstance(d, Decision)
    assert 0.0 <= d.score <= 1.0
    assert 1 <= len(d.candidates) <= 3
    scores = [s for _, s in d.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert d.candidates[0][0] == d.topic


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "\u200b\u200b\u200e\u202e",
    "🙏🙏🙏",
    "\x00\x01\x02binary\xff\ufffd",
    "?" * 5000,
    "a" * 100_000,
    "посылка " * 20_000,
])
def test_any_input_gets_a_decision_not_an_exception(small_matcher, text):
    d = small_matcher.match(text, None)
    assert d.action in set(Action)
    assert 0.0 <= d.score <= 1.0


def test_100_kb_of_junk_gets_a_handoff_not_an_exception(small_matcher):
    junk = "".join(chr(0x2500 + (i * 7919) % 400) for i in range(100_000))
    d = small_matcher.match(junk, "en")
    assert d.action == Action.handoff


def test_an_unknown_language_code_is_ignored_rather_than_refused(small_matcher):
    d = small_matcher.match("how can i send a parcel", "xx")
    assert d.topic == "parcels.send"


def test_the_shipped_base_answers_parcels_in_latin_letter_russian(matcher):
    d = matcher.match("kak peredat posylku v SIZO", "ru")
    assert d.topic == "parcels.send"


def test_the_shipped_base_offers_candidates_for_a_vague_question(matcher):
    d = matcher.match("prison", "en")
    assert d.action in (Action.clarify, Action.handoff)


def test_matcher_exports_are_public():
    import knowledge

    assert {"Matcher", "Decision", "Action"} <= set(knowledge.__all__)
    assert knowledge.Matcher is Matcher
