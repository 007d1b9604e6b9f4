"""The advisor's conversation logic: a student's message and context in, one grounded Reply out."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.checklist import asks_for_checklist, phase_label, task_line, tasks_for
from bot.details import Detail, asked_detail, gives_detail
from bot.intents import (
    Limit,
    SmallTalk,
    calendar_window,
    is_calendar_only,
    limit_of,
    small_talk,
    strip_greeting,
)
from bot.reading import Reader, Reading
from bot.replies import Link, Reply, ReplyKind
from config.logs import student_text
from knowledge.academic_calendar import AcademicCalendar, load_academic_calendar
from knowledge.calendar import events_in, month_name, months_from, next_event_after
from knowledge.context import StudentContext
from knowledge.copy import Markdown
from knowledge.engine import SearchEngine, SearchResult
from knowledge.loader import GLOSSARY_FILE, ContentError, KnowledgeBase
from knowledge.rules import NudgeRules, load_rules
from knowledge.schema import PHASE_LABELS, PHASES, TRACK_LABELS, Entry
from knowledge.text import clean, words

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3
MAX_RELATED = 3
SUGGESTION_FLOOR = 0.12
CALENDAR_ENTRY = "calendar"
CHECKLIST_ENTRY = "checklist"
CALENDAR_SCORE = 1.0
NOT_GIVEN_FLOOR = 0.5  # of the threshold: close enough to name the entry whose detail the pages lack
CHECKLIST_MONTHS = 2
SUMMARY_CHARS = 240


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
        calendar: AcademicCalendar | None = None,
        rules: NudgeRules | None = None,
    ):
        self.kb = kb
        self.engine = engine or SearchEngine(kb)
        self.declined = declined
        self.timezone = ZoneInfo(timezone)
        self.reader = Reader(kb.chat, calendar or load_academic_calendar())
        self.rules = rules if rules is not None else _default_rules(kb)
        copy = kb.smalltalk
        self._limit_copy = {Limit.ACTION: copy.cannot_act, Limit.OPINION: copy.no_opinions}
        self._out_of_scope_copy = {"other_school": copy.other_school, "commercial": copy.commercial,
                                   "clinical": copy.clinical}

    def today(self, context: StudentContext) -> date:
        return context.today or datetime.now(self.timezone).date()

    def reply(self, message: str, context: StudentContext | None = None, record: bool = True,
              recent_topic: Callable[[], str | None] | None = None,
              done_tasks: Callable[[], frozenset[str]] | None = None) -> Reply:
        """`record=False` leaves the declined-question log alone (for what-if replies such as `phase_matters`).

        `recent_topic` gives, only when asked, the entry the conversation was last on (the last answer, a nudge just
        sent): a message that reads as a follow-up ("when is it?", "and for HST?") is answered about it.
        `done_tasks` gives the tasks the student has marked Done, which the checklist ticks.
        Requests the advisor must decline (write it for me, rank programmes) are declined all the same.
        """
        context = context or StudentContext()
        text = clean(message)
        if not text:
            return Reply(question=message, kind=ReplyKind.EMPTY, body=self.kb.smalltalk.empty)
        chat = small_talk(text)
        if chat is not None:
            return self._small_talk(message, chat)
        reading = self.reader.read(strip_greeting(text), self.today(context), context.track)
        assumed = context.phase is None and reading.own_phase is not None
        if assumed:
            context = context.with_changes(phase=reading.own_phase)
        topic = recent_topic() if recent_topic is not None and self._only_follows_up(reading) else None
        reply = self._follow_up(message, reading, topic, context) if topic else None
        reply = reply or self._reply(message, reading, context, record, recent_topic or (lambda: None), done_tasks)
        return self._with_assumption(reply, reading) if assumed else reply

    def _reply(self, message: str, reading: Reading, context: StudentContext, record: bool,
               recent_topic: Callable[[], str | None], done_tasks: Callable[[], frozenset[str]] | None) -> Reply:
        phase = reading.named_phase or context.phase or reading.year_phase
        preferred = context.phase or reading.year_phase  # the student's own phase ranks first among the allowed
        window = calendar_window(reading.text, self.today(context))
        year = context.year_of_phase if phase == context.phase else None
        outside = self.reader.out_of_scope(reading.text)
        if outside is not None:
            return self._decline(message, reading.text, self._search(reading, preferred, context.track), context,
                                 record, self._out_of_scope_copy[outside])
        if asks_for_checklist(reading.question):
            return self.checklist(context.with_changes(phase=phase), message,
                                  done_tasks() if done_tasks and phase else frozenset())
        if window and is_calendar_only(reading.question):
            return self._calendar(message, window.months, window.kind, phase, context.track, year)
        result = self._search(reading, preferred, context.track)
        limit = limit_of(reading.question) or limit_of(reading.text)
        if limit is not None:
            return self._decline(message, reading.text, result, context, record, reason=self._limit_copy[limit])
        detail = asked_detail(reading.question)
        result = self._beyond_the_glossary(result, reading.question)
        if result.confident:
            if detail is None:
                return self._answer(message, result.best.entry, result.best.confidence)
            for candidate in result.candidates:  # the best confident entry that gives the detail asked for
                if candidate.confidence < result.threshold:
                    break
                if gives_detail(detail, reading.question, candidate.entry):
                    return self._answer(message, candidate.entry, candidate.confidence)
            return self._not_given(message, reading.text, detail, result.best.entry, context, record)
        best = result.best
        if detail is not None and best is not None and best.confidence >= result.threshold * NOT_GIVEN_FLOOR \
                and not gives_detail(detail, reading.question, best.entry):
            return self._not_given(message, reading.text, detail, best.entry, context, record)
        if window:
            return self._calendar(message, window.months, window.kind, phase, context.track, year)
        topic = recent_topic()
        in_context = self._follow_up(message, reading, topic, context) if topic else None
        return in_context or self._decline(message, reading.text, result, context, record)

    def _search(self, reading: Reading, phase: str | None, track: str | None) -> SearchResult:
        """The whole message; when it is not confident and one sentence asks, that sentence alone (the others
        told a story: "kinda panicking rn")."""
        only_track = reading.named_track or track
        whole = self.engine.search(reading.text, phase=phase, track=only_track, only_phase=reading.named_phase,
                                   only_track=only_track)
        if whole.confident or not reading.has_context:
            return whole
        asking = self.engine.search(reading.question, phase=phase, track=only_track,
                                    only_phase=reading.named_phase, only_track=only_track)
        return asking if asking.best and asking.best.confidence > (whole.best.confidence if whole.best else 0) \
            else whole

    def _with_assumption(self, reply: Reply, reading: Reading) -> Reply:
        """Say which phase was assumed from the student's words, when the reply depends on it."""
        if reply.kind not in (ReplyKind.ANSWER, ReplyKind.CALENDAR, ReplyKind.CHECKLIST, ReplyKind.NOT_GIVEN):
            return reply
        entry = self.kb.by_id.get(reply.entry or "")
        if reply.kind is ReplyKind.ANSWER and (entry is None or not entry.phases):
            return reply
        note = self.kb.smalltalk.assumed_phase.strip().format(phase=PHASE_LABELS[reading.own_phase],
                                                              said=reading.said)
        return replace(reply, body=f"{reply.body}\n\n{note}")

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
        return self.kb.copy.say("source_line", title=Markdown(entry.title), document=Markdown(document))

    def _links(self, ids: tuple[str, ...]) -> tuple[Link, ...]:
        return tuple(Link(id=i, title=self.kb.by_id[i].title) for i in ids if i in self.kb.by_id)

    def follow_up(self, message: str, entry_id: str, context: StudentContext | None = None) -> Reply | None:
        """A follow-up about `entry_id` (the last answer, or a nudge): "when is it?", "who runs that?" are answered
        from it (or told the pages lack that detail), "and for HST?" from its sibling; None for a new subject."""
        context = context or StudentContext()
        reading = self.reader.read(strip_greeting(clean(message)), self.today(context), context.track)
        return self._follow_up(message, reading, entry_id, context)

    def _follow_up(self, message: str, reading: Reading, entry_id: str, context: StudentContext) -> Reply | None:
        if entry_id not in self.kb.by_id:
            return None
        if qualifiers_only(reading):
            return self._sibling(message, reading, entry_id, context)
        if not reading.text or not self.engine.follows_up(reading.text, entry_id):
            return None
        entry = self.kb.by_id[entry_id]
        detail = asked_detail(reading.question)
        if detail is not None and not gives_detail(detail, reading.question, entry):
            return self._not_given(message, reading.text, detail, entry, context, record=True)
        return self.answer_entry(entry_id, question=message)

    def _beyond_the_glossary(self, result: SearchResult, question: str) -> SearchResult:
        """A glossary term answers what an abbreviation means; any other question about it ("when do I get a
        RASA?") is for the full entry the term links to."""
        best = result.best
        if best is None or best.entry.source.document != GLOSSARY_FILE or not best.entry.related \
                or asks_for_definition(question):
            return result
        linked = self.kb.by_id.get(best.entry.related[0])
        if linked is None:
            return result
        others = tuple(c for c in result.candidates[1:] if c.entry.id != linked.id)
        return SearchResult(candidates=(replace(best, entry=linked), *others), threshold=result.threshold)

    def _only_follows_up(self, reading: Reading) -> bool:
        """Whether a message can only be a follow-up: it names no subject ("when is it?", "who runs that?") or only
        a qualifier ("and for HST?"). Other messages are searched first, and tried as a follow-up if that fails,
        so the conversation's topic is looked up only when needed."""
        return bool(reading.text) and (qualifiers_only(reading) or self.engine.names_nothing(reading.text))

    def _sibling(self, message: str, reading: Reading, entry_id: str, context: StudentContext) -> Reply | None:
        """The entry like `entry_id` for the track, phase or year the follow-up names ("what about post-PCE?")."""
        entry = self.kb.by_id[entry_id]
        only_track = reading.named_track or context.track
        found = self.engine.search(f"{entry.title} {reading.text}", phase=reading.year_phase, track=only_track,
                                   only_phase=reading.named_phase, only_track=only_track)
        best = found.best
        if best is None or best.confidence < found.threshold * NOT_GIVEN_FLOOR:
            return None
        return self._answer(message, best.entry, best.confidence)

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
            lines.append(self.kb.copy.say("did_you_mean"))
            lines.extend(self.kb.copy.say("suggestion_line", title=Markdown(link.title)) for link in suggestions)
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

    def _not_given(self, message: str, text: str, detail: Detail, entry: Entry, context: StudentContext,
                   record: bool) -> Reply:
        """The pages name the thing asked about but not the detail asked for: say so, say what they do say,
        and name who can tell. Recorded with the declined questions, since the content lacks it."""
        copy = self.kb.smalltalk
        lines = [
            copy.not_given.strip().format(detail=copy.details[detail.value], title=entry.title),
            copy.not_given_says.strip().format(summary=summary(entry)),
            copy.not_given_ask.strip().format(who=entry.ask or copy.ask_default),
        ]
        log.info("detail not given (%s, nearest %s) for %s", detail.value, entry.id, student_text(text))
        if record and self.declined is not None:
            self.declined.record(text, context.phase, context.track)
        nearest = Link(id=entry.id, title=entry.title)
        return Reply(question=message, kind=ReplyKind.NOT_GIVEN, body="\n".join(lines),
                     source=self.source_line(entry), suggestions=(nearest,), nearest=nearest, lead=lines[0])

    def checklist(self, context: StudentContext, question: str | None = None,
                  done: frozenset[str] = frozenset()) -> Reply:
        """The phase's personal tasks (ticked when `done`) and the next two months' events for the student."""
        copy = self.kb.smalltalk
        question = question or self.kb.copy.say("checklist_question")
        if context.phase is None:
            return Reply(question=question, kind=ReplyKind.CHECKLIST, body=copy.checklist_needs_phase.strip(),
                         entry=CHECKLIST_ENTRY, score=CALENDAR_SCORE)
        label = phase_label(context.phase)
        items = tasks_for(self.kb, self.rules, context.phase, context.track) if self.rules else []
        lines = [copy.checklist_title.format(phase=label), copy.checklist_tasks.format(phase=label)]
        lines += [task_line(item, item.task_id in done, copy.checklist_done, self.kb.copy) for item in items] or \
            [copy.checklist_no_tasks.format(phase=label)]
        window = months_from(self.today(context).month, CHECKLIST_MONTHS)
        coming = events_in(self.kb, window, context.phase, context.track, context.year_of_phase)
        if coming:
            span = f"{month_name(window[0])}–{month_name(window[-1])}"
            lines += ["", copy.checklist_coming_up.format(span=span)]
            lines += [self._calendar_line(item.entry) for item in coming]
        return Reply(question=question, kind=ReplyKind.CHECKLIST, body="\n".join(lines),
                     source=self.kb.copy.say("checklist_source"), entry=CHECKLIST_ENTRY,
                     score=CALENDAR_SCORE)

    def upcoming(self, context: StudentContext, months: int = 2) -> Reply:
        """This month and the next for the student's phase: the App Home's "coming up" section."""
        window = months_from(self.today(context).month, months)
        return self._calendar(self.kb.copy.say("upcoming_question"), window, "upcoming", context.phase, context.track,
                              context.year_of_phase)

    def _calendar(self, message: str, months: tuple[int, ...], kind: str, phase: str | None,
                  track: str | None, year_of_phase: int | None = None) -> Reply:
        span = month_name(months[0]) if len(months) == 1 else f"{month_name(months[0])}–{month_name(months[-1])}"
        phases = (phase,) if phase else PHASES
        copy = self.kb.copy
        sections = []
        for each in phases:
            scheduled = events_in(self.kb, months, each, track, year_of_phase)
            who = copy.say("calendar_who_track", phase=PHASE_LABELS[each], track=TRACK_LABELS[track]) if track \
                else PHASE_LABELS[each]
            if scheduled:
                lines = [copy.say("upcoming_heading" if kind == "upcoming" else "calendar_heading", who=who, span=span)]
                lines.extend(copy.say("calendar_line", event=self._calendar_event(item.entry)) for item in scheduled)
            else:
                lines = [self.kb.smalltalk.calendar_nothing.strip().format(who=who, span=span)]
                following = next_event_after(self.kb, months, each, track)
                if following:
                    lines.append(copy.say("calendar_next", event=self._calendar_event(following.entry)))
            sections.append("\n".join(lines))
        if phase is None:
            sections.append(self.kb.smalltalk.calendar_needs_phase.strip())
        return Reply(
            question=message,
            kind=ReplyKind.CALENDAR,
            body="\n\n".join(sections),
            source=copy.say("calendar_source"),
            entry=CALENDAR_ENTRY,
            score=CALENDAR_SCORE,
        )

    def _calendar_line(self, entry: Entry) -> str:
        return self.kb.copy.say("calendar_line", event=self._calendar_event(entry))

    def _calendar_event(self, entry: Entry) -> Markdown:
        """An event's timing, title and presenter (content, so Markdown as it is)."""
        event, copy = entry.event, self.kb.copy
        graduation_year = event.year_of_phase == 2 and entry.phases == ("post-pce",)  # Post-PCE's second year
        when = Markdown(event.timing)
        if graduation_year and "graduation" not in event.timing.lower():
            when = copy.say("calendar_graduation_year", timing=when)
        if event.presenter:
            return copy.say("calendar_event_presenter", when=when, title=Markdown(entry.title),
                            presenter=Markdown(event.presenter))
        return copy.say("calendar_event", when=when, title=Markdown(entry.title))


