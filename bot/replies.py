"""What the advisor says back: platform-neutral, rendered by each adapter (console, Slack, Teams)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ReplyKind(Enum):
    ANSWER = "answer"
    CALENDAR = "calendar"
    SMALL_TALK = "small_talk"
    CHECKLIST = "checklist"
    DECLINE = "decline"
    NOT_GIVEN = "not_given"  # the pages cover the subject but not the detail asked for
    EMPTY = "empty"


@dataclass(frozen=True)
class Link:
    """A pointer to an entry: a "did you mean" suggestion or a follow-up question."""

    id: str
    title: str


@dataclass(frozen=True)
class Reply:
    question: str
    kind: ReplyKind
    body: str
    source: str | None = None
    entry: str | None = None
    score: float = 0.0
    suggestions: tuple[Link, ...] = ()
    related: tuple[Link, ...] = ()
    lead: str | None = None  # a decline's first line, for adapters that show suggestions as buttons
    nearest: Link | None = None  # the entry a not-given detail was asked about

    @property
    def answered(self) -> bool:
        return self.kind not in (ReplyKind.DECLINE, ReplyKind.NOT_GIVEN, ReplyKind.EMPTY)

    @property
    def text(self) -> str:
        """Exactly what the student reads, with the source line that names the entry."""
        return f"{self.body}\n_{self.source}_" if self.source else self.body

    def as_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "text": self.text,
            "entry": self.entry,
            "score": round(self.score, 3),
            "suggestions": [{"id": link.id, "title": link.title} for link in self.suggestions],
            "nearest": {"id": self.nearest.id, "title": self.nearest.title} if self.nearest else None,
        }
