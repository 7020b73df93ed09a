"""Staff guidance never reaches the public matcher; the materials catalogue refuses what it cannot send."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import Action, Matcher, load_guides, load_knowledge_base
from knowledge.matcher import guide_matcher
from knowledge.materials import TELEGRAM_FILE_LIMIT, MaterialError, check_file, load_catalogue, read_entries


@pytest.fixture(scope="module")
def guides():
    return load_guides()


@pytest.fixture(scope="module")
def public():
    kb = load_knowledge_base()
    return kb, Matcher(kb)


def test_guides_are_a_knowledge_base_of_their_own_in_every_core_language(guides, public):
    kb, _m = public
    assert len(guides.topics) >= 7 and all(t.startswith("guide.") for t in guides.topics)
    assert {"en", "ru", "fi", "sv", "nb", "da"} <= guides.languages
    assert not set(guides.topics) & set(kb.topics)
    assert all(tr.status.value == "machine-drafted" for t in guides.topics.values() for tr in t.translations.values())


def test_the_public_matcher_never_returns_a_guide_even_for_staff_questions(guides, public):
    _kb, matcher = public
    for gid, topic in guides.topics.items():
        for lang, tr in topic.translations.items():
            for text in [*tr.examples, tr.title, " ".join(tr.keywords)]:
                decision = matcher.match(text, lang=lang)
                assert decision.topic is None or not decision.topic.startswith("guide."), (gid, text)
                assert not any(t.startswith("guide.") for t, _s in decision.candidates)


@pytest.mark.parametrize(("question", "lang", "expected"), [
    ("should we contact the consulate", "en", "guide.consulates_interpreters"),
    ("как сопровождать жалобу омбудсмену", "ru", "guide.complaints_ombudsman"),
    ("suicide risk procedure", "en", "guide.safeguarding_crisis"),  # a question about procedure, not a crisis
    ("vapautumisen valmistelu ja valvonta", "fi", "guide.release_probation"),
])
def test_the_guide_matcher_answers_staff_questions(guides, question, lang, expected):
    decision = guide_matcher(guides).match(question, lang=lang)
    assert (decision.action, decision.topic) == (Action.answer, expected)


def test_shipped_materials_are_real_documents_with_links_and_staff_ones_stay_off_public_topics():
    catalogue, problems = load_catalogue(known_topics=set(load_knowledge_base().topics))
    assert not problems and len(catalogue) >= 2
    assert all(m.url is not None and m.file is None for m in catalogue.materials)
    assert "coe-rec-2012-12" in {m.id for m in catalogue.browse("families", "en")}
    assert catalogue.for_topic("legal.interpreter") == []  # the directive is for staff only
    assert [m.id for m in catalogue.for_topic("consular.access")] == ["coe-rec-2012-12"]


def test_a_dead_path_or_a_file_over_50_mb_is_refused_with_a_clear_message(tmp_path: Path):
    with pytest.raises(MaterialError, match="no such file"):
        check_file(tmp_path / "gone.pdf")
    big = tmp_path / "big.pdf"
    with big.open("wb") as f:
        f.truncate(TELEGRAM_FILE_LIMIT + 1)  # sparse: no 50 MB written
    with pytest.raises(MaterialError, match="50 MB"):
        check_file(big)
    local = tmp_path / "materials.local.yaml"
    local.write_text(f"materials:\n- id: x\n  title: T\n  summary: S\n  languages: [fi]\n  audience: [families]\n"
                     f"  date: 2026-01-01\n  file: {tmp_path / 'gone.pdf'}\n")
    entries, problems = read_entries(local)
    assert entries == [] and "no such file" in str(problems[0])
