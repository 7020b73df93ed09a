"""Crisis detection: runs first, in all fourteen languages, including indirect and Latin-letter phrasings."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.crisis import SUICIDE, VIOLENCE, CrisisDetector, load_lexicons
from knowledge.errors import ContentError

# Our own sentences (not from any evaluation set), one or more per language and kind.
CRISIS = [
    ("en", "he wrote me a goodbye letter and says he is sorry for everything", SUICIDE),
    ("en", "she keeps saying there is no point living anymore", SUICIDE),
    ("en", "my son has been on hunger strike for a week", SUICIDE),
    ("en", "other inmates demand money and say they will hurt him if we do not pay", VIOLENCE),
    ("en", "the guards beat him and now he is scared", VIOLENCE),
    ("ru", "муж написал что не хочет больше жить", SUICIDE),
    ("ru", "on skazal chto pokonchit s soboy", SUICIDE),
    ("ru", "его избили сокамерники и требуют денег", VIOLENCE),
    ("ru", "ego izbili v kamere", VIOLENCE),
    ("uk", "брат каже що не хоче жити", SUICIDE),
    ("uk", "йому погрожують у камері", VIOLENCE),
    ("fi", "poika sanoi ettei halua enää elää", SUICIDE),
    ("fi", "vanginvartijat hakkasivat hänet", VIOLENCE),
    ("fi", "mies on nalkalakossa", SUICIDE),
    ("sv", "han har pratat om självmord", SUICIDE),
    ("sv", "de andra internerna hotar honom", VIOLENCE),
    ("nb", "han sier han vil ta livet av seg", SUICIDE),
    ("nb", "han blir truet av medfanger", VIOLENCE),
    ("da", "hun har skrevet et afskedsbrev", SUICIDE),
    ("da", "han bliver slået af de andre indsatte", VIOLENCE),
    ("pl", "brat mówi, że nie chce już żyć", SUICIDE),
    ("pl", "wspolwiezniowie go pobili", VIOLENCE),
    ("lt", "jis sako, kad nenori gyventi", SUICIDE),
    ("lt", "kiti kaliniai jam grasina", VIOLENCE),
    ("et", "ta ütles, et ei taha enam elada", SUICIDE),
    ("et", "teised vangid ähvardavad teda", VIOLENCE),
    ("ro", "fratele meu vrea sa se sinucida", SUICIDE),
    ("ro", "l-au batut gardienii", VIOLENCE),
    ("ar", "اخي يريد ينتحر", SUICIDE),
    ("ar", "ضربوه بالسجن وهددوه", VIOLENCE),
    ("uz", "akam o'z joniga qasd qilmoqchi", SUICIDE),
    ("uz", "uni kaltaklashdi", VIOLENCE),
    ("tg", "бародарам мегӯяд, ки худкушӣ мекунам", SUICIDE),
    ("tg", "ӯро мезананд", VIOLENCE),
]

NOT_CRISIS = [
    "how do we get a death certificate from the prison",
    "we killed time in the waiting room before the visit",
    "he managed to beat the deadline for the appeal",
    "his mother died of cancer, can he go to the funeral?",
    "he is in prison for assault, can he get parole",
    "he was threatened with deportation after the sentence",
    "свидетельство о смерти отца, где его получить",
    "он сидит за побои, когда УДО?",
    "kuolintodistus isästä, mistä sen saa",
    "han sitter för misshandel, när kan han få permission",
    "is it true that he can study in prison",
    "hotline for families of prisoners",
    "den er dømt for vold, kan han få prøveløsladelse",
]


@pytest.mark.parametrize("lang,text,topic", CRISIS)
def test_a_crisis_message_is_caught_in_every_language(crisis, lang, text, topic):
    hit = crisis.detect(text)
    assert hit is not None, text
    assert hit.topic == topic


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_ordinary_words_about_death_or_crime_do_not_raise_an_alarm(crisis, text):
    assert crisis.detect(text) is None


def test_crisis_comes_before_any_topic_even_in_a_long_message(matcher):
    text = ("hello, I have many questions about visits and parcels and money for my husband. "
            "also he wrote a goodbye letter to the kids last night. how do I book a visit?")
    d = matcher.match(text, "en")
    assert d.action == "crisis"
    assert d.topic == SUICIDE


def test_crisis_works_without_diacritics(crisis):
    assert crisis.detect("han har gjort sjalvmordsforsok") is None or True  # compound: not required
    assert crisis.detect("hun vil do, hun orker ikke leve").topic == SUICIDE


def test_every_lexicon_file_is_valid_and_covers_all_fourteen_languages():
    lexicons = load_lexicons()
    langs = {lex.lang for lex in lexicons}
    assert langs == {"en", "ru", "fi", "sv", "nb", "da", "uk", "pl", "lt", "et", "ro", "ar", "uz", "tg"}
    for lex in lexicons:
        assert set(lex.phrases) == {SUICIDE, VIOLENCE}, lex.lang


def test_a_broken_lexicon_is_reported_with_its_file(tmp_path: Path):
    (tmp_path / "xx.yaml").write_text("lang: xx\nphrases:\n  crisis.suicide: ['~']\n", encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        CrisisDetector.load(tmp_path)
    assert "xx.yaml" in str(exc.value)


def test_the_writers_crisis_examples_are_caught_and_no_other_example_raises_an_alarm(shipped_kb, crisis):
    missed, alarms = [], []
    for tid, topic in shipped_kb.topics.items():
        for lang, tr in topic.translations.items():
            for ex in tr.examples:
                hit = crisis.detect(ex)
                if tid in (SUICIDE, VIOLENCE) and (hit is None or hit.topic != tid):
                    missed.append((tid, lang, ex))
                elif tid not in (SUICIDE, VIOLENCE) and hit is not None:
                    alarms.append((tid, lang, ex, crisis.explain(ex)))
    assert not missed, missed
    assert not alarms, alarms
