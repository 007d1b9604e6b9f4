"""The platform-neutral front desk: what the Slack and Teams adapters call, with who is asking.

It joins the conversation logic with what the bot remembers about a student (their profile), the
votes on answers and the platform events already handled. Adapters pass a platform name and the
platform's user id; they never touch the database or the knowledge base directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.alumni_desk import RequestDesk, label
from bot.commands import Command, Verb
from bot.conversation import Advisor
from bot.nudge_desk import CategoryChoice, NudgeDesk
from bot.replies import Reply, ReplyKind
from knowledge.context import InputError, StudentContext
from knowledge.copy import Copy, Markdown
from knowledge.planner import Nudge
from knowledge.schema import PHASE_LABELS, TRACK_LABELS
from store.alumni import CONNECTED, Intake
from store.db import is_storage_error, writable
from store.events import EventLog, Leases, Unfinished
from store.feedback import VoteLog, message_key
from store.models import AlumniRequest
from store.recipients import Recipient
from store.students import Profile, ProfileStore, class_years, parse_class_of, parse_required_track
from store.topics import TopicMemory, conversation_key


@dataclass(frozen=True)
class Answer:
    reply: Reply
    ask_for_profile: bool = False


@dataclass(frozen=True)
class NudgeSettings:
    """What "nudges [on|off <name>|all]" did: the categories as they are now, and what was wrong, if anything."""

    choices: list[CategoryChoice]
    problem: str | None = None  # "unknown" (no such category) or "usage" (words it cannot read)


@dataclass(frozen=True)
class Done:
    """What a command did, platform-neutral: neutral Markdown to show, or an answer (upcoming, the checklist)."""

    text: str = ""
    reply: Reply | None = None
    changed: bool = False  # the profile or the reminders changed (Slack redraws the App Home)
    request: AlumniRequest | None = None  # the request a command filed


@dataclass(frozen=True)
class Student:
    """Who is asking: the platform ("slack", "teams") and that platform's user id."""

    platform: str
    user_id: str

    @property
    def recipient(self) -> str:
        """The student as the nudge ledger, opt-outs and audit trail store them (store.recipients)."""
        return Recipient(self.platform, self.user_id).stored


