"""`lykta kb coverage` tells which topic lacks which language, and which reviewed text went stale."""

from __future__ import annotations

import datetime as dt
import shutil

import yaml

from knowledge import check_content
from knowledge.coverage import DRAFTED, MISSING, STALE, coverage
from knowledge.loader import CONTENT_DIR


def test_every_topic_is_present_in_all_fourteen_languages():
    kb, problems, _ = check_content()
    assert not problems
    states = {state for row in coverage(kb).values() for state in row.values()}
    assert MISSING not in states and DRAFTED in states


def test_a_missing_language_and_a_stale_review_are_reported(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    (content / "translations" / "uk" / "money.send.yaml").unlink()
    topic_path = content / "topics" / "parcels.send.yaml"
    topic = yaml.safe_load(topic_path.read_text())
    topic["translations"]["fi"]["status"] = "reviewed"
    topic_path.write_text(yaml.safe_dump(topic, allow_unicode=True, sort_keys=False))
    source_id = topic["sources"][0]
    for path in (content / "sources").glob("*.yaml"):
        sources = yaml.safe_load(path.read_text())
        if source_id in sources:
            sources[source_id]["changed"] = (topic["reviewed"] + dt.timedelta(days=30)).isoformat() \
                if isinstance(topic["reviewed"], dt.date) else "2099-01-01"
            path.write_text(yaml.safe_dump(sources, allow_unicode=True, sort_keys=False))
    kb, problems, _ = check_content(content, partial=True)
    table = coverage(kb)
    assert table["parcels.send"]["fi"] == STALE
    assert table["money.send"]["uk"] == MISSING
