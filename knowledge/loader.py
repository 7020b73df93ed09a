"""Read the YAML content once, validate it, and build the `KnowledgeBase`.

Every problem is collected (not just the first) and reported with its file and line, so
`lykta kb validate` gives a writer the whole list in one run.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from knowledge.base import KnowledgeBase
from knowledge.errors import ContentError, ContentProblem
from knowledge.schema import (
    CORE_LANGUAGES,
    Jurisdiction,
    JURISDICTIONS,
    Source,
    Taxonomy,
    Topic,
)

CONTENT_DIR = Path(__file__).parent / "content"
ANSWER_SOFT_LIMIT = 1500  # characters of one answer's text; writers aim at ~1,200
TELEGRAM_LIMIT = 4096
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote"}
PHONE_LIKE = re.compile(r"(?:\+|\b00)\d[\d ()-]{6,}\d|\b\d{2,4}[ -]\d{2,4}[ -]\d{2,4}(?:[ -]\d{2,4})?\b")

M = TypeVar("M", bound=BaseModel)
# libyaml's loader when PyYAML was built with it: the same safe subset, several times faster at start-up.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Doc:
    """A parsed YAML file that still knows where each value was written."""

    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        self.name = str(path.relative_to(root.parent)) if root in path.parents else str(path)
        text = path.read_text(encoding="utf-8")
        self.node = yaml.compose(text, Loader=_YAML_LOADER)
        self.data: Any = yaml.load(text, Loader=_YAML_LOADER)

    def line(self, loc: Iterable[Any]) -> int | None:
        node = self.node
        line = node.start_mark.line + 1 if node is not None else None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                nxt = None
                for key, value in node.value:
                    if key.value == str(part):
                        nxt = value
                        break
                if nxt is None:
                    break
                node = nxt
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
            else:
                break
            line = node.start_mark.line + 1
        return line

    def problem(self, loc: Iterable[Any], reason: str) -> ContentProblem:
        return ContentProblem(self.name, self.line(loc), reason)


class _HtmlChecker(HTMLParser):
    """Telegram's HTML subset: known tags, balanced, `<a>` with an href and nothing else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.errors.append(f"tag <{tag}> is not allowed in Telegram HTML")
        if tag == "a" and [k for k, _ in attrs] != ["href"]:
            self.errors.append("<a> needs exactly one attribute, href")
        elif tag != "a" and attrs:
            self.errors.append(f"<{tag}> may not have attributes")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"closing </{tag}> does not match an open tag")
        else:
            self.stack.pop()

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            self.errors.append(f"entity &{name}; is not supported by Telegram")


def html_errors(text: str) -> list[str]:
    """Why `text` would be refused by Telegram's HTML parse mode (empty when it is fine)."""
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.stack:
        checker.errors.append(f"<{checker.stack[-1]}> is never closed")
    stripped = re.sub(r"</?[a-z-]+(?:\s[^<>]*)?>", "", text)
    stripped = re.sub(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);", "", stripped)
    if "<" in stripped or ">" in stripped:
        checker.errors.append("a bare < or > must be written &lt; or &gt;")
    if "&" in stripped:
        checker.errors.append("a bare & must be written &amp;")
    return checker.errors


