"""Recognising what kind of message a student sent, before any retrieval."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from knowledge.calendar import months_from
from knowledge.text import STOPWORDS, fold, words


class SmallTalk(Enum):
    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"


_GREETING = {"hi", "hello", "hey", "heya", "hiya", "yo", "howdy", "sup", "greetings", "hola", "morning",
             "afternoon", "evening", "good", "there", "whats", "up", "hows", "it", "going"}
_THANKS = {"thanks", "thank", "thx", "ty", "tysm", "appreciate", "appreciated", "cheers", "great", "perfect",
           "awesome", "cool", "got", "it", "helpful", "that", "was", "very", "so", "much", "you", "a", "lot",
           "ok", "okay", "nice", "super"}
_HELP = {"help", "commands", "command", "menu", "start", "usage", "can", "you", "do", "what", "how", "does",
         "this", "work", "who", "are", "is", "know", "about", "ask", "i", "things", "options"}
_HELP_TRIGGERS = {"help", "commands", "menu", "usage"}
_HELP_PHRASES = ("what can you do", "how does this work", "who are you", "what do you know", "how do you work",
                 "what can i ask")
_GREETING_OPENERS = {"hi", "hello", "hey", "heya", "hiya", "yo", "howdy", "greetings", "hola"}
_THANKS_TRIGGERS = {"thanks", "thank", "thx", "ty", "tysm", "appreciate", "appreciated", "cheers"}


def small_talk(text: str) -> SmallTalk | None:
    """A greeting, thanks or help request with nothing else in it."""
    tokens = words(text)
    joined = " ".join(tokens)
    if not tokens:
        return SmallTalk.HELP if text.strip() in {"?", "??"} else None
    if any(phrase == joined.rstrip() for phrase in _HELP_PHRASES):
        return SmallTalk.HELP
    if set(tokens) & _HELP_TRIGGERS and set(tokens) <= _HELP | _GREETING:
        return SmallTalk.HELP
    if set(tokens) & _THANKS_TRIGGERS and set(tokens) <= _THANKS | _GREETING:
        return SmallTalk.THANKS
    if tokens[0] in _GREETING_OPENERS | {"good"} and set(tokens) <= _GREETING | {"advisor", "bot"}:
        return SmallTalk.GREETING
    return None


def strip_greeting(text: str) -> str:
    """ "hey! when is match day" -> "when is match day": the greeting should not colour retrieval."""
    stripped = text.lstrip()
    lowered = stripped.lower()
    for opener in sorted(_GREETING_OPENERS, key=len, reverse=True):
        if lowered.startswith(opener) and (len(lowered) == len(opener) or not lowered[len(opener)].isalnum()):
            return stripped[len(opener):].lstrip(" ,!.:;-") or stripped
    return stripped


_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_SEASONS = {"fall": (9, 10, 11), "autumn": (9, 10, 11), "winter": (12, 1, 2), "spring": (3, 4, 5),
            "summer": (6, 7, 8)}
_TIME_LEADS = {"in", "during", "for", "this", "next", "of", "early", "late", "mid", "around", "by", "until",
               "till", "thru", "through", "over", "the"}
_AMBIGUOUS_MONTHS = {"may", "mar", "jun", "jan", "sep", "dec"}
_UPCOMING = ("coming up", "upcoming", "up next", "whats next", "coming soon", "next few")
_CALENDAR_WORDS = {
    "event", "events", "happening", "happen", "coming", "up", "upcoming", "soon", "calendar", "schedule",
    "scheduled", "going", "on", "planned", "next", "month", "months", "anything", "ahead", "deadline",
    "deadlines", "doing", "to", "task", "tasks", "todo", "should", "plan", "program", "programme", "career",
    "planning", "few", "weeks", "students", "student", "class", "year", "pce", "postpce", "preclerkship",
    "clerkship", "me", "for", "this", "there", "any", "remind", "reminders", "due", "important", "dates",
    "date", "key", "whats", "list", "show", "1", "2", "3", "4", "first", "second", "third", "fourth", "years",
    "yr", "yrs", "rising", "m", "ms", "th", "st", "nd", "rd", "seniors", "related", "people", "ppl", "folks",
    "pathways", "hst", "m1", "m2", "m3", "m4", "ms1", "ms2", "ms3", "ms4", "graduating", "here", "go", "attend",
    "radar", "week", "lined", "stuff", "things",
}


@dataclass(frozen=True)
class Window:
    months: tuple[int, ...]
    kind: str  # "upcoming", "this-month", "named"


def calendar_window(text: str, today: date) -> Window | None:
    tokens = words(text)
    joined = " ".join(tokens)
    named: list[int] = []
    for position, token in enumerate(tokens):
        month = _MONTHS.get(token)
        previous = tokens[position - 1] if position else ""
        if month and (token not in _AMBIGUOUS_MONTHS or previous in _TIME_LEADS or position == len(tokens) - 1):
            named.append(month)
        elif token in _SEASONS and previous in _TIME_LEADS:
            named.extend(_SEASONS[token])
    if named:
        return Window(months=tuple(dict.fromkeys(named)), kind="named")
    if "this month" in joined:
        return Window(months=(today.month,), kind="this-month")
    if "next month" in joined:
        return Window(months=months_from(today.month % 12 + 1, 1), kind="named")
    if any(phrase in joined for phrase in _UPCOMING):
        return Window(months=months_from(today.month, 3), kind="upcoming")
    return None


def is_calendar_only(text: str) -> bool:
    """True when nothing but time and calendar words remain: "anything this month for pce?"."""
    residue = [
        token for token in words(text)
        if token not in STOPWORDS and token not in _CALENDAR_WORDS and token not in _MONTHS
        and token not in _SEASONS
    ]
    return not residue


def mentioned_phase(text: str) -> str | None:
    tokens = words(text)
    joined = " " + " ".join(tokens) + " "
    if " postpce " in joined:
        return "post-pce"
    if " pce " in joined or " clerkship year " in joined:
        return "pce"
    if " preclerkship " in joined or " preclinical " in joined:
        return "preclerkship"
    return None


class Limit(Enum):
    """Questions the content can never answer, whatever words they share with it."""

    ACTION = "action"  # "can you write my personal statement for me?"
    OPINION = "opinion"  # "is MGH or BWH better for IM?"


_ACTION = re.compile(
    r"^(?:please\s+)?(?:(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+|just\s+)?|pls\s+|please\s+)"
    r"(?:write|draft|edit|proofread|review|submit|send|email|e-mail|fill|sign|register|book|schedule|make|do|"
    r"fix|rank|apply|pay|file|upload|complete|check|read|grade|rewrite|order|buy)\b"
)
_OPINION = re.compile(
    r"\bor\b.*\b(?:better|worse)\b|\bwhich\s+(?:one\s+)?is\s+better\b|"
    r"\b(?:better|best|worst|top|easiest|hardest)\s+(?:\w+\s+){0,2}?"
    r"(?:programs?|hospitals?|schools?|residenc(?:y|ies)|specialt(?:y|ies)|places?|cities)\b"
)
def limit_of(text: str) -> Limit | None:
    """Requests to act, or for opinions, are out of reach whatever the retrieval finds."""
    folded = " ".join(fold(text).split())
    if _ACTION.search(folded):
        return Limit.ACTION
    if _OPINION.search(folded):
        return Limit.OPINION
    return None


_ALUM = re.compile(r"\b(?:alum|alums|alumni|alumnus|alumna|alumnae)\b")
_PUT_IN_TOUCH = re.compile(
    r"\b(?:connect|introduce|intro|put\s+(?:me\s+)?in\s+touch|match|pair|link|hook|set\s+(?:me\s+)?up|find|"
    r"talk|speak|chat|meet|shadow|email|call|reach)\b")
_ASKING_US = re.compile(
    r"^(?:please\b|pls\b|(?:hi|hey|hello)\b.*?\b(?:can|could|would|will)\s+(?:you|u)\b|"
    r"(?:can|could|would|will)\s+(?:you|u)\b|(?:i'?d|i\s+would)\s+(?:like|love)\b|i\s+(?:want|need)\b|"
    r"i'?m\s+looking\b|i\s+am\s+looking\b|help\s+me\b|(?:connect|introduce|match|pair|put|set|find)\b)")


def wants_alumni_contact(text: str) -> bool:
    """A request *to the advisor* to be put in touch with an alum ("could you connect me with an alum in
    dermatology?"), as opposed to a question about how that works ("how do I reach an alumni advisor?")."""
    lowered = " ".join(text.lower().replace("’", "'").split())
    return bool(_ALUM.search(lowered) and _PUT_IN_TOUCH.search(lowered) and _ASKING_US.search(lowered))
