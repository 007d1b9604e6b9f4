"""What detail a question asks for, and whether an entry gives it.

"When is the personal statement workshop?" is answered by an entry that gives a time of year;
"what time does the personal statement workshop start?" is not, though it names the same event.
A student who gets the event's description for a question about its start time reads it as an
answer, so the advisor must see the difference and say the pages don't give that detail.
"""

from __future__ import annotations

import re
from enum import Enum

from knowledge.schema import Entry
from knowledge.text import fold, words


class Detail(Enum):
    WHEN = "when"  # a time of year, a phase, a month
    DATE = "date"  # an exact date or deadline
    TIME = "time"  # a time of day
    WHERE = "where"  # a place or room
    WHO = "who"  # a person's name
    ROLE = "role"  # who runs, leads or moderates something
    CONTACT = "contact"  # an email address or phone number
    APPLY = "apply"  # how to sign up, register or apply
    LINK = "link"  # a web address
    NUMBER = "number"  # a count, score or rate
    OFTEN = "often"  # how often something happens
    DURATION = "duration"  # how long something lasts
    MONEY = "money"  # a cost or fee


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Asked: checked in this order, so the most specific kind wins ("what time is it on?" is TIME, not WHEN).
_ASKED: tuple[tuple[Detail, re.Pattern[str]], ...] = (
    (Detail.LINK, _any(r"\b(?:link|links|url|website|web\s?site|webpage|web\s?page)\b")),
    (Detail.CONTACT, _any(r"(?<!\bi\s)\be-?mail\b(?!\s+(?:them|him|her|me|my|the|a|an)\b)", r"\bphone\b",
                          r"\bnumber\s+to\s+call\b", r"\bcontact\s+(?:info|information|details)\b",
                          r"\bextension\b", r"\bcell\b")),
    (Detail.TIME, _any(r"\bwhat\s+time\b", r"\bwhich\s+time\b", r"\btime\s+of\s+day\b", r"\bo\s?clock\b",
                       r"\b(?:start|starts|begin|begins|end|ends)\s+at\s+what\b", r"\bhow\s+late\b",
                       r"\bmorning\s+or\s+(?:afternoon|evening)\b", r"\bwhat\s+hours?\b")),
    (Detail.MONEY, _any(r"\b(?:cost|costs|fee|fees|price|prices|pricing|salary|salaries|tuition|afford|expensive|"
                        r"cheap|dollars?|paid|pay)\b", r"\$",
                        r"\bhow\s+much\s+(?:do|does|did)\s+\w+\s+(?:make|get)\b")),
    (Detail.DURATION, _any(r"\bhow\s+long\b", r"\bhow\s+many\s+(?:hours|minutes|days|weeks)\b",
                           r"\b(?:how\s+much\s+time)\b")),
    (Detail.NUMBER, _any(r"\bhow\s+many\b", r"\bhow\s+much\b", r"\baverage\b", r"\bmedian\b", r"\bpercent(?:age)?\b",
                         r"%", r"\bpass(?:ing)?\s+(?:rate|score)\b", r"\bmatch\s+rate\b",
                         r"\b(?:minimum|cutoff|cut-off|good|passing|mean)\s+score\b",
                         r"\bscore\s+(?:needed|required)\b", r"\bwhat\s+(?:score|percentile|rate)\b",
                         r"\bwhat\s+(?:[\w-]+\s+){1,3}score\b", r"\bscore\s+(?:do|does|should|would)\s+(?:i|you)\b")),
    (Detail.DATE, _any(r"\bexact\s+(?:date|day)\b", r"\bwhat\s+(?:day|date)\b", r"\bwhich\s+(?:day|date)\b",
                       r"\bdeadline\b", r"\bdue\s+date\b", r"\bdue\s+by\b", r"\bdate\s+(?:for|of)\b",
                       r"\bwhat\s+(?:is\s+the\s+)?date\b", r"\bdates\b", r"\b(?:which|what)\s+week\b",
                       r"\bwhen(?:s|\s+is|\s+will\s+be)?\s+(?:the\s+)?next\b")),
    (Detail.OFTEN, _any(r"\bhow\s+(?:often|frequently)\b", r"\bhow\s+many\s+times\b",
                        r"\b(?:weekly|monthly)\s*\?")),
    (Detail.WHERE, _any(r"\b(?:what|which)\s+(?:room|building|floor|location|address|hospital|site|city)\b",
                        r"\bwhere\s+(?:is|are|s|will|was)\s+(?:it|the|they|that|this)\b(?!.*\b(?:find|get|look|"
                        r"start|list|lists|page|pages|resources?|directory|database|data|stats|info|information|form|"
                        r"guide)\b)",
                        r"\bwhere\b.*\b(?:held|located|hosted|take\s+place)\b", r"\blocation\b", r"\broom\s+number\b",
                        r"\bin\s+person\s+or\b", r"\bzoom\b", r"\bvirtual\b|\bonline\s+or\b")),
    (Detail.WHO, _any(r"\bname\s+of\b", r"\bwhat(?:s|\s+is|\s+are)\s+(?:the\s+|their\s+|his\s+|her\s+|my\s+)?names?\b",
                      r"\bwho\s+(?:exactly|specifically)\b", r"\bwhich\s+(?:person|faculty|doctor|dean|professor)\b",
                      r"\bwho(?:s|\s+is|\s+are)\s+(?:the\s+|my\s+)?(?:current|actual)\b", r"\bnames\b",
                      r"\bwho(?:s|\s+is|\s+are)\s+the\s+(?:[\w-]+\s+){0,5}?(?:director|coordinator|dean|chair|head|"
                      r"moderator|speaker|speakers|panelists|residents|organizer|organiser)\b",
                      r"\bwho(?:s|\s+is)\s+(?:speaking|presenting|moderating|on\s+the\s+panel)\b",
                      r"\bwho(?:s|\s+is)\s+(?:gonna|going\s+to)\s+be\s+my\b",
                      r"\bwho\s+will\s+be\s+my\b", r"\bwhich\s+residents\b")),
    (Detail.ROLE, _any(r"\bwho\s+(?:runs|leads|moderates|hosts|organi[sz]es|presents|teaches|facilitates|"
                       r"is\s+in\s+charge)\b",
                       r"\bwho(?:s|\s+is)\s+(?:running|leading|hosting|organi[sz]ing)\b")),
    (Detail.APPLY, _any(r"\bhow\s+(?:do|can|would|should|to)\s+(?:i\s+|we\s+|you\s+)?(?:apply|register|sign\s?up|enrol|"
                        r"enroll|rsvp)\b", r"\bsign\s?-?up\s+(?:link|form|sheet)\b", r"\bregistration\b",
                        r"\bapplication\s+form\b", r"\bwhere\s+(?:do|can)\s+i\s+(?:apply|register|sign\s?up|rsvp)\b")),
    (Detail.WHEN, _any(r"\bwhen\b", r"\bwhat\s+(?:month|week|year|semester)\b", r"\bhow\s+soon\b",
                       r"\bwhich\s+(?:month|week|year|semester)\b")),
)

