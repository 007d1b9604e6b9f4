"""The advisor's command grammar, one parser for every platform: Slack's `/advisor ...`, and the same words typed
in a Teams personal chat or the console (`profile 2028 pathways`, `nudges off tasks`, `alumni ...`).

A slash command is always a command (words it cannot read are a request for help); a typed line is a command
only when it reads as one, so "help me find a mentor" or "alumni liaison, who is it?" stay questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

YEAR = re.compile(r"\b(20\d\d|'?\d\d)\b")
TRACK = re.compile(r"\b(pathways|hst)\b", re.IGNORECASE)
FORGET_WORDS = frozenset({"delete", "forget", "clear", "reset"})
ALUMNI_VERBS = frozenset({"alumni", "alum", "alumnus", "alumna"})


class Verb(Enum):
    HELP = "help"
    ASK = "ask"  # a question, answered privately (Slack's `/advisor ask`)
    PROFILE = "profile"  # show the profile (the form, on Slack and Teams)
    SET_PROFILE = "set_profile"
    FORGET_PROFILE = "forget_profile"
    UPCOMING = "upcoming"
    CHECKLIST = "checklist"
    NUDGES = "nudges"  # show the reminder categories, or turn some on or off
    ALUMNI = "alumni"  # a request for an alumni advisor: filed with its text, or the form without
    REQUESTS = "requests"


@dataclass(frozen=True)
class Command:
    verb: Verb
    text: str = ""  # the question, what the student is looking for, or the nudge words ("off tasks")
    class_of: str | None = None
    track: str | None = None


def profile_words(text: str) -> tuple[str | None, str | None]:
    """The class year and track in "2028 pathways" (either may be missing)."""
    year, track = YEAR.search(text), TRACK.search(text)
    return (year.group(1) if year else None, track.group(1) if track else None)


def _split(text: str) -> tuple[str, str]:
    verb, _, rest = (text or "").strip().removeprefix("/").partition(" ")
    return verb.lower(), rest.strip()


def _profile(rest: str) -> Command:
    if not rest:
        return Command(Verb.PROFILE)
    if rest.lower() in FORGET_WORDS:
        return Command(Verb.FORGET_PROFILE)
    class_of, track = profile_words(rest)
    return Command(Verb.SET_PROFILE, rest, class_of, track)


def parse_slash(text: str) -> Command:
    """`/advisor <text>`: always a command; anything it cannot read is help."""
    verb, rest = _split(text)
    match verb:
        case _ if verb in ALUMNI_VERBS:
            return Command(Verb.ALUMNI, rest)
        case "ask" if rest:
            return Command(Verb.ASK, rest)
        case "profile":
            return _profile(rest)
        case "upcoming" | "checklist":
            return Command(Verb(verb))
        case "requests" | "request":
            return Command(Verb.REQUESTS)
        case "nudges":
            return Command(Verb.NUDGES, rest)
    return Command(Verb.HELP)


def parse_typed(text: str) -> Command | None:
    """A line typed in a chat (a leading `/` is allowed); None when it is a question, not a command."""
    verb, rest = _split(text)
    if verb in ALUMNI_VERBS and not rest.endswith("?"):
        return Command(Verb.ALUMNI, rest)
    if rest:
        return _profile(rest) if verb == "profile" else Command(Verb.NUDGES, rest) if verb == "nudges" else None
    match verb:
        case "request" | "intake":
            return Command(Verb.ALUMNI)
        case "help" | "upcoming" | "checklist" | "requests" | "nudges" | "profile":
            return Command(Verb(verb))
    return None
