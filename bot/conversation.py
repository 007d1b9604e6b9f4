"""The advisor's conversation logic: a student's message and context in, one grounded Reply out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.intents import (
    Limit,
    SmallTalk,
    asked_figure,
    calendar_window,
    gives_figure,
    is_calendar_only,
    limit_of,
    mentioned_phase,
    small_talk,
    strip_greeting,
)
from bot.logs import student_text
from bot.profile import StudentContext
from bot.replies import Link, Reply, ReplyKind
from knowledge.calendar import events_in, month_name, months_from, next_event_after
from knowledge.engine import SearchEngine, SearchResult
from knowledge.loader import KnowledgeBase
from knowledge.schema import PHASE_LABELS, PHASES, TRACK_LABELS, Entry
from knowledge.text import clean

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3
MAX_RELATED = 3
SUGGESTION_FLOOR = 0.12
CALENDAR_ENTRY = "calendar"
CALENDAR_SCORE = 1.0


class DeclineRecorder(Protocol):
    def record(self, text: str, phase: str | None, track: str | None) -> None: ...


class Advisor:
    """Platform-neutral: the console, Slack and Teams adapters all call `reply`."""

    def __init__(
        self,
        kb: KnowledgeBase,
        engine: SearchEngine | None = None,
        declined: DeclineRecorder | None = None,
        timezone: str = "America/New_York",
    ):
        self.kb = kb
        self.engine = engine or SearchEngine(kb)
        self.declined = declined
        self.timezone = ZoneInfo(timezone)
        self._limit_copy = {Limit.ACTION: kb.smalltalk.cannot_act, Limit.OPINION: kb.smalltalk.no_opinions}

    def today(self, context: StudentContext) -> date:
        return context.today or datetime.now(self.timezone).date()

    def reply(self, message: str, context: StudentContext | None = None, record: bool = True,
              recent_topic: Callable[[], str | None] | None = None) -> Reply:
        """`record=False` leaves the declined-question log alone (for what-if replies such as `phase_matters`).

        `recent_topic` gives, only when asked, the entry the conversation was last on (a nudge just sent): a
        question the engine cannot place is answered about it when it reads as a follow-up ("when is it?").
        Requests the advisor must decline (write it for me, rank programmes) are declined all the same.
        """
        context = context or StudentContext()
        text = clean(message)
        if not text:
            return Reply(question=message, kind=ReplyKind.EMPTY, body=self.kb.smalltalk.empty)
        chat = small_talk(text)
        if chat is not None:
            return self._small_talk(message, chat)
        text = strip_greeting(text)
        phase = mentioned_phase(text) or context.phase
        window = calendar_window(text, self.today(context))
        year = context.year_of_phase if phase == context.phase else None
        if window and is_calendar_only(text):
            return self._calendar(message, window.months, window.kind, phase, context.track, year)
        result = self.engine.search(text, phase=phase, track=context.track)
        limit = limit_of(text)
        if limit is not None:
            return self._decline(message, text, result, context, record, reason=self._limit_copy[limit])
        if result.confident:
            figure = asked_figure(text)
            if figure is None:
                return self._answer(message, result.best.entry, result.best.confidence)
            # A question asking for a figure is answered by the best confident entry that gives one.
            for candidate in result.candidates:
                if candidate.confidence < result.threshold:
                    break
                if gives_figure(figure, text, candidate.entry.answer):
                    return self._answer(message, candidate.entry, candidate.confidence)
            return self._decline(message, text, result, context, record, reason=self.kb.smalltalk.no_figures)
        if window:
            return self._calendar(message, window.months, window.kind, phase, context.track, year)
        topic = recent_topic() if recent_topic else None
        in_context = self.follow_up(message, topic) if topic else None
        return in_context or self._decline(message, text, result, context, record)

    def phase_matters(self, message: str, context: StudentContext, reply: Reply) -> bool:
        """Whether knowing the student's phase would change `reply`: the moment to ask for a profile."""
        if reply.kind in (ReplyKind.SMALL_TALK, ReplyKind.EMPTY):
            return False
        shown = (reply.kind, reply.entry, reply.body)
        return any((other.kind, other.entry, other.body) != shown for other in
                   (self.reply(message, context.with_changes(phase=phase), record=False) for phase in PHASES))

    def _small_talk(self, message: str, chat: SmallTalk) -> Reply:
        copy = {SmallTalk.GREETING: self.kb.smalltalk.greeting, SmallTalk.THANKS: self.kb.smalltalk.thanks,
                SmallTalk.HELP: self.kb.smalltalk.help}[chat]
        return Reply(question=message, kind=ReplyKind.SMALL_TALK, body=copy.strip(), score=1.0)

    def source_line(self, entry: Entry) -> str:
        document = self.kb.documents.get(entry.source.document, entry.source.document)
        return f"Source: {entry.title} · {document}"

    def _links(self, ids: tuple[str, ...]) -> tuple[Link, ...]:
        return tuple(Link(id=i, title=self.kb.by_id[i].title) for i in ids if i in self.kb.by_id)

    def follow_up(self, message: str, entry_id: str) -> Reply | None:
        """The entry's answer when `message` is a follow-up about it ("when is it?" under a nudge on it), else None."""
        if entry_id not in self.kb.by_id or not self.engine.follows_up(clean(message), entry_id):
            return None
        return self.answer_entry(entry_id, question=message)

    def answer_entry(self, entry_id: str, question: str = "", score: float = 1.0) -> Reply:
        """The reply for a known entry: used for suggestion and follow-up buttons."""
        return self._answer(question or self.kb.by_id[entry_id].title, self.kb.by_id[entry_id], score)

    def _answer(self, message: str, entry: Entry, confidence: float) -> Reply:
        return Reply(
            question=message,
            kind=ReplyKind.ANSWER,
            body=entry.answer,
            source=self.source_line(entry),
            entry=entry.id,
            score=confidence,
            related=self._links(entry.related[:MAX_RELATED]),
        )

    def _decline(self, message: str, text: str, result: SearchResult, context: StudentContext, record: bool,
                 reason: str | None = None) -> Reply:
        suggestions = tuple(
            Link(id=c.entry.id, title=c.entry.title)
            for c in result.candidates
            if c.confidence >= SUGGESTION_FLOOR
        )[:MAX_SUGGESTIONS]
        lines = [(reason or self.kb.smalltalk.decline).strip()]
        if suggestions:
            lines.append("Did you mean:")
            lines.extend(f"• {link.title}" for link in suggestions)
        lines.append(self.kb.smalltalk.ask_a_person.strip())
        log.info("declined question %s (best %.2f)", student_text(text),
                 result.best.confidence if result.best else 0.0)
        if record and self.declined is not None:
            self.declined.record(text, context.phase, context.track)
        return Reply(
            question=message,
            kind=ReplyKind.DECLINE,
            body="\n".join(lines),
            score=result.best.confidence if result.best else 0.0,
            suggestions=suggestions,
            lead=lines[0],
        )

    def upcoming(self, context: StudentContext, months: int = 2) -> Reply:
        """This month and the next for the student's phase: the App Home's "coming up" section."""
        window = months_from(self.today(context).month, months)
        return self._calendar("What's coming up for me?", window, "upcoming", context.phase, context.track,
                              context.year_of_phase)

    def _calendar(self, message: str, months: tuple[int, ...], kind: str, phase: str | None,
                  track: str | None, year_of_phase: int | None = None) -> Reply:
        span = month_name(months[0]) if len(months) == 1 else f"{month_name(months[0])}–{month_name(months[-1])}"
        phases = (phase,) if phase else PHASES
        sections = []
        for each in phases:
            scheduled = events_in(self.kb, months, each, track, year_of_phase)
            who = PHASE_LABELS[each] + (f" ({TRACK_LABELS[track]})" if track else "")
            if scheduled:
                lines = [f"*{who}, {span}:*" if kind != "upcoming" else f"*Coming up for {who} ({span}):*"]
                lines.extend(self._calendar_line(item.entry) for item in scheduled)
            else:
                lines = [self.kb.smalltalk.calendar_nothing.strip().format(who=who, span=span)]
                following = next_event_after(self.kb, months, each, track)
                if following:
                    lines.append(f"Next up: {self._calendar_line(following.entry).lstrip('• ')}")
            sections.append("\n".join(lines))
        if phase is None:
            sections.append(self.kb.smalltalk.calendar_needs_phase.strip())
        return Reply(
            question=message,
            kind=ReplyKind.CALENDAR,
            body="\n\n".join(sections),
            source="Source: the programme's events calendar",
            entry=CALENDAR_ENTRY,
            score=CALENDAR_SCORE,
        )

    @staticmethod
    def _calendar_line(entry: Entry) -> str:
        event = entry.event
        when = event.timing + (" of graduation year" if event.year_of_phase == 2 and "graduation" not in
                               event.timing.lower() else "")
        who = f" ({event.presenter})" if event.presenter else ""
        return f"• *{when}*: {entry.title}{who}"