_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec").split()
_GIVES: dict[Detail, re.Pattern[str]] = {
    Detail.LINK: _any(r"https?://", r"\bwww\.", r"\w\.(?:org|edu|com|gov)\b"),
    Detail.CONTACT: _any(r"@\w", r"\(\d{3}\)|\b\d{3}[-.]\d{3}[-.]\d{4}\b"),
    Detail.TIME: _any(r"\b\d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m|p\.m)\b", r"\bnoon\b", r"\bo'?clock\b",
                      r"\b(?:lunch|lunchtime|lunch-time|evening|evenings|morning|mornings|afternoon)\b"),
    Detail.MONEY: _any(r"\$\s?\d", r"\bfree\b", r"\bno\s+cost\b"),
    Detail.DATE: _any(r"\b(?:" + "|".join(_MONTHS) + r")\.?\s+\d{1,2}\b", r"\b\d{1,2}/\d{1,2}\b",
                      r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b",
                      r"\bby\s+the\s+end\s+of\b"),
    Detail.WHERE: _any(r"\bsuite\b", r"\bbuilding\b", r"\broom\b", r"\bhall\b", r"\bfloor\b", r"\blocated\b",
                       r"\btmec\b", r"\bonline\b", r"\bvirtual(?:ly)?\b", r"\bzoom\b", r"\bin\s+person\b"),
    Detail.WHO: _any(r"\b[A-Z][a-z]+\s+(?:[A-Z]\.\s+)?[A-Z][\w']+,\s+MD\b", r"\bDr\.?\s+[A-Z][a-z]+",
                     r"\*\*[A-Z][a-z]+\s+[A-Z][\w']+\*\*(?::|\s+is\b)"),
    Detail.APPLY: _any(r"\bregist(?:er|ration)\b", r"\bsign[\s-]?up\b", r"\brsvp\b", r"\benrol",
                       r"\bapply\s+(?:by|through|via|online|with|at|to\s+the)\b", r"\bapplication\s+form\b",
                       r"\brequest\s+(?:it|one|them|through|via|from)\b", r"\bby\s+e-?mailing\b", r"\bopt[\s-]?in\b"),
    Detail.ROLE: _any(r"\b(?:led|run|hosted|moderated|presented|organi[sz]ed|given|facilitated|offered)\s+by\b",
                      r"\bmoderat", r"\bhosts?\b", r"\bpresent(?:s|ed|er)\b", r"\bleads?\b", r"\bruns\b"),
    Detail.OFTEN: _any(r"\b(?:once|twice)\b", r"\btimes\s+(?:a|per|each)\b",
                       r"\b(?:weekly|monthly|annually|yearly)\b",
                       r"\bevery\s+(?:\w+\s+)?(?:week|month|year|semester)s?\b",
                       r"\b(?:a|per|each)\s+(?:week|month|year)\b"),
    Detail.DURATION: _any(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|ten|twelve|fourteen|several)[\s-]+"
                          r"(?:minute|min|hour|hr|day|week|month|year)s?\b", r"\ball\s+day\b", r"\bhalf[\s-]day\b"),
    Detail.WHEN: _any(r"\b(?:" + "|".join(_MONTHS) + r")\b", r"\b(?:spring|summer|fall|autumn|winter)\b",
                      r"\b(?:preclerkship|pce|post-pce)\b",
                      r"\b(?:first|second|third|fourth|final|each|every)\s+year\b",
                      r"\b(?:start|end|beginning|middle)\s+of\b", r"\bannual(?:ly)?\b", r"\bweekly\b|\bmonthly\b",
                      r"\b(?:any\s+time|anytime|throughout|all\s+the\s+way\s+through)\b", r"\b\d"),
}
_LABEL_WORDS = {"part", "step", "phase", "series", "year"}  # "Part 1", "Step 2": names, not figures
_NUMBER_WORDS = {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve", "fourteen",
                 "twice", "once", "dozen", "hundred", "one", "single"}


