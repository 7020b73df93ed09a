"""Benchmark the matcher against a plain rapidfuzz baseline, on the shipped KB and on one ten times larger.

    .venv/bin/python bench/matcher.py [--dev /work/shared/eval/dev.jsonl] [--repeat 5]

Prints, in one process: start-up time (load + index), our per-question latency p50/p99 and accuracy@1
on the dev set, the baseline's (rapidfuzz.process.extractOne with token_set_ratio over every example
question and keyword of the KB), the same on a synthetic KB ten times larger, and the speed ratio.
Set LYKTA_KB_PARTIAL=1 to bench a knowledge base that is still being written.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz, process

from knowledge import Matcher, check_content, load_knowledge_base
from knowledge.base import KnowledgeBase
from knowledge.schema import Taxonomy, TaxonomyTopic, Topic, Translation


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    k = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[k]


def load_kb() -> KnowledgeBase:
    if os.environ.get("LYKTA_KB_PARTIAL") == "1":
        kb = check_content(partial=True)[0]
        assert kb is not None
        return kb
    return load_knowledge_base()


def baseline_corpus(kb: KnowledgeBase) -> tuple[list[str], list[str]]:
    texts, topics = [], []
    for tid, topic in kb.topics.items():
        for tr in topic.translations.values():
            for s in list(tr.keywords) + list(tr.examples):
                texts.append(s)
                topics.append(tid)
    return texts, topics


def _perturb(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + rng.choice("aeiouklmnrst") + word[i + 1:]


def tenfold(kb: KnowledgeBase, factor: int = 10, seed: int = 7) -> KnowledgeBase:
    """The KB plus (factor - 1) perturbed copies of every topic under new ids: ten times the vocabulary."""
    rng = random.Random(seed)
    meta = list(kb.taxonomy.topics)
    topics = dict(kb.topics)
    for n in range(1, factor):
        for tid, topic in kb.topics.items():
            new_id = f"{tid}.copy{n}"
            trs = {}
            for lang, tr in topic.translations.items():
                pert = lambda s: " ".join(_perturb(w, rng) for w in s.split())
                trs[lang] = Translation(status=tr.status, title=pert(tr.title)[:80], answer=tr.answer,
                                        keywords=[pert(k) for k in tr.keywords],
                                        examples=[pert(e) for e in tr.examples][:8])
            topics[new_id] = Topic(id=new_id, reviewed=topic.reviewed, sources=topic.sources, translations=trs)
            m = kb.meta[tid]
            meta.append(TaxonomyTopic(id=new_id, group=m.group, policy=m.policy, covers=m.covers))
    taxonomy = Taxonomy(groups=kb.taxonomy.groups, topics=meta)
    return KnowledgeBase(taxonomy=taxonomy, topics=topics, sources=kb.sources, jurisdictions=kb.jurisdictions)


def run(kb: KnowledgeBase, items: list[dict], repeat: int, label: str) -> dict:
    t0 = time.perf_counter()
    matcher = Matcher(kb)
    index_s = time.perf_counter() - t0
    texts, topics = baseline_corpus(kb)

    ours, base = [], []
    ours_ok = base_ok = in_scope = 0
    for it in items[: min(20, len(items))]:  # warm caches once, as a running bot would be
        matcher.match(it["text"], it.get("lang"))
    for r in range(repeat):
        for it in items:
            t = time.perf_counter()
            d = matcher.match(it["text"], it.get("lang"), it.get("jurisdiction"))
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            m = process.extractOne(it["text"], texts, scorer=fuzz.token_set_ratio)
            base.append(time.perf_counter() - t)
            if r == 0 and it.get("topic") is not None:
                in_scope += 1
                ours_ok += d.topic == it["topic"]
                base_ok += m is not None and topics[m[2]] == it["topic"]
    res = {
        "label": label, "topics": len(kb.topics), "corpus": len(texts), "index_s": index_s,
        "ours_p50_ms": 1000 * pct(ours, 0.5), "ours_p99_ms": 1000 * pct(ours, 0.99),
        "base_p50_ms": 1000 * pct(base, 0.5), "base_p99_ms": 1000 * pct(base, 0.99),
        "ours_acc": ours_ok / in_scope if in_scope else None, "base_acc": base_ok / in_scope if in_scope else None,
    }
    res["speedup_p50"] = res["base_p50_ms"] / res["ours_p50_ms"] if res["ours_p50_ms"] else None
    res["speedup_mean"] = statistics.mean(base) / statistics.mean(ours)
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", default="/work/shared/eval/dev.jsonl")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    items = [json.loads(x) for x in Path(args.dev).read_text(encoding="utf-8").splitlines() if x.strip()]

    t0 = time.perf_counter()
    kb = load_kb()
    load_s = time.perf_counter() - t0
    shipped = run(kb, items, args.repeat, "shipped")
    big = run(tenfold(kb), items, max(1, args.repeat // 2), "tenfold")
    if args.json:
        print(json.dumps({"load_s": load_s, "shipped": shipped, "tenfold": big}, indent=2))
        return 0
    print(f"start-up: load {load_s:.3f} s + index {shipped['index_s']:.3f} s = {load_s + shipped['index_s']:.3f} s")
    for r in (shipped, big):
        print(f"\n[{r['label']}] {r['topics']} topics, baseline corpus {r['corpus']} strings, index {r['index_s']:.3f} s")
        print(f"  ours      p50 {r['ours_p50_ms']:.3f} ms  p99 {r['ours_p99_ms']:.3f} ms  accuracy@1 {100 * r['ours_acc']:.1f}%")
        print(f"  baseline  p50 {r['base_p50_ms']:.3f} ms  p99 {r['base_p99_ms']:.3f} ms  accuracy@1 {100 * r['base_acc']:.1f}%")
        print(f"  baseline/ours: {r['speedup_p50']:.1f}x at p50, {r['speedup_mean']:.1f}x on the mean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
