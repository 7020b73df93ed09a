"""The catalogue of the network's publications: reports, recommendations, presentations, leaflets.

Shipped entries live in content/materials.yaml (only real public documents, with their official URL);
an organisation adds its own with `lykta materials add`, which writes a local file (like the
directory's overrides). An entry has a link or a file; a file must exist and fit Telegram's 50 MB
limit for bots, checked when it is added and again when the catalogue is loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AnyHttpUrl, Field, StringConstraints, ValidationError, model_validator

from knowledge.errors import ContentProblem
from knowledge.schema import Ident, JurisdictionCode, LangCode, Strict

SHIPPED = Path(__file__).parent / "content" / "materials.yaml"
TELEGRAM_FILE_LIMIT = 50 * 1024 * 1024  # bytes a bot may upload


class Audience(StrEnum):
    families = "families"
    ex_prisoners = "ex_prisoners"
    staff = "staff"


class Material(Strict):
    id: Ident
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]
    languages: list[LangCode] = Field(min_length=1)
    jurisdictions: list[JurisdictionCode] = Field(default_factory=list)  # empty: every jurisdiction
    audience: list[Audience] = Field(min_length=1)
    date: dt.date
    url: AnyHttpUrl | None = None
    file: str | None = None
    topics: list[Ident] = Field(default_factory=list)  # public topics this material goes with

    @model_validator(mode="after")
    def _one_target(self) -> Material:
        if (self.url is None) == (self.file is None):
            raise ValueError("give exactly one of url and file")
        return self


class MaterialError(ValueError):
    """Why a material cannot be added (one line, for the command line)."""


def check_file(path: Path) -> None:
    """Refuse a file the bot could not send: missing, not a file, or over Telegram's 50 MB limit."""
    if not path.exists():
        raise MaterialError(f"{path}: no such file (a dead local path cannot be published)")
    if not path.is_file():
        raise MaterialError(f"{path}: not a file")
    size = path.stat().st_size
    if size > TELEGRAM_FILE_LIMIT:
        raise MaterialError(f"{path}: {size / 1024 / 1024:.1f} MB is over Telegram's 50 MB limit for bots; "
                            "publish it on a web page and add the link instead")


@dataclass(frozen=True)
class Catalogue:
    materials: tuple[Material, ...]
    local_ids: frozenset[str] = frozenset()

    def get(self, material_id: str) -> Material | None:
        return next((m for m in self.materials if m.id == material_id), None)

    def browse(self, audience: str, language: str | None = None) -> list[Material]:
        """Materials for an audience (and in a language), newest first."""
        found = [m for m in self.materials if audience in m.audience and (language is None or language in m.languages)]
        return sorted(found, key=lambda m: (m.date, m.id), reverse=True)

    def languages(self, audience: str) -> list[str]:
        return sorted({lang for m in self.materials if audience in m.audience for lang in m.languages})

    def for_topic(self, topic_id: str) -> list[Material]:
        """Materials for families or ex-prisoners that go with a public topic (never staff-only ones)."""
        public = {Audience.families, Audience.ex_prisoners}
        return [m for m in self.materials if topic_id in m.topics and public & set(m.audience)]

    def __len__(self) -> int:
        return len(self.materials)


def _read(path: Path) -> list[Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get("materials", []) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise MaterialError(f"{path}: expected a mapping with a list `materials`")
    return items


def read_entries(path: Path) -> tuple[list[Material], list[ContentProblem]]:
    """The valid entries of one file and a problem for each invalid one (a missing file has none)."""
    if not path.exists():
        return [], []
    out: list[Material] = []
    problems: list[ContentProblem] = []
    try:
        items = _read(path)
    except (yaml.YAMLError, MaterialError) as exc:
        return [], [ContentProblem(str(path), None, str(exc))]
    for i, raw in enumerate(items):
        try:
            material = Material.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "(entry)"
                problems.append(ContentProblem(str(path), None, f"materials[{i}].{where}: {err['msg']}"))
            continue
        if material.file is not None:
            try:
                check_file(Path(material.file))
            except MaterialError as exc:
                problems.append(ContentProblem(str(path), None, f"materials[{i}] {material.id}: {exc}"))
                continue
        out.append(material)
    return out, problems


def load_catalogue(local: Path | None = None, shipped: Path | None = None,
                   known_topics: set[str] | None = None) -> tuple[Catalogue, list[ContentProblem]]:
    """Shipped entries, then local ones (a local entry with a shipped id replaces it); bad entries are left out."""
    shipped_entries, problems = read_entries(shipped or SHIPPED)
    local_entries, local_problems = read_entries(local) if local is not None else ([], [])
    problems += local_problems
    by_id = {m.id: m for m in shipped_entries}
    by_id.update({m.id: m for m in local_entries})
    if known_topics is not None:
        for m in by_id.values():
            for t in m.topics:
                if t not in known_topics:
                    problems.append(ContentProblem(str(local or shipped or SHIPPED), None,
                                                   f"material {m.id}: unknown topic {t!r}"))
    return Catalogue(tuple(by_id.values()), frozenset(m.id for m in local_entries)), problems


def write_local(path: Path, materials: list[Material]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"materials": [m.model_dump(mode="json", exclude_none=True) for m in materials]}
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("# Local materials, written by `lykta materials add|remove`.\n"
                   + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tmp.replace(path)


__all__ = ["Audience", "Catalogue", "Material", "MaterialError", "check_file", "load_catalogue",
           "read_entries", "write_local"]