_CONTRACTED = re.compile(r"\b(where|when|who|what|how)s\b")  # "wheres" as students type "where's"


def asked_detail(question: str) -> Detail | None:
    """The kind of detail the question asks for; None for what-is and how-does questions."""
    folded = _CONTRACTED.sub(r"\1 is", " ".join(fold(question).split()))
    return next((detail for detail, pattern in _ASKED if pattern.search(folded)), None)


def gives_detail(detail: Detail, question: str, entry: Entry) -> bool:
    """Whether the entry's answer (or its calendar block) gives the detail, beyond what the question already says."""
    if detail is Detail.NUMBER:
        return _gives_number(question, entry.answer)
    if detail is Detail.WHEN and entry.event is not None:
        return True
    if detail is Detail.ROLE and ((entry.event is not None and entry.event.presenter) or
                                  _GIVES[Detail.WHO].search(entry.answer)):
        return True
    text = entry.answer if detail is Detail.WHO else fold(entry.answer)
    return bool(_GIVES[detail].search(text))


def _gives_number(question: str, answer: str) -> bool:
    """True when the answer holds a figure that the question did not already say."""
    asked = set(words(question))
    tokens = words(answer)
    return any(
        (word.isdigit() or word in _NUMBER_WORDS) and word not in asked
        and (position == 0 or tokens[position - 1] not in _LABEL_WORDS)
        for position, word in enumerate(tokens)
    )
