"""The batch interface of MATCHING.md, and the dev-set floors that catch a regression."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from knowledge.batch import run_batch

from .conftest import DEV_SET


def test_each_line_gets_one_line_in_the_same_order(small_matcher):
    lines = [
        json.dumps({"id": "a", "text": "how can I send a parcel", "lang": "en", "jurisdiction": "FI"}),
        json.dumps({"id": "b", "text": "как получить свидание", "lang": None, "jurisdiction": None}),
    ]
    out = [json.loads(x) for x in run_batch(lines, small_matcher)]
    assert [o["id"] for o in out] == ["a", "b"]
    assert out[0]["topic"] == "parcels.send"
    assert set(out[0]) == {"id", "action", "topic", "lang", "score", "candidates"}
    assert all(isinstance(c, list) and len(c) == 2 for c in out[0]["candidates"])


def test_a_malformed_line_gets_an_error_and_the_run_goes_on(small_matcher):
    lines = ["{not json", json.dumps({"id": 7}), json.dumps(["a list"]),
             json.dumps({"id": "ok", "text": "send money to my son", "lang": "en"})]
    out = [json.loads(x) for x in run_batch(lines, small_matcher)]
    assert len(out) == 4
    assert "error" in out[0] and "error" in out[1] and "error" in out[2]
    assert out[1]["id"] == 7
    assert out[3]["id"] == "ok" and out[3]["topic"] == "money.send"


def test_the_match_command_reads_a_file_and_writes_json_lines(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "x", "text": "kak peredat posylku", "lang": None}) + "\nbroken\n",
                   encoding="utf-8")
    code = f"from bot.cli_knowledge import match_command; match_command({str(src)!r})"
    res = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                         env={"LYKTA_KB_PARTIAL": "1", "PATH": "/usr/bin:/bin"}, timeout=120)
    assert res.returncode == 0, res.stderr
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert rows[0]["id"] == "x" and rows[0]["topic"] == "parcels.send"
    assert "error" in rows[1]


@pytest.mark.skipif(not DEV_SET.exists(), reason="the public dev set is not available here")
def test_the_dev_set_stays_above_its_floors(matcher):
    sys.path.insert(0, str(DEV_SET.parent))
    from score import score  # type: ignore[import-not-found]

    gold = [json.loads(x) for x in DEV_SET.read_text(encoding="utf-8").splitlines() if x.strip()]
    pred = [json.loads(x) for x in run_batch(DEV_SET.read_text(encoding="utf-8").splitlines(), matcher)]
    o = score(gold, pred)["overall"]
    assert o["crisis_recall"] == 1.0
    assert o["crisis_false_alarm"] <= 0.01
    assert o["accuracy"] >= FLOORS["accuracy"]
    assert o["confident_wrong"] <= FLOORS["confident_wrong"]
    assert o["none_handled"] >= FLOORS["none_handled"]


# Slightly below the figures measured when this was written (docs/matching.md: 87.6%, 2.0%, 100%).
FLOORS = {"accuracy": 0.86, "confident_wrong": 0.025, "none_handled": 0.95}
