"""Shared fixtures: the shipped knowledge base (partial while writers are at work) and a small fixture base."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import Matcher, check_content
from knowledge.crisis import CrisisDetector

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
DEV_SET = Path("/work/shared/eval/dev.jsonl")


@pytest.fixture(scope="session")
def shipped_kb():
    kb, _problems, _warnings = check_content(partial=True)
    assert kb is not None and kb.topics, "the shipped knowledge base has no topics"
    return kb


@pytest.fixture(scope="session")
def matcher(shipped_kb):
    return Matcher(shipped_kb)


@pytest.fixture(scope="session")
def small_kb():
    kb, _problems, _warnings = check_content(FIXTURE_CONTENT, partial=True)
    assert kb is not None and len(kb.topics) == 5
    return kb


@pytest.fixture(scope="session")
def small_matcher(small_kb):
    return Matcher(small_kb, lexicons=[])


@pytest.fixture(scope="session")
def crisis():
    return CrisisDetector.load()
