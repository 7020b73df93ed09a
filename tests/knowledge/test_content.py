"""The shipped knowledge base is complete, sourced and honest; the validator points writers at file and line."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge import CORE_LANGUAGES, check_content, load_knowledge_base
from knowledge.loader import CONTENT_DIR

SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def test_every_topic_of_the_shared_taxonomy_is_answered_in_every_core_language(kb):
    contract = yaml.safe_load((SHARED / "topics.yaml").read_text())["topics"]
    assert {t["id"]: t["policy"] for t in contract} == {t.id: t.policy.value for t in kb.taxonomy.topics}
    for topic in kb.topics.values():
        assert set(CORE_LANGUAGES) <= set(topic.translations), topic.id


def test_every_answer_names_its_sources_and_is_marked_honestly(kb):
    for topic in kb.topics.values():
        assert topic.sources
        for source in topic.sources:
            assert str(kb.sources[source].url).startswith("https://")
        for tr in topic.translations.values():
            assert tr.status.value in {"machine-drafted", "reviewed"}


def test_no_example_or_keyword_is_copied_from_the_evaluation_set(kb):
    dev = {json.loads(line)["text"].casefold().strip() for line in (SHARED / "eval/dev.jsonl").open()}
    for topic in kb.topics.values():
        for tr in topic.translations.values():
            for phrase in [*tr.examples, *tr.keywords]:
                assert phrase.casefold().strip() not in dev, (topic.id, phrase)


def test_answers_carry_no_phone_numbers(kb):
    phone = re.compile(r"\+\d[\d ()-]{6,}\d")
    for topic in kb.topics.values():
        for tr in topic.translations.values():
            assert not phone.search(tr.answer), topic.id


@pytest.fixture
def broken_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def problems_for(content: Path) -> list[str]:
    kb, problems, _warnings = check_content(content)
    assert kb is None
    return [str(p) for p in problems]


def test_the_validator_names_file_line_and_reason(broken_copy: Path):
    path = broken_copy / "topics" / "parcels.send.yaml"
    data = yaml.safe_load(path.read_text())
    del data["translations"]["da"]
    data["translations"]["en"]["answer"] = "<b>unclosed"
    data["translations"]["en"]["keywords"].append(data["translations"]["en"]["keywords"][0].upper())
    data["sources"].append("no_such_source")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    found = problems_for(broken_copy)
    text = "\n".join(found)
    assert re.search(r"parcels\.send\.yaml:\d+: missing language 'da'", text)
    assert re.search(r"parcels\.send\.yaml:\d+: broken HTML: <b> is never closed", text)
    assert re.search(r"parcels\.send\.yaml:\d+: duplicate keyword", text)
    assert re.search(r"parcels\.send\.yaml:\d+: unknown source 'no_such_source'", text)


def test_the_validator_refuses_unknown_topics_empty_answers_and_overlong_messages(broken_copy: Path):
    (broken_copy / "topics" / "made.up.yaml").write_text(
        (broken_copy / "topics" / "money.send.yaml").read_text().replace("id: money.send", "id: made.up", 1))
    path = broken_copy / "topics" / "contact.phone.yaml"
    data = yaml.safe_load(path.read_text())
    data["translations"]["ru"]["answer"] = "   "
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    path = broken_copy / "topics" / "money.send.yaml"
    data = yaml.safe_load(path.read_text())
    data["translations"]["fi"]["answer"] = "Pitkä vastaus. " * 300
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    text = "\n".join(problems_for(broken_copy))
    assert "unknown topic id 'made.up'" in text
    assert re.search(r"contact\.phone\.yaml:\d+: translations\.ru\.answer: String should have at least 1 character", text)
    assert re.search(r"money\.send\.yaml:\d+: answer is \d+ characters", text)
    assert "contact.phone' has no file" not in text
    assert "over Telegram's 4096" in text


def test_yaml_syntax_errors_are_located(broken_copy: Path):
    (broken_copy / "topics" / "money.send.yaml").write_text("id: money.send\ntranslations: [unclosed\n")
    text = "\n".join(problems_for(broken_copy))
    assert re.search(r"money\.send\.yaml:\d+: YAML syntax", text)
