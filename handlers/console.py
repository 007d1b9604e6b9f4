"""The local console adapter (`advisor chat`): the same brain as Slack and Teams, in a terminal."""

from __future__ import annotations

import re
import sys
from typing import TextIO

from bot.conversation import Advisor
from bot.replies import Link, Reply
from knowledge.context import InputError, StudentContext, parse_date, parse_phase, parse_track
from knowledge.schema import PHASE_LABELS, TRACK_LABELS

COMMANDS = """Commands:
  /phase preclerkship|pce|post-pce   set your phase (/phase none to clear)
  /track pathways|hst                set your track
  /date YYYY-MM-DD                   pretend today is this date (for calendar questions)
  /profile                           show what I know about you
  /help                              this list
  /quit                              leave (Ctrl-D works too)
Type a number to open a suggestion or follow-up from the last reply."""

_BOLD = re.compile(r"\*([^*\n]+)\*")
_ITALIC = re.compile(r"(?<!\w)_([^_\n]+)_(?!\w)")


def render(text: str, styled: bool) -> str:
    """Slack mrkdwn to terminal text: ANSI bold/italic on a terminal, plain otherwise."""
    if styled:
        return _ITALIC.sub("\x1b[3m\\1\x1b[0m", _BOLD.sub("\x1b[1m\\1\x1b[0m", text))
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))


def describe(context: StudentContext) -> str:
    phase = PHASE_LABELS.get(context.phase or "", "not set")
    track = TRACK_LABELS.get(context.track or "", "not set")
    today = context.today.isoformat() if context.today else "today"
    return f"phase: {phase} · track: {track} · date: {today}"


class Console:
    def __init__(self, advisor: Advisor, context: StudentContext, out: TextIO = sys.stdout):
        self.advisor = advisor
        self.context = context
        self.out = out
        self.styled = out.isatty()
        self.choices: tuple[Link, ...] = ()
        self.topic: str | None = None  # the entry the conversation is on, for follow-ups ("when is it?")

    def say(self, text: str) -> None:
        print(render(text, self.styled), file=self.out, flush=True)

    def show(self, reply: Reply) -> None:
        self.say(reply.text)
        topic = reply.nearest.id if reply.nearest else reply.entry
        if topic in self.advisor.kb.by_id:
            self.topic = topic
        self.choices = reply.suggestions or reply.related
        if reply.related and not reply.suggestions:
            self.say("Related: " + "  ".join(f"[{n}] {link.title}" for n, link in enumerate(reply.related, 1)))
        elif reply.suggestions:
            self.say("Type " + ", ".join(str(n) for n in range(1, len(reply.suggestions) + 1)) + " to pick one.")

    def command(self, line: str) -> bool:
        """Handle a /command; False means leave."""
        name, _, value = line[1:].partition(" ")
        value = value.strip()
        try:
            if name in {"quit", "exit", "q"}:
                return False
            if name == "phase":
                self.context = self.context.with_changes(phase=parse_phase(None if value == "none" else value))
            elif name == "track":
                self.context = self.context.with_changes(track=parse_track(None if value == "none" else value))
            elif name == "date":
                self.context = self.context.with_changes(today=parse_date(None if value == "none" else value))
            elif name != "profile":
                self.say(COMMANDS)
                return True
            self.say(describe(self.context))
        except InputError as error:
            self.say(f"Sorry: {error}.")
        return True

    def handle(self, line: str) -> bool:
        line = line.strip()
        if line.startswith("/"):
            return self.command(line)
        if line.isdigit() and 1 <= int(line) <= len(self.choices):
            self.show(self.advisor.answer_entry(self.choices[int(line) - 1].id))
        else:
            self.show(self.advisor.reply(line, self.context, recent_topic=lambda: self.topic))
        return True

    def run(self, stdin: TextIO = sys.stdin) -> int:
        self.say("Career Planning advisor (local console). Ask a question, or /help for commands.")
        self.say(describe(self.context))
        while True:
            if stdin.isatty():
                print("\nyou> ", end="", file=self.out, flush=True)
            line = stdin.readline()
            if not line:
                return 0
            if not self.handle(line):
                return 0