def keyword_key(keyword: str) -> str:
    """How two keywords are compared for duplicates: case, accents and spacing ignored."""
    folded = unicodedata.normalize("NFKD", keyword.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(folded.split())


class _Overlaid:
    """A topic file plus per-language translation files: each problem is reported where it was written."""

    def __init__(self, doc: _Doc, overlays: dict[str, _Doc]) -> None:
        self.doc = doc
        self.overlays = overlays

    def problem(self, loc: Iterable[Any], reason: str) -> ContentProblem:
        loc = tuple(loc)
        if len(loc) >= 2 and loc[0] == "translations" and loc[1] in self.overlays:
            return self.overlays[loc[1]].problem(("translation", *loc[2:]), reason)
        if len(loc) == 4 and loc[0] == "jurisdictions" and loc[2] == "note" and loc[3] in self.overlays:
            return self.overlays[loc[3]].problem(("notes", loc[1]), reason)
        return self.doc.problem(loc, reason)


class TranslationFile(BaseModel):
    """content/translations/<lang>/<topic id>.yaml: one topic in one more language, with its notes."""

    model_config = ConfigDict(extra="forbid")
    id: str
    lang: str
    translation: dict[str, Any]
    notes: dict[str, str] = {}


def _merge_overlays(root: Path, problems: list[ContentProblem]) -> dict[str, dict[str, _Doc]]:
    """Read every translation file; return {topic id: {lang: doc}} (merged into topics by the caller)."""
    found: dict[str, dict[str, _Doc]] = {}
    for path in sorted((root / "translations").glob("*/*.yaml")):
        doc = _open(path, root, problems)
        if not doc:
            continue
        parsed = _validate(doc, TranslationFile, doc.data, problems)
        if parsed is None:
            continue
        if parsed.lang != path.parent.name or parsed.id != path.stem:
            problems.append(doc.problem(("id",), f"file should be translations/{parsed.lang}/{parsed.id}.yaml"))
            continue
        found.setdefault(parsed.id, {})[parsed.lang] = doc
    return found


def _validate(doc: _Doc, model: type[M], data: Any, problems: list[ContentProblem], prefix: tuple = ()) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = prefix + tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "(file)"
            problems.append(doc.problem(loc, f"{where}: {err['msg']}"))
        return None


def _open(path: Path, root: Path, problems: list[ContentProblem]) -> _Doc | None:
    try:
        return _Doc(path, root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problems.append(ContentProblem(str(path), line, f"YAML syntax: {getattr(exc, 'problem', exc)}"))
    except OSError as exc:
        problems.append(ContentProblem(str(path), None, f"cannot read: {exc}"))
    return None


def load_knowledge_base(content_dir: Path | None = None) -> KnowledgeBase:
    """Load and validate everything; raise `ContentError` listing every problem found."""
    kb, problems, _warnings = check_content(content_dir)
    if problems or kb is None:
        raise ContentError(problems)
    return kb


def check_content(
    content_dir: Path | None = None, *, partial: bool = False
) -> tuple[KnowledgeBase | None, list[ContentProblem], list[ContentProblem]]:
    """Validate the content; return the base (when sound), the errors and the warnings.

    With `partial`, a base of the topics that did load is returned even when there are problems
    (for writers and tuning while content is being written; never for the running bot).
    """
    root = Path(content_dir or CONTENT_DIR)
    return _check(root, root, partial=partial)


GUIDE_PREFIX = "guide."


def check_guides(
    content_dir: Path | None = None, *, partial: bool = False
) -> tuple[KnowledgeBase | None, list[ContentProblem], list[ContentProblem]]:
    """Validate the staff guidance (content/guides/: its own taxonomy, topics and translations).

    Guides share the sources and the jurisdiction registry of the public content, follow the same
    rules, and their ids start with `guide.` so they can never be confused with a public topic.
    """
    shared = Path(content_dir or CONTENT_DIR)
    kb, problems, warnings = _check(shared / "guides", shared, partial=partial)
    if kb is not None:
        for tid in kb.meta:
            if not tid.startswith(GUIDE_PREFIX):
                problems.append(ContentProblem(str(shared / "guides" / "taxonomy.yaml"), None,
                                               f"guide id {tid!r} must start with {GUIDE_PREFIX!r}"))
        if problems and not partial:
            kb = None
    return kb, problems, warnings


def load_guides(content_dir: Path | None = None) -> KnowledgeBase:
    """The staff guidance as a knowledge base of its own (never merged into the public one)."""
    kb, problems, _warnings = check_guides(content_dir)
    if problems or kb is None:
        raise ContentError(problems)
    return kb


def _check(root: Path, shared: Path, *, partial: bool
           ) -> tuple[KnowledgeBase | None, list[ContentProblem], list[ContentProblem]]:
    """Taxonomy, topics and translations from `root`; sources and jurisdictions from `shared`."""
    problems: list[ContentProblem] = []
    warnings: list[ContentProblem] = []

    taxonomy: Taxonomy | None = None
    doc = _open(root / "taxonomy.yaml", root, problems)
    if doc:
        taxonomy = _validate(doc, Taxonomy, doc.data, problems)
    if taxonomy is None:
        return None, problems, warnings
    known_topics = {t.id: t for t in taxonomy.topics}

    sources: dict[str, Source] = {}
    for path in sorted((shared / "sources").glob("*.yaml")):
        doc = _open(path, shared, problems)
        if not doc:
            continue
        if not isinstance(doc.data, dict):
            problems.append(doc.problem((), "a sources file is a mapping of id to {title, publisher, url}"))
            continue
        for sid, raw in doc.data.items():
            src = _validate(doc, Source, raw, problems, (sid,))
            if src is None:
                continue
            if sid in sources and sources[sid].url != src.url:
                problems.append(doc.problem((sid,), f"source id {sid!r} is defined twice with different URLs"))
            sources[sid] = src

    jurisdictions: dict[str, Jurisdiction] = {}
    doc = _open(shared / "jurisdictions.yaml", shared, problems)
    if doc and isinstance(doc.data, dict):
        for code, raw in doc.data.items():
            part = _validate(doc, Jurisdiction, raw, problems, (code,))
            if part is None:
                continue
            if code not in JURISDICTIONS:
                problems.append(doc.problem((code,), f"unknown jurisdiction {code!r}"))
            jurisdictions[code] = part
            for kind, entries in (("bodies", part.bodies), ("laws", part.laws)):
                for key, entry in entries.items():
                    if entry.source not in sources:
                        problems.append(doc.problem((code, kind, key, "source"), f"unknown source {entry.source!r}"))

    topics: dict[str, Topic] = {}
    seen_files: set[str] = set()
    seen_keywords: dict[tuple[str, str], str] = {}
    overlays = _merge_overlays(root, problems)
    for path in sorted((root / "topics").glob("*.yaml")):
        doc = _open(path, root, problems)
        if not doc:
            continue
        extra = overlays.pop(doc.data.get("id"), {}) if isinstance(doc.data, dict) else {}
        data = _with_overlays(doc.data, extra, problems)
        located = _Overlaid(doc, extra)
        topic = _validate(located, Topic, data, problems)  # type: ignore[arg-type]
        if topic is None:
            if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
                seen_files.add(doc.data["id"])
            continue
        if topic.id not in known_topics:
            problems.append(doc.problem(("id",), f"unknown topic id {topic.id!r} (not in taxonomy.yaml)"))
            continue
        if path.stem != topic.id:
            problems.append(doc.problem(("id",), f"file name should be {topic.id}.yaml"))
        if topic.id in topics:
            problems.append(doc.problem(("id",), f"topic {topic.id!r} is defined twice"))
        topics[topic.id] = topic
        _check_topic(located, topic, known_topics, sources, jurisdictions, problems, warnings,  # type: ignore[arg-type]
                     seen_keywords)

    for tid, docs in overlays.items():
        for doc in docs.values():
            problems.append(doc.problem(("id",), f"translation of unknown topic {tid!r}"))
    for tid in known_topics:
        if tid not in topics and tid not in seen_files:
            problems.append(ContentProblem(str(root / "topics"), None, f"topic {tid!r} has no file {tid}.yaml"))

    if problems and not partial:
        return None, problems, warnings
    return KnowledgeBase(taxonomy=taxonomy, topics=topics, sources=sources, jurisdictions=jurisdictions), problems, warnings


def _with_overlays(data: Any, overlays: dict[str, _Doc], problems: list[ContentProblem]) -> Any:
    """The topic's data with each translation file's language and notes added."""
    if not overlays or not isinstance(data, dict):
        return data
    import copy

    merged = copy.deepcopy(data)
    for lang, doc in overlays.items():
        if lang in merged.get("translations", {}):
            problems.append(doc.problem(("lang",), f"language {lang!r} is already in the topic file"))
            continue
        merged.setdefault("translations", {})[lang] = doc.data["translation"]
        for code, note in (doc.data.get("notes") or {}).items():
            part = merged.get("jurisdictions", {}).get(code)
            if part is None:
                problems.append(doc.problem(("notes", code), f"the topic has no part for {code}"))
                continue
            part.setdefault("note", {})[lang] = note
    return merged


def _check_topic(
    doc: _Doc,
    topic: Topic,
    known_topics: dict[str, Any],
    sources: dict[str, Source],
    jurisdictions: dict[str, Jurisdiction],
    problems: list[ContentProblem],
    warnings: list[ContentProblem],
    seen_keywords: dict[tuple[str, str], str],
) -> None:
    for lang in CORE_LANGUAGES:
        if lang not in topic.translations:
            problems.append(doc.problem(("translations",), f"missing language {lang!r}"))
    for i, sid in enumerate(topic.sources):
        if sid not in sources:
            problems.append(doc.problem(("sources", i), f"unknown source {sid!r}"))
    for i, rid in enumerate(topic.related):
        if rid not in known_topics or rid == topic.id:
            problems.append(doc.problem(("related", i), f"related topic {rid!r} is unknown"))

    for code, part in topic.jurisdictions.items():
        registry = jurisdictions.get(code)
        if registry is None:
            problems.append(doc.problem(("jurisdictions", code), f"jurisdiction {code!r} is not in jurisdictions.yaml"))
            continue
        for field, known in (("bodies", registry.bodies), ("complaint", registry.bodies), ("laws", registry.laws)):
            for i, key in enumerate(getattr(part, field)):
                if key not in known:
                    problems.append(doc.problem(("jurisdictions", code, field, i), f"{code} has no {field} entry {key!r}"))
        for i, sid in enumerate(part.sources):
            if sid not in sources:
                problems.append(doc.problem(("jurisdictions", code, "sources", i), f"unknown source {sid!r}"))
        if part.note:
            for lang in topic.translations:
                if lang not in part.note:
                    problems.append(doc.problem(("jurisdictions", code, "note"), f"note lacks language {lang!r}"))
        for lang, note in part.note.items():
            for err in html_errors(note):
                problems.append(doc.problem(("jurisdictions", code, "note", lang), f"broken HTML: {err}"))
            if PHONE_LIKE.search(note):
                problems.append(doc.problem(("jurisdictions", code, "note", lang), "phone-like number: contact details belong in the directory, with a verified source"))

    for lang, tr in topic.translations.items():
        loc = ("translations", lang)
        for err in html_errors(tr.answer):
            problems.append(doc.problem(loc + ("answer",), f"broken HTML: {err}"))
        if len(tr.answer) > ANSWER_SOFT_LIMIT:
            problems.append(doc.problem(loc + ("answer",), f"answer is {len(tr.answer)} characters; keep it under {ANSWER_SOFT_LIMIT}"))
        if PHONE_LIKE.search(tr.answer):
            problems.append(doc.problem(loc + ("answer",), "phone-like number: contact details belong in the directory, with a verified source"))
        longest_note = max((len(p.note.get(lang, "")) + 400 for p in topic.jurisdictions.values()), default=0)
        estimate = len(tr.title) + len(tr.answer) + longest_note + sum(len(sources[s].title) + len(str(sources[s].url)) + 8 for s in topic.sources if s in sources) + 300
        if estimate > TELEGRAM_LIMIT:
            problems.append(doc.problem(loc + ("answer",), f"rendered answer would be about {estimate} characters, over Telegram's {TELEGRAM_LIMIT}"))
        local: set[str] = set()
        for i, kw in enumerate(tr.keywords):
            key = keyword_key(kw)
            if key in local:
                problems.append(doc.problem(loc + ("keywords", i), f"duplicate keyword {kw!r}"))
            local.add(key)
            other = seen_keywords.get((lang, key))
            if other and other != topic.id:
                warnings.append(doc.problem(loc + ("keywords", i), f"keyword {kw!r} is also a keyword of {other}"))
            seen_keywords.setdefault((lang, key), topic.id)
