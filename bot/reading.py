"""Reading a chat message the way a student writes it, before any retrieval.

Students type "ugh ok idk if this is dumb but whats the deal w RASAs tbh", or a sentence about
themselves and then the question. The reading drops fillers, spells slang out (both from the
staff-edited chat.yaml), splits the sentences, finds the one that asks, and keeps what the other
sentences say about the student: the phase or year they are in, which places them when no
profile does, and the phase, year or track the question itself names, which decides between
sibling entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from knowledge.academic_calendar import AcademicCalendar
from knowledge.schema import TRACKS, ChatLanguage
from knowledge.text import fold

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_QUESTION_OPENERS = frozenset(
    """what whats when whens where wheres who whos whom how hows why which is are do does did can could
    should would will any anyone anybody have has am tell explain""".split())
_PHASE_WORDS = {"postpce": "post-pce", "post pce": "post-pce", "post-pce": "post-pce", "pce": "pce",
                "clerkship year": "pce", "preclerkship": "preclerkship", "pre-clerkship": "preclerkship",
                "pre clerkship": "preclerkship", "preclinical": "preclerkship"}
_TRACK_WORDS = {"hst": "hst", "pathways": "pathways", "pathway": "pathways"}
FIRST_MONTH_OF_YEAR = 8  # a year of medical school starts in August (the academic calendar's first month)


def _pattern(phrases: list[str] | tuple[str, ...], plural: bool = False) -> re.Pattern[str] | None:
    """Whole-word, longest-first alternation over folded phrases (with an optional plural "s")."""
    folded = sorted({fold(p).strip() for p in phrases if p.strip()}, key=len, reverse=True)
    if not folded:
        return None
    ending = "s?" if plural else ""
    return re.compile(r"(?<![\w/])(?:" + "|".join(re.escape(p) for p in folded) + rf"){ending}(?![\w/])")


@dataclass(frozen=True)
class Reading:
    """What a message says, once read: the question to search and what it tells about the student."""

    text: str  # the whole message, chat language read past
    question: str  # the sentence(s) that ask; the whole text when no sentence stands out
    own_phase: str | None = None  # the phase the student says they are in ("I'm on my clerkships")
    said: str | None = None  # the words that placed them, quoted back in the reply
    named_phase: str | None = None  # the phase the question is about ("...for post-PCE?")
    named_track: str | None = None  # the one track the message names ("and for HST?", "I'm HST. who's my...")
    named_year: int | None = None  # a year of medical school the question is about ("first-years")
    year_phase: str | None = None  # the phase that year is in today, preferred (not required) in answers

    @property
    def has_context(self) -> bool:
        return self.question != self.text


class Reader:
    """Built once from chat.yaml (and the academic calendar, which turns a year of school into a phase)."""

    def __init__(self, chat: ChatLanguage, calendar: AcademicCalendar | None = None):
        self.chat = chat
        self.calendar = calendar
        self._fillers = _pattern(chat.fillers)
        self._slang = {fold(k): v for k, v in chat.slang.items()}
        self._slang_pattern = _pattern(list(chat.slang))
        self._years = {fold(p): year for year, phrases in chat.years.items() for p in phrases}
        self._year_pattern = _pattern(list(self._years), plural=True)
        self._self_before = tuple(fold(m) for m in chat.self_markers)
        self._self_after = tuple(fold(m) for m in chat.self_suffixes)
        self._statements = {fold(p): phase for phase, phrases in chat.phase_statements.items() for p in phrases}
        self._statement_pattern = _pattern(list(self._statements))
        self._phase_pattern = _pattern(list(_PHASE_WORDS))
        self._track_pattern = _pattern(list(_TRACK_WORDS))

    @cached_property
    def _out_of_scope(self) -> dict[str, re.Pattern[str]]:
        return {kind: pattern for kind, words in self.chat.out_of_scope.items() if (pattern := _pattern(words))}

    def plain(self, text: str) -> str:
        """Folded, fillers dropped, slang spelled out: "ngl whats the deal w RASAs" -> "whats the deal with rasas"."""
        folded = fold(text)
        if self._fillers:
            folded = self._fillers.sub(" ", folded)
        if self._slang_pattern:
            folded = self._slang_pattern.sub(lambda m: self._slang.get(m.group(0), m.group(0)), folded)
        return " ".join(folded.split())

    def out_of_scope(self, text: str) -> str | None:
        """The kind of question outside the programme ("other_school", "commercial", "clinical"), if any."""
        folded = fold(text)
        return next((kind for kind, pattern in self._out_of_scope.items() if pattern.search(folded)), None)

    def read(self, text: str, today: date, track: str | None = None) -> Reading:
        sentences = [s for s in (self.plain(part) for part in _SENTENCE_END.split(text)) if s.strip(" .!?")]
        if not sentences:
            return Reading(text="", question="")
        whole = " ".join(sentences)
        asking = [s for s in sentences if s.endswith("?") or s.split()[0].strip(",.") in _QUESTION_OPENERS]
        question = " ".join(asking) if asking and len(asking) < len(sentences) else whole
        own_phase, said = self._own_phase(whole, today, track)
        named_year = self._named_year(question)
        year_phase = self._phase_of_year(named_year, today, track) if named_year else None
        return Reading(text=whole, question=question, own_phase=own_phase, said=said,
                       named_phase=self._named_phase(question, own_phase is not None), year_phase=year_phase,
                       named_track=self._named_track(whole), named_year=named_year)

    def _own_phase(self, text: str, today: date, track: str | None) -> tuple[str | None, str | None]:
        """The phase the student says they are in: a statement ("done with clerkships") or their year ("I'm an MS3")."""
        if self._statement_pattern and (match := self._statement_pattern.search(text)):
            return self._statements[match.group(0)], match.group(0)
        for match in self._year_pattern.finditer(text) if self._year_pattern else ():
            before = text[: match.start()].rstrip()
            after = text[match.end():].lstrip()
            if before.endswith(self._self_before) or after.startswith(self._self_after):
                year = self._year(match.group(0))
                phase = self._phase_of_year(year, today, track)
                if phase:
                    return phase, match.group(0)
        return None, None

    def _named_year(self, question: str) -> int | None:
        """A year of school the question is about, unless it only says who is asking ("as a first year, ...")."""
        for match in self._year_pattern.finditer(question) if self._year_pattern else ():
            before = question[: match.start()].rstrip()
            after = question[match.end():].lstrip()
            if not (before.endswith(self._self_before) or after.startswith(self._self_after)):
                return self._year(match.group(0))
        return None

    def _year(self, phrase: str) -> int:
        return self._years.get(phrase) or self._years[phrase.removesuffix("s")]

    def _named_phase(self, question: str, placed: bool) -> str | None:
        if self._statement_pattern and placed:
            question = self._statement_pattern.sub(" ", question)
        found = {_PHASE_WORDS[m.group(0)] for m in self._phase_pattern.finditer(question)} if self._phase_pattern \
            else set()
        return found.pop() if len(found) == 1 else None

    def _named_track(self, question: str) -> str | None:
        found = {_TRACK_WORDS[m.group(0)] for m in self._track_pattern.finditer(question)}
        return found.pop() if len(found) == 1 and next(iter(found)) in TRACKS else None

    def _phase_of_year(self, year: int, today: date, track: str | None) -> str | None:
        """A year of school placed through the academic calendar: in December a third-year's class is in the PCE."""
        if self.calendar is None:
            return None
        first_year_starts = today.year if today.month >= FIRST_MONTH_OF_YEAR else today.year - 1
        class_of = first_year_starts - year + 5
        window = self.calendar.window_on(class_of, track or TRACKS[0], today)
        return window.phase if window else None
