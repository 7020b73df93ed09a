"""Errors raised while loading the knowledge base; each names the file, the line and the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong with the content, located so a writer can fix it without searching."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


class ContentError(Exception):
    """The knowledge base cannot be loaded; `problems` lists every reason found."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