def summary(entry: Entry) -> str:
    """One line of what an entry says: an event's timing and title, or the answer's first sentence."""
    if entry.event is not None:
        return f"{entry.title}: {entry.event.timing}."
    first = re.split(r"(?<=[.!?])\s", " ".join(entry.answer.split()), maxsplit=1)[0]
    return first if len(first) <= SUMMARY_CHARS else first[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"


_DEFINITION = re.compile(r"\b(?:stand|stands)\s+for\b|\bmean(?:s|ing)?\b|\babbreviat|\bacronym\b|\bshort\s+for\b"
                         r"|^(?:whats|what\s+is|what\s+are)(?:\s+(?:a|an|the))?\s+\w+$|\bdefin")


def asks_for_definition(question: str) -> bool:
    """ "what does MSPE stand for", "whats a rasa", "RASA meaning": what the glossary answers."""
    return bool(_DEFINITION.search(" ".join(words(question))))


_QUALIFIER_WORDS = frozenset("""
    and or but what about how for the a an with then same version one ones thing also too instead if im i am
    hst pathways pathway pce postpce preclerkship clerkship clerkships year years yr first second third fourth
    students student people ppl us ms m 1 2 3 4 case track phase
""".split())


def qualifiers_only(reading: Reading) -> bool:
    """ "and for HST?", "what about post-pce?", "same for first years?": a qualifier and nothing new to look up."""
    if not (reading.named_track or reading.named_phase or reading.named_year):
        return False
    return all(word in _QUALIFIER_WORDS for word in words(reading.question))


def _default_rules(kb: KnowledgeBase) -> NudgeRules | None:
    """The shipped nudge rules, for an advisor built without them (tests, benchmarks); None if they don't fit kb."""
    try:
        return load_rules(kb)
    except ContentError:
        return None
