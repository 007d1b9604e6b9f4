"""One student's conversation in the terminal, through the core Slack and Teams use (platform "console").

The command grammar is bot/commands.py's, typed with or without a leading `/`; the console adds what only a
local session needs: /phase, /track and /date to answer as if, /inbox (the liaison's view of every request)
and /quit. Alumni requests go into the same store and outbox as Slack's and Teams'.
"""

from __future__ import annotations

import sys
import uuid
from typing import TextIO

from bot.commands import Verb, parse_typed
from bot.core import AdvisorCore, Student
from bot.replies import Link, Reply
from handlers.console.render import terminal
from knowledge.context import InputError, StudentContext, parse_date, parse_phase, parse_track
from knowledge.copy import Markdown
from knowledge.schema import PHASE_LABELS, TRACK_LABELS
from store.alumni import Intake

PLATFORM = "console"
CONVERSATION = "console"


class Console:
    def __init__(self, core: AdvisorCore, user_id: str, overrides: StudentContext | None = None,
                 out: TextIO = sys.stdout):
        self.core = core
        self.student = Student(PLATFORM, user_id)
        self.overrides = overrides or StudentContext()
        self.out = out
        self.styled = out.isatty()
        self.choices: tuple[Link, ...] = ()

    # ------------------------------------------------------------ output

    def say(self, markdown: str) -> None:
        print(terminal(markdown, self.styled), file=self.out, flush=True)

    def show(self, reply: Reply) -> None:
        self.say(reply.text)
        self.choices = reply.suggestions or reply.related
        if reply.related and not reply.suggestions:
            links = "  ".join(self.words("console_related_link", number=n, title=Markdown(link.title))
                              for n, link in enumerate(reply.related, 1))
            self.say(self.words("console_related", links=Markdown(links)))
        elif reply.suggestions:
            numbers = ", ".join(str(n) for n in range(1, len(reply.suggestions) + 1))
            self.say(self.words("console_pick", numbers=numbers))

    def words(self, key: str, **values: object) -> str:
        """A sentence of copy.yaml, worded for the console."""
        return self.core.say(self.student, key, **values)

    def status(self) -> str:
        """The phase, track and date the console answers for (what /phase, /track and /date change)."""
        context, not_set = self.context(), self.words("console_not_set")
        return self.words("console_status", phase=PHASE_LABELS.get(context.phase or "") or not_set,
                          track=TRACK_LABELS.get(context.track or "") or not_set,
                          date=context.today.isoformat() if context.today else self.words("console_today"))

    def context(self) -> StudentContext:
        """The stored profile's context, with whatever /phase, /track and /date set on top."""
        stored = self.core.context(self.student)
        return stored.with_changes(phase=self.overrides.phase or stored.phase,
                                   track=self.overrides.track or stored.track,
                                   today=self.overrides.today or stored.today)

    # ------------------------------------------------------------ input

    def handle(self, line: str, stdin: TextIO) -> bool:
        """One line; False means leave."""
        line = line.strip()
        name, _, value = line.removeprefix("/").partition(" ")
        if line.startswith("/") and name in {"quit", "exit", "q", "phase", "track", "date", "inbox"}:
            return self.local(name, value.strip())
        if line.isdigit() and 1 <= int(line) <= len(self.choices):
            found = self.core.answer_entry(self.choices[int(line) - 1].id)
            if found:
                self.show(found.reply)
            return True
        command = parse_typed(line)
        if command is None:
            self.show(self.core.answer(self.student, line, CONVERSATION, context=self.context()).reply)
        elif command.verb is Verb.CHECKLIST:
            self.show(self.core.checklist(self.student, self.context()))
        elif command.verb is Verb.UPCOMING:
            self.show(self.core.upcoming(self.context()))
        elif command.verb is Verb.PROFILE:
            self.say(self.core.say(self.student, "profile_saved", profile=self.core.describe(self.core.profile(
                self.student))) + "\n" + self.status())
        elif command.verb is Verb.NUDGES and not command.text:
            self.say(self.core.nudges_text(self.student, ""))
            self.say(self.core.nudges_this_month(self.student))
        elif command.verb is Verb.ALUMNI:
            self.alumni(command.text, stdin)
        else:
            self.say(self.core.execute(self.student, command).text)
        return True

    def alumni(self, text: str, stdin: TextIO) -> None:
        """A request filed into the same store and outbox as Slack's and Teams'; without words, asks for them."""
        if not text:
            self.say(self.core.say(self.student, "alumni_ask_description"))
            self.prompt()
            text = stdin.readline().strip()
        self.say(self.core.file_request(self.student, Intake(text), f"console:{uuid.uuid4().hex}").text)

    def local(self, name: str, value: str) -> bool:
        """The console's own commands: leave, answer as if (phase, track, date), and the liaison's inbox."""
        if name in {"quit", "exit", "q"}:
            return False
        if name == "inbox":
            self.inbox()
            return True
        given = None if value in ("", "none") else value
        try:
            if name == "phase":
                self.overrides = self.overrides.with_changes(phase=parse_phase(given))
            elif name == "track":
                self.overrides = self.overrides.with_changes(track=parse_track(given))
            else:
                self.overrides = self.overrides.with_changes(today=parse_date(given))
        except InputError as error:
            self.say(self.words("console_error", error=error))
            return True
        self.say(self.status())
        return True

    def inbox(self) -> None:
        """The Alumni Liaison's view with no platform configured: every request, oldest first."""
        requests = self.core.requests.requests.listing(None)
        if not requests:
            self.say(self.core.say(self.student, "console_inbox_none"))
            return
        self.say(self.core.say(self.student, "console_inbox_title"))
        for request in requests:
            print(f"#{request.id:<5} {request.status:<10} {request.platform}:{request.student_id:<12} "
                  f"{request.description[:60]}", file=self.out, flush=True)

    def prompt(self) -> None:
        if sys.stdin.isatty():
            print("\nyou> ", end="", file=self.out, flush=True)

    def run(self, stdin: TextIO = sys.stdin) -> int:
        self.say(self.core.say(self.student, "console_welcome"))
        self.say(self.status())
        while True:
            self.prompt()
            line = stdin.readline()
            if not line or not self.handle(line, stdin):
                return 0