class AdvisorCore:
    def __init__(self, advisor: Advisor, profiles: ProfileStore, votes: VoteLog, events: EventLog,
                 nudges: NudgeDesk, requests: RequestDesk, timezone: str, topics: TopicMemory | None = None):
        self.advisor = advisor
        self.topics = topics or TopicMemory(profiles.engine)
        self.requests = requests
        self.profiles = profiles
        self.votes = votes
        self.events = events
        self.nudges = nudges
        self.timezone = ZoneInfo(timezone)

    @property
    def copy(self):
        """The product copy (greeting, help, who to ask...) that staff edit in smalltalk.yaml."""
        return self.advisor.kb.smalltalk

    @property
    def texts(self) -> Copy:
        """Every sentence of the commands, notices and requests (copy.yaml), per platform."""
        return self.advisor.kb.copy

    def say(self, student: Student, key: str, **values: object) -> str:
        """A sentence of copy.yaml in neutral Markdown, worded for the student's platform."""
        return self.texts.say(key, student.platform, **values)

    def execute(self, student: Student, command: Command, key: str | None = None) -> Done | None:
        """Runs a command that needs only the core; None for one that needs the platform (a question to answer,
        a form to show). `key` names an alumni request's intake so a retried command files once."""
        match command.verb:
            case Verb.HELP:
                return Done(self.say(student, "help"))
            case Verb.SET_PROFILE:
                return Done(self._set_profile(student, command.class_of, command.track), changed=True)
            case Verb.FORGET_PROFILE:
                self.forget_profile(student)
                return Done(self.say(student, "profile_forgotten"), changed=True)
            case Verb.PROFILE:
                return Done(self.say(student, "profile_saved", profile=self.describe(self.profile(student))))
            case Verb.UPCOMING:
                return Done(reply=self.upcoming(self.context(student)))
            case Verb.CHECKLIST:
                return Done(reply=self.checklist(student))
            case Verb.NUDGES:
                return Done(self.nudges_text(student, command.text), changed=bool(command.text))
            case Verb.REQUESTS:
                return Done(self.requests_text(student))
            case Verb.ALUMNI if command.text and key:
                return self.file_request(student, Intake(command.text), key)
        return None

    def _set_profile(self, student: Student, class_of: str | None, track: str | None) -> str:
        try:
            profile = self.set_profile(student, class_of, track)
        except InputError as error:
            return self.say(student, "profile_invalid", error=error)
        return self.say(student, "profile_saved", profile=self.describe(profile))

    def save_profile(self, student: Student, class_of: str | None, track: str | None) -> str:
        """A profile form's Save: what to tell the student (saved, or what was wrong)."""
        return self._set_profile(student, class_of, track)

    def checklist(self, student: Student, context: StudentContext | None = None) -> Reply:
        """The student's personal tasks for their phase (ticked when Done) and what is coming up."""
        return self.advisor.checklist(context or self.context(student), done=self.nudges.done_tasks(student.recipient))

    def file_request(self, student: Student, intake: Intake, key: str) -> Done:
        """Files an alumni request (committed before anyone is answered): the receipt, or what was wrong."""
        try:
            request, _ = self.requests.file(student.platform, student.user_id, intake, key)
        except InputError as error:
            return Done(self.say(student, "alumni_invalid", error=error))
        return Done(self.say(student, "alumni_receipt", id=request.id), request=request)

    def requests_text(self, student: Student) -> str:
        """The student's own requests, newest first (only theirs)."""
        lines = self.request_lines(student)
        if not lines:
            return self.say(student, "requests_none")
        return self.say(student, "requests_title") + "\n" + "\n".join(lines)

    def request_lines(self, student: Student) -> list[str]:
        """One line per request of the student's (only theirs), newest first: its number, status and what it asks."""
        return [self.say(student, "requests_line", id=request.id, status=label(request.status),
                         filed=f"{request.created_at.astimezone(self.timezone):%-d %b %Y}",
                         description=_clip(request.description, 90))
                + (" " + self.say(student, "requests_connected", alumnus=request.alumnus)
                   if request.status == CONNECTED and request.alumnus else "")
                for request in self.requests.mine(student.platform, student.user_id)[:20]]

    def nudges_text(self, student: Student, words: str) -> str:
        """`nudges [on|off <name>|all]`: change a setting, then show them all (or say what was wrong)."""
        settings = self.change_nudges(student, words)
        if settings.problem == "unknown":
            known = ", ".join(f"`{choice.category}`" for choice in settings.choices)
            return self.say(student, "nudges_unknown", known=Markdown(known))
        usage = self.say(student, "nudges_usage") + "\n\n" if settings.problem == "usage" else ""
        return usage + self.reminder_summary(student, settings.choices)

    def reminder_summary(self, student: Student, choices: list[CategoryChoice]) -> str:
        lines = [self.say(student, "nudges_line", label=choice.label, category=choice.category,
                          state=self.say(student, "reminder_on" if choice.on else "reminder_off"))
                 for choice in choices]
        return "\n".join([self.say(student, "nudges_title"), *lines, self.say(student, "nudges_tail")])

    def nudges_this_month(self, student: Student) -> str:
        """The personal nudges this student would receive this month, with their reminders as they are now."""
        profile = self.profile(student)
        if not profile.complete:
            return self.say(student, "nudges_month_needs_profile")
        today = self.today()
        month = f"{today:%B %Y}"
        due: list[Nudge] = self.nudges.this_month(student.recipient, profile.class_of, profile.track, today)
        if not due:
            return self.say(student, "nudges_month_none", month=month)
        lines = [self.say(student, "nudges_month_line", day=f"{nudge.send_at:%a %-d %b}",
                          text=Markdown(" ".join(nudge.text.split()))) for nudge in due]
        return "\n".join([self.say(student, "nudges_month_title", month=month), *lines])

    def today(self) -> date:
        return datetime.now(self.timezone).date()

    def context(self, student: Student) -> StudentContext:
        return self.context_for(self.profiles.get(student.platform, student.user_id))

    def context_for(self, profile: Profile) -> StudentContext:
        return self.profiles.context(profile, self.today())

    def answer(self, student: Student, text: str, conversation: str | None = None,
               thread_ts: str | None = None, context: StudentContext | None = None) -> Answer:
        """The reply, and whether to ask for the profile: once, and only when the phase would change the answer.
        `context` overrides the profile's (the console's /phase, /track and /date)."""
        profile = self.profiles.get(student.platform, student.user_id)
        context = context or self.context_for(profile)
        reply = self._in_context(student, text, context, conversation, thread_ts)
        ask = (not profile.complete and not profile.asked_for_profile and context.phase is None
               and self.advisor.phase_matters(text, context, reply)
               and self.profiles.mark_asked(student.platform, student.user_id))
        return Answer(reply=reply, ask_for_profile=ask)

    def _in_context(self, student: Student, text: str, context: StudentContext, conversation: str | None,
                    thread_ts: str | None) -> Reply:
        """A question is read in its conversation: a reply in a nudge's thread is about that nudge ("how often?"
        under the Society Advisor reminder), and a follow-up ("when is it?", "and for HST?") is about the entry
        the conversation was last answered from, or else the nudge sent in the last day."""
        here = conversation_key(student.platform, student.user_id, conversation, thread_ts)
        around = conversation_key(student.platform, student.user_id, conversation, None)
        nudge_topic = self.nudges.thread_topic(student.recipient, conversation, thread_ts) if conversation else None
        reply = self.advisor.follow_up(text, nudge_topic, context) if nudge_topic else None
        reply = reply or self.advisor.reply(text, context, recent_topic=lambda: (
            self.topics.recall(here) or (self.topics.recall(around) if thread_ts else None)
            or self.nudges.recent_topic(student.recipient, datetime.now(self.timezone))),
            done_tasks=lambda: self.nudges.done_tasks(student.recipient))
        topic = reply.nearest.id if reply.nearest else reply.entry
        if reply.kind in (ReplyKind.ANSWER, ReplyKind.NOT_GIVEN) and topic in self.advisor.kb.by_id:
            self.topics.remember(here, topic)
        return reply

    def answer_entry(self, entry_id: str) -> Answer | None:
        """The answer behind a suggestion or follow-up button; None when the entry no longer exists."""
        if entry_id not in self.advisor.kb.by_id:
            return None
        return Answer(reply=self.advisor.answer_entry(entry_id))

    def upcoming(self, context: StudentContext) -> Reply:
        """This month and next for the student's phase (App Home, `/advisor upcoming`)."""
        return self.advisor.upcoming(context)

    def profile(self, student: Student) -> Profile:
        return self.profiles.get(student.platform, student.user_id)

    def set_profile(self, student: Student, class_of: str | int | None, track: str | None) -> Profile:
        """Validate and save; raises InputError with a message meant for the student."""
        year = parse_class_of(class_of, self.today())
        return self.profiles.save(student.platform, student.user_id, year, parse_required_track(track))

    def forget_profile(self, student: Student) -> None:
        self.profiles.forget(student.platform, student.user_id)

    def describe(self, profile: Profile) -> str:
        """"Class of 2028 · Pathways · PCE", as the student sees it in the App Home and confirmations (copy.yaml)."""
        if not profile.complete:
            return self.texts.say("profile_not_set")
        phase = self.profiles.context(profile, self.today()).phase
        where = PHASE_LABELS[phase] if phase else self.texts.say("profile_outside_phases")
        key = "profile_line_roster" if profile.from_roster else "profile_line"
        return self.texts.say(key, year=profile.class_of, track=TRACK_LABELS[profile.track or ""], phase=where)

    def class_years(self) -> list[int]:
        return class_years(self.today())

    def quick_questions(self, context: StudentContext) -> tuple[str, ...]:
        """Starter questions for the student's phase (any phase when unknown), from smalltalk.yaml."""
        prompts = self.copy.quick_questions
        return prompts.get(context.phase or "any", prompts["any"])

    def vote(self, student: Student, message_parts: tuple[str, ...], entry_id: str, helpful: bool) -> None:
        context = self.context(student)
        self.votes.record(message_key(student.platform, *message_parts), entry_id, helpful, context.phase,
                          context.track)

    def nudge_choices(self, student: Student) -> list[CategoryChoice]:
        return self.nudges.choices(student.recipient)

    def choose_nudges(self, student: Student, category: str, on: bool) -> None:
        """Turn a category of personal nudges on or off; KeyError for a category that does not exist."""
        self.nudges.choose(student.recipient, category, on)

    def change_nudges(self, student: Student, words: str) -> NudgeSettings:
        """The typed form of the reminder switches: "on|off <category>" or "on|off all"; nothing else changes."""
        parts = words.lower().split()
        choices = self.nudge_choices(student)
        if not parts:
            return NudgeSettings(choices)
        if len(parts) != 2 or parts[0] not in ("on", "off"):
            return NudgeSettings(choices, "usage")
        names = [choice.category for choice in choices] if parts[1] == "all" else [parts[1]]
        try:
            for name in names:
                self.choose_nudges(student, name, parts[0] == "on")
        except KeyError:
            return NudgeSettings(choices, "unknown")
        return NudgeSettings(self.nudge_choices(student))

    def finish_task(self, student: Student, delivery_id: int) -> bool:
        """Done on a nudge: no more follow-ups. False when the nudge is not this student's."""
        return self.nudges.done(student.recipient, delivery_id)

    def remind_later(self, student: Student, delivery_id: int) -> datetime | None:
        """Remind me later on a nudge: when it comes back, or None when it is not this student's to snooze."""
        return self.nudges.later(student.recipient, delivery_id, datetime.now(self.timezone))

    def healthy(self) -> bool:
        """For /health: the database takes a write right now (a full or read-only disk fails it)."""
        return writable(self.profiles.engine)

    @staticmethod
    def storage_failed(error: Exception) -> bool:
        """Whether `error` is the database failing (so nothing could be committed)."""
        return is_storage_error(error)

    def first_delivery(self, platform: str, event_id: str, question_payload: str | None = None) -> bool:
        """Claim an event; a question's payload is kept until `answered`, so a crash cannot lose it."""
        return self.events.claim(platform, event_id, question_payload)

    def answered(self, platform: str, event_id: str) -> None:
        self.events.finished(platform, event_id)

    def answer_later(self, platform: str, event_id: str, after: timedelta = timedelta(0)) -> None:
        """Not answered now (the platform is failing, or this process is stopping): recovery takes it up later."""
        self.events.retry_later(platform, event_id, after)

    def question_leases(self, platform: str) -> Leases:
        """Keeps the claims of questions this process is answering alive while it works (see store/events.py)."""
        return Leases(self.events, platform)

    def unanswered(self, platform: str) -> list[Unfinished]:
        """Questions acknowledged but never answered (their process died): now this process's to answer."""
        return self.events.take_unfinished(platform)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
