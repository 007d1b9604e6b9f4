"""`advisor kb check`: everything a curator can get wrong in the content, with clear messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rapidfuzz import fuzz

from knowledge.academic_calendar import load_academic_calendar
from knowledge.calendar import MONTH_NAMES
from knowledge.engine import SearchEngine
from knowledge.loader import ContentError, KnowledgeBase, load_knowledge
from knowledge.rules import load_rules
from knowledge.text import terms, words

MAX_ANSWER_WORDS = 80
HARD_MAX_ANSWER_WORDS = 120
NEAR_DUPLICATE_SCORE = 95.0
DEFAULT_STALE_DAYS = 365
# Copy the advisor fills in: each placeholder must stay, or the reply loses what it is for.
REQUIRED_PLACEHOLDERS = {
    "not_given": ("{detail}", "{title}"), "not_given_says": ("{summary}",), "not_given_ask": ("{who}",),
    "assumed_phase": ("{phase}", "{said}"), "checklist_title": ("{phase}",), "checklist_tasks": ("{phase}",),
    "checklist_no_tasks": ("{phase}",), "checklist_coming_up": ("{span}",), "calendar_nothing": ("{who}", "{span}"),
}


@dataclass(frozen=True)
class Problem:
    level: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.level.upper():7} {self.message}"


def _links(kb: KnowledgeBase) -> list[Problem]:
    problems = []
    for entry in kb.entries:
        where = f"{kb.origin.get(entry.id, '?')}: entry {entry.id!r}"
        for target in entry.related:
            if target not in kb.by_id:
                problems.append(Problem("error", f"{where}: related id {target!r} does not exist"))
            elif target == entry.id:
                problems.append(Problem("error", f"{where}: lists itself as related"))
        if entry.source.document not in kb.documents:
            problems.append(Problem("error", f"{where}: source document {entry.source.document!r} is not "
                                             "listed in sources.yaml"))
    for term in kb.glossary:
        if term.entry and term.entry not in kb.by_id:
            problems.append(
                Problem("error", f"glossary.yaml: term {term.term!r} links to missing entry {term.entry!r}")
            )
    names: dict[str, str] = {}
    for term in kb.glossary:
        for name in (term.term, *term.aliases):
            key = name.lower()
            if key in names and names[key] != term.term:
                problems.append(Problem("error", f"glossary.yaml: {name!r} is used by both {names[key]!r} "
                                                 f"and {term.term!r}"))
            names[key] = term.term
    return problems


def _answers(kb: KnowledgeBase, today: date, stale_days: int) -> list[Problem]:
    problems = []
    for entry in kb.entries:
        where = f"{kb.origin.get(entry.id, '?')}: entry {entry.id!r}"
        count = len(entry.answer.split())
        if count > HARD_MAX_ANSWER_WORDS:
            problems.append(Problem("error", f"{where}: answer has {count} words (limit {HARD_MAX_ANSWER_WORDS})"))
        elif count > MAX_ANSWER_WORDS:
            problems.append(Problem("warning", f"{where}: answer has {count} words (aim for {MAX_ANSWER_WORDS})"))
        if not entry.answer:
            problems.append(Problem("error", f"{where}: answer is empty"))
        if entry.last_verified > today:
            problems.append(Problem("error", f"{where}: last_verified {entry.last_verified} is in the future"))
        elif (today - entry.last_verified).days > stale_days:
            problems.append(Problem("warning", f"{where}: last verified {entry.last_verified}, over {stale_days} "
                                               "days ago: check it against the current page"))
    return problems


def _phrasings(kb: KnowledgeBase, engine: SearchEngine) -> list[Problem]:
    problems = []
    seen: list[tuple[str, str, str]] = []  # (normalized, entry id, phrasing)
    for entry in kb.entries:
        for phrasing in entry.questions:
            key = " ".join(terms(phrasing))
            if not key:
                problems.append(Problem("error", f"entry {entry.id!r}: phrasing {phrasing!r} has no searchable words"))
                continue
            for other_key, other_id, other in seen:
                if other_id == entry.id:
                    continue
                if key == other_key:
                    problems.append(Problem("error", f"entries {other_id!r} and {entry.id!r} share the phrasing "
                                                     f"{phrasing!r}"))
                elif fuzz.token_sort_ratio(key, other_key) >= NEAR_DUPLICATE_SCORE:
                    problems.append(Problem("warning", f"entries {other_id!r} and {entry.id!r} have near-identical "
                                                       f"phrasings {other!r} / {phrasing!r}"))
            seen.append((key, entry.id, phrasing))
            best = engine.search(phrasing, phase=entry.phases[0] if entry.phases else None,
                                 track=entry.tracks[0] if entry.tracks else None).best
            if best is not None and best.entry.id != entry.id:
                problems.append(Problem("warning", f"entry {entry.id!r}: its phrasing {phrasing!r} finds "
                                                   f"{best.entry.id!r} first"))
    return problems


_MONTH_WORD = re.compile(r"\b(" + "|".join(MONTH_NAMES) + r")\b", re.IGNORECASE)


def _calendar(kb: KnowledgeBase) -> list[Problem]:
    problems = []
    for entry in kb.events:
        where = f"{kb.origin.get(entry.id, '?')}: event {entry.id!r}"
        event = entry.event
        if event.year_of_phase and len(entry.phases) != 1:
            problems.append(Problem("error", f"{where}: year_of_phase needs exactly one phase, "
                                             f"has {list(entry.phases)}"))
        if event.year_of_phase == 2 and entry.phases == ("pce",):
            problems.append(Problem("error", f"{where}: the PCE lasts one year, so year_of_phase 2 is impossible"))
        if len(set(event.months)) != len(event.months):
            problems.append(Problem("error", f"{where}: months repeat: {list(event.months)}"))
        named = {MONTH_NAMES.index(m.capitalize()) + 1 for m in _MONTH_WORD.findall(event.timing)}
        missing = named - set(event.months)
        if missing:
            problems.append(Problem("error", f"{where}: timing {event.timing!r} names month(s) "
                                             f"{sorted(missing)} missing from months {list(event.months)}"))
    for entry in kb.entries:
        if entry.event is None and kb.origin.get(entry.id) == "events.yaml":
            problems.append(Problem("error", f"events.yaml: entry {entry.id!r} has no event block"))
    return problems


def _chat_language(kb: KnowledgeBase) -> list[Problem]:
    """A filler or slang spelling that is also a word of the content's titles, phrasings or keywords would be
    erased or rewritten in students' questions before the engine sees them."""
    vocabulary = {word for entry in kb.entries for text in (entry.title, *entry.questions, *entry.keywords)
                  for word in words(text)}
    problems = []
    for filler in kb.chat.fillers:
        if len(found := words(filler)) == 1 and found[0] in vocabulary:
            problems.append(Problem("warning", f"chat.yaml: filler {filler!r} is a word the content uses"))
    for spelling, plain in kb.chat.slang.items():
        if len(found := words(spelling)) == 1 and found[0] in vocabulary and found[0] not in words(plain):
            problems.append(Problem("warning", f"chat.yaml: slang {spelling!r} is a word the content uses"))
    for field_name, placeholders in REQUIRED_PLACEHOLDERS.items():
        copy = getattr(kb.smalltalk, field_name)
        problems += [Problem("error", f"smalltalk.yaml: {field_name} must contain {placeholder}")
                     for placeholder in placeholders if placeholder not in copy]
    return problems


def check_content(content_dir: Path | None = None, today: date | None = None,
                  stale_days: int = DEFAULT_STALE_DAYS) -> list[Problem]:
    try:
        kb = load_knowledge(content_dir)
        load_academic_calendar(content_dir)
        load_rules(kb, content_dir)
    except ContentError as error:
        return [Problem("error", message) for message in error.problems]
    today = today or date.today()
    engine = SearchEngine(kb)
    return (_links(kb) + _answers(kb, today, stale_days) + _phrasings(kb, engine) + _calendar(kb)
            + _chat_language(kb))
